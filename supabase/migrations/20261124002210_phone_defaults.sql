-- The country a business's phone numbers default to, for the Edge Functions to read national numbers with
-- (libphonenumber-js, _shared/phone/phone.ts): the number a caller gives as "612 34 56 78" is the business's country's.
-- The request's own business only (tenant_id_for, as the memory API resolves it, for members and API keys alike).
-- Security definer: an API key's claims see no tenants row through RLS, yet its business's phone must be read; it
-- returns the phone and settings.country of that one business, nothing else. SQL functions keep taking E.164.
create or replace function private.phone_defaults()
returns table (phone text, country text)
language sql
stable
security definer
set search_path = ''
as $$
  select t.phone, t.settings ->> 'country'
  from public.tenants t
  where t.id = private.tenant_id_for('staff')
$$;
revoke all on function private.phone_defaults() from public, anon;
grant execute on function private.phone_defaults() to authenticated, service_role;
