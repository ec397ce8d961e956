// The receptionist tool layer (_shared/tools/) on the voice platforms: what a caller asks for during the call.
//
//   vapiHandlers     "tool-calls" and the older "function-call", after the request proved the agent's secret (so the
//                    verified agent's tenant is the only business a tool may touch). Followed:
//                    * VapiAI/server-sdk-typescript src/api/types: ServerMessageToolCalls {toolCallList: ToolCall[],
//                      toolWithToolCallList: [{type: "function", function, server, toolCall: ToolCall}], call,
//                      customer, phoneNumber}; ToolCall {id, type, function: {name, arguments}} (arguments a JSON
//                      string there, an object in docs.vapi.ai "Custom Tools", whose example also puts name and
//                      arguments on the item itself: every form is read); ServerMessageResponseToolCalls {results:
//                      ToolCallResult[] {name, toolCallId, result?, error?}, error?}; Server {url, timeoutSeconds
//                      (default 20), credentialId};
//                    * docs.vapi.ai "Server events", Function Calling: {"message": {"type": "function-call",
//                      "functionCall": {"name", "parameters": "<JSON string>"}}} answered {"result": …}.
//                    Independent calls in one message run concurrently, each bounded (TOOL_TIMEOUT_MS) well inside
//                    Vapi's 20 s server timeout; one call that fails or times out is answered with an `error` for
//                    its id while the others are answered normally.
//   retellHandlers   Retell's custom functions (docs.retellai.com "Custom Function"; CustomTool in RetellAI/
//                    retell-typescript-sdk src/resources/llm.ts): POSTed as {name, args, call} to the function URL,
//                    signed with x-retell-signature like every webhook. The function URL is the agent's webhook URL
//                    (…/call-events/retell): retell.ts reads a body with `name` and `call` and no `event` as the
//                    event RETELL_FUNCTION_EVENT. The arguments are read from `args` (the documented body; a
//                    function with args_at_root on sends them elsewhere, in a shape Retell does not document).
//                    Answered 200 with the tool's result as the JSON body, which Retell hands to its model.
//   vapiAssistantTools
//                    The tools of a transient Vapi assistant (assistant-request without a platform assistant id): one
//                    Vapi function tool per receptionist tool, from toolDefinitions(), with server.url at this
//                    server's call-events/vapi and the agent's Vapi credential (config.vapi_credential_id) if set.
//
// The caller comes from the call, as the platform describes it (never from the model's arguments): the call is
// recorded as in progress (private.voice_call_event, idempotent per provider call id: the report later completes the
// same row), which answers Frontdesk's call id and the caller's customer; a withheld or web caller has none. With one
// tool call in the request that happens in the tool's own transaction (runTool's opts.tx), so a round trip costs the
// caller one transaction after authentication.
import { z } from "zod";
import { asWebhook, type Tx } from "../db/client.ts";
import { env } from "../env.ts";
import { HttpError } from "../http/errors.ts";
import { validation } from "../http/parse.ts";
import { json } from "../http/respond.ts";
import { runTool, toolDefinitions, type ToolContext, type ToolResult } from "../tools/index.ts";
import { type CallEvent, e164, type EventHandler, type HandlerContext, type VerifiedAgent } from "./adapter.ts";
import { callFacts } from "./vapi.ts";

export interface AssistantToolsContext {
  agent: VerifiedAgent;
  /** Where call-events is reachable from the platform (…/functions/v1), for the tools' server URL. */
  publicBaseUrl: string | null;
}

export interface ToolHooks {
  vapiHandlers: Record<string, EventHandler>;
  retellHandlers: Record<string, EventHandler>;
  vapiAssistantTools(ctx: AssistantToolsContext): Promise<unknown[]>;
}

/** The event name retell.ts gives a custom function call (its body has no `event`). */
export const RETELL_FUNCTION_EVENT = "custom_function";

/**
 * How long one tool call may take before it is answered as an error (Vapi's server timeout defaults to 20 s):
 * VOICE_TOOL_TIMEOUT_MS, 8 s by default.
 */
export const TOOL_TIMEOUT_MS = 8_000;
const toolTimeoutMs = () => {
  const n = Number(env("VOICE_TOOL_TIMEOUT_MS"));
  return Number.isFinite(n) && n > 0 ? n : TOOL_TIMEOUT_MS;
};
/** At most this many tool calls of one message are run. */
const MAX_CALLS = 16;

// ---------------------------------------------------------------------------------------------------------------
// Running tools
// ---------------------------------------------------------------------------------------------------------------

type Outcome = { result: ToolResult } | { error: string };

/** One tool call, bounded in time; an outage or a timeout is an error for this call only. */
async function bounded(name: string, work: () => Promise<ToolResult>): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({
      error: `${name} took too long to answer. Tell the caller you are checking, then call list_appointments before trying again.`,
    }), toolTimeoutMs());
  });
  try {
    return await Promise.race([work().then((result): Outcome => ({ result })), timeout]);
  } catch (err) {
    console.error(`tool ${name} failed`, err);
    return { error: `${name} is unavailable right now. Apologise, and offer to take a message with take_message.` };
  } finally {
    clearTimeout(timer);
  }
}

type Caller = Pick<ToolContext, "callId" | "customerId" | "callerPhone">;

/** Records the call as in progress (idempotent per provider call id) and answers its id and the caller's customer. */
async function recordCall(tx: Tx, agent: VerifiedAgent, platform: "vapi" | "retell", event: CallEvent): Promise<{ callId: string; customerId: string | null }> {
  const [row] = await tx`select private.voice_call_event(${agent.tenant_id}, ${agent.agent_id}, ${platform}, ${tx.json(event as never)}) as r`;
  const r = row.r as { call_id: string; customer_id: string | null };
  return { callId: r.call_id, customerId: r.customer_id };
}

/**
 * Runs the tool calls of one message for the call `event`. One call (the usual case): the call is recorded and the
 * tool run in one transaction, one round trip fewer on the caller's time. Several: the call first, then the tools
 * concurrently, each in its own transaction.
 */
async function runCalls(
  agent: VerifiedAgent, platform: "vapi" | "retell", event: CallEvent | null, callerPhone: string | null,
  calls: { name: string; args: unknown; toolCallId: string | null }[], opts: HandlerContext["opts"],
): Promise<Outcome[]> {
  const base = { tenantId: agent.tenant_id, source: platform } as const;
  if (calls.length === 1) {
    const [c] = calls;
    return [await bounded(c.name, () => asWebhook(async (tx) => {
      const caller: Caller = event ? { ...(await recordCall(tx, agent, platform, event)), callerPhone } : { callerPhone };
      return runTool({ ...base, ...caller, toolCallId: c.toolCallId }, c.name, c.args, { tx });
    }, opts.sql))];
  }
  const caller: Caller = event ? { ...(await asWebhook((tx) => recordCall(tx, agent, platform, event), opts.sql)), callerPhone } : { callerPhone };
  return Promise.all(calls.map((c) => bounded(c.name, () => runTool({ ...base, ...caller, toolCallId: c.toolCallId }, c.name, c.args, { sql: opts.sql }))));
}

/** The model reads the whole result: its message, what was resolved, and the data (slot times to book with …). */
const resultText = (r: ToolResult) => JSON.stringify(r);

/** A stable id for a call that names none (Vapi's function-call, Retell): a retry of the same call repeats it. */
async function derivedCallId(parts: unknown[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(parts)));
  return Array.from(new Uint8Array(digest).slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------------------------------------------------------
// Vapi
// ---------------------------------------------------------------------------------------------------------------

const party = z.looseObject({ number: z.string().optional(), name: z.string().optional() }).optional();
const phoneNumber = z.looseObject({ number: z.string().optional(), twilioPhoneNumber: z.string().optional() }).optional();
const vapiCall = z.looseObject({
  id: z.string().min(1).max(200),
  type: z.string().optional(),
  assistantId: z.string().optional(),
  phoneCallProvider: z.string().optional(),
  phoneCallProviderId: z.string().optional(),
  transport: z.looseObject({ provider: z.string().optional(), callSid: z.string().optional() }).optional(),
  customer: party,
  phoneNumber,
  startedAt: z.string().optional(),
});

const fn = z.looseObject({ name: z.string().optional(), arguments: z.unknown().optional(), parameters: z.unknown().optional() });
const toolCall = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  name: z.string().optional(),
  arguments: z.unknown().optional(),
  parameters: z.unknown().optional(),
  function: fn.optional(),
});

const vapiToolCalls = z.looseObject({
  message: z.looseObject({
    type: z.literal("tool-calls"),
    call: vapiCall.optional(),
    customer: party,
    phoneNumber,
    toolCallList: z.array(z.unknown()).optional(),
    toolWithToolCallList: z.array(z.unknown()).optional(),
  }),
});

const vapiFunctionCall = z.looseObject({
  message: z.looseObject({
    type: z.literal("function-call"),
    call: vapiCall.optional(),
    customer: party,
    phoneNumber,
    functionCall: z.looseObject({ name: z.string().min(1).max(200), parameters: z.unknown().optional(), arguments: z.unknown().optional() }),
  }),
});

interface PendingCall { id: string; name: string | null; args: unknown }

/** The tool calls of a tool-calls message: toolCallList, else each toolWithToolCallList item's toolCall. */
export function vapiToolCallsOf(message: { toolCallList?: unknown[]; toolWithToolCallList?: unknown[] }): PendingCall[] {
  const items = message.toolCallList?.length
    ? message.toolCallList
    : (message.toolWithToolCallList ?? []).map((t) => (t && typeof t === "object" ? (t as { toolCall?: unknown }).toolCall : undefined));
  const out: PendingCall[] = [];
  for (const item of items) {
    const parsed = toolCall.safeParse(item);
    if (!parsed.success || !parsed.data.id) continue; // nothing to answer it by
    const c = parsed.data;
    const name = c.function?.name ?? c.name ?? null;
    const args = c.function?.arguments ?? c.function?.parameters ?? c.arguments ?? c.parameters ?? {};
    out.push({ id: c.id!, name: typeof name === "string" && name.trim() ? name.trim() : null, args });
  }
  return out;
}

type VapiMessage = { call?: z.infer<typeof vapiCall>; customer?: z.infer<typeof party>; phoneNumber?: z.infer<typeof phoneNumber> };

/** The live call a Vapi message is about, as a call event (in progress), and the caller's number. */
function vapiCaller(m: VapiMessage): { event: CallEvent | null; callerPhone: string | null } {
  if (!m.call) return { event: null, callerPhone: e164(m.customer?.number) };
  const facts = callFacts({ call: m.call, customer: m.customer, phoneNumber: m.phoneNumber });
  const startedAt = m.call.startedAt && Number.isFinite(Date.parse(m.call.startedAt)) ? new Date(m.call.startedAt).toISOString() : null;
  return {
    event: {
      provider_call_id: facts.provider_call_id, telephony_call_sid: facts.telephony_call_sid, direction: facts.direction,
      from_number: facts.from_number, to_number: facts.to_number, caller_withheld: facts.caller_withheld,
      status: "in_progress", started_at: startedAt, ended_at: null, duration_seconds: null,
    },
    callerPhone: facts.customerNumber,
  };
}

const vapiToolCallsHandler: EventHandler = async ({ agent, body, opts }) => {
  const parsed = vapiToolCalls.safeParse(body);
  if (!parsed.success) throw validation(parsed.error);
  const m = parsed.data.message;
  const calls = vapiToolCallsOf(m);
  if (calls.length === 0) {
    throw new HttpError(400, "invalid_input", "invalid request: message.toolCallList: the message carries no tool call with an id");
  }
  const { event, callerPhone } = vapiCaller(m);
  const named = calls.slice(0, MAX_CALLS).filter((c): c is PendingCall & { name: string } => c.name !== null);
  const outcomes = await runCalls(agent, "vapi", event, callerPhone, named.map((c) => ({ name: c.name, args: c.args, toolCallId: c.id })), opts);
  const byId = new Map<PendingCall, Outcome>(named.map((c, i) => [c, outcomes[i]]));
  const results = calls.slice(0, MAX_CALLS).map((c) => {
    const name = c.name ?? "(unnamed)";
    const outcome = byId.get(c);
    if (!outcome) return { name, toolCallId: c.id, error: "The tool call names no function." };
    return "result" in outcome
      ? { name, toolCallId: c.id, result: resultText(outcome.result) }
      : { name, toolCallId: c.id, error: outcome.error };
  });
  for (const c of calls.slice(MAX_CALLS)) {
    results.push({ name: c.name ?? "(unnamed)", toolCallId: c.id, error: `Too many tool calls at once: call at most ${MAX_CALLS}.` });
  }
  return json({ results });
};

const vapiFunctionCallHandler: EventHandler = async ({ agent, body, opts }) => {
  const parsed = vapiFunctionCall.safeParse(body);
  if (!parsed.success) throw validation(parsed.error);
  const m = parsed.data.message;
  const { name } = m.functionCall;
  const args = m.functionCall.parameters ?? m.functionCall.arguments ?? {};
  const { event, callerPhone } = vapiCaller(m);
  const toolCallId = m.call ? `fc_${await derivedCallId([m.call.id, name, args])}` : null;
  const [outcome] = await runCalls(agent, "vapi", event, callerPhone, [{ name, args, toolCallId }], opts);
  return json("result" in outcome ? { result: resultText(outcome.result) } : { result: JSON.stringify({ ok: false, tool: name, message: outcome.error }) });
};

/** One Vapi function tool per receptionist tool (CreateFunctionToolDto: type, function {name, description, parameters}, server). */
export function vapiTools(agent: VerifiedAgent, publicBaseUrl: string | null): Record<string, unknown>[] {
  const credentialId = typeof agent.config.vapi_credential_id === "string" ? agent.config.vapi_credential_id : undefined;
  const server = publicBaseUrl
    ? { server: { url: `${publicBaseUrl.replace(/\/$/, "")}/call-events/vapi`, timeoutSeconds: 20, ...(credentialId ? { credentialId } : {}) } }
    : {};
  return toolDefinitions().map((d) => ({
    type: "function",
    async: false,
    function: { name: d.name, description: d.description, parameters: d.parameters },
    ...server,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Retell
// ---------------------------------------------------------------------------------------------------------------

const retellFunction = z.looseObject({
  name: z.string().min(1).max(200),
  args: z.unknown().optional(),
  call: z.looseObject({
    call_id: z.string().min(1).max(200),
    agent_id: z.string().min(1),
    direction: z.enum(["inbound", "outbound"]).optional(),
    from_number: z.string().optional(),
    to_number: z.string().optional(),
    start_timestamp: z.number().int().nonnegative().optional(),
    telephony_identifier: z.looseObject({ twilio_call_sid: z.string().optional() }).optional(),
  }),
});

const retellFunctionHandler: EventHandler = async ({ agent, body, opts }) => {
  const parsed = retellFunction.safeParse(body);
  if (!parsed.success) throw validation(parsed.error);
  const { name, call: c } = parsed.data;
  const args = parsed.data.args ?? {};
  const direction = c.direction ?? "inbound";
  const from = e164(c.from_number);
  const to = e164(c.to_number);
  const event: CallEvent = {
    provider_call_id: c.call_id, telephony_call_sid: c.telephony_identifier?.twilio_call_sid ?? null, direction,
    from_number: from, to_number: to, caller_withheld: false, status: "in_progress",
    started_at: c.start_timestamp !== undefined ? new Date(c.start_timestamp).toISOString() : null, ended_at: null, duration_seconds: null,
  };
  // Retell sends no id for a function call and retries a failed one up to twice: the same call, name and arguments
  // are the same tool call.
  const toolCallId = `rf_${await derivedCallId([c.call_id, name, args])}`;
  const [outcome] = await runCalls(agent, "retell", event, direction === "inbound" ? from : to, [{ name, args, toolCallId }], opts);
  return json("result" in outcome ? outcome.result : { ok: false, tool: name, message: outcome.error, error: { code: "unavailable" } });
};

export const toolHooks: ToolHooks = {
  vapiHandlers: { "tool-calls": vapiToolCallsHandler, "function-call": vapiFunctionCallHandler },
  retellHandlers: { [RETELL_FUNCTION_EVENT]: retellFunctionHandler },
  vapiAssistantTools: ({ agent, publicBaseUrl }) => Promise.resolve(vapiTools(agent, publicBaseUrl)),
};
