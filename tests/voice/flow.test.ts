// One phone call from start to finish, through both functions: Twilio's incoming-call request (the agent answers),
// its status callbacks, a recording callback, and then the AI platform's end-of-call report, which lands on the
// same call row (the platform names Twilio's CallSid). Recall itself is the memory API's; here, the rows it reads.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import {
  callSid, incomingParams, phone, postRetell, postTwilio, postVapi, PUBLIC_BASE, recordingParams, retellEvent, setAgentSecretRow,
  statusParams, vapiReport, voiceBusiness, type VoiceBusiness,
} from "./fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db, { VOICE_PUBLIC_BASE_URL: PUBLIC_BASE });

let shop: VoiceBusiness;
const vapiId = crypto.randomUUID();
beforeAll(async () => {
  shop = await voiceBusiness(db, "flow-shop");
  // The agent that answers is a Vapi assistant: its stream URL for Twilio, its id for the reports.
  await db.sql`update public.voice_agents set platform = 'vapi', platform_agent_id = ${vapiId} where id = ${shop.agentId}`;
  await setAgentSecretRow(db, shop.id, shop.agentId!, "webhook_secret", "sk-flow");
});

describe("incoming call → status → recording → end-of-call report", () => {
  it("ends as one call with its status, duration, recording, summary, caller profile, memories and usage", async () => {
    const sid = callSid();
    const caller = phone();
    const query = `to=${encodeURIComponent(shop.number)}`;

    const answer = await (await postTwilio(fns.url, "incoming", incomingParams(shop, sid, caller), shop.authToken)).text();
    expect(answer).toContain(`<Stream url="${shop.streamUrl}">`);
    for (const s of ["in-progress", "completed"]) {
      expect((await postTwilio(fns.url, "status", statusParams(shop, sid, caller, s, s === "completed" ? { CallDuration: "185" } : {}), shop.authToken)).status).toBe(200);
    }
    const rec = recordingParams(shop, sid, { RecordingSource: "StartCallRecordingAPI" });
    expect((await postTwilio(fns.url, "recording", rec, shop.authToken, { query })).status).toBe(200);

    const report = vapiReport({
      assistantId: vapiId, customerNumber: caller, businessNumber: shop.number, twilioCallSid: sid, seconds: 185,
      structuredData: { caller_name: "Dana Whitfield", outcome: "booked", memories: [{ content: "Wants Friday mornings", kind: "preference", importance: 7 }], personality: { extraversion: 0.9 } },
    });
    const stored = await (await postVapi(`${fns.url}/call-events/vapi`, report, "sk-flow")).json();
    expect(stored).toMatchObject({ received: true, duplicate: false, memories_stored: 1 });

    // one call, Twilio's, carrying everything
    const calls = await db.sql`select *, status::text from public.calls where tenant_id = ${shop.id} and (provider_call_id = ${sid} or provider_call_id = ${report.message.call.id})`;
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call).toMatchObject({
      id: stored.call_id, provider: "twilio", provider_call_id: sid, channel_id: shop.channelId, agent_id: shop.agentId,
      status: "completed", duration_seconds: 185, recording_url: rec.RecordingUrl, from_number: caller, to_number: shop.number,
    });
    const [customer] = await db.sql`select id, name from public.customers where tenant_id = ${shop.id} and phone = ${caller}`;
    expect(call.customer_id).toBe(customer.id);
    expect(customer.name).toBe("Dana Whitfield");

    const [summary] = await db.sql`select summary, outcome, transcript from public.call_summaries where call_id = ${call.id}`;
    expect(summary).toMatchObject({ summary: report.message.analysis.summary, outcome: "booked", transcript: report.message.artifact.transcript });
    const [profile] = await db.sql`select * from public.caller_profiles where tenant_id = ${shop.id} and phone = ${caller}`;
    expect(profile).toMatchObject({ customer_id: customer.id, display_name: "Dana Whitfield", call_count: 1 });
    const memories = await db.sql`select content, kind, source_call_id from public.memories where caller_id = ${profile.id}`;
    expect(memories).toEqual([{ content: "Wants Friday mornings", kind: "preference", source_call_id: call.id }]);
    expect((await db.sql`select calls, extraversion::float from public.caller_personality where caller_id = ${profile.id}`)[0]).toEqual({ calls: 1, extraversion: 0.9 });
    const usage = await db.sql`select metric::text, sum(quantity)::int as n from public.usage_events where tenant_id = ${shop.id} group by metric order by metric`;
    expect(usage).toEqual([{ metric: "call_minutes", n: 4 }, { metric: "memories", n: 1 }]);

    // the whole flow again, delivered twice: nothing changes
    const snapshot = () => db.sql`
      select (select to_jsonb(c) from public.calls c where c.id = ${call.id}) as call,
             (select count(*)::int from public.memories where tenant_id = ${shop.id}) as memories,
             (select count(*)::int from public.usage_events where tenant_id = ${shop.id}) as usage,
             (select call_count from public.caller_profiles where id = ${profile.id}) as call_count`;
    const before = await snapshot();
    await postTwilio(fns.url, "incoming", incomingParams(shop, sid, caller), shop.authToken);
    await postTwilio(fns.url, "status", statusParams(shop, sid, caller, "completed", { CallDuration: "185" }), shop.authToken);
    await postTwilio(fns.url, "recording", rec, shop.authToken, { query });
    expect((await (await postVapi(`${fns.url}/call-events/vapi`, report, "sk-flow")).json()).duplicate).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it("a report that arrives before Twilio's callbacks gets its own row; a Retell report links by Twilio's CallSid the same way", async () => {
    const agency = await voiceBusiness(db, "flow-agency", { hours: "never" });
    const [agent] = await db.sql`insert into public.voice_agents (tenant_id, name, platform, platform_agent_id) values (${agency.id}, 'Retell desk', 'retell', 'agent_flow_1') returning id`;
    await setAgentSecretRow(db, agency.id, agent.id, "api_key", "key_flow");
    const sid = callSid();
    const caller = phone();
    await postTwilio(fns.url, "incoming", incomingParams(agency, sid, caller), agency.authToken);
    const stored = await (await postRetell(`${fns.url}/call-events/retell`,
      retellEvent("call_analyzed", { agentId: "agent_flow_1", from: caller, to: agency.number, twilioCallSid: sid }), "key_flow")).json();
    const [call] = await db.sql`select provider, provider_call_id, agent_id from public.calls where id = ${stored.call_id}`;
    expect(call).toEqual({ provider: "twilio", provider_call_id: sid, agent_id: agent.id });

    // no Twilio call yet: the platform's own row
    const early = await (await postRetell(`${fns.url}/call-events/retell`,
      retellEvent("call_analyzed", { agentId: "agent_flow_1", from: caller, to: agency.number, twilioCallSid: callSid() }), "key_flow")).json();
    expect((await db.sql`select provider from public.calls where id = ${early.call_id}`)[0].provider).toBe("retell");
    expect((await db.sql`select call_count from public.caller_profiles where tenant_id = ${agency.id} and phone = ${caller}`)[0].call_count).toBe(2);
  });
});
