-- API keys: how a business's voice agents and integrations outside Supabase reach its data. Owners and admins
-- create, list and revoke their business's keys as themselves (create_api_key draws the secret: no client role
-- inserts api_keys). The plaintext `fd_live_<8 hex>_<43 base64url>` is generated here, returned once and never
-- stored: the table (platform migration) keeps its SHA-256 and the `fd_live_<8 hex>` display prefix.
--
-- How a key reaches tenant data. The `memory`, `mcp` and other functions hash the presented key and, as
-- `frontdesk_api` (a role that can do nothing but authenticate keys and record their use), turn the hash into request
-- claims {"role": "authenticated", "tenant_id": <the key's tenant>, "api_key_id": <the key>, "scopes": [...]} and run
-- the rest of the transaction as `authenticated` with them, exactly as for a member's JWT. resolve_access() (tenant
-- access migration) gives a live key the role `staff` in its own tenant; writer_tenant_id() gives it no direct write
-- anywhere. Scopes are checked against the live key row, not the claims' copy, by the functions that need them.
--
-- Everything here lives in `private`: the Edge Functions are the API (API keys cannot use PostgREST at all).

do $role$
begin
  if not exists (select from pg_roles where rolname = 'frontdesk_api') then
    create role frontdesk_api nologin noinherit;
  end if;
end
$role$;
grant frontdesk_api to postgres;
grant usage on schema private to frontdesk_api;

-- Revoking or re-dating a key inside a transaction invalidates that transaction's cached access, as membership and
-- tenant changes do.
create trigger api_keys_forget_access after update of revoked_at, expires_at or delete on public.api_keys
  for each statement execute function private.forget_access();

-- ---------------------------------------------------------------------------------------------------------------
-- API keys: management (as the caller, under RLS) and authentication (frontdesk_api only).
-- ---------------------------------------------------------------------------------------------------------------

-- Security definer: no client role inserts api_keys (a key's hash and prefix are drawn here, its creator is the
-- caller), so this function, which checks the caller is an owner or admin, is the only way a key comes to be.
create or replace function private.create_api_key(p_name text, p_scopes text[], p_expires_at timestamptz default null)
returns table (id uuid, name text, prefix text, key text, scopes text[], created_at timestamptz, expires_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  -- API keys act as staff, so they can never mint keys (theirs or anyone's).
  v_tenant uuid := (select private.writer_tenant_id('admin'));
  v_prefix text := 'fd_live_' || encode(extensions.gen_random_bytes(4), 'hex');
  v_key text;
  v_row public.api_keys;
begin
  if v_tenant is null then
    perform private.fail(403, 'only owners and admins of the active business can create API keys');
  end if;
  if p_expires_at is not null and p_expires_at <= now() then
    perform private.fail(400, 'expires_at must be in the future');
  end if;
  -- 32 random bytes, base64url without padding (43 characters); the prefix is part of the hashed key.
  v_key := v_prefix || '_' || translate(encode(extensions.gen_random_bytes(32), 'base64'), E'+/=\n', '-_');
  insert into public.api_keys (tenant_id, name, prefix, key_hash, scopes, created_by, expires_at)
  values (v_tenant, btrim(p_name), v_prefix, pg_catalog.sha256(convert_to(v_key, 'UTF8')),
          (select array_agg(distinct s order by s) from unnest(p_scopes) s), (select auth.uid()), p_expires_at)
  returning * into v_row;
  return query select v_row.id, v_row.name, v_row.prefix, v_key, v_row.scopes, v_row.created_at, v_row.expires_at;
end;
$$;

create or replace function private.list_api_keys()
returns table (
  id uuid, name text, prefix text, scopes text[], status text, created_by uuid, created_at timestamptz,
  last_used_at timestamptz, expires_at timestamptz, revoked_at timestamptz
)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_tenant uuid := (select private.tenant_id_for('admin'));
begin
  if v_tenant is null then
    perform private.fail(403, 'only owners and admins of the active business can see its API keys');
  end if;
  return query
  select k.id, k.name, k.prefix, k.scopes,
         case when k.revoked_at is not null then 'revoked' when k.expires_at <= now() then 'expired' else 'active' end,
         k.created_by, k.created_at, k.last_used_at, k.expires_at, k.revoked_at
  from public.api_keys k
  where k.tenant_id = v_tenant
  order by k.created_at desc, k.id;
end;
$$;

-- Revokes at once (the next request with the key gets 401). Revoking a revoked key changes nothing.
create or replace function private.revoke_api_key(p_id uuid)
returns table (
  id uuid, name text, prefix text, scopes text[], status text, created_by uuid, created_at timestamptz,
  last_used_at timestamptz, expires_at timestamptz, revoked_at timestamptz
)
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_tenant uuid := (select private.tenant_id_for('admin'));
begin
  if v_tenant is null then
    perform private.fail(403, 'only owners and admins of the active business can revoke its API keys');
  end if;
  update public.api_keys k set revoked_at = coalesce(k.revoked_at, now())
  where k.tenant_id = v_tenant and k.id = p_id;
  if not found then
    perform private.fail(404, 'no API key with this id in your business');
  end if;
  return query
  select k.id, k.name, k.prefix, k.scopes, 'revoked'::text, k.created_by, k.created_at, k.last_used_at, k.expires_at,
         k.revoked_at
  from public.api_keys k
  where k.tenant_id = v_tenant and k.id = p_id;
end;
$$;

-- Who a presented key is: its tenant, id and scopes, or HTTP 401 saying why not. Security definer (it must find the
-- key before anyone's claims exist) and executable only by frontdesk_api. The caller passes only the SHA-256; the
-- plaintext never reaches the database. It writes nothing: `last_use_stale` tells the caller that last_used_at is
-- over a minute old, and the caller records the use with touch_api_key() in a transaction of its own, so the use
-- counts even when the request itself fails and rolls back, and the request never holds a lock on the key row.
create or replace function private.authenticate_api_key(p_hash bytea)
returns table (tenant_id uuid, key_id uuid, scopes text[], last_use_stale boolean)
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_key public.api_keys;
  v_status public.tenant_status;
begin
  select * into v_key from public.api_keys k where k.key_hash = p_hash;
  select t.status into v_status from public.tenants t where t.id = v_key.tenant_id;
  -- v_key is a composite, so its "is null" tests every column: test the id.
  if v_key.id is null then
    perform private.fail(401, 'unknown API key');
  elsif v_key.revoked_at is not null then
    perform private.fail(401, 'this API key has been revoked');
  elsif v_key.expires_at is not null and v_key.expires_at <= now() then
    perform private.fail(401, 'this API key has expired');
  elsif v_status <> 'active' then
    perform private.fail(401, 'this API key''s business is suspended');
  end if;
  return query select v_key.tenant_id, v_key.id, v_key.scopes,
                      v_key.last_used_at is null or v_key.last_used_at < now() - interval '60 seconds';
end;
$$;

-- Records a key's use, at most once a minute: a busy key costs one small write a minute, not one per request.
-- SKIP LOCKED: when a concurrent request is already recording it, this one neither waits nor writes.
create or replace function private.touch_api_key(p_tenant_id uuid, p_key_id uuid)
returns void
language sql
security definer
set search_path = ''
as $$
  update public.api_keys k set last_used_at = now()
  where k.tenant_id = p_tenant_id and k.id = p_key_id
    and k.id in (select l.id from public.api_keys l
                 where l.tenant_id = p_tenant_id and l.id = p_key_id
                   and (l.last_used_at is null or l.last_used_at < now() - interval '60 seconds')
                 for update skip locked)
$$;

do $grants$
declare
  f text;
begin
  foreach f in array array[
    'private.create_api_key(text, text[], timestamptz)',
    'private.list_api_keys()',
    'private.revoke_api_key(uuid)'
  ] loop
    execute format('revoke all on function %s from public', f);
    execute format('grant execute on function %s to authenticated', f);
  end loop;
end
$grants$;
revoke all on function private.authenticate_api_key(bytea) from public;
revoke all on function private.touch_api_key(uuid, uuid) from public;
grant execute on function private.authenticate_api_key(bytea) to frontdesk_api;
grant execute on function private.touch_api_key(uuid, uuid) to frontdesk_api;
