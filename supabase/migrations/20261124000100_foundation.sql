-- Foundation: the extensions every later migration relies on, the `private` schema for helpers the Data API must
-- never expose, and the shared trigger functions.
--
-- Extensions live in `extensions` (Supabase's convention; the `extension_in_public` advisor flags anything else).

create extension if not exists pgcrypto with schema extensions;
create extension if not exists btree_gist with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists citext with schema extensions;

-- Helpers called from policies and triggers. Not in the API's exposed schemas, so nobody can call them over HTTP;
-- `authenticated` needs usage because RLS policies evaluate them as the querying role.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- Keeps `updated_at` honest whatever the client sends.
create or replace function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

-- Raises the errors the functions layer turns into HTTP answers. PostgREST's own convention: SQLSTATE 'PTxyz'
-- answers with HTTP status xyz, so the same errors read the same way over PostgREST and our Edge Functions.
create or replace function private.fail(p_status int, p_message text, p_detail text default null)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception using errcode = 'PT' || p_status::text, message = p_message, detail = coalesce(p_detail, '');
end;
$$;

-- Hardened default grants. Supabase's defaults give `anon` and `authenticated` every privilege on new tables and
-- sequences in `public`, leaving RLS as the only barrier. Writes are instead granted column by column beside each
-- table (the declared write surface, supabase/write-surface.ts), and TRUNCATE, TRIGGER, REFERENCES (which RLS does
-- not govern) and sequences (`setval` and `nextval` survive a rollback; no client-written column uses one) are never
-- granted to a client role. Reads keep Supabase's default: RLS decides them. These are `postgres`'s own defaults, so
-- they apply on hosted Supabase too.
alter default privileges for role postgres in schema public
  revoke insert, update, delete, truncate, references, trigger on tables from anon, authenticated;
-- PostgreSQL 17's MAINTAIN (VACUUM, ANALYZE, REINDEX, CLUSTER, LOCK TABLE: none governed by RLS) likewise.
do $maintain$
begin
  if current_setting('server_version_num')::int >= 170000 then
    execute 'alter default privileges for role postgres in schema public revoke maintain on tables from anon, authenticated';
  end if;
end
$maintain$;
alter default privileges for role postgres in schema public
  revoke usage, select, update on sequences from anon, authenticated;
