// A business always keeps at least one owner, whoever tries and however.
import { describe, expect, it } from "vitest";
import { asRequest, outcome, tokenFor, useTestDatabase } from "../helpers/db.ts";
import { addMember, createTenant } from "../helpers/tenants.ts";

const db = useTestDatabase();

describe("last owner", () => {
  it("refuses demoting the only owner, with a clear error", async () => {
    const t = await createTenant(db, "solo");
    const owner = await addMember(db, t.id, "owner");
    const token = await tokenFor(db, owner.id);
    const err = await asRequest(db, token, (tx) => tx`update public.memberships set role = 'admin' where tenant_id = ${t.id} and user_id = ${owner.id}`).catch((e) => e);
    expect(err.code).toBe("PT409");
    expect(err.message).toMatch(/at least one owner/);
    expect((await db.sql`select role from public.memberships where user_id = ${owner.id}`)[0].role).toBe("owner");
  });

  it("refuses removing the only owner, even by the owner leaving or as the schema owner", async () => {
    const t = await createTenant(db, "solo2");
    const owner = await addMember(db, t.id, "owner");
    const token = await tokenFor(db, owner.id);
    expect(await outcome(asRequest(db, token, (tx) => tx`delete from public.memberships where tenant_id = ${t.id} and user_id = ${owner.id}`))).toBe("PT409");
    expect(await outcome(db.sql`delete from public.memberships where tenant_id = ${t.id}`)).toBe("PT409");
    expect(await outcome(db.sql`delete from auth.users where id = ${owner.id}`)).toBe("PT409");
  });

  it("allows it once another owner exists", async () => {
    const t = await createTenant(db, "duo");
    const first = await addMember(db, t.id, "owner");
    const second = await addMember(db, t.id, "owner");
    const token = await tokenFor(db, first.id);
    const r = await asRequest(db, token, (tx) => tx`update public.memberships set role = 'staff' where tenant_id = ${t.id} and user_id = ${second.id}`);
    expect(r.count).toBe(1);
    // and now `first` is the last owner again
    expect(await outcome(asRequest(db, token, (tx) => tx`delete from public.memberships where tenant_id = ${t.id} and user_id = ${first.id}`))).toBe("PT409");
  });

  it("lets the whole business be deleted, memberships with it", async () => {
    const t = await createTenant(db, "closing");
    await addMember(db, t.id, "owner");
    await db.sql`delete from public.tenants where id = ${t.id}`;
    expect((await db.sql`select 1 from public.memberships where tenant_id = ${t.id}`).count).toBe(0);
  });

  it("holds under concurrent removal of two owners", async () => {
    const t = await createTenant(db, "race");
    const x = await addMember(db, t.id, "owner");
    const y = await addMember(db, t.id, "owner");
    const results = await Promise.all([
      outcome(db.sql`delete from public.memberships where tenant_id = ${t.id} and user_id = ${x.id}`),
      outcome(db.sql`delete from public.memberships where tenant_id = ${t.id} and user_id = ${y.id}`),
    ]);
    expect(results.sort()).toEqual(["PT409", "ok"]);
    expect((await db.sql`select 1 from public.memberships where tenant_id = ${t.id} and role = 'owner'`).count).toBe(1);
  });
});
