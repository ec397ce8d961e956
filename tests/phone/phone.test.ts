// The shared phone module (supabase/functions/_shared/phone/phone.ts): libphonenumber-js for every country, the
// business's country as default for national numbers, E.164 only without one, withheld placeholders left alone.
import { describe, expect, it } from "vitest";
import { businessCountry, countryOfNumber, normalizeCallerId, phoneCountry, toE164, WITHHELD } from "../../supabase/functions/_shared/phone/phone.ts";

describe("phone numbers through libphonenumber-js", () => {
  it("reads national numbers in the default country, for countries the old hand-written rules did not know", () => {
    expect(toE164("0412 345 678", "AU")).toBe("+61412345678");
    expect(toE164("06 12 34 56 78", "FR")).toBe("+33612345678");
    expect(toE164("030 123456", "DE")).toBe("+4930123456");
    expect(toE164("081 234 5678", "ZA")).toBe("+27812345678"); // South Africa: no rules before
    expect(toE164("0917 123 4567", "PH")).toBe("+639171234567"); // the Philippines: no rules before
    expect(toE164("090-1234-5678", "JP")).toBe("+819012345678"); // Japan: no rules before
    expect(toE164("+81 90 1234 5678", "US")).toBe("+819012345678");
    expect(toE164("011 81 90 1234 5678", "US")).toBe("+819012345678");
    expect(toE164("00 81 90 1234 5678", "ES")).toBe("+819012345678");
  });

  it("accepts only international numbers without a default country", () => {
    expect(toE164("+34 612 34 56 78")).toBe("+34612345678");
    expect(toE164("612 34 56 78")).toBeNull();
    expect(toE164("612 34 56 78", "XX")).toBeNull(); // no such country: no default
    expect(toE164("612 34 56 78", "es")).toBe("+34612345678");
  });

  it("refuses what it cannot place, valid or merely possible as asked", () => {
    for (const s of ["555-CUTS", "12345", "555-0101", "(123) 555-0101", "+1 480 555 010", "n/a", "", "+", "+0 123 4567"]) {
      expect(toE164(s, "US"), s).toBeNull();
    }
    // +1 370 is no assigned area code: invalid, yet a possible length. Live traffic takes it as given; adoption not.
    expect(toE164("+13705550000", "US")).toBeNull();
    expect(toE164("+13705550000", null, { international: "possible" })).toBe("+13705550000");
    expect(toE164("3705550000", "US", { international: "possible" })).toBeNull(); // a national reading must be valid
  });

  it("never turns a withheld caller id into a number", () => {
    for (const w of WITHHELD) {
      expect(toE164(w, "US", { international: "possible" }), w).toBeNull();
      expect(normalizeCallerId(w, "US")).toBe(w);
      expect(normalizeCallerId(w)).toBe(w);
    }
    for (const s of ["anonymous", "restricted", "client:alice", "sip:alice@example.com", ""]) expect(normalizeCallerId(s, "US")).toBe(s);
    expect(normalizeCallerId("+14155550123")).toBe("+14155550123");
    expect(normalizeCallerId("(415) 555-0123", "US")).toBe("+14155550123");
    expect(normalizeCallerId("(415) 555-0123")).toBe("(415) 555-0123"); // national, no country: left for SQL to refuse
  });

  it("takes the business's country from its phone, else settings.country", () => {
    expect(countryOfNumber("+34612345678")).toBe("ES");
    expect(countryOfNumber("+14155550123")).toBe("US");
    expect(countryOfNumber("34612345678")).toBeUndefined();
    expect(businessCountry({ phone: "+442079460958", settings: { country: "ES" } })).toBe("GB");
    expect(businessCountry({ phone: null, settings: { country: "es" } })).toBe("ES");
    expect(businessCountry({ phone: null, settings: { country: "Spain" } })).toBeUndefined();
    expect(businessCountry({ phone: null, settings: {} })).toBeUndefined();
    expect(phoneCountry("MX")).toBe("MX");
  });
});
