-- A request's access: the one definition of who the request's claims are, resolved once per transaction.
--
-- The claims only *select* a tenant (tenant access migration): the answer is live. A user's claims get
-- "<tenant>:<role>" while the user still has a membership in the claims' tenant and that tenant is active; claims
-- naming an API key (no `sub`: private.claimed_api_key) get "<tenant>:staff" while that key is live in the claims'
-- tenant and the tenant is active; anything else gets ''. It lives after the platform and API-key migrations
-- because it reads api_keys.
--
-- It is a view, not a function, so the lookup is one planned statement: as the functions' first statement of a
-- request (`asCaller`, pipelined with the role and claims) it costs a prepared statement's execution, where a
-- PL/pgSQL function costs several times that on the first call of every transaction. Reading it caches the answer
-- for the rest of the transaction (session settings keyed by the transaction's start time and the exact claims, see
-- private.tenant_id_for), so every policy after it reads the cache. A view runs its tables as its owner, past their
-- policies, as the lookup must; it reads nothing but the current request's own claims, so selecting it gives a role
-- nothing it did not have.

create or replace view private.request_access as
with request as materialized (
  select coalesce(pg_catalog.current_setting('request.jwt.claims', true), '') as claims,
         nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb as j
)
select case
         -- Key first, then the answer: CASE fixes the order, and both are written or neither.
         when pg_catalog.set_config('frontdesk.access_key', pg_catalog.now()::text || c.claims, false) is not null
         then pg_catalog.set_config('frontdesk.access', coalesce(
           case
             -- A user (claims with a subject) is never taken for a key; only then is a key looked for at all.
             when c.j ? 'sub' then (
               select m.tenant_id::text || ':' || m.role::text
               from public.memberships m
               join public.tenants t on t.id = m.tenant_id
               where m.user_id = nullif(c.j ->> 'sub', '')::uuid
                 and m.tenant_id = nullif(c.j ->> 'tenant_id', '')::uuid
                 and t.status = 'active')
             else (
               select k.tenant_id::text || ':staff'
               from public.api_keys k
               join public.tenants t on t.id = k.tenant_id
               where k.tenant_id = nullif(c.j ->> 'tenant_id', '')::uuid
                 and k.id = private.claimed_api_key(c.j)
                 and k.revoked_at is null
                 and (k.expires_at is null or k.expires_at > pg_catalog.now())
                 and t.status = 'active')
           end, ''), false)
       end as access
from request c;

-- The same answer for callers that did not read the view first (the first policy of a transaction):
-- private.tenant_id_for calls this on a cache miss. It runs as the caller, who may select the view (the view reads
-- its tables as its owner).
create or replace function private.resolve_access()
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_access text;
begin
  select a.access into v_access from private.request_access a;
  return coalesce(v_access, '');
end;
$$;

-- PostgREST's pre-request hook (pgrst.db_pre_request = 'private.prepare_request'): resolves the access at the start
-- of each request. Optional (the first policy resolves it anyway); it moves the lookup out of the request's query.
create or replace function private.prepare_request()
returns void
language plpgsql
set search_path = ''
as $$
begin
  -- The column must be read: a view column nobody reads is never computed, and it is what caches the answer.
  perform a.access from private.request_access a;
end;
$$;

revoke all on private.request_access from public, anon;
-- authenticated: `asCaller` reads it as the request's first statement (role and claims already set), and the
-- policies through resolve_access.
grant select on private.request_access to authenticated, service_role;
revoke all on function private.resolve_access() from public;
grant execute on function private.resolve_access() to authenticated, service_role;
revoke all on function private.prepare_request() from public;
grant execute on function private.prepare_request() to authenticated, service_role;
