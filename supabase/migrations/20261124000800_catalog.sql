-- Catalog: what a business sells and who does it. Staff (barbers, stylists, agents), services (duration and price),
-- which staff do which services, opening hours per weekday (split shifts allowed, never overlapping), and closures
-- (the whole business) or time off (one staff member). The slot function in the bookings migration reads all four.

create table public.staff (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text not null,
  email text,
  phone text,
  -- The team member's login, when they have one: a member of this same business (see staff_user_membership).
  user_id uuid,
  active boolean not null default true,
  color text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint staff_user_membership foreign key (tenant_id, user_id) references public.memberships (tenant_id, user_id)
    on delete set null (user_id),
  constraint staff_name_present check (length(btrim(name)) between 1 and 120),
  constraint staff_phone_e164 check (phone is null or phone ~ '^\+[1-9][0-9]{6,14}$')
);
create index staff_user_id_idx on public.staff (tenant_id, user_id);

create table public.services (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text not null,
  category text,
  description text,
  duration_minutes int not null,
  price_cents int not null default 0,
  currency text not null default 'USD',
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint services_name_key unique (tenant_id, name),
  constraint services_duration check (duration_minutes between 5 and 720),
  constraint services_price check (price_cents >= 0),
  constraint services_currency check (currency ~ '^[A-Z]{3}$')
);

create table public.staff_services (
  tenant_id uuid not null,
  staff_id uuid not null,
  service_id uuid not null,
  primary key (tenant_id, staff_id, service_id),
  foreign key (tenant_id, staff_id) references public.staff (tenant_id, id) on delete cascade,
  foreign key (tenant_id, service_id) references public.services (tenant_id, id) on delete cascade
);
create index staff_services_service_idx on public.staff_services (tenant_id, service_id);

-- Opening hours in the business's local time; weekday as extract(dow): 0 = Sunday … 6 = Saturday.
create table public.business_hours (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  weekday smallint not null,
  opens_at time not null,
  closes_at time not null,
  primary key (tenant_id, id),
  constraint business_hours_weekday check (weekday between 0 and 6),
  constraint business_hours_order check (opens_at < closes_at),
  constraint business_hours_no_overlap exclude using gist (
    tenant_id with =, weekday with =,
    tsrange(date '2000-01-03' + opens_at, date '2000-01-03' + closes_at) with &&)
);

-- Closed periods: the whole business (staff_id null: holidays) or one staff member (time off).
create table public.closures (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  staff_id uuid,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  reason text,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, staff_id) references public.staff (tenant_id, id) on delete cascade,
  constraint closures_order check (starts_at < ends_at)
);
create index closures_period_idx on public.closures using gist (tenant_id, tstzrange(starts_at, ends_at));
create index closures_staff_idx on public.closures (tenant_id, staff_id);

create trigger staff_updated_at before update on public.staff for each row execute function private.set_updated_at();
create trigger services_updated_at before update on public.services for each row execute function private.set_updated_at();

select private.apply_tenant_policies('public.staff', 'staff', 'admin');
select private.apply_tenant_policies('public.services', 'staff', 'admin');
select private.apply_tenant_policies('public.staff_services', 'staff', 'admin', array['insert', 'delete']);
select private.apply_tenant_policies('public.business_hours', 'staff', 'admin');
select private.apply_tenant_policies('public.closures', 'staff', 'admin');
select private.grant_writes('public.staff',
  array['tenant_id', 'name', 'email', 'phone', 'user_id', 'active', 'color'],
  array['name', 'email', 'phone', 'user_id', 'active', 'color'], true);
select private.grant_writes('public.services',
  array['tenant_id', 'name', 'category', 'description', 'duration_minutes', 'price_cents', 'currency', 'active'],
  array['name', 'category', 'description', 'duration_minutes', 'price_cents', 'currency', 'active'], true);
select private.grant_writes('public.staff_services', array['tenant_id', 'staff_id', 'service_id'], null, true);
select private.grant_writes('public.business_hours',
  array['tenant_id', 'weekday', 'opens_at', 'closes_at'], array['weekday', 'opens_at', 'closes_at'], true);
select private.grant_writes('public.closures',
  array['tenant_id', 'staff_id', 'starts_at', 'ends_at', 'reason'], array['staff_id', 'starts_at', 'ends_at', 'reason'], true);
