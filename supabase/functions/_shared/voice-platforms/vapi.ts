// Vapi's server messages. Followed:
//   * docs.vapi.ai "Server events" (VapiAI/docs fern/server-url/events.mdx): every message is POSTed as
//     {"message": {"type": …, "call": {…}, …}}; the end-of-call report is type "end-of-call-report" with
//     endedReason, artifact (transcript, messages, recording) and analysis;
//   * the server SDK's generated types (VapiAI/server-sdk-typescript src/api/types: ServerMessageEndOfCallReport,
//     Analysis {summary, structuredData, successEvaluation}, Artifact {transcript, recordingUrl, recording},
//     Call {id, type, assistantId, customer, phoneNumber, phoneCallProvider, phoneCallProviderId}, CallType inboundPhoneCall |
//     outboundPhoneCall | webCall);
//   * docs.vapi.ai "Server authentication" (fern/server-url/server-authentication.mdx): a server URL credential is
//     sent as `Authorization: Bearer <token>` (the default Bearer Token credential) or, for the legacy inline
//     `secret` and credentials configured that way, as the `X-Vapi-Secret` header. Either carries the agent's
//     webhook_secret here. (Vapi's HMAC credential is configurable per header and payload format, so it is not
//     accepted: a report must come with one of the two documented shared-secret forms.)
import { z } from "zod";
import { HttpError } from "../http/errors.ts";
import { validation } from "../http/parse.ts";
import {
  e164, type EndOfCallReport, fromStructuredData, secondsBetween, secretsEqual, type CallStatus, type Envelope,
  type VoicePlatformAdapter,
} from "./adapter.ts";

const customer = z.looseObject({ number: z.string().optional(), name: z.string().optional() }).optional();
// Vapi's phone numbers: `number` for its own, BYO and most imports; `twilioPhoneNumber` for imported Twilio numbers.
const phoneNumber = z.looseObject({ number: z.string().optional(), twilioPhoneNumber: z.string().optional() }).optional();
const iso = z.string().refine((s) => Number.isFinite(Date.parse(s)), "expected an ISO 8601 date-time");

const call = z.looseObject({
  id: z.string().min(1).max(200),
  type: z.string().optional(),
  assistantId: z.string().optional(),
  phoneCallProvider: z.string().optional(),
  phoneCallProviderId: z.string().optional(),
  customer,
  phoneNumber,
  startedAt: iso.optional(),
  endedAt: iso.optional(),
});

const envelope = z.looseObject({
  message: z.looseObject({
    type: z.string().min(1),
    call: z.looseObject({ assistantId: z.string().optional() }).optional(),
    assistant: z.looseObject({ id: z.string().optional() }).optional(),
  }),
});

export const endOfCallReport = z.looseObject({
  message: z.looseObject({
    type: z.literal("end-of-call-report"),
    endedReason: z.string().optional(),
    call,
    customer,
    phoneNumber,
    startedAt: iso.optional(),
    endedAt: iso.optional(),
    artifact: z.looseObject({
      transcript: z.string().optional(),
      recordingUrl: z.string().optional(),
      recording: z.looseObject({ mono: z.looseObject({ combinedUrl: z.string().optional() }).optional() }).optional(),
    }).optional(),
    analysis: z.looseObject({
      summary: z.string().optional(),
      structuredData: z.record(z.string(), z.unknown()).optional(),
      successEvaluation: z.union([z.string(), z.boolean(), z.number()]).optional(),
    }).optional(),
  }),
});

/** Vapi's endedReason → how the call ended (busy and unanswered dials, cancellations and failures; else completed). */
export function statusFromEndedReason(reason: string | undefined): CallStatus {
  const r = reason ?? "";
  if (r === "customer-busy" || r === "call.forwarding.operator-busy") return "busy";
  if (r === "customer-did-not-answer") return "no_answer";
  if (r === "manually-canceled") return "canceled";
  if (/error|failed|rejected|misdialed/.test(r)) return "failed";
  return "completed";
}

export const vapi: VoicePlatformAdapter = {
  platform: "vapi",
  secretName: "webhook_secret",

  envelope(body: unknown): Envelope {
    const parsed = envelope.safeParse(body);
    if (!parsed.success) throw validation(parsed.error);
    const m = parsed.data.message;
    const platformAgentId = m.call?.assistantId ?? m.assistant?.id;
    if (!platformAgentId) throw new HttpError(400, "invalid_input", "invalid request: message.call.assistantId: the message names no assistant");
    return { event: m.type, isReport: m.type === "end-of-call-report", platformAgentId };
  },

  async authenticate(headers: Headers, _raw: string, secret: string): Promise<boolean> {
    const header = headers.get("x-vapi-secret");
    const bearer = /^Bearer\s+(.+)$/i.exec(headers.get("authorization") ?? "")?.[1];
    // Both checked when both are present, so a right value in one cannot carry a wrong value in the other.
    const given = [header, bearer].filter((v): v is string => typeof v === "string" && v !== "");
    if (given.length === 0) return false;
    let ok = true;
    for (const value of given) ok = (await secretsEqual(value.trim(), secret)) && ok;
    return ok;
  },

  normalize(body: unknown): EndOfCallReport {
    const parsed = endOfCallReport.safeParse(body);
    if (!parsed.success) throw validation(parsed.error);
    const m = parsed.data.message;
    const structured = m.analysis?.structuredData ?? {};
    const data = fromStructuredData(structured);
    const outbound = m.call.type === "outboundPhoneCall";
    const customerNumber = e164(m.customer?.number ?? m.call.customer?.number);
    const ours = m.phoneNumber ?? m.call.phoneNumber;
    const businessNumber = e164(ours?.number ?? ours?.twilioPhoneNumber);
    const startedAt = m.startedAt ?? m.call.startedAt ?? null;
    const endedAt = m.endedAt ?? m.call.endedAt ?? null;
    const evaluation = m.analysis?.successEvaluation;
    return {
      provider_call_id: m.call.id,
      // "The ID of the call as provided by the phone number service. callSid in Twilio." (Call.phoneCallProviderId)
      telephony_call_sid: m.call.phoneCallProvider === "twilio" ? m.call.phoneCallProviderId ?? null : null,
      direction: outbound ? "outbound" : "inbound",
      from_number: outbound ? businessNumber : customerNumber,
      to_number: outbound ? customerNumber : businessNumber,
      status: statusFromEndedReason(m.endedReason),
      started_at: startedAt ? new Date(startedAt).toISOString() : null,
      ended_at: endedAt ? new Date(endedAt).toISOString() : null,
      duration_seconds: secondsBetween(startedAt, endedAt),
      recording_url: m.artifact?.recordingUrl ?? m.artifact?.recording?.mono?.combinedUrl ?? null,
      summary: m.analysis?.summary?.trim() || null,
      transcript: m.artifact?.transcript ?? null,
      outcome: data.outcome ?? (evaluation !== undefined ? String(evaluation) : null) ?? m.endedReason ?? null,
      sentiment: data.sentiment,
      caller_name: data.callerName ?? m.customer?.name ?? m.call.customer?.name ?? null,
      memories: data.memories,
      personality: data.personality,
      structured: {
        ...(m.analysis ?? {}),
        ...(m.endedReason ? { endedReason: m.endedReason } : {}),
      },
    };
  },
};
