// What the write-surface tests share: the declaration read per table (supabase/write-surface.ts), the catalog's
// tables and columns, the client roles as principals that run SQL the way PostgREST (or principal.ts, for an API
// key) runs a request, one write attempt and what its outcome proves, and the fixture rows the attempts target.
import type postgres from "postgres";
import { CLIENT_ROLES, WRITE_SURFACE, type ClientRole, type TableSurface } from "../../supabase/write-surface.ts";
import { asApiKey, createApiKey, type TestApiKey } from "./api-key.ts";
import { asRequest, type TestDb } from "./db.ts";
import { tenantWithTeam, type TestTenant } from "./tenants.ts";
import { buildWorld } from "./world.ts";

export { CLIENT_ROLES, WRITE_SURFACE, type ClientRole };
export const MEMBER_ROLES = ["staff", "admin", "owner"] as const;
export type ColumnOp = "insert" | "update";
export type Op = ColumnOp | "delete";

// ---------------------------------------------------------------------------------------------------------------
// The declaration
// ---------------------------------------------------------------------------------------------------------------

export function surfaceOf(table: string): TableSurface | undefined {
  return Object.hasOwn(WRITE_SURFACE, table) ? WRITE_SURFACE[table] : undefined;
}

/** Columns declared writable by `op` in `table` (by whichever roles). */
export function declaredColumns(table: string, op: ColumnOp): readonly string[] {
  return surfaceOf(table)?.[op]?.columns ?? [];
}

/** Client roles declared to `op` in `table`. */
export function declaredRoles(table: string, op: Op): readonly ClientRole[] {
  const s = surfaceOf(table);
  if (!s) return [];
  return op === "delete" ? (s.delete ?? []) : (s[op]?.by ?? []);
}

export const mayDo = (table: string, op: Op, role: ClientRole) => declaredRoles(table, op).includes(role);

/** The Postgres role a client role's requests run as. */
export const pgRoleOf = (role: ClientRole): "anon" | "authenticated" => (role === "anon" ? "anon" : "authenticated");

// ---------------------------------------------------------------------------------------------------------------
// The catalog
// ---------------------------------------------------------------------------------------------------------------

export interface CatalogColumn {
  name: string;
  /** GENERATED ALWAYS AS (…) STORED, or an identity GENERATED ALWAYS: only DEFAULT can be written to it. */
  defaultOnly: boolean;
}

export interface CatalogTable {
  name: string;
  relkind: string;
  columns: CatalogColumn[];
  primaryKey: string[];
  /** The column that says which business a row belongs to (`tenants` is keyed by its own id); null = global. */
  tenantKey: string | null;
}

/** Relations of `public` a client could write through: tables, partitions, views, materialized and foreign tables. */
export const WRITABLE_RELKINDS = ["r", "p", "v", "m", "f"];

export async function publicTables(sql: postgres.Sql): Promise<CatalogTable[]> {
  const rows = await sql`
    select c.relname as name, c.relkind as relkind,
           json_agg(json_build_object('name', a.attname, 'defaultOnly', a.attgenerated <> '' or a.attidentity = 'a')
                    order by a.attnum) as columns,
           coalesce((select array_agg(pa.attname::text order by k.ord)
                     from pg_index i
                     cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)
                     join pg_attribute pa on pa.attrelid = i.indrelid and pa.attnum = k.attnum
                     where i.indrelid = c.oid and i.indisprimary), '{}') as primary_key
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = 'public' and c.relkind::text = any(${sql.array(WRITABLE_RELKINDS)}::text[])
    group by c.oid, c.relname, c.relkind
    order by c.relname`;
  return rows.map((r) => {
    const columns = r.columns as CatalogColumn[];
    const has = (c: string) => columns.some((col) => col.name === c);
    return {
      name: r.name,
      relkind: r.relkind,
      columns,
      primaryKey: r.primary_key,
      tenantKey: r.name === "tenants" ? "id" : has("tenant_id") ? "tenant_id" : null,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Principals and attempts
// ---------------------------------------------------------------------------------------------------------------

export interface Principal {
  role: ClientRole;
  run<T>(work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T>;
}

/** anon (no token), the tenant's staff, admin and owner (hook-made JWTs), and one of its live API keys. */
export function principalsOf(db: TestDb, tenant: TestTenant, key: TestApiKey): Record<ClientRole, Principal> {
  const viaToken = (role: ClientRole, token: string | null): Principal => ({ role, run: (work) => asRequest(db, token, work) });
  return {
    anon: viaToken("anon", null),
    staff: viaToken("staff", tenant.members.staff.token),
    admin: viaToken("admin", tenant.members.admin.token),
    owner: viaToken("owner", tenant.members.owner.token),
    api_key: { role: "api_key", run: (work) => asApiKey(db, key, work) },
  };
}

export type Outcome =
  | { kind: "rows"; count: number }
  /** `routine`: the server function that raised it (not localised), e.g. aclcheck_error for a missing privilege. */
  | { kind: "error"; code: string; message: string; routine?: string };

class Rollback extends Error {}

/**
 * Runs one statement as the principal, in the request's one transaction. By default the transaction is always rolled
 * back (the fixture keeps its rows); with `commit`, a statement that succeeds commits, as PostgREST commits it.
 */
export async function attempt(p: Principal, statement: string, params: unknown[], opts: { commit?: boolean } = {}): Promise<Outcome> {
  let count = 0;
  try {
    await p.run(async (tx) => {
      count = (await tx.unsafe(statement, params as never[])).count;
      if (!opts.commit) throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) {
      const e = err as { code?: string; message?: string; routine?: string };
      return { kind: "error", code: e.code ?? "?", message: e.message ?? String(err), routine: e.routine };
    }
  }
  return { kind: "rows", count };
}

/**
 * 42501 raised by the privilege check (aclcheck_error), which runs before any row, trigger or policy: the role has no
 * privilege on the table or on one of the columns the statement names. RLS refusals are 42501 too (WITH CHECK, raised
 * by ExecWithCheckOptions), so the code alone does not say a column is closed to a role.
 */
export const isPrivilegeDenied = (o: Outcome) => o.kind === "error" && o.code === "42501" && o.routine === "aclcheck_error";

/**
 * What an outcome proves about "may this principal do this":
 *
 *  - refused: 42501 (no privilege on the table or column, or a row failing an RLS WITH CHECK), a statement that
 *    matched no row (RLS USING hides it: for UPDATE and DELETE that is how a policy says no), or PT401/PT403 (a
 *    rule that refuses the caller, in PostgREST's SQLSTATE convention for HTTP 401/403);
 *  - allowed: rows affected, or an error that can only come after privileges and policy let the row through.
 *    Privileges are checked before anything runs. For UPDATE and DELETE, row triggers and constraints only ever see
 *    rows the USING clause let through, so any constraint (class 23), data (22), trigger (P0001) or rule (PTxyz) error
 *    proves it. For INSERT, BEFORE ROW triggers run *before* the WITH CHECK policy, so only errors raised after it
 *    prove it: constraints (class 23: not-null and check constraints, unique and exclusion indexes, foreign keys);
 *  - inconclusive: anything else (e.g. a BEFORE INSERT trigger raising before the policy was consulted, or an
 *    error that says the statement itself is wrong). A test treats that as a mismatch either way.
 */
export type Verdict = "allowed" | "refused" | "inconclusive";
export function verdict(op: Op, o: Outcome): Verdict {
  if (o.kind === "rows") return o.count > 0 ? "allowed" : "refused";
  if (o.code === "42501" || o.code === "PT401" || o.code === "PT403") return "refused";
  if (o.code.startsWith("23")) return "allowed";
  if (op !== "insert" && (o.code.startsWith("22") || o.code === "P0001" || /^PT[45]\d\d$/.test(o.code))) return "allowed";
  return "inconclusive";
}

export function describeOutcome(o: Outcome): string {
  if (o.kind === "rows") return o.count === 0 ? "0 rows affected" : `${o.count} row${o.count === 1 ? "" : "s"} affected`;
  const by = o.code !== "42501" ? "" : o.routine === "aclcheck_error" ? " (privileges)" : o.routine === "ExecWithCheckOptions" ? " (row-level security)" : ` (${o.routine})`;
  return `${o.code} "${o.message}"${by}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Statements (PostgREST's shape: the body as a record, `… from (select … jsonb_populate_record …) src where <key>`)
// ---------------------------------------------------------------------------------------------------------------

export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const rel = (t: CatalogTable) => `public.${ident(t.name)}`;
const body = (t: CatalogTable) => `(select * from jsonb_populate_record(null::${rel(t)}, $1::jsonb)) as src`;
// A relation without a primary key (every-table.test.ts fails it) matches no row; privileges are still checked.
const keyMatch = (t: CatalogTable) => t.primaryKey.map((c) => `t.${ident(c)} = src.${ident(c)}`).join(" and ") || "false";
const columnOf = (t: CatalogTable, name: string) => t.columns.find((c) => c.name === name);

/** The value an attempt writes: the row's own value ("copy", DEFAULT where only DEFAULT is writable), or DEFAULT. */
export type Value = "copy" | "default";
const valueFor = (t: CatalogTable, column: string, value: Value, from: (c: string) => string) =>
  value === "default" || columnOf(t, column)?.defaultOnly ? "default" : from(column);

/** UPDATE of one column of the row `$1` (a to_jsonb of it) identified by its primary key. */
export function updateStatement(t: CatalogTable, column: string, value: Value): string {
  const v = valueFor(t, column, value, (c) => `src.${ident(c)}`);
  return `update ${rel(t)} as t set ${ident(column)} = ${v} from ${body(t)} where ${keyMatch(t)}`;
}

/** DELETE of the row `$1` identified by its primary key. */
export function deleteStatement(t: CatalogTable): string {
  return `delete from ${rel(t)} as t using ${body(t)} where ${keyMatch(t)}`;
}

/**
 * INSERT naming exactly `columns`, their values copied from the row `$1` (so unnamed columns take their defaults: a
 * fresh id), except those listed in `defaults`, which are written as DEFAULT.
 */
export function insertStatement(t: CatalogTable, columns: readonly string[], defaults: readonly string[] = []): string {
  const values = columns.map((c) => (defaults.includes(c) ? "default" : valueFor(t, c, "copy", (x) => `(select ${ident(x)} from src)`)));
  return `with src as (select * from jsonb_populate_record(null::${rel(t)}, $1::jsonb))
          insert into ${rel(t)} (${columns.map(ident).join(", ")}) values (${values.join(", ")})`;
}

// ---------------------------------------------------------------------------------------------------------------
// The fixture: business A with its team, one row in every table (tests/helpers/world.ts), and a live API key
// ---------------------------------------------------------------------------------------------------------------

export interface WriteFixture {
  tenant: TestTenant;
  world: Record<string, string>;
  apiKey: TestApiKey;
  principals: Record<ClientRole, Principal>;
  tables: CatalogTable[];
  table(name: string): CatalogTable | undefined;
  /** The row of business A that attempts on `t` target, as to_jsonb (undefined when the fixture has none). */
  targetRow(t: CatalogTable): Promise<Record<string, unknown> | undefined>;
  /** The target row as it is now (as postgres), or null when it is gone. */
  snapshot(t: CatalogTable, row: Record<string, unknown>): Promise<unknown>;
  /** Rows of business A in `t` (every row, for a global table). */
  rowCount(t: CatalogTable): Promise<number>;
}

export async function writeFixture(db: TestDb, label = "ws"): Promise<WriteFixture> {
  const tenant = await tenantWithTeam(db, label);
  const world = await buildWorld(db, tenant.id, tenant.members.owner.id);
  const apiKey = await createApiKey(db, tenant.id, { createdBy: tenant.members.owner.id, name: "write-surface probe" });
  const tables = await publicTables(db.sql);
  const scope = (t: CatalogTable): [string, unknown[]] => {
    if (t.tenantKey === null) return ["true", []];
    // memberships: the staff member's row, which every declared writer may write (staff: only their own, to leave;
    // admins: any non-owner row). Who may touch owner rows is tests/tenancy/access-matrix.test.ts and last-owner.
    if (t.name === "memberships") return [`tenant_id = $1 and user_id = $2`, [tenant.id, tenant.members.staff.id]];
    // api_keys: the world's key, never the key the api_key principal acts with.
    if (t.name === "api_keys") return [`tenant_id = $1 and id <> $2`, [tenant.id, apiKey.id]];
    return [`${ident(t.tenantKey)} = $1`, [tenant.id]];
  };
  return {
    tenant, world, apiKey, tables,
    principals: principalsOf(db, tenant, apiKey),
    table: (name) => tables.find((t) => t.name === name),
    async targetRow(t) {
      const [where, params] = scope(t);
      const order = t.primaryKey.length ? `order by ${t.primaryKey.map(ident).join(", ")}` : "";
      const [row] = await db.sql.unsafe(`select to_jsonb(t) as r from ${rel(t)} t where ${where} ${order} limit 1`, params as never[]);
      return row?.r;
    },
    async snapshot(t, row) {
      const [now] = await db.sql.unsafe(`select to_jsonb(t) as r from ${rel(t)} as t, ${body(t)} where ${keyMatch(t)}`, [row] as never[]);
      return now?.r ?? null;
    },
    async rowCount(t) {
      const [where, params] = t.tenantKey === null ? ["true", []] : [`${ident(t.tenantKey)} = $1`, [tenant.id]];
      const [{ n }] = await db.sql.unsafe(`select count(*)::int as n from ${rel(t)} where ${where}`, params as never[]);
      return n;
    },
  };
}

/** Keys whose values differ between two to_jsonb snapshots (or "the row is gone"). */
export function changedKeys(before: unknown, after: unknown): string {
  if (after === null) return "the row is gone";
  if (before === null) return "a row appeared";
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  return keys.map((k) => `${k}: ${JSON.stringify(b[k])} → ${JSON.stringify(a[k])}`).join(", ");
}
