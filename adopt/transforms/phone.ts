// Phone numbers to E.164 (`^\+[1-9][0-9]{6,14}$`, what every Frontdesk phone column checks), from what legacy
// systems actually stored: "(480) 555-0101", "480.555.0101", "1-480-555-0101", "+34 612 34 56 78",
// "0034612345678", "whatsapp:+34612345678", WhatsApp ids without the plus ("34612345678").
//
// National numbers take the mapping's default country. The rules are deliberately small (calling code, trunk
// prefix, national lengths for the countries Frontdesk's customers are in); a number they cannot place with
// confidence is reported as unparseable rather than guessed, so the plan shows it.
import { Invalid, type Out } from "./result.ts";

interface Country {
  code: string;
  /** Digits dialled before a national number at home ("0" in most of Europe, "1" for long distance in NANP). */
  trunk?: string;
  /** Lengths of the national significant number. */
  lengths: number[];
  /** Extra check of the national significant number. */
  valid?: (nsn: string) => boolean;
}

// North America: area code and exchange never start with 0 or 1.
const nanp = (nsn: string) => /^[2-9][0-9]{2}[2-9][0-9]{6}$/.test(nsn);

export const COUNTRIES: Record<string, Country> = {
  US: { code: "1", trunk: "1", lengths: [10], valid: nanp },
  CA: { code: "1", trunk: "1", lengths: [10], valid: nanp },
  ES: { code: "34", lengths: [9], valid: (n) => /^[5-9]/.test(n) },
  MX: { code: "52", lengths: [10] },
  CO: { code: "57", lengths: [10] },
  AR: { code: "54", trunk: "0", lengths: [10, 11] },
  CL: { code: "56", lengths: [9] },
  PE: { code: "51", lengths: [9] },
  BR: { code: "55", trunk: "0", lengths: [10, 11] },
  GB: { code: "44", trunk: "0", lengths: [9, 10] },
  IE: { code: "353", trunk: "0", lengths: [7, 8, 9] },
  FR: { code: "33", trunk: "0", lengths: [9] },
  DE: { code: "49", trunk: "0", lengths: [6, 7, 8, 9, 10, 11] },
  IT: { code: "39", lengths: [6, 7, 8, 9, 10, 11] },
  PT: { code: "351", lengths: [9] },
  NL: { code: "31", trunk: "0", lengths: [9] },
  IN: { code: "91", trunk: "0", lengths: [10] },
  AU: { code: "61", trunk: "0", lengths: [9] },
};

// Calling code -> the rules to check an international number by (first country listed wins: US for +1).
const BY_CODE = new Map<string, Country>();
for (const c of Object.values(COUNTRIES)) if (!BY_CODE.has(c.code)) BY_CODE.set(c.code, c);

const E164 = /^\+[1-9][0-9]{6,14}$/;
const SEPARATORS = /[\s\-.()/\u00a0]/g;

function checkInternational(digits: string): string | null {
  const e164 = "+" + digits;
  if (!E164.test(e164)) return null;
  for (const len of [1, 2, 3]) {
    const rules = BY_CODE.get(digits.slice(0, len));
    if (!rules) continue;
    const nsn = digits.slice(len);
    if (!rules.lengths.includes(nsn.length)) return null;
    if (rules.valid && !rules.valid(nsn)) return null;
    return e164;
  }
  return e164; // a calling code we have no rules for: the E.164 shape is all we can check
}

/** E.164, null for an empty value, Invalid when the number cannot be placed. */
export function toE164(raw: string | null, defaultCountry: string): Out {
  if (raw === null) return null;
  let s = raw.trim();
  if (s === "") return null;
  s = s.replace(/^(whatsapp|tel|sms):/i, "");
  const plus = s.startsWith("+");
  const digits = s.replace(SEPARATORS, "").replace(/^\+/, "");
  if (!/^[0-9]+$/.test(digits)) return new Invalid("unparseable phone");

  const country = COUNTRIES[defaultCountry];
  if (!country) return new Invalid(`no phone rules for country ${defaultCountry}`);

  let result: string | null = null;
  if (plus) result = checkInternational(digits);
  else if (digits.startsWith("00")) result = checkInternational(digits.slice(2));
  else if (country.code === "1" && digits.startsWith("011")) result = checkInternational(digits.slice(3));
  else {
    // National first (with or without the trunk prefix), then "international without the plus", as WhatsApp ids
    // and many CRMs store numbers.
    const national = country.trunk && digits.startsWith(country.trunk) && country.lengths.includes(digits.length - country.trunk.length)
      ? digits.slice(country.trunk.length)
      : digits;
    if (country.lengths.includes(national.length) && (!country.valid || country.valid(national))) {
      result = "+" + country.code + national;
    } else {
      result = checkInternational(digits);
    }
  }
  return result ?? new Invalid("unparseable phone");
}

/** A WhatsApp id: the E.164 digits without the plus. */
export function toWaId(raw: string | null, defaultCountry: string): Out {
  const e164 = toE164(raw, defaultCountry);
  return typeof e164 === "string" ? e164.slice(1) : e164;
}
