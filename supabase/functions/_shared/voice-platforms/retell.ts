// Retell's webhooks. Followed:
//   * docs.retellai.com "Webhook Overview": every event is POSTed as {"event": …, "call": {…}}; `call_analyzed` is
//     sent once post-call analysis is done and carries the full call object with `call_analysis`;
//   * the call object in RetellAI/retell-typescript-sdk (src/resources/call.ts, PhoneCallResponse / WebCallResponse):
//     call_id, agent_id, call_type, direction, from_number, to_number, call_status, disconnection_reason,
//     start_timestamp / end_timestamp (ms since epoch), duration_ms, transcript, recording_url,
//     telephony_identifier {twilio_call_sid}, and call_analysis
//     {call_summary, user_sentiment: Negative | Positive | Neutral | Unknown, call_successful, in_voicemail,
//     custom_analysis_data};
//   * "Secure webhook" (docs.retellai.com/features/secure-webhook) and the SDK's verify() (src/lib/webhook_auth.ts):
//     `x-retell-signature: v=<ms timestamp>,d=<hex HMAC-SHA256>`, the HMAC keyed with the Retell API key (the one
//     with the webhook badge) over the raw body followed by the timestamp, refused when the timestamp is more than
//     five minutes away from now. Re-implemented here with Web Crypto (constant-time verify), not copied.
import { z } from "zod";
import { validation } from "../http/parse.ts";
import {
  e164, type EndOfCallReport, fromStructuredData, sentimentOf, type CallStatus, type Envelope, type VoicePlatformAdapter,
} from "./adapter.ts";

/** How far a signature's timestamp may be from our clock (the SDK's default tolerance). */
export const RETELL_TOLERANCE_MS = 5 * 60 * 1000;

const envelope = z.looseObject({
  event: z.string().min(1),
  call: z.looseObject({ agent_id: z.string().min(1).max(200) }),
});

const ms = z.number().int().nonnegative();

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

export const retell: VoicePlatformAdapter = {
  platform: "retell",
  secretName: "api_key",

  envelope(body: unknown): Envelope {
    const parsed = envelope.safeParse(body);
    if (!parsed.success) throw validation(parsed.error);
    return { event: parsed.data.event, isReport: parsed.data.event === "call_analyzed", platformAgentId: parsed.data.call.agent_id };
  },

  authenticate(headers: Headers, rawBody: string, secret: string, now?: number): Promise<boolean> {
    return verifyRetellSignature(rawBody, secret, headers.get("x-retell-signature"), now);
  },

  normalize(body: unknown): EndOfCallReport {
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
  },
};
