// The target's own rules, asked before a batch is written: the candidate rows go to the target as arrays, are cast
// to the columns' exact types, and the table's CHECK constraints are evaluated on them, as is every unique index
// that spans businesses (a WhatsApp number or phone number routes to one business only) and every exclusion
// constraint (opening hours that may not overlap), against the tenant's rows and between the batch's own rows. A
// read, in any mode: plan writes nothing. A failing row is a skip the plan announces, not a COPY that fails halfway.
//
// Exclusions and rows of earlier batches: a run writes batch n while batch n + 1 is being checked, so two legacy rows
// that clash from different batches can still be refused by the target (a clean error, nothing of that batch
// written; see run.ts). Within a batch and against what the tenant held before, they are announced skips.
import type postgres from "postgres";
import type { CompiledEntry } from "../mapping/compile.ts";
import { ident, literal } from "../mapping/sql.ts";

export interface CheckQuery {
  sql: string;
  /** Compiled column index per array parameter (after the fixed parameters). */
  columns: number[];
  entry: string;
}

/** Suffix of the condition name of an exclusion clash between two rows of the same batch. */
export const WITHIN = " (within the import)";

export function checkQuery(e: CompiledEntry): CheckQuery | undefined {
  const mapped = new Set(e.columns.map((c) => c.name));
  const uniques = e.table.globalUniques.filter((u) => u.columns.every((c) => mapped.has(c)));
  const exclusions = e.table.exclusions;
  if (e.checks.length === 0 && uniques.length === 0 && exclusions.length === 0) return undefined;
  // The columns the rules read (a predicate or an exclusion's expression may read any column: then all of them).
  const read = new Set([...e.table.checks.filter((c) => e.checks.some((k) => k.name === c.name)).flatMap((c) => c.columns), ...uniques.flatMap((u) => u.columns)]);
  if (uniques.some((u) => u.predicate) || exclusions.length) for (const c of e.table.columns.keys()) read.add(c);
  const columns: number[] = [];
  // $1 tenant, $2 row index, $3 the rows' legacy keys, $4 the import (if any), $5 the entry; then one array per column.
  const FIXED = 5;
  const selectList: string[] = ["u.i", "u.k as adopt_key", "$1::uuid as adopt_tenant"]; // $1 is typed even when no rule uses it
  for (const col of e.table.columns.values()) {
    if (col.generated || !read.has(col.name)) continue;
    const idx = e.byName.get(col.name);
    if (col.name === "tenant_id") {
      // (A tenant not created yet, in a plan: a stand-in id no row has, so that candidates still meet each other.)
      selectList.push(`coalesce($1::uuid, '00000000-0000-0000-0000-000000000000'::uuid) as tenant_id`);
    } else if (idx !== undefined) {
      columns.push(idx);
      selectList.push(`u.c${columns.length}::${col.type} as ${ident(col.name)}`);
    } else {
      // Left to its default by the mapping: a constant default is what the row will hold; anything else, unknown.
      const d = col.defaultSql && !col.defaultSql.includes("(") ? col.defaultSql : "null";
      selectList.push(`(${d})::${col.type} as ${ident(col.name)}`);
    }
  }
  // The exclusions' expressions over each candidate, computed one level up (where unqualified columns are the
  // candidate's), so that inside the subqueries below unqualified columns are the existing row's.
  const extra: string[] = [];
  exclusions.forEach((x, k) => {
    x.elements.forEach((el, j) => extra.push(`(${el.expr}) as x${k}_${j}`));
    extra.push(`coalesce((${x.predicate ?? "true"}), false) as p${k}`);
  });
  const pk = e.table.primaryKey.filter((c) => c !== "tenant_id");
  const conditions = [
    ...e.checks.map((c) => ({ name: c.name, fails: `not coalesce((${c.expr}), true)` })),
    ...uniques.map((u) => ({
      name: u.name,
      // Inside the subquery an unqualified column is the existing row's. The predicate is asked of the existing row
      // only: on the candidate, triggers may still fill its columns (a channel the platform writes is verified on
      // insert), so a value another business holds in the index's scope is taken, whatever the candidate says.
      fails: `exists (select 1 from public.${ident(e.table.name)} t where t.tenant_id is distinct from $1::uuid ` +
        `and ${u.columns.map((c) => `t.${ident(c)} = v.${ident(c)}`).join(" and ")} and (${u.predicate ?? "true"}))`,
    })),
    ...exclusions.flatMap((x, k) => [
      {
        name: x.name,
        // An existing row of the table (the tenant's: the constraint's own elements say which rows meet), other than
        // the one this very legacy row became in an earlier run of this import.
        fails: `v.p${k} and exists (select 1 from public.${ident(e.table.name)} t where ` +
          x.elements.map((el, j) => `(${el.expr}) ${el.op} v.x${k}_${j}`).join(" and ") +
          // (the predicate as written, so that the constraint's partial index serves the probe)
          ` and (${x.predicate ?? "true"})` +
          ` and not exists (select 1 from private.import_ledger l where l.import_id = $4::uuid and l.entry = $5::text and l.legacy_key = v.adopt_key` +
          ` and l.action = 'created' and l.new_key = array[${pk.map((c) => `t.${ident(c)}::text`).join(", ")}]))`,
      },
      {
        name: x.name + WITHIN,
        // An earlier candidate of the same batch (clashes worked out once per batch, as a join: see below).
        fails: `v.i in (select i from clash${k})`,
      },
    ]),
  ];
  const args = ["$2::int[]", "$3::text[]", ...columns.map((_, i) => `$${i + FIXED + 1}::text[]`)];
  const names = ["i", "k", ...columns.map((_, i) => `c${i + 1}`)];
  // Per exclusion, the candidates that clash with an earlier candidate of the batch: one join (hashed on the
  // constraint's equality elements), not a subquery per row.
  const clashes = exclusions.map((x, k) =>
    `, clash${k} as (select distinct v.i from v join v w on w.i < v.i and w.p${k} and v.p${k} and ` +
    x.elements.map((el, j) => `w.x${k}_${j} ${el.op} v.x${k}_${j}`).join(" and ") + `)`).join("");
  const sql =
    `with v as materialized (select c.*${extra.length ? ", " + extra.join(", ") : ""} from (select ${selectList.join(", ")} from unnest(${args.join(", ")}) as u(${names.join(", ")})) c)${clashes} ` +
    `select v.i, array_remove(array[${conditions.map((c) => `case when ${c.fails} then ${literal(c.name)} end`).join(", ")}], null) as failed ` +
    `from v where ($4::uuid is null or true) and ($5::text is null or true) and (${conditions.map((c) => `(${c.fails})`).join(" or ")})`;
  return { sql, columns, entry: e.name };
}

/** Row indexes (into `rows`) that break a rule, with the constraints or indexes they break. */
export async function failingChecks(
  sql: postgres.Sql,
  q: CheckQuery,
  tenantId: string | null,
  importId: string | null,
  keys: string[],
  rows: (string | null)[][],
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (rows.length === 0) return out;
  const params: unknown[] = [tenantId, rows.map((_, i) => i), keys, importId, q.entry];
  for (const c of q.columns) params.push(rows.map((r) => r[c]));
  const result = await sql.unsafe(q.sql, params as never[]);
  for (const r of result) out.set(r.i as number, r.failed as string[]);
  return out;
}
