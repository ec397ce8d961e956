// Creating an outbound call at each provider, as their API references and SDKs define it:
//   Vapi    POST {VAPI_API_BASE_URL}/call, Authorization: Bearer <private API key>, JSON
//           {assistantId, phoneNumberId, customer: {number, name?}, assistantOverrides?: {variableValues}}
//           → 201 Call {id, orgId, type: "outboundPhoneCall", status: "queued", …}
//   Retell  POST {RETELL_API_BASE_URL}/v2/create-phone-call, Authorization: Bearer <API key>, JSON
//           {from_number, to_number, override_agent_id, retell_llm_dynamic_variables (strings), metadata}
//           → 201 PhoneCallResponse {call_id, call_status: "registered", direction: "outbound", …}
//   Twilio  POST {TWILIO_API_BASE_URL}/2010-04-01/Accounts/{AccountSid}/Calls.json, HTTP Basic AccountSid:AuthToken,
//           form-encoded To, From, Twiml (<Connect><Stream> to the agent), StatusCallback, StatusCallbackMethod,
//           StatusCallbackEvent (repeated) → 201 Call {sid: "CA…", status: "queued", direction: "outbound-api", …}
// Base URLs are configurable so tests and the local stack point them at stand-ins.
import { env } from "../env.ts";

export const vapiApiBaseUrl = () => (env("VAPI_API_BASE_URL") ?? "https://api.vapi.ai").replace(/\/$/, "");
export const retellApiBaseUrl = () => (env("RETELL_API_BASE_URL") ?? "https://api.retellai.com").replace(/\/$/, "");
export const twilioApiBaseUrl = () => (env("TWILIO_API_BASE_URL") ?? "https://api.twilio.com").replace(/\/$/, "");

/** What a provider answered: its call id, or why not (its HTTP status, error code and message). */
export type Placed =
  | { ok: true; providerCallId: string; telephonyCallSid?: string | null }
  | { ok: false; status: number | null; code: string; message: string };

const TIMEOUT_MS = 15_000;

async function send(provider: string, url: string, init: RequestInit): Promise<{ status: number; body: unknown } | Placed> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch { /* not JSON: kept as text */ }
    return { status: res.status, body };
  } catch (err) {
    return { ok: false, status: null, code: "provider_unreachable", message: `${provider} could not be reached: ${(err as Error).message}` };
  }
}

const isPlaced = (r: unknown): r is Placed => typeof r === "object" && r !== null && "ok" in r;

/** The provider's own words for an error, whatever its shape (Twilio: code/message; others: message or the body). */
function providerError(provider: string, status: number, body: unknown): Placed {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const message = Array.isArray(b.message) ? b.message.join("; ")
    : typeof b.message === "string" ? b.message
    : typeof b.error_message === "string" ? b.error_message
    : typeof b.error === "string" ? b.error
    : typeof body === "string" && body ? body.slice(0, 500) : `HTTP ${status}`;
  const code = b.code !== undefined && b.code !== null ? `${provider}_${String(b.code)}` : `${provider}_http_${status}`;
  return { ok: false, status, code, message: `${provider} refused the call (HTTP ${status}): ${message}` };
}

export interface VapiCall {
  apiKey: string;
  assistantId: string;
  phoneNumberId: string;
  customerNumber: string;
  customerName?: string | null;
  variables?: Record<string, unknown>;
}

export async function vapiCreateCall(c: VapiCall): Promise<Placed> {
  const body = {
    assistantId: c.assistantId,
    phoneNumberId: c.phoneNumberId,
    customer: { number: c.customerNumber, ...(c.customerName ? { name: c.customerName } : {}) },
    ...(c.variables && Object.keys(c.variables).length ? { assistantOverrides: { variableValues: c.variables } } : {}),
  };
  const r = await send("vapi", `${vapiApiBaseUrl()}/call`, {
    method: "POST",
    headers: { authorization: `Bearer ${c.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (isPlaced(r)) return r;
  const b = r.body as { id?: unknown } | null;
  if (r.status >= 200 && r.status < 300 && typeof b?.id === "string") return { ok: true, providerCallId: b.id };
  return providerError("vapi", r.status, r.body);
}

export interface RetellCall {
  apiKey: string;
  agentId: string;
  fromNumber: string;
  toNumber: string;
  variables?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

export async function retellCreatePhoneCall(c: RetellCall): Promise<Placed> {
  const body = {
    from_number: c.fromNumber,
    to_number: c.toNumber,
    override_agent_id: c.agentId,
    ...(c.variables && Object.keys(c.variables).length ? { retell_llm_dynamic_variables: c.variables } : {}),
    ...(c.metadata ? { metadata: c.metadata } : {}),
  };
  const r = await send("retell", `${retellApiBaseUrl()}/v2/create-phone-call`, {
    method: "POST",
    headers: { authorization: `Bearer ${c.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (isPlaced(r)) return r;
  const b = r.body as { call_id?: unknown; telephony_identifier?: { twilio_call_sid?: unknown } } | null;
  if (r.status >= 200 && r.status < 300 && typeof b?.call_id === "string") {
    const sid = b.telephony_identifier?.twilio_call_sid;
    return { ok: true, providerCallId: b.call_id, telephonyCallSid: typeof sid === "string" ? sid : null };
  }
  return providerError("retell", r.status, r.body);
}

export interface TwilioCall {
  accountSid: string;
  authToken: string;
  from: string;
  to: string;
  twiml: string;
  statusCallback: string;
}

/** HTTP Basic credentials, UTF-8 encoded. */
const basic = (user: string, password: string) =>
  `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)))}`;

export const TWILIO_STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"] as const;

export async function twilioCreateCall(c: TwilioCall): Promise<Placed> {
  const form = new URLSearchParams({ To: c.to, From: c.from, Twiml: c.twiml, StatusCallback: c.statusCallback, StatusCallbackMethod: "POST" });
  for (const e of TWILIO_STATUS_EVENTS) form.append("StatusCallbackEvent", e);
  const r = await send("twilio", `${twilioApiBaseUrl()}/2010-04-01/Accounts/${encodeURIComponent(c.accountSid)}/Calls.json`, {
    method: "POST",
    headers: { authorization: basic(c.accountSid, c.authToken), "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  if (isPlaced(r)) return r;
  const b = r.body as { sid?: unknown } | null;
  if (r.status >= 200 && r.status < 300 && typeof b?.sid === "string") return { ok: true, providerCallId: b.sid };
  return providerError("twilio", r.status, r.body);
}
