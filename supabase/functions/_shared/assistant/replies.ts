// The booking assistant's messages, built from the scene. Every option's id says what it chooses (see ids.ts);
// lists longer than WhatsApp's ten rows are paged, nine options and a "More…" row at a time.
import { formatClock, formatDay, formatPrice, formatWhen } from "./i18n.ts";
import { optionId } from "./ids.ts";
import type { Scene } from "./scene.ts";
import type { Draft, SlotOption } from "./state.ts";
import { localTime } from "./time.ts";
import type { ListRow, OutboundReply, UpcomingBooking } from "./types.ts";
import { buttons, LIMITS, list } from "./whatsapp.ts";

const PAGE = LIMITS.listRows - 1;

export function paged<T>(items: T[], page: number): { items: T[]; next: number | null } {
  if (items.length <= LIMITS.listRows) return { items: page === 0 ? items : [], next: null };
  const start = page * PAGE;
  return { items: items.slice(start, start + PAGE), next: start + PAGE < items.length ? page + 1 : null };
}

export function pageExists(count: number, page: number): boolean {
  return count <= LIMITS.listRows ? page === 0 : page * PAGE < count;
}

function pagedList<T>(sc: Scene, body: string, button: string, section: string, items: T[], page: number, row: (item: T) => ListRow) {
  const p = paged(items, page);
  const rows = p.items.map(row);
  if (p.next !== null) rows.push({ id: optionId.more(p.next), title: sc.t.more, description: sc.t.moreDescription });
  return list(body, button, section, rows);
}

const lead = (first: string | undefined, body: string) => (first ? `${first}\n\n${body}` : body);

export function mainMenu(sc: Scene, first?: string): OutboundReply {
  const t = sc.t;
  return list(lead(first, t.menuPrompt), t.menuButton, t.menuSection, [
    { id: optionId.menu("book"), title: t.menuBook },
    { id: optionId.menu("mine"), title: t.menuMine },
    { id: optionId.menu("reschedule"), title: t.menuReschedule },
    { id: optionId.menu("cancel"), title: t.menuCancel },
    { id: optionId.menu("human"), title: t.menuHuman },
  ]);
}

/** A short answer with the ways to go on: book, or the menu. */
export function bookOrMenu(sc: Scene, body: string): OutboundReply {
  return buttons(body, [
    { id: optionId.menu("book"), title: sc.t.buttonBook },
    { id: optionId.menu("main"), title: sc.t.buttonMenu },
  ]);
}

export function serviceList(sc: Scene, page: number): OutboundReply {
  const t = sc.t;
  return pagedList(sc, t.chooseService, t.servicesButton, t.servicesSection, sc.ctx.services, page, (s) => ({
    id: optionId.service(s.id),
    title: s.name,
    description: [t.minutes(s.duration_minutes), formatPrice(sc.lang, s.price_cents, s.currency)].filter(Boolean).join(" · "),
  }));
}

export function staffList(sc: Scene, serviceId: string, page: number): OutboundReply {
  const t = sc.t;
  const service = sc.service(serviceId)!;
  const options = [null, ...sc.crew(serviceId)];
  return pagedList(sc, t.chooseStaff(service.name), t.staffButton, t.staffSection, options, page, (s) =>
    s ? { id: optionId.staff(s.id), title: s.name } : { id: optionId.staff(null), title: t.anyone, description: t.anyoneDescription });
}

/** "Cut with Sam", or just "Cut" when anyone may do it. */
export function what(sc: Scene, serviceId: string, staffId: string | null, staffName?: string): string {
  const service = sc.service(serviceId)?.name ?? "";
  return sc.t.withStaff(service, staffName ?? sc.staff(staffId)?.name ?? null);
}

export interface OpenDay { day: string; first: string; count: number }

export function dayList(sc: Scene, draft: Draft, days: OpenDay[], first?: string): OutboundReply {
  const t = sc.t;
  return list(lead(first, t.chooseDay(what(sc, draft.service_id, draft.staff_id))), t.daysButton, t.daysSection,
    days.map((d) => {
      const l = localTime(d.first, sc.timeZone);
      return {
        id: optionId.day(d.day),
        title: formatDay(sc.lang, d.day, sc.today),
        description: t.dayDescription(formatClock(sc.lang, l.hour, l.minute), d.count),
      };
    }));
}

export function slotList(sc: Scene, day: string, slots: SlotOption[], page: number, body?: string): OutboundReply {
  const t = sc.t;
  return pagedList(sc, body ?? t.chooseSlot(formatDay(sc.lang, day)), t.slotsButton, t.slotsSection, slots, page, (s) => {
    const l = localTime(s.at, sc.timeZone);
    const staff = sc.staff(s.staff)?.name;
    return {
      id: optionId.slot(s),
      title: formatClock(sc.lang, l.hour, l.minute),
      ...(staff ? { description: t.slotDescription(staff) } : {}),
    };
  });
}

export function confirmSlot(sc: Scene, draft: Draft, slot: SlotOption): OutboundReply {
  const t = sc.t;
  const when = formatWhen(sc.lang, slot.at, sc.timeZone);
  const w = what(sc, draft.service_id, slot.staff ?? draft.staff_id);
  return buttons(draft.replaces ? t.confirmMove(w, when.date, when.time) : t.confirmBook(w, when.date, when.time), [
    { id: optionId.confirmYes(slot), title: t.confirmYes },
    { id: optionId.confirmOther(), title: t.confirmOther },
    { id: optionId.confirmNo(), title: t.confirmNo },
  ]);
}

export function describeBooking(sc: Scene, b: UpcomingBooking) {
  const when = formatWhen(sc.lang, b.starts_at, sc.timeZone);
  return { ...when, what: sc.t.withStaff(b.service, b.staff) };
}

export function bookingsSummary(sc: Scene, bookings: UpcomingBooking[]): OutboundReply {
  const t = sc.t;
  const lines = bookings.map((b) => {
    const d = describeBooking(sc, b);
    return t.bookingLine(d.date, d.time, d.what);
  });
  return buttons([t.yourBookings, ...lines].join("\n"), [
    { id: optionId.menu("reschedule"), title: t.buttonMove },
    { id: optionId.menu("cancel"), title: t.buttonCancel },
    { id: optionId.menu("book"), title: t.buttonBook },
  ]);
}

export function bookingList(sc: Scene, purpose: "cancel" | "reschedule", bookings: UpcomingBooking[], page: number): OutboundReply {
  const t = sc.t;
  const body = purpose === "cancel" ? t.chooseToCancel : t.chooseToMove;
  return pagedList(sc, body, t.bookingsButton, t.bookingsSection, bookings, page, (b) => {
    const d = describeBooking(sc, b);
    return { id: optionId.booking(b.id), title: `${d.date}, ${d.time}`, description: d.what };
  });
}

export function confirmCancel(sc: Scene, b: UpcomingBooking): OutboundReply {
  const t = sc.t;
  const d = describeBooking(sc, b);
  return buttons(t.confirmCancel(d.what, d.date, d.time), [
    { id: optionId.cancelYes(b.id), title: t.cancelYes },
    { id: optionId.cancelNo(), title: t.cancelNo },
  ]);
}
