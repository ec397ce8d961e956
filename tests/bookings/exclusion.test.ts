// The double-booking guarantee lives in Postgres (bookings_no_overlap), not in application code: whatever path a
// booking takes (bot, voice, dashboard, API), two live bookings of one staff member cannot overlap. And a booking's
// customer, service and staff always belong to the booking's own business (composite foreign keys).
import { beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { outcome, useTestDatabase } from "../helpers/db.ts";
import { createTenant } from "../helpers/tenants.ts";
import { addCustomer, addService, addStaff, book, type BookingRow, type Status } from "./fixtures.ts";

const db = useTestDatabase();

interface Shop { tenantId: string; customerId: string; serviceId: string; ana: string; bea: string }

async function shop(label: string): Promise<Shop> {
  const t = await createTenant(db, label);
  return {
    tenantId: t.id,
    customerId: await addCustomer(db, t.id),
    serviceId: await addService(db, t.id, 60),
    ana: await addStaff(db, t.id, "Ana"),
    bea: await addStaff(db, t.id, "Bea"),
  };
}

const at = (s: Shop, staffId: string, startsAt: string, endsAt: string, status: Status = "confirmed"): BookingRow => ({
  tenantId: s.tenantId, customerId: s.customerId, serviceId: s.serviceId, staffId, startsAt, endsAt, status,
});

async function live(s: Shop, staffId: string): Promise<string[]> {
  const rows = await db.sql`
    select to_char(starts_at at time zone 'UTC', 'HH24:MI') || '-' || to_char(ends_at at time zone 'UTC', 'HH24:MI') as span
    from public.bookings
    where tenant_id = ${s.tenantId} and staff_id = ${staffId} and status in ('pending', 'confirmed')
    order by starts_at`;
  return rows.map((r) => r.span);
}

describe("bookings_no_overlap", () => {
  it("refuses a second live booking overlapping the first for the same staff member", async () => {
    const s = await shop("overlap");
    await book(db.sql, at(s, s.ana, "2027-02-01T10:00Z", "2027-02-01T11:00Z"));
    // Partial overlap at either end, containment, and pending against confirmed all collide.
    const tries: [string, string, Status][] = [
      ["2027-02-01T10:30Z", "2027-02-01T11:30Z", "confirmed"],
      ["2027-02-01T09:30Z", "2027-02-01T10:01Z", "confirmed"],
      ["2027-02-01T10:15Z", "2027-02-01T10:45Z", "pending"],
      ["2027-02-01T09:00Z", "2027-02-01T12:00Z", "pending"],
    ];
    for (const [from, to, status] of tries) {
      expect(await outcome(book(db.sql, at(s, s.ana, from, to, status))), `${from} ${status}`).toBe("23P01");
    }
    expect(await live(s, s.ana)).toEqual(["10:00-11:00"]);
  });

  it("refuses a pending booking overlapping another pending one", async () => {
    const s = await shop("pending");
    await book(db.sql, at(s, s.ana, "2027-02-01T10:00Z", "2027-02-01T11:00Z", "pending"));
    expect(await outcome(book(db.sql, at(s, s.ana, "2027-02-01T10:59Z", "2027-02-01T11:59Z", "pending")))).toBe("23P01");
  });

  it("allows back-to-back bookings: the range is [start, end)", async () => {
    const s = await shop("adjacent");
    await book(db.sql, at(s, s.ana, "2027-02-01T10:00Z", "2027-02-01T11:00Z"));
    expect(await outcome(book(db.sql, at(s, s.ana, "2027-02-01T11:00Z", "2027-02-01T12:00Z")))).toBe("ok");
    expect(await outcome(book(db.sql, at(s, s.ana, "2027-02-01T09:00Z", "2027-02-01T10:00Z", "pending")))).toBe("ok");
    expect(await live(s, s.ana)).toEqual(["09:00-10:00", "10:00-11:00", "11:00-12:00"]);
  });

  it("allows the same time for a different staff member", async () => {
    const s = await shop("twostaff");
    await book(db.sql, at(s, s.ana, "2027-02-01T10:00Z", "2027-02-01T11:00Z"));
    expect(await outcome(book(db.sql, at(s, s.bea, "2027-02-01T10:00Z", "2027-02-01T11:00Z")))).toBe("ok");
  });

  it("allows the same staff and time in another business", async () => {
    // The constraint is per tenant; a staff id is only unique together with its tenant.
    const a = await shop("one");
    const b = await shop("two");
    await book(db.sql, at(a, a.ana, "2027-02-01T10:00Z", "2027-02-01T11:00Z"));
    expect(await outcome(book(db.sql, at(b, b.ana, "2027-02-01T10:00Z", "2027-02-01T11:00Z")))).toBe("ok");
  });

  it.each(["cancelled", "completed", "no_show"] as const)("allows overlapping a %s booking", async (status) => {
    const s = await shop(`dead-${status.replace("_", "")}`);
    await book(db.sql, at(s, s.ana, "2027-02-01T10:00Z", "2027-02-01T11:00Z", status));
    expect(await outcome(book(db.sql, at(s, s.ana, "2027-02-01T10:30Z", "2027-02-01T11:30Z")))).toBe("ok");
    expect(await live(s, s.ana)).toEqual(["10:30-11:30"]);
  });

  it("never brings a cancelled booking back to life (its slot may be taken since): book again", async () => {
    const s = await shop("revive");
    const old = await book(db.sql, at(s, s.ana, "2027-02-01T10:00Z", "2027-02-01T11:00Z"));
    await db.sql`update public.bookings set status = 'cancelled' where tenant_id = ${s.tenantId} and id = ${old}`;
    await book(db.sql, at(s, s.ana, "2027-02-01T10:30Z", "2027-02-01T11:30Z"));
    for (const status of ["confirmed", "pending"]) {
      const revive = db.sql`update public.bookings set status = ${status}::public.booking_status where tenant_id = ${s.tenantId} and id = ${old}`;
      expect(await outcome(revive), status).toBe("PT409");
    }
    // Moving a live booking onto another's time is refused the same way.
    const other = await book(db.sql, at(s, s.ana, "2027-02-01T12:00Z", "2027-02-01T13:00Z"));
    const move = (from: string, to: string) => db.sql`
      update public.bookings set starts_at = ${from}, ends_at = ${to} where tenant_id = ${s.tenantId} and id = ${other}`;
    expect(await outcome(move("2027-02-01T11:00Z", "2027-02-01T12:00Z"))).toBe("23P01");
    expect(await outcome(move("2027-02-01T11:30Z", "2027-02-01T12:30Z"))).toBe("ok");
    expect(await live(s, s.ana)).toEqual(["10:30-11:30", "11:30-12:30"]);
  });

  it("two transactions racing for the same slot: exactly one wins", async () => {
    const s = await shop("race");
    const conns = [postgres(db.url, { max: 1, onnotice: () => {} }), postgres(db.url, { max: 1, onnotice: () => {} })];
    try {
      // Both transactions are open before either inserts, so neither can see the other's row: only the constraint
      // (the second insert waits for the first to commit, then fails) stops the double booking.
      let started = 0;
      let release!: () => void;
      const bothStarted = new Promise<void>((r) => (release = r));
      const seen: number[] = [];
      const once = (sql: postgres.Sql, startsAt: string) =>
        outcome(
          sql.begin(async (tx) => {
            const [{ taken }] = await tx`
              select count(*)::int as taken from public.bookings where tenant_id = ${s.tenantId} and staff_id = ${s.ana}`;
            seen.push(taken);
            if (++started === 2) release();
            await bothStarted;
            await book(tx, at(s, s.ana, startsAt, "2027-02-01T11:00Z"));
            await tx`select pg_sleep(0.2)`; // hold the row uncommitted while the other insert arrives
          }),
        );
      // No retry: the per-staff lock (bookings_serialise_staff) means the loser always meets 23P01, never a
      // deadlock (40P01) from both inserts reaching the exclusion index at once.
      const results = await Promise.all([once(conns[0], "2027-02-01T10:00Z"), once(conns[1], "2027-02-01T10:30Z")]);
      expect(seen.slice(0, 2)).toEqual([0, 0]); // both looked, found the slot free
      expect([...results].sort()).toEqual(["23P01", "ok"]);
      expect((await live(s, s.ana)).length).toBe(1);
    } finally {
      await Promise.all(conns.map((c) => c.end()));
    }
  });
});

describe("a booking stays inside its business (composite foreign keys)", () => {
  let a: Shop;
  let b: Shop;
  beforeAll(async () => {
    a = await shop("home");
    b = await shop("away");
  });

  // As postgres, which bypasses RLS: the foreign keys, not the policies, are what refuse these.
  it.each(["customerId", "serviceId", "staffId"] as const)("refuses another business's %s even for the schema owner", async (key) => {
    const row = at(a, a.ana, "2027-02-01T10:00Z", "2027-02-01T11:00Z");
    const theirs = { customerId: b.customerId, serviceId: b.serviceId, staffId: b.ana }[key];
    expect(await outcome(book(db.sql, { ...row, [key]: theirs }))).toBe("23503");
    expect(await outcome(book(db.sql, row))).toBe("ok"); // the same row with this business's own references is fine
    await db.sql`delete from public.bookings where tenant_id = ${a.tenantId}`;
  });

  it("refuses moving an existing booking onto another business's staff", async () => {
    const id = await book(db.sql, at(a, a.ana, "2027-02-02T10:00Z", "2027-02-02T11:00Z"));
    const move = db.sql`update public.bookings set staff_id = ${b.ana} where tenant_id = ${a.tenantId} and id = ${id}`;
    expect(await outcome(move)).toBe("23503");
  });
});
