// This month's usage against the plan's limits, for owners and admins (public.usage_and_limits, run as the caller;
// it answers 403 to anyone else). Self-service platform data, beside the API keys.
import { asCaller, type CallerClaims, type Sql } from "../db/client.ts";

export interface UsageReport {
  plan: { id: string; name: string };
  metrics: { metric: string; used: number; limit: number | null; remaining: number | null }[];
}

interface Row { plan_id: string; plan_name: string; metric: string; used: string; monthly_limit: string | null; remaining: string | null }

export async function readUsage(claims: CallerClaims, sql?: Sql): Promise<UsageReport> {
  const rows = await asCaller(claims, (tx) => tx<Row[]>`select * from public.usage_and_limits()`, sql);
  // numeric arrives as text; a metric absent from the plan's limits is unlimited (null).
  const num = (v: string | null) => (v === null ? null : Number(v));
  return {
    plan: { id: rows[0]?.plan_id, name: rows[0]?.plan_name },
    // usage_and_limits() gives remaining 0 for an unlimited metric (greatest() skips the null): report null.
    metrics: rows.map((r) => ({
      metric: r.metric, used: Number(r.used), limit: num(r.monthly_limit), remaining: r.monthly_limit === null ? null : num(r.remaining),
    })),
  };
}
