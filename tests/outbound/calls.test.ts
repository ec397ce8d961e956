// Outbound calls through the real calls, call-events and voice-webhook functions, against stand-ins that speak Vapi's,
// Retell's and Twilio's create-call APIs: a call per platform placed and completed by its callbacks; the rules
// refused in Postgres (opt-outs, calling hours, cool-down, plan), for the function and for direct inserts; a batch
// drained at the business's rate with one call cancelled and one refused at dial time; another business's lead or
// agent refused.
import { beforeAll, describe, expect, it } from "vitest";
import { SECRET_KEY } from "../../local/keys.ts";
import { runTool } from "../../supabase/functions/_shared/tools/run.ts";
import { asRequest, useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { postRetell, postTwilio, postVapi, PUBLIC_BASE, retellEvent, statusParams, vapiReport } from "../voice/fixtures.ts";
import { callingBusiness, calleeNumber, lead, post, useProviders, zoneAtHour, type CallingBusiness } from "./fixtures.ts";

const db = useTestDatabase();
const providers = useProviders();
const fns = useFunctions(db, () => ({
  VOICE_PUBLIC_BASE_URL: PUBLIC_BASE,
  VAPI_API_BASE_URL: providers.url,
  RETELL_API_BASE_URL: providers.url,
  TWILIO_API_BASE_URL: providers.url,
}));
const callsUrl = (path = "") => `${fns.url}/calls${path}`;
const callRow = async (id: string) => (await db.sql`select *, status::text from public.calls where id = ${id}`)[0];
const leadRow = async (id: string) => (await db.sql`select *, status::text from public.leads where id = ${id}`)[0];
const lastRequest = () => providers.requests[providers.requests.length - 1];
const usage = async (tenant: string, metric: string) =>
  (await db.sql`select coalesce(sum(quantity), 0)::int as n from public.usage_events where tenant_id = ${tenant} and metric = ${metric}::public.usage_metric`)[0].n;

let shop: CallingBusiness;
let other: CallingBusiness;
beforeAll(async () => {
  shop = await callingBusiness(db, providers, "caller-shop");
  other = await callingBusiness(db, providers, "other-shop");
});

describe("a call per platform, completed by its callbacks", () => {
  it("Vapi: POST /call with the assistant, the number's Vapi id and the lead; the end-of-call report completes it and qualifies the lead", async () => {
    const l = await lead(db, shop.id, { name: "Vera Vapi" });
    const res = await post(callsUrl(), shop.members.staff.token, { agent_id: shop.agents.vapi.id, lead_id: l.id, context: { reason: "voicemail callback" } });
    expect(res.status).toBe(202);
    const req = lastRequest();
    expect(req).toMatchObject({ method: "POST", path: "/call", authorization: `Bearer ${shop.agents.vapi.apiKey}` });
    expect(req.json).toMatchObject({
      assistantId: shop.agents.vapi.platformId, phoneNumberId: shop.vapiPhoneNumberId,
      customer: { number: l.phone, name: "Vera Vapi" },
      assistantOverrides: { variableValues: { reason: "voicemail callback", customer_name: "Vera Vapi", call_id: res.body.call.id } },
    });
    const vapiId = (await callRow(res.body.call.id)).provider_call_id;
    expect(res.body.call).toMatchObject({ status: "initiated", provider: "vapi", provider_call_id: vapiId, lead_id: l.id,
      initiated_by: shop.members.staff.id, from_number: shop.number, to_number: l.phone });

    const report = vapiReport({ callId: vapiId, assistantId: shop.agents.vapi.platformId, customerNumber: l.phone, businessNumber: shop.number, seconds: 130 });
    report.message.call.type = "outboundPhoneCall";
    (report.message as Record<string, unknown>).analysis = { summary: "Interested, booked a consultation.", structuredData: { outcome: "booked" } };
    const done = await postVapi(`${fns.url}/call-events/vapi`, report, shop.agents.vapi.webhookSecret);
    expect(done.status).toBe(200);
    expect((await done.json()).call_id).toBe(res.body.call.id);
    const row = await callRow(res.body.call.id);
    expect(row).toMatchObject({ status: "completed", duration_seconds: 130, direction: "outbound" });
    const after = await leadRow(l.id);
    expect(after.status).toBe("qualified");
    expect(after.last_contacted_at).not.toBeNull();
    expect(after.customer_id).toBe(row.customer_id);
    expect(await usage(shop.id, "outbound_call_minutes")).toBeGreaterThanOrEqual(3);
  });

  it("Retell: create-phone-call with from/to, override_agent_id and dynamic variables; call_analyzed completes it", async () => {
    const l = await lead(db, shop.id, { name: "Rita Retell" });
    const res = await post(callsUrl(), shop.members.admin.token, { agent_id: shop.agents.retell.id, lead_id: l.id });
    expect(res.status).toBe(202);
    const req = lastRequest();
    expect(req).toMatchObject({ method: "POST", path: "/v2/create-phone-call", authorization: `Bearer ${shop.agents.retell.apiKey}` });
    expect(req.json).toMatchObject({ from_number: shop.number, to_number: l.phone, override_agent_id: shop.agents.retell.platformId,
      retell_llm_dynamic_variables: { customer_name: "Rita Retell", business_name: "Shop caller-shop" } });
    expect(Object.values((req.json as { retell_llm_dynamic_variables: Record<string, unknown> }).retell_llm_dynamic_variables).every((v) => typeof v === "string")).toBe(true);
    const retellId = res.body.call.provider_call_id as string;
    expect(retellId).toMatch(/^call_/);

    const ev = retellEvent("call_analyzed", { callId: retellId, agentId: shop.agents.retell.platformId, from: shop.number, to: l.phone, seconds: 61 });
    ev.call.direction = "outbound";
    const done = await postRetell(`${fns.url}/call-events/retell`, ev, shop.agents.retell.apiKey);
    expect(done.status).toBeLessThan(300);
    expect(await callRow(res.body.call.id)).toMatchObject({ status: "completed", duration_seconds: 61 });
    expect((await leadRow(l.id)).status).toBe("contacted");
  });

  it("Twilio: Calls.json form-encoded with TwiML connecting the agent's stream and the status callback; Twilio's callback completes it", async () => {
    const l = await lead(db, shop.id);
    const res = await post(callsUrl(), shop.members.owner.token, { agent_id: shop.agents.twilio.id, lead_id: l.id });
    expect(res.status).toBe(202);
    const req = lastRequest();
    expect(req.path).toBe(`/2010-04-01/Accounts/${shop.accountSid}/Calls.json`);
    expect(req.authorization).toBe(`Basic ${Buffer.from(`${shop.accountSid}:${shop.authToken}`).toString("base64")}`);
    expect(req.form!.get("To")).toBe(l.phone);
    expect(req.form!.get("From")).toBe(shop.number);
    expect(req.form!.get("StatusCallback")).toBe(`${PUBLIC_BASE}/voice-webhook/twilio/status`);
    expect(req.form!.getAll("StatusCallbackEvent")).toEqual(["initiated", "ringing", "answered", "completed"]);
    expect(req.form!.get("Twiml")).toContain(`<Connect><Stream url="${shop.agents.twilio.streamUrl}">`);
    expect(req.form!.get("Twiml")).toContain(`<Parameter name="call_id" value="${res.body.call.id}"/>`);
    const sid = res.body.call.provider_call_id as string;
    expect(sid).toMatch(/^CA/);

    const params = (status: string, extra: Record<string, string> = {}) =>
      statusParams(shop, sid, shop.number, status, { Direction: "outbound-api", From: shop.number, To: l.phone, Called: l.phone, Caller: shop.number, ...extra });
    expect((await postTwilio(fns.url, "status", params("ringing"), shop.authToken)).status).toBe(200);
    expect((await postTwilio(fns.url, "status", params("completed", { CallDuration: "75" }), shop.authToken)).status).toBe(200);
    const row = await callRow(res.body.call.id);
    expect(row).toMatchObject({ status: "completed", duration_seconds: 75, provider: "twilio" });
    expect((await db.sql`select count(*)::int as n from public.calls where tenant_id = ${shop.id} and provider_call_id = ${sid}`)[0].n).toBe(1);
    expect((await leadRow(l.id)).status).toBe("contacted");
  });

  it("a provider failure marks the call failed with the provider's error (502)", async () => {
    const l = await lead(db, shop.id);
    providers.queue.push({ status: 400, body: { code: 21211, message: "Invalid 'To' Phone Number", more_info: "https://www.twilio.com/docs/errors/21211", status: 400 } });
    const res = await post(callsUrl(), shop.members.staff.token, { agent_id: shop.agents.twilio.id, lead_id: l.id });
    expect(res.status).toBe(502);
    const row = (await db.sql`select *, status::text from public.calls where lead_id = ${l.id}`)[0];
    expect(row).toMatchObject({ status: "failed", error_code: "twilio_21211", provider_call_id: null });
    expect(row.error_message).toMatch(/Invalid 'To' Phone Number/);
    expect(res.body.error.details.call.id).toBe(row.id);
  });
});

describe("the rules, in Postgres", () => {
  it("refuses a lead who asked not to be called and a customer who opted out (422), and records no call", async () => {
    const dnc = await lead(db, shop.id, { doNotCall: true });
    const r1 = await post(callsUrl(), shop.members.staff.token, { agent_id: shop.agents.vapi.id, lead_id: dnc.id });
    expect(r1.status).toBe(422);
    expect(r1.body.error.message).toMatch(/asked not to be called/);
    const [c] = await db.sql`insert into public.customers (tenant_id, phone, name, opted_out_at) values (${shop.id}, ${calleeNumber()}, 'Stop Sam', now()) returning id`;
    const r2 = await post(callsUrl(), shop.members.staff.token, { agent_id: shop.agents.vapi.id, customer_id: c.id });
    expect(r2.status).toBe(422);
    expect(r2.body.error.message).toMatch(/opted out/);
    expect((await db.sql`select count(*)::int as n from public.calls where lead_id = ${dnc.id} or customer_id = ${c.id}`)[0].n).toBe(0);
  });

  it("refuses outside the callee's calling hours, and follows the business's narrower window", async () => {
    const night = await callingBusiness(db, providers, "night-shop", { hour: 3 });
    const l = await lead(db, night.id);
    const before = providers.requests.length;
    const res = await post(callsUrl(), night.members.staff.token, { agent_id: night.agents.vapi.id, lead_id: l.id });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/it is 0[23]:\d\d for the callee .*between 08:00 and 21:00/);
    // A UK number is read in London time whatever the business's zone.
    expect((await db.sql`select private.callee_timezone(${night.id}, '+442079460000') as z`)[0].z).toBe("Europe/London");
    // Mid-afternoon for the callee, but the business calls only in the morning.
    await db.sql`insert into public.outbound_call_settings (tenant_id, window_start, window_end) values (${shop.id}, '08:00', '09:00')`;
    try {
      const day = await post(callsUrl(), shop.members.staff.token, { agent_id: shop.agents.vapi.id, lead_id: (await lead(db, shop.id)).id });
      expect(day.status).toBe(422);
      expect(day.body.error.message).toMatch(/between 08:00 and 09:00/);
    } finally {
      await db.sql`delete from public.outbound_call_settings where tenant_id = ${shop.id}`;
    }
    expect(providers.requests.length).toBe(before);
    const bad = await db.sql`insert into public.outbound_call_settings (tenant_id, window_start, window_end) values (${shop.id}, '07:00', '22:00')`.catch((e) => e);
    expect(bad.code).toBe("23514");
  });

  it("refuses a second call to the same number within the cool-down (409)", async () => {
    const l = await lead(db, shop.id);
    expect((await post(callsUrl(), shop.members.staff.token, { agent_id: shop.agents.retell.id, lead_id: l.id })).status).toBe(202);
    const again = await post(callsUrl(), shop.members.staff.token, { agent_id: shop.agents.vapi.id, lead_id: l.id });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/was called less than 1440 minutes ago/);
  });

  it("refuses over the plan's outbound calls or minutes (402)", async () => {
    const capped = await callingBusiness(db, providers, "capped-shop");
    await db.sql`select private.record_usage(${capped.id}, 'outbound_calls', 100, 'earlier-calls')`;
    const res = await post(callsUrl(), capped.members.staff.token, { agent_id: capped.agents.vapi.id, lead_id: (await lead(db, capped.id)).id });
    expect(res.status).toBe(402);
    expect(res.body.error.message).toMatch(/Starter plan allows 100 outbound calls a month/);
    const minutes = await callingBusiness(db, providers, "minutes-shop");
    await db.sql`select private.record_usage(${minutes.id}, 'outbound_call_minutes', 200, 'earlier-minutes')`;
    const res2 = await post(callsUrl(), minutes.members.staff.token, { agent_id: minutes.agents.vapi.id, lead_id: (await lead(db, minutes.id)).id });
    expect(res2.status).toBe(402);
  });

  it("clients cannot insert calls directly; a direct insert by the platform is held to the same rules", async () => {
    const l = await lead(db, shop.id, { doNotCall: true });
    const direct = await asRequest(db, shop.members.owner.token, (tx) =>
      tx`insert into public.calls (tenant_id, agent_id, lead_id, provider, direction, status) values (${shop.id}, ${shop.agents.vapi.id}, ${l.id}, 'vapi', 'outbound', 'queued')`).catch((e) => e);
    expect(direct.code).toBe("42501");
    const operator = await db.sql`insert into public.calls (tenant_id, agent_id, lead_id, provider, direction, status)
      values (${shop.id}, ${shop.agents.vapi.id}, ${l.id}, 'vapi', 'outbound', 'queued')`.catch((e) => e);
    expect(operator.code).toBe("PT422");
    const night = await callingBusiness(db, providers, "night-direct", { hour: 2 });
    const late = await db.sql`insert into public.calls (tenant_id, agent_id, lead_id, provider, direction, status)
      values (${night.id}, ${night.agents.vapi.id}, ${(await lead(db, night.id)).id}, 'vapi', 'outbound', 'queued')`.catch((e) => e);
    expect(late.code).toBe("PT422");
    expect(late.message).toMatch(/calls are placed between/);
    const capped = await callingBusiness(db, providers, "capped-direct");
    await db.sql`select private.record_usage(${capped.id}, 'outbound_calls', 100, 'x')`;
    const over = await db.sql`insert into public.calls (tenant_id, agent_id, lead_id, provider, direction, status)
      values (${capped.id}, ${capped.agents.vapi.id}, ${(await lead(db, capped.id)).id}, 'vapi', 'outbound', 'queued')`.catch((e) => e);
    expect(over.code).toBe("PT402");
    const l2 = await lead(db, shop.id);
    await db.sql`insert into public.calls (tenant_id, agent_id, lead_id, provider, direction, status)
      values (${shop.id}, ${shop.agents.vapi.id}, ${l2.id}, 'vapi', 'outbound', 'queued')`;
    const twice = await db.sql`insert into public.calls (tenant_id, agent_id, lead_id, provider, direction, status)
      values (${shop.id}, ${shop.agents.vapi.id}, ${l2.id}, 'vapi', 'outbound', 'queued')`.catch((e) => e);
    expect(twice.code).toBe("PT409");
    await db.sql`update public.calls set status = 'canceled' where lead_id = ${l2.id}`;
  });

  it("another business's lead or agent is refused (404); API keys and anonymous callers cannot call", async () => {
    const theirs = await lead(db, other.id);
    const r1 = await post(callsUrl(), shop.members.owner.token, { agent_id: shop.agents.vapi.id, lead_id: theirs.id });
    expect(r1.status).toBe(404);
    expect(r1.body.error.message).toMatch(/no lead/);
    const r2 = await post(callsUrl(), shop.members.owner.token, { agent_id: other.agents.vapi.id, lead_id: (await lead(db, shop.id)).id });
    expect(r2.status).toBe(404);
    expect(r2.body.error.message).toMatch(/no voice agent/);
    expect((await post(callsUrl(), null, { agent_id: shop.agents.vapi.id, lead_id: theirs.id })).status).toBe(401);
    const bad = await post(callsUrl(), shop.members.owner.token, { agent_id: shop.agents.vapi.id, lead_id: theirs.id, customer_id: theirs.id });
    expect(bad.status).toBe(400);
    expect((await db.sql`select count(*)::int as n from public.calls where lead_id = ${theirs.id}`)[0].n).toBe(0);
  });
});

describe("the provider's callback racing its answer", () => {
  it("a platform event that arrives before the create-call answer is stored leaves one call row, with the request's links", async () => {
    const l = await lead(db, shop.id);
    const [{ call }] = await asRequest(db, shop.members.staff.token, (tx) =>
      tx`select private.outbound_request(${shop.agents.vapi.id}, ${l.id}, null, '{"why": "race"}'::jsonb, null) as call`);
    const [{ claim }] = await db.sql.begin(async (tx) => {
      await tx`set local role service_role`;
      return tx`select private.outbound_claim(${call.id}) as claim`;
    });
    expect(claim.dial).toBe(true);
    const vapiId = crypto.randomUUID();
    await db.sql`select private.voice_call_event(${shop.id}, ${shop.agents.vapi.id}, 'vapi',
      ${db.sql.json({ provider_call_id: vapiId, direction: "outbound", from_number: shop.number, to_number: l.phone, status: "ringing" })})`;
    const [{ dialed }] = await db.sql`select private.outbound_dialed(${call.id}, ${vapiId}, null) as dialed`;
    const rows = await db.sql`select id, lead_id, initiated_by, context, status::text from public.calls where tenant_id = ${shop.id} and to_number = ${l.phone}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: dialed.id, lead_id: l.id, initiated_by: shop.members.staff.id, context: { why: "race" }, status: "ringing" });
  });
});

describe("a lead converted during the call", () => {
  it("a booking through the receptionist tools with the lead's phone makes the lead a won customer", async () => {
    const l = await lead(db, shop.id, { name: "Bea Booker" });
    const res = await post(callsUrl(), shop.members.staff.token, { agent_id: shop.agents.vapi.id, lead_id: l.id });
    expect(res.status).toBe(202);
    const [staff] = await db.sql`insert into public.staff (tenant_id, name) values (${shop.id}, 'Luis') returning id`;
    const [service] = await db.sql`insert into public.services (tenant_id, name, duration_minutes, price_cents) values (${shop.id}, 'Consultation', 30, 0) returning id`;
    await db.sql`insert into public.staff_services (tenant_id, staff_id, service_id) values (${shop.id}, ${staff.id}, ${service.id})`;
    const ctx = { tenantId: shop.id, source: "vapi" as const, callerPhone: l.phone, callId: res.body.call.id };
    const offered = await runTool(ctx, "check_availability", { service: "Consultation", day: "tomorrow" }, { sql: db.sql });
    const slot = (offered.data!.slots as { starts_at: string }[])[0];
    const booked = await runTool(ctx, "book_appointment", { service: "Consultation", starts_at: slot.starts_at }, { sql: db.sql });
    expect(booked.ok).toBe(true);
    const after = await leadRow(l.id);
    expect(after.status).toBe("won");
    const [customer] = await db.sql`select id from public.customers where tenant_id = ${shop.id} and phone = ${l.phone}`;
    expect(after.customer_id).toBe(customer.id);
  });
});

describe("batches", () => {
  it("drains at the business's rate, skips the cancelled call and refuses at dial time what the rules now forbid", async () => {
    const b = await callingBusiness(db, providers, "batch-shop");
    await db.sql`insert into public.outbound_call_settings (tenant_id, calls_per_minute) values (${b.id}, 2)`;
    const leads = [];
    for (let i = 0; i < 5; i++) leads.push(await lead(db, b.id, { name: `Batch ${i}` }));
    const dnc = await lead(db, b.id, { doNotCall: true });
    const queued = await post(callsUrl("/batch"), b.members.staff.token, {
      agent_id: b.agents.retell.id, context: { campaign: "spring" }, calls: [...leads.map((l) => ({ lead_id: l.id })), { lead_id: dnc.id }],
    });
    expect(queued.status).toBe(202);
    expect(queued.body.queued).toHaveLength(5);
    expect(queued.body.refused).toEqual([expect.objectContaining({ index: 5, status: 422, code: "do_not_call" })]);
    const ids = (queued.body.queued as { id: string; status: string }[]).map((c) => c.id);
    expect(queued.body.queued.every((c: { status: string }) => c.status === "queued")).toBe(true);

    const cancelled = await post(callsUrl(`/${ids[1]}/cancel`), b.members.staff.token, undefined);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.call.status).toBe("canceled");
    expect((await post(callsUrl(`/${ids[1]}/cancel`), other.members.owner.token, undefined)).status).toBe(404);
    await db.sql`update public.leads set do_not_call = true where id = ${leads[4].id}`; // after queueing, before dialling

    const drain = () => post(callsUrl("/drain"), null, undefined, { apikey: SECRET_KEY });
    expect((await post(callsUrl("/drain"), b.members.owner.token, undefined)).status).toBe(401);
    const before = providers.requests.length;
    const first = await drain();
    expect(first.status).toBe(200);
    const dialledNow = providers.requests.slice(before).filter((r) => r.path === "/v2/create-phone-call");
    expect(dialledNow.map((r) => (r.json as { to_number: string }).to_number)).toEqual([leads[0].phone, leads[2].phone]);
    expect(dialledNow[0].json).toMatchObject({ retell_llm_dynamic_variables: { campaign: "spring" } });
    expect((await drain()).body.dialed).toBe(0); // the minute's two calls are used
    expect((await post(callsUrl(`/${ids[0]}/cancel`), b.members.staff.token, undefined)).status).toBe(409);

    await db.sql`update public.calls set dialed_at = dialed_at - interval '61 seconds' where tenant_id = ${b.id} and dialed_at is not null`;
    const second = await drain();
    expect(second.body.calls.filter((c: { id: string }) => ids.includes(c.id))).toEqual([
      { id: ids[3], outcome: "dialed", status: "initiated" },
      { id: ids[4], outcome: "refused", status: "canceled" },
    ]);
    const statuses = await db.sql`select id, status::text, error_code from public.calls where id = any(${ids}::uuid[])`;
    const by = Object.fromEntries(statuses.map((r) => [r.id, r]));
    expect(by[ids[1]]).toMatchObject({ status: "canceled", error_code: "canceled" });
    expect(by[ids[4]]).toMatchObject({ status: "canceled", error_code: "do_not_call" });
    expect(providers.requests.slice(before).filter((r) => r.path === "/v2/create-phone-call")).toHaveLength(3);
    expect(await usage(b.id, "outbound_calls")).toBe(3);
  });

  it("a batch call out of hours at dial time waits for the window instead of ringing", async () => {
    const b = await callingBusiness(db, providers, "late-batch");
    const l = await lead(db, b.id);
    const queued = await post(callsUrl("/batch"), b.members.staff.token, { agent_id: b.agents.vapi.id, calls: [{ lead_id: l.id }] });
    expect(queued.status).toBe(202);
    await db.sql`update public.tenants set timezone = ${zoneAtHour(23)} where id = ${b.id}`;
    const before = providers.requests.length;
    const res = await post(callsUrl("/drain"), null, undefined, { apikey: SECRET_KEY });
    expect(res.body.calls).toContainEqual({ id: queued.body.queued[0].id, outcome: "deferred", status: "queued" });
    expect(providers.requests.slice(before).filter((r) => JSON.stringify(r.json ?? {}).includes(l.phone))).toEqual([]);
    const row = await callRow(queued.body.queued[0].id);
    expect(row.error_code).toBe("outside_calling_hours");
    expect(row.dial_after.getTime()).toBeGreaterThan(Date.now() + 8 * 3600_000);
  });
});
