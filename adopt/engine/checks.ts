// The target's own CHECK constraints, asked before a batch is written: the candidate rows go to the target as
// arrays, are cast to the columns' exact types, and every check of the table is evaluated on them (a read, in any
// mode: plan writes nothing). A failing row is a skip the plan announces, not a COPY that fails halfway.
import type postgres from "postgres";
import type { CompiledEntry } from "../mapping/compile.ts";
import { ident } from "../mapping/sql.ts";

export interface CheckQuery {
  sql: string;
  /** Compiled column index per array parameter (after the row index). */
  columns: number[];
}

export function checkQuery(e: CompiledEntry): CheckQuery | undefined {
  if (e.checks.length === 0) return undefined;
  const referenced = new Set(e.table.checks.filter((c) => e.checks.some((k) => k.name === c.name)).flatMap((c) => c.columns));
  const columns: number[] = [];
  const selectList: string[] = ["u.i"];
  for (const name of referenced) {
    const col = e.table.columns.get(name)!;
    const idx = e.byName.get(name);
    if (idx !== undefined) {
      columns.push(idx);
      selectList.push(`u.c${columns.length}::${col.type} as ${ident(name)}`);
    } else {
      // Left to its default by the mapping: a constant default is what the row will hold; anything else, unknown.
      const d = col.defaultSql && !col.defaultSql.includes("(") ? col.defaultSql : "null";
      selectList.push(`(${d})::${col.type} as ${ident(name)}`);
    }
  }
  const args = ["$1::int[]", ...columns.map((_, i) => `$${i + 2}::text[]`)];
  const names = ["i", ...columns.map((_, i) => `c${i + 1}`)];
  const failed = e.checks.map((c) => `case when not coalesce((${c.expr}), true) then ${"'" + c.name + "'"} end`);
  const all = e.checks.map((c) => `coalesce((${c.expr}), true)`).join(" and ");
  const sql =
    `select v.i, array_remove(array[${failed.join(", ")}], null) as failed ` +
    `from (select ${selectList.join(", ")} from unnest(${args.join(", ")}) as u(${names.join(", ")})) v ` +
    `where not (${all})`;
  return { sql, columns };
}

/** Row indexes (into `rows`) that break a check, with the constraints they break. */
export async function failingChecks(
  sql: postgres.Sql,
  q: CheckQuery,
  rows: (string | null)[][],
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (rows.length === 0) return out;
  const params: unknown[] = [rows.map((_, i) => i)];
  for (const c of q.columns) params.push(rows.map((r) => r[c]));
  const result = await sql.unsafe(q.sql, params as never[]);
  for (const r of result) out.set(r.i as number, r.failed as string[]);
  return out;
}
