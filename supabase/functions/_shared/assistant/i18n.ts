// Every word the booking assistant says, in English and Spanish, and how dates, times and prices read in each.
// Button and row texts are short on purpose (WhatsApp cuts titles at 20–24 characters; whatsapp.ts clamps anyway).
import { addDays, dayOfMonth, localTime, month, weekday } from "./time.ts";

export type Language = "en" | "es";

export function languageOf(setting: unknown): Language {
  return typeof setting === "string" && setting.trim().toLowerCase().startsWith("es") ? "es" : "en";
}

const WEEKDAYS: Record<Language, string[]> = {
  en: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
  es: ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
};
const MONTHS: Record<Language, string[]> = {
  en: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
  es: ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
};

/** "Tue 3 Jun" / "mar 3 jun"; with `today`, "Today, …" / "Tomorrow, …" (for list rows: it reads badly mid-sentence). */
export function formatDay(lang: Language, day: string, today?: string): string {
  const date = `${WEEKDAYS[lang][weekday(day)]} ${dayOfMonth(day)} ${MONTHS[lang][month(day) - 1]}`;
  if (today === undefined) return date;
  const t = TEXTS[lang];
  if (day === today) return `${t.today}, ${date}`;
  return day === addDays(today, 1) ? `${t.tomorrow}, ${date}` : date;
}

/** "9:30 AM" in English, "9:30" (24-hour clock) in Spanish. */
export function formatClock(lang: Language, hour: number, minute: number): string {
  const mm = String(minute).padStart(2, "0");
  if (lang === "es") return `${hour}:${mm}`;
  return `${hour % 12 === 0 ? 12 : hour % 12}:${mm} ${hour < 12 ? "AM" : "PM"}`;
}

export interface When { day: string; date: string; time: string }

/** An instant as the business's wall clock reads it. */
export function formatWhen(lang: Language, instant: string | Date, timeZone: string): When {
  const l = localTime(instant, timeZone);
  return { day: l.day, date: formatDay(lang, l.day), time: formatClock(lang, l.hour, l.minute) };
}

export function formatPrice(lang: Language, cents: number, currency: string): string | null {
  if (!cents) return null;
  try {
    return new Intl.NumberFormat(lang === "es" ? "es-ES" : "en-US", { style: "currency", currency }).format(cents / 100);
  } catch {
    return null; // an unknown currency code: say nothing rather than something wrong
  }
}

const en = {
  today: "Today",
  tomorrow: "Tomorrow",
  welcome: (business: string, customer: string | null) => `Hi${customer ? ` ${customer}` : ""}! Welcome to ${business}.`,
  menuPrompt: "How can I help you?",
  menuButton: "Options",
  menuSection: "What I can do",
  menuBook: "Book an appointment",
  menuMine: "My bookings",
  menuReschedule: "Reschedule a booking",
  menuCancel: "Cancel a booking",
  menuHuman: "Talk to a person",
  buttonBook: "Book",
  buttonMenu: "Menu",
  buttonHuman: "Talk to a person",
  buttonMove: "Reschedule",
  buttonCancel: "Cancel",
  notUnderstood: "Sorry, I didn't get that.",
  stale: "That option is no longer available.",
  unsupported: "I can only read text and the options I send.",
  more: "More…",
  moreDescription: "See more options",
  chooseService: "Which service would you like?",
  servicesButton: "Services",
  servicesSection: "Services",
  minutes: (n: number) => `${n} min`,
  noServices: "Sorry, online booking isn't available right now.",
  chooseStaff: (service: string) => `Who would you like for your ${service}?`,
  staffButton: "Choose",
  staffSection: "Team",
  anyone: "Anyone available",
  anyoneDescription: "The first free person",
  chooseDay: (what: string) => `Which day suits you for your ${what}?`,
  daysButton: "Days",
  daysSection: "Days with free times",
  dayDescription: (first: string, count: number) => `From ${first} · ${count} free time${count === 1 ? "" : "s"}`,
  noDays: (what: string, days: number) => `Sorry, there are no free times for your ${what} in the next ${days} days.`,
  chooseSlot: (date: string) => `Free times on ${date}:`,
  dayGone: (date: string) => `Sorry, there are no free times left on ${date}.`,
  slotsButton: "Times",
  slotsSection: "Free times",
  withStaff: (service: string, staff: string | null) => (staff ? `${service} with ${staff}` : service),
  slotDescription: (staff: string) => `with ${staff}`,
  confirmBook: (what: string, date: string, time: string) => `Please confirm: ${what} on ${date} at ${time}.`,
  confirmMove: (what: string, date: string, time: string) => `Please confirm: move your ${what} to ${date} at ${time}.`,
  confirmYes: "Confirm",
  confirmOther: "Another time",
  confirmNo: "Don't book",
  booked: (what: string, date: string, time: string) => `You're booked: ${what} on ${date} at ${time}. See you then!`,
  moved: (what: string, date: string, time: string) => `Done! Your ${what} is now on ${date} at ${time}.`,
  notBooked: "No problem, nothing was booked.",
  slotTaken: (time: string, date: string) => `Sorry, ${time} was just taken. The next free times on ${date}:`,
  dayFull: (time: string, date: string) => `Sorry, ${time} was just taken and ${date} is now full. Pick another day:`,
  bookFailed: "Sorry, I couldn't make that booking: something changed in the meantime.",
  noBookings: "You have no upcoming bookings.",
  yourBookings: "Your upcoming bookings:",
  bookingLine: (date: string, time: string, what: string) => `• ${date}, ${time} — ${what}`,
  chooseToCancel: "Which booking would you like to cancel?",
  chooseToMove: "Which booking would you like to move?",
  bookingsButton: "Bookings",
  bookingsSection: "Upcoming",
  confirmCancel: (what: string, date: string, time: string) => `Cancel your ${what} on ${date} at ${time}?`,
  cancelYes: "Yes, cancel it",
  cancelNo: "No, keep it",
  cancelled: (what: string, date: string, time: string) => `Your ${what} on ${date} at ${time} is cancelled.`,
  cancelFailed: "That booking can no longer be cancelled.",
  kept: "OK, your booking stays as it is.",
  cannotMove: "Sorry, that booking can't be moved here any more.",
  handover: "Sure, someone from our team will reply here shortly.",
  optedOut: (business: string) => `You won't get any more messages from ${business}. Reply START to receive them again.`,
};

export type Texts = typeof en;

const es: Texts = {
  today: "Hoy",
  tomorrow: "Mañana",
  welcome: (business, customer) => `¡Hola${customer ? ` ${customer}` : ""}! Bienvenido/a a ${business}.`,
  menuPrompt: "¿En qué te puedo ayudar?",
  menuButton: "Opciones",
  menuSection: "Qué puedo hacer",
  menuBook: "Reservar una cita",
  menuMine: "Mis citas",
  menuReschedule: "Cambiar una cita",
  menuCancel: "Cancelar una cita",
  menuHuman: "Hablar con una persona",
  buttonBook: "Reservar",
  buttonMenu: "Menú",
  buttonHuman: "Hablar con alguien",
  buttonMove: "Cambiar",
  buttonCancel: "Cancelar",
  notUnderstood: "Perdona, no te he entendido.",
  stale: "Esa opción ya no está disponible.",
  unsupported: "Solo puedo leer texto y las opciones que envío.",
  more: "Ver más…",
  moreDescription: "Más opciones",
  chooseService: "¿Qué servicio quieres reservar?",
  servicesButton: "Servicios",
  servicesSection: "Servicios",
  minutes: (n) => `${n} min`,
  noServices: "Lo siento, ahora mismo no se pueden reservar citas por aquí.",
  chooseStaff: (service) => `¿Con quién quieres tu cita de ${service}?`,
  staffButton: "Elegir",
  staffSection: "Equipo",
  anyone: "Cualquiera",
  anyoneDescription: "La primera persona libre",
  chooseDay: (what) => `¿Qué día te viene bien para tu cita de ${what}?`,
  daysButton: "Días",
  daysSection: "Días con horas libres",
  dayDescription: (first, count) => `Desde las ${first} · ${count} hora${count === 1 ? "" : "s"} libre${count === 1 ? "" : "s"}`,
  noDays: (what, days) => `Lo siento, no hay horas libres para ${what} en los próximos ${days} días.`,
  chooseSlot: (date) => `Horas libres el ${date}:`,
  dayGone: (date) => `Lo siento, ya no quedan horas libres el ${date}.`,
  slotsButton: "Horas",
  slotsSection: "Horas libres",
  withStaff: (service, staff) => (staff ? `${service} con ${staff}` : service),
  slotDescription: (staff) => `con ${staff}`,
  confirmBook: (what, date, time) => `Confirma, por favor: ${what} el ${date} a las ${time}.`,
  confirmMove: (what, date, time) => `Confirma, por favor: mover tu cita de ${what} al ${date} a las ${time}.`,
  confirmYes: "Confirmar",
  confirmOther: "Otra hora",
  confirmNo: "No reservar",
  booked: (what, date, time) => `¡Reservado! ${what} el ${date} a las ${time}. ¡Te esperamos!`,
  moved: (what, date, time) => `¡Hecho! Tu cita de ${what} es ahora el ${date} a las ${time}.`,
  notBooked: "Sin problema, no se ha reservado nada.",
  slotTaken: (time, date) => `Lo siento, las ${time} se acaban de ocupar. Las siguientes horas libres el ${date}:`,
  dayFull: (time, date) => `Lo siento, las ${time} se acaban de ocupar y el ${date} ya está completo. Elige otro día:`,
  bookFailed: "Lo siento, no he podido hacer la reserva: algo ha cambiado mientras tanto.",
  noBookings: "No tienes citas próximas.",
  yourBookings: "Tus próximas citas:",
  bookingLine: (date, time, what) => `• ${date}, ${time} — ${what}`,
  chooseToCancel: "¿Qué cita quieres cancelar?",
  chooseToMove: "¿Qué cita quieres cambiar?",
  bookingsButton: "Citas",
  bookingsSection: "Próximas",
  confirmCancel: (what, date, time) => `¿Cancelar tu cita de ${what} el ${date} a las ${time}?`,
  cancelYes: "Sí, cancelar",
  cancelNo: "No, mantenerla",
  cancelled: (what, date, time) => `Tu cita de ${what} el ${date} a las ${time} está cancelada.`,
  cancelFailed: "Esa cita ya no se puede cancelar.",
  kept: "De acuerdo, tu cita sigue como estaba.",
  cannotMove: "Lo siento, esa cita ya no se puede cambiar por aquí.",
  handover: "Claro, alguien de nuestro equipo te responderá por aquí en breve.",
  optedOut: (business) => `No recibirás más mensajes de ${business}. Escribe ALTA para volver a recibirlos.`,
};

export const TEXTS: Record<Language, Texts> = { en, es };
