// Every receptionist tool through runTool against a real database, as a Vapi voice agent (or the WhatsApp side)
// would call it: what it answers, what it resolved, and what it changed.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { barbershop, bookingsOf, caller, callRow, localDays, onCall, phone, tool, wall, type Caller, type Shop } from "./fixtures.ts";

const db = useTestDatabase();
const run = tool(db);

let shop: Shop;
let maria: Caller;
let tomorrow: string;

beforeAll(async () => {
  shop = await barbershop(db, "fade", { transfer_number: "+15557654321" });
  maria = await caller(db, shop, "Maria");
  ({ tomorrow } = await localDays(db, shop.timezone));
});

describe("check_availability", () => {
  it("resolves \"a fade\" \"with Luis\" \"tomorrow afternoon\" and answers Luis's free afternoon times tomorrow", async () => {
    const r = await run(onCall(maria), "check_availability", { service: "a fade", staff: "with Luis", day: "tomorrow afternoon" });
    expect(r).toMatchObject({ ok: true, tool: "check_availability", resolved: { service: "Skin Fade", staff: "Luis", from: tomorrow, to: tomorrow, part_of_day: "afternoon" } });
    const slots = r.data!.slots as { starts_at: string; staff: string[]; when: string }[];
    expect(slots).toHaveLength(8);
    for (const s of slots) {
      const local = await wall(db, s.starts_at, shop.timezone);
      expect(local.slice(0, 10)).toBe(tomorrow);
      expect(local.slice(11) >= "12:00" && local.slice(11) < "17:00", local).toBe(true);
      expect(s.staff).toEqual(["Luis"]);
    }
    expect(await wall(db, slots[0].starts_at, shop.timezone)).toBe(`${tomorrow} 12:00`);
    expect(r.message).toContain("Skin Fade with Luis");
    expect(r.message).toContain("12:00 PM");
  });

  it("without a day looks at the next week; without staff lists everyone free at each time", async () => {
    const r = await run(onCall(maria), "check_availability", { service: "skin fade", limit: 3 });
    expect(r.ok).toBe(true);
    const slots = r.data!.slots as { staff: string[] }[];
    expect(slots).toHaveLength(3);
    expect(slots.some((s) => s.staff.length === 2)).toBe(true);
  });

  it("a person who does not do the service is named, with who does", async () => {
    const r = await run(onCall(maria), "check_availability", { service: "beard", staff: "Luis", day: "tomorrow" });
    expect(r).toMatchObject({ ok: false, error: { code: "staff_not_offering" }, data: { staff_offering: ["Sam"] } });
    expect(r.message).toBe("Luis does not do Beard Trim. Sam does.");
  });

  it("a closed day answers the next free times after it", async () => {
    await db.sql`insert into public.closures (tenant_id, starts_at, ends_at, reason)
                 values (${shop.id}, (${tomorrow}::date)::timestamp at time zone ${shop.timezone},
                         (${tomorrow}::date + 1)::timestamp at time zone ${shop.timezone}, 'Staff training')`;
    try {
      const r = await run(onCall(maria), "check_availability", { service: "Kids Cut", day: tomorrow });
      expect(r.ok).toBe(true);
      expect(r.data!.slots).toEqual([]);
      const next = r.data!.next_slots as { starts_at: string }[];
      expect(next.length).toBeGreaterThan(0);
      expect((await wall(db, next[0].starts_at, shop.timezone)).slice(11)).toBe("09:00");
      expect(r.message).toMatch(/^Nothing free for Kids Cut .* The next free times: /);
    } finally {
      await db.sql`delete from public.closures where tenant_id = ${shop.id} and reason = 'Staff training'`;
    }
  });
});

describe("book, list, reschedule, cancel", () => {
  it("books the offered slot for the caller, as a voice booking, and says what it booked", async () => {
    const offered = await run(onCall(maria), "check_availability", { service: "fade", staff: "Luis", day: "tomorrow", part_of_day: "morning" });
    const slot = (offered.data!.slots as { starts_at: string; when: string }[])[1];
    const r = await run(onCall(maria, "vapi", { toolCallId: "call_book_1" }), "book_appointment", { service: "fade", staff: "Luis", starts_at: slot.starts_at });
    expect(r).toMatchObject({ ok: true, tool: "book_appointment", resolved: { service: "Skin Fade", staff: "Luis", starts_at: slot.starts_at } });
    expect(r.message).toBe(`Booked: Skin Fade with Luis, ${slot.when}.`);
    const rows = await bookingsOf(db, shop.id);
    expect(rows.filter((b) => b.status === "confirmed")).toHaveLength(1);
    expect(rows[0]).toMatchObject({ customer_id: maria.customerId, staff_id: shop.staff.Luis, service_id: shop.services["Skin Fade"], source: "voice" });
    expect(rows[0].starts_at.toISOString()).toBe(slot.starts_at);

    const listed = await run(onCall(maria), "list_appointments", {});
    expect(listed.data!.bookings).toEqual([expect.objectContaining({ id: rows[0].id, service: "Skin Fade", staff: "Luis", starts_at: slot.starts_at })]);
    expect(listed.message).toBe(`Upcoming: Skin Fade with Luis, ${slot.when}.`);
  });

  it("books from words: \"tomorrow at 3pm\", anyone free", async () => {
    const r = await run(onCall(maria), "book_appointment", { service: "kids cut", day: "tomorrow", time: "3pm" });
    expect(r.ok).toBe(true);
    expect(await wall(db, r.resolved!.starts_at!, shop.timezone)).toBe(`${tomorrow} 15:00`);
    expect((r.data!.booking as { staff: string }).staff).toBe("Luis");
  });

  it("reschedules the booking on a given day to a new time with the same person, and cancels the other", async () => {
    const before = (await bookingsOf(db, shop.id)).filter((b) => b.status === "confirmed");
    expect(before).toHaveLength(2);
    const fade = before.find((b) => b.service_id === shop.services["Skin Fade"])!;
    // Two upcoming bookings: the model must say which one.
    const unclear = await run(onCall(maria), "reschedule_appointment", { day: "tomorrow", time: "16:00" });
    expect(unclear).toMatchObject({ ok: false, error: { code: "ambiguous_booking" } });
    const r = await run(onCall(maria), "reschedule_appointment", { booking_id: fade.id, day: "tomorrow", time: "4:30 pm" });
    expect(r).toMatchObject({ ok: true, resolved: { service: "Skin Fade", staff: "Luis" } });
    expect(r.message).toMatch(/^Moved: Skin Fade is now with Luis, .* 4:30 PM \(was .*\)\.$/);
    const after = await bookingsOf(db, shop.id);
    expect(after.find((b) => b.id === fade.id)).toMatchObject({ status: "cancelled", cancel_reason: "rescheduled by the vapi assistant" });
    const moved = after.find((b) => b.status === "confirmed" && b.service_id === shop.services["Skin Fade"])!;
    expect(await wall(db, moved.starts_at, shop.timezone)).toBe(`${tomorrow} 16:30`);
    expect(moved.staff_id).toBe(shop.staff.Luis);

    const cancelled = await run(onCall(maria), "cancel_appointment", { booking_day: "tomorrow" });
    expect(cancelled.error?.code).toBe("ambiguous_booking");
    const ok = await run(onCall(maria), "cancel_appointment", { booking_id: moved.id, reason: "feeling ill" });
    expect(ok).toMatchObject({ ok: true, resolved: { booking: expect.stringContaining("Skin Fade with Luis") } });
    expect((await bookingsOf(db, shop.id)).find((b) => b.id === moved.id)).toMatchObject({ status: "cancelled", cancel_reason: "feeling ill" });
    // One left: no id needed.
    const last = await run(onCall(maria), "cancel_appointment", {});
    expect(last.ok).toBe(true);
    expect(last.message).toMatch(/^Cancelled: Kids Cut with Luis, /);
    expect((await run(onCall(maria), "list_appointments", {})).data!.bookings).toEqual([]);
    expect((await run(onCall(maria), "cancel_appointment", {})).error?.code).toBe("no_bookings");
  });

  it("a new caller's booking creates their customer from the caller id and links the call", async () => {
    const number = phone();
    const call = await callRow(db, shop, number);
    const r = await run({ tenantId: shop.id, source: "retell", callerPhone: number, callId: call }, "book_appointment",
      { service: "beard trim", day: "tomorrow", time: "10:00", customer_name: "Jon" });
    expect(r.ok).toBe(true);
    const [cust] = await db.sql`select id, name, phone from public.customers where tenant_id = ${shop.id} and phone = ${number}`;
    expect(cust).toMatchObject({ name: "Jon", phone: number });
    const [c] = await db.sql`select customer_id from public.calls where id = ${call}`;
    expect(c.customer_id).toBe(cust.id);
  });

  it("a time in the past, a day without a time and words that are no time are readable refusals", async () => {
    expect((await run(onCall(maria), "book_appointment", { service: "fade", starts_at: "2020-01-01T10:00:00Z" })).error?.code).toBe("past_time");
    const noTime = await run(onCall(maria), "book_appointment", { service: "fade", day: "tomorrow" });
    expect(noTime).toMatchObject({ ok: false, error: { code: "no_time" } });
    expect(noTime.message).toContain("ask the caller for a time");
    expect((await run(onCall(maria), "book_appointment", { service: "fade", starts_at: "whenever suits" })).error?.code).toBe("unknown_time");
  });

  it("a time outside the hours is refused with the next free times", async () => {
    const r = await run(onCall(maria), "book_appointment", { service: "fade", day: "tomorrow", time: "20:00" });
    expect(r).toMatchObject({ ok: false, error: { code: "not_available" } });
    expect((r.data!.next_slots as unknown[]).length).toBeGreaterThan(0);
    expect(r.message).toContain("The next free times:");
  });
});

describe("business_info", () => {
  it("answers hours today and this week, closures, address, services with prices and durations, and the team", async () => {
    const [{ day }] = await db.sql`select to_char((now() at time zone ${shop.timezone})::date + 3, 'YYYY-MM-DD') as day`;
    await db.sql`insert into public.closures (tenant_id, starts_at, ends_at, reason)
                 values (${shop.id}, (${day}::date)::timestamp at time zone ${shop.timezone},
                         (${day}::date + 1)::timestamp at time zone ${shop.timezone}, 'Holiday')`;
    const r = await run(onCall(maria), "business_info", {});
    expect(r.ok).toBe(true);
    const d = r.data as any;
    expect(d.business).toMatchObject({ name: "Fade House", address: "12 Main St, Brooklyn", timezone: "America/New_York" });
    expect(d.today.hours).toEqual([{ opens: "09:00", closes: "17:00" }]);
    expect(d.week).toHaveLength(7);
    expect(d.week[3]).toMatchObject({ day, hours: [], closure: "Holiday", closed_all_day: true });
    expect(d.closures).toEqual([expect.objectContaining({ reason: "Holiday" })]);
    expect(d.services).toEqual([
      expect.objectContaining({ name: "Beard Trim", duration_minutes: 20, price_cents: 1500, currency: "USD", staff: ["Sam"] }),
      expect.objectContaining({ name: "Kids Cut", duration_minutes: 30, price_cents: 2000, staff: ["Luis"] }),
      expect.objectContaining({ name: "Skin Fade", duration_minutes: 30, price_cents: 3500, staff: ["Luis", "Sam"] }),
    ]);
    expect(d.staff.map((s: { name: string }) => s.name)).toEqual(["Luis", "Sam"]);
    expect(r.message).toContain("Skin Fade (30 min, 35.00 USD)");
    expect(r.message).toContain("Today: 09:00–17:00");
  });
});

describe("caller_profile and remember", () => {
  it("remembers for the caller (counted as usage) and the profile recalls it with name, last summary and bookings", async () => {
    const before = await db.sql`select count(*)::int as n from public.usage_events where tenant_id = ${shop.id} and metric = 'memories'`;
    const r = await run(onCall(maria, "vapi", { toolCallId: "mem-1" }), "remember", { content: "Prefers Luis for fades", kind: "preference", importance: 8 });
    expect(r).toMatchObject({ ok: true, data: { memory: { content: "Prefers Luis for fades", kind: "preference", importance: 8 } } });
    const after = await db.sql`select count(*)::int as n from public.usage_events where tenant_id = ${shop.id} and metric = 'memories'`;
    expect(after[0].n).toBe(before[0].n + 1);
    const [m] = await db.sql`select m.source_call_id, p.phone, p.customer_id from public.memories m
                             join public.caller_profiles p on p.tenant_id = m.tenant_id and p.id = m.caller_id
                             where m.tenant_id = ${shop.id} and m.content = 'Prefers Luis for fades'`;
    expect(m).toEqual({ source_call_id: maria.callId, phone: maria.phone, customer_id: maria.customerId });

    // An earlier call of hers with a summary.
    const earlier = await callRow(db, shop, maria.phone, maria.customerId);
    await db.sql`insert into public.call_summaries (tenant_id, call_id, summary) values (${shop.id}, ${earlier}, 'Asked about kids cuts on Sundays')`;
    await run(onCall(maria), "book_appointment", { service: "fade", day: "tomorrow", time: "11:00" });

    const p = await run(onCall(maria), "caller_profile", { query: "fades" });
    expect(p.ok).toBe(true);
    const d = p.data as any;
    expect(d).toMatchObject({ known: true, name: "Maria" });
    expect(d.memories[0]).toMatchObject({ content: "Prefers Luis for fades", kind: "preference" });
    expect(d.recent_summaries).toEqual([expect.objectContaining({ summary: "Asked about kids cuts on Sundays" })]);
    expect(d.upcoming_bookings).toEqual([expect.objectContaining({ service: "Skin Fade" })]);
    expect(p.message).toMatch(/^The caller is Maria\. Remembered: Prefers Luis for fades\. Last call: Asked about kids cuts/);
  });

  it("an unknown caller is unknown; a WhatsApp conversation finds its customer", async () => {
    const stranger = await run({ tenantId: shop.id, source: "vapi", callerPhone: phone() }, "caller_profile", {});
    expect(stranger).toMatchObject({ ok: true, data: { known: false } });
    const chat = await run({ tenantId: shop.id, source: "whatsapp", conversationId: maria.conversationId }, "caller_profile", {});
    expect(chat.data).toMatchObject({ known: true, name: "Maria" });
  });
});

describe("take_message and transfer_to_human", () => {
  it("take_message leaves an open follow-up on the call with the caller's number to call back", async () => {
    const r = await run(onCall(maria), "take_message", { message: "Wants to know if Luis works on Sunday" });
    expect(r).toMatchObject({ ok: true, tool: "take_message" });
    expect(r.message).toBe(`Message taken for the team; they will call back on ${maria.phone}.`);
    const [f] = await db.sql`select * from public.follow_ups where tenant_id = ${shop.id} and id = ${(r.data!.follow_up as { id: string }).id}`;
    expect(f).toMatchObject({ kind: "message", status: "open", customer_id: maria.customerId, call_id: maria.callId,
                              caller_name: "Maria", callback_phone: maria.phone, source: "vapi", content: "Wants to know if Luis works on Sunday" });
  });

  it("transfer_to_human answers the business's transfer number while open, else take a message; records the request", async () => {
    await db.sql`update public.business_hours set opens_at = '00:00', closes_at = '23:59:59' where tenant_id = ${shop.id}`;
    try {
      const r = await run(onCall(maria), "transfer_to_human", { reason: "wants to complain" });
      expect(r).toMatchObject({ ok: true, data: { action: "transfer", transfer_number: "+15557654321" } });
      expect(r.message).toBe("Transfer the call to +15557654321.");
      const [f] = await db.sql`select kind, call_id, content from public.follow_ups where tenant_id = ${shop.id} and kind = 'transfer'`;
      expect(f).toEqual({ kind: "transfer", call_id: maria.callId, content: "wants to complain" });

      const other = await barbershop(db, "notransfer");
      const bob = await caller(db, other, "Bob");
      await db.sql`update public.business_hours set opens_at = '00:00', closes_at = '23:59:59' where tenant_id = ${other.id}`;
      const none = await run(onCall(bob), "transfer_to_human", {});
      expect(none).toMatchObject({ ok: true, data: { action: "take_message", transfer_number: null, reason: "no_transfer_number" } });
      expect(none.message).toContain("offer to take a message");
    } finally {
      await db.sql`update public.business_hours set opens_at = '09:00', closes_at = '17:00' where tenant_id = ${shop.id}`;
    }
    const closedNow = await db.sql`select private.voice_open_at(${shop.id}, now()) as open`;
    if (!closedNow[0].open) {
      const r = await run(onCall(maria), "transfer_to_human", {});
      expect(r.data).toMatchObject({ action: "take_message", reason: "closed", transfer_number: null });
    }
  });

  it("on WhatsApp the conversation is handed over to staff", async () => {
    const r = await run({ tenantId: shop.id, source: "whatsapp", conversationId: maria.conversationId }, "transfer_to_human", {});
    expect(r).toMatchObject({ ok: true, data: { action: "handover" } });
    const [c] = await db.sql`select handed_over_at from public.conversations where id = ${maria.conversationId}`;
    expect(c.handed_over_at).not.toBeNull();
  });
});

describe("what the model gets wrong is answered, not thrown", () => {
  it("bad arguments name the problem; nothing is done", async () => {
    const before = (await bookingsOf(db, shop.id)).length;
    const r = await run(onCall(maria), "book_appointment", { staff: 42 });
    expect(r).toMatchObject({ ok: false, error: { code: "invalid_arguments" } });
    expect(r.error!.issues!.map((i) => i.path).sort()).toEqual(["service", "staff"]);
    expect(r.message).toMatch(/^The arguments for book_appointment are not right: /);
    expect((await run(onCall(maria), "remember", "{not json")).error?.code).toBe("invalid_arguments");
    expect((await run(onCall(maria), "take_message", { message: "call me", callback_phone: "555-1234" })).error?.issues?.[0].path).toBe("callback_phone");
    expect((await bookingsOf(db, shop.id)).length).toBe(before);
  });

  it("arguments as a JSON string (Vapi, OpenAI) and nulls for \"not given\" are accepted", async () => {
    const r = await run(onCall(maria), "check_availability", JSON.stringify({ service: "Skin Fade", staff: null, day: "tomorrow", limit: 2 }));
    expect(r.ok).toBe(true);
    expect(r.data!.slots).toHaveLength(2);
  });

  it("an unknown tool, service or person is a readable result listing what exists", async () => {
    expect(await run(onCall(maria), "delete_everything", {})).toMatchObject({ ok: false, error: { code: "unknown_tool" } });
    const svc = await run(onCall(maria), "check_availability", { service: "manicure" });
    expect(svc).toMatchObject({ ok: false, error: { code: "unknown_service" } });
    expect(svc.message).toBe('This business has no service "manicure". Its services are: Beard Trim, Kids Cut and Skin Fade.');
    const who = await run(onCall(maria), "check_availability", { service: "fade", staff: "Pedro" });
    expect(who.message).toBe('Nobody called "Pedro" works here. The team: Luis and Sam.');
  });

  it("an invalid context is the server's bug and throws", async () => {
    await expect(run({ tenantId: "not-a-uuid", source: "vapi" }, "business_info", {})).rejects.toThrow(/invalid tool context/);
  });
});
