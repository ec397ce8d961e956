// Drains the outbox: claims due outbound messages (a lease, so a crash loses nothing), refuses what must not be sent
// (an opted-out customer, the 24-hour rule), sends the rest with the channel's decrypted token, and reports each
// outcome. Retryable failures back off exponentially up to WHATSAPP_MAX_ATTEMPTS, then end as failed.
import { asWebhook, type Sql } from "../db/client.ts";
import { decryptSecret, type EncryptionKey } from "../secrets/crypto.ts";
import { whatsappConfig } from "./config.ts";
import { sendWhatsApp, type OutboundType } from "./graph.ts";

interface Claimed {
  tenant_id: string; message_id: string; conversation_id: string; channel_id: string; phone_number_id: string;
  to_wa_id: string | null; to_user_id: string | null; type: OutboundType; body: string | null; payload: Record<string, unknown>; purpose: string | null;
  attempts: number;
  last_inbound_at: Date | null; opted_out: boolean;
}

export interface DrainOptions { sql?: Sql; key?: EncryptionKey; limit?: number; onlyTenant?: string }
export interface DrainReport { sent: number; retrying: number; failed: number }

const DAY_MS = 24 * 3600 * 1000;

export async function drainOutbox(opts: DrainOptions = {}): Promise<DrainReport> {
  const config = whatsappConfig();
  const report: DrainReport = { sent: 0, retrying: 0, failed: 0 };
  const claimed = await asWebhook(
    (tx) => tx<Claimed[]>`select * from private.outbox_claim(${opts.limit ?? 20}, 60, ${opts.onlyTenant ?? null})`,
    opts.sql,
  );
  const tokens = new Map<string, Promise<string | undefined>>();

  const fail = async (m: Claimed, retryable: boolean, code: string, title: string, details: unknown, retryIn?: number) => {
    const backoff = retryIn ?? config.retryBaseSeconds * 2 ** Math.max(0, m.attempts - 1);
    const outcome = await asWebhook(async (tx) => {
      const [row] = await tx`select private.outbox_failed(${m.tenant_id}, ${m.message_id}, ${retryable}, ${code}, ${title},
        ${tx.json((details ?? null) as never)}, ${Math.ceil(backoff)}, ${config.maxAttempts}) as outcome`;
      return row.outcome as string;
    }, opts.sql);
    if (outcome === "failed") report.failed++;
    else report.retrying++;
  };

  for (const m of claimed) {
    if (m.opted_out && m.purpose !== "opt_out_confirmation") {
      await fail(m, false, "opted_out", "the customer has opted out of messages", null);
      continue;
    }
    if (m.type !== "template" && (!m.last_inbound_at || Date.now() - new Date(m.last_inbound_at).getTime() > DAY_MS)) {
      await fail(m, false, "outside_service_window", "outside the 24-hour customer service window only templates can be sent", null);
      continue;
    }
    if (!m.to_wa_id && !m.to_user_id) {
      await fail(m, false, "no_recipient", "the customer has no WhatsApp id or business-scoped user id", null);
      continue;
    }
    const tokenKey = `${m.tenant_id}:${m.channel_id}`;
    if (!tokens.has(tokenKey)) tokens.set(tokenKey, channelToken(m.tenant_id, m.channel_id, opts.sql, opts.key));
    const token = await tokens.get(tokenKey)!;
    if (!token) {
      await fail(m, false, "no_access_token", "the channel has no WhatsApp access token set", null);
      continue;
    }
    const result = await sendWhatsApp(config.graphUrl, m.phone_number_id, token, { to: m.to_wa_id, recipient: m.to_user_id, type: m.type, body: m.body, payload: m.payload });
    if (result.ok) {
      await asWebhook((tx) => tx`select private.outbox_sent(${m.tenant_id}, ${m.message_id}, ${result.providerMessageId})`, opts.sql);
      report.sent++;
    } else {
      await fail(m, result.retryable, result.code, result.title, result.details, result.retryAfterSeconds);
    }
  }
  return report;
}

/** The channel's decrypted Graph access token (undefined when none is set). */
export async function channelToken(tenantId: string, channelId: string, sql?: Sql, key?: EncryptionKey): Promise<string | undefined> {
  const rows = await asWebhook(
    (tx) => tx<{ ciphertext: Uint8Array; key_id: string }[]>`select * from private.channel_secret(${tenantId}, ${channelId}, 'access_token')`,
    sql,
  );
  if (!rows[0]) return undefined;
  return decryptSecret(new Uint8Array(rows[0].ciphertext), rows[0].key_id, { tenantId, channelId, name: "access_token" }, key);
}
