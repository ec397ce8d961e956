// Which assistant answers a business's customers: tenants.settings.assistant.mode 'llm' → the LLM assistant
// (llm-assistant.ts, which itself hands to the menu whenever the model must not or cannot answer), anything else →
// the deterministic menu assistant (booking-assistant.ts). Either way a reminder's quick replies (confirm, reschedule,
// cancel) are answered first, the same for both (reminder-replies.ts).
import { bookingAssistant } from "./booking-assistant.ts";
import { assistantSettings, llmAssistant } from "./llm-assistant.ts";
import { withReminderReplies } from "./reminder-replies.ts";
import type { Assistant } from "./types.ts";

const chosen: Assistant = {
  respond: (ctx, message, tools) =>
    (assistantSettings(ctx.tenant.settings).mode === "llm" ? llmAssistant : bookingAssistant).respond(ctx, message, tools),
};

export const perBusinessAssistant: Assistant = withReminderReplies(chosen, bookingAssistant);
