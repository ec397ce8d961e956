// Finding 12: accepting an invitation trusted the JWT's `email` claim alone. Now public.accept_invitation reads the
// account's own address from auth.users and requires it confirmed (email_confirmed_at). Through the onboarding
// function (POST /onboarding/invitations/accept), as an app calls it with an access token; memberships and the
// invitation are read back as the schema owner.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { signAsymmetric } from "../../local/keys.ts";
import { hookClaims } from "../../local/tokens.ts";
import { createUser, tokenFor, useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { call } from "../memory/fixtures.ts";
import { countOf, rowsOf } from "./helpers.ts";

const db = useTestDatabase();
const fns = useFunctions(db);

let shop: TestTenant;
beforeAll(async () => {
  shop = await tenantWithTeam(db, "inviting");
});

/** An invitation to `email` from the shop's owner, through the onboarding function; its one-time token. */
async function invite(email: string): Promise<{ id: string; token: string }> {
  const res = await call(fns, "POST", "onboarding/invitations", { bearer: shop.members.owner.token, body: { email, role: "admin" } });
  expect(res.status).toBe(201);
  return { id: res.body.invitation.invitation_id, token: res.body.invitation.token };
}

const accept = (bearer: string, token: string) => call(fns, "POST", "onboarding/invitations/accept", { bearer, body: { token } });

/** A sign-up that has not confirmed its address yet (auth.users as Auth leaves it before the confirmation link). */
async function unconfirmedUser(email: string): Promise<string> {
  const [u] = await db.sql`
    insert into auth.users (aud, role, email, email_confirmed_at, raw_app_meta_data)
    values ('authenticated', 'authenticated', ${email}, null, '{"provider":"email","providers":["email"]}') returning id`;
  return u.id;
}

const invitationRow = (id: string) => rowsOf(db, "public.invitations", "id = $1", id);
const membershipsIn = (tenantId: string) => rowsOf(db, "public.memberships", "tenant_id = $1", tenantId);

describe("accepting an invitation takes a confirmed address of the account itself", () => {
  it("an account whose address is not confirmed gets 403, even with a token whose email claim matches; nothing changes", async () => {
    const email = `newcomer-${randomBytes(4).toString("hex")}@test.example`;
    const inv = await invite(email);
    const userId = await unconfirmedUser(email);
    const token = await tokenFor(db, userId);
    expect((await hookClaims(db.authAdmin, userId)).email).toBe(email); // the claim does say the invitee's address

    const team = await membershipsIn(shop.id);
    const invitation = await invitationRow(inv.id);
    const res = await accept(token, inv.token);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/confirm your e-mail/);
    expect(await countOf(db, "public.memberships", "user_id = $1", userId)).toBe(0);
    expect(await membershipsIn(shop.id)).toEqual(team);
    expect(await invitationRow(inv.id)).toEqual(invitation);

    // Once the account confirms the address, the same invitation is theirs to accept.
    await db.sql`update auth.users set email_confirmed_at = now() where id = ${userId}`;
    const confirmed = await accept(await tokenFor(db, userId), inv.token);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.membership).toMatchObject({ tenant_id: shop.id, user_id: userId, role: "admin" });
  });

  it("a token whose email claim is forged to the invitee's address, for an account with another address, gets 403", async () => {
    const email = `invitee-${randomBytes(4).toString("hex")}@test.example`;
    const inv = await invite(email);
    const intruder = await createUser(db, "intruder"); // confirmed, but its own address
    // A validly signed token with the hook's claims, its `email` replaced by the invitee's (and email verified).
    const claims = await hookClaims(db.authAdmin, intruder.id);
    const forged = await signAsymmetric({ ...claims, email, user_metadata: { email, email_verified: true } });

    const team = await membershipsIn(shop.id);
    const invitation = await invitationRow(inv.id);
    const res = await accept(forged, inv.token);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/another e-mail address/);
    expect(await countOf(db, "public.memberships", "user_id = $1", intruder.id)).toBe(0);
    expect(await membershipsIn(shop.id)).toEqual(team);
    expect(await invitationRow(inv.id)).toEqual(invitation);
  });

  it("the confirmed invitee gets 200 and becomes a member with the invitation's role", async () => {
    const invitee = await createUser(db, "invitee");
    const inv = await invite(invitee.email);
    const res = await accept(await tokenFor(db, invitee.id), inv.token);
    expect(res.status).toBe(200);
    expect(res.body.membership).toMatchObject({ tenant_id: shop.id, user_id: invitee.id, role: "admin" });
    const [row] = await db.sql`select accepted_by from public.invitations where id = ${inv.id}`;
    expect(row.accepted_by).toBe(invitee.id);
  });
});
