// The contract of the receptionist tool layer (see ./index.ts for the whole picture).
import type { Sql, Tx } from "../db/client.ts";

/** Which assistant is calling: Vapi and Retell voice agents, an MCP client, the WhatsApp assistant, an LLM assistant. */
export type ToolSource = "vapi" | "retell" | "mcp" | "whatsapp" | "llm";
export const TOOL_SOURCES = ["vapi", "retell", "mcp", "whatsapp", "llm"] as const;

/**
 * Who is asking, as *server code* has verified it — never what the model said.
 *
 * - `tenantId`: the business the request resolved to (the agent's tenant for Vapi/Retell, the channel's for WhatsApp,
 *   the API key's for MCP).
 * - `customerId`, `callerPhone`, `callId`, `conversationId`: whatever the server knows about the caller. `callId` and
 *   `conversationId` are Frontdesk's own ids (public.calls.id, public.conversations.id), not the provider's. Each is
 *   checked against `tenantId` in SQL; an id of another business is simply not found. A withheld caller id
 *   ("anonymous", Twilio's +266696687 …) never finds or creates a customer: pass it along, it is ignored.
 * - `toolCallId`: the provider's id of this tool call: Vapi's `message.toolCallList[].id` (the same id on a retry);
 *   Retell's custom functions carry none, so derive one that a retry repeats (e.g. call_id + name + the arguments'
 *   hash); MCP's JSON-RPC request id is per connection, so prefix it with the session. A call that changes something
 *   is done once per (source, toolCallId): a retry answers the stored result with `replayed: true`. Omit it and
 *   every call acts.
 */
export interface ToolContext {
  tenantId: string;
  source: ToolSource;
  customerId?: string | null;
  callerPhone?: string | null;
  callId?: string | null;
  conversationId?: string | null;
  toolCallId?: string | null;
}

export interface RunToolOptions {
  /** The pool to use (default: the function's own, db()). */
  sql?: Sql;
  /** Run inside this transaction instead (already `frontdesk_webhook`, e.g. a WhatsApp assistant turn). */
  tx?: Tx;
  /** "Now", for reading "today" and "tomorrow" (default: the clock). The database still refuses past slots by its own clock. */
  now?: Date;
}

/** What the words were taken to mean, so the model can repeat it back ("Skin Fade with Luis, Sat 6 Dec 10:00 AM"). */
export interface Resolved {
  service?: string;
  staff?: string | null;
  starts_at?: string;
  /** starts_at on the business's wall clock, e.g. "Sat 6 Dec 10:00 AM". */
  when?: string;
  from?: string;
  to?: string;
  part_of_day?: string | null;
  booking?: string;
}

export interface ToolIssue { path: string; message: string }

/**
 * Every tool answers this, never an exception for anything the model did (bad arguments, unknown names, a taken
 * slot): `ok` false with `error.code` and a `message` that says what went wrong and what to do next.
 */
export interface ToolResult {
  ok: boolean;
  tool: string;
  /** One or two sentences for the model: what happened, what to tell the caller or do next. */
  message: string;
  resolved?: Resolved;
  /** The tool's own answer (slots, booking, business, profile …), timestamps as ISO 8601 strings. */
  data?: Record<string, unknown>;
  error?: { code: string; issues?: ToolIssue[] };
  /** This tool call id had been answered before; nothing was done again. */
  replayed?: boolean;
}
