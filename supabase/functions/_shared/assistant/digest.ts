// Memory for the LLM assistant: when a conversation of an LLM-mode business has been quiet for a while (default 30
// minutes), the model writes a short summary and a few memories of it, stored where the voice side keeps them
// (caller_profiles.summary by the customer's phone, memories; private.assistant_save_digest), so calls and chats know
// the same things about a customer. Run by the scheduled drain (../reminders/notices.ts drainDue). The model sees
// only that conversation's messages; a model that fails or answers something unusable leaves no summary or memory
// (only the attempt is recorded, so it is not asked again until the customer writes again and goes quiet again).
import { z } from "zod";
import { asWebhook, type Sql } from "../db/client.ts";
import { env } from "../env.ts";
import { chatCompletion, type LlmConfig } from "../llm/chat.ts";
import type { EncryptionKey } from "../secrets/crypto.ts";
import { readTenantSecret } from "../secrets/tenant-secrets.ts";
import { assistantSettings, platformLlmConfig } from "./llm-assistant.ts";

const digest = z.object({
  summary: z.string().trim().min(1).max(1000),
  memories: z.array(z.object({
    content: z.string().trim().min(1).max(500),
    kind: z.enum(["fact", "preference", "event", "relationship", "note", "follow_up"]).optional(),
    importance: z.number().int().min(1).max(10).optional(),
  })).max(5).default([]),
});

const PROMPT = [
  "You keep the notes of a business's receptionist. Below is one WhatsApp conversation with one customer.",
  "Answer with JSON only: {\"summary\": \"one or two sentences: what the customer wanted and what was done\",",
  "\"memories\": [{\"content\": \"a short fact worth remembering for next time\", \"kind\": \"fact|preference|event|relationship|note|follow_up\", \"importance\": 1-10}]}.",
  "At most 5 memories, only about this customer, nothing the conversation does not say; an empty list when there is nothing.",
].join("\n");

/** The JSON object in a model's answer (bare, or in a ``` fence). */
function jsonIn(content: string | null): unknown {
  if (!content) return null;
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(content)?.[1] ?? content;
  const start = fenced.indexOf("{");
  const end = fenced.lastIndexOf("}");
  if (start < 0 || end < start) return null;
  try {
    return JSON.parse(fenced.slice(start, end + 1));
  } catch {
    return null;
  }
}

export interface DigestOptions {
  sql?: Sql;
  now?: Date;
  /** Minutes without a customer message before a conversation is digested (FRONTDESK_DIGEST_QUIET_MINUTES, 30). */
  quietMinutes?: number;
  limit?: number;
  config?: () => Partial<LlmConfig>;
  key?: EncryptionKey;
  timeoutMs?: number;
}

export interface DigestReport { digested: number; memories: number; failed: number }

export async function digestQuietConversations(opts: DigestOptions = {}): Promise<DigestReport> {
  const report: DigestReport = { digested: 0, memories: 0, failed: 0 };
  const platform = (opts.config ?? platformLlmConfig)();
  if (!platform.baseUrl) return report;
  const quiet = opts.quietMinutes ?? Number(env("FRONTDESK_DIGEST_QUIET_MINUTES") ?? 30);
  // `through` as text, and back as text: a Date (postgres.js turns timestamptz parameters into one) would drop the
  // microseconds, and the digest would never match its message again.
  const due = await asWebhook((tx) => tx<{ tenant_id: string; conversation_id: string; through: string; settings: Record<string, unknown> }[]>`
    select tenant_id, conversation_id, through::text as through, settings from private.assistant_quiet_conversations(coalesce(${opts.now ?? null}::timestamptz, now()), ${quiet}, ${opts.limit ?? 20})`, opts.sql);
  for (const c of due) {
    try {
      const saved = await asWebhook(async (tx) => {
        const model = assistantSettings(c.settings).model ?? platform.model;
        if (!model) return null;
        const own = await readTenantSecret(tx, c.tenant_id, "llm_api_key", opts.key);
        const [{ h }] = await tx<{ h: { direction: string; body: string; at: string }[] }[]>`
          select private.assistant_history(${c.tenant_id}, ${c.conversation_id}, 40) as h`;
        if (h.length === 0) return null;
        const transcript = h.map((m) => `${m.direction === "inbound" ? "Customer" : "Business"}: ${m.body.slice(0, 1000)}`).join("\n");
        const answer = await chatCompletion(
          { baseUrl: platform.baseUrl!, model, apiKey: own ?? platform.apiKey ?? null },
          { messages: [{ role: "system", content: PROMPT }, { role: "user", content: transcript }], temperature: 0 },
          AbortSignal.timeout(opts.timeoutMs ?? 20_000),
        );
        const parsed = digest.safeParse(jsonIn(answer.content));
        if (!parsed.success) throw new Error(`the model's digest is unusable: ${parsed.error.issues[0]?.message}`);
        const [{ r }] = await tx<{ r: { saved: boolean; memories: number } }[]>`
          select private.assistant_save_digest(${c.tenant_id}, ${c.conversation_id}, ${c.through}::text::timestamptz, ${parsed.data.summary},
                                               ${tx.json(parsed.data.memories as never)}) as r`;
        if (answer.usage.prompt + answer.usage.completion > 0) {
          await tx`select private.assistant_llm_usage(${c.tenant_id}, gen_random_uuid(), false, ${answer.usage.prompt + answer.usage.completion})`;
        }
        return r;
      }, opts.sql);
      if (saved?.saved) {
        report.digested++;
        report.memories += saved.memories;
      }
    } catch (err) {
      report.failed++;
      console.error("[digest]", c.conversation_id, (err as Error).message);
      // Not asked again for this quiet spell (an endpoint that is down is not hammered every drain).
      await asWebhook((tx) => tx`select private.assistant_save_digest(${c.tenant_id}, ${c.conversation_id}, ${c.through}::text::timestamptz, null, '[]'::jsonb)`, opts.sql)
        .catch(() => {});
    }
  }
  return report;
}
