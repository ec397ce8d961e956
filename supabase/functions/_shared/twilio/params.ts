// The form parameters Twilio posts to our voice URLs, validated with zod. Twilio adds parameters over time, so
// unknown ones are allowed (and still signed over); only what routing and storage rely on is required.
// Parameter names follow Twilio's voice webhook, status callback and <Record> references.
import { z } from "zod";
import { validation } from "../http/parse.ts";
import { normalizeCallerId } from "../phone/phone.ts";
import type { FormParams } from "./signature.ts";

export type CallStatus = "queued" | "initiated" | "ringing" | "in_progress" | "completed" | "busy" | "no_answer" | "failed" | "canceled";

// Twilio's CallStatus values (hyphenated) → our call_status enum.
const TWILIO_STATUS: Record<string, CallStatus> = {
  "queued": "queued",
  "initiated": "initiated",
  "ringing": "ringing",
  "in-progress": "in_progress",
  "completed": "completed",
  "busy": "busy",
  "no-answer": "no_answer",
  "failed": "failed",
  "canceled": "canceled",
};

const callSid = z.string().regex(/^CA[0-9A-Za-z]{10,64}$/, "expected a Twilio CallSid (CA…)");
// Caller ids may be withheld ("anonymous", "+266696687" …) or be SIP/client addresses ("sip:…", "client:…"): kept
// as text on the call, linked to a customer only when they are a callable number (private.callable_number decides).
const address = z.string().max(256);
const status = z.string().refine((s) => s in TWILIO_STATUS, { message: `expected one of ${Object.keys(TWILIO_STATUS).join(", ")}` })
  .transform((s) => TWILIO_STATUS[s]);
const seconds = z.string().regex(/^\d{1,7}$/, "expected whole seconds").transform(Number);

const callParams = z.looseObject({
  CallSid: callSid,
  AccountSid: z.string().min(1).optional(),
  From: address.optional(),
  To: address.optional(),
  Direction: z.string().max(32).optional(),
  CallerName: z.string().max(256).optional(),
});

export const incomingCall = callParams.extend({ From: address, To: address, CallStatus: status.optional() });
export const callStatus = callParams.extend({
  CallStatus: status,
  CallDuration: seconds.optional(),
  Timestamp: z.string().max(64).optional(),
});
export const recording = callParams.extend({
  RecordingUrl: z.url({ protocol: /^https?$/ }).optional(),
  RecordingStatus: z.enum(["in-progress", "completed", "absent", "failed"]).optional(),
  RecordingSid: z.string().max(64).optional(),
  // Kept when it reads as whole seconds; an odd value never costs the recording its callback.
  RecordingDuration: z.string().max(32).optional().transform((v) => (v !== undefined && /^\d{1,7}$/.test(v) ? Number(v) : undefined)),
});

/** The first value of each parameter (Twilio's voice webhooks send each once). */
export function firstValues(params: FormParams): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v[0]]));
}

export function parseParams<S extends z.ZodType>(schema: S, params: FormParams): z.infer<S> {
  const result = schema.safeParse(firstValues(params));
  if (!result.success) throw validation(result.error);
  return result.data;
}

/** Twilio's `Timestamp` (RFC 2822, e.g. "Tue, 10 Jan 2017 23:14:38 +0000") as ISO, or null when unreadable. */
export function isoTimestamp(value: string | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** The number that is ours on this call: the called number inbound, the calling one outbound. */
export function businessNumber(p: { Direction?: string; From?: string; To?: string }): string | undefined {
  return p.Direction?.startsWith("outbound") ? p.From : p.To;
}

/**
 * From and To as stored on the call: E.164 through libphonenumber-js when they are phone numbers (Twilio sends E.164;
 * a national one is read in `country`, the business's), otherwise exactly as sent ("anonymous", "client:…", "sip:…",
 * the withheld placeholders such as +266696687), for private.callable_number to judge.
 */
export function callNumbers(p: { From?: string; To?: string }, country?: string): { from: string | null; to: string | null } {
  return {
    from: p.From === undefined ? null : normalizeCallerId(p.From, country),
    to: p.To === undefined ? null : normalizeCallerId(p.To, country),
  };
}
