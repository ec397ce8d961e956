-- Tenant access: who may see and change what, decided by Postgres from the JWT.
--
-- The access token carries the caller's active tenant (`tenant_id`, set by the access-token hook). The claim only
-- *selects* a tenant: every request re-checks, live, that the caller still has a membership there and that the
-- tenant is active, so a revoked member or a suspended business loses access on the next request even while an
-- old token is still valid. The role used is the live one from `memberships`, never the claim's copy.
--
-- Policies call these helpers as `(select private.…())`, so Postgres evaluates them once per statement (an
-- initplan) and compares `tenant_id` with a constant, which the indexes on every tenant table serve.

-- The caller's active tenant if their live role there is at least `p_min_role`; null otherwise.
create or replace function private.tenant_id_for(p_min_role public.membership_role default 'staff')
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select m.tenant_id
  from public.memberships m
  join public.tenants t on t.id = m.tenant_id
  where m.user_id = (select auth.uid())
    and m.tenant_id = nullif((select auth.jwt()) ->> 'tenant_id', '')::uuid
    and m.role >= p_min_role
    and t.status = 'active'
$$;

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

revoke all on function private.tenant_id_for(public.membership_role) from public;
revoke all on function private.member_tenant_ids() from public;
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
  using (id = (select private.tenant_id_for('admin')))
  with check (id = (select private.tenant_id_for('admin')));
revoke insert, update, delete, truncate on public.tenants from anon, authenticated;
grant update (name, category, timezone, address, phone, settings) on public.tenants to authenticated;

-- memberships: a member sees their own memberships and, in the active tenant, the whole team. Owners and admins
-- manage the team; only an owner grants, changes or removes the owner role. Anyone may leave (the last owner
-- cannot: see keep_an_owner).
create policy memberships_select on public.memberships for select to authenticated
  using (user_id = (select auth.uid()) or tenant_id = (select private.tenant_id_for('staff')));
create policy memberships_insert on public.memberships for insert to authenticated
  with check (
    tenant_id = (select private.tenant_id_for('admin'))
    and (role < 'owner' or tenant_id = (select private.tenant_id_for('owner')))
  );
create policy memberships_update on public.memberships for update to authenticated
  using (
    tenant_id = (select private.tenant_id_for('admin'))
    and (role < 'owner' or tenant_id = (select private.tenant_id_for('owner')))
  )
  with check (
    tenant_id = (select private.tenant_id_for('admin'))
    and (role < 'owner' or tenant_id = (select private.tenant_id_for('owner')))
  );
create policy memberships_delete on public.memberships for delete to authenticated
  using (
    user_id = (select auth.uid())
    or (
      tenant_id = (select private.tenant_id_for('admin'))
      and (role < 'owner' or tenant_id = (select private.tenant_id_for('owner')))
    )
  );
revoke update on public.memberships from anon, authenticated;
grant update (role) on public.memberships to authenticated;

-- invitations: the team sees them; owners and admins manage them; inviting an owner takes an owner.
create policy invitations_select on public.invitations for select to authenticated
  using (tenant_id = (select private.tenant_id_for('staff')));
create policy invitations_insert on public.invitations for insert to authenticated
  with check (
    tenant_id = (select private.tenant_id_for('admin'))
    and (role < 'owner' or tenant_id = (select private.tenant_id_for('owner')))
  );
create policy invitations_update on public.invitations for update to authenticated
  using (tenant_id = (select private.tenant_id_for('admin')))
  with check (
    tenant_id = (select private.tenant_id_for('admin'))
    and (role < 'owner' or tenant_id = (select private.tenant_id_for('owner')))
  );
create policy invitations_delete on public.invitations for delete to authenticated
  using (tenant_id = (select private.tenant_id_for('admin')));
revoke update on public.invitations from anon, authenticated;
grant update (role, expires_at) on public.invitations to authenticated;
