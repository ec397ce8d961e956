// What the security regression tests share: one attack attempt run exactly as PostgREST runs a request (asRequest:
// authenticator, role and claims set locally, one transaction) reduced to what it proves, and the owner's view of the
// rows an attack aims at, read before and after as `postgres` (no RLS), so "nothing changed" is checked on the data
// itself, not on what the attacker can see.
import type postgres from "postgres";
import { asRequest, type TestDb } from "../helpers/db.ts";

/**
 * The outcome of one attempt: the SQLSTATE it was refused with, or `rows=<n>` when it went through (n = rows the
 * statement affected or returned). An attempt that "succeeds" on zero rows is therefore told apart from one that
 * changed something, and from a refusal.
 */
export async function attempt(
  db: TestDb,
  token: string | null,
  work: (tx: postgres.TransactionSql) => Promise<postgres.RowList<postgres.Row[]>>,
): Promise<string> {
  try {
    const rows = await asRequest(db, token, work);
    return `rows=${rows.count ?? rows.length}`;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!code) throw err;
    return code;
  }
}

/** The error an attempt was refused with (for tests that check the constraint or message, not only the SQLSTATE). */
export async function refusal(
  db: TestDb,
  token: string | null,
  work: (tx: postgres.TransactionSql) => Promise<unknown>,
): Promise<{ code: string; constraint_name?: string; message: string }> {
  try {
    await asRequest(db, token, work);
  } catch (err) {
    const e = err as { code?: string; constraint_name?: string; message: string };
    if (!e.code) throw err;
    return { code: e.code, constraint_name: e.constraint_name, message: e.message };
  }
  throw new Error("the attempt was expected to be refused, and it went through");
}

/** Every row of `table` matching `where` (trusted SQL, written by the test) as jsonb, ordered, read as the owner. */
export async function rowsOf(db: TestDb, table: string, where: string, ...params: postgres.ParameterOrJSON<never>[]): Promise<unknown[]> {
  const rows = await db.sql.unsafe(
    `select to_jsonb(t) as row from ${table} t where ${where} order by to_jsonb(t)::text`,
    params as never[],
  );
  return rows.map((r) => r.row);
}

/** How many rows of `table` match `where`, read as the owner. */
export async function countOf(db: TestDb, table: string, where = "true", ...params: postgres.ParameterOrJSON<never>[]): Promise<number> {
  const [row] = await db.sql.unsafe(`select count(*)::int as n from ${table} where ${where}`, params as never[]);
  return row.n as number;
}

/** Sets a metric's usage this month for a business, as the platform's counters would have it (as the owner). */
export async function setUsage(db: TestDb, tenantId: string, metric: string, quantity: number): Promise<void> {
  await db.sql`
    insert into public.usage_monthly (tenant_id, month, metric, quantity)
    values (${tenantId}, date_trunc('month', now() at time zone 'UTC')::date, ${metric}, ${quantity})
    on conflict (tenant_id, month, metric) do update set quantity = excluded.quantity`;
}

/** This month's usage of a metric, as the owner reads it (0 when nothing was counted). */
export async function usageOf(db: TestDb, tenantId: string, metric: string): Promise<number> {
  const [row] = await db.sql`
    select coalesce((select quantity from public.usage_monthly
                     where tenant_id = ${tenantId} and metric = ${metric}
                       and month = date_trunc('month', now() at time zone 'UTC')::date), 0)::float8 as q`;
  return row.q as number;
}
