// The barbershop voice/SMS booking app (seed 000): shop_id integers, customers typed in every phone format,
// Phoenix wall-clock timestamps, a double-booked barber, preferences pointing at merged customers.
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { adoptJson, useLegacyDatabase } from "./helpers.ts";
import { adoptionSuite } from "./suite.ts";

const db = useTestDatabase();
const legacy = useLegacyDatabase(db, "barbershop");

describe("adopt: barbershop", () => {
  adoptionSuite(db, legacy, "barbershop", {
    entries: {
      phone_numbers: { import: 2 },
      hours: { import: 6 },
      stylists: { import: 4 },
      customers: { import: 122, merge: 3, skip: 2 },
      appointments: { import: 242, skip: 4 },
      calls: { import: 60, merge: 1 },
      call_summaries: { import: 60, merge: 1 },
      stylist_preferences: { import: 80, merge: 1 },
    },
    reasons: [
      "customers: phone: unparseable phone",
      "customers: same phone as an earlier row",
      "appointments: customer_id: orphan",
      "appointments: status: 'tentative' is not in the map",
      "appointments: customer_id: its customers row was skipped",
      "appointments: conflict: overlaps another row with the same staff_id",
      "calls: same provider, provider_call_id",
    ],
    visible: "bookings",
  });

  it("reads naive timestamps as Phoenix time, merges customers by phone and keeps their history", async () => {
    await adoptJson(db, "run", "--from", legacy.url, "--mapping", "barbershop", "--tenant", "bishops-check");
    const [t] = await db.sql`select id, timezone, name from public.tenants where slug = 'bishops-check'`;
    expect(t).toMatchObject({ timezone: "America/Phoenix", name: "Bishops Tempe" });
    // Appointment 209: 2026-08-20 09:00 in Tempe (UTC-7 all year) = 16:00 UTC; a Kids Cut, 30 minutes.
    const [b] = await db.sql`
      select b.starts_at, b.ends_at, b.status::text from public.bookings b
      join private.import_ledger l on l.new_key[1] = b.id::text and l.entry = 'appointments' and l.legacy_key = '209'
      where b.tenant_id = ${t.id}`;
    expect(b.starts_at.toISOString()).toBe("2026-08-20T16:00:00.000Z");
    expect(b.ends_at.toISOString()).toBe("2026-08-20T16:30:00.000Z");
    // Customer 5 and 901 are one person: earliest creation, visits and spend added up, the e-mail only 901 had.
    const [c] = await db.sql`select name, email, visit_count, total_spend_cents, created_at from public.customers where tenant_id = ${t.id} and phone = '+16233859595'`;
    expect(c).toMatchObject({ name: "Sofia Johnson", email: "jim@example.com", visit_count: 15, total_spend_cents: "52500" });
    expect(c.created_at.toISOString()).toBe("2024-03-15T10:00:00.000Z"); // 03:00 in Tempe, the earlier of the two records
    // No-show spellings all land on no_show; the merged duplicate's booking belongs to the merged customer.
    const statuses = await db.sql`select status::text, count(*)::int as n from public.bookings where tenant_id = ${t.id} group by 1 order by 1`;
    expect(statuses.map((s) => s.status)).toEqual(["cancelled", "completed", "confirmed", "no_show"]);
    const [{ n }] = await db.sql`select count(*)::int as n from public.bookings b join public.customers c on c.tenant_id = b.tenant_id and c.id = b.customer_id where b.tenant_id = ${t.id} and c.phone = '+16233859595'`;
    expect(n).toBeGreaterThanOrEqual(1);
    await adoptJson(db, "rollback", "--mapping", "barbershop", "--tenant", "bishops-check");
  });
});
