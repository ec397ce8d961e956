-- Customers: a business's contacts, one row per person per business (the same phone in two businesses is two
-- customers that know nothing of each other). Phone in E.164 and the WhatsApp id are each unique per business.
-- Marketing consent is explicit (opt-in) and an opt-out (STOP/BAJA on WhatsApp) is remembered with its time.
-- WhatsApp may identify a person by a business-scoped user id (BSUID, `user_id` in Meta's webhooks, e.g.
-- US.13491208655302741920), a parent BSUID shared across a managed business's portfolios (US.ENT.…) and a username,
-- with or without the phone number: each is kept on the one customer they belong to, all written only by the
-- webhook (Meta's identifiers are not a client's to set). Meta's own marketing preference (user_preferences stop /
-- resume) is kept apart from the STOP the customer writes to the bot (opted_out_at, which silences everything).

create table public.customers (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  phone text,
  wa_id text,
  bsuid text,
  parent_bsuid text,
  username text,
  name text,
  email text,
  notes text,
  tags text[] not null default '{}',
  marketing_opt_in boolean not null default false,
  opted_out_at timestamptz,
  marketing_opted_out_at timestamptz,
  marketing_preference_at timestamptz,
  first_contact_at timestamptz,
  last_contact_at timestamptz,
  visit_count int not null default 0,
  total_spend_cents bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint customers_phone_key unique (tenant_id, phone),
  constraint customers_wa_id_key unique (tenant_id, wa_id),
  constraint customers_bsuid_key unique (tenant_id, bsuid),
  constraint customers_phone_e164 check (phone is null or phone ~ '^\+[1-9][0-9]{6,14}$'),
  constraint customers_wa_id_digits check (wa_id is null or wa_id ~ '^[0-9]{6,20}$'),
  constraint customers_bsuid_format check (bsuid is null or bsuid ~ '^[A-Z]{2}\.[A-Za-z0-9]{1,128}$'),
  constraint customers_parent_bsuid_format check (parent_bsuid is null or parent_bsuid ~ '^[A-Z]{2}\.ENT\.[A-Za-z0-9]{1,128}$'),
  constraint customers_username_length check (username is null or length(username) between 1 and 64),
  constraint customers_email_format check (email is null or email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  constraint customers_counts check (visit_count >= 0 and total_spend_cents >= 0),
  -- Opting out withdraws marketing consent too; consent can be recorded again only after the customer opts back in.
  constraint customers_consent check (not (marketing_opt_in and opted_out_at is not null)),
  constraint customers_reachable check (phone is not null or wa_id is not null or bsuid is not null or parent_bsuid is not null
                                        or email is not null or name is not null)
);
create index customers_parent_bsuid_idx on public.customers (tenant_id, parent_bsuid) where parent_bsuid is not null;
create index customers_last_contact_idx on public.customers (tenant_id, last_contact_at desc nulls last);
create index customers_name_idx on public.customers (tenant_id, lower(name) text_pattern_ops);

-- Preferences: the staff and services a customer asks for.
create table public.customer_staff_preferences (
  tenant_id uuid not null,
  customer_id uuid not null,
  staff_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, customer_id, staff_id),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id) on delete cascade,
  foreign key (tenant_id, staff_id) references public.staff (tenant_id, id) on delete cascade
);
create index customer_staff_preferences_staff_idx on public.customer_staff_preferences (tenant_id, staff_id);

create table public.customer_service_preferences (
  tenant_id uuid not null,
  customer_id uuid not null,
  service_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, customer_id, service_id),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id) on delete cascade,
  foreign key (tenant_id, service_id) references public.services (tenant_id, id) on delete cascade
);
create index customer_service_preferences_service_idx on public.customer_service_preferences (tenant_id, service_id);

create trigger customers_updated_at before update on public.customers for each row execute function private.set_updated_at();

-- Staff read the customer book; owners and admins edit it (the bot writes through its own functions). An opt-out
-- (opted_out_at) is the customer's own act (STOP), and contact times and visit counters are the platform's: none of
-- them is a client's to write.
select private.apply_tenant_policies('public.customers', 'staff', 'admin');
select private.apply_tenant_policies('public.customer_staff_preferences', 'staff', 'admin', array['insert', 'delete']);
select private.apply_tenant_policies('public.customer_service_preferences', 'staff', 'admin', array['insert', 'delete']);
select private.grant_writes('public.customers',
  array['tenant_id', 'phone', 'wa_id', 'name', 'email', 'notes', 'tags', 'marketing_opt_in'],
  array['phone', 'wa_id', 'name', 'email', 'notes', 'tags', 'marketing_opt_in'], true);
select private.grant_writes('public.customer_staff_preferences', array['tenant_id', 'customer_id', 'staff_id'], null, true);
select private.grant_writes('public.customer_service_preferences', array['tenant_id', 'customer_id', 'service_id'], null, true);
