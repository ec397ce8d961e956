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
