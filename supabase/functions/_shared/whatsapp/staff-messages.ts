// Staff writing into a conversation (the human hand-over) and handing it back to the bot, as the caller: the
// send_message function and the conversations policy decide who may (handing back clears the bot's state: the
// conversations_rules trigger).
import { z } from "zod";
import { asCaller, type CallerClaims, type Sql } from "../db/client.ts";
import { HttpError } from "../http/errors.ts";

export const staffMessageInput = z.strictObject({
  conversation_id: z.uuid(),
  type: z.enum(["text", "interactive", "template"]).default("text"),
  body: z.string().trim().min(1).max(4096).optional(),
  payload: z.record(z.string(), z.unknown()).default({}),
}).refine((m) => m.type !== "text" || m.body, { message: "a text message needs a body", path: ["body"] })
  .refine((m) => m.type === "text" || Object.keys(m.payload).length > 0, { message: "interactive and template messages need a payload", path: ["payload"] });

export const handBackInput = z.strictObject({ conversation_id: z.uuid() });

export async function queueStaffMessage(claims: CallerClaims, input: z.infer<typeof staffMessageInput>, sql?: Sql): Promise<string> {
  return asCaller(claims, async (tx) => {
    const [row] = await tx`select public.send_message(${input.conversation_id}, ${input.type}, ${input.body ?? null}, ${tx.json(input.payload as never)}) as id`;
    return row.id as string;
  }, sql);
}

export async function handBack(claims: CallerClaims, input: z.infer<typeof handBackInput>, sql?: Sql): Promise<void> {
  const rows = await asCaller(claims, (tx) => tx`
    update public.conversations set handed_over_at = null
    where id = ${input.conversation_id} returning id`, sql);
  if (rows.length === 0) throw new HttpError(404, "not_found", "no such conversation in your business");
}
