-- Leads: outbound prospects (the voice sales agent's list), with where each came from.

create type public.lead_status as enum ('new', 'contacted', 'qualified', 'won', 'lost');

create table public.leads (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text,
  phone text,
  email text,
  company text,
  source text not null,
  source_detail text,
  status public.lead_status not null default 'new',
  notes text,
  customer_id uuid,
  last_contacted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id) on delete set null (customer_id),
  constraint leads_source check (source in ('web_form', 'referral', 'import', 'ads', 'voice', 'whatsapp', 'event', 'other')),
  constraint leads_phone_e164 check (phone is null or phone ~ '^\+[1-9][0-9]{6,14}$'),
  constraint leads_contactable check (phone is not null or email is not null)
);
create unique index leads_phone_key on public.leads (tenant_id, phone) where phone is not null;
create index leads_status_idx on public.leads (tenant_id, status, created_at desc);
create index leads_customer_idx on public.leads (tenant_id, customer_id);

create trigger leads_updated_at before update on public.leads for each row execute function private.set_updated_at();

select private.apply_tenant_policies('public.leads', 'staff', 'staff');
-- last_contacted_at follows the calls and messages, not a client.
select private.grant_writes('public.leads',
  array['tenant_id', 'name', 'phone', 'email', 'company', 'source', 'source_detail', 'status', 'notes', 'customer_id'],
  array['name', 'phone', 'email', 'company', 'source', 'source_detail', 'status', 'notes', 'customer_id'], true);
