// The tools act only inside the business the verified request resolved to: ids of another business — in the model's
// arguments, passed straight to the SQL, or even in the caller context — find nothing, change nothing, and the
// answer says so. Withheld caller ids never find or create anybody.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { barbershop, bookingsOf, caller, callRow, localDays, onCall, tool, type Caller, type Shop } from "./fixtures.ts";

const db = useTestDatabase();
const run = tool(db);

let a: Shop;
let b: Shop;
let alice: Caller; // a customer of A
let bob: Caller; // a customer of B
let bobBooking: string;
let tomorrow: string;

/** Everything of B the tools could touch, as the schema owner sees it. */
const snapshotOf = async (tenantId: string) => ({
  bookings: await db.sql`select id, customer_id, staff_id, service_id, starts_at, status from public.bookings where tenant_id = ${tenantId} order by id`,
  customers: await db.sql`select id, phone, name from public.customers where tenant_id = ${tenantId} order by id`,
  followUps: await db.sql`select id from public.follow_ups where tenant_id = ${tenantId} order by id`,
  memories: await db.sql`select id from public.memories where tenant_id = ${tenantId} order by id`,
  calls: await db.sql`select id, customer_id from public.calls where tenant_id = ${tenantId} order by id`,
});

beforeAll(async () => {
  a = await barbershop(db, "iso-a");
  b = await barbershop(db, "iso-b");
  alice = await caller(db, a, "Alice");
  bob = await caller(db, b, "Bob");
  ({ tomorrow } = await localDays(db, a.timezone));
  const r = await run(onCall(bob), "book_appointment", { service: "fade", staff: "Luis", day: tomorrow, time: "10:00" });
  expect(r.ok).toBe(true);
  bobBooking = (r.data!.booking as { id: string }).id;
});

describe("another business's ids in the model's arguments", () => {
  it("B's service id is no service of A: nothing is booked anywhere, and the answer says so", async () => {
    const before = [await snapshotOf(a.id), await snapshotOf(b.id)];
    const r = await run(onCall(alice), "book_appointment", { service: b.services["Skin Fade"], day: tomorrow, time: "11:00" });
    expect(r).toMatchObject({ ok: false, error: { code: "unknown_service" } });
    expect(r.message).toContain(`no service "${b.services["Skin Fade"]}"`);
    const avail = await run(onCall(alice), "check_availability", { service: b.services["Skin Fade"] });
    expect(avail.error?.code).toBe("unknown_service");
    expect([await snapshotOf(a.id), await snapshotOf(b.id)]).toEqual(before);
  });

  it("B's staff id is nobody at A", async () => {
    const before = [await snapshotOf(a.id), await snapshotOf(b.id)];
    const r = await run(onCall(alice), "book_appointment", { service: "fade", staff: b.staff.Luis, day: tomorrow, time: "11:00" });
    expect(r).toMatchObject({ ok: false, error: { code: "unknown_staff" } });
    expect([await snapshotOf(a.id), await snapshotOf(b.id)]).toEqual(before);
  });

  it("B's booking id cannot be cancelled or moved from A, nor by another caller of B", async () => {
    const carol = await caller(db, b, "Carol"); // same business, another caller
    const before = [await snapshotOf(a.id), await snapshotOf(b.id)];
    const cancel = await run(onCall(alice), "cancel_appointment", { booking_id: bobBooking });
    expect(cancel).toMatchObject({ ok: false, error: { code: "unknown_booking" } });
    expect(cancel.message).toContain("Nothing was changed");
    const move = await run(onCall(alice), "reschedule_appointment", { booking_id: bobBooking, day: tomorrow, time: "14:00" });
    expect(move.error?.code).toBe("unknown_booking");
    expect((await run(onCall(carol), "cancel_appointment", { booking_id: bobBooking })).error?.code).toBe("unknown_booking");
    expect([await snapshotOf(a.id), await snapshotOf(b.id)]).toEqual(before);
  });
});

describe("the SQL functions themselves, called with another business's ids (no TypeScript resolution in between)", () => {
  const direct = (fn: string, tenant: string, callerCtx: object, args: object) => db.sql.begin(async (tx) => {
    await tx`set local role frontdesk_webhook`;
    const [{ r }] = await tx.unsafe(`select private.tool_${fn}($1, $2::jsonb, $3::jsonb) as r`, [tenant, tx.json(callerCtx as never) as never, tx.json(args as never) as never]);
    return r;
  });
  const aCaller = () => ({ source: "vapi", phone: alice.phone, call_id: alice.callId });

  it("book with B's service or staff, cancel or move B's booking, as A: refused results, nothing changed", async () => {
    const before = [await snapshotOf(a.id), await snapshotOf(b.id)];
    const [{ at }] = await db.sql`select ((${tomorrow}::date + time '12:00') at time zone ${a.timezone}) as at`;
    expect(await direct("book_appointment", a.id, aCaller(), { service_id: b.services["Skin Fade"], starts_at: at })).toMatchObject({ ok: false, reason: "unknown_service" });
    expect(await direct("book_appointment", a.id, aCaller(), { service_id: a.services["Skin Fade"], staff_id: b.staff.Luis, starts_at: at })).toMatchObject({ ok: false, reason: "unknown_staff" });
    expect(await direct("cancel_appointment", a.id, aCaller(), { booking_id: bobBooking })).toMatchObject({ ok: false, reason: "unknown_booking" });
    expect(await direct("reschedule_appointment", a.id, aCaller(), { booking_id: bobBooking, starts_at: at })).toMatchObject({ ok: false, reason: "unknown_booking" });
    expect(await direct("check_availability", a.id, aCaller(), { service_id: b.services["Skin Fade"], from: tomorrow })).toMatchObject({ ok: false, reason: "unknown_service" });
    expect([await snapshotOf(a.id), await snapshotOf(b.id)]).toEqual(before);
  });

  it("a caller context naming B's customer, call or conversation, for A, identifies nobody and links nothing", async () => {
    const before = [await snapshotOf(a.id), await snapshotOf(b.id)];
    const foreign = { source: "vapi", customer_id: bob.customerId, call_id: bob.callId, conversation_id: bob.conversationId };
    expect(await direct("list_appointments", a.id, foreign, {})).toEqual({ ok: true, known_caller: false, bookings: [] });
    expect(await direct("caller_profile", a.id, foreign, {})).toEqual({ ok: true, known: false });
    const [{ at }] = await db.sql`select ((${tomorrow}::date + time '12:00') at time zone ${a.timezone}) as at`;
    expect(await direct("book_appointment", a.id, foreign, { service_id: a.services["Skin Fade"], starts_at: at })).toMatchObject({ ok: false, reason: "unknown_caller" });
    expect(await direct("remember", a.id, foreign, { content: "x" })).toMatchObject({ ok: false, reason: "unknown_caller" });
    const msg = await direct("take_message", a.id, foreign, { content: "call me" });
    expect(msg.follow_up).toMatchObject({ caller_name: null, callback_phone: null });
    const [f] = await db.sql`select tenant_id, customer_id, call_id, conversation_id from public.follow_ups where id = ${msg.follow_up.id}`;
    expect(f).toEqual({ tenant_id: a.id, customer_id: null, call_id: null, conversation_id: null });
    await db.sql`delete from public.follow_ups where id = ${msg.follow_up.id}`;
    expect([await snapshotOf(a.id), await snapshotOf(b.id)]).toEqual(before);
  });

  it("the webhook role may run the tools and nothing of the tables; client roles may not run the tools", async () => {
    const fns = await db.sql`
      select p.oid::regprocedure::text as fn,
             has_function_privilege('frontdesk_webhook', p.oid, 'EXECUTE') as webhook,
             has_function_privilege('authenticated', p.oid, 'EXECUTE') as authenticated,
             has_function_privilege('anon', p.oid, 'EXECUTE') as anon, p.prosecdef as definer
      from pg_proc p where p.pronamespace = 'private'::regnamespace and p.proname like 'tool\\_%' order by 1`;
    const granted = fns.filter((f) => f.webhook).map((f) => f.fn.replace(/\(.*/, ""));
    expect(granted.sort()).toEqual([
      "private.tool_book_appointment", "private.tool_business_info", "private.tool_cancel_appointment", "private.tool_caller_profile",
      "private.tool_check_availability", "private.tool_context", "private.tool_list_appointments", "private.tool_remember",
      "private.tool_reschedule_appointment", "private.tool_take_message", "private.tool_transfer_to_human",
    ].sort());
    expect(fns.filter((f) => f.webhook).every((f) => f.definer)).toBe(true);
    expect(fns.filter((f) => f.authenticated || f.anon)).toEqual([]);
    const [{ ok }] = await db.sql`select has_table_privilege('frontdesk_webhook', 'public.follow_ups', 'insert') or
                                         has_table_privilege('frontdesk_webhook', 'public.bookings', 'insert') or
                                         has_table_privilege('frontdesk_webhook', 'private.tool_calls', 'select') as ok`;
    expect(ok).toBe(false);
  });
});

describe("withheld caller ids", () => {
  it.each(["+266696687", "+7378742833", "+8656696", "anonymous", "restricted", "client:alice", "sip:bob@example.com", ""])(
    "%s: never creates or finds a customer; a booking is refused readably; recall knows nobody",
    async (hidden) => {
      // A profile with Twilio's "anonymous" number left by older data must not be recalled for the next stranger.
      await db.sql`insert into public.caller_profiles (tenant_id, phone, display_name) values (${a.id}, '+266696687', 'Somebody') on conflict do nothing`;
      const call = await callRow(db, a, hidden);
      const ctx = { tenantId: a.id, source: "vapi" as const, callerPhone: hidden, callId: call };
      const customers = await db.sql`select count(*)::int as n from public.customers where tenant_id = ${a.id}`;
      const r = await run(ctx, "book_appointment", { service: "fade", day: tomorrow, time: "15:00" });
      expect(r).toMatchObject({ ok: false, error: { code: "unknown_caller" } });
      expect(r.message).toContain("take_message");
      expect(await run(ctx, "caller_profile", {})).toMatchObject({ ok: true, data: { known: false } });
      expect((await run(ctx, "remember", { content: "likes jazz" })).error?.code).toBe("unknown_caller");
      expect((await run(ctx, "list_appointments", {})).data).toMatchObject({ known_caller: false, bookings: [] });
      const msg = await run(ctx, "take_message", { message: "please call back", callback_phone: "+14155550123" });
      expect((msg.data!.follow_up as { callback_phone: string }).callback_phone).toBe("+14155550123");
      expect((await db.sql`select count(*)::int as n from public.customers where tenant_id = ${a.id}`)[0].n).toBe(customers[0].n);
      const [c] = await db.sql`select customer_id from public.calls where id = ${call}`;
      expect(c.customer_id).toBeNull();
    },
  );
});
