// The target's own rules, asked before a batch is written: the candidate rows go to the target as arrays, are cast
// to the columns' exact types, and the table's CHECK constraints are evaluated on them, as is every unique index
// that spans businesses (a WhatsApp number or phone number routes to one business only). A read, in any mode: plan
// writes nothing. A failing row is a skip the plan announces, not a COPY that fails halfway.
import type postgres from "postgres";
import type { CompiledEntry } from "../mapping/compile.ts";
import { ident, literal } from "../mapping/sql.ts";

export interface CheckQuery {
  sql: string;
  /** Compiled column index per array parameter (after the tenant and the row index). */
  columns: number[];
}

export function checkQuery(e: CompiledEntry): CheckQuery | undefined {
  const mapped = new Set(e.columns.map((c) => c.name));
  const uniques = e.table.globalUniques.filter((u) => u.columns.every((c) => mapped.has(c)));
  if (e.checks.length === 0 && uniques.length === 0) return undefined;
  // The columns the rules read (a unique index's predicate may read any column: then all of them).
  const read = new Set([...e.table.checks.filter((c) => e.checks.some((k) => k.name === c.name)).flatMap((c) => c.columns), ...uniques.flatMap((u) => u.columns)]);
  if (uniques.some((u) => u.predicate)) for (const c of e.table.columns.keys()) read.add(c);
  const columns: number[] = [];
  const selectList: string[] = ["u.i", "$1::uuid as adopt_tenant"]; // $1 is typed even when no rule uses it
  for (const col of e.table.columns.values()) {
    if (col.generated || !read.has(col.name)) continue;
    const idx = e.byName.get(col.name);
    if (idx !== undefined) {
      columns.push(idx);
      selectList.push(`u.c${columns.length}::${col.type} as ${ident(col.name)}`);
    } else {
      // Left to its default by the mapping: a constant default is what the row will hold; anything else, unknown.
      const d = col.defaultSql && !col.defaultSql.includes("(") ? col.defaultSql : "null";
      selectList.push(`(${d})::${col.type} as ${ident(col.name)}`);
    }
  }
  const conditions = [
    ...e.checks.map((c) => ({ name: c.name, fails: `not coalesce((${c.expr}), true)` })),
    ...uniques.map((u) => ({
      name: u.name,
      // Inside the subquery an unqualified column is the existing row's; outside, the candidate's.
      fails: `(${u.predicate ?? "true"}) and exists (select 1 from public.${ident(e.table.name)} t where t.tenant_id is distinct from $1::uuid ` +
        `and ${u.columns.map((c) => `t.${ident(c)} = v.${ident(c)}`).join(" and ")} and (${u.predicate ?? "true"}))`,
    })),
  ];
  const args = ["$2::int[]", ...columns.map((_, i) => `$${i + 3}::text[]`)];
  const names = ["i", ...columns.map((_, i) => `c${i + 1}`)];
  const sql =
    `select v.i, array_remove(array[${conditions.map((c) => `case when ${c.fails} then ${literal(c.name)} end`).join(", ")}], null) as failed ` +
    `from (select ${selectList.join(", ")} from unnest(${args.join(", ")}) as u(${names.join(", ")})) v ` +
    `where ${conditions.map((c) => `(${c.fails})`).join(" or ")}`;
  return { sql, columns };
}

/** Row indexes (into `rows`) that break a rule, with the constraints or indexes they break. */
export async function failingChecks(
  sql: postgres.Sql,
  q: CheckQuery,
  tenantId: string | null,
  rows: (string | null)[][],
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (rows.length === 0) return out;
  const params: unknown[] = [tenantId, rows.map((_, i) => i)];
  for (const c of q.columns) params.push(rows.map((r) => r[c]));
  const result = await sql.unsafe(q.sql, params as never[]);
  for (const r of result) out.set(r.i as number, r.failed as string[]);
  return out;
}
