// The deterministic, menu-driven booking assistant every business gets out of the box (tenant settings: greeting,
// language 'en' | 'es', offer_staff_choice). It decides, in this order:
//   1. opted-out customers hear nothing until START/ALTA (the law and Meta's policy, before anything else);
//   2. STOP/BAJA opts out, with exactly one confirmation;
//   3. a conversation handed to staff, a closed 24-hour window, or a mere reaction gets no reply;
//   4. otherwise a tapped option (checked against what the current step offered) or a keyword moves the dialog on,
//      and anything else gets the menu — never silence.
import { book, chooseService, chooseSlot, declined, offerDays, offerSlots, startBooking } from "./booking-flow.ts";
import { type MenuAction, type Option, parseOption, sameSlot } from "./ids.ts";
import { type Input, readInput } from "./intent.ts";
import { cancelBooking, chooseBooking, keepBooking, pickBooking, showMine } from "./manage-flow.ts";
import { mainMenu, pageExists, serviceList, slotList, staffList } from "./replies.ts";
import { createScene, type Outcome, type Scene } from "./scene.ts";
import { parseState, type State } from "./state.ts";
import type { Assistant, AssistantContext, AssistantTools, AssistantTurn, InboundMessage } from "./types.ts";
import { prepend, text } from "./whatsapp.ts";

const HOUR = 3_600_000;
/** Meta's customer-service window: free-form replies only within 24 hours of the customer's last message. */
const WINDOW_MS = 24 * HOUR;
/** A customer who comes back after this long is greeted again. */
const GREET_AGAIN_MS = 12 * HOUR;

export interface BookingAssistantOptions {
  /** The clock ("today", the 24-hour window, greetings); tests may pin it. */
  now?: () => Date;
}

export function createBookingAssistant(options: BookingAssistantOptions = {}): Assistant {
  const now = options.now ?? (() => new Date());
  return { respond: (ctx, message, tools) => respond(ctx, message, tools, now()) };
}

export const bookingAssistant: Assistant = createBookingAssistant();

const idle: State = { step: "idle" };

async function respond(ctx: AssistantContext, message: InboundMessage, tools: AssistantTools, now: Date): Promise<AssistantTurn> {
  const sc = createScene(ctx, tools, now);
  const state = parseState(ctx.conversation.bot_state);
  const input = readInput(message);
  const keyword = input.kind === "text" ? input.keyword : null;
  const last = ctx.conversation.last_inbound_at ? Date.parse(ctx.conversation.last_inbound_at) : NaN;
  const windowOpen = now.getTime() - last < WINDOW_MS;
  const silence: AssistantTurn = { replies: [], state: ctx.conversation.bot_state, handover: null, optOut: null };

  if (ctx.customer.opted_out_at) {
    if (keyword !== "start") return silence;
    const welcome = finish(sc, state, { replies: [mainMenu(sc)], state: idle }, true);
    return { ...welcome, replies: windowOpen && !ctx.conversation.handed_over_at ? welcome.replies : [], optOut: false };
  }
  if (keyword === "stop") {
    // Sent even while staff have the conversation: confirming an opt-out is owed to the customer, not a bot reply.
    const confirmation = text(sc.t.optedOut(ctx.tenant.name), { opt_out_confirmation: true });
    return { replies: windowOpen ? [confirmation] : [], state: idle, handover: null, optOut: true };
  }
  if (ctx.conversation.handed_over_at || !windowOpen || input.kind === "reaction") return silence;

  return finish(sc, state, await dispatch(sc, state, input), keyword === "start");
}

/** Greets when due (as the first paragraph of the first reply) and carries greeted_at over to the next state. */
function finish(sc: Scene, previous: State, outcome: Outcome, forceGreeting: boolean): AssistantTurn {
  const since = previous.greeted_at ? sc.now.getTime() - Date.parse(previous.greeted_at) : Infinity;
  let greetedAt = previous.greeted_at;
  const replies = [...outcome.replies];
  if (replies.length > 0 && (forceGreeting || !(since < GREET_AGAIN_MS))) {
    replies[0] = prepend(replies[0], greeting(sc));
    greetedAt = sc.now.toISOString();
  }
  return {
    replies,
    state: { ...outcome.state, ...(greetedAt ? { greeted_at: greetedAt } : {}) },
    handover: outcome.handover ?? null,
    optOut: null,
  };
}

function greeting(sc: Scene): string {
  const custom = sc.ctx.tenant.settings?.greeting;
  const firstName = sc.ctx.customer.name?.trim().split(/\s+/)[0] || null;
  if (typeof custom === "string" && custom.trim() !== "") {
    return custom.trim().replaceAll("{business}", sc.ctx.tenant.name).replaceAll("{name}", firstName ?? "");
  }
  return sc.t.welcome(sc.ctx.tenant.name, firstName);
}

async function dispatch(sc: Scene, state: State, input: Input): Promise<Outcome> {
  const t = sc.t;
  if (input.kind === "text") {
    switch (input.keyword) {
      case "human": return menuAction(sc, "human");
      case "cancel": return menuAction(sc, "cancel");
      case "reschedule": return menuAction(sc, "reschedule");
      case "mine": return menuAction(sc, "mine");
      case "book": return menuAction(sc, "book");
      case "menu":
      case "start":
        return menuAction(sc, "main");
      default:
        // Keep the state: the customer can still tap an option of the list they were answering.
        return { replies: [mainMenu(sc, t.notUnderstood)], state };
    }
  }
  if (input.kind !== "choice") return { replies: [mainMenu(sc, t.unsupported)], state };
  const option = parseOption(input.id);
  if (option?.kind === "menu") return menuAction(sc, option.action);
  const outcome = option ? await choose(sc, state, option) : null;
  // A forged id, or one from an older message than the current step: the menu, and the current step still stands.
  return outcome ?? { replies: [mainMenu(sc, t.stale)], state };
}

function menuAction(sc: Scene, action: MenuAction): Promise<Outcome> | Outcome {
  switch (action) {
    case "book": return startBooking(sc);
    case "mine": return showMine(sc);
    case "reschedule": return pickBooking(sc, "reschedule");
    case "cancel": return pickBooking(sc, "cancel");
    case "human": return { replies: [text(sc.t.handover)], state: idle, handover: true };
    case "main": return { replies: [mainMenu(sc)], state: idle };
  }
}

/** The option's effect if the current step offered it, else null. */
function choose(sc: Scene, state: State, option: Option): Promise<Outcome> | Outcome | null {
  // A service switched off since the list was sent: nothing in this draft can be booked any more.
  if ("draft" in state && !sc.service(state.draft.service_id)) return null;
  switch (option.kind) {
    case "service":
      return state.step === "service" && sc.service(option.id) ? chooseService(sc, option.id) : null;
    case "staff":
      if (state.step !== "staff") return null;
      if (option.id !== null && !sc.crew(state.draft.service_id).some((s) => s.id === option.id)) return null;
      return offerDays(sc, { ...state.draft, staff_id: option.id });
    case "day":
      return state.step === "day" && state.days.includes(option.day) ? offerSlots(sc, state.draft, option.day) : null;
    case "slot":
      if (state.step !== "slot" || !state.slots.some((s) => sameSlot(s, option.slot))) return null;
      return chooseSlot(sc, state.draft, state.day, option.slot);
    case "more":
      return more(sc, state, option.page);
    case "confirm":
      if (state.step !== "confirm") return null;
      if (option.answer === "yes") return sameSlot(state.slot, option.slot) ? book(sc, state.draft, state.day, state.slot) : null;
      return option.answer === "other" ? offerSlots(sc, state.draft, state.day) : declined(sc, state.draft);
    case "booking":
      return state.step === "booking" && state.booking_ids.includes(option.id) ? chooseBooking(sc, state.purpose, option.id) : null;
    case "cancel":
      if (state.step !== "cancel") return null;
      if (option.answer === "no") return keepBooking(sc);
      return option.id === state.booking_id ? cancelBooking(sc, option.id) : null;
    case "menu":
      return menuAction(sc, option.action);
  }
}

/** The next page of the list the current step shows. */
function more(sc: Scene, state: State, page: number): Promise<Outcome> | Outcome | null {
  switch (state.step) {
    case "service":
      return pageExists(sc.ctx.services.length, page)
        ? { replies: [serviceList(sc, page)], state: { ...state, page } }
        : null;
    case "staff":
      return pageExists(sc.crew(state.draft.service_id).length + 1, page)
        ? { replies: [staffList(sc, state.draft.service_id, page)], state: { ...state, page } }
        : null;
    case "slot":
      return pageExists(state.slots.length, page)
        ? { replies: [slotList(sc, state.day, state.slots, page)], state: { ...state, page } }
        : null;
    case "booking":
      return pageExists(state.booking_ids.length, page) ? pickBooking(sc, state.purpose, page) : null;
    default:
      return null;
  }
}
