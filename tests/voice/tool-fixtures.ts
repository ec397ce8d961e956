// The receptionist's tools on a live call: a barbershop with a phone number, a team, services and a voice agent, and
// the tool requests exactly as the platforms send them.
//
// Vapi `tool-calls` (VapiAI/server-sdk-typescript src/api/types/ServerMessageToolCalls.ts): the call, customer and
// phone number as every server message carries them, `toolCallList: ToolCall[]` ({id, type: "function", function:
// {name, arguments}}, arguments a JSON string in the SDK type) and `toolWithToolCallList` (the tool's definition with
// its server and the same `toolCall`). `docsShape` builds the items as docs.vapi.ai "Custom Tools" prints them
// ({id, name, arguments: {…}} with the arguments as an object).
//
// Retell custom functions (docs.retellai.com "Custom Function"): {name, args, call} with the live call object
// (call_status "ongoing", no end yet), signed with x-retell-signature like its webhooks.
import { randomBytes } from "node:crypto";
import type { TestDb } from "../helpers/db.ts";
import { setAgentSecretRow, vapiMessage, voiceBusiness, type VoiceBusiness } from "./fixtures.ts";

export interface ToolShop extends VoiceBusiness {
  staff: Record<string, string>;
  services: Record<string, string>;
}

/**
 * A barbershop open around the clock (so "tomorrow at 10:00" is always bookable), with Luis and Sam, a Skin Fade
 * (both), a Beard Trim (Sam) and a Kids Cut (Luis).
 */
export async function toolShop(db: TestDb, label: string, opts: { timezone?: string } = {}): Promise<ToolShop> {
  const b = await voiceBusiness(db, label, { timezone: opts.timezone ?? "America/New_York", agent: false });
  const staff: Record<string, string> = {};
  for (const name of ["Luis", "Sam"]) {
    [{ id: staff[name] }] = await db.sql`insert into public.staff (tenant_id, name) values (${b.id}, ${name}) returning id`;
  }
  const services: Record<string, string> = {};
  for (const [name, minutes, cents, by] of [["Skin Fade", 30, 3500, ["Luis", "Sam"]], ["Beard Trim", 20, 1500, ["Sam"]], ["Kids Cut", 30, 2000, ["Luis"]]] as const) {
    [{ id: services[name] }] = await db.sql`
      insert into public.services (tenant_id, name, duration_minutes, price_cents, currency) values (${b.id}, ${name}, ${minutes}, ${cents}, 'USD') returning id`;
    for (const who of by) await db.sql`insert into public.staff_services (tenant_id, staff_id, service_id) values (${b.id}, ${staff[who]}, ${services[name]})`;
  }
  return { ...b, staff, services };
}

export interface Agent { id: string; platformId: string | null; secret: string }

export async function voiceAgent(db: TestDb, b: { id: string }, platform: "vapi" | "retell", o: { platformId?: string | null; config?: Record<string, unknown> } = {}): Promise<Agent> {
  const platformId = o.platformId === undefined
    ? (platform === "vapi" ? crypto.randomUUID() : `agent_${randomBytes(10).toString("hex")}`)
    : o.platformId;
  const [a] = await db.sql`
    insert into public.voice_agents (tenant_id, name, platform, platform_agent_id, language, config)
    values (${b.id}, ${`${platform} desk`}, ${platform}, ${platformId}, 'en', ${db.sql.json((o.config ?? {}) as never)}) returning id`;
  const secret = `sk-${crypto.randomUUID()}`;
  await setAgentSecretRow(db, b.id, a.id, platform === "vapi" ? "webhook_secret" : "api_key", secret);
  return { id: a.id, platformId, secret };
}

export const toolCallId = () => `call_${randomBytes(12).toString("base64url")}`;

export interface ToolCallSpec { id?: string; name: string; args: Record<string, unknown> }

/** A Vapi tool-calls server message for the call `o.callId` (the SDK's shape unless docsShape). */
export function vapiToolCalls(assistantId: string | null, calls: ToolCallSpec[], o: {
  callId?: string; customerNumber?: string; businessNumber?: string; twilioCallSid?: string; docsShape?: boolean;
} = {}) {
  const withIds = calls.map((c) => ({ ...c, id: c.id ?? toolCallId() }));
  const sdkCall = (c: (typeof withIds)[number]) => ({ id: c.id, type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } });
  const toolCallList = withIds.map((c) => (o.docsShape ? { id: c.id, name: c.name, arguments: c.args } : sdkCall(c)));
  const toolWithToolCallList = withIds.map((c) => ({
    type: "function",
    function: { name: c.name, parameters: { type: "object", properties: {} } },
    server: { url: "https://voice.frontdesk.test/functions/v1/call-events/vapi" },
    messages: [],
    toolCall: sdkCall(c),
  }));
  const m = vapiMessage("tool-calls", assistantId, {
    callId: o.callId, customerNumber: o.customerNumber, businessNumber: o.businessNumber, twilioCallSid: o.twilioCallSid,
    extra: { toolCallList, toolWithToolCallList, artifact: { messages: [] } },
  });
  return { body: m, ids: withIds.map((c) => c.id) };
}

/** The ToolResult Vapi would hand the model for one tool call id (results[].result is a string). */
export function resultFor(answer: { results: { toolCallId: string; result?: string; error?: string; name: string }[] }, id: string) {
  const r = answer.results.find((x) => x.toolCallId === id);
  if (!r) throw new Error(`no result for tool call ${id}: ${JSON.stringify(answer)}`);
  if (r.result === undefined) throw new Error(`tool call ${id} failed: ${r.error}`);
  return JSON.parse(r.result) as { ok: boolean; tool: string; message: string; data?: any; resolved?: any; error?: { code: string }; replayed?: boolean };
}

/** A Retell custom function call during the call `callId`. */
export function retellFunctionCall(o: { name: string; args: Record<string, unknown>; agentId: string; callId: string; from: string; to: string }) {
  const start = Date.now() - 60_000;
  return {
    name: o.name,
    args: o.args,
    call: {
      call_type: "phone_call",
      call_id: o.callId,
      agent_id: o.agentId,
      agent_version: 3,
      call_status: "ongoing",
      direction: "inbound",
      from_number: o.from,
      to_number: o.to,
      start_timestamp: start,
      transcript: "Agent: Fade House, how can I help?\nUser: I'd like a skin fade tomorrow at ten.\n",
      metadata: {},
      retell_llm_dynamic_variables: {},
    },
  };
}

export const bookingsOf = (db: TestDb, tenantId: string) =>
  db.sql`select id, customer_id, service_id, staff_id, starts_at, status::text, source::text from public.bookings where tenant_id = ${tenantId} order by created_at`;
