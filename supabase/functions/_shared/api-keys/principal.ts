// Who calls a tenant API that agents and integrations use (the memory API): a tenant API key or a member's JWT, both
// as `Authorization: Bearer …`, and the one transaction each request runs in.
//
// A member runs as themselves (asCaller). An API key is authenticated inside the request's own transaction: as
// `frontdesk_api`, authenticate_api_key() turns the key's SHA-256 into its tenant, id and scopes (or a 401), and the
// same statement sets the claims `{role: authenticated, tenant_id, api_key_id, scopes}` and switches to
// `authenticated`. From there on RLS and the SQL functions decide, with the tenant taken from the key's row, never
// from the request. One transaction, one extra statement compared with a JWT request (plus, once a minute per key,
// a small write recording its last use).
import { bearerToken, verifyJwt, type JwtClaims } from "../auth/jwt.ts";
import { asCaller, db, type Sql, type Tx } from "../db/client.ts";
import { HttpError } from "../http/errors.ts";
import { API_KEY_PATTERN, hashApiKey, isApiKeyToken, type ApiKeyScope } from "./format.ts";

export type Principal =
  | { kind: "api_key"; keyHash: string }
  | { kind: "member"; claims: JwtClaims & { sub: string } };

function unauthorized(message: string): HttpError {
  return new HttpError(401, "unauthorized", message);
}

/** Reads the bearer credential without touching the database: a key is hashed, a JWT verified. 401 otherwise. */
export async function principalFrom(req: Request): Promise<Principal> {
  const token = bearerToken(req);
  if (!token) throw unauthorized("missing Authorization: Bearer <API key or access token>");
  if (isApiKeyToken(token)) {
    if (!API_KEY_PATTERN.test(token)) throw unauthorized("malformed API key: expected fd_live_<id>_<secret>");
    return { kind: "api_key", keyHash: await hashApiKey(token) };
  }
  const claims = await verifyJwt(token);
  if (claims.role !== "authenticated" || typeof claims.sub !== "string") {
    throw unauthorized("this endpoint needs a tenant API key or a signed-in member's access token");
  }
  // `api_key_id` in claims means "this request is that key" to the database. The database already ignores it in
  // claims with a subject; dropping it here too keeps a user token from ever carrying one into SQL.
  const { api_key_id: _ignored, ...rest } = claims;
  return { kind: "member", claims: rest as JwtClaims & { sub: string } };
}

/**
 * Runs `work` in one transaction as the principal. For an API key the key is authenticated first (401 when unknown,
 * revoked, expired or its business suspended; 403 without `scope`). SQL functions check the scope again against the
 * live key row; the check here only saves the work of a request that cannot succeed.
 */
export async function asPrincipal<T>(principal: Principal, scope: ApiKeyScope, work: (tx: Tx) => Promise<T>, sql: Sql = db()): Promise<T> {
  if (principal.kind === "member") return asCaller(principal.claims, work, sql);
  let touching: Promise<void> | undefined;
  try {
    return (await sql.begin(async (tx) => {
      await tx`set local role frontdesk_api`;
      const [row] = await tx<{ claims: string; key_id: string; tenant_id: string; last_use_stale: boolean }[]>`
        select set_config('request.jwt.claims',
                 json_build_object('role', 'authenticated', 'tenant_id', a.tenant_id, 'api_key_id', a.key_id,
                                   'scopes', a.scopes)::text, true) as claims,
               set_config('role', 'authenticated', true) as role,
               a.key_id, a.tenant_id, a.last_use_stale
        from private.authenticate_api_key(decode(${principal.keyHash}, 'hex')) a`;
      // Once a minute per key: recorded beside the request, on another connection, so it stands even if the request
      // fails and rolls back, and costs the request no time.
      if (row.last_use_stale) touching = recordUse(sql, row.tenant_id, row.key_id);
      const claims = JSON.parse(row.claims) as { scopes: string[] };
      if (!claims.scopes.includes(scope)) {
        throw new HttpError(403, "forbidden", `this API key does not have the ${scope} scope`);
      }
      return work(tx);
    })) as T;
  } finally {
    await touching;
  }
}

/** Records the key's last use (touch_api_key skips it when another request already did this minute). Never throws. */
async function recordUse(sql: Sql, tenantId: string, keyId: string): Promise<void> {
  try {
    await sql.begin(async (tx) => {
      await tx`set local role frontdesk_api`;
      await tx`select private.touch_api_key(${tenantId}, ${keyId})`;
    });
  } catch (err) {
    console.error("recording an API key's last use failed", err);
  }
}
