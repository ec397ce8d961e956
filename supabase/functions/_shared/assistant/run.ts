// One assistant turn for one inbound message, in ONE transaction as frontdesk_webhook: read the message (which
// serialises turns per conversation) and the context, let the assistant respond (its bookings and cancellations
// happen in this transaction too), then record the opt-out change, save the state, and queue the replies. If
// anything fails, nothing happened: no booking without its confirmation, no confirmation without its booking.
import type postgres from "postgres";
import { asWebhook, type Sql } from "../db/client.ts";
import { perBusinessAssistant } from "./choose.ts";
import { createTools } from "./tools.ts";
import type { Assistant, AssistantContext, AssistantTurn, InboundMessage } from "./types.ts";
import { replyProblems } from "./whatsapp.ts";

export interface TurnRef {
  tenantId: string;
  conversationId: string;
  messageId: string;
}

export interface TurnResult {
  turn: AssistantTurn;
  /** The queued outbound messages, in the order of turn.replies. */
  messageIds: string[];
  /** The message had been answered already (a retried job): nothing was done. */
  duplicate: boolean;
}

// The runner's own corner of bot_state: the last messages it answered, so a retry after a commit answers nothing
// twice. Assistants never see it.
const HANDLED = "_handled_messages";
const REMEMBER = 20;

function split(botState: Record<string, unknown>): { handled: string[]; state: Record<string, unknown> } {
  const { [HANDLED]: raw, ...state } = botState ?? {};
  return { handled: Array.isArray(raw) ? raw.filter((x): x is string => typeof x === "string") : [], state };
}

export async function runAssistantTurn(sql: Sql, ref: TurnRef, assistant: Assistant = perBusinessAssistant): Promise<TurnResult> {
  const { tenantId, conversationId, messageId } = ref;
  return await asWebhook(async (tx) => {
    const [{ message }] = await tx<{ message: InboundMessage | null }[]>`
      select private.assistant_message(${tenantId}, ${conversationId}, ${messageId}) as message`;
    if (!message) throw new Error(`no inbound message ${messageId} in conversation ${conversationId}`);
    const [{ context }] = await tx<{ context: AssistantContext | null }[]>`
      select private.assistant_context(${tenantId}, ${conversationId}) as context`;
    if (!context) throw new Error(`no conversation ${conversationId} in tenant ${tenantId}`);

    const { handled, state } = split(context.conversation.bot_state);
    if (handled.includes(messageId)) {
      return { turn: { replies: [], state, handover: null, optOut: null }, messageIds: [], duplicate: true };
    }
    const ctx: AssistantContext = { ...context, conversation: { ...context.conversation, bot_state: state } };
    const turn = await assistant.respond(ctx, message, createTools(tx, ctx));

    // Refuse here what Meta would refuse later, when nobody could tell the customer anymore.
    for (const reply of turn.replies) {
      const problems = replyProblems(reply);
      if (problems.length > 0) throw new Error(`the assistant's reply would be rejected by WhatsApp: ${problems.join("; ")}`);
    }

    // Opt-out first: START must be recorded before its welcome is queued, STOP before its confirmation.
    if (turn.optOut !== null && turn.optOut !== undefined) {
      await tx`select private.assistant_set_opt_out(${tenantId}, ${ctx.customer.id}, ${turn.optOut})`;
    }
    const saved = { ...turn.state, [HANDLED]: [...handled, messageId].slice(-REMEMBER) };
    await tx`select private.assistant_save(${tenantId}, ${conversationId}, ${tx.json(saved as postgres.JSONValue)},
                                           ${turn.handover ?? null}::boolean)`;
    const messageIds: string[] = [];
    for (const reply of turn.replies) {
      const [{ id }] = await tx<{ id: string }[]>`
        select private.queue_outbound(${tenantId}, ${conversationId}, ${reply.type}::public.message_type, ${reply.body},
                                      ${tx.json(reply.payload as postgres.JSONValue)}) as id`;
      messageIds.push(id);
    }
    return { turn, messageIds, duplicate: false };
  }, sql);
}
