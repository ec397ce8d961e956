// The voice-webhook function end to end: the real Deno gateway, the real database, requests shaped and signed as
// Twilio sends them — to the public URL the function is configured with, as behind a proxy.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import {
  callSid, incomingParams, phone, postTwilio, PUBLIC_BASE, recordingParams, setChannelSecret, statusParams, voiceBusiness,
  type VoiceBusiness,
} from "./fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db, { VOICE_PUBLIC_BASE_URL: PUBLIC_BASE });

let open: VoiceBusiness; // open around the clock, with an agent
let closed: VoiceBusiness; // no opening hours, Spanish
let other: VoiceBusiness; // a second business, for cross-tenant attempts
beforeAll(async () => {
  open = await voiceBusiness(db, "voice-open");
  closed = await voiceBusiness(db, "voice-closed", { hours: "never", language: "es" });
  other = await voiceBusiness(db, "voice-other");
});

const callOf = async (sid: string) =>
  (await db.sql`select c.*, c.status::text as status from public.calls c where c.provider = 'twilio' and c.provider_call_id = ${sid}`);
const counts = async () => (await db.sql`
  select (select count(*)::int from public.calls) as calls, (select count(*)::int from public.customers) as customers,
         (select count(*)::int from private.unroutable_events) as unroutable,
         (select count(*)::int from public.usage_events) as usage`)[0];
const xml = (res: Response) => {
  expect(res.headers.get("content-type")).toMatch(/^text\/xml/);
  return res.text();
};
const streamParams = (twiml: string) =>
  Object.fromEntries([...twiml.matchAll(/<Parameter name="([^"]+)" value="([^"]+)"\/>/g)].map((m) => [m[1], m[2]]));

describe("signatures", () => {
  const routes = () => [
    { route: "incoming" as const, params: incomingParams(open, callSid(), phone()) },
    { route: "status" as const, params: statusParams(open, callSid(), phone(), "completed", { CallDuration: "30" }) },
    { route: "recording" as const, params: recordingParams(open, callSid()), query: `to=${encodeURIComponent(open.number)}` },
  ];

  it("accepts each endpoint signed with the number's auth token over the public URL", async () => {
    for (const r of routes()) {
      const res = await postTwilio(fns.url, r.route, r.params, open.authToken, { query: r.query });
      expect(res.status, r.route).toBe(200);
      expect((await callOf(r.params.CallSid)).length, r.route).toBe(1);
    }
  });

  it("refuses with 403, storing nothing, a missing, forged or misdirected signature on every endpoint", async () => {
    for (const r of routes()) {
      const before = await counts();
      const local = `${fns.url}/voice-webhook/twilio/${r.route}${r.query ? `?${r.query}` : ""}`;
      const attempts = [
        await postTwilio(fns.url, r.route, r.params, null, { query: r.query }), // no header
        await postTwilio(fns.url, r.route, r.params, "not-the-auth-token", { query: r.query }), // wrong token
        await postTwilio(fns.url, r.route, r.params, other.authToken, { query: r.query }), // another business's token
        await postTwilio(fns.url, r.route, r.params, open.authToken, { query: r.query, signedUrl: local }), // the proxy's URL, not the public one
        await postTwilio(fns.url, r.route, r.params, open.authToken, { query: r.query, signedParams: { ...r.params, From: "+15550000000" } }), // altered after signing
      ];
      for (const res of attempts) {
        expect(res.status, r.route).toBe(403);
        expect((await res.json()).error.code).toBe("forbidden");
      }
      expect(await counts(), r.route).toEqual(before);
      expect((await callOf(r.params.CallSid)).length).toBe(0);
    }
    // signed for one endpoint, replayed at another
    const p = incomingParams(open, callSid(), phone());
    const replay = await postTwilio(fns.url, "status", { ...p, CallStatus: "completed" }, open.authToken, {
      signedUrl: `${PUBLIC_BASE}/voice-webhook/twilio/incoming`, signedParams: { ...p, CallStatus: "completed" },
    });
    expect(replay.status).toBe(403);
  });

  it("answers 400 naming the problem for a malformed request, and 404 for an unknown route", async () => {
    const before = await counts();
    const { CallSid: _drop, ...noSid } = incomingParams(open, callSid(), phone());
    const bad = await postTwilio(fns.url, "incoming", noSid, open.authToken);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/CallSid/);
    const status = await postTwilio(fns.url, "status", statusParams(open, callSid(), phone(), "exploded"), open.authToken);
    expect(status.status).toBe(400);
    expect((await fetch(`${fns.url}/voice-webhook/twilio/elsewhere`, { method: "POST" })).status).toBe(404);
    expect(await counts()).toEqual(before);
  });
});

describe("incoming calls", () => {
  it("during business hours with an active agent: connects the agent's stream with tenant, call and customer ids", async () => {
    const sid = callSid();
    const from = phone();
    const res = await postTwilio(fns.url, "incoming", incomingParams(open, sid, from, { CallerName: "MARIA LOPEZ" }), open.authToken);
    expect(res.status).toBe(200);
    const twiml = await xml(res);
    expect(twiml).toContain(`<Connect><Stream url="${open.streamUrl}">`);
    const [call] = await callOf(sid);
    const [customer] = await db.sql`select id, name, phone from public.customers where tenant_id = ${open.id} and phone = ${from}`;
    expect(streamParams(twiml)).toEqual({ tenant_id: open.id, call_id: call.id, customer_id: customer.id, agent_id: open.agentId, caller: from });
    expect(call).toMatchObject({
      tenant_id: open.id, channel_id: open.channelId, agent_id: open.agentId, customer_id: customer.id, direction: "inbound",
      from_number: from, to_number: open.number, status: "ringing",
    });
    expect(call.started_at).not.toBeNull();
    expect(customer.name).toBe("MARIA LOPEZ");
  });

  it("creates the call and the customer once per CallSid, even when Twilio's request arrives several times at once", async () => {
    const sid = callSid();
    const from = phone();
    const answers = await Promise.all(Array.from({ length: 6 }, () => postTwilio(fns.url, "incoming", incomingParams(open, sid, from), open.authToken)));
    expect(answers.map((r) => r.status)).toEqual(Array(6).fill(200));
    const ids = new Set((await Promise.all(answers.map(xml))).map((t) => streamParams(t).call_id));
    expect(ids.size).toBe(1);
    expect((await callOf(sid)).length).toBe(1);
    expect((await db.sql`select 1 from public.customers where tenant_id = ${open.id} and phone = ${from}`).count).toBe(1);
  });

  it("links a caller the business already knows (from WhatsApp) instead of creating another customer", async () => {
    const from = phone();
    const [known] = await db.sql`insert into public.customers (tenant_id, phone, wa_id, name) values (${open.id}, ${from}, ${from.slice(1)}, 'Known Caller') returning id`;
    const twiml = await xml(await postTwilio(fns.url, "incoming", incomingParams(open, callSid(), from), open.authToken));
    expect(streamParams(twiml).customer_id).toBe(known.id);
  });

  it("after hours: a voicemail greeting in the business's language (Spanish here) and a recording with callbacks", async () => {
    const sid = callSid();
    const twiml = await xml(await postTwilio(fns.url, "incoming", incomingParams(closed, sid, phone()), closed.authToken));
    const callback = `${PUBLIC_BASE}/voice-webhook/twilio/recording?to=${encodeURIComponent(closed.number)}`.replace(/&/g, "&amp;");
    expect(twiml).toContain('<Say language="es-MX">Gracias por llamar a Shop voice-closed.');
    expect(twiml).toContain(`<Record action="${callback}" method="POST" maxLength="120" playBeep="true" recordingStatusCallback="${callback}"`);
    expect(twiml).not.toContain("<Connect>");
    const [call] = await callOf(sid);
    expect(call).toMatchObject({ tenant_id: closed.id, agent_id: null, status: "ringing" });
  });

  it("takes a voicemail during a closure, with no agent configured, and when the plan's call minutes are used up — storing the call each time", async () => {
    const voicemail = async (b: VoiceBusiness) => {
      const sid = callSid();
      const twiml = await xml(await postTwilio(fns.url, "incoming", incomingParams(b, sid, phone()), b.authToken));
      expect(twiml).toContain("<Record ");
      expect(twiml).not.toContain("<Connect>");
      const [call] = await callOf(sid);
      expect(call.agent_id).toBeNull();
      return twiml;
    };
    const holiday = await voiceBusiness(db, "voice-holiday");
    await db.sql`insert into public.closures (tenant_id, starts_at, ends_at, reason) values (${holiday.id}, now() - interval '1 hour', now() + interval '1 hour', 'Holiday')`;
    expect(await voicemail(holiday)).toContain('<Say language="en-US">Thank you for calling Shop voice-holiday.');
    await voicemail(await voiceBusiness(db, "voice-noagent", { agent: false }));
    const busy = await voiceBusiness(db, "voice-busy");
    await db.sql`select private.record_usage(${busy.id}, 'call_minutes', 300, 'earlier-calls')`;
    await voicemail(busy);
    // the agent must also be active and have a stream URL
    const idle = await voiceBusiness(db, "voice-idle");
    await db.sql`update public.voice_agents set active = false where id = ${idle.agentId}`;
    await voicemail(idle);
  });

  it("answers the channel's chosen agent when its settings name one", async () => {
    const b = await voiceBusiness(db, "voice-choice");
    const [second] = await db.sql`insert into public.voice_agents (tenant_id, name, media_stream_url) values (${b.id}, 'Night desk', 'wss://night.example/stream') returning id`;
    await db.sql`update public.channels set settings = ${db.sql.json({ agent_id: second.id })} where id = ${b.channelId}`;
    const twiml = await xml(await postTwilio(fns.url, "incoming", incomingParams(b, callSid(), phone()), b.authToken));
    expect(twiml).toContain('<Stream url="wss://night.example/stream">');
    expect(streamParams(twiml).agent_id).toBe(second.id);
  });

  it("an unknown number gets a polite goodbye and is recorded as unroutable, attached to no business", async () => {
    const unknown = phone();
    const before = await counts();
    const res = await postTwilio(fns.url, "incoming", incomingParams({ number: unknown, accountSid: open.accountSid }, callSid(), phone()), "whatever-token");
    expect(res.status).toBe(200);
    const twiml = await xml(res);
    expect(twiml).toContain("Sorry, this number is not in service. Goodbye.");
    expect(twiml).toContain("<Hangup/>");
    const [u] = await db.sql`select provider, reason, payload from private.unroutable_events where routing_key = ${unknown}`;
    expect(u).toMatchObject({ provider: "twilio", reason: "no verified Twilio voice channel has this number" });
    expect(u.payload.To).toBe(unknown);
    const after = await counts();
    expect([after.calls, after.customers]).toEqual([before.calls, before.customers]);
  });

  it("a deactivated number (signed correctly) or one without an auth token is unroutable too", async () => {
    const off = await voiceBusiness(db, "voice-off");
    await db.sql`update public.channels set active = false where id = ${off.channelId}`;
    const sid = callSid();
    const twiml = await xml(await postTwilio(fns.url, "incoming", incomingParams(off, sid, phone()), off.authToken));
    expect(twiml).toContain("not in service");
    expect((await callOf(sid)).length).toBe(0);
    expect((await db.sql`select reason from private.unroutable_events where routing_key = ${off.number}`)[0].reason).toMatch(/not active/);
    // still verified first: a forged request for a deactivated number is refused, not recorded
    expect((await postTwilio(fns.url, "incoming", incomingParams(off, callSid(), phone()), "forged")).status).toBe(403);

    const tokenless = await voiceBusiness(db, "voice-tokenless", { authToken: null });
    const t2 = await xml(await postTwilio(fns.url, "incoming", incomingParams(tokenless, callSid(), phone()), "anything"));
    expect(t2).toContain("not in service");
    expect((await db.sql`select reason from private.unroutable_events where routing_key = ${tokenless.number}`)[0].reason).toMatch(/no Twilio auth token/);
    expect((await db.sql`select 1 from public.calls where tenant_id = ${tokenless.id}`).count).toBe(0);
  });
});

describe("status callbacks", () => {
  it("move the call forward, keep its duration, and count its minutes once, rounded up", async () => {
    const sid = callSid();
    const from = phone();
    await postTwilio(fns.url, "incoming", incomingParams(open, sid, from), open.authToken);
    for (const s of ["in-progress", "completed", "completed"]) {
      const res = await postTwilio(fns.url, "status", statusParams(open, sid, from, s, s === "completed" ? { CallDuration: "61" } : {}), open.authToken);
      expect(res.status).toBe(200);
      expect(await xml(res)).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    }
    const [call] = await callOf(sid);
    expect(call).toMatchObject({ status: "completed", duration_seconds: 61 });
    expect(call.ended_at).not.toBeNull();
    const usage = await db.sql`select quantity::int from public.usage_events where tenant_id = ${open.id} and metric = 'call_minutes' and source_ref = ${call.id}`;
    expect(usage.map((u) => u.quantity)).toEqual([2]);
  });

  it("out of order and repeated: a late 'ringing' or 'in-progress' never undoes 'completed', another terminal never replaces it", async () => {
    const sid = callSid();
    const from = phone();
    const post = (s: string, extra: Record<string, string> = {}) => postTwilio(fns.url, "status", statusParams(open, sid, from, s, extra), open.authToken);
    // the status arrives before the incoming-call request itself: the call is created from it
    expect((await post("completed", { CallDuration: "125" })).status).toBe(200);
    const [first] = await callOf(sid);
    expect(first).toMatchObject({ status: "completed", duration_seconds: 125, from_number: from, to_number: open.number, channel_id: open.channelId });
    await Promise.all([post("ringing"), post("in-progress"), post("completed", { CallDuration: "125" }), post("failed"), post("busy", { CallDuration: "0" })]);
    // the incoming request, finally: answered, but the call stays one row and stays completed
    const twiml = await xml(await postTwilio(fns.url, "incoming", incomingParams(open, sid, from), open.authToken));
    expect(streamParams(twiml).call_id).toBe(first.id);
    const rows = await callOf(sid);
    expect(rows.length).toBe(1);
    expect(rows[0]).toMatchObject({ status: "completed", duration_seconds: 125, ended_at: first.ended_at, updated_at: expect.any(Date) });
    expect(rows[0].customer_id).not.toBeNull();
    const usage = await db.sql`select quantity::int from public.usage_events where metric = 'call_minutes' and source_ref = ${first.id}`;
    expect(usage.map((u) => u.quantity)).toEqual([3]);
  });

  it("an unanswered or busy call counts no minutes", async () => {
    const sid = callSid();
    await postTwilio(fns.url, "status", statusParams(open, sid, phone(), "no-answer", { CallDuration: "0" }), open.authToken);
    const [call] = await callOf(sid);
    expect(call.status).toBe("no_answer");
    expect((await db.sql`select 1 from public.usage_events where source_ref = ${call.id}`).count).toBe(0);
  });

  it("a repeated callback changes nothing at all (not even updated_at)", async () => {
    const sid = callSid();
    const from = phone();
    await postTwilio(fns.url, "status", statusParams(open, sid, from, "completed", { CallDuration: "10" }), open.authToken);
    const [before] = await callOf(sid);
    await postTwilio(fns.url, "status", statusParams(open, sid, from, "completed", { CallDuration: "10" }), open.authToken);
    await postTwilio(fns.url, "status", statusParams(open, sid, from, "ringing"), open.authToken);
    const [after] = await callOf(sid);
    expect(after.updated_at).toEqual(before.updated_at);
  });
});

describe("recording callbacks", () => {
  it("store the voicemail's URL once, whichever of the action request and the status callback comes first", async () => {
    const sid = callSid();
    const from = phone();
    await postTwilio(fns.url, "incoming", incomingParams(closed, sid, from), closed.authToken);
    const query = `to=${encodeURIComponent(closed.number)}`;
    const rec = recordingParams(closed, sid);
    // the <Record> action request: standard call parameters plus the recording, no RecordingStatus
    const { RecordingStatus: _s, RecordingSource: _src, ...actionRec } = rec;
    const action = await postTwilio(fns.url, "recording", { ...incomingParams(closed, sid, from), ...actionRec }, closed.authToken, { query });
    expect(action.status).toBe(200);
    expect(await xml(action)).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    for (let i = 0; i < 3; i++) expect((await postTwilio(fns.url, "recording", rec, closed.authToken, { query })).status).toBe(200);
    // a different, later recording does not replace it
    await postTwilio(fns.url, "recording", recordingParams(closed, sid), closed.authToken, { query });
    const [call] = await callOf(sid);
    expect(call.recording_url).toBe(rec.RecordingUrl);
  });

  it("before anything else about the call: creates it; an absent or failed recording stores no URL", async () => {
    const sid = callSid();
    const query = `to=${encodeURIComponent(open.number)}`;
    await postTwilio(fns.url, "recording", recordingParams(open, sid, { RecordingStatus: "absent", RecordingDuration: "0" }), open.authToken, { query });
    let [call] = await callOf(sid);
    expect(call).toMatchObject({ tenant_id: open.id, to_number: open.number, from_number: null, recording_url: null });
    const rec = recordingParams(open, sid);
    await postTwilio(fns.url, "recording", rec, open.authToken, { query });
    const from = phone();
    await postTwilio(fns.url, "status", statusParams(open, sid, from, "completed", { CallDuration: "40" }), open.authToken);
    [call] = await callOf(sid);
    expect(call).toMatchObject({ recording_url: rec.RecordingUrl, from_number: from, status: "completed" });
    expect(call.customer_id).not.toBeNull();
  });

  it("needs the number: in the signed query string (the recording callback has no To), or the request is refused", async () => {
    const res = await postTwilio(fns.url, "recording", recordingParams(open, callSid()), open.authToken);
    expect(res.status).toBe(400);
    // changing the number in the URL breaks the signature
    const sid = callSid();
    const forged = await postTwilio(fns.url, "recording", recordingParams(open, sid), open.authToken, {
      query: `to=${encodeURIComponent(other.number)}`, signedUrl: `${PUBLIC_BASE}/voice-webhook/twilio/recording?to=${encodeURIComponent(open.number)}`,
    });
    expect(forged.status).toBe(403);
  });
});

describe("across businesses", () => {
  it("a number's requests are verified with its own business's token only", async () => {
    const sid = callSid();
    expect((await postTwilio(fns.url, "incoming", incomingParams(open, sid, phone()), other.authToken)).status).toBe(403);
    expect((await callOf(sid)).length).toBe(0);
  });

  it("another business's callbacks naming a CallSid of ours touch only their own rows", async () => {
    const sid = callSid();
    const from = phone();
    await postTwilio(fns.url, "incoming", incomingParams(open, sid, from), open.authToken);
    // B, correctly signed for B's own number, replays A's CallSid with a status, a recording and a new caller
    await postTwilio(fns.url, "status", statusParams(other, sid, phone(), "completed", { CallDuration: "600" }), other.authToken);
    const rec = recordingParams(other, sid);
    await postTwilio(fns.url, "recording", rec, other.authToken, { query: `to=${encodeURIComponent(other.number)}` });
    const rows = await callOf(sid);
    const mine = rows.find((r) => r.tenant_id === open.id)!;
    const theirs = rows.find((r) => r.tenant_id === other.id)!;
    expect(mine).toMatchObject({ status: "ringing", duration_seconds: null, recording_url: null, from_number: from });
    expect(theirs).toMatchObject({ status: "completed", duration_seconds: 600, recording_url: rec.RecordingUrl, channel_id: other.channelId });
    expect((await db.sql`select 1 from public.usage_events where tenant_id = ${open.id} and source_ref = ${mine.id}`).count).toBe(0);
  });

  it("a channel's token cannot be moved to another business's channel (its ciphertext is bound to its row)", async () => {
    const b = await voiceBusiness(db, "voice-stolen", { authToken: null });
    await db.sql`
      insert into private.channel_secrets (tenant_id, channel_id, name, ciphertext, key_id)
      select ${b.id}, ${b.channelId}, name, ciphertext, key_id from private.channel_secrets where channel_id = ${open.channelId} and name = 'auth_token'`;
    const res = await postTwilio(fns.url, "incoming", incomingParams(b, callSid(), phone()), open.authToken);
    expect(res.status).toBe(500); // a ciphertext that does not decrypt is a server fault, never a pass
    await setChannelSecret(db, b.id, b.channelId, "auth_token", "fresh-token");
    expect((await postTwilio(fns.url, "incoming", incomingParams(b, callSid(), phone()), "fresh-token")).status).toBe(200);
  });
});
