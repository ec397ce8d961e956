// Access ends on the next request when a membership is revoked or a business suspended, although the JWT the
// client holds is still valid and still names the tenant.
import { describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { asRequest, useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam } from "../helpers/tenants.ts";

const db = useTestDatabase();

const team = (token: string, tenantId: string) =>
  asRequest(db, token, (tx) => tx`select user_id from public.memberships where tenant_id = ${tenantId}`);

describe("immediate revocation", () => {
  it("a removed member sees nothing of the business with the token issued before removal", async () => {
    const t = await tenantWithTeam(db, "revoke");
    expect((await team(t.members.staff.token, t.id)).count).toBe(3);
    await db.sql`delete from public.memberships where tenant_id = ${t.id} and user_id = ${t.members.staff.id}`;
    expect(decodeJwt(t.members.staff.token).tenant_id).toBe(t.id); // the old token still claims the tenant
    expect((await team(t.members.staff.token, t.id)).count).toBe(0);
    expect((await asRequest(db, t.members.staff.token, (tx) => tx`select 1 from public.invitations where tenant_id = ${t.id}`)).count).toBe(0);
  });

  it("a demoted admin loses admin rights at once (the live role counts, not the token's)", async () => {
    const t = await tenantWithTeam(db, "demote");
    await db.sql`update public.memberships set role = 'staff' where tenant_id = ${t.id} and user_id = ${t.members.admin.id}`;
    expect(decodeJwt(t.members.admin.token).tenant_role).toBe("admin");
    const r = await asRequest(db, t.members.admin.token, (tx) => tx`update public.tenants set name = 'hijack' where id = ${t.id}`);
    expect(r.count).toBe(0);
  });

  it("a suspended business is closed to all its members until reactivated", async () => {
    const t = await tenantWithTeam(db, "suspend");
    await db.sql`update public.tenants set status = 'suspended' where id = ${t.id}`;
    for (const role of ["owner", "admin", "staff"] as const) {
      // Only their own membership row stays visible (so the app can show "suspended"); the team does not.
      const rows = await team(t.members[role].token, t.id);
      expect(rows.map((r) => r.user_id), role).toEqual([t.members[role].id]);
      const upd = await asRequest(db, t.members[role].token, (tx) => tx`update public.tenants set name = 'x' where id = ${t.id}`);
      expect(upd.count, role).toBe(0);
    }
    await db.sql`update public.tenants set status = 'active' where id = ${t.id}`;
    expect((await team(t.members.owner.token, t.id)).count).toBe(3);
  });

  it("a token naming a tenant the user never belonged to grants nothing", async () => {
    const a = await tenantWithTeam(db, "victim");
    const b = await tenantWithTeam(db, "attacker");
    // Forge nothing: take a real token of B's owner and re-sign its claims pointing at A (as a leaked secret would).
    const { signAsymmetric } = await import("../../local/keys.ts");
    const claims = { ...decodeJwt(b.members.owner.token), tenant_id: a.id };
    const forged = await signAsymmetric(claims);
    expect((await team(forged, a.id)).count).toBe(0);
  });

  it("the per-transaction access cache follows a membership change made inside the same transaction", async () => {
    const t = await tenantWithTeam(db, "cache");
    const counts = await asRequest(db, t.members.owner.token, async (tx) => {
      const before = (await tx`select 1 from public.memberships where tenant_id = ${t.id}`).count;
      await tx`delete from public.memberships where tenant_id = ${t.id} and user_id = ${t.members.admin.id}`;
      const after = (await tx`select 1 from public.memberships where tenant_id = ${t.id}`).count;
      await tx`update public.memberships set role = 'staff' where tenant_id = ${t.id} and user_id = ${t.members.staff.id}`;
      return { before, after };
    });
    expect(counts).toEqual({ before: 3, after: 2 });
  });

  it("a cached answer is never reused by the next request on the same connection", async () => {
    const t = await tenantWithTeam(db, "pooled");
    const conn = (await import("postgres")).default(db.urlFor("authenticator"), { max: 1, onnotice: () => {} });
    const { verifyJwt } = await import("../../supabase/functions/_shared/auth/jwt.ts");
    const claims = JSON.stringify(await verifyJwt(t.members.staff.token));
    const request = () => conn.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
      return (await tx`select 1 from public.customers`).count + (await tx`select 1 from public.memberships where tenant_id = ${t.id}`).count;
    });
    try {
      expect(await request()).toBe(3);
      await db.sql`delete from public.memberships where tenant_id = ${t.id} and user_id = ${t.members.staff.id}`;
      expect(await request()).toBe(0); // same connection, same claims, next transaction: resolved afresh
    } finally {
      await conn.end();
    }
  });
});
