// What callers hear when the agent does not answer, in the business's language (tenant settings `language`:
// English unless it starts with "es", as the WhatsApp assistant reads it).
import { languageOf, type Language } from "../assistant/i18n.ts";

export type { Language };
export { languageOf };

// Twilio <Say language="…">: one locale per language we speak.
export const SAY_LOCALE: Record<Language, string> = { en: "en-US", es: "es-MX" };

const VOICEMAIL: Record<Language, (business: string) => string> = {
  en: (b) => `Thank you for calling ${b}. We can't take your call right now. Please leave your name, number and a short message after the tone, and we'll call you back.`,
  es: (b) => `Gracias por llamar a ${b}. En este momento no podemos atender su llamada. Deje su nombre, su número y un breve mensaje después del tono, y le devolveremos la llamada.`,
};

/** The voicemail greeting: the business's own (settings `voicemail_greeting`) when it has one. */
export function voicemailGreeting(lang: Language, businessName: string, custom?: string | null): string {
  const own = typeof custom === "string" ? custom.trim() : "";
  return own !== "" ? own : VOICEMAIL[lang](businessName);
}

/** For a number that routes to no business we know its language for: both. */
export const NOT_IN_SERVICE: { text: string; language: string }[] = [
  { text: "Sorry, this number is not in service. Goodbye.", language: SAY_LOCALE.en },
  { text: "Lo sentimos, este número no está en servicio. Adiós.", language: SAY_LOCALE.es },
];
