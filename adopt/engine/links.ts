// Rows the tenant already has. When an entry merges on a key (customers by phone), a legacy row whose key the
// tenant already holds is linked to that row rather than imported again: the ledger records the link, verify does
// not count it as imported, and rollback leaves the row alone (unless this import created it).
import type postgres from "postgres";
import type { CompiledEntry } from "../mapping/compile.ts";
import { ident } from "../mapping/sql.ts";

export interface Existing {
  key: string[];
  /** Created by this very import (through another entry writing the same table). */
  ours: boolean;
  /** The existing row's values of the entry's ref columns (in the order of refColumns()), as text. */
  refs: (string | null)[];
}

/** The entry's ref (foreign key) columns, by compiled index: the links a linked existing row can be given. */
export const refColumns = (e: CompiledEntry): number[] => e.columns.flatMap((c, i) => (c.ref ? [i] : []));

export function linkQuery(e: CompiledEntry): string | undefined {
  if (!e.merge) return undefined;
  const on = e.merge.on.map((i) => e.columns[i]);
  const args = on.map((_, i) => `$${i + 3}::text[]`).join(", ");
  const names = on.map((_, i) => `k${i}`);
  const keyText = e.key.map((k) => `t.${ident(k)}::text`);
  return (
    `select ${names.map((n) => `u.${n}`).join(", ")}, array[${keyText.join(", ")}] as key, ` +
    `exists (select 1 from private.import_ledger l where l.import_id = $2 and l.target_table = '${e.table.name}' ` +
    `and l.action = 'created' and l.new_key = array[${keyText.join(", ")}]) as ours, ` +
    // (as JSON: postgres.js reads a NULL element of a text[] it was not told the type of as the string "NULL")
    `jsonb_build_array(${refColumns(e).map((i) => `t.${ident(e.columns[i].name)}::text`).join(", ")}) as refs ` +
    `from unnest(${args}) as u(${names.join(", ")}) ` +
    `join public.${ident(e.table.name)} t on t.tenant_id = $1 and ` +
    on.map((c, i) => `t.${ident(c.name)} = u.k${i}::${c.target.type}`).join(" and ")
  );
}

/** Existing rows of the tenant for these merge keys (each key: the target values of the merge columns). */
export async function findExisting(
  sql: postgres.Sql,
  query: string,
  tenantId: string,
  importId: string | null,
  keys: string[][],
): Promise<Map<string, Existing>> {
  const out = new Map<string, Existing>();
  if (keys.length === 0) return out;
  const width = keys[0].length;
  const params: unknown[] = [tenantId, importId ?? "00000000-0000-0000-0000-000000000000"];
  for (let i = 0; i < width; i++) params.push(keys.map((k) => k[i]));
  for (const r of await sql.unsafe(query, params as never[])) {
    const k = Array.from({ length: width }, (_, i) => r[`k${i}`] as string).join("\u0001") + "\u0001";
    if (!out.has(k)) out.set(k, { key: r.key as string[], ours: r.ours as boolean, refs: r.refs as (string | null)[] });
  }
  return out;
}

/** Whether the tenant holds rows of the entry's table that this import did not create: only then can a legacy row
 * link to one, and only then are the per-batch lookups worth their cost. */
export async function hasForeignRows(sql: postgres.Sql, e: CompiledEntry, tenantId: string | null, importId: string | null): Promise<boolean> {
  if (!e.merge || !tenantId) return false;
  const [r] = await sql.unsafe(
    `select (select count(*) from public.${ident(e.table.name)} where tenant_id = $1) >
            (select count(*) from private.import_ledger where import_id = $2 and target_table = $3 and action = 'created') as foreign`,
    [tenantId, importId ?? "00000000-0000-0000-0000-000000000000", e.table.name],
  );
  return r.foreign as boolean;
}
