-- Outbound calls: the voice sales agent's half of the job. A member asks for a call to a lead or a customer with one
-- of the business's agents; the call row exists first (status queued, initiated_by the member, lead/customer linked),
-- then server code asks the agent's platform (Vapi, Retell, or Twilio with a media stream) and stores its call id;
-- the existing status callbacks and reports (twilio, voice_platforms) complete it. Batches are queued rows drained by a
-- scheduler at a per-business rate.
--
-- The rules live here, whatever path asks (the server's request functions, a batch, operator SQL), and are checked
-- again at dial time, not only at queue time (private.outbound_refusal):
--   * never a callee who opted out (customers.opted_out_at) or asked not to be called (leads.do_not_call), found by
--     the record asked for and by the number itself (any customer or lead of the business with that phone);
--   * only within the callee's local calling hours: outbound_call_settings.window_start–window_end (default and
--     outer bounds 08:00–21:00) in the callee's zone, read from the number (private.calling_zones: longest dialling
--     prefix, country codes of common single-zone countries and some North American area codes), else the
--     business's own zone;
--   * no second call to the same number within the business's cool-down (default 24 hours), nor two pending calls;
--   * the plan's outbound calls and outbound call minutes (402; usage metrics outbound_calls, outbound_call_minutes).
-- Clients cannot insert calls directly (no grant): members go through private.outbound_request() and
-- private.outbound_queue_batch() (staff and up, never an API key). A row inserted without a provider call id is a
-- request to call and is held to the rules by a trigger, by whichever role inserts it.
--
-- A lead's status and last contact follow its calls (terminal status, end-of-call report outcome), and a booking by
-- the lead's number converts the lead (customer linked, status won).

alter type public.usage_metric add value if not exists 'outbound_calls';
alter type public.usage_metric add value if not exists 'outbound_call_minutes';

update public.plans set limits = limits || case id
    when 'starter' then '{"outbound_calls": 100, "outbound_call_minutes": 200}'::jsonb
    when 'professional' then '{"outbound_calls": 1000, "outbound_call_minutes": 1500}'::jsonb
    when 'enterprise' then '{"outbound_calls": 20000, "outbound_call_minutes": 15000}'::jsonb
    else '{}'::jsonb end
where id in ('starter', 'professional', 'enterprise');

-- ---------------------------------------------------------------------------------------------------------------
-- Columns
-- ---------------------------------------------------------------------------------------------------------------

-- A lead who asked not to be called: staff set it; an end-of-call report saying so sets it too.
alter table public.leads add column do_not_call boolean not null default false;
select private.grant_writes('public.leads',
  array['tenant_id', 'name', 'phone', 'email', 'company', 'source', 'source_detail', 'status', 'notes', 'customer_id', 'do_not_call'],
  array['name', 'phone', 'email', 'company', 'source', 'source_detail', 'status', 'notes', 'customer_id', 'do_not_call'], true);

-- A requested call has no provider id until the provider answers (and never gets one when it is refused, cancelled
-- or the provider fails).
alter table public.calls alter column provider_call_id drop not null;
alter table public.calls
  add column lead_id uuid,
  add column initiated_by uuid,
  add column context jsonb not null default '{}'::jsonb,
  add column batch_id uuid,
  add column dial_after timestamptz,
  add column dialed_at timestamptz,
  add column error_code text,
  add column error_message text,
  add constraint calls_lead_fkey foreign key (tenant_id, lead_id) references public.leads (tenant_id, id) on delete set null (lead_id),
  add constraint calls_provider_id_required check (
    provider_call_id is not null or (direction = 'outbound' and status in ('queued', 'initiated', 'failed', 'canceled'))),
  add constraint calls_context_object check (jsonb_typeof(context) = 'object');
create index calls_lead_idx on public.calls (tenant_id, lead_id) where lead_id is not null;
create index calls_outbound_to_idx on public.calls (tenant_id, to_number, created_at desc) where direction = 'outbound';
create index calls_outbound_due_idx on public.calls (tenant_id, created_at)
  where direction = 'outbound' and status = 'queued' and dialed_at is null;
create index calls_batch_idx on public.calls (tenant_id, batch_id) where batch_id is not null;

-- Per business: calling hours (within 08:00–21:00), the cool-down per number and the dialling rate of batches.
create table public.outbound_call_settings (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  window_start time not null default '08:00',
  window_end time not null default '21:00',
  cooldown_minutes int not null default 1440,
  calls_per_minute int not null default 6,
  updated_at timestamptz not null default now(),
  primary key (tenant_id),
  constraint outbound_call_settings_window check (window_start >= '08:00' and window_end <= '21:00' and window_start < window_end),
  constraint outbound_call_settings_cooldown check (cooldown_minutes between 60 and 43200),
  constraint outbound_call_settings_rate check (calls_per_minute between 1 and 60)
);
create trigger outbound_call_settings_updated_at before update on public.outbound_call_settings
  for each row execute function private.set_updated_at();
select private.apply_tenant_policies('public.outbound_call_settings', 'staff', 'admin');
select private.grant_writes('public.outbound_call_settings',
  array['tenant_id', 'window_start', 'window_end', 'cooldown_minutes', 'calls_per_minute'],
  array['window_start', 'window_end', 'cooldown_minutes', 'calls_per_minute'], true);

-- Dialling prefix → IANA zone, for the callee's local time. Longest prefix wins; a number matching none (or a
-- country spanning several zones whose area code is not listed) is read in the business's zone.
create table private.calling_zones (
  prefix text primary key,
  timezone text not null,
  constraint calling_zones_prefix check (prefix ~ '^\+[0-9]{1,7}$')
);
revoke all on table private.calling_zones from public;
insert into private.calling_zones (prefix, timezone) values
  ('+44', 'Europe/London'), ('+353', 'Europe/Dublin'), ('+34', 'Europe/Madrid'), ('+33', 'Europe/Paris'),
  ('+49', 'Europe/Berlin'), ('+39', 'Europe/Rome'), ('+351', 'Europe/Lisbon'), ('+31', 'Europe/Amsterdam'),
  ('+32', 'Europe/Brussels'), ('+41', 'Europe/Zurich'), ('+43', 'Europe/Vienna'), ('+45', 'Europe/Copenhagen'),
  ('+46', 'Europe/Stockholm'), ('+47', 'Europe/Oslo'), ('+48', 'Europe/Warsaw'), ('+30', 'Europe/Athens'),
  ('+57', 'America/Bogota'), ('+56', 'America/Santiago'), ('+54', 'America/Argentina/Buenos_Aires'),
  ('+51', 'America/Lima'), ('+58', 'America/Caracas'), ('+506', 'America/Costa_Rica'), ('+507', 'America/Panama'),
  ('+502', 'America/Guatemala'), ('+503', 'America/El_Salvador'), ('+593', 'America/Guayaquil'), ('+598', 'America/Montevideo'),
  ('+81', 'Asia/Tokyo'), ('+82', 'Asia/Seoul'), ('+86', 'Asia/Shanghai'), ('+852', 'Asia/Hong_Kong'), ('+65', 'Asia/Singapore'),
  ('+91', 'Asia/Kolkata'), ('+971', 'Asia/Dubai'), ('+972', 'Asia/Jerusalem'), ('+27', 'Africa/Johannesburg'),
  ('+234', 'Africa/Lagos'), ('+254', 'Africa/Nairobi'), ('+64', 'Pacific/Auckland'),
  -- North America (+1) spans zones: some common area codes; others fall back to the business's zone.
  ('+1212', 'America/New_York'), ('+1646', 'America/New_York'), ('+1718', 'America/New_York'), ('+1617', 'America/New_York'),
  ('+1305', 'America/New_York'), ('+1404', 'America/New_York'), ('+1202', 'America/New_York'), ('+1215', 'America/New_York'),
  ('+1312', 'America/Chicago'), ('+1773', 'America/Chicago'), ('+1214', 'America/Chicago'), ('+1713', 'America/Chicago'),
  ('+1512', 'America/Chicago'), ('+1303', 'America/Denver'), ('+1602', 'America/Phoenix'), ('+1801', 'America/Denver'),
  ('+1213', 'America/Los_Angeles'), ('+1310', 'America/Los_Angeles'), ('+1415', 'America/Los_Angeles'),
  ('+1206', 'America/Los_Angeles'), ('+1702', 'America/Los_Angeles'), ('+1416', 'America/Toronto'),
  ('+1604', 'America/Vancouver'), ('+1514', 'America/Toronto'), ('+1787', 'America/Puerto_Rico'), ('+1808', 'Pacific/Honolulu')
on conflict (prefix) do nothing;

-- ---------------------------------------------------------------------------------------------------------------
-- The rules
-- ---------------------------------------------------------------------------------------------------------------

-- The callee's zone: the longest listed prefix of the number, else the business's zone.
create or replace function private.callee_timezone(p_tenant_id uuid, p_number text)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(
    (select z.timezone from private.calling_zones z where p_number like z.prefix || '%' order by length(z.prefix) desc limit 1),
    (select t.timezone from public.tenants t where t.id = p_tenant_id))
$$;

-- The business's outbound settings, defaults when it has none.
create or replace function private.outbound_settings(p_tenant_id uuid)
returns public.outbound_call_settings
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v public.outbound_call_settings;
begin
  select * into v from public.outbound_call_settings where tenant_id = p_tenant_id;
  if v.tenant_id is null then
    v.tenant_id := p_tenant_id;
    v.window_start := '08:00';
    v.window_end := '21:00';
    v.cooldown_minutes := 1440;
    v.calls_per_minute := 6;
  end if;
  return v;
end;
$$;

-- Why a call to p_number (for p_customer / p_lead, possibly null) may not be dialled at p_at, or null when it may:
-- {status, code, message, retry_at}. retry_at is set when waiting helps (outside hours: the next window start;
-- cool-down: when it ends); opt-outs and the plan do not pass with time. p_call_id (the call itself) is not its own
-- cool-down.
create or replace function private.outbound_refusal(
  p_tenant_id uuid, p_number text, p_customer_id uuid, p_lead_id uuid, p_call_id uuid, p_at timestamptz default now(),
  p_check_hours boolean default true
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_settings public.outbound_call_settings := private.outbound_settings(p_tenant_id);
  v_zone text;
  v_local timestamp;
  v_next timestamp;
  v_last timestamptz;
begin
  if not private.callable_number(p_number) then
    return jsonb_build_object('status', 422, 'code', 'not_callable', 'message', format('%s is not a number that can be called', coalesce(p_number, 'the callee has no phone number: it')));
  end if;
  if exists (select 1 from public.customers c where c.tenant_id = p_tenant_id and c.opted_out_at is not null
             and (c.id = p_customer_id or c.phone = p_number
                  or c.id = (select l.customer_id from public.leads l where l.tenant_id = p_tenant_id and l.id = p_lead_id))) then
    return jsonb_build_object('status', 422, 'code', 'opted_out', 'message', 'the customer opted out: they are not to be called');
  end if;
  if exists (select 1 from public.leads l where l.tenant_id = p_tenant_id and l.do_not_call
             and (l.id = p_lead_id or l.phone = p_number or (p_customer_id is not null and l.customer_id = p_customer_id))) then
    return jsonb_build_object('status', 422, 'code', 'do_not_call', 'message', 'the lead asked not to be called');
  end if;
  if p_check_hours then
    v_zone := private.callee_timezone(p_tenant_id, p_number);
    v_local := p_at at time zone v_zone;
    if v_local::time < v_settings.window_start or v_local::time >= v_settings.window_end then
      v_next := case when v_local::time < v_settings.window_start then v_local::date + v_settings.window_start
                     else (v_local::date + 1) + v_settings.window_start end;
      return jsonb_build_object('status', 422, 'code', 'outside_calling_hours',
        'message', format('it is %s for the callee (%s): calls are placed between %s and %s their time',
                          to_char(v_local, 'HH24:MI'), v_zone, to_char(v_settings.window_start, 'HH24:MI'), to_char(v_settings.window_end, 'HH24:MI')),
        'retry_at', v_next at time zone v_zone);
    end if;
  end if;
  if exists (select 1 from public.calls c
             where c.tenant_id = p_tenant_id and c.direction = 'outbound' and c.to_number = p_number
               and c.id is distinct from p_call_id and c.status = 'queued' and c.dialed_at is null) then
    return jsonb_build_object('status', 409, 'code', 'already_queued', 'message', format('a call to %s is already queued', p_number));
  end if;
  select max(coalesce(c.dialed_at, c.started_at, c.created_at)) into v_last from public.calls c
  where c.tenant_id = p_tenant_id and c.direction = 'outbound' and c.to_number = p_number and c.id is distinct from p_call_id
    and (c.provider_call_id is not null or (c.dialed_at is not null and c.status <> 'failed'))
    and coalesce(c.dialed_at, c.started_at, c.created_at) > p_at - v_settings.cooldown_minutes * interval '1 minute';
  if v_last is not null then
    return jsonb_build_object('status', 409, 'code', 'cool_down',
      'message', format('%s was called less than %s minutes ago: the next call may be placed after %s',
                        p_number, v_settings.cooldown_minutes, v_last + v_settings.cooldown_minutes * interval '1 minute'),
      'retry_at', v_last + v_settings.cooldown_minutes * interval '1 minute');
  end if;
  if not private.within_limit(p_tenant_id, 'outbound_calls', 1) then
    return jsonb_build_object('status', 402, 'code', 'plan_outbound_calls', 'message', format(
      'the %s plan allows %s outbound calls a month and this month''s are used up: upgrade the plan to continue',
      (private.current_plan(p_tenant_id)).name, (private.current_plan(p_tenant_id)).limits ->> 'outbound_calls'));
  end if;
  if not private.within_limit(p_tenant_id, 'outbound_call_minutes', 1) or not private.within_limit(p_tenant_id, 'call_minutes', 1) then
    return jsonb_build_object('status', 402, 'code', 'plan_outbound_minutes', 'message', format(
      'the %s plan''s call minutes for this month are used up: upgrade the plan to continue',
      (private.current_plan(p_tenant_id)).name));
  end if;
  return null;
end;
$$;

-- A requested call (inserted without a provider call id), whoever inserts it: the callee (a lead or a customer of
-- this business, exactly one) gives the number; the agent (active, of this business) gives the provider; the number
-- called from is a verified, active phone channel of the business (the one named, else the one whose settings name
-- the agent, else the oldest). Then the rules: all of them for a call to dial now; for a batch call (batch_id) all
-- but the calling hours, which the drain checks when it dials.
create or replace function private.calls_outbound_request()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_lead public.leads;
  v_customer public.customers;
  v_agent public.voice_agents;
  v_channel public.channels;
  v_refusal jsonb;
begin
  if new.provider_call_id is not null then
    return new;
  end if;
  if new.direction is distinct from 'outbound' or new.status is distinct from 'queued' then
    perform private.fail(400, 'a call without a provider call id is a request to call: direction outbound, status queued');
  end if;
  if new.lead_id is null and new.customer_id is null then
    perform private.fail(400, 'name a lead or a customer to call');
  end if;
  if new.lead_id is not null then
    select * into v_lead from public.leads where tenant_id = new.tenant_id and id = new.lead_id;
    if v_lead.id is null then
      perform private.fail(404, 'no lead with this id in your business');
    end if;
    if new.customer_id is not null and v_lead.customer_id is distinct from new.customer_id then
      perform private.fail(400, 'name a lead or a customer, not both');
    end if;
    new.customer_id := v_lead.customer_id;
    new.to_number := v_lead.phone;
  else
    select * into v_customer from public.customers where tenant_id = new.tenant_id and id = new.customer_id;
    if v_customer.id is null then
      perform private.fail(404, 'no customer with this id in your business');
    end if;
    new.to_number := v_customer.phone;
  end if;
  select * into v_agent from public.voice_agents where tenant_id = new.tenant_id and id = new.agent_id;
  if v_agent.id is null then
    perform private.fail(404, 'no voice agent with this id in your business');
  end if;
  if not v_agent.active then
    perform private.fail(422, format('the agent "%s" is not active', v_agent.name));
  end if;
  if v_agent.platform in ('vapi', 'retell') and v_agent.platform_agent_id is null then
    perform private.fail(422, format('the agent "%s" has no %s agent id (platform_agent_id)', v_agent.name, v_agent.platform));
  end if;
  if v_agent.platform = 'custom' and v_agent.media_stream_url is null then
    perform private.fail(422, format('the agent "%s" has no media stream URL for Twilio to connect the call to', v_agent.name));
  end if;
  new.provider := case v_agent.platform when 'vapi' then 'vapi' when 'retell' then 'retell' else 'twilio' end;
  select c.* into v_channel from public.channels c
  where c.tenant_id = new.tenant_id and c.kind = 'phone' and c.verified_at is not null and c.active
    and (new.channel_id is null or c.id = new.channel_id)
  order by c.settings ->> 'agent_id' is not distinct from v_agent.id::text desc, c.created_at, c.id
  limit 1;
  if v_channel.id is null then
    perform private.fail(422, case when new.channel_id is null
      then 'the business has no verified, active phone number to call from'
      else 'the number to call from is not a verified, active phone channel of your business' end);
  end if;
  if new.provider = 'twilio' and v_channel.provider <> 'twilio' then
    perform private.fail(422, 'a call connected straight to the agent''s media stream is placed through Twilio: call from a Twilio number');
  end if;
  new.channel_id := v_channel.id;
  new.from_number := v_channel.phone_number;
  new.initiated_by := coalesce((select auth.uid()), new.initiated_by);
  new.dialed_at := null;
  new.dial_after := null;
  new.error_code := null;
  new.error_message := null;
  v_refusal := private.outbound_refusal(new.tenant_id, new.to_number, new.customer_id, new.lead_id, new.id, now(), new.batch_id is null);
  if v_refusal is not null then
    perform private.fail((v_refusal ->> 'status')::int, v_refusal ->> 'message', v_refusal ->> 'code');
  end if;
  return new;
end;
$$;
create trigger calls_outbound_request before insert on public.calls
  for each row execute function private.calls_outbound_request();

-- ---------------------------------------------------------------------------------------------------------------
-- Requests by members (run as the caller: the membership is theirs, never an API key's)
-- ---------------------------------------------------------------------------------------------------------------

create or replace function private.outbound_call_json(p_tenant_id uuid, p_call_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('id', c.id, 'status', c.status, 'provider', c.provider, 'provider_call_id', c.provider_call_id,
                            'agent_id', c.agent_id, 'lead_id', c.lead_id, 'customer_id', c.customer_id, 'channel_id', c.channel_id,
                            'from_number', c.from_number, 'to_number', c.to_number, 'initiated_by', c.initiated_by,
                            'batch_id', c.batch_id, 'context', c.context, 'dial_after', c.dial_after, 'dialed_at', c.dialed_at,
                            'error_code', c.error_code, 'error_message', c.error_message, 'created_at', c.created_at)
  from public.calls c where c.tenant_id = p_tenant_id and c.id = p_call_id
$$;

-- The member's business, staff and up; API keys never (writer_tenant_id is null for them).
create or replace function private.outbound_caller_tenant()
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := private.writer_tenant_id('staff');
begin
  if v_tenant is null then
    perform private.fail(403, 'only members of the business (staff and up) place calls; API keys cannot');
  end if;
  return v_tenant;
end;
$$;

-- One call to dial now. The row is committed before any provider is asked (the function's transaction ends first).
create or replace function private.outbound_request(p_agent_id uuid, p_lead_id uuid, p_customer_id uuid, p_context jsonb, p_channel_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := private.outbound_caller_tenant();
  v_id uuid;
begin
  insert into public.calls (tenant_id, agent_id, lead_id, customer_id, channel_id, provider, direction, status, context, initiated_by)
  values (v_tenant, p_agent_id, p_lead_id, p_customer_id, p_channel_id, 'other', 'outbound', 'queued',
          coalesce(p_context, '{}'::jsonb), (select auth.uid()))
  returning id into v_id;
  return private.outbound_call_json(v_tenant, v_id);
end;
$$;

-- Many calls for the drain: each item {lead_id | customer_id, context?}; one refused item does not stop the others.
-- Returns {batch_id, queued: [call], refused: [{index, status, code, message}]}.
create or replace function private.outbound_queue_batch(p_agent_id uuid, p_items jsonb, p_context jsonb, p_channel_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := private.outbound_caller_tenant();
  v_batch uuid := gen_random_uuid();
  v_item jsonb;
  v_index int;
  v_id uuid;
  v_queued jsonb := '[]'::jsonb;
  v_refused jsonb := '[]'::jsonb;
  v_state text;
  v_message text;
  v_detail text;
begin
  if not exists (select 1 from public.voice_agents where tenant_id = v_tenant and id = p_agent_id) then
    perform private.fail(404, 'no voice agent with this id in your business');
  end if;
  for v_item, v_index in select e, (n - 1)::int from jsonb_array_elements(p_items) with ordinality as a(e, n) loop
    begin
      -- clock_timestamp(): the batch is dialled in the order given (the drain goes oldest first).
      insert into public.calls (tenant_id, agent_id, lead_id, customer_id, channel_id, provider, direction, status, context, initiated_by, batch_id, created_at)
      values (v_tenant, p_agent_id, (v_item ->> 'lead_id')::uuid, (v_item ->> 'customer_id')::uuid, p_channel_id, 'other', 'outbound', 'queued',
              coalesce(p_context, '{}'::jsonb) || coalesce(v_item -> 'context', '{}'::jsonb), (select auth.uid()), v_batch, clock_timestamp())
      returning id into v_id;
      v_queued := v_queued || jsonb_build_array(private.outbound_call_json(v_tenant, v_id));
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail;
      v_refused := v_refused || jsonb_build_array(jsonb_build_object(
        'index', v_index,
        'status', case when v_state ~ '^PT[1-5][0-9][0-9]$' then substr(v_state, 3)::int when v_state in ('23503', '23505') then 409 else 400 end,
        'code', coalesce(nullif(v_detail, ''), 'invalid'), 'message', v_message));
    end;
  end loop;
  return jsonb_build_object('batch_id', v_batch, 'queued', v_queued, 'refused', v_refused);
end;
$$;

-- Cancels a call that has not been dialled yet (staff and up of its business): 404 not yours, 409 already dialled.
create or replace function private.outbound_cancel(p_call_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := private.outbound_caller_tenant();
  v_row public.calls;
begin
  select * into v_row from public.calls where tenant_id = v_tenant and id = p_call_id for update;
  if v_row.id is null then
    perform private.fail(404, 'no call with this id in your business');
  end if;
  if v_row.status = 'canceled' and v_row.dialed_at is null then
    return private.outbound_call_json(v_tenant, p_call_id);
  end if;
  if v_row.direction <> 'outbound' or v_row.status <> 'queued' or v_row.dialed_at is not null then
    perform private.fail(409, format('the call is %s: only a queued call not yet dialled can be cancelled', v_row.status));
  end if;
  update public.calls set status = 'canceled', error_code = 'canceled', error_message = 'cancelled before it was dialled',
                          ended_at = now()
  where tenant_id = v_tenant and id = p_call_id;
  return private.outbound_call_json(v_tenant, p_call_id);
end;
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Dialling (server side, service_role): claim, then record what the provider said
-- ---------------------------------------------------------------------------------------------------------------

-- Claims one queued call for dialling now: locks it, checks every rule again (dial time, not only queue time) and,
-- when they hold, stamps dialed_at and returns what the dialler needs (provider ids, numbers, encrypted credentials).
-- When a rule fails: waiting helps (hours, cool-down) → the call stays queued with dial_after; otherwise (opt-out,
-- plan) → cancelled with the reason. Returns {dial: false, call} then, and null when the call is not claimable.
create or replace function private.outbound_claim(p_call_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.calls;
  v_agent public.voice_agents;
  v_channel public.channels;
  v_refusal jsonb;
  v_agent_secret private.agent_secrets;
  v_auth private.channel_secrets;
  v_name text;
begin
  select * into v_row from public.calls where id = p_call_id and direction = 'outbound' and status = 'queued'
    and dialed_at is null and provider_call_id is null
  for update skip locked;
  if v_row.id is null then
    return null;
  end if;
  v_refusal := private.outbound_refusal(v_row.tenant_id, v_row.to_number, v_row.customer_id, v_row.lead_id, v_row.id, now(), true);
  if v_refusal is not null then
    if v_refusal ? 'retry_at' then
      update public.calls set dial_after = (v_refusal ->> 'retry_at')::timestamptz, error_code = v_refusal ->> 'code',
                              error_message = v_refusal ->> 'message'
      where tenant_id = v_row.tenant_id and id = v_row.id;
    else
      update public.calls set status = 'canceled', error_code = v_refusal ->> 'code', error_message = v_refusal ->> 'message', ended_at = now()
      where tenant_id = v_row.tenant_id and id = v_row.id;
    end if;
    return jsonb_build_object('dial', false, 'refusal', v_refusal, 'call', private.outbound_call_json(v_row.tenant_id, v_row.id));
  end if;
  update public.calls set dialed_at = now(), dial_after = null, error_code = null, error_message = null
  where tenant_id = v_row.tenant_id and id = v_row.id;
  select * into v_agent from public.voice_agents where tenant_id = v_row.tenant_id and id = v_row.agent_id;
  select * into v_channel from public.channels where tenant_id = v_row.tenant_id and id = v_row.channel_id;
  select * into v_agent_secret from private.agent_secrets where tenant_id = v_row.tenant_id and agent_id = v_row.agent_id and name = 'api_key';
  select * into v_auth from private.channel_secrets where tenant_id = v_row.tenant_id and channel_id = v_row.channel_id and name = 'auth_token';
  select coalesce(l.name, cu.name) into v_name from (select 1) x
    left join public.leads l on l.tenant_id = v_row.tenant_id and l.id = v_row.lead_id
    left join public.customers cu on cu.tenant_id = v_row.tenant_id and cu.id = v_row.customer_id;
  return jsonb_build_object(
    'dial', true,
    'call', private.outbound_call_json(v_row.tenant_id, v_row.id),
    'tenant_id', v_row.tenant_id,
    'business_name', (select t.name from public.tenants t where t.id = v_row.tenant_id),
    'callee_name', v_name,
    'agent', jsonb_build_object('id', v_agent.id, 'platform', v_agent.platform, 'platform_agent_id', v_agent.platform_agent_id,
                                'media_stream_url', v_agent.media_stream_url, 'config', v_agent.config),
    'agent_api_key', case when v_agent_secret.agent_id is not null
      then jsonb_build_object('ciphertext', encode(v_agent_secret.ciphertext, 'base64'), 'key_id', v_agent_secret.key_id) end,
    'channel', jsonb_build_object('id', v_channel.id, 'provider', v_channel.provider, 'phone_number', v_channel.phone_number,
                                  'provider_account_id', v_channel.provider_account_id, 'settings', v_channel.settings),
    'channel_auth_token', case when v_auth.channel_id is not null
      then jsonb_build_object('ciphertext', encode(v_auth.ciphertext, 'base64'), 'key_id', v_auth.key_id) end);
end;
$$;

-- The queued calls due now, at each business's rate (calls_per_minute counted over the last minute of dialling),
-- oldest first, at most p_limit in all; p_tenant_id limits it to one business.
create or replace function private.outbound_due(p_limit int default 100, p_tenant_id uuid default null)
returns table (call_id uuid)
language sql
stable
security definer
set search_path = ''
as $$
  select d.id from (
    select c.id, c.created_at,
           row_number() over (partition by c.tenant_id order by c.created_at, c.id) as n,
           (private.outbound_settings(c.tenant_id)).calls_per_minute
             - (select count(*) from public.calls r
                where r.tenant_id = c.tenant_id and r.direction = 'outbound' and r.dialed_at > now() - interval '1 minute') as room
    from public.calls c
    where c.direction = 'outbound' and c.status = 'queued' and c.dialed_at is null and c.provider_call_id is null
      and (c.dial_after is null or c.dial_after <= now())
      and (p_tenant_id is null or c.tenant_id = p_tenant_id)
  ) d
  where d.n <= d.room
  order by d.created_at, d.id
  limit greatest(p_limit, 0)
$$;

-- The provider took the call: its id (and the Twilio CallSid a platform reports) stored, status initiated, one
-- outbound call counted. Should a callback of the same provider call have created a row first, that row is the call:
-- it takes this request's links and this placeholder goes.
create or replace function private.outbound_dialed(p_call_id uuid, p_provider_call_id text, p_telephony_call_sid text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.calls;
  v_other uuid;
begin
  select * into v_row from public.calls where id = p_call_id for update;
  if v_row.id is null then
    perform private.fail(404, 'no such call');
  end if;
  select id into v_other from public.calls
  where tenant_id = v_row.tenant_id and provider = v_row.provider and provider_call_id = p_provider_call_id and id <> v_row.id;
  if v_other is not null then
    delete from public.calls where tenant_id = v_row.tenant_id and id = v_row.id;
    update public.calls c set lead_id = coalesce(c.lead_id, v_row.lead_id), initiated_by = coalesce(c.initiated_by, v_row.initiated_by),
      context = v_row.context || c.context, batch_id = coalesce(c.batch_id, v_row.batch_id), dialed_at = coalesce(c.dialed_at, v_row.dialed_at),
      agent_id = coalesce(c.agent_id, v_row.agent_id), channel_id = coalesce(c.channel_id, v_row.channel_id),
      customer_id = coalesce(c.customer_id, v_row.customer_id)
    where c.tenant_id = v_row.tenant_id and c.id = v_other;
    v_row.id := v_other;
  else
    update public.calls set provider_call_id = p_provider_call_id,
      telephony_call_sid = case when provider = 'twilio' then null else coalesce(telephony_call_sid, nullif(p_telephony_call_sid, '')) end,
      status = 'initiated'
    where tenant_id = v_row.tenant_id and id = v_row.id;
  end if;
  perform private.record_usage(v_row.tenant_id, 'outbound_calls', 1, v_row.id::text);
  return private.outbound_call_json(v_row.tenant_id, v_row.id);
end;
$$;

-- The provider refused or failed: the call is failed with the provider's error (nothing was placed, nothing counted).
create or replace function private.outbound_failed(p_call_id uuid, p_code text, p_message text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant uuid;
begin
  update public.calls set status = 'failed', error_code = left(coalesce(p_code, 'provider_error'), 200),
                          error_message = left(p_message, 2000), ended_at = now()
  where id = p_call_id and provider_call_id is null
  returning tenant_id into v_tenant;
  if v_tenant is null then
    return null;
  end if;
  return private.outbound_call_json(v_tenant, p_call_id);
end;
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- What follows a call: outbound minutes, the lead's status and last contact, a booking converting the lead
-- ---------------------------------------------------------------------------------------------------------------

create or replace function private.calls_outbound_follow()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_terminal boolean := new.status in ('completed', 'busy', 'no_answer', 'failed', 'canceled');
begin
  if new.direction = 'outbound' and new.status = 'completed' and coalesce(new.duration_seconds, 0) > 0 then
    perform private.record_usage(new.tenant_id, 'outbound_call_minutes', ceil(new.duration_seconds / 60.0)::int, new.id::text,
                                 coalesce(new.ended_at, now()));
  end if;
  if new.lead_id is not null then
    -- A customer the call linked (a report or callback found or created it) is the lead's, if it has none yet.
    if new.customer_id is not null then
      update public.leads set customer_id = new.customer_id
      where tenant_id = new.tenant_id and id = new.lead_id and customer_id is null;
    end if;
    -- A call that reached the provider (dialled, not cancelled beforehand) is a contact attempt.
    if v_terminal and old.status is distinct from new.status and new.provider_call_id is not null then
      update public.leads l set
        last_contacted_at = greatest(coalesce(l.last_contacted_at, '-infinity'), coalesce(new.ended_at, new.started_at, now())),
        status = case when l.status = 'new' and new.status = 'completed' then 'contacted'::public.lead_status else l.status end
      where l.tenant_id = new.tenant_id and l.id = new.lead_id;
    end if;
  end if;
  return null;
end;
$$;
create trigger calls_outbound_follow after update on public.calls
  for each row execute function private.calls_outbound_follow();

-- The end-of-call report's outcome moves the lead: interest or a booking → qualified (never backwards from won or
-- lost); a refusal → lost; "do not call" (the outcome, or structured do_not_call: true) → lost and do_not_call.
create or replace function private.call_summaries_lead_outcome()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_call public.calls;
  v_outcome text := lower(coalesce(new.outcome, ''));
  v_dnc boolean := coalesce(new.structured ->> 'do_not_call', '') in ('true', 'yes')
                   or v_outcome ~ '(do[ -]?not[ -]?call|don''t call|stop calling|remove me)';
  v_lost boolean := v_outcome ~ '(not interested|declined|lost|wrong number)';
  v_good boolean := v_outcome ~ '(booked|appointment|interested|qualified|callback|call back)';
begin
  select * into v_call from public.calls where tenant_id = new.tenant_id and id = new.call_id;
  if v_call.lead_id is null then
    return null;
  end if;
  update public.leads l set
    last_contacted_at = greatest(coalesce(l.last_contacted_at, '-infinity'), coalesce(v_call.ended_at, v_call.started_at, now())),
    do_not_call = l.do_not_call or v_dnc,
    status = case
      when l.status in ('won', 'lost') then l.status
      when v_dnc or v_lost then 'lost'::public.lead_status
      when v_good then 'qualified'::public.lead_status
      when l.status = 'new' then 'contacted'::public.lead_status
      else l.status end
  where l.tenant_id = new.tenant_id and l.id = v_call.lead_id;
  return null;
end;
$$;
create trigger call_summaries_lead_outcome after insert on public.call_summaries
  for each row execute function private.call_summaries_lead_outcome();

-- A booking for the lead's customer, or a customer with the lead's number (the receptionist tools book by the
-- caller's phone during the call), converts the lead: customer linked, status won.
create or replace function private.bookings_convert_lead()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_phone text := (select c.phone from public.customers c where c.tenant_id = new.tenant_id and c.id = new.customer_id);
begin
  update public.leads l set customer_id = coalesce(l.customer_id, new.customer_id), status = 'won'
  where l.tenant_id = new.tenant_id and l.status <> 'won'
    and (l.customer_id = new.customer_id or (l.customer_id is null and v_phone is not null and l.phone = v_phone));
  return null;
end;
$$;
create trigger bookings_convert_lead after insert on public.bookings
  for each row execute function private.bookings_convert_lead();

-- ---------------------------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------------------------
do $grants$
declare
  f text;
begin
  foreach f in array array[
    'private.callee_timezone(uuid, text)',
    'private.outbound_settings(uuid)',
    'private.outbound_refusal(uuid, text, uuid, uuid, uuid, timestamptz, boolean)',
    'private.calls_outbound_request()',
    'private.outbound_call_json(uuid, uuid)',
    'private.outbound_caller_tenant()',
    'private.outbound_request(uuid, uuid, uuid, jsonb, uuid)',
    'private.outbound_queue_batch(uuid, jsonb, jsonb, uuid)',
    'private.outbound_cancel(uuid)',
    'private.outbound_claim(uuid)',
    'private.outbound_due(int, uuid)',
    'private.outbound_dialed(uuid, text, text)',
    'private.outbound_failed(uuid, text, text)',
    'private.calls_outbound_follow()',
    'private.call_summaries_lead_outcome()',
    'private.bookings_convert_lead()'
  ] loop
    execute format('revoke all on function %s from public', f);
  end loop;
end
$grants$;
-- Members request, queue and cancel as themselves (each function checks the membership, staff and up).
grant execute on function private.outbound_request(uuid, uuid, uuid, jsonb, uuid) to authenticated;
grant execute on function private.outbound_queue_batch(uuid, jsonb, jsonb, uuid) to authenticated;
grant execute on function private.outbound_cancel(uuid) to authenticated;
-- The dialler (server code holding the encryption key) claims, and records the provider's answer.
grant execute on function private.outbound_claim(uuid) to service_role;
grant execute on function private.outbound_due(int, uuid) to service_role;
grant execute on function private.outbound_dialed(uuid, text, text) to service_role;
grant execute on function private.outbound_failed(uuid, text, text) to service_role;
grant execute on function private.callee_timezone(uuid, text) to service_role;
