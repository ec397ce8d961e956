// The assistant's tools, inside the turn's transaction and already scoped to its tenant, conversation and customer.
// Booking, rescheduling, cancelling and listing go through the receptionist tool layer's SQL (private.tool_*, the
// same functions voice agents and MCP clients use: supabase/migrations/*_receptionist_tools.sql), so a booking made
// here and one made on a call meet the same checks and the same exclusion constraint. The day's slots come from
// private.assistant_slots (every slot of every person, which the dialog lists and counts). Arguments may come from
// an LLM one day, so a malformed id or day answers "nothing there" instead of raising (which would abort the whole
// turn's transaction).
import type postgres from "postgres";
import type { Tx } from "../db/client.ts";
import { isId } from "./state.ts";
import { isDay } from "./time.ts";
import type { AssistantContext, AssistantTools, Slot, UpcomingBooking } from "./types.ts";

const iso = (v: Date | string) => new Date(v).toISOString();
const instant = (v: string) => !Number.isNaN(Date.parse(v));

export function createTools(tx: Tx, ctx: AssistantContext): AssistantTools {
  const tenant = ctx.tenant.id;
  const conversation = ctx.conversation.id;
  const customer = ctx.customer.id;
  const caller = { source: "whatsapp", conversation_id: conversation, customer_id: customer };
  const tool = async (name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const [{ result }] = await tx.unsafe(`select private.tool_${name}($1::uuid, $2::jsonb, $3::jsonb) as result`, [
      tenant, tx.json(caller as postgres.JSONValue) as never, tx.json(args as postgres.JSONValue) as never,
    ]);
    return result as Record<string, unknown>;
  };
  return {
    async slots(serviceId, day, staffId) {
      if (!isId(serviceId) || !isDay(day) || (staffId !== null && !isId(staffId))) return [];
      const rows = await tx<{ staff_id: string; starts_at: Date; ends_at: Date }[]>`
        select staff_id, starts_at, ends_at
        from private.assistant_slots(${tenant}, ${serviceId}, ${day}::date, ${staffId}::uuid)`;
      return rows.map((r): Slot => ({ staff_id: r.staff_id, starts_at: iso(r.starts_at), ends_at: iso(r.ends_at) }));
    },

    async book(serviceId, staffId, startsAt, replaces = null) {
      if (!isId(serviceId) || (staffId !== null && !isId(staffId)) || (replaces != null && !isId(replaces)) || !instant(startsAt)) {
        return { ok: false, reason: "not_found" };
      }
      const at = iso(startsAt);
      const r = replaces
        ? await tool("reschedule_appointment", {
          booking_id: replaces, starts_at: at, ...(staffId ? { staff_id: staffId } : { any_staff: true }), reason: "rescheduled on WhatsApp",
        })
        : await tool("book_appointment", { service_id: serviceId, ...(staffId ? { staff_id: staffId } : {}), starts_at: at });
      if (r.ok) {
        const b = r.booking as { id: string; staff_id: string; starts_at: string; ends_at: string };
        return { ok: true, booking_id: b.id, staff_id: b.staff_id, starts_at: iso(b.starts_at) };
      }
      return { ok: false, reason: r.reason === "slot_taken" || r.reason === "not_available" ? "slot_taken" : "not_found" };
    },

    async bookings() {
      const r = await tool("list_appointments", {});
      return (r.bookings as (UpcomingBooking & Record<string, unknown>)[]).map((b) => ({
        id: b.id, service_id: b.service_id, service: b.service, staff_id: b.staff_id, staff: b.staff, starts_at: iso(b.starts_at),
      }));
    },

    async cancel(bookingId) {
      if (!isId(bookingId)) return false;
      const r = await tool("cancel_appointment", { booking_id: bookingId, reason: "cancelled on WhatsApp" });
      return r.ok === true;
    },

    async setOptOut(optedOut) {
      await tx`select private.assistant_set_opt_out(${tenant}, ${customer}, ${optedOut})`;
    },

    tx,
  };
}
