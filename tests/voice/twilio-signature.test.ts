// The Twilio pieces that need no database: the signature (against Twilio's own documented examples), the form
// parameters, and the TwiML we answer with.
import { describe, expect, it } from "vitest";
import { callStatus, firstValues, isoTimestamp, parseParams } from "../../supabase/functions/_shared/twilio/params.ts";
import { formParams, legacyQuery, signedPayload, twilioSignature, urlVariants, verifyTwilioSignature } from "../../supabase/functions/_shared/twilio/signature.ts";
import { connectStream, record, response, say, xmlEscape } from "../../supabase/functions/_shared/twilio/twiml.ts";
import { goodbyeTwiml, incomingTwiml, recordingCallbackUrl, type IncomingDecision } from "../../supabase/functions/_shared/twilio/webhook.ts";

// Twilio's "Webhooks security" guide: auth token 12345, this URL, these parameters, this signature.
const TOKEN = "12345";
const URL_ = "https://mycompany.com/myapp.php?foo=1&bar=2";
const GUIDE = { CallSid: "CA1234567890ABCDE", Caller: "+12349013030", Digits: "1234", From: "+12349013030", To: "+18005551212" };
const GUIDE_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
// The same example in twilio-node's own test suite (spec/validation.spec.js), with the older guide's numbers.
const SDK = { CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212" };
const SDK_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

describe("X-Twilio-Signature", () => {
  it("verifies Twilio's documented example, and computes exactly its signature", async () => {
    expect(signedPayload(URL_, GUIDE)).toBe("https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212");
    expect(await twilioSignature(TOKEN, URL_, GUIDE)).toBe(GUIDE_SIGNATURE);
    expect(await verifyTwilioSignature(TOKEN, GUIDE_SIGNATURE, URL_, GUIDE)).toBe(true);
    expect(await verifyTwilioSignature(TOKEN, SDK_SIGNATURE, URL_, SDK)).toBe(true);
  });

  it("verifies the parameters as they arrive, form-encoded and in any order", async () => {
    const body = "To=%2B18005551212&Digits=1234&From=%2B12349013030&CallSid=CA1234567890ABCDE&Caller=%2B12349013030";
    expect(await verifyTwilioSignature(TOKEN, GUIDE_SIGNATURE, URL_, formParams(body))).toBe(true);
  });

  it("refuses any change: a parameter, an added parameter, the URL, the query, the token, or a truncated signature", async () => {
    expect(await verifyTwilioSignature(TOKEN, GUIDE_SIGNATURE, URL_, { ...GUIDE, Digits: "9999" })).toBe(false);
    expect(await verifyTwilioSignature(TOKEN, GUIDE_SIGNATURE, URL_, { ...GUIDE, Extra: "1" })).toBe(false);
    expect(await verifyTwilioSignature(TOKEN, GUIDE_SIGNATURE, "https://evil.example/myapp.php?foo=1&bar=2", GUIDE)).toBe(false);
    expect(await verifyTwilioSignature(TOKEN, GUIDE_SIGNATURE, "https://mycompany.com/myapp.php?foo=1&bar=3", GUIDE)).toBe(false);
    expect(await verifyTwilioSignature("54321", GUIDE_SIGNATURE, URL_, GUIDE)).toBe(false);
    expect(await verifyTwilioSignature(TOKEN, GUIDE_SIGNATURE.slice(0, -2), URL_, GUIDE)).toBe(false);
    expect(await verifyTwilioSignature(TOKEN, "", URL_, GUIDE)).toBe(false);
    expect(await verifyTwilioSignature(TOKEN, null, URL_, GUIDE)).toBe(false);
  });

  it("accepts a URL signed with or without the scheme's default port (Twilio is inconsistent; twilio-node allows both)", async () => {
    const withPort = await twilioSignature(TOKEN, "https://mycompany.com:443/myapp.php?foo=1&bar=2", GUIDE);
    expect(await verifyTwilioSignature(TOKEN, withPort, URL_, GUIDE)).toBe(true);
    expect(await verifyTwilioSignature(TOKEN, GUIDE_SIGNATURE, "https://mycompany.com:443/myapp.php?foo=1&bar=2", GUIDE)).toBe(true);
    // as twilio-node: an explicit port is also tried without it
    expect(urlVariants("https://mycompany.com:8443/x")).toEqual(["https://mycompany.com/x", "https://mycompany.com:8443/x"]);
    expect(urlVariants("http://h.example/p?q=%2B1")).toEqual(["http://h.example/p?q=%2B1", "http://h.example:80/p?q=%2B1"]);
  });

  it("accepts a query holding ' signed raw or percent-encoded, as twilio-node's validateRequest does", async () => {
    const raw = "https://mycompany.com/myapp.php?name=o'brien&foo=1";
    const encoded = "https://mycompany.com/myapp.php?name=o%27brien&foo=1";
    for (const signedOver of [raw, encoded]) {
      const signature = await twilioSignature(TOKEN, signedOver, GUIDE);
      for (const received of [raw, encoded]) {
        expect(await verifyTwilioSignature(TOKEN, signature, received, GUIDE), `${signedOver} as ${received}`).toBe(true);
      }
    }
    expect(urlVariants(raw)).toEqual([
      encoded, "https://mycompany.com:443/myapp.php?name=o%27brien&foo=1", raw, // the WHATWG forms, then the legacy one
    ]);
    // the legacy form groups repeated names and reads + as a space, as Node's querystring does
    expect(legacyQuery("?b=1&a=x+y&b=2&c")).toBe("b=1&b=2&a=x%20y&c=");
    expect(legacyQuery("q=%E0%A4%A&r=%27")).toBe("q=%25E0%25A4%25A&r='");
    // still nothing else: another value or another path is refused
    const signature = await twilioSignature(TOKEN, raw, GUIDE);
    expect(await verifyTwilioSignature(TOKEN, signature, "https://mycompany.com/myapp.php?name=obrien&foo=1", GUIDE)).toBe(false);
    expect(await verifyTwilioSignature(TOKEN, signature, "https://mycompany.com/other.php?name=o'brien&foo=1", GUIDE)).toBe(false);
  });

  it("signs a repeated parameter with each distinct value, sorted (as twilio-node does)", () => {
    expect(signedPayload("u", { B: ["2", "1", "2"], A: ["x"] })).toBe("uAxB1B2");
    expect(signedPayload("u", formParams("B=2&A=x&B=1"))).toBe("uAxB1B2");
  });
});

describe("form parameters", () => {
  it("map Twilio's statuses onto ours and refuse unknown ones, naming the field", () => {
    const p = (s: string) => formParams(new URLSearchParams({ CallSid: "CA0123456789abcdef0123456789abcdef", CallStatus: s }));
    expect(parseParams(callStatus, p("in-progress")).CallStatus).toBe("in_progress");
    expect(parseParams(callStatus, p("no-answer")).CallStatus).toBe("no_answer");
    expect(() => parseParams(callStatus, p("exploded"))).toThrow(/CallStatus/);
    expect(() => parseParams(callStatus, formParams("CallSid=XX1&CallStatus=completed"))).toThrow(/CallSid/);
  });

  it("read Twilio's RFC 2822 timestamps", () => {
    expect(isoTimestamp("Tue, 10 Jan 2017 23:14:38 +0000")).toBe("2017-01-10T23:14:38.000Z");
    expect(isoTimestamp("not a date")).toBeNull();
    expect(firstValues(formParams("a=1&a=2&b=3"))).toEqual({ a: "1", b: "3" });
  });
});

describe("TwiML", () => {
  const decision = (over: Partial<IncomingDecision>): IncomingDecision => ({
    tenant_id: "t-1", call_id: "c-1", customer_id: "cu-1", answer: "agent", reason: null, agent_id: "a-1",
    media_stream_url: "wss://agent.example/stream?x=1&y=2", business_name: `Bob's "Cuts" & Co`, language: "en", voicemail_greeting: null,
    ...over,
  });

  it("escapes everything it is given", () => {
    expect(xmlEscape(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
    expect(say("Tom & Jerry <3", "en-US")).toBe('<Say language="en-US">Tom &amp; Jerry &lt;3</Say>');
  });

  it("connects the agent's media stream, passing tenant, call and customer as stream parameters", () => {
    const xml = incomingTwiml(decision({}), { from: "+13055550100", to: "+13055550199" }, "https://pub.example/functions/v1");
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://agent.example/stream?x=1&amp;y=2">'
      + '<Parameter name="tenant_id" value="t-1"/><Parameter name="call_id" value="c-1"/><Parameter name="customer_id" value="cu-1"/>'
      + '<Parameter name="agent_id" value="a-1"/><Parameter name="caller" value="+13055550100"/></Stream></Connect></Response>');
    // an anonymous caller has no customer: the parameter is left out, not sent empty
    expect(incomingTwiml(decision({ customer_id: null }), { from: "anonymous", to: "+1" }, "b")).not.toContain("customer_id");
  });

  it("takes a voicemail in the business's language, with a recording callback that names the number", () => {
    const base = "https://pub.example/functions/v1";
    const es = incomingTwiml(decision({ answer: "voicemail", reason: "closed", language: "es" }), { from: "+13055550100", to: "+13055550199" }, base);
    const callback = recordingCallbackUrl(base, "+13055550199");
    expect(callback).toBe("https://pub.example/functions/v1/voice-webhook/twilio/recording?to=%2B13055550199");
    expect(es).toContain('<Say language="es-MX">Gracias por llamar a Bob&apos;s &quot;Cuts&quot; &amp; Co.');
    expect(es).toContain(record({ action: callback, recordingStatusCallback: callback, maxLength: 120 }));
    expect(es).toContain('action="https://pub.example/functions/v1/voice-webhook/twilio/recording?to=%2B13055550199"');
    expect(es).toContain('recordingStatusCallback="https://pub.example/functions/v1/voice-webhook/twilio/recording?to=%2B13055550199"');
    const own = incomingTwiml(decision({ answer: "voicemail", reason: "no_agent", voicemail_greeting: "Leave it at the beep." }), { from: "+1", to: "+2" }, base);
    expect(own).toContain('<Say language="en-US">Leave it at the beep.</Say>');
    expect(goodbyeTwiml()).toMatch(/^<\?xml.*<Say language="en-US">Sorry, this number is not in service\. Goodbye\.<\/Say>.*<Hangup\/><\/Response>$/);
    expect(response()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    expect(connectStream("wss://a", {})).toBe('<Connect><Stream url="wss://a"></Stream></Connect>');
  });
});
