// The onboarding Edge Function through supabase-js `functions.invoke`, with real JWTs from the hook, against the
// local functions gateway (verify_jwt honoured) and this file's database.
import { describe, expect, it } from "vitest";
import { FunctionsHttpError } from "@supabase/supabase-js";
import { createUser, tokenFor, useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { tenantWithTeam } from "../helpers/tenants.ts";

const db = useTestDatabase();
const fns = useFunctions(db);

async function invoke(token: string | undefined, path: string, init: { method?: "GET" | "POST"; body?: unknown } = {}) {
  const { data, error } = await fns.client(token).functions.invoke(path, { method: init.method ?? "POST", body: init.body as never });
  if (error instanceof FunctionsHttpError) {
    return { status: error.context.status as number, body: await error.context.json() };
  }
  if (error) throw error;
  return { status: 200, body: data };
}

describe("POST /onboarding", () => {
  it("creates the business and makes the caller its owner, atomically", async () => {
    const user = await createUser(db, "founder");
    const token = await tokenFor(db, user.id);
    const res = await invoke(token, "onboarding", { body: { slug: "sharp-cuts", name: "Sharp Cuts", timezone: "Europe/Madrid", category: "barbershop" } });
    expect(res.body.tenant).toMatchObject({ slug: "sharp-cuts", name: "Sharp Cuts", timezone: "Europe/Madrid", status: "active" });
    const [m] = await db.sql`select role from public.memberships where tenant_id = ${res.body.tenant.id} and user_id = ${user.id}`;
    expect(m.role).toBe("owner");

    // A fresh token now carries the new business.
    const fresh = await tokenFor(db, user.id);
    const list = await invoke(fresh, "onboarding/tenants", { method: "GET" });
    expect(list.body.tenants).toEqual([expect.objectContaining({ slug: "sharp-cuts", role: "owner", active: true })]);
  });

  it("answers 409 for a taken slug and leaves nothing behind", async () => {
    const user = await createUser(db, "second");
    const token = await tokenFor(db, user.id);
    await invoke(token, "onboarding", { body: { slug: "taken-slug", name: "First" } });
    const other = await createUser(db, "third");
    const res = await invoke(await tokenFor(db, other.id), "onboarding", { body: { slug: "taken-slug", name: "Second" } });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/taken-slug.*taken/);
    expect((await db.sql`select 1 from public.memberships where user_id = ${other.id}`).count).toBe(0);
  });

  it("answers 400 naming the problem for a bad time zone or a malformed body", async () => {
    const user = await createUser(db, "tz");
    const token = await tokenFor(db, user.id);
    const tz = await invoke(token, "onboarding", { body: { slug: "mars-shop", name: "Mars", timezone: "Mars/Olympus_Mons" } });
    expect(tz.status).toBe(400);
    expect(tz.body.error.message).toMatch(/time zone "Mars\/Olympus_Mons"/);
    const bad = await invoke(token, "onboarding", { body: { slug: "No Spaces!", name: "" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["name", "slug"]);
    expect((await db.sql`select 1 from public.tenants where slug = 'mars-shop'`).count).toBe(0);
  });

  it("answers 401 without a JWT, with a forged one, and with the anon key (not a user)", async () => {
    const noJwt = await fetch(`${fns.url}/onboarding`, { method: "POST", body: "{}" });
    expect(noJwt.status).toBe(401);
    const forged = await fetch(`${fns.url}/onboarding`, { method: "POST", body: "{}", headers: { authorization: "Bearer eyJhbGciOiJFUzI1NiJ9.e30.AAAA" } });
    expect(forged.status).toBe(401);
    const anon = await invoke(undefined, "onboarding", { body: { slug: "anon-shop", name: "Anon" } });
    expect(anon.status).toBe(401);
  });

  it("accepts legacy HS256 user tokens signed with the JWT secret", async () => {
    const user = await createUser(db, "legacy");
    const token = await tokenFor(db, user.id, { alg: "HS256" });
    const res = await invoke(token, "onboarding", { body: { slug: "legacy-shop", name: "Legacy" } });
    expect(res.body.tenant.slug).toBe("legacy-shop");
  });
});

describe("invitations through /onboarding", () => {
  it("owner invites, invitee accepts with the token, and becomes a member with that role", async () => {
    const t = await tenantWithTeam(db, "inviting");
    const invitee = await createUser(db, "invitee");
    const inv = await invoke(t.members.owner.token, "onboarding/invitations", { body: { email: invitee.email.toUpperCase(), role: "admin" } });
    expect(inv.body.invitation).toMatchObject({ email: invitee.email, role: "admin", tenant_id: t.id });
    expect(inv.body.invitation.token).toMatch(/^fdinv_/);
    const [stored] = await db.sql`select token_hash from public.invitations where id = ${inv.body.invitation.invitation_id}`;
    expect(Buffer.from(stored.token_hash).toString("utf8")).not.toContain(inv.body.invitation.token);

    const accepted = await invoke(await tokenFor(db, invitee.id), "onboarding/invitations/accept", { body: { token: inv.body.invitation.token } });
    expect(accepted.body.membership).toMatchObject({ tenant_id: t.id, user_id: invitee.id, role: "admin" });
    const again = await invoke(await tokenFor(db, invitee.id), "onboarding/invitations/accept", { body: { token: inv.body.invitation.token } });
    expect(again.status).toBe(409);
  });

  it("staff cannot invite (403); an invitation for someone else cannot be accepted (403); unknown token 404", async () => {
    const t = await tenantWithTeam(db, "guarded");
    const byStaff = await invoke(t.members.staff.token, "onboarding/invitations", { body: { email: "x@y.example" } });
    expect(byStaff.status).toBe(403);
    const inv = await invoke(t.members.admin.token, "onboarding/invitations", { body: { email: "intended@y.example" } });
    const stranger = await createUser(db, "stranger");
    const wrong = await invoke(await tokenFor(db, stranger.id), "onboarding/invitations/accept", { body: { token: inv.body.invitation.token } });
    expect(wrong.status).toBe(403);
    const unknown = await invoke(await tokenFor(db, stranger.id), "onboarding/invitations/accept", { body: { token: "fdinv_does-not-exist" } });
    expect(unknown.status).toBe(404);
  });

  it("an admin cannot invite an owner", async () => {
    const t = await tenantWithTeam(db, "no-owner-invite");
    const res = await invoke(t.members.admin.token, "onboarding/invitations", { body: { email: "boss@y.example", role: "owner" } });
    expect(res.status).toBe(403);
  });
});

describe("switching business", () => {
  it("switches the active business for the next token; refuses a business the caller is not in", async () => {
    const a = await tenantWithTeam(db, "switch-a");
    const b = await tenantWithTeam(db, "switch-b");
    await db.sql`insert into public.memberships (tenant_id, user_id, role) values (${b.id}, ${a.members.staff.id}, 'admin')`;
    const res = await fetch(`${fns.url}/onboarding/switch`, {
      method: "POST", body: JSON.stringify({ tenant_id: b.id }), headers: { authorization: `Bearer ${a.members.staff.token}` },
    });
    expect(res.status).toBe(204);
    const list = await invoke(await tokenFor(db, a.members.staff.id), "onboarding/tenants", { method: "GET" });
    expect(list.body.tenants.find((t: { active: boolean }) => t.active).tenant_id).toBe(b.id);
    const refused = await invoke(a.members.owner.token, "onboarding/switch", { body: { tenant_id: b.id } });
    expect(refused.status).toBe(404);
  });
});
