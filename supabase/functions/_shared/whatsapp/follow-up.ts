// What happens after Meta has its 200: the assistant answers each new message the customer wrote to the business
// (in order; never a reaction, an edit, a revoke, a system message or a group message: `answerable`), then the
// outbox of each tenant involved is drained. A business that asks for it (tenant settings `whatsapp.mark_read`) has
// the message marked read, with the typing indicator, when the bot is about to answer it (never when it stays
// quiet). Failures here lose nothing: replies are queued rows, and anything unsent stays due for the next drain (the
// next delivery, or the scheduled POST /whatsapp-webhook/outbox).
import { runAssistantTurn } from "../assistant/run.ts";
import { db, type Sql } from "../db/client.ts";
import { env } from "../env.ts";
import type { EncryptionKey } from "../secrets/crypto.ts";
import { whatsappConfig } from "./config.ts";
import { markReadWithTyping } from "./graph.ts";
import type { IngestResult, NewMessage } from "./ingest.ts";
import { channelToken, drainOutbox } from "./outbox.ts";

/** The new messages the assistant answers. */
export const answerable = (result: IngestResult): NewMessage[] => result.new_messages.filter((m) => m.answerable !== false);

async function markRead(m: NewMessage, opts: { sql?: Sql; key?: EncryptionKey }): Promise<void> {
  if (!m.mark_read || !m.provider_message_id || !m.phone_number_id || !m.channel_id) return;
  const token = await channelToken(m.tenant_id, m.channel_id, opts.sql, opts.key).catch(() => undefined);
  if (token) await markReadWithTyping(whatsappConfig().graphUrl, m.phone_number_id, token, m.provider_message_id);
}

export async function replyAndSend(result: IngestResult, opts: { sql?: Sql; key?: EncryptionKey } = {}): Promise<void> {
  const sql = opts.sql ?? db();
  // WHATSAPP_ASSISTANT=off: a platform that answers with its own bot (or a benchmark of ingestion alone).
  if (env("WHATSAPP_ASSISTANT") === "off") return;
  const replied = new Set<string>();
  for (const m of answerable(result)) {
    try {
      const { messageIds } = await runAssistantTurn(sql, { tenantId: m.tenant_id, conversationId: m.conversation_id, messageId: m.message_id });
      if (messageIds.length > 0) {
        // The bot is about to answer (its replies are queued, sent just below): read receipt and typing indicator.
        await markRead(m, { sql, key: opts.key });
        replied.add(m.tenant_id);
      }
    } catch (err) {
      console.error("[assistant]", m.message_id, err);
    }
  }
  // Only where this delivery queued something; older due messages are the scheduled drain's job.
  for (const tenantId of replied) {
    await drainOutbox({ sql, key: opts.key, onlyTenant: tenantId }).catch((err) => console.error("[outbox]", err));
  }
}
