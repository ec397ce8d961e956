// The memory function end to end: real functions gateway, real keys from POST /api-keys, real JWTs from the hook,
// this file's own database. Store → recall (ranked, with profile, personality and recent calls) → forget, and who may
// do which: scopes for API keys, roles for members.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { call, callWithSummary, createKey, randomPhone } from "./fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db);

let shop: TestTenant;
let rw: string; // memory:read + memory:write
let readOnly: string;
let writeOnly: string;

beforeAll(async () => {
  shop = await tenantWithTeam(db, "memory-shop");
  rw = (await createKey(fns, shop.members.owner.token, ["memory:read", "memory:write"])).key;
  readOnly = (await createKey(fns, shop.members.admin.token, ["memory:read"])).key;
  writeOnly = (await createKey(fns, shop.members.owner.token, ["memory:write"])).key;
});

const store = (bearer: string, body: unknown) => call(fns, "POST", "memory", { bearer, body });
const recall = (bearer: string, query: Record<string, string>) => call(fns, "GET", "memory", { bearer, query });
const forget = (bearer: string, caller: string) => call(fns, "DELETE", "memory", { bearer, query: { caller } });

describe("store and recall with an API key", () => {
  it("stores memories (creating the caller), then recalls them ranked by relevance, importance and recency", async () => {
    const phone = randomPhone();
    const stored = await store(rw, {
      caller: phone,
      profile: { display_name: "Maria", preferences: { barber: "Sam" } },
      memories: [
        { content: "Prefers a skin fade with a number two on the sides", kind: "preference", importance: 9 },
        { content: "Asked about beard trim prices", importance: 3 },
        { content: "Daughter's birthday is in March", kind: "relationship", importance: 7 },
        { content: "Liked the fade last time but hates waiting", kind: "note", importance: 2 },
        { content: "Wants a fade before the wedding", kind: "event", importance: 9 },
      ],
    });
    expect(stored.status).toBe(201);
    expect(stored.body.caller_created).toBe(true);
    expect(stored.body.memories.map((m: { importance: number }) => m.importance)).toEqual([9, 3, 7, 2, 9]);
    const [fade, beard, birthday, waiting, wedding] = stored.body.memories.map((m: { id: string }) => m.id);
    // The wedding was a year ago: relevant and important, but old.
    await db.sql`update public.memories set created_at = now() - interval '400 days' where id = ${wedding}`;

    // Calls of this caller (6, each with a summary) and one of someone else; personality from two of them.
    const callIds: string[] = [];
    for (let i = 0; i < 6; i++) callIds.push(await callWithSummary(db, shop.id, phone, `call ${i}`, 60 * (6 - i)));
    await callWithSummary(db, shop.id, randomPhone(), "someone else", 1);
    const [profile] = await db.sql`select id from public.caller_profiles where tenant_id = ${shop.id} and phone = ${phone}`;
    await db.sql`insert into public.personality_metrics (tenant_id, call_id, caller_id, openness, agreeableness)
                 values (${shop.id}, ${callIds[0]}, ${profile.id}, 0.4, 0.6), (${shop.id}, ${callIds[1]}, ${profile.id}, 0.8, 1)`;

    const withQuery = await recall(rw, { caller: phone, q: "fade" });
    expect(withQuery.status).toBe(200);
    const order = withQuery.body.memories.map((m: { id: string }) => m.id);
    // Relevant + important + recent first; relevant but old next; relevant but unimportant after; then the rest.
    expect(order).toEqual([fade, wedding, waiting, birthday, beard]);
    expect(withQuery.body.memories.map((m: { matched: boolean }) => m.matched)).toEqual([true, true, true, false, false]);
    expect(withQuery.body.total_memories).toBe(5);
    expect(withQuery.body.query).toBe("fade");
    expect(withQuery.body.caller).toMatchObject({ id: profile.id, phone, display_name: "Maria", preferences: { barber: "Sam" } });
    expect(withQuery.body.caller.tenant_id).toBeUndefined();
    expect(withQuery.body.personality).toMatchObject({ calls: 2, openness: 0.6, agreeableness: 0.8 });
    // The last five of this caller's calls, newest first; never another caller's.
    expect(withQuery.body.recent_calls.map((c: { call_id: string }) => c.call_id)).toEqual(callIds.slice(1).reverse());
    expect(withQuery.body.recent_calls[0]).toMatchObject({ summary: "call 5", sentiment: "positive", direction: "inbound" });

    // Without a query importance and recency decide; limit caps the list.
    const plain = await recall(rw, { caller: phone, limit: "2" });
    expect(plain.body.memories.map((m: { id: string }) => m.id)).toEqual([fade, birthday]);
    expect(plain.body.total_memories).toBe(5);
  });

  it("adds to an existing caller and merges profile fields; counts usage per memory", async () => {
    const phone = randomPhone();
    await store(rw, { caller: phone, profile: { display_name: "Ann", preferences: { a: 1 } }, memories: [{ content: "one" }] });
    const again = await store(rw, { caller: phone, profile: { preferences: { b: 2 } }, memories: [{ content: "two" }, { content: "three" }] });
    expect(again.status).toBe(201);
    expect(again.body.caller_created).toBe(false);
    const r = await recall(rw, { caller: phone });
    expect(r.body.caller).toMatchObject({ display_name: "Ann", preferences: { a: 1, b: 2 } });
    expect(r.body.total_memories).toBe(3);
    const [{ used }] = await db.sql`select coalesce(sum(quantity), 0)::int as used from public.usage_events
                                    where tenant_id = ${shop.id} and metric = 'memories' and source_ref = ${"memories:" + again.body.memories[0].id}`;
    expect(used).toBe(2);
  });

  it("links a memory to a call of the business, and refuses a call id of another business", async () => {
    const other = await tenantWithTeam(db, "memory-other-calls");
    const theirCall = await callWithSummary(db, other.id, randomPhone(), "theirs", 5);
    const ourCall = await callWithSummary(db, shop.id, randomPhone(), "ours", 5);
    const phone = randomPhone();
    const ok = await store(rw, { caller: phone, memories: [{ content: "from a call", source_call_id: ourCall }] });
    expect(ok.status).toBe(201);
    expect(ok.body.memories[0].source_call_id).toBe(ourCall);
    const refused = await store(rw, { caller: phone, memories: [{ content: "smuggled", source_call_id: theirCall }] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/not a call of your business/);
  });

  it("treats an unencoded + in ?caller= as the + it was meant to be", async () => {
    const phone = randomPhone();
    await store(rw, { caller: phone, memories: [{ content: "plus sign" }] });
    const res = await fetch(`${fns.url}/memory?caller=${phone}`, { headers: { authorization: `Bearer ${rw}` } });
    expect(res.status).toBe(200);
    expect((await res.json()).caller.phone).toBe(phone);
  });
});

describe("input problems are answered 4xx, naming the problem", () => {
  it("400 for oversized content, an empty or oversized batch, a bad phone, unknown fields", async () => {
    const phone = randomPhone();
    const big = await store(rw, { caller: phone, memories: [{ content: "ok" }, { content: "x".repeat(65537) }] });
    expect(big.status).toBe(400);
    expect(big.body.error.details).toEqual([expect.objectContaining({ path: "memories.1.content" })]);
    expect((await store(rw, { caller: phone, memories: [] })).status).toBe(400);
    const many = await store(rw, { caller: phone, memories: Array.from({ length: 101 }, () => ({ content: "m" })) });
    expect(many.status).toBe(400);
    const badPhone = await store(rw, { caller: "555-1234", memories: [{ content: "m" }] });
    expect(badPhone.body.error.details[0].path).toBe("caller");
    expect((await store(rw, { caller: phone, memories: [{ content: "m", importance: 11 }] })).status).toBe(400);
    expect((await store(rw, { caller: phone, memories: [{ content: "m", kind: "gossip" }] })).status).toBe(400);
    expect((await store(rw, { caller: phone, memories: [{ content: "m" }], tenant_id: shop.id })).status).toBe(400);
    expect((await recall(rw, { caller: phone, limit: "500" })).status).toBe(400);
    // Nothing was stored by any of them.
    expect((await db.sql`select 1 from public.caller_profiles where tenant_id = ${shop.id} and phone = ${phone}`).count).toBe(0);
  });

  it("413 for a body over 2 MiB, 400 for a body that is not JSON", async () => {
    const huge = await call(fns, "POST", "memory", { bearer: rw, rawBody: JSON.stringify({ caller: randomPhone(), memories: [{ content: "x".repeat(3 * 1024 * 1024) }] }) });
    expect(huge.status).toBe(413);
    const notJson = await call(fns, "POST", "memory", { bearer: rw, rawBody: "{nope" });
    expect(notJson.status).toBe(400);
  });

  it("404 for a caller the business does not know, on recall and on forget", async () => {
    const unknown = randomPhone();
    const r = await recall(rw, { caller: unknown });
    expect(r.status).toBe(404);
    expect(r.body.error.message).toMatch(/no caller with this phone number/);
    expect((await forget(rw, unknown)).status).toBe(404);
  });

  it("a withheld caller id (Twilio's anonymous placeholder) stores nothing and recalls nothing", async () => {
    const anonymous = "+266696687";
    const res = await store(rw, { caller: anonymous, memories: [{ content: "Someone who hid their number" }] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/withheld caller id/);
    // Even a profile that somehow exists under the placeholder is never recalled for the next stranger.
    await db.sql`insert into public.caller_profiles (tenant_id, phone, display_name) values (${shop.id}, ${anonymous}, 'Stranger')`;
    expect((await recall(rw, { caller: anonymous })).status).toBe(404);
    const [{ n }] = await db.sql`select count(*)::int as n from public.memories m join public.caller_profiles p
      on p.tenant_id = m.tenant_id and p.id = m.caller_id where p.tenant_id = ${shop.id} and p.phone = ${anonymous}`;
    expect(n).toBe(0);
  });

  it("401 for a request with neither key nor JWT, before looking at the input", async () => {
    const res = await call(fns, "POST", "memory", { body: { nonsense: true } });
    expect(res.status).toBe(401);
    const bad = await call(fns, "POST", "memory", { bearer: "fd_live_00000000_" + "A".repeat(43), body: { nonsense: true } });
    expect(bad.status).toBe(401);
  });
});

describe("scopes and roles", () => {
  it("API keys: memory:read recalls only, memory:write stores and forgets only (403 naming the scope)", async () => {
    const phone = randomPhone();
    expect((await store(writeOnly, { caller: phone, memories: [{ content: "w" }] })).status).toBe(201);
    const noRead = await recall(writeOnly, { caller: phone });
    expect(noRead.status).toBe(403);
    expect(noRead.body.error.message).toMatch(/memory:read/);
    expect((await recall(readOnly, { caller: phone })).status).toBe(200);
    const noWrite = await store(readOnly, { caller: phone, memories: [{ content: "r" }] });
    expect(noWrite.status).toBe(403);
    expect(noWrite.body.error.message).toMatch(/memory:write/);
    expect((await forget(readOnly, phone)).status).toBe(403);
    expect((await recall(readOnly, { caller: phone })).body.total_memories).toBe(1);
  });

  it("members: staff recall but neither store nor forget; owners and admins do all three", async () => {
    const phone = randomPhone();
    const { owner, admin, staff } = shop.members;
    const byStaff = await store(staff.token, { caller: phone, memories: [{ content: "s" }] });
    expect(byStaff.status).toBe(403);
    expect(byStaff.body.error.message).toMatch(/owners and admins/);
    expect((await store(admin.token, { caller: phone, memories: [{ content: "a" }] })).status).toBe(201);
    expect((await store(owner.token, { caller: phone, memories: [{ content: "o" }] })).status).toBe(201);
    const seen = await recall(staff.token, { caller: phone });
    expect(seen.status).toBe(200);
    expect(seen.body.memories.map((m: { content: string }) => m.content).sort()).toEqual(["a", "o"]);
    expect((await forget(staff.token, phone)).status).toBe(403);
    expect((await forget(admin.token, phone)).status).toBe(200);
  });

  it("a signed-in user of no business, and the anon key, get no memory", async () => {
    const stranger = await tenantWithTeam(db, "memory-gone");
    await db.sql`delete from public.memberships where user_id = ${stranger.members.staff.id}`;
    expect((await recall(stranger.members.staff.token, { caller: randomPhone() })).status).toBe(403);
    const anon = await call(fns, "GET", "memory", { bearer: process.env.SUPABASE_ANON_KEY ?? "x.y.z", query: { caller: randomPhone() } });
    expect(anon.status).toBe(401);
  });
});

describe("plan limits", () => {
  it("refuses with 402 a batch past the month's allowance, stores nothing of it, and accepts what still fits", async () => {
    const t = await tenantWithTeam(db, "memory-capped");
    const key = (await createKey(fns, t.members.owner.token, ["memory:read", "memory:write"])).key;
    await db.sql`select private.record_usage(${t.id}, 'memories', 4998, 'earlier')`; // Starter: 5,000 a month
    const phone = randomPhone();
    const over = await store(key, { caller: phone, memories: [{ content: "1" }, { content: "2" }, { content: "3" }] });
    expect(over.status).toBe(402);
    expect(over.body.error.message).toMatch(/Starter plan allows 5000 memories a month/);
    expect((await db.sql`select 1 from public.caller_profiles where tenant_id = ${t.id}`).count).toBe(0);
    expect((await store(key, { caller: phone, memories: [{ content: "1" }, { content: "2" }] })).status).toBe(201);
    expect((await store(key, { caller: phone, memories: [{ content: "3" }] })).status).toBe(402);
    const [{ used }] = await db.sql`select private.usage_this_month(${t.id}, 'memories')::int as used`;
    expect(used).toBe(5000);
  });
});

describe("forget (erasure on request)", () => {
  it("removes memories, profile, personality metrics and averages, unlinks the calls, and audits without content", async () => {
    const phone = randomPhone();
    const secret = "Recovering from knee surgery, walks with a cane";
    await store(rw, { caller: phone, profile: { display_name: "Erin Erasable", summary: "Regular since 2019" }, memories: [{ content: secret }, { content: "Likes oat milk lattes" }] });
    const [profile] = await db.sql`select id from public.caller_profiles where tenant_id = ${shop.id} and phone = ${phone}`;
    const c1 = await callWithSummary(db, shop.id, phone, "Booked a cut", 30);
    const c2 = await callWithSummary(db, shop.id, phone, "Moved the booking", 10);
    await db.sql`insert into public.personality_metrics (tenant_id, call_id, caller_id, openness) values (${shop.id}, ${c1}, ${profile.id}, 0.5), (${shop.id}, ${c2}, ${profile.id}, 0.7)`;
    expect((await db.sql`select 1 from public.caller_personality where caller_id = ${profile.id}`).count).toBe(1);

    const res = await forget(rw, phone);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ caller_id: profile.id, erased: true, memories: 2, personality_metrics: 2, calls_unlinked: 2 });

    const left = await db.sql`
      select (select count(*) from public.caller_profiles where tenant_id = ${shop.id} and (id = ${profile.id} or phone = ${phone}))::int as profiles,
             (select count(*) from public.memories where tenant_id = ${shop.id} and caller_id = ${profile.id})::int as memories,
             (select count(*) from public.memories where content = ${secret})::int as by_content,
             (select count(*) from public.personality_metrics where caller_id = ${profile.id})::int as metrics,
             (select count(*) from public.caller_personality where caller_id = ${profile.id})::int as averages,
             (select count(*) from public.calls where tenant_id = ${shop.id} and (from_number = ${phone} or to_number = ${phone}))::int as linked_calls,
             (select count(*) from public.call_summaries where call_id in (${c1}, ${c2}))::int as summaries`;
    expect(left[0]).toEqual({ profiles: 0, memories: 0, by_content: 0, metrics: 0, averages: 0, linked_calls: 0, summaries: 2 });

    // One audit entry says it happened, by which key, and how much: no phone, no name, no content.
    const audit = await db.sql`select * from public.audit_log where tenant_id = ${shop.id} and action = 'erase_caller' and row_key ->> 'id' = ${profile.id}`;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ table_name: "public.caller_profiles", row_key: { tenant_id: shop.id, id: profile.id }, old_data: null, actor_role: "authenticated" });
    expect(audit[0].new_data).toMatchObject({ memories: 2, personality_metrics: 2, calls_unlinked: 2, api_key_id: expect.any(String) });
    const everything = await db.sql`select string_agg(a::text, ' ') as text from public.audit_log a where tenant_id = ${shop.id}`;
    for (const erased of [phone, phone.slice(1), "Erin Erasable", "Regular since 2019", secret, "oat milk"]) {
      expect(everything[0].text).not.toContain(erased);
    }

    expect((await recall(rw, { caller: phone })).status).toBe(404);
    expect((await forget(rw, phone)).status).toBe(404);
    // The number can come back as a brand-new caller with nothing remembered.
    const fresh = await store(rw, { caller: phone, memories: [{ content: "new start" }] });
    expect(fresh.body.caller_created).toBe(true);
    expect((await recall(rw, { caller: phone })).body.recent_calls).toEqual([]);
  });

  it("an erasure by a member records who asked", async () => {
    const phone = randomPhone();
    await store(rw, { caller: phone, memories: [{ content: "x" }] });
    expect((await forget(shop.members.admin.token, phone)).status).toBe(200);
    const [entry] = await db.sql`select actor_id, new_data from public.audit_log where tenant_id = ${shop.id} and action = 'erase_caller' order by id desc limit 1`;
    expect(entry.actor_id).toBe(shop.members.admin.id);
    expect(entry.new_data.api_key_id).toBeNull();
  });
});
