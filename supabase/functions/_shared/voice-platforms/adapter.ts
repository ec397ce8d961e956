// AI voice platforms (Vapi, Retell) talk to the call-events function during and after each call. Each platform has
// an adapter that knows its envelope (which event; which agent, or which business number when it names no agent),
// how it authenticates (against the agent's own secret), and one handler per event type it answers (live call
// state, the assistant for an incoming call, a transfer, the end-of-call report); every other event is
// acknowledged. Events map onto platform-neutral shapes (CallEvent, EndOfCallReport) that one SQL function each
// stores. Adding a platform is adding an adapter; adding an event is adding a handler (see tool-hooks.ts for the
// ones the receptionist tool layer fills).
import { z } from "zod";
import type { Sql } from "../db/client.ts";
import { E164 } from "../phone/e164.ts";
import type { EncryptionKey } from "../secrets/crypto.ts";

export type Platform = "vapi" | "retell";
/** The agent credential a platform authenticates with (private.agent_secrets.name). */
export type AgentSecretName = "webhook_secret" | "api_key";

export type CallStatus = "completed" | "busy" | "no_answer" | "failed" | "canceled";
/** Every state a call can be in (public.call_status). */
export type LiveCallStatus = "queued" | "initiated" | "ringing" | "in_progress" | CallStatus;
export type Sentiment = "positive" | "neutral" | "negative" | "mixed";
export const MEMORY_KINDS = ["fact", "preference", "event", "relationship", "note", "follow_up"] as const;
export type MemoryKind = (typeof MEMORY_KINDS)[number];
/** The memories_content_size check (see ../memory/memory.ts): longer content is cut there. */
const MAX_CONTENT = 65536;
export const TRAITS = ["openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism"] as const;
export type Trait = (typeof TRAITS)[number];

export interface Memory { content: string; kind: MemoryKind; importance: number }

/** One finished call, whatever platform handled it (the keys private.voice_call_report reads). */
export interface EndOfCallReport {
  provider_call_id: string;
  /** Twilio's CallSid when the platform answered through the business's Twilio number: links the report to that call. */
  telephony_call_sid: string | null;
  direction: "inbound" | "outbound";
  from_number: string | null;
  to_number: string | null;
  /** The platform said the caller's id is hidden: nothing is looked up or stored for the caller. */
  caller_withheld: boolean;
  status: CallStatus;
  started_at: string | null;
  ended_at: string | null;
  duration_seconds: number | null;
  recording_url: string | null;
  summary: string | null;
  transcript: string | null;
  outcome: string | null;
  sentiment: Sentiment | null;
  caller_name: string | null;
  memories: Memory[];
  personality: Partial<Record<Trait, number>>;
  /** The platform's analysis as received, kept with the summary. */
  structured: Record<string, unknown>;
}

/** A live call's state as a platform reports it (the keys private.voice_call_event reads). */
export interface CallEvent {
  provider_call_id: string;
  telephony_call_sid: string | null;
  direction: "inbound" | "outbound";
  from_number: string | null;
  to_number: string | null;
  caller_withheld: boolean;
  status: LiveCallStatus;
  started_at: string | null;
  ended_at: string | null;
  duration_seconds: number | null;
}

/**
 * What the request is about, read before it is authenticated (only to find whose secret to check it with): the
 * platform's agent id when it names one, else the business number it was made to or from (a Vapi transient
 * assistant, Vapi's assistant-request, Retell's inbound webhook).
 */
export interface Envelope { event: string; platformAgentId: string | null; number: string | null }

/** The agent whose secret the request proved, and so the only business it may touch. */
export interface VerifiedAgent {
  tenant_id: string;
  agent_id: string;
  platform_agent_id: string | null;
  config: Record<string, unknown>;
  /** How it was found: by the platform's agent id, or by the business number (several agents may share it). */
  routedBy: "agent" | "number";
  /**
   * Every agent of that business the request proved, in order (by number: the channel's chosen agent first, flagged
   * `preferred`, then the oldest), this one first; by agent id, just this one.
   */
  siblings: { agent_id: string; platform_agent_id: string | null; preferred: boolean }[];
}

export interface CallEventOptions { sql?: Sql; key?: EncryptionKey; now?: number; publicBaseUrl?: string }

export interface HandlerContext {
  adapter: VoicePlatformAdapter;
  body: unknown;
  raw: string;
  agent: VerifiedAgent;
  envelope: Envelope;
  opts: CallEventOptions;
}

/** Answers one authenticated event of a platform, in that platform's response format. */
export type EventHandler = (ctx: HandlerContext) => Promise<Response>;

export interface AuthOptions { now?: number; config?: Record<string, unknown> }

export interface VoicePlatformAdapter {
  platform: Platform;
  secretName: AgentSecretName;
  /** The event and whom it names; throws a 400 HttpError when the body is not this platform's. */
  envelope(body: unknown): Envelope;
  /** Whether the request proves knowledge of the agent's secret (over the raw body, for signatures). */
  authenticate(headers: Headers, rawBody: string, secret: string, opts?: AuthOptions): Promise<boolean>;
  /** The report, normalized; only called for an authenticated report event. Throws a 400 HttpError when malformed. */
  normalize(body: unknown): EndOfCallReport;
  /** The events this platform's adapter answers; any other is acknowledged with 200 and no effect. */
  handlers: Record<string, EventHandler>;
  /** The events answered by the receptionist tool layer (tool-hooks.ts), looked up after `handlers`. */
  extraHandlers(): Record<string, EventHandler>;
}

// ---------------------------------------------------------------------------------------------------------------
// The structured data convention. Both platforms let a business define what their post-call analysis extracts
// (Vapi: assistant.analysisPlan.structuredDataSchema → analysis.structuredData; Retell: post-call analysis
// categories → call_analysis.custom_analysis_data). Frontdesk reads these keys from it when present:
//   memories     array of strings or {content, kind?, importance?}; or one text, one memory per line
//   personality  {openness, conscientiousness, extraversion, agreeableness, neuroticism}, each 0..1
//                (or flat keys personality_openness …, since Retell's categories are flat)
//   caller_name  the caller's name as they gave it
//   outcome      what came of the call ("booked", "callback requested", …)
//   sentiment    positive | neutral | negative | mixed
// ---------------------------------------------------------------------------------------------------------------

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);

const memoryObject = z.looseObject({
  content: z.string().optional(),
  text: z.string().optional(),
  memory: z.string().optional(),
  kind: z.string().optional(),
  type: z.string().optional(),
  importance: z.union([z.number(), z.string()]).optional(),
});

function memoryOf(item: unknown): Memory | null {
  if (typeof item === "string") return text(item) ? { content: text(item)!.slice(0, MAX_CONTENT), kind: "fact", importance: 5 } : null;
  const m = memoryObject.safeParse(item);
  if (!m.success) return null;
  const content = text(m.data.content) ?? text(m.data.text) ?? text(m.data.memory);
  if (!content) return null;
  const kindRaw = (m.data.kind ?? m.data.type ?? "").toLowerCase().replace(/[\s-]+/g, "_");
  const kind = (MEMORY_KINDS as readonly string[]).includes(kindRaw) ? (kindRaw as MemoryKind) : "fact";
  const n = Number(m.data.importance);
  const importance = Number.isFinite(n) ? Math.min(10, Math.max(1, Math.round(n))) : 5;
  return { content: content.slice(0, MAX_CONTENT), kind, importance };
}

/** The memories structured data names, in order; items that say nothing are dropped. */
export function memoriesFrom(value: unknown): Memory[] {
  const items = typeof value === "string" ? value.split(/\r?\n/).map((l) => l.replace(/^\s*[-*•]\s*/, "")) : Array.isArray(value) ? value : [];
  return items.map(memoryOf).filter((m): m is Memory => m !== null).slice(0, 100);
}

function trait(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 && n <= 1 ? Math.round(n * 1000) / 1000 : undefined;
}

export function personalityFrom(data: Record<string, unknown>): Partial<Record<Trait, number>> {
  const nested = data.personality && typeof data.personality === "object" ? (data.personality as Record<string, unknown>) : {};
  const out: Partial<Record<Trait, number>> = {};
  for (const t of TRAITS) {
    const value = trait(nested[t]) ?? trait(data[`personality_${t}`]);
    if (value !== undefined) out[t] = value;
  }
  return out;
}

export function sentimentOf(v: unknown): Sentiment | null {
  const s = typeof v === "string" ? v.trim().toLowerCase() : "";
  return s === "positive" || s === "neutral" || s === "negative" || s === "mixed" ? s : null;
}

/**
 * Vapi's structured outputs (artifact.structuredOutputs: {<output id>: {name, result}}), folded into the convention
 * above: an object result contributes its keys; any other result stands under its output's name, snake_cased
 * ("Caller Name" → caller_name), so an output named "memories" whose result is a list is the memories.
 * Earlier outputs win a key both carry; analysis.structuredData (the older analysisPlan) is read after them.
 */
export function fromStructuredOutputs(outputs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!outputs || typeof outputs !== "object" || Array.isArray(outputs)) return out;
  for (const entry of Object.values(outputs as Record<string, unknown>)) {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) continue;
    const { name, result } = entry as { name?: unknown; result?: unknown };
    if (result === undefined || result === null) continue;
    if (typeof result === "object" && !Array.isArray(result)) {
      for (const [k, v] of Object.entries(result as Record<string, unknown>)) if (!(k in out)) out[k] = v;
    } else if (typeof name === "string") {
      const key = name.trim().replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
      if (key && !(key in out)) out[key] = result;
    }
  }
  return out;
}

/** What the convention above finds in a platform's structured data. */
export function fromStructuredData(data: Record<string, unknown>) {
  return {
    memories: memoriesFrom(data.memories),
    personality: personalityFrom(data),
    callerName: text(data.caller_name) ?? text(data.callerName),
    outcome: text(data.outcome),
    sentiment: sentimentOf(data.sentiment),
  };
}

/** An E.164 number, or null (web calls, SIP addresses, "anonymous"). Whether it is callable the database decides. */
export const e164 = (v: unknown): string | null => (typeof v === "string" && E164.test(v) ? v : null);

/**
 * Whether a caller id is a real, callable number: the same rule as private.callable_number (which decides for every
 * stored path), for answers built before the database is asked, e.g. not greeting a withheld caller by anyone's name.
 */
export const WITHHELD_PLACEHOLDERS = ["+266696687", "+7378742833", "+8656696", "+2562533"] as const;
export const callableNumber = (v: unknown): v is string => e164(v) !== null && !(WITHHELD_PLACEHOLDERS as readonly string[]).includes(v as string);

/** Whole seconds between two ISO instants, when both are known and in order. */
export function secondsBetween(start: string | null, end: string | null): number | null {
  if (!start || !end) return null;
  const d = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(d) && d >= 0 ? Math.round(d) : null;
}

/**
 * Constant-time string equality (for shared-secret headers): both sides are hashed first, so neither the
 * comparison's time nor an early length mismatch reveals anything about the secret.
 */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", enc.encode(given)), crypto.subtle.digest("SHA-256", enc.encode(expected))]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}
