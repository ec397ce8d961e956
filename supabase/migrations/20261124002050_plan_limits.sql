-- Plan limits: what a tenant's plan allows this month, and what it has used. Usage is counted from usage_events
-- (kept in usage_monthly by a trigger), limits come from plans.limits (data, not code). A tenant without a live
-- subscription is on the Starter plan. Server-side code asks within_limit() before an operation that consumes a
-- metric and answers 402 when it is over; inbound webhooks are always stored regardless (never lost).

create or replace function private.current_plan(p_tenant_id uuid)
returns public.plans
language sql
stable
security definer
set search_path = ''
as $$
  select p.* from public.plans p
  where p.id = coalesce(
    (select s.plan_id from public.subscriptions s
     where s.tenant_id = p_tenant_id and s.status in ('trialing', 'active', 'past_due')
     order by s.created_at desc limit 1),
    'starter')
$$;

create or replace function private.usage_this_month(p_tenant_id uuid, p_metric public.usage_metric)
returns numeric
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((select u.quantity from public.usage_monthly u
                   where u.tenant_id = p_tenant_id and u.metric = p_metric
                     and u.month = date_trunc('month', now() at time zone 'UTC')::date), 0)
$$;

-- True when using p_quantity more of p_metric this month stays within the plan (a metric absent from the plan's
-- limits is unlimited).
create or replace function private.within_limit(p_tenant_id uuid, p_metric public.usage_metric, p_quantity numeric default 1)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when (private.current_plan(p_tenant_id)).limits ? p_metric::text
      then private.usage_this_month(p_tenant_id, p_metric) + p_quantity
           <= ((private.current_plan(p_tenant_id)).limits ->> p_metric::text)::numeric
    else true
  end
$$;

-- Raises HTTP 402 (PT402) with a clear message when the operation would exceed the plan.
create or replace function private.require_within_limit(p_tenant_id uuid, p_metric public.usage_metric, p_quantity numeric default 1)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_plan public.plans := private.current_plan(p_tenant_id);
begin
  if not private.within_limit(p_tenant_id, p_metric, p_quantity) then
    perform private.fail(402, format('the %s plan allows %s %s a month and this month''s are used up: upgrade the plan to continue',
      v_plan.name, v_plan.limits ->> p_metric::text, replace(p_metric::text, '_', ' ')));
  end if;
end;
$$;

-- The same for the business of the request itself (a member or an API key), for checks that run as the caller,
-- such as a message a member queues: it takes no tenant id, so it can never be asked about another business.
create or replace function private.require_caller_within_limit(p_metric public.usage_metric, p_quantity numeric default 1)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := private.tenant_id_for('staff');
begin
  if v_tenant is null then
    perform private.fail(403, 'you are not a member of an active business');
  end if;
  perform private.require_within_limit(v_tenant, p_metric, p_quantity);
end;
$$;

-- Records usage once per source (a message id, a call id, a memory id): a retried webhook never counts twice.
create or replace function private.record_usage(
  p_tenant_id uuid, p_metric public.usage_metric, p_quantity numeric, p_source_ref text, p_at timestamptz default now()
)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.usage_events (tenant_id, metric, quantity, occurred_at, source_ref)
  values (p_tenant_id, p_metric, p_quantity, p_at, p_source_ref)
  on conflict do nothing
$$;

-- Owners and admins: this month's usage against the plan's limits. Security definer (plans and usage are read past
-- the caller's own policies), for the tenant of the request only.
create or replace function public.usage_and_limits()
returns table (plan_id text, plan_name text, metric public.usage_metric, used numeric, monthly_limit numeric, remaining numeric)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := (select private.tenant_id_for('admin'));
begin
  if v_tenant is null then
    perform private.fail(403, 'only owners and admins of the active business can read its usage');
  end if;
  return query
  select p.id, p.name, m.metric, private.usage_this_month(v_tenant, m.metric),
         (p.limits ->> m.metric::text)::numeric,
         -- null when the plan sets no limit for the metric (unlimited), never a misleading 0
         case when p.limits ? m.metric::text
              then greatest((p.limits ->> m.metric::text)::numeric - private.usage_this_month(v_tenant, m.metric), 0) end
  from private.current_plan(v_tenant) p
  cross join unnest(enum_range(null::public.usage_metric)) as m(metric)
  order by m.metric;
end;
$$;

revoke all on function private.current_plan(uuid) from public;
revoke all on function private.usage_this_month(uuid, public.usage_metric) from public;
revoke all on function private.within_limit(uuid, public.usage_metric, numeric) from public;
revoke all on function private.require_within_limit(uuid, public.usage_metric, numeric) from public;
revoke all on function private.record_usage(uuid, public.usage_metric, numeric, text, timestamptz) from public;
revoke all on function private.require_caller_within_limit(public.usage_metric, numeric) from public;
-- Functions taking a tenant id are the webhook role's (it acts for the tenant a verified number resolved to); a
-- client role gets only the one that takes the tenant from the request.
grant execute on function private.current_plan(uuid) to frontdesk_webhook;
grant execute on function private.usage_this_month(uuid, public.usage_metric) to frontdesk_webhook;
grant execute on function private.within_limit(uuid, public.usage_metric, numeric) to frontdesk_webhook;
grant execute on function private.require_within_limit(uuid, public.usage_metric, numeric) to frontdesk_webhook, service_role;
grant execute on function private.require_caller_within_limit(public.usage_metric, numeric) to authenticated;
grant execute on function private.record_usage(uuid, public.usage_metric, numeric, text, timestamptz) to frontdesk_webhook;
revoke execute on function public.usage_and_limits() from public, anon;
grant execute on function public.usage_and_limits() to authenticated;
