// The quick replies of a booking reminder (the template's buttons, or the reply buttons sent instead inside the
// 24-hour window; supabase/migrations/*_reminders.sql): remind:confirm|reschedule|cancel:<booking id>. Whichever
// assistant a business uses, they are answered the same, deterministically: "confirm" thanks the customer, and
// "reschedule" / "cancel" continue in the menu assistant's own steps for that booking (pick a new day, or confirm
// the cancellation), exactly as if the customer had chosen it from "my bookings". A booking that is no longer
// upcoming (cancelled, moved, past) — or someone else's id — gets "that option is no longer available".
import { formatWhen, languageOf } from "./i18n.ts";
import { readInput } from "./intent.ts";
import { isId } from "./state.ts";
import type { Assistant, InboundMessage } from "./types.ts";
import { text } from "./whatsapp.ts";

const QUICK_REPLY = /^remind:(confirm|reschedule|cancel):([0-9a-f-]{36})$/i;

export function withReminderReplies(inner: Assistant, menu: Assistant): Assistant {
  return {
    async respond(ctx, message, tools) {
      const input = readInput(message);
      const m = input.kind === "choice" ? QUICK_REPLY.exec(input.id) : null;
      // Opted out, handed over: whatever the assistant does then (silence, mostly), not a quick-reply answer.
      if (!m || !isId(m[2]) || ctx.customer.opted_out_at || ctx.conversation.handed_over_at) return inner.respond(ctx, message, tools);
      const [, what, id] = m;
      const es = languageOf(ctx.tenant.settings?.language) === "es";
      const booking = (await tools.bookings()).find((b) => b.id === id.toLowerCase());
      const state = ctx.conversation.bot_state;
      if (!booking) {
        return { replies: [text(es ? "Esa cita ya no está disponible." : "That booking is no longer available.")], state, handover: null, optOut: null };
      }
      if (what === "confirm") {
        const w = formatWhen(es ? "es" : "en", booking.starts_at, ctx.tenant.timezone);
        return {
          replies: [text(es ? `¡Gracias! Te esperamos el ${w.date} a las ${w.time}.` : `Thank you! See you on ${w.date} at ${w.time}.`)],
          state, handover: null, optOut: null,
        };
      }
      // As if "my bookings" had listed just this one and the customer picked it.
      const picked: InboundMessage = {
        ...message, type: "interactive",
        payload: { ...message.payload, type: "interactive", interactive: { type: "button_reply", button_reply: { id: `bk:${booking.id}`, title: booking.service.slice(0, 20) } } },
      };
      const step = { step: "booking", purpose: what, booking_ids: [booking.id], page: 0 };
      return menu.respond({ ...ctx, conversation: { ...ctx.conversation, bot_state: { ...state, ...step } } }, picked, tools);
    },
  };
}
