-- Tenancy: the businesses Frontdesk serves (tenants), who works in each (memberships) and who has been asked to
-- join (invitations). Access rules live in the next migration; this one holds the data and its invariants.

create type public.tenant_status as enum ('active', 'suspended');
-- Declared from least to most privileged, so `role >= 'admin'` reads as "admin or owner".
create type public.membership_role as enum ('staff', 'admin', 'owner');

create table public.tenants (
  id uuid primary key default gen_random_uuid(),
  slug text not null,
  name text not null,
  category text,
  timezone text not null default 'UTC',
  address text,
  phone text,
  settings jsonb not null default '{}'::jsonb,
  status public.tenant_status not null default 'active',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tenants_slug_key unique (slug),
  constraint tenants_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) between 3 and 63),
  constraint tenants_name_present check (length(btrim(name)) between 1 and 200),
  constraint tenants_phone_e164 check (phone is null or phone ~ '^\+[1-9][0-9]{6,14}$'),
  constraint tenants_settings_object check (jsonb_typeof(settings) = 'object')
);
comment on table public.tenants is 'A business using Frontdesk. Every tenant-owned row carries its id.';

create table public.memberships (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.membership_role not null default 'staff',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);
create index memberships_user_id_idx on public.memberships (user_id);
comment on table public.memberships is 'Who works in which business, and as what. A business always keeps an owner.';

create table public.invitations (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  email text not null,
  role public.membership_role not null default 'staff',
  token_hash bytea not null,
  invited_by uuid references auth.users (id) on delete set null,
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint invitations_token_hash_key unique (token_hash),
  constraint invitations_expiry check (expires_at > created_at and expires_at <= created_at + interval '30 days'),
  constraint invitations_email_format check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and email = lower(email))
);
-- One open invitation per address and business; accepted ones stay as history.
create unique index invitations_open_email_key on public.invitations (tenant_id, email) where accepted_at is null;
create index invitations_invited_by_idx on public.invitations (invited_by);
create index invitations_accepted_by_idx on public.invitations (accepted_by);
comment on table public.invitations is 'Pending and accepted invitations. Only a SHA-256 of the token is kept.';

-- The tenant a user works in right now, chosen with switch_tenant(). Private: the hook reads it, nobody else.
create table private.active_tenants (
  user_id uuid primary key references auth.users (id) on delete cascade,
  tenant_id uuid not null,
  foreign key (tenant_id, user_id) references public.memberships (tenant_id, user_id) on delete cascade
);
create index active_tenants_membership_idx on private.active_tenants (tenant_id, user_id);

create trigger tenants_updated_at before update on public.tenants
  for each row execute function private.set_updated_at();
create trigger memberships_updated_at before update on public.memberships
  for each row execute function private.set_updated_at();

-- IANA names only (Region/City such as Europe/Madrid, or UTC and Etc/…), spelled as the tz database spells them,
-- with a clear error. Checked without scanning pg_timezone_names (~9 ms a row): the shape first, which refuses what
-- Postgres would otherwise accept as a zone but is no IANA name (abbreviations such as EST, offsets such as +02 or
-- UTC+3, POSIX rules such as EST5EDT or Foo/Bar5), then Postgres loading the zone itself, which also reports the
-- name's canonical spelling (tz names are matched without regard to case). The session's time zone is restored.
create or replace function private.check_timezone()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_saved text := pg_catalog.current_setting('timezone');
  v_canonical text;
begin
  if new.timezone is null or new.timezone ~* '^(posix|right)/' or new.timezone !~* '^(utc|etc/(utc|uct|universal|zulu|greenwich|gmt|gmt[+-]?0|gmt[+-]([1-9]|1[0-4]))|[a-z][a-z_-]*(/[a-z][a-z_-]*)+)$' then
    perform private.fail(400, format('time zone "%s" is not an IANA name (abbreviations such as EST and offsets such as +02 are not): use a name such as Europe/Madrid or America/New_York', new.timezone));
  end if;
  begin
    perform pg_catalog.set_config('timezone', new.timezone, true);
    v_canonical := pg_catalog.current_setting('timezone');
  exception when invalid_parameter_value then
    perform private.fail(400, format('unknown time zone "%s": use an IANA name such as Europe/Madrid', new.timezone));
  end;
  perform pg_catalog.set_config('timezone', v_saved, true);
  if v_canonical is distinct from new.timezone then
    perform private.fail(400, format('time zone "%s" is spelled "%s" in the IANA database: use that', new.timezone, v_canonical));
  end if;
  return new;
end;
$$;
create trigger tenants_timezone before insert or update of timezone on public.tenants
  for each row execute function private.check_timezone();

-- A business always keeps at least one owner. Security definer: the check must see every owner of the tenant,
-- not only the rows the caller's policies show. Locking the tenant row serialises concurrent removals.
create or replace function private.keep_an_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.role <> 'owner' or (tg_op = 'UPDATE' and new.role = 'owner') then
    return coalesce(new, old);
  end if;
  perform 1 from public.tenants where id = old.tenant_id for update;
  if not found then
    return old; -- the business itself is being deleted; its memberships go with it
  end if;
  if not exists (
    select 1 from public.memberships
    where tenant_id = old.tenant_id and role = 'owner' and user_id <> old.user_id
  ) then
    perform private.fail(409, 'a business must keep at least one owner: make another member owner first');
  end if;
  return coalesce(new, old);
end;
$$;
create trigger memberships_keep_an_owner before update of role or delete on public.memberships
  for each row execute function private.keep_an_owner();
