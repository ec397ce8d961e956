// Stand-ins for the three create-call APIs, answering as their references and SDKs show, and businesses ready to
// call out: a verified Twilio number (Account SID and auth token), agents per platform with their credentials, leads.
//   Vapi    POST /call (Bearer private key, JSON)                  → 201 Call (type outboundPhoneCall, status queued)
//   Retell  POST /v2/create-phone-call (Bearer API key, JSON)      → 201 PhoneCallResponse (call_status registered)
//   Twilio  POST /2010-04-01/Accounts/{Sid}/Calls.json (Basic, form) → 201 Call (status queued, direction outbound-api)
// Wrong credentials get each provider's 401; queued answers are served first (provider failures).
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import type { TestDb } from "../helpers/db.ts";
import { setAgentSecretRow, setChannelSecret, voiceBusiness, type VoiceBusiness } from "../voice/fixtures.ts";

const digits = (n: number) => Array.from(randomBytes(n), (b) => (b % 10).toString()).join("");
/** +1 555 numbers: no listed area code, so the callee's zone is the business's (private.calling_zones). */
export const calleeNumber = () => `+1555${digits(7)}`;

export interface Recorded { method: string; path: string; authorization: string | undefined; contentType: string | undefined; raw: string; json?: unknown; form?: URLSearchParams }
export interface Answer { status: number; body: unknown }

export interface Providers {
  url: string;
  requests: Recorded[];
  queue: Answer[];
  keys: { vapi: Set<string>; retell: Set<string>; twilio: Map<string, string> };
}

export function useProviders(): Providers {
  const p: Providers = { url: "", requests: [], queue: [], keys: { vapi: new Set(), retell: new Set(), twilio: new Map() } };
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => {
        const rec: Recorded = { method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization, contentType: req.headers["content-type"], raw };
        if (rec.contentType?.startsWith("application/json")) rec.json = JSON.parse(raw || "null");
        if (rec.contentType?.startsWith("application/x-www-form-urlencoded")) rec.form = new URLSearchParams(raw);
        p.requests.push(rec);
        const answer = (a: Answer) => {
          res.writeHead(a.status, { "content-type": "application/json; charset=utf-8" });
          res.end(JSON.stringify(a.body));
        };
        const queued = p.queue.shift();
        if (queued) return answer(queued);
        const bearer = /^Bearer (.+)$/.exec(rec.authorization ?? "")?.[1];
        const now = new Date().toISOString();
        if (rec.method === "POST" && rec.path === "/call") {
          if (!bearer || !p.keys.vapi.has(bearer)) return answer({ status: 401, body: { message: "Unauthorized", statusCode: 401 } });
          const b = rec.json as { assistantId: string; phoneNumberId: string; customer: { number: string } };
          return answer({ status: 201, body: {
            id: crypto.randomUUID(), orgId: "5a1f0c1c-4a57-4e3b-9b42-0f2d6f3c1b11", createdAt: now, updatedAt: now,
            type: "outboundPhoneCall", status: "queued", assistantId: b.assistantId, phoneNumberId: b.phoneNumberId,
            customer: b.customer, phoneCallProvider: "twilio", phoneCallTransport: "pstn",
          } });
        }
        if (rec.method === "POST" && rec.path === "/v2/create-phone-call") {
          if (!bearer || !p.keys.retell.has(bearer)) return answer({ status: 401, body: { status: "error", message: "Unauthorized" } });
          const b = rec.json as { from_number: string; to_number: string; override_agent_id: string; retell_llm_dynamic_variables?: Record<string, string>; metadata?: unknown };
          return answer({ status: 201, body: {
            call_type: "phone_call", from_number: b.from_number, to_number: b.to_number, direction: "outbound",
            call_id: `call_${randomBytes(12).toString("hex")}`, agent_id: b.override_agent_id, agent_version: 1,
            call_status: "registered", metadata: b.metadata ?? {}, retell_llm_dynamic_variables: b.retell_llm_dynamic_variables ?? {},
          } });
        }
        const twilio = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\.json$/.exec(rec.path);
        if (rec.method === "POST" && twilio) {
          const basic = /^Basic (.+)$/.exec(rec.authorization ?? "")?.[1];
          const [user, password] = basic ? Buffer.from(basic, "base64").toString().split(/:(.*)/s) : [];
          if (!user || user !== twilio[1] || p.keys.twilio.get(user) !== password) {
            return answer({ status: 401, body: { code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 } });
          }
          const f = rec.form!;
          const sid = `CA${randomBytes(16).toString("hex")}`;
          const date = new Date().toUTCString().replace("GMT", "+0000");
          return answer({ status: 201, body: {
            sid, account_sid: user, from: f.get("From"), to: f.get("To"), status: "queued", direction: "outbound-api",
            duration: null, price: null, price_unit: "USD", start_time: null, end_time: null, date_created: date, date_updated: date,
            api_version: "2010-04-01", answered_by: null, caller_name: null, forwarded_from: null, group_sid: null, parent_call_sid: null,
            phone_number_sid: `PN${randomBytes(16).toString("hex")}`, queue_time: "0", trunk_sid: null,
            uri: `/2010-04-01/Accounts/${user}/Calls/${sid}.json`,
          } });
        }
        answer({ status: 404, body: { message: `no route ${rec.method} ${rec.path}` } });
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    p.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
  });
  return p;
}

/** An Etc/GMT zone where it is now `hour` o'clock (give or take the minutes), so calling hours never depend on when tests run. */
export function zoneAtHour(hour: number): string {
  let offset = (((hour - new Date().getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  return offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}

export interface Agents { vapi: { id: string; platformId: string; apiKey: string; webhookSecret: string }; retell: { id: string; platformId: string; apiKey: string }; twilio: { id: string; streamUrl: string } }

export interface CallingBusiness extends VoiceBusiness { agents: Agents; vapiPhoneNumberId: string }

/** A business in a zone where it is mid-afternoon, with a verified Twilio number and an agent per platform. */
export async function callingBusiness(db: TestDb, p: Providers, label: string, opts: { hour?: number } = {}): Promise<CallingBusiness> {
  const b = await voiceBusiness(db, label, { timezone: zoneAtHour(opts.hour ?? 14), agent: false });
  p.keys.twilio.set(b.accountSid, b.authToken);
  const vapiPhoneNumberId = crypto.randomUUID();
  await db.sql`update public.channels set provider_account_id = ${b.accountSid}, settings = ${db.sql.json({ vapi_phone_number_id: vapiPhoneNumberId })}
               where id = ${b.channelId}`;
  const [vapi] = await db.sql`insert into public.voice_agents (tenant_id, name, platform, platform_agent_id)
    values (${b.id}, 'Vapi sales', 'vapi', ${crypto.randomUUID()}) returning id, platform_agent_id`;
  const [retell] = await db.sql`insert into public.voice_agents (tenant_id, name, platform, platform_agent_id)
    values (${b.id}, 'Retell sales', 'retell', ${`agent_${randomBytes(10).toString("hex")}`}) returning id, platform_agent_id`;
  const streamUrl = `wss://agent.example/outbound/${label}`;
  const [custom] = await db.sql`insert into public.voice_agents (tenant_id, name, platform, media_stream_url)
    values (${b.id}, 'Own agent', 'custom', ${streamUrl}) returning id`;
  const vapiKey = `vapi-private-${randomBytes(8).toString("hex")}`;
  const vapiSecret = `vapi-secret-${randomBytes(8).toString("hex")}`;
  const retellKey = `key_${randomBytes(12).toString("hex")}`;
  await setAgentSecretRow(db, b.id, vapi.id, "api_key", vapiKey);
  await setAgentSecretRow(db, b.id, vapi.id, "webhook_secret", vapiSecret);
  await setAgentSecretRow(db, b.id, retell.id, "api_key", retellKey);
  p.keys.vapi.add(vapiKey);
  p.keys.retell.add(retellKey);
  return {
    ...b, vapiPhoneNumberId,
    agents: {
      vapi: { id: vapi.id, platformId: vapi.platform_agent_id, apiKey: vapiKey, webhookSecret: vapiSecret },
      retell: { id: retell.id, platformId: retell.platform_agent_id, apiKey: retellKey },
      twilio: { id: custom.id, streamUrl },
    },
  };
}

export async function lead(db: TestDb, tenantId: string, o: { name?: string; phone?: string; doNotCall?: boolean } = {}) {
  const [row] = await db.sql`insert into public.leads (tenant_id, name, phone, source, do_not_call)
    values (${tenantId}, ${o.name ?? "Pat Prospect"}, ${o.phone ?? calleeNumber()}, 'web_form', ${o.doNotCall ?? false}) returning id, phone`;
  return row as { id: string; phone: string };
}

export async function post(url: string, token: string | null, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export { setChannelSecret };
