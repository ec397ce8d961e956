// A business's own LLM API key over HTTP: owners and admins set it, encrypted server-side; nobody reads it back.
import { describe, expect, it } from "vitest";
import { asWebhook } from "../../supabase/functions/_shared/db/client.ts";
import { readTenantSecret } from "../../supabase/functions/_shared/secrets/tenant-secrets.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { functionsKey } from "../helpers/secrets.ts";
import { tenantWithTeam } from "../helpers/tenants.ts";

const db = useTestDatabase();
const fns = useFunctions(db);

const put = (token: string, name: string, body: unknown) =>
  fetch(`${fns.url}/credentials/business/${name}`, { method: "PUT", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

describe("PUT /credentials/business/llm_api_key", () => {
  it("an admin sets it; server code decrypts it for that business only; staff, bad names and bodies are refused; no GET", async () => {
    const shop = await tenantWithTeam(db, "own-llm-key");
    const other = await tenantWithTeam(db, "own-llm-key-other");
    const read = (tenantId: string) => asWebhook(async (tx) => readTenantSecret(tx, tenantId, "llm_api_key", await functionsKey()), db.sql);
    expect((await put(shop.members.admin.token, "llm_api_key", { value: "sk-their-own" })).status).toBe(204);
    expect(await read(shop.id)).toBe("sk-their-own");
    expect(await read(other.id)).toBeUndefined();
    const [row] = await db.sql`select ciphertext from private.tenant_secrets where tenant_id = ${shop.id}`;
    expect(Buffer.from(row.ciphertext).toString("latin1")).not.toContain("sk-their-own");

    const staff = await put(shop.members.staff.token, "llm_api_key", { value: "sk-staff" });
    expect(staff.status).toBe(403);
    expect((await staff.json()).error.message).toMatch(/owners and admins/);
    expect((await put(shop.members.owner.token, "password", { value: "x" })).status).toBe(400);
    expect((await put(shop.members.owner.token, "llm_api_key", { value: "" })).status).toBe(400);
    const get = await fetch(`${fns.url}/credentials/business/llm_api_key`, { headers: { authorization: `Bearer ${shop.members.owner.token}` } });
    expect(get.status).toBe(405);
    expect(await read(shop.id)).toBe("sk-their-own");
  });
});
