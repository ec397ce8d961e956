// Finding 4: a delivery signed by business B's own Meta app (POST /whatsapp-webhook/channels/<B's channel>, signed with
// B's app secret) was stored with the numbers B was trusted for at that moment. After B released a number N and
// business A registered it, `npm run whatsapp:replay` re-applied B's stored delivery into A's conversations. Now a
// delivery records only which channel signed it (webhook_deliveries.signer_channel_id), and private.whatsapp_apply
// checks, when it applies (first time or replay), that each number routes to the signer's business. The replay here is
// the real tool (local/whatsapp-replay.ts as a process against this file's database), as an operator would run it.
import { spawn } from "node:child_process";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../local/supabase-cli.ts";
import { applyDelivery } from "../../supabase/functions/_shared/whatsapp/ingest.ts";
import { asRequest, useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { delivery, inbound, messagesChange, post, useGraph } from "../helpers/meta.ts";
import { setChannelSecret, waId, whatsappBusiness, type WhatsAppBusiness } from "../whatsapp/fixtures.ts";
import { attempt, countOf, rowsOf } from "./helpers.ts";

const db = useTestDatabase();
const graph = useGraph();
// The assistant stays out of it: only where deliveries land is under test.
const fns = useFunctions(db, () => ({ WHATSAPP_GRAPH_URL: graph.url, WHATSAPP_ASSISTANT: "off" }));
const hook = () => `${fns.url}/whatsapp-webhook`;

const B_APP_SECRET = `b-own-app-${randomBytes(8).toString("hex")}`;
const digits = (n: number) => Array.from(randomBytes(n), (x) => (x % 10).toString()).join("");

let a: WhatsAppBusiness;
let b: WhatsAppBusiness;
beforeAll(async () => {
  a = await whatsappBusiness(db, "replay-a");
  b = await whatsappBusiness(db, "replay-b");
  // B brings its own Meta app: the app secret sits on B's channel, encrypted, as the credentials endpoint stores it.
  await setChannelSecret(db, b.id, b.channelId, "app_secret", B_APP_SECRET);
});

/** Everything A holds that a misrouted message would add to or change, read as the owner. */
const stateOfA = async () => ({
  messages: await rowsOf(db, "public.messages", "tenant_id = $1", a.id),
  conversations: await rowsOf(db, "public.conversations", "tenant_id = $1", a.id),
  customers: await rowsOf(db, "public.customers", "tenant_id = $1", a.id),
  usage: await rowsOf(db, "public.usage_events", "tenant_id = $1", a.id),
});

const unroutable = (number: string) =>
  db.sql`select reason, count, delivery_id from private.unroutable_events where provider = 'whatsapp' and routing_key = ${number} order by reason`;

/** A WhatsApp number registered the way the platform operator assigns one (verified at once). */
async function registerNumber(tenantId: string, number: string): Promise<string> {
  const [ch] = await db.sql`
    insert into public.channels (tenant_id, kind, provider, phone_number_id, display_phone_number)
    values (${tenantId}, 'whatsapp', 'meta', ${number}, '+1 555 010 0001') returning id, verification_method`;
  expect(ch.verification_method).toBe("operator");
  return ch.id;
}

/** B releases a number the way its admin can: its conversations go (with their messages), then the channel. */
async function release(channelId: string) {
  expect(await attempt(db, b.members.admin.token, (tx) => tx`delete from public.conversations where channel_id = ${channelId} returning id`)).toMatch(/^rows=\d+$/);
  expect(await attempt(db, b.members.admin.token, (tx) => tx`delete from public.channels where id = ${channelId} returning id`)).toBe("rows=1");
}

function replay(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "local/whatsapp-replay.ts", ...args], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code: code ?? 1, out, err }));
  });
}

describe("a business's own Meta app cannot route into the business that took over its number", () => {
  it("B's signed delivery for N is stored in B; after B releases N and A registers it, replaying it stores nothing in A", async () => {
    const n = `10${digits(13)}`;
    const nChannel = await registerNumber(b.id, n);
    const from = waId();
    const body = delivery(messagesChange(n, { contacts: [{ wa_id: from, name: "Forged" }], messages: [inbound(from, "text", { body: "forged via B's app" })] }));

    // Signed by B's own app for B's own number: accepted and stored in B, with B's channel recorded as the signer.
    const res = await post(`${hook()}/channels/${b.channelId}`, body, B_APP_SECRET);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ new: 1, unroutable: 0 });
    expect(await countOf(db, "public.messages", "tenant_id = $1 and body = 'forged via B''s app'", b.id)).toBe(1);
    const [stored] = await db.sql`select id, signer_channel_id from private.webhook_deliveries where body @> ${db.sql.json({ entry: [{ changes: [{ value: { metadata: { phone_number_id: n } } }] }] } as never)}`;
    expect(stored.signer_channel_id).toBe(b.channelId);

    // B releases N; A registers it.
    await release(nChannel);
    await registerNumber(a.id, n);
    const before = await stateOfA();
    expect(await unroutable(n)).toEqual([]);

    // The operator replays the last hour, B's stored delivery included.
    const run = await replay("--since", "1h");
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/replayed \d+ deliveries since .*: 0 new messages/);

    expect(await stateOfA()).toEqual(before);
    expect(await countOf(db, "public.messages", "body = 'forged via B''s app'")).toBe(0);
    expect(await countOf(db, "public.customers", "wa_id = $1 and tenant_id = $2", from, a.id)).toBe(0);
    const [u] = await unroutable(n);
    expect(u).toMatchObject({ reason: expect.stringMatching(/signature does not cover this number/), delivery_id: stored.id });
    const [after] = await db.sql`select result from private.webhook_deliveries where id = ${stored.id}`;
    expect(after.result).toMatchObject({ new: 0, unroutable: 1 });
  });

  it("the same holds when the released number was the signing channel itself (its app secret is gone with it)", async () => {
    const n = `10${digits(13)}`;
    const own = await registerNumber(b.id, n);
    const secret = `b-second-app-${randomBytes(8).toString("hex")}`;
    await setChannelSecret(db, b.id, own, "app_secret", secret);
    const from = waId();
    const body = delivery(messagesChange(n, { contacts: [{ wa_id: from }], messages: [inbound(from, "text", { body: "signed by the released channel" })] }));
    const res = await post(`${hook()}/channels/${own}`, body, secret);
    expect(res.status).toBe(200);
    expect(await countOf(db, "public.messages", "tenant_id = $1 and body = 'signed by the released channel'", b.id)).toBe(1);
    const [stored] = await db.sql`select id, body, signer_channel_id from private.webhook_deliveries where signer_channel_id = ${own}`;

    await release(own);
    await registerNumber(a.id, n);
    const before = await stateOfA();
    // What the replay tool does for this row: apply it with its recorded signer.
    const result = await applyDelivery(Number(stored.id), stored.body, stored.signer_channel_id, db.sql);
    expect(result).toMatchObject({ new_messages: [], unroutable: 1 });
    expect(await stateOfA()).toEqual(before);
    expect(await countOf(db, "public.messages", "body = 'signed by the released channel'")).toBe(0);
    expect((await unroutable(n)).map((r) => r.reason)).toEqual([expect.stringMatching(/signature does not cover this number/)]);
  });

  it("a fresh delivery signed by B's app naming A's numbers is unroutable and lands nowhere in A", async () => {
    const taken = `10${digits(13)}`;
    await registerNumber(a.id, taken);
    const before = await stateOfA();
    const unroutableBefore = {
      own: (await unroutable(a.phoneNumberId)).reduce((s, r) => s + r.count, 0),
      taken: (await unroutable(taken)).reduce((s, r) => s + r.count, 0),
    };
    const from = waId();
    const body = delivery(
      messagesChange(a.phoneNumberId, { contacts: [{ wa_id: from }], messages: [inbound(from, "text", { body: "into A's own number" })] }),
      messagesChange(taken, { contacts: [{ wa_id: from }], messages: [inbound(from, "text", { body: "into A's new number" })] }),
    );
    const res = await post(`${hook()}/channels/${b.channelId}`, body, B_APP_SECRET);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ new: 0, unroutable: 2 });

    expect(await stateOfA()).toEqual(before);
    expect(await countOf(db, "public.customers", "wa_id = $1", from)).toBe(0);
    for (const [number, prior] of [[a.phoneNumberId, unroutableBefore.own], [taken, unroutableBefore.taken]] as const) {
      const rows = await unroutable(number);
      expect(rows.filter((r) => /signature does not cover/.test(r.reason)).reduce((s, r) => s + r.count, 0)).toBe(prior + 1);
    }
    // B's app still works for what is B's: the refusal is about whose number it is, not about the signature.
    const mine = waId();
    const ok = await post(`${hook()}/channels/${b.channelId}`, delivery(messagesChange(b.phoneNumberId, { contacts: [{ wa_id: mine }], messages: [inbound(mine, "text")] })), B_APP_SECRET);
    expect(await ok.json()).toMatchObject({ new: 1, unroutable: 0 });
  });

  it("B's admin cannot take N back by re-pointing one of its channels at it (routing keys are fixed: 42501)", async () => {
    const n = `10${digits(13)}`;
    await registerNumber(a.id, n);
    const before = await rowsOf(db, "public.channels", "tenant_id = $1", b.id);
    expect(await attempt(db, b.members.admin.token, (tx) => tx`
      update public.channels set phone_number_id = ${n} where id = ${b.channelId} returning id`)).toBe("42501");
    expect(await rowsOf(db, "public.channels", "tenant_id = $1", b.id)).toEqual(before);
    // A pending claim of N by B is possible but routes nothing, whatever B's app signs.
    await asRequest(db, b.members.admin.token, (tx) => tx`
      insert into public.channels (tenant_id, kind, provider, phone_number_id) values (${b.id}, 'whatsapp', 'meta', ${n})`);
    const from = waId();
    const res = await post(`${hook()}/channels/${b.channelId}`, delivery(messagesChange(n, { contacts: [{ wa_id: from }], messages: [inbound(from, "text")] })), B_APP_SECRET);
    expect(await res.json()).toMatchObject({ new: 0, unroutable: 1 });
    expect(await countOf(db, "public.customers", "wa_id = $1", from)).toBe(0);
  });
});
