-- Caller memory (the call-memory service): what a business's voice agent has learned about each caller. One caller
-- profile per phone number per business; memories with a kind, an importance and full-text search; personality
-- metrics per call, and each caller's running averages (kept by a trigger, so recall reads one row).

create table public.caller_profiles (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  phone text not null,
  customer_id uuid,
  display_name text,
  summary text,
  preferences jsonb not null default '{}'::jsonb,
  call_count int not null default 0,
  first_call_at timestamptz,
  last_call_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint caller_profiles_phone_key unique (tenant_id, phone),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id) on delete set null (customer_id),
  constraint caller_profiles_phone_e164 check (phone ~ '^\+[1-9][0-9]{6,14}$')
);
create index caller_profiles_customer_idx on public.caller_profiles (tenant_id, customer_id);

create table public.memories (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  caller_id uuid not null,
  content text not null,
  kind text not null default 'fact',
  importance smallint not null default 5,
  source_call_id uuid,
  search tsvector generated always as (to_tsvector('simple', content)) stored,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, caller_id) references public.caller_profiles (tenant_id, id) on delete cascade,
  foreign key (tenant_id, source_call_id) references public.calls (tenant_id, id) on delete set null (source_call_id),
  -- As long as what legacy memory stores hold (transcript-length notes): 64 Ki characters, still full-text searchable.
  constraint memories_content_size check (length(content) between 1 and 65536),
  constraint memories_kind check (kind in ('fact', 'preference', 'event', 'relationship', 'note', 'follow_up')),
  constraint memories_importance check (importance between 1 and 10)
);
create index memories_caller_idx on public.memories (tenant_id, caller_id, importance desc, created_at desc);
create index memories_search_idx on public.memories using gin (search);
create index memories_source_call_idx on public.memories (tenant_id, source_call_id);

create table public.personality_metrics (
  tenant_id uuid not null,
  call_id uuid not null,
  caller_id uuid not null,
  openness numeric(4, 3),
  conscientiousness numeric(4, 3),
  extraversion numeric(4, 3),
  agreeableness numeric(4, 3),
  neuroticism numeric(4, 3),
  created_at timestamptz not null default now(),
  primary key (tenant_id, call_id),
  foreign key (tenant_id, call_id) references public.calls (tenant_id, id) on delete cascade,
  foreign key (tenant_id, caller_id) references public.caller_profiles (tenant_id, id) on delete cascade,
  constraint personality_metrics_range check (
    coalesce(openness, 0) between 0 and 1 and coalesce(conscientiousness, 0) between 0 and 1
    and coalesce(extraversion, 0) between 0 and 1 and coalesce(agreeableness, 0) between 0 and 1
    and coalesce(neuroticism, 0) between 0 and 1)
);
create index personality_metrics_caller_idx on public.personality_metrics (tenant_id, caller_id);

create table public.caller_personality (
  tenant_id uuid not null,
  caller_id uuid not null,
  calls int not null,
  openness numeric(4, 3),
  conscientiousness numeric(4, 3),
  extraversion numeric(4, 3),
  agreeableness numeric(4, 3),
  neuroticism numeric(4, 3),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, caller_id),
  foreign key (tenant_id, caller_id) references public.caller_profiles (tenant_id, id) on delete cascade
);

-- Recomputes one caller's averages from their metrics (a handful of rows per caller).
create or replace function private.refresh_caller_personality()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := coalesce(new.tenant_id, old.tenant_id);
  v_caller uuid := coalesce(new.caller_id, old.caller_id);
begin
  delete from public.caller_personality where tenant_id = v_tenant and caller_id = v_caller;
  insert into public.caller_personality (tenant_id, caller_id, calls, openness, conscientiousness, extraversion, agreeableness, neuroticism)
  select tenant_id, caller_id, count(*), avg(openness), avg(conscientiousness), avg(extraversion), avg(agreeableness), avg(neuroticism)
  from public.personality_metrics
  where tenant_id = v_tenant and caller_id = v_caller
  group by tenant_id, caller_id
  having exists (select 1 from public.caller_profiles where tenant_id = v_tenant and id = v_caller);
  return null;
end;
$$;
create trigger personality_metrics_refresh after insert or update or delete on public.personality_metrics
  for each row execute function private.refresh_caller_personality();

create trigger caller_profiles_updated_at before update on public.caller_profiles for each row execute function private.set_updated_at();

-- Staff read what the agent knows (they answer the phone too); owners and admins correct or erase it.
-- Memories are stored only through memory_store() and call reports, which count them against the plan; owners and
-- admins correct (content, kind, importance) and erase them. Call counts and times are the platform's.
select private.apply_tenant_policies('public.caller_profiles', 'staff', 'admin');
select private.apply_tenant_policies('public.memories', 'staff', 'admin', array['update', 'delete']);
select private.apply_tenant_policies('public.personality_metrics', 'staff', 'admin', array['delete']);
select private.apply_tenant_policies('public.caller_personality', 'staff');
select private.grant_writes('public.caller_profiles',
  array['tenant_id', 'phone', 'customer_id', 'display_name', 'summary', 'preferences'],
  array['customer_id', 'display_name', 'summary', 'preferences'], true);
select private.grant_writes('public.memories', null, array['content', 'kind', 'importance'], true);
select private.grant_writes('public.personality_metrics', null, null, true);
