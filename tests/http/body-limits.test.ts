// Bounded request bodies: _shared/http/body.ts on its own (Content-Length refused before a byte is read, streams
// counted and cut at the limit whatever the header says), then the public webhooks end to end through the real
// gateway: an oversized POST is answered 413 with a JSON error before any signature check or database work, signed
// or not, with or without Content-Length, and nothing is stored.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { LOCAL_WHATSAPP_APP_SECRET } from "../../local/keys.ts";
import { DEFAULT_JSON_LIMIT, KiB, MiB, readBytes, readText } from "../../supabase/functions/_shared/http/body.ts";
import { HttpError } from "../../supabase/functions/_shared/http/errors.ts";
import { parseJsonBody } from "../../supabase/functions/_shared/http/parse.ts";
import { errorResponse } from "../../supabase/functions/_shared/http/respond.ts";
import { WEBHOOK_BODY_LIMIT as TWILIO_LIMIT } from "../../supabase/functions/_shared/twilio/webhook.ts";
import { CALL_EVENT_BODY_LIMIT } from "../../supabase/functions/_shared/voice-platforms/events.ts";
import { WEBHOOK_BODY_LIMIT as WHATSAPP_LIMIT } from "../../supabase/functions/_shared/whatsapp/webhook.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { delivery, inbound, messagesChange, post } from "../helpers/meta.ts";
import { callSid, incomingParams, phone, postVapi, PUBLIC_BASE, setAgentSecretRow, vapiReport, voiceBusiness, type VoiceBusiness } from "../voice/fixtures.ts";
import { whatsappBusiness, type WhatsAppBusiness } from "../whatsapp/fixtures.ts";

/** A body stream of `chunks` chunks of `size` bytes, produced only when read, recording how much was pulled. */
function counted(chunks: number, size: number) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled >= chunks * size) return controller.close();
      seen.pulled += size;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel() {
      seen.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, seen };
}

const request = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://functions.test/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);

async function refusal(p: Promise<unknown>): Promise<HttpError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

describe("readBytes / readText", () => {
  it("refuses by Content-Length alone, before reading a byte", async () => {
    const { stream, seen } = counted(100, KiB);
    const req = request(stream, { "content-length": String(10 * KiB + 1) });
    const err = await refusal(readBytes(req, 10 * KiB));
    expect(err).toMatchObject({ status: 413, code: "payload_too_large" });
    expect(err.message).toContain(`${10 * KiB} bytes`);
    expect(seen.pulled).toBe(0);
    expect(req.bodyUsed).toBe(false);
  });

  it("cuts a stream without Content-Length at the limit and cancels it", async () => {
    const { stream, seen } = counted(1000, KiB); // 1000 KiB on offer
    const req = request(stream);
    expect(req.headers.get("content-length")).toBeNull();
    expect((await refusal(readBytes(req, 10 * KiB))).status).toBe(413);
    // Read up to the first chunk past the limit, no further.
    expect(seen.pulled).toBe(11 * KiB);
    expect(seen.cancelled).toBe(true);
  });

  it("cuts a stream whose Content-Length lies (smaller than the body)", async () => {
    const { stream, seen } = counted(1000, KiB);
    const req = request(stream, { "content-length": "16" });
    expect((await refusal(readText(req, 10 * KiB))).status).toBe(413);
    expect(seen.pulled).toBe(11 * KiB);
    expect(seen.cancelled).toBe(true);
  });

  it("accepts a body of exactly the limit, streamed or declared, and an empty one", async () => {
    const { stream } = counted(10, KiB);
    expect((await readBytes(request(stream), 10 * KiB)).byteLength).toBe(10 * KiB);
    const exact = "é".repeat(512); // 1024 bytes of UTF-8
    expect(await readText(request(exact, { "content-length": "1024" }), KiB)).toBe(exact);
    await expect(readText(request(exact + "x"), KiB)).rejects.toMatchObject({ status: 413 });
    expect((await readBytes(request(null), KiB)).byteLength).toBe(0);
    // A malformed Content-Length proves nothing either way: the count decides.
    expect(await readText(request("hello", { "content-length": "lots" }), KiB)).toBe("hello");
  });

  it("parseJsonBody is bounded too (64 KiB by default) and the refusal is a JSON 413 naming the limit", async () => {
    const schema = z.object({ note: z.string() });
    expect(await parseJsonBody(request(JSON.stringify({ note: "hi" })), schema)).toEqual({ note: "hi" });
    const big = JSON.stringify({ note: "x".repeat(DEFAULT_JSON_LIMIT) });
    const err = await refusal(parseJsonBody(request(big), schema));
    expect(err.status).toBe(413);
    expect(await parseJsonBody(request(big), schema, 2 * DEFAULT_JSON_LIMIT)).toEqual({ note: "x".repeat(DEFAULT_JSON_LIMIT) });
    const res = errorResponse(err);
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toEqual({
      error: { code: "payload_too_large", message: `the request body is larger than the limit of ${DEFAULT_JSON_LIMIT} bytes`, details: { limit_bytes: DEFAULT_JSON_LIMIT } },
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// End to end
// ---------------------------------------------------------------------------------------------------------------

const db = useTestDatabase();
const fns = useFunctions(db, { VOICE_PUBLIC_BASE_URL: PUBLIC_BASE });

let wa: WhatsAppBusiness;
let voice: VoiceBusiness;
let vapiAgent: { platformId: string; secret: string };
beforeAll(async () => {
  wa = await whatsappBusiness(db, "limits-wa");
  voice = await voiceBusiness(db, "limits-voice");
  const platformId = crypto.randomUUID();
  const secret = `sk-${crypto.randomUUID()}`;
  const [a] = await db.sql`
    insert into public.voice_agents (tenant_id, name, platform, platform_agent_id)
    values (${voice.id}, 'Vapi agent', 'vapi', ${platformId}) returning id`;
  await setAgentSecretRow(db, voice.id, a.id, "webhook_secret", secret);
  vapiAgent = { platformId, secret };
});

const stored = async () => (await db.sql`
  select (select count(*)::int from private.webhook_deliveries) as deliveries,
         (select count(*)::int from private.unroutable_events) as unroutable,
         (select count(*)::int from public.calls) as calls,
         (select count(*)::int from public.messages) as messages`)[0];

async function expect413(res: Response, limit: number) {
  expect(res.status).toBe(413);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const body = await res.json();
  expect(body.error.code).toBe("payload_too_large");
  expect(body.error.message).toContain(`${limit} bytes`);
}

/**
 * An upload without Content-Length that goes on until the answer arrives (capped at `cap` bytes, so a server that
 * reads everything fails the test rather than hanging it). What happens to the rest of the upload after the answer is
 * up to the HTTP stack; what matters is that the function answered while it was still coming.
 */
function endless(cap: number, prefix = "") {
  const seen = { sent: 0, sentAtAnswer: Number.NaN, answered: false };
  const head = new TextEncoder().encode(prefix);
  const chunk = new Uint8Array(64 * KiB).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.answered || seen.sent >= cap) return controller.close();
      const next = seen.sent === 0 && head.length ? head : chunk;
      seen.sent += next.byteLength;
      controller.enqueue(next);
    },
  });
  const answered = (res: Response) => {
    seen.sentAtAnswer = seen.sent;
    seen.answered = true;
    return res;
  };
  return { stream, seen, answered };
}

const UPLOAD_CAP = 512 * MiB;

describe("whatsapp-webhook", () => {
  const hook = () => `${fns.url}/whatsapp-webhook`;
  const padded = (bytes: number) => ({ ...delivery(messagesChange(`10${randomBytes(6).toString("hex")}`, { messages: [inbound("15550001111", "text")] })), padding: "x".repeat(bytes) });

  it("stores a normal signed delivery for an unknown number as unroutable (the control)", async () => {
    const before = await stored();
    const res = await post(hook(), padded(16 * KiB), LOCAL_WHATSAPP_APP_SECRET);
    expect(res.status).toBe(200);
    expect((await stored()).unroutable).toBe(before.unroutable + 1);
  });

  it("answers 413 to an oversized POST, unsigned or validly signed, storing nothing", async () => {
    const before = await stored();
    await expect413(await post(hook(), padded(WHATSAPP_LIMIT), null), WHATSAPP_LIMIT);
    await expect413(await post(hook(), padded(WHATSAPP_LIMIT), LOCAL_WHATSAPP_APP_SECRET), WHATSAPP_LIMIT);
    await expect413(await post(`${hook()}/channels/${wa.channelId}`, padded(WHATSAPP_LIMIT), null), WHATSAPP_LIMIT);
    expect(await stored()).toEqual(before);
  });

  it("cuts a streamed upload without Content-Length at the limit, storing nothing", async () => {
    const before = await stored();
    const upload = endless(UPLOAD_CAP, '{"object":"whatsapp_business_account","entry":[],"padding":"');
    const res = await fetch(hook(), {
      method: "POST", body: upload.stream, duplex: "half", headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${"ab".repeat(32)}` },
    } as RequestInit).then(upload.answered);
    await expect413(res, WHATSAPP_LIMIT);
    // Answered past the limit, while the upload was still going: not after reading it all.
    expect(upload.seen.sentAtAnswer).toBeGreaterThan(WHATSAPP_LIMIT);
    expect(upload.seen.sentAtAnswer).toBeLessThan(UPLOAD_CAP);
    expect(await stored()).toEqual(before);
  });
});

describe("voice-webhook", () => {
  const url = () => `${fns.url}/voice-webhook/twilio/incoming`;
  const form = (to: string, padding: number) =>
    new URLSearchParams({ ...incomingParams({ number: to, accountSid: voice.accountSid }, callSid(), phone()), Padding: "x".repeat(padding) }).toString();
  const postForm = (body: BodyInit, signature: string | null) => fetch(url(), {
    method: "POST", body, duplex: "half",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(signature ? { "x-twilio-signature": signature } : {}) },
  } as RequestInit);

  it("keeps a small request for a number nobody has as unroutable (the control)", async () => {
    const before = await stored();
    const res = await postForm(form(phone(), 1024), "bogus");
    expect(res.status).toBe(200);
    expect((await stored()).unroutable).toBe(before.unroutable + 1);
  });

  it("answers 413 to an oversized form, with or without a signature, for any number, storing nothing", async () => {
    const before = await stored();
    await expect413(await postForm(form(phone(), TWILIO_LIMIT), null), TWILIO_LIMIT);
    await expect413(await postForm(form(phone(), TWILIO_LIMIT), "bogus"), TWILIO_LIMIT); // would be kept as unroutable
    await expect413(await postForm(form(voice.number, TWILIO_LIMIT), "bogus"), TWILIO_LIMIT); // would be a 403 after a lookup
    const upload = endless(UPLOAD_CAP, form(phone(), 0) + "&Padding=");
    await expect413(await postForm(upload.stream, "bogus").then(upload.answered), TWILIO_LIMIT);
    expect(upload.seen.sentAtAnswer).toBeLessThan(UPLOAD_CAP);
    expect(await stored()).toEqual(before);
  });
});

describe("call-events", () => {
  const url = () => `${fns.url}/call-events/vapi`;
  const report = (padding: number) => {
    const r = vapiReport({ assistantId: vapiAgent.platformId, customerNumber: phone(), businessNumber: voice.number, seconds: 30 });
    r.message.artifact.transcript += "x".repeat(padding);
    return r;
  };

  it("stores a normal report with the agent's secret (the control)", async () => {
    const before = await stored();
    expect((await postVapi(url(), report(0), vapiAgent.secret)).status).toBe(200);
    expect((await stored()).calls).toBe(before.calls + 1);
  });

  it("answers 413 to an oversized report, with or without the agent's secret, storing nothing", async () => {
    const before = await stored();
    await expect413(await postVapi(url(), report(CALL_EVENT_BODY_LIMIT), null), CALL_EVENT_BODY_LIMIT);
    await expect413(await postVapi(url(), report(CALL_EVENT_BODY_LIMIT), vapiAgent.secret), CALL_EVENT_BODY_LIMIT);
    expect(await stored()).toEqual(before);
  });
});
