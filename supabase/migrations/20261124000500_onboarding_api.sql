-- Onboarding API: the SQL functions the `onboarding` Edge Function calls, each one request = one transaction.
--
-- create_tenant, invite_member and accept_invitation are `security definer`: they create the first membership of a
-- business, an invitation with its server-drawn token, and a membership from an invitation, none of which any client
-- role may insert (see the write surface). Each checks the caller itself and touches only the rows it names. The
-- others run as the caller, so RLS decides.

-- Creates a business and makes the caller its owner (and their active business), atomically.
create or replace function public.create_tenant(
  p_slug text,
  p_name text,
  p_timezone text default 'UTC',
  p_category text default null,
  p_address text default null,
  p_phone text default null,
  p_settings jsonb default '{}'::jsonb
)
returns public.tenants
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_tenant public.tenants;
begin
  if v_user is null then
    perform private.fail(401, 'sign in to create a business');
  end if;
  begin
    insert into public.tenants (slug, name, timezone, category, address, phone, settings)
    values (p_slug, p_name, p_timezone, p_category, p_address, p_phone, coalesce(p_settings, '{}'::jsonb))
    returning * into v_tenant;
  exception when unique_violation then
    perform private.fail(409, format('the slug "%s" is already taken', p_slug));
  end;
  insert into public.memberships (tenant_id, user_id, role) values (v_tenant.id, v_user, 'owner');
  insert into private.active_tenants (user_id, tenant_id) values (v_user, v_tenant.id)
  on conflict (user_id) do update set tenant_id = excluded.tenant_id;
  return v_tenant;
end;
$$;

-- Invites someone to the caller's active business (owners and admins; an owner's invitation takes an owner).
-- Returns the token once; only its hash is stored.
create or replace function public.invite_member(p_email text, p_role public.membership_role default 'staff')
returns table (invitation_id uuid, tenant_id uuid, email text, role public.membership_role, token text, expires_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := (select private.writer_tenant_id('admin'));
  v_token text := 'fdinv_' || translate(encode(extensions.gen_random_bytes(24), 'base64'), '+/=', '-_');
  v_row public.invitations;
begin
  if v_tenant is null then
    perform private.fail(403, 'only owners and admins of the active business can invite members');
  end if;
  if p_role = 'owner' and private.writer_tenant_id('owner') is null then
    perform private.fail(403, 'only an owner can invite another owner');
  end if;
  begin
    insert into public.invitations (tenant_id, email, role, token_hash, invited_by)
    values (v_tenant, lower(btrim(p_email)), p_role, pg_catalog.sha256(convert_to(v_token, 'UTF8')), (select auth.uid()))
    returning * into v_row;
  exception when unique_violation then
    perform private.fail(409, format('%s already has an open invitation to this business', lower(btrim(p_email))));
  end;
  return query select v_row.id, v_row.tenant_id, v_row.email, v_row.role, v_token, v_row.expires_at;
end;
$$;

-- Accepts an invitation addressed to the caller's e-mail: creates the membership and makes that business active.
-- The address is the account's own, confirmed one (auth.users), never the token's `email` claim alone: whoever
-- signs up with someone else's address without proving it cannot take their invitation.
create or replace function public.accept_invitation(p_token text)
returns public.memberships
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_email text;
  v_confirmed timestamptz;
  v_inv public.invitations;
  v_membership public.memberships;
begin
  if v_user is null then
    perform private.fail(401, 'sign in to accept an invitation');
  end if;
  select lower(u.email), u.email_confirmed_at into v_email, v_confirmed from auth.users u where u.id = v_user;
  if v_confirmed is null then
    perform private.fail(403, 'confirm your e-mail address before accepting an invitation');
  end if;
  select * into v_inv from public.invitations
  where token_hash = pg_catalog.sha256(convert_to(p_token, 'UTF8'))
  for update;
  if not found then
    perform private.fail(404, 'no invitation matches this token');
  end if;
  if v_inv.accepted_at is not null then
    perform private.fail(409, 'this invitation has already been accepted');
  end if;
  if v_inv.expires_at < now() then
    perform private.fail(410, 'this invitation has expired: ask for a new one');
  end if;
  if v_email is distinct from v_inv.email then
    perform private.fail(403, 'this invitation was sent to another e-mail address');
  end if;
  if exists (select 1 from public.memberships m where m.tenant_id = v_inv.tenant_id and m.user_id = v_user) then
    perform private.fail(409, 'you are already a member of this business');
  end if;

  insert into public.memberships (tenant_id, user_id, role)
  values (v_inv.tenant_id, v_user, v_inv.role)
  returning * into v_membership;
  update public.invitations set accepted_at = now(), accepted_by = v_user
  where tenant_id = v_inv.tenant_id and id = v_inv.id;
  insert into private.active_tenants (user_id, tenant_id) values (v_user, v_inv.tenant_id)
  on conflict (user_id) do update set tenant_id = excluded.tenant_id;
  return v_membership;
end;
$$;

-- Chooses the business the caller's next access token is for (refresh the session afterwards).
create or replace function public.switch_tenant(p_tenant_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
begin
  if not exists (
    select 1 from public.memberships m join public.tenants t on t.id = m.tenant_id
    where m.tenant_id = p_tenant_id and m.user_id = v_user and t.status = 'active'
  ) then
    perform private.fail(404, 'you are not a member of an active business with this id');
  end if;
  insert into private.active_tenants (user_id, tenant_id) values (v_user, p_tenant_id)
  on conflict (user_id) do update set tenant_id = excluded.tenant_id;
end;
$$;

-- The caller's businesses with their role in each (RLS decides what shows).
create or replace function public.list_my_tenants()
returns table (
  tenant_id uuid, slug text, name text, category text, timezone text,
  status public.tenant_status, role public.membership_role, active boolean
)
language sql
stable
set search_path = ''
as $$
  select t.id, t.slug, t.name, t.category, t.timezone, t.status, m.role,
         t.id = nullif((select auth.jwt()) ->> 'tenant_id', '')::uuid
  from public.memberships m
  join public.tenants t on t.id = m.tenant_id
  where m.user_id = (select auth.uid())
  order by t.name, t.id
$$;

revoke execute on function public.create_tenant(text, text, text, text, text, text, jsonb) from public, anon;
revoke execute on function public.invite_member(text, public.membership_role) from public, anon;
revoke execute on function public.accept_invitation(text) from public, anon;
revoke execute on function public.switch_tenant(uuid) from public, anon;
revoke execute on function public.list_my_tenants() from public, anon;
grant execute on function public.create_tenant(text, text, text, text, text, text, jsonb) to authenticated;
grant execute on function public.invite_member(text, public.membership_role) to authenticated;
grant execute on function public.accept_invitation(text) to authenticated;
grant execute on function public.switch_tenant(uuid) to authenticated;
grant execute on function public.list_my_tenants() to authenticated;
