// The Cloud API webhook payload, validated with zod. Objects are loose: Meta adds fields over time and an unknown
// field must never make us refuse (and lose) a delivery. Only what routing and storage rely on is required.
import { z } from "zod";

const digits = z.string().regex(/^\d+$/, "expected digits");

export const inboundMessage = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: digits,
  type: z.string().min(1),
});

export const statusUpdate = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: digits,
  recipient_id: z.string().optional(),
  errors: z.array(z.looseObject({ code: z.union([z.number(), z.string()]), title: z.string().optional() })).optional(),
});

export const messagesValue = z.looseObject({
  messaging_product: z.literal("whatsapp"),
  metadata: z.looseObject({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }),
  contacts: z.array(z.looseObject({ wa_id: z.string(), profile: z.looseObject({ name: z.string().optional() }).optional() })).optional(),
  messages: z.array(inboundMessage).optional(),
  statuses: z.array(statusUpdate).optional(),
});

const change = z.looseObject({ field: z.string(), value: z.looseObject({}) }).superRefine((c, ctx) => {
  if (c.field !== "messages") return; // other fields (account updates, templates …) are stored, not applied
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
