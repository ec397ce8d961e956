// Businesses on the phone, and requests shaped and signed exactly like Twilio's, Vapi's and Retell's.
//
// The functions run behind a "proxy": they are reached on the local gateway but configured with a public base URL
// (VOICE_PUBLIC_BASE_URL), and Twilio signs that public URL, as it does in production.
import { randomBytes } from "node:crypto";
import { encryptSecret } from "../../supabase/functions/_shared/secrets/crypto.ts";
import { twilioSignature } from "../../supabase/functions/_shared/twilio/signature.ts";
import { agentSecretContext } from "../../supabase/functions/_shared/voice-platforms/agent-secrets.ts";
import type { AgentSecretName } from "../../supabase/functions/_shared/voice-platforms/adapter.ts";
import { retellSignature } from "../../supabase/functions/_shared/voice-platforms/retell.ts";
import { vapiHmacSignature } from "../../supabase/functions/_shared/voice-platforms/vapi.ts";
import type { TestDb } from "../helpers/db.ts";
import { functionsKey, setChannelSecret } from "../helpers/secrets.ts";
export { functionsKey, setChannelSecret };
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";

export const PUBLIC_BASE = "https://voice.frontdesk.test/functions/v1";

const digits = (n: number) => Array.from(randomBytes(n), (b) => (b % 10).toString()).join("");
export const phone = () => `+1${"3"}${digits(9)}`;
export const callSid = () => `CA${randomBytes(16).toString("hex")}`;
export const accountSid = () => `AC${randomBytes(16).toString("hex")}`;

export type Hours = "always" | "never";

export interface VoiceBusiness extends TestTenant {
  number: string;
  channelId: string;
  authToken: string;
  accountSid: string;
  agentId: string | null;
  streamUrl: string | null;
}

export async function setAgentSecretRow(db: TestDb, tenantId: string, agentId: string, name: AgentSecretName, value: string) {
  const { ciphertext, keyId } = await encryptSecret(value, agentSecretContext(tenantId, agentId, name), await functionsKey());
  await db.sql`
    insert into private.agent_secrets (tenant_id, agent_id, name, ciphertext, key_id)
    values (${tenantId}, ${agentId}, ${name}, ${ciphertext}, ${keyId})
    on conflict (tenant_id, agent_id, name) do update set ciphertext = excluded.ciphertext, key_id = excluded.key_id`;
}

/**
 * A business with a Twilio number (its auth token encrypted as the functions expect) and, optionally, an active
 * agent with a media stream URL. "always" is open 00:00–24:00 every day and "never" has no hours at all, so whether
 * a call comes "during business hours" never depends on when the test runs.
 */
export async function voiceBusiness(
  db: TestDb,
  label: string,
  opts: { hours?: Hours; language?: string; agent?: boolean; timezone?: string; authToken?: string | null } = {},
): Promise<VoiceBusiness> {
  const t = await tenantWithTeam(db, label, opts.timezone ?? "America/New_York");
  const settings = opts.language ? { language: opts.language } : {};
  await db.sql`update public.tenants set name = ${"Shop " + label}, settings = ${db.sql.json(settings)} where id = ${t.id}`;
  const number = phone();
  const [ch] = await db.sql`
    insert into public.channels (tenant_id, kind, provider, phone_number, capabilities, name)
    values (${t.id}, 'phone', 'twilio', ${number}, '{voice,sms}', 'Main line') returning id`;
  const authToken = opts.authToken === undefined ? randomBytes(16).toString("hex") : opts.authToken;
  if (authToken !== null) await setChannelSecret(db, t.id, ch.id, "auth_token", authToken);
  if ((opts.hours ?? "always") === "always") {
    for (let d = 0; d < 7; d++) {
      await db.sql`insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values (${t.id}, ${d}, '00:00', '24:00')`;
    }
  }
  let agentId: string | null = null;
  let streamUrl: string | null = null;
  if (opts.agent ?? true) {
    streamUrl = `wss://agent.example/stream/${label}`;
    const [a] = await db.sql`
      insert into public.voice_agents (tenant_id, name, media_stream_url, active) values (${t.id}, 'Front desk', ${streamUrl}, true) returning id`;
    agentId = a.id;
  }
  return { ...t, number, channelId: ch.id, authToken: authToken ?? "", accountSid: accountSid(), agentId, streamUrl };
}

// ---------------------------------------------------------------------------------------------------------------
// Twilio
// ---------------------------------------------------------------------------------------------------------------

/** The parameters of Twilio's voice URL request for an incoming call. */
export function incomingParams(b: { number: string; accountSid: string }, sid: string, from: string, extra: Record<string, string> = {}) {
  return {
    AccountSid: b.accountSid, ApiVersion: "2010-04-01", CallSid: sid, CallStatus: "ringing", Direction: "inbound",
    Called: b.number, Caller: from, From: from, To: b.number,
    CalledCity: "BROOKLYN", CalledState: "NY", CalledCountry: "US", FromCity: "BROOKLYN", FromState: "NY", FromCountry: "US",
    ...extra,
  };
}

/** A call status callback. */
export function statusParams(b: { number: string; accountSid: string }, sid: string, from: string, status: string, extra: Record<string, string> = {}) {
  return {
    AccountSid: b.accountSid, ApiVersion: "2010-04-01", CallSid: sid, CallStatus: status, Direction: "inbound",
    Called: b.number, Caller: from, From: from, To: b.number, CallbackSource: "call-progress-events",
    Timestamp: new Date().toUTCString().replace("GMT", "+0000"), SequenceNumber: "0",
    ...extra,
  };
}

/** The recording status callback of a <Record> (it carries no From or To). */
export function recordingParams(b: { accountSid: string }, sid: string, extra: Record<string, string> = {}) {
  const recordingSid = `RE${randomBytes(16).toString("hex")}`;
  return {
    AccountSid: b.accountSid, CallSid: sid, RecordingSid: recordingSid,
    RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${b.accountSid}/Recordings/${recordingSid}`,
    RecordingStatus: "completed", RecordingDuration: "14", RecordingChannels: "1",
    RecordingStartTime: new Date().toUTCString(), RecordingSource: "RecordVerb", RecordingTrack: "both", ErrorCode: "0",
    ...extra,
  };
}

export type TwilioRouteName = "incoming" | "status" | "recording";

/**
 * POSTs form parameters to the local voice-webhook, signed as Twilio signs them: over the public URL (PUBLIC_BASE +
 * path + query) with `token`. `signed` overrides what is signed (URL or parameters), to forge requests.
 */
export async function postTwilio(
  functionsUrl: string,
  route: TwilioRouteName,
  params: Record<string, string>,
  token: string | null,
  opts: { query?: string; signedUrl?: string; signedParams?: Record<string, string> } = {},
): Promise<Response> {
  const path = `/voice-webhook/twilio/${route}${opts.query ? `?${opts.query}` : ""}`;
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (token !== null) {
    headers["x-twilio-signature"] = await twilioSignature(token, opts.signedUrl ?? PUBLIC_BASE + path, opts.signedParams ?? params);
  }
  return fetch(functionsUrl + path, { method: "POST", headers, body: new URLSearchParams(params).toString() });
}

// ---------------------------------------------------------------------------------------------------------------
// Vapi and Retell
// ---------------------------------------------------------------------------------------------------------------

/**
 * A Vapi "end-of-call-report" server message, shaped as its server SDK types describe it (ServerMessageEndOfCallReport,
 * Call, Artifact, the OpenAPI TwilioTransport). `assistantId: null` is a transient assistant's (the call names none).
 * The Twilio CallSid is in call.transport.callSid; `legacySid` also puts it in the deprecated phoneCallProviderId.
 */
export function vapiReport(o: {
  callId?: string;
  assistantId: string | null;
  customerNumber: string;
  businessNumber: string;
  twilioCallSid?: string;
  legacySid?: boolean;
  startedAt?: Date;
  seconds?: number;
  structuredData?: Record<string, unknown>;
  structuredOutputs?: Record<string, { name: string; result: unknown }>;
  summary?: string;
  endedReason?: string;
  customerName?: string;
}) {
  const started = o.startedAt ?? new Date(Date.now() - (o.seconds ?? 95) * 1000);
  const ended = new Date(started.getTime() + (o.seconds ?? 95) * 1000);
  const callId = o.callId ?? crypto.randomUUID();
  const sid = o.twilioCallSid ?? callSid();
  return {
    message: {
      timestamp: ended.getTime(),
      type: "end-of-call-report",
      endedReason: o.endedReason ?? "customer-ended-call",
      call: {
        id: callId,
        orgId: "5a1f0c1c-4a57-4e3b-9b42-0f2d6f3c1b11",
        createdAt: started.toISOString(),
        updatedAt: ended.toISOString(),
        type: "inboundPhoneCall",
        status: "ended",
        ...(o.assistantId !== null ? { assistantId: o.assistantId } : {}),
        phoneCallProvider: "twilio",
        phoneCallTransport: "pstn",
        ...(o.legacySid ? { phoneCallProviderId: sid } : {}),
        transport: { provider: "twilio", conversationType: "voice", accountSid: "AC5f4e3d2c1b0a99887766554433221100", callSid: sid },
        customer: { number: o.customerNumber, ...(o.customerName ? { name: o.customerName } : {}) },
        phoneNumberId: "9f0d2a57-9a0c-4e5c-8d66-3f1f2b8e1a22",
      },
      phoneNumber: { provider: "twilio", number: o.businessNumber, twilioAccountSid: "AC5f4e3d2c1b0a99887766554433221100" },
      customer: { number: o.customerNumber, ...(o.customerName ? { name: o.customerName } : {}) },
      startedAt: started.toISOString(),
      endedAt: ended.toISOString(),
      cost: 0.11,
      artifact: {
        transcript: "AI: Thanks for calling, how can I help?\nUser: I'd like a skin fade on Friday.\nAI: Booked you for Friday at 10.",
        messages: [
          { role: "bot", message: "Thanks for calling, how can I help?", time: started.getTime(), secondsFromStart: 0 },
          { role: "user", message: "I'd like a skin fade on Friday.", time: started.getTime() + 4000, secondsFromStart: 4 },
        ],
        recordingUrl: `https://storage.vapi.ai/${callId}-mono.wav`,
        ...(o.structuredOutputs ? { structuredOutputs: o.structuredOutputs, structuredOutputsLastUpdatedAt: ended.toISOString() } : {}),
      },
      analysis: {
        summary: o.summary ?? "The caller booked a skin fade for Friday at 10.",
        successEvaluation: "true",
        ...(o.structuredData ? { structuredData: o.structuredData } : {}),
      },
    },
  };
}

/**
 * Another Vapi server message about a live call (status-update, assistant-request, transfer-destination-request,
 * speech-update …), with the call, customer and phone number as Vapi sends them. `assistantId: null`: the call names
 * no assistant (assistant-request, transient assistants).
 */
export function vapiMessage(type: string, assistantId: string | null, o: {
  callId?: string; customerNumber?: string; businessNumber?: string; twilioCallSid?: string; extra?: Record<string, unknown>;
  startedAt?: Date; endedAt?: Date;
} = {}) {
  const customer = { number: o.customerNumber ?? phone() };
  return {
    message: {
      timestamp: Date.now(),
      type,
      call: {
        id: o.callId ?? crypto.randomUUID(),
        orgId: "5a1f0c1c-4a57-4e3b-9b42-0f2d6f3c1b11",
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
        type: "inboundPhoneCall",
        ...(assistantId !== null ? { assistantId } : {}),
        phoneCallProvider: "twilio",
        phoneCallTransport: "pstn",
        transport: { provider: "twilio", conversationType: "voice", accountSid: "AC5f4e3d2c1b0a99887766554433221100", callSid: o.twilioCallSid ?? callSid() },
        customer,
        phoneNumberId: "9f0d2a57-9a0c-4e5c-8d66-3f1f2b8e1a22",
        ...(o.startedAt ? { startedAt: o.startedAt.toISOString() } : {}),
        ...(o.endedAt ? { endedAt: o.endedAt.toISOString() } : {}),
      },
      phoneNumber: { provider: "twilio", number: o.businessNumber ?? phone(), twilioAccountSid: "AC5f4e3d2c1b0a99887766554433221100" },
      customer,
      ...(o.extra ?? {}),
    },
  };
}

export type VapiAuth = "x-vapi-secret" | "bearer" | "authorization" | "hmac";

/**
 * POSTs a Vapi server message the way one of its server credentials sends it: the legacy secret (X-Vapi-Secret), a
 * Bearer Token credential with or without its "Bearer " prefix, or an HMAC credential with Vapi's defaults
 * (HMAC-SHA256, hex, over "{timestamp}.{body}", in x-signature / x-timestamp).
 */
export async function postVapi(url: string, body: unknown, secret: string | null, how: VapiAuth = "x-vapi-secret", opts: { timestamp?: string } = {}) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (secret !== null) {
    if (how === "bearer") headers.authorization = `Bearer ${secret}`;
    else if (how === "authorization") headers.authorization = secret;
    else if (how === "hmac") {
      const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
      headers["x-timestamp"] = timestamp;
      headers["x-signature"] = await vapiHmacSignature(raw, secret, timestamp);
    } else headers["x-vapi-secret"] = secret;
  }
  return fetch(url, { method: "POST", headers, body: raw });
}

/** A Retell webhook event with its call object, shaped as Retell's SDK types describe it. */
export function retellEvent(event: string, o: {
  callId?: string;
  agentId: string;
  from: string;
  to: string;
  twilioCallSid?: string;
  seconds?: number;
  customAnalysis?: Record<string, unknown>;
  sentiment?: "Positive" | "Negative" | "Neutral" | "Unknown";
  disconnectionReason?: string;
}) {
  const end = Date.now() - 1000;
  const start = end - (o.seconds ?? 130) * 1000;
  return {
    event,
    call: {
      call_type: "phone_call",
      call_id: o.callId ?? `call_${randomBytes(12).toString("hex")}`,
      agent_id: o.agentId,
      agent_version: 3,
      call_status: "ended",
      direction: "inbound",
      from_number: o.from,
      to_number: o.to,
      start_timestamp: start,
      end_timestamp: end,
      duration_ms: end - start,
      disconnection_reason: o.disconnectionReason ?? "user_hangup",
      transcript: "Agent: Hi, this is Springfield Insurance.\nUser: I need to file a claim for my car.\n",
      recording_url: `https://dxc03zgurdly9.cloudfront.net/${o.callId ?? "call"}/recording.wav`,
      telephony_identifier: o.twilioCallSid ? { twilio_call_sid: o.twilioCallSid } : undefined,
      metadata: {},
      ...(event === "call_analyzed"
        ? {
            call_analysis: {
              call_summary: "The caller reported a minor collision and asked for a claims appointment.",
              in_voicemail: false,
              user_sentiment: o.sentiment ?? "Neutral",
              call_successful: true,
              custom_analysis_data: o.customAnalysis ?? {},
            },
          }
        : {}),
    },
  };
}

export async function postRetell(url: string, body: unknown, apiKey: string | null, opts: { timestamp?: number; tamper?: (raw: string) => string } = {}) {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (apiKey !== null) headers["x-retell-signature"] = await retellSignature(raw, apiKey, opts.timestamp ?? Date.now());
  return fetch(url, { method: "POST", headers, body: opts.tamper ? opts.tamper(raw) : raw });
}

/** Retell's inbound webhook (docs.retellai.com/features/inbound-call-webhook): no call yet, only who calls whom. */
export function retellInbound(o: { from: string; to: string; agentId?: string }) {
  return {
    event: "call_inbound",
    call_inbound: { ...(o.agentId ? { agent_id: o.agentId, agent_version: 1 } : {}), from_number: o.from, to_number: o.to },
  };
}
