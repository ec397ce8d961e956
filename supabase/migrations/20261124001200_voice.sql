-- Voice: TTS voice profiles, AI voice agents, calls and their summaries. A call is created once per provider call
-- id (Twilio's CallSid, Vapi's or Retell's call id) within a business; its status only moves forward
-- (queued → initiated → ringing → in_progress → one terminal state), so late or repeated callbacks cannot undo it.

create type public.call_direction as enum ('inbound', 'outbound');
create type public.call_status as enum (
  'queued', 'initiated', 'ringing', 'in_progress', 'completed', 'busy', 'no_answer', 'failed', 'canceled'
);
create type public.sentiment as enum ('positive', 'neutral', 'negative', 'mixed');

create table public.voices (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text not null,
  provider text not null,
  provider_voice_id text not null,
  language text not null default 'en',
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint voices_name_key unique (tenant_id, name),
  constraint voices_provider check (provider in ('elevenlabs', 'openai', 'azure', 'google', 'cartesia', 'deepgram', 'playht', 'other'))
);

create table public.voice_agents (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text not null,
  language text not null default 'en',
  voice_id uuid,
  platform text not null default 'custom',
  platform_agent_id text,
  -- Where Twilio streams the call audio (wss://…) when the agent answers.
  media_stream_url text,
  greeting text,
  system_prompt text,
  config jsonb not null default '{}'::jsonb,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  -- Platform requests and credentials address an agent by id alone: unique across every business.
  constraint voice_agents_id_key unique (id),
  foreign key (tenant_id, voice_id) references public.voices (tenant_id, id) on delete set null (voice_id),
  constraint voice_agents_name_key unique (tenant_id, name),
  constraint voice_agents_platform check (platform in ('vapi', 'retell', 'custom')),
  constraint voice_agents_stream_url check (media_stream_url is null or media_stream_url ~ '^wss?://')
);
create index voice_agents_voice_idx on public.voice_agents (tenant_id, voice_id);

create table public.calls (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  channel_id uuid,
  agent_id uuid,
  customer_id uuid,
  provider text not null,
  provider_call_id text not null,
  direction public.call_direction not null,
  from_number text,
  to_number text,
  status public.call_status not null default 'queued',
  started_at timestamptz,
  ended_at timestamptz,
  duration_seconds int,
  recording_url text,
  -- Seconds of the recording (Twilio's RecordingDuration), kept with the first recording URL.
  recording_duration_seconds int,
  -- An AI platform's row only: the Twilio CallSid the platform answered (call.transport.callSid, telephony_identifier),
  -- so Twilio's callbacks arriving after the platform's first event land on this same row.
  telephony_call_sid text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint calls_id_key unique (id),
  foreign key (tenant_id, channel_id) references public.channels (tenant_id, id) on delete set null (channel_id),
  foreign key (tenant_id, agent_id) references public.voice_agents (tenant_id, id) on delete set null (agent_id),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id) on delete set null (customer_id),
  constraint calls_provider_call_key unique (tenant_id, provider, provider_call_id),
  constraint calls_provider check (provider in ('twilio', 'vapi', 'retell', 'other')),
  constraint calls_duration check (duration_seconds is null or duration_seconds >= 0),
  constraint calls_recording_duration check (recording_duration_seconds is null or recording_duration_seconds >= 0)
);
create index calls_recent_idx on public.calls (tenant_id, created_at desc);
create index calls_customer_idx on public.calls (tenant_id, customer_id, created_at desc);
create index calls_channel_idx on public.calls (tenant_id, channel_id);
create index calls_agent_idx on public.calls (tenant_id, agent_id);
create index calls_telephony_idx on public.calls (tenant_id, telephony_call_sid) where telephony_call_sid is not null;

create table public.call_summaries (
  tenant_id uuid not null,
  call_id uuid not null,
  summary text,
  transcript text,
  outcome text,
  sentiment public.sentiment,
  structured jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  primary key (tenant_id, call_id),
  foreign key (tenant_id, call_id) references public.calls (tenant_id, id) on delete cascade
);

create or replace function private.calls_status_forward()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status is distinct from old.status
     and private.status_rank('call', new.status::text) <= private.status_rank('call', old.status::text) then
    new.status := old.status;
  end if;
  return new;
end;
$$;
create trigger calls_status_forward before update of status on public.calls
  for each row execute function private.calls_status_forward();
create trigger voice_agents_updated_at before update on public.voice_agents for each row execute function private.set_updated_at();
create trigger calls_updated_at before update on public.calls for each row execute function private.set_updated_at();

select private.apply_tenant_policies('public.voices', 'staff', 'admin');
select private.apply_tenant_policies('public.voice_agents', 'staff', 'admin');
select private.grant_writes('public.voices',
  array['tenant_id', 'name', 'provider', 'provider_voice_id', 'language', 'settings'],
  array['name', 'provider', 'provider_voice_id', 'language', 'settings'], true);
select private.grant_writes('public.voice_agents',
  array['tenant_id', 'name', 'language', 'voice_id', 'platform', 'platform_agent_id', 'media_stream_url', 'greeting',
        'system_prompt', 'config', 'active'],
  array['name', 'language', 'voice_id', 'platform', 'platform_agent_id', 'media_stream_url', 'greeting',
        'system_prompt', 'config', 'active'], true);
-- Calls and summaries are written by the telephony webhooks; staff read them, owners and admins may delete them.
select private.apply_tenant_policies('public.calls', 'staff', 'admin', array['delete']);
select private.apply_tenant_policies('public.call_summaries', 'staff', 'admin', array['delete']);
select private.grant_writes('public.calls', null, null, true);
select private.grant_writes('public.call_summaries', null, null, true);
