// The database holds to the declared write surface (supabase/write-surface.ts), checked three ways:
//
//  1. the declaration covers exactly the relations in `public`, and names only columns that exist;
//  2. the privileges of `anon` and `authenticated` are exactly the declared ones, enumerated from the catalog (every
//     column of every table), so a new column, table or grant that is not declared fails here;
//  3. each client role can do exactly what is declared, tried through the path an attacker uses: SQL as PostgREST runs
//     it for a hook-made JWT (or as principal.ts runs an API key), in transactions that are always rolled back.
//
// Step 3 is about the declared writes: each declared column, insert and delete goes through for the roles that list
// it and for no other. That every other column is refused to every role is tests/isolation/server-owned.test.ts.
// The rules a declaration notes (`rules`) are value-level and row-level; the generic checks here do not try them
// (memberships: the row written is the staff member's own, which every declared writer may write; owner rows and the
// last owner are tests/tenancy/access-matrix.test.ts and last-owner.test.ts; the other rules have their own tests).
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import {
  CLIENT_ROLES, WRITE_SURFACE, WRITABLE_RELKINDS, attempt, declaredColumns, declaredRoles, deleteStatement, describeOutcome,
  insertStatement, pgRoleOf, surfaceOf, updateStatement, verdict, writeFixture, type ClientRole, type ColumnOp, type Op,
  type Outcome, type WriteFixture,
} from "../helpers/write-surface.ts";

const db = useTestDatabase();
let f: WriteFixture;

beforeAll(async () => {
  f = await writeFixture(db, "ws");
});

const clientRolesOf = (pgRole: string) => CLIENT_ROLES.filter((r) => pgRoleOf(r) === pgRole);
const yesNo = (b: boolean) => (b ? "yes" : "no");

describe("the declaration and the catalog", () => {
  it("declares exactly the relations in public", async () => {
    const inCatalog = f.tables.map((t) => t.name);
    const declared = Object.keys(WRITE_SURFACE);
    const problems = [
      ...inCatalog.filter((t) => !declared.includes(t)).map((t) => `${t}: in public but not declared in supabase/write-surface.ts`),
      ...declared.filter((t) => !inCatalog.includes(t)).map((t) => `${t}: declared but no such relation in public`),
    ];
    expect(problems).toEqual([]);
    expect(f.tables.length).toBeGreaterThan(25);
  });

  it("names only columns that exist, once each, with roles to write them", () => {
    const problems: string[] = [];
    for (const [table, s] of Object.entries(WRITE_SURFACE)) {
      const t = f.table(table);
      if (!t) continue; // reported above
      const columns = t.columns.map((c) => c.name);
      for (const op of ["insert", "update"] as const) {
        const w = s[op];
        if (!w) continue;
        for (const c of w.columns) if (!columns.includes(c)) problems.push(`${table}.${c}: declared for ${op} but no such column`);
        for (const c of new Set(w.columns)) if (w.columns.filter((x) => x === c).length > 1) problems.push(`${table}.${c}: declared twice for ${op}`);
        if (w.columns.length === 0) problems.push(`${table}: ${op} declared with no columns`);
        if (w.by.length === 0) problems.push(`${table}: ${op} declared for no role`);
        for (const c of w.columns) {
          if (t.columns.find((x) => x.name === c)?.defaultOnly) problems.push(`${table}.${c}: declared for ${op} but generated (only DEFAULT can be written)`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("privileges equal the declaration", () => {
  it("INSERT and UPDATE, column by column, for anon and authenticated", async () => {
    const rows = await db.sql`
      select c.relname as table, a.attname as column, r.role,
             has_column_privilege(r.role, c.oid, a.attnum, 'INSERT') as insert,
             has_column_privilege(r.role, c.oid, a.attnum, 'UPDATE') as update
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      cross join (values ('anon'), ('authenticated')) r(role)
      where n.nspname = 'public' and c.relkind::text = any(${db.sql.array(WRITABLE_RELKINDS)}::text[])
      order by c.relname, a.attnum, r.role`;
    const problems: string[] = [];
    for (const row of rows) {
      for (const op of ["insert", "update"] as ColumnOp[]) {
        const by = declaredRoles(row.table, op).filter((r) => clientRolesOf(row.role).includes(r));
        const declared = declaredColumns(row.table, op).includes(row.column) && by.length > 0;
        if (row[op] !== declared) {
          problems.push(`${row.table}.${row.column}: ${op.toUpperCase()} for ${row.role}: declared ${declared ? `yes (${by.join(", ")})` : "no"}, granted ${yesNo(row[op])}`);
        }
      }
    }
    expect(rows.length).toBeGreaterThan(400); // every column of every table, twice
    expect(problems).toEqual([]);
  });

  it("DELETE, table by table, exactly where a role of that Postgres role may delete", async () => {
    const rows = await db.sql`
      select c.relname as table, r.role, has_table_privilege(r.role, c.oid, 'DELETE') as delete
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      cross join (values ('anon'), ('authenticated')) r(role)
      where n.nspname = 'public' and c.relkind::text = any(${db.sql.array(WRITABLE_RELKINDS)}::text[])
      order by 1, 2`;
    const problems: string[] = [];
    for (const row of rows) {
      const by = declaredRoles(row.table, "delete").filter((r) => clientRolesOf(row.role).includes(r));
      if (row.delete !== by.length > 0) {
        problems.push(`${row.table}: DELETE for ${row.role}: declared ${by.length ? `yes (${by.join(", ")})` : "no"}, granted ${yesNo(row.delete)}`);
      }
    }
    expect(rows.length).toBe(f.tables.length * 2);
    expect(problems).toEqual([]);
  });

  it("no TRUNCATE, TRIGGER or REFERENCES for anon or authenticated on any public table (RLS governs none of them)", async () => {
    const rows = await db.sql`
      select c.relname as table, r.role,
             has_table_privilege(r.role, c.oid, 'TRUNCATE') as truncate,
             has_table_privilege(r.role, c.oid, 'TRIGGER') as trigger,
             has_any_column_privilege(r.role, c.oid, 'REFERENCES') as references
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      cross join (values ('anon'), ('authenticated')) r(role)
      where n.nspname = 'public' and c.relkind::text = any(${db.sql.array(WRITABLE_RELKINDS)}::text[])
      order by 1, 2`;
    const problems = rows.flatMap((row) =>
      (["truncate", "trigger", "references"] as const).filter((p) => row[p]).map((p) => `${row.table}: ${p.toUpperCase()} granted to ${row.role}`));
    expect(rows.length).toBe(f.tables.length * 2);
    expect(problems).toEqual([]);
  });

  it("no UPDATE on any sequence in public (setval outlives a rollback)", async () => {
    const rows = await db.sql`
      select c.relname as sequence, r.role, has_sequence_privilege(r.role, c.oid, 'UPDATE') as update
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      cross join (values ('anon'), ('authenticated')) r(role)
      where n.nspname = 'public' and c.relkind = 'S'`;
    expect(rows.filter((r) => r.update).map((r) => `${r.sequence}: UPDATE granted to ${r.role}`)).toEqual([]);
  });
});

describe("the principals the behaviour checks use", () => {
  // Without these, every refusal below could be vacuous (a malformed claim set is refused everything).
  it("the api_key is a live key of business A: it resolves to A as staff and reads what staff read", async () => {
    const seen = await f.principals.api_key.run(async (tx) => {
      const [access] = await tx`select private.tenant_id_for('staff') as staff, private.tenant_id_for('admin') as admin,
                                       (select count(*)::int from public.customers) as customers`;
      return access;
    });
    const [{ customers }] = await db.sql`select count(*)::int as customers from public.customers where tenant_id = ${f.tenant.id}`;
    expect(customers).toBeGreaterThan(0);
    expect(seen).toEqual({ staff: f.tenant.id, admin: null, customers });
    // and its claims are the ones principal.ts sets from authenticate_api_key() for this key
    const [row] = await db.sql.begin(async (tx) => {
      await tx`set local role frontdesk_api`;
      return tx`select tenant_id, key_id, scopes from private.authenticate_api_key(decode(${f.apiKey.keyHash}, 'hex'))`;
    });
    expect({ role: "authenticated", tenant_id: row.tenant_id, api_key_id: row.key_id, scopes: row.scopes }).toEqual(f.apiKey.claims);
  });

  it.each(["staff", "admin", "owner"] as const)("the %s acts in business A with that role", async (role) => {
    const seen = await f.principals[role].run(async (tx) => (await tx`select private.tenant_id_for(${role}::public.membership_role) as t`)[0].t);
    expect(seen).toBe(f.tenant.id);
  });
});

/** "<table>.<column> <op> as <role>: declared …, got …", or nothing when the outcome is what the declaration says. */
function check(where: string, op: Op, role: ClientRole, declared: boolean, o: Outcome): string | undefined {
  const v = verdict(op, o);
  if (v === (declared ? "allowed" : "refused")) return undefined;
  const why = v === "inconclusive" ? " (neither a refusal nor proof that privileges and policy let it through)" : "";
  return `${where} ${op} as ${role}: declared ${declared ? "allowed" : "refused"}, got ${describeOutcome(o)}${why}`;
}

describe.each(Object.keys(WRITE_SURFACE))("%s, each client role against the declaration", (table) => {
  const s = surfaceOf(table)!;

  if (s.update) {
    it(`update: each declared column (${s.update.columns.join(", ")}) by exactly ${s.update.by.join(", ")}`, async () => {
      const t = f.table(table);
      const row = t && (await f.targetRow(t));
      expect(row, `${table}: no relation, or no fixture row of business A (tests/helpers/world.ts)`).toBeDefined();
      const problems: string[] = [];
      for (const column of s.update!.columns) {
        for (const role of CLIENT_ROLES) {
          const o = await attempt(f.principals[role], updateStatement(t!, column, "copy"), [row]);
          const p = check(`${table}.${column}`, "update", role, declaredRoles(table, "update").includes(role), o);
          if (p) problems.push(p);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  if (s.insert) {
    it(`insert: a copy of A's row through the declared columns, by exactly ${s.insert.by.join(", ")}`, async () => {
      const t = f.table(table);
      const row = t && (await f.targetRow(t));
      expect(row, `${table}: no relation, or no fixture row of business A (tests/helpers/world.ts)`).toBeDefined();
      const problems: string[] = [];
      // Only the declared columns are named, so every other column (ids included) takes its default: a fresh row.
      // (The same insert naming one undeclared column more is refused to everyone: server-owned.test.ts.)
      const statement = insertStatement(t!, s.insert!.columns);
      for (const role of CLIENT_ROLES) {
        const o = await attempt(f.principals[role], statement, [row]);
        const p = check(`${table} (${s.insert!.columns.join(", ")})`, "insert", role, declaredRoles(table, "insert").includes(role), o);
        if (p) problems.push(p);
      }
      expect(problems).toEqual([]);
    });
  }

  it(`delete: by exactly ${s.delete?.length ? s.delete.join(", ") : "no client role"}`, async () => {
    const t = f.table(table);
    const row = t && (await f.targetRow(t));
    expect(row, `${table}: no relation, or no fixture row of business A (tests/helpers/world.ts)`).toBeDefined();
    const problems: string[] = [];
    for (const role of CLIENT_ROLES) {
      const o = await attempt(f.principals[role], deleteStatement(t!), [row]);
      const p = check(table, "delete", role, declaredRoles(table, "delete").includes(role), o);
      if (p) problems.push(p);
    }
    expect(problems).toEqual([]);
  });
});
