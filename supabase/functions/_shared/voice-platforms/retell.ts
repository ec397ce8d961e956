// Retell's webhooks. Followed:
//   * docs.retellai.com "Webhook Overview": every event is POSTed as {"event": …, "call": {…}}; `call_analyzed` is
//     sent once post-call analysis is done and carries the full call object with `call_analysis`;
//   * the call object in RetellAI/retell-typescript-sdk (src/resources/call.ts, PhoneCallResponse / WebCallResponse):
//     call_id, agent_id, call_type, direction, from_number, to_number, call_status, disconnection_reason,
//     start_timestamp / end_timestamp (ms since epoch), duration_ms, transcript, recording_url,
//     telephony_identifier {twilio_call_sid}, and call_analysis
//     {call_summary, user_sentiment: Negative | Positive | Neutral | Unknown, call_successful, in_voicemail,
//     custom_analysis_data};
//   * "Inbound webhook" (docs.retellai.com/features/inbound-call-webhook), configured per number: POSTed as
//     {"event": "call_inbound", "call_inbound": {agent_id?, agent_version?, from_number, to_number}} before the call
//     exists (no call object, no call id), signed like every webhook; answered 2xx with
//     {"call_inbound": {override_agent_id?, override_agent_version?, dynamic_variables?: {string: string},
//     metadata?, agent_override?}};
//   * call_started (call_status "ongoing", start_timestamp) and call_ended (end_timestamp, duration_ms,
//     disconnection_reason) carry the same call object as call_analyzed;
//   * "Secure webhook" (docs.retellai.com/features/secure-webhook) and the SDK's verify() (src/lib/webhook_auth.ts):
//     `x-retell-signature: v=<ms timestamp>,d=<hex HMAC-SHA256>`, the HMAC keyed with the Retell API key (the one
//     with the webhook badge) over the raw body followed by the timestamp, refused when the timestamp is more than
//     five minutes away from now. Re-implemented here with Web Crypto (constant-time verify), not copied.
import { z } from "zod";
import { HttpError } from "../http/errors.ts";
import { validation } from "../http/parse.ts";
import { json } from "../http/respond.ts";
import {
  type AuthOptions, type CallEvent, e164, type EndOfCallReport, type EventHandler, fromStructuredData, sentimentOf, type CallStatus,
  type Envelope, type VoicePlatformAdapter,
} from "./adapter.ts";
import { applyCallEvent, assistantContext, callerVariables, storeReport } from "./store.ts";
import { RETELL_FUNCTION_EVENT, toolHooks } from "./tool-hooks.ts";

/** How far a signature's timestamp may be from our clock (the SDK's default tolerance). */
export const RETELL_TOLERANCE_MS = 5 * 60 * 1000;

const envelope = z.looseObject({
  // Absent on a custom function call ({name, args, call}, see tool-hooks.ts), present on every webhook.
  event: z.string().min(1).optional(),
  name: z.string().optional(),
  call: z.looseObject({ agent_id: z.string().min(1).max(200) }).optional(),
  call_inbound: z.looseObject({ to_number: z.string().max(64).optional() }).optional(),
});

export const callInbound = z.looseObject({
  event: z.literal("call_inbound"),
  call_inbound: z.looseObject({
    agent_id: z.string().optional(),
    agent_version: z.union([z.number(), z.string()]).optional(),
    from_number: z.string().max(256).optional(),
    to_number: z.string().min(1).max(64),
  }),
});

const ms = z.number().int().nonnegative();

const callObject = z.looseObject({
    call_id: z.string().min(1).max(200),
    agent_id: z.string().min(1),
    call_type: z.string().optional(),
    direction: z.enum(["inbound", "outbound"]).optional(),
    from_number: z.string().optional(),
    to_number: z.string().optional(),
    call_status: z.string().optional(),
    disconnection_reason: z.string().optional(),
    start_timestamp: ms.optional(),
    end_timestamp: ms.optional(),
    duration_ms: ms.optional(),
    telephony_identifier: z.looseObject({ twilio_call_sid: z.string().optional() }).optional(),
});

export const callLifecycle = z.looseObject({ event: z.enum(["call_started", "call_ended"]), call: callObject });

export const callAnalyzed = z.looseObject({
  event: z.literal("call_analyzed"),
  call: z.looseObject({
    call_id: z.string().min(1).max(200),
    agent_id: z.string().min(1),
    call_type: z.string().optional(),
    direction: z.enum(["inbound", "outbound"]).optional(),
    from_number: z.string().optional(),
    to_number: z.string().optional(),
    call_status: z.string().optional(),
    disconnection_reason: z.string().optional(),
    start_timestamp: ms.optional(),
    end_timestamp: ms.optional(),
    duration_ms: ms.optional(),
    transcript: z.string().optional(),
    recording_url: z.string().optional(),
    telephony_identifier: z.looseObject({ twilio_call_sid: z.string().optional() }).optional(),
    call_analysis: z.looseObject({
      call_summary: z.string().optional(),
      user_sentiment: z.string().optional(),
      call_successful: z.boolean().optional(),
      in_voicemail: z.boolean().optional(),
      custom_analysis_data: z.unknown().optional(),
    }).optional(),
  }),
});

/** Retell's call_status and disconnection_reason → how the call ended. */
export function statusOf(callStatus: string | undefined, reason: string | undefined): CallStatus {
  if (reason === "dial_busy") return "busy";
  if (reason === "dial_no_answer") return "no_answer";
  if (callStatus === "error" || callStatus === "not_connected" || reason === "dial_failed" || reason?.startsWith("error_")) return "failed";
  return "completed";
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return undefined;
  return Uint8Array.from({ length: 32 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/** Retell's signature over a raw body (for tests and local tools): what its servers send. */
export async function retellSignature(rawBody: string, apiKey: string, timestamp = Date.now()): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(apiKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(rawBody + timestamp)));
  return `v=${timestamp},d=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export async function verifyRetellSignature(rawBody: string, apiKey: string, header: string | null, now = Date.now()): Promise<boolean> {
  const m = /^v=(\d+),d=([0-9a-f]+)$/i.exec(header ?? "");
  if (!m) return false;
  const stamp = Number(m[1]);
  const digest = hexBytes(m[2]);
  if (!digest || !Number.isSafeInteger(stamp) || Math.abs(now - stamp) > RETELL_TOLERANCE_MS) return false;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(apiKey), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  return crypto.subtle.verify("HMAC", key, digest, new TextEncoder().encode(rawBody + m[1]));
}

const iso = (ms?: number) => (ms === undefined ? null : new Date(ms).toISOString());

/** call_started / call_ended as a live call event. */
export function lifecycleEvent(body: unknown): CallEvent {
  const parsed = callLifecycle.safeParse(body);
  if (!parsed.success) throw validation(parsed.error);
  const { event, call: c } = parsed.data;
  const ended = event === "call_ended";
  const durationMs = c.duration_ms ?? (c.start_timestamp !== undefined && c.end_timestamp !== undefined ? c.end_timestamp - c.start_timestamp : undefined);
  return {
    provider_call_id: c.call_id,
    telephony_call_sid: c.telephony_identifier?.twilio_call_sid ?? null,
    direction: c.direction ?? "inbound",
    from_number: e164(c.from_number),
    to_number: e164(c.to_number),
    caller_withheld: false,
    status: ended ? statusOf(c.call_status, c.disconnection_reason) : "in_progress",
    started_at: iso(c.start_timestamp),
    ended_at: ended ? iso(c.end_timestamp) : null,
    duration_seconds: ended && durationMs !== undefined && durationMs >= 0 ? Math.round(durationMs / 1000) : null,
  };
}

function normalize(body: unknown): EndOfCallReport {
  const parsed = callAnalyzed.safeParse(body);
  if (!parsed.success) throw validation(parsed.error);
  const c = parsed.data.call;
  const analysis = c.call_analysis ?? {};
  const custom = analysis.custom_analysis_data && typeof analysis.custom_analysis_data === "object" && !Array.isArray(analysis.custom_analysis_data)
    ? (analysis.custom_analysis_data as Record<string, unknown>)
    : {};
  const data = fromStructuredData(custom);
  const durationMs = c.duration_ms ?? (c.start_timestamp !== undefined && c.end_timestamp !== undefined ? c.end_timestamp - c.start_timestamp : undefined);
  return {
    provider_call_id: c.call_id,
    telephony_call_sid: c.telephony_identifier?.twilio_call_sid ?? null,
    direction: c.direction ?? "inbound",
    from_number: e164(c.from_number),
    to_number: e164(c.to_number),
    caller_withheld: false,
    status: statusOf(c.call_status, c.disconnection_reason),
    started_at: iso(c.start_timestamp),
    ended_at: iso(c.end_timestamp),
    duration_seconds: durationMs !== undefined && durationMs >= 0 ? Math.round(durationMs / 1000) : null,
    recording_url: c.recording_url ?? null,
    summary: analysis.call_summary?.trim() || null,
    transcript: c.transcript ?? null,
    outcome: data.outcome
      ?? (analysis.in_voicemail ? "voicemail" : analysis.call_successful === true ? "successful" : analysis.call_successful === false ? "unsuccessful" : null)
      ?? c.disconnection_reason ?? null,
    sentiment: sentimentOf(analysis.user_sentiment) ?? data.sentiment,
    caller_name: data.callerName,
    memories: data.memories,
    personality: data.personality,
    structured: { ...analysis, ...(c.disconnection_reason ? { disconnection_reason: c.disconnection_reason } : {}) },
  };
}

const reportHandler: EventHandler = async ({ agent, body, opts }) => {
  const result = await storeReport(agent, "retell", normalize(body), opts.sql);
  return json({ received: true, ...result });
};

const lifecycleHandler: EventHandler = async ({ agent, body, opts }) => {
  const result = await applyCallEvent(agent, "retell", lifecycleEvent(body), opts.sql);
  return json({ received: true, ...result });
};

/**
 * The inbound webhook: the caller's context as dynamic variables (strings, as Retell requires) and, when the
 * business has several Retell agents, which one answers (override_agent_id): the channel's chosen agent
 * (settings.agent_id), else the one the number is bound to in Retell if it is one of the business's, else the oldest.
 */
const inboundHandler: EventHandler = async ({ agent, body, opts }) => {
  const parsed = callInbound.safeParse(body);
  if (!parsed.success) throw validation(parsed.error);
  const inbound = parsed.data.call_inbound;
  const siblings = agent.siblings.filter((s) => s.platform_agent_id);
  const chosen = siblings.find((s) => s.preferred) ?? siblings.find((s) => s.platform_agent_id === inbound.agent_id) ?? siblings[0];
  const answering = chosen ? { ...agent, agent_id: chosen.agent_id, platform_agent_id: chosen.platform_agent_id } : agent;
  const ctx = await assistantContext(answering, inbound.from_number ?? null, false, opts.sql);
  const override = siblings.length > 1 && chosen?.platform_agent_id ? { override_agent_id: chosen.platform_agent_id } : {};
  return json({ call_inbound: { ...override, dynamic_variables: callerVariables(ctx) } });
};
export const retell: VoicePlatformAdapter = {
  platform: "retell",
  secretName: "api_key",

  envelope(body: unknown): Envelope {
    const parsed = envelope.safeParse(body);
    if (!parsed.success) throw validation(parsed.error);
    const d = parsed.data;
    if (d.event === "call_inbound") {
      // Before the call exists: no call object, no agent to trust by id; the called number names the business.
      const number = e164(d.call_inbound?.to_number);
      if (!number) throw new HttpError(400, "invalid_input", "invalid request: call_inbound.to_number: expected the called number in E.164");
      return { event: d.event, platformAgentId: null, number };
    }
    if (d.event === undefined && typeof d.name !== "string") {
      throw new HttpError(400, "invalid_input", "invalid request: event: expected a webhook event, or a custom function call {name, args, call}");
    }
    if (!d.call) throw new HttpError(400, "invalid_input", "invalid request: call.agent_id: the event names no agent");
    return { event: d.event ?? RETELL_FUNCTION_EVENT, platformAgentId: d.call.agent_id, number: null };
  },

  authenticate(headers: Headers, rawBody: string, secret: string, opts: AuthOptions = {}): Promise<boolean> {
    return verifyRetellSignature(rawBody, secret, headers.get("x-retell-signature"), opts.now);
  },

  normalize,

  handlers: {
    call_analyzed: reportHandler,
    call_started: lifecycleHandler,
    call_ended: lifecycleHandler,
    call_inbound: inboundHandler,
  },
  extraHandlers: () => toolHooks.retellHandlers,
};
