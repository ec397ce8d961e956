// GET /usage through the real function: owners and admins read this month's usage against their plan's limits.
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { tenantWithTeam } from "../helpers/tenants.ts";
import { call, createKey, randomPhone } from "../memory/fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db);

describe("GET /usage", () => {
  it("shows owners and admins the plan, each metric's use, limit and remainder, following memory stores", async () => {
    const t = await tenantWithTeam(db, "usage-shop");
    const before = await call(fns, "GET", "usage", { bearer: t.members.owner.token });
    expect(before.status).toBe(200);
    expect(before.body.plan).toEqual({ id: "starter", name: "Starter" });
    expect(before.body.metrics).toEqual([
      { metric: "inbound_messages", used: 0, limit: 1000, remaining: 1000 },
      { metric: "outbound_messages", used: 0, limit: 1000, remaining: 1000 },
      { metric: "call_minutes", used: 0, limit: 300, remaining: 300 },
      { metric: "memories", used: 0, limit: 5000, remaining: 5000 },
      { metric: "assistant_turns", used: 0, limit: 500, remaining: 500 },
      { metric: "assistant_tokens", used: 0, limit: null, remaining: null },
      { metric: "outbound_calls", used: 0, limit: 100, remaining: 100 },
      { metric: "outbound_call_minutes", used: 0, limit: 200, remaining: 200 },
    ]);

    const key = await createKey(fns, t.members.owner.token, ["memory:write"]);
    await call(fns, "POST", "memory", { bearer: key.key, body: { caller: randomPhone(), memories: [{ content: "a" }, { content: "b" }, { content: "c" }] } });
    const after = await call(fns, "GET", "usage", { bearer: t.members.admin.token });
    expect(after.body.metrics.find((m: { metric: string }) => m.metric === "memories")).toEqual({ metric: "memories", used: 3, limit: 5000, remaining: 4997 });
  });

  it("follows an upgrade; a metric the plan does not limit reads as unlimited (null)", async () => {
    const t = await tenantWithTeam(db, "usage-custom");
    await db.sql`insert into public.plans (id, name, monthly_price_cents, limits) values ('usage-test-plan', 'No memory cap', 0, '{"call_minutes": 10}')`;
    await db.sql`insert into public.subscriptions (tenant_id, plan_id, status) values (${t.id}, 'usage-test-plan', 'active')`;
    await db.sql`select private.record_usage(${t.id}, 'memories', 7, 'm')`;
    const res = await call(fns, "GET", "usage", { bearer: t.members.owner.token });
    expect(res.body.plan.id).toBe("usage-test-plan");
    expect(res.body.metrics.find((m: { metric: string }) => m.metric === "memories")).toEqual({ metric: "memories", used: 7, limit: null, remaining: null });
  });

  it("answers staff 403, no JWT 401, an API key 401", async () => {
    const t = await tenantWithTeam(db, "usage-guarded");
    const staff = await call(fns, "GET", "usage", { bearer: t.members.staff.token });
    expect(staff.status).toBe(403);
    expect(staff.body.error.message).toMatch(/owners and admins/);
    expect((await call(fns, "GET", "usage")).status).toBe(401);
    const key = await createKey(fns, t.members.owner.token, ["memory:read"]);
    expect((await call(fns, "GET", "usage", { bearer: key.key })).status).toBe(401);
  });
});
