// A tenant API key as a database principal, for tests about what a key may do in SQL.
//
// supabase/functions/_shared/api-keys/principal.ts runs an API-key request as `authenticated` with the claims
// `{"role": "authenticated", "tenant_id": <the key's tenant>, "api_key_id": <the key>, "scopes": [...]}` (no `sub`),
// set locally in the request's one transaction. asApiKey() does the same through `authenticator`, exactly as
// asRequest() does for a JWT, so a test reaches the tables the way a key's request does.
import { createHash, randomBytes } from "node:crypto";
import type postgres from "postgres";
import { API_KEY_SCOPES, type ApiKeyScope } from "../../supabase/functions/_shared/api-keys/format.ts";
import type { TestDb } from "./db.ts";

export type ApiKeyClaims = {
  role: "authenticated";
  tenant_id: string;
  api_key_id: string;
  scopes: string[];
};

export interface TestApiKey {
  id: string;
  tenantId: string;
  /** The plaintext `fd_live_…` key (what a client presents); only its SHA-256 is stored. */
  key: string;
  /** SHA-256 of the key's UTF-8 bytes, hex: what principal.ts hands to authenticate_api_key(). */
  keyHash: string;
  scopes: ApiKeyScope[];
  claims: ApiKeyClaims;
}

/** The request claims principal.ts sets for a live key (no `sub`: a claim set with a subject is a member's). */
export function apiKeyClaims(tenantId: string, keyId: string, scopes: readonly string[]): ApiKeyClaims {
  return { role: "authenticated", tenant_id: tenantId, api_key_id: keyId, scopes: [...scopes] };
}

/**
 * A live key of `tenantId` (not revoked, no expiry), stored as the schema owner the way create_api_key() stores one:
 * display prefix and SHA-256 of the whole key. Every scope by default, so "a key writes nothing" is tested with the
 * most powerful key there is.
 */
export async function createApiKey(
  db: TestDb,
  tenantId: string,
  opts: { createdBy?: string; scopes?: readonly ApiKeyScope[]; name?: string } = {},
): Promise<TestApiKey> {
  const scopes = [...(opts.scopes ?? API_KEY_SCOPES)];
  const prefix = `fd_live_${randomBytes(4).toString("hex")}`;
  const key = `${prefix}_${randomBytes(32).toString("base64url")}`;
  const hash = createHash("sha256").update(key, "utf8").digest();
  const [row] = await db.sql`
    insert into public.api_keys (tenant_id, name, prefix, key_hash, scopes, created_by)
    values (${tenantId}, ${opts.name ?? "test key"}, ${prefix}, ${hash}, ${db.sql.array(scopes)}, ${opts.createdBy ?? null})
    returning id`;
  return { id: row.id, tenantId, key, keyHash: hash.toString("hex"), scopes, claims: apiKeyClaims(tenantId, row.id, scopes) };
}

/** Runs `work` as PostgREST-style SQL with these claims: authenticator, then role and claims set locally. */
export async function asClaims<T>(db: TestDb, claims: { role: string } & Record<string, unknown>, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return (await db.authenticator.begin(async (tx) => {
    await tx`select set_config('role', ${claims.role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return work(tx);
  })) as T;
}

/** Runs `work` as the API key's request does (principal.ts): `authenticated` with the key's claims. */
export function asApiKey<T>(db: TestDb, key: Pick<TestApiKey, "claims">, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return asClaims(db, key.claims, work);
}
