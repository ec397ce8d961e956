-- Voice calls: the rules every voice path shares (Twilio's callbacks, AI voice platforms' events and reports, the
-- receptionist tools, outbound calls). One helper, private.callable_number, decides on every path whether a caller id
-- is a real number: a withheld id never creates, merges or looks up a customer or caller profile. A call's status
-- only moves forward (voice_call_advance) and its minutes are counted once, whichever provider reports its end
-- (voice_bill_call). These run inside the definer functions of the twilio, voice_platforms, receptionist_tools and
-- outbound_calls migrations, as their owner; no role is granted them.

-- Whether the business is open at p_at: inside one of its opening windows for that local weekday (its own time zone,
-- so DST moves the UTC instants, not the wall clock) and not inside a whole-business closure. A window may close at
-- 24:00 to mean "until midnight".
create or replace function private.voice_open_at(p_tenant_id uuid, p_at timestamptz default now())
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (
      select 1
      from public.tenants t
      join public.business_hours h on h.tenant_id = t.id
      where t.id = p_tenant_id
        and h.weekday = extract(dow from (p_at at time zone t.timezone))::smallint
        and (p_at at time zone t.timezone)::time >= h.opens_at
        and (p_at at time zone t.timezone)::time < h.closes_at)
    and not exists (
      select 1 from public.closures c
      where c.tenant_id = p_tenant_id and c.staff_id is null and c.starts_at <= p_at and p_at < c.ends_at)
$$;

-- Whether a caller id is a real number someone can be called back on: E.164, and not one of the placeholders
-- carriers and Twilio put in From when the caller withheld it (they spell the words on a keypad: +266696687
-- ANONYMOUS, +7378742833 RESTRICTED, +8656696 UNKNOWN, +2562533 BLOCKED). "anonymous", "restricted", "unknown",
-- client:… and sip:… sources fail the E.164 test. Every voice path asks this one function before it creates, merges
-- or looks up a customer or a caller profile: two strangers who hid their number are not one caller.
create or replace function private.callable_number(p_number text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(p_number ~ '^\+[1-9][0-9]{6,14}$'
                  and p_number <> all (array['+266696687', '+7378742833', '+8656696', '+2562533']), false)
$$;

-- The tenant's customer with this phone (E.164), created when new; null for anything that is not a callable number
-- (withheld numbers, SIP or web callers: private.callable_number). Concurrent first calls race on the unique phone;
-- the loser re-reads.
create or replace function private.voice_customer(p_tenant_id uuid, p_phone text, p_name text, p_at timestamptz)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
  v_name text := nullif(btrim(coalesce(p_name, '')), '');
begin
  if not private.callable_number(p_phone) then
    return null;
  end if;
  select id into v_id from public.customers where tenant_id = p_tenant_id and phone = p_phone;
  if v_id is null then
    insert into public.customers (tenant_id, phone, name, first_contact_at, last_contact_at)
    values (p_tenant_id, p_phone, v_name, p_at, p_at)
    on conflict do nothing
    returning id into v_id;
    if v_id is null then
      select id into v_id from public.customers where tenant_id = p_tenant_id and phone = p_phone;
    end if;
  end if;
  update public.customers set
    name = coalesce(name, v_name),
    first_contact_at = least(coalesce(first_contact_at, p_at), p_at),
    last_contact_at = greatest(coalesce(last_contact_at, p_at), p_at)
  where tenant_id = p_tenant_id and id = v_id
    and (name is null and v_name is not null
         or first_contact_at is null or first_contact_at > p_at
         or last_contact_at is null or last_contact_at < p_at);
  return v_id;
end;
$$;

-- Moves a call forward: the status only when it ranks higher (queued < initiated < ringing < in_progress <
-- terminal), first-known start and end times and duration kept. Locks the row, so concurrent callbacks of one call
-- apply one after the other; writes nothing when nothing changes. Returns the call's status afterwards.
create or replace function private.voice_call_advance(
  p_tenant_id uuid, p_call_id uuid, p_status public.call_status,
  p_started_at timestamptz default null, p_ended_at timestamptz default null, p_duration int default null
)
returns public.call_status
language plpgsql
set search_path = ''
as $$
declare
  v_row public.calls;
  v_status public.call_status;
begin
  select * into v_row from public.calls where tenant_id = p_tenant_id and id = p_call_id for update;
  v_status := case when private.status_rank('call', p_status::text) > private.status_rank('call', v_row.status::text)
                   then p_status else v_row.status end;
  if (v_status, coalesce(v_row.started_at, p_started_at), coalesce(v_row.ended_at, p_ended_at), coalesce(v_row.duration_seconds, p_duration))
     is distinct from (v_row.status, v_row.started_at, v_row.ended_at, v_row.duration_seconds) then
    update public.calls set
      status = v_status,
      started_at = coalesce(started_at, p_started_at),
      ended_at = coalesce(ended_at, p_ended_at),
      duration_seconds = coalesce(duration_seconds, p_duration)
    where tenant_id = p_tenant_id and id = p_call_id;
  end if;
  return v_status;
end;
$$;

-- Call minutes, rounded up, counted once per call whichever provider reports its end first (Twilio's status
-- callback, an AI platform's status event or report): the call's id is the usage source, so every later report of
-- the same call adds nothing. A Twilio call a platform answered is one row (linked by CallSid), hence one count.
-- Returns the minutes of a completed call (null otherwise).
create or replace function private.voice_bill_call(p_tenant_id uuid, p_call_id uuid)
returns int
language plpgsql
set search_path = ''
as $$
declare
  v_row public.calls;
  v_minutes int;
begin
  select * into v_row from public.calls where tenant_id = p_tenant_id and id = p_call_id;
  if v_row.status is distinct from 'completed' or coalesce(v_row.duration_seconds, 0) <= 0 then
    return null;
  end if;
  v_minutes := ceil(v_row.duration_seconds / 60.0)::int;
  perform private.record_usage(p_tenant_id, 'call_minutes', v_minutes, p_call_id::text, coalesce(v_row.ended_at, now()));
  return v_minutes;
end;
$$;

do $grants$
declare
  f text;
begin
  foreach f in array array[
    'private.voice_open_at(uuid, timestamptz)',
    'private.callable_number(text)',
    'private.voice_customer(uuid, text, text, timestamptz)',
    'private.voice_call_advance(uuid, uuid, public.call_status, timestamptz, timestamptz, int)',
    'private.voice_bill_call(uuid, uuid)'
  ] loop
    execute format('revoke all on function %s from public', f);
  end loop;
end
$grants$;
