// The whatsapp-webhook function end to end: real Deno gateway, real database, payloads shaped and signed exactly
// like Meta's.
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_WHATSAPP_APP_SECRET, LOCAL_WHATSAPP_VERIFY_TOKEN } from "../../local/keys.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { delivery, inbound, messagesChange, post, useGraph, status, wamid } from "../helpers/meta.ts";
import { setChannelSecret, waId, whatsappBusiness, type WhatsAppBusiness } from "./fixtures.ts";

const db = useTestDatabase();
const graph = useGraph();
const fns = useFunctions(db, () => ({ WHATSAPP_GRAPH_URL: graph.url, WHATSAPP_RETRY_BASE_SECONDS: "0" }));
const hook = () => `${fns.url}/whatsapp-webhook`;

let a: WhatsAppBusiness;
let b: WhatsAppBusiness;
beforeAll(async () => {
  a = await whatsappBusiness(db, "wa-a");
  b = await whatsappBusiness(db, "wa-b");
});

const deliveries = async () => (await db.sql`select count(*)::int as n from private.webhook_deliveries`)[0].n as number;
const messagesOf = (tenantId: string) =>
  db.sql`select m.type::text, m.body, m.media_id, m.provider_message_id, m.status::text, c.wa_id, c.name
         from public.messages m join public.conversations v on v.tenant_id = m.tenant_id and v.id = m.conversation_id
         join public.customers c on c.tenant_id = v.tenant_id and c.id = v.customer_id
         where m.tenant_id = ${tenantId} and m.direction = 'inbound' order by m.created_at, m.provider_message_id`;

describe("GET: Meta's subscription handshake", () => {
  it("answers the challenge as plain text with the right token, 403 otherwise", async () => {
    const ok = await fetch(`${hook()}?hub.mode=subscribe&hub.verify_token=${LOCAL_WHATSAPP_VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/text\/plain/);
    expect(await ok.text()).toBe("1158201444");
    const wrong = await fetch(`${hook()}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).not.toContain("1158201444");
  });
});

describe("POST: signature first", () => {
  const body = () => delivery(messagesChange(a.phoneNumberId, { contacts: [{ wa_id: "15550001111" }], messages: [inbound("15550001111", "text")] }));

  it("refuses a missing, forged or wrong-secret signature, or a body altered after signing, storing nothing", async () => {
    const before = await deliveries();
    expect((await post(hook(), body(), null)).status).toBe(401);
    const forged = await fetch(hook(), { method: "POST", body: JSON.stringify(body()), headers: { "x-hub-signature-256": `sha256=${"ab".repeat(32)}` } });
    expect(forged.status).toBe(401);
    expect((await post(hook(), body(), "not-the-app-secret")).status).toBe(401);
    const altered = await post(hook(), body(), LOCAL_WHATSAPP_APP_SECRET, (raw) => raw.replace("Can I book", "Can I rob"));
    expect(altered.status).toBe(401);
    expect(await deliveries()).toBe(before);
    expect((await messagesOf(a.id)).some((m) => m.wa_id === "15550001111")).toBe(false);
  });

  it("answers 400 naming the problem for malformed JSON and for JSON of the wrong shape, storing nothing", async () => {
    const before = await deliveries();
    const broken = await post(hook(), '{"object": "whatsapp_business_account", "entry": [', LOCAL_WHATSAPP_APP_SECRET);
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.code).toBe("invalid_json");
    const shape = await post(hook(), { object: "whatsapp_business_account", entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: {} } }] }] }, LOCAL_WHATSAPP_APP_SECRET);
    expect(shape.status).toBe(400);
    expect((await shape.json()).error.message).toMatch(/phone_number_id/);
    expect(await deliveries()).toBe(before);
  });

  it("ignores fields it does not know (Meta adds fields)", async () => {
    const d = body() as Record<string, unknown>;
    (d.entry as Record<string, unknown>[])[0].brand_new_field = { x: 1 };
    const res = await post(hook(), d, LOCAL_WHATSAPP_APP_SECRET);
    expect(res.status).toBe(200);
  });
});

describe("ingestion", () => {
  it("recognises and stores every message type, keeping media ids, from one batched delivery", async () => {
    const from = waId();
    const types = ["text", "image", "audio", "video", "document", "sticker", "location", "contacts", "interactive", "button", "reaction", "unsupported"];
    const msgs = types.map((t, i) => inbound(from, t, {}, new Date(Date.now() - (types.length - i) * 1000)));
    const res = await post(hook(), delivery(messagesChange(a.phoneNumberId, { contacts: [{ wa_id: from, name: "Sheena Nelson" }], messages: msgs })), LOCAL_WHATSAPP_APP_SECRET);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, new: types.length, duplicates: 0 });
    const stored = (await messagesOf(a.id)).filter((m) => m.wa_id === from);
    // Meta's audio with `voice: true` is a voice note: stored as one.
    expect(stored.map((m) => m.type)).toEqual(types.map((t) => (t === "audio" ? "voice" : t)));
    const byType = Object.fromEntries(stored.map((m) => [m.type === "voice" ? "audio" : m.type, m]));
    expect(byType.text.body).toBe("Hi! Can I book a haircut?");
    expect(byType.image).toMatchObject({ media_id: "1503239510902391", body: "this style" });
    expect(byType.audio.media_id).toBe("1003383421387256");
    expect(byType.document).toMatchObject({ media_id: "1176329094057612", body: "my policy" });
    expect(byType.interactive.body).toBe("Confirm");
    expect(byType.reaction.body).toBe("👍");
    expect(byType.location.body).toBe("Fade House");
    expect(stored.every((m) => m.status === "received" && m.name === "Sheena Nelson")).toBe(true);
    const [customer] = await db.sql`select phone, wa_id from public.customers where tenant_id = ${a.id} and wa_id = ${from}`;
    expect(customer.phone).toBe(`+${from}`);
  });

  it("stores a duplicate delivery once, even when the copies arrive concurrently, and still answers 200", async () => {
    const from = waId();
    const d = delivery(messagesChange(a.phoneNumberId, { contacts: [{ wa_id: from }], messages: [inbound(from, "text"), inbound(from, "image")] }));
    const first = await post(hook(), d, LOCAL_WHATSAPP_APP_SECRET);
    expect(first.status).toBe(200);
    const copies = await Promise.all(Array.from({ length: 6 }, () => post(hook(), d, LOCAL_WHATSAPP_APP_SECRET)));
    expect(copies.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect((await messagesOf(a.id)).filter((m) => m.wa_id === from)).toHaveLength(2);
    const racing = delivery(messagesChange(a.phoneNumberId, { contacts: [{ wa_id: from }], messages: [inbound(from, "text")] }));
    const raced = await Promise.all(Array.from({ length: 8 }, () => post(hook(), racing, LOCAL_WHATSAPP_APP_SECRET)));
    expect(raced.every((r) => r.status === 200)).toBe(true);
    expect((await messagesOf(a.id)).filter((m) => m.wa_id === from)).toHaveLength(3);
    expect((await db.sql`select count(*)::int as n from public.customers where tenant_id = ${a.id} and wa_id = ${from}`)[0].n).toBe(1);
  });

  it("applies statuses forward only, whatever their order, and keeps Meta's error on failure", async () => {
    const from = waId();
    await post(hook(), delivery(messagesChange(a.phoneNumberId, { contacts: [{ wa_id: from }], messages: [inbound(from, "text")] })), LOCAL_WHATSAPP_APP_SECRET);
    const [conv] = await db.sql`select v.id from public.conversations v join public.customers c on c.tenant_id = v.tenant_id and c.id = v.customer_id where c.wa_id = ${from}`;
    const out = async (id: string) => {
      await db.sql`insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, provider_message_id, status)
                   values (${a.id}, ${conv.id}, ${a.channelId}, 'outbound', 'text', 'hello', ${id}, 'sent')`;
    };
    const read = wamid();
    const failed = wamid();
    await out(read);
    await out(failed);
    const t = (s: number) => new Date(Date.now() + s * 1000);
    const batch = delivery(messagesChange(a.phoneNumberId, {
      statuses: [status(read, "read", from, t(3)), status(read, "delivered", from, t(2)), status(read, "sent", from, t(1)),
                 status(failed, "failed", from, t(2), { code: 131026, title: "Message undeliverable" }), status(failed, "delivered", from, t(3))],
    }));
    expect((await post(hook(), batch, LOCAL_WHATSAPP_APP_SECRET)).status).toBe(200);
    const rows = await db.sql`select provider_message_id, status::text, error_code, error_title from public.messages where provider_message_id in (${read}, ${failed})`;
    const by = Object.fromEntries(rows.map((r) => [r.provider_message_id, r]));
    expect(by[read]).toMatchObject({ status: "read", error_code: null });
    expect(by[failed]).toMatchObject({ status: "failed", error_code: "131026", error_title: "Message undeliverable" });
  });

  it("records an unknown or deactivated number as unroutable, acknowledges it, and attaches it to no tenant", async () => {
    const from = waId();
    const unknown = delivery(messagesChange("999000111222333", { contacts: [{ wa_id: from }], messages: [inbound(from, "text")] }));
    expect((await post(hook(), unknown, LOCAL_WHATSAPP_APP_SECRET)).status).toBe(200);
    const [u] = await db.sql`select routing_key, reason from private.unroutable_events where routing_key = '999000111222333'`;
    expect(u.reason).toMatch(/no active, verified channel/);
    await db.sql`update public.channels set active = false where id = ${b.channelId}`;
    const off = delivery(messagesChange(b.phoneNumberId, { contacts: [{ wa_id: from }], messages: [inbound(from, "text")] }));
    expect((await post(hook(), off, LOCAL_WHATSAPP_APP_SECRET)).status).toBe(200);
    await db.sql`update public.channels set active = true where id = ${b.channelId}`;
    expect((await db.sql`select 1 from public.customers where wa_id = ${from}`).count).toBe(0);
    expect((await db.sql`select 1 from private.unroutable_events where routing_key = ${b.phoneNumberId}`).count).toBe(1);
  });

  it("never crosses two tenants' numbers, even for the same customer in one batched delivery", async () => {
    const from = waId();
    const d = delivery(
      messagesChange(a.phoneNumberId, { contacts: [{ wa_id: from, name: "Maria" }], messages: [inbound(from, "text", { body: "for A" })] }),
      messagesChange(b.phoneNumberId, { contacts: [{ wa_id: from, name: "Maria" }], messages: [inbound(from, "text", { body: "for B" })] }),
    );
    expect((await post(hook(), d, LOCAL_WHATSAPP_APP_SECRET)).status).toBe(200);
    expect((await messagesOf(a.id)).filter((m) => m.wa_id === from).map((m) => m.body)).toEqual(["for A"]);
    expect((await messagesOf(b.id)).filter((m) => m.wa_id === from).map((m) => m.body)).toEqual(["for B"]);
    const customers = await db.sql`select tenant_id from public.customers where wa_id = ${from} order by tenant_id`;
    expect(customers.map((c) => c.tenant_id).sort()).toEqual([a.id, b.id].sort());
  });
});

describe("a tenant's own Meta app", () => {
  it("is verified with the channel's app secret, and vouches only for that tenant's numbers", async () => {
    await setChannelSecret(db, b.id, b.channelId, "app_secret", "tenant-b-own-app-secret");
    const url = `${hook()}/channels/${b.channelId}`;
    const from = waId();
    const mine = delivery(messagesChange(b.phoneNumberId, { contacts: [{ wa_id: from }], messages: [inbound(from, "text", { body: "own app" })] }));
    expect((await post(url, mine, LOCAL_WHATSAPP_APP_SECRET)).status).toBe(401); // the platform secret does not sign here
    expect((await post(url, mine, "tenant-b-own-app-secret")).status).toBe(200);
    expect((await messagesOf(b.id)).some((m) => m.body === "own app")).toBe(true);
    // B's app cannot inject messages into A, even in a body it signed correctly.
    const intruder = waId();
    const sneaky = delivery(messagesChange(a.phoneNumberId, { contacts: [{ wa_id: intruder }], messages: [inbound(intruder, "text", { body: "injected" })] }));
    expect((await post(url, sneaky, "tenant-b-own-app-secret")).status).toBe(200);
    expect((await messagesOf(a.id)).some((m) => m.body === "injected")).toBe(false);
    const [u] = await db.sql`select reason from private.unroutable_events where routing_key = ${a.phoneNumberId}`;
    expect(u.reason).toMatch(/signature does not cover/);
  });
});
