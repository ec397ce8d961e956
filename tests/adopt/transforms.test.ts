// The value transforms on what legacy systems really stored.
import { describe, expect, it } from "vitest";
import { toE164, toWaId } from "../../adopt/transforms/phone.ts";
import { Invalid } from "../../adopt/transforms/result.ts";
import { boolean, cents, email, minutes, textArray, time, weekday } from "../../adopt/transforms/values.ts";

const bad = (v: unknown) => v instanceof Invalid;

describe("adopt transforms", () => {
  it("phones to E.164 with a default country, and refuses what cannot be placed", () => {
    const us = (s: string) => toE164(s, "US");
    expect(["(480) 555-0101", "480-555-0101", "480.555.0101", "+1 480 555 0101", "14805550101", "1-480-555-0101", "tel:+14805550101"].map(us))
      .toEqual(Array(7).fill("+14805550101"));
    expect(us("+44 20 7946 0958")).toBe("+442079460958");
    expect(us("011 44 20 7946 0958")).toBe("+442079460958");
    for (const s of ["555-CUTS", "12345", "555-0101", "(123) 555-0101", "+1 480 555 010", "n/a"]) expect(bad(us(s)), s).toBe(true);
    expect(us("  ")).toBeNull();
    expect(us(null as unknown as string)).toBeNull();
    const es = (s: string) => toE164(s, "ES");
    expect(["612 34 56 78", "+34612345678", "0034 612 345 678", "34612345678", "whatsapp:+34612345678"].map(es)).toEqual(Array(5).fill("+34612345678"));
    expect(toE164("020 7946 0958", "GB")).toBe("+442079460958");
    expect(toWaId("+34 612 34 56 78", "ES")).toBe("34612345678");
    // Every country libphonenumber-js has metadata for, not only the ones rules were once written for.
    expect(toE164("090-1234-5678", "JP")).toBe("+819012345678");
    expect(toWaId("081 234 5678", "ZA")).toBe("27812345678");
    expect(bad(toE164("+13705550000", "US"))).toBe(true); // no assigned area code: reported, not imported
    expect((toE164("612 34 56 78", "XX") as Invalid).reason).toMatch(/unknown country XX/);
  });

  it("prices, durations, times, weekdays, booleans, e-mails and lists", () => {
    expect(["15€", "15,00 €", "$15.00", "15", "EUR 15"].map(cents)).toEqual(Array(5).fill("1500"));
    expect(["10,50 €", "10.5", "1,250.75", "1.250,75"].map(cents)).toEqual(["1050", "1050", "125075", "125075"]);
    expect(bad(cents("consultar"))).toBe(true);
    expect(["30", "30 min", "30m", "0:30"].map(minutes)).toEqual(Array(4).fill("30"));
    expect(["1h", "1 h 30", "1h30m", "1:30", "1.5h", "90 minutes"].map(minutes)).toEqual(["60", "90", "90", "90", "90", "90"]);
    expect(["9:00", "09:00", "9am", "9:30 pm", "21h", "16:30:15"].map(time)).toEqual(["09:00:00", "09:00:00", "09:00:00", "21:30:00", "21:00:00", "16:30:15"]);
    expect(bad(time("closed"))).toBe(true);
    expect(bad(time("25:00"))).toBe(true);
    // Postgres's dow: Sunday 0. Python's weekday(): Monday 0.
    expect(["0", "6"].map((d) => weekday(d, { first: "monday" }))).toEqual(["1", "0"]);
    expect(["sunday", "Monday", "sábado", "7"].map((d) => weekday(d, { base: 1 }))).toEqual(["0", "1", "6", "6"]);
    expect(["yes", "t", "1", "No", "off"].map(boolean)).toEqual(["true", "true", "true", "false", "false"]);
    expect([email(" Bob@Example.COM "), bad(email("pat@")), email("")]).toEqual(["bob@example.com", true, null]);
    expect(textArray('["voice","sms"]')).toBe('{"voice","sms"}');
    expect(textArray("{voice,sms}")).toBe('{"voice","sms"}');
    expect(bad(textArray('["voice","fax"]', { allowed: ["voice", "sms", "mms"] }))).toBe(true);
  });
});
