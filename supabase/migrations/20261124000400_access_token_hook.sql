-- The custom access token hook (Supabase Auth calls it before issuing every JWT): adds the caller's active tenant,
-- its slug and the caller's role there as top-level claims. The active tenant is the one chosen with
-- switch_tenant() (or the business whose invitation the user accepted, or created), else the oldest active
-- membership. No other business can steer that choice: memberships are created only by the user's own acts
-- (create_tenant, accept_invitation) and their created_at is the database's, never a client's. A user with no
-- active membership gets no tenant claims.
--
-- Wiring, as Supabase specifies: Auth runs it as `supabase_auth_admin`, which gets execute and read access to
-- exactly what it reads; no client role can call it. Enable it in the dashboard (Authentication > Hooks) or with
-- [auth.hook.custom_access_token] in config.toml.

create or replace function public.custom_access_token_hook(event jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_claims jsonb := coalesce(event -> 'claims', '{}'::jsonb);
  v_tenant_id uuid;
  v_slug text;
  v_role public.membership_role;
begin
  select m.tenant_id, t.slug, m.role
    into v_tenant_id, v_slug, v_role
  from public.memberships m
  join public.tenants t on t.id = m.tenant_id
  left join private.active_tenants a on a.user_id = m.user_id and a.tenant_id = m.tenant_id
  where m.user_id = (event ->> 'user_id')::uuid
    and t.status = 'active'
  order by (a.tenant_id is not null) desc, m.created_at, m.tenant_id
  limit 1;

  if v_tenant_id is null then
    v_claims := v_claims - 'tenant_id' - 'tenant_slug' - 'tenant_role';
  else
    v_claims := v_claims || jsonb_build_object('tenant_id', v_tenant_id, 'tenant_slug', v_slug, 'tenant_role', v_role);
  end if;
  return jsonb_set(event, '{claims}', v_claims);
end;
$$;

grant usage on schema public to supabase_auth_admin;
grant usage on schema private to supabase_auth_admin;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
revoke execute on function public.custom_access_token_hook(jsonb) from authenticated, anon, public;

grant select on table public.memberships, public.tenants to supabase_auth_admin;
grant select on table private.active_tenants to supabase_auth_admin;
create policy memberships_auth_admin_read on public.memberships for select to supabase_auth_admin using (true);
create policy tenants_auth_admin_read on public.tenants for select to supabase_auth_admin using (true);
