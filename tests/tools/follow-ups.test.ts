// take_message leaves a follow-up that the business's staff see (under RLS, as PostgREST runs their requests) and mark
// done, and nobody else sees; remember past the plan's monthly memories is a readable 402-style result and stores
// nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { asRequest, outcome, useTestDatabase } from "../helpers/db.ts";
import { barbershop, caller, onCall, tool, type Caller, type Shop } from "./fixtures.ts";

const db = useTestDatabase();
const run = tool(db);

let shop: Shop;
let other: Shop;
let maria: Caller;
let followUpId: string;

beforeAll(async () => {
  shop = await barbershop(db, "fu");
  other = await barbershop(db, "fu-other");
  maria = await caller(db, shop, "Maria");
  const r = await run(onCall(maria), "take_message", { message: "Wants to move Saturday to Sunday", caller_name: "Maria G." });
  expect(r.ok).toBe(true);
  followUpId = (r.data!.follow_up as { id: string }).id;
});

describe("follow-ups under RLS", () => {
  it("the business's staff read the message", async () => {
    const rows = await asRequest(db, shop.members.staff.token, (tx) =>
      tx`select id, kind, status, caller_name, callback_phone, content, call_id from public.follow_ups`);
    expect(rows).toEqual([{ id: followUpId, kind: "message", status: "open", caller_name: "Maria G.", callback_phone: maria.phone,
                            content: "Wants to move Saturday to Sunday", call_id: maria.callId }]);
  });

  it("another business's members and anon see nothing", async () => {
    for (const token of [other.members.owner.token, other.members.staff.token, null]) {
      const rows = await asRequest(db, token, (tx) => tx`select id from public.follow_ups where id = ${followUpId}`).catch((e) => e.code);
      expect(rows === "42501" || (Array.isArray(rows) && rows.length === 0)).toBe(true);
    }
    const updated = await asRequest(db, other.members.owner.token, (tx) => tx`update public.follow_ups set status = 'done' where id = ${followUpId} returning id`);
    expect(updated).toHaveLength(0);
  });

  it("staff mark it done (stamped with who and when) and open again; they change nothing else, insert and delete nothing", async () => {
    const staff = shop.members.staff;
    const [done] = await asRequest(db, staff.token, (tx) =>
      tx`update public.follow_ups set status = 'done' where id = ${followUpId} returning status, done_by, done_at`);
    expect(done).toMatchObject({ status: "done", done_by: staff.id });
    expect(done.done_at).toBeInstanceOf(Date);
    const [open] = await asRequest(db, staff.token, (tx) =>
      tx`update public.follow_ups set status = 'open' where id = ${followUpId} returning status, done_by, done_at`);
    expect(open).toEqual({ status: "open", done_by: null, done_at: null });
    expect(await outcome(asRequest(db, shop.members.owner.token, (tx) => tx`update public.follow_ups set content = 'edited' where id = ${followUpId}`))).toBe("42501");
    expect(await outcome(asRequest(db, shop.members.owner.token, (tx) =>
      tx`insert into public.follow_ups (tenant_id, content, source) values (${shop.id}, 'fake', 'vapi')`))).toBe("42501");
    expect(await outcome(asRequest(db, shop.members.owner.token, (tx) => tx`delete from public.follow_ups where id = ${followUpId}`))).toBe("42501");
    expect(await outcome(asRequest(db, staff.token, (tx) => tx`update public.follow_ups set status = 'lost' where id = ${followUpId}`))).toBe("23514");
    const [row] = await db.sql`select content from public.follow_ups where id = ${followUpId}`;
    expect(row.content).toBe("Wants to move Saturday to Sunday");
  });
});

describe("remember and the plan", () => {
  it("past the month's memories: a readable plan_limit result (402), nothing stored, nothing counted", async () => {
    await db.sql`select private.record_usage(${shop.id}, 'memories', 5000, 'bulk-import')`;
    const count = async () => ({
      memories: (await db.sql`select count(*)::int as n from public.memories where tenant_id = ${shop.id}`)[0].n,
      usage: (await db.sql`select coalesce(sum(quantity), 0)::int as n from public.usage_events where tenant_id = ${shop.id} and metric = 'memories'`)[0].n,
    });
    const before = await count();
    const r = await run(onCall(maria, "vapi", { toolCallId: "mem-over" }), "remember", { content: "Allergic to lavender" });
    expect(r).toMatchObject({ ok: false, tool: "remember", error: { code: "plan_limit" }, data: { status: 402 } });
    expect(r.message).toBe("Not remembered: the Starter plan allows 5000 memories a month and this month's are used up. Carry on with the call; the business can upgrade its plan.");
    expect(await count()).toEqual(before);
    // The other business is not affected.
    const bob = await caller(db, other, "Bob");
    expect((await run(onCall(bob), "remember", { content: "Likes espresso" })).ok).toBe(true);
  });
});
