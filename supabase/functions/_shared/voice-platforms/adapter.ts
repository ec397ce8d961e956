// AI voice platforms (Vapi, Retell) report each finished call to the call-events function. Each platform has an
// adapter that knows its envelope (which event, which agent), how it authenticates (against the agent's own
// secret), and how its end-of-call report maps onto one platform-neutral EndOfCallReport, which
// private.voice_call_report() stores. Adding a platform is adding an adapter.
import { z } from "zod";

export type Platform = "vapi" | "retell";
/** The agent credential a platform authenticates with (private.agent_secrets.name). */
export type AgentSecretName = "webhook_secret" | "api_key";

export type CallStatus = "completed" | "busy" | "no_answer" | "failed" | "canceled";
export type Sentiment = "positive" | "neutral" | "negative" | "mixed";
export const MEMORY_KINDS = ["fact", "preference", "event", "relationship", "note", "follow_up"] as const;
export type MemoryKind = (typeof MEMORY_KINDS)[number];
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

/** What the request is about, read before it is authenticated (only to find whose secret to check it with). */
export interface Envelope { event: string; isReport: boolean; platformAgentId: string }

export interface VoicePlatformAdapter {
  platform: Platform;
  secretName: AgentSecretName;
  /** The event and the platform's agent id; throws a 400 HttpError when the body is not this platform's. */
  envelope(body: unknown): Envelope;
  /** Whether the request proves knowledge of the agent's secret (over the raw body, for signatures). */
  authenticate(headers: Headers, rawBody: string, secret: string, now?: number): Promise<boolean>;
  /** The report, normalized; only called for an authenticated report event. Throws a 400 HttpError when malformed. */
  normalize(body: unknown): EndOfCallReport;
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
  if (typeof item === "string") return text(item) ? { content: text(item)!.slice(0, 4000), kind: "fact", importance: 5 } : null;
  const m = memoryObject.safeParse(item);
  if (!m.success) return null;
  const content = text(m.data.content) ?? text(m.data.text) ?? text(m.data.memory);
  if (!content) return null;
  const kindRaw = (m.data.kind ?? m.data.type ?? "").toLowerCase().replace(/[\s-]+/g, "_");
  const kind = (MEMORY_KINDS as readonly string[]).includes(kindRaw) ? (kindRaw as MemoryKind) : "fact";
  const n = Number(m.data.importance);
  const importance = Number.isFinite(n) ? Math.min(10, Math.max(1, Math.round(n))) : 5;
  return { content: content.slice(0, 4000), kind, importance };
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

/** An E.164 number, or null (web calls, SIP addresses, withheld numbers). */
export const e164 = (v: unknown): string | null => (typeof v === "string" && /^\+[1-9]\d{6,14}$/.test(v) ? v : null);

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
