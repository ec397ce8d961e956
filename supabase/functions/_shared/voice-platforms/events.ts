// The call-events logic, kept out of index.ts so it is tested directly.
//   POST …/call-events/vapi     Vapi server messages (the assistant's or phone number's server URL)
//   POST …/call-events/retell   Retell webhooks (the agent's webhook URL, and a number's inbound webhook URL)
//
// A request is trusted only as far as an agent's own secret vouches for it. The body names the platform's agent id
// (or, when it names none, the business number the call is on: a Vapi transient assistant or assistant-request,
// Retell's inbound webhook); the candidate agents' encrypted secrets are looked up, and the request must prove one
// (Vapi: the secret header, the Authorization credential with or without "Bearer ", or its HMAC signature; Retell:
// the HMAC signature). Unknown agent or number: 404; no secret set or proof missing or wrong: 401; either way
// nothing is stored. Then the platform's handler for that event runs for that agent's business only; an event no
// handler answers is acknowledged with 200 and no effect.
import { asWebhook, type Sql } from "../db/client.ts";
import { MiB, readText } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import { parseJson } from "../http/parse.ts";
import { json } from "../http/respond.ts";
import type { CallEventOptions, Envelope, EventHandler, Platform, VerifiedAgent, VoicePlatformAdapter } from "./adapter.ts";
import { decryptAgentSecret } from "./agent-secrets.ts";
import { retell } from "./retell.ts";
import { vapi } from "./vapi.ts";

export type { CallEventOptions };
export type { ReportResult } from "./store.ts";

export const ADAPTERS: Record<Platform, VoicePlatformAdapter> = { vapi, retell };

/** End-of-call reports carry the whole transcript and message array of a call, long calls included: 4 MiB. */
export const CALL_EVENT_BODY_LIMIT = 4 * MiB;

interface AgentSecretRow {
  tenant_id: string;
  agent_id: string;
  platform_agent_id: string | null;
  secret: Uint8Array | null;
  key_id: string | null;
  config: Record<string, unknown> | null;
  preferred?: boolean;
}

export function adapterFor(platform: string): VoicePlatformAdapter {
  const adapter = (ADAPTERS as Record<string, VoicePlatformAdapter | undefined>)[platform];
  if (!adapter) throw new HttpError(404, "not_found", `unknown voice platform "${platform}": use vapi or retell`);
  return adapter;
}

async function candidates(adapter: VoicePlatformAdapter, envelope: Envelope, sql?: Sql): Promise<{ rows: AgentSecretRow[]; routedBy: "agent" | "number"; names: string }> {
  if (envelope.platformAgentId) {
    const id = envelope.platformAgentId;
    const rows = await asWebhook((tx) => tx<AgentSecretRow[]>`select * from private.voice_agent_secrets(${adapter.platform}, ${id}, ${adapter.secretName})`, sql);
    if (rows.length === 0) throw new HttpError(404, "not_found", `no ${adapter.platform} agent "${id}" is registered with Frontdesk`);
    return { rows, routedBy: "agent", names: `${adapter.platform} agent "${id}"` };
  }
  const number = envelope.number!;
  const rows = await asWebhook((tx) => tx<AgentSecretRow[]>`select * from private.voice_number_agents(${adapter.platform}, ${number}, ${adapter.secretName})`, sql);
  if (rows.length === 0) {
    throw new HttpError(404, "not_found", `no business has verified the number ${number} with an active ${adapter.platform} agent`);
  }
  return { rows, routedBy: "number", names: `${adapter.platform} agents of the business with number ${number}` };
}

/** The agent (tenant and id) whose secret this request proves, or an HttpError saying why there is none. */
export async function authenticatedAgent(
  adapter: VoicePlatformAdapter, req: Request, raw: string, envelope: Envelope, opts: CallEventOptions,
): Promise<VerifiedAgent> {
  const { rows, routedBy, names } = await candidates(adapter, envelope, opts.sql);
  const withSecret = rows.filter((r): r is AgentSecretRow & { secret: Uint8Array; key_id: string } => r.secret !== null && r.key_id !== null);
  if (withSecret.length === 0) {
    throw new HttpError(401, "unauthorized", `the ${names} ha${rows.length > 1 ? "ve" : "s"} no ${adapter.secretName} set, so ${adapter.platform}'s requests cannot be verified`);
  }
  // Nothing stops two businesses from registering the same platform id, so each candidate is checked with its own
  // secret and only an agent whose secret the request proves is trusted.
  const proven: typeof withSecret = [];
  for (const row of withSecret) {
    const secret = await decryptAgentSecret(row, adapter.secretName, opts.key);
    if (await adapter.authenticate(req.headers, raw, secret, { now: opts.now, config: row.config ?? {} })) proven.push(row);
  }
  if (proven.length === 0) {
    throw new HttpError(401, "unauthorized", `the request does not carry the ${adapter.platform} agent's secret`);
  }
  // By number, every candidate is of the one business that verified it: the first proven (the channel's chosen agent,
  // else the oldest) answers. By agent id, two businesses proven by one request cannot be told apart.
  if (new Set(proven.map((p) => p.tenant_id)).size > 1) {
    throw new HttpError(409, "conflict", `more than one business registered ${names} with the same secret`);
  }
  const [p] = proven;
  return {
    tenant_id: p.tenant_id, agent_id: p.agent_id, platform_agent_id: p.platform_agent_id, config: p.config ?? {}, routedBy,
    siblings: (routedBy === "number" ? proven : [p]).map((r) => ({ agent_id: r.agent_id, platform_agent_id: r.platform_agent_id, preferred: r.preferred === true })),
  };
}

export async function receiveCallEvent(req: Request, platform: string, opts: CallEventOptions = {}): Promise<Response> {
  const adapter = adapterFor(platform);
  // Bounded before anything else: the agent's secret is only looked up (and the signature checked) after this.
  const raw = await readText(req, CALL_EVENT_BODY_LIMIT);
  const body = parseJson(raw);
  const envelope = adapter.envelope(body);
  const agent = await authenticatedAgent(adapter, req, raw, envelope, opts);
  // Platforms send every event to the same URL (speech and transcript updates, conversation updates …): those no
  // handler answers are acknowledged, not stored.
  const own = (table: Record<string, EventHandler>) => (Object.hasOwn(table, envelope.event) ? table[envelope.event] : undefined);
  const handler = own(adapter.handlers) ?? own(adapter.extraHandlers());
  if (!handler) return json({ received: true, ignored: envelope.event });
  return handler({ adapter, body, raw, agent, envelope, opts });
}
