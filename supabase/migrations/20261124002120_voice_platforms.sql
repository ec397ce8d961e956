-- AI voice platforms (Vapi, Retell): who is calling in, live call state, the caller's context for an incoming call,
-- the transfer number, end-of-call reports, applied by narrow `security definer` functions that the call-events
-- function runs as `frontdesk_webhook`. A request names the platform's agent id (or, naming none, the business's
-- verified number, whose agents are the only candidates) and must carry proof of that agent's own secret (Vapi's
-- server secret, bearer token or HMAC signature, Retell's API key signature), stored encrypted in
-- private.agent_secrets; every write function then takes that agent's tenant and writes only rows of it. Reports are
-- applied once per platform call; usage is counted once per call (or per memory), whichever provider reports it.

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
  v_tenant uuid := (select private.writer_tenant_id('admin'));
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

do $grants$
declare
  f text;
begin
  foreach f in array array[
    'private.set_agent_secret(uuid, text, bytea, text)',
    'private.voice_agent_secrets(text, text, text)',
    'private.voice_number_agents(text, text, text)',
    'private.voice_platform_call(uuid, uuid, text, jsonb)',
    'private.voice_caller_phone(jsonb)',
    'private.voice_call_event(uuid, uuid, text, jsonb)',
    'private.voice_assistant_context(uuid, uuid, text, boolean)',
    'private.voice_call_report(uuid, uuid, text, jsonb)'
  ] loop
    execute format('revoke all on function %s from public', f);
  end loop;
  foreach f in array array[
    'private.voice_agent_secrets(text, text, text)',
    'private.voice_number_agents(text, text, text)',
    'private.voice_call_event(uuid, uuid, text, jsonb)',
    'private.voice_assistant_context(uuid, uuid, text, boolean)',
    'private.voice_call_report(uuid, uuid, text, jsonb)'
  ] loop
    execute format('grant execute on function %s to frontdesk_webhook', f);
  end loop;
end
$grants$;
grant execute on function private.set_agent_secret(uuid, text, bytea, text) to authenticated;
