// The SQL behind the platform handlers: one function per request, as `frontdesk_webhook`, for the verified agent's
// business only (its tenant and agent come from the secret the request proved, never from the body).
import { asWebhook, type Sql } from "../db/client.ts";
import type { CallEvent, EndOfCallReport, Platform, VerifiedAgent } from "./adapter.ts";

export interface ReportResult {
  duplicate: boolean;
  call_id: string;
  customer_id?: string | null;
  caller_id?: string | null;
  call_minutes?: number | null;
  memories_stored?: number;
  memories_skipped?: number;
}

export interface EventResult { call_id: string; status: string; customer_id: string | null; call_minutes: number | null }

/** What private.voice_assistant_context answers. */
export interface AssistantContext {
  business: { name: string; timezone: string; language: string | null };
  agent: {
    id: string; name: string; platform: string; platform_agent_id: string | null; language: string;
    greeting: string | null; system_prompt: string | null; config: Record<string, unknown>;
  };
  voice: { provider: string; provider_voice_id: string; language: string; settings: Record<string, unknown> } | null;
  transfer_number: string | null;
  caller: {
    phone: string | null;
    known: boolean;
    name: string | null;
    upcoming_bookings: { booking_id: string; starts_at: string; ends_at: string; status: string; local_start: string; service: string; staff: string }[];
    last_summary: string | null;
  };
}

export function storeReport(agent: VerifiedAgent, platform: Platform, report: EndOfCallReport, sql?: Sql): Promise<ReportResult> {
  return asWebhook(async (tx) => {
    const [row] = await tx`select private.voice_call_report(${agent.tenant_id}, ${agent.agent_id}, ${platform}, ${tx.json(report as never)}) as r`;
    return row.r as ReportResult;
  }, sql);
}

export function applyCallEvent(agent: VerifiedAgent, platform: Platform, event: CallEvent, sql?: Sql): Promise<EventResult> {
  return asWebhook(async (tx) => {
    const [row] = await tx`select private.voice_call_event(${agent.tenant_id}, ${agent.agent_id}, ${platform}, ${tx.json(event as never)}) as r`;
    return row.r as EventResult;
  }, sql);
}

export function assistantContext(agent: VerifiedAgent, caller: string | null, withheld: boolean, sql?: Sql): Promise<AssistantContext> {
  return asWebhook(async (tx) => {
    const [row] = await tx`select private.voice_assistant_context(${agent.tenant_id}, ${agent.agent_id}, ${caller}, ${withheld}) as r`;
    return row.r as AssistantContext;
  }, sql);
}

/**
 * The caller's context as flat text values, for the platforms' prompt variables (Vapi's variableValues, Retell's
 * dynamic variables, which must be strings): empty strings when the caller is unknown or withheld.
 */
export function callerVariables(ctx: AssistantContext): Record<string, string> {
  const c = ctx.caller;
  const bookings = c.upcoming_bookings.map((b) => `${b.local_start} ${b.service} with ${b.staff}`).join("; ");
  return {
    business_name: ctx.business.name,
    business_timezone: ctx.business.timezone,
    caller_known: c.known ? "true" : "false",
    caller_name: c.name ?? "",
    caller_phone: c.phone ?? "",
    upcoming_bookings: bookings,
    upcoming_booking_count: String(c.upcoming_bookings.length),
    last_call_summary: c.last_summary ?? "",
  };
}
