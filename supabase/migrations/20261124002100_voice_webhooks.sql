-- Voice webhooks: Twilio's voice callbacks (incoming call, call status, recording) and the end-of-call reports of AI
-- voice platforms (Vapi, Retell), applied by narrow `security definer` functions that the webhook functions run as
-- `frontdesk_webhook` (the role and pattern of the whatsapp_ingest migration: no table privileges of its own).
--
-- Who a request belongs to is settled before any of these run, and never from what the request merely claims:
--   * Twilio: the number called routes to one tenant's phone channel, and the request must carry a valid
--     X-Twilio-Signature made with that channel's own auth token (verified by the function, which reads the
--     encrypted token through twilio_voice_channel());
--   * Vapi / Retell: the report names the platform's agent id, and must carry proof of that agent's own secret
--     (Vapi's server secret / bearer token, Retell's API key signature), stored encrypted in private.agent_secrets.
-- Every write function then takes that tenant and writes only rows of it.
--
-- Callbacks are at-least-once and out of order, so every function is idempotent: a call exists once per provider
-- call id (whichever callback arrives first creates it), statuses only move forward, a recording URL or a report
-- is applied once, and usage is counted once per call (or per memory).

-- Voice platform credentials per agent, as private.channel_secrets is per channel: AES-256-GCM ciphertext made by
-- server-side code (_shared/voice-platforms/agent-secrets.ts), never readable by a client role.
--   webhook_secret  Vapi: the token its server URL credential sends (X-Vapi-Secret or Authorization: Bearer)
--   api_key         Retell: the API key (with the webhook badge) that signs its webhooks
create table private.agent_secrets (
  tenant_id uuid not null,
  agent_id uuid not null,
  name text not null,
  ciphertext bytea not null,
  key_id text not null,
  updated_at timestamptz not null default now(),
  updated_by uuid,
  primary key (tenant_id, agent_id, name),
  foreign key (tenant_id, agent_id) references public.voice_agents (tenant_id, id) on delete cascade,
  constraint agent_secrets_name check (name in ('webhook_secret', 'api_key'))
);
comment on table private.agent_secrets is 'Encrypted voice platform credentials (AES-256-GCM, AAD = tenant:agent:agent:name).';
revoke all on table private.agent_secrets from public;
create trigger agent_secrets_audit after insert or update or delete on private.agent_secrets
  for each row execute function private.audit_row('tenant_id', 'agent_id', 'name');

-- Reports are routed by the platform's agent id: the lookup must not scan every business's agents.
create index voice_agents_platform_agent_idx on public.voice_agents (platform, platform_agent_id)
  where platform_agent_id is not null;

-- Sets or rotates an agent's credential in the caller's active business (owners and admins). Like
-- set_channel_secret, the value arrives already encrypted. In `private`: only server code (which holds the key)
-- calls it, as the caller (asCaller), so the membership check below is the caller's own.
create or replace function private.set_agent_secret(p_agent_id uuid, p_name text, p_ciphertext bytea, p_key_id text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := (select private.tenant_id_for('admin'));
begin
  if v_tenant is null or not exists (select 1 from public.voice_agents where tenant_id = v_tenant and id = p_agent_id) then
    perform private.fail(404, 'no voice agent with this id in your business (or you are not an owner or admin)');
  end if;
  if p_name is null or p_name not in ('webhook_secret', 'api_key') then
    perform private.fail(400, format('unknown agent credential "%s": use webhook_secret (Vapi) or api_key (Retell)', p_name));
  end if;
  if p_ciphertext is null or length(p_ciphertext) < 29 then
    perform private.fail(400, 'the credential must be encrypted with the platform key before it is stored');
  end if;
  insert into private.agent_secrets (tenant_id, agent_id, name, ciphertext, key_id, updated_by)
  values (v_tenant, p_agent_id, p_name, p_ciphertext, p_key_id, (select auth.uid()))
  on conflict (tenant_id, agent_id, name) do update
    set ciphertext = excluded.ciphertext, key_id = excluded.key_id, updated_at = now(), updated_by = excluded.updated_by;
end;
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Shared helpers (not granted to anyone: they run inside the definer functions below, as their owner)
-- ---------------------------------------------------------------------------------------------------------------

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

-- The tenant's customer with this phone (E.164), created when new; null for anything that is not a phone number
-- (withheld numbers, SIP or web callers). Concurrent first calls race on the unique phone; the loser re-reads.
create or replace function private.voice_customer(p_tenant_id uuid, p_phone text, p_name text, p_at timestamptz)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
  v_name text := nullif(btrim(coalesce(p_name, '')), '');
begin
  if p_phone is null or p_phone !~ '^\+[1-9][0-9]{6,14}$' then
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

-- Refuses (404) unless p_channel_id is a phone channel of p_tenant_id: the webhook role passes both, and a
-- mismatch means a bug upstream, never something to act on.
create or replace function private.twilio_check_channel(p_tenant_id uuid, p_channel_id uuid)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if not exists (select 1 from public.channels where tenant_id = p_tenant_id and id = p_channel_id and kind = 'phone') then
    perform private.fail(404, 'no such phone channel');
  end if;
end;
$$;

-- The tenant's call for a Twilio CallSid, created by whichever callback arrives first. p_call: call_sid, from, to,
-- direction (Twilio's: inbound, outbound-api, outbound-dial), caller_name. Fills what an earlier, thinner callback
-- (a recording callback knows no caller) left empty, and links the caller's customer record; changes nothing
-- when nothing is missing, so repeated callbacks leave the row alone.
create or replace function private.twilio_call_row(p_tenant_id uuid, p_channel_id uuid, p_call jsonb)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_outbound boolean := coalesce(p_call ->> 'direction', 'inbound') like 'outbound%';
  v_from text := nullif(p_call ->> 'from', '');
  v_to text := nullif(p_call ->> 'to', '');
  v_caller text := case when v_outbound then v_to else v_from end;
  v_call uuid;
  v_customer uuid;
begin
  select c.id, c.customer_id into v_call, v_customer from public.calls c
  where c.tenant_id = p_tenant_id and c.provider = 'twilio' and c.provider_call_id = p_call ->> 'call_sid';
  if v_customer is null then
    v_customer := private.voice_customer(p_tenant_id, v_caller, p_call ->> 'caller_name', now());
  end if;
  if v_call is null then
    insert into public.calls (tenant_id, channel_id, customer_id, provider, provider_call_id, direction, from_number, to_number, status)
    values (p_tenant_id, p_channel_id, v_customer, 'twilio', p_call ->> 'call_sid',
            case when v_outbound then 'outbound' else 'inbound' end::public.call_direction, v_from, v_to, 'queued')
    on conflict (tenant_id, provider, provider_call_id) do nothing
    returning id into v_call;
    if v_call is not null then
      return v_call;
    end if;
    select c.id into v_call from public.calls c
    where c.tenant_id = p_tenant_id and c.provider = 'twilio' and c.provider_call_id = p_call ->> 'call_sid';
  end if;
  update public.calls c set
    channel_id = coalesce(c.channel_id, p_channel_id),
    customer_id = coalesce(c.customer_id, v_customer),
    from_number = coalesce(c.from_number, v_from),
    to_number = coalesce(c.to_number, v_to)
  where c.tenant_id = p_tenant_id and c.id = v_call
    and (c.channel_id is null or (c.customer_id is null and v_customer is not null)
         or (c.from_number is null and v_from is not null) or (c.to_number is null and v_to is not null));
  return v_call;
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

-- ---------------------------------------------------------------------------------------------------------------
-- Twilio Voice
-- ---------------------------------------------------------------------------------------------------------------

-- The phone channel a Twilio number routes to (only a verified one: a pending claim routes nothing), with its
-- encrypted auth token (null when none is set), for the signature check that must come before anything else.
-- `routable`: the channel is active and its business too.
create or replace function private.twilio_voice_channel(p_number text)
returns table (tenant_id uuid, channel_id uuid, routable boolean, auth_token bytea, key_id text)
language sql
stable
security definer
set search_path = ''
as $$
  select c.tenant_id, c.id, c.active and t.status = 'active', s.ciphertext, s.key_id
  from public.channels c
  join public.tenants t on t.id = c.tenant_id
  left join private.channel_secrets s on s.tenant_id = c.tenant_id and s.channel_id = c.id and s.name = 'auth_token'
  where c.kind = 'phone' and c.provider = 'twilio' and c.phone_number = p_number and c.verified_at is not null
$$;

-- A request for a number that routes nowhere we can trust (unknown, pending, inactive, or without an auth token to
-- verify it): kept for the operators, attached to no tenant, once per number, reason and hour with a count.
create or replace function private.twilio_unroutable(p_routing_key text, p_reason text, p_payload jsonb)
returns void
language sql
security definer
set search_path = ''
as $$
  select private.record_unroutable('twilio', p_routing_key, p_reason, p_payload)
$$;

-- An incoming call (Twilio's voice URL request): the call, once per CallSid; the caller's customer record; and what
-- the answer should be. The agent answers when the business is open, an active agent with a media stream URL is
-- configured (the channel's settings.agent_id first, else the oldest), and the plan has call minutes left;
-- otherwise voicemail. p_call: call_sid, from, to, direction, caller_name, status (a call_status).
create or replace function private.twilio_incoming_call(p_tenant_id uuid, p_channel_id uuid, p_call jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant public.tenants;
  v_call uuid;
  v_customer uuid;
  v_agent public.voice_agents;
  v_open boolean;
  v_minutes boolean;
  v_reason text;
begin
  perform private.twilio_check_channel(p_tenant_id, p_channel_id);
  select * into v_tenant from public.tenants where id = p_tenant_id;
  v_call := private.twilio_call_row(p_tenant_id, p_channel_id, p_call);
  perform private.voice_call_advance(p_tenant_id, v_call, coalesce(p_call ->> 'status', 'ringing')::public.call_status, now());
  select customer_id into v_customer from public.calls where tenant_id = p_tenant_id and id = v_call;

  select a.* into v_agent
  from public.voice_agents a
  where a.tenant_id = p_tenant_id and a.active and a.media_stream_url is not null
  order by a.id::text = (select ch.settings ->> 'agent_id' from public.channels ch where ch.tenant_id = p_tenant_id and ch.id = p_channel_id) desc nulls last,
           a.created_at, a.id
  limit 1;
  v_open := private.voice_open_at(p_tenant_id, now());
  v_minutes := private.within_limit(p_tenant_id, 'call_minutes');
  v_reason := case
    when not v_open then 'closed'
    when v_agent.id is null then 'no_agent'
    when not v_minutes then 'no_call_minutes'
  end;
  if v_reason is null then
    update public.calls set agent_id = v_agent.id
    where tenant_id = p_tenant_id and id = v_call and agent_id is distinct from v_agent.id;
  end if;
  return jsonb_build_object(
    'tenant_id', p_tenant_id,
    'call_id', v_call,
    'customer_id', v_customer,
    'answer', case when v_reason is null then 'agent' else 'voicemail' end,
    'reason', v_reason,
    'agent_id', case when v_reason is null then v_agent.id end,
    'media_stream_url', case when v_reason is null then v_agent.media_stream_url end,
    'business_name', v_tenant.name,
    'language', v_tenant.settings ->> 'language',
    'voicemail_greeting', v_tenant.settings ->> 'voicemail_greeting'
  );
end;
$$;

-- A call status callback. p_status: call_sid, from, to, direction, status (a call_status), at (when Twilio says
-- it happened), duration (CallDuration, seconds, on terminal statuses). A completed call counts its minutes,
-- rounded up, once per call.
create or replace function private.twilio_call_status(p_tenant_id uuid, p_channel_id uuid, p_status jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_call uuid;
  v_status public.call_status := (p_status ->> 'status')::public.call_status;
  v_at timestamptz := coalesce((p_status ->> 'at')::timestamptz, now());
  v_duration int := (p_status ->> 'duration')::int;
  v_terminal boolean := v_status in ('completed', 'busy', 'no_answer', 'failed', 'canceled');
  v_final public.call_status;
  v_billed int;
begin
  perform private.twilio_check_channel(p_tenant_id, p_channel_id);
  v_call := private.twilio_call_row(p_tenant_id, p_channel_id, p_status);
  v_final := private.voice_call_advance(
    p_tenant_id, v_call, v_status,
    case when v_status = 'in_progress' then v_at
         when v_terminal and v_duration is not null then v_at - v_duration * interval '1 second' end,
    case when v_terminal then v_at end,
    case when v_terminal then v_duration end);
  if v_final = 'completed' then
    select ceil(duration_seconds / 60.0)::int into v_billed from public.calls where tenant_id = p_tenant_id and id = v_call;
    if v_billed > 0 then
      perform private.record_usage(p_tenant_id, 'call_minutes', v_billed, v_call::text, v_at);
    end if;
  end if;
  return jsonb_build_object('call_id', v_call, 'status', v_final, 'call_minutes', v_billed);
end;
$$;

-- A recording callback (the voicemail's <Record> action request or its recordingStatusCallback). p_recording:
-- call_sid, to, from, recording_url, recording_status (null for the action request). The first completed
-- recording's URL is kept; a repeated or later one changes nothing.
create or replace function private.twilio_recording(p_tenant_id uuid, p_channel_id uuid, p_recording jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_call uuid;
  v_url text;
begin
  perform private.twilio_check_channel(p_tenant_id, p_channel_id);
  v_call := private.twilio_call_row(p_tenant_id, p_channel_id, p_recording);
  if coalesce(p_recording ->> 'recording_status', 'completed') = 'completed' and nullif(p_recording ->> 'recording_url', '') is not null then
    update public.calls set recording_url = p_recording ->> 'recording_url'
    where tenant_id = p_tenant_id and id = v_call and recording_url is null;
  end if;
  select recording_url into v_url from public.calls where tenant_id = p_tenant_id and id = v_call;
  return jsonb_build_object('call_id', v_call, 'recording_url', v_url);
end;
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- AI voice platforms: end-of-call reports
-- ---------------------------------------------------------------------------------------------------------------

-- The agents of active businesses registered under a platform's agent id, with their encrypted credential of the
-- kind that platform authenticates with (null when none is set). More than one row is possible (nothing stops two
-- businesses from registering the same id); the function verifies each and trusts only the one whose secret fits.
create or replace function private.voice_agent_secrets(p_platform text, p_platform_agent_id text, p_name text)
returns table (tenant_id uuid, agent_id uuid, secret bytea, key_id text)
language sql
stable
security definer
set search_path = ''
as $$
  select a.tenant_id, a.id, s.ciphertext, s.key_id
  from public.voice_agents a
  join public.tenants t on t.id = a.tenant_id and t.status = 'active'
  left join private.agent_secrets s on s.tenant_id = a.tenant_id and s.agent_id = a.id and s.name = p_name
  where a.platform = p_platform and a.platform_agent_id = p_platform_agent_id
  order by a.tenant_id, a.id
$$;

-- Applies one verified end-of-call report, normalized by the platform adapter (_shared/voice-platforms), for the
-- tenant and agent its secret proved. Once per platform call: the summary row is the gate, so a repeated report
-- (even concurrent) changes nothing at all. p_report keys: provider_call_id, telephony_call_sid, direction,
-- from_number, to_number, status, started_at, ended_at, duration_seconds, recording_url, summary, transcript,
-- outcome, sentiment, caller_name, memories [{content, kind, importance}], personality {openness … neuroticism},
-- structured.
create or replace function private.voice_call_report(p_tenant_id uuid, p_agent_id uuid, p_provider text, p_report jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_direction public.call_direction := coalesce(p_report ->> 'direction', 'inbound')::public.call_direction;
  v_from text := nullif(p_report ->> 'from_number', '');
  v_to text := nullif(p_report ->> 'to_number', '');
  v_caller_phone text;
  v_business_phone text;
  v_started timestamptz := (p_report ->> 'started_at')::timestamptz;
  v_ended timestamptz := (p_report ->> 'ended_at')::timestamptz;
  v_at timestamptz;
  v_channel uuid;
  v_call uuid;
  v_gate uuid;
  v_customer uuid;
  v_caller uuid;
  v_name text := nullif(btrim(coalesce(p_report ->> 'caller_name', '')), '');
  v_personality jsonb := coalesce(p_report -> 'personality', '{}'::jsonb);
  v_memories jsonb := coalesce(p_report -> 'memories', '[]'::jsonb);
  v_limit numeric;
  v_allowed int := 0;
  v_stored int := 0;
  v_memory jsonb;
  v_memory_id uuid;
begin
  if p_provider not in ('vapi', 'retell') then
    perform private.fail(400, format('unknown voice platform "%s"', p_provider));
  end if;
  if coalesce(p_report ->> 'provider_call_id', '') = '' then
    perform private.fail(400, 'the report names no call id');
  end if;
  if not exists (select 1 from public.voice_agents where tenant_id = p_tenant_id and id = p_agent_id) then
    perform private.fail(404, 'no such voice agent');
  end if;
  v_at := coalesce(v_ended, v_started, now());
  v_caller_phone := case when v_direction = 'inbound' then v_from else v_to end;
  v_business_phone := case when v_direction = 'inbound' then v_to else v_from end;
  if v_caller_phone !~ '^\+[1-9][0-9]{6,14}$' then
    v_caller_phone := null;
  end if;
  -- Only this tenant's own number: a report can never attach to another business's channel.
  select id into v_channel from public.channels
  where tenant_id = p_tenant_id and kind = 'phone' and phone_number = v_business_phone and verified_at is not null;

  -- The call: the platform's own row if it has one; else the Twilio call it handled (the platform names Twilio's
  -- CallSid when it answered through this business's Twilio number), so one phone call stays one row; else new.
  select id into v_call from public.calls
  where tenant_id = p_tenant_id and provider = p_provider and provider_call_id = p_report ->> 'provider_call_id';
  if v_call is null and nullif(p_report ->> 'telephony_call_sid', '') is not null then
    select id into v_call from public.calls
    where tenant_id = p_tenant_id and provider = 'twilio' and provider_call_id = p_report ->> 'telephony_call_sid';
  end if;
  if v_call is null then
    insert into public.calls (tenant_id, channel_id, agent_id, provider, provider_call_id, direction, from_number, to_number, status)
    values (p_tenant_id, v_channel, p_agent_id, p_provider, p_report ->> 'provider_call_id', v_direction, v_from, v_to, 'queued')
    on conflict (tenant_id, provider, provider_call_id) do nothing
    returning id into v_call;
    if v_call is null then
      select id into v_call from public.calls
      where tenant_id = p_tenant_id and provider = p_provider and provider_call_id = p_report ->> 'provider_call_id';
    end if;
  end if;

  insert into public.call_summaries (tenant_id, call_id, summary, transcript, outcome, sentiment, structured)
  values (p_tenant_id, v_call, p_report ->> 'summary', p_report ->> 'transcript', p_report ->> 'outcome',
          (p_report ->> 'sentiment')::public.sentiment, coalesce(p_report -> 'structured', '{}'::jsonb))
  on conflict (tenant_id, call_id) do nothing
  returning call_id into v_gate;
  if v_gate is null then
    return jsonb_build_object('duplicate', true, 'call_id', v_call);
  end if;

  if v_caller_phone is not null then
    v_customer := private.voice_customer(p_tenant_id, v_caller_phone, v_name, v_at);
    insert into public.caller_profiles as p (tenant_id, phone, customer_id, display_name, call_count, first_call_at, last_call_at)
    values (p_tenant_id, v_caller_phone, v_customer, v_name, 1, v_at, v_at)
    on conflict (tenant_id, phone) do update set
      call_count = p.call_count + 1,
      customer_id = coalesce(p.customer_id, excluded.customer_id),
      -- the latest call knows the name best; an older report arriving late does not overwrite it
      display_name = case when excluded.display_name is not null and (p.last_call_at is null or excluded.last_call_at >= p.last_call_at)
                          then excluded.display_name else coalesce(p.display_name, excluded.display_name) end,
      first_call_at = least(coalesce(p.first_call_at, excluded.first_call_at), excluded.first_call_at),
      last_call_at = greatest(coalesce(p.last_call_at, excluded.last_call_at), excluded.last_call_at)
    returning id into v_caller;
  end if;

  update public.calls c set
    channel_id = coalesce(c.channel_id, v_channel),
    agent_id = coalesce(c.agent_id, p_agent_id),
    customer_id = coalesce(c.customer_id, v_customer),
    from_number = coalesce(c.from_number, v_from),
    to_number = coalesce(c.to_number, v_to),
    recording_url = coalesce(c.recording_url, nullif(p_report ->> 'recording_url', ''))
  where c.tenant_id = p_tenant_id and c.id = v_call;
  perform private.voice_call_advance(p_tenant_id, v_call, coalesce(p_report ->> 'status', 'completed')::public.call_status,
                                     v_started, v_ended, (p_report ->> 'duration_seconds')::int);

  if v_caller is not null and exists (
    select 1 from jsonb_object_keys(v_personality) k
    where k in ('openness', 'conscientiousness', 'extraversion', 'agreeableness', 'neuroticism')) then
    insert into public.personality_metrics (tenant_id, call_id, caller_id, openness, conscientiousness, extraversion, agreeableness, neuroticism)
    values (p_tenant_id, v_call, v_caller, (v_personality ->> 'openness')::numeric, (v_personality ->> 'conscientiousness')::numeric,
            (v_personality ->> 'extraversion')::numeric, (v_personality ->> 'agreeableness')::numeric, (v_personality ->> 'neuroticism')::numeric)
    on conflict (tenant_id, call_id) do nothing;
  end if;

  -- Memories count against the plan. The report itself is always stored (a webhook is never lost, and the
  -- structured data keeps every memory it carried); memories past the month's allowance are skipped and reported.
  if v_caller is not null and jsonb_typeof(v_memories) = 'array' and jsonb_array_length(v_memories) > 0 then
    v_limit := ((private.current_plan(p_tenant_id)).limits ->> 'memories')::numeric;
    v_allowed := case when v_limit is null then jsonb_array_length(v_memories)
                      else greatest(0, least(jsonb_array_length(v_memories),
                                             floor(v_limit - private.usage_this_month(p_tenant_id, 'memories'))))::int end;
    for v_memory in select m from jsonb_array_elements(v_memories) with ordinality as e(m, n) order by n limit v_allowed loop
      insert into public.memories (tenant_id, caller_id, content, kind, importance, source_call_id)
      values (p_tenant_id, v_caller, left(btrim(v_memory ->> 'content'), 4000),
              coalesce(v_memory ->> 'kind', 'fact'),
              least(10, greatest(1, coalesce((v_memory ->> 'importance')::int, 5))),
              v_call)
      returning id into v_memory_id;
      perform private.record_usage(p_tenant_id, 'memories', 1, v_memory_id::text); -- stored now: this month's allowance
      v_stored := v_stored + 1;
    end loop;
  end if;

  return jsonb_build_object(
    'duplicate', false, 'call_id', v_call, 'customer_id', v_customer, 'caller_id', v_caller,
    'memories_stored', v_stored,
    'memories_skipped', case when jsonb_typeof(v_memories) = 'array' then jsonb_array_length(v_memories) - v_stored else 0 end);
end;
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Grants: the webhook role executes exactly the per-request functions; helpers are internal.
-- ---------------------------------------------------------------------------------------------------------------
do $grants$
declare
  f text;
begin
  foreach f in array array[
    'private.voice_open_at(uuid, timestamptz)',
    'private.voice_customer(uuid, text, text, timestamptz)',
    'private.twilio_check_channel(uuid, uuid)',
    'private.twilio_call_row(uuid, uuid, jsonb)',
    'private.voice_call_advance(uuid, uuid, public.call_status, timestamptz, timestamptz, int)',
    'private.set_agent_secret(uuid, text, bytea, text)',
    'private.twilio_voice_channel(text)',
    'private.twilio_unroutable(text, text, jsonb)',
    'private.twilio_incoming_call(uuid, uuid, jsonb)',
    'private.twilio_call_status(uuid, uuid, jsonb)',
    'private.twilio_recording(uuid, uuid, jsonb)',
    'private.voice_agent_secrets(text, text, text)',
    'private.voice_call_report(uuid, uuid, text, jsonb)'
  ] loop
    execute format('revoke all on function %s from public', f);
  end loop;
  foreach f in array array[
    'private.twilio_voice_channel(text)',
    'private.twilio_unroutable(text, text, jsonb)',
    'private.twilio_incoming_call(uuid, uuid, jsonb)',
    'private.twilio_call_status(uuid, uuid, jsonb)',
    'private.twilio_recording(uuid, uuid, jsonb)',
    'private.voice_agent_secrets(text, text, text)',
    'private.voice_call_report(uuid, uuid, text, jsonb)'
  ] loop
    execute format('grant execute on function %s to frontdesk_webhook', f);
  end loop;
end
$grants$;
grant execute on function private.set_agent_secret(uuid, text, bytea, text) to authenticated;
