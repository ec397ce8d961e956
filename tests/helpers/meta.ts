// Deliveries shaped exactly like Meta's Cloud API webhooks, signed as Meta signs them, and a stand-in for the Graph
// API (a local HTTP server that records requests and answers as told, including Meta's error shapes and 429s).
import { createServer, type Server } from "node:http";
import { beforeAll } from "vitest";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { signMetaBody } from "../../supabase/functions/_shared/whatsapp/signature.ts";

let seq = 0;
export const wamid = () => `wamid.HBgL${randomBytes(18).toString("base64url")}${++seq}`;
export const unix = (d = new Date()) => String(Math.floor(d.getTime() / 1000));

export interface Contact { wa_id: string; name?: string }

export function messagesChange(phoneNumberId: string, value: { contacts?: Contact[]; messages?: object[]; statuses?: object[] }) {
  return {
    field: "messages",
    value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
      ...(value.contacts ? { contacts: value.contacts.map((c) => ({ profile: { name: c.name ?? "Customer" }, wa_id: c.wa_id })) } : {}),
      ...(value.messages ? { messages: value.messages } : {}),
      ...(value.statuses ? { statuses: value.statuses } : {}),
    },
  };
}

export function delivery(...changes: ReturnType<typeof messagesChange>[]) {
  return { object: "whatsapp_business_account", entry: [{ id: "102290129340398", changes }] };
}

/** One inbound message of any type, as Meta sends it. */
export function inbound(from: string, type: string, content: Record<string, unknown> = {}, at = new Date()) {
  const bodies: Record<string, unknown> = {
    text: { body: "Hi! Can I book a haircut?" },
    image: { id: "1503239510902391", mime_type: "image/jpeg", sha256: "abc", caption: "this style" },
    audio: { id: "1003383421387256", mime_type: "audio/ogg; codecs=opus", voice: true },
    video: { id: "1200484221469112", mime_type: "video/mp4", caption: "look" },
    document: { id: "1176329094057612", mime_type: "application/pdf", filename: "policy.pdf", caption: "my policy" },
    sticker: { id: "1090837745922427", mime_type: "image/webp", animated: false },
    location: { latitude: 40.7128, longitude: -74.006, name: "Fade House", address: "214 Bedford Ave" },
    contacts: [{ name: { formatted_name: "Maria Lopez", first_name: "Maria" }, phones: [{ phone: "+1 718 555 0100", type: "CELL" }] }],
    interactive: { type: "button_reply", button_reply: { id: "confirm:yes", title: "Confirm" } },
    button: { payload: "book-now", text: "Book now" },
    reaction: { message_id: "wamid.original", emoji: "👍" },
    unsupported: undefined,
  };
  const message: Record<string, unknown> = { from, id: wamid(), timestamp: unix(at), type };
  if (type === "unsupported") message.errors = [{ code: 131051, title: "Message type unknown" }];
  else if (bodies[type] !== undefined) message[type] = { ...(bodies[type] as object), ...content };
  if (Array.isArray(bodies[type])) message[type] = bodies[type];
  return message;
}

export function status(id: string, s: "sent" | "delivered" | "read" | "failed", recipient: string, at = new Date(), error?: { code: number; title: string }) {
  return {
    id, status: s, timestamp: unix(at), recipient_id: recipient,
    ...(error ? { errors: [{ code: error.code, title: error.title, message: error.title, error_data: { details: error.title } }] } : {}),
  };
}

export async function post(url: string, body: unknown, secret: string | null, tamper?: (raw: string) => string) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (secret) headers["x-hub-signature-256"] = await signMetaBody(raw, secret);
  return fetch(url, { method: "POST", headers, body: tamper ? tamper(raw) : raw });
}

export interface GraphCall { path: string; authorization: string | undefined; body: Record<string, unknown> }
export type GraphAnswer = { status: number; body: unknown; headers?: Record<string, string> };

/** The Graph API stand-in: answers queued replies first, then a success with a fresh wamid. */
export async function startGraph(): Promise<{ url: string; calls: GraphCall[]; queue: GraphAnswer[]; close(): Promise<void> }> {
  const calls: GraphCall[] = [];
  const queue: GraphAnswer[] = [];
  const server: Server = createServer((req, res) => {
    let data = "";
    req.on("data", (d) => (data += d));
    req.on("end", () => {
      const body = data ? JSON.parse(data) : {};
      calls.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
      const answer = queue.shift() ?? {
        status: 200,
        body: { messaging_product: "whatsapp", contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: wamid() }] },
      };
      res.writeHead(answer.status, { "content-type": "application/json", ...(answer.headers ?? {}) });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v23.0`, calls, queue, close: () => new Promise((r) => server.close(() => r())) };
}

export const metaError = (code: number, message: string, status = 400): GraphAnswer => ({
  status,
  body: { error: { message, type: "OAuthException", code, error_data: { messaging_product: "whatsapp", details: message }, fbtrace_id: "Az8or2yhqkZfEZ-_4Qn_Bam" } },
});

export type Graph = Awaited<ReturnType<typeof startGraph>>;

/** A Graph stand-in for the whole test file: fields filled in beforeAll, closed after the file. */
export function useGraph(): Graph {
  const graph = {} as Graph;
  beforeAll(async () => {
    Object.assign(graph, await startGraph());
    return () => graph.close();
  });
  return graph;
}

// ---------------------------------------------------------------------------------------------------------------
// Phone number nodes: GET /{version}/{phone-number-id}, as channel verification reads them.
// ---------------------------------------------------------------------------------------------------------------

export interface GraphNumberCall { method: string; path: string; authorization: string | undefined }

/**
 * A Graph stand-in for WhatsApp Business Phone Number nodes. A token sees the numbers it was granted (as a system
 * user token sees its WABA's numbers) and gets the node; a known token asking for another number gets Meta's
 * "Unsupported get request" (code 100, subcode 33, HTTP 400); an unknown token gets 190 (HTTP 401). Queued answers
 * are served first, for provider failures.
 */
export async function startGraphNumbers() {
  const calls: GraphNumberCall[] = [];
  const queue: GraphAnswer[] = [];
  const grants = new Map<string, Set<string>>();
  const fbtrace = () => `A${randomBytes(11).toString("base64url")}`;
  const server: Server = createServer((req, res) => {
    calls.push({ method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization });
    const answer = (a: GraphAnswer) => {
      res.writeHead(a.status, { "content-type": "application/json", ...(a.headers ?? {}) });
      res.end(JSON.stringify(a.body));
    };
    const queued = queue.shift();
    if (queued) return answer(queued);
    const id = /^\/v\d+\.\d+\/(\d+)$/.exec(req.url ?? "")?.[1];
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const granted = token ? grants.get(token) : undefined;
    if (!granted) {
      return answer({
        status: 401,
        headers: { "www-authenticate": 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"' },
        body: { error: { message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190, fbtrace_id: fbtrace() } },
      });
    }
    if (req.method !== "GET" || !id || !granted.has(id)) {
      const what = id ?? (req.url ?? "").split("?")[0].split("/").pop();
      return answer({
        status: 400,
        body: {
          error: {
            message: `Unsupported get request. Object with ID '${what}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
            type: "GraphMethodException", code: 100, error_subcode: 33, fbtrace_id: fbtrace(),
          },
        },
      });
    }
    answer({
      status: 200,
      body: {
        verified_name: "Test Business", code_verification_status: "VERIFIED", display_phone_number: "+1 555-010-0000",
        quality_rating: "GREEN", platform_type: "CLOUD_API", throughput: { level: "STANDARD" }, id,
      },
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v23.0`,
    calls,
    queue,
    /** The token can read these phone number ids (and is a valid token at all). */
    grant(token: string, ...phoneNumberIds: string[]) {
      const set = grants.get(token) ?? new Set<string>();
      for (const id of phoneNumberIds) set.add(id);
      grants.set(token, set);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export type GraphNumbers = Awaited<ReturnType<typeof startGraphNumbers>>;

/** A phone-number Graph stand-in for the whole test file: fields filled in beforeAll, closed after the file. */
export function useGraphNumbers(): GraphNumbers {
  const graph = {} as GraphNumbers;
  beforeAll(async () => {
    Object.assign(graph, await startGraphNumbers());
    return () => graph.close();
  });
  return graph;
}

// ---------------------------------------------------------------------------------------------------------------
// Business-scoped user ids (BSUIDs) and the media endpoints: GET /{version}/{media-id}, then the download URL.
// ---------------------------------------------------------------------------------------------------------------

/** A business-scoped user id as Meta shapes them: a two-letter country code, a period, digits (US.13491208655302741918). */
export const bsuid = (country = "US") => `${country}.${Array.from(randomBytes(20), (b) => (b % 10).toString()).join("")}`;
/** A parent BSUID (managed businesses sharing one across portfolios): US.ENT.… */
export const parentBsuid = (country = "US") => `${country}.ENT.${Array.from(randomBytes(20), (b) => (b % 10).toString()).join("")}`;

export interface GraphMediaFile { token: string; mimeType: string; bytes: Uint8Array }

/**
 * A Graph stand-in for WhatsApp media. GET /{version}/{media-id} with a token the media was granted to answers
 * Meta's media node ({messaging_product, url, mime_type, sha256, file_size, id}); the url (a lookaside-style path on
 * this server, as Meta's expire) answers the bytes with their content type, again only with the bearer token. An
 * unknown token gets 190 (HTTP 401), a media id the token cannot see Meta's "Unsupported get request" (100/33).
 */
export async function startGraphMedia() {
  const calls: GraphNumberCall[] = [];
  const files = new Map<string, GraphMediaFile>();
  const fbtrace = () => `A${randomBytes(11).toString("base64url")}`;
  let base = "";
  const server: Server = createServer((req, res) => {
    calls.push({ method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization });
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const answer = (a: GraphAnswer) => {
      res.writeHead(a.status, { "content-type": "application/json", ...(a.headers ?? {}) });
      res.end(JSON.stringify(a.body));
    };
    if (!token || ![...files.values()].some((f) => f.token === token)) {
      return answer({
        status: 401,
        body: { error: { message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190, fbtrace_id: fbtrace() } },
      });
    }
    const url = new URL(req.url ?? "/", "http://x");
    const download = url.pathname === "/whatsapp_business/attachments/" ? url.searchParams.get("mid") : null;
    const nodeId = /^\/v\d+\.\d+\/(\d+)$/.exec(url.pathname)?.[1];
    const id = download ?? nodeId;
    const file = id ? files.get(id) : undefined;
    if (!file || file.token !== token || req.method !== "GET") {
      return answer({
        status: 400,
        body: {
          error: {
            message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
            type: "GraphMethodException", code: 100, error_subcode: 33, fbtrace_id: fbtrace(),
          },
        },
      });
    }
    if (download) {
      res.writeHead(200, { "content-type": file.mimeType, "content-length": String(file.bytes.length) });
      return res.end(Buffer.from(file.bytes));
    }
    answer({
      status: 200,
      body: {
        messaging_product: "whatsapp",
        url: `${base}/whatsapp_business/attachments/?mid=${id}&ext=${Math.floor(Date.now() / 1000)}&hash=ATuXQ3ZlmQkl`,
        mime_type: file.mimeType,
        sha256: randomBytes(32).toString("hex"),
        file_size: String(file.bytes.length),
        id,
      },
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/v23.0`,
    calls,
    /** The media id is readable with this token and downloads as these bytes. */
    add(mediaId: string, file: GraphMediaFile) { files.set(mediaId, file); },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export type GraphMedia = Awaited<ReturnType<typeof startGraphMedia>>;

export function useGraphMedia(): GraphMedia {
  const graph = {} as GraphMedia;
  beforeAll(async () => {
    Object.assign(graph, await startGraphMedia());
    return () => graph.close();
  });
  return graph;
}
