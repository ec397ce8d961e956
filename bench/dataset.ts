// The benchmark dataset `bench:rls` measures on, shared: a large multi-tenant dataset built set-based in a dedicated
// embedded PostgreSQL migrated with the project's own bootstrap and `supabase db push`. `openDataset` starts the
// cluster and builds the data (or, with `keep`, reuses a complete dataset of a previous run); `buildDataset` is the
// build alone, for a database that is already migrated.
import { existsSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { prepareDatabase } from "../local/database.ts";
import { startCluster, type Cluster } from "../local/postgres.ts";
import { fmtSeconds, step, type Timed } from "./report.ts";
import { VOCAB } from "./vocabulary.ts";

// ---------------------------------------------------------------------------------------------------------------
// Dataset. Per tenant: 1 owner, 20 customers, 1 WhatsApp channel, 50 conversations (the 20 latest open, one per
// customer) holding 1,000 messages (every 10th conversation 92 messages, the rest 12), 3 staff, 5 services,
// 14 staff_services, Mon-Sat 09:00-18:00, 2 closures, 200 bookings over the past and next 60 days, 20 caller
// profiles, 5 calls, 200 memories. Ids are md5-derived (random-looking, like gen_random_uuid, but reproducible so the
// set-based statements can refer to each other's rows), and rows go in roughly in time order, so one tenant's rows
// are spread over the heap as in production rather than packed together.
// ---------------------------------------------------------------------------------------------------------------

const TIMEZONES = [
  "America/New_York", "Europe/Madrid", "America/Mexico_City", "America/Bogota", "Europe/London",
  "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney", "America/Sao_Paulo", "Europe/Berlin", "Asia/Tokyo",
  "Africa/Johannesburg", "America/Chicago", "UTC", "Pacific/Auckland", "Asia/Kathmandu",
];

const FIRST_NAMES = [
  "Ana", "Luis", "Maria", "John", "Sofia", "Carlos", "Emma", "Liam", "Lucia", "Noah", "Olivia", "Mateo", "Ava",
  "Diego", "Mia", "Hugo", "Chloe", "Pablo", "Grace", "Omar", "Aisha", "Ravi", "Yuki", "Kenji", "Zara", "Tom",
];
const LAST_NAMES = [
  "Garcia", "Smith", "Martinez", "Johnson", "Lopez", "Brown", "Gonzalez", "Davis", "Rodriguez", "Wilson", "Perez",
  "Taylor", "Sanchez", "Moore", "Ramirez", "Clark", "Torres", "Lewis", "Flores", "Walker", "Nguyen", "Patel",
];

const MESSAGE_BODIES = [
  "Hi! Do you have anything free tomorrow morning?", "Sure, we have 10:30 or 11:15 with Alex. Which one suits you?",
  "11:15 please", "Booked: Haircut tomorrow at 11:15 with Alex. See you then!", "Can I move my appointment to Friday?",
  "Friday at 16:00 is free with Sam. Shall I move it?", "Yes please, thanks", "Done, your appointment is now Friday 16:00.",
  "How much is a beard trim?", "A beard trim is 15 USD and takes 20 minutes.", "Are you open on Sunday?",
  "We are closed on Sundays; Monday to Saturday 9:00-18:00.", "I need to cancel, sorry", "No problem, it is cancelled.",
  "Hola, ¿tenéis hueco el sábado?", "Sí, el sábado a las 12:00 con Jordan. ¿Te lo reservo?", "Perfecto, gracias",
  "Can I speak to a person?", "Of course, someone from the team will answer shortly.", "Thanks!",
  "Do you do kids cuts?", "Yes, a kids cut is 30 minutes and 18 USD.", "Where are you located?",
  "We are at 12 Main Street, next to the bakery.", "Running 10 minutes late, sorry", "No worries, see you soon.",
  "What colour services do you offer?", "Full colour, highlights and toner; full colour takes 90 minutes.",
  "Is parking available?", "There is free parking behind the shop.", "👍", "See you!",
];


export async function buildDataset(url: string, tenants: number): Promise<Timed[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, idle_timeout: 0 });
  const timings: Timed[] = [];
  const T = tenants;
  // One instant every statement agrees on: conversations and their messages must line up exactly.
  const anchor = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
  const count = (r: postgres.RowList<postgres.Row[]>) => r.count;
  try {
    await sql`set work_mem = '256MB'`;
    await sql`set maintenance_work_mem = '512MB'`;
    await sql`select setseed(0.4242)`;

    await step(timings, "tenants", async () => count(await sql`
      insert into public.tenants (id, slug, name, category, timezone, address, phone, settings, created_at)
      select md5('tenant:' || t)::uuid,
             'bench-' || lpad(t::text, 5, '0'),
             'Bench Business ' || t,
             (array['barbershop', 'salon', 'clinic', 'insurance', 'spa'])[1 + t % 5],
             (${TIMEZONES}::text[])[1 + t % ${TIMEZONES.length}],
             t || ' Main Street',
             '+1555' || lpad(t::text, 7, '0'),
             jsonb_build_object('language', (array['en', 'es'])[1 + t % 2], 'bot_enabled', true),
             ${anchor}::timestamptz - interval '400 days' + t * interval '1 minute'
      from generate_series(1, ${T}) t`));

    await step(timings, "auth.users (owners)", async () => count(await sql`
      insert into auth.users (id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at)
      select md5('user:' || t)::uuid, 'authenticated', 'authenticated', 'owner' || t || '@bench.example',
             ${anchor}::timestamptz - interval '400 days', '{"provider":"email","providers":["email"]}'::jsonb,
             jsonb_build_object('name', 'Owner ' || t), ${anchor}::timestamptz - interval '400 days'
      from generate_series(1, ${T}) t`));

    await step(timings, "memberships", async () => count(await sql`
      insert into public.memberships (tenant_id, user_id, role)
      select md5('tenant:' || t)::uuid, md5('user:' || t)::uuid, 'owner'
      from generate_series(1, ${T}) t`));

    await step(timings, "customers", async () => count(await sql`
      insert into public.customers (tenant_id, id, phone, wa_id, name, email, tags, marketing_opt_in,
                                    first_contact_at, last_contact_at, visit_count, total_spend_cents, created_at)
      select md5('tenant:' || t)::uuid, md5('customer:' || t || ':' || j)::uuid,
             '+34' || (600000000 + t * 100 + j), '34' || (600000000 + t * 100 + j),
             (${FIRST_NAMES}::text[])[1 + (t + j * 7) % ${FIRST_NAMES.length}] || ' ' ||
               (${LAST_NAMES}::text[])[1 + (t * 3 + j) % ${LAST_NAMES.length}],
             case when j % 3 = 0 then 'customer' || t || '.' || j || '@mail.example' end,
             case when j % 4 = 0 then array['vip'] else '{}'::text[] end,
             j % 2 = 0,
             ${anchor}::timestamptz - interval '200 days' + j * interval '3 days',
             ${anchor}::timestamptz - j * interval '2 days',
             j % 12, (j % 12) * 2500,
             ${anchor}::timestamptz - interval '200 days' + j * interval '3 days'
      from generate_series(0, 19) j cross join generate_series(1, ${T}) t
      order by j, t`));

    await step(timings, "channels (whatsapp)", async () => count(await sql`
      insert into public.channels (tenant_id, id, kind, name, provider, phone_number_id, waba_id, display_phone_number)
      select md5('tenant:' || t)::uuid, md5('channel:' || t)::uuid, 'whatsapp', 'WhatsApp', 'meta',
             (100000000000 + t)::text, (200000000000 + t)::text, '+1 555 ' || lpad(t::text, 7, '0')
      from generate_series(1, ${T}) t`));

    await step(timings, "staff", async () => count(await sql`
      insert into public.staff (tenant_id, id, name, user_id, color)
      select md5('tenant:' || t)::uuid, md5('staff:' || t || ':' || r)::uuid,
             (array['Alex', 'Sam', 'Jordan'])[r + 1] || ' ' || t,
             case when r = 0 then md5('user:' || t)::uuid end,
             (array['#e11d48', '#2563eb', '#16a34a'])[r + 1]
      from generate_series(1, ${T}) t cross join generate_series(0, 2) r`));

    await step(timings, "services", async () => count(await sql`
      insert into public.services (tenant_id, id, name, category, duration_minutes, price_cents, currency)
      select md5('tenant:' || t)::uuid, md5('service:' || t || ':' || v)::uuid,
             (array['Haircut', 'Beard trim', 'Haircut and beard', 'Colour', 'Kids cut'])[v + 1],
             (array['hair', 'beard', 'hair', 'colour', 'hair'])[v + 1],
             (array[30, 20, 45, 90, 30])[v + 1], (array[2500, 1500, 3500, 7000, 1800])[v + 1], 'USD'
      from generate_series(1, ${T}) t cross join generate_series(0, 4) v`));

    await step(timings, "staff_services", async () => count(await sql`
      insert into public.staff_services (tenant_id, staff_id, service_id)
      select md5('tenant:' || t)::uuid, md5('staff:' || t || ':' || r)::uuid, md5('service:' || t || ':' || v)::uuid
      from generate_series(1, ${T}) t cross join generate_series(0, 2) r cross join generate_series(0, 4) v
      where not (r = 2 and v = 3)`));

    await step(timings, "business_hours (Mon-Sat 9-18)", async () => count(await sql`
      insert into public.business_hours (tenant_id, weekday, opens_at, closes_at)
      select md5('tenant:' || t)::uuid, wd, time '09:00', time '18:00'
      from generate_series(1, ${T}) t cross join generate_series(1, 6) wd`));

    await step(timings, "closures", async () => count(await sql`
      insert into public.closures (tenant_id, staff_id, starts_at, ends_at, reason)
      select tn.id, null, (d + 30)::timestamp at time zone tn.timezone, (d + 31)::timestamp at time zone tn.timezone,
             'Public holiday'
      from public.tenants tn, lateral (select (now() at time zone tn.timezone)::date as d) l
      union all
      select tn.id, md5('staff:' || substr(tn.slug, 7)::int || ':1')::uuid,
             (d + 7 + time '10:00') at time zone tn.timezone, (d + 7 + time '14:00') at time zone tn.timezone, 'Dentist'
      from public.tenants tn, lateral (select (now() at time zone tn.timezone)::date as d) l`));

    // Conversation (t, k) starts at anchor - 171 days + (k*T + t) * step: every tenant's k-th conversation around
    // the same time, so tenants interleave; messages 20 s apart, even ones inbound ('received').
    const convSpec = sql`
      select t, k, md5('tenant:' || t)::uuid as tid, md5('conv:' || t || ':' || k)::uuid as cid,
             md5('channel:' || t)::uuid as chid, md5('customer:' || t || ':' || (k % 20))::uuid as cuid,
             ${anchor}::timestamptz - interval '171 days' + (k * ${T} + t) * (interval '170 days' / ${50 * T}::float8) as s,
             case when k % 10 = 0 then 92 else 12 end as n
      from generate_series(0, 49) k cross join generate_series(1, ${T}) t`;

    await step(timings, "conversations", async () => count(await sql`
      insert into public.conversations (tenant_id, id, channel_id, customer_id, status, bot_state, last_message_at,
                                        last_inbound_at, created_at, updated_at, closed_at)
      select tid, cid, chid, cuid,
             case when k >= 30 then 'open' else 'closed' end::public.conversation_status,
             case when k >= 30 then '{"step":"idle"}'::jsonb else '{}'::jsonb end,
             s + (n - 1) * interval '20 seconds', s + (n - 2) * interval '20 seconds',
             s, s + (n - 1) * interval '20 seconds',
             case when k < 30 then s + (n - 1) * interval '20 seconds' + interval '1 hour' end
      from (${convSpec}) c
      order by s`));

    await step(timings, "messages", async () => count(await sql`
      insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, provider_message_id,
                                   status, created_at, status_updated_at)
      select c.tid, c.cid, c.chid,
             case when i % 2 = 0 then 'inbound' else 'outbound' end::public.message_direction,
             'text',
             (${MESSAGE_BODIES}::text[])[1 + (i * 7 + c.k * 3 + c.t) % ${MESSAGE_BODIES.length}],
             'wamid.' || replace(c.cid::text, '-', '') || '.' || i,
             case when i % 2 = 0 then 'received' when i = c.n - 1 and c.k >= 30 then 'delivered' else 'read' end
               ::public.message_status,
             c.s + i * interval '20 seconds', c.s + i * interval '20 seconds' + interval '5 seconds'
      from (${convSpec}) c cross join lateral generate_series(0, c.n - 1) i
      order by c.s + i * interval '20 seconds'`));

    // Staff member r of tenant t: booking j (0..66) on local day today-60 + floor(j*120/67) (distinct days; a Sunday
    // moves to Saturday, four hours away from that day's other booking), at 09:00-16:30 local, so one staff
    // member's live bookings never overlap.
    await step(timings, "bookings", async () => count(await sql`
      insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, status, source,
                                   price_cents, currency, cancelled_at, cancel_reason, created_at)
      with p as (
        select i, 1 + (i % ${3 * T}) / 3 as t, (i % ${3 * T}) % 3 as r, i / ${3 * T} as j
        from generate_series(0, ${200 * T - 1}) i
      ), w as (
        select p.*, tn.id as tid, tn.timezone as tz, (now() at time zone tn.timezone)::date as today,
               (now() at time zone tn.timezone)::date - 60 + floor(p.j * 120.0 / 67)::int as d0,
               case when p.r = 2 and (p.j + p.r) % 5 = 3 then 0 else (p.j + p.r) % 5 end as v
        from p join public.tenants tn on tn.id = md5('tenant:' || p.t)::uuid
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
      select tid, md5('customer:' || t || ':' || ((j * 7 + r) % 20))::uuid, md5('service:' || t || ':' || v)::uuid,
             md5('staff:' || t || ':' || r)::uuid,
             starts_at, starts_at + (array[30, 20, 45, 90, 30])[v + 1] * interval '1 minute',
             status, (array['whatsapp', 'voice', 'web', 'api'])[1 + i % 4]::public.booking_source,
             (array[2500, 1500, 3500, 7000, 1800])[v + 1], 'USD',
             case when status = 'cancelled' then starts_at - interval '1 day' end,
             case when status = 'cancelled' then 'customer asked' end,
             least(now(), starts_at - interval '7 days')
      from y
      order by least(now(), starts_at - interval '7 days')`));

    await step(timings, "caller_profiles", async () => count(await sql`
      insert into public.caller_profiles (tenant_id, id, phone, customer_id, display_name, summary, preferences,
                                          call_count, first_call_at, last_call_at)
      select md5('tenant:' || t)::uuid, md5('caller:' || t || ':' || j)::uuid, '+34' || (600000000 + t * 100 + j),
             md5('customer:' || t || ':' || j)::uuid,
             (${FIRST_NAMES}::text[])[1 + (t + j * 7) % ${FIRST_NAMES.length}],
             'Regular customer; usually books by phone.',
             jsonb_build_object('language', (array['en', 'es'])[1 + (t + j) % 2]),
             case when j < 5 then 1 else 0 end,
             case when j < 5 then now() - (j + 1) * interval '3 days' end,
             case when j < 5 then now() - (j + 1) * interval '3 days' end
      from generate_series(0, 19) j cross join generate_series(1, ${T}) t
      order by j, t`));

    await step(timings, "calls", async () => count(await sql`
      insert into public.calls (tenant_id, id, customer_id, provider, provider_call_id, direction, from_number,
                                to_number, status, started_at, ended_at, duration_seconds, created_at)
      select md5('tenant:' || t)::uuid, md5('call:' || t || ':' || j)::uuid, md5('customer:' || t || ':' || j)::uuid,
             'twilio', 'CA' || md5('callsid:' || t || ':' || j), 'inbound', '+34' || (600000000 + t * 100 + j),
             '+1555' || lpad(t::text, 7, '0'), 'completed',
             now() - (j + 1) * interval '3 days', now() - (j + 1) * interval '3 days' + (120 + j * 30) * interval '1 second',
             120 + j * 30, now() - (j + 1) * interval '3 days'
      from generate_series(0, 4) j cross join generate_series(1, ${T}) t
      order by j, t`));

    // Caller 0 of each tenant is a regular with 67 memories, callers 1-19 have 7 each: 200 per tenant.
    await step(timings, "memories", async () => count(await sql`
      insert into public.memories (tenant_id, caller_id, content, kind, importance, source_call_id, created_at)
      select md5('tenant:' || t)::uuid, md5('caller:' || t || ':' || j)::uuid,
             (array['Prefers', 'Mentioned', 'Asked about', 'Said', 'Remember:', 'Follow up on'])[1 + n % 6] || ' ' ||
             (select string_agg((${VOCAB}::text[])[1 + floor(power(random(), 2) * ${VOCAB.length})::int], ' ')
              from generate_series(1, 5 + (n + j + t) % 12)),
             (array['fact', 'preference', 'event', 'relationship', 'note', 'follow_up'])[1 + n % 6],
             1 + (n * 7 + t) % 10,
             case when j < 5 and n = 0 then md5('call:' || t || ':' || j)::uuid end,
             now() - n * interval '2 days' - j * interval '1 hour' - t * interval '1 second'
      from generate_series(1, ${T}) t
      cross join generate_series(0, 19) j
      cross join lateral generate_series(0, case when j = 0 then 66 else 6 end) n
      order by now() - n * interval '2 days' - j * interval '1 hour' - t * interval '1 second'`));

    await step(timings, "vacuum analyze", async () => {
      await sql`vacuum analyze`;
      return undefined;
    });
    return timings;
  } finally {
    await sql.end();
  }
}


/** Every table the dataset fills, with the schema where it is not public. */
export const DATASET_TABLES = ["tenants", "auth.users", "memberships", "customers", "channels", "conversations",
  "messages", "staff", "services", "staff_services", "business_hours", "closures", "bookings", "caller_profiles",
  "calls", "memories"];

/** `dataset: tenants 1,000, …`: exact counts (pg_stat's n_live_tup can double-count rows whose insert stats arrive after vacuum's). */
export async function describeDataset(owner: postgres.Sql): Promise<string> {
  const [sizes] = await owner.unsafe(`select ${DATASET_TABLES
    .map((t) => `(select count(*) from ${t.includes(".") ? t : `public.${t}`})::int as "${t}"`)
    .join(", ")}`);
  return `dataset: ${DATASET_TABLES.map((t) => `${t} ${Number(sizes[t]).toLocaleString("en-US")}`).join(", ")}`;
}

export interface Dataset {
  cluster: Cluster;
  /** The build steps of this run; empty when a previous run's dataset was reused. */
  buildTimings: Timed[];
}

/**
 * Starts the cluster in `dataDir` on `port` and builds the dataset from nothing, or with `keep` reuses the data of a
 * previous run when it is complete. `onCluster` learns the cluster as soon as it runs, so a signal can stop it.
 */
export async function openDataset(opts: {
  dataDir: string;
  port: number;
  tenants: number;
  keep: boolean;
  onCluster?: (cluster: Cluster) => void;
}): Promise<Dataset> {
  const hadData = existsSync(path.join(opts.dataDir, "pgdata", "PG_VERSION"));
  let cluster = await startCluster({ dataDir: opts.dataDir, port: opts.port, reset: !(opts.keep && hadData) });
  opts.onCluster?.(cluster);
  let built = false;
  if (opts.keep && hadData) {
    const probe = postgres(cluster.url(), { max: 1, onnotice: () => {} });
    try {
      // Complete when the last build step (memories) and vacuum's statistics are there.
      const [r] = await probe`
        select exists (select 1 from pg_stat_user_tables
                       where schemaname = 'public' and relname = 'memories' and last_vacuum is not null) as ok`;
      built = Boolean(r?.ok) && (await probe`select exists (select 1 from public.memories) as ok`)[0].ok;
    } catch {
      built = false;
    } finally {
      await probe.end();
    }
    if (!built) {
      console.log("--keep: the existing data is not a complete benchmark dataset; rebuilding");
      await cluster.stop();
      cluster = await startCluster({ dataDir: opts.dataDir, port: opts.port, reset: true });
      opts.onCluster?.(cluster);
    }
  }

  let buildTimings: Timed[] = [];
  if (built) {
    console.log("--keep: reusing the dataset of a previous run (no rebuild)");
  } else {
    const m0 = performance.now();
    await prepareDatabase({ superuserUrl: cluster.adminUrl(), url: cluster.url(), seed: false, quiet: true });
    console.log(`migrated (bootstrap + supabase db push) in ${fmtSeconds(performance.now() - m0)}`);
    console.log(`building the dataset (${opts.tenants.toLocaleString("en-US")} tenants) as postgres:`);
    const b0 = performance.now();
    buildTimings = await buildDataset(cluster.url(), opts.tenants);
    console.log(`  ${"total build".padEnd(34)} ${fmtSeconds(performance.now() - b0).padStart(8)}`);
  }
  return { cluster, buildTimings };
}
