// Vapi's server messages. Followed:
//   * docs.vapi.ai "Server events" (VapiAI/docs fern/server-url/events.mdx): every message is POSTed as
//     {"message": {"type": …, "call": {…}, "phoneNumber": {…}, "customer": {…}, …}}; the ones that expect an
//     answer (assistant-request, transfer-destination-request, tool-calls) are answered in the response body;
//   * the server SDK's generated types (VapiAI/server-sdk-typescript src/api/types): ServerMessageEndOfCallReport;
//     Artifact {transcript, recordingUrl, recording, structuredOutputs: {<id>: {name, result}} — the shape
//     fern/assistants/structured-outputs.mdx reads}; Analysis {summary, structuredData, successEvaluation};
//     Call {id, type, assistantId, customer, phoneNumber, phoneCallProvider, phoneCallProviderId (deprecated),
//     transport: TwilioTransport {provider: "twilio", accountSid, callSid} in the OpenAPI schema}; phone numbers
//     {provider, number}; ServerMessageStatusUpdate {status: scheduled | queued | ringing | in-progress |
//     forwarding | ended, endedReason}; ServerMessageResponseAssistantRequest {assistantId | assistant,
//     assistantOverrides {variableValues}, error}; ServerMessageResponseTransferDestinationRequest
//     {destination: TransferDestinationNumber {type: "number", number, message}, error};
//   * docs.vapi.ai "Server authentication" (fern/server-url/server-authentication.mdx) and HmacAuthenticationPlan:
//     a Bearer Token credential is sent in `Authorization`, with or without the "Bearer " prefix (its "Include
//     Bearer Prefix" option); the legacy inline `secret` as `X-Vapi-Secret`; an HMAC credential signs
//     `{timestamp}.{body}` by default (payloadFormat) with sha256 | sha512 | sha1, hex by default (signatureEncoding),
//     an optional signaturePrefix, in `x-signature` with the timestamp in `x-timestamp` (their defaults). Every
//     form carries the agent's webhook_secret here; an agent whose HMAC credential differs from the defaults says
//     how in config.vapi_hmac {signature_header, timestamp_header, signature_prefix, payload_format, algorithm,
//     encoding, secret_is_base64} (payload_format may use {body}, {timestamp}, {method}; not {url} or {svix-id}),
//     and a Bearer Token credential sent in another header than Authorization names it in config.vapi_token_header.
import { z } from "zod";
import { languageOf } from "../assistant/i18n.ts";
import { HttpError } from "../http/errors.ts";
import { voicePublicBaseUrl } from "../twilio/config.ts";
import { validation } from "../http/parse.ts";
import { json } from "../http/respond.ts";
import {
  type AuthOptions, type CallEvent, e164, type EndOfCallReport, type EventHandler, fromStructuredData, fromStructuredOutputs,
  type HandlerContext, type LiveCallStatus, secondsBetween, secretsEqual, type CallStatus, type Envelope, type VoicePlatformAdapter,
} from "./adapter.ts";
import { type AssistantContext, applyCallEvent, assistantContext, callerVariables, storeReport } from "./store.ts";
import { toolHooks } from "./tool-hooks.ts";

const customer = z.looseObject({ number: z.string().optional(), name: z.string().optional() }).optional();
// Vapi's phone numbers: `number` (every provider in the current SDK); `twilioPhoneNumber` in older payloads.
const phoneNumber = z.looseObject({ number: z.string().optional(), twilioPhoneNumber: z.string().optional() }).optional();
const iso = z.string().refine((s) => Number.isFinite(Date.parse(s)), "expected an ISO 8601 date-time");

const call = z.looseObject({
  id: z.string().min(1).max(200),
  type: z.string().optional(),
  assistantId: z.string().optional(),
  phoneCallProvider: z.string().optional(),
  phoneCallProviderId: z.string().optional(),
  transport: z.looseObject({ provider: z.string().optional(), callSid: z.string().optional() }).optional(),
  customer,
  phoneNumber,
  startedAt: iso.optional(),
  endedAt: iso.optional(),
});

const envelope = z.looseObject({
  message: z.looseObject({
    type: z.string().min(1),
    call: z.looseObject({ assistantId: z.string().optional(), phoneNumber }).optional(),
    phoneNumber,
  }),
});

const artifact = z.looseObject({
  transcript: z.string().optional(),
  recordingUrl: z.string().optional(),
  recording: z.looseObject({ mono: z.looseObject({ combinedUrl: z.string().optional() }).optional() }).optional(),
  structuredOutputs: z.record(z.string(), z.unknown()).optional(),
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
    artifact: artifact.optional(),
    analysis: z.looseObject({
      summary: z.string().optional(),
      structuredData: z.record(z.string(), z.unknown()).optional(),
      successEvaluation: z.union([z.string(), z.boolean(), z.number()]).optional(),
    }).optional(),
  }),
});

export const statusUpdate = z.looseObject({
  message: z.looseObject({
    type: z.literal("status-update"),
    status: z.string().min(1),
    endedReason: z.string().optional(),
    timestamp: z.number().optional(),
    call,
    customer,
    phoneNumber,
  }),
});

/** The messages that name the call and its parties: assistant-request, transfer-destination-request, … */
const callMessage = z.looseObject({
  message: z.looseObject({ type: z.string(), call: call.optional(), customer, phoneNumber }),
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

/** A status-update's status → ours. "forwarding" is still a call in progress. */
export function liveStatus(status: string, endedReason?: string): LiveCallStatus {
  switch (status) {
    case "scheduled": case "queued": return "queued";
    case "ringing": return "ringing";
    case "in-progress": case "forwarding": return "in_progress";
    case "ended": return statusFromEndedReason(endedReason);
    default: throw new HttpError(400, "invalid_input", `invalid request: message.status: unknown call status "${status}"`);
  }
}

type CallShape = z.infer<typeof call>;
type Party = z.infer<typeof customer>;
type Phone = z.infer<typeof phoneNumber>;

const numberOf = (p: Phone) => e164(p?.number ?? p?.twilioPhoneNumber);

/**
 * Who and what a message is about: the call ids (Twilio's CallSid from call.transport.callSid, or the deprecated
 * phoneCallProviderId), the direction and both numbers (the business's is the Vapi phone number).
 */
export function callFacts(m: { call: CallShape; customer?: Party; phoneNumber?: Phone }) {
  const outbound = m.call.type === "outboundPhoneCall";
  const customerNumber = e164(m.customer?.number ?? m.call.customer?.number);
  const businessNumber = numberOf(m.phoneNumber) ?? numberOf(m.call.phoneNumber);
  const transport = m.call.transport;
  const twilio = transport?.provider === "twilio" || (!transport?.provider && m.call.phoneCallProvider === "twilio");
  return {
    provider_call_id: m.call.id,
    telephony_call_sid: (twilio ? transport?.callSid : undefined)
      ?? (m.call.phoneCallProvider === "twilio" ? m.call.phoneCallProviderId : undefined) ?? null,
    direction: outbound ? "outbound" as const : "inbound" as const,
    from_number: outbound ? businessNumber : customerNumber,
    to_number: outbound ? customerNumber : businessNumber,
    caller_withheld: false,
    customerNumber,
    businessNumber,
  };
}

// -------------------------------------------------------------------------------------------------------------
// Authentication
// -------------------------------------------------------------------------------------------------------------

/** How an agent's Vapi HMAC credential signs (config.vapi_hmac), with Vapi's defaults. */
const hmacConfig = z.looseObject({
  signature_header: z.string().min(1).default("x-signature"),
  timestamp_header: z.string().min(1).default("x-timestamp"),
  signature_prefix: z.string().optional(),
  payload_format: z.string().optional(),
  algorithm: z.enum(["sha256", "sha512", "sha1"]).optional(),
  encoding: z.enum(["hex", "base64"]).optional(),
  secret_is_base64: z.boolean().default(false),
});
export type VapiHmacConfig = z.input<typeof hmacConfig>;

/** How far an HMAC credential's timestamp may be from our clock. */
export const VAPI_HMAC_TOLERANCE_MS = 5 * 60 * 1000;
const HASH_BY_BYTES: Record<number, string> = { 20: "SHA-1", 32: "SHA-256", 64: "SHA-512" };
const HASH_BY_NAME: Record<string, string> = { sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" };

function decodeSignature(value: string, encoding?: "hex" | "base64"): Uint8Array<ArrayBuffer> | undefined {
  if (encoding !== "base64" && /^(?:[0-9a-f]{2})+$/i.test(value)) {
    return Uint8Array.from({ length: value.length / 2 }, (_, i) => parseInt(value.slice(i * 2, i * 2 + 2), 16));
  }
  if (encoding !== "hex" && /^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) {
    return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
  }
  return undefined;
}

function hmacPayload(format: string, body: string, timestamp: string | null, method: string): string {
  return format.replace(/\{(body|timestamp|method)\}/g, (_, k) => (k === "body" ? body : k === "timestamp" ? timestamp ?? "" : method));
}

/** Vapi's HMAC signature over a raw body (for tests and local tools): what an HMAC credential with these settings sends. */
export async function vapiHmacSignature(
  rawBody: string, secret: string, timestamp: string | null, opts: { algorithm?: "sha256" | "sha512" | "sha1"; encoding?: "hex" | "base64"; prefix?: string; payloadFormat?: string } = {},
): Promise<string> {
  const hash = HASH_BY_NAME[opts.algorithm ?? "sha256"];
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash }, false, ["sign"]);
  const format = opts.payloadFormat ?? (timestamp === null ? "{body}" : "{timestamp}.{body}");
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(hmacPayload(format, rawBody, timestamp, "POST"))));
  const encoded = opts.encoding === "base64" ? btoa(String.fromCharCode(...mac)) : Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
  return (opts.prefix ?? "") + encoded;
}

export async function verifyVapiHmac(headers: Headers, rawBody: string, secret: string, config: VapiHmacConfig = {}, now = Date.now()): Promise<boolean> {
  const c = hmacConfig.safeParse(config ?? {});
  if (!c.success) return false;
  const cfg = c.data;
  let signature = (headers.get(cfg.signature_header) ?? "").trim();
  if (!signature) return false;
  if (cfg.signature_prefix) {
    if (!signature.startsWith(cfg.signature_prefix)) return false;
    signature = signature.slice(cfg.signature_prefix.length);
  } else {
    signature = signature.replace(/^(?:sha1|sha256|sha512|v1)=/i, "");
  }
  const timestamp = headers.get(cfg.timestamp_header);
  const format = cfg.payload_format ?? (timestamp === null ? "{body}" : "{timestamp}.{body}");
  if (format.includes("{timestamp}")) {
    // Seconds or milliseconds since the epoch, within five minutes of now: a captured request cannot be replayed later.
    if (timestamp === null || !/^\d{1,16}$/.test(timestamp.trim())) return false;
    const n = Number(timestamp.trim());
    const ms = n < 1e11 ? n * 1000 : n;
    if (Math.abs(now - ms) > VAPI_HMAC_TOLERANCE_MS) return false;
  }
  const digest = decodeSignature(signature, cfg.encoding);
  const hash = cfg.algorithm ? HASH_BY_NAME[cfg.algorithm] : digest && HASH_BY_BYTES[digest.length];
  if (!digest || !hash) return false;
  const keyBytes = cfg.secret_is_base64 ? Uint8Array.from(atob(secret), (ch) => ch.charCodeAt(0)) : new TextEncoder().encode(secret);
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash }, false, ["verify"]);
  return crypto.subtle.verify("HMAC", key, digest, new TextEncoder().encode(hmacPayload(format, rawBody, timestamp, "POST")));
}

async function authenticate(headers: Headers, raw: string, secret: string, opts: AuthOptions = {}): Promise<boolean> {
  const shared = headers.get("x-vapi-secret");
  // A Bearer Token credential sends the token with or without "Bearer ", in Authorization unless the credential
  // names another header (the agent's config.vapi_token_header).
  const tokenOf = (value: string | null | undefined) => {
    const v = value?.trim();
    return v ? (/^Bearer\s+(.+)$/i.exec(v)?.[1] ?? v) : undefined;
  };
  const custom = typeof opts.config?.vapi_token_header === "string" ? opts.config.vapi_token_header.toLowerCase() : null;
  const tokens = [tokenOf(headers.get("authorization")), custom && custom !== "authorization" && custom !== "x-vapi-secret" ? tokenOf(headers.get(custom)) : undefined];
  const given = [shared, ...tokens].filter((v): v is string => typeof v === "string" && v.trim() !== "");
  const hmac = (opts.config?.vapi_hmac ?? {}) as VapiHmacConfig;
  const signed = headers.has(hmac.signature_header ?? "x-signature");
  if (given.length === 0 && !signed) return false;
  // Every credential present must be right, so a right value in one cannot carry a wrong value in another.
  let ok = true;
  for (const value of given) ok = (await secretsEqual(value.trim(), secret)) && ok;
  if (signed) ok = (await verifyVapiHmac(headers, raw, secret, hmac, opts.now)) && ok;
  return ok;
}

// -------------------------------------------------------------------------------------------------------------
// Handlers
// -------------------------------------------------------------------------------------------------------------

function normalize(body: unknown): EndOfCallReport {
  const parsed = endOfCallReport.safeParse(body);
  if (!parsed.success) throw validation(parsed.error);
  const m = parsed.data.message;
  // Structured outputs (what Vapi's call-analysis docs now recommend) first, then the older analysisPlan data.
  const outputs = fromStructuredOutputs(m.artifact?.structuredOutputs);
  const structuredData = m.analysis?.structuredData ?? {};
  const data = fromStructuredData({ ...structuredData, ...outputs });
  const facts = callFacts(m);
  const startedAt = m.startedAt ?? m.call.startedAt ?? null;
  const endedAt = m.endedAt ?? m.call.endedAt ?? null;
  const evaluation = m.analysis?.successEvaluation;
  return {
    provider_call_id: facts.provider_call_id,
    telephony_call_sid: facts.telephony_call_sid,
    direction: facts.direction,
    from_number: facts.from_number,
    to_number: facts.to_number,
    caller_withheld: facts.caller_withheld,
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
      ...(m.artifact?.structuredOutputs ? { structuredOutputs: m.artifact.structuredOutputs } : {}),
      ...(m.endedReason ? { endedReason: m.endedReason } : {}),
    },
  };
}

/** A status-update as a live call event. */
export function statusEvent(body: unknown): CallEvent {
  const parsed = statusUpdate.safeParse(body);
  if (!parsed.success) throw validation(parsed.error);
  const m = parsed.data.message;
  const status = liveStatus(m.status, m.endedReason);
  const facts = callFacts(m);
  const at = m.timestamp !== undefined && Number.isFinite(m.timestamp) ? new Date(m.timestamp).toISOString() : null;
  const startedAt = m.call.startedAt ? new Date(m.call.startedAt).toISOString() : status === "in_progress" ? at : null;
  const terminal = m.status === "ended";
  const endedAt = terminal ? (m.call.endedAt ? new Date(m.call.endedAt).toISOString() : at) : null;
  return {
    provider_call_id: facts.provider_call_id,
    telephony_call_sid: facts.telephony_call_sid,
    direction: facts.direction,
    from_number: facts.from_number,
    to_number: facts.to_number,
    caller_withheld: facts.caller_withheld,
    status,
    started_at: startedAt,
    ended_at: endedAt,
    duration_seconds: terminal ? secondsBetween(startedAt, endedAt) : null,
  };
}

function parseCallMessage(body: unknown) {
  const parsed = callMessage.safeParse(body);
  if (!parsed.success) throw validation(parsed.error);
  const m = parsed.data.message;
  return {
    customerNumber: e164(m.customer?.number ?? m.call?.customer?.number),
    businessNumber: numberOf(m.phoneNumber) ?? numberOf(m.call?.phoneNumber),
  };
}

// Vapi voice providers by our voices.provider (public.voices); others are left to the assistant's default voice.
const VAPI_VOICE: Record<string, string> = {
  elevenlabs: "11labs", openai: "openai", azure: "azure", cartesia: "cartesia", deepgram: "deepgram", playht: "playht",
};

const DEFAULT_PROMPT = {
  en: (b: string) => `You are the friendly receptionist of ${b}. Answer questions about the business, help callers book, move or cancel appointments, take a message, or hand the call to a person when they ask. Keep answers short: this is a phone call.`,
  es: (b: string) => `Eres la recepcionista amable de ${b}. Responde preguntas sobre el negocio, ayuda a reservar, cambiar o cancelar citas, toma un mensaje o pasa la llamada a una persona cuando lo pidan. Respuestas breves: es una llamada telefónica.`,
};
const CALLER_CONTEXT = {
  en: "What we know about the caller (empty when nothing): name: {{caller_name}}; upcoming bookings: {{upcoming_bookings}}; last call: {{last_call_summary}}.",
  es: "Lo que sabemos de quien llama (vacío si nada): nombre: {{caller_name}}; próximas citas: {{upcoming_bookings}}; última llamada: {{last_call_summary}}.",
};
const GREETING = {
  en: (b: string) => `Thank you for calling ${b}. How can I help you?`,
  es: (b: string) => `Gracias por llamar a ${b}. ¿En qué puedo ayudarle?`,
};
const TRANSFERRING = { en: "Let me put you through to a person. One moment, please.", es: "Le paso con una persona. Un momento, por favor." };
const NO_TRANSFER = {
  en: "Nobody can take the call right now: offer to take a message instead.",
  es: "Nadie puede atender la llamada ahora: ofrezca tomar un mensaje.",
};

/**
 * The transient assistant for an agent with no Vapi assistant of its own, from its prompt, greeting, language and
 * voice (agent.config.model {provider, model} picks the model; OpenAI's gpt-4o by default), plus the tools the tool
 * layer offers (tool-hooks.ts). Prompt and greeting may use the caller variables ({{caller_name}} …).
 */
export function transientAssistant(ctx: AssistantContext, tools: unknown[]): Record<string, unknown> {
  const lang = languageOf(ctx.agent.language ?? ctx.business.language);
  const model = (ctx.agent.config?.model ?? {}) as { provider?: unknown; model?: unknown };
  const prompt = `${ctx.agent.system_prompt?.trim() || DEFAULT_PROMPT[lang](ctx.business.name)}\n\n${CALLER_CONTEXT[lang]}`;
  const voiceProvider = ctx.voice ? VAPI_VOICE[ctx.voice.provider] : undefined;
  return {
    name: ctx.agent.name.slice(0, 40),
    firstMessage: ctx.agent.greeting?.trim() || GREETING[lang](ctx.business.name),
    model: {
      provider: typeof model.provider === "string" ? model.provider : "openai",
      model: typeof model.model === "string" ? model.model : "gpt-4o",
      messages: [{ role: "system", content: prompt }],
      ...(tools.length > 0 ? { tools } : {}),
    },
    ...(voiceProvider && ctx.voice ? { voice: { provider: voiceProvider, voiceId: ctx.voice.provider_voice_id } } : {}),
    transcriber: { provider: "deepgram", model: "nova-2", language: lang },
    metadata: { frontdesk_agent_id: ctx.agent.id },
  };
}

/** VOICE_PUBLIC_BASE_URL (or SUPABASE_URL/functions/v1), where the platforms reach our functions; null when unset. */
function configuredBaseUrl(): string | null {
  try {
    return voicePublicBaseUrl();
  } catch {
    return null;
  }
}

const reportHandler: EventHandler = async ({ agent, body, opts }) => {
  const result = await storeReport(agent, "vapi", normalize(body), opts.sql);
  return json({ received: true, ...result });
};

const statusHandler: EventHandler = async ({ agent, body, opts }) => {
  const result = await applyCallEvent(agent, "vapi", statusEvent(body), opts.sql);
  return json({ received: true, ...result });
};

const assistantRequest: EventHandler = async (c: HandlerContext) => {
  const { customerNumber } = parseCallMessage(c.body);
  const ctx = await assistantContext(c.agent, customerNumber, false, c.opts.sql);
  const assistantOverrides = { variableValues: callerVariables(ctx) };
  if (ctx.agent.platform_agent_id) return json({ assistantId: ctx.agent.platform_agent_id, assistantOverrides });
  const tools = await toolHooks.vapiAssistantTools({ agent: c.agent, publicBaseUrl: c.opts.publicBaseUrl ?? configuredBaseUrl() });
  return json({ assistant: transientAssistant(ctx, tools), assistantOverrides });
};

const transferRequest: EventHandler = async (c: HandlerContext) => {
  const { customerNumber } = parseCallMessage(c.body);
  const ctx = await assistantContext(c.agent, customerNumber, false, c.opts.sql);
  const lang = languageOf(ctx.agent.language ?? ctx.business.language);
  if (!ctx.transfer_number) return json({ error: NO_TRANSFER[lang] });
  return json({ destination: { type: "number", number: ctx.transfer_number, message: TRANSFERRING[lang] } });
};

export const vapi: VoicePlatformAdapter = {
  platform: "vapi",
  secretName: "webhook_secret",

  envelope(body: unknown): Envelope {
    const parsed = envelope.safeParse(body);
    if (!parsed.success) throw validation(parsed.error);
    const m = parsed.data.message;
    const platformAgentId = m.call?.assistantId || null;
    const number = numberOf(m.phoneNumber) ?? numberOf(m.call?.phoneNumber);
    if (!platformAgentId && !number) {
      throw new HttpError(400, "invalid_input",
        "invalid request: message.call.assistantId: the message names no assistant, and no phone number (message.phoneNumber.number) to route it by");
    }
    return { event: m.type, platformAgentId, number };
  },

  authenticate,
  normalize,

  handlers: {
    "end-of-call-report": reportHandler,
    "status-update": statusHandler,
    "assistant-request": assistantRequest,
    "transfer-destination-request": transferRequest,
  },
  extraHandlers: () => toolHooks.vapiHandlers,
};
