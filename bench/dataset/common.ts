// What every dataset builder shares: the id schemes, the session a build runs in, and the SQL expressions several
// builders reuse (phone numbers, call times). Builders are set-based (one insert ... select over generate_series per
// table) and return the rows they inserted; each benchmark times and prints its steps its own way.
import { createHash } from "node:crypto";
import postgres from "postgres";

/**
 * How a row's id derives from its key ('tenant:12', 'customer:12:3', …): random-looking, like gen_random_uuid, but
 * reproducible, so the set-based statements can refer to each other's rows and a benchmark can find its own.
 *   md5    md5(key)::uuid (bench:rls, bench:memory, bench:webhook);
 *   uuid4  the same digest with the RFC 4122 version (4) and variant bits set: uuids every validator accepts
 *          (bench:voice: the receptionist tools check the ids they are given).
 */
export type IdScheme = "md5" | "uuid4";

/** Row ids of `scheme` in SQL: `id("'tenant:' || t")` is the id of the key that SQL (text or fragment) computes. */
export function rowIds(sql: postgres.Sql, scheme: IdScheme = "md5"): (key: string | postgres.Fragment) => postgres.Fragment {
  return (key) => {
    const k = typeof key === "string" ? sql.unsafe(key) : key;
    return scheme === "md5" ? sql`md5(${k})::uuid` : sql`overlay(overlay(md5(${k}) placing '4' from 13) placing '8' from 17)::uuid`;
  };
}

/** The id of `key` ('tenant:12') under `scheme`, computed here: what `rowIds` gives in SQL. */
export function benchId(scheme: IdScheme, key: string): string {
  let h = createHash("md5").update(key).digest("hex");
  if (scheme === "uuid4") h = `${h.slice(0, 12)}4${h.slice(13, 16)}8${h.slice(17)}`;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A build's session: memory for the big sorts and the final vacuum, and the seed random() draws from (reproducible text). */
export async function buildSession(sql: postgres.Sql, seed?: number): Promise<void> {
  await sql`set work_mem = '256MB'`;
  await sql`set maintenance_work_mem = '512MB'`;
  if (seed !== undefined) await sql`select setseed(${seed})`;
}

/** Phone numbers, as SQL over the builders' series variables: t the tenant (1..n), j its customer (0..n-1). */
export const TENANT_PHONE = "'+1555' || lpad(t::text, 7, '0')";
export const CUSTOMER_PHONE = "'+34' || (600000000 + t * 100 + j)";

/** When customer j's call happened (bench:rls's and bench:voice's calls, and the caller profiles that count them). */
export const CALL_STARTED = "now() - (j + 1) * interval '3 days'";
