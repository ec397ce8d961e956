// runTool: one tool call from any assistant, in one transaction as `frontdesk_webhook`. It validates the model's
// arguments (zod), reads the business's catalog (private.tool_context), resolves names and times, calls the tool's
// SQL function (private.tool_<name>, supabase/migrations/*_receptionist_tools.sql) and turns its answer into a
// ToolResult the model can read. A model-side problem is a result, never an exception; an exception means a bug
// upstream (an invalid ToolContext) or an outage (the database), which the caller answers as such.
import type postgres from "postgres";
import { z } from "zod";
import { asWebhook, type Tx } from "../db/client.ts";
import { formatWhen } from "../assistant/i18n.ts";
import { addDays, localTime } from "../assistant/time.ts";
import {
  type CatalogService, type CatalogStaff, type Match, PARTS, resolveDay, resolveService, resolveStaff, resolveStart,
} from "./resolve.ts";
import { isToolName, TOOL_NAMES, type ToolArgs, toolArgs, type ToolName } from "./schemas.ts";
import { type Resolved, type RunToolOptions, type ToolContext, type ToolResult, TOOL_SOURCES } from "./types.ts";

const contextSchema = z.object({
  tenantId: z.uuid(),
  source: z.enum(TOOL_SOURCES),
  customerId: z.uuid().nullish(),
  callerPhone: z.string().max(64).nullish(),
  callId: z.uuid().nullish(),
  conversationId: z.uuid().nullish(),
  toolCallId: z.string().min(1).max(200).nullish(),
});

interface Catalog {
  tenant: { id: string; name: string; timezone: string; language: string; status: string };
  services: CatalogService[];
  staff: CatalogStaff[];
  replay: Record<string, unknown> | null;
}

interface Env {
  tx: Tx;
  ctx: ToolContext;
  caller: Record<string, unknown>;
  catalog: Catalog;
  tz: string;
  today: string;
  now: Date;
}

type Json = Record<string, any>;

/** Tools that change something: done once per tool-call id. */
const MUTATING = new Set<ToolName>([
  "book_appointment", "reschedule_appointment", "cancel_appointment", "remember", "take_message", "transfer_to_human",
]);

// ---------------------------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------------------------

function when(env: Env, instant: string | Date): string {
  const w = formatWhen("en", instant, env.tz);
  return `${w.date} ${w.time}`;
}
const iso = (v: unknown) => new Date(String(v)).toISOString();
const list = (xs: string[]) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);
const price = (cents: number, currency: string) => (cents ? `${(cents / 100).toFixed(2)} ${currency}` : "free");

interface SlotOut { starts_at: string; ends_at: string; when: string; staff: string[] }
function slotsOut(env: Env, raw: unknown): SlotOut[] {
  return ((raw as Json[] | null) ?? []).map((s) => ({
    starts_at: iso(s.starts_at), ends_at: iso(s.ends_at), when: when(env, s.starts_at as string),
    staff: (s.staff as { name: string }[]).map((x) => x.name),
  }));
}
/** "Sat 6 Dec at 10:00 AM, 10:15 AM; Sun 7 Dec at 9:00 AM". */
function slotsText(env: Env, slots: SlotOut[]): string {
  const days = new Map<string, string[]>();
  for (const s of slots) {
    const w = formatWhen("en", s.starts_at, env.tz);
    days.set(w.date, [...(days.get(w.date) ?? []), w.time]);
  }
  return [...days].map(([date, times]) => `${date} at ${times.join(", ")}`).join("; ");
}
interface BookingOut { id: string; service: string; staff: string; starts_at: string; ends_at: string; when: string; status: string }
function bookingOut(env: Env, b: Json): BookingOut {
  return { id: b.id, service: b.service, staff: b.staff, starts_at: iso(b.starts_at), ends_at: iso(b.ends_at), when: when(env, b.starts_at), status: b.status };
}
const bookingText = (b: BookingOut) => `${b.service} with ${b.staff}, ${b.when}`;

function fail(tool: string, code: string, message: string, extra: Partial<ToolResult> = {}): ToolResult {
  return { ok: false, tool, message, error: { code }, ...extra };
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution against the catalog
// ---------------------------------------------------------------------------------------------------------------

type Resolution<T> = { value: T } | { result: ToolResult };

function service(env: Env, tool: string, words: string): Resolution<CatalogService> {
  const names = env.catalog.services.map((s) => s.name);
  const m: Match<CatalogService> = resolveService(words, env.catalog.services);
  if (m.kind === "one") return { value: m.item };
  if (m.kind === "ambiguous") {
    return { result: fail(tool, "ambiguous_service", `"${words}" could be ${list(m.options.map((s) => s.name))}: ask the caller which one.`,
      { data: { options: m.options.map((s) => s.name) } }) };
  }
  return { result: fail(tool, "unknown_service",
    `This business has no service "${words}". Its services are: ${names.length ? list(names) : "none"}.`, { data: { services: names } }) };
}

/** null: anyone free. */
function staffMember(env: Env, tool: string, words: string | undefined, svc: CatalogService | null): Resolution<CatalogStaff | null> {
  if (words === undefined) return { value: null };
  const m = resolveStaff(words, env.catalog.staff);
  if (m === null) return { value: null };
  const team = env.catalog.staff.map((s) => s.name);
  if (m.kind === "ambiguous") {
    return { result: fail(tool, "ambiguous_staff", `"${words}" could be ${list(m.options.map((s) => s.name))}: ask the caller who.`,
      { data: { options: m.options.map((s) => s.name) } }) };
  }
  if (m.kind === "none") {
    return { result: fail(tool, "unknown_staff", `Nobody called "${words}" works here. The team: ${list(team)}.`, { data: { staff: team } }) };
  }
  if (svc && !svc.staff_ids.includes(m.item.id)) {
    const who = env.catalog.staff.filter((s) => svc.staff_ids.includes(s.id)).map((s) => s.name);
    return { result: fail(tool, "staff_not_offering",
      `${m.item.name} does not do ${svc.name}. ${who.length ? `${list(who)} ${who.length === 1 ? "does" : "do"}.` : "Nobody does it right now."}`,
      { data: { staff_offering: who } }) };
  }
  return { value: m.item };
}

function start(env: Env, tool: string, args: { starts_at?: string; day?: string; time?: string }): Resolution<Date> {
  const words = args.starts_at ?? [args.day, args.time].filter(Boolean).join(" ");
  if (!words) return { result: fail(tool, "no_time", "Say when: pass starts_at from check_availability, or day and time.") };
  const at = resolveStart(words, env.today, env.tz);
  if (at === null) return { result: fail(tool, "unknown_time", `I could not read "${words}" as a day and time. Use starts_at from check_availability.`) };
  if (at === "no_time") return { result: fail(tool, "no_time", `"${words}" names a day but no time: ask the caller for a time, or use check_availability.`) };
  if (at.getTime() <= env.now.getTime()) return { result: fail(tool, "past_time", `${when(env, at)} is in the past: offer a later time.`) };
  return { value: at };
}

// ---------------------------------------------------------------------------------------------------------------
// SQL
// ---------------------------------------------------------------------------------------------------------------

async function call(env: Env, fn: ToolName, args: Json): Promise<Json> {
  const [{ result }] = await env.tx.unsafe(`select private.tool_${fn}($1::uuid, $2::jsonb, $3::jsonb) as result`, [
    env.ctx.tenantId, env.tx.json(env.caller as postgres.JSONValue) as never, env.tx.json(args as postgres.JSONValue) as never,
  ]);
  return result as Json;
}

async function upcoming(env: Env): Promise<BookingOut[]> {
  const r = await call(env, "list_appointments", {});
  return (r.bookings as Json[]).map((b) => bookingOut(env, b));
}

/** The caller's booking the model means: by id, by day, or the only one. */
async function pickBooking(env: Env, tool: string, args: { booking_id?: string; booking_day?: string }): Promise<Resolution<BookingOut>> {
  const mine = await upcoming(env);
  const listed = mine.map(bookingText);
  if (args.booking_id) {
    const b = mine.find((x) => x.id === args.booking_id!.toLowerCase());
    if (b) return { value: b };
    return { result: fail(tool, "unknown_booking",
      `The caller has no upcoming booking ${args.booking_id} at this business${mine.length ? `; their bookings: ${listed.join("; ")}` : ""}. Nothing was changed.`,
      { data: { bookings: mine } }) };
  }
  if (mine.length === 0) return { result: fail(tool, "no_bookings", "The caller has no upcoming bookings here.", { data: { bookings: [] } }) };
  let candidates = mine;
  if (args.booking_day) {
    const range = resolveDay(args.booking_day, env.today);
    if (!range) return { result: fail(tool, "unknown_day", `I could not read "${args.booking_day}" as a day.`) };
    candidates = mine.filter((b) => {
      const d = localTime(b.starts_at, env.tz).day;
      return d >= range.from && d <= range.to;
    });
    if (candidates.length === 0) {
      return { result: fail(tool, "unknown_booking", `The caller has no booking then. Their bookings: ${listed.join("; ")}.`, { data: { bookings: mine } }) };
    }
  }
  if (candidates.length === 1) return { value: candidates[0] };
  return { result: fail(tool, "ambiguous_booking", `Which one? The caller has ${candidates.map(bookingText).join("; ")}. Pass its booking_id.`,
    { data: { bookings: candidates } }) };
}

// ---------------------------------------------------------------------------------------------------------------
// Presenting SQL answers (fresh or replayed)
// ---------------------------------------------------------------------------------------------------------------

function presentBooking(env: Env, tool: "book_appointment" | "reschedule_appointment", r: Json): ToolResult {
  const resolved = r.resolved as Resolved | undefined;
  const replayed = r.replayed === true ? { replayed: true } : {};
  if (r.ok) {
    const b = bookingOut(env, r.booking);
    const previous = r.previous ? bookingOut(env, r.previous) : null;
    const message = tool === "book_appointment"
      ? `Booked: ${bookingText(b)}.`
      : `Moved: ${b.service} is now with ${b.staff}, ${b.when}${previous ? ` (was ${previous.when})` : ""}.`;
    return { ok: true, tool, message, resolved, data: { booking: b, ...(previous ? { previous } : {}) }, ...replayed };
  }
  const next = slotsOut(env, r.next_slots);
  const nextText = next.length ? ` The next free times: ${slotsText(env, next)}.` : " Nothing else is free in the following week.";
  const what = resolved ? `${resolved.service}${resolved.staff ? ` with ${resolved.staff}` : ""}, ${resolved.when}` : "That time";
  const data = { next_slots: next, ...(r.booking ? { booking: bookingOut(env, r.booking) } : {}) };
  switch (r.reason) {
    case "slot_taken":
      return { ...fail(tool, "slot_taken", `${what} was just taken.${nextText}${tool === "reschedule_appointment" ? " The booking was not changed." : ""}`, { resolved, data }), ...replayed };
    case "not_available":
      return { ...fail(tool, "not_available", `${what} is not a free time (closed, taken or not offered then).${nextText}${tool === "reschedule_appointment" ? " The booking was not changed." : ""}`, { resolved, data }), ...replayed };
    case "unknown_caller":
      return { ...fail(tool, "unknown_caller", "I cannot book without knowing who the caller is (their number is hidden). Take a message with take_message instead, with a number to call back.", { resolved }), ...replayed };
    case "unknown_booking":
      return { ...fail(tool, "unknown_booking", "That booking is no longer upcoming for this caller; nothing was changed.", { resolved }), ...replayed };
    default:
      return { ...fail(tool, String(r.reason ?? "failed"), `Nothing was booked (${r.reason}).`, { resolved }), ...replayed };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The tools
// ---------------------------------------------------------------------------------------------------------------

type Handler<N extends ToolName> = (env: Env, args: ToolArgs<N>) => Promise<ToolResult>;

const handlers: { [N in ToolName]: Handler<N> } = {
  async check_availability(env, args) {
    const tool = "check_availability";
    const svc = service(env, tool, args.service);
    if ("result" in svc) return svc.result;
    const who = staffMember(env, tool, args.staff, svc.value);
    if ("result" in who) return who.result;
    let from = env.today;
    let to = addDays(env.today, 6);
    let part = args.part_of_day ?? null;
    if (args.day) {
      const range = resolveDay(args.day, env.today);
      if (!range) return fail(tool, "unknown_day", `I could not read "${args.day}" as a day. Try "tomorrow", "Saturday" or 2026-12-05.`);
      ({ from, to } = range);
      part ??= range.part;
    }
    if (args.to_day) {
      const end = resolveDay(args.to_day, env.today);
      if (!end) return fail(tool, "unknown_day", `I could not read "${args.to_day}" as a day.`);
      to = end.to;
    }
    if (to < env.today) return fail(tool, "past_time", `${to} is in the past: ask about a later day.`);
    if (from < env.today) from = env.today;
    if (to < from) [from, to] = [to, from];
    if (to > addDays(from, 13)) to = addDays(from, 13);
    const window = part ? PARTS[part] : null;
    const resolved: Resolved = { service: svc.value.name, staff: who.value?.name ?? null, from, to, part_of_day: part };
    const r = await call(env, tool, {
      service_id: svc.value.id, ...(who.value ? { staff_id: who.value.id } : {}), from, to,
      ...(window ? { after: window.after, before: window.before } : {}), limit: args.limit ?? 8,
    });
    if (!r.ok) return fail(tool, String(r.reason), `Could not check availability (${r.reason}).`, { resolved });
    const slots = slotsOut(env, r.slots);
    const next = slotsOut(env, r.next_slots);
    const what = `${svc.value.name}${who.value ? ` with ${who.value.name}` : ""} (${svc.value.duration_minutes} min, ${price(svc.value.price_cents, svc.value.currency)})`;
    const span = from === to ? formatWhen("en", `${from}T12:00:00Z`, "UTC").date : `${formatWhen("en", `${from}T12:00:00Z`, "UTC").date} – ${formatWhen("en", `${to}T12:00:00Z`, "UTC").date}`;
    const message = slots.length
      ? `Free times for ${what}, ${span}${part ? ` (${part})` : ""}: ${slotsText(env, slots)}. Book one with book_appointment and its starts_at.`
      : `Nothing free for ${what}, ${span}${part ? ` (${part})` : ""}.${next.length ? ` The next free times: ${slotsText(env, next)}.` : " Nothing in the two weeks after either."}`;
    return { ok: true, tool, message, resolved, data: { service: r.service, staff: r.staff, slots, next_slots: next } };
  },

  async book_appointment(env, args) {
    const tool = "book_appointment";
    const svc = service(env, tool, args.service);
    if ("result" in svc) return svc.result;
    const who = staffMember(env, tool, args.staff, svc.value);
    if ("result" in who) return who.result;
    const at = start(env, tool, args);
    if ("result" in at) return at.result;
    const resolved: Resolved = { service: svc.value.name, staff: who.value?.name ?? null, starts_at: at.value.toISOString(), when: when(env, at.value) };
    const r = await call(env, tool, {
      service_id: svc.value.id, ...(who.value ? { staff_id: who.value.id } : {}), starts_at: at.value.toISOString(),
      ...(args.customer_name ? { customer_name: args.customer_name } : {}), ...(args.notes ? { notes: args.notes } : {}), resolved,
    });
    return presentBooking(env, tool, r);
  },

  async reschedule_appointment(env, args) {
    const tool = "reschedule_appointment";
    const picked = await pickBooking(env, tool, args);
    if ("result" in picked) return picked.result;
    const booking = picked.value;
    const svc = env.catalog.services.find((s) => s.name === booking.service) ?? null;
    let staffId: string | null = null;
    let staffName: string | null = booking.staff;
    let anyStaff = false;
    if (args.staff !== undefined) {
      const who = staffMember(env, tool, args.staff, svc);
      if ("result" in who) return who.result;
      staffId = who.value?.id ?? null;
      staffName = who.value?.name ?? null;
      anyStaff = who.value === null;
    }
    const at = start(env, tool, args);
    if ("result" in at) return at.result;
    const resolved: Resolved = {
      service: booking.service, staff: staffName, starts_at: at.value.toISOString(), when: when(env, at.value), booking: bookingText(booking),
    };
    const r = await call(env, tool, {
      booking_id: booking.id, starts_at: at.value.toISOString(), ...(staffId ? { staff_id: staffId } : {}), any_staff: anyStaff, resolved,
    });
    return presentBooking(env, tool, r);
  },

  async cancel_appointment(env, args) {
    const tool = "cancel_appointment";
    const picked = await pickBooking(env, tool, args);
    if ("result" in picked) return picked.result;
    const resolved: Resolved = { booking: bookingText(picked.value) };
    const r = await call(env, tool, { booking_id: picked.value.id, ...(args.reason ? { reason: args.reason } : {}), resolved });
    return presentCancel(env, r);
  },

  async list_appointments(env) {
    const tool = "list_appointments";
    const r = await call(env, tool, {});
    const bookings = (r.bookings as Json[]).map((b) => bookingOut(env, b));
    const message = !r.known_caller
      ? "The caller is not known here (or hides their number), so there are no bookings to show."
      : bookings.length ? `Upcoming: ${bookings.map(bookingText).join("; ")}.` : "The caller has no upcoming bookings.";
    return { ok: true, tool, message, data: { known_caller: r.known_caller, bookings } };
  },

  async business_info(env) {
    const tool = "business_info";
    const r = await call(env, tool, {});
    const hours = (h: { opens: string; closes: string }[]) => (h.length ? h.map((x) => `${x.opens}–${x.closes}`).join(", ") : "closed");
    const today = r.today as Json;
    const week = (r.week as Json[]).map((d): Json => ({ ...d, label: formatWhen("en", `${d.day}T12:00:00Z`, "UTC").date }));
    const services = (r.services as Json[]).map((s) => `${s.name} (${s.duration_minutes} min, ${price(s.price_cents, s.currency)})`);
    const b = r.business as Json;
    const message = [
      `${b.name}${b.address ? `, ${b.address}` : ""}. Now ${r.now.open ? "open" : "closed"}.`,
      `Today: ${hours(today.hours)}${today.closure ? ` (${today.closure})` : ""}.`,
      `This week: ${week.map((d) => `${d.label} ${hours(d.hours)}`).join("; ")}.`,
      `Services: ${services.length ? services.join(", ") : "none"}.`,
      `Team: ${(r.staff as Json[]).map((s) => s.name).join(", ") || "nobody"}.`,
    ].join(" ");
    return { ok: true, tool, message, data: { ...r, week, ok: undefined } };
  },

  async caller_profile(env, args) {
    const tool = "caller_profile";
    const r = await call(env, tool, args.query ? { query: args.query } : {});
    if (!r.known) {
      return { ok: true, tool, message: "Nothing is known about this caller (a new caller, or their number is hidden).", data: { known: false } };
    }
    const bookings = ((r.upcoming_bookings as Json[]) ?? []).map((b) => bookingOut(env, b));
    const memories = (r.memories as Json[]).map((m) => m.content as string);
    const last = (r.recent_summaries as Json[])[0]?.summary as string | undefined;
    const message = [
      r.name ? `The caller is ${r.name}.` : "The caller's name is not known.",
      memories.length ? `Remembered: ${memories.slice(0, 5).join("; ")}.` : "",
      last ? `Last call: ${last}` : "",
      bookings.length ? `Upcoming: ${bookings.map(bookingText).join("; ")}.` : "",
    ].filter(Boolean).join(" ");
    const { ok: _, ...data } = r;
    return { ok: true, tool, message, data: { ...data, upcoming_bookings: bookings } };
  },

  async remember(env, args) {
    const r = await call(env, "remember", args);
    return presentRemember(r);
  },

  async take_message(env, args) {
    const r = await call(env, "take_message", { content: args.message, caller_name: args.caller_name, callback_phone: args.callback_phone });
    return presentMessage(r);
  },

  async transfer_to_human(env, args) {
    const r = await call(env, "transfer_to_human", args.reason ? { reason: args.reason } : {});
    return presentTransfer(r);
  },
};

function presentCancel(env: Env, r: Json): ToolResult {
  const tool = "cancel_appointment";
  const replayed = r.replayed === true ? { replayed: true } : {};
  if (r.ok) {
    const b = bookingOut(env, r.booking);
    return { ok: true, tool, message: `Cancelled: ${bookingText(b)}.`, resolved: r.resolved, data: { booking: b }, ...replayed };
  }
  return { ...fail(tool, "unknown_booking", "That booking is no longer upcoming for this caller; nothing was changed.", { resolved: r.resolved }), ...replayed };
}

function presentRemember(r: Json): ToolResult {
  const tool = "remember";
  const replayed = r.replayed === true ? { replayed: true } : {};
  if (r.ok) return { ok: true, tool, message: `Remembered: ${r.memory.content}`, data: { memory: r.memory }, ...replayed };
  if (r.reason === "plan_limit") {
    return { ...fail(tool, "plan_limit", `Not remembered: ${r.detail}. Carry on with the call; the business can upgrade its plan.`,
      { data: { status: 402 } }), ...replayed };
  }
  return { ...fail(tool, "unknown_caller", "Not remembered: the caller is not identified (their number is hidden)."), ...replayed };
}

function presentMessage(r: Json): ToolResult {
  const f = r.follow_up as Json;
  return {
    ok: true, tool: "take_message",
    message: `Message taken for the team${f.callback_phone ? `; they will call back on ${f.callback_phone}` : ""}.`,
    data: { follow_up: f }, ...(r.replayed === true ? { replayed: true } : {}),
  };
}

function presentTransfer(r: Json): ToolResult {
  const replayed = r.replayed === true ? { replayed: true } : {};
  const data = { action: r.action, transfer_number: r.transfer_number ?? null, reason: r.reason ?? null, follow_up: r.follow_up };
  const message = r.action === "transfer"
    ? `Transfer the call to ${r.transfer_number}.`
    : r.action === "handover"
    ? "The conversation is handed to the team: tell the customer someone will reply here shortly."
    : `Nobody can take the call right now (${r.reason === "closed" ? "the business is closed" : "no transfer number is set"}): offer to take a message with take_message.`;
  return { ok: true, tool: "transfer_to_human", message, data, ...replayed };
}

/** A replayed answer reads the same as the first one. */
function presentReplay(env: Env, name: ToolName, r: Json): ToolResult {
  switch (name) {
    case "book_appointment":
    case "reschedule_appointment":
      return presentBooking(env, name, r);
    case "cancel_appointment":
      return presentCancel(env, r);
    case "remember":
      return presentRemember(r);
    case "take_message":
      return presentMessage(r);
    default:
      return presentTransfer(r);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The entry point
// ---------------------------------------------------------------------------------------------------------------

function issuesOf(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join(".") || "(arguments)", message: i.message }));
}

/** Arguments as platforms send them: an object, or (Vapi's older messages, OpenAI) a JSON string; nulls mean "not given". */
function argumentsOf(raw: unknown): unknown {
  let value = raw;
  if (typeof value === "string") {
    try {
      value = value.trim() === "" ? {} : JSON.parse(value);
    } catch {
      return raw;
    }
  }
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Json).filter(([, v]) => v !== null));
}

/**
 * Runs tool `name` with the model's `args` for the caller `ctx`. Always resolves to a ToolResult for anything the
 * model can get wrong; rejects only for an invalid `ctx` (a server bug) or a database failure.
 */
export async function runTool(ctx: ToolContext, name: string, args: unknown, opts: RunToolOptions = {}): Promise<ToolResult> {
  const checked = contextSchema.safeParse(ctx);
  if (!checked.success) throw new TypeError(`invalid tool context: ${issuesOf(checked.error).map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  if (!isToolName(name)) {
    return fail(String(name), "unknown_tool", `There is no tool "${name}". The tools are: ${TOOL_NAMES.join(", ")}.`);
  }
  const parsed = toolArgs[name].safeParse(argumentsOf(args));
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    return {
      ok: false, tool: name, error: { code: "invalid_arguments", issues },
      message: `The arguments for ${name} are not right: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}.`,
    };
  }
  const now = opts.now ?? new Date();
  const caller = {
    source: ctx.source,
    customer_id: ctx.customerId ?? null,
    phone: ctx.callerPhone ?? null,
    call_id: ctx.callId ?? null,
    conversation_id: ctx.conversationId ?? null,
    tool_call_id: MUTATING.has(name) ? ctx.toolCallId ?? null : null,
  };
  const work = async (tx: Tx): Promise<ToolResult> => {
    const [{ context }] = await tx<{ context: Catalog | null }[]>`
      select private.tool_context(${ctx.tenantId}::uuid, ${tx.json(caller as postgres.JSONValue)}::jsonb) as context`;
    if (!context) return fail(name, "business_unavailable", "This business is not taking requests right now.");
    const tz = context.tenant.timezone;
    const env: Env = { tx, ctx, caller, catalog: context, tz, today: localTime(now, tz).day, now };
    if (context.replay && MUTATING.has(name)) return presentReplay(env, name, context.replay);
    return await (handlers[name] as Handler<ToolName>)(env, parsed.data as never);
  };
  return opts.tx ? await work(opts.tx) : await asWebhook(work, opts.sql);
}
