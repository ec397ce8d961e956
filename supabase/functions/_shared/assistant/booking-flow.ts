// Booking, one step per turn: service → staff (or anyone) → day → time → confirm → book. A reschedule enters at
// "day" with the booking it replaces in the draft. Availability is read live at every step, and booking itself can
// still lose a race; then the customer hears so and gets the next free times of that day.
import { formatDay, formatWhen } from "./i18n.ts";
import { optionId } from "./ids.ts";
import { confirmSlot, dayList, mainMenu, type OpenDay, serviceList, slotList, staffList, what } from "./replies.ts";
import type { Outcome, Scene } from "./scene.ts";
import type { Draft, SlotOption, State } from "./state.ts";
import { addDays } from "./time.ts";
import { buttons, text } from "./whatsapp.ts";

/** How far ahead we look for open days, and how many we offer (a WhatsApp list holds ten rows). */
export const HORIZON_DAYS = 30;
const WANTED_DAYS = 10;

const idle: State = { step: "idle" };

export function startBooking(sc: Scene): Promise<Outcome> | Outcome {
  const services = sc.ctx.services;
  if (services.length === 0) {
    return {
      replies: [buttons(sc.t.noServices, [
        { id: optionId.menu("human"), title: sc.t.buttonHuman },
        { id: optionId.menu("main"), title: sc.t.buttonMenu },
      ])],
      state: idle,
    };
  }
  if (services.length === 1) return chooseService(sc, services[0].id);
  return { replies: [serviceList(sc, 0)], state: { step: "service", page: 0 } };
}

export function chooseService(sc: Scene, serviceId: string): Promise<Outcome> | Outcome {
  const crew = sc.crew(serviceId);
  const draft: Draft = { service_id: serviceId, staff_id: null, replaces: null };
  if (sc.offerStaffChoice && crew.length > 1) {
    return { replies: [staffList(sc, serviceId, 0)], state: { step: "staff", draft, page: 0 } };
  }
  // Nobody to choose between: name the one person if there is one, so the times read "with Sam".
  return offerDays(sc, { ...draft, staff_id: crew.length === 1 ? crew[0].id : null });
}

/** A day's free times as options: per staff member when one was chosen, else one per start time (anyone free). */
async function freeSlots(sc: Scene, draft: Draft, day: string): Promise<SlotOption[]> {
  const slots = await sc.tools.slots(draft.service_id, day, draft.staff_id);
  if (draft.staff_id) return slots.map((s) => ({ at: s.starts_at, staff: draft.staff_id }));
  const seen = new Set<string>();
  const options: SlotOption[] = [];
  for (const s of slots) {
    if (seen.has(s.starts_at)) continue;
    seen.add(s.starts_at);
    options.push({ at: s.starts_at, staff: null });
  }
  return options;
}

export async function offerDays(sc: Scene, draft: Draft, lead?: string): Promise<Outcome> {
  const open: OpenDay[] = [];
  // A week of days at a time, in parallel: most businesses fill the ten rows within two weeks.
  for (let offset = 0; offset < HORIZON_DAYS && open.length < WANTED_DAYS; offset += 7) {
    const days = Array.from({ length: Math.min(7, HORIZON_DAYS - offset) }, (_, i) => addDays(sc.today, offset + i));
    const found = await Promise.all(days.map((day) => freeSlots(sc, draft, day)));
    days.forEach((day, i) => {
      if (found[i].length > 0 && open.length < WANTED_DAYS) open.push({ day, first: found[i][0].at, count: found[i].length });
    });
  }
  if (open.length === 0) {
    const none = sc.t.noDays(what(sc, draft.service_id, draft.staff_id), HORIZON_DAYS);
    return { replies: [mainMenu(sc, lead ? `${lead}\n\n${none}` : none)], state: idle };
  }
  return { replies: [dayList(sc, draft, open, lead)], state: { step: "day", draft, days: open.map((d) => d.day) } };
}

export async function offerSlots(sc: Scene, draft: Draft, day: string): Promise<Outcome> {
  const slots = await freeSlots(sc, draft, day);
  if (slots.length === 0) return offerDays(sc, draft, sc.t.dayGone(formatDay(sc.lang, day)));
  return { replies: [slotList(sc, day, slots, 0)], state: { step: "slot", draft, day, slots, page: 0 } };
}

export function chooseSlot(sc: Scene, draft: Draft, day: string, slot: SlotOption): Outcome {
  return { replies: [confirmSlot(sc, draft, slot)], state: { step: "confirm", draft, day, slot } };
}

export async function book(sc: Scene, draft: Draft, day: string, slot: SlotOption): Promise<Outcome> {
  const t = sc.t;
  const result = await sc.tools.book(draft.service_id, slot.staff, slot.at, draft.replaces);
  if (result.ok) {
    const when = formatWhen(sc.lang, result.starts_at ?? slot.at, sc.timeZone);
    const w = what(sc, draft.service_id, result.staff_id ?? slot.staff);
    const say = draft.replaces ? t.moved : t.booked;
    return { replies: [text(say(w, when.date, when.time))], state: idle };
  }
  if (result.reason === "slot_taken") {
    const when = formatWhen(sc.lang, slot.at, sc.timeZone);
    const fresh = await freeSlots(sc, draft, day);
    // The same ISO form throughout, so string order is time order.
    const later = fresh.filter((s) => s.at > slot.at);
    const offer = later.length > 0 ? later : fresh;
    if (offer.length === 0) return offerDays(sc, draft, t.dayFull(when.time, when.date));
    return {
      replies: [slotList(sc, day, offer, 0, t.slotTaken(when.time, when.date))],
      state: { step: "slot", draft, day, slots: offer, page: 0 },
    };
  }
  return { replies: [mainMenu(sc, t.bookFailed)], state: idle };
}

export function declined(sc: Scene, draft: Draft): Outcome {
  return { replies: [mainMenu(sc, draft.replaces ? sc.t.kept : sc.t.notBooked)], state: idle };
}
