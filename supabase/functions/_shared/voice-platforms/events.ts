// The call-events logic, kept out of index.ts so it is tested directly.
//   POST …/call-events/vapi     Vapi server messages (the assistant's server URL)
//   POST …/call-events/retell   Retell webhooks (the agent's webhook URL)
//
// A report is trusted only as far as the agent's own secret vouches for it: the body names the platform's agent id,
// that agent's encrypted secret is looked up, and the request must prove it (Vapi: the secret header or bearer
// token; Retell: the HMAC signature). Unknown agent: 404; no secret set or proof missing or wrong: 401; either way
// nothing is stored. Then one SQL function, as `frontdesk_webhook`, stores the report for that agent's business.
import { asWebhook, type Sql } from "../db/client.ts";
import { MiB, readText } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import { parseJson } from "../http/parse.ts";
import { json } from "../http/respond.ts";
import type { EncryptionKey } from "../secrets/crypto.ts";
import type { Platform, VoicePlatformAdapter } from "./adapter.ts";
import { decryptAgentSecret } from "./agent-secrets.ts";
import { retell } from "./retell.ts";
import { vapi } from "./vapi.ts";

export const ADAPTERS: Record<Platform, VoicePlatformAdapter> = { vapi, retell };

/** End-of-call reports carry the whole transcript and message array of a call, long calls included: 4 MiB. */
export const CALL_EVENT_BODY_LIMIT = 4 * MiB;

export interface CallEventOptions { sql?: Sql; key?: EncryptionKey; now?: number }

interface AgentSecretRow { tenant_id: string; agent_id: string; secret: Uint8Array | null; key_id: string | null }

export interface ReportResult {
  duplicate: boolean;
  call_id: string;
  customer_id?: string | null;
  caller_id?: string | null;
  memories_stored?: number;
  memories_skipped?: number;
}

export function adapterFor(platform: string): VoicePlatformAdapter {
  const adapter = (ADAPTERS as Record<string, VoicePlatformAdapter | undefined>)[platform];
  if (!adapter) throw new HttpError(404, "not_found", `unknown voice platform "${platform}": use vapi or retell`);
  return adapter;
}

/** The agent (tenant and id) whose secret this request proves, or an HttpError saying why there is none. */
async function authenticatedAgent(
  adapter: VoicePlatformAdapter, req: Request, raw: string, platformAgentId: string, opts: CallEventOptions,
): Promise<{ tenant_id: string; agent_id: string }> {
  const rows = await asWebhook(
    (tx) => tx<AgentSecretRow[]>`select * from private.voice_agent_secrets(${adapter.platform}, ${platformAgentId}, ${adapter.secretName})`,
    opts.sql,
  );
  if (rows.length === 0) {
    throw new HttpError(404, "not_found", `no ${adapter.platform} agent "${platformAgentId}" is registered with Frontdesk`);
  }
  const withSecret = rows.filter((r): r is AgentSecretRow & { secret: Uint8Array; key_id: string } => r.secret !== null && r.key_id !== null);
  if (withSecret.length === 0) {
    throw new HttpError(401, "unauthorized", `the ${adapter.platform} agent "${platformAgentId}" has no ${adapter.secretName} set, so its reports cannot be verified`);
  }
  // Nothing stops two businesses from registering the same platform id, so each candidate is checked with its own
  // secret and only an agent whose secret the request proves is trusted.
  const proven = [];
  for (const row of withSecret) {
    const secret = await decryptAgentSecret(row, adapter.secretName, opts.key);
    if (await adapter.authenticate(req.headers, raw, secret, opts.now)) proven.push(row);
  }
  if (proven.length === 0) {
    throw new HttpError(401, "unauthorized", `the request does not carry the ${adapter.platform} agent's secret`);
  }
  if (proven.length > 1) {
    throw new HttpError(409, "conflict", `more than one business registered ${adapter.platform} agent "${platformAgentId}" with the same secret`);
  }
  return proven[0];
}

export async function receiveCallEvent(req: Request, platform: string, opts: CallEventOptions = {}): Promise<Response> {
  const adapter = adapterFor(platform);
  // Bounded before anything else: the agent's secret is only looked up (and the signature checked) after this.
  const raw = await readText(req, CALL_EVENT_BODY_LIMIT);
  const body = parseJson(raw);
  const envelope = adapter.envelope(body);
  const agent = await authenticatedAgent(adapter, req, raw, envelope.platformAgentId, opts);
  // Platforms send other events to the same URL (status updates, transcripts, call_started …): acknowledged,
  // not stored. Only end-of-call reports are this function's business.
  if (!envelope.isReport) return json({ received: true, ignored: envelope.event });
  const report = adapter.normalize(body);
  const result = await asWebhook(async (tx) => {
    const [row] = await tx`select private.voice_call_report(${agent.tenant_id}, ${agent.agent_id}, ${adapter.platform}, ${tx.json(report as never)}) as r`;
    return row.r as ReportResult;
  }, opts.sql);
  return json({ received: true, ...result });
}
