// Builds businesses and their teams directly in SQL (as the migration owner), for tests about access rules.
import { randomBytes } from "node:crypto";
import { createUser, tokenFor, type TestDb } from "./db.ts";

export type Role = "owner" | "admin" | "staff";

export interface Member { id: string; email: string; role: Role; token: string }
export interface TestTenant { id: string; slug: string; members: Record<Role, Member> }

export async function createTenant(db: TestDb, label = "shop", timezone = "UTC"): Promise<{ id: string; slug: string }> {
  const slug = `${label}-${randomBytes(4).toString("hex")}`;
  const [t] = await db.sql`
    insert into public.tenants (slug, name, timezone) values (${slug}, ${label}, ${timezone}) returning id, slug`;
  return { id: t.id, slug: t.slug };
}

export async function addMember(db: TestDb, tenantId: string, role: Role, label: string = role): Promise<Omit<Member, "token">> {
  const user = await createUser(db, label);
  await db.sql`insert into public.memberships (tenant_id, user_id, role) values (${tenantId}, ${user.id}, ${role})`;
  return { ...user, role };
}

/** A business with an owner, an admin and a staff member, each holding a token minted through the hook. */
export async function tenantWithTeam(db: TestDb, label = "shop", timezone = "UTC"): Promise<TestTenant> {
  const tenant = await createTenant(db, label, timezone);
  const members = {} as Record<Role, Member>;
  for (const role of ["owner", "admin", "staff"] as const) {
    const m = await addMember(db, tenant.id, role, `${label}-${role}`);
    members[role] = { ...m, token: await tokenFor(db, m.id) };
  }
  return { ...tenant, members };
}
