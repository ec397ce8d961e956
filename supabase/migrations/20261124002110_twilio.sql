-- Twilio Voice: the incoming call, call status and recording callbacks, applied by narrow `security definer`
-- functions that the voice-webhook function runs as `frontdesk_webhook` (the role and pattern of the whatsapp_ingest
-- migration: no table privileges of its own). Who a request belongs to is settled before any of these run: the number
-- called routes to one tenant's verified phone channel, and the request must carry a valid X-Twilio-Signature made
-- with that channel's own auth token (verified by the function, which reads the encrypted token through
-- twilio_voice_channel()). Every write function then takes that tenant and writes only rows of it. Callbacks are
-- at-least-once and out of order: a call exists once per CallSid (whichever callback arrives first creates it, and a
-- platform's row that names the CallSid is that call), statuses only move forward, a recording is applied once.

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

do $grants$
declare
  f text;
begin
  foreach f in array array[
    'private.twilio_check_channel(uuid, uuid)',
    'private.twilio_call_row(uuid, uuid, jsonb)',
    'private.twilio_voice_channel(text)',
    'private.twilio_unroutable(text, text, jsonb)',
    'private.twilio_incoming_call(uuid, uuid, jsonb)',
    'private.twilio_call_status(uuid, uuid, jsonb)',
    'private.twilio_recording(uuid, uuid, jsonb)'
  ] loop
    execute format('revoke all on function %s from public', f);
  end loop;
  foreach f in array array[
    'private.twilio_voice_channel(text)',
    'private.twilio_unroutable(text, text, jsonb)',
    'private.twilio_incoming_call(uuid, uuid, jsonb)',
    'private.twilio_call_status(uuid, uuid, jsonb)',
    'private.twilio_recording(uuid, uuid, jsonb)'
  ] loop
    execute format('grant execute on function %s to frontdesk_webhook', f);
  end loop;
end
$grants$;
