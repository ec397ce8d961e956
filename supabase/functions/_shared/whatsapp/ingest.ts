// Store a verified delivery raw, then apply it exactly once in one transaction (private.whatsapp_apply), as the
// least-privileged webhook role. The result lists the messages that are new, for the replies that follow.
import { asWebhook, type Sql } from "../db/client.ts";

export interface NewMessage { tenant_id: string; conversation_id: string; message_id: string }
export interface IngestResult { delivery_id: number; new_messages: NewMessage[]; duplicates: number; statuses: number; unroutable: number }

/**
 * signerChannelId: the channel whose own Meta app signed the delivery (null: the platform's app). What it vouches for
 * is decided by whatsapp_apply against routing as it stands when applied, so a replay never trusts stale rights.
 */
export async function ingestDelivery(body: unknown, signerChannelId: string | null, sql?: Sql): Promise<IngestResult> {
  // Recorded on its own first, so a delivery that fails to apply is still kept for replay.
  const deliveryId = await asWebhook(async (tx) => {
    const [row] = await tx`select private.record_delivery('whatsapp', ${tx.json(body as never)}, ${signerChannelId}) as id`;
    return Number(row.id);
  }, sql);
  return applyDelivery(deliveryId, body, signerChannelId, sql);
}

export async function applyDelivery(deliveryId: number, body: unknown, signerChannelId: string | null, sql?: Sql): Promise<IngestResult> {
  return asWebhook(async (tx) => {
    const [row] = await tx`select private.whatsapp_apply(${deliveryId}, ${tx.json(body as never)}, ${signerChannelId}) as result`;
    return { delivery_id: deliveryId, ...(row.result as Omit<IngestResult, "delivery_id">) };
  }, sql);
}
