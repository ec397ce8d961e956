// The receptionist on a live call, through the real call-events and voice-webhook functions, with payloads shaped as
// Vapi's and Retell's docs and SDK types show them and signed as they sign: the call's state while it runs, the
// assistant and the caller's context for an incoming call, a transfer, reports of transient assistants and of
// structured outputs, one call row per phone call, minutes counted once, and withheld caller ids kept to their call.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import {
  callSid, incomingParams, phone, postRetell, postTwilio, postVapi, PUBLIC_BASE, recordingParams, retellEvent, retellInbound,
  setAgentSecretRow, statusParams, vapiMessage, vapiReport, voiceBusiness, type VoiceBusiness,
} from "./fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db, { VOICE_PUBLIC_BASE_URL: PUBLIC_BASE });
const vapiUrl = () => `${fns.url}/call-events/vapi`;
const retellUrl = () => `${fns.url}/call-events/retell`;

interface Agent { id: string; platformId: string | null; secret: string }

async function agentOf(
  b: VoiceBusiness, platform: "vapi" | "retell",
  o: { platformId?: string | null; secret?: string; name?: string; prompt?: string; greeting?: string; language?: string; config?: Record<string, unknown>; voiceId?: string } = {},
): Promise<Agent> {
  const platformId = o.platformId === undefined ? (platform === "vapi" ? crypto.randomUUID() : `agent_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`) : o.platformId;
  const [a] = await db.sql`
    insert into public.voice_agents (tenant_id, name, platform, platform_agent_id, system_prompt, greeting, language, config, voice_id)
    values (${b.id}, ${o.name ?? `${platform} ${crypto.randomUUID().slice(0, 8)}`}, ${platform}, ${platformId}, ${o.prompt ?? null},
            ${o.greeting ?? null}, ${o.language ?? "en"}, ${db.sql.json((o.config ?? {}) as never)}, ${o.voiceId ?? null})
    returning id`;
  const secret = o.secret ?? `sk-${crypto.randomUUID()}`;
  await setAgentSecretRow(db, b.id, a.id, platform === "vapi" ? "webhook_secret" : "api_key", secret);
  return { id: a.id, platformId, secret };
}

const callRow = async (id: string) => (await db.sql`select *, status::text from public.calls where id = ${id}`)[0];
const minutes = async (tenant: string) =>
  (await db.sql`select coalesce(sum(quantity), 0)::int as n, count(*)::int as events from public.usage_events where tenant_id = ${tenant} and metric = 'call_minutes'`)[0];

let shop: VoiceBusiness;
let shopVapi: Agent;
beforeAll(async () => {
  shop = await voiceBusiness(db, "live-shop");
  shopVapi = await agentOf(shop, "vapi", { name: "Vapi desk" });
});

describe("Vapi end-of-call-report", () => {
  it("reads artifact.structuredOutputs ({id: {name, result}}): memories, name and sentiment", async () => {
    const caller = phone();
    const report = vapiReport({
      assistantId: shopVapi.platformId, customerNumber: caller, businessNumber: shop.number,
      structuredOutputs: {
        "3f0b0e8e-1d8a-4a5e-9f0e-1c2b3d4e5f60": {
          name: "Caller details",
          result: { caller_name: "Rosa Diaz", memories: [{ content: "Wants the 8am slot on Saturdays", kind: "preference", importance: 7 }] },
        },
        "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d": { name: "Sentiment", result: "positive" },
        "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f": { name: "Outcome", result: "booked" },
      },
    });
    const res = await postVapi(vapiUrl(), report, shopVapi.secret);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ duplicate: false, memories_stored: 1 });
    const [summary] = await db.sql`select outcome, sentiment::text, structured from public.call_summaries where call_id = ${body.call_id}`;
    expect(summary).toMatchObject({ outcome: "booked", sentiment: "positive" });
    expect(Object.keys(summary.structured.structuredOutputs)).toHaveLength(3);
    const [profile] = await db.sql`select id, display_name from public.caller_profiles where tenant_id = ${shop.id} and phone = ${caller}`;
    expect(profile.display_name).toBe("Rosa Diaz");
    expect((await db.sql`select content, kind, importance from public.memories where caller_id = ${profile.id}`))
      .toEqual([{ content: "Wants the 8am slot on Saturdays", kind: "preference", importance: 7 }]);
  });

  it("links to the Twilio call by call.transport.callSid alone: one row, and Twilio's completes", async () => {
    const sid = callSid();
    const caller = phone();
    await postTwilio(fns.url, "incoming", incomingParams(shop, sid, caller), shop.authToken);
    await postTwilio(fns.url, "status", statusParams(shop, sid, caller, "in-progress"), shop.authToken);
    const report = vapiReport({ assistantId: shopVapi.platformId, customerNumber: caller, businessNumber: shop.number, twilioCallSid: sid, seconds: 75 });
    expect(report.message.call).not.toHaveProperty("phoneCallProviderId");
    const stored = await (await postVapi(vapiUrl(), report, shopVapi.secret)).json();
    const rows = await db.sql`select id, provider, status::text, duration_seconds from public.calls
                              where tenant_id = ${shop.id} and provider_call_id in (${sid}, ${report.message.call.id})`;
    expect(rows).toEqual([{ id: stored.call_id, provider: "twilio", status: "completed", duration_seconds: 75 }]);
    // and Twilio's own completed callback later counts nothing more
    const before = await minutes(shop.id);
    await postTwilio(fns.url, "status", statusParams(shop, sid, caller, "completed", { CallDuration: "76" }), shop.authToken);
    expect(await minutes(shop.id)).toEqual(before);
    expect((await callRow(stored.call_id)).duration_seconds).toBe(75);
  });

  it("a transient assistant's report (no assistantId) is routed by the called number to that business's Vapi agent", async () => {
    const caller = phone();
    const report = vapiReport({ assistantId: null, customerNumber: caller, businessNumber: shop.number, structuredData: { caller_name: "Ana" } });
    expect(report.message.call).not.toHaveProperty("assistantId");
    const res = await postVapi(vapiUrl(), report, shopVapi.secret);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(await callRow(body.call_id)).toMatchObject({ tenant_id: shop.id, agent_id: shopVapi.id, channel_id: shop.channelId, provider: "vapi" });

    // another business's secret, an unknown number, no number at all: refused, nothing stored
    const other = await voiceBusiness(db, "live-other");
    const otherVapi = await agentOf(other, "vapi");
    const before = (await db.sql`select count(*)::int as n from public.calls`)[0].n;
    expect((await postVapi(vapiUrl(), vapiReport({ assistantId: null, customerNumber: caller, businessNumber: shop.number }), otherVapi.secret)).status).toBe(401);
    const unknown = await postVapi(vapiUrl(), vapiReport({ assistantId: null, customerNumber: caller, businessNumber: phone() }), shopVapi.secret);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toMatch(/no business has verified the number/);
    expect((await db.sql`select count(*)::int as n from public.calls`)[0].n).toBe(before);
  });

  it("accepts Authorization with or without 'Bearer ', and Vapi's HMAC credential; refuses a bad HMAC or a stale one", async () => {
    const report = () => vapiReport({ assistantId: shopVapi.platformId, customerNumber: phone(), businessNumber: shop.number });
    expect((await postVapi(vapiUrl(), report(), shopVapi.secret, "authorization")).status).toBe(200);
    expect((await postVapi(vapiUrl(), report(), shopVapi.secret, "bearer")).status).toBe(200);
    expect((await postVapi(vapiUrl(), report(), shopVapi.secret, "hmac")).status).toBe(200);
    expect((await postVapi(vapiUrl(), report(), "sk-wrong", "authorization")).status).toBe(401);
    expect((await postVapi(vapiUrl(), report(), "sk-wrong", "hmac")).status).toBe(401);
    const stale = String(Math.floor(Date.now() / 1000) - 600);
    expect((await postVapi(vapiUrl(), report(), shopVapi.secret, "hmac", { timestamp: stale })).status).toBe(401);
    // a signature over another body
    const signed = await postVapiTampered(report(), shopVapi.secret);
    expect(signed.status).toBe(401);
  });
});

async function postVapiTampered(body: ReturnType<typeof vapiReport>, secret: string) {
  const { vapiHmacSignature } = await import("../../supabase/functions/_shared/voice-platforms/vapi.ts");
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = await vapiHmacSignature(raw, secret, timestamp);
  return fetch(vapiUrl(), {
    method: "POST", headers: { "content-type": "application/json", "x-signature": signature, "x-timestamp": timestamp },
    body: raw.replace("skin fade", "buzz cut"),
  });
}

describe("Vapi status-update", () => {
  it("moves the call's state: ringing, in progress, ended; minutes once, and the report lands on the same row", async () => {
    const callId = crypto.randomUUID();
    const caller = phone();
    const started = new Date(Date.now() - 130_000);
    const msg = (status: string, extra: Record<string, unknown> = {}, times: { startedAt?: Date; endedAt?: Date } = {}) =>
      vapiMessage("status-update", shopVapi.platformId, { callId, customerNumber: caller, businessNumber: shop.number, extra: { status, ...extra }, ...times });
    const ringing = await (await postVapi(vapiUrl(), msg("ringing"), shopVapi.secret)).json();
    expect(ringing).toMatchObject({ received: true, status: "ringing" });
    expect(await callRow(ringing.call_id)).toMatchObject({ tenant_id: shop.id, provider: "vapi", provider_call_id: callId, status: "ringing",
      agent_id: shopVapi.id, channel_id: shop.channelId, from_number: caller, to_number: shop.number });
    expect((await postVapi(vapiUrl(), msg("in-progress", {}, { startedAt: started }), shopVapi.secret)).status).toBe(200);
    expect((await callRow(ringing.call_id)).status).toBe("in_progress");
    // a late "ringing" never moves it back
    await postVapi(vapiUrl(), msg("ringing"), shopVapi.secret);
    expect((await callRow(ringing.call_id)).status).toBe("in_progress");
    const ended = await (await postVapi(vapiUrl(), msg("ended", { endedReason: "customer-ended-call" }, { startedAt: started, endedAt: new Date(started.getTime() + 130_000) }), shopVapi.secret)).json();
    expect(ended).toMatchObject({ status: "completed", call_minutes: 3 });
    const row = await callRow(ringing.call_id);
    expect(row).toMatchObject({ status: "completed", duration_seconds: 130 });
    expect(row.started_at.toISOString()).toBe(started.toISOString());

    const before = await minutes(shop.id);
    const report = vapiReport({ callId, assistantId: shopVapi.platformId, customerNumber: caller, businessNumber: shop.number, startedAt: started, seconds: 130 });
    const stored = await (await postVapi(vapiUrl(), report, shopVapi.secret)).json();
    expect(stored.call_id).toBe(ringing.call_id);
    expect(await minutes(shop.id)).toEqual(before);
    expect((await db.sql`select count(*)::int as n from public.calls where provider_call_id = ${callId}`)[0].n).toBe(1);
  });

  it("refuses an unknown status (400) and stores nothing", async () => {
    const res = await postVapi(vapiUrl(), vapiMessage("status-update", shopVapi.platformId, { businessNumber: shop.number, extra: { status: "exploded" } }), shopVapi.secret);
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/message\.status/);
  });
});

describe("Vapi assistant-request", () => {
  it("answers the agent's platform assistant id, routed by the called number, with the caller's context in variableValues", async () => {
    const b = await voiceBusiness(db, "live-assist", { timezone: "Europe/Madrid" });
    const older = await agentOf(b, "vapi", { name: "Older" });
    const chosen = await agentOf(b, "vapi", { name: "Chosen", secret: older.secret });
    await db.sql`update public.channels set settings = ${db.sql.json({ agent_id: chosen.id })} where id = ${b.channelId}`;
    const caller = phone();
    const [customer] = await db.sql`insert into public.customers (tenant_id, phone, name) values (${b.id}, ${caller}, 'Marta Ruiz') returning id`;
    const [staff] = await db.sql`insert into public.staff (tenant_id, name) values (${b.id}, 'Luis') returning id`;
    const [service] = await db.sql`insert into public.services (tenant_id, name, duration_minutes, price_cents, currency) values (${b.id}, 'Skin fade', 30, 2500, 'EUR') returning id`;
    await db.sql`insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, source)
                 values (${b.id}, ${customer.id}, ${service.id}, ${staff.id}, '2030-06-07T08:00:00Z', '2030-06-07T08:30:00Z', 'voice')`;
    await postVapi(vapiUrl(), vapiReport({ assistantId: chosen.platformId, customerNumber: caller, businessNumber: b.number, summary: "Asked about beard trims." }), chosen.secret);

    const res = await postVapi(vapiUrl(), vapiMessage("assistant-request", null, { customerNumber: caller, businessNumber: b.number }), chosen.secret);
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer.assistantId).toBe(chosen.platformId);
    expect(answer.assistantOverrides.variableValues).toMatchObject({
      caller_known: "true", caller_name: "Marta Ruiz", upcoming_bookings: "2030-06-07 10:00 Skin fade with Luis", upcoming_booking_count: "1",
      last_call_summary: "Asked about beard trims.", business_name: "Shop live-assist",
    });
    // a stranger: empty context
    const stranger = await (await postVapi(vapiUrl(), vapiMessage("assistant-request", null, { customerNumber: phone(), businessNumber: b.number }), chosen.secret)).json();
    expect(stranger.assistantOverrides.variableValues).toMatchObject({ caller_known: "false", caller_name: "", upcoming_bookings: "", last_call_summary: "" });
    // no business has the number: 404
    expect((await postVapi(vapiUrl(), vapiMessage("assistant-request", null, { businessNumber: phone() }), chosen.secret)).status).toBe(404);
  });

  it("builds a transient assistant from the agent's prompt, voice, language and first message when it has no Vapi assistant", async () => {
    const b = await voiceBusiness(db, "live-transient");
    const [voice] = await db.sql`insert into public.voices (tenant_id, name, provider, provider_voice_id, language) values (${b.id}, 'Lucía', 'elevenlabs', 'EXAVITQu4vr4xnSDxMaL', 'es') returning id`;
    const agent = await agentOf(b, "vapi", {
      platformId: null, name: "Recepción", language: "es", voiceId: voice.id, config: { model: { provider: "openai", model: "gpt-4o-mini" } },
      prompt: "Eres la recepcionista de Barbería Sol. Llama al cliente {{caller_name}}.", greeting: "¡Hola! Barbería Sol, ¿en qué le ayudo?",
    });
    const res = await postVapi(vapiUrl(), vapiMessage("assistant-request", null, { businessNumber: b.number }), agent.secret);
    expect(res.status).toBe(200);
    const { assistant, assistantOverrides } = await res.json();
    expect(assistant).toMatchObject({
      name: "Recepción",
      firstMessage: "¡Hola! Barbería Sol, ¿en qué le ayudo?",
      model: { provider: "openai", model: "gpt-4o-mini" },
      voice: { provider: "11labs", voiceId: "EXAVITQu4vr4xnSDxMaL" },
      transcriber: { provider: "deepgram", language: "es" },
    });
    expect(assistant.model.messages[0]).toMatchObject({ role: "system" });
    expect(assistant.model.messages[0].content).toMatch(/^Eres la recepcionista de Barbería Sol\. Llama al cliente \{\{caller_name\}\}\./);
    expect(assistantOverrides.variableValues.caller_known).toBe("false");
  });
});

describe("Vapi transfer-destination-request", () => {
  it("answers the business's transfer number (the agent's config first) in Vapi's format, or an error when there is none", async () => {
    const b = await voiceBusiness(db, "live-transfer");
    const agent = await agentOf(b, "vapi");
    const ask = () => postVapi(vapiUrl(), vapiMessage("transfer-destination-request", agent.platformId, { businessNumber: b.number }), agent.secret);
    const none = await (await ask()).json();
    expect(none).toEqual({ error: expect.any(String) });
    await db.sql`update public.tenants set settings = settings || '{"transfer_number": "+13055550142"}' where id = ${b.id}`;
    expect(await (await ask()).json()).toEqual({ destination: { type: "number", number: "+13055550142", message: expect.any(String) } });
    await db.sql`update public.voice_agents set config = '{"transfer_number": "+13055550143"}' where id = ${agent.id}`;
    expect((await (await ask()).json()).destination.number).toBe("+13055550143");
    // a withheld placeholder is no number to transfer to
    await db.sql`update public.voice_agents set config = '{"transfer_number": "+266696687"}' where id = ${agent.id}`;
    expect((await (await ask()).json()).destination.number).toBe("+13055550142");
  });
});

describe("Retell live call", () => {
  it("call_started and call_ended move the call; call_analyzed lands on it; minutes once", async () => {
    const b = await voiceBusiness(db, "live-retell");
    const agent = await agentOf(b, "retell");
    const caller = phone();
    const callId = `call_${crypto.randomUUID().replace(/-/g, "")}`;
    const started = retellEvent("call_started", { callId, agentId: agent.platformId!, from: caller, to: b.number, seconds: 200 });
    started.call.call_status = "ongoing";
    delete (started.call as Record<string, unknown>).end_timestamp;
    delete (started.call as Record<string, unknown>).duration_ms;
    delete (started.call as Record<string, unknown>).disconnection_reason;
    const s = await (await postRetell(retellUrl(), started, agent.secret)).json();
    expect(await callRow(s.call_id)).toMatchObject({ tenant_id: b.id, provider: "retell", provider_call_id: callId, status: "in_progress",
      agent_id: agent.id, channel_id: b.channelId, from_number: caller, ended_at: null });
    expect((await callRow(s.call_id)).started_at.getTime()).toBe(started.call.start_timestamp);

    const ended = retellEvent("call_ended", { callId, agentId: agent.platformId!, from: caller, to: b.number, seconds: 200 });
    const e = await (await postRetell(retellUrl(), ended, agent.secret)).json();
    expect(e).toMatchObject({ call_id: s.call_id, status: "completed", call_minutes: 4 });
    expect(await callRow(s.call_id)).toMatchObject({ status: "completed", duration_seconds: 200 });
    expect(await minutes(b.id)).toEqual({ n: 4, events: 1 });

    const analyzed = await (await postRetell(retellUrl(), retellEvent("call_analyzed", { callId, agentId: agent.platformId!, from: caller, to: b.number, seconds: 200 }), agent.secret)).json();
    expect(analyzed).toMatchObject({ duplicate: false, call_id: s.call_id });
    expect(await minutes(b.id)).toEqual({ n: 4, events: 1 });
  });

  it("answers the inbound webhook with the caller's context as dynamic variables, and the agent override when there are several agents", async () => {
    const b = await voiceBusiness(db, "live-inbound");
    const first = await agentOf(b, "retell", { secret: "key_inbound" });
    const caller = phone();
    await db.sql`insert into public.customers (tenant_id, phone, name) values (${b.id}, ${caller}, 'Omar Haddad')`;
    const one = await postRetell(retellUrl(), retellInbound({ from: caller, to: b.number, agentId: first.platformId! }), "key_inbound");
    expect(one.status).toBe(200);
    const body = await one.json();
    expect(body.call_inbound).not.toHaveProperty("override_agent_id");
    expect(body.call_inbound.dynamic_variables).toMatchObject({ caller_known: "true", caller_name: "Omar Haddad" });
    for (const v of Object.values(body.call_inbound.dynamic_variables)) expect(typeof v).toBe("string");

    const second = await agentOf(b, "retell", { secret: "key_inbound" });
    const two = await (await postRetell(retellUrl(), retellInbound({ from: caller, to: b.number, agentId: first.platformId! }), "key_inbound")).json();
    expect(two.call_inbound.override_agent_id).toBe(first.platformId); // the one the number is bound to, being the business's
    await db.sql`update public.channels set settings = ${db.sql.json({ agent_id: second.id })} where id = ${b.channelId}`;
    const chosen = await (await postRetell(retellUrl(), retellInbound({ from: caller, to: b.number, agentId: first.platformId! }), "key_inbound")).json();
    expect(chosen.call_inbound.override_agent_id).toBe(second.platformId);

    expect((await postRetell(retellUrl(), retellInbound({ from: caller, to: b.number }), "key_wrong")).status).toBe(401);
    expect((await postRetell(retellUrl(), retellInbound({ from: caller, to: phone() }), "key_inbound")).status).toBe(404);
  });
});

describe("a whole Vapi call", () => {
  it("assistant-request, status updates, a transfer request, the report: one call, one summary, minutes once", async () => {
    const b = await voiceBusiness(db, "live-whole");
    await db.sql`update public.tenants set settings = settings || '{"transfer_number": "+13055550188"}' where id = ${b.id}`;
    const agent = await agentOf(b, "vapi", { platformId: null, prompt: "You answer for the shop." });
    const caller = phone();
    const callId = crypto.randomUUID();
    const started = new Date(Date.now() - 95_000);
    const base = { callId, customerNumber: caller, businessNumber: b.number };
    const post = (body: unknown) => postVapi(vapiUrl(), body, agent.secret, "authorization");

    const assistant = await (await post(vapiMessage("assistant-request", null, base))).json();
    expect(assistant.assistant.model.messages[0].content).toMatch(/^You answer for the shop\./);
    for (const status of ["ringing", "in-progress"]) {
      expect((await post(vapiMessage("status-update", null, { ...base, startedAt: status === "in-progress" ? started : undefined, extra: { status } }))).status).toBe(200);
    }
    const transfer = await (await post(vapiMessage("transfer-destination-request", null, base))).json();
    expect(transfer.destination).toMatchObject({ type: "number", number: "+13055550188" });
    const ended = new Date(started.getTime() + 95_000);
    await post(vapiMessage("status-update", null, { ...base, startedAt: started, endedAt: ended, extra: { status: "ended", endedReason: "assistant-forwarded-call" } }));
    const report = await (await post(vapiReport({ ...base, assistantId: null, startedAt: started, seconds: 95, endedReason: "assistant-forwarded-call" }))).json();
    expect(report).toMatchObject({ duplicate: false });

    const calls = await db.sql`select id, status::text, duration_seconds, agent_id, customer_id from public.calls where tenant_id = ${b.id}`;
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ id: report.call_id, status: "completed", duration_seconds: 95, agent_id: agent.id });
    expect((await db.sql`select count(*)::int as n from public.call_summaries where tenant_id = ${b.id}`)[0].n).toBe(1);
    expect(await minutes(b.id)).toEqual({ n: 2, events: 1 });
  });
});

describe("call minutes, once per call whichever provider reports it", () => {
  it("a Vapi-only call and a Retell-only call (reports alone) count their minutes; a repeated report adds nothing", async () => {
    const b = await voiceBusiness(db, "live-minutes");
    const v = await agentOf(b, "vapi");
    const r = await agentOf(b, "retell");
    const report = vapiReport({ assistantId: v.platformId, customerNumber: phone(), businessNumber: b.number, seconds: 61 });
    expect((await (await postVapi(vapiUrl(), report, v.secret)).json()).call_minutes).toBe(2);
    await postVapi(vapiUrl(), report, v.secret);
    expect(await minutes(b.id)).toEqual({ n: 2, events: 1 });
    await postRetell(retellUrl(), retellEvent("call_analyzed", { agentId: r.platformId!, from: phone(), to: b.number, seconds: 59 }), r.secret);
    expect(await minutes(b.id)).toEqual({ n: 3, events: 2 });
  });

  it("a platform event before Twilio's first callback: Twilio's callbacks land on the platform's row, counted once", async () => {
    const b = await voiceBusiness(db, "live-early");
    const v = await agentOf(b, "vapi");
    const sid = callSid();
    const caller = phone();
    const early = await (await postVapi(vapiUrl(), vapiMessage("status-update", v.platformId, { customerNumber: caller, businessNumber: b.number, twilioCallSid: sid, extra: { status: "in-progress" } }), v.secret)).json();
    await postTwilio(fns.url, "status", statusParams(b, sid, caller, "completed", { CallDuration: "100" }), b.authToken);
    const rows = await db.sql`select id, provider, status::text, duration_seconds from public.calls where tenant_id = ${b.id}`;
    expect(rows).toEqual([{ id: early.call_id, provider: "vapi", status: "completed", duration_seconds: 100 }]);
    await postVapi(vapiUrl(), vapiReport({ assistantId: v.platformId, customerNumber: caller, businessNumber: b.number, twilioCallSid: sid, seconds: 100, callId: (await callRow(early.call_id)).provider_call_id }), v.secret);
    expect(await minutes(b.id)).toEqual({ n: 2, events: 1 });
  });
});

describe("withheld and invalid caller ids", () => {
  const WITHHELD = ["+266696687", "+7378742833", "+8656696", "+2562533", "anonymous", "restricted", "unknown", "client:alice", "sip:bob@pbx.example.com"];

  it("a Twilio call from any of them creates, merges or looks up no customer; the call keeps what it was given", async () => {
    const b = await voiceBusiness(db, "live-withheld");
    for (const from of WITHHELD) {
      const sid = callSid();
      const twiml = await (await postTwilio(fns.url, "incoming", incomingParams(b, sid, from), b.authToken)).text();
      expect(twiml, from).not.toContain('name="customer_id"');
      const [call] = await db.sql`select customer_id, from_number from public.calls where provider_call_id = ${sid}`;
      expect(call, from).toEqual({ customer_id: null, from_number: from });
    }
    expect((await db.sql`select count(*)::int as n from public.customers where tenant_id = ${b.id}`)[0].n).toBe(0);
  });

  it("two reports from a hidden number share no profile: no customer, no caller profile, no memories; the summary stays on each call", async () => {
    const b = await voiceBusiness(db, "live-hidden");
    const v = await agentOf(b, "vapi");
    const results = [];
    for (const who of ["first stranger", "second stranger"]) {
      const report = vapiReport({ assistantId: v.platformId, customerNumber: "+266696687", businessNumber: b.number, summary: `Call from the ${who}.`,
        structuredData: { caller_name: who, memories: [`Secret of the ${who}`], personality: { openness: 0.9 } } });
      results.push(await (await postVapi(vapiUrl(), report, v.secret)).json());
    }
    for (const r of results) expect(r).toMatchObject({ duplicate: false, customer_id: null, caller_id: null, memories_stored: 0 });
    expect((await db.sql`select count(*)::int as n from public.caller_profiles where tenant_id = ${b.id}`)[0].n).toBe(0);
    expect((await db.sql`select count(*)::int as n from public.customers where tenant_id = ${b.id}`)[0].n).toBe(0);
    expect((await db.sql`select count(*)::int as n from public.memories where tenant_id = ${b.id}`)[0].n).toBe(0);
    expect((await db.sql`select count(*)::int as n from public.personality_metrics where tenant_id = ${b.id}`)[0].n).toBe(0);
    const summaries = await db.sql`select s.summary from public.call_summaries s where s.call_id in (${results[0].call_id}, ${results[1].call_id}) order by s.summary`;
    expect(summaries.map((s) => s.summary)).toEqual(["Call from the first stranger.", "Call from the second stranger."]);

    // a Retell report and a live event from a restricted id do the same
    const r = await agentOf(b, "retell");
    const analyzed = await (await postRetell(retellUrl(), retellEvent("call_analyzed", { agentId: r.platformId!, from: "+7378742833", to: b.number,
      customAnalysis: { memories: ["Should never be stored"] } }), r.secret)).json();
    expect(analyzed).toMatchObject({ customer_id: null, caller_id: null, memories_stored: 0 });
    const live = await (await postVapi(vapiUrl(), vapiMessage("status-update", v.platformId, { customerNumber: "+8656696", businessNumber: b.number, extra: { status: "in-progress" } }), v.secret)).json();
    expect(live.customer_id).toBeNull();
    expect((await db.sql`select count(*)::int as n from public.customers where tenant_id = ${b.id}`)[0].n).toBe(0);
  });

  it("recall for a hidden caller returns nothing, even if someone once stored a profile under the placeholder", async () => {
    const b = await voiceBusiness(db, "live-recall");
    const v = await agentOf(b, "vapi");
    // legacy data: a profile and a customer keyed by Twilio's "anonymous" number
    const [customer] = await db.sql`insert into public.customers (tenant_id, phone, name) values (${b.id}, '+266696687', 'Somebody Else') returning id`;
    await db.sql`insert into public.caller_profiles (tenant_id, phone, customer_id, display_name) values (${b.id}, '+266696687', ${customer.id}, 'Somebody Else')`;
    const answer = await (await postVapi(vapiUrl(), vapiMessage("assistant-request", null, { customerNumber: "+266696687", businessNumber: b.number }), v.secret)).json();
    expect(answer.assistantOverrides.variableValues).toMatchObject({ caller_known: "false", caller_name: "", caller_phone: "" });
    const r = await agentOf(b, "retell");
    const inbound = await (await postRetell(retellUrl(), retellInbound({ from: "anonymous", to: b.number }), r.secret)).json();
    expect(inbound.call_inbound.dynamic_variables).toMatchObject({ caller_known: "false", caller_name: "" });
    // and a report from it does not touch that profile
    await postVapi(vapiUrl(), vapiReport({ assistantId: v.platformId, customerNumber: "+266696687", businessNumber: b.number, structuredData: { memories: ["x"] } }), v.secret);
    expect((await db.sql`select call_count from public.caller_profiles where tenant_id = ${b.id}`)[0].call_count).toBe(0);
  });
});

describe("Twilio", () => {
  it("verifies a signature over a URL with ' in its query, whether Twilio signed it raw or percent-encoded", async () => {
    const b = await voiceBusiness(db, "live-quote");
    for (const signedQuery of ["shop=o'brien&x=1", "shop=o%27brien&x=1"]) {
      const params = incomingParams(b, callSid(), phone());
      const res = await postTwilio(fns.url, "incoming", params, b.authToken, {
        query: "shop=o'brien&x=1", signedUrl: `${PUBLIC_BASE}/voice-webhook/twilio/incoming?${signedQuery}`,
      });
      expect(res.status, signedQuery).toBe(200);
    }
    const forged = await postTwilio(fns.url, "incoming", incomingParams(b, callSid(), phone()), b.authToken, {
      query: "shop=o'brien&x=1", signedUrl: `${PUBLIC_BASE}/voice-webhook/twilio/incoming?shop=obrien&x=1`,
    });
    expect(forged.status).toBe(403);
  });

  it("stores RecordingDuration with the recording, once", async () => {
    const b = await voiceBusiness(db, "live-recording", { hours: "never" });
    const sid = callSid();
    await postTwilio(fns.url, "incoming", incomingParams(b, sid, phone()), b.authToken);
    const query = `to=${encodeURIComponent(b.number)}`;
    const rec = recordingParams(b, sid, { RecordingDuration: "14" });
    expect((await postTwilio(fns.url, "recording", rec, b.authToken, { query })).status).toBe(200);
    await postTwilio(fns.url, "recording", { ...rec, RecordingDuration: "99" }, b.authToken, { query });
    const [call] = await db.sql`select recording_url, recording_duration_seconds from public.calls where provider_call_id = ${sid}`;
    expect(call).toEqual({ recording_url: rec.RecordingUrl, recording_duration_seconds: 14 });
    // an odd value does not cost the callback
    const other = callSid();
    expect((await postTwilio(fns.url, "recording", recordingParams(b, other, { RecordingDuration: "-1" }), b.authToken, { query })).status).toBe(200);
    expect((await db.sql`select recording_duration_seconds from public.calls where provider_call_id = ${other}`)[0].recording_duration_seconds).toBeNull();
  });
});
