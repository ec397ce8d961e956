// Bookings over the past and next 60 days (bench:rls): 200 per tenant, staff member r's booking j (0..66) on local
// day today-60 + floor(j*120/67) (distinct days; a Sunday moves to Saturday, four hours away from that day's other
// booking), at 09:00-16:30 local, so one staff member's live bookings never overlap. Services, statuses and sources
// vary; past ones completed (some no-shows and cancellations), future ones confirmed (some pending, some cancelled).
// Needs the customers and the catalog.
import postgres from "postgres";
import { SERVICE_MINUTES, SERVICE_PRICES } from "./catalog.ts";
import { rowIds, type IdScheme } from "./common.ts";

export async function insertBookings(sql: postgres.Sql, o: { tenants: number; ids?: IdScheme }): Promise<number> {
  const id = rowIds(sql, o.ids);
  const T = o.tenants;
  return (await sql`
    insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, status, source,
                                 price_cents, currency, cancelled_at, cancel_reason, created_at)
    with p as (
      select i, 1 + (i % ${3 * T}) / 3 as t, (i % ${3 * T}) % 3 as r, i / ${3 * T} as j
      from generate_series(0, ${200 * T - 1}) i
    ), w as (
      select p.*, tn.id as tid, tn.timezone as tz, (now() at time zone tn.timezone)::date as today,
             (now() at time zone tn.timezone)::date - 60 + floor(p.j * 120.0 / 67)::int as d0,
             case when p.r = 2 and (p.j + p.r) % 5 = 3 then 0 else (p.j + p.r) % 5 end as v
      from p join public.tenants tn on tn.id = ${id("'tenant:' || p.t")}
    ), x as (
      select w.*, case when extract(dow from w.d0) = 0 then w.d0 - 1 else w.d0 end as d,
             make_time(9 + (w.j * 4 + w.r * 3) % 8, (w.j % 2) * 30, 0) as at
      from w
    ), y as (
      select x.*, (x.d + x.at) at time zone x.tz as starts_at,
             case when x.d < x.today then
               case when i % 20 = 0 then 'no_show' when i % 20 = 1 then 'cancelled' else 'completed' end
             else
               case when i % 20 = 0 then 'cancelled' when i % 10 = 1 then 'pending' else 'confirmed' end
             end::public.booking_status as status
      from x
    )
    select tid, ${id("'customer:' || t || ':' || ((j * 7 + r) % 20)")}, ${id("'service:' || t || ':' || v")},
           ${id("'staff:' || t || ':' || r")},
           starts_at, starts_at + (${sql.unsafe(SERVICE_MINUTES)})[v + 1] * interval '1 minute',
           status, (array['whatsapp', 'voice', 'web', 'api'])[1 + i % 4]::public.booking_source,
           (${sql.unsafe(SERVICE_PRICES)})[v + 1], 'USD',
           case when status = 'cancelled' then starts_at - interval '1 day' end,
           case when status = 'cancelled' then 'customer asked' end,
           least(now(), starts_at - interval '7 days')
    from y
    order by least(now(), starts_at - interval '7 days')`).count;
}
