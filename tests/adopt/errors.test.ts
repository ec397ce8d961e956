// Bad input gets a clear message and a non-zero exit, never a stack trace: 2 for the command line and the mapping,
// 1 for what is wrong at run time (a database out of reach, a legacy table or column that is not there, an unknown
// tenant). And verify does fail when the target no longer matches what the plan announced.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SHIPPED } from "../../adopt/mapping/load.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { createTenant } from "../helpers/tenants.ts";
import { adopt, adoptJson, adoptProcess, useLegacyDatabase } from "./helpers.ts";

const db = useTestDatabase();
const legacy = useLegacyDatabase(db, "barbershop");
const dir = mkdtempSync(path.join(tmpdir(), "adopt-mappings-"));

/** The shipped barbershop mapping with one change, written to a temporary file. */
function variant(name: string, change: (m: any) => void): string {
  const m = JSON.parse(readFileSync(path.join(SHIPPED, "barbershop.json"), "utf8"));
  change(m);
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(m));
  return file;
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe("adopt: bad input", () => {
  it("usage errors exit 2 with the usage", async () => {
    for (const args of [[], ["export"], ["plan", "--mapping", "barbershop"], ["plan", "--tenant", "x-y-z", "--mapping", "barbershop"],
      ["run", "--from", legacy.url, "--mapping", "barbershop", "--tenant", "Bad Slug"], ["run", "--from", legacy.url, "--mapping", "barbershop", "--tenant", "ok-slug", "--batch-size", "0"]]) {
      const r = await adopt(db, ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(/^adopt: /);
      noStack(r.err);
    }
  });

  it("a mapping that does not validate exits 2 and names the bad key", async () => {
    const cases: [string, (m: any) => void, RegExp][] = [
      ["unknown-transform", (m) => (m.entries[5].columns.phone.transform = "phnoe"), /entries\[5\] \(customers\)\.columns\.phone\.transform/],
      ["missing-key", (m) => delete m.entries[6].source.key, /entries\[6\] \(appointments\)\.source\.key/],
      ["unknown-ref", (m) => (m.entries[6].columns.customer_id.ref = "clients"), /entries\[6\] \(appointments\)\.columns\.customer_id\.ref: no entry is named "clients"/],
      ["enum-label", (m) => (m.entries[6].columns.status.map.booked = "booked"), /entries\[6\] \(appointments\)\.columns\.status\.map\.booked: "booked" is not one of booking_status's values \(pending, confirmed, cancelled, completed, no_show\)/],
      ["target-column", (m) => (m.entries[2].columns.nickname = "name"), /entries\[2\] \(stylists\)\.columns\.nickname: public\.staff has no column nickname/],
      ["required-column", (m) => delete m.entries[6].columns.source, /public\.bookings\.source is required/],
      ["wrong-ref", (m) => (m.entries[6].columns.staff_id.ref = "services"), /entries\[6\] \(appointments\)\.columns\.staff_id\.ref: services writes public\.services, but bookings\.staff_id is no foreign key to it/],
      ["ref-parts", (m) => (m.entries[6].columns.customer_id.from = ["customer_id", "shop_id"]), /entries\[6\] \(appointments\)\.columns\.customer_id: customers's key has 1 part\(s\) \(id\), this ref gives 2/],
      ["cycle", (m) => (m.entries[5].columns.notes = { ref: "appointments", from: "id", onOrphan: "null" }), /cycle|foreign key/],
    ];
    for (const [name, change, message] of cases) {
      const r = await adopt(db, "plan", "--from", legacy.url, "--mapping", variant(name, change), "--tenant", "bad-mapping");
      expect(r.code, name).toBe(2);
      expect(r.err, name).toMatch(message);
      noStack(r.err);
    }
    const missing = await adopt(db, "plan", "--from", legacy.url, "--mapping", "no-such-mapping", "--tenant", "bad-mapping");
    expect([missing.code, missing.err]).toEqual([2, "adopt: mapping file not found: no-such-mapping (shipped mappings: barbershop, booking-bot, call-memory, voice-sales, whatsapp-bot; or give the path of a .json file)\n"]);
    writeFileSync(path.join(dir, "broken.json"), "{ \"name\": ");
    const broken = await adopt(db, "plan", "--from", legacy.url, "--mapping", path.join(dir, "broken.json"), "--tenant", "bad-mapping");
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/is not valid JSON/);
  });

  it("a source.key that does not identify rows: the later rows are skipped and announced, the run does not fail", async () => {
    const loose = variant("loose-key", (m) => (m.entries[9].source.key = ["stylist_id"]));
    const plan = await adoptJson(db, "plan", "--from", legacy.url, "--mapping", loose, "--tenant", "loose-key");
    const prefs = plan.entries.find((e: { entry: string }) => e.entry === "stylist_preferences");
    expect(prefs.reasons.map((r: { reason: string }) => r.reason)).toContain("the legacy key appears more than once (source.key does not identify rows)");
    expect(prefs.skip).toBeGreaterThan(0);
    const run = await adoptJson(db, "run", "--from", legacy.url, "--mapping", loose, "--tenant", "loose-key");
    expect(run.entries.find((e: { entry: string }) => e.entry === "stylist_preferences").skip).toBe(prefs.skip);
    expect((await adoptJson(db, "verify", "--from", legacy.url, "--mapping", loose, "--tenant", "loose-key")).ok).toBe(true);
    await adoptJson(db, "rollback", "--mapping", loose, "--tenant", "loose-key");
  });

  it("an unreachable legacy database, or a missing legacy table or column, exits 1 with what is wrong", async () => {
    const unreachable = await adopt(db, "plan", "--from", "postgresql://postgres:postgres@127.0.0.1:1/legacy", "--mapping", "barbershop", "--tenant", "nowhere");
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/cannot reach the legacy database at 127\.0\.0\.1:1\/legacy: connection refused/);
    const noDb = await adopt(db, "plan", "--from", legacy.url.replace(/legacy_[a-z0-9_]+/, "legacy_gone"), "--mapping", "barbershop", "--tenant", "nowhere");
    expect(noDb.code).toBe(1);
    expect(noDb.err).toMatch(/cannot reach the legacy database .*legacy_gone: no such database/);

    await legacy.sql`alter table appointments rename to appointments_old`;
    try {
      const r = await adopt(db, "plan", "--from", legacy.url, "--mapping", "barbershop", "--tenant", "nowhere");
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/the legacy database has no table appointments \(entries\[6\] \(appointments\)\.source\.table\)/);
    } finally {
      await legacy.sql`alter table appointments_old rename to appointments`;
    }
    await legacy.sql`alter table customers rename column phone to phone_number`;
    try {
      const r = await adopt(db, "plan", "--from", legacy.url, "--mapping", "barbershop", "--tenant", "nowhere");
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/the legacy table customers has no column phone \(entries\[5\] \(customers\)\.columns\.phone\)/);
    } finally {
      await legacy.sql`alter table customers rename column phone_number to phone`;
    }
    const badSql = variant("bad-sql", (m) => (m.entries[6].columns.ends_at.sql = "a.end_tme"));
    const r = await adopt(db, "plan", "--from", legacy.url, "--mapping", badSql, "--tenant", "nowhere");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/entries\[6\] \(appointments\): the legacy database rejects this entry's query: column a\.end_tme does not exist/);
  });

  it("verify and rollback of an unknown tenant, or of a tenant without that import, exit 1", async () => {
    for (const cmd of ["verify", "rollback"]) {
      const r = await adopt(db, cmd, "--from", legacy.url, "--mapping", "barbershop", "--tenant", "nobody-here");
      expect([r.code, r.err]).toEqual([1, `adopt: no tenant with slug "nobody-here" in the target database\n`]);
    }
    await db.sql`insert into public.tenants (slug, name) values ('never-imported', 'Never')`;
    const r = await adopt(db, "verify", "--from", legacy.url, "--mapping", "barbershop", "--tenant", "never-imported");
    expect([r.code, r.err]).toEqual([1, "adopt: tenant never-imported has no import of mapping barbershop to verify\n"]);
  });

  it("the command itself (a child process) prints one line and exits 1 when the target is unreachable", async () => {
    const p = adoptProcess({ ...db, url: "postgresql://postgres:postgres@127.0.0.1:1/postgres" }, ["plan", "--from", legacy.url, "--mapping", "barbershop", "--tenant", "nowhere"]);
    const r = await p.done;
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe("adopt: cannot reach the target database at 127.0.0.1:1/postgres: connection refused (is it running, on that port?)");
  });

  it("hours overlapping the business's own are announced by plan as skips (the exclusion constraint), and run finishes", async () => {
    const t = await createTenant(db, "hours-clash", "America/Phoenix");
    await db.sql`insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values (${t.id}, 1, '10:00', '12:00')`;
    const plan = await adoptJson(db, "plan", "--from", legacy.url, "--mapping", "barbershop", "--tenant", t.slug);
    const hours = plan.entries.find((e: { entry: string }) => e.entry === "hours");
    expect([hours.import, hours.skip]).toEqual([5, 1]);
    expect(hours.reasons).toEqual([expect.objectContaining({ kind: "skip", reason: "conflicts with the tenant's existing business_hours rows (business_hours_no_overlap)", count: 1 })]);
    const run = await adoptJson(db, "run", "--from", legacy.url, "--mapping", "barbershop", "--tenant", t.slug);
    expect(run.entries.map((e: { import: number; skip: number }) => [e.import, e.skip])).toEqual(plan.entries.map((e: { import: number; skip: number }) => [e.import, e.skip]));
    expect((await adoptJson(db, "verify", "--from", legacy.url, "--mapping", "barbershop", "--tenant", t.slug)).ok).toBe(true);
    const back = await adoptJson(db, "rollback", "--mapping", "barbershop", "--tenant", t.slug);
    expect(back.tenantDeleted).toBe(false); // it was not the import's to delete
    const own = await db.sql`select weekday, opens_at::text from public.business_hours where tenant_id = ${t.id}`;
    expect(own).toEqual([{ weekday: 1, opens_at: "10:00:00" }]);
  });

  it("legacy hours that overlap each other (one batch) are announced too: the first is imported, the others skipped", async () => {
    const same = variant("same-hours", (m) => {
      m.entries[1].columns.weekday = { value: 1 };
      m.entries[1].columns.opens_at = { value: "09:00" };
      m.entries[1].columns.closes_at = { value: "18:00" };
    });
    const plan = await adoptJson(db, "plan", "--from", legacy.url, "--mapping", same, "--tenant", "same-hours");
    const hours = plan.entries.find((e: { entry: string }) => e.entry === "hours");
    expect([hours.import, hours.skip]).toEqual([1, 5]);
    expect(hours.reasons).toEqual([expect.objectContaining({ kind: "skip", reason: "conflicts with an earlier row of this import (business_hours_no_overlap)", count: 5 })]);
    const run = await adoptJson(db, "run", "--from", legacy.url, "--mapping", same, "--tenant", "same-hours");
    expect(run.entries.find((e: { entry: string }) => e.entry === "hours")).toMatchObject({ import: 1, skip: 5 });
    await adoptJson(db, "rollback", "--mapping", same, "--tenant", "same-hours");
  });

  it("a batch the target still refuses is a clean error that says the import is incomplete; fixed, the next run finishes", async () => {
    const t = await createTenant(db, "hours-refused", "America/Phoenix");
    // A rule plan cannot know about (a trigger): the batch fails at the target, after the channels' batch committed.
    await db.sql.unsafe(`
      create function public.test_refuse_hours() returns trigger language plpgsql as $$
      begin raise exception 'refused by the test trigger'; end $$;
      create trigger test_refuse_hours before insert on public.business_hours for each row
        when (new.tenant_id = '${t.id}') execute function public.test_refuse_hours();`);
    try {
      const r = await adopt(db, "run", "--from", legacy.url, "--mapping", "barbershop", "--tenant", t.slug, "--quiet");
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^adopt: entries\[1\] \(hours\): batch \d+ was refused by the target \(nothing of it was written\): refused by the test trigger/);
      expect(r.err).toContain(`the import into ${t.slug} is incomplete: earlier batches are committed (legacy rows recorded: phone_numbers 2)`);
      expect(r.err).toContain(`adopt rollback --mapping barbershop --tenant ${t.slug}`);
      noStack(r.err);
      const [{ channels, hours }] = await db.sql`
        select (select count(*)::int from public.channels where tenant_id = ${t.id}) as channels,
               (select count(*)::int from public.business_hours where tenant_id = ${t.id}) as hours`;
      expect([channels, hours]).toEqual([2, 0]); // the batch before it committed, the refused one left nothing
    } finally {
      await db.sql.unsafe(`drop trigger test_refuse_hours on public.business_hours; drop function public.test_refuse_hours()`);
    }
    await adoptJson(db, "run", "--from", legacy.url, "--mapping", "barbershop", "--tenant", t.slug);
    expect((await adoptJson(db, "verify", "--from", legacy.url, "--mapping", "barbershop", "--tenant", t.slug)).ok).toBe(true);
    await adoptJson(db, "rollback", "--mapping", "barbershop", "--tenant", t.slug);
  });

  it("verify fails on differences the plan did not announce: a changed row, a deleted row, a legacy row added since", async () => {
    await adoptJson(db, "run", "--from", legacy.url, "--mapping", "barbershop", "--tenant", "drifting");
    const verify = () => adopt(db, "verify", "--from", legacy.url, "--mapping", "barbershop", "--tenant", "drifting");
    expect((await verify()).code).toBe(0);
    const [t] = await db.sql`select id from public.tenants where slug = 'drifting'`;

    await db.sql`update public.services set price_cents = price_cents + 1 where tenant_id = ${t.id} and name = 'Haircut'`;
    let r = await verify();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/services: content differs/);
    await db.sql`update public.services set price_cents = price_cents - 1 where tenant_id = ${t.id} and name = 'Haircut'`;

    await db.sql`delete from public.customer_service_preferences where tenant_id = ${t.id} and ctid = (select min(ctid) from public.customer_service_preferences where tenant_id = ${t.id})`;
    r = await verify();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/service_preferences: 1 imported rows are gone from the target/);

    await legacy.sql`insert into stylists (id, name) values (50, 'New barber')`;
    try {
      r = await verify();
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/stylists: 1 legacy rows not imported/);
    } finally {
      await legacy.sql`delete from stylists where id = 50`;
    }
  });
});
