// Adoption in a deployment that is already in use: two legacy systems into two tenants side by side, and a legacy
// system into a business that already has customers, callers and bookings of its own (rows merge with the
// tenant's by phone, rollback refuses while newer rows depend on imported ones, then restores the exact state).
import { describe, expect, it } from "vitest";
import { asRequest, useTestDatabase } from "../helpers/db.ts";
import { addMember, tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { tokenFor } from "../helpers/db.ts";
import { adopt, adoptJson, tenantState, TENANT_TABLES_SQL, useLegacyDatabase } from "./helpers.ts";

const db = useTestDatabase();
const barbershop = useLegacyDatabase(db, "barbershop");
const whatsapp = useLegacyDatabase(db, "whatsapp-bot");
const memory = useLegacyDatabase(db, "call-memory");

async function visibleTo(token: string, tables: string[], tenantId: string): Promise<Record<string, number>> {
  return asRequest(db, token, async (tx) => {
    const out: Record<string, number> = {};
    for (const t of tables) {
      const [r] = await tx.unsafe(`select count(*)::int as n from public."${t}" where tenant_id = $1`, [tenantId]);
      if (r.n) out[t] = r.n;
    }
    return out;
  });
}

describe("adopt: two legacy systems into two tenants of one deployment", () => {
  it("imports both, each verifies clean, neither sees the other, and rolling one back leaves the other intact", async () => {
    const a = await adoptJson(db, "run", "--from", barbershop.url, "--mapping", "barbershop", "--tenant", "side-a");
    const b = await adoptJson(db, "run", "--from", whatsapp.url, "--mapping", "whatsapp-bot", "--tenant", "side-b");
    expect((await adoptJson(db, "verify", "--from", barbershop.url, "--mapping", "barbershop", "--tenant", "side-a")).ok).toBe(true);
    expect((await adoptJson(db, "verify", "--from", whatsapp.url, "--mapping", "whatsapp-bot", "--tenant", "side-b")).ok).toBe(true);

    const tables = (await db.sql.unsafe(TENANT_TABLES_SQL)).map((r) => r.table as string);
    const ownerA = await addMember(db, a.tenantId, "owner", "owner-a");
    const ownerB = await addMember(db, b.tenantId, "owner", "owner-b");
    const tokenA = await tokenFor(db, ownerA.id);
    const tokenB = await tokenFor(db, ownerB.id);
    expect(await visibleTo(tokenA, tables, b.tenantId)).toEqual({});
    expect(await visibleTo(tokenB, tables, a.tenantId)).toEqual({});
    expect((await visibleTo(tokenA, tables, a.tenantId)).bookings).toBe(242);
    expect((await visibleTo(tokenB, tables, b.tenantId)).messages).toBe(452);

    const before = await tenantState(db.sql, b.tenantId);
    // Side A has an owner now (a row the import did not create): the tenant stays, the imported rows go.
    const refused = await adopt(db, "rollback", "--mapping", "barbershop", "--tenant", "side-a");
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/public\.memberships/);
    expect(refused.err).toMatch(/--keep-tenant/);
    const r = await adoptJson(db, "rollback", "--mapping", "barbershop", "--tenant", "side-a", "--keep-tenant");
    expect(r.tenantDeleted).toBe(false);
    const left = await tenantState(db.sql, a.tenantId);
    expect(Object.entries(left).filter(([, s]) => s.rows > 0).map(([t]) => t).sort()).toEqual(["memberships", "tenants"]);
    expect(await tenantState(db.sql, b.tenantId)).toEqual(before);
    expect((await adoptJson(db, "verify", "--from", whatsapp.url, "--mapping", "whatsapp-bot", "--tenant", "side-b")).ok).toBe(true);
  });
});

describe("adopt: into an existing business that already has data", () => {
  let shop: TestTenant;
  let earlier: Awaited<ReturnType<typeof tenantState>>;
  let existing: { customer: string; caller: string; phone: string };

  it("links legacy callers to the business's own customers and callers by phone, and verifies clean", async () => {
    shop = await tenantWithTeam(db, "peterson-live", "America/Chicago");
    // The business already runs on Frontdesk: a customer and a caller with the phone of legacy caller 5, a
    // customer of its own, a call with personality metrics for that caller, a booking.
    const [c5] = await memory.sql`select user_id from caller_profiles where id = md5('caller5')::uuid`;
    const [customer] = await db.sql`
      insert into public.customers (tenant_id, phone, name, notes) values (${shop.id}, ${c5.user_id}, 'Linda Jensen', 'VIP since 2019') returning id`;
    await db.sql`insert into public.customers (tenant_id, phone, name) values (${shop.id}, '+13125550199', 'Walk-in only')`;
    const [caller] = await db.sql`
      insert into public.caller_profiles (tenant_id, phone, customer_id, display_name, call_count)
      values (${shop.id}, ${c5.user_id}, ${customer.id}, 'Linda', 9) returning id`;
    const [call] = await db.sql`
      insert into public.calls (tenant_id, provider, provider_call_id, direction, status, customer_id)
      values (${shop.id}, 'twilio', 'CAlive0001', 'inbound', 'completed', ${customer.id}) returning id`;
    await db.sql`
      insert into public.personality_metrics (tenant_id, call_id, caller_id, openness, conscientiousness, extraversion, agreeableness, neuroticism)
      values (${shop.id}, ${call.id}, ${caller.id}, 0.9, 0.8, 0.7, 0.6, 0.1)`;
    const [staff] = await db.sql`insert into public.staff (tenant_id, name) values (${shop.id}, 'Pat') returning id`;
    const [service] = await db.sql`insert into public.services (tenant_id, name, duration_minutes) values (${shop.id}, 'Policy review', 30) returning id`;
    await db.sql`
      insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, source)
      values (${shop.id}, ${customer.id}, ${service.id}, ${staff.id}, '2026-12-01 15:00+00', '2026-12-01 15:30+00', 'voice')`;
    existing = { customer: customer.id, caller: caller.id, phone: c5.user_id };
    earlier = await tenantState(db.sql, shop.id);

    const plan = await adoptJson(db, "plan", "--from", memory.url, "--mapping", "call-memory", "--tenant", shop.slug);
    expect(plan.tenant).toMatchObject({ action: "use", id: shop.id, timezone: "America/Chicago" });
    const byEntry = Object.fromEntries(plan.entries.map((e: { entry: string }) => [e.entry, e]));
    // Legacy caller 5 (two legacy rows: with and without the plus) is the business's Linda.
    expect(byEntry.customers).toMatchObject({ import: 59, link: 1, merge: 2, skip: 1 });
    expect(byEntry.callers).toMatchObject({ import: 59, link: 1, merge: 2, skip: 1 });

    const run = await adoptJson(db, "run", "--from", memory.url, "--mapping", "call-memory", "--tenant", shop.slug);
    expect(run.tenantCreated).toBe(false);
    const verify = await adoptJson(db, "verify", "--from", memory.url, "--mapping", "call-memory", "--tenant", shop.slug);
    expect(verify.ok).toBe(true);
    expect(verify.entries.find((e: { entry: string }) => e.entry === "callers").linked).toEqual({ expected: 1, ledger: 1 });

    // The business's own rows are as they were; the imported memories of caller 5 hang on its existing caller.
    const [linda] = await db.sql`select name, notes from public.customers where tenant_id = ${shop.id} and id = ${existing.customer}`;
    expect(linda).toEqual({ name: "Linda Jensen", notes: "VIP since 2019" });
    const [{ n }] = await db.sql`select count(*)::int as n from public.memories where tenant_id = ${shop.id} and caller_id = ${existing.caller}`;
    expect(n).toBe(6);
    // Its team sees the imported rows; another business's team sees none of them.
    const tables = (await db.sql.unsafe(TENANT_TABLES_SQL)).map((r) => r.table as string);
    expect((await visibleTo(shop.members.staff.token, tables, shop.id)).memories).toBe(301);
    const neighbour = await tenantWithTeam(db, "neighbour");
    expect(await visibleTo(neighbour.members.owner.token, tables, shop.id)).toEqual({});
  });

  it("refuses to roll back while newer rows depend on imported ones, and lists them", async () => {
    // Since the import, the team booked an imported customer and wrote a memory on an imported caller.
    const [imported] = await db.sql`
      select c.id from public.customers c join private.import_ledger l on l.new_key[1] = c.id::text and l.action = 'created'
      where c.tenant_id = ${shop.id} limit 1`;
    const [ip] = await db.sql`select id from public.caller_profiles where tenant_id = ${shop.id} and customer_id = ${imported.id}`;
    const [staff] = await db.sql`select id from public.staff where tenant_id = ${shop.id}`;
    const [service] = await db.sql`select id from public.services where tenant_id = ${shop.id}`;
    const [booking] = await db.sql`
      insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, source)
      values (${shop.id}, ${imported.id}, ${service.id}, ${staff.id}, '2026-12-02 15:00+00', '2026-12-02 15:30+00', 'web') returning id`;
    const [memo] = await db.sql`
      insert into public.memories (tenant_id, caller_id, content) values (${shop.id}, ${ip.id}, 'Called back about the renewal') returning id`;
    const state = await tenantState(db.sql, shop.id);

    const r = await adopt(db, "rollback", "--mapping", "call-memory", "--tenant", shop.slug);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/refusing to roll back/);
    expect(r.err).toContain(booking.id);
    expect(r.err).toContain(memo.id);
    expect(r.err).toMatch(/public\.bookings \(tenant_id, id\) = \(.*\) -> the customers row imported from customers \+1/);
    expect(r.err).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(await tenantState(db.sql, shop.id)).toEqual(state); // nothing changed
    expect((await adoptJson(db, "verify", "--from", memory.url, "--mapping", "call-memory", "--tenant", shop.slug)).ok).toBe(true);

    await db.sql`delete from public.bookings where tenant_id = ${shop.id} and id = ${booking.id}`;
    await db.sql`delete from public.memories where tenant_id = ${shop.id} and id = ${memo.id}`;
  });

  it("then removes exactly the imported rows: the business is back to its earlier state, checksummed", async () => {
    const r = await adoptJson(db, "rollback", "--mapping", "call-memory", "--tenant", shop.slug);
    expect(r.tenantDeleted).toBe(false);
    expect(await tenantState(db.sql, shop.id)).toEqual(earlier);
    // A new import can start over.
    const plan = await adoptJson(db, "plan", "--from", memory.url, "--mapping", "call-memory", "--tenant", shop.slug);
    expect(plan.import).toBeNull();
  });
});
