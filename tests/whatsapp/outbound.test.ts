// Outbound WhatsApp: stored first (queued), sent through the Graph API stand-in with the channel's decrypted token,
// retried with backoff on Meta's retryable errors and 429s, failed for good on the others, and held to the
// 24-hour rule and to opt-outs.
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_WHATSAPP_APP_SECRET, SECRET_KEY } from "../../local/keys.ts";
import { drainOutbox } from "../../supabase/functions/_shared/whatsapp/outbox.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { delivery, messagesChange, metaError, post, useGraph, status } from "../helpers/meta.ts";
import { functionsKey, waId, whatsappBusiness, type WhatsAppBusiness } from "./fixtures.ts";

const db = useTestDatabase();
const graph = useGraph();
const fns = useFunctions(db, () => ({ WHATSAPP_GRAPH_URL: graph.url, WHATSAPP_RETRY_BASE_SECONDS: "0", WHATSAPP_MAX_ATTEMPTS: "3" }));

let shop: WhatsAppBusiness;
beforeAll(async () => {
  shop = await whatsappBusiness(db, "out", { handoff_only: true });
  process.env.WHATSAPP_GRAPH_URL = graph.url;
  process.env.WHATSAPP_RETRY_BASE_SECONDS = "0";
  process.env.WHATSAPP_MAX_ATTEMPTS = "3";
});

/** A customer whose last message was `lastInboundHoursAgo` ago, in a conversation staff have taken over (so the bot,
 * which is tested elsewhere, stays out of the way). Built directly: ingestion has its own tests. */
async function conversation(lastInboundHoursAgo = 0): Promise<{ id: string; wa: string }> {
  const wa = waId();
  const at = new Date(Date.now() - lastInboundHoursAgo * 3600_000);
  const [cu] = await db.sql`insert into public.customers (tenant_id, wa_id, phone, name) values (${shop.id}, ${wa}, ${"+" + wa}, 'Pat') returning id`;
  const [c] = await db.sql`
    insert into public.conversations (tenant_id, channel_id, customer_id, last_inbound_at, last_message_at, handed_over_at)
    values (${shop.id}, ${shop.channelId}, ${cu.id}, ${at}, ${at}, now()) returning id`;
  return { id: c.id, wa };
}

const send = (token: string, body: object) =>
  fetch(`${fns.url}/messages`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });

async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
const messageRow = async (id: string) =>
  (await db.sql`select status::text, provider_message_id, send_attempts, error_code, error_title, sent_by from public.messages where id = ${id}`)[0];
const drain = () => fetch(`${fns.url}/whatsapp-webhook/outbox`, { method: "POST", headers: { apikey: SECRET_KEY } });

describe("staff messages (the human hand-over)", () => {
  it("are stored queued, then sent with the channel's token, and keep Meta's message id for later statuses", async () => {
    const c = await conversation();
    const calls = graph.calls.length;
    const res = await send(shop.members.staff.token, { conversation_id: c.id, body: "Hi, this is Lena from the shop" });
    expect(res.status).toBe(202);
    const { message_id } = await res.json();
    const sent = await waitFor(async () => { const m = await messageRow(message_id); return m.status === "sent" ? m : undefined; });
    expect(sent.sent_by).toBe(shop.members.staff.id);
    const call = graph.calls[calls];
    expect(call.path).toBe(`/v23.0/${shop.phoneNumberId}/messages`);
    expect(call.authorization).toBe(`Bearer ${shop.accessToken}`);
    expect(call.body).toMatchObject({ messaging_product: "whatsapp", to: c.wa, type: "text", text: { body: "Hi, this is Lena from the shop" } });
    // Meta's later status attaches to the stored wamid.
    await post(`${fns.url}/whatsapp-webhook`, delivery(messagesChange(shop.phoneNumberId, { statuses: [status(sent.provider_message_id, "delivered", c.wa)] })), LOCAL_WHATSAPP_APP_SECRET);
    expect((await messageRow(message_id)).status).toBe("delivered");
  });

  it("refuse bad input (400), other businesses' conversations (404) and non-members (401)", async () => {
    const c = await conversation();
    expect((await send(shop.members.staff.token, { conversation_id: c.id })).status).toBe(400);
    expect((await send(shop.members.staff.token, { conversation_id: "not-a-uuid", body: "x" })).status).toBe(400);
    const other = await whatsappBusiness(db, "out-other");
    expect((await send(other.members.owner.token, { conversation_id: c.id, body: "x" })).status).toBe(404);
    expect((await fetch(`${fns.url}/messages`, { method: "POST", body: "{}" })).status).toBe(401);
  });

  it("outside the 24-hour window: text is refused with a clear error, a template goes out", async () => {
    const c = await conversation(25);
    const text = await send(shop.members.admin.token, { conversation_id: c.id, body: "Are you coming?" });
    expect(text.status).toBe(422);
    expect((await text.json()).error.message).toMatch(/24-hour/);
    const template = await send(shop.members.admin.token, {
      conversation_id: c.id, type: "template", payload: { name: "appointment_reminder", language: { code: "en_US" } },
    });
    expect(template.status).toBe(202);
    const { message_id } = await template.json();
    await waitFor(async () => ((await messageRow(message_id)).status === "sent" ? true : undefined));
    expect(graph.calls.at(-1)!.body).toMatchObject({ type: "template", template: { name: "appointment_reminder" } });
  });

  it("an opted-out customer gets nothing from staff either", async () => {
    const c = await conversation();
    await db.sql`update public.customers set opted_out_at = now() where wa_id = ${c.wa}`;
    const res = await send(shop.members.owner.token, { conversation_id: c.id, body: "Special offer!" });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toMatch(/opted out/);
  });

  it("hand-back clears the hand-over flag", async () => {
    const c = await conversation();
    const res = await fetch(`${fns.url}/messages/hand-back`, { method: "POST", headers: { authorization: `Bearer ${shop.members.staff.token}` }, body: JSON.stringify({ conversation_id: c.id }) });
    expect(res.status).toBe(204);
    expect((await db.sql`select handed_over_at from public.conversations where id = ${c.id}`)[0].handed_over_at).toBeNull();
  });
});

describe("retries", () => {
  async function queued(body: string): Promise<string> {
    const c = await conversation();
    const [m] = await db.sql`
      insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, status, next_attempt_at)
      values (${shop.id}, ${c.id}, ${shop.channelId}, 'outbound', 'text', ${body}, 'queued', now()) returning id`;
    return m.id;
  }

  it("back off on a 429 and Meta's throttling errors, then send", async () => {
    const id = await queued("retry me");
    graph.queue.push({ status: 429, body: { error: { message: "(#130429) Rate limit hit", code: 130429 } } }, metaError(131000, "Something went wrong", 500));
    for (let i = 0; i < 3; i++) await drain();
    expect(await messageRow(id)).toMatchObject({ status: "sent", send_attempts: 3 });
  });

  it("give up after a bounded number of attempts, ending failed with Meta's error", async () => {
    const id = await queued("never");
    for (let i = 0; i < 5; i++) graph.queue.push({ status: 429, body: { error: { message: "(#130429) Rate limit hit", code: 130429 } } });
    for (let i = 0; i < 5; i++) await drain();
    expect(await messageRow(id)).toMatchObject({ status: "failed", send_attempts: 3, error_code: "130429", error_title: "(#130429) Rate limit hit" });
    graph.queue.length = 0;
  });

  it("do not retry what fails the same way every time", async () => {
    const id = await queued("bad");
    graph.queue.push(metaError(131047, "(#131047) Re-engagement message"));
    await drain();
    expect(await messageRow(id)).toMatchObject({ status: "failed", send_attempts: 1, error_code: "131047" });
  });

  it("lose nothing when a sender dies between claiming and reporting: the lease runs out and it goes again", async () => {
    const id = await queued("crash-safe");
    // A sender claims the row and dies before reporting (nothing else happens).
    await db.sql.begin(async (tx) => { await tx`set local role frontdesk_webhook`; await tx`select * from private.outbox_claim(50, 60, ${shop.id})`; });
    await drain();
    expect((await messageRow(id)).status).toBe("queued"); // still leased
    await db.sql`update public.messages set next_attempt_at = now() - interval '1 second' where id = ${id}`; // lease expired
    const report = await drainOutbox({ sql: db.sql, key: await functionsKey(), onlyTenant: shop.id });
    expect(report.sent).toBeGreaterThanOrEqual(1);
    expect((await messageRow(id)).status).toBe("sent");
  });
});

describe("a status that arrives before its message's wamid is stored", () => {
  it("is parked, then applied when the send is reported", async () => {
    const c = await conversation();
    const [m] = await db.sql`
      insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, status)
      values (${shop.id}, ${c.id}, ${shop.channelId}, 'outbound', 'text', 'early bird', 'queued') returning id`;
    const early = "wamid.arrived-before-the-send-answer";
    await post(`${fns.url}/whatsapp-webhook`, delivery(messagesChange(shop.phoneNumberId, { statuses: [status(early, "delivered", c.wa)] })), LOCAL_WHATSAPP_APP_SECRET);
    expect((await db.sql`select 1 from private.orphan_statuses where provider_message_id = ${early}`).count).toBe(1);
    await db.sql.begin(async (tx) => {
      await tx`set local role frontdesk_webhook`;
      await tx`select private.outbox_sent(${shop.id}, ${m.id}, ${early})`;
    });
    expect(await messageRow(m.id)).toMatchObject({ status: "delivered", provider_message_id: early });
    expect((await db.sql`select 1 from private.orphan_statuses where provider_message_id = ${early}`).count).toBe(0);
  });
});

