// The demo seed (`npm run dev`): it applies to a freshly migrated database as the `postgres` role, a second run
// changes nothing, both businesses get rows in every domain table, bookings respect the calendar (business hours,
// closures, who does what, no double-booking), and the demo owner sees his own business only.
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../local/supabase-cli.ts";
import { asRequest, tokenFor, useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();
const seed = readFileSync(path.join(ROOT, "supabase", "seed.sql"), "utf8");

const FADE_HOUSE = "10000000-0000-4000-a000-000000000001";
const PETERSON = "10000000-0000-4000-a000-000000000002";
const MARCO = "00000000-0000-4000-a000-000000000001"; // owner of fade-house, the token `npm run dev` prints
const DANA = "00000000-0000-4000-a000-000000000003"; // owner of peterson-insurance

// Every tenant-owned table the seed fills. caller_personality and usage_monthly are filled by triggers, so rows
// there also prove the triggers ran under the seed's role.
const DOMAIN_TABLES = [
  "memberships", "invitations", "staff", "services", "staff_services", "business_hours", "closures", "customers",
  "customer_staff_preferences", "customer_service_preferences", "channels", "conversations", "messages", "bookings",
  "voices", "voice_agents", "calls", "call_summaries", "caller_profiles", "memories", "personality_metrics",
  "caller_personality", "leads", "subscriptions", "feature_flags", "usage_events", "usage_monthly",
];

// The seed's ids name their table in the first group (see the header of seed.sql). Inserts that select from a list
// joined to other rows would drop a row silently if a join missed, so every id the file mentions must exist.
const ID_PREFIXES: Record<string, string> = {
  "20000000": "staff", "21000000": "services", "22000000": "business_hours", "23000000": "closures",
  "24000000": "invitations", "30000000": "customers", "40000000": "channels", "41000000": "conversations",
  "42000000": "messages", "50000000": "bookings", "60000000": "voices", "61000000": "voice_agents",
  "62000000": "calls", "70000000": "caller_profiles", "71000000": "memories", "80000000": "leads",
  "90000000": "subscriptions",
};

/** Rows per table, for comparing the database before and after a second run. */
async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [...DOMAIN_TABLES, "tenants", "audit_log"]) {
    const [{ n }] = await db.sql.unsafe(`select count(*)::int as n from public.${table}`);
    counts[table] = n;
  }
  const [{ n }] = await db.sql`select count(*)::int as n from auth.users`;
  counts["auth.users"] = n;
  return counts;
}

let afterFirstRun: Record<string, number>;

beforeAll(async () => {
  await db.sql.unsafe(seed);
  afterFirstRun = await rowCounts();
});

describe("demo seed", () => {
  it("runs a second time without error and without adding or duplicating anything", async () => {
    await db.sql.unsafe(seed);
    expect(await rowCounts()).toEqual(afterFirstRun);
  });

  it.each(DOMAIN_TABLES)("gives both businesses rows in %s", async (table) => {
    const rows = await db.sql.unsafe(
      `select tenant_id::text, count(*)::int as n from public.${table} where tenant_id = any($1::uuid[]) group by 1`,
      [[FADE_HOUSE, PETERSON]],
    );
    const perTenant = Object.fromEntries(rows.map((r) => [r.tenant_id, r.n]));
    expect(perTenant[FADE_HOUSE] ?? 0, `${table} for fade-house`).toBeGreaterThan(0);
    expect(perTenant[PETERSON] ?? 0, `${table} for peterson-insurance`).toBeGreaterThan(0);
  });

  it("inserts every row it names (no row lost to a join inside an insert … select)", async () => {
    const named = new Map<string, Set<string>>();
    for (const [, id, prefix] of seed.matchAll(/'((\d{8})-0000-4000-a000-\d{12})'/g)) {
      if (!ID_PREFIXES[prefix]) continue;
      if (!named.has(prefix)) named.set(prefix, new Set());
      named.get(prefix)!.add(id);
    }
    expect([...named.keys()].sort()).toEqual(Object.keys(ID_PREFIXES).sort());
    for (const [prefix, ids] of named) {
      const table = ID_PREFIXES[prefix];
      const present = await db.sql.unsafe(`select id::text from public.${table} where id = any($1::uuid[])`, [[...ids]]);
      const missing = [...ids].filter((id) => !present.some((r) => r.id === id));
      expect(missing, `${table}: ids in seed.sql with no row`).toEqual([]);
    }
  });

  it("keeps the demo users and memberships the README and `npm run dev` rely on", async () => {
    const rows = await db.sql`
      select m.tenant_id::text, t.slug, m.user_id::text, m.role::text from public.memberships m
      join public.tenants t on t.id = m.tenant_id
      where m.user_id in (${MARCO}, '00000000-0000-4000-a000-000000000002', ${DANA})
      order by m.user_id`;
    expect(rows.map((r) => [r.slug, r.user_id, r.role])).toEqual([
      ["fade-house", MARCO, "owner"],
      ["fade-house", "00000000-0000-4000-a000-000000000002", "staff"],
      ["peterson-insurance", DANA, "owner"],
    ]);
  });
});

describe("seeded bookings", () => {
  it("has past and upcoming bookings in both businesses, and nothing still live in the past", async () => {
    const rows = await db.sql`
      select tenant_id::text,
             count(*) filter (where starts_at > now() and status in ('pending', 'confirmed'))::int as upcoming_live,
             count(*) filter (where ends_at < now() and status in ('completed', 'no_show'))::int as past_done,
             count(*) filter (where ends_at < now() and status in ('pending', 'confirmed'))::int as stale_live
      from public.bookings where tenant_id in (${FADE_HOUSE}, ${PETERSON}) group by 1`;
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.upcoming_live, r.tenant_id).toBeGreaterThan(0);
      expect(r.past_done, r.tenant_id).toBeGreaterThan(0);
      expect(r.stale_live, r.tenant_id).toBe(0);
    }
  });

  it("never double-books a staff member (the exclusion constraint's rule, checked on the data)", async () => {
    const overlaps = await db.sql`
      select a.id, b.id from public.bookings a
      join public.bookings b on b.tenant_id = a.tenant_id and b.staff_id = a.staff_id and a.id < b.id
        and tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
      where a.status in ('pending', 'confirmed') and b.status in ('pending', 'confirmed')`;
    expect(overlaps).toHaveLength(0);
  });

  it("puts every booking inside its weekday's business hours, in the business's own time zone", async () => {
    const outside = await db.sql`
      select b.id::text, b.starts_at at time zone t.timezone as local_start
      from public.bookings b join public.tenants t on t.id = b.tenant_id
      where b.tenant_id in (${FADE_HOUSE}, ${PETERSON}) and not exists (
        select 1 from public.business_hours h
        where h.tenant_id = b.tenant_id
          and h.weekday = extract(dow from b.starts_at at time zone t.timezone)
          and (b.starts_at at time zone t.timezone)::date = (b.ends_at at time zone t.timezone)::date
          and (b.starts_at at time zone t.timezone)::time >= h.opens_at
          and (b.ends_at at time zone t.timezone)::time <= h.closes_at)`;
    expect(outside).toEqual([]);
  });

  it("keeps live bookings out of holidays and the staff member's time off", async () => {
    const clashing = await db.sql`
      select b.id::text, c.reason from public.bookings b
      join public.closures c on c.tenant_id = b.tenant_id and (c.staff_id is null or c.staff_id = b.staff_id)
        and tstzrange(c.starts_at, c.ends_at) && tstzrange(b.starts_at, b.ends_at)
      where b.tenant_id in (${FADE_HOUSE}, ${PETERSON}) and b.status in ('pending', 'confirmed')`;
    expect(clashing).toEqual([]);
  });

  it("books each service with staff who do it, for exactly the service's length", async () => {
    const wrong = await db.sql`
      select b.id::text from public.bookings b
      join public.services s on s.tenant_id = b.tenant_id and s.id = b.service_id
      where b.tenant_id in (${FADE_HOUSE}, ${PETERSON})
        and (b.ends_at - b.starts_at <> s.duration_minutes * interval '1 minute'
             or not exists (select 1 from public.staff_services ss
                            where ss.tenant_id = b.tenant_id and ss.staff_id = b.staff_id and ss.service_id = b.service_id))`;
    expect(wrong).toEqual([]);
  });

  it("leaves free slots in the coming weeks, and never offers a slot that is already booked", async () => {
    // Skin Fade at fade-house; B…1001 is James's upcoming skin fade with Marco.
    const [booked] = await db.sql`select staff_id, starts_at from public.bookings where id = '50000000-0000-4000-a000-000000001001'`;
    const slots = await db.sql`
      select staff_id, starts_at from private.available_slots(
        ${FADE_HOUSE}, '21000000-0000-4000-a000-000000001002', current_date, current_date + 14)`;
    expect(slots.length).toBeGreaterThan(0);
    const offered = slots.some((s) => s.staff_id === booked.staff_id && +s.starts_at === +booked.starts_at);
    expect(offered).toBe(false);
  });
});

describe("the demo owner, through PostgREST's path", () => {
  it("sees fade-house's customers, bookings and messages, and none of peterson-insurance's", async () => {
    const token = await tokenFor(db, MARCO);
    const seen = await asRequest(db, token, (tx) => tx`
      select 'customers' as t, tenant_id::text, count(*)::int as n from public.customers group by 2
      union all select 'bookings', tenant_id::text, count(*)::int from public.bookings group by 2
      union all select 'messages', tenant_id::text, count(*)::int from public.messages group by 2
      order by 1, 2`);
    const all = await db.sql`
      select 'customers' as t, tenant_id::text, count(*)::int as n from public.customers where tenant_id = ${FADE_HOUSE} group by 2
      union all select 'bookings', tenant_id::text, count(*)::int from public.bookings where tenant_id = ${FADE_HOUSE} group by 2
      union all select 'messages', tenant_id::text, count(*)::int from public.messages where tenant_id = ${FADE_HOUSE} group by 2
      order by 1, 2`;
    // Exactly fade-house's rows, all of them: no peterson-insurance row appears as a group of its own.
    expect(seen.map((r) => ({ ...r }))).toEqual(all.map((r) => ({ ...r })));
    expect(seen.every((r) => r.tenant_id === FADE_HOUSE)).toBe(true);

    // Asking for the other business by id returns nothing rather than an error.
    const [other] = await asRequest(db, token, (tx) => tx`
      select (select count(*) from public.customers where tenant_id = ${PETERSON})::int as customers,
             (select count(*) from public.bookings where tenant_id = ${PETERSON})::int as bookings,
             (select count(*) from public.messages where tenant_id = ${PETERSON})::int as messages`);
    expect(other).toEqual({ customers: 0, bookings: 0, messages: 0 });
  });

  it("and the agency's owner sees the mirror image", async () => {
    const token = await tokenFor(db, DANA);
    const tenants = await asRequest(db, token, (tx) => tx`
      select distinct tenant_id::text from public.customers
      union select distinct tenant_id::text from public.bookings
      union select distinct tenant_id::text from public.messages`);
    expect(tenants.map((r) => r.tenant_id)).toEqual([PETERSON]);
  });
});
