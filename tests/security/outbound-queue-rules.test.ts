// Finding 5: staff reached an opted-out customer by adding "opt_out_confirmation": true to POST /messages' payload, and
// by inserting into `messages` directly skipped the plan limit (402), the type whitelist and the retry counter
// (send_attempts = -1000000: retried for ever). Now a BEFORE INSERT trigger (private.messages_queue_rules) fills in
// direction, status, sender and channel for client roles, and holds every queued outbound message to the opt-out (only
// server code sets `purpose`), the 24-hour window, the plan (PT402), the sendable types and send_attempts = 0; a client
// may name only (tenant_id, conversation_id, type, body, payload). Tried through the messages function and as
// PostgREST runs a direct insert for a staff member's hook-made JWT; messages are read back as the owner.
import { beforeAll, describe, expect, it } from "vitest";
import { SECRET_KEY } from "../../local/keys.ts";
import { asWebhook } from "../../supabase/functions/_shared/db/client.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { useGraph } from "../helpers/meta.ts";
import { waId, whatsappBusiness, type WhatsAppBusiness } from "../whatsapp/fixtures.ts";
import { attempt, countOf, rowsOf, setUsage, usageOf } from "./helpers.ts";

const db = useTestDatabase();
const graph = useGraph();
const fns = useFunctions(db, () => ({ WHATSAPP_GRAPH_URL: graph.url, WHATSAPP_RETRY_BASE_SECONDS: "0", WHATSAPP_ASSISTANT: "off" }));

const STARTER_OUTBOUND = 1000; // plans.limits.outbound_messages of 'starter' (platform migration)

let shop: WhatsAppBusiness;
let full: WhatsAppBusiness; // a business whose month's outbound allowance is used up
beforeAll(async () => {
  shop = await whatsappBusiness(db, "queue");
  full = await whatsappBusiness(db, "queue-full");
  await setUsage(db, full.id, "outbound_messages", STARTER_OUTBOUND);
});

/** A conversation whose customer wrote `hoursAgo` ago (inside the 24-hour window by default), optionally opted out. */
async function conversation(w: WhatsAppBusiness, opts: { optedOut?: boolean; hoursAgo?: number } = {}): Promise<string> {
  const wa = waId();
  const at = new Date(Date.now() - (opts.hoursAgo ?? 0) * 3600_000);
  const [cu] = await db.sql`
    insert into public.customers (tenant_id, wa_id, phone, name, opted_out_at)
    values (${w.id}, ${wa}, ${"+" + wa}, 'Pat', ${opts.optedOut ? new Date() : null}) returning id`;
  const [c] = await db.sql`
    insert into public.conversations (tenant_id, channel_id, customer_id, last_inbound_at, last_message_at, handed_over_at)
    values (${w.id}, ${w.channelId}, ${cu.id}, ${at}, ${at}, now()) returning id`;
  return c.id;
}

const messagesIn = (conversationId: string) => rowsOf(db, "public.messages", "conversation_id = $1", conversationId);

describe("opt-out cannot be waived by the client", () => {
  it("POST /messages with payload.opt_out_confirmation to an opted-out customer: 422, nothing queued", async () => {
    const c = await conversation(shop, { optedOut: true });
    for (const body of [
      { conversation_id: c, body: "We miss you! 20% off", payload: { opt_out_confirmation: true } },
      { conversation_id: c, type: "interactive", payload: { opt_out_confirmation: true, type: "button", body: { text: "Come back?" } } },
    ]) {
      const res = await fetch(`${fns.url}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${shop.members.staff.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(422);
      expect((await res.json()).error.message).toMatch(/opted out/);
    }
    expect(await messagesIn(c)).toEqual([]);
  });

  it("a direct insert with the flag in the payload is refused (PT422); naming purpose is refused (42501); no row", async () => {
    const c = await conversation(shop, { optedOut: true });
    expect(await attempt(db, shop.members.staff.token, (tx) => tx`
      insert into public.messages (tenant_id, conversation_id, type, body, payload)
      values (${shop.id}, ${c}, 'text', 'still here', ${tx.json({ opt_out_confirmation: true })}) returning id`)).toBe("PT422");
    expect(await attempt(db, shop.members.staff.token, (tx) => tx`
      insert into public.messages (tenant_id, conversation_id, type, body, purpose)
      values (${shop.id}, ${c}, 'text', 'still here', 'opt_out_confirmation') returning id`)).toBe("42501");
    expect(await messagesIn(c)).toEqual([]);
  });
});

describe("direct inserts by staff meet the same rules as every queued message", () => {
  it("over the plan's monthly allowance: PT402, no row", async () => {
    const c = await conversation(full);
    expect(await attempt(db, full.members.staff.token, (tx) => tx`
      insert into public.messages (tenant_id, conversation_id, type, body) values (${full.id}, ${c}, 'text', 'over the plan')
      returning id`)).toBe("PT402");
    // Through send_message (what POST /messages calls) too.
    expect(await attempt(db, full.members.staff.token, (tx) => tx`
      select public.send_message(${c}, 'text', 'over the plan', '{}'::jsonb) as id`)).toBe("PT402");
    expect(await messagesIn(c)).toEqual([]);
  });

  it("queued but unsent messages count against the allowance: with one message left, a bulk insert cannot send five", async () => {
    // Usage is counted when Meta accepts a message (outbox_sent), and the queue-time check looks only at that count,
    // so every row of one statement (or of requests racing each other) sees the same single message left. Whatever
    // the fix (refuse at queue time, or re-check at send time), once the outbox has drained the month's usage must
    // not exceed the plan and at most one of these messages may have gone out.
    const w = await whatsappBusiness(db, "queue-last");
    await setUsage(db, w.id, "outbound_messages", STARTER_OUTBOUND - 1);
    const c = await conversation(w);
    const queued = await attempt(db, w.members.staff.token, (tx) => tx`
      insert into public.messages (tenant_id, conversation_id, type, body)
      select ${w.id}, ${c}, 'text', 'bulk ' || g from generate_series(1, 5) g returning id`);
    const drained = await fetch(`${fns.url}/whatsapp-webhook/outbox`, { method: "POST", headers: { apikey: SECRET_KEY } });
    expect(drained.status).toBe(200);
    const sent = await countOf(db, "public.messages", "conversation_id = $1 and status <> 'queued' and status <> 'failed'", c);
    const usage = await usageOf(db, w.id, "outbound_messages");
    const story = `the plan allows ${STARTER_OUTBOUND} a month, ${STARTER_OUTBOUND - 1} used; the 5-row insert: ${queued}; sent after the drain: ${sent}; usage now: ${usage}`;
    expect(sent, story).toBeLessThanOrEqual(1);
    expect(usage, story).toBeLessThanOrEqual(STARTER_OUTBOUND);
  });

  it("types the sender cannot deliver are refused (PT400), whatever the client sends: audio, reaction, sticker, system", async () => {
    const c = await conversation(shop);
    for (const type of ["audio", "reaction", "sticker", "system"]) {
      expect(await attempt(db, shop.members.staff.token, (tx) => tx`
        insert into public.messages (tenant_id, conversation_id, type, body) values (${shop.id}, ${c}, ${type}, 'x') returning id`)).toBe("PT400");
    }
    expect(await messagesIn(c)).toEqual([]);
  });

  it("naming send_attempts, status, direction, channel_id, sent_by, purpose (or other sending state) is refused (42501), no row", async () => {
    const c = await conversation(shop);
    const other = await conversation(full);
    const [otherChannel] = await db.sql`select channel_id from public.conversations where id = ${other}`;
    const forged: Record<string, unknown> = {
      send_attempts: -1000000,
      status: "sent",
      direction: "inbound",
      channel_id: otherChannel.channel_id,
      sent_by: shop.members.owner.id,
      purpose: "opt_out_confirmation",
      next_attempt_at: "2999-01-01T00:00:00Z",
      provider_message_id: "wamid.forged",
    };
    for (const [column, value] of Object.entries(forged)) {
      const outcome = await attempt(db, shop.members.staff.token, (tx) => tx`
        insert into public.messages ${tx({ tenant_id: shop.id, conversation_id: c, type: "text", body: "x", [column]: value } as never)}
        returning id`);
      expect([column, outcome]).toEqual([column, "42501"]);
    }
    expect(await messagesIn(c)).toEqual([]);
  });

  it("a plain insert becomes an outbound, queued message from the staff member, on the conversation's channel, 0 attempts", async () => {
    const c = await conversation(shop);
    const res = await attempt(db, shop.members.staff.token, (tx) => tx`
      insert into public.messages (tenant_id, conversation_id, type, body, payload)
      values (${shop.id}, ${c}, 'text', 'Hi from the desk', ${tx.json({ opt_out_confirmation: true })}) returning id`);
    expect(res).toBe("rows=1");
    const [m] = await db.sql`
      select direction::text, status::text, sent_by, channel_id, send_attempts, purpose, payload, next_attempt_at <= now() as due
      from public.messages where conversation_id = ${c}`;
    expect(m).toEqual({
      direction: "outbound", status: "queued", sent_by: shop.members.staff.id, channel_id: shop.channelId, send_attempts: 0,
      purpose: null, payload: { opt_out_confirmation: true }, due: true,
    });
  });
});

describe("the server path is held to the plan as well", () => {
  it("private.queue_outbound as frontdesk_webhook for a business over its allowance: PT402, no row", async () => {
    const c = await conversation(full);
    const err = await asWebhook((tx) => tx`
      select private.queue_outbound(${full.id}, ${c}, 'text', 'assistant reply', '{}'::jsonb) as id`, db.sql)
      .then(() => null, (e: { code?: string }) => e.code);
    expect(err).toBe("PT402");
    expect(await messagesIn(c)).toEqual([]);
    // Within the allowance the same call queues (so the refusal above is the plan's).
    const ok = await conversation(shop);
    const [row] = await asWebhook((tx) => tx`select private.queue_outbound(${shop.id}, ${ok}, 'text', 'assistant reply', '{}'::jsonb) as id`, db.sql);
    expect(await countOf(db, "public.messages", "id = $1 and status = 'queued' and sent_by is null", row.id)).toBe(1);
  });
});
