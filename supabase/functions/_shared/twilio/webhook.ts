// The voice-webhook logic for Twilio, kept out of index.ts so it is tested directly.
//   POST …/voice-webhook/twilio/incoming    the number's voice URL: answers with TwiML (agent or voicemail)
//   POST …/voice-webhook/twilio/status      the number's call status callback
//   POST …/voice-webhook/twilio/recording   the voicemail's <Record> action and recording status callback
//
// Every request: parse and validate the form, find the channel of the business's number, check X-Twilio-Signature
// with that channel's own auth token over the public URL Twilio called (403 and nothing stored when it fails), then
// one SQL function, as `frontdesk_webhook`, for that tenant only. A number we cannot route (unknown, inactive, or
// with no auth token to verify it by) is kept as unroutable and the caller hears a polite goodbye.
import type { z } from "zod";
import { asWebhook, type Sql } from "../db/client.ts";
import { KiB, readText } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import { decryptSecret, type EncryptionKey } from "../secrets/crypto.ts";
import { VOICEMAIL_MAX_SECONDS, voicePublicBaseUrl } from "./config.ts";
import { countryOfNumber } from "../phone/phone.ts";
import { businessNumber, callNumbers, callStatus, firstValues, incomingCall, isoTimestamp, parseParams, recording } from "./params.ts";
import { formParams, verifyTwilioSignature, type FormParams } from "./signature.ts";
import { languageOf, NOT_IN_SERVICE, SAY_LOCALE, voicemailGreeting } from "./texts.ts";
import { connectStream, hangup, record, response, say, twimlResponse } from "./twiml.ts";

export type TwilioRoute = "incoming" | "status" | "recording";

export interface TwilioOptions { sql?: Sql; key?: EncryptionKey; publicBaseUrl?: string }

interface VoiceChannel { tenant_id: string; channel_id: string; routable: boolean; auth_token: Uint8Array | null; key_id: string | null }

/** What private.twilio_incoming_call decided. */
export interface IncomingDecision {
  tenant_id: string;
  call_id: string;
  customer_id: string | null;
  answer: "agent" | "voicemail";
  reason: "closed" | "no_agent" | "no_call_minutes" | null;
  agent_id: string | null;
  media_stream_url: string | null;
  business_name: string;
  language: string | null;
  voicemail_greeting: string | null;
}

const FUNCTION_PATH = "/voice-webhook";

/** Twilio's callbacks are form posts of a few dozen short parameters (a few KiB): 64 KiB leaves ample room. */
export const WEBHOOK_BODY_LIMIT = 64 * KiB;

/**
 * The URL Twilio requested: the configured public prefix, then our path (which starts with /voice-webhook, locally and
 * on hosted Supabase) and the query string. Never the request's own host: behind the gateway or a proxy it differs.
 */
export function publicUrl(req: Request, base: string): string {
  const url = new URL(req.url);
  return base + url.pathname + url.search;
}

/** Where Twilio posts the voicemail's recording: the business number in the query, since that callback has no To. */
export function recordingCallbackUrl(base: string, number: string): string {
  return `${base}${FUNCTION_PATH}/twilio/recording?${new URLSearchParams({ to: number })}`;
}

export function goodbyeTwiml(): string {
  return response(...NOT_IN_SERVICE.map((s) => say(s.text, s.language)), hangup());
}

/** The answer to an incoming call, from what the database decided. */
export function incomingTwiml(d: IncomingDecision, caller: { from: string; to: string }, base: string): string {
  if (d.answer === "agent" && d.media_stream_url) {
    return response(connectStream(d.media_stream_url, {
      tenant_id: d.tenant_id,
      call_id: d.call_id,
      customer_id: d.customer_id,
      agent_id: d.agent_id,
      caller: caller.from,
    }));
  }
  const lang = languageOf(d.language);
  const callback = recordingCallbackUrl(base, caller.to);
  return response(
    say(voicemailGreeting(lang, d.business_name, d.voicemail_greeting), SAY_LOCALE[lang]),
    record({ action: callback, recordingStatusCallback: callback, maxLength: VOICEMAIL_MAX_SECONDS }),
    // Reached only when nothing was recorded (Twilio then skips the action and goes on): end the call politely.
    hangup(),
  );
}

async function channelFor(number: string, sql?: Sql): Promise<VoiceChannel | undefined> {
  const [row] = await asWebhook((tx) => tx<VoiceChannel[]>`select * from private.twilio_voice_channel(${number})`, sql);
  return row;
}

/**
 * Kept for the operators. What is kept is bounded (at most 60 parameters, 500 characters each): a request for an
 * unknown number cannot be verified by anyone's token, so it must not be a way to store arbitrary data.
 */
async function unroutable(number: string, reason: string, params: FormParams, sql?: Sql): Promise<void> {
  const payload = Object.fromEntries(Object.entries(firstValues(params)).slice(0, 60).map(([k, v]) => [k.slice(0, 100), v.slice(0, 500)]));
  await asWebhook((tx) => tx`select private.twilio_unroutable(${number.slice(0, 64)}, ${reason}, ${tx.json(payload)})`, sql);
}

/** The acknowledgement of a request that routes nowhere: the goodbye on a call, nothing on a callback. */
function unroutableAnswer(route: TwilioRoute): Response {
  return twimlResponse(route === "incoming" ? goodbyeTwiml() : response());
}

type Parsed =
  | { route: "incoming"; p: z.infer<typeof incomingCall> }
  | { route: "status"; p: z.infer<typeof callStatus> }
  | { route: "recording"; p: z.infer<typeof recording> };

function parse(route: TwilioRoute, params: FormParams): Parsed {
  if (route === "incoming") return { route, p: parseParams(incomingCall, params) };
  if (route === "status") return { route, p: parseParams(callStatus, params) };
  return { route, p: parseParams(recording, params) };
}

export async function handleTwilio(req: Request, route: TwilioRoute, opts: TwilioOptions = {}): Promise<Response> {
  // Bounded before anything else: the signature can only be checked over the whole form, and anyone can post one.
  const params = formParams(await readText(req, WEBHOOK_BODY_LIMIT));
  // Validated first: a malformed request is refused (400, naming the problem) before anything is looked up.
  const parsed = parse(route, params);
  // The recording status callback carries no To: our recording URL names the number (and is signed with it).
  const number = parsed.route === "recording"
    ? new URL(req.url).searchParams.get("to") ?? businessNumber(parsed.p)
    : businessNumber(parsed.p);
  if (!number) throw new HttpError(400, "invalid_input", "invalid request: To: the called number is required");

  const signature = req.headers.get("x-twilio-signature");
  if (!signature) throw new HttpError(403, "forbidden", "missing X-Twilio-Signature");

  const channel = await channelFor(number, opts.sql);
  if (!channel) {
    await unroutable(number, "no verified Twilio voice channel has this number", params, opts.sql);
    return unroutableAnswer(route);
  }
  if (!channel.auth_token || !channel.key_id) {
    await unroutable(number, "the channel has no Twilio auth token, so its requests cannot be verified", params, opts.sql);
    return unroutableAnswer(route);
  }
  const authToken = await decryptSecret(new Uint8Array(channel.auth_token), channel.key_id,
    { tenantId: channel.tenant_id, channelId: channel.channel_id, name: "auth_token" }, opts.key);
  const base = opts.publicBaseUrl ?? voicePublicBaseUrl();
  if (!(await verifyTwilioSignature(authToken, signature, publicUrl(req, base), params))) {
    throw new HttpError(403, "forbidden", "invalid X-Twilio-Signature");
  }
  if (!channel.routable) {
    await unroutable(number, "the channel or its business is not active", params, opts.sql);
    return unroutableAnswer(route);
  }
  return apply(parsed, channel, number, base, opts.sql);
}

/** The one SQL function of each request, for the tenant the verified number belongs to, and the answer. */
async function apply(parsed: Parsed, channel: VoiceChannel, number: string, base: string, sql?: Sql): Promise<Response> {
  const { tenant_id: tenant, channel_id: channelId } = channel;
  // The business's country is its number's on this call (the verified channel number, the business's own line).
  const numbers = callNumbers(parsed.p, countryOfNumber(number));
  const call = {
    call_sid: parsed.p.CallSid, from: numbers.from, to: numbers.to ?? number,
    direction: parsed.p.Direction ?? null, caller_name: parsed.p.CallerName ?? null,
  };
  if (parsed.route === "incoming") {
    const input = { ...call, status: parsed.p.CallStatus ?? null };
    const decision = await asWebhook(async (tx) => {
      const [row] = await tx`select private.twilio_incoming_call(${tenant}, ${channelId}, ${tx.json(input as never)}) as d`;
      return row.d as IncomingDecision;
    }, sql);
    return twimlResponse(incomingTwiml(decision, { from: numbers.from ?? parsed.p.From, to: number }, base));
  }
  if (parsed.route === "status") {
    const input = { ...call, status: parsed.p.CallStatus, at: isoTimestamp(parsed.p.Timestamp), duration: parsed.p.CallDuration ?? null };
    await asWebhook((tx) => tx`select private.twilio_call_status(${tenant}, ${channelId}, ${tx.json(input as never)})`, sql);
    // Twilio ignores the body of a status callback; an empty document keeps every answer TwiML.
    return twimlResponse(response());
  }
  const input = {
    ...call, recording_url: parsed.p.RecordingUrl ?? null, recording_status: parsed.p.RecordingStatus ?? null,
    recording_duration: parsed.p.RecordingDuration ?? null,
  };
  await asWebhook((tx) => tx`select private.twilio_recording(${tenant}, ${channelId}, ${tx.json(input as never)})`, sql);
  // The <Record> action request asks what comes next: the message is taken, so hang up.
  return twimlResponse(response(hangup()));
}
