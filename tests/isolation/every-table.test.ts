// Tenant isolation for every table in `public`, enumerated from the catalog: a table added later is tested (and
// fails until it has policies, a fixture row in tests/helpers/world.ts and an entry in RULES below).
//
// Writes are attempted inside PostgREST-style transactions that are then rolled back, so every table keeps its rows
// for the next check. "Refused" means Postgres said no: RLS or privileges (42501), or a statement that matched no
// row. Any other outcome (success, or a constraint firing after the policy let the row through) means "allowed".
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { asRequest, useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam, type Role, type TestTenant } from "../helpers/tenants.ts";
import { buildWorld } from "../helpers/world.ts";

const db = useTestDatabase();

type Min = Role | null; // least role allowed; null = no client role
interface Rule { read: Role; insert: Min; update: Min; delete: Min; touch?: string }

// Who may do what in each business table. "staff read; owners and admins manage" unless stated.
const managed = (touch: string): Rule => ({ read: "staff", insert: "admin", update: "admin", delete: "admin", touch });
const linkTable: Rule = { read: "staff", insert: "admin", update: null, delete: "admin" };
const RULES: Record<string, Rule | "tenancy"> = {
  tenants: "tenancy", memberships: "tenancy", invitations: "tenancy", // role × operation matrix: access-matrix.test.ts
  channels: managed("name"),
  staff: managed("name"),
  services: managed("name"),
  staff_services: linkTable,
  business_hours: managed("weekday"),
  closures: managed("reason"),
  customers: managed("name"),
  customer_staff_preferences: linkTable,
  customer_service_preferences: linkTable,
  bookings: { read: "staff", insert: "staff", update: "staff", delete: "staff", touch: "notes" },
  conversations: { read: "staff", insert: "staff", update: "staff", delete: "admin", touch: "bot_state" },
  // Only outbound, queued messages in the sender's own name may be inserted; copying an inbound one never passes.
  messages: { read: "staff", insert: null, update: null, delete: null },
  voices: managed("name"),
  voice_agents: managed("name"),
  calls: { read: "staff", insert: null, update: null, delete: "admin" },
  call_summaries: { read: "staff", insert: null, update: null, delete: "admin" },
  caller_profiles: managed("display_name"),
  memories: managed("importance"),
  personality_metrics: { read: "staff", insert: null, update: null, delete: "admin" },
  caller_personality: { read: "staff", insert: null, update: null, delete: null },
  leads: { read: "staff", insert: "staff", update: "staff", delete: "staff", touch: "notes" },
  api_keys: { read: "admin", insert: "admin", update: "admin", delete: "admin", touch: "name" },
  subscriptions: { read: "admin", insert: null, update: "admin", delete: null, touch: "plan_id" },
  usage_events: { read: "admin", insert: null, update: null, delete: null },
  usage_monthly: { read: "admin", insert: null, update: null, delete: null },
  feature_flags: managed("enabled"),
  audit_log: { read: "admin", insert: null, update: null, delete: null },
};
const GLOBAL_TABLES = new Set(["plans"]);
// `tenants` is keyed by its own id (the distribution key itself); every other table by tenant_id.
const tcol = (table: string) => (table === "tenants" ? "id" : "tenant_id");
const rank = { staff: 1, admin: 2, owner: 3 } as const;
const allows = (min: Min, role: Role) => min !== null && rank[role] >= rank[min];

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

function copyStatement(t: (typeof tables)[number]) {
  const cols = t.insertable.map((c) => `"${c}"`).join(", ");
  return `insert into public.${t.name} (${cols}) select ${cols} from jsonb_populate_record(null::public.${t.name}, $1::jsonb)`;
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
  it("every public table is either a tenant table with rules here or a declared platform catalogue", () => {
    for (const t of tables) {
      if (GLOBAL_TABLES.has(t.name)) continue;
      expect(t.columns, t.name).toContain(tcol(t.name));
      expect(RULES[t.name], `${t.name}: add its access rules to RULES`).toBeDefined();
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
      const rule = RULES[t.name];
      if (rule !== "tenancy" && allows(rule.read, "owner")) {
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
      expect(await tryAs(b.members.owner.token, `update public.${t.name} set ${key} = ${key} where ${key} = $1`, [a.id]), `update ${t.name}`).toBe("refused");
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
  it("reads, inserts, updates and deletes exactly as the rules say", async () => {
    const token = a.members[role].token;
    for (const t of tables) {
      const rule = RULES[t.name];
      if (GLOBAL_TABLES.has(t.name) || rule === "tenancy" || rule === undefined) continue;
      const read = await tryAs(token, `select 1 from public.${t.name} where tenant_id = $1`, [a.id]);
      expect(read !== "refused", `${role} select ${t.name}`).toBe(allows(rule.read, role));

      const row = await rowOf(t.name, a.id);
      if (t.hasId) row.id = randomUUID();
      const insert = await tryAs(token, copyStatement(t), [row]);
      expect(insert !== "refused", `${role} insert ${t.name} (${insert})`).toBe(allows(rule.insert, role));

      if (rule.touch || rule.update === null) {
        const col = rule.touch ?? "tenant_id";
        const update = await tryAs(token, `update public.${t.name} set "${col}" = "${col}" where tenant_id = $1`, [a.id]);
        expect(update !== "refused", `${role} update ${t.name} (${update})`).toBe(allows(rule.update, role));
      }

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
