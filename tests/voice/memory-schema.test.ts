// Caller memory invariants the database keeps by itself: one profile per caller per business, personality averages
// following the per-call metrics, full-text search over memories, and one open conversation per channel and customer.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam } from "../helpers/tenants.ts";
import { buildWorld } from "../helpers/world.ts";

const db = useTestDatabase();
let tenantId: string;
let world: Record<string, string>;

beforeAll(async () => {
  const t = await tenantWithTeam(db, "memory");
  tenantId = t.id;
  world = await buildWorld(db, t.id, t.members.owner.id);
});

describe("caller memory", () => {
  it("averages personality metrics per caller as calls come and go", async () => {
    const [second] = await db.sql`
      insert into public.calls (tenant_id, provider, provider_call_id, direction, status)
      values (${tenantId}, 'twilio', 'CAsecond', 'inbound', 'completed') returning id`;
    await db.sql`insert into public.personality_metrics (tenant_id, call_id, caller_id, openness, agreeableness)
                 values (${tenantId}, ${second.id}, ${world.caller}, 0.2, 0.4)`;
    const avg = async () => (await db.sql`select calls, openness::float, agreeableness::float from public.caller_personality where caller_id = ${world.caller}`)[0];
    expect(await avg()).toEqual({ calls: 2, openness: 0.4, agreeableness: 0.6 });
    await db.sql`delete from public.personality_metrics where call_id = ${second.id}`;
    expect(await avg()).toEqual({ calls: 1, openness: 0.6, agreeableness: 0.8 });
  });

  it("keeps one profile per phone per business", async () => {
    const [p] = await db.sql`select phone from public.caller_profiles where id = ${world.caller}`;
    await expect(db.sql`insert into public.caller_profiles (tenant_id, phone) values (${tenantId}, ${p.phone})`).rejects.toMatchObject({ code: "23505" });
  });

  it("finds memories by words in their content", async () => {
    const hits = await db.sql`select content from public.memories where tenant_id = ${tenantId} and search @@ websearch_to_tsquery('simple', 'fade')`;
    expect(hits.map((h) => h.content)).toEqual(["Prefers a skin fade"]);
  });

  it("refuses oversized memories and importance outside 1..10", async () => {
    await expect(db.sql`insert into public.memories (tenant_id, caller_id, content) values (${tenantId}, ${world.caller}, ${"x".repeat(65537)})`).rejects.toMatchObject({ code: "23514" });
    await expect(db.sql`insert into public.memories (tenant_id, caller_id, content, importance) values (${tenantId}, ${world.caller}, 'x', 11)`).rejects.toMatchObject({ code: "23514" });
  });
});

describe("conversations", () => {
  it("allow one open conversation per channel and customer, and a new one after closing", async () => {
    const open = () => db.sql`insert into public.conversations (tenant_id, channel_id, customer_id) values (${tenantId}, ${world.channel}, ${world.customer})`;
    await expect(open()).rejects.toMatchObject({ code: "23505" });
    await db.sql`update public.conversations set status = 'closed', closed_at = now() where id = ${world.conversation}`;
    await open();
  });
});
