// The one connection pool a function instance uses (SUPABASE_DB_URL), and `asCaller`: run SQL exactly as PostgREST
// would for the request's JWT — one transaction, `role` and `request.jwt.claims` set locally — so RLS decides. BEGIN,
// role, claims and the caller's live access (private.request_access) go out pipelined with the work's first
// statement: no round trip of their own.
import postgres from "postgres";
import { env, requireEnv } from "../env.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

let pool: Sql | undefined;

export function db(): Sql {
  pool ??= postgres(requireEnv("SUPABASE_DB_URL"), {
    // Small by default: hosted functions run many instances against one database. FRONTDESK_DB_POOL_MAX raises it.
    max: Number(env("FRONTDESK_DB_POOL_MAX") ?? 4),
    idle_timeout: 20,
    // Transaction poolers (Supavisor) do not keep prepared statements across transactions, so off by default;
    // FRONTDESK_DB_PREPARE=true when SUPABASE_DB_URL is a direct connection.
    prepare: env("FRONTDESK_DB_PREPARE") === "true",
    onnotice: () => {},
  });
  return pool;
}

/** For tests and tools that bring their own pool. */
export function useDb(sql: Sql): void {
  pool = sql;
}

const API_ROLES = new Set(["anon", "authenticated", "service_role"]);

export interface CallerClaims { role: string; [claim: string]: unknown }

/** A SQL string literal for any text, independent of `standard_conforming_strings` (E'' with `\\` and `''`). */
function literal(text: string): string {
  return `E'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

interface Setup { text: string; params: string[]; prepare: boolean }

/**
 * The statement that makes the transaction act for `claims`: `role` and `request.jwt.claims` set transaction-locally,
 * exactly as PostgREST does (it answers booleans rather than echoing the claims back). postgres.js must describe a
 * parameterised statement before it can bind it, a round trip of its own that holds back every query after it,
 * unless the statement is already prepared on the connection. So: with prepared statements on (a direct connection,
 * FRONTDESK_DB_PREPARE=true) a parameterised statement, described once per connection and pipelined from then on;
 * otherwise (a transaction pooler) the values as literals in an unnamed statement, which needs no describe.
 *
 * Prepared, the same statement also resolves an authenticated caller's live access (private.request_access, which
 * caches it for every policy after it): one planned statement instead of the first policy resolving it through
 * PL/pgSQL. The correlated subquery runs after the row that set role and claims (offset 0 keeps that row its own
 * step), so it reads this request's claims. Unprepared, the view would be planned afresh on every request, which
 * costs more than the policy's way, so it is left to the policy.
 */
function actAs(sql: Sql, role: string, claims: Record<string, unknown>): Setup {
  const json = JSON.stringify(claims);
  const text = (r: string, c: string) =>
    `select pg_catalog.set_config('role', ${r}, true) is null, pg_catalog.set_config('request.jwt.claims', ${c}, true) is null`;
  if (!sql.options.prepare) return { text: text(literal(role), literal(json)), params: [], prepare: false };
  // Only authenticated's policies ask who the caller is; anon and service_role never read the access.
  if (role !== "authenticated") return { text: text("$1", "$2"), params: [role, json], prepare: true };
  return {
    text: "select (select a.access from private.request_access a where s.claims is not null) is null" +
      " from (select pg_catalog.set_config('role', $1, true) as role," +
      " pg_catalog.set_config('request.jwt.claims', $2, true) as claims offset 0) s",
    params: [role, json],
    prepare: true,
  };
}

/**
 * One transaction whose every statement runs after `setup`, sent without waiting: `begin`, `setup` and the work's
 * first statement go out together on one reserved connection (postgres.js pipelines what is issued on it without
 * awaiting), so the request costs the round trips of its own statements and one for the commit, as the work alone
 * in a transaction would (postgres.js's own `begin` waits for BEGIN's answer first: a round trip more). If `setup`
 * fails, Postgres refuses every later statement of the transaction (25P02) and setup's error is raised, so no
 * statement of the work runs without the role and claims. BEGIN on an idle connection fails only when the
 * connection does, which fails everything sent after it as well.
 */
async function inTransaction<T>(sql: Sql, setup: Setup, work: (tx: Tx) => Promise<T>): Promise<T> {
  const conn = await sql.reserve();
  // A setup without parameters (a webhook's role, literals for a pooler) rides in BEGIN's own message: one simple
  // query, two statements, run in order; a parameterised one follows it as a statement of its own.
  const inline = setup.params.length === 0 && !setup.prepare;
  const begun = conn.unsafe(inline ? `begin; ${setup.text}` : "begin").execute();
  const ready = inline ? begun : conn.unsafe(setup.text, setup.params, { prepare: setup.prepare }).execute();
  // Awaited below; this only keeps a failure from surfacing as unhandled while the work runs.
  begun.catch(() => {});
  ready.catch(() => {});
  try {
    const result = await work(withSavepoints(conn));
    await begun;
    await ready;
    await conn.unsafe("commit");
    return result;
  } catch (err) {
    await conn.unsafe("rollback").catch(() => {});
    // A statement refused because an earlier one failed (25P02) reports that earlier failure.
    await begun;
    await ready;
    throw err;
  } finally {
    conn.release();
  }
}

/** The reserved connection as a transaction: `savepoint(fn)` as postgres.js's transactions have it. */
function withSavepoints(conn: postgres.ReservedSql): Tx {
  let count = 0;
  const tx = conn as unknown as Tx;
  const savepoint = async <R>(fn: (sp: Tx) => R | Promise<R>): Promise<R> => {
    const name = `fd_sp_${count++}`;
    await conn.unsafe(`savepoint ${name}`);
    try {
      const result = await fn(tx);
      await conn.unsafe(`release savepoint ${name}`);
      return result;
    } catch (err) {
      await conn.unsafe(`rollback to savepoint ${name}`);
      throw err;
    }
  };
  Object.assign(tx, { savepoint });
  return tx;
}

export async function asCaller<T>(claims: CallerClaims, work: (tx: Tx) => Promise<T>, sql: Sql = db()): Promise<T> {
  // PostgREST switches to whatever role the JWT names; we allow only the API roles, never the pool's own.
  if (!API_ROLES.has(claims.role)) throw new Error(`refusing to act as role "${claims.role}"`);
  return inTransaction(sql, actAs(sql, claims.role, claims), work);
}

/**
 * Webhook and bot work: one transaction as `frontdesk_webhook`, a role that may only execute the narrow
 * security-definer ingest/outbox/assistant functions (each scoped to the tenant a number resolved to).
 */
export async function asWebhook<T>(work: (tx: Tx) => Promise<T>, sql: Sql = db()): Promise<T> {
  return inTransaction(sql, { text: "set local role frontdesk_webhook", params: [], prepare: false }, work);
}

/**
 * Platform work no client may do (recording a channel's verification, the operator's assignments): one transaction
 * as `service_role`, with claims naming only that role, so `auth.role()` and the audit log say who acted. `actorId`
 * (the signed-in user on whose request the work runs) lands in the audit log as the actor; it grants nothing, since
 * service_role's access does not come from claims.
 */
export async function asService<T>(work: (tx: Tx) => Promise<T>, sql: Sql = db(), actorId?: string): Promise<T> {
  const claims = actorId ? { role: "service_role", sub: actorId } : { role: "service_role" };
  return inTransaction(sql, actAs(sql, "service_role", claims), work);
}
