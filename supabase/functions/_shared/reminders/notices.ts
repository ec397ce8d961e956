// Booking confirmations and reminders: private.queue_due_notices (supabase/migrations/*_reminders.sql) picks what is
// due and queues it as outbound messages; the outbox drain sends them. `drainDue` is what the scheduler runs
// (POST /whatsapp-webhook/outbox: Supabase Cron on hosted projects, local/dev.ts every few seconds locally), which
// also writes the memory digests of quiet LLM conversations.
import { digestQuietConversations, type DigestReport } from "../assistant/digest.ts";
import { asWebhook, type Sql } from "../db/client.ts";
import type { EncryptionKey } from "../secrets/crypto.ts";
import { type DrainReport, drainOutbox } from "../whatsapp/outbox.ts";

export interface Notice {
  tenant_id: string;
  booking_id: string;
  kind: "confirmation" | "reminder";
  offset_minutes: number;
  outcome: "queued" | "skipped";
  detail: string | null;
  message_id: string | null;
}

/** Queues every confirmation and reminder due at `now` (default: the database's clock), once each. */
export async function queueDueNotices(opts: { sql?: Sql; now?: Date; limit?: number } = {}): Promise<Notice[]> {
  return await asWebhook(
    (tx) => tx<Notice[]>`select * from private.queue_due_notices(coalesce(${opts.now ?? null}::timestamptz, now()), ${opts.limit ?? 200})`,
    opts.sql,
  );
}

export interface DueReport extends DrainReport { notices: { queued: number; skipped: number }; digests?: DigestReport }

/** The scheduled drain: queue what is due, then send everything due (replies, staff messages, notices); then the
 * LLM assistant's digests of conversations gone quiet (../assistant/digest.ts). */
export async function drainDue(opts: { sql?: Sql; key?: EncryptionKey; now?: Date; limit?: number } = {}): Promise<DueReport> {
  const notices = await queueDueNotices({ sql: opts.sql, now: opts.now });
  const report = await drainOutbox({ sql: opts.sql, key: opts.key, limit: opts.limit ?? 100 });
  const digests = await digestQuietConversations({ sql: opts.sql, key: opts.key, now: opts.now }).catch((err) => {
    console.error("[digest]", err);
    return undefined;
  });
  return {
    ...report,
    notices: { queued: notices.filter((n) => n.outcome === "queued").length, skipped: notices.filter((n) => n.outcome === "skipped").length },
    ...(digests ? { digests } : {}),
  };
}
