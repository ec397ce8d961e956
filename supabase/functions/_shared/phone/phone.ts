// Phone numbers to E.164 (`^\+[1-9][0-9]{6,14}$`, what every Frontdesk phone column and SQL function takes), with
// libphonenumber-js and its metadata for every country: "(480) 555-0101", "0034 612 345 678", "011 44 20 7946 0958",
// "tel:+14805550101", "whatsapp:+34612345678", "34612345678" (a WhatsApp id without its plus).
//
// A national number is read in a default country, the business's (businessCountry: its phone's country, else
// settings.country); without one only international numbers are accepted, never guessed. Used from Node by the
// adoption transforms and `whatsapp:replay`, and from Deno (`npm:libphonenumber-js` in deno.json) by the memory API,
// the Twilio webhooks and the WhatsApp webhook, which reads the phone of every wa_id here (_shared/whatsapp/phones.ts)
// for the SQL ingest, which derives none itself.
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js";
import { E164 } from "./e164.ts";

export type { CountryCode };

export { E164 };

/**
 * The caller ids carriers and Twilio put in From when the caller withheld the number (keypad spellings of
 * ANONYMOUS, RESTRICTED, UNKNOWN, BLOCKED). private.callable_number refuses exactly these; they are passed on as
 * they came, never "normalised" into something else.
 */
export const WITHHELD = new Set(["+266696687", "+7378742833", "+8656696", "+2562533"]);

const PREFIX = /^(whatsapp|tel|sms):/i;
const SEPARATORS = /[\s\-.()/\u00a0]/g;

/** An ISO 3166 alpha-2 code libphonenumber-js has metadata for, upper-cased; undefined otherwise. */
export function phoneCountry(code: unknown): CountryCode | undefined {
  if (typeof code !== "string") return undefined;
  const c = code.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(c) && isSupportedCountry(c) ? c : undefined;
}

/** The country of a number (E.164), when its calling code and range place it; undefined otherwise. */
export function countryOfNumber(e164: string | null | undefined): CountryCode | undefined {
  if (!e164 || !E164.test(e164)) return undefined;
  return parsePhoneNumberFromString(e164)?.country;
}

/** A business's default country for national numbers: its phone's country, else settings.country, else none. */
export function businessCountry(b: { phone?: string | null; country?: unknown; settings?: unknown }): CountryCode | undefined {
  const settings = b.settings && typeof b.settings === "object" ? (b.settings as Record<string, unknown>).country : undefined;
  return countryOfNumber(b.phone) ?? phoneCountry(b.country) ?? phoneCountry(settings);
}

export interface PhoneOptions {
  /**
   * What an international number must be: "valid" (in a range the metadata knows to be assigned; adoption, where a
   * wrong number is better reported than imported) or "possible" (a possible length for its calling code; live
   * traffic, where the metadata may lag a newly assigned range and refusing would lose a real caller); "possible"
   * applies to numbers written with "+" only. A national number must always be valid: it is never guessed.
   */
  international?: "valid" | "possible";
}

/**
 * E.164 for a phone number as people and systems write it, or null when it cannot be placed: letters, too few or
 * too many digits, a number invalid in its country, or a national number without a default country.
 */
export function toE164(raw: string, defaultCountry?: string | null, opts: PhoneOptions = {}): string | null {
  const compact = raw.trim().replace(PREFIX, "").replace(SEPARATORS, "");
  if (!/^\+?[0-9]{1,20}$/.test(compact)) return null;
  if (WITHHELD.has(compact)) return null;
  const country = phoneCountry(defaultCountry);
  if (!compact.startsWith("+") && !country) return null;
  const n = parsePhoneNumberFromString(compact, country ? { defaultCountry: country } : undefined);
  if (!n || !E164.test(n.number)) return null;
  if (n.isValid()) return n.number;
  // Written with its "+" and calling code, a possible number is taken as given (when asked to); a national reading
  // must be valid.
  return opts.international === "possible" && compact.startsWith("+") && n.isPossible() ? n.number : null;
}

/**
 * A caller id as a provider sent it (Twilio From/To): E.164 when it is a phone number, in the business's country
 * when national; otherwise exactly as sent ("anonymous", "client:alice", "sip:…", the withheld placeholders), for
 * private.callable_number to judge.
 */
export function normalizeCallerId(raw: string, defaultCountry?: string | null): string {
  if (WITHHELD.has(raw.trim())) return raw;
  return toE164(raw, defaultCountry, { international: "possible" }) ?? raw;
}
