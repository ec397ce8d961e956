// Phone numbers to E.164 for adoption, from what legacy systems actually stored: "(480) 555-0101", "480.555.0101",
// "1-480-555-0101", "+34 612 34 56 78", "0034612345678", "whatsapp:+34612345678", WhatsApp ids without the plus
// ("34612345678").
//
// libphonenumber-js places them (supabase/functions/_shared/phone/phone.ts, shared with the Edge Functions), with the
// mapping's default country for national numbers, for every country it has metadata for. A number it does not
// find valid is reported as unparseable rather than guessed, so the plan shows it.
import { phoneCountry, toE164 as e164 } from "../../supabase/functions/_shared/phone/phone.ts";
import { Invalid, type Out } from "./result.ts";

/** E.164, null for an empty value, Invalid when the number cannot be placed. */
export function toE164(raw: string | null, defaultCountry: string): Out {
  if (raw === null) return null;
  if (raw.trim() === "") return null;
  if (!phoneCountry(defaultCountry)) return new Invalid(`unknown country ${defaultCountry} for phone numbers`);
  return e164(raw, defaultCountry, { international: "valid" }) ?? new Invalid("unparseable phone");
}

/** A WhatsApp id: the E.164 digits without the plus. */
export function toWaId(raw: string | null, defaultCountry: string): Out {
  const out = toE164(raw, defaultCountry);
  return typeof out === "string" ? out.slice(1) : out;
}
