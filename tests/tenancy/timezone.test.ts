// A business's time zone is an IANA name, spelled as the tz database spells it, checked by the tenants_timezone
// trigger without scanning pg_timezone_names: what Postgres would accept as a zone but is no IANA name
// (abbreviations, offsets, POSIX rules) is refused with a 400 naming the problem.
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { createTenant } from "../helpers/tenants.ts";

const db = useTestDatabase();

async function refusal(timezone: string): Promise<string | null> {
  try {
    const t = await createTenant(db, "tz", timezone);
    await db.sql`delete from public.tenants where id = ${t.id}`;
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

describe("tenant time zones", () => {
  it("accepts IANA names: Region/City, deeper names, links, UTC and Etc/…", async () => {
    for (const tz of ["UTC", "Europe/Madrid", "America/New_York", "America/Argentina/Buenos_Aires", "America/Port-au-Prince",
      "America/North_Dakota/New_Salem", "Asia/Ust-Nera", "US/Eastern", "Etc/UTC", "Etc/GMT+3", "Etc/GMT-14", "Etc/GMT0"]) {
      expect(await refusal(tz), tz).toBeNull();
    }
  });

  it("refuses abbreviations, offsets and POSIX rules Postgres itself would take", async () => {
    for (const tz of ["EST", "CET", "GMT", "+02", "-05:00", "UTC+3", "EST5EDT", "<+02>-02", "Foo/Bar5", "Europe/Madrid5",
      "Europe/Madrid,M3.5.0", "Etc/GMT+15", "posix/Europe/Madrid", "", " Europe/Madrid"]) {
      // Postgres takes most of these as a zone; only the trigger stands between them and a tenant row.
      expect(await refusal(tz), tz).toMatch(/is not an IANA name.*use a name such as Europe\/Madrid/);
    }
    const [{ ok }] = await db.sql`select (now() at time zone 'Foo/Bar5') is not null as ok`;
    expect(ok).toBe(true);
  });

  it("refuses unknown names and names in the wrong case, saying what to use", async () => {
    expect(await refusal("Mars/Olympus_Mons")).toMatch(/unknown time zone "Mars\/Olympus_Mons": use an IANA name such as Europe\/Madrid/);
    expect(await refusal("Europe/Atlantis")).toMatch(/unknown time zone "Europe\/Atlantis"/);
    expect(await refusal("europe/madrid")).toMatch(/time zone "europe\/madrid" is spelled "Europe\/Madrid"/);
    expect(await refusal("AMERICA/NEW_YORK")).toMatch(/is spelled "America\/New_York"/);
  });

  it("checks updates too, answers 400, and leaves the session's own time zone as it was", async () => {
    const t = await createTenant(db, "tz-upd", "Europe/Madrid");
    const err = await db.sql`update public.tenants set timezone = 'EST' where id = ${t.id}`.catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/"EST" is not an IANA name/);
    expect((err as { code?: string }).code).toBe("PT400");
    const zones = await db.sql.begin(async (tx) => {
      await tx`set local timezone = 'America/Chicago'`;
      await tx`update public.tenants set timezone = 'Asia/Tokyo' where id = ${t.id}`;
      const [a] = await tx`select current_setting('timezone') as tz`;
      return a.tz as string;
    });
    expect(zones).toBe("America/Chicago");
    const [row] = await db.sql`select timezone from public.tenants where id = ${t.id}`;
    expect(row.timezone).toBe("Asia/Tokyo");
  });
});
