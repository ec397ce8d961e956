// The _shared/api-keys modules on their own: the key format and hash agree with what the database stores, and the
// bearer credential is read into the right principal (or 401) before any database work.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signAsymmetric } from "../../local/keys.ts";
import { apiKeyPrefix, hashApiKey, isApiKeyToken } from "../../supabase/functions/_shared/api-keys/format.ts";
import { principalFrom } from "../../supabase/functions/_shared/api-keys/principal.ts";
import { HttpError } from "../../supabase/functions/_shared/http/errors.ts";

const key = "fd_live_0a1b2c3d_" + "Ab-_9".repeat(8) + "xyz";
const req = (authorization?: string) => new Request("http://x/memory", { headers: authorization ? { authorization } : {} });
const status = async (p: Promise<unknown>) => p.then(() => 200, (e) => (e instanceof HttpError ? e.status : String(e)));

describe("API key format", () => {
  it("hashes to the SHA-256 of the UTF-8 key, as sha256(convert_to(key, 'UTF8')) does", async () => {
    expect(await hashApiKey(key)).toBe(createHash("sha256").update(key, "utf8").digest("hex"));
  });

  it("shows the prefix of well-formed keys only, and tells keys from JWTs", () => {
    expect(key).toHaveLength(8 + 8 + 1 + 43);
    expect(apiKeyPrefix(key)).toBe("fd_live_0a1b2c3d");
    expect(apiKeyPrefix("fd_live_0a1b2c3d_short")).toBeUndefined();
    expect(isApiKeyToken(key)).toBe(true);
    expect(isApiKeyToken("eyJhbGciOiJFUzI1NiJ9.e30.x")).toBe(false);
  });
});

describe("principalFrom", () => {
  it("turns a key into its hash, never keeping the plaintext", async () => {
    const p = await principalFrom(req(`Bearer ${key}`));
    expect(p).toEqual({ kind: "api_key", keyHash: await hashApiKey(key) });
    expect(JSON.stringify(p)).not.toContain(key);
  });

  it("answers 401 for no credential, a malformed key, a forged JWT, or a JWT that is not a signed-in user's", async () => {
    expect(await status(principalFrom(req()))).toBe(401);
    expect(await status(principalFrom(req("Bearer fd_live_nope")))).toBe(401);
    expect(await status(principalFrom(req("Basic abc")))).toBe(401);
    expect(await status(principalFrom(req("Bearer eyJhbGciOiJFUzI1NiJ9.e30.AAAA")))).toBe(401);
    const noSub = await signAsymmetric({ role: "authenticated", exp: Math.floor(Date.now() / 1000) + 60 });
    expect(await status(principalFrom(req(`Bearer ${noSub}`)))).toBe(401);
  });

  it("keeps a member's claims but drops any api_key_id they carry", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signAsymmetric({
      sub: "8d0c8a62-0000-4000-8000-000000000001", role: "authenticated", aud: "authenticated", iat: now, exp: now + 60,
      tenant_id: "8d0c8a62-0000-4000-8000-000000000002", api_key_id: "8d0c8a62-0000-4000-8000-000000000003",
    });
    const p = await principalFrom(req(`Bearer ${token}`));
    expect(p.kind).toBe("member");
    if (p.kind !== "member") return;
    expect(p.claims).toMatchObject({ sub: "8d0c8a62-0000-4000-8000-000000000001", tenant_id: "8d0c8a62-0000-4000-8000-000000000002" });
    expect(p.claims.api_key_id).toBeUndefined();
  });
});
