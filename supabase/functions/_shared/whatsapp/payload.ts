// The Cloud API webhook envelope, validated with zod. Objects are loose: Meta adds fields over time and an unknown
// field must never make us refuse (and lose) a delivery. Only the envelope is checked here (what routing relies on):
// each item in it (a message, a status, an echo, a preference) is checked when it is applied, on its own, so one
// odd item is recorded as unprocessable (private.webhook_unprocessable) instead of losing its whole delivery.
import { z } from "zod";

// Items are arrays; what each item holds is checked when it is applied (an odd one is recorded, never refused).
const items = z.array(z.unknown());

/** The `value` of the fields that are applied: messages (with statuses), smb_message_echoes, user_preferences. */
export const messagesValue = z.looseObject({
  messaging_product: z.literal("whatsapp"),
  metadata: z.looseObject({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }),
  contacts: items.optional(),
  messages: items.optional(),
  statuses: items.optional(),
  message_echoes: items.optional(),
  user_preferences: items.optional(),
});

export const APPLIED_FIELDS = new Set(["messages", "smb_message_echoes", "user_preferences"]);

const change = z.looseObject({ field: z.string(), value: z.looseObject({}) }).superRefine((c, ctx) => {
  if (!APPLIED_FIELDS.has(c.field)) return; // other fields (account updates, templates …) are stored, not applied
  const parsed = messagesValue.safeParse(c.value);
  if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ["value", ...issue.path] } as never);
});

export const webhookPayload = z.looseObject({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(z.looseObject({ id: z.string(), changes: z.array(change) })).min(1),
});
export type WebhookPayload = z.infer<typeof webhookPayload>;

export function phoneNumberIds(payload: WebhookPayload): string[] {
  return payload.entry.flatMap((e) => e.changes.map((c) => (c.value as { metadata?: { phone_number_id?: string } }).metadata?.phone_number_id))
    .filter((id): id is string => typeof id === "string");
}
