// Setting credentials over HTTP: owners and admins only, encrypted server-side, and never readable back.
import { beforeAll, describe, expect, it } from "vitest";
import { readChannelSecret } from "../../supabase/functions/_shared/secrets/channel-secrets.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { functionsKey, whatsappBusiness, type WhatsAppBusiness } from "../whatsapp/fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db);
let shop: WhatsAppBusiness;
let other: WhatsAppBusiness;
beforeAll(async () => {
  shop = await whatsappBusiness(db, "cred-http");
  other = await whatsappBusiness(db, "cred-http-other");
});

const put = (token: string, path: string, body: unknown) =>
  fetch(`${fns.url}/credentials/${path}`, { method: "PUT", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

describe("PUT /credentials", () => {
  it("an admin rotates a channel's access token; the new value is what server-side code decrypts", async () => {
    const res = await put(shop.members.admin.token, `channels/${shop.channelId}/access_token`, { value: "EAAG-rotated" });
    expect(res.status).toBe(204);
    expect(await readChannelSecret(shop.id, shop.channelId, "access_token", { sql: db.sql, key: await functionsKey() })).toBe("EAAG-rotated");
    const [ch] = await db.sql`select secrets from public.channels where id = ${shop.channelId}`;
    expect(JSON.stringify(ch.secrets)).not.toContain("EAAG-rotated");
  });

  it("refuses staff and other businesses (404), bad names and bodies (400); there is nothing to GET", async () => {
    expect((await put(shop.members.staff.token, `channels/${shop.channelId}/access_token`, { value: "x" })).status).toBe(404);
    expect((await put(other.members.owner.token, `channels/${shop.channelId}/access_token`, { value: "x" })).status).toBe(404);
    expect((await put(shop.members.owner.token, `channels/${shop.channelId}/password`, { value: "x" })).status).toBe(400);
    expect((await put(shop.members.owner.token, `channels/${shop.channelId}/access_token`, { value: "" })).status).toBe(400);
    // Write-only: a GET is the wrong method (405, Allow: PUT), never a read.
    const read = await fetch(`${fns.url}/credentials/channels/${shop.channelId}/access_token`, { headers: { authorization: `Bearer ${shop.members.owner.token}` } });
    expect(read.status).toBe(405);
    expect(read.headers.get("allow")).toBe("PUT, OPTIONS");
    expect(await readChannelSecret(shop.id, shop.channelId, "access_token", { sql: db.sql, key: await functionsKey() })).not.toBe("x");
  });

  it("sets a voice agent's webhook secret", async () => {
    const [agent] = await db.sql`insert into public.voice_agents (tenant_id, name, platform, platform_agent_id) values (${shop.id}, 'Vapi front desk', 'vapi', 'asst_123') returning id`;
    expect((await put(shop.members.owner.token, `agents/${agent.id}/webhook_secret`, { value: "vapi-secret" })).status).toBe(204);
    expect((await db.sql`select 1 from private.agent_secrets where agent_id = ${agent.id}`).count).toBe(1);
  });
});
