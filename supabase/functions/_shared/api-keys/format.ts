// Tenant API keys as they travel: `fd_live_<8 hex>_<43 base64url>`. The `fd_live_<8 hex>` prefix is what lists show
// (and what secret scanners can match); the database keeps only the SHA-256 of the whole key, which is all a
// request's key is ever turned into before it reaches SQL.

export const API_KEY_PREFIX = "fd_live_";
export const API_KEY_PATTERN = /^fd_live_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;

/** Scopes a key can hold (the api_keys_scopes check constraint has the same list). */
export const API_KEY_SCOPES = [
  "memory:read", "memory:write", "calls:write", "messages:write", "bookings:read", "bookings:write", "tools:call",
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A bearer token that is meant as an API key (well-formed or not), as opposed to a JWT. */
export function isApiKeyToken(token: string): boolean {
  return token.startsWith("fd_");
}

/** The display prefix of a well-formed key, e.g. `fd_live_1a2b3c4d`. */
export function apiKeyPrefix(key: string): string | undefined {
  return API_KEY_PATTERN.test(key) ? key.slice(0, API_KEY_PREFIX.length + 8) : undefined;
}

/** SHA-256 of the key's UTF-8 bytes, hex (what `sha256(convert_to(key, 'UTF8'))` stores). */
export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
