// A key of one business never reaches another business's caller memory, through the function or in SQL; and what an
// API key's database identity can and cannot do beyond the memory functions.
import type postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { outcome, useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { addMember, tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { tokenFor } from "../helpers/db.ts";
import { call, createKey, randomPhone } from "./fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db);

let a: TestTenant;
let b: TestTenant;
let keyA: { id: string; key: string };
let keyB: { id: string; key: string };
const phone = randomPhone(); // the same person calls both businesses

/** SQL exactly as a request with these claims runs it (authenticator → authenticated, claims set locally). */
function asClaims<T>(claims: Record<string, unknown>, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return db.authenticator.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify({ role: "authenticated", ...claims })}, true)`;
    return work(tx);
  }) as Promise<T>;
}
const access = (claims: Record<string, unknown>) =>
  asClaims(claims, async (tx) => (await tx`select private.tenant_id_for('staff') as staff, private.tenant_id_for('admin') as admin`)[0]);

beforeAll(async () => {
  a = await tenantWithTeam(db, "iso-a");
  b = await tenantWithTeam(db, "iso-b");
  keyA = await createKey(fns, a.members.owner.token, ["memory:read", "memory:write"]);
  keyB = await createKey(fns, b.members.owner.token, ["memory:read", "memory:write"]);
  const stored = await call(fns, "POST", "memory", { bearer: keyA.key, body: { caller: phone, profile: { display_name: "Only A knows" }, memories: [{ content: "A's secret note", importance: 10 }] } });
  expect(stored.status).toBe(201);
});

const recallA = async () => (await call(fns, "GET", "memory", { bearer: keyA.key, query: { caller: phone } })).body;

describe("across businesses, through the function", () => {
  it("another business's key and JWTs neither see nor erase the caller", async () => {
    for (const bearer of [keyB.key, b.members.owner.token, b.members.staff.token]) {
      const seen = await call(fns, "GET", "memory", { bearer, query: { caller: phone } });
      expect(seen.status, bearer.slice(0, 12)).toBe(404);
      expect(JSON.stringify(seen.body)).not.toContain("secret");
    }
    expect((await call(fns, "DELETE", "memory", { bearer: keyB.key, query: { caller: phone } })).status).toBe(404);
    expect((await call(fns, "DELETE", "memory", { bearer: b.members.owner.token, query: { caller: phone } })).status).toBe(404);
    expect((await recallA()).memories.map((m: { content: string }) => m.content)).toEqual(["A's secret note"]);
  });

  it("storing for the same number in another business creates that business's own caller, and each sees only its own", async () => {
    const byB = await call(fns, "POST", "memory", { bearer: keyB.key, body: { caller: phone, memories: [{ content: "B's note" }] } });
    expect(byB.status).toBe(201);
    expect(byB.body.caller_created).toBe(true);
    const viewB = (await call(fns, "GET", "memory", { bearer: keyB.key, query: { caller: phone } })).body;
    expect(viewB.memories.map((m: { content: string }) => m.content)).toEqual(["B's note"]);
    expect(viewB.caller.display_name).toBeNull();
    const viewA = await recallA();
    expect(viewA.memories.map((m: { content: string }) => m.content)).toEqual(["A's secret note"]);
    expect(viewA.caller.id).not.toBe(viewB.caller.id);

    // B forgets its caller: A's is untouched, and A's audit log says nothing about it.
    expect((await call(fns, "DELETE", "memory", { bearer: keyB.key, query: { caller: phone } })).status).toBe(200);
    expect((await recallA()).caller.display_name).toBe("Only A knows");
    expect((await db.sql`select 1 from public.audit_log where tenant_id = ${a.id} and action = 'erase_caller'`).count).toBe(0);
  });

  it("a member of both businesses reaches only the one their token is for", async () => {
    const both = await addMember(db, b.id, "admin", "both");
    await db.sql`insert into public.memberships (tenant_id, user_id, role) values (${a.id}, ${both.id}, 'staff')`;
    await db.sql`insert into private.active_tenants (user_id, tenant_id) values (${both.id}, ${b.id}) on conflict (user_id) do update set tenant_id = excluded.tenant_id`;
    const tokenB = await tokenFor(db, both.id);
    expect((await call(fns, "GET", "memory", { bearer: tokenB, query: { caller: phone } })).status).toBe(404);
    await db.sql`update private.active_tenants set tenant_id = ${a.id} where user_id = ${both.id}`;
    const tokenA = await tokenFor(db, both.id);
    const seen = await call(fns, "GET", "memory", { bearer: tokenA, query: { caller: phone } });
    expect(seen.status).toBe(200);
    expect(seen.body.memories[0].content).toBe("A's secret note");
    // Staff in A: reads, but may not write there even though they are admin in B.
    expect((await call(fns, "POST", "memory", { bearer: tokenA, body: { caller: phone, memories: [{ content: "x" }] } })).status).toBe(403);
  });
});

describe("in SQL: what API-key claims resolve to", () => {
  it("a live key acts as staff of its own tenant, and nothing else", async () => {
    expect(await access({ tenant_id: a.id, api_key_id: keyA.id })).toEqual({ staff: a.id, admin: null });
  });

  it("a key named with another tenant's id, or a made-up key, resolves to no access", async () => {
    expect(await access({ tenant_id: b.id, api_key_id: keyA.id })).toEqual({ staff: null, admin: null });
    expect(await access({ tenant_id: a.id, api_key_id: "00000000-0000-4000-8000-000000000000" })).toEqual({ staff: null, admin: null });
    const err = await outcome(asClaims({ tenant_id: b.id, api_key_id: keyA.id }, (tx) => tx`select private.memory_recall(${phone})`));
    expect(err).toBe("PT401");
  });

  it("claims with a subject are a member's, whatever api_key_id they carry", async () => {
    // B's owner with A's tenant and A's key: no membership in A, so no access.
    expect(await access({ sub: b.members.owner.id, tenant_id: a.id, api_key_id: keyA.id })).toEqual({ staff: null, admin: null });
    // A's staff with A's key id: still only staff, by membership.
    expect(await access({ sub: a.members.staff.id, tenant_id: a.id, api_key_id: keyB.id })).toEqual({ staff: a.id, admin: null });
  });

  it("a revoked or expired key, or a suspended business, loses access on the next statement", async () => {
    const k = await createKey(fns, a.members.owner.token, ["memory:read"]);
    const claims = { tenant_id: a.id, api_key_id: k.id };
    expect((await access(claims)).staff).toBe(a.id);
    await db.sql`update public.api_keys set expires_at = now() - interval '1 second' where id = ${k.id}`;
    expect((await access(claims)).staff).toBeNull();
    const revoked = await createKey(fns, a.members.owner.token, ["memory:read"]);
    const revokedClaims = { tenant_id: a.id, api_key_id: revoked.id };
    expect((await access(revokedClaims)).staff).toBe(a.id);
    await db.sql`update public.api_keys set revoked_at = now() where id = ${revoked.id}`;
    expect((await access(revokedClaims)).staff).toBeNull();
    const live = await createKey(fns, a.members.owner.token, ["memory:read"]);
    const liveClaims = { tenant_id: a.id, api_key_id: live.id };
    await db.sql`update public.tenants set status = 'suspended' where id = ${a.id}`;
    try {
      expect((await access(liveClaims)).staff).toBeNull();
    } finally {
      await db.sql`update public.tenants set status = 'active' where id = ${a.id}`;
    }
    // Revoked inside the same transaction (as the table owner, between two statements of the key's request): the
    // cached access is dropped at once.
    const inTx = await db.sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify({ role: "authenticated", ...liveClaims })}, true)`;
      const before = (await tx`select private.tenant_id_for('staff') as t`)[0].t;
      await tx`select set_config('role', 'postgres', true)`;
      await tx`update public.api_keys set revoked_at = now() where id = ${live.id}`;
      await tx`select set_config('role', 'authenticated', true)`;
      const after = (await tx`select private.tenant_id_for('staff') as t`)[0].t;
      return { before, after };
    });
    expect(inTx).toEqual({ before: a.id, after: null });
  });

  it("a key's identity cannot manage keys, read usage or the audit log, or write memory tables directly", async () => {
    const claims = { tenant_id: a.id, api_key_id: keyA.id };
    expect(await outcome(asClaims(claims, (tx) => tx`select * from private.create_api_key('sneaky', '{memory:write}')`))).toBe("PT403");
    expect(await outcome(asClaims(claims, (tx) => tx`select * from private.list_api_keys()`))).toBe("PT403");
    expect(await outcome(asClaims(claims, (tx) => tx`select * from public.usage_and_limits()`))).toBe("PT403");
    const counts = await asClaims(claims, async (tx) => (await tx`
      select (select count(*) from public.api_keys)::int as keys, (select count(*) from public.audit_log)::int as audit,
             (select count(*) from public.memories)::int as memories`)[0]);
    expect(counts).toEqual({ keys: 0, audit: 0, memories: 1 });
    const [caller] = await db.sql`select id from public.caller_profiles where tenant_id = ${a.id} and phone = ${phone}`;
    expect(await outcome(asClaims(claims, (tx) => tx`insert into public.memories (tenant_id, caller_id, content) values (${a.id}, ${caller.id}, 'direct')`))).toBe("42501");
    const deleted = await asClaims(claims, (tx) => tx`delete from public.memories where tenant_id = ${a.id}`);
    expect(deleted.count).toBe(0);
  });

  it("only frontdesk_api may authenticate keys, and it can do nothing else", async () => {
    const [p] = await db.sql`
      select has_function_privilege('authenticated', 'private.authenticate_api_key(bytea)', 'execute') as authenticated,
             has_function_privilege('anon', 'private.authenticate_api_key(bytea)', 'execute') as anon,
             has_function_privilege('service_role', 'private.authenticate_api_key(bytea)', 'execute') as service_role,
             has_function_privilege('frontdesk_api', 'private.authenticate_api_key(bytea)', 'execute') as api,
             has_function_privilege('authenticated', 'private.touch_api_key(uuid, uuid)', 'execute') as authenticated_touches,
             has_function_privilege('frontdesk_api', 'private.touch_api_key(uuid, uuid)', 'execute') as api_touches,
             has_table_privilege('frontdesk_api', 'public.api_keys', 'select') as api_reads_keys,
             has_function_privilege('frontdesk_api', 'private.memory_recall(text, text, int)', 'execute') as api_recalls,
             has_function_privilege('anon', 'private.memory_recall(text, text, int)', 'execute') as anon_recalls`;
    expect(p).toEqual({
      authenticated: false, anon: false, service_role: false, api: true, authenticated_touches: false, api_touches: true,
      api_reads_keys: false, api_recalls: false, anon_recalls: false,
    });
  });
});
