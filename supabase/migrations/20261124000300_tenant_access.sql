-- Tenant access: who may see and change what, decided by Postgres from the JWT.
--
-- The access token carries the caller's active tenant (`tenant_id`, set by the access-token hook). The claim only
-- *selects* a tenant: every request re-checks, live, that the caller still has a membership there and that the
-- tenant is active, so a revoked member or a suspended business loses access on the next request even while an
-- old token is still valid. The role used is the live one from `memberships`, never the claim's copy.
--
-- Policies call these helpers as `(select private.…())`, so Postgres evaluates them once per statement (an
-- initplan) and compares `tenant_id` with a constant, which the indexes on every tenant table serve.

-- The API key a request's claims name, or null. Only claims without a subject can name one: a user's JWT always has
-- `sub`, so no user token, whatever else it carries, is ever taken for a key (see the api_keys migration).
-- PL/pgSQL rather than SQL: a non-inlinable SQL function is planned on every call; this one's plan is kept.
create or replace function private.claimed_api_key(p_claims jsonb)
returns uuid
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_claims ? 'sub' then
    return null;
  end if;
  return nullif(p_claims ->> 'api_key_id', '')::uuid;
end;
$$;

-- The caller's active tenant if their live role there is at least `p_min_role`; null otherwise. Every policy
-- calls it, several times in a joined query, so the access is resolved once per transaction (private.resolve_access,
-- the request access migration, which reads private.request_access) and the other calls read the cached answer
-- (about 3 µs). The cache is keyed by the transaction's start time and the exact claims, as request_access writes it. Anyone able to set the cache settings could set request.jwt.claims too, so
-- the cache gives nothing away that the claims did not already.
create or replace function private.tenant_id_for(p_min_role public.membership_role default 'staff')
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v_claims text := pg_catalog.current_setting('request.jwt.claims', true);
  v_key text;
  v_access text;
begin
  if v_claims is null or v_claims = '' then
    return null;
  end if;
  v_key := pg_catalog.now()::text || v_claims;
  if pg_catalog.current_setting('frontdesk.access_key', true) is distinct from v_key then
    v_access := private.resolve_access();
  else
    v_access := pg_catalog.current_setting('frontdesk.access', true);
  end if;
  if v_access = '' or pg_catalog.split_part(v_access, ':', 2)::public.membership_role < p_min_role then
    return null;
  end if;
  return pg_catalog.split_part(v_access, ':', 1)::uuid;
end;
$$;

-- What write policies call: the caller's tenant as tenant_id_for() gives it, but never for an API key. A key reads
-- what staff read; it writes no table directly, only through the SQL functions that own those writes.
create or replace function private.writer_tenant_id(p_min_role public.membership_role default 'staff')
returns uuid
language plpgsql
stable
set search_path = ''
as $$
begin
  if private.claimed_api_key(coalesce(nullif(pg_catalog.current_setting('request.jwt.claims', true), ''), '{}')::jsonb) is not null then
    return null;
  end if;
  return private.tenant_id_for(p_min_role);
end;
$$;

-- A membership or tenant change inside a transaction invalidates the cached access of that transaction.
create or replace function private.forget_access()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('frontdesk.access_key', '', false);
  return null;
end;
$$;
create trigger memberships_forget_access after insert or update or delete on public.memberships
  for each statement execute function private.forget_access();
create trigger tenants_forget_access after update or delete on public.tenants
  for each statement execute function private.forget_access();

-- Every tenant the caller belongs to (whatever the active one), for listing and switching businesses.
create or replace function private.member_tenant_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select m.tenant_id from public.memberships m where m.user_id = (select auth.uid())
$$;

revoke all on function private.claimed_api_key(jsonb) from public;
revoke all on function private.writer_tenant_id(public.membership_role) from public;
revoke all on function private.tenant_id_for(public.membership_role) from public;
revoke all on function private.member_tenant_ids() from public;
grant execute on function private.claimed_api_key(jsonb) to authenticated, service_role;
grant execute on function private.writer_tenant_id(public.membership_role) to authenticated, service_role;
grant execute on function private.tenant_id_for(public.membership_role) to authenticated, service_role;
grant execute on function private.member_tenant_ids() to authenticated, service_role;

alter table public.tenants enable row level security;
alter table public.memberships enable row level security;
alter table public.invitations enable row level security;

-- tenants: members see their businesses; owners and admins edit the active one. Businesses are created only
-- through create_tenant(), and slug and status are not the client's to change (status is the platform's).
create policy tenants_select on public.tenants for select to authenticated
  using (id in (select private.member_tenant_ids()));
create policy tenants_update on public.tenants for update to authenticated
  using (id = (select private.writer_tenant_id('admin')))
  with check (id = (select private.writer_tenant_id('admin')));
revoke insert, update, delete on public.tenants from anon, authenticated;
grant update (name, category, timezone, address, phone, settings) on public.tenants to authenticated;

-- memberships: a member sees their own memberships and, in the active tenant, the whole team. Memberships are
-- created only by create_tenant() (its owner) and accept_invitation() (the invitee's own act): no client inserts one,
-- so nobody is pulled into a business without consent. Owners and admins change roles and remove members; only an
-- owner grants, changes or removes the owner role. Anyone may leave (the last owner cannot: see keep_an_owner).
create policy memberships_select on public.memberships for select to authenticated
  using (user_id = (select auth.uid()) or tenant_id = (select private.tenant_id_for('staff')));
create policy memberships_update on public.memberships for update to authenticated
  using (
    tenant_id = (select private.writer_tenant_id('admin'))
    and (role < 'owner' or tenant_id = (select private.writer_tenant_id('owner')))
  )
  with check (
    tenant_id = (select private.writer_tenant_id('admin'))
    and (role < 'owner' or tenant_id = (select private.writer_tenant_id('owner')))
  );
create policy memberships_delete on public.memberships for delete to authenticated
  using (
    user_id = (select auth.uid())
    or (
      tenant_id = (select private.writer_tenant_id('admin'))
      and (role < 'owner' or tenant_id = (select private.writer_tenant_id('owner')))
    )
  );
revoke insert, update, delete on public.memberships from anon, authenticated;
grant update (role) on public.memberships to authenticated;
grant delete on public.memberships to authenticated;

-- invitations: the team sees them; owners and admins change and withdraw open ones (an owner's invitation takes an
-- owner). They are created only by invite_member(), which draws the token, and accepted only by accept_invitation().
create policy invitations_select on public.invitations for select to authenticated
  using (tenant_id = (select private.tenant_id_for('staff')));
create policy invitations_update on public.invitations for update to authenticated
  using (tenant_id = (select private.writer_tenant_id('admin')) and accepted_at is null)
  with check (
    tenant_id = (select private.writer_tenant_id('admin'))
    and (role < 'owner' or tenant_id = (select private.writer_tenant_id('owner')))
  );
create policy invitations_delete on public.invitations for delete to authenticated
  using (tenant_id = (select private.writer_tenant_id('admin')));
revoke insert, update, delete on public.invitations from anon, authenticated;
grant update (role, expires_at) on public.invitations to authenticated;
grant delete on public.invitations to authenticated;
