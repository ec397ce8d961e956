// The one connection pool a function instance uses (SUPABASE_DB_URL), and `asCaller`: run SQL exactly as PostgREST
// would for the request's JWT — one transaction, `role` and `request.jwt.claims` set locally — so RLS decides.
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

export async function asCaller<T>(claims: CallerClaims, work: (tx: Tx) => Promise<T>, sql: Sql = db()): Promise<T> {
  // PostgREST switches to whatever role the JWT names; we allow only the API roles, never the pool's own.
  if (!API_ROLES.has(claims.role)) throw new Error(`refusing to act as role "${claims.role}"`);
  return (await sql.begin(async (tx) => {
    await tx`select set_config('role', ${claims.role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return work(tx);
  })) as T;
}

/**
 * Webhook and bot work: one transaction as `frontdesk_webhook`, a role that may only execute the narrow
 * security-definer ingest/outbox/assistant functions (each scoped to the tenant a number resolved to).
 */
export async function asWebhook<T>(work: (tx: Tx) => Promise<T>, sql: Sql = db()): Promise<T> {
  return (await sql.begin(async (tx) => {
    await tx`set local role frontdesk_webhook`;
    return work(tx);
  })) as T;
}

/**
 * Platform work no client may do (recording a channel's verification, the operator's assignments): one transaction
 * as `service_role`, with claims naming only that role, so `auth.role()` and the audit log say who acted. `actorId`
 * (the signed-in user on whose request the work runs) lands in the audit log as the actor; it grants nothing, since
 * service_role's access does not come from claims.
 */
export async function asService<T>(work: (tx: Tx) => Promise<T>, sql: Sql = db(), actorId?: string): Promise<T> {
  const claims = actorId ? { role: "service_role", sub: actorId } : { role: "service_role" };
  return (await sql.begin(async (tx) => {
    await tx`set local role service_role`;
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return work(tx);
  })) as T;
}
