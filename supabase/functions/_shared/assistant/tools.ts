// The assistant's tools on top of the private.assistant_* functions, inside the turn's transaction and already
// scoped to its tenant, conversation and customer. Arguments may come from an LLM one day, so a malformed id or
// day answers "nothing there" instead of raising (which would abort the whole turn's transaction).
import type { Tx } from "../db/client.ts";
import { isId } from "./state.ts";
import { isDay } from "./time.ts";
import type { AssistantContext, AssistantTools, BookResult, Slot, UpcomingBooking } from "./types.ts";

const iso = (v: Date | string) => new Date(v).toISOString();
const instant = (v: string) => !Number.isNaN(Date.parse(v));

export function createTools(tx: Tx, ctx: AssistantContext): AssistantTools {
  const tenant = ctx.tenant.id;
  const conversation = ctx.conversation.id;
  const customer = ctx.customer.id;
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
      const [{ result }] = await tx<{ result: BookResult }[]>`
        select private.assistant_book(${tenant}, ${conversation}, ${serviceId}, ${staffId}::uuid,
                                      ${startsAt}::timestamptz, ${replaces ?? null}::uuid) as result`;
      return result.starts_at ? { ...result, starts_at: iso(result.starts_at) } : result;
    },

    async bookings() {
      const [{ list }] = await tx<{ list: UpcomingBooking[] }[]>`
        select private.assistant_bookings(${tenant}, ${customer}) as list`;
      return list.map((b) => ({ ...b, starts_at: iso(b.starts_at) }));
    },

    async cancel(bookingId) {
      if (!isId(bookingId)) return false;
      const [{ ok }] = await tx<{ ok: boolean }[]>`select private.assistant_cancel(${tenant}, ${customer}, ${bookingId}) as ok`;
      return ok;
    },

    async setOptOut(optedOut) {
      await tx`select private.assistant_set_opt_out(${tenant}, ${customer}, ${optedOut})`;
    },
  };
}
