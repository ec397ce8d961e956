// Plans carry their monthly limits as data; usage is counted once per source; an operation past the limit gets 402.
import { describe, expect, it } from "vitest";
import { asRequest, outcome, useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam } from "../helpers/tenants.ts";

const db = useTestDatabase();

const usage = (token: string) => asRequest(db, token, (tx) => tx`select metric::text, used::float, monthly_limit::float, remaining::float, plan_id from public.usage_and_limits()`);

describe("plan limits", () => {
  it("a tenant without a subscription is on Starter; owners and admins read usage against its limits, staff cannot", async () => {
    const t = await tenantWithTeam(db, "limits");
    await db.sql`select private.record_usage(${t.id}, 'memories', 3, 'batch-1')`;
    await db.sql`select private.record_usage(${t.id}, 'memories', 3, 'batch-1')`; // the same source again
    const rows = await usage(t.members.admin.token);
    expect(rows.find((r) => r.metric === "memories")).toEqual({ metric: "memories", used: 3, monthly_limit: 5000, remaining: 4997, plan_id: "starter" });
    expect(rows.map((r) => r.metric).sort()).toEqual(["assistant_tokens", "assistant_turns", "call_minutes", "inbound_messages", "memories", "outbound_call_minutes", "outbound_calls", "outbound_messages"]);
    expect(await outcome(usage(t.members.staff.token))).toBe("PT403");
  });

  it("follows the live subscription's plan", async () => {
    const t = await tenantWithTeam(db, "upgraded");
    await db.sql`insert into public.subscriptions (tenant_id, plan_id, status) values (${t.id}, 'enterprise', 'active')`;
    expect((await usage(t.members.owner.token))[0].plan_id).toBe("enterprise");
  });

  it("refuses with 402 and a clear message once the month's allowance is used up", async () => {
    const t = await tenantWithTeam(db, "capped");
    await db.sql`select private.record_usage(${t.id}, 'call_minutes', 299, 'calls-so-far')`;
    expect((await db.sql`select private.within_limit(${t.id}, 'call_minutes', 1) as ok`)[0].ok).toBe(true);
    expect((await db.sql`select private.within_limit(${t.id}, 'call_minutes', 2) as ok`)[0].ok).toBe(false);
    await db.sql`select private.record_usage(${t.id}, 'call_minutes', 1, 'last-call')`;
    const err = await db.sql`select private.require_within_limit(${t.id}, 'call_minutes')`.catch((e) => e);
    expect(err.code).toBe("PT402");
    expect(err.message).toMatch(/Starter plan allows 300 call minutes a month/);
  });
});
