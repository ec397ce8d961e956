-- Platform: API keys (for voice agents and integrations outside Supabase), plans with their monthly limits as data,
-- subscriptions, usage (events and monthly totals kept by a trigger), and per-tenant feature flags.

-- API keys: the plaintext is shown once at creation; only its SHA-256 and a display prefix are stored.
create table public.api_keys (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text not null,
  prefix text not null,
  key_hash bytea not null,
  scopes text[] not null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz,
  primary key (tenant_id, id),
  constraint api_keys_id_key unique (id),
  constraint api_keys_hash_key unique (key_hash),
  constraint api_keys_scopes check (scopes <@ array['memory:read', 'memory:write', 'calls:write', 'messages:write', 'bookings:read', 'bookings:write', 'tools:call']::text[] and cardinality(scopes) > 0),
  constraint api_keys_name_present check (length(btrim(name)) between 1 and 100)
);
create index api_keys_created_by_idx on public.api_keys (created_by);

-- Plans are the platform's catalogue, the same for everyone: readable by any signed-in user, written by no client.
create table public.plans (
  id text primary key,
  name text not null,
  monthly_price_cents int not null,
  currency text not null default 'USD',
  -- Monthly limits per usage metric; a missing metric means unlimited.
  limits jsonb not null,
  sort_order int not null default 0,
  constraint plans_limits_object check (jsonb_typeof(limits) = 'object')
);
alter table public.plans enable row level security;
create policy plans_select on public.plans for select to authenticated using (true);

insert into public.plans (id, name, monthly_price_cents, limits, sort_order) values
  ('starter', 'Starter', 4900, '{"inbound_messages": 1000, "outbound_messages": 1000, "call_minutes": 300, "memories": 5000}', 1),
  ('professional', 'Professional', 14900, '{"inbound_messages": 10000, "outbound_messages": 10000, "call_minutes": 2000, "memories": 50000}', 2),
  ('enterprise', 'Enterprise', 49900, '{"inbound_messages": 200000, "outbound_messages": 200000, "call_minutes": 20000, "memories": 1000000}', 3);

create type public.subscription_status as enum ('trialing', 'active', 'past_due', 'canceled');

create table public.subscriptions (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  plan_id text not null references public.plans (id),
  status public.subscription_status not null default 'trialing',
  current_period_start timestamptz not null default date_trunc('month', now()),
  current_period_end timestamptz not null default date_trunc('month', now()) + interval '1 month',
  created_at timestamptz not null default now(),
  canceled_at timestamptz,
  primary key (tenant_id, id),
  constraint subscriptions_period check (current_period_start < current_period_end)
);
create unique index subscriptions_one_live_key on public.subscriptions (tenant_id) where status <> 'canceled';
create index subscriptions_plan_idx on public.subscriptions (plan_id);

-- assistant_turns / assistant_tokens: the WhatsApp LLM assistant's turns and model tokens (in + out), see 20261124002400.
create type public.usage_metric as enum ('inbound_messages', 'outbound_messages', 'call_minutes', 'memories', 'assistant_turns',
                                        'assistant_tokens');

create table public.usage_events (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  metric public.usage_metric not null,
  quantity numeric(12, 2) not null,
  occurred_at timestamptz not null default now(),
  -- What caused it (a message id, a call id), so a retried webhook never counts twice.
  source_ref text,
  primary key (tenant_id, id),
  constraint usage_events_quantity check (quantity > 0)
);
create unique index usage_events_source_key on public.usage_events (tenant_id, metric, source_ref) where source_ref is not null;
create index usage_events_time_idx on public.usage_events (tenant_id, occurred_at desc);

create table public.usage_monthly (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  month date not null,
  metric public.usage_metric not null,
  quantity numeric(14, 2) not null default 0,
  primary key (tenant_id, month, metric),
  constraint usage_monthly_first_day check (extract(day from month) = 1)
);

-- Monthly totals follow the events (UTC months), so a limit check reads one row.
create or replace function private.count_usage()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.usage_monthly (tenant_id, month, metric, quantity)
  values (new.tenant_id, date_trunc('month', new.occurred_at at time zone 'UTC')::date, new.metric, new.quantity)
  on conflict (tenant_id, month, metric) do update set quantity = public.usage_monthly.quantity + excluded.quantity;
  return null;
end;
$$;
create trigger usage_events_count after insert on public.usage_events
  for each row execute function private.count_usage();

create table public.feature_flags (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  flag text not null,
  enabled boolean not null default false,
  config jsonb not null default '{}'::jsonb,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, flag),
  constraint feature_flags_name check (flag ~ '^[a-z][a-z0-9_.-]{1,63}$')
);
create trigger feature_flags_updated_at before update on public.feature_flags for each row execute function private.set_updated_at();

-- A revoked key stays revoked (revoked_at is stamped with the moment of revocation and never cleared), and a key's
-- expiry can only be brought forward, never extended or removed: whoever holds an admin's session for a minute
-- cannot bring a revoked or expired key back. Holds for every role, the platform's own included.
create or replace function private.api_keys_one_way()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.revoked_at is distinct from old.revoked_at then
    if old.revoked_at is not null then
      perform private.fail(409, 'a revoked API key stays revoked: create a new key');
    end if;
    new.revoked_at := now();
  end if;
  if new.expires_at is distinct from old.expires_at
     and (new.expires_at is null or (old.expires_at is not null and new.expires_at > old.expires_at)) then
    perform private.fail(409, 'an API key''s expiry can only be brought forward: create a new key for longer');
  end if;
  return new;
end;
$$;
create trigger api_keys_one_way before update of revoked_at, expires_at on public.api_keys
  for each row execute function private.api_keys_one_way();

-- Owners and admins manage keys (created only by create_api_key(), which draws the secret) and flags; the
-- subscription (plan, status, period) is the platform's: clients read it, and it changes only through the service
-- role (a billing provider's webhook later). Usage is read-only for clients (the platform writes it).
select private.apply_tenant_policies('public.api_keys', 'admin', 'admin', array['update', 'delete']);
select private.apply_tenant_policies('public.subscriptions', 'admin');
select private.apply_tenant_policies('public.usage_events', 'admin');
select private.apply_tenant_policies('public.usage_monthly', 'admin');
select private.apply_tenant_policies('public.feature_flags', 'staff', 'admin');
-- A key's secret part is never updated in place: revoke and create a new one.
select private.grant_writes('public.api_keys', null, array['name', 'revoked_at', 'expires_at'], true);
select private.grant_writes('public.feature_flags', array['tenant_id', 'flag', 'enabled', 'config'], array['enabled', 'config'], true);
