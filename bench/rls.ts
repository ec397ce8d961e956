// `npm run bench:rls` (= `tsx bench/rls.ts`): what Row Level Security costs the queries the dashboard and the bot make.
//
// Builds a large multi-tenant dataset in a dedicated embedded PostgreSQL (migrated with the project's own bootstrap
// and `supabase db push`), then times each query two ways, interleaved, in the same run:
//   RLS       as PostgREST runs a request: connected as `authenticator`, in a transaction
//             `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', <claims>, true)`,
//             then the query with NO tenant filter (the policies supply it);
//   explicit  as the table owner `postgres` (bypasses RLS) with `tenant_id = $1` written into the query.
// Prints p50/p95 per query and variant, PASS/FAIL against the targets (RLS p50 within 1.25x of explicit; every p50
// under 10 ms) and EXPLAIN (ANALYZE, BUFFERS) for whatever misses a target. Always exits 0 once it has reported.
//
//   npx tsx bench/rls.ts            rebuild the dataset from nothing and measure
//   npx tsx bench/rls.ts --keep     reuse the dataset of a previous run when there is one
//   npx tsx bench/rls.ts --plans    also print every query's plans, missed target or not
// Environment: BENCH_DB_PORT (default: a free port), BENCH_ITERATIONS (300 timed per variant), BENCH_WARMUP (30),
// BENCH_TENANTS (1000; per-tenant volumes are fixed, so totals scale with it).
import { freePort } from "../local/ports.ts";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { prepareDatabase } from "../local/database.ts";
import { startCluster, type Cluster } from "../local/postgres.ts";
import { hookClaims } from "../local/tokens.ts";
import { VOCAB } from "./vocabulary.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const DATA_DIR = path.join(ROOT, ".frontdesk", "bench-db");
// Its own cluster, on a port the OS says is free unless set: never one a (moved) local stack may hold.
const PORT = Number(process.env.BENCH_DB_PORT) || (await freePort());
const ITERATIONS = Math.max(1, Number(process.env.BENCH_ITERATIONS ?? 300));
const WARMUP = Math.max(0, Number(process.env.BENCH_WARMUP ?? 30));
const TENANTS = Math.max(10, Number(process.env.BENCH_TENANTS ?? 1000));

const RATIO_TARGET = 1.25;
const P50_TARGET_MS = 10;


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


interface Timed { label: string; ms: number; rows?: number }

async function step(timings: Timed[], label: string, work: () => Promise<number | undefined>): Promise<void> {
  const t0 = performance.now();
  const rows = await work();
  const ms = performance.now() - t0;
  timings.push({ label, ms, rows });
  console.log(`  ${label.padEnd(34)} ${fmtSeconds(ms).padStart(8)}${rows === undefined ? "" : `  ${rows.toLocaleString("en-US")} rows`}`);
}

function fmtSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

async function buildDataset(url: string): Promise<Timed[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, idle_timeout: 0 });
  const timings: Timed[] = [];
  const T = TENANTS;
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

// ---------------------------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------------------------

export interface Query {
  key: string;
  name: string;
  /** Runs through RLS: no tenant filter. */
  rls: string;
  rlsParams: unknown[];
  /** Runs as the owner: the tenant filter written out ($1 = tenant id). */
  explicit: string;
  explicitParams: unknown[];
}

export interface Hot {
  tenantId: string;
  slug: string;
  timezone: string;
  ownerId: string;
  conversationId: string;
  conversationMessages: number;
  dayStart: Date;
  dayEnd: Date;
  bookingDay: string;
  slotDay: string;
  slotServiceId: string;
  customerPhone: string;
  callerId: string;
  callerMemories: number;
  recallText: string;
}

export async function pickHot(owner: postgres.Sql): Promise<Hot> {
  // A tenant in the middle of the range: same volumes as every other, with a non-UTC zone.
  const [tenant] = await owner`
    select t.id, t.slug, t.timezone, m.user_id
    from public.tenants t join public.memberships m on m.tenant_id = t.id and m.role = 'owner'
    where t.slug like 'bench-%' and t.timezone <> 'UTC'
    order by abs(substr(t.slug, 7)::int - ${Math.floor(TENANTS / 2)}), t.slug
    limit 1`;
  if (!tenant) throw new Error("no bench tenant found: is the dataset built?");
  const tid = tenant.id as string;
  const [conv] = await owner`
    select c.id, count(m.*)::int as n
    from public.conversations c join public.messages m on m.tenant_id = c.tenant_id and m.conversation_id = c.id
    where c.tenant_id = ${tid} and c.status = 'open'
    group by c.id order by n desc, c.id limit 1`;
  // The dashboard's day: today in the business's zone, or the next day it opens when it is closed today. Slots: the
  // next open day after today (a whole day of them, none already in the past).
  const [day] = await owner`
    with d as (
      select (now() at time zone ${tenant.timezone})::date + g as day, g
      from generate_series(0, 7) g
      where exists (select 1 from public.business_hours h
                    where h.tenant_id = ${tid} and h.weekday = extract(dow from (now() at time zone ${tenant.timezone})::date + g))
    ), chosen as (
      select min(day) as booking_day, min(day) filter (where g > 0) as slot_day from d
    )
    select booking_day::text, slot_day::text,
           booking_day::timestamp at time zone ${tenant.timezone} as day_start,
           (booking_day + 1)::timestamp at time zone ${tenant.timezone} as day_end
    from chosen`;
  const [service] = await owner`
    select id from public.services where tenant_id = ${tid} and name = 'Haircut'`;
  const [customer] = await owner`
    select phone from public.customers where tenant_id = ${tid} and phone is not null order by phone offset 7 limit 1`;
  const [caller] = await owner`
    select caller_id, count(*)::int as n from public.memories where tenant_id = ${tid}
    group by caller_id order by n desc, caller_id limit 1`;
  // What the bot would look up: the caller's most frequent word or a mid-frequency one (websearch syntax).
  const words = await owner.unsafe(
    `select word, ndoc from ts_stat($$select search from public.memories where tenant_id = '${tid}' and caller_id = '${caller.caller_id}'$$)
     where length(word) > 3 order by ndoc desc, word`,
  );
  const w1 = words[0]?.word ?? "haircut";
  const w2 = words[Math.floor(words.length / 3)]?.word ?? "morning";
  return {
    tenantId: tid,
    slug: tenant.slug,
    timezone: tenant.timezone,
    ownerId: tenant.user_id,
    conversationId: conv.id,
    conversationMessages: conv.n,
    dayStart: day.day_start,
    dayEnd: day.day_end,
    bookingDay: day.booking_day,
    slotDay: day.slot_day,
    slotServiceId: service.id,
    customerPhone: customer.phone,
    callerId: caller.caller_id,
    callerMemories: caller.n,
    recallText: `${w1} or ${w2}`,
  };
}

export function queries(hot: Hot): Query[] {
  const tid = hot.tenantId;
  const inbox = (filter: string) => `
    select c.id, c.customer_id, cu.name as customer_name, cu.phone as customer_phone, c.last_message_at,
           c.handed_over_at, c.assigned_to, m.body as last_body, m.direction as last_direction,
           m.status as last_status, m.created_at as last_created_at
    from public.conversations c
    join public.customers cu on cu.tenant_id = c.tenant_id and cu.id = c.customer_id
    left join lateral (
      select m.body, m.direction, m.status, m.created_at
      from public.messages m
      where m.tenant_id = c.tenant_id and m.conversation_id = c.id
      order by m.created_at desc, m.id desc
      limit 1
    ) m on true
    where ${filter}c.status = 'open'
    order by c.last_message_at desc
    limit 50`;
  const thread = (filter: string, p: string) => `
    select m.id, m.direction, m.type, m.body, m.status, m.created_at, m.sent_by
    from public.messages m
    where ${filter}m.conversation_id = ${p}
    order by m.created_at desc, m.id desc
    limit 50`;
  const today = (filter: string, a: string, b: string) => `
    select b.id, b.starts_at, b.ends_at, b.status, b.source, cu.name as customer_name, cu.phone as customer_phone,
           s.name as service_name, s.duration_minutes, st.name as staff_name
    from public.bookings b
    join public.customers cu on cu.tenant_id = b.tenant_id and cu.id = b.customer_id
    join public.services s on s.tenant_id = b.tenant_id and s.id = b.service_id
    join public.staff st on st.tenant_id = b.tenant_id and st.id = b.staff_id
    where ${filter}b.starts_at >= ${a} and b.starts_at < ${b}
    order by b.starts_at, st.name`;
  const byPhone = (filter: string, p: string) => `
    select id, name, phone, wa_id, email, tags, marketing_opt_in, opted_out_at, last_contact_at, visit_count
    from public.customers
    where ${filter}phone = ${p}`;
  const recall = (filter: string, c: string, q: string) => `
    select m.id, m.content, m.kind, m.importance, m.created_at,
           ts_rank(m.search, q) + m.importance / 10.0
             + 1.0 / (1 + extract(epoch from now() - m.created_at) / 2592000) as score
    from public.memories m, websearch_to_tsquery('simple', ${q}) q
    where ${filter}m.caller_id = ${c} and m.search @@ q
    order by score desc
    limit 20`;
  return [
    { key: "a", name: "a. inbox: open convs + last msg", rls: inbox(""), rlsParams: [],
      explicit: inbox("c.tenant_id = $1 and "), explicitParams: [tid] },
    { key: "b", name: "b. conversation: latest 50 msgs", rls: thread("", "$1"), rlsParams: [hot.conversationId],
      explicit: thread("m.tenant_id = $1 and ", "$2"), explicitParams: [tid, hot.conversationId] },
    { key: "c", name: "c. today's bookings + names", rls: today("", "$1", "$2"), rlsParams: [hot.dayStart, hot.dayEnd],
      explicit: today("b.tenant_id = $1 and ", "$2", "$3"), explicitParams: [tid, hot.dayStart, hot.dayEnd] },
    { key: "d", name: "d. customer by phone", rls: byPhone("", "$1"), rlsParams: [hot.customerPhone],
      explicit: byPhone("tenant_id = $1 and ", "$2"), explicitParams: [tid, hot.customerPhone] },
    { key: "e", name: "e. available slots (1 day)",
      rls: "select staff_id, starts_at, ends_at from public.available_slots($1::uuid, $2::date, $2::date)",
      rlsParams: [hot.slotServiceId, hot.slotDay],
      explicit: "select staff_id, starts_at, ends_at from private.available_slots($1::uuid, $2::uuid, $3::date, $3::date, null, 15, now())",
      explicitParams: [tid, hot.slotServiceId, hot.slotDay] },
    { key: "f", name: "f. memory recall (FTS, ranked)", rls: recall("", "$1", "$2"), rlsParams: [hot.callerId, hot.recallText],
      explicit: recall("m.tenant_id = $1 and ", "$2", "$3"), explicitParams: [tid, hot.callerId, hot.recallText] },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------------------------

// Every statement goes through the extended protocol as a named prepared statement, as PostgREST sends them. (postgres.js
// would send a statement without parameters, like the RLS inbox query, as a simple query, planned on every call.)
export const PREPARED = { prepare: true, simple: false } as postgres.UnsafeQueryOptions;

export const SET_CLAIMS = "select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)";
// PostgREST's pre-request function (pgrst.db_pre_request = private.prepare_request): resolves the caller's live
// membership once per request, so each policy in the statement reads the cached answer. Runs as the switched role.
export const PRE_REQUEST = "select private.prepare_request()";

export interface Sample { stmt: number; txn: number; rows: number }

async function runRls(rls: postgres.Sql, claims: string, q: Query): Promise<Sample & { result: postgres.Row[] }> {
  let stmt = 0;
  let result: postgres.Row[] = [];
  const t0 = performance.now();
  await rls.begin(async (tx) => {
    await tx.unsafe(SET_CLAIMS, [claims], PREPARED);
    await tx.unsafe(PRE_REQUEST, [], PREPARED);
    const s0 = performance.now();
    result = await tx.unsafe(q.rls, q.rlsParams as never[], PREPARED);
    stmt = performance.now() - s0;
  });
  return { stmt, txn: performance.now() - t0, rows: result.length, result };
}

async function runExplicit(owner: postgres.Sql, q: Query): Promise<Sample & { result: postgres.Row[] }> {
  let stmt = 0;
  let result: postgres.Row[] = [];
  const t0 = performance.now();
  await owner.begin(async (tx) => {
    const s0 = performance.now();
    result = await tx.unsafe(q.explicit, q.explicitParams as never[], PREPARED);
    stmt = performance.now() - s0;
  });
  return { stmt, txn: performance.now() - t0, rows: result.length, result };
}

export function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export interface Result {
  q: Query;
  rows: number;
  rls: Sample[];
  explicit: Sample[];
}

export async function measure(rls: postgres.Sql, owner: postgres.Sql, claims: string, q: Query): Promise<Result> {
  // Both variants must return the same rows: the policies supply exactly the filter the explicit query writes.
  const a = await runRls(rls, claims, q);
  const b = await runExplicit(owner, q);
  const norm = (rows: postgres.Row[]) => JSON.stringify(rows.map((r) => ({ ...r, score: undefined })));
  if (a.rows !== b.rows || (q.key !== "e" && norm(a.result) !== norm(b.result))) {
    throw new Error(`${q.name}: RLS returned ${a.rows} rows, explicit ${b.rows}: the variants disagree`);
  }
  for (let i = 0; i < WARMUP; i++) {
    await runRls(rls, claims, q);
    await runExplicit(owner, q);
  }
  const out: Result = { q, rows: a.rows, rls: [], explicit: [] };
  for (let i = 0; i < ITERATIONS; i++) {
    // ABBA: neither variant always runs first.
    if (i % 2 === 0) {
      out.rls.push(await runRls(rls, claims, q));
      out.explicit.push(await runExplicit(owner, q));
    } else {
      out.explicit.push(await runExplicit(owner, q));
      out.rls.push(await runRls(rls, claims, q));
    }
  }
  return out;
}

/** p50 of the policy helper alone vs a trivial statement, both as authenticated, interleaved. */
export async function helperCost(rls: postgres.Sql, claims: string): Promise<{ helper: number; baseline: number }> {
  const once = async (text: string) => {
    let t = 0;
    await rls.begin(async (tx) => {
      await tx.unsafe(SET_CLAIMS, [claims], PREPARED);
      const t0 = performance.now();
      await tx.unsafe(text, [], PREPARED);
      t = performance.now() - t0;
    });
    return t;
  };
  const helper: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const h = await once("select private.tenant_id_for('staff')");
    const b = await once("select null::uuid");
    if (i >= WARMUP) {
      helper.push(h);
      baseline.push(b);
    }
  }
  return { helper: pct(helper, 50), baseline: pct(baseline, 50) };
}

/** How many times one execution of the RLS statement evaluates the helper (one initplan per RLS table reference). */
export async function helperCalls(rls: postgres.Sql, claims: string, q: Query): Promise<number> {
  let n = 0;
  await rls.begin(async (tx) => {
    await tx.unsafe(SET_CLAIMS, [claims]);
    const rows = await tx.unsafe(`explain (verbose, costs off) ${q.rls}`, q.rlsParams as never[]);
    n = rows.filter((r) => /Output: private\.tenant_id_for\(/.test(r["QUERY PLAN"])).length;
  });
  return n;
}

export async function explain(rls: postgres.Sql, owner: postgres.Sql, claims: string, q: Query): Promise<{ rls: string; explicit: string }> {
  const opts = "explain (analyze, buffers, verbose, settings)";
  let rlsPlan = "";
  await rls.begin(async (tx) => {
    await tx.unsafe(SET_CLAIMS, [claims]);
    const rows = await tx.unsafe(`${opts} ${q.rls}`, q.rlsParams as never[]);
    rlsPlan = rows.map((r) => r["QUERY PLAN"]).join("\n");
  });
  const rows = await owner.unsafe(`${opts} ${q.explicit}`, q.explicitParams as never[]);
  return { rls: rlsPlan, explicit: rows.map((r) => r["QUERY PLAN"]).join("\n") };
}

// ---------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------

function table(headers: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ") + " |";
  const sep = "|" + widths.map((w, i) => (rightAlign[i] ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|") + "|";
  return [line(headers), sep, ...rows.map(line)].join("\n");
}

const ms = (v: number) => v.toFixed(3);

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== "--keep" && a !== "--plans");
  if (unknown.length) {
    console.error(`unknown option ${unknown.join(" ")}: tsx bench/rls.ts [--keep] [--plans]`);
    process.exit(2);
  }
  const KEEP = args.includes("--keep");
  const ALL_PLANS = args.includes("--plans");
  const t0 = performance.now();
  const hadData = existsSync(path.join(DATA_DIR, "pgdata", "PG_VERSION"));
  let cluster: Cluster | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping || !cluster) return;
    stopping = true;
    await cluster.stop();
  };
  process.once("SIGINT", () => void stop().finally(() => process.exit(130)));
  process.once("SIGTERM", () => void stop().finally(() => process.exit(143)));

  try {
    console.log(`RLS benchmark: PostgreSQL on 127.0.0.1:${PORT}, data in ${path.relative(ROOT, DATA_DIR)}`);
    cluster = await startCluster({ dataDir: DATA_DIR, port: PORT, reset: !(KEEP && hadData) });
    let built = false;
    if (KEEP && hadData) {
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
        cluster = await startCluster({ dataDir: DATA_DIR, port: PORT, reset: true });
      }
    }

    let buildTimings: Timed[] = [];
    if (built) {
      console.log("--keep: reusing the dataset of a previous run (no rebuild)");
    } else {
      const m0 = performance.now();
      await prepareDatabase({ superuserUrl: cluster.adminUrl(), url: cluster.url(), seed: false, quiet: true });
      console.log(`migrated (bootstrap + supabase db push) in ${fmtSeconds(performance.now() - m0)}`);
      console.log(`building the dataset (${TENANTS.toLocaleString("en-US")} tenants) as postgres:`);
      const b0 = performance.now();
      buildTimings = await buildDataset(cluster.url());
      console.log(`  ${"total build".padEnd(34)} ${fmtSeconds(performance.now() - b0).padStart(8)}`);
    }

    const owner = postgres(cluster.url(), { max: 1, onnotice: () => {}, idle_timeout: 0 });
    const rls = postgres(cluster.url("authenticator"), { max: 1, onnotice: () => {}, idle_timeout: 0 });
    const authAdmin = postgres(cluster.url("supabase_auth_admin"), { max: 1, onnotice: () => {} });
    try {
      // Exact counts (pg_stat's n_live_tup can double-count rows whose insert stats arrive after vacuum's).
      const tables = ["tenants", "auth.users", "memberships", "customers", "channels", "conversations", "messages",
        "staff", "services", "staff_services", "business_hours", "closures", "bookings", "caller_profiles", "calls",
        "memories"];
      const [sizes] = await owner.unsafe(`select ${tables
        .map((t) => `(select count(*) from ${t.includes(".") ? t : `public.${t}`})::int as "${t}"`)
        .join(", ")}`);
      console.log(`\ndataset: ${tables.map((t) => `${t} ${Number(sizes[t]).toLocaleString("en-US")}`).join(", ")}`);

      const hot = await pickHot(owner);
      // The claims PostgREST would set for the owner's token: the project's own access-token hook, run as Supabase
      // Auth runs it (standard claims + tenant_id/tenant_slug/tenant_role).
      let claimsObj: Record<string, unknown>;
      try {
        claimsObj = await hookClaims(authAdmin, hot.ownerId);
      } catch {
        claimsObj = { sub: hot.ownerId, role: "authenticated", aud: "authenticated" };
      }
      if (claimsObj.tenant_id !== hot.tenantId) claimsObj = { ...claimsObj, tenant_id: hot.tenantId };
      const claims = JSON.stringify(claimsObj);
      console.log(
        `hot tenant: ${hot.slug} (${hot.tenantId}, ${hot.timezone}), owner ${hot.ownerId}\n` +
          `  b: conversation ${hot.conversationId} (${hot.conversationMessages} messages)\n` +
          `  c: bookings on ${hot.bookingDay} local, [${hot.dayStart.toISOString()}, ${hot.dayEnd.toISOString()})\n` +
          `  d: phone ${hot.customerPhone}\n` +
          `  e: service Haircut (30 min) ${hot.slotServiceId} on ${hot.slotDay} (3 staff, 15-min steps)\n` +
          `  f: caller ${hot.callerId} (${hot.callerMemories} memories), query ${JSON.stringify(hot.recallText)}\n` +
          `  claims keys: ${Object.keys(claimsObj).join(", ")}`,
      );

      const qs = queries(hot);
      console.log(`\nmeasuring: ${WARMUP} warm-up + ${ITERATIONS} timed iterations per variant, interleaved (ABBA)`);
      const results: Result[] = [];
      for (const q of qs) {
        const r = await measure(rls, owner, claims, q);
        results.push(r);
        console.log(`  ${q.name.padEnd(34)} ${String(r.rows).padStart(3)} rows  RLS p50 ${ms(pct(r.rls.map((s) => s.stmt), 50))} ms, explicit p50 ${ms(pct(r.explicit.map((s) => s.stmt), 50))} ms`);
      }

      const verdicts = results.map((r) => {
        const rp50 = pct(r.rls.map((s) => s.stmt), 50);
        const ep50 = pct(r.explicit.map((s) => s.stmt), 50);
        const ratio = rp50 / ep50;
        const misses: string[] = [];
        if (ratio > RATIO_TARGET) misses.push(`RLS ${ratio.toFixed(2)}x > ${RATIO_TARGET}x`);
        if (rp50 >= P50_TARGET_MS) misses.push(`RLS p50 ${ms(rp50)} ms >= ${P50_TARGET_MS} ms`);
        if (ep50 >= P50_TARGET_MS) misses.push(`explicit p50 ${ms(ep50)} ms >= ${P50_TARGET_MS} ms`);
        return { r, rp50, ep50, ratio, misses };
      });

      console.log(
        `\n=== Query latency (the statement alone; for RLS the set_config round trip is NOT included) ===\n` +
          `${ITERATIONS} timed iterations per variant, ms, client-side (performance.now(), includes the network round` +
          ` trip and postgres.js row parsing, the same for both variants). Targets: RLS p50 <= ${RATIO_TARGET}x explicit,` +
          ` every p50 < ${P50_TARGET_MS} ms.\n`,
      );
      console.log(
        table(
          ["query", "rows", "RLS p50", "explicit p50", "ratio (RLS/explicit)", "RLS p95", "explicit p95", "result"],
          verdicts.map(({ r, rp50, ep50, ratio, misses }) => [
            r.q.name, String(r.rows), ms(rp50), ms(ep50), `${ratio.toFixed(2)}x`,
            ms(pct(r.rls.map((s) => s.stmt), 95)), ms(pct(r.explicit.map((s) => s.stmt), 95)),
            misses.length ? `FAIL (${misses.join("; ")})` : "PASS",
          ]),
          [false, true, true, true, true, true, true, false],
        ),
      );

      console.log(
        `\n=== Whole request transaction (informational) ===\n` +
          `RLS: begin + set_config(role, claims) + query + commit (4 round trips, as PostgREST);` +
          ` explicit: begin + query + commit (3 round trips).\n`,
      );
      console.log(
        table(
          ["query", "RLS p50", "explicit p50", "ratio", "RLS p95", "explicit p95", "RLS overhead p50"],
          results.map((r) => {
            const rp = pct(r.rls.map((s) => s.txn), 50);
            const ep = pct(r.explicit.map((s) => s.txn), 50);
            return [
              r.q.name, ms(rp), ms(ep), `${(rp / ep).toFixed(2)}x`,
              ms(pct(r.rls.map((s) => s.txn), 95)), ms(pct(r.explicit.map((s) => s.txn), 95)), `${ms(rp - ep)} ms`,
            ];
          }),
          [false, true, true, true, true, true, true],
        ),
      );

      const failed = verdicts.filter((v) => v.misses.length);
      console.log(
        failed.length
          ? `\nRESULT: FAIL: ${failed.length} of ${verdicts.length} queries miss a target: ${failed.map((v) => v.r.q.key).join(", ")}`
          : `\nRESULT: PASS: every query meets both targets`,
      );

      // Where the RLS time goes: the policies' helper, evaluated once per statement per RLS table reference.
      const cost = await helperCost(rls, claims);
      console.log(
        `\n=== Diagnosis ===\n` +
          `private.tenant_id_for('staff') alone, as authenticated: p50 ${ms(cost.helper)} ms vs ${ms(cost.baseline)} ms for` +
          ` \`select null::uuid\` => ~${ms(cost.helper - cost.baseline)} ms per call (a language sql security definer` +
          ` function: never inlined, its body re-planned on every call).\n`,
      );
      const diag: string[][] = [];
      for (const v of verdicts) {
        const calls = v.r.q.key === "e" ? undefined : await helperCalls(rls, claims, v.r.q);
        diag.push([
          v.r.q.name,
          calls === undefined ? "inside functions" : String(calls),
          calls === undefined ? "-" : ms(calls * (cost.helper - cost.baseline)),
          ms(v.rp50 - v.ep50),
        ]);
      }
      console.log(table(["query", "helper calls / statement", "~helper ms", "RLS - explicit p50 ms"], diag, [false, true, true, true]));

      if (buildTimings.length) {
        console.log(`\nbuild timings:`);
        for (const t of buildTimings) {
          console.log(`  ${t.label.padEnd(34)} ${fmtSeconds(t.ms).padStart(8)}${t.rows === undefined ? "" : `  ${t.rows.toLocaleString("en-US")} rows`}`);
        }
        console.log(`  ${"total".padEnd(34)} ${fmtSeconds(buildTimings.reduce((s, t) => s + t.ms, 0)).padStart(8)}`);
      }

      const toExplain = ALL_PLANS ? verdicts : failed;
      if (toExplain.length) console.log(`\n=== Plans: EXPLAIN (ANALYZE, BUFFERS, VERBOSE, SETTINGS) ===`);
      for (const v of toExplain) {
        const plans = await explain(rls, owner, claims, v.r.q);
        console.log(`\n--- ${v.r.q.name}: ${v.misses.length ? v.misses.join("; ") : "meets the targets"} ---`);
        console.log(`RLS (as authenticated):\n${v.r.q.rls.trim()}\n\n${plans.rls}`);
        console.log(`\nexplicit (as postgres):\n${v.r.q.explicit.trim()}\n\n${plans.explicit}`);
      }
    } finally {
      await Promise.all([owner.end(), rls.end(), authAdmin.end()]);
    }
    console.log(`\ndone in ${fmtSeconds(performance.now() - t0)}`);
  } finally {
    await stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(`\nbench:rls failed: ${err instanceof Error ? err.stack ?? err.message : err}`);
      process.exit(1);
    },
  );
}
