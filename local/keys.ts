// The local stack's credentials: the same values `supabase start` prints, so every guide, client and tool that
// targets a CLI stack works unchanged against this one. None of these are secrets: they are the public
// defaults baked into the Supabase CLI and must never be used for a hosted project.
import { SignJWT, exportJWK, importJWK, type JWK } from "jose";

export const API_PORT = 54321;
export const DB_PORT = 54322;

export const DEFAULT_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
export const PUBLISHABLE_KEY = "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH";
export const SECRET_KEY = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz";

// The CLI's local asymmetric signing key (what `supabase gen bearer-jwt` signs with when given no key).
export const LOCAL_SIGNING_JWK: JWK = {
  kty: "EC",
  kid: "b81269f1-21d8-4f2e-b719-c2240a840d90",
  use: "sig",
  key_ops: ["sign", "verify"],
  alg: "ES256",
  ext: true,
  crv: "P-256",
  x: "M5Sjqn5zwC9Kl1zVfUUGvv9boQjCGd45G8sdopBExB4",
  y: "P6IXMvA2WYXSHSOMTBH2jsw_9rrzGy89FjPf6oOsIxQ",
  d: "dIhR8wywJlqlua4y_yMq2SLhlFXDZJBCvFrY1DCHyVU",
};

export function jwtSecret(): string {
  return process.env.JWT_SECRET || DEFAULT_JWT_SECRET;
}

/** The public half of the local signing key, as Supabase publishes it at /auth/v1/.well-known/jwks.json. */
export function publicJwks(): { keys: JWK[] } {
  const { d: _d, key_ops: _ops, ...pub } = LOCAL_SIGNING_JWK;
  return { keys: [{ ...pub, key_ops: ["verify"] }] };
}

/** Legacy anon/service_role keys: HS256 JWTs with the exact claims the CLI signs (iss supabase-demo). */
export async function legacyApiKey(role: "anon" | "service_role", secret = jwtSecret()): Promise<string> {
  return new SignJWT({ iss: "supabase-demo", role, exp: 1983812996 })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

export type Claims = Record<string, unknown>;

/** Sign claims the way current Supabase Auth does: ES256 with the project's signing key and its kid. */
export async function signAsymmetric(claims: Claims): Promise<string> {
  // WebCrypto refuses a private key that also claims "verify" in key_ops; the operation is implied by use.
  const { key_ops: _ops, ...jwk } = LOCAL_SIGNING_JWK;
  const key = await importJWK(jwk, "ES256");
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", typ: "JWT", kid: LOCAL_SIGNING_JWK.kid })
    .sign(key);
}

/** Sign claims with the legacy shared secret (HS256), as projects that have not rotated still do. */
export async function signLegacy(claims: Claims, secret = jwtSecret()): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(secret));
}

export { exportJWK };

// Local defaults for the functions' own secrets, printed at start like the JWT secret; set real ones with
// `supabase secrets set` when deploying. The encryption key is 32 bytes of base64, as production's must be.
export const LOCAL_WHATSAPP_APP_SECRET = "frontdesk-local-app-secret";
export const LOCAL_WHATSAPP_VERIFY_TOKEN = "frontdesk-local-verify-token";
export const LOCAL_ENCRYPTION_KEY = "ZnJvbnRkZXNrLWxvY2FsLWVuY3J5cHRpb24ta2V5ISE=";
