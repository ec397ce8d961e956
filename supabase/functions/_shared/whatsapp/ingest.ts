// Store a verified delivery raw and apply it exactly once, in one transaction and one statement
// (private.whatsapp_receive), as the least-privileged webhook role. Each item is applied on its own (one that cannot
// be is recorded as unprocessable, never losing the rest); if applying fails as a whole, the raw delivery is still
// stored, with the error, for `whatsapp:replay` (applyDelivery). The result lists the messages that are new, and
// which of them are for the bot to answer. The phones of the delivery's wa_ids are read here, with libphonenumber-js
// (whatsappPhones), and passed along: the SQL takes a customer's phone only from that map.
import { asWebhook, type Sql } from "../db/client.ts";
import { whatsappPhones } from "./phones.ts";

export interface NewMessage {
  tenant_id: string;
  conversation_id: string;
  message_id: string;
  channel_id?: string;
  phone_number_id?: string;
  /** Meta's wamid, for marking it read. */
  provider_message_id?: string;
  /**
   * Something the customer wrote to the business, for the assistant to answer. False for reactions, edits, revokes,
   * system messages (number changes, request_welcome …) and group messages; echoes and statuses are never listed.
   */
  answerable?: boolean;
  /** The business asks for inbound messages to be marked read (with a typing indicator) when the bot answers. */
  mark_read?: boolean;
}
export interface IngestResult {
  delivery_id: number;
  new_messages: NewMessage[];
  duplicates: number;
  statuses: number;
  unroutable: number;
  /** Echoes of what the business sent from its WhatsApp Business app, stored as outbound messages. */
  echoes?: number;
  /** Marketing preferences (user_preferences) applied. */
  preferences?: number;
  /** Items that could not be applied, kept in private.webhook_unprocessable with their reason. */
  unprocessable?: number;
  /**
   * False when applying failed as a whole: the raw delivery is stored, with the error (webhook_deliveries.error),
   * for a replay. Absent from replays (applyDelivery), which throw instead.
   */
  applied?: boolean;
  /** The SQLSTATE of that failure. */
  error?: string;
}

/**
 * signerChannelId: the channel whose own Meta app signed the delivery (null: the platform's app). What it vouches for
 * is decided by whatsapp_apply against routing as it stands when applied, so a replay never trusts stale rights.
 */
export async function ingestDelivery(body: unknown, signerChannelId: string | null, sql?: Sql): Promise<IngestResult> {
  return asWebhook(async (tx) => {
    const phones = whatsappPhones(body);
    const [row] = await tx`select private.whatsapp_receive(${tx.json(body as never)}, ${signerChannelId}, ${tx.json(phones)}) as result`;
    const result = row.result as IngestResult;
    return { ...result, delivery_id: Number(result.delivery_id) };
  }, sql);
}

/** Re-applies a stored delivery (`whatsapp:replay`); idempotent. The phones are read from the stored body as on arrival. */
export async function applyDelivery(deliveryId: number, body: unknown, signerChannelId: string | null, sql?: Sql): Promise<IngestResult> {
  return asWebhook(async (tx) => {
    const phones = whatsappPhones(body);
    const [row] = await tx`select private.whatsapp_apply(${deliveryId}, ${tx.json(body as never)}, ${signerChannelId}, ${tx.json(phones)}) as result`;
    return { delivery_id: deliveryId, ...(row.result as Omit<IngestResult, "delivery_id">) };
  }, sql);
}
