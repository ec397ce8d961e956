// Finding 1: an admin moved its own subscription to the Enterprise plan with a far-future period, and stored memories
// by inserting them directly, skipping usage counting and the plan's monthly allowance. Now the subscription is the
// platform's (no client write grant or policy) and memories are stored only through private.memory_store (the
// memory function), which counts each one against the plan. Attacks run as PostgREST runs them for the owner's and
// the admin's hook-made JWTs; the rows are read back as the schema owner before and after.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { call, randomPhone } from "../memory/fixtures.ts";
import { attempt, countOf, rowsOf, setUsage, usageOf } from "./helpers.ts";

const db = useTestDatabase();
const fns = useFunctions(db);

let shop: TestTenant;
let subscriptionId: string;
let callerId: string;

beforeAll(async () => {
  shop = await tenantWithTeam(db, "billing");
  const [s] = await db.sql`insert into public.subscriptions (tenant_id, plan_id, status) values (${shop.id}, 'starter', 'active') returning id`;
  subscriptionId = s.id;
  const [c] = await db.sql`insert into public.caller_profiles (tenant_id, phone) values (${shop.id}, ${randomPhone()}) returning id`;
  callerId = c.id;
});

const subscriptions = () => rowsOf(db, "public.subscriptions", "tenant_id = $1", shop.id);
const planOf = async () => (await db.sql`select (private.current_plan(${shop.id})).id as plan`)[0].plan as string;

describe("billing escalation: a business's subscription is not its own to write", () => {
  for (const role of ["owner", "admin"] as const) {
    it(`${role}: moving the subscription to Enterprise with a far-future period is refused (42501), the row unchanged`, async () => {
      const token = shop.members[role].token;
      const before = await subscriptions();
      expect(before).toHaveLength(1);

      // The whole escalation in one statement, then each column on its own.
      expect(await attempt(db, token, (tx) => tx`
        update public.subscriptions set plan_id = 'enterprise', status = 'active', current_period_end = '2999-01-01'
        where tenant_id = ${shop.id} returning id`)).toBe("42501");
      expect(await attempt(db, token, (tx) => tx`update public.subscriptions set plan_id = 'enterprise' where id = ${subscriptionId} returning id`)).toBe("42501");
      expect(await attempt(db, token, (tx) => tx`update public.subscriptions set status = 'active' where id = ${subscriptionId} returning id`)).toBe("42501");
      expect(await attempt(db, token, (tx) => tx`update public.subscriptions set current_period_end = '2999-01-01' where id = ${subscriptionId} returning id`)).toBe("42501");
      // Nor around the update: cancel it and insert a new live one, or delete it.
      expect(await attempt(db, token, (tx) => tx`
        insert into public.subscriptions (tenant_id, plan_id, status, current_period_end)
        values (${shop.id}, 'enterprise', 'active', '2999-01-01') returning id`)).toBe("42501");
      expect(await attempt(db, token, (tx) => tx`delete from public.subscriptions where id = ${subscriptionId} returning id`)).toBe("42501");

      expect(await subscriptions()).toEqual(before);
      expect(await planOf()).toBe("starter");
    });
  }

  it("the subscription stays readable to owners and admins (the refusal is about writing, not about the row)", async () => {
    const seen = await attempt(db, shop.members.admin.token, (tx) => tx`select plan_id from public.subscriptions where id = ${subscriptionId}`);
    expect(seen).toBe("rows=1");
  });
});

describe("memories are stored only through memory_store, which counts them", () => {
  for (const role of ["owner", "admin"] as const) {
    it(`${role}: a direct insert into memories is refused (42501); no memory and no usage is added`, async () => {
      const memories = await countOf(db, "public.memories", "tenant_id = $1", shop.id);
      const events = await rowsOf(db, "public.usage_events", "tenant_id = $1", shop.id);
      const used = await usageOf(db, shop.id, "memories");

      expect(await attempt(db, shop.members[role].token, (tx) => tx`
        insert into public.memories (tenant_id, caller_id, content) values (${shop.id}, ${callerId}, 'uncounted memory')
        returning id`)).toBe("42501");
      // A batch, the way a bulk import would go around the allowance.
      expect(await attempt(db, shop.members[role].token, (tx) => tx`
        insert into public.memories (tenant_id, caller_id, content)
        select ${shop.id}, ${callerId}, 'uncounted ' || g from generate_series(1, 100) g returning id`)).toBe("42501");

      expect(await countOf(db, "public.memories", "tenant_id = $1", shop.id)).toBe(memories);
      expect(await countOf(db, "public.memories", "content like 'uncounted%'")).toBe(0);
      expect(await rowsOf(db, "public.usage_events", "tenant_id = $1", shop.id)).toEqual(events);
      expect(await usageOf(db, shop.id, "memories")).toBe(used);
    });
  }

  it("the legitimate path (POST /memory) stores the memory and records one memories usage event for it", async () => {
    const used = await usageOf(db, shop.id, "memories");
    const res = await call(fns, "POST", "memory", {
      bearer: shop.members.admin.token,
      body: { caller: randomPhone(), memories: [{ content: "Likes the window seat", kind: "preference" }] },
    });
    expect(res.status).toBe(201);
    const id = res.body.memories[0].id as string;
    expect(await countOf(db, "public.memories", "tenant_id = $1 and id = $2", shop.id, id)).toBe(1);
    const [event] = await db.sql`
      select metric::text, quantity::float8 as quantity from public.usage_events
      where tenant_id = ${shop.id} and source_ref = ${"memories:" + id}`;
    expect(event).toEqual({ metric: "memories", quantity: 1 });
    expect(await usageOf(db, shop.id, "memories")).toBe(used + 1);
  });

  it("past the plan's allowance the legitimate path answers 402 and stores nothing", async () => {
    await setUsage(db, shop.id, "memories", 5000); // the Starter plan's monthly memories
    try {
      const memories = await countOf(db, "public.memories", "tenant_id = $1", shop.id);
      const res = await call(fns, "POST", "memory", {
        bearer: shop.members.owner.token,
        body: { caller: randomPhone(), memories: [{ content: "one too many" }] },
      });
      expect(res.status).toBe(402);
      expect(await countOf(db, "public.memories", "tenant_id = $1", shop.id)).toBe(memories);
      expect(await usageOf(db, shop.id, "memories")).toBe(5000);
    } finally {
      await setUsage(db, shop.id, "memories", 0);
    }
  });
});
