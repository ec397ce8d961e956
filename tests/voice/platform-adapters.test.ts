// The Vapi and Retell adapters on their own: authentication as each platform documents it, and how each report
// maps onto one platform-neutral report.
import { describe, expect, it } from "vitest";
import { fromStructuredOutputs, memoriesFrom, personalityFrom, secretsEqual } from "../../supabase/functions/_shared/voice-platforms/adapter.ts";
import { retell, retellSignature, statusOf, verifyRetellSignature } from "../../supabase/functions/_shared/voice-platforms/retell.ts";
import { statusFromEndedReason, vapi, vapiHmacSignature } from "../../supabase/functions/_shared/voice-platforms/vapi.ts";
import { retellEvent, vapiReport } from "./fixtures.ts";

describe("Retell signatures", () => {
  // The vector in Retell's own SDK tests (retell-typescript-sdk tests/webhook-auth.test.ts).
  const body = '{"event":"call_ended"}';
  const apiKey = "test-api-key";
  const timestamp = 1_700_000_000_000;
  const digest = "07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e";

  it("match the SDK's: HMAC-SHA256 of the raw body followed by the timestamp, as v=<ms>,d=<hex>", async () => {
    expect(await retellSignature(body, apiKey, timestamp)).toBe(`v=${timestamp},d=${digest}`);
    expect(await verifyRetellSignature(body, apiKey, `v=${timestamp},d=${digest}`, timestamp)).toBe(true);
  });

  it("refuse a changed body, another key, malformed headers, and timestamps more than five minutes off", async () => {
    const sig = `v=${timestamp},d=${digest}`;
    expect(await verifyRetellSignature(body + " ", apiKey, sig, timestamp)).toBe(false);
    expect(await verifyRetellSignature(body, "wrong-api-key", sig, timestamp)).toBe(false);
    for (const bad of ["", `v=${timestamp}`, `d=${digest},v=${timestamp}`, `v=${timestamp},d=${digest}-suffix`, `v=${timestamp},d=${digest.slice(2)}`, `v=999999999999999999999999,d=${digest}`]) {
      expect(await verifyRetellSignature(body, apiKey, bad, timestamp), bad).toBe(false);
    }
    expect(await verifyRetellSignature(body, apiKey, sig, timestamp + 5 * 60 * 1000)).toBe(true);
    expect(await verifyRetellSignature(body, apiKey, sig, timestamp + 5 * 60 * 1000 + 1)).toBe(false);
    expect(await verifyRetellSignature(body, apiKey, sig, timestamp - 5 * 60 * 1000 - 1)).toBe(false);
  });
});

describe("Vapi authentication", () => {
  const h = (init: Record<string, string>) => new Headers(init);
  it("accepts the secret in X-Vapi-Secret or as a bearer token; refuses anything else", async () => {
    expect(await vapi.authenticate(h({ "x-vapi-secret": "s3cret" }), "", "s3cret")).toBe(true);
    expect(await vapi.authenticate(h({ authorization: "Bearer s3cret" }), "", "s3cret")).toBe(true);
    expect(await vapi.authenticate(h({ authorization: "Basic s3cret" }), "", "s3cret")).toBe(false);
    expect(await vapi.authenticate(h({}), "", "s3cret")).toBe(false);
    expect(await vapi.authenticate(h({ "x-vapi-secret": "s3cret", authorization: "Bearer nope" }), "", "s3cret")).toBe(false);
    expect(await secretsEqual("a", "a")).toBe(true);
    expect(await secretsEqual("a", "ab")).toBe(false);
  });
});

describe("Vapi HMAC credential", () => {
  const h = (init: Record<string, string>) => new Headers(init);
  const body = '{"message":{"type":"status-update","status":"ringing"}}';
  const now = 1_760_000_000_000;
  const ts = String(now / 1000);

  it("verifies Vapi's defaults (HMAC-SHA256, hex, '{timestamp}.{body}', x-signature / x-timestamp) and refuses changes", async () => {
    const sig = await vapiHmacSignature(body, "hmac-secret", ts);
    // computed independently: HMAC-SHA256("hmac-secret", "<ts>.<body>") in hex
    const { createHmac } = await import("node:crypto");
    expect(sig).toBe(createHmac("sha256", "hmac-secret").update(`${ts}.${body}`).digest("hex"));
    expect(await vapi.authenticate(h({ "x-signature": sig, "x-timestamp": ts }), body, "hmac-secret", { now })).toBe(true);
    expect(await vapi.authenticate(h({ "x-signature": sig, "x-timestamp": ts }), body + " ", "hmac-secret", { now })).toBe(false);
    expect(await vapi.authenticate(h({ "x-signature": sig, "x-timestamp": ts }), body, "other-secret", { now })).toBe(false);
    expect(await vapi.authenticate(h({ "x-signature": sig, "x-timestamp": String(now / 1000 + 1) }), body, "hmac-secret", { now })).toBe(false);
    expect(await vapi.authenticate(h({ "x-signature": sig, "x-timestamp": ts }), body, "hmac-secret", { now: now + 5 * 60 * 1000 + 1 })).toBe(false);
    expect(await vapi.authenticate(h({ "x-signature": sig }), body, "hmac-secret", { now })).toBe(false);
    // a wrong shared secret beside a right signature is still refused
    expect(await vapi.authenticate(h({ "x-signature": sig, "x-timestamp": ts, authorization: "nope" }), body, "hmac-secret", { now })).toBe(false);
  });

  it("reads sha1/sha512, base64, a prefix, and the agent's own header names and payload format", async () => {
    const sha512 = await vapiHmacSignature(body, "k", ts, { algorithm: "sha512", encoding: "base64", prefix: "sha512=" });
    expect(await vapi.authenticate(h({ "x-signature": sha512, "x-timestamp": ts }), body, "k", { now })).toBe(true);
    const bodyOnly = await vapiHmacSignature(body, "k", null, { algorithm: "sha1" });
    const config = { vapi_hmac: { signature_header: "x-vapi-signature", payload_format: "{body}" } };
    expect(await vapi.authenticate(h({ "x-vapi-signature": bodyOnly }), body, "k", { now, config })).toBe(true);
    expect(await vapi.authenticate(h({ "x-signature": bodyOnly }), body, "k", { now, config })).toBe(false);
  });

  it("accepts the Authorization credential without its Bearer prefix", async () => {
    expect(await vapi.authenticate(h({ authorization: "s3cret" }), "", "s3cret")).toBe(true);
    expect(await vapi.authenticate(h({ authorization: "bearer s3cret" }), "", "s3cret")).toBe(true);
    expect(await vapi.authenticate(h({ authorization: "s3cre" }), "", "s3cret")).toBe(false);
    // a Bearer Token credential with its own header name
    const config = { vapi_token_header: "X-Frontdesk-Token" };
    expect(await vapi.authenticate(h({ "x-frontdesk-token": "Bearer s3cret" }), "", "s3cret", { config })).toBe(true);
    expect(await vapi.authenticate(h({ "x-frontdesk-token": "s3cret" }), "", "s3cret")).toBe(false);
    expect(await vapi.authenticate(h({ "x-frontdesk-token": "nope", authorization: "s3cret" }), "", "s3cret", { config })).toBe(false);
  });
});

describe("normalized reports", () => {
  it("Vapi: structured outputs fold into the convention, before the older structuredData", () => {
    expect(fromStructuredOutputs({
      a: { name: "Customer info", result: { caller_name: "Ana", outcome: "booked" } },
      b: { name: "Memories", result: ["Likes it short"] },
      c: { name: "CallerName", result: "Someone else" },
      d: { name: "Sentiment", result: null },
      e: "not an output",
    })).toEqual({ caller_name: "Ana", outcome: "booked", memories: ["Likes it short"] });
    const r = vapiReport({ assistantId: "asst", customerNumber: "+13055550100", businessNumber: "+13055550199",
      structuredData: { caller_name: "Old", sentiment: "negative" }, structuredOutputs: { x: { name: "Profile", result: { caller_name: "New" } } } });
    expect(vapi.normalize(r)).toMatchObject({ caller_name: "New", sentiment: "negative" });
    // the Twilio CallSid from call.transport, or the deprecated phoneCallProviderId; none for a non-Twilio transport
    expect(vapi.normalize(vapiReport({ assistantId: "a", customerNumber: "+13055550100", businessNumber: "+13055550199", twilioCallSid: "CA1" })).telephony_call_sid).toBe("CA1");
    const legacy = vapiReport({ assistantId: "a", customerNumber: "+13055550100", businessNumber: "+13055550199", twilioCallSid: "CA2", legacySid: true });
    delete (legacy.message.call as Record<string, unknown>).transport;
    expect(vapi.normalize(legacy).telephony_call_sid).toBe("CA2");
    const sip = vapiReport({ assistantId: "a", customerNumber: "+13055550100", businessNumber: "+13055550199", twilioCallSid: "sip-123" });
    (sip.message.call as Record<string, unknown>).transport = { provider: "vapi.sip", callSid: "sip-123" };
    (sip.message.call as Record<string, unknown>).phoneCallProvider = "vapi";
    expect(vapi.normalize(sip).telephony_call_sid).toBeNull();
  });

  it("Vapi: direction and numbers from the call type, times, recording, analysis, the Twilio CallSid", () => {
    const r = vapiReport({ assistantId: "asst", customerNumber: "+13055550100", businessNumber: "+13055550199", twilioCallSid: "CAabc", seconds: 42,
      structuredData: { sentiment: "Mixed", outcome: "callback requested" }, customerName: "Lee" });
    expect(vapi.envelope(r)).toEqual({ event: "end-of-call-report", platformAgentId: "asst", number: "+13055550199" });
    const n = vapi.normalize(r);
    expect(n).toMatchObject({
      provider_call_id: r.message.call.id, telephony_call_sid: "CAabc", direction: "inbound", from_number: "+13055550100",
      to_number: "+13055550199", status: "completed", duration_seconds: 42, sentiment: "mixed", outcome: "callback requested",
      caller_name: "Lee", recording_url: r.message.artifact.recordingUrl, summary: r.message.analysis.summary,
    });
    expect(n.structured).toMatchObject({ successEvaluation: "true", endedReason: "customer-ended-call" });
    const out = vapiReport({ assistantId: "asst", customerNumber: "+13055550100", businessNumber: "+13055550199", endedReason: "customer-busy" });
    out.message.call.type = "outboundPhoneCall";
    expect(vapi.normalize(out)).toMatchObject({ direction: "outbound", from_number: "+13055550199", to_number: "+13055550100", status: "busy", outcome: "true" });
    expect(statusFromEndedReason("customer-did-not-answer")).toBe("no_answer");
    expect(statusFromEndedReason("twilio-failed-to-connect-call")).toBe("failed");
    expect(statusFromEndedReason("assistant-said-end-call-phrase")).toBe("completed");
  });

  it("Retell: sentiment, success, custom analysis, milliseconds", () => {
    const e = retellEvent("call_analyzed", { agentId: "agent_1", from: "+13055550100", to: "+13055550199", seconds: 61, sentiment: "Unknown", twilioCallSid: "CAdef",
      customAnalysis: { sentiment: "positive", memories: ["Drives a 2019 Civic"] } });
    expect(retell.envelope(e)).toEqual({ event: "call_analyzed", platformAgentId: "agent_1", number: null });
    expect(retell.normalize(e)).toMatchObject({ telephony_call_sid: "CAdef", duration_seconds: 61, sentiment: "positive", outcome: "successful",
      memories: [{ content: "Drives a 2019 Civic", kind: "fact", importance: 5 }] });
    expect(retell.envelope(retellEvent("call_started", { agentId: "agent_1", from: "+1", to: "+2" })).event).toBe("call_started");
    expect(statusOf("not_connected", "dial_no_answer")).toBe("no_answer");
    expect(statusOf("ended", "dial_busy")).toBe("busy");
    expect(statusOf("error", "error_asr")).toBe("failed");
    expect(() => retell.envelope({ event: "call_analyzed", call: {} })).toThrow(/agent_id/);
  });

  it("reads the structured data convention leniently, dropping what says nothing", () => {
    expect(memoriesFrom("- Likes jazz\n\n• Has two dogs\n")).toEqual([
      { content: "Likes jazz", kind: "fact", importance: 5 }, { content: "Has two dogs", kind: "fact", importance: 5 }]);
    expect(memoriesFrom([{ text: "Birthday in May", type: "Follow-up", importance: "12" }, { kind: "fact" }, 7, null])).toEqual([
      { content: "Birthday in May", kind: "follow_up", importance: 10 }]);
    expect(memoriesFrom({ not: "a list" })).toEqual([]);
    expect(personalityFrom({ personality: { openness: 0.12345, neuroticism: 3 }, personality_agreeableness: "0.5" })).toEqual({ openness: 0.123, agreeableness: 0.5 });
  });
});
