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
create or replace function private.claimed_api_key(p_claims jsonb)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select case when not (p_claims ? 'sub') then nullif(p_claims ->> 'api_key_id', '')::uuid end
$$;

-- Resolves the caller's live access from the request's claims: "<tenant id>:<role>" when the claims' user still
-- has a membership in the claims' tenant and that tenant is active, '' otherwise. Claims naming an API key (no `sub`:
-- see claimed_api_key; the api_keys table is the platform migration's) get '<tenant>:staff' while that key is live in
-- the claims' tenant and the tenant is active. Security definer: it must read memberships and keys past their own
-- policies. It caches the answer for the rest of the transaction (see tenant_id_for).
create or replace function private.resolve_access()
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- Takes nothing from its caller: it can only ever cache the truth about the current request's own claims.
  v_claims text := coalesce(pg_catalog.current_setting('request.jwt.claims', true), '');
  v_json jsonb;
  v_key uuid;
  v_access text;
begin
  if v_claims <> '' then
    v_json := v_claims::jsonb;
    v_key := private.claimed_api_key(v_json);
    if v_key is not null then
      select k.tenant_id::text || ':staff' into v_access
      from public.api_keys k
      join public.tenants t on t.id = k.tenant_id
      where k.tenant_id = nullif(v_json ->> 'tenant_id', '')::uuid
        and k.id = v_key
        and k.revoked_at is null
        and (k.expires_at is null or k.expires_at > pg_catalog.now())
        and t.status = 'active';
    else
      select m.tenant_id::text || ':' || m.role::text into v_access
      from public.memberships m
      join public.tenants t on t.id = m.tenant_id
      where m.user_id = nullif(v_json ->> 'sub', '')::uuid
        and m.tenant_id = nullif(v_json ->> 'tenant_id', '')::uuid
        and t.status = 'active';
    end if;
  end if;
  -- Session-level settings (a function's SET clause would undo transaction-local ones at its exit), keyed by the
  -- transaction's start time and the exact claims, so no other transaction or caller can ever reuse them.
  perform pg_catalog.set_config('frontdesk.access', coalesce(v_access, ''), false);
  perform pg_catalog.set_config('frontdesk.access_key', pg_catalog.now()::text || v_claims, false);
  return coalesce(v_access, '');
end;
$$;

-- The caller's active tenant if their live role there is at least `p_min_role`; null otherwise. Every policy
-- calls it, several times in a joined query, so the membership lookup runs once per transaction and the other calls
-- read the cached answer (about 3 µs). Anyone able to set the cache settings could set request.jwt.claims too, so
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
language sql
stable
set search_path = ''
as $$
  select case
    when private.claimed_api_key(coalesce(nullif(pg_catalog.current_setting('request.jwt.claims', true), ''), '{}')::jsonb) is null
      then private.tenant_id_for(p_min_role)
  end
$$;

-- PostgREST pre-request hook (pgrst.db_pre_request = 'private.prepare_request'): resolves access once at the start
-- of each request. Optional — policies resolve it on first use anyway — it only moves that lookup out of the query.
create or replace function private.prepare_request()
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  perform private.tenant_id_for('staff');
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
revoke all on function private.resolve_access() from public;
revoke all on function private.tenant_id_for(public.membership_role) from public;
revoke all on function private.prepare_request() from public;
revoke all on function private.member_tenant_ids() from public;
grant execute on function private.claimed_api_key(jsonb) to authenticated, service_role;
grant execute on function private.writer_tenant_id(public.membership_role) to authenticated, service_role;
grant execute on function private.resolve_access() to authenticated, service_role;
grant execute on function private.tenant_id_for(public.membership_role) to authenticated, service_role;
grant execute on function private.prepare_request() to authenticated, service_role;
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
