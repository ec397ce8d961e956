-- Voice webhooks: Twilio's voice callbacks (incoming call, call status, recording) and what AI voice platforms (Vapi,
-- Retell) send during and after a call (live status, the assistant and caller context for an incoming call, the
-- transfer number, end-of-call reports), applied by narrow `security definer` functions that the webhook functions
-- run as `frontdesk_webhook` (the role and pattern of the whatsapp_ingest migration: no table privileges of its own).
-- One helper, private.callable_number, decides on every path whether a caller id is a real number: a withheld id
-- never creates, merges or looks up a customer or caller profile.
--
-- Who a request belongs to is settled before any of these run, and never from what the request merely claims:
--   * Twilio: the number called routes to one tenant's phone channel, and the request must carry a valid
--     X-Twilio-Signature made with that channel's own auth token (verified by the function, which reads the
--     encrypted token through twilio_voice_channel());
--   * Vapi / Retell: the request names the platform's agent id (or, naming none, the business's verified number, whose
--     agents are the only candidates), and must carry proof of that agent's own secret (Vapi's server secret, bearer
--     token or HMAC signature, Retell's API key signature), stored encrypted in private.agent_secrets.
-- Every write function then takes that tenant and writes only rows of it.
--
-- Callbacks are at-least-once and out of order, so every function is idempotent: a call exists once per provider
-- call id (whichever callback arrives first creates it; a platform's row remembers the Twilio CallSid it answered, so
-- one phone call is one row), statuses only move forward, a recording URL or a report is applied once, and usage is
-- counted once per call (or per memory), whichever provider reports it.

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
-- direction (Twilio's: inbound, outbound-api, outbound-dial), caller_name, caller_withheld (a provider said the id
-- is hidden). Fills what an earlier, thinner callback (a recording callback knows no caller) left empty, and links
-- the caller's customer record (never for a withheld or uncallable id); changes nothing when nothing is missing, so
-- repeated callbacks leave the row alone. When an AI platform already reported this CallSid (its row names it in
-- telephony_call_sid), that row is the call.
create or replace function private.twilio_call_row(p_tenant_id uuid, p_channel_id uuid, p_call jsonb)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_outbound boolean := coalesce(p_call ->> 'direction', 'inbound') like 'outbound%';
  v_from text := nullif(p_call ->> 'from', '');
  v_to text := nullif(p_call ->> 'to', '');
  v_caller text := case when coalesce((p_call ->> 'caller_withheld')::boolean, false) then null
                         when v_outbound then v_to else v_from end;
  v_call uuid;
  v_customer uuid;
begin
  select c.id, c.customer_id into v_call, v_customer from public.calls c
  where c.tenant_id = p_tenant_id and c.provider = 'twilio' and c.provider_call_id = p_call ->> 'call_sid';
  if v_call is null then
    select c.id, c.customer_id into v_call, v_customer from public.calls c
    where c.tenant_id = p_tenant_id and c.telephony_call_sid = p_call ->> 'call_sid' and c.provider <> 'twilio'
    order by c.created_at, c.id
    limit 1;
  end if;
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
  v_billed := private.voice_bill_call(p_tenant_id, v_call);
  return jsonb_build_object('call_id', v_call, 'status', v_final, 'call_minutes', v_billed);
end;
$$;

-- A recording callback (the voicemail's <Record> action request or its recordingStatusCallback). p_recording:
-- call_sid, to, from, recording_url, recording_status (null for the action request), recording_duration (Twilio's
-- RecordingDuration, seconds). The first completed recording's URL and duration are kept (a duration the first
-- callback lacked is filled by a later one); a repeated or later one changes nothing.
create or replace function private.twilio_recording(p_tenant_id uuid, p_channel_id uuid, p_recording jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_call uuid;
  v_url text;
  v_seconds int := (p_recording ->> 'recording_duration')::int;
  v_duration int;
begin
  perform private.twilio_check_channel(p_tenant_id, p_channel_id);
  v_call := private.twilio_call_row(p_tenant_id, p_channel_id, p_recording);
  if coalesce(p_recording ->> 'recording_status', 'completed') = 'completed' and nullif(p_recording ->> 'recording_url', '') is not null then
    update public.calls set
      recording_duration_seconds = case when recording_url is null then v_seconds else coalesce(recording_duration_seconds, v_seconds) end,
      recording_url = coalesce(recording_url, p_recording ->> 'recording_url')
    where tenant_id = p_tenant_id and id = v_call
      and (recording_url is null
           or (recording_url = p_recording ->> 'recording_url' and recording_duration_seconds is null and v_seconds is not null));
  end if;
  select recording_url, recording_duration_seconds into v_url, v_duration from public.calls where tenant_id = p_tenant_id and id = v_call;
  return jsonb_build_object('call_id', v_call, 'recording_url', v_url, 'recording_duration_seconds', v_duration);
end;
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- AI voice platforms: who is calling in, live call state, the caller's context, end-of-call reports
-- ---------------------------------------------------------------------------------------------------------------

-- The agents of active businesses registered under a platform's agent id, with their encrypted credential of the
-- kind that platform authenticates with (null when none is set) and their config (which may say how the platform
-- signs, e.g. Vapi's HMAC credential). More than one row is possible (nothing stops two businesses from registering
-- the same id); the function verifies each and trusts only the one whose secret fits.
create or replace function private.voice_agent_secrets(p_platform text, p_platform_agent_id text, p_name text)
returns table (tenant_id uuid, agent_id uuid, platform_agent_id text, secret bytea, key_id text, config jsonb)
language sql
stable
security definer
set search_path = ''
as $$
  select a.tenant_id, a.id, a.platform_agent_id, s.ciphertext, s.key_id, a.config
  from public.voice_agents a
  join public.tenants t on t.id = a.tenant_id and t.status = 'active'
  left join private.agent_secrets s on s.tenant_id = a.tenant_id and s.agent_id = a.id and s.name = p_name
  where a.platform = p_platform and a.platform_agent_id = p_platform_agent_id
  order by a.tenant_id, a.id
$$;

-- The same, for a request that names no agent but the business's number (Vapi's assistant-request and transient
-- assistants, Retell's inbound webhook): the business whose verified, active phone channel has this number (a
-- verified number belongs to one business), its active agents on that platform — the channel's chosen agent
-- (settings.agent_id, flagged `preferred`) first, then the oldest — each with its credential. The caller proves one
-- of those secrets.
create or replace function private.voice_number_agents(p_platform text, p_number text, p_name text)
returns table (tenant_id uuid, agent_id uuid, platform_agent_id text, secret bytea, key_id text, config jsonb, preferred boolean)
language sql
stable
security definer
set search_path = ''
as $$
  select a.tenant_id, a.id, a.platform_agent_id, s.ciphertext, s.key_id, a.config, coalesce(a.id::text = (c.settings ->> 'agent_id'), false)
  from public.channels c
  join public.tenants t on t.id = c.tenant_id and t.status = 'active'
  join public.voice_agents a on a.tenant_id = c.tenant_id and a.platform = p_platform and a.active
  left join private.agent_secrets s on s.tenant_id = a.tenant_id and s.agent_id = a.id and s.name = p_name
  where c.kind = 'phone' and c.phone_number = p_number and c.verified_at is not null and c.active
  order by a.id::text = (c.settings ->> 'agent_id') desc, a.created_at, a.id
$$;

-- The platform's call, found or created, for a verified event or report of p_agent_id's business. p keys:
-- provider_call_id, telephony_call_sid, direction, from_number, to_number. The platform's own row if it has one;
-- else the Twilio call it handled (it names Twilio's CallSid when it answered through this business's Twilio
-- number), so one phone call stays one row; else a new row that remembers that CallSid, so Twilio's callbacks
-- arriving later land on it too. Fills what is missing (channel — only this tenant's own number —, agent, numbers)
-- and writes nothing when nothing is.
create or replace function private.voice_platform_call(p_tenant_id uuid, p_agent_id uuid, p_provider text, p jsonb)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_direction public.call_direction := coalesce(p ->> 'direction', 'inbound')::public.call_direction;
  v_from text := nullif(p ->> 'from_number', '');
  v_to text := nullif(p ->> 'to_number', '');
  v_sid text := nullif(p ->> 'telephony_call_sid', '');
  v_channel uuid;
  v_call uuid;
begin
  select id into v_channel from public.channels
  where tenant_id = p_tenant_id and kind = 'phone' and verified_at is not null
    and phone_number = case when v_direction = 'inbound' then v_to else v_from end;

  select id into v_call from public.calls
  where tenant_id = p_tenant_id and provider = p_provider and provider_call_id = p ->> 'provider_call_id';
  if v_call is null and v_sid is not null then
    select id into v_call from public.calls
    where tenant_id = p_tenant_id and provider = 'twilio' and provider_call_id = v_sid;
  end if;
  if v_call is null then
    insert into public.calls (tenant_id, channel_id, agent_id, provider, provider_call_id, telephony_call_sid, direction,
                              from_number, to_number, status)
    values (p_tenant_id, v_channel, p_agent_id, p_provider, p ->> 'provider_call_id', v_sid, v_direction, v_from, v_to, 'queued')
    on conflict (tenant_id, provider, provider_call_id) do nothing
    returning id into v_call;
    if v_call is not null then
      return v_call;
    end if;
    select id into v_call from public.calls
    where tenant_id = p_tenant_id and provider = p_provider and provider_call_id = p ->> 'provider_call_id';
  end if;
  update public.calls c set
    channel_id = coalesce(c.channel_id, v_channel),
    agent_id = coalesce(c.agent_id, p_agent_id),
    from_number = coalesce(c.from_number, v_from),
    to_number = coalesce(c.to_number, v_to),
    telephony_call_sid = case when c.provider = 'twilio' then c.telephony_call_sid else coalesce(c.telephony_call_sid, v_sid) end
  where c.tenant_id = p_tenant_id and c.id = v_call
    and ((c.channel_id is null and v_channel is not null) or (c.agent_id is null and p_agent_id is not null)
         or (c.from_number is null and v_from is not null) or (c.to_number is null and v_to is not null)
         or (c.provider <> 'twilio' and c.telephony_call_sid is null and v_sid is not null));
  return v_call;
end;
$$;

-- The caller's number on a platform call, when it is one the business may know them by: the remote party's
-- number, unless the platform flagged it as withheld or it is no callable number (private.callable_number).
create or replace function private.voice_caller_phone(p jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when coalesce((p ->> 'caller_withheld')::boolean, false) then null
    when private.callable_number(case when coalesce(p ->> 'direction', 'inbound') = 'inbound' then p ->> 'from_number' else p ->> 'to_number' end)
      then case when coalesce(p ->> 'direction', 'inbound') = 'inbound' then p ->> 'from_number' else p ->> 'to_number' end
  end
$$;

-- A live call event of a verified platform agent (Vapi's status-update, Retell's call_started / call_ended), so a
-- call in progress shows its state. p_event: the keys of voice_platform_call plus status (a call_status),
-- started_at, ended_at, duration_seconds, caller_withheld. Creates or advances the call (statuses only move
-- forward), links the caller's customer as Twilio's incoming call does (never for a withheld or uncallable id),
-- and counts the minutes of a completed call once.
create or replace function private.voice_call_event(p_tenant_id uuid, p_agent_id uuid, p_provider text, p_event jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status public.call_status := coalesce(p_event ->> 'status', 'queued')::public.call_status;
  v_started timestamptz := (p_event ->> 'started_at')::timestamptz;
  v_ended timestamptz := (p_event ->> 'ended_at')::timestamptz;
  v_phone text := private.voice_caller_phone(p_event);
  v_call uuid;
  v_customer uuid;
  v_final public.call_status;
  v_billed int;
begin
  if p_provider not in ('vapi', 'retell') then
    perform private.fail(400, format('unknown voice platform "%s"', p_provider));
  end if;
  if coalesce(p_event ->> 'provider_call_id', '') = '' then
    perform private.fail(400, 'the event names no call id');
  end if;
  if not exists (select 1 from public.voice_agents where tenant_id = p_tenant_id and id = p_agent_id) then
    perform private.fail(404, 'no such voice agent');
  end if;
  v_call := private.voice_platform_call(p_tenant_id, p_agent_id, p_provider, p_event);
  select customer_id into v_customer from public.calls where tenant_id = p_tenant_id and id = v_call;
  if v_customer is null and v_phone is not null then
    v_customer := private.voice_customer(p_tenant_id, v_phone, null, coalesce(v_started, v_ended, now()));
    update public.calls set customer_id = v_customer
    where tenant_id = p_tenant_id and id = v_call and customer_id is null and v_customer is not null;
  end if;
  v_final := private.voice_call_advance(p_tenant_id, v_call, v_status, v_started, v_ended, (p_event ->> 'duration_seconds')::int);
  v_billed := private.voice_bill_call(p_tenant_id, v_call);
  return jsonb_build_object('call_id', v_call, 'status', v_final, 'customer_id', v_customer, 'call_minutes', v_billed);
end;
$$;

-- What an assistant should know as the call starts (Vapi's assistant-request, Retell's inbound webhook) or when it
-- hands over (transfer-destination-request): the business; the agent (prompt, greeting, language, voice, config);
-- the number to transfer to (the agent's config.transfer_number, else the business's settings.transfer_number; E.164
-- only); and the caller — name, up to five upcoming bookings, the last call's summary — for a callable number only:
-- a withheld or invalid id gets an empty caller, never anyone's memories.
create or replace function private.voice_assistant_context(p_tenant_id uuid, p_agent_id uuid, p_caller text, p_withheld boolean default false)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_tenant public.tenants;
  v_agent public.voice_agents;
  v_voice public.voices;
  v_phone text := case when coalesce(p_withheld, false) or not private.callable_number(p_caller) then null else p_caller end;
  v_customer public.customers;
  v_profile public.caller_profiles;
  v_bookings jsonb := '[]'::jsonb;
  v_summary text;
begin
  select * into v_tenant from public.tenants where id = p_tenant_id;
  select * into v_agent from public.voice_agents where tenant_id = p_tenant_id and id = p_agent_id;
  if v_agent.id is null then
    perform private.fail(404, 'no such voice agent');
  end if;
  select * into v_voice from public.voices where tenant_id = p_tenant_id and id = v_agent.voice_id;
  if v_phone is not null then
    select * into v_customer from public.customers where tenant_id = p_tenant_id and phone = v_phone;
    select * into v_profile from public.caller_profiles where tenant_id = p_tenant_id and phone = v_phone;
    if v_customer.id is not null then
      select coalesce(jsonb_agg(jsonb_build_object(
               'booking_id', b.id, 'starts_at', b.starts_at, 'ends_at', b.ends_at, 'status', b.status,
               'local_start', to_char(b.starts_at at time zone v_tenant.timezone, 'YYYY-MM-DD HH24:MI'),
               'service', s.name, 'staff', st.name) order by b.starts_at), '[]'::jsonb)
      into v_bookings
      from (select * from public.bookings bk
            where bk.tenant_id = p_tenant_id and bk.customer_id = v_customer.id
              and bk.status in ('pending', 'confirmed') and bk.starts_at > now()
            order by bk.starts_at limit 5) b
      join public.services s on s.tenant_id = b.tenant_id and s.id = b.service_id
      join public.staff st on st.tenant_id = b.tenant_id and st.id = b.staff_id;
    end if;
    -- Every call from a callable number is linked to its customer, so the customer's calls are the caller's
    -- (calls_customer_idx), newest first.
    if v_customer.id is not null then
      select cs.summary into v_summary
      from public.calls c
      join public.call_summaries cs on cs.tenant_id = c.tenant_id and cs.call_id = c.id
      where c.tenant_id = p_tenant_id and c.customer_id = v_customer.id and cs.summary is not null
      order by c.created_at desc
      limit 1;
    end if;
  end if;
  return jsonb_build_object(
    'business', jsonb_build_object('name', v_tenant.name, 'timezone', v_tenant.timezone,
                                   'language', coalesce(v_tenant.settings ->> 'language', v_agent.language)),
    'agent', jsonb_build_object('id', v_agent.id, 'name', v_agent.name, 'platform', v_agent.platform,
                                'platform_agent_id', v_agent.platform_agent_id, 'language', v_agent.language,
                                'greeting', v_agent.greeting, 'system_prompt', v_agent.system_prompt, 'config', v_agent.config),
    'voice', case when v_voice.id is not null then jsonb_build_object(
               'provider', v_voice.provider, 'provider_voice_id', v_voice.provider_voice_id,
               'language', v_voice.language, 'settings', v_voice.settings) end,
    'transfer_number', coalesce(
      case when private.callable_number(v_agent.config ->> 'transfer_number') then v_agent.config ->> 'transfer_number' end,
      case when private.callable_number(v_tenant.settings ->> 'transfer_number') then v_tenant.settings ->> 'transfer_number' end),
    'caller', jsonb_build_object(
      'phone', v_phone,
      'known', v_customer.id is not null or v_profile.id is not null,
      'name', coalesce(v_profile.display_name, v_customer.name),
      'upcoming_bookings', v_bookings,
      'last_summary', v_summary));
end;
$$;

-- Applies one verified end-of-call report, normalized by the platform adapter (_shared/voice-platforms), for the
-- tenant and agent its secret proved. Once per platform call: the summary row is the gate, so a repeated report
-- (even concurrent) changes nothing at all. p_report keys: provider_call_id, telephony_call_sid, direction,
-- from_number, to_number, caller_withheld, status, started_at, ended_at, duration_seconds, recording_url, summary,
-- transcript, outcome, sentiment, caller_name, memories [{content, kind, importance}], personality {openness …
-- neuroticism}, structured. A withheld or uncallable caller id creates, merges or looks up no customer and no
-- caller profile: the summary stays on the call, and its memories and personality are not stored for anyone.
create or replace function private.voice_call_report(p_tenant_id uuid, p_agent_id uuid, p_provider text, p_report jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_caller_phone text := private.voice_caller_phone(p_report);
  v_started timestamptz := (p_report ->> 'started_at')::timestamptz;
  v_ended timestamptz := (p_report ->> 'ended_at')::timestamptz;
  v_at timestamptz;
  v_call uuid;
  v_gate uuid;
  v_customer uuid;
  v_caller uuid;
  v_billed int;
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
  v_call := private.voice_platform_call(p_tenant_id, p_agent_id, p_provider, p_report);

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
    customer_id = coalesce(c.customer_id, v_customer),
    recording_url = coalesce(c.recording_url, nullif(p_report ->> 'recording_url', ''))
  where c.tenant_id = p_tenant_id and c.id = v_call;
  perform private.voice_call_advance(p_tenant_id, v_call, coalesce(p_report ->> 'status', 'completed')::public.call_status,
                                     v_started, v_ended, (p_report ->> 'duration_seconds')::int);
  v_billed := private.voice_bill_call(p_tenant_id, v_call);

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
      values (p_tenant_id, v_caller, left(btrim(v_memory ->> 'content'), 65536),
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
    'call_minutes', v_billed, 'memories_stored', v_stored,
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
    'private.voice_call_report(uuid, uuid, text, jsonb)',
    'private.callable_number(text)',
    'private.voice_bill_call(uuid, uuid)',
    'private.voice_platform_call(uuid, uuid, text, jsonb)',
    'private.voice_caller_phone(jsonb)',
    'private.voice_number_agents(text, text, text)',
    'private.voice_call_event(uuid, uuid, text, jsonb)',
    'private.voice_assistant_context(uuid, uuid, text, boolean)'
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
    'private.voice_call_report(uuid, uuid, text, jsonb)',
    'private.voice_number_agents(text, text, text)',
    'private.voice_call_event(uuid, uuid, text, jsonb)',
    'private.voice_assistant_context(uuid, uuid, text, boolean)'
  ] loop
    execute format('grant execute on function %s to frontdesk_webhook', f);
  end loop;
end
$grants$;
grant execute on function private.set_agent_secret(uuid, text, bytea, text) to authenticated;
