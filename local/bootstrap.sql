-- Local-only Supabase compatibility bootstrap. NEVER part of supabase/migrations.
--
-- A plain PostgreSQL cluster lacks what every Supabase database has before the first migration runs: the API roles,
-- the `auth` and `extensions` schemas, `auth.users`, the JWT helper functions and Supabase's default grants on
-- `public`. This file adds exactly those, and only where they are missing, so running it against a real Supabase
-- database changes nothing. It runs as the cluster superuser (`supabase_admin`, as on hosted Supabase); the
-- project's migrations then run as the ordinary `postgres` role, so a migration that would need superuser fails
-- here just as it would on a hosted project.
--
-- The grants below are Supabase's, not narrower ones: `anon` and `authenticated` get full table privileges on
-- `public` by default, so Row Level Security is the only barrier, exactly as in production.

do $bootstrap$
begin
  if not exists (select from pg_roles where rolname = 'postgres') then
    create role postgres login createdb createrole replication bypassrls password 'postgres';
  end if;
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit password 'postgres';
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin login noinherit createrole password 'postgres';
  end if;
end
$bootstrap$;

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;

-- `postgres` can create schemas and trusted extensions in the project database, as on hosted Supabase.
do $db$
begin
  execute format('grant create, connect, temporary on database %I to postgres', current_database());
end
$db$;

-- public: Supabase's default privileges, for objects created by postgres (migrations) and supabase_admin.
grant usage on schema public to postgres, anon, authenticated, service_role;
grant all on schema public to postgres;
-- Set once, when the database has none yet (as Supabase sets them when it creates a project): a migration may
-- narrow postgres's own defaults afterwards (the foundation migration does), and running the bootstrap again must not
-- widen them back.
do $defaults$
begin
  if not exists (
    select from pg_default_acl d
    where d.defaclnamespace = 'public'::regnamespace and d.defaclrole in ('postgres'::regrole, 'supabase_admin'::regrole)
  ) then
    alter default privileges for role postgres in schema public grant all on tables to postgres, anon, authenticated, service_role;
    alter default privileges for role postgres in schema public grant all on sequences to postgres, anon, authenticated, service_role;
    alter default privileges for role postgres in schema public grant all on functions to postgres, anon, authenticated, service_role;
    alter default privileges for role supabase_admin in schema public grant all on tables to postgres, anon, authenticated, service_role;
    alter default privileges for role supabase_admin in schema public grant all on sequences to postgres, anon, authenticated, service_role;
    alter default privileges for role supabase_admin in schema public grant all on functions to postgres, anon, authenticated, service_role;
  end if;
end
$defaults$;

-- extensions: where Supabase installs extensions, with the ones every project starts with.
do $ext$
begin
  if not exists (select from pg_namespace where nspname = 'extensions') then
    create schema extensions authorization postgres;
  end if;
end
$ext$;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pg_stat_statements with schema extensions;

-- auth: the part of GoTrue's schema that projects reference (users and the JWT helpers).
do $auth$
begin
  if not exists (select from pg_namespace where nspname = 'auth') then
    create schema auth authorization supabase_auth_admin;
  end if;
end
$auth$;
grant usage on schema auth to postgres, anon, authenticated, service_role;

do $users$
begin
  if to_regclass('auth.users') is null then
    create table auth.users (
      instance_id uuid,
      id uuid primary key default gen_random_uuid(),
      aud varchar(255),
      role varchar(255),
      email varchar(255),
      encrypted_password varchar(255),
      email_confirmed_at timestamptz,
      invited_at timestamptz,
      confirmation_token varchar(255),
      recovery_token varchar(255),
      last_sign_in_at timestamptz,
      raw_app_meta_data jsonb,
      raw_user_meta_data jsonb,
      is_super_admin boolean,
      created_at timestamptz default now(),
      updated_at timestamptz default now(),
      phone text unique default null,
      phone_confirmed_at timestamptz,
      banned_until timestamptz,
      deleted_at timestamptz,
      is_sso_user boolean not null default false,
      is_anonymous boolean not null default false
    );
    create index users_email_idx on auth.users (email);
    alter table auth.users owner to supabase_auth_admin;
  end if;
end
$users$;
grant all on table auth.users to postgres, service_role;

-- The JWT helpers read the claims PostgREST sets per request (`request.jwt.claims`), as Supabase defines them.
-- Created only when absent: a real Supabase database keeps its own definitions.
do $helpers$
begin
  if to_regprocedure('auth.jwt()') is null then
    execute $fn$
      create function auth.jwt() returns jsonb language sql stable as $body$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
      $body$
    $fn$;
    alter function auth.jwt() owner to supabase_auth_admin;
  end if;
  if to_regprocedure('auth.uid()') is null then
    execute $fn$
      create function auth.uid() returns uuid language sql stable as $body$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
      $body$
    $fn$;
    alter function auth.uid() owner to supabase_auth_admin;
  end if;
  if to_regprocedure('auth.role()') is null then
    execute $fn$
      create function auth.role() returns text language sql stable as $body$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
      $body$
    $fn$;
    alter function auth.role() owner to supabase_auth_admin;
  end if;
  if to_regprocedure('auth.email()') is null then
    execute $fn$
      create function auth.email() returns text language sql stable as $body$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
      $body$
    $fn$;
    alter function auth.email() owner to supabase_auth_admin;
  end if;
end
$helpers$;
grant execute on function auth.jwt(), auth.uid(), auth.role(), auth.email() to postgres, anon, authenticated, service_role;
