// The role × operation matrix for the tenancy tables: owner, admin, staff, a member of another business and anon,
// each trying select/insert/update/delete on business A's rows, through the same path PostgREST takes.
import { beforeAll, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { asRequest, createUser, useTestDatabase } from "../helpers/db.ts";
import { addMember, tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import type postgres from "postgres";

const db = useTestDatabase();
let a: TestTenant;
let b: TestTenant;

beforeAll(async () => {
  a = await tenantWithTeam(db, "alpha");
  b = await tenantWithTeam(db, "bravo");
});

type Actor = "owner" | "admin" | "staff" | "other" | "anon";
const actors: Actor[] = ["owner", "admin", "staff", "other", "anon"];
const token = (actor: Actor) => (actor === "anon" ? null : actor === "other" ? b.members.owner.token : a.members[actor].token);

/** Rows the statement touched, or "denied" when Postgres refused it outright. */
async function attempt(actor: Actor, stmt: (tx: postgres.TransactionSql) => Promise<postgres.RowList<postgres.Row[]>>) {
  try {
    const rows = await asRequest(db, token(actor), stmt);
    return rows.count;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "42501") return "denied";
    throw err;
  }
}
const allowed = (r: number | "denied") => typeof r === "number" && r > 0;

function invitationRow(tenantId: string) {
  return {
    tenant_id: tenantId,
    email: `${randomBytes(4).toString("hex")}@invitee.example`,
    role: "staff",
    token_hash: createHash("sha256").update(randomBytes(16)).digest(),
  };
}

const may = {
  read: ["owner", "admin", "staff"] as Actor[],
  manage: ["owner", "admin"] as Actor[],
};

describe.each(actors)("%s", (actor) => {
  describe("tenants", () => {
    it("select", async () => {
      const rows = await asRequest(db, token(actor), (tx) => tx`select id from public.tenants where id in (${a.id}, ${b.id})`);
      const expected = may.read.includes(actor) ? [a.id] : actor === "other" ? [b.id] : [];
      expect(rows.map((r) => r.id)).toEqual(expected);
    });
    it("insert", async () => {
      const r = await attempt(actor, (tx) => tx`insert into public.tenants (slug, name) values (${"x-" + randomBytes(3).toString("hex")}, 'X')`);
      expect(allowed(r)).toBe(false);
    });
    it("update", async () => {
      const name = `renamed by ${actor}`;
      const r = await attempt(actor, (tx) => tx`update public.tenants set name = ${name} where id = ${a.id}`);
      expect(allowed(r)).toBe(may.manage.includes(actor));
      const [row] = await db.sql`select name from public.tenants where id = ${a.id}`;
      expect(row.name === name).toBe(may.manage.includes(actor));
    });
    it("update of status or slug is never the client's", async () => {
      const r = await attempt(actor, (tx) => tx`update public.tenants set status = 'suspended' where id = ${a.id}`);
      expect(r).toBe("denied");
    });
    it("delete", async () => {
      const r = await attempt(actor, (tx) => tx`delete from public.tenants where id = ${a.id}`);
      expect(allowed(r)).toBe(false);
      expect((await db.sql`select 1 from public.tenants where id = ${a.id}`).count).toBe(1);
    });
  });

  describe("memberships", () => {
    it("select", async () => {
      const seen = await attempt(actor, (tx) => tx`select user_id from public.memberships where tenant_id = ${a.id}`);
      expect(seen).toBe(may.read.includes(actor) ? 3 : 0);
    });
    it("insert: nobody (memberships come only from create_tenant and accept_invitation)", async () => {
      const newcomer = await createUser(db, "newcomer");
      const r = await attempt(actor, (tx) => tx`insert into public.memberships (tenant_id, user_id, role) values (${a.id}, ${newcomer.id}, 'staff')`);
      expect(allowed(r)).toBe(false);
      expect((await db.sql`select 1 from public.memberships where user_id = ${newcomer.id}`).count).toBe(0);
    });
    it("update", async () => {
      const target = await addMember(db, a.id, "staff", "target");
      const r = await attempt(actor, (tx) => tx`update public.memberships set role = 'admin' where tenant_id = ${a.id} and user_id = ${target.id}`);
      expect(allowed(r)).toBe(may.manage.includes(actor));
      const [row] = await db.sql`select role from public.memberships where user_id = ${target.id}`;
      expect(row.role).toBe(may.manage.includes(actor) ? "admin" : "staff");
      await db.sql`delete from public.memberships where user_id = ${target.id}`;
    });
    it("delete", async () => {
      const target = await addMember(db, a.id, "staff", "target");
      const r = await attempt(actor, (tx) => tx`delete from public.memberships where tenant_id = ${a.id} and user_id = ${target.id}`);
      expect(allowed(r)).toBe(may.manage.includes(actor));
      expect((await db.sql`select 1 from public.memberships where user_id = ${target.id}`).count).toBe(may.manage.includes(actor) ? 0 : 1);
      await db.sql`delete from public.memberships where user_id = ${target.id}`;
    });
  });

  describe("invitations", () => {
    it("select", async () => {
      const inv = invitationRow(a.id);
      await db.sql`insert into public.invitations ${db.sql(inv)}`;
      const seen = await attempt(actor, (tx) => tx`select id from public.invitations where tenant_id = ${a.id} and email = ${inv.email}`);
      expect(seen).toBe(may.read.includes(actor) ? 1 : 0);
    });
    it("insert: nobody (invitations come only from invite_member, which draws the token)", async () => {
      const inv = invitationRow(a.id);
      const r = await attempt(actor, (tx) => tx`insert into public.invitations ${tx(inv)}`);
      expect(allowed(r)).toBe(false);
      expect((await db.sql`select 1 from public.invitations where email = ${inv.email}`).count).toBe(0);
    });
    it("update", async () => {
      const inv = invitationRow(a.id);
      const [row] = await db.sql`insert into public.invitations ${db.sql(inv)} returning id`;
      const r = await attempt(actor, (tx) => tx`update public.invitations set expires_at = now() + interval '14 days' where id = ${row.id}`);
      expect(allowed(r)).toBe(may.manage.includes(actor));
    });
    it("delete", async () => {
      const inv = invitationRow(a.id);
      const [row] = await db.sql`insert into public.invitations ${db.sql(inv)} returning id`;
      const r = await attempt(actor, (tx) => tx`delete from public.invitations where id = ${row.id}`);
      expect(allowed(r)).toBe(may.manage.includes(actor));
      expect((await db.sql`select 1 from public.invitations where id = ${row.id}`).count).toBe(may.manage.includes(actor) ? 0 : 1);
    });
  });
});

describe("role boundaries inside a business", () => {
  it("an admin cannot make anyone owner, nor change an owner; an owner can", async () => {
    const t = await tenantWithTeam(db, "bounds");
    const target = await addMember(db, t.id, "staff", "promote-me");
    const byAdmin = await asRequest(db, t.members.admin.token, (tx) => tx`update public.memberships set role = 'owner' where tenant_id = ${t.id} and user_id = ${target.id}`).catch((e) => e.code);
    expect(byAdmin).toBe("42501");
    const demoteOwner = await asRequest(db, t.members.admin.token, (tx) => tx`update public.memberships set role = 'staff' where tenant_id = ${t.id} and user_id = ${t.members.owner.id}`);
    expect(demoteOwner.count).toBe(0);
    const byOwner = await asRequest(db, t.members.owner.token, (tx) => tx`update public.memberships set role = 'owner' where tenant_id = ${t.id} and user_id = ${target.id}`);
    expect(byOwner.count).toBe(1);
  });

  it("a staff member may leave; cannot remove others", async () => {
    const t = await tenantWithTeam(db, "leaving");
    const removeAdmin = await asRequest(db, t.members.staff.token, (tx) => tx`delete from public.memberships where tenant_id = ${t.id} and user_id = ${t.members.admin.id}`);
    expect(removeAdmin.count).toBe(0);
    const leave = await asRequest(db, t.members.staff.token, (tx) => tx`delete from public.memberships where tenant_id = ${t.id} and user_id = ${t.members.staff.id}`);
    expect(leave.count).toBe(1);
  });
});
