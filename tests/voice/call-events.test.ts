// The call-events function end to end: Vapi's end-of-call-report and Retell's call_analyzed, each authenticated
// with the reporting agent's own secret, stored once per call for that agent's business only.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import {
  phone, postRetell, postVapi, PUBLIC_BASE, retellEvent, setAgentSecretRow, vapiMessage, vapiReport, voiceBusiness, type VoiceBusiness,
} from "./fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db, { VOICE_PUBLIC_BASE_URL: PUBLIC_BASE });
const vapiUrl = () => `${fns.url}/call-events/vapi`;
const retellUrl = () => `${fns.url}/call-events/retell`;

interface Agent { business: VoiceBusiness; id: string; platformId: string; secret: string }

async function platformAgent(b: VoiceBusiness, platform: "vapi" | "retell", platformId: string = crypto.randomUUID(), secret = `sk-${crypto.randomUUID()}`): Promise<Agent> {
  const [a] = await db.sql`
    insert into public.voice_agents (tenant_id, name, platform, platform_agent_id)
    values (${b.id}, ${`${platform} ${platformId.slice(0, 8)}`}, ${platform}, ${platformId}) returning id`;
  await setAgentSecretRow(db, b.id, a.id, platform === "vapi" ? "webhook_secret" : "api_key", secret);
  return { business: b, id: a.id, platformId, secret };
}

let shop: VoiceBusiness;
let agency: VoiceBusiness;
let vapiAgent: Agent;
let retellAgent: Agent;
beforeAll(async () => {
  shop = await voiceBusiness(db, "events-shop");
  agency = await voiceBusiness(db, "events-agency");
  vapiAgent = await platformAgent(shop, "vapi");
  retellAgent = await platformAgent(agency, "retell", `oBeDLoLOeuAbiuaMFXRtDOLri${crypto.randomUUID().slice(0, 6)}`);
});

const counts = async () => (await db.sql`
  select (select count(*)::int from public.calls) as calls, (select count(*)::int from public.call_summaries) as summaries,
         (select count(*)::int from public.caller_profiles) as callers, (select count(*)::int from public.memories) as memories,
         (select count(*)::int from public.personality_metrics) as metrics, (select count(*)::int from public.usage_events) as usage`)[0];

const STRUCTURED = {
  caller_name: "Maria Lopez",
  outcome: "booked",
  sentiment: "positive",
  memories: [
    { content: "Prefers a skin fade with a #2 on the sides", kind: "preference", importance: 8 },
    "Has a daughter, Sofia, who also gets her hair cut here",
    { content: "Allergic to the coconut pomade", kind: "fact", importance: 10 },
    { content: "   " },
  ],
  personality: { openness: 0.7, conscientiousness: 0.9, extraversion: 0.4, agreeableness: 0.8, neuroticism: 0.2 },
};

describe("Vapi end-of-call-report", () => {
  it("is stored with the agent's secret in X-Vapi-Secret: summary, caller profile, personality, memories, usage", async () => {
    const caller = phone();
    const report = vapiReport({ assistantId: vapiAgent.platformId, customerNumber: caller, businessNumber: shop.number, seconds: 95, structuredData: STRUCTURED });
    const res = await postVapi(vapiUrl(), report, vapiAgent.secret);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ received: true, duplicate: false, memories_stored: 3, memories_skipped: 0 });

    const [call] = await db.sql`select *, status::text from public.calls where provider = 'vapi' and provider_call_id = ${report.message.call.id}`;
    expect(call).toMatchObject({
      id: body.call_id, tenant_id: shop.id, agent_id: vapiAgent.id, channel_id: shop.channelId, direction: "inbound",
      from_number: caller, to_number: shop.number, status: "completed", duration_seconds: 95,
      recording_url: report.message.artifact.recordingUrl,
    });
    const [summary] = await db.sql`select summary, transcript, outcome, sentiment::text, structured from public.call_summaries where call_id = ${call.id}`;
    expect(summary).toMatchObject({ summary: report.message.analysis.summary, transcript: report.message.artifact.transcript, outcome: "booked", sentiment: "positive" });
    expect(summary.structured.structuredData.caller_name).toBe("Maria Lopez");

    const [profile] = await db.sql`select * from public.caller_profiles where tenant_id = ${shop.id} and phone = ${caller}`;
    const [customer] = await db.sql`select id, name from public.customers where tenant_id = ${shop.id} and phone = ${caller}`;
    expect(profile).toMatchObject({ id: body.caller_id, customer_id: customer.id, display_name: "Maria Lopez", call_count: 1 });
    expect(profile.first_call_at.toISOString()).toBe(report.message.endedAt);
    expect(customer).toMatchObject({ id: body.customer_id, name: "Maria Lopez" });
    expect(call.customer_id).toBe(customer.id);

    const memories = await db.sql`select content, kind, importance, source_call_id from public.memories where caller_id = ${profile.id} order by importance desc`;
    expect(memories).toEqual([
      { content: "Allergic to the coconut pomade", kind: "fact", importance: 10, source_call_id: call.id },
      { content: "Prefers a skin fade with a #2 on the sides", kind: "preference", importance: 8, source_call_id: call.id },
      { content: "Has a daughter, Sofia, who also gets her hair cut here", kind: "fact", importance: 5, source_call_id: call.id },
    ]);
    const [metrics] = await db.sql`select openness::float, neuroticism::float from public.personality_metrics where call_id = ${call.id}`;
    expect(metrics).toEqual({ openness: 0.7, neuroticism: 0.2 });
    const [avg] = await db.sql`select calls, conscientiousness::float from public.caller_personality where caller_id = ${profile.id}`;
    expect(avg).toEqual({ calls: 1, conscientiousness: 0.9 });
    const [usage] = await db.sql`select sum(quantity)::int as n from public.usage_events where tenant_id = ${shop.id} and metric = 'memories'
                                 and source_ref in (select id::text from public.memories where source_call_id = ${call.id})`;
    expect(usage.n).toBe(3);
  });

  it("accepts the secret as a bearer token too (Vapi's default credential)", async () => {
    const report = vapiReport({ assistantId: vapiAgent.platformId, customerNumber: phone(), businessNumber: shop.number });
    expect((await postVapi(vapiUrl(), report, vapiAgent.secret, "bearer")).status).toBe(200);
  });

  it("a repeated report changes nothing, even several copies at once", async () => {
    const caller = phone();
    const report = vapiReport({ assistantId: vapiAgent.platformId, customerNumber: caller, businessNumber: shop.number, structuredData: STRUCTURED });
    const first = await postVapi(vapiUrl(), report, vapiAgent.secret);
    expect((await first.json()).duplicate).toBe(false);
    const before = await counts();
    const [profileBefore] = await db.sql`select * from public.caller_profiles where tenant_id = ${shop.id} and phone = ${caller}`;
    const copies = await Promise.all(Array.from({ length: 5 }, () => postVapi(vapiUrl(), report, vapiAgent.secret)));
    for (const c of copies) {
      expect(c.status).toBe(200);
      expect((await c.json()).duplicate).toBe(true);
    }
    expect(await counts()).toEqual(before);
    const [profileAfter] = await db.sql`select * from public.caller_profiles where tenant_id = ${shop.id} and phone = ${caller}`;
    expect(profileAfter).toEqual(profileBefore);

    // copies racing on a report never seen before: stored exactly once
    const fresh = vapiReport({ assistantId: vapiAgent.platformId, customerNumber: phone(), businessNumber: shop.number, structuredData: STRUCTURED });
    const raced = await Promise.all(Array.from({ length: 6 }, () => postVapi(vapiUrl(), fresh, vapiAgent.secret)));
    const results = await Promise.all(raced.map((r) => r.json()));
    expect(results.filter((r) => r.duplicate === false)).toHaveLength(1);
    expect((await db.sql`select 1 from public.memories m join public.calls c on c.id = m.source_call_id where c.provider_call_id = ${fresh.message.call.id}`).count).toBe(3);
  });

  it("a second call from the same caller updates the profile: count, last call, averages", async () => {
    const caller = phone();
    const t0 = new Date(Date.now() - 86_400_000);
    await postVapi(vapiUrl(), vapiReport({ assistantId: vapiAgent.platformId, customerNumber: caller, businessNumber: shop.number, startedAt: t0, seconds: 60, structuredData: { personality: { openness: 0.2 }, caller_name: "Mary" } }), vapiAgent.secret);
    await postVapi(vapiUrl(), vapiReport({ assistantId: vapiAgent.platformId, customerNumber: caller, businessNumber: shop.number, seconds: 60, structuredData: { personality: { openness: 0.6 }, caller_name: "Maria" } }), vapiAgent.secret);
    // an older report arriving last counts, but does not rename the caller
    await postVapi(vapiUrl(), vapiReport({ assistantId: vapiAgent.platformId, customerNumber: caller, businessNumber: shop.number, startedAt: new Date(t0.getTime() - 86_400_000), seconds: 60, structuredData: { caller_name: "M." } }), vapiAgent.secret);
    const [profile] = await db.sql`select * from public.caller_profiles where tenant_id = ${shop.id} and phone = ${caller}`;
    expect(profile).toMatchObject({ call_count: 3, display_name: "Maria" });
    expect(profile.first_call_at.getTime()).toBeLessThan(t0.getTime());
    const [avg] = await db.sql`select calls, openness::float from public.caller_personality where caller_id = ${profile.id}`;
    expect(avg).toEqual({ calls: 2, openness: 0.4 });
  });

  it("other server messages are acknowledged once authenticated, and not stored", async () => {
    const before = await counts();
    for (const type of ["speech-update", "conversation-update", "transcript", "hang", "user-interrupted", "constructor"]) {
      const res = await postVapi(vapiUrl(), vapiMessage(type, vapiAgent.platformId, { businessNumber: shop.number }), vapiAgent.secret);
      expect(res.status, type).toBe(200);
      expect(await res.json()).toEqual({ received: true, ignored: type });
    }
    expect((await postVapi(vapiUrl(), vapiMessage("speech-update", vapiAgent.platformId), "wrong")).status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("refuses a missing or wrong secret (401), an unknown assistant (404), an agent without a secret (401), malformed bodies (400), storing nothing", async () => {
    const before = await counts();
    const report = () => vapiReport({ assistantId: vapiAgent.platformId, customerNumber: phone(), businessNumber: shop.number, structuredData: STRUCTURED });
    const missing = await postVapi(vapiUrl(), report(), null);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe("unauthorized");
    expect((await postVapi(vapiUrl(), report(), "sk-guess")).status).toBe(401);
    const both = await fetch(vapiUrl(), { method: "POST", body: JSON.stringify(report()), headers: { "x-vapi-secret": vapiAgent.secret, authorization: "Bearer sk-guess" } });
    expect(both.status).toBe(401); // a right value in one header does not excuse a wrong one in the other

    const unknown = await postVapi(vapiUrl(), vapiReport({ assistantId: crypto.randomUUID(), customerNumber: phone(), businessNumber: shop.number }), vapiAgent.secret);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toMatch(/no vapi agent/);

    const [bare] = await db.sql`insert into public.voice_agents (tenant_id, name, platform, platform_agent_id) values (${shop.id}, 'No secret', 'vapi', ${crypto.randomUUID()}) returning platform_agent_id`;
    const noSecret = await postVapi(vapiUrl(), vapiReport({ assistantId: bare.platform_agent_id, customerNumber: phone(), businessNumber: shop.number }), "anything");
    expect(noSecret.status).toBe(401);
    expect((await noSecret.json()).error.message).toMatch(/no webhook_secret set/);

    expect((await postVapi(vapiUrl(), '{"message": {', vapiAgent.secret)).status).toBe(400);
    const anonymous = await postVapi(vapiUrl(), { message: { type: "end-of-call-report", call: { id: "x" } } }, vapiAgent.secret);
    expect(anonymous.status).toBe(400);
    expect((await anonymous.json()).error.message).toMatch(/assistant/);
    const broken = report() as { message: Record<string, unknown> };
    delete (broken.message.call as Record<string, unknown>).id;
    const shape = await postVapi(vapiUrl(), broken, vapiAgent.secret);
    expect(shape.status).toBe(400);
    expect((await shape.json()).error.message).toMatch(/message\.call\.id/);
    expect((await fetch(`${fns.url}/call-events/bland`, { method: "POST", body: "{}" })).status).toBe(404);

    expect(await counts()).toEqual(before);
  });

  it("stores the report but skips memories past the plan's monthly allowance", async () => {
    const b = await voiceBusiness(db, "events-capped");
    const agent = await platformAgent(b, "vapi");
    await db.sql`select private.record_usage(${b.id}, 'memories', 4999, 'earlier')`;
    const caller = phone();
    const res = await postVapi(vapiUrl(), vapiReport({ assistantId: agent.platformId, customerNumber: caller, businessNumber: b.number, structuredData: STRUCTURED }), agent.secret);
    expect(await res.json()).toMatchObject({ duplicate: false, memories_stored: 1, memories_skipped: 2 });
    expect((await db.sql`select 1 from public.call_summaries where tenant_id = ${b.id}`).count).toBe(1);
    expect((await db.sql`select 1 from public.memories where tenant_id = ${b.id}`).count).toBe(1);
  });
});

describe("Retell call_analyzed", () => {
  it("is stored when signed with the agent's API key, mapping Retell's sentiment and custom analysis", async () => {
    const caller = phone();
    const event = retellEvent("call_analyzed", {
      agentId: retellAgent.platformId, from: caller, to: agency.number, seconds: 130, sentiment: "Negative",
      customAnalysis: {
        caller_name: "Ethan Brooks",
        memories: "Works night shifts as a nurse\nPrefers calls in the late morning",
        personality_openness: 0.5, personality_agreeableness: 0.75,
      },
    });
    const res = await postRetell(retellUrl(), event, retellAgent.secret);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ duplicate: false, memories_stored: 2 });
    const [call] = await db.sql`select *, status::text from public.calls where id = ${body.call_id}`;
    expect(call).toMatchObject({ tenant_id: agency.id, provider: "retell", provider_call_id: event.call.call_id, agent_id: retellAgent.id,
      status: "completed", duration_seconds: 130, from_number: caller, channel_id: agency.channelId, recording_url: event.call.recording_url });
    const [summary] = await db.sql`select summary, outcome, sentiment::text from public.call_summaries where call_id = ${call.id}`;
    expect(summary).toEqual({ summary: event.call.call_analysis!.call_summary, outcome: "successful", sentiment: "negative" });
    const [profile] = await db.sql`select display_name, call_count from public.caller_profiles where id = ${body.caller_id}`;
    expect(profile).toEqual({ display_name: "Ethan Brooks", call_count: 1 });
    expect((await db.sql`select content from public.memories where source_call_id = ${call.id} order by content`).map((m) => m.content))
      .toEqual(["Prefers calls in the late morning", "Works night shifts as a nurse"]);
    const [m] = await db.sql`select openness::float, agreeableness::float, neuroticism from public.personality_metrics where call_id = ${call.id}`;
    expect(m).toEqual({ openness: 0.5, agreeableness: 0.75, neuroticism: null });

    const again = await postRetell(retellUrl(), event, retellAgent.secret);
    expect((await again.json()).duplicate).toBe(true);
  });

  it("refuses an altered body, a wrong key, a missing or stale signature (401), storing nothing", async () => {
    const before = await counts();
    const event = () => retellEvent("call_analyzed", { agentId: retellAgent.platformId, from: phone(), to: agency.number });
    expect((await postRetell(retellUrl(), event(), retellAgent.secret, { tamper: (raw) => raw.replace("minor collision", "major collision") })).status).toBe(401);
    expect((await postRetell(retellUrl(), event(), "key_wrong")).status).toBe(401);
    expect((await postRetell(retellUrl(), event(), null)).status).toBe(401);
    expect((await postRetell(retellUrl(), event(), retellAgent.secret, { timestamp: Date.now() - 6 * 60 * 1000 })).status).toBe(401);
    expect((await postRetell(retellUrl(), retellEvent("call_analyzed", { agentId: "agent_unknown", from: phone(), to: agency.number }), retellAgent.secret)).status).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it("acknowledges other events (transcript updates) without storing them", async () => {
    const before = await counts();
    for (const e of ["transcript_updated", "chat_started"]) {
      const res = await postRetell(retellUrl(), retellEvent(e, { agentId: retellAgent.platformId, from: phone(), to: agency.number }), retellAgent.secret);
      expect(await res.json()).toEqual({ received: true, ignored: e });
    }
    expect(await counts()).toEqual(before);
  });
});

describe("across businesses", () => {
  it("an agent id registered by two businesses: each report goes to the one whose secret signed it, never the other", async () => {
    const shared = crypto.randomUUID();
    const mine = await platformAgent(shop, "vapi", shared, "sk-shop");
    const theirs = await platformAgent(agency, "vapi", shared, "sk-agency");
    const caller = phone();
    const a = await (await postVapi(vapiUrl(), vapiReport({ assistantId: shared, customerNumber: caller, businessNumber: shop.number }), mine.secret)).json();
    const b = await (await postVapi(vapiUrl(), vapiReport({ assistantId: shared, customerNumber: caller, businessNumber: shop.number }), theirs.secret)).json();
    const rows = await db.sql`select id, tenant_id, agent_id, channel_id from public.calls where id in (${a.call_id}, ${b.call_id})`;
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId[a.call_id]).toMatchObject({ tenant_id: shop.id, agent_id: mine.id, channel_id: shop.channelId });
    // the agency's report names the shop's number, but can only ever land in the agency, on no channel of the shop
    expect(byId[b.call_id]).toMatchObject({ tenant_id: agency.id, agent_id: theirs.id, channel_id: null });
    expect((await db.sql`select tenant_id from public.caller_profiles where phone = ${caller} order by tenant_id`).map((r) => r.tenant_id).sort())
      .toEqual([shop.id, agency.id].sort());
  });

  it("one business's secret cannot report for another business's agent", async () => {
    const before = await counts();
    const res = await postVapi(vapiUrl(), vapiReport({ assistantId: vapiAgent.platformId, customerNumber: phone(), businessNumber: shop.number }), retellAgent.secret);
    expect(res.status).toBe(401);
    const signed = await postRetell(retellUrl(), retellEvent("call_analyzed", { agentId: retellAgent.platformId, from: phone(), to: agency.number }), vapiAgent.secret);
    expect(signed.status).toBe(401);
    expect(await counts()).toEqual(before);
  });
});
