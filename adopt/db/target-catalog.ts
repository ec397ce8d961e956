// What the target database says about its tables: columns and their exact types (with typmods, so verify casts
// legacy values exactly as the table stores them), primary keys, foreign keys, check constraints, enum labels.
// Mappings are checked against this, not against a copy of the schema, so they follow the migrations.
import type postgres from "postgres";

export interface TargetColumn {
  name: string;
  /** format_type(): "numeric(4,3)", "timestamp with time zone", "public.booking_status", "text[]" */
  type: string;
  /** The base type's name: int4, numeric, bool, uuid, jsonb, timestamptz, time, date, text, _text, or an enum's. */
  base: string;
  notNull: boolean;
  hasDefault: boolean;
  /** The default's SQL, to evaluate check constraints on columns a mapping leaves to their default. */
  defaultSql: string | null;
  generated: boolean;
  enumLabels: string[] | null;
  typmod: number;
}

export interface ForeignKey {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

export interface CheckConstraint {
  name: string;
  expr: string;
  columns: string[];
}

/** A unique index that does not include tenant_id: a value one business holds, no other may (a WhatsApp number). */
export interface GlobalUnique {
  name: string;
  columns: string[];
  predicate: string | null;
}

/** An exclusion constraint (opening hours that may not overlap): per element the indexed expression (over the
 * table's columns, unqualified) and the operator two rows may not both satisfy. */
export interface Exclusion {
  name: string;
  elements: { expr: string; op: string }[];
  predicate: string | null;
}

export interface TargetTable {
  name: string;
  columns: Map<string, TargetColumn>;
  primaryKey: string[];
  foreignKeys: ForeignKey[];
  checks: CheckConstraint[];
  globalUniques: GlobalUnique[];
  exclusions: Exclusion[];
}

export type TargetCatalog = Map<string, TargetTable>;

export async function loadTargetCatalog(sql: postgres.Sql): Promise<TargetCatalog> {
  const columns = await sql<{
    table: string; name: string; type: string; base: string; not_null: boolean; default_sql: string | null;
    generated: boolean; labels: string[] | null; typmod: number;
  }[]>`
    select c.relname as table, a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
           t.typname::text as base, a.attnotnull as not_null,
           case when a.attgenerated = '' then pg_get_expr(d.adbin, d.adrelid) end as default_sql,
           a.attgenerated <> '' or a.attidentity <> '' as generated,
           (select array_agg(e.enumlabel::text order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid) as labels,
           a.atttypmod as typmod
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    join pg_type t on t.oid = a.atttypid
    left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
    where n.nspname = 'public' and c.relkind in ('r', 'p')
    order by c.relname, a.attnum`;
  const constraints = await sql<{ table: string; name: string; type: string; columns: string[]; ref_table: string | null; ref_columns: string[] | null; def: string }[]>`
    select c.relname as table, k.conname as name, k.contype::text as type,
           array(select a.attname::text from unnest(k.conkey) with ordinality u(n, o)
                 join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n order by u.o) as columns,
           case when k.contype = 'f' then (select r.relname::text from pg_class r where r.oid = k.confrelid) end as ref_table,
           case when k.contype = 'f' then array(select a.attname::text from unnest(k.confkey) with ordinality u(n, o)
                 join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n order by u.o) end as ref_columns,
           pg_get_constraintdef(k.oid) as def
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and k.contype in ('p', 'f', 'c')
    order by c.relname, k.conname`;

  const uniques = await sql<{ table: string; name: string; columns: string[]; predicate: string | null }[]>`
    select c.relname as table, ic.relname as name,
           array(select a.attname::text from unnest(i.indkey) with ordinality u(n, o)
                 join pg_attribute a on a.attrelid = i.indrelid and a.attnum = u.n order by u.o) as columns,
           pg_get_expr(i.indpred, i.indrelid) as predicate
    from pg_index i
    join pg_class c on c.oid = i.indrelid
    join pg_class ic on ic.oid = i.indexrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and i.indisunique and not i.indisprimary and i.indexprs is null`;

  const exclusions = await sql<{ table: string; name: string; exprs: string[]; ops: string[]; predicate: string | null }[]>`
    select c.relname as table, k.conname as name,
           array(select pg_get_indexdef(k.conindid, u.n::int, true) from generate_series(1, cardinality(k.conexclop)) u(n) order by u.n) as exprs,
           array(select o.oprname::text from unnest(k.conexclop) with ordinality u(op, n) join pg_operator o on o.oid = u.op order by u.n) as ops,
           pg_get_expr(i.indpred, i.indrelid) as predicate
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_index i on i.indexrelid = k.conindid
    where n.nspname = 'public' and k.contype = 'x'
    order by c.relname, k.conname`;

  const catalog: TargetCatalog = new Map();
  for (const c of columns) {
    let table = catalog.get(c.table);
    if (!table) {
      table = { name: c.table, columns: new Map(), primaryKey: [], foreignKeys: [], checks: [], globalUniques: [], exclusions: [] };
      catalog.set(c.table, table);
    }
    table.columns.set(c.name, {
      name: c.name, type: c.type, base: c.base, notNull: c.not_null, hasDefault: c.default_sql !== null,
      defaultSql: c.default_sql, generated: c.generated, enumLabels: c.labels, typmod: c.typmod,
    });
  }
  for (const k of constraints) {
    const table = catalog.get(k.table);
    if (!table) continue;
    if (k.type === "p") table.primaryKey = k.columns;
    else if (k.type === "f") table.foreignKeys.push({ name: k.name, columns: k.columns, refTable: k.ref_table!, refColumns: k.ref_columns! });
    else {
      const m = /^CHECK \((.*)\)( NOT VALID)?$/s.exec(k.def);
      if (m) table.checks.push({ name: k.name, expr: m[1], columns: k.columns });
    }
  }
  for (const u of uniques) {
    const table = catalog.get(u.table);
    if (table && !u.columns.includes("tenant_id")) table.globalUniques.push({ name: u.name, columns: u.columns, predicate: u.predicate });
  }
  for (const x of exclusions) {
    catalog.get(x.table)?.exclusions.push({ name: x.name, elements: x.exprs.map((expr, i) => ({ expr, op: x.ops[i] })), predicate: x.predicate });
  }
  return catalog;
}
