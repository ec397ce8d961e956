// The queries `bench:rls` times, each two ways: as the policies filter it (no tenant filter written) and as the table
// owner with `tenant_id = $1` written out; and the hot tenant they run for.
import postgres from "postgres";

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

export async function pickHot(owner: postgres.Sql, tenants: number): Promise<Hot> {
  // A tenant in the middle of the range: same volumes as every other, with a non-UTC zone.
  const [tenant] = await owner`
    select t.id, t.slug, t.timezone, m.user_id
    from public.tenants t join public.memberships m on m.tenant_id = t.id and m.role = 'owner'
    where t.slug like 'bench-%' and t.timezone <> 'UTC'
    order by abs(substr(t.slug, 7)::int - ${Math.floor(tenants / 2)}), t.slug
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
