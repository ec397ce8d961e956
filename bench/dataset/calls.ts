// Calls and what the voice side derives from them: customer calls (customer j's one inbound call, j < perTenant;
// bench:rls, bench:voice), a regular's calls (caller 0's, bench:memory), call summaries and personality metrics.
import postgres from "postgres";
import { CALL_STARTED, CUSTOMER_PHONE, rowIds, TENANT_PHONE, type IdScheme } from "./common.ts";
import { regularPhone } from "./callers.ts";

export interface CustomerCallOptions {
  tenants: number;
  perTenant: number;
  ids?: IdScheme;
  /** With `full` (bench:rls): 120 s + 30 s per j, created when they started; without: 3 minutes each, created now. */
  full?: boolean;
}

/** Customer j's call to the tenant's number (insertTenants with contact), CALL_STARTED, completed. */
export async function insertCustomerCalls(sql: postgres.Sql, o: CustomerCallOptions): Promise<number> {
  const id = rowIds(sql, o.ids);
  const started = sql.unsafe(CALL_STARTED);
  const seconds = o.full ? sql`(120 + j * 30)` : sql`180`;
  return (await sql`
    insert into public.calls (tenant_id, id, customer_id, provider, provider_call_id, direction, from_number,
                              to_number, status, started_at, ended_at, duration_seconds, created_at)
    select ${id("'tenant:' || t")}, ${id("'call:' || t || ':' || j")}, ${id("'customer:' || t || ':' || j")},
           'twilio', 'CA' || md5('callsid:' || t || ':' || j), 'inbound', ${sql.unsafe(CUSTOMER_PHONE)},
           ${sql.unsafe(TENANT_PHONE)}, 'completed',
           ${started}, ${started} + ${seconds} * interval '1 second', ${seconds}, ${o.full ? started : sql`now()`}
    from generate_series(0, ${o.perTenant - 1}) j cross join generate_series(1, ${o.tenants}) t
    order by j, t`).count;
}

export interface RegularCallOptions {
  tenants: number;
  /** Calls k = 1..perTenant of each tenant's caller 0 (insertRegularCallers), 9 days apart, 4 minutes each. */
  perTenant: number;
  /** One tenant whose caller 0 has more. */
  hot: { tenant: number; calls: number };
  ids?: IdScheme;
}

export async function insertRegularCalls(sql: postgres.Sql, o: RegularCallOptions): Promise<number> {
  const id = rowIds(sql, o.ids);
  return (await sql`
    insert into public.calls (tenant_id, id, provider, provider_call_id, direction, from_number, to_number, status,
                              started_at, ended_at, duration_seconds, created_at)
    select ${id("'tenant:' || t")}, ${id("'call:' || t || ':' || k")}, 'twilio', 'CA' || md5(t || ':' || k),
           'inbound', ${sql.unsafe(regularPhone("0"))}, '+15550000000', 'completed',
           now() - k * interval '9 days', now() - k * interval '9 days' + interval '4 minutes', 240,
           now() - k * interval '9 days'
    from generate_series(1, ${o.tenants}) t cross join generate_series(1, ${Math.max(o.perTenant, o.hot.calls)}) k
    where k <= ${o.perTenant} or t = ${o.hot.tenant}`).count;
}

/** A summary of every call in the table: booked a haircut, positive. */
export async function insertCallSummaries(sql: postgres.Sql): Promise<number> {
  return (await sql`
    insert into public.call_summaries (tenant_id, call_id, summary, outcome, sentiment)
    select c.tenant_id, c.id, 'Asked about availability and booked a haircut with Alex.', 'booked', 'positive'
    from public.calls c`).count;
}

/** Big Five scores (random, three decimals) for every call from a caller with a profile, for that profile. */
export async function insertPersonalityMetrics(sql: postgres.Sql): Promise<number> {
  return (await sql`
    insert into public.personality_metrics (tenant_id, call_id, caller_id, openness, conscientiousness, extraversion,
                                            agreeableness, neuroticism)
    select c.tenant_id, c.id, p.id, round(random()::numeric, 3), round(random()::numeric, 3), round(random()::numeric, 3),
           round(random()::numeric, 3), round(random()::numeric, 3)
    from public.calls c join public.caller_profiles p on p.tenant_id = c.tenant_id and p.phone = c.from_number`).count;
}
