// Finding 6: an admin set api_keys.revoked_at back to null and the revoked key worked again. Now a trigger
// (private.api_keys_one_way) keeps a revoked key revoked (PT409), stamps revoked_at with the moment of revocation
// whatever the client sends, and lets a key's expiry only be brought forward. Keys are created and revoked through
// the api-keys function and used against the memory function, as an integration would; the un-revoke and the
// re-dating are tried as PostgREST runs them for the admin's and the owner's hook-made JWTs.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { call, createKey } from "../memory/fixtures.ts";
import { attempt, rowsOf } from "./helpers.ts";

const db = useTestDatabase();
const fns = useFunctions(db);

let shop: TestTenant;
beforeAll(async () => {
  shop = await tenantWithTeam(db, "unrevoke");
});

/** Any request with the key: recall of a number nobody knows (404 means the key was accepted, 401 that it was not). */
const useKey = (key: string) => call(fns, "GET", "memory", { bearer: key, query: { caller: "+15550001111" } });
const keyRow = async (id: string) => (await rowsOf(db, "public.api_keys", "id = $1", id))[0] as Record<string, unknown>;

describe("a revoked API key stays revoked", () => {
  for (const role of ["admin", "owner"] as const) {
    it(`${role}: setting revoked_at back to null (or re-dating it) is refused with PT409; the key still gets 401`, async () => {
      const token = shop.members[role].token;
      const k = await createKey(fns, token, ["memory:read"]);
      expect((await useKey(k.key)).status).toBe(404);
      const revoked = await call(fns, "DELETE", `api-keys/${k.id}`, { bearer: token });
      expect(revoked.status).toBe(200);
      expect((await useKey(k.key)).status).toBe(401);
      const before = await keyRow(k.id);
      expect(before.revoked_at).not.toBeNull();

      expect(await attempt(db, token, (tx) => tx`update public.api_keys set revoked_at = null where id = ${k.id} returning id`)).toBe("PT409");
      expect(await attempt(db, token, (tx) => tx`update public.api_keys set revoked_at = '2999-01-01' where id = ${k.id} returning id`)).toBe("PT409");
      // Bundled with a harmless change, in the same statement.
      expect(await attempt(db, token, (tx) => tx`update public.api_keys set name = 'renamed', revoked_at = null where id = ${k.id} returning id`)).toBe("PT409");

      expect(await keyRow(k.id)).toEqual(before);
      const after = await useKey(k.key);
      expect(after.status).toBe(401);
      expect(after.body.error.message).toMatch(/revoked/);
    });
  }

  it("revoking by update stamps now(), whatever revoked_at the client sends (no revocation dated into the future)", async () => {
    const k = await createKey(fns, shop.members.admin.token, ["memory:read"]);
    const res = await attempt(db, shop.members.admin.token, (tx) => tx`
      update public.api_keys set revoked_at = '2999-01-01' where id = ${k.id} returning id`);
    expect(res).toBe("rows=1");
    const [row] = await db.sql`select abs(extract(epoch from revoked_at - now())) < 60 as now_ish from public.api_keys where id = ${k.id}`;
    expect(row.now_ish).toBe(true);
    expect((await useKey(k.key)).status).toBe(401);
  });
});

describe("a key's expiry only comes forward", () => {
  it("extending expires_at or removing it is refused (PT409), the row unchanged; bringing it forward works", async () => {
    const expiry = new Date(Date.now() + 3_600_000);
    const k = await createKey(fns, shop.members.owner.token, ["memory:read"], { expires_at: expiry.toISOString() });
    expect((await useKey(k.key)).status).toBe(404);
    const before = await keyRow(k.id);

    for (const token of [shop.members.admin.token, shop.members.owner.token]) {
      expect(await attempt(db, token, (tx) => tx`
        update public.api_keys set expires_at = now() + interval '10 years' where id = ${k.id} returning id`)).toBe("PT409");
      expect(await attempt(db, token, (tx) => tx`update public.api_keys set expires_at = null where id = ${k.id} returning id`)).toBe("PT409");
    }
    expect(await keyRow(k.id)).toEqual(before);

    const sooner = new Date(Date.now() + 1_800_000);
    expect(await attempt(db, shop.members.admin.token, (tx) => tx`
      update public.api_keys set expires_at = ${sooner} where id = ${k.id} returning id`)).toBe("rows=1");
    const [row] = await db.sql`select expires_at from public.api_keys where id = ${k.id}`;
    expect(new Date(row.expires_at).getTime()).toBe(sooner.getTime());
    expect((await useKey(k.key)).status).toBe(404);
  });

  it("an expired key cannot be brought back by moving its expiry later (PT409); it keeps getting 401", async () => {
    const k = await createKey(fns, shop.members.admin.token, ["memory:read"], { expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    expect(await attempt(db, shop.members.admin.token, (tx) => tx`
      update public.api_keys set expires_at = now() - interval '1 second' where id = ${k.id} returning id`)).toBe("rows=1");
    expect((await useKey(k.key)).status).toBe(401);
    const before = await keyRow(k.id);
    expect(await attempt(db, shop.members.admin.token, (tx) => tx`
      update public.api_keys set expires_at = now() + interval '1 day' where id = ${k.id} returning id`)).toBe("PT409");
    expect(await attempt(db, shop.members.admin.token, (tx) => tx`update public.api_keys set expires_at = null where id = ${k.id} returning id`)).toBe("PT409");
    expect(await keyRow(k.id)).toEqual(before);
    expect((await useKey(k.key)).status).toBe(401);
  });

  it("a key without expiry may be given one (that only shortens its life)", async () => {
    const k = await createKey(fns, shop.members.admin.token, ["memory:read"]);
    expect(await attempt(db, shop.members.admin.token, (tx) => tx`
      update public.api_keys set expires_at = now() - interval '1 second' where id = ${k.id} returning id`)).toBe("rows=1");
    expect((await useKey(k.key)).status).toBe(401);
  });
});
