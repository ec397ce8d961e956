// Outbound calls: a member's request (one call now, or a batch for the scheduler), cancelling a queued call, and the
// dialler. The rules (opt-outs, calling hours, cool-down, plan) are Postgres's (migration outbound_calls): the row is
// stored first (as the caller, so the membership decides), then claimed for dialling (every rule checked again),
// then the agent's platform is asked and its answer recorded — the provider's call id, or the call failed with the
// provider's error. Status callbacks and end-of-call reports (voice-webhook, call-events) complete the call.
import { z } from "zod";
import { asCaller, asService, type CallerClaims, type Sql } from "../db/client.ts";
import { HttpError } from "../http/errors.ts";
import { decryptSecret, type EncryptionKey } from "../secrets/crypto.ts";
import { voicePublicBaseUrl } from "../twilio/config.ts";
import { connectStream, response } from "../twilio/twiml.ts";
import { decryptAgentSecret } from "../voice-platforms/agent-secrets.ts";
import { retellCreatePhoneCall, twilioCreateCall, vapiCreateCall, type Placed } from "./providers.ts";

const context = z.record(z.string().max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((o) => Object.keys(o).length <= 30, "at most 30 context entries")
  .optional();

const callee = z.strictObject({ lead_id: z.uuid().optional(), customer_id: z.uuid().optional(), context })
  .refine((c) => (c.lead_id === undefined) !== (c.customer_id === undefined), "name exactly one of lead_id or customer_id");

export const callInput = z.strictObject({
  agent_id: z.uuid(),
  lead_id: z.uuid().optional(),
  customer_id: z.uuid().optional(),
  channel_id: z.uuid().optional(),
  context,
}).refine((c) => (c.lead_id === undefined) !== (c.customer_id === undefined), "name exactly one of lead_id or customer_id");

export const batchInput = z.strictObject({
  agent_id: z.uuid(),
  channel_id: z.uuid().optional(),
  context,
  calls: z.array(callee).min(1).max(500),
});

export type CallInput = z.infer<typeof callInput>;
export type BatchInput = z.infer<typeof batchInput>;

export interface OutboundCall {
  id: string;
  status: string;
  provider: string;
  provider_call_id: string | null;
  agent_id: string;
  lead_id: string | null;
  customer_id: string | null;
  channel_id: string;
  from_number: string;
  to_number: string;
  initiated_by: string | null;
  batch_id: string | null;
  context: Record<string, unknown>;
  dial_after: string | null;
  dialed_at: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
}

interface Sealed { ciphertext: string; key_id: string }

interface Claim {
  dial: boolean;
  call: OutboundCall;
  refusal?: { status: number; code: string; message: string; retry_at?: string };
  tenant_id: string;
  business_name: string;
  callee_name: string | null;
  agent: { id: string; platform: "vapi" | "retell" | "custom"; platform_agent_id: string | null; media_stream_url: string | null; config: Record<string, unknown> };
  agent_api_key: Sealed | null;
  channel: { id: string; provider: string; phone_number: string; provider_account_id: string | null; settings: Record<string, unknown> };
  channel_auth_token: Sealed | null;
}

export interface OutboundOptions { sql?: Sql; key?: EncryptionKey }

const fromBase64 = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** The result of one dial attempt. */
export type DialResult =
  | { outcome: "dialed"; call: OutboundCall }
  | { outcome: "failed"; call: OutboundCall; provider_status: number | null }
  | { outcome: "deferred" | "refused"; call: OutboundCall; refusal: NonNullable<Claim["refusal"]> }
  | { outcome: "skipped" };

/** Context values for the agent: the business, the callee and the request's own context, as strings (Retell's type). */
function variables(c: Claim): Record<string, string> {
  const out: Record<string, string> = { business_name: c.business_name, call_id: c.call.id };
  if (c.callee_name) out.customer_name = c.callee_name;
  for (const [k, v] of Object.entries(c.call.context ?? {})) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

class Missing extends Error {}

async function place(c: Claim, key?: EncryptionKey): Promise<Placed> {
  const apiKey = async () => {
    if (!c.agent_api_key) {
      throw new Missing(`the ${c.agent.platform} agent has no API key: set it with PUT /credentials/agents/${c.agent.id}/api_key`);
    }
    return decryptAgentSecret({ tenant_id: c.tenant_id, agent_id: c.agent.id, secret: fromBase64(c.agent_api_key.ciphertext), key_id: c.agent_api_key.key_id }, "api_key", key);
  };
  if (c.agent.platform === "vapi") {
    const phoneNumberId = c.channel.settings?.vapi_phone_number_id ?? c.agent.config?.phone_number_id;
    if (typeof phoneNumberId !== "string" || !phoneNumberId) {
      throw new Missing(`the number ${c.channel.phone_number} has no Vapi phone number id: set channels.settings.vapi_phone_number_id (PATCH /rest/v1/channels?id=eq.${c.channel.id})`);
    }
    return vapiCreateCall({
      apiKey: await apiKey(), assistantId: c.agent.platform_agent_id!, phoneNumberId,
      customerNumber: c.call.to_number, customerName: c.callee_name, variables: variables(c),
    });
  }
  if (c.agent.platform === "retell") {
    return retellCreatePhoneCall({
      apiKey: await apiKey(), agentId: c.agent.platform_agent_id!, fromNumber: c.call.from_number, toNumber: c.call.to_number,
      variables: variables(c), metadata: { frontdesk_call_id: c.call.id, tenant_id: c.tenant_id },
    });
  }
  if (!c.channel.provider_account_id) {
    throw new Missing(`the number ${c.channel.phone_number} has no Twilio Account SID: PATCH /rest/v1/channels?id=eq.${c.channel.id} {"provider_account_id": "AC…"}`);
  }
  if (!c.channel_auth_token) {
    throw new Missing(`the number ${c.channel.phone_number} has no Twilio auth token: PUT /credentials/channels/${c.channel.id}/auth_token`);
  }
  const authToken = await decryptSecret(fromBase64(c.channel_auth_token.ciphertext), c.channel_auth_token.key_id,
    { tenantId: c.tenant_id, channelId: c.channel.id, name: "auth_token" }, key);
  const base = voicePublicBaseUrl();
  const twiml = response(connectStream(c.agent.media_stream_url!, {
    tenant_id: c.tenant_id, call_id: c.call.id, agent_id: c.agent.id, customer_id: c.call.customer_id, lead_id: c.call.lead_id,
    direction: "outbound", callee: c.call.to_number,
  }));
  return twilioCreateCall({
    accountSid: c.channel.provider_account_id, authToken, from: c.call.from_number, to: c.call.to_number, twiml,
    statusCallback: `${base}/voice-webhook/twilio/status`,
  });
}

/** Claims a queued call and dials it (or records why not). */
export async function dial(callId: string, opts: OutboundOptions = {}): Promise<DialResult> {
  const claim = await asService(async (tx) => {
    const [row] = await tx<{ claim: Claim | null }[]>`select private.outbound_claim(${callId}) as claim`;
    return row.claim;
  }, opts.sql);
  if (!claim) return { outcome: "skipped" };
  if (!claim.dial) {
    return { outcome: claim.call.status === "queued" ? "deferred" : "refused", call: claim.call, refusal: claim.refusal! };
  }
  let placed: Placed;
  try {
    placed = await place(claim, opts.key);
  } catch (err) {
    const missing = err instanceof Missing;
    placed = { ok: false, status: null, code: missing ? "missing_credential" : "dial_error", message: (err as Error).message };
  }
  if (placed.ok) {
    const call = await asService(async (tx) => {
      const [row] = await tx<{ call: OutboundCall }[]>`
        select private.outbound_dialed(${callId}, ${placed.providerCallId}, ${placed.telephonyCallSid ?? null}) as call`;
      return row.call;
    }, opts.sql);
    return { outcome: "dialed", call };
  }
  const failed = placed;
  const call = await asService(async (tx) => {
    const [row] = await tx<{ call: OutboundCall }[]>`select private.outbound_failed(${callId}, ${failed.code}, ${failed.message}) as call`;
    return row.call;
  }, opts.sql);
  return { outcome: "failed", call, provider_status: failed.status };
}

/** POST /calls: the row first (as the caller), then the provider. 202 with the call, or why not. */
export async function placeCall(claims: CallerClaims, input: CallInput, opts: OutboundOptions = {}): Promise<OutboundCall> {
  const queued = await asCaller(claims, async (tx) => {
    const [row] = await tx<{ call: OutboundCall }[]>`
      select private.outbound_request(${input.agent_id}, ${input.lead_id ?? null}, ${input.customer_id ?? null},
        ${tx.json((input.context ?? {}) as never)}, ${input.channel_id ?? null}) as call`;
    return row.call;
  }, opts.sql);
  const result = await dial(queued.id, opts);
  switch (result.outcome) {
    case "dialed":
      return result.call;
    case "failed":
      if (result.call.error_code === "missing_credential") {
        throw new HttpError(422, "missing_credential", result.call.error_message ?? "a credential is missing", { call: result.call });
      }
      throw new HttpError(502, "provider_failed", result.call.error_message ?? "the provider did not place the call", { call: result.call });
    case "deferred":
    case "refused":
      // The rules changed between the request and the dial (a concurrent call, an opt-out): say so.
      throw new HttpError(result.refusal.status, result.refusal.code, result.refusal.message, { call: result.call });
    case "skipped":
      throw new HttpError(409, "conflict", "the call was taken by another dialler", { call_id: queued.id });
  }
}

/** POST /calls/batch: queued for the drain; each refused item says why, the others are queued. */
export function queueBatch(claims: CallerClaims, input: BatchInput, opts: OutboundOptions = {}) {
  return asCaller(claims, async (tx) => {
    const [row] = await tx<{ batch: { batch_id: string; queued: OutboundCall[]; refused: { index: number; status: number; code: string; message: string }[] } }[]>`
      select private.outbound_queue_batch(${input.agent_id}, ${tx.json(input.calls as never)},
        ${tx.json((input.context ?? {}) as never)}, ${input.channel_id ?? null}) as batch`;
    return row.batch;
  }, opts.sql);
}

/** POST /calls/<id>/cancel. */
export function cancelCall(claims: CallerClaims, callId: string, opts: OutboundOptions = {}): Promise<OutboundCall> {
  if (!z.uuid().safeParse(callId).success) throw new HttpError(404, "not_found", "no call with this id in your business");
  return asCaller(claims, async (tx) => {
    const [row] = await tx<{ call: OutboundCall }[]>`select private.outbound_cancel(${callId}) as call`;
    return row.call;
  }, opts.sql);
}

export interface DrainReport { dialed: number; failed: number; deferred: number; refused: number; calls: { id: string; outcome: string; status: string }[] }

/** POST /calls/drain (the scheduler, with the secret key): the calls due now at each business's rate. */
export async function drainCalls(opts: OutboundOptions & { limit?: number; onlyTenant?: string } = {}): Promise<DrainReport> {
  const due = await asService(
    (tx) => tx<{ call_id: string }[]>`select call_id from private.outbound_due(${opts.limit ?? 100}, ${opts.onlyTenant ?? null})`,
    opts.sql,
  );
  const report: DrainReport = { dialed: 0, failed: 0, deferred: 0, refused: 0, calls: [] };
  for (const { call_id } of due) {
    const r = await dial(call_id, opts);
    if (r.outcome === "skipped") continue;
    report[r.outcome]++;
    report.calls.push({ id: r.call.id, outcome: r.outcome, status: r.call.status });
  }
  return report;
}
