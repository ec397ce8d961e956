// The customer's existing bookings: see them, cancel one (pick, then confirm), or move one (pick, then the booking
// flow from "day", replacing it). Bookings are re-read at every step: one cancelled at the desk in the meantime is
// simply no longer there.
import { offerDays } from "./booking-flow.ts";
import { bookingList, bookingsSummary, bookOrMenu, confirmCancel, describeBooking, mainMenu, pageExists } from "./replies.ts";
import type { Outcome, Scene } from "./scene.ts";
import type { State } from "./state.ts";
import { text } from "./whatsapp.ts";

const idle: State = { step: "idle" };

export async function showMine(sc: Scene): Promise<Outcome> {
  const bookings = await sc.tools.bookings();
  if (bookings.length === 0) return { replies: [bookOrMenu(sc, sc.t.noBookings)], state: idle };
  return { replies: [bookingsSummary(sc, bookings)], state: idle };
}

export async function pickBooking(sc: Scene, purpose: "cancel" | "reschedule", page = 0): Promise<Outcome> {
  const bookings = await sc.tools.bookings();
  if (bookings.length === 0) return { replies: [bookOrMenu(sc, sc.t.noBookings)], state: idle };
  const shown = pageExists(bookings.length, page) ? page : 0;
  return {
    replies: [bookingList(sc, purpose, bookings, shown)],
    state: { step: "booking", purpose, booking_ids: bookings.map((b) => b.id), page: shown },
  };
}

export async function chooseBooking(sc: Scene, purpose: "cancel" | "reschedule", bookingId: string): Promise<Outcome> {
  const t = sc.t;
  const booking = (await sc.tools.bookings()).find((b) => b.id === bookingId);
  if (!booking) return { replies: [mainMenu(sc, t.stale)], state: idle };
  if (purpose === "cancel") {
    return { replies: [confirmCancel(sc, booking)], state: { step: "cancel", booking_id: booking.id } };
  }
  if (!sc.service(booking.service_id)) return { replies: [mainMenu(sc, t.cannotMove)], state: idle };
  // Moving a booking keeps the person it was with, when choosing people is offered at all and they still do it.
  const keep = sc.offerStaffChoice && sc.crew(booking.service_id).some((s) => s.id === booking.staff_id);
  return offerDays(sc, { service_id: booking.service_id, staff_id: keep ? booking.staff_id : null, replaces: booking.id });
}

export async function cancelBooking(sc: Scene, bookingId: string): Promise<Outcome> {
  const t = sc.t;
  const booking = (await sc.tools.bookings()).find((b) => b.id === bookingId);
  if (!booking || !(await sc.tools.cancel(bookingId))) return { replies: [mainMenu(sc, t.cancelFailed)], state: idle };
  const d = describeBooking(sc, booking);
  return { replies: [text(t.cancelled(d.what, d.date, d.time))], state: idle };
}

export function keepBooking(sc: Scene): Outcome {
  return { replies: [text(sc.t.kept)], state: idle };
}
