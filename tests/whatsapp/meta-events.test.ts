// WhatsApp exactly as Meta sends it today: business-scoped user ids (BSUIDs) and usernames with or without a phone
// number, every message type (system, edit, revoke, order, request_welcome, group …), echoes of what the business
// sends from its WhatsApp Business app, marketing preferences, statuses with pricing, referrals, media, and no lost
// batch. Payloads are shaped as Meta's webhook reference pages show them and signed as Meta signs them; the
// replies the bot would send are produced by the same follow-up the webhook runs after answering Meta.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_WHATSAPP_APP_SECRET } from "../../local/keys.ts";
import { replyAndSend } from "../../supabase/functions/_shared/whatsapp/follow-up.ts";
import { applyDelivery, ingestDelivery, type IngestResult } from "../../supabase/functions/_shared/whatsapp/ingest.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { bsuid, parentBsuid, post, status, unix, useGraph, useGraphMedia, wamid, type GraphCall } from "../helpers/meta.ts";
import { tenantWithTeam } from "../helpers/tenants.ts";
import { functionsKey, waId, whatsappBusiness, type WhatsAppBusiness } from "./fixtures.ts";

const db = useTestDatabase();
const graph = useGraph(); // Graph for sending (the bot's replies, mark-as-read), used by the follow-up run here
const media = useGraphMedia(); // Graph for media, used by the functions gateway
// The gateway stores and answers Meta; replies are produced here (replyAndSend), where they can be awaited.
const fns = useFunctions(db, () => ({ WHATSAPP_GRAPH_URL: media.url, WHATSAPP_ASSISTANT: "off" }));
const hook = () => `${fns.url}/whatsapp-webhook`;

let shop: WhatsAppBusiness;
let other: WhatsAppBusiness;
beforeAll(async () => {
  shop = await whatsappBusiness(db, "meta-a");
  other = await whatsappBusiness(db, "meta-b");
  process.env.WHATSAPP_GRAPH_URL = graph.url;
  process.env.WHATSAPP_RETRY_BASE_SECONDS = "0";
});

// ---------------------------------------------------------------------------------------------------------------
// Meta's shapes (webhooks reference: messages, system, edit, revoke, smb_message_echoes, user_preferences, statuses).

type Json = Record<string, unknown>;
const value = (phoneNumberId: string, rest: Json) => ({
  messaging_product: "whatsapp",
  metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
  ...rest,
});
const change = (field: string, phoneNumberId: string, rest: Json) => ({ value: value(phoneNumberId, rest), field });
const envelope = (...changes: Json[]) => ({ object: "whatsapp_business_account", entry: [{ id: "102290129340398", changes }] });
const at = (secondsAgo = 0) => unix(new Date(Date.now() - secondsAgo * 1000));

/** A user with a phone number: contacts[].wa_id and user_id, messages[].from and from_user_id. */
const person = () => ({ wa: waId(), user: bsuid(), name: "Sheena Nelson" });
type Person = ReturnType<typeof person>;
const contactOf = (p: Partial<Person> & { parent?: string; username?: string }) => ({
  profile: { name: p.name ?? "Sheena Nelson", ...(p.username ? { username: p.username } : {}) },
  ...(p.wa ? { wa_id: p.wa } : {}),
  ...(p.user ? { user_id: p.user } : {}),
  ...(p.parent ? { parent_user_id: p.parent } : {}),
});
const fromOf = (p: Partial<Person> & { parent?: string }) => ({
  ...(p.wa ? { from: p.wa } : {}),
  ...(p.user ? { from_user_id: p.user } : {}),
  ...(p.parent ? { from_parent_user_id: p.parent } : {}),
});
const textFrom = (p: Partial<Person>, body = "Hi! Can I book a haircut?", extra: Json = {}) =>
  ({ ...fromOf(p), id: wamid(), timestamp: at(), type: "text", text: { body }, ...extra });

const send = (body: unknown) => post(hook(), body, LOCAL_WHATSAPP_APP_SECRET);
const signedOk = async (body: unknown) => {
  const res = await send(body);
  expect(res.status).toBe(200);
  return res.json();
};

const customerBy = async (where: { wa?: string; user?: string }) =>
  (await db.sql`select id, phone, wa_id, bsuid, parent_bsuid, username, name, marketing_opt_in, opted_out_at,
                       marketing_opted_out_at from public.customers
                where tenant_id = ${shop.id} and (wa_id = ${where.wa ?? null} or bsuid = ${where.user ?? null})`)[0];
const messageBy = async (providerId: string) =>
  (await db.sql`select m.id, m.type::text, m.body, m.direction::text, m.status::text, m.origin, m.media_id, m.payload,
                       m.context_message_id, m.context_provider_id, m.edited_at, m.edit_history, m.revoked_at, m.group_id,
                       m.sent_at, m.created_at, m.status_updated_at, m.pricing, m.status_events, m.conversation_id,
                       v.customer_id
                from public.messages m join public.conversations v on v.tenant_id = m.tenant_id and v.id = m.conversation_id
                where m.provider_message_id = ${providerId}`)[0];

/** Ingests as the webhook does (signed deliveries go through the gateway elsewhere) and runs the follow-up. */
async function ingestAndReply(body: unknown): Promise<{ result: IngestResult; calls: GraphCall[] }> {
  const before = graph.calls.length;
  const result = await ingestDelivery(body, null, db.sql);
  await replyAndSend(result, { sql: db.sql, key: await functionsKey() });
  return { result, calls: graph.calls.slice(before) };
}

// ---------------------------------------------------------------------------------------------------------------

describe("customers by every identifier Meta gives", () => {
  it("stores and answers a username user Meta gives only a BSUID for, replying to `recipient` (never `to`)", async () => {
    const user = bsuid();
    const msg = { from_user_id: user, id: wamid(), timestamp: at(), type: "text", text: { body: "Hi! Can I book a haircut?" } };
    const body = envelope(change("messages", shop.phoneNumberId, {
      contacts: [{ profile: { name: "Sheena Nelson", username: "@sheena" }, user_id: user }],
      messages: [msg],
    }));
    const { result, calls } = await ingestAndReply(body);
    expect(result).toMatchObject({ unprocessable: 0 });
    expect(result.new_messages).toHaveLength(1);
    expect(result.new_messages[0].answerable).toBe(true);
    expect(await customerBy({ user })).toMatchObject({ bsuid: user, username: "@sheena", wa_id: null, phone: null, name: "Sheena Nelson" });
    expect(await messageBy(msg.id)).toMatchObject({ type: "text", body: "Hi! Can I book a haircut?" });
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[0].body).toMatchObject({ messaging_product: "whatsapp", recipient: user });
    expect(calls[0].body).not.toHaveProperty("to");
  });

  it("a `from` that carries a BSUID instead of digits is a BSUID, never a refusal", async () => {
    const user = bsuid("BR");
    const msg = { from: user, id: wamid(), timestamp: at(), type: "text", text: { body: "oi" } };
    const res = await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [{ profile: { name: "Ana" }, user_id: user }], messages: [msg] })));
    expect(res).toMatchObject({ new: 1, unprocessable: 0 });
    expect(await customerBy({ user })).toMatchObject({ bsuid: user, wa_id: null });
  });

  it("links phone, wa_id, BSUID, parent BSUID and username to the one customer, then finds them by any", async () => {
    const p = { ...person(), parent: parentBsuid(), username: "@maria.l" };
    // Known from a phone call first: the phone only.
    const [known] = await db.sql`insert into public.customers (tenant_id, phone, name) values (${shop.id}, ${"+" + p.wa}, 'Maria L') returning id`;
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [textFrom(p)] })));
    expect(await customerBy({ wa: p.wa })).toMatchObject({
      id: known.id, phone: "+" + p.wa, wa_id: p.wa, bsuid: p.user, parent_bsuid: p.parent, username: "@maria.l", name: "Maria L",
    });
    // Later Meta withholds the phone number: the BSUID alone finds the same customer and conversation.
    const later = textFrom({ user: p.user }, "still me");
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf({ user: p.user, username: "@maria.l" })], messages: [later] })));
    const first = await db.sql`select count(*)::int as n from public.customers where tenant_id = ${shop.id} and (phone = ${"+" + p.wa} or bsuid = ${p.user})`;
    expect(first[0].n).toBe(1);
    expect((await messageBy(later.id)).customer_id).toBe(known.id);
    // And the parent BSUID alone, too.
    const parentOnly = { from_parent_user_id: p.parent, id: wamid(), timestamp: at(), type: "text", text: { body: "parent" } };
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [{ profile: { name: "Maria L" }, parent_user_id: p.parent }], messages: [parentOnly] })));
    expect((await messageBy(parentOnly.id)).customer_id).toBe(known.id);
  });
});

describe("every message type stored for what it is", () => {
  it("stores types and bodies, links replies and reactions, applies edits (keeping history) and revokes", async () => {
    const p = person();
    const original = textFrom(p, "Can I come at 3?");
    const reply = textFrom(p, "or at 4", { context: { from: "15550783881", id: original.id } });
    const reaction = { ...fromOf(p), id: wamid(), timestamp: at(), type: "reaction", reaction: { message_id: original.id, emoji: "\u2764\uFE0F" } };
    const voice = { ...fromOf(p), id: wamid(), timestamp: at(), type: "audio", audio: { mime_type: "audio/ogg; codecs=opus", sha256: "x", id: "2354567890123456", voice: true } };
    const audio = { ...fromOf(p), id: wamid(), timestamp: at(), type: "audio", audio: { mime_type: "audio/mpeg", sha256: "x", id: "2354567890123457", voice: false } };
    const order = {
      ...fromOf(p), id: wamid(), timestamp: at(), type: "order",
      order: { catalog_id: "194836987003835", text: "Two of these, please", product_items: [{ product_retailer_id: "di9ozbzfi4", quantity: 2, item_price: 30, currency: "USD" }] },
    };
    const welcome = { ...fromOf(p), id: wamid(), timestamp: at(), type: "request_welcome" };
    const unsupported = { ...fromOf(p), id: wamid(), timestamp: at(), type: "unsupported", errors: [{ code: 131051, title: "Message type unknown", message: "Message type unknown", error_data: { details: "Message type is currently not supported." } }] };
    const edit = {
      ...fromOf(p), id: wamid(), timestamp: at(-5), type: "edit",
      edit: { original_message_id: original.id, message: { context: { id: original.id }, type: "text", text: { body: "Can I come at 3:30?" } } },
    };
    const { result, calls } = await ingestAndReply(envelope(change("messages", shop.phoneNumberId, {
      contacts: [contactOf(p)], messages: [original, reply, reaction, voice, audio, order, welcome, unsupported, edit],
    })));
    expect(result.unprocessable).toBe(0);
    const stored = Object.fromEntries(await Promise.all(
      [original, reply, reaction, voice, audio, order, welcome, unsupported, edit].map(async (m) => [m.id, await messageBy(m.id)]),
    ));
    const target = stored[original.id];
    expect(target).toMatchObject({ type: "text", body: "Can I come at 3:30?" });
    expect(target.edited_at).not.toBeNull();
    expect(target.edit_history).toEqual([expect.objectContaining({ body: "Can I come at 3?", edit_provider_message_id: edit.id })]);
    expect(stored[reply.id]).toMatchObject({ type: "text", body: "or at 4", context_message_id: target.id, context_provider_id: original.id });
    expect(stored[reaction.id]).toMatchObject({ type: "reaction", body: "\u2764\uFE0F", context_message_id: target.id });
    expect(stored[voice.id]).toMatchObject({ type: "voice", media_id: "2354567890123456" });
    expect(stored[audio.id]).toMatchObject({ type: "audio", media_id: "2354567890123457" });
    expect(stored[order.id]).toMatchObject({ type: "order", body: "Two of these, please" });
    expect(stored[welcome.id]).toMatchObject({ type: "system" });
    expect(stored[unsupported.id]).toMatchObject({ type: "unsupported" });
    expect(stored[edit.id]).toMatchObject({ type: "edit", body: "Can I come at 3:30?", context_message_id: target.id });
    expect(stored[order.id].payload).toEqual(order); // the raw payload, as Meta sent it
    // Answerable: what the customer wrote (text, voice, audio, order, unsupported), never reactions, edits, welcome.
    const answerable = new Set(result.new_messages.filter((m) => m.answerable).map((m) => m.message_id));
    expect([...answerable].sort()).toEqual([original, reply, voice, audio, order, unsupported].map((m) => stored[m.id].id).sort());
    expect(calls.every((c) => c.body.to === p.wa || c.body.status === "read")).toBe(true);

    // A revoke marks its target; the bot does not answer it.
    const revoke = { ...fromOf(p), id: wamid(), timestamp: at(-10), type: "revoke", revoke: { original_message_id: reply.id } };
    const r = await ingestAndReply(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [revoke] })));
    expect(r.result.new_messages.map((m) => m.answerable)).toEqual([false]);
    expect(r.calls).toEqual([]);
    expect((await messageBy(reply.id)).revoked_at).not.toBeNull();
    expect(await messageBy(revoke.id)).toMatchObject({ type: "revoke", context_message_id: stored[reply.id].id });
  });

  it("links an edit or a reaction that arrives before its message once the message comes", async () => {
    const p = person();
    const original = textFrom(p, "first draft");
    const edit = { ...fromOf(p), id: wamid(), timestamp: at(-3), type: "edit", edit: { original_message_id: original.id, message: { type: "text", text: { body: "final" } } } };
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [edit] })));
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [original] })));
    const target = await messageBy(original.id);
    expect(target).toMatchObject({ body: "final" });
    expect(target.edit_history).toEqual([expect.objectContaining({ body: "first draft" })]);
    expect((await messageBy(edit.id)).context_message_id).toBe(target.id);
  });

  it("never answers a group message, nor a system message", async () => {
    const p = person();
    const group = { ...textFrom(p, "hi group"), group_id: "120363043121234567" };
    const system = {
      from: p.wa, id: wamid(), timestamp: at(), type: "system",
      system: { body: "User Sheena Nelson changed from 1 to 2", wa_id: p.wa, type: "user_identity_changed" },
    };
    const { result, calls } = await ingestAndReply(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [group, system] })));
    expect(result.new_messages.map((m) => m.answerable)).toEqual([false, false]);
    expect(calls).toEqual([]);
    expect(await messageBy(group.id)).toMatchObject({ type: "text", group_id: "120363043121234567" });
    expect(await messageBy(system.id)).toMatchObject({ type: "system", body: "User Sheena Nelson changed from 1 to 2" });
  });
});

describe("account events", () => {
  it("user_changed_number moves the customer to the new number, keeping the conversation", async () => {
    const p = person();
    const hello = textFrom(p, "hello");
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [hello] })));
    const before = await messageBy(hello.id);
    const newWa = waId();
    // As Meta's system messages reference shows it: no contacts array, `from` the old number, system.wa_id the new.
    const system = {
      from: p.wa, id: wamid(), timestamp: at(), type: "system",
      system: { body: `User Sheena Nelson changed from ${p.wa} to ${newWa}`, wa_id: newWa, type: "user_changed_number" },
    };
    const { result, calls } = await ingestAndReply(envelope(change("messages", shop.phoneNumberId, { messages: [system] })));
    expect(result.new_messages.map((m) => m.answerable)).toEqual([false]);
    expect(calls).toEqual([]);
    const moved = await customerBy({ wa: newWa });
    expect(moved).toMatchObject({ id: before.customer_id, wa_id: newWa, phone: "+" + newWa });
    expect(await customerBy({ wa: p.wa })).toBeUndefined();
    const next = textFrom({ wa: newWa, user: bsuid() }, "from my new number");
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf({ wa: newWa })], messages: [next] })));
    expect(await messageBy(next.id)).toMatchObject({ conversation_id: before.conversation_id, customer_id: before.customer_id });
  });

  it("user_preferences stop / resume withdraws and gives back marketing consent, in Meta's order", async () => {
    const p = person();
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [textFrom(p)] })));
    await db.sql`update public.customers set marketing_opt_in = true where tenant_id = ${shop.id} and wa_id = ${p.wa}`;
    const pref = (v: "stop" | "resume", secondsAgo: number) => envelope(change("user_preferences", shop.phoneNumberId, {
      contacts: [{ wa_id: p.wa, user_id: p.user }],
      user_preferences: [{
        wa_id: p.wa, user_id: p.user, detail: `User requested to ${v} marketing messages`, category: "marketing_messages", value: v,
        timestamp: Number(at(secondsAgo)),
      }],
    }));
    expect(await signedOk(pref("stop", 60))).toMatchObject({ preferences: 1, unprocessable: 0 });
    expect(await customerBy({ wa: p.wa })).toMatchObject({ marketing_opt_in: false, opted_out_at: null });
    expect((await customerBy({ wa: p.wa })).marketing_opted_out_at).not.toBeNull();
    // An older "resume" delivered late changes nothing.
    await signedOk(pref("resume", 120));
    expect(await customerBy({ wa: p.wa })).toMatchObject({ marketing_opt_in: false });
    await signedOk(pref("resume", 30));
    expect(await customerBy({ wa: p.wa })).toMatchObject({ marketing_opt_in: true, marketing_opted_out_at: null });
    // A customer who wrote STOP to the bot gets no marketing consent back from Meta's resume (customers_consent).
    await signedOk(pref("stop", 20));
    await db.sql`update public.customers set opted_out_at = now() where tenant_id = ${shop.id} and wa_id = ${p.wa}`;
    expect(await signedOk(pref("resume", 10))).toMatchObject({ unprocessable: 0 });
    expect(await customerBy({ wa: p.wa })).toMatchObject({ marketing_opt_in: false });
  });

  it("smb_message_echoes are stored as outbound messages from the business app and pause the bot there", async () => {
    const p = person();
    const first = textFrom(p, "Hi");
    const one = await ingestAndReply(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [first] })));
    expect(one.calls.length).toBeGreaterThan(0); // the bot answered
    const echo = { from: "15550783881", to: "+" + p.wa, to_user_id: p.user, id: wamid(), timestamp: at(), type: "text", text: { body: "Hi Sheena, it's Marco — I'll take it from here" } };
    const res = await signedOk(envelope(change("smb_message_echoes", shop.phoneNumberId, { message_echoes: [echo] })));
    expect(res).toMatchObject({ new: 0, echoes: 1, unprocessable: 0 });
    const stored = await messageBy(echo.id);
    expect(stored).toMatchObject({ direction: "outbound", status: "sent", origin: "business_app", type: "text", body: echo.text.body });
    expect(stored.sent_at.getTime()).toBe(Number(echo.timestamp) * 1000);
    expect(stored.conversation_id).toBe((await messageBy(first.id)).conversation_id);
    const [conv] = await db.sql`select handed_over_at from public.conversations where id = ${stored.conversation_id}`;
    expect(conv.handed_over_at).not.toBeNull();
    // The customer writes again: stored, but the bot stays quiet (a person has the conversation).
    const two = await ingestAndReply(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [textFrom(p, "great, thanks")] })));
    expect(two.result.new_messages).toHaveLength(1);
    expect(two.calls).toEqual([]);
  });
});

describe("Meta's times, statuses and referrals", () => {
  it("keeps Meta's time for the message and each status, with pricing and conversation objects", async () => {
    const p = person();
    const old = textFrom(p, "an hour ago", { timestamp: at(3600) });
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [old] })));
    const row = await messageBy(old.id);
    expect(row.created_at.getTime()).toBe(Number(old.timestamp) * 1000);
    expect(row.sent_at.getTime()).toBe(Number(old.timestamp) * 1000);

    const out = wamid();
    await db.sql`insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, provider_message_id, status)
                 values (${shop.id}, ${row.conversation_id}, ${shop.channelId}, 'outbound', 'text', 'hello', ${out}, 'sent')`;
    const sentAt = new Date(Date.now() - 120_000);
    const readAt = new Date(Date.now() - 60_000);
    const priced = (s: "sent" | "read", when: Date) => ({
      ...status(out, s, p.wa, when),
      recipient_user_id: p.user,
      conversation: { id: "a75d17ad06104c51166f948319b03c6a", expiration_timestamp: at(-86400), origin: { type: "service" } },
      pricing: { billable: false, pricing_model: "PMP", category: "service", type: "free_customer_service" },
    });
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], statuses: [priced("sent", sentAt), priced("read", readAt)] })));
    const m = await messageBy(out);
    expect(m.status).toBe("read");
    expect(m.status_updated_at.getTime()).toBe(Math.floor(readAt.getTime() / 1000) * 1000);
    expect(m.sent_at.getTime()).toBe(Math.floor(sentAt.getTime() / 1000) * 1000);
    expect(m.pricing).toEqual({ billable: false, pricing_model: "PMP", category: "service", type: "free_customer_service" });
    expect(m.status_events.map((e: Json) => e.status)).toEqual(["sent", "read"]);
    expect(m.status_events[0].conversation).toMatchObject({ id: "a75d17ad06104c51166f948319b03c6a", origin: { type: "service" } });
  });

  it("stores a click-to-WhatsApp referral and attributes the conversation to it", async () => {
    const p = person();
    const referral = {
      source_url: "https://fb.me/3cr4Wqqkm", source_id: "120226305854810726", source_type: "ad", body: "Book your fade today",
      headline: "Fade House", media_type: "image", image_url: "https://scontent.xx.fbcdn.net/v/t45.1600-4/x.png", ctwa_clid: "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a",
    };
    const msg = textFrom(p, "Can I get more info about this?", { referral });
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [msg] })));
    const row = await messageBy(msg.id);
    expect(row.payload.referral).toEqual(referral);
    const [conv] = await db.sql`select source_referral from public.conversations where id = ${row.conversation_id}`;
    expect(conv.source_referral).toEqual(referral);
  });
});

describe("no lost batch", () => {
  const unprocessable = (deliveryId: number) =>
    db.sql`select item_path, reason, payload, attempts, tenant_id from private.webhook_unprocessable where delivery_id = ${deliveryId} order by item_path`;

  it("applies every good item of a signed delivery and records the odd ones with their reason, answering 200", async () => {
    const p = person();
    const good = textFrom(p, "good one");
    const noId = { ...fromOf(p), timestamp: at(), type: "text", text: { body: "no id" } };
    const nobody = { from: "not-a-number", id: wamid(), timestamp: at(), type: "text", text: { body: "who?" } };
    const body = envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [noId, good, nobody], statuses: ["garbage"] }));
    const res = await send(body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ new: 1, unprocessable: 3 });
    expect(await messageBy(good.id)).toMatchObject({ body: "good one" });
    expect(await messageBy(nobody.id)).toBeUndefined();
    const [d] = await db.sql`select id from private.webhook_deliveries where body -> 'entry' -> 0 -> 'changes' -> 0 -> 'value' -> 'messages' -> 1 ->> 'id' = ${good.id}`;
    const rows = await unprocessable(Number(d.id));
    expect(rows.map((r) => r.item_path)).toEqual([
      "entry[0].changes[0].value.messages[0]", "entry[0].changes[0].value.messages[2]", "entry[0].changes[0].value.statuses[0]",
    ]);
    expect(rows[0]).toMatchObject({ reason: "the message has no id", payload: noId, tenant_id: shop.id });
    expect(rows[1].reason).toMatch(/no usable WhatsApp user identifier/);
    expect(rows[2]).toMatchObject({ reason: "not an object", payload: "garbage" });
    // A replay keeps one row per item (counting attempts) and stores nothing twice.
    await applyDelivery(Number(d.id), body, null, db.sql);
    expect((await unprocessable(Number(d.id))).map((r) => r.attempts)).toEqual([2, 2, 2]);
    expect((await db.sql`select count(*)::int as n from public.messages where provider_message_id = ${good.id}`)[0].n).toBe(1);
  });

  it("an item fixed later applies on replay and leaves the list", async () => {
    const p = person();
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [textFrom(p)] })));
    const taken = waId();
    const [squatter] = await db.sql`insert into public.customers (tenant_id, wa_id, name) values (${shop.id}, ${taken}, 'Old record') returning id`;
    const system = { from: p.wa, id: wamid(), timestamp: at(), type: "system", system: { body: "changed", wa_id: taken, type: "user_changed_number" } };
    const body = envelope(change("messages", shop.phoneNumberId, { messages: [system] }));
    const result = await ingestDelivery(body, null, db.sql);
    expect(result.unprocessable).toBe(1);
    const [row] = await unprocessable(result.delivery_id);
    expect(row.reason).toMatch(/customers_wa_id_key/);
    expect(await messageBy(system.id)).toBeUndefined(); // nothing half-written
    // The operator merges the two records; the replay applies the change.
    await db.sql`delete from public.customers where id = ${squatter.id}`;
    expect((await applyDelivery(result.delivery_id, body, null, db.sql)).unprocessable).toBe(0);
    expect(await unprocessable(result.delivery_id)).toEqual([]);
    expect(await customerBy({ wa: taken })).toMatchObject({ bsuid: p.user });
  });

  it("refuses envelopes that are not Meta's (400) and bad signatures (401), storing nothing", async () => {
    const count = async () => (await db.sql`select (select count(*) from private.webhook_deliveries)::int as d,
                                                  (select count(*) from private.webhook_unprocessable)::int as u`)[0];
    const before = await count();
    const notMeta = await send({ object: "page", entry: [{ id: "1", changes: [] }] });
    expect(notMeta.status).toBe(400);
    expect((await notMeta.json()).error.message).toMatch(/whatsapp_business_account/);
    const noMetadata = await send({ object: "whatsapp_business_account", entry: [{ id: "1", changes: [{ field: "smb_message_echoes", value: { messaging_product: "whatsapp" } }] }] });
    expect(noMetadata.status).toBe(400);
    const p = person();
    const forged = await post(hook(), envelope(change("messages", shop.phoneNumberId, { messages: [textFrom(p)] })), "not-the-app-secret");
    expect(forged.status).toBe(401);
    expect(await count()).toEqual(before);
  });

  it("a mixed batch: a BSUID-only user, a normal message, a system message, a status and an unknown number", async () => {
    const bsuidOnly = bsuid();
    const normal = person();
    const mover = person();
    const stranger = person();
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(mover)], messages: [textFrom(mover, "before")] })));
    const out = wamid();
    const [{ conversation_id: moverConversation }] = await db.sql`
      select conversation_id from public.messages where tenant_id = ${shop.id} and direction = 'inbound'
        and conversation_id in (select v.id from public.conversations v join public.customers c on c.tenant_id = v.tenant_id and c.id = v.customer_id where c.wa_id = ${mover.wa})`;
    await db.sql`insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, provider_message_id, status)
                 values (${shop.id}, ${moverConversation}, ${shop.channelId}, 'outbound', 'text', 'earlier reply', ${out}, 'sent')`;
    const movedTo = waId();
    const m1 = { from_user_id: bsuidOnly, id: wamid(), timestamp: at(), type: "text", text: { body: "username here" } };
    const m2 = textFrom(normal, "normal here");
    const m3 = { from: mover.wa, id: wamid(), timestamp: at(), type: "system", system: { body: "changed", wa_id: movedTo, type: "user_changed_number" } };
    const body = envelope(
      change("messages", shop.phoneNumberId, {
        contacts: [{ profile: { name: "Kai", username: "@kai" }, user_id: bsuidOnly }, contactOf(normal)],
        messages: [m1, m2, m3],
        statuses: [{ ...status(out, "delivered", mover.wa), recipient_user_id: mover.user }],
      }),
      change("messages", "990000111222333", { contacts: [contactOf(stranger)], messages: [textFrom(stranger, "wrong number")] }),
    );
    const { result, calls } = await ingestAndReply(body);
    expect(result).toMatchObject({ statuses: 1, unroutable: 1, unprocessable: 0, duplicates: 0 });
    expect(result.new_messages.map((m) => [m.provider_message_id, m.answerable])).toEqual([[m1.id, true], [m2.id, true], [m3.id, false]]);
    expect(await customerBy({ user: bsuidOnly })).toMatchObject({ username: "@kai", wa_id: null });
    expect(await customerBy({ wa: normal.wa })).toMatchObject({ bsuid: normal.user });
    expect(await customerBy({ wa: movedTo })).toMatchObject({ phone: "+" + movedTo });
    expect((await messageBy(out)).status).toBe("delivered");
    expect((await db.sql`select 1 from public.customers where wa_id = ${stranger.wa}`).count).toBe(0);
    expect((await db.sql`select count::int from private.unroutable_events where routing_key = '990000111222333'`)[0].count).toBeGreaterThan(0);
    // Answered: the BSUID-only user (by recipient) and the normal customer (by to); nobody else.
    const recipients = calls.map((c) => (c.body.to ?? c.body.recipient) as string);
    expect(new Set(recipients)).toEqual(new Set([bsuidOnly, normal.wa]));
  });
});

describe("marking messages read", () => {
  it("marks the message read with a typing indicator before the bot answers, when the business asks for it", async () => {
    const readShop = await whatsappBusiness(db, "meta-read", { whatsapp: { mark_read: true } });
    const p = person();
    const msg = textFrom(p, "Hi");
    const { calls } = await ingestAndReply(envelope(change("messages", readShop.phoneNumberId, { contacts: [contactOf(p)], messages: [msg] })));
    expect(calls[0]).toMatchObject({
      path: `/v23.0/${readShop.phoneNumberId}/messages`,
      authorization: `Bearer ${readShop.accessToken}`,
      body: { messaging_product: "whatsapp", status: "read", message_id: msg.id, typing_indicator: { type: "text" } },
    });
    expect(calls.length).toBeGreaterThan(1);
    expect(calls[1].body.to).toBe(p.wa);
    // When the bot stays quiet (staff have the conversation) nothing is marked read on its behalf.
    await db.sql`update public.conversations set handed_over_at = now() where tenant_id = ${readShop.id}`;
    const quiet = await ingestAndReply(envelope(change("messages", readShop.phoneNumberId, { contacts: [contactOf(p)], messages: [textFrom(p, "hello?")] })));
    expect(quiet.result.new_messages).toHaveLength(1);
    expect(quiet.calls).toEqual([]);
    // Off by default: the first call is the reply itself.
    const q = person();
    const other2 = await ingestAndReply(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(q)], messages: [textFrom(q, "Hi")] })));
    expect(other2.calls[0].body.to).toBe(q.wa);
    expect(other2.calls.some((c) => c.body.status === "read")).toBe(false);
  });
});

describe("media", () => {
  it("streams a message's media to members of its business through Graph, with its content type; 404 for others", async () => {
    const p = person();
    const mediaId = `1${Array.from(randomBytes(15), (b) => (b % 10).toString()).join("")}`;
    const bytes = new Uint8Array(randomBytes(2048));
    media.add(mediaId, { token: shop.accessToken, mimeType: "image/jpeg", bytes });
    const image = { ...fromOf(p), id: wamid(), timestamp: at(), type: "image", image: { caption: "this style", mime_type: "image/jpeg", sha256: "abc", id: mediaId } };
    const text = textFrom(p, "no media here");
    await signedOk(envelope(change("messages", shop.phoneNumberId, { contacts: [contactOf(p)], messages: [image, text] })));
    const row = await messageBy(image.id);
    const get = (id: string, token: string) => fetch(`${fns.url}/messages/${id}/media`, { headers: { authorization: `Bearer ${token}` } });

    const res = await get(row.id, shop.members.staff.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    const mine = media.calls.filter((c) => c.path.includes(mediaId));
    expect(mine.map((c) => c.path.split("?")[0])).toEqual([`/v23.0/${mediaId}`, "/whatsapp_business/attachments/"]);
    expect(mine.every((c) => c.authorization === `Bearer ${shop.accessToken}`)).toBe(true);

    const outsider = await get(row.id, other.members.owner.token);
    expect(outsider.status).toBe(404);
    expect((await outsider.json()).error.code).toBe("not_found");
    const noMedia = await get((await messageBy(text.id)).id, shop.members.staff.token);
    expect(noMedia.status).toBe(404);
    expect((await get(row.id, "not-a-token")).status).toBe(401);
    const wrongMethod = await fetch(`${fns.url}/messages/${row.id}/media`, { method: "DELETE", headers: { authorization: `Bearer ${shop.members.owner.token}` } });
    expect(wrongMethod.status).toBe(405);
    const stranger = await tenantWithTeam(db, "no-wa");
    expect((await get(row.id, stranger.members.owner.token)).status).toBe(404);
  });
});
