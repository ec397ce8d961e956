// Tenant isolation for every table in `public`, enumerated from the catalog: a table added later is tested (and
// fails until it has policies, a fixture row in tests/helpers/world.ts, an entry in READ below and its write surface
// in supabase/write-surface.ts).
//
// Who reads a table is stated here (READ); who inserts, updates and deletes is not: it comes from the one
// declaration of the write surface, supabase/write-surface.ts (the least member role it lists for each operation).
// Column by column, and for the API key, the declaration is checked by write-surface.test.ts and
// server-owned.test.ts; this file checks the tenant boundary for every table and role.
//
// Writes are attempted inside PostgREST-style transactions that are then rolled back, so every table keeps its rows
// for the next check. "Refused" means Postgres said no: RLS or privileges (42501), or a statement that matched no
// row. Any other outcome (success, or a constraint firing after the policy let the row through) means "allowed".
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { asRequest, useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam, type Role, type TestTenant } from "../helpers/tenants.ts";
import { buildWorld } from "../helpers/world.ts";
import { MEMBER_ROLES, WRITE_SURFACE, declaredColumns, declaredRoles, type Op } from "../helpers/write-surface.ts";

const db = useTestDatabase();

type Min = Role | null; // least role allowed; null = no client role
interface Rule { read: Role; insert: Min; update: Min; delete: Min; touch?: string }

// Who reads each business table. "tenancy": the role × operation matrix is tests/tenancy/access-matrix.test.ts.
const READ: Record<string, Role | "tenancy"> = {
  tenants: "tenancy", memberships: "tenancy", invitations: "tenancy",
  channels: "staff",
  staff: "staff", services: "staff", staff_services: "staff", business_hours: "staff", closures: "staff",
  customers: "staff", customer_staff_preferences: "staff", customer_service_preferences: "staff",
  bookings: "staff",
  conversations: "staff", messages: "staff",
  voices: "staff", voice_agents: "staff", calls: "staff", call_summaries: "staff",
  caller_profiles: "staff", memories: "staff", personality_metrics: "staff", caller_personality: "staff",
  leads: "staff",
  api_keys: "admin", subscriptions: "admin", usage_events: "admin", usage_monthly: "admin", feature_flags: "staff",
  audit_log: "admin",
  follow_ups: "staff",
  outbound_call_settings: "staff",
};
const GLOBAL_TABLES = new Set(["plans"]);
// `tenants` is keyed by its own id (the distribution key itself); every other table by tenant_id.
const tcol = (table: string) => (table === "tenants" ? "id" : "tenant_id");
const rank = { staff: 1, admin: 2, owner: 3 } as const;
const allows = (min: Min, role: Role) => min !== null && rank[role] >= rank[min];
const isMember = (r: string): r is Role => (MEMBER_ROLES as readonly string[]).includes(r);

/** The least member role write-surface.ts lets do `op` in `table`; null when no member may. */
function minRole(table: string, op: Op): Min {
  const members = declaredRoles(table, op).filter(isMember);
  return members.length ? members.reduce((lo, r) => (rank[r] < rank[lo] ? r : lo)) : null;
}

/** The rule for a table: its reader from READ, its writers from the declaration; "any declared update column" to touch. */
function ruleOf(table: string): Rule | "tenancy" | undefined {
  const read = READ[table];
  if (read === undefined || read === "tenancy") return read;
  return {
    read,
    insert: minRole(table, "insert"), update: minRole(table, "update"), delete: minRole(table, "delete"),
    touch: declaredColumns(table, "update")[0],
  };
}

let a: TestTenant;
let b: TestTenant;
let tables: { name: string; columns: string[]; insertable: string[]; hasId: boolean }[];

class Rollback extends Error {}

/** Runs a statement as `token` in a transaction that is always rolled back; returns rows affected or "refused". */
async function tryAs(token: string | null, statement: string, params: unknown[] = []): Promise<number | "refused" | string> {
  let affected: number | undefined;
  try {
    await asRequest(db, token, async (tx) => {
      affected = (await tx.unsafe(statement, params as never[])).count;
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) {
      const code = (err as { code?: string }).code ?? "";
      return code === "42501" ? "refused" : code;
    }
  }
  return affected === 0 ? "refused" : affected!;
}

async function rowOf(table: string, tenantId: string): Promise<Record<string, unknown>> {
  const [row] = await db.sql.unsafe(`select to_jsonb(t) as r from public.${table} t where ${tcol(table)} = $1 limit 1`, [tenantId]);
  return row.r;
}

/**
 * A copy of `row` into the table: through the declared insert columns where there are some (so what refuses it is the
 * policy, not a missing column privilege; the id is then a fresh default), otherwise through every column.
 */
function copyStatement(t: (typeof tables)[number]) {
  const declared = declaredColumns(t.name, "insert");
  const cols = (declared.length ? declared : t.insertable).map((c) => `"${c}"`).join(", ");
  return `insert into public.${t.name} (${cols}) select ${cols} from jsonb_populate_record(null::public.${t.name}, $1::jsonb)`;
}

/** An UPDATE that changes nothing, of a declared update column where there is one (else of the tenant key). */
function touchStatement(table: string) {
  const col = declaredColumns(table, "update")[0] ?? tcol(table);
  return `update public.${table} set "${col}" = "${col}" where ${tcol(table)} = $1`;
}

beforeAll(async () => {
  a = await tenantWithTeam(db, "iso-a");
  b = await tenantWithTeam(db, "iso-b");
  await buildWorld(db, a.id, a.members.owner.id);
  await buildWorld(db, b.id, b.members.owner.id);
  const rows = await db.sql`
    select c.relname as name,
           array_agg(a.attname::text order by a.attnum) as columns,
           array_agg(a.attname::text order by a.attnum) filter (where a.attgenerated = '' and a.attidentity <> 'a') as insertable
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = 'public' and c.relkind in ('r', 'p')
    group by c.relname order by c.relname`;
  tables = rows.map((r) => ({ name: r.name, columns: r.columns, insertable: r.insertable, hasId: r.columns.includes("id") }));
});

describe("the catalog", () => {
  it("every public table is either a tenant table with its readers here and its write surface declared, or a declared platform catalogue", () => {
    for (const t of tables) {
      if (GLOBAL_TABLES.has(t.name)) continue;
      expect(t.columns, t.name).toContain(tcol(t.name));
      expect(READ[t.name], `${t.name}: add who reads it to READ`).toBeDefined();
      expect(Object.hasOwn(WRITE_SURFACE, t.name), `${t.name}: declare its write surface in supabase/write-surface.ts`).toBe(true);
    }
  });

  it("the declared member writers of every table are upward-closed, so \"at least role R\" describes them", () => {
    for (const table of Object.keys(WRITE_SURFACE)) {
      for (const op of ["insert", "update", "delete"] as const) {
        const min = minRole(table, op);
        const members = MEMBER_ROLES.filter((r) => declaredRoles(table, op).includes(r));
        expect(members, `${table} ${op}`).toEqual(MEMBER_ROLES.filter((r) => allows(min, r)));
      }
    }
  });

  it("every tenant table leads its primary key with tenant_id (shard-ready)", async () => {
    const pks = await db.sql`
      select c.relname as name, (select a.attname from pg_attribute a where a.attrelid = c.oid and a.attnum = i.indkey[0]) as first
      from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and i.indisprimary`;
    for (const pk of pks) if (!GLOBAL_TABLES.has(pk.name)) expect(pk.first, pk.name).toBe(tcol(pk.name));
    expect(pks.length).toBe(tables.length);
  });

  it("every foreign key between tenant tables carries tenant_id, so no row can point into another business", async () => {
    const fks = await db.sql`
      select con.conname, src.relname as src, dst.relname as dst,
             (select array_agg(a.attname::text order by k.ord) from unnest(con.conkey) with ordinality k(attnum, ord)
                join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum) as cols,
             (select array_agg(a.attname::text order by k.ord) from unnest(con.confkey) with ordinality k(attnum, ord)
                join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum) as refcols
      from pg_constraint con
      join pg_class src on src.oid = con.conrelid join pg_namespace sn on sn.oid = src.relnamespace
      join pg_class dst on dst.oid = con.confrelid join pg_namespace dn on dn.oid = dst.relnamespace
      where con.contype = 'f' and sn.nspname = 'public' and dn.nspname = 'public' and dst.relname not in ('tenants', 'plans')`;
    expect(fks.length).toBeGreaterThan(20);
    for (const fk of fks) {
      expect(fk.cols[0], `${fk.conname}`).toBe("tenant_id");
      expect(fk.refcols[0], `${fk.conname}`).toBe("tenant_id");
    }
  });

  it("the fixture world has a row of business A in every tenant table", async () => {
    for (const t of tables) {
      if (GLOBAL_TABLES.has(t.name)) continue;
      const [{ n }] = await db.sql.unsafe(`select count(*)::int as n from public.${t.name} where ${tcol(t.name)} = $1`, [a.id]);
      expect(n, `${t.name}: add a row to tests/helpers/world.ts`).toBeGreaterThan(0);
    }
  });
});

describe("a member of another business", () => {
  it("reads nothing of business A in any table", async () => {
    for (const t of tables) {
      if (GLOBAL_TABLES.has(t.name)) continue;
      const seen = await tryAs(b.members.owner.token, `select 1 from public.${t.name} where ${tcol(t.name)} = $1`, [a.id]);
      expect(seen, t.name).toBe("refused");
      // and sees its own business where its role may read
      const rule = ruleOf(t.name);
      if (rule !== undefined && rule !== "tenancy" && allows(rule.read, "owner")) {
        expect(await tryAs(b.members.owner.token, `select 1 from public.${t.name} where ${tcol(t.name)} = $1`, [b.id]), t.name).not.toBe("refused");
      }
    }
  });

  it("cannot insert rows into business A, update them or delete them", async () => {
    for (const t of tables) {
      if (GLOBAL_TABLES.has(t.name)) continue;
      const row = await rowOf(t.name, a.id);
      if (t.hasId && t.name !== "tenants") row.id = randomUUID();
      expect(await tryAs(b.members.owner.token, copyStatement(t), [row]), `insert ${t.name}`).toBe("refused");
      const key = tcol(t.name);
      expect(await tryAs(b.members.owner.token, touchStatement(t.name), [a.id]), `update ${t.name}`).toBe("refused");
      expect(await tryAs(b.members.owner.token, `delete from public.${t.name} where ${key} = $1`, [a.id]), `delete ${t.name}`).toBe("refused");
    }
  });

  it("cannot move its own rows into business A or point them at A's rows", async () => {
    const [bCustomer] = await db.sql`select id from public.customers where tenant_id = ${b.id}`;
    const moved = await tryAs(b.members.owner.token, `update public.customers set tenant_id = $1 where id = $2`, [a.id, bCustomer.id]);
    expect(moved).toBe("refused");
    // A booking in B for A's customer: the composite foreign key refuses it even where the policy would not.
    const [aCustomer] = await db.sql`select id from public.customers where tenant_id = ${a.id}`;
    const [bRefs] = await db.sql`select service_id, staff_id from public.bookings where tenant_id = ${b.id}`;
    const cross = `insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, source)
                   values ($1, $2, $3, $4, '2031-01-06 10:00Z', '2031-01-06 10:30Z', 'api')`;
    expect(await tryAs(b.members.owner.token, cross, [b.id, aCustomer.id, bRefs.service_id, bRefs.staff_id])).toBe("23503");
    const bySchemaOwner = await db.sql.unsafe(cross, [b.id, aCustomer.id, bRefs.service_id, bRefs.staff_id]).catch((e) => e.code);
    expect(bySchemaOwner).toBe("23503");
  });
});

describe("anon", () => {
  it("reads nothing and writes nothing anywhere", async () => {
    for (const t of tables) {
      expect(await tryAs(null, `select 1 from public.${t.name}`), `select ${t.name}`).toBe("refused");
      if (GLOBAL_TABLES.has(t.name)) continue;
      const row = await rowOf(t.name, a.id);
      if (t.hasId && t.name !== "tenants") row.id = randomUUID();
      expect(await tryAs(null, copyStatement(t), [row]), `insert ${t.name}`).toBe("refused");
      expect(await tryAs(null, `delete from public.${t.name}`), `delete ${t.name}`).toBe("refused");
    }
  });
});

describe.each(["staff", "admin", "owner"] as const)("the business's own %s", (role) => {
  it("reads as READ says, and inserts, updates and deletes as write-surface.ts declares", async () => {
    const token = a.members[role].token;
    for (const t of tables) {
      const rule = ruleOf(t.name);
      if (GLOBAL_TABLES.has(t.name) || rule === "tenancy" || rule === undefined) continue;
      const read = await tryAs(token, `select 1 from public.${t.name} where tenant_id = $1`, [a.id]);
      expect(read !== "refused", `${role} select ${t.name}`).toBe(allows(rule.read, role));

      const row = await rowOf(t.name, a.id);
      if (t.hasId) row.id = randomUUID();
      const insert = await tryAs(token, copyStatement(t), [row]);
      expect(insert !== "refused", `${role} insert ${t.name} (${insert})`).toBe(allows(rule.insert, role));

      const update = await tryAs(token, touchStatement(t.name), [a.id]);
      expect(update !== "refused", `${role} update ${t.name}${rule.touch ? `.${rule.touch}` : ""} (${update})`).toBe(allows(rule.update, role));

      const del = await tryAs(token, `delete from public.${t.name} where tenant_id = $1`, [a.id]);
      expect(del !== "refused", `${role} delete ${t.name} (${del})`).toBe(allows(rule.delete, role));
    }
  });
});

describe("plans (the platform's catalogue)", () => {
  it("are readable by signed-in users and written by no client", async () => {
    expect(await tryAs(a.members.staff.token, "select 1 from public.plans")).toBe(3);
    expect(await tryAs(a.members.owner.token, "update public.plans set monthly_price_cents = 0")).toBe("refused");
    expect(await tryAs(a.members.owner.token, "insert into public.plans (id, name, monthly_price_cents, limits) values ('free', 'Free', 0, '{}')")).toBe("refused");
    expect(await tryAs(a.members.owner.token, "delete from public.plans")).toBe("refused");
  });
});
