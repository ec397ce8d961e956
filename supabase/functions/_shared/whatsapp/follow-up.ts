// What happens after Meta has its 200: the assistant answers each new message (in order), then the outbox of each
// tenant involved is drained. Failures here lose nothing: replies are queued rows, and anything unsent stays due
// for the next drain (the next delivery, or the scheduled POST /whatsapp-webhook/outbox).
import { runAssistantTurn } from "../assistant/run.ts";
import { db, type Sql } from "../db/client.ts";
import { env } from "../env.ts";
import type { EncryptionKey } from "../secrets/crypto.ts";
import type { IngestResult } from "./ingest.ts";
import { drainOutbox } from "./outbox.ts";

export async function replyAndSend(result: IngestResult, opts: { sql?: Sql; key?: EncryptionKey } = {}): Promise<void> {
  const sql = opts.sql ?? db();
  // WHATSAPP_ASSISTANT=off: a platform that answers with its own bot (or a benchmark of ingestion alone).
  if (env("WHATSAPP_ASSISTANT") === "off") return;
  const replied = new Set<string>();
  for (const m of result.new_messages) {
    try {
      const { messageIds } = await runAssistantTurn(sql, { tenantId: m.tenant_id, conversationId: m.conversation_id, messageId: m.message_id });
      if (messageIds.length > 0) replied.add(m.tenant_id);
    } catch (err) {
      console.error("[assistant]", m.message_id, err);
    }
  }
  // Only where this delivery queued something; older due messages are the scheduled drain's job.
  for (const tenantId of replied) {
    await drainOutbox({ sql, key: opts.key, onlyTenant: tenantId }).catch((err) => console.error("[outbox]", err));
  }
}
