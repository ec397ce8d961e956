// Compiles a validated mapping against the two databases: one SELECT per entry over the legacy tables (every column
// as text, timestamps already converted to UTC by the legacy server), and per target column the transform, value
// map, default and type check that run on each row. Everything that can be wrong with a mapping only in the
// presence of the databases (a missing table or column, a map value that is not an enum label, a required target
// column nobody fills, a ref through no foreign key) is reported here, before anything is read or written.
import { AdoptError } from "../errors.ts";
import type { TargetCatalog, TargetColumn, TargetTable } from "../db/target-catalog.ts";
import { qualify, type LegacyCatalog } from "../db/legacy.ts";
import { bindTransform, normaliseSpec, type Transform } from "../transforms/index.ts";
import { columnRef, scanParameters, type LoadedMapping } from "./load.ts";
import type { ColumnSpec, Conflict, Entry, MergeRule } from "./schema.ts";
import { compileRef, ident, Params, timestampSql, type Scope } from "./sql.ts";
import { typeChecker } from "./types.ts";

export interface CompiledColumn {
  name: string;
  /** Where in the mapping file, for messages. */
  at: string;
  target: TargetColumn;
  /** Output positions in the legacy SELECT (one, or several for a ref's composite key); empty for a constant. */
  outputs: number[];
  ref?: { entry: string; onOrphan: "skip" | "null" };
  constant?: string | null;
  transform?: Transform;
  onInvalid: "skip" | "null";
  map?: Map<string, string | null>;
  otherwise: "skip" | "null" | "keep" | { value: string | null };
  defaultValue: string | null;
  /** The target column's own default, when it is a constant, for a NOT NULL column the legacy row leaves empty. */
  dbDefault?: string;
  required: boolean;
  check: (v: string) => string | null;
  /** Values the mapping itself writes (value, map values, otherwise.value, default), by their key path suffix. */
  fixed: [string, string][];
}

export interface CompiledEntry {
  name: string;
  at: string;
  spec: Entry;
  table: TargetTable;
  /** Primary key columns after tenant_id; ["id"] with generated ids, or mapped columns. */
  key: string[];
  generatedId: boolean;
  select: string;
  countSql: string;
  params: string[];
  keyOutputs: number;
  columns: CompiledColumn[];
  byName: Map<string, number>;
  merge?: { on: number[]; rules: (MergeRule | undefined)[]; buffered: boolean };
  conflicts: Conflict[];
  /** Target check constraints over mapped columns, evaluated by the target before a row is written. */
  checks: { name: string; expr: string }[];
  dependsOn: string[];
  /** Entries whose rows point at this one. */
  referencedBy: string[];
}

export interface CompiledTenant {
  select?: string;
  params: string[];
  columns: CompiledColumn[];
}

export interface Compiled {
  loaded: LoadedMapping;
  entries: CompiledEntry[];
  byName: Map<string, CompiledEntry>;
  tenant: CompiledTenant;
  country: string;
}

const toText = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : String(v);

function scopeFor(entry: Entry, legacy: LegacyCatalog, at: string): Scope {
  const s = entry.source;
  const baseAlias = s.as ?? (s.table ? s.table.split(".").pop()! : "src");
  const columns = s.table ? legacy.tables.get(qualify(s.table)) : undefined;
  if (s.table && !columns) throw new AdoptError(`the legacy database has no table ${s.table} (${at}.source.table)`);
  const joins = new Map<string, { table: string; columns?: Map<string, string> }>();
  for (const [j, join] of (s.joins ?? []).entries()) {
    const cols = legacy.tables.get(qualify(join.table));
    if (!cols) throw new AdoptError(`the legacy database has no table ${join.table} (${at}.source.joins[${j}].table)`);
    joins.set(join.as, { table: join.table, columns: cols });
  }
  return { base: { alias: baseAlias, table: s.table ?? "(source sql)", columns }, joins, unpacks: new Map() };
}

function fromClause(entry: Entry, scope: Scope, params: Params, at: string): string {
  const s = entry.source;
  const bind = (text: string) => params.bind(text, scanParameters);
  let from = s.table ? `${s.table.split(".").map(ident).join(".")} as ${ident(scope.base.alias)}` : `(${bind(s.sql!)}) as ${ident(scope.base.alias)}`;
  for (const join of s.joins ?? []) {
    from += ` ${join.type === "inner" ? "join" : "left join"} ${join.table.split(".").map(ident).join(".")} as ${ident(join.as)} on ${bind(join.on)}`;
  }
  for (const [i, u] of (s.unpack ?? []).entries()) {
    const where = `${at}.source.unpack[${i}]`;
    if (u.array) {
      const j = compileRef(u.array, scope, "json", where);
      from += ` cross join lateral jsonb_array_elements(case when jsonb_typeof(${j}) = 'array' then ${j} else '[]'::jsonb end) with ordinality as ${ident(u.as)}(value, key)`;
      scope.unpacks.set(u.as, "json");
    } else if (u.object) {
      const j = compileRef(u.object, scope, "json", where);
      from += ` cross join lateral jsonb_each(case when jsonb_typeof(${j}) = 'object' then ${j} else '{}'::jsonb end) as ${ident(u.as)}(key, value)`;
      scope.unpacks.set(u.as, "json");
    } else {
      const t = compileRef(u.split!, scope, "text", where);
      const sep = u.by!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      from += ` cross join lateral regexp_split_to_table(coalesce(${t}, ''), ${"'" + sep.replace(/'/g, "''") + "'"}) with ordinality as ${ident(u.as)}(value, key)`;
      scope.unpacks.set(u.as, "text");
    }
  }
  return from;
}

interface ColumnContext {
  zone: string;
  country: string;
  outputs: string[];
  scope: Scope;
  params: Params;
}

function compileColumn(name: string, spec: ColumnSpec, target: TargetColumn, at: string, ctx: ColumnContext, required: boolean): CompiledColumn {
  const c = columnRef(spec);
  const out: CompiledColumn = {
    name, at, target, outputs: [], onInvalid: c.onInvalid ?? "skip", otherwise: "skip",
    defaultValue: toText(c.default), required, check: typeChecker(target), fixed: [],
  };
  const transform = c.transform ? normaliseSpec(c.transform) : undefined;
  const exprOf = (ref: string) => compileRef(ref, ctx.scope, "text", at);
  const add = (sqlText: string) => {
    ctx.outputs.push(sqlText);
    out.outputs.push(ctx.outputs.length - 1);
  };
  const wrap = (e: string) => (transform?.type === "timestamp" ? timestampSql(e, transform.zone === undefined || transform.zone === "tenant" ? ctx.zone : transform.zone) : e);

  if (c.ref !== undefined) {
    out.ref = { entry: c.ref, onOrphan: c.onOrphan ?? "skip" };
    const refs = c.sql !== undefined ? [null] : Array.isArray(c.from) ? c.from : [c.from!];
    for (const r of refs) add(r === null ? `(${ctx.params.bind(c.sql!, scanParameters)})::text` : exprOf(r));
    return out;
  }
  if (c.value !== undefined) out.constant = toText(c.value);
  else if (c.sql !== undefined) add(wrap(`(${ctx.params.bind(c.sql, scanParameters)})::text`));
  else add(wrap(exprOf(c.from as string)));

  if (c.transform) out.transform = bindTransform(c.transform, { country: transform?.country ?? ctx.country });
  if (c.map) out.map = new Map(Object.entries(c.map).map(([k, v]) => [k, toText(v)]));
  if (c.otherwise !== undefined) out.otherwise = typeof c.otherwise === "object" ? { value: toText(c.otherwise.value) } : c.otherwise;

  // Values the mapping itself writes must fit the target column (an enum label, a number …): a mapping error.
  const fixed: [string, string | null][] = [];
  if (out.constant !== undefined && !out.transform && !out.map) fixed.push(["value", out.constant]);
  for (const [k, v] of out.map ?? []) fixed.push([`map.${k}`, v]);
  if (typeof out.otherwise === "object") fixed.push(["otherwise.value", out.otherwise.value]);
  if (out.defaultValue !== null) fixed.push(["default", out.defaultValue]);
  for (const [where, v] of fixed) {
    if (v === null) continue;
    const problem = out.check(v);
    const type = target.enumLabels ? "" : ` (target column ${target.name} is ${target.type})`;
    if (problem) throw new AdoptError(`${at}.${where}: "${v}" ${problem}${type}`, 2);
    out.fixed.push([where, v]);
  }
  return out;
}

function targetTable(catalog: TargetCatalog, name: string, at: string): TargetTable {
  const t = catalog.get(name);
  if (!t) throw new AdoptError(`${at}: the target has no table public.${name}`, 2);
  if (!t.columns.has("tenant_id")) throw new AdoptError(`${at}: public.${name} is not a tenant table (no tenant_id)`, 2);
  return t;
}

function compileEntry(entry: Entry, index: number, m: LoadedMapping, legacy: LegacyCatalog, target: TargetCatalog, zone: string, country: string): CompiledEntry {
  const at = `entries[${index}] (${entry.name})`;
  const table = targetTable(target, entry.target, `${at}.target`);
  const scope = scopeFor(entry, legacy, at);
  const params = new Params(m.params);
  const from = fromClause(entry, scope, params, at);
  const outputs: string[] = [];
  entry.source.key.forEach((k, i) => outputs.push(compileRef(k, scope, "text", `${at}.source.key[${i}]`)));
  const ctx: ColumnContext = { zone, country, outputs, scope, params };

  const key = table.primaryKey.filter((c) => c !== "tenant_id");
  const generatedId = key.length === 1 && !(key[0] in entry.columns) && table.columns.get(key[0])!.hasDefault;
  if (!generatedId && key.some((k) => !(k in entry.columns))) {
    throw new AdoptError(`${at}.columns: public.${entry.target}'s primary key (${key.join(", ")}) must be mapped, or be an id with a default`, 2);
  }

  const columns: CompiledColumn[] = [];
  for (const [name, spec] of Object.entries(entry.columns)) {
    const col = table.columns.get(name);
    const where = `${at}.columns.${name}`;
    if (!col) throw new AdoptError(`${where}: public.${entry.target} has no column ${name}`, 2);
    if (col.generated) throw new AdoptError(`${where}: public.${entry.target}.${name} is generated by the database`, 2);
    // A mapped NOT NULL column must get a value (COPY writes the null it is given, not the column's default);
    // a constant database default stands in for a missing value, see prepareDefaults().
    const compiled = compileColumn(name, spec, col, where, ctx, col.notNull);
    if (compiled.ref) {
      const parent = m.order.find((e) => e.name === compiled.ref!.entry)!;
      const fk = table.foreignKeys.find((f) => f.columns.includes(name) && f.refTable === parent.target);
      if (!fk) {
        throw new AdoptError(`${where}.ref: ${parent.name} writes public.${parent.target}, but ${entry.target}.${name} is no foreign key to it`, 2);
      }
      const parentTable = target.get(parent.target)!;
      const parentKey = parentTable.primaryKey.filter((c) => c !== "tenant_id");
      if (parentKey.length !== 1) throw new AdoptError(`${where}.ref: public.${parent.target} has a composite key; refs point at single-column keys`, 2);
    }
    columns.push(compiled);
  }
  for (const col of table.columns.values()) {
    if (col.name === "tenant_id" || col.generated || (generatedId && col.name === key[0])) continue;
    if (col.notNull && !col.hasDefault && !(col.name in entry.columns)) {
      throw new AdoptError(`${at}.columns: public.${entry.target}.${col.name} is required (not null, no default) but not mapped`, 2);
    }
  }
  const byName = new Map(columns.map((c, i) => [c.name, i]));

  for (const [j, conflict] of (entry.conflicts ?? []).entries()) {
    if (typeof conflict.resolve === "object") {
      for (const [col, v] of Object.entries(conflict.resolve.set)) {
        const problem = v === null ? null : columns[byName.get(col)!].check(String(v));
        if (problem) throw new AdoptError(`${at}.conflicts[${j}].resolve.set.${col}: "${v}" ${problem}`, 2);
      }
    }
  }

  const mapped = new Set(Object.keys(entry.columns));
  const checks = table.checks.filter((c) => c.columns.some((col) => mapped.has(col))).map((c) => ({ name: c.name, expr: c.expr }));
  const keyOutputs = entry.source.key.length;
  const order = (entry.source.order ?? entry.source.key).map((r, i) => compileRef(r, scope, "raw", `${at}.source.order[${i}]`));
  const where = entry.source.where ? ` where ${params.bind(entry.source.where, scanParameters)}` : "";
  const select = `select ${outputs.map((o, i) => `${o} as c${i}`).join(", ")} from ${from}${where} order by ${order.join(", ")}`;
  const countSql = `select count(*)::bigint as n from ${from}${where}`;

  let merge: CompiledEntry["merge"];
  if (entry.merge) {
    const rules = columns.map((c) => entry.merge!.columns?.[c.name]);
    merge = {
      on: entry.merge.on.map((c) => byName.get(c)!),
      rules,
      // Rules other than "first" need the whole group at hand; otherwise rows stream and later ones join the first.
      buffered: rules.some((r) => r !== undefined && r !== "first"),
    };
  }
  const dependsOn = [...new Set(columns.filter((c) => c.ref).map((c) => c.ref!.entry))];
  return {
    name: entry.name, at, spec: entry, table, key, generatedId, select, countSql, params: params.values, keyOutputs,
    columns, byName, merge, conflicts: entry.conflicts ?? [], checks, dependsOn, referencedBy: [],
  };
}

function compileTenant(m: LoadedMapping, legacy: LegacyCatalog, target: TargetCatalog, country: string): CompiledTenant {
  const spec = m.mapping.tenant;
  const table = target.get("tenants")!;
  const params = new Params(m.params);
  const outputs: string[] = [];
  let scope: Scope | undefined;
  let from = "";
  if (spec.source) {
    if (!!spec.source.table === !!spec.source.sql) throw new AdoptError("tenant.source: give exactly one of table or sql", 2);
    const columns = spec.source.table ? legacy.tables.get(qualify(spec.source.table)) : undefined;
    if (spec.source.table && !columns) throw new AdoptError(`the legacy database has no table ${spec.source.table} (tenant.source.table)`);
    const alias = spec.source.table ? spec.source.table.split(".").pop()! : "src";
    scope = { base: { alias, table: spec.source.table ?? "(tenant sql)", columns }, joins: new Map(), unpacks: new Map() };
    from = spec.source.table ? `${spec.source.table.split(".").map(ident).join(".")} as ${ident(alias)}` : `(${params.bind(spec.source.sql!, scanParameters)}) as src`;
    if (spec.source.where) from += ` where ${params.bind(spec.source.where, scanParameters)}`;
  }
  const columns: CompiledColumn[] = [];
  for (const [name, colSpec] of Object.entries(spec.columns)) {
    const at = `tenant.columns.${name}`;
    const c = columnRef(colSpec!);
    if ((c.from !== undefined || c.sql !== undefined) && !scope) throw new AdoptError(`${at}: reads the legacy database, but tenant.source is not given`, 2);
    if (c.ref !== undefined) throw new AdoptError(`${at}: the tenant cannot ref an entry`, 2);
    const ctx: ColumnContext = { zone: "UTC", country, outputs, scope: scope!, params };
    columns.push(compileColumn(name, colSpec!, table.columns.get(name)!, at, ctx, name === "name"));
  }
  if (!columns.some((c) => c.name === "name")) throw new AdoptError("tenant.columns.name: the business needs a name (a value, or a legacy column)", 2);
  return {
    select: scope ? `select ${outputs.map((o, i) => `${o} as c${i}`).join(", ") || "1"} from ${from} limit 2` : undefined,
    params: params.values,
    columns,
  };
}

/** `zone`: the time zone naive legacy timestamps are read in when the mapping says "tenant". */
export function compile(m: LoadedMapping, legacy: LegacyCatalog, target: TargetCatalog, zone: string): Compiled {
  const country = m.mapping.defaults?.country ?? "US";
  const defaultZone = m.mapping.defaults?.zone;
  const effectiveZone = defaultZone === undefined || defaultZone === "tenant" ? zone : defaultZone;
  const indexOf = new Map(m.mapping.entries.map((e, i) => [e.name, i]));
  const entries = m.order.map((e) => compileEntry(e, indexOf.get(e.name)!, m, legacy, target, effectiveZone, country));
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const e of entries) for (const d of e.dependsOn) byName.get(d)!.referencedBy.push(e.name);
  return { loaded: m, entries, byName, tenant: compileTenant(m, legacy, target, country), country };
}

/** Evaluates constant defaults ('{}', true, 'open'…) of mapped NOT NULL columns once, on the target. Defaults that
 * call functions (now(), gen_random_uuid()) are left out: they would differ between run and verify. */
export async function prepareDefaults(c: Compiled, sql: import("postgres").Sql): Promise<void> {
  for (const e of c.entries) {
    for (const col of e.columns) {
      const d = col.target.defaultSql;
      if (!col.required || d === null || col.defaultValue !== null || d.includes("(")) continue;
      const [row] = await sql.unsafe(`select (${d})::text as v`);
      col.dbDefault = row.v as string;
    }
  }
}

/** Values the mapping itself writes are checked against the target's CHECK constraints on their column, on the
 * target, before anything is read: a map value the table does not allow (a memory kind it does not know) is a
 * mapping error with its key path, not thousands of skipped rows. (Values that come from legacy rows are checked
 * per row, see engine/checks.ts.) */
export async function checkFixedValues(c: Compiled, sql: import("postgres").Sql, catalog: TargetCatalog): Promise<void> {
  const targets: { table: TargetTable; columns: CompiledColumn[] }[] = [
    ...c.entries.map((e) => ({ table: e.table, columns: e.columns })),
    { table: catalog.get("tenants")!, columns: c.tenant.columns },
  ];
  for (const { table, columns } of targets) {
    for (const col of columns) {
      if (col.fixed.length === 0) continue;
      const rules = table.checks.filter((k) => k.columns.length === 1 && k.columns[0] === col.name);
      for (const rule of rules) {
        const q = `select coalesce((${rule.expr}), true) as ok from (select $1::text::${col.target.type} as ${ident(col.name)}) as candidate`;
        for (const [where, v] of col.fixed) {
          const [row] = await sql.unsafe(q, [v]);
          if (!row.ok) throw new AdoptError(`${col.at}.${where}: "${v}" breaks the target's check ${rule.name} (${rule.expr})`, 2);
        }
      }
    }
  }
}
