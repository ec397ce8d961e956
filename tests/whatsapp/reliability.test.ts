// 500 concurrent deliveries across 20 businesses, 30% of them duplicates, through the real function: no 5xx,
// exactly one message row per message id, each in the business its number belongs to.
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_WHATSAPP_APP_SECRET } from "../../local/keys.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { delivery, inbound, messagesChange, post, useGraph } from "../helpers/meta.ts";
import { waId, whatsappBusiness, type WhatsAppBusiness } from "./fixtures.ts";

const db = useTestDatabase();
const graph = useGraph();
const fns = useFunctions(db, () => ({ WHATSAPP_GRAPH_URL: graph.url, WHATSAPP_RETRY_BASE_SECONDS: "0" }));

let shops: WhatsAppBusiness[];
beforeAll(async () => {
  shops = [];
  for (let i = 0; i < 20; i++) shops.push(await whatsappBusiness(db, `rel-${i}`));
});

describe("reliability", () => {
  it("500 concurrent deliveries, 30% duplicates, 20 tenants: zero 5xx, one row per message id, right tenant", async () => {
    const unique = Array.from({ length: 350 }, (_, i) => {
      const shop = shops[i % shops.length];
      const from = waId();
      const msg = inbound(from, i % 5 === 0 ? "image" : "text", i % 5 === 0 ? {} : { body: `message ${i}` });
      return { shop, id: msg.id as string, body: delivery(messagesChange(shop.phoneNumberId, { contacts: [{ wa_id: from }], messages: [msg] })) };
    });
    const all = [...unique, ...Array.from({ length: 150 }, (_, i) => unique[(i * 7) % unique.length])];
    for (let i = all.length - 1; i > 0; i--) {
      const j = (i * 31 + 17) % (i + 1);
      [all[i], all[j]] = [all[j], all[i]];
    }
    const statuses = await Promise.all(all.map((d) => post(`${fns.url}/whatsapp-webhook`, d.body, LOCAL_WHATSAPP_APP_SECRET).then((r) => r.status)));
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 200)).toBe(true);

    const rows = await db.sql`select provider_message_id, tenant_id from public.messages where direction = 'inbound' and provider_message_id = any(${unique.map((u) => u.id)})`;
    expect(rows.length).toBe(350);
    const tenantOf = new Map(rows.map((r) => [r.provider_message_id, r.tenant_id]));
    for (const u of unique) expect(tenantOf.get(u.id), u.id).toBe(u.shop.id);
  });
});
