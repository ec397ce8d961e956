// Twilio's From and To through libphonenumber-js (callNumbers, _shared/twilio/params.ts): the values Twilio's voice
// webhook documents — E.164 numbers, "anonymous", client: and sip: addresses, the withheld placeholders — each kept
// as SQL expects it: E.164 for numbers, the rest exactly as sent for private.callable_number to judge.
import { describe, expect, it } from "vitest";
import { callNumbers, incomingCall, parseParams } from "../../supabase/functions/_shared/twilio/params.ts";
import { countryOfNumber } from "../../supabase/functions/_shared/phone/phone.ts";

const form = (p: Record<string, string>) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, [v]]));
const incoming = (from: string, to = "+13055550100") => parseParams(incomingCall, form({
  AccountSid: "AC" + "0".repeat(32), ApiVersion: "2010-04-01", CallSid: "CA" + "1".repeat(32), CallStatus: "ringing",
  Direction: "inbound", Called: to, Caller: from, From: from, To: to,
}));

describe("Twilio From and To", () => {
  it("keeps E.164 numbers as they are and reads them in the business's country", () => {
    const country = countryOfNumber("+13055550100");
    expect(country).toBe("US");
    expect(callNumbers(incoming("+14155550123"), country)).toEqual({ from: "+14155550123", to: "+13055550100" });
    expect(callNumbers(incoming("+442079460958"), country).from).toBe("+442079460958");
    // A national From (SIP trunks sometimes pass one through): read in the business's country, E.164 only without.
    expect(callNumbers(incoming("4155550123"), country).from).toBe("+14155550123");
    expect(callNumbers(incoming("4155550123"), undefined).from).toBe("4155550123");
  });

  it("leaves withheld placeholders, anonymous callers and SIP or client addresses exactly as sent", () => {
    for (const from of ["+266696687", "+7378742833", "+8656696", "+2562533", "anonymous", "Restricted", "client:alice",
      "sip:alice@example.sip.twilio.com"]) {
      expect(callNumbers(incoming(from), "US").from, from).toBe(from);
    }
    expect(callNumbers({}, "US")).toEqual({ from: null, to: null });
  });
});
