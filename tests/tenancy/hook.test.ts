// The access-token hook: what Supabase Auth will put in every JWT.
import { describe, expect, it } from "vitest";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { hookClaims } from "../../local/tokens.ts";
import { createUser, outcome, tokenFor, useTestDatabase } from "../helpers/db.ts";
import { addMember, createTenant } from "../helpers/tenants.ts";

const db = useTestDatabase();

describe("custom_access_token_hook", () => {
  it("adds the active tenant, its slug and the member's role, keeping Supabase's required claims", async () => {
    const t = await createTenant(db, "hooked");
    const owner = await addMember(db, t.id, "owner");
    const claims = await hookClaims(db.authAdmin, owner.id);
    expect(claims).toMatchObject({ tenant_id: t.id, tenant_slug: t.slug, tenant_role: "owner", sub: owner.id, role: "authenticated", aud: "authenticated", aal: "aal1" });
    for (const required of ["iss", "exp", "iat", "email", "phone", "session_id", "is_anonymous"]) expect(claims).toHaveProperty(required);
  });

  it("gives no tenant claims to a user without memberships", async () => {
    const loner = await createUser(db, "loner");
    const claims = await hookClaims(db.authAdmin, loner.id);
    expect(claims.sub).toBe(loner.id);
    expect(claims).not.toHaveProperty("tenant_id");
    expect(claims).not.toHaveProperty("tenant_role");
  });

  it("follows switch_tenant for users of several businesses, and skips suspended ones", async () => {
    const first = await createTenant(db, "first");
    const second = await createTenant(db, "second");
    const user = await addMember(db, first.id, "staff");
    await db.sql`insert into public.memberships (tenant_id, user_id, role) values (${second.id}, ${user.id}, 'admin')`;
    expect((await hookClaims(db.authAdmin, user.id)).tenant_id).toBe(first.id); // oldest membership by default

    const token = await tokenFor(db, user.id);
    await db.authenticator.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(decodeJwt(token))}, true)`;
      await tx`select public.switch_tenant(${second.id})`;
    });
    const switched = await hookClaims(db.authAdmin, user.id);
    expect(switched).toMatchObject({ tenant_id: second.id, tenant_role: "admin" });

    await db.sql`update public.tenants set status = 'suspended' where id = ${second.id}`;
    expect((await hookClaims(db.authAdmin, user.id)).tenant_id).toBe(first.id);
  });

  it("signs with the local asymmetric key (kid) by default and with the legacy secret on request", async () => {
    const t = await createTenant(db, "signed");
    const owner = await addMember(db, t.id, "owner");
    expect(decodeProtectedHeader(await tokenFor(db, owner.id))).toMatchObject({ alg: "ES256", kid: "b81269f1-21d8-4f2e-b719-c2240a840d90" });
    expect(decodeProtectedHeader(await tokenFor(db, owner.id, { alg: "HS256" }))).toMatchObject({ alg: "HS256" });
  });

  it("is callable by supabase_auth_admin only, as Supabase requires", async () => {
    const event = JSON.stringify({ user_id: "00000000-0000-0000-0000-000000000000", claims: {} });
    for (const role of ["anon", "authenticated"]) {
      const code = await outcome(db.authenticator.begin(async (tx) => {
        await tx.unsafe(`set local role ${role}`);
        await tx`select public.custom_access_token_hook(${event}::jsonb)`;
      }));
      expect(code, role).toBe("42501");
    }
  });
});
