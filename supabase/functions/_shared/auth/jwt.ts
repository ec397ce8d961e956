// Verifies Supabase user JWTs as current Supabase does: asymmetric tokens (ES256/RS256) against the project's JWKS
// (SUPABASE_JWKS, checked by the official @supabase/server package); legacy HS256 tokens against the shared
// secret, for projects that still issue them (JWT_SECRET, set with `supabase secrets set` on hosted projects).
// Either way, a user token must also carry the claims Supabase Auth always issues (see userClaimsProblem).
import { decodeProtectedHeader, jwtVerify } from "jose";
import { verifyCredentials } from "@supabase/server/core";
import { env } from "../env.ts";
import { HttpError } from "../http/errors.ts";

export interface JwtClaims {
  sub?: string;
  role: string;
  email?: string;
  tenant_id?: string;
  tenant_role?: string;
  [claim: string]: unknown;
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, "unauthorized", message);
}

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** The audience Supabase Auth gives every user access token. */
export const USER_AUDIENCE = "authenticated";

/**
 * Why a verified token with role `authenticated` is still not a user access token of this project, if it is not.
 * A signature alone is not enough: without `exp` a token never expires, one for another audience was not meant for
 * this API, and one from another issuer (JWT_ISSUER, when set) comes from another Auth server sharing the key. The
 * signature, and `exp`/`nbf` when present, were checked by jose before this. The legacy anon/service_role keys
 * (HS256, no aud) are not user tokens and are not held to this.
 */
function userClaimsProblem(claims: Record<string, unknown>): string | undefined {
  if (typeof claims.exp !== "number") return "the access token has no expiry (exp)";
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(USER_AUDIENCE)) return `the access token's audience (aud) is not "${USER_AUDIENCE}"`;
  const issuer = env("JWT_ISSUER");
  if (issuer !== undefined && claims.iss !== issuer) return "the access token was not issued by this project's Auth (iss)";
  return undefined;
}

/** Any valid project JWT (user, anon or service_role key), as the gateway's verify_jwt accepts. */
export async function verifyJwt(token: string): Promise<JwtClaims> {
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw unauthorized("the bearer token is not a JWT");
  }
  let claims: Record<string, unknown>;
  if (alg === "HS256") {
    const secret = env("JWT_SECRET");
    if (!secret) throw unauthorized("legacy HS256 tokens are not accepted: JWT_SECRET is not configured");
    try {
      claims = (await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ["HS256"] })).payload;
    } catch {
      throw unauthorized("invalid or expired JWT");
    }
  } else {
    const { data, error } = await verifyCredentials({ token, apikey: null }, { auth: "user" });
    if (error || !data?.jwtClaims) {
      // @supabase/server checks the signature against SUPABASE_JWKS, `exp`/`nbf` when present, and requires `sub` and a
      // `kid`; not `aud`, `iss` or that `exp` exists (checked below). The legacy anon/service_role keys are HS256.
      throw unauthorized("invalid or expired JWT");
    }
    claims = data.jwtClaims as Record<string, unknown>;
  }
  if (typeof claims.role !== "string") throw unauthorized("the JWT has no role claim");
  if (claims.role === "authenticated") {
    const problem = userClaimsProblem(claims);
    if (problem) throw unauthorized(problem);
  }
  return claims as JwtClaims;
}

/** A signed-in user's claims (role `authenticated` with a subject), or 401. */
export async function requireUser(req: Request): Promise<JwtClaims & { sub: string }> {
  const token = bearerToken(req);
  if (!token) throw unauthorized("missing Authorization: Bearer <access token>");
  const claims = await verifyJwt(token);
  if (claims.role !== "authenticated" || typeof claims.sub !== "string") {
    throw unauthorized("this endpoint needs a signed-in user's access token");
  }
  return claims as JwtClaims & { sub: string };
}
