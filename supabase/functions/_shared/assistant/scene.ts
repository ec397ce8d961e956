// One turn's view of the business, shared by the flows: the language and words, the local "today", and lookups into
// the context. The flows return an Outcome; the dispatcher turns it into an AssistantTurn.
import { languageOf, type Language, TEXTS, type Texts } from "./i18n.ts";
import type { State } from "./state.ts";
import { localTime } from "./time.ts";
import type { AssistantContext, AssistantTools, OutboundReply, Service, StaffMember } from "./types.ts";

export interface Scene {
  ctx: AssistantContext;
  tools: AssistantTools;
  lang: Language;
  t: Texts;
  timeZone: string;
  now: Date;
  /** The business's local date now, 'YYYY-MM-DD'. */
  today: string;
  offerStaffChoice: boolean;
  service(id: string): Service | undefined;
  staff(id: string | null): StaffMember | undefined;
  /** Active staff who do the service. */
  crew(serviceId: string): StaffMember[];
}

/** What a flow decided: the replies and the next state (greeted_at is the dispatcher's business). */
export interface Outcome {
  replies: OutboundReply[];
  state: State;
  handover?: boolean;
}

export function createScene(ctx: AssistantContext, tools: AssistantTools, now: Date): Scene {
  const lang = languageOf(ctx.tenant.settings?.language);
  const setting = ctx.tenant.settings?.offer_staff_choice;
  return {
    ctx,
    tools,
    lang,
    t: TEXTS[lang],
    timeZone: ctx.tenant.timezone,
    now,
    today: localTime(now, ctx.tenant.timezone).day,
    offerStaffChoice: !(setting === false || setting === "false"),
    service: (id) => ctx.services.find((s) => s.id === id),
    staff: (id) => (id ? ctx.staff.find((s) => s.id === id) : undefined),
    crew: (serviceId) => ctx.staff.filter((s) => s.service_ids.includes(serviceId)),
  };
}
