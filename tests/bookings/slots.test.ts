// available_slots: opening hours are wall-clock times in the business's own zone, so slots must keep their local
// times when the zone's UTC offset changes, never run past closing, and disappear under closures, time off and live
// bookings. All dates are in 2027 so that now() (the public function's p_not_before) never removes a slot.
import { beforeAll, describe, expect, it } from "vitest";
import { asRequest, outcome, useTestDatabase } from "../helpers/db.ts";
import { createTenant, tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import {
  addCustomer, addService, addStaff, book, clock, close, link, localStarts, open, publicSlots, slots, type Slot,
} from "./fixtures.ts";

const db = useTestDatabase();

/** A business with the given staff all doing one service, open the given hours. */
async function shop(opts: { timezone?: string; minutes?: number; staff?: string[]; opens?: string; closes?: string; weekdays?: number[] } = {}) {
  const t = await createTenant(db, "slots", opts.timezone ?? "UTC");
  const serviceId = await addService(db, t.id, opts.minutes ?? 30);
  const staff: Record<string, string> = {};
  for (const name of opts.staff ?? ["ana"]) {
    staff[name] = await addStaff(db, t.id, name);
    await link(db, t.id, staff[name], serviceId);
  }
  await open(db, t.id, opts.opens ?? "09:00", opts.closes ?? "17:00", opts.weekdays);
  return { tenantId: t.id, serviceId, staff };
}

const starts = (list: Slot[]) => list.map((s) => s.start);
const ofStaff = (list: Slot[], id: string) => list.filter((s) => s.staff === id);
const day = (date: string, times: string[]) => times.map((t) => `${date} ${t}`);

describe("time zone and opening hours", () => {
  it("slots run from opening to the last start that ends at closing, in local time", async () => {
    const s = await shop({ timezone: "America/New_York", minutes: 30, weekdays: [1, 2, 3, 4, 5] });
    // Wednesday 2027-01-13, EST (UTC-5): 09:00 local is 14:00Z.
    const list = await slots(db, { ...s, from: "2027-01-13", to: "2027-01-13", step: 30 });
    expect(list[0]).toEqual({ staff: s.staff.ana, start: "2027-01-13T14:00Z", end: "2027-01-13T14:30Z" });
    expect(list.at(-1)).toEqual({ staff: s.staff.ana, start: "2027-01-13T21:30Z", end: "2027-01-13T22:00Z" });
    expect(await localStarts(db, list, "America/New_York")).toEqual(day("2027-01-13", clock("09:00", "16:30", 30)));
  });

  it("a weekday without hours has no slots", async () => {
    const s = await shop({ timezone: "America/New_York", weekdays: [1, 2, 3, 4, 5] });
    // Sat 2027-01-16 and Sun 2027-01-17 closed; Fri 15 and Mon 18 open.
    const list = await slots(db, { ...s, from: "2027-01-15", to: "2027-01-18", step: 60 });
    expect(await localStarts(db, list, "America/New_York")).toEqual([
      ...day("2027-01-15", clock("09:00", "16:00", 60)),
      ...day("2027-01-18", clock("09:00", "16:00", 60)),
    ]);
  });

  it("late hours that run past midnight UTC stay on their local day", async () => {
    // 18:00-22:00 in New York is 23:00Z-03:00Z next day; p_from/p_to are local dates.
    const s = await shop({ timezone: "America/New_York", minutes: 60, opens: "18:00", closes: "22:00" });
    const list = await slots(db, { ...s, from: "2027-01-13", to: "2027-01-13", step: 60 });
    expect(starts(list)).toEqual(["2027-01-13T23:00Z", "2027-01-14T00:00Z", "2027-01-14T01:00Z", "2027-01-14T02:00Z"]);
  });

  it("the session's TimeZone setting changes nothing", async () => {
    // PostgREST sessions may carry any TimeZone; only the business's zone may decide local times.
    const s = await shop({ timezone: "America/New_York", minutes: 60 });
    const q = { ...s, from: "2027-03-13", to: "2027-03-15", step: 30 };
    const expected = await slots(db, q);
    expect(expected.length).toBe(3 * 15);
    for (const zone of ["UTC", "Pacific/Chatham", "Asia/Kolkata", "America/Los_Angeles"]) {
      const got = await db.sql.begin(async (tx) => {
        await tx`select set_config('TimeZone', ${zone}, true)`;
        return slots(db, q, tx);
      });
      expect(got, zone).toEqual(expected);
    }
  });
});

describe("daylight saving time", () => {
  it("US spring forward (Sun 2027-03-14): same wall-clock slots, UTC moves an hour earlier", async () => {
    const s = await shop({ timezone: "America/New_York", minutes: 60 });
    const list = await slots(db, { ...s, from: "2027-03-13", to: "2027-03-15", step: 60 });
    const hours = clock("09:00", "16:00", 60);
    expect(await localStarts(db, list, "America/New_York")).toEqual([
      ...day("2027-03-13", hours), ...day("2027-03-14", hours), ...day("2027-03-15", hours),
    ]);
    const utcFirst = (date: string) => list.find((x) => x.start.startsWith(date))!.start;
    expect(utcFirst("2027-03-13")).toBe("2027-03-13T14:00Z"); // EST, UTC-5
    expect(utcFirst("2027-03-14")).toBe("2027-03-14T13:00Z"); // EDT from 02:00 that morning
    expect(utcFirst("2027-03-15")).toBe("2027-03-15T13:00Z");
    expect(list.every((x) => Date.parse(x.end) - Date.parse(x.start) === 3_600_000)).toBe(true);
  });

  it("US fall back (Sun 2027-11-07): UTC moves an hour later", async () => {
    const s = await shop({ timezone: "America/New_York", minutes: 60 });
    const list = await slots(db, { ...s, from: "2027-11-06", to: "2027-11-08", step: 60 });
    expect(list.filter((x) => x.start.endsWith("T13:00Z") || x.start.endsWith("T14:00Z")).map((x) => x.start)).toEqual([
      "2027-11-06T13:00Z", "2027-11-06T14:00Z", "2027-11-07T14:00Z", "2027-11-08T14:00Z",
    ]);
    expect(list.length).toBe(24);
  });

  it("hours spanning the skipped hour give the hours that really exist", async () => {
    // Open 00:00-04:00 on the night 02:00 EST jumps to 03:00 EDT: three real hours (05:00Z-08:00Z), three slots.
    const s = await shop({ timezone: "America/New_York", minutes: 60, opens: "00:00", closes: "04:00", weekdays: [0] });
    const list = await slots(db, { ...s, from: "2027-03-14", to: "2027-03-14", step: 60 });
    expect(starts(list)).toEqual(["2027-03-14T05:00Z", "2027-03-14T06:00Z", "2027-03-14T07:00Z"]);
    expect(await localStarts(db, list, "America/New_York")).toEqual(day("2027-03-14", ["00:00", "01:00", "03:00"]));
  });

  it("Europe/Madrid spring forward (Sun 2027-03-28) and fall back (Sun 2027-10-31)", async () => {
    const s = await shop({ timezone: "Europe/Madrid", minutes: 30 });
    const hours = clock("09:00", "16:30", 30);
    const spring = await slots(db, { ...s, from: "2027-03-27", to: "2027-03-29", step: 30 });
    expect(await localStarts(db, spring, "Europe/Madrid")).toEqual([
      ...day("2027-03-27", hours), ...day("2027-03-28", hours), ...day("2027-03-29", hours),
    ]);
    expect([spring[0].start, spring[16].start, spring[32].start]).toEqual([
      "2027-03-27T08:00Z", // CET, UTC+1
      "2027-03-28T07:00Z", // CEST, UTC+2
      "2027-03-29T07:00Z",
    ]);
    const autumn = await slots(db, { ...s, from: "2027-10-30", to: "2027-11-01", step: 30 });
    expect(await localStarts(db, autumn, "Europe/Madrid")).toEqual([
      ...day("2027-10-30", hours), ...day("2027-10-31", hours), ...day("2027-11-01", hours),
    ]);
    expect([autumn[0].start, autumn[16].start, autumn[32].start]).toEqual([
      "2027-10-30T07:00Z", "2027-10-31T08:00Z", "2027-11-01T08:00Z",
    ]);
  });
});

describe("duration and step", () => {
  it("a 45-minute service every 15 minutes: 30 slots a day, the last ending exactly at closing", async () => {
    const s = await shop({ minutes: 45 });
    const list = await slots(db, { ...s, from: "2027-01-13", to: "2027-01-15", step: 15 });
    // (8 h - 45 min) / 15 min + 1 = 30 per day, three days.
    expect(list.length).toBe(90);
    const wed = list.filter((x) => x.start.startsWith("2027-01-13"));
    expect(wed.length).toBe(30);
    expect(wed.at(-1)).toEqual({ staff: s.staff.ana, start: "2027-01-13T16:15Z", end: "2027-01-13T17:00Z" });
    expect(list.every((x) => x.end.slice(11) <= "17:00Z" && x.start.slice(11) >= "09:00Z")).toBe(true);
  });

  it("a step that does not divide the day stops at the last start that still fits", async () => {
    const s = await shop({ minutes: 45 });
    const list = await slots(db, { ...s, from: "2027-01-13", to: "2027-01-13", step: 20 });
    // Starts 09:00 + 20k with start + 45 min <= 17:00: k = 0..21.
    expect(list.length).toBe(22);
    expect(list.at(-1)!.start).toBe("2027-01-13T16:00Z");
  });

  it("split shifts: no slot straddles the break", async () => {
    const s = await shop({ minutes: 60, opens: "09:00", closes: "13:00" });
    await open(db, s.tenantId, "14:00", "18:00");
    const list = await slots(db, { ...s, from: "2027-01-13", to: "2027-01-13", step: 30 });
    expect(await localStarts(db, list, "UTC")).toEqual(day("2027-01-13", [...clock("09:00", "12:00", 30), ...clock("14:00", "17:00", 30)]));
  });

  it("a service longer than the opening window has no slots", async () => {
    const s = await shop({ minutes: 90, opens: "09:00", closes: "10:00" });
    expect(await slots(db, { ...s, from: "2027-01-13", to: "2027-01-13", step: 15 })).toEqual([]);
  });
});

describe("closures and time off", () => {
  it("a business closure removes the period for every staff member", async () => {
    const s = await shop({ minutes: 30, staff: ["ana", "bea"] });
    await close(db, s.tenantId, "2027-01-14T00:00Z", "2027-01-15T00:00Z"); // all of Thursday
    await close(db, s.tenantId, "2027-01-13T12:00Z", "2027-01-13T13:00Z"); // Wednesday lunch
    const list = await slots(db, { ...s, from: "2027-01-13", to: "2027-01-14", step: 30 });
    const wed = [...clock("09:00", "11:30", 30), ...clock("13:00", "16:30", 30)];
    for (const id of [s.staff.ana, s.staff.bea]) {
      // 11:30-12:00 ends as the closure starts and 13:00 starts as it ends: both kept.
      expect(await localStarts(db, ofStaff(list, id), "UTC")).toEqual(day("2027-01-13", wed));
    }
  });

  it("time off for one staff member removes only that member's slots", async () => {
    const s = await shop({ minutes: 30, staff: ["ana", "bea"] });
    await close(db, s.tenantId, "2027-01-13T09:15Z", "2027-01-13T11:00Z", s.staff.ana);
    const list = await slots(db, { ...s, from: "2027-01-13", to: "2027-01-13", step: 30 });
    expect(await localStarts(db, ofStaff(list, s.staff.ana), "UTC")).toEqual(day("2027-01-13", clock("11:00", "16:30", 30)));
    expect(await localStarts(db, ofStaff(list, s.staff.bea), "UTC")).toEqual(day("2027-01-13", clock("09:00", "16:30", 30)));
  });
});

describe("existing bookings", () => {
  it("live bookings remove overlapping slots for their staff member only; cancelled ones do not", async () => {
    const s = await shop({ minutes: 60, staff: ["ana", "bea"] });
    const customerId = await addCustomer(db, s.tenantId);
    const b = { tenantId: s.tenantId, customerId, serviceId: s.serviceId };
    await book(db.sql, { ...b, staffId: s.staff.ana, startsAt: "2027-01-13T10:00Z", endsAt: "2027-01-13T11:00Z" });
    await book(db.sql, { ...b, staffId: s.staff.ana, startsAt: "2027-01-13T14:00Z", endsAt: "2027-01-13T14:30Z", status: "pending" });
    await book(db.sql, { ...b, staffId: s.staff.bea, startsAt: "2027-01-13T10:00Z", endsAt: "2027-01-13T11:00Z", status: "cancelled" });
    await book(db.sql, { ...b, staffId: s.staff.bea, startsAt: "2027-01-13T12:00Z", endsAt: "2027-01-13T13:00Z", status: "no_show" });
    const list = await slots(db, { ...s, from: "2027-01-13", to: "2027-01-13", step: 30 });
    // Ana: 09:30, 10:00, 10:30 overlap 10-11; 13:30, 14:00 overlap 14:00-14:30. 09:00 and 11:00 touch only.
    expect(await localStarts(db, ofStaff(list, s.staff.ana), "UTC")).toEqual(
      day("2027-01-13", ["09:00", "11:00", "11:30", "12:00", "12:30", "13:00", "14:30", "15:00", "15:30", "16:00"]),
    );
    expect(await localStarts(db, ofStaff(list, s.staff.bea), "UTC")).toEqual(day("2027-01-13", clock("09:00", "16:00", 30)));
  });

  it("a fully booked staff member has no slots that day; the colleague still has all of theirs", async () => {
    const s = await shop({ minutes: 30, staff: ["ana", "bea"] });
    const customerId = await addCustomer(db, s.tenantId);
    await book(db.sql, {
      tenantId: s.tenantId, customerId, serviceId: s.serviceId, staffId: s.staff.ana,
      startsAt: "2027-01-13T09:00Z", endsAt: "2027-01-13T17:00Z",
    });
    const q = { ...s, from: "2027-01-13", to: "2027-01-14", step: 30 };
    const all = await slots(db, q);
    expect(ofStaff(all, s.staff.ana).filter((x) => x.start.startsWith("2027-01-13"))).toEqual([]);
    expect(ofStaff(all, s.staff.ana).length).toBe(16); // Thursday untouched
    expect(ofStaff(all, s.staff.bea).length).toBe(32);

    const onlyAna = await slots(db, { ...q, to: "2027-01-13", staffId: s.staff.ana });
    expect(onlyAna).toEqual([]);
    const onlyBea = await slots(db, { ...q, to: "2027-01-13", staffId: s.staff.bea });
    expect(onlyBea.length).toBe(16);
    expect(new Set(onlyBea.map((x) => x.staff))).toEqual(new Set([s.staff.bea]));
  });
});

describe("who can be booked", () => {
  it("inactive staff, inactive services and staff not linked to the service give no slots", async () => {
    const s = await shop({ minutes: 30, staff: ["ana", "bea"] });
    const carla = await addStaff(db, s.tenantId, "carla"); // active but does not do this service
    const q = { ...s, from: "2027-01-13", to: "2027-01-13", step: 60 };
    expect(new Set((await slots(db, q)).map((x) => x.staff))).toEqual(new Set([s.staff.ana, s.staff.bea]));
    expect(await slots(db, { ...q, staffId: carla })).toEqual([]);

    await db.sql`update public.staff set active = false where tenant_id = ${s.tenantId} and id = ${s.staff.bea}`;
    const list = await slots(db, q);
    expect(list.length).toBe(8);
    expect(ofStaff(list, s.staff.ana).length).toBe(8);
    expect(await slots(db, { ...q, staffId: s.staff.bea })).toEqual([]);

    await db.sql`update public.services set active = false where tenant_id = ${s.tenantId} and id = ${s.serviceId}`;
    expect(await slots(db, q)).toEqual([]);
  });

  it("a service id from another business gives no slots", async () => {
    const s = await shop({ minutes: 30 });
    const other = await shop({ minutes: 30 });
    expect(await slots(db, { ...s, serviceId: other.serviceId, from: "2027-01-13", to: "2027-01-13" })).toEqual([]);
  });
});

describe("p_not_before", () => {
  it("drops slots starting before the instant, keeping one that starts exactly at it", async () => {
    const s = await shop({ timezone: "America/New_York", minutes: 30 });
    const list = await slots(db, { ...s, from: "2027-01-13", to: "2027-01-14", step: 30, notBefore: "2027-01-13T17:00Z" });
    expect(list[0].start).toBe("2027-01-13T17:00Z"); // 12:00 in New York
    expect(list.length).toBe(10 + 16);
  });
});

describe("public.available_slots (a member of the business, through RLS)", () => {
  let t: TestTenant;
  let other: TestTenant;
  let serviceId: string;
  let staffIds: string[];
  let otherServiceId: string;

  /** A 45-minute service done by Ana and Bea, open 09:00-17:00 every day. */
  async function catalog(tenantId: string) {
    const svc = await addService(db, tenantId, 45);
    const ids = [await addStaff(db, tenantId, "ana"), await addStaff(db, tenantId, "bea")];
    for (const id of ids) await link(db, tenantId, id, svc);
    await open(db, tenantId, "09:00", "17:00");
    return { svc, ids };
  }

  beforeAll(async () => {
    t = await tenantWithTeam(db, "member", "America/New_York");
    other = await tenantWithTeam(db, "outsider", "America/New_York");
    ({ svc: serviceId, ids: staffIds } = await catalog(t.id));
    ({ svc: otherServiceId } = await catalog(other.id));
    const customerId = await addCustomer(db, t.id);
    await book(db.sql, {
      tenantId: t.id, customerId, serviceId, staffId: staffIds[0], startsAt: "2027-03-15T14:00Z", endsAt: "2027-03-15T15:00Z",
    });
  });

  const q = () => ({ serviceId, from: "2027-03-13", to: "2027-03-15", step: 15 });

  it.each(["owner", "admin", "staff"] as const)("as %s: the same slots as the private function for the business", async (role) => {
    const expected = await slots(db, { tenantId: t.id, ...q() });
    expect(expected.length).toBe(3 * 2 * 30 - 6); // booking 14:00-15:00Z (10-11 EDT) takes 6 of Ana's starts
    const got = await asRequest(db, t.members[role].token, (tx) => publicSlots(tx, q()));
    expect(got).toEqual(expected);
  });

  it("p_staff_id filters the same way", async () => {
    const expected = await slots(db, { tenantId: t.id, ...q(), staffId: staffIds[1] });
    const got = await asRequest(db, t.members.staff.token, (tx) => publicSlots(tx, { ...q(), staffId: staffIds[1] }));
    expect(got.length).toBe(90);
    expect(got).toEqual(expected);
  });

  it("a member of another business gets nothing for this business's service", async () => {
    const got = await asRequest(db, other.members.owner.token, (tx) => publicSlots(tx, q()));
    expect(got).toEqual([]);
    // Not an empty function: the same member sees their own business's slots.
    const own = await asRequest(db, other.members.owner.token, (tx) => publicSlots(tx, { ...q(), serviceId: otherServiceId }));
    expect(own.length).toBe(3 * 2 * 30);
  });

  it("never offers a slot in the past (p_not_before is now())", async () => {
    const past = { serviceId, from: "2026-01-05", to: "2026-01-06", step: 60 };
    expect((await slots(db, { tenantId: t.id, ...past })).length).toBe(2 * 2 * 8);
    expect(await asRequest(db, t.members.owner.token, (tx) => publicSlots(tx, past))).toEqual([]);
  });

  it("anon may not call it", async () => {
    expect(await outcome(asRequest(db, null, (tx) => publicSlots(tx, q())))).toBe("42501");
  });

  it.each([
    ["p_to before p_from", { from: "2027-03-15", to: "2027-03-14" }],
    ["a span of 64 days", { from: "2027-03-01", to: "2027-05-03" }],
    ["a 2-minute step", { step: 2 }],
    ["a 241-minute step", { step: 241 }],
  ])("refuses %s with PT400", async (_name, bad) => {
    const r = outcome(asRequest(db, t.members.owner.token, (tx) => publicSlots(tx, { ...q(), ...bad })));
    expect(await r).toBe("PT400");
  });

  it("accepts the limits: 63 days, steps of 5 and 240 minutes", async () => {
    const run = (over: object) => asRequest(db, t.members.owner.token, (tx) => publicSlots(tx, { ...q(), ...over }));
    expect(await outcome(run({ from: "2027-03-01", to: "2027-05-02" }))).toBe("ok");
    expect((await run({ from: "2027-03-13", to: "2027-03-13", step: 5 })).length).toBe(2 * 88);
    expect((await run({ from: "2027-03-13", to: "2027-03-13", step: 240 })).length).toBe(2 * 2);
  });
});
