// What a tenant sells and when: 3 staff (r 0..2: Alex, Sam, Jordan), 5 services (v 0..4, service 0 the 30-minute
// Haircut), 14 staff_services (Jordan does no Colour), Mon-Sat 09:00-18:00, and 2 closures: a public holiday in
// 30 days and Sam at the dentist in 7 days, 10:00-14:00 local.
import postgres from "postgres";
import { rowIds, type IdScheme } from "./common.ts";

/** Services v = 0..4, as SQL arrays indexed [v + 1]: names, categories, minutes, prices in cents (USD). */
export const SERVICE_NAMES = "array['Haircut', 'Beard trim', 'Haircut and beard', 'Colour', 'Kids cut']";
export const SERVICE_CATEGORIES = "array['hair', 'beard', 'hair', 'colour', 'hair']";
export const SERVICE_MINUTES = "array[30, 20, 45, 90, 30]";
export const SERVICE_PRICES = "array[2500, 1500, 3500, 7000, 1800]";

interface CatalogOptions {
  tenants: number;
  ids?: IdScheme;
}

/** With `full` (bench:rls): names numbered by tenant ('Alex 12'), a colour each, and staff 0 is the owner's user (insertOwnerUsers first). Without: first names only. */
export async function insertStaff(sql: postgres.Sql, o: CatalogOptions & { full?: boolean }): Promise<number> {
  const id = rowIds(sql, o.ids);
  return (await sql`
    insert into public.staff (tenant_id, id, name, user_id, color)
    select ${id("'tenant:' || t")}, ${id("'staff:' || t || ':' || r")},
           (array['Alex', 'Sam', 'Jordan'])[r + 1]${o.full ? sql` || ' ' || t` : sql``},
           ${o.full ? sql`case when r = 0 then ${id("'user:' || t")} end` : sql`null`},
           ${o.full ? sql`(array['#e11d48', '#2563eb', '#16a34a'])[r + 1]` : sql`null`}
    from generate_series(1, ${o.tenants}) t cross join generate_series(0, 2) r`).count;
}

/** With `full` (bench:rls), each service has its category; without, none. */
export async function insertServices(sql: postgres.Sql, o: CatalogOptions & { full?: boolean }): Promise<number> {
  const id = rowIds(sql, o.ids);
  return (await sql`
    insert into public.services (tenant_id, id, name, category, duration_minutes, price_cents, currency)
    select ${id("'tenant:' || t")}, ${id("'service:' || t || ':' || v")}, (${sql.unsafe(SERVICE_NAMES)})[v + 1],
           ${o.full ? sql`(${sql.unsafe(SERVICE_CATEGORIES)})[v + 1]` : sql`null`},
           (${sql.unsafe(SERVICE_MINUTES)})[v + 1], (${sql.unsafe(SERVICE_PRICES)})[v + 1], 'USD'
    from generate_series(1, ${o.tenants}) t cross join generate_series(0, 4) v`).count;
}

export async function insertStaffServices(sql: postgres.Sql, o: CatalogOptions): Promise<number> {
  const id = rowIds(sql, o.ids);
  return (await sql`
    insert into public.staff_services (tenant_id, staff_id, service_id)
    select ${id("'tenant:' || t")}, ${id("'staff:' || t || ':' || r")}, ${id("'service:' || t || ':' || v")}
    from generate_series(1, ${o.tenants}) t cross join generate_series(0, 2) r cross join generate_series(0, 4) v
    where not (r = 2 and v = 3)`).count;
}

export async function insertBusinessHours(sql: postgres.Sql, o: CatalogOptions): Promise<number> {
  const id = rowIds(sql, o.ids);
  return (await sql`
    insert into public.business_hours (tenant_id, weekday, opens_at, closes_at)
    select ${id("'tenant:' || t")}, wd, time '09:00', time '18:00'
    from generate_series(1, ${o.tenants}) t cross join generate_series(1, 6) wd`).count;
}

/** For every tenant in the table (its number read back from the slug), in its own time zone. */
export async function insertClosures(sql: postgres.Sql, o: { ids?: IdScheme } = {}): Promise<number> {
  const id = rowIds(sql, o.ids);
  return (await sql`
    insert into public.closures (tenant_id, staff_id, starts_at, ends_at, reason)
    select tn.id, null, (d + 30)::timestamp at time zone tn.timezone, (d + 31)::timestamp at time zone tn.timezone,
           'Public holiday'
    from public.tenants tn, lateral (select (now() at time zone tn.timezone)::date as d) l
    union all
    select tn.id, ${id("'staff:' || substr(tn.slug, 7)::int || ':1'")},
           (d + 7 + time '10:00') at time zone tn.timezone, (d + 7 + time '14:00') at time zone tn.timezone, 'Dentist'
    from public.tenants tn, lateral (select (now() at time zone tn.timezone)::date as d) l`).count;
}
