-- The receptionist's tools: what every assistant (the WhatsApp assistant, a later LLM assistant, Vapi and Retell voice
-- agents, MCP clients) may do while it talks to a caller, each one `security definer` function in one transaction,
-- executable only by `frontdesk_webhook` (the role and pattern of the whatsapp_ingest migration). The TypeScript layer
-- (supabase/functions/_shared/tools) validates the model's arguments, resolves names to ids of this business and
-- calls these functions; see its README comment for the contract.
--
-- Every tool function has the same signature:
--   private.tool_<name>(p_tenant_id uuid, p_caller jsonb, p_args jsonb) returns jsonb
-- p_tenant_id  the business the *verified* request resolved to (the agent's, the channel's, the API key's tenant),
--              never anything the model said.
-- p_caller     who is on the line, as server code knows it: {source, customer_id?, phone?, call_id?, conversation_id?,
--              tool_call_id?}. Every id in it is checked against p_tenant_id before it is used; a withheld or
--              invalid phone number never looks up or creates a customer or caller profile.
-- p_args       the tool's resolved arguments (ids of this business, instants). Every id is looked up *within
--              p_tenant_id*: an id of another business finds nothing and changes nothing.
-- The answer is a JSON object {ok, reason?, …} the model can act on; a problem is a result, never an exception
-- (an exception here is a bug or an outage). Bookings go through the exclusion constraint like every other booking:
-- a lost race answers reason 'slot_taken' with the next free slots.
--
-- Idempotency: a tool call that changes something and carries the provider's tool-call id is recorded in
-- private.tool_calls with its result; the same id again (a platform retry) answers the stored result, marked
-- `replayed`, and changes nothing. Concurrent retries serialise on the row's primary key.
--
-- Follow-ups for staff (take_message, transfer_to_human) are public.follow_ups: staff read them and set their status.

-- ---------------------------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------------------------

create table public.follow_ups (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  -- 'message': the caller left a message; 'transfer': the caller asked for a person.
  kind text not null default 'message',
  customer_id uuid,
  call_id uuid,
  conversation_id uuid,
  caller_name text,
  callback_phone text,
  content text not null,
  -- Which assistant took it (vapi, retell, mcp, whatsapp, llm).
  source text not null,
  status text not null default 'open',
  done_at timestamptz,
  done_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id) on delete set null (customer_id),
  foreign key (tenant_id, call_id) references public.calls (tenant_id, id) on delete set null (call_id),
  foreign key (tenant_id, conversation_id) references public.conversations (tenant_id, id) on delete set null (conversation_id),
  constraint follow_ups_kind check (kind in ('message', 'transfer')),
  constraint follow_ups_status check (status in ('open', 'done')),
  constraint follow_ups_source check (source in ('vapi', 'retell', 'mcp', 'whatsapp', 'llm')),
  constraint follow_ups_content_size check (length(btrim(content)) between 1 and 4000),
  constraint follow_ups_caller_name_size check (caller_name is null or length(caller_name) <= 200),
  constraint follow_ups_callback_e164 check (callback_phone is null or callback_phone ~ '^\+[1-9][0-9]{6,14}$')
);
create index follow_ups_inbox_idx on public.follow_ups (tenant_id, status, created_at desc);
create index follow_ups_customer_idx on public.follow_ups (tenant_id, customer_id);
create index follow_ups_call_idx on public.follow_ups (tenant_id, call_id);
create index follow_ups_conversation_idx on public.follow_ups (tenant_id, conversation_id);
create index follow_ups_done_by_idx on public.follow_ups (done_by);

-- Marking a follow-up done stamps when and who; reopening clears both.
create or replace function private.follow_ups_status()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status is distinct from old.status then
    new.done_at := case when new.status = 'done' then now() end;
    new.done_by := case when new.status = 'done' then (select auth.uid()) end;
  end if;
  return new;
end;
$$;
create trigger follow_ups_status before update on public.follow_ups
  for each row execute function private.follow_ups_status();
create trigger follow_ups_updated_at before update on public.follow_ups
  for each row execute function private.set_updated_at();

-- Staff read the follow-ups of their business and mark them done (or open again); they are created only by the tools.
select private.apply_tenant_policies('public.follow_ups', 'staff', 'staff', array['update']);
select private.grant_writes('public.follow_ups', null, array['status'], false);

-- The tool calls that changed something, by the provider's tool-call id, with the answer given.
create table private.tool_calls (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  provider text not null,
  tool_call_id text not null,
  tool text not null,
  call_id uuid,
  conversation_id uuid,
  result jsonb,
  created_at timestamptz not null default now(),
  primary key (tenant_id, provider, tool_call_id),
  constraint tool_calls_id_size check (length(tool_call_id) between 1 and 200)
);
revoke all on table private.tool_calls from public;

-- ---------------------------------------------------------------------------------------------------------------
-- Helpers (granted to no one: they run inside the tool functions below, as their owner)
-- ---------------------------------------------------------------------------------------------------------------

-- A uuid, or null for anything that is not one (never an exception).
create or replace function private.tool_uuid(p_value text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select case when p_value ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then p_value::uuid end
$$;

-- The phone number if it identifies a person, else null, so a hidden number never finds, merges or creates anybody.
-- Whether it does is private.callable_number's rule (20261124002100_voice_calls.sql: E.164, and not one of the
-- numbers carriers put in place of a withheld caller id), the one definition every path uses.
create or replace function private.tool_phone(p_phone text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when private.callable_number(btrim(p_phone)) then btrim(p_phone) end
$$;

-- The caller's phone number: the context's, else the other party of the context's call (when it is this business's).
create or replace function private.tool_caller_phone(p_tenant_id uuid, p_caller jsonb)
returns text
language sql
stable
set search_path = ''
as $$
  select coalesce(
    private.tool_phone(p_caller ->> 'phone'),
    (select private.tool_phone(case when c.direction = 'inbound' then c.from_number else c.to_number end)
     from public.calls c
     where c.tenant_id = p_tenant_id and c.id = private.tool_uuid(p_caller ->> 'call_id')))
$$;

-- The caller's customer in this business: the conversation's, else the given customer (if it is this business's),
-- else the call's, else the one with the caller's (usable) phone number, created when p_create. A call without a
-- customer gets linked to the one found. Null when the caller cannot be identified.
create or replace function private.tool_customer(p_tenant_id uuid, p_caller jsonb, p_create boolean)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_customer uuid;
  v_call uuid;
  v_call_customer uuid;
  v_phone text := private.tool_caller_phone(p_tenant_id, p_caller);
begin
  select c.customer_id into v_customer from public.conversations c
  where c.tenant_id = p_tenant_id and c.id = private.tool_uuid(p_caller ->> 'conversation_id');
  if v_customer is null then
    select cu.id into v_customer from public.customers cu
    where cu.tenant_id = p_tenant_id and cu.id = private.tool_uuid(p_caller ->> 'customer_id');
  end if;
  select c.id, c.customer_id into v_call, v_call_customer from public.calls c
  where c.tenant_id = p_tenant_id and c.id = private.tool_uuid(p_caller ->> 'call_id');
  v_customer := coalesce(v_customer, v_call_customer);
  if v_customer is null and v_phone is not null then
    select cu.id into v_customer from public.customers cu where cu.tenant_id = p_tenant_id and cu.phone = v_phone;
    if v_customer is null and p_create then
      insert into public.customers (tenant_id, phone, first_contact_at, last_contact_at)
      values (p_tenant_id, v_phone, now(), now())
      on conflict do nothing
      returning id into v_customer;
      if v_customer is null then -- a concurrent first contact created it
        select cu.id into v_customer from public.customers cu where cu.tenant_id = p_tenant_id and cu.phone = v_phone;
      end if;
    end if;
  end if;
  if v_call is not null and v_call_customer is null and v_customer is not null then
    update public.calls set customer_id = v_customer where tenant_id = p_tenant_id and id = v_call and customer_id is null;
  end if;
  return v_customer;
end;
$$;

-- What a booking made by this assistant is recorded as.
create or replace function private.tool_booking_source(p_caller jsonb)
returns public.booking_source
language sql
immutable
set search_path = ''
as $$
  select case
    when p_caller ->> 'source' in ('vapi', 'retell') then 'voice'
    when p_caller ->> 'source' = 'whatsapp' or nullif(p_caller ->> 'conversation_id', '') is not null then 'whatsapp'
    else 'api'
  end::public.booking_source
$$;

-- The stored answer to an earlier call with the same provider tool-call id, or null (and the id is now claimed: the
-- caller must record its answer with tool_answer). Without a tool-call id nothing is claimed.
create or replace function private.tool_claim(p_tenant_id uuid, p_caller jsonb, p_tool text)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  if coalesce(p_caller ->> 'tool_call_id', '') = '' then
    return null;
  end if;
  insert into private.tool_calls (tenant_id, provider, tool_call_id, tool, call_id, conversation_id)
  values (p_tenant_id, coalesce(p_caller ->> 'source', 'unknown'), left(p_caller ->> 'tool_call_id', 200), p_tool,
          private.tool_uuid(p_caller ->> 'call_id'), private.tool_uuid(p_caller ->> 'conversation_id'))
  on conflict do nothing;
  if found then
    return null;
  end if;
  select t.result into v_result from private.tool_calls t
  where t.tenant_id = p_tenant_id and t.provider = coalesce(p_caller ->> 'source', 'unknown')
    and t.tool_call_id = left(p_caller ->> 'tool_call_id', 200);
  return coalesce(v_result, '{}'::jsonb) || jsonb_build_object('replayed', true);
end;
$$;

-- Records the answer to a claimed tool call (with what the server resolved the model's words to, p_args.resolved, so
-- a replay says the same) and returns it.
create or replace function private.tool_answer(p_tenant_id uuid, p_caller jsonb, p_args jsonb, p_result jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_result jsonb := case when p_args ? 'resolved' then p_result || jsonb_build_object('resolved', p_args -> 'resolved')
                         else p_result end;
begin
  if coalesce(p_caller ->> 'tool_call_id', '') <> '' then
    update private.tool_calls set result = v_result
    where tenant_id = p_tenant_id and provider = coalesce(p_caller ->> 'source', 'unknown')
      and tool_call_id = left(p_caller ->> 'tool_call_id', 200);
  end if;
  return v_result;
end;
$$;

-- Free start times of a service, one entry per start time with the staff free then, between local days p_from and
-- p_to, optionally only starting in [p_after, p_before) local time, nothing before p_not_before, at most p_limit.
create or replace function private.tool_free_slots(
  p_tenant_id uuid, p_service_id uuid, p_from date, p_to date, p_staff_id uuid,
  p_after time, p_before time, p_not_before timestamptz, p_limit int
)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('starts_at', q.starts_at, 'ends_at', q.ends_at, 'staff', q.staff)
                            order by q.starts_at), '[]'::jsonb)
  from (
    select s.starts_at, min(s.ends_at) as ends_at,
           jsonb_agg(jsonb_build_object('id', st.id, 'name', st.name) order by st.name, st.id) as staff
    from public.tenants t
    cross join lateral private.available_slots(p_tenant_id, p_service_id, p_from, p_to, p_staff_id, 15, p_not_before) s
    join public.staff st on st.tenant_id = p_tenant_id and st.id = s.staff_id
    where t.id = p_tenant_id
      and (p_after is null or (s.starts_at at time zone t.timezone)::time >= p_after)
      and (p_before is null or (s.starts_at at time zone t.timezone)::time < p_before)
    group by s.starts_at
    order by s.starts_at
    limit greatest(coalesce(p_limit, 8), 1)
  ) q
$$;

-- Books p_starts_at for the customer (any free staff of the service when p_staff_id is null), optionally replacing
-- p_replaces (a reschedule: the old booking is cancelled only if the new time can be had). Never raises for a lost
-- race: {ok: false, reason: 'slot_taken' | 'not_available'}.
create or replace function private.tool_book_core(
  p_tenant_id uuid, p_customer_id uuid, p_service_id uuid, p_staff_id uuid, p_starts_at timestamptz,
  p_source public.booking_source, p_replaces uuid, p_cancel_reason text, p_notes text
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_service public.services;
  v_candidate uuid;
  v_booking public.bookings;
  v_raced boolean := false;
begin
  select * into v_service from public.services where tenant_id = p_tenant_id and id = p_service_id and active;
  if v_service.id is null then
    return jsonb_build_object('ok', false, 'reason', 'unknown_service');
  end if;
  if p_starts_at is null then
    return jsonb_build_object('ok', false, 'reason', 'no_time');
  end if;
  begin
    if p_replaces is not null then
      update public.bookings set status = 'cancelled', cancel_reason = p_cancel_reason
      where tenant_id = p_tenant_id and id = p_replaces and customer_id = p_customer_id and status in ('pending', 'confirmed');
    end if;
    for v_candidate in
      select s.staff_id from private.available_slots(p_tenant_id, p_service_id, (p_starts_at at time zone 'UTC')::date - 1,
                                                    (p_starts_at at time zone 'UTC')::date + 1, p_staff_id, 5, now()) s
      where s.starts_at = p_starts_at
    loop
      begin
        insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, status, source,
                                     notes, price_cents, currency)
        values (p_tenant_id, p_customer_id, p_service_id, v_candidate, p_starts_at,
                p_starts_at + v_service.duration_minutes * interval '1 minute', 'confirmed', p_source,
                p_notes, v_service.price_cents, v_service.currency)
        returning * into v_booking;
        return jsonb_build_object('ok', true, 'booking', jsonb_build_object(
          'id', v_booking.id, 'service_id', v_booking.service_id, 'staff_id', v_booking.staff_id,
          'starts_at', v_booking.starts_at, 'ends_at', v_booking.ends_at, 'status', v_booking.status,
          'price_cents', v_booking.price_cents, 'currency', v_booking.currency));
      exception when exclusion_violation then
        v_raced := true; -- someone took it a moment ago: the next staff member free then
      end;
    end loop;
    raise exception using errcode = 'P0001', message = 'frontdesk.slot_taken';
  exception when sqlstate 'P0001' then
    if sqlerrm <> 'frontdesk.slot_taken' then
      raise;
    end if;
  end;
  -- Taken (a live booking overlaps it, or we lost the race for it) or simply not a free time (closed, past, off the
  -- 15-minute grid, not done by that person).
  if v_raced or exists (
    select 1 from public.bookings b
    join public.staff_services ss on ss.tenant_id = b.tenant_id and ss.staff_id = b.staff_id and ss.service_id = p_service_id
    where b.tenant_id = p_tenant_id and b.status in ('pending', 'confirmed')
      and (p_staff_id is null or b.staff_id = p_staff_id)
      and (p_replaces is null or b.id <> p_replaces)
      and tstzrange(b.starts_at, b.ends_at, '[)') && tstzrange(p_starts_at, p_starts_at + v_service.duration_minutes * interval '1 minute', '[)'))
  then
    return jsonb_build_object('ok', false, 'reason', 'slot_taken');
  end if;
  return jsonb_build_object('ok', false, 'reason', 'not_available');
end;
$$;

-- The next free start times from p_at (or now) onwards over the following week, for "that one is gone; these are free".
create or replace function private.tool_next_slots(p_tenant_id uuid, p_service_id uuid, p_staff_id uuid, p_at timestamptz, p_limit int default 5)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select private.tool_free_slots(p_tenant_id, p_service_id,
                                 (greatest(p_at, now()) at time zone t.timezone)::date,
                                 (greatest(p_at, now()) at time zone t.timezone)::date + 7,
                                 p_staff_id, null, null, greatest(p_at, now()), p_limit)
  from public.tenants t where t.id = p_tenant_id
$$;

-- A booking as the tools describe it.
create or replace function private.tool_booking_json(p_tenant_id uuid, p_booking_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object('id', b.id, 'service_id', b.service_id, 'service', s.name, 'staff_id', b.staff_id,
                            'staff', st.name, 'starts_at', b.starts_at, 'ends_at', b.ends_at, 'status', b.status,
                            'price_cents', b.price_cents, 'currency', b.currency)
  from public.bookings b
  join public.services s on s.tenant_id = b.tenant_id and s.id = b.service_id
  join public.staff st on st.tenant_id = b.tenant_id and st.id = b.staff_id
  where b.tenant_id = p_tenant_id and b.id = p_booking_id
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- The tools
-- ---------------------------------------------------------------------------------------------------------------

-- What the TypeScript layer needs to resolve a model's words: the business (name, time zone, language), its bookable
-- services and active staff, and — for a tool call id already answered — the stored answer (`replay`).
create or replace function private.tool_context(p_tenant_id uuid, p_caller jsonb)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'tenant', jsonb_build_object('id', t.id, 'name', t.name, 'timezone', t.timezone,
                                 'language', coalesce(t.settings ->> 'language', 'en'), 'status', t.status),
    'services', coalesce((
      select jsonb_agg(jsonb_build_object('id', s.id, 'name', s.name, 'category', s.category,
                                          'duration_minutes', s.duration_minutes, 'price_cents', s.price_cents,
                                          'currency', s.currency,
                                          'staff_ids', (select coalesce(jsonb_agg(ss.staff_id order by ss.staff_id), '[]'::jsonb)
                                                        from public.staff_services ss
                                                        join public.staff st on st.tenant_id = ss.tenant_id and st.id = ss.staff_id and st.active
                                                        where ss.tenant_id = t.id and ss.service_id = s.id))
                       order by s.name)
      from public.services s where s.tenant_id = t.id and s.active), '[]'::jsonb),
    'staff', coalesce((
      select jsonb_agg(jsonb_build_object('id', st.id, 'name', st.name) order by st.name)
      from public.staff st where st.tenant_id = t.id and st.active), '[]'::jsonb),
    'replay', (
      select tc.result || jsonb_build_object('replayed', true) from private.tool_calls tc
      where tc.tenant_id = t.id and tc.provider = coalesce(p_caller ->> 'source', 'unknown')
        and tc.tool_call_id = left(p_caller ->> 'tool_call_id', 200) and tc.result is not null)
  )
  from public.tenants t
  where t.id = p_tenant_id and t.status = 'active'
$$;

-- p_args: {service_id, staff_id?, from (local date), to (local date), after? (local time), before?, limit?}
create or replace function private.tool_check_availability(p_tenant_id uuid, p_caller jsonb, p_args jsonb)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_service public.services;
  v_staff public.staff;
  v_from date := (p_args ->> 'from')::date;
  v_to date := coalesce((p_args ->> 'to')::date, (p_args ->> 'from')::date);
  v_slots jsonb;
  v_next jsonb := '[]'::jsonb;
  v_limit int := least(greatest(coalesce((p_args ->> 'limit')::int, 8), 1), 20);
begin
  select * into v_service from public.services
  where tenant_id = p_tenant_id and id = private.tool_uuid(p_args ->> 'service_id') and active;
  if v_service.id is null then
    return jsonb_build_object('ok', false, 'reason', 'unknown_service');
  end if;
  if p_args ? 'staff_id' and p_args ->> 'staff_id' is not null then
    select st.* into v_staff from public.staff st
    join public.staff_services ss on ss.tenant_id = st.tenant_id and ss.staff_id = st.id and ss.service_id = v_service.id
    where st.tenant_id = p_tenant_id and st.id = private.tool_uuid(p_args ->> 'staff_id') and st.active;
    if v_staff.id is null then
      return jsonb_build_object('ok', false, 'reason', 'staff_not_offering', 'service', v_service.name,
        'staff_offering', (select coalesce(jsonb_agg(st.name order by st.name), '[]'::jsonb) from public.staff st
                           join public.staff_services ss on ss.tenant_id = st.tenant_id and ss.staff_id = st.id
                           where st.tenant_id = p_tenant_id and ss.service_id = v_service.id and st.active));
    end if;
  end if;
  if v_from is null or v_to < v_from or v_to - v_from > 13 then
    return jsonb_build_object('ok', false, 'reason', 'bad_range');
  end if;
  v_slots := private.tool_free_slots(p_tenant_id, v_service.id, v_from, v_to, v_staff.id,
                                     (p_args ->> 'after')::time, (p_args ->> 'before')::time, now(), v_limit);
  if jsonb_array_length(v_slots) = 0 then
    v_next := private.tool_free_slots(p_tenant_id, v_service.id, v_to + 1, v_to + 14, v_staff.id, null, null, now(), 5);
  end if;
  return jsonb_build_object(
    'ok', true,
    'service', jsonb_build_object('id', v_service.id, 'name', v_service.name, 'duration_minutes', v_service.duration_minutes,
                                  'price_cents', v_service.price_cents, 'currency', v_service.currency),
    'staff', case when v_staff.id is not null then jsonb_build_object('id', v_staff.id, 'name', v_staff.name) end,
    'from', v_from, 'to', v_to, 'after', p_args ->> 'after', 'before', p_args ->> 'before',
    'slots', v_slots, 'next_slots', v_next);
end;
$$;

-- p_args: {service_id, staff_id?, starts_at, customer_name?, notes?}
create or replace function private.tool_book_appointment(p_tenant_id uuid, p_caller jsonb, p_args jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_replay jsonb := private.tool_claim(p_tenant_id, p_caller, 'book_appointment');
  v_customer uuid;
  v_service uuid := private.tool_uuid(p_args ->> 'service_id');
  v_staff uuid := private.tool_uuid(p_args ->> 'staff_id');
  v_at timestamptz := (p_args ->> 'starts_at')::timestamptz;
  v_result jsonb;
begin
  if v_replay is not null then
    return v_replay;
  end if;
  if p_args ->> 'staff_id' is not null and not exists (
       select 1 from public.staff where tenant_id = p_tenant_id and id = v_staff and active) then
    return private.tool_answer(p_tenant_id, p_caller, p_args, jsonb_build_object('ok', false, 'reason', 'unknown_staff'));
  end if;
  if not exists (select 1 from public.services where tenant_id = p_tenant_id and id = v_service and active) then
    return private.tool_answer(p_tenant_id, p_caller, p_args, jsonb_build_object('ok', false, 'reason', 'unknown_service'));
  end if;
  v_customer := private.tool_customer(p_tenant_id, p_caller, true);
  if v_customer is null then
    return private.tool_answer(p_tenant_id, p_caller, p_args, jsonb_build_object('ok', false, 'reason', 'unknown_caller'));
  end if;
  if nullif(btrim(p_args ->> 'customer_name'), '') is not null then
    update public.customers set name = left(btrim(p_args ->> 'customer_name'), 200)
    where tenant_id = p_tenant_id and id = v_customer and name is null;
  end if;
  v_result := private.tool_book_core(p_tenant_id, v_customer, v_service, v_staff, v_at,
                                     private.tool_booking_source(p_caller), null, null, nullif(p_args ->> 'notes', ''));
  if (v_result ->> 'ok')::boolean then
    v_result := jsonb_build_object('ok', true, 'booking', private.tool_booking_json(p_tenant_id, (v_result -> 'booking' ->> 'id')::uuid));
  elsif v_result ->> 'reason' in ('slot_taken', 'not_available') then
    v_result := v_result || jsonb_build_object('next_slots', private.tool_next_slots(p_tenant_id, v_service, v_staff, v_at));
  end if;
  return private.tool_answer(p_tenant_id, p_caller, p_args, v_result || jsonb_build_object('customer_id', v_customer));
end;
$$;

-- p_args: {booking_id, starts_at, staff_id? (null: the same person; with any_staff true: anyone free), reason? (the old
-- booking's cancel_reason)}
create or replace function private.tool_reschedule_appointment(p_tenant_id uuid, p_caller jsonb, p_args jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_replay jsonb := private.tool_claim(p_tenant_id, p_caller, 'reschedule_appointment');
  v_customer uuid;
  v_old public.bookings;
  v_staff uuid;
  v_at timestamptz := (p_args ->> 'starts_at')::timestamptz;
  v_result jsonb;
begin
  if v_replay is not null then
    return v_replay;
  end if;
  v_customer := private.tool_customer(p_tenant_id, p_caller, false);
  select * into v_old from public.bookings
  where tenant_id = p_tenant_id and id = private.tool_uuid(p_args ->> 'booking_id') and customer_id = v_customer
    and status in ('pending', 'confirmed') and starts_at > now()
  for update;
  if v_old.id is null then
    return private.tool_answer(p_tenant_id, p_caller, p_args, jsonb_build_object('ok', false, 'reason', 'unknown_booking'));
  end if;
  if p_args ->> 'staff_id' is not null then
    v_staff := private.tool_uuid(p_args ->> 'staff_id');
    if not exists (select 1 from public.staff where tenant_id = p_tenant_id and id = v_staff and active) then
      return private.tool_answer(p_tenant_id, p_caller, p_args, jsonb_build_object('ok', false, 'reason', 'unknown_staff'));
    end if;
  elsif not coalesce((p_args ->> 'any_staff')::boolean, false) then
    v_staff := v_old.staff_id;
  end if;
  v_result := private.tool_book_core(p_tenant_id, v_customer, v_old.service_id, v_staff, v_at,
                                     v_old.source, v_old.id,
                                     coalesce(left(nullif(btrim(p_args ->> 'reason'), ''), 500),
                                              format('rescheduled by the %s assistant', coalesce(p_caller ->> 'source', 'receptionist'))),
                                     v_old.notes);
  if (v_result ->> 'ok')::boolean then
    v_result := jsonb_build_object('ok', true,
      'booking', private.tool_booking_json(p_tenant_id, (v_result -> 'booking' ->> 'id')::uuid),
      'previous', private.tool_booking_json(p_tenant_id, v_old.id));
  else
    v_result := v_result || jsonb_build_object(
      'booking', private.tool_booking_json(p_tenant_id, v_old.id),
      'next_slots', case when v_result ->> 'reason' in ('slot_taken', 'not_available')
                         then private.tool_next_slots(p_tenant_id, v_old.service_id, v_staff, v_at) else '[]'::jsonb end);
  end if;
  return private.tool_answer(p_tenant_id, p_caller, p_args, v_result);
end;
$$;

-- p_args: {booking_id, reason?}
create or replace function private.tool_cancel_appointment(p_tenant_id uuid, p_caller jsonb, p_args jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_replay jsonb := private.tool_claim(p_tenant_id, p_caller, 'cancel_appointment');
  v_customer uuid;
  v_id uuid;
begin
  if v_replay is not null then
    return v_replay;
  end if;
  v_customer := private.tool_customer(p_tenant_id, p_caller, false);
  update public.bookings set status = 'cancelled',
    cancel_reason = coalesce(left(nullif(btrim(p_args ->> 'reason'), ''), 500),
                             format('cancelled by the %s assistant', coalesce(p_caller ->> 'source', 'receptionist')))
  where tenant_id = p_tenant_id and id = private.tool_uuid(p_args ->> 'booking_id') and customer_id = v_customer
    and status in ('pending', 'confirmed') and starts_at > now()
  returning id into v_id;
  if v_id is null then
    return private.tool_answer(p_tenant_id, p_caller, p_args, jsonb_build_object('ok', false, 'reason', 'unknown_booking'));
  end if;
  return private.tool_answer(p_tenant_id, p_caller, p_args, jsonb_build_object('ok', true, 'booking', private.tool_booking_json(p_tenant_id, v_id)));
end;
$$;

-- The caller's upcoming live bookings, soonest first. p_args: {}
create or replace function private.tool_list_appointments(p_tenant_id uuid, p_caller jsonb, p_args jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_customer uuid := private.tool_customer(p_tenant_id, p_caller, false);
begin
  if v_customer is null then
    return jsonb_build_object('ok', true, 'known_caller', false, 'bookings', '[]'::jsonb);
  end if;
  return jsonb_build_object('ok', true, 'known_caller', true, 'bookings', coalesce((
    select jsonb_agg(private.tool_booking_json(p_tenant_id, b.id) order by b.starts_at, b.id)
    from public.bookings b
    where b.tenant_id = p_tenant_id and b.customer_id = v_customer
      and b.status in ('pending', 'confirmed') and b.starts_at > now()), '[]'::jsonb));
end;
$$;

-- Hours today and for the next 7 days (closures applied), upcoming closures, address, services with prices and
-- durations and who does them, and the team. p_args: {}
create or replace function private.tool_business_info(p_tenant_id uuid, p_caller jsonb, p_args jsonb)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  with t as (
    select t.*, (now() at time zone t.timezone)::date as today from public.tenants t where t.id = p_tenant_id
  ), days as (
    select d::date as day, extract(dow from d)::smallint as weekday
    from t cross join generate_series(t.today::timestamp, t.today::timestamp + interval '6 days', interval '1 day') d
  ), week as (
    select dy.day, dy.weekday,
           (select c.reason from public.closures c
            where c.tenant_id = p_tenant_id and c.staff_id is null
              and c.starts_at <= (dy.day::timestamp + time '12:00') at time zone t.timezone
              and c.ends_at > (dy.day::timestamp + time '12:00') at time zone t.timezone
            limit 1) as closure_reason,
           exists (select 1 from public.closures c
                   where c.tenant_id = p_tenant_id and c.staff_id is null
                     and tstzrange(c.starts_at, c.ends_at) @> tstzrange(dy.day::timestamp at time zone t.timezone,
                                                                         (dy.day + 1)::timestamp at time zone t.timezone)) as closed_all_day,
           coalesce((select jsonb_agg(jsonb_build_object('opens', to_char(h.opens_at, 'HH24:MI'), 'closes', to_char(h.closes_at, 'HH24:MI'))
                                      order by h.opens_at)
                     from public.business_hours h where h.tenant_id = p_tenant_id and h.weekday = dy.weekday), '[]'::jsonb) as hours
    from days dy cross join t
  )
  select jsonb_build_object(
    'ok', true,
    'business', jsonb_build_object('name', t.name, 'category', t.category, 'address', t.address, 'phone', t.phone,
                                   'timezone', t.timezone, 'language', coalesce(t.settings ->> 'language', 'en')),
    'now', jsonb_build_object('local', to_char(now() at time zone t.timezone, 'YYYY-MM-DD"T"HH24:MI'),
                              'open', private.voice_open_at(p_tenant_id, now())),
    'today', (select jsonb_build_object('day', w.day, 'weekday', w.weekday,
                                        'hours', case when w.closed_all_day then '[]'::jsonb else w.hours end,
                                        'closure', w.closure_reason, 'closed_all_day', w.closed_all_day)
              from week w where w.day = t.today),
    'week', (select jsonb_agg(jsonb_build_object('day', w.day, 'weekday', w.weekday,
                                                 'hours', case when w.closed_all_day then '[]'::jsonb else w.hours end,
                                                 'closure', w.closure_reason, 'closed_all_day', w.closed_all_day) order by w.day)
             from week w),
    'closures', coalesce((
      select jsonb_agg(jsonb_build_object('starts_at', c.starts_at, 'ends_at', c.ends_at, 'reason', c.reason) order by c.starts_at)
      from public.closures c
      where c.tenant_id = p_tenant_id and c.staff_id is null and c.ends_at > now() and c.starts_at < now() + interval '60 days'), '[]'::jsonb),
    'services', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', s.id, 'name', s.name, 'category', s.category, 'description', s.description,
               'duration_minutes', s.duration_minutes, 'price_cents', s.price_cents, 'currency', s.currency,
               'staff', (select coalesce(jsonb_agg(st.name order by st.name), '[]'::jsonb) from public.staff_services ss
                         join public.staff st on st.tenant_id = ss.tenant_id and st.id = ss.staff_id and st.active
                         where ss.tenant_id = p_tenant_id and ss.service_id = s.id)) order by s.name)
      from public.services s where s.tenant_id = p_tenant_id and s.active), '[]'::jsonb),
    'staff', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', st.id, 'name', st.name,
               'services', (select coalesce(jsonb_agg(s.name order by s.name), '[]'::jsonb) from public.staff_services ss
                            join public.services s on s.tenant_id = ss.tenant_id and s.id = ss.service_id and s.active
                            where ss.tenant_id = p_tenant_id and ss.staff_id = st.id)) order by st.name)
      from public.staff st where st.tenant_id = p_tenant_id and st.active), '[]'::jsonb))
  from t
$$;

-- Who is calling, as far as this business knows: the customer (name, visits, preferred staff and services), the caller
-- profile (name, summary, preferences), the last call summaries, the top memories (ranked as memory_recall ranks
-- them: relevance to p_args.query, importance, recency) and upcoming bookings. A withheld number knows nobody.
-- p_args: {query?, limit?}
create or replace function private.tool_caller_profile(p_tenant_id uuid, p_caller jsonb, p_args jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_phone text := private.tool_caller_phone(p_tenant_id, p_caller);
  v_customer public.customers;
  v_profile public.caller_profiles;
  v_query tsquery;
  v_limit int := least(greatest(coalesce((p_args ->> 'limit')::int, 10), 1), 50);
  v_memories jsonb := '[]'::jsonb;
begin
  -- Resolved once, then looked up: tool_customer is volatile, so in the WHERE clause it would run once per customer.
  select cu.* into v_customer from public.customers cu
  where cu.tenant_id = p_tenant_id and cu.id = (select private.tool_customer(p_tenant_id, p_caller, false));
  if v_phone is not null then
    select * into v_profile from public.caller_profiles p where p.tenant_id = p_tenant_id and p.phone = v_phone;
  end if;
  if v_profile.id is null and v_customer.id is not null then
    select * into v_profile from public.caller_profiles p
    where p.tenant_id = p_tenant_id and p.customer_id = v_customer.id order by p.last_call_at desc nulls last limit 1;
  end if;
  if v_customer.id is null and v_profile.id is null then
    return jsonb_build_object('ok', true, 'known', false);
  end if;
  if nullif(btrim(p_args ->> 'query'), '') is not null then
    v_query := websearch_to_tsquery('simple', p_args ->> 'query');
    if numnode(v_query) = 0 then
      v_query := null;
    end if;
  end if;
  if v_profile.id is not null then
    with scored as (
      select m.id, m.content, m.kind, m.importance, m.created_at,
             case when v_query is not null and m.search @@ v_query then ts_rank(m.search, v_query) end as rank
      from public.memories m where m.tenant_id = p_tenant_id and m.caller_id = v_profile.id
    ), ranked as (
      select s.*, 0.5 * coalesce(s.rank / nullif(max(s.rank) over (), 0), 0)
                  + 0.3 * (s.importance - 1) / 9.0
                  + 0.2 * exp(-0.693147180559945 * greatest(extract(epoch from now() - s.created_at)::float8, 0) / 2592000.0) as score
      from scored s
    ), top as (
      select * from ranked r order by r.score desc, r.created_at desc, r.id limit v_limit
    )
    select coalesce(jsonb_agg(jsonb_build_object('content', t.content, 'kind', t.kind, 'importance', t.importance,
                                                 'created_at', t.created_at) order by t.score desc, t.created_at desc, t.id), '[]'::jsonb)
      into v_memories from top t;
  end if;
  return jsonb_build_object(
    'ok', true, 'known', true,
    'name', coalesce(v_customer.name, v_profile.display_name),
    'customer', case when v_customer.id is not null then jsonb_build_object(
      'id', v_customer.id, 'name', v_customer.name, 'visit_count', v_customer.visit_count,
      'first_contact_at', v_customer.first_contact_at, 'last_contact_at', v_customer.last_contact_at,
      'preferred_staff', (select coalesce(jsonb_agg(st.name order by st.name), '[]'::jsonb) from public.customer_staff_preferences p
                          join public.staff st on st.tenant_id = p.tenant_id and st.id = p.staff_id
                          where p.tenant_id = p_tenant_id and p.customer_id = v_customer.id),
      'preferred_services', (select coalesce(jsonb_agg(s.name order by s.name), '[]'::jsonb) from public.customer_service_preferences p
                             join public.services s on s.tenant_id = p.tenant_id and s.id = p.service_id
                             where p.tenant_id = p_tenant_id and p.customer_id = v_customer.id)) end,
    'profile', case when v_profile.id is not null then jsonb_build_object(
      'display_name', v_profile.display_name, 'summary', v_profile.summary, 'preferences', v_profile.preferences,
      'call_count', v_profile.call_count, 'last_call_at', v_profile.last_call_at) end,
    'recent_summaries', coalesce((
      select jsonb_agg(jsonb_build_object('at', x.created_at, 'summary', x.summary, 'outcome', x.outcome) order by x.created_at desc)
      from (
        select c.created_at, s.summary, s.outcome
        from public.calls c join public.call_summaries s on s.tenant_id = c.tenant_id and s.call_id = c.id
        where c.tenant_id = p_tenant_id
          and c.id is distinct from private.tool_uuid(p_caller ->> 'call_id')
          and ((v_customer.id is not null and c.customer_id = v_customer.id)
               or (v_phone is not null and (case when c.direction = 'inbound' then c.from_number else c.to_number end) = v_phone))
        order by c.created_at desc limit 3) x), '[]'::jsonb),
    'memories', v_memories,
    'upcoming_bookings', case when v_customer.id is null then '[]'::jsonb else coalesce((
      select jsonb_agg(private.tool_booking_json(p_tenant_id, b.id) order by b.starts_at, b.id)
      from public.bookings b
      where b.tenant_id = p_tenant_id and b.customer_id = v_customer.id
        and b.status in ('pending', 'confirmed') and b.starts_at > now()), '[]'::jsonb) end);
end;
$$;

-- Stores one memory about the caller, counted against the plan like memory_store (one usage event per memory; past
-- the month's allowance nothing is stored and the answer says so, status 402). p_args: {content, kind?, importance?}
create or replace function private.tool_remember(p_tenant_id uuid, p_caller jsonb, p_args jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_replay jsonb := private.tool_claim(p_tenant_id, p_caller, 'remember');
  v_customer uuid;
  v_phone text;
  v_profile uuid;
  v_call uuid;
  v_plan public.plans;
  v_id uuid;
  v_kind text := coalesce(p_args ->> 'kind', 'fact');
  v_importance int := least(10, greatest(1, coalesce((p_args ->> 'importance')::int, 5)));
begin
  if v_replay is not null then
    return v_replay;
  end if;
  if v_kind not in ('fact', 'preference', 'event', 'relationship', 'note', 'follow_up') then
    v_kind := 'fact';
  end if;
  v_customer := private.tool_customer(p_tenant_id, p_caller, false);
  v_phone := coalesce(private.tool_caller_phone(p_tenant_id, p_caller),
                      (select private.tool_phone(cu.phone) from public.customers cu where cu.tenant_id = p_tenant_id and cu.id = v_customer));
  if v_phone is null then
    if v_customer is not null then
      select p.id into v_profile from public.caller_profiles p
      where p.tenant_id = p_tenant_id and p.customer_id = v_customer order by p.last_call_at desc nulls last limit 1;
    end if;
    if v_profile is null then
      return private.tool_answer(p_tenant_id, p_caller, p_args, jsonb_build_object('ok', false, 'reason', 'unknown_caller'));
    end if;
  end if;
  -- One store at a time per business (as memory_store): the allowance check and the usage record cannot interleave.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('frontdesk.memories:' || p_tenant_id::text, 0));
  if not private.within_limit(p_tenant_id, 'memories', 1) then
    v_plan := private.current_plan(p_tenant_id);
    return private.tool_answer(p_tenant_id, p_caller, p_args, jsonb_build_object(
      'ok', false, 'reason', 'plan_limit', 'status', 402,
      'detail', format('the %s plan allows %s memories a month and this month''s are used up', v_plan.name, v_plan.limits ->> 'memories')));
  end if;
  if v_profile is null then
    insert into public.caller_profiles as p (tenant_id, phone, customer_id)
    values (p_tenant_id, v_phone, v_customer)
    on conflict (tenant_id, phone) do update set customer_id = coalesce(p.customer_id, excluded.customer_id)
    returning id into v_profile;
  end if;
  select c.id into v_call from public.calls c where c.tenant_id = p_tenant_id and c.id = private.tool_uuid(p_caller ->> 'call_id');
  insert into public.memories (tenant_id, caller_id, content, kind, importance, source_call_id)
  values (p_tenant_id, v_profile, left(btrim(p_args ->> 'content'), 4000), v_kind, v_importance, v_call)
  returning id into v_id;
  perform private.record_usage(p_tenant_id, 'memories', 1, 'memories:' || v_id::text);
  return private.tool_answer(p_tenant_id, p_caller, p_args, jsonb_build_object(
    'ok', true, 'memory', jsonb_build_object('id', v_id, 'content', left(btrim(p_args ->> 'content'), 4000),
                                             'kind', v_kind, 'importance', v_importance)));
end;
$$;

-- The follow-up row both take_message and transfer_to_human leave for staff.
create or replace function private.tool_follow_up(p_tenant_id uuid, p_caller jsonb, p_kind text, p_content text,
                                                  p_caller_name text, p_callback text)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_customer uuid := private.tool_customer(p_tenant_id, p_caller, false);
  v_row public.follow_ups;
begin
  insert into public.follow_ups (tenant_id, kind, customer_id, call_id, conversation_id, caller_name, callback_phone, content, source)
  values (p_tenant_id, p_kind, v_customer,
          (select c.id from public.calls c where c.tenant_id = p_tenant_id and c.id = private.tool_uuid(p_caller ->> 'call_id')),
          (select c.id from public.conversations c where c.tenant_id = p_tenant_id and c.id = private.tool_uuid(p_caller ->> 'conversation_id')),
          left(nullif(btrim(coalesce(p_caller_name, (select cu.name from public.customers cu where cu.tenant_id = p_tenant_id and cu.id = v_customer))), ''), 200),
          coalesce(private.tool_phone(p_callback), private.tool_caller_phone(p_tenant_id, p_caller),
                   (select private.tool_phone(cu.phone) from public.customers cu where cu.tenant_id = p_tenant_id and cu.id = v_customer)),
          left(btrim(p_content), 4000),
          case when p_caller ->> 'source' in ('vapi', 'retell', 'mcp', 'whatsapp', 'llm') then p_caller ->> 'source' else 'llm' end)
  returning * into v_row;
  return jsonb_build_object('id', v_row.id, 'kind', v_row.kind, 'caller_name', v_row.caller_name,
                            'callback_phone', v_row.callback_phone, 'content', v_row.content, 'status', v_row.status);
end;
$$;

-- p_args: {content, caller_name?, callback_phone?}
create or replace function private.tool_take_message(p_tenant_id uuid, p_caller jsonb, p_args jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_replay jsonb := private.tool_claim(p_tenant_id, p_caller, 'take_message');
begin
  if v_replay is not null then
    return v_replay;
  end if;
  return private.tool_answer(p_tenant_id, p_caller, p_args, jsonb_build_object('ok', true, 'follow_up',
    private.tool_follow_up(p_tenant_id, p_caller, 'message', p_args ->> 'content', p_args ->> 'caller_name', p_args ->> 'callback_phone')));
end;
$$;

-- Records that the caller asked for a person (a follow-up of kind 'transfer' on the call or conversation; a
-- conversation is handed over, so the bot stays quiet) and says what to do: transfer to the business's
-- settings.transfer_number while it is open, hand the chat to staff on WhatsApp, otherwise take a message.
-- p_args: {reason?}
create or replace function private.tool_transfer_to_human(p_tenant_id uuid, p_caller jsonb, p_args jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_replay jsonb := private.tool_claim(p_tenant_id, p_caller, 'transfer_to_human');
  v_number text;
  v_open boolean := private.voice_open_at(p_tenant_id, now());
  v_conversation uuid;
  v_follow_up jsonb;
begin
  if v_replay is not null then
    return v_replay;
  end if;
  select private.tool_phone(t.settings ->> 'transfer_number') into v_number from public.tenants t where t.id = p_tenant_id;
  v_follow_up := private.tool_follow_up(p_tenant_id, p_caller, 'transfer',
                                        coalesce(nullif(btrim(p_args ->> 'reason'), ''), 'The caller asked to speak to a person.'),
                                        null, null);
  update public.conversations set handed_over_at = coalesce(handed_over_at, now())
  where tenant_id = p_tenant_id and id = private.tool_uuid(p_caller ->> 'conversation_id')
  returning id into v_conversation;
  return private.tool_answer(p_tenant_id, p_caller, p_args, jsonb_build_object(
    'ok', true,
    'action', case when v_conversation is not null then 'handover'
                   when v_number is not null and v_open then 'transfer'
                   else 'take_message' end,
    'transfer_number', case when v_conversation is null and v_open then v_number end,
    'reason', case when v_conversation is not null then null
                   when v_number is null then 'no_transfer_number'
                   when not v_open then 'closed' end,
    'follow_up', v_follow_up));
end;
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Grants: the webhook role executes the tools and the context read; the helpers are internal.
-- ---------------------------------------------------------------------------------------------------------------
do $grants$
declare
  f text;
begin
  foreach f in array array[
    'private.follow_ups_status()',
    'private.tool_uuid(text)',
    'private.tool_phone(text)',
    'private.tool_caller_phone(uuid, jsonb)',
    'private.tool_customer(uuid, jsonb, boolean)',
    'private.tool_booking_source(jsonb)',
    'private.tool_claim(uuid, jsonb, text)',
    'private.tool_answer(uuid, jsonb, jsonb, jsonb)',
    'private.tool_free_slots(uuid, uuid, date, date, uuid, time, time, timestamptz, int)',
    'private.tool_book_core(uuid, uuid, uuid, uuid, timestamptz, public.booking_source, uuid, text, text)',
    'private.tool_next_slots(uuid, uuid, uuid, timestamptz, int)',
    'private.tool_booking_json(uuid, uuid)',
    'private.tool_follow_up(uuid, jsonb, text, text, text, text)',
    'private.tool_context(uuid, jsonb)',
    'private.tool_check_availability(uuid, jsonb, jsonb)',
    'private.tool_book_appointment(uuid, jsonb, jsonb)',
    'private.tool_reschedule_appointment(uuid, jsonb, jsonb)',
    'private.tool_cancel_appointment(uuid, jsonb, jsonb)',
    'private.tool_list_appointments(uuid, jsonb, jsonb)',
    'private.tool_business_info(uuid, jsonb, jsonb)',
    'private.tool_caller_profile(uuid, jsonb, jsonb)',
    'private.tool_remember(uuid, jsonb, jsonb)',
    'private.tool_take_message(uuid, jsonb, jsonb)',
    'private.tool_transfer_to_human(uuid, jsonb, jsonb)'
  ] loop
    execute format('revoke all on function %s from public', f);
  end loop;
  foreach f in array array[
    'private.tool_context(uuid, jsonb)',
    'private.tool_check_availability(uuid, jsonb, jsonb)',
    'private.tool_book_appointment(uuid, jsonb, jsonb)',
    'private.tool_reschedule_appointment(uuid, jsonb, jsonb)',
    'private.tool_cancel_appointment(uuid, jsonb, jsonb)',
    'private.tool_list_appointments(uuid, jsonb, jsonb)',
    'private.tool_business_info(uuid, jsonb, jsonb)',
    'private.tool_caller_profile(uuid, jsonb, jsonb)',
    'private.tool_remember(uuid, jsonb, jsonb)',
    'private.tool_take_message(uuid, jsonb, jsonb)',
    'private.tool_transfer_to_human(uuid, jsonb, jsonb)'
  ] loop
    execute format('grant execute on function %s to frontdesk_webhook', f);
  end loop;
end
$grants$;
