// Finding 2: an admin inserted a membership for any existing user id, back-dated, and the access-token hook then made
// that user's active business the admin's. Now no client inserts memberships (only create_tenant and
// accept_invitation, the user's own acts) and created_at is not a client's to write, so which business a user's token
// names is the user's choice (switch_tenant), else their oldest membership, and no other business can steer it.
import type postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { hookClaims } from "../../local/tokens.ts";
import { asRequest, createUser, tokenFor, useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { attempt, rowsOf } from "./helpers.ts";

const db = useTestDatabase();

let victimShop: TestTenant;
let attacker: TestTenant;
beforeAll(async () => {
  victimShop = await tenantWithTeam(db, "victim");
  attacker = await tenantWithTeam(db, "steer");
});

const claimedTenant = async (userId: string) => (await hookClaims(db.authAdmin, userId)).tenant_id as string | undefined;
type Tx = postgres.TransactionSql;
const membershipsOf = (userId: string) => rowsOf(db, "public.memberships", "user_id = $1", userId);

/** The rows an attacker's admin would write to pull `userId` into its business, each way it could be said. */
const injections = (tenantId: string, userId: string) => [
  (tx: Tx) => tx`
    insert into public.memberships (tenant_id, user_id, role, created_at)
    values (${tenantId}, ${userId}, 'owner', '2000-01-01') returning user_id`,
  (tx: Tx) => tx`
    insert into public.memberships (tenant_id, user_id) values (${tenantId}, ${userId}) returning user_id`,
  (tx: Tx) => tx`
    insert into public.memberships (tenant_id, user_id, role) values (${tenantId}, ${userId}, 'staff')
    on conflict do nothing returning user_id`,
];

describe("membership injection", () => {
  for (const role of ["owner", "admin"] as const) {
    it(`${role} of another business cannot insert a membership for an existing user (42501); the victim's token still names their own business`, async () => {
      const victim = victimShop.members.staff;
      expect(await claimedTenant(victim.id)).toBe(victimShop.id);
      const before = await membershipsOf(victim.id);

      for (const inject of injections(attacker.id, victim.id)) {
        expect(await attempt(db, attacker.members[role].token, inject)).toBe("42501");
      }
      // Nor by choosing the victim's active business for them (the hook's first criterion).
      expect(await attempt(db, attacker.members[role].token, (tx) => tx`
        insert into private.active_tenants (user_id, tenant_id) values (${victim.id}, ${attacker.id}) returning user_id`)).toBe("42501");

      expect(await membershipsOf(victim.id)).toEqual(before);
      expect(await claimedTenant(victim.id)).toBe(victimShop.id);
      const minted = await tokenFor(db, victim.id);
      const inVictimShop = await asRequest(db, minted, (tx) => tx`select (select private.tenant_id_for('staff')) as t`);
      expect(inVictimShop[0].t).toBe(victimShop.id);
    });
  }

  it("a user with no business at all cannot be given one (42501), and their token still names none", async () => {
    const loner = await createUser(db, "loner");
    for (const inject of injections(attacker.id, loner.id)) {
      expect(await attempt(db, attacker.members.admin.token, inject)).toBe("42501");
    }
    expect(await membershipsOf(loner.id)).toEqual([]);
    expect(await claimedTenant(loner.id)).toBeUndefined();
  });
});

describe("a user of two businesses gets a deterministic tenant no other business can steer", () => {
  it("their switch_tenant choice, else their oldest membership; the other business cannot back-date its membership (42501)", async () => {
    const user = await createUser(db, "two-shops");
    const asUser = async <T>(work: (tx: Tx) => Promise<T>) => asRequest(db, await tokenFor(db, user.id), work);

    // Their own business, created the legitimate way (they become its owner).
    const [own] = await asUser((tx) => tx`select id from public.create_tenant(${"own-" + user.id.slice(0, 8)}, 'Own shop')`);
    expect(await claimedTenant(user.id)).toBe(own.id);

    // Invited to the other business and accepting: that business becomes active, by the user's own act.
    const join = async (shop: TestTenant) => {
      const [inv] = await asRequest(db, shop.members.admin.token, (tx) => tx`select token from public.invite_member(${user.email}, 'staff')`);
      await asUser((tx) => tx`select public.accept_invitation(${inv.token})`);
    };
    await join(attacker);
    expect(await claimedTenant(user.id)).toBe(attacker.id);

    // The user chooses their own business.
    await asUser((tx) => tx`select public.switch_tenant(${own.id})`);
    expect(await claimedTenant(user.id)).toBe(own.id);

    // The other business tries to win the hook's ordering: back-dating its membership of the user, as admin and owner.
    const backDate = async () => {
      const before = await membershipsOf(user.id);
      for (const role of ["admin", "owner"] as const) {
        expect(await attempt(db, attacker.members[role].token, (tx) => tx`
          update public.memberships set created_at = '1990-01-01'
          where tenant_id = ${attacker.id} and user_id = ${user.id} returning user_id`)).toBe("42501");
        expect(await attempt(db, attacker.members[role].token, (tx) => tx`
          update public.memberships set created_at = '1990-01-01', role = 'staff'
          where tenant_id = ${attacker.id} and user_id = ${user.id} returning user_id`)).toBe("42501");
      }
      expect(await membershipsOf(user.id)).toEqual(before);
    };
    await backDate();
    expect(await claimedTenant(user.id)).toBe(own.id);

    // No choice recorded any more (the business they had switched to removed them: the choice goes with the
    // membership): the oldest membership decides, which is their own business, not the other one.
    const third = await tenantWithTeam(db, "third");
    await join(third);
    expect(await claimedTenant(user.id)).toBe(third.id);
    expect(await attempt(db, third.members.admin.token, (tx) => tx`
      delete from public.memberships where tenant_id = ${third.id} and user_id = ${user.id} returning user_id`)).toBe("rows=1");
    expect((await db.sql`select 1 from private.active_tenants where user_id = ${user.id}`).count).toBe(0);
    expect(await claimedTenant(user.id)).toBe(own.id);

    await backDate();
    expect(await claimedTenant(user.id)).toBe(own.id);
    // And the order the hook used is the database's own: their own business's membership is the older one.
    const order = await db.sql`select tenant_id from public.memberships where user_id = ${user.id} order by created_at, tenant_id`;
    expect(order.map((r) => r.tenant_id)).toEqual([own.id, attacker.id]);
  });
});
