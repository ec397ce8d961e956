// The LLM assistant: the second implementation of `Assistant` (types.ts). It talks to any OpenAI-compatible Chat
// Completions endpoint (../llm/chat.ts) and acts only through the receptionist tool layer (../tools/index.ts),
// scoped by server code to the conversation's business and customer: the model never sees or passes a tenant id.
//
// Per turn, in this order:
//   1. what must never depend on a model goes to the menu assistant: an opted-out customer, STOP/START, a
//      conversation handed to staff, a closed 24-hour window, a reaction or an unreadable message, a tapped menu
//      option, a business not in LLM mode (settings.assistant.mode), no endpoint configured, the plan's monthly
//      allowance of assistant turns used up;
//   2. the context: the business (hours, closures, services with prices and durations, team, address, its own
//      instructions), the customer (profile, memories, upcoming bookings), the latest messages, now in the business's
//      time zone — read through the same SQL the tools use, for this business only, without ids or secrets;
//   3. at most `maxRounds` model calls within `timeoutMs`, each tool call run in the turn's transaction. Booking,
//      rescheduling and cancelling are confirmed first: the first time the model asks for one, it is tried and rolled
//      back (so the model learns what it would do, or why it cannot), and the customer is asked to confirm with
//      buttons; only if the very next customer message leads the model to the same call is it done;
//   4. anything going wrong with the model (unreachable, slow, unusable, too many rounds) rolls back everything the
//      model's tools wrote this turn (a savepoint) and the menu assistant answers the message instead.
// Tokens in and out are recorded per turn (usage assistant_tokens, and assistant_turns for answered turns).
import type { Tx } from "../db/client.ts";
import { env } from "../env.ts";
import { chatCompletion, type ChatMessage, type FunctionTool, type LlmConfig, LlmError, type ToolCall } from "../llm/chat.ts";
import type { EncryptionKey } from "../secrets/crypto.ts";
import { readTenantSecret } from "../secrets/tenant-secrets.ts";
import { runTool, toolDefinitions, type ToolName, type ToolResult } from "../tools/index.ts";
import { bookingAssistant } from "./booking-assistant.ts";
import { formatWhen, languageOf } from "./i18n.ts";
import { parseOption } from "./ids.ts";
import { readInput } from "./intent.ts";
import type { Assistant, AssistantContext, AssistantTools, AssistantTurn, InboundMessage, OutboundReply } from "./types.ts";
import { buttons, clamp, LIMITS, text } from "./whatsapp.ts";

const HOUR = 3_600_000;
const WINDOW_MS = 24 * HOUR;

/** settings.assistant, as a business sets it (free-form jsonb: every field checked here). */
export interface AssistantSettings {
  mode: "llm" | "menu";
  instructions: string | null;
  languages: string[];
  model: string | null;
}

export function assistantSettings(settings: Record<string, unknown> | null | undefined): AssistantSettings {
  const raw = settings?.assistant;
  const a = raw && typeof raw === "object" && !Array.isArray(raw) ? raw as Record<string, unknown> : {};
  const str = (v: unknown, max: number) => (typeof v === "string" && v.trim() !== "" ? clamp(v, max) : null);
  const persona = [str(a.persona, 1000), str(a.instructions, 3000)].filter(Boolean).join("\n");
  return {
    mode: a.mode === "llm" ? "llm" : "menu",
    instructions: persona || null,
    languages: Array.isArray(a.languages) ? a.languages.filter((l): l is string => typeof l === "string" && /^[a-z]{2,3}(-[A-Za-z]{2})?$/.test(l)).slice(0, 5) : [],
    model: str(a.model, 200),
  };
}

/** Platform configuration (function secrets), read per turn. */
export function platformLlmConfig(): Partial<LlmConfig> {
  return { baseUrl: env("FRONTDESK_LLM_BASE_URL"), apiKey: env("FRONTDESK_LLM_API_KEY") ?? null, model: env("FRONTDESK_LLM_MODEL") };
}

export interface LlmAssistantOptions {
  /** The platform endpoint (default: FRONTDESK_LLM_BASE_URL / _API_KEY / _MODEL). */
  config?: () => Partial<LlmConfig>;
  /** Who answers when the model cannot (default: the menu assistant). */
  fallback?: Assistant;
  /** Model calls per turn at most (default FRONTDESK_LLM_MAX_ROUNDS or 4). */
  maxRounds?: number;
  /** The whole turn's budget for the model, in ms (default FRONTDESK_LLM_TIMEOUT_MS or 15000). */
  timeoutMs?: number;
  /** The clock (today, the 24-hour window). */
  now?: () => Date;
  /** The key that decrypts a business's own API key (default: the platform key). */
  key?: EncryptionKey;
  /** Called with why a turn fell back to the menu (logs, tests). */
  onFallback?: (reason: string) => void;
}

/** What the assistant keeps between turns in bot_state (its own corner; the menu's keys are left alone). */
interface Pending { tool: ToolName; args: string; summary: string }
const PENDING = "llm_pending";

/** Tools that change something: asked to confirm before they are done. */
const CONFIRM = new Set<string>(["book_appointment", "reschedule_appointment", "cancel_appointment"]);

const YES = "llm:yes";
const NO = "llm:no";

/** A canonical form of the model's arguments, so "the same call" means the same meaning, not the same spacing. */
function canonical(args: string): string {
  try {
    const v = JSON.parse(args || "{}");
    if (!v || typeof v !== "object" || Array.isArray(v)) return String(args);
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== null && x !== undefined && x !== "")
      .map(([k, x]) => [k, typeof x === "string" ? x.trim().toLowerCase() : x] as const)
      .sort(([a], [b]) => a.localeCompare(b));
    return JSON.stringify(Object.fromEntries(entries));
  } catch {
    return String(args);
  }
}

class Fallback extends Error {}

export function createLlmAssistant(options: LlmAssistantOptions = {}): Assistant {
  const fallback = options.fallback ?? bookingAssistant;
  const now = options.now ?? (() => new Date());
  const config = options.config ?? platformLlmConfig;
  const maxRounds = options.maxRounds ?? Number(env("FRONTDESK_LLM_MAX_ROUNDS") ?? 4);
  const timeoutMs = options.timeoutMs ?? Number(env("FRONTDESK_LLM_TIMEOUT_MS") ?? 15_000);

  const menu = (ctx: AssistantContext, message: InboundMessage, tools: AssistantTools, reason: string) => {
    options.onFallback?.(reason);
    const { [PENDING]: _, ...state } = ctx.conversation.bot_state ?? {};
    return fallback.respond({ ...ctx, conversation: { ...ctx.conversation, bot_state: state } }, message, tools);
  };

  return {
    async respond(ctx, message, tools) {
      const at = now();
      const tx = tools.tx;
      const settings = assistantSettings(ctx.tenant.settings);
      const input = readInput(message);
      const keyword = input.kind === "text" ? input.keyword : null;
      const last = ctx.conversation.last_inbound_at ? Date.parse(ctx.conversation.last_inbound_at) : NaN;
      // 1. Never the model's decision (STOP is never even shown to it).
      if (!tx || settings.mode !== "llm") return menu(ctx, message, tools, "menu mode");
      if (ctx.customer.opted_out_at || keyword === "stop" || keyword === "start") return menu(ctx, message, tools, "opt-out");
      if (ctx.conversation.handed_over_at || !(at.getTime() - last < WINDOW_MS)) return menu(ctx, message, tools, "quiet");
      if (input.kind === "reaction" || input.kind === "other") return menu(ctx, message, tools, "not text");
      if (input.kind === "choice" && input.id !== YES && input.id !== NO && parseOption(input.id) !== null) {
        return menu(ctx, message, tools, "menu option");
      }
      const platform = config();
      const model = settings.model ?? platform.model;
      if (!platform.baseUrl || !model) return menu(ctx, message, tools, "no endpoint configured");
      const [{ ok }] = await tx<{ ok: boolean }[]>`select private.within_limit(${ctx.tenant.id}, 'assistant_turns', 1)
                                                         and private.within_limit(${ctx.tenant.id}, 'assistant_tokens', 1) as ok`;
      if (!ok) return menu(ctx, message, tools, "plan limit");
      let ownKey: string | undefined;
      try {
        ownKey = await readTenantSecret(tx, ctx.tenant.id, "llm_api_key", options.key);
      } catch (err) {
        // Their key no longer decrypts (the platform key was rotated): the menu, never the platform's key in its place.
        return menu(ctx, message, tools, `the business's own key is unreadable: ${(err as Error).message}`);
      }
      const llm: LlmConfig = { baseUrl: platform.baseUrl, model, apiKey: ownKey ?? platform.apiKey ?? null };

      const usage = { tokens: 0 };
      try {
        const turn = await tx.savepoint((sp) => converse(sp as unknown as Tx, ctx, message, llm, settings, at, usage));
        await tx`select private.assistant_llm_usage(${ctx.tenant.id}, ${message.id}, true, ${usage.tokens})`;
        return turn;
      } catch (err) {
        if (!(err instanceof LlmError) && !(err instanceof Fallback)) throw err;
        // The model's writes are undone (the savepoint); what it cost is still recorded.
        await tx`select private.assistant_llm_usage(${ctx.tenant.id}, ${message.id}, false, ${usage.tokens})`;
        return menu(ctx, message, tools, `${err.name}: ${err.message}`);
      }
    },
  };

  async function converse(
    tx: Tx, ctx: AssistantContext, message: InboundMessage, llm: LlmConfig, settings: AssistantSettings, at: Date,
    usage: { tokens: number },
  ): Promise<AssistantTurn> {
    const deadline = Date.now() + timeoutMs;
    const toolCtx = { tenantId: ctx.tenant.id, source: "llm" as const, customerId: ctx.customer.id, conversationId: ctx.conversation.id };
    const run = (name: string, args: unknown, toolCallId: string | null, sql: Tx = tx) =>
      runTool({ ...toolCtx, toolCallId }, name, args, { tx: sql, now: at });

    const messages: ChatMessage[] = [
      { role: "system", content: await systemPrompt(ctx, settings, at, run) },
      ...(await history(tx, ctx, message)),
      { role: "user", content: customerText(message) },
    ];
    // What the previous turn asked the customer to confirm; a tap on "No" declines it.
    const tapped = readInput(message);
    let pending = tapped.kind === "choice" && tapped.id === NO ? null : readPending(ctx.conversation.bot_state?.[PENDING]);
    let proposed: Pending | null = null;
    let handover = false;

    for (let round = 0; round < maxRounds; round++) {
      const left = deadline - Date.now();
      if (left <= 0) throw new LlmError("timeout", "the turn ran out of time");
      const signal = AbortSignal.timeout(left);
      const answer = await chatCompletion(llm, { messages, tools: TOOLS(), temperature: 0.2 }, signal);
      usage.tokens += answer.usage.prompt + answer.usage.completion;
      if (answer.toolCalls.length === 0) {
        const said = answer.content?.trim();
        if (!said) throw new Fallback("the model said nothing");
        return finish(ctx, said, proposed, handover);
      }
      messages.push({ role: "assistant", content: answer.content ?? null, tool_calls: answer.toolCalls });
      for (const call of answer.toolCalls) {
        const result = await act(call);
        if (result.tool === "transfer_to_human" && result.ok && result.data?.action === "handover") handover = true;
        messages.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify(forModel(result)) });
      }
      if (Date.now() > deadline) throw new LlmError("timeout", "the turn ran out of time");
    }
    throw new Fallback(`no answer after ${maxRounds} model calls`);

    async function act(call: ToolCall): Promise<ToolResult> {
      const name = call.function.name;
      const args = call.function.arguments;
      const toolCallId = `${message.id}:${call.id}`.slice(0, 200);
      if (!CONFIRM.has(name)) return run(name, args, toolCallId);
      const key = canonical(args);
      if (pending && pending.tool === name && pending.args === key) {
        pending = null; // confirmed once, done once: the same call again in this turn asks again
        return run(name, args, toolCallId);
      }
      // Not confirmed yet: try it and undo it, so the model can tell the customer exactly what it would do.
      let trial: ToolResult | undefined;
      await tx.savepoint(async (sp) => {
        trial = await run(name, args, null, sp as unknown as Tx);
        throw new Undo();
      }).catch((e) => {
        if (!(e instanceof Undo)) throw e;
      });
      if (!trial!.ok) return trial!;
      const summary = describe(trial!);
      proposed = { tool: name as ToolName, args: key, summary };
      return {
        ok: false, tool: name, error: { code: "needs_confirmation" }, resolved: trial!.resolved,
        message: `Not done yet: ask the customer to confirm (${summary}). Call ${name} again with the same arguments ` +
          "after they say yes in their next message; nothing changes until then.",
      };
    }
  }
}

class Undo extends Error {}

const TOOLS = (() => {
  let cached: FunctionTool[] | undefined;
  return () => (cached ??= toolDefinitions().map((d) => ({ type: "function" as const, function: d })));
})();

function readPending(raw: unknown): Pending | null {
  if (!raw || typeof raw !== "object") return null;
  const p = raw as Record<string, unknown>;
  return typeof p.tool === "string" && typeof p.args === "string" && typeof p.summary === "string"
    ? { tool: p.tool as ToolName, args: p.args, summary: p.summary } : null;
}

function describe(r: ToolResult): string {
  const x = r.resolved ?? {};
  if (r.tool === "cancel_appointment") return `cancel ${x.booking ?? "the booking"}`;
  if (r.tool === "reschedule_appointment") return `move ${x.booking ?? "the booking"} to ${x.when ?? x.starts_at}${x.staff ? ` with ${x.staff}` : ""}`;
  return `book ${x.service}${x.staff ? ` with ${x.staff}` : ""}, ${x.when ?? x.starts_at}`;
}

/** What a tool result tells the model: no ids of the business, the customer or the team (booking ids stay: the model needs them). */
function forModel(r: ToolResult): unknown {
  const strip = (v: unknown, depth = 0): unknown => {
    if (depth > 6 || v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((x) => strip(x, depth + 1));
    return Object.fromEntries(Object.entries(v as Record<string, unknown>)
      .filter(([k]) => !["tenant_id", "customer_id", "service_id", "staff_id", "conversation_id", "call_id", "caller_id", "customer"].includes(k))
      .filter(([k]) => !(k === "id" && depth > 0 && !("starts_at" in (v as Record<string, unknown>))))
      .map(([k, x]) => [k, strip(x, depth + 1)]));
  };
  return { ok: r.ok, message: r.message, ...(r.error ? { error: r.error.code } : {}), ...(r.resolved ? { resolved: r.resolved } : {}),
    ...(r.data ? { data: strip(r.data) } : {}) };
}

function finish(ctx: AssistantContext, said: string, proposed: Pending | null, handover: boolean): AssistantTurn {
  const { [PENDING]: _, ...state } = ctx.conversation.bot_state ?? {};
  const es = languageOf(ctx.tenant.settings?.language) === "es";
  let reply: OutboundReply;
  if (proposed && [...said].length <= LIMITS.buttonsBody) {
    reply = buttons(said, [{ id: YES, title: es ? "Sí, confirmar" : "Yes, confirm" }, { id: NO, title: es ? "No" : "No" }]);
  } else {
    reply = text(said);
  }
  return { replies: [reply], state: proposed ? { ...state, [PENDING]: proposed } : state, handover: handover || null, optOut: null };
}

function customerText(message: InboundMessage): string {
  const m = message.payload as Record<string, any>;
  const label = m?.interactive?.button_reply?.title ?? m?.interactive?.list_reply?.title ?? m?.button?.text ?? m?.text?.body ?? message.body ?? "";
  return clamp(String(label), 2000) || "(empty message)";
}

async function history(tx: Tx, ctx: AssistantContext, message: InboundMessage): Promise<ChatMessage[]> {
  const [{ h }] = await tx<{ h: { id: string; direction: string; body: string }[] }[]>`
    select private.assistant_history(${ctx.tenant.id}, ${ctx.conversation.id}, 13) as h`;
  return h.filter((m) => m.id !== message.id).slice(-12).map((m): ChatMessage =>
    m.direction === "inbound" ? { role: "user", content: clamp(m.body, 2000) } : { role: "assistant", content: clamp(m.body, 2000) });
}

type Run = (name: string, args: unknown, toolCallId: string | null) => Promise<ToolResult>;

async function systemPrompt(ctx: AssistantContext, settings: AssistantSettings, at: Date, run: Run): Promise<string> {
  const tz = ctx.tenant.timezone;
  const [info, profile] = await Promise.all([run("business_info", {}, null), run("caller_profile", {}, null)]);
  const b = (info.data ?? {}) as Record<string, any>;
  const p = (profile.data ?? {}) as Record<string, any>;
  const w = formatWhen("en", at, tz);
  const local = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23", weekday: "long" }).format(at);
  const languages = settings.languages.length ? settings.languages : [languageOf(ctx.tenant.settings?.language)];
  const context = {
    business: {
      name: b.business?.name ?? ctx.tenant.name, address: b.business?.address ?? null, phone: b.business?.phone ?? null, timezone: tz,
      hours_this_week: (b.week ?? []).map((d: any) => ({ day: d.day, label: d.label, hours: d.hours, closure: d.closure ?? null })),
      closures: b.closures ?? [],
      services: (b.services ?? []).map((s: any) => ({
        name: s.name, description: s.description ?? null, duration_minutes: s.duration_minutes,
        price: `${(s.price_cents / 100).toFixed(2)} ${s.currency}`, staff: s.staff,
      })),
      team: (b.staff ?? []).map((s: any) => ({ name: s.name, services: s.services })),
    },
    customer: p.known === false ? { known: false } : {
      name: p.name ?? ctx.customer.name ?? null,
      preferred_staff: p.customer?.preferred_staff ?? [], preferred_services: p.customer?.preferred_services ?? [],
      profile: p.profile ? { summary: p.profile.summary ?? null, preferences: p.profile.preferences ?? null } : null,
      memories: (p.memories ?? []).slice(0, 10).map((m: any) => m.content),
      recent_call_summaries: (p.recent_summaries ?? []).map((s: any) => s.summary),
      upcoming_bookings: (p.upcoming_bookings ?? []).map((x: any) => ({ booking_id: x.id, service: x.service, staff: x.staff, when: x.when, starts_at: x.starts_at })),
    },
    now: { local, date: w.date, time: w.time, timezone: tz, utc: at.toISOString() },
  };
  return [
    `You are the WhatsApp receptionist of ${context.business.name}. You talk with one customer of this business.`,
    `Answer in ${languages.join(" or ")} (the customer's language if it is one of these), briefly, as a friendly receptionist would on WhatsApp: short messages, no markdown tables.`,
    "Rules:",
    "- Availability and prices come only from the tools and the context below: never guess a free time or a price. Check availability with check_availability before offering times.",
    "- Booking, rescheduling and cancelling happen only after the customer confirms: say exactly what you will do and ask; the tools also ask you to confirm first.",
    "- Talk only about this customer and this business: never about other customers or other businesses.",
    "- If the customer asks for a person, call transfer_to_human. If you cannot help, offer to take a message.",
    "- Times are in the business's time zone. Today and now are given below.",
    settings.instructions ? `The business's own instructions:\n${settings.instructions}` : "",
    `Context (JSON):\n${JSON.stringify(context)}`,
  ].filter(Boolean).join("\n");
}

export const llmAssistant: Assistant = createLlmAssistant();
