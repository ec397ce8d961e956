// Tenant API keys through the real api-keys function (owners and admins, JWT) and used against the real memory
// function: the plaintext is shown once and stored nowhere, revoked/unknown/expired keys get 401, and last use is
// recorded without a write per request.
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { call, createKey, randomPhone } from "../memory/fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db);

let shop: TestTenant;
beforeAll(async () => {
  shop = await tenantWithTeam(db, "keys-shop");
});

/** Any authenticated request with the key: recall of a number nobody knows (404 means the key was accepted). */
const useKey = (key: string) => call(fns, "GET", "memory", { bearer: key, query: { caller: "+15550001111" } });

describe("creating keys", () => {
  it("shows the plaintext once, with a recognisable prefix; stores only its SHA-256 and the prefix", async () => {
    const res = await call(fns, "POST", "api-keys", { bearer: shop.members.owner.token, body: { name: "Voice agent", scopes: ["memory:write", "memory:read", "memory:read"] } });
    expect(res.status).toBe(201);
    const k = res.body.api_key;
    expect(k.key).toMatch(/^fd_live_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(k).toMatchObject({ name: "Voice agent", prefix: k.key.slice(0, 16), scopes: ["memory:read", "memory:write"], expires_at: null });
    const secret = k.key.slice(17);

    const [row] = await db.sql`select * from public.api_keys where id = ${k.id}`;
    expect(Buffer.from(row.key_hash).equals(createHash("sha256").update(k.key).digest())).toBe(true);
    expect(row.created_by).toBe(shop.members.owner.id);
    // Scan every column of every key row, and the audit log, as text: the plaintext and its secret part appear nowhere.
    const [scan] = await db.sql`
      select (select string_agg(t::text, ' ') from public.api_keys t) as keys,
             (select string_agg(a::text, ' ') from public.audit_log a) as audit,
             (select string_agg(encode(t.key_hash, 'escape'), ' ') from public.api_keys t) as raw_hashes`;
    for (const text of [scan.keys, scan.audit, scan.raw_hashes]) {
      expect(text).not.toContain(k.key);
      expect(text).not.toContain(secret);
    }
    // The audit entry records the creation without the hash.
    const [audit] = await db.sql`select new_data from public.audit_log where table_name = 'public.api_keys' and action = 'insert' and row_key ->> 'id' = ${k.id}`;
    expect(audit.new_data).toMatchObject({ name: "Voice agent", prefix: k.prefix });
    expect(audit.new_data.key_hash).toBeUndefined();

    // Two keys never share a secret.
    const other = await createKey(fns, shop.members.owner.token, ["memory:read"]);
    expect(other.key).not.toBe(k.key);
  });

  it("lets admins create and list; answers staff 403, no JWT 401, an API key 401", async () => {
    const byAdmin = await createKey(fns, shop.members.admin.token, ["bookings:read"], { name: "Integration" });
    const list = await call(fns, "GET", "api-keys", { bearer: shop.members.admin.token });
    expect(list.status).toBe(200);
    const listed = list.body.api_keys.find((k: { id: string }) => k.id === byAdmin.id);
    expect(listed).toMatchObject({ name: "Integration", prefix: byAdmin.prefix, status: "active", last_used_at: null, revoked_at: null });
    for (const k of list.body.api_keys) {
      expect(k.key).toBeUndefined();
      expect(k.key_hash).toBeUndefined();
    }
    const { staff } = shop.members;
    expect((await call(fns, "POST", "api-keys", { bearer: staff.token, body: { name: "x", scopes: ["memory:read"] } })).status).toBe(403);
    expect((await call(fns, "GET", "api-keys", { bearer: staff.token })).status).toBe(403);
    expect((await call(fns, "DELETE", `api-keys/${byAdmin.id}`, { bearer: staff.token })).status).toBe(403);
    expect((await call(fns, "GET", "api-keys")).status).toBe(401);
    expect((await call(fns, "GET", "api-keys", { bearer: byAdmin.key })).status).toBe(401);
  });

  it("answers 400 naming the problem for unknown scopes, no scopes, a past expiry or no name", async () => {
    const owner = shop.members.owner.token;
    const bad = async (body: unknown) => (await call(fns, "POST", "api-keys", { bearer: owner, body })).body.error.details.map((d: { path: string }) => d.path);
    expect(await bad({ name: "x", scopes: ["memory:admin"] })).toEqual(["scopes.0"]);
    expect(await bad({ name: "x", scopes: [] })).toEqual(["scopes"]);
    expect(await bad({ name: "x", scopes: ["memory:read"], expires_at: "2001-01-01T00:00:00Z" })).toEqual(["expires_at"]);
    expect(await bad({ scopes: ["memory:read"] })).toEqual(["name"]);
  });

  it("lists only the active business's keys", async () => {
    const other = await tenantWithTeam(db, "keys-other");
    const theirs = await createKey(fns, other.members.owner.token, ["memory:read"]);
    const mine = (await call(fns, "GET", "api-keys", { bearer: shop.members.owner.token })).body.api_keys;
    expect(mine.map((k: { id: string }) => k.id)).not.toContain(theirs.id);
  });
});

describe("using and revoking keys", () => {
  it("revoked keys get 401 at once; revoking is idempotent; unknown ids and other businesses' keys are 404", async () => {
    const k = await createKey(fns, shop.members.owner.token, ["memory:read"]);
    expect((await useKey(k.key)).status).toBe(404);
    const revoked = await call(fns, "DELETE", `api-keys/${k.id}`, { bearer: shop.members.admin.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.api_key).toMatchObject({ id: k.id, status: "revoked", revoked_at: expect.any(String) });
    const refused = await useKey(k.key);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/revoked/);
    const again = await call(fns, "DELETE", `api-keys/${k.id}`, { bearer: shop.members.owner.token });
    expect(again.body.api_key.revoked_at).toBe(revoked.body.api_key.revoked_at);
    const list = (await call(fns, "GET", "api-keys", { bearer: shop.members.owner.token })).body.api_keys;
    expect(list.find((x: { id: string }) => x.id === k.id).status).toBe("revoked");

    expect((await call(fns, "DELETE", "api-keys/00000000-0000-4000-8000-000000000000", { bearer: shop.members.owner.token })).status).toBe(404);
    expect((await call(fns, "DELETE", "api-keys/not-a-uuid", { bearer: shop.members.owner.token })).status).toBe(404);
    const other = await tenantWithTeam(db, "keys-victim");
    const theirs = await createKey(fns, other.members.owner.token, ["memory:read"]);
    expect((await call(fns, "DELETE", `api-keys/${theirs.id}`, { bearer: shop.members.owner.token })).status).toBe(404);
    expect((await useKey(theirs.key)).status).toBe(404); // still works for its own business
  });

  it("unknown, malformed and expired keys, and keys of a suspended business, get 401", async () => {
    const wellFormed = "fd_live_0123abcd_" + "x".repeat(43);
    const unknown = await useKey(wellFormed);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toMatch(/unknown API key/);
    expect((await useKey("fd_live_short")).status).toBe(401);

    const expiring = await createKey(fns, shop.members.owner.token, ["memory:read"], { expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await useKey(expiring.key)).status).toBe(404);
    await db.sql`update public.api_keys set expires_at = now() - interval '1 second' where id = ${expiring.id}`;
    const expired = await useKey(expiring.key);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);
    const list = (await call(fns, "GET", "api-keys", { bearer: shop.members.owner.token })).body.api_keys;
    expect(list.find((x: { id: string }) => x.id === expiring.id).status).toBe("expired");

    const t = await tenantWithTeam(db, "keys-suspended");
    const k = await createKey(fns, t.members.owner.token, ["memory:read"]);
    await db.sql`update public.tenants set status = 'suspended' where id = ${t.id}`;
    const suspended = await useKey(k.key);
    expect(suspended.status).toBe(401);
    expect(suspended.body.error.message).toMatch(/suspended/);
  });

  it("records last use, at most once a minute: no write on every request", async () => {
    const k = await createKey(fns, shop.members.owner.token, ["memory:read", "memory:write"]);
    const row = async () => (await db.sql`select xmin::text as version, last_used_at from public.api_keys where id = ${k.id}`)[0];
    const fresh = await row();
    expect(fresh.last_used_at).toBeNull();

    expect((await useKey(k.key)).status).toBe(404);
    const first = await row();
    expect(first.last_used_at).toBeInstanceOf(Date);
    expect(first.version).not.toBe(fresh.version);

    // Ten more requests within the minute: the row is not written again (same tuple version, same time).
    for (let i = 0; i < 10; i++) await useKey(k.key);
    await call(fns, "POST", "memory", { bearer: k.key, body: { caller: randomPhone(), memories: [{ content: "m" }] } });
    const later = await row();
    expect(later).toEqual(first);

    // A minute later, the next request records it again.
    await db.sql`update public.api_keys set last_used_at = now() - interval '61 seconds' where id = ${k.id}`;
    const stale = await row();
    await useKey(k.key);
    const refreshed = await row();
    expect(refreshed.version).not.toBe(stale.version);
    expect(refreshed.last_used_at.getTime()).toBeGreaterThan(stale.last_used_at.getTime() + 60_000);

    // Last use is not an audited change: the log holds this key's creation and nothing else.
    const audit = await db.sql`select action from public.audit_log where table_name = 'public.api_keys' and row_key ->> 'id' = ${k.id}`;
    expect(audit.map((a) => a.action)).toEqual(["insert"]);
  });

  it("requests racing on a stale last use neither fail nor wait for each other", async () => {
    const k = await createKey(fns, shop.members.owner.token, ["memory:read"]);
    const answers = await Promise.all(Array.from({ length: 12 }, () => useKey(k.key)));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(404));
    const [r] = await db.sql`select last_used_at from public.api_keys where id = ${k.id}`;
    expect(r.last_used_at).toBeInstanceOf(Date);
  });
});
