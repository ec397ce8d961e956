// The dialog's memory between turns (conversations.bot_state). Each step keeps the options it offered, so a tapped
// id is accepted only if it is one of them. bot_state comes back from the database as arbitrary JSON (an older
// shape, a hand edit), so it is parsed, and anything unrecognised starts over rather than crashing a turn.
import { z } from "zod";

const id = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const page = z.number().int().min(0);

/** A free time offered: the instant (ISO, UTC) and who, or null for whoever is free. */
const slot = z.object({ at: z.string(), staff: id.nullable() });

/** The booking being put together; `replaces` is set when it is a reschedule. */
const draft = z.object({ service_id: id, staff_id: id.nullable(), replaces: id.nullable() });

const common = { greeted_at: z.string().optional() };

const schema = z.discriminatedUnion("step", [
  z.object({ step: z.literal("idle"), ...common }),
  z.object({ step: z.literal("service"), page, ...common }),
  z.object({ step: z.literal("staff"), draft, page, ...common }),
  z.object({ step: z.literal("day"), draft, days: z.array(day), ...common }),
  z.object({ step: z.literal("slot"), draft, day, slots: z.array(slot), page, ...common }),
  z.object({ step: z.literal("confirm"), draft, day, slot, ...common }),
  z.object({ step: z.literal("booking"), purpose: z.enum(["cancel", "reschedule"]), booking_ids: z.array(id), page, ...common }),
  z.object({ step: z.literal("cancel"), booking_id: id, ...common }),
]);

export type State = z.infer<typeof schema>;
export type Draft = z.infer<typeof draft>;
export type SlotOption = z.infer<typeof slot>;

export function parseState(raw: unknown): State {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const greeted = (raw as { greeted_at?: unknown } | null)?.greeted_at;
  return typeof greeted === "string" ? { step: "idle", greeted_at: greeted } : { step: "idle" };
}

export const isId = (value: string) => id.safeParse(value).success;
