// The _shared/memory module called directly from Node (no gateway), on the file's own database through the same
// kind of pool the function uses (the postgres role, as SUPABASE_DB_URL): the principal and SQL functions do all the
// work, so the module behaves the same with or without HTTP around it.
import { randomBytes, createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../supabase/functions/_shared/api-keys/format.ts";
import type { Principal } from "../../supabase/functions/_shared/api-keys/principal.ts";
import { HttpError } from "../../supabase/functions/_shared/http/errors.ts";
import { forgetCaller, recall, storeMemories } from "../../supabase/functions/_shared/memory/memory.ts";
import { verifyJwt, type JwtClaims } from "../../supabase/functions/_shared/auth/jwt.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { randomPhone } from "./fixtures.ts";

const db = useTestDatabase();
let shop: TestTenant;
let agent: Principal;

/** A key inserted as the schema owner would (hash only), for a principal built the way principalFrom builds it. */
async function keyPrincipal(tenantId: string, scopes: string[]): Promise<Principal> {
  const key = `fd_live_${randomBytes(4).toString("hex")}_${randomBytes(32).toString("base64url")}`;
  await db.sql`insert into public.api_keys (tenant_id, name, prefix, key_hash, scopes)
               values (${tenantId}, 'module test', ${key.slice(0, 16)}, ${createHash("sha256").update(key).digest()}, ${scopes})`;
  return { kind: "api_key", keyHash: await hashApiKey(key) };
}

const failure = async (p: Promise<unknown>) => p.then(() => "ok", (e) => (e instanceof HttpError ? `${e.status}` : (e as { code?: string }).code ?? String(e)));

beforeAll(async () => {
  shop = await tenantWithTeam(db, "module-shop");
  agent = await keyPrincipal(shop.id, ["memory:read", "memory:write"]);
});

describe("memory module, called directly", () => {
  it("stores, recalls and forgets as an API key", async () => {
    const phone = randomPhone();
    const stored = await storeMemories(agent, { caller: phone, memories: [{ content: "Prefers mornings", importance: 8 }] }, db.sql);
    expect(stored.caller_created).toBe(true);
    const r = await recall(agent, { caller: phone, q: "mornings" }, db.sql);
    expect(r.memories).toEqual([expect.objectContaining({ content: "Prefers mornings", kind: "fact", importance: 8, matched: true })]);
    expect(await forgetCaller(agent, { caller: phone }, db.sql)).toMatchObject({ erased: true, memories: 1 });
  });

  it("authenticates before it validates: a bad key with a bad body is 401, a good key with it 400", async () => {
    const stranger: Principal = { kind: "api_key", keyHash: "00".repeat(32) };
    expect(await failure(storeMemories(stranger, { nonsense: 1 }, db.sql))).toBe("PT401");
    expect(await failure(storeMemories(agent, { nonsense: 1 }, db.sql))).toBe("400");
  });

  it("acts for a member with the member's claims", async () => {
    const claims = await verifyJwt(shop.members.staff.token);
    const staff: Principal = { kind: "member", claims: claims as JwtClaims & { sub: string } };
    const phone = randomPhone();
    await storeMemories(agent, { caller: phone, memories: [{ content: "seen by staff" }] }, db.sql);
    expect((await recall(staff, { caller: phone }, db.sql)).total_memories).toBe(1);
    expect(await failure(storeMemories(staff, { caller: phone, memories: [{ content: "x" }] }, db.sql))).toBe("PT403");
  });

  it("a scope the key lacks is refused before any memory work", async () => {
    const reader = await keyPrincipal(shop.id, ["memory:read"]);
    expect(await failure(forgetCaller(reader, { caller: randomPhone() }, db.sql))).toBe("403");
  });
});
