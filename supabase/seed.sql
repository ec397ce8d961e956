-- Demo data for the local stack (`npm run dev`). Never run against production: `supabase db push` only applies it
-- with --include-seed. Fixed ids so the printed demo token and the README's examples stay valid across resets.

insert into auth.users (instance_id, id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
values
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-a000-000000000001', 'authenticated', 'authenticated',
   'marco@fadehouse.example', now(), '{"provider": "email", "providers": ["email"]}', '{"full_name": "Marco Rossi"}'),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-a000-000000000002', 'authenticated', 'authenticated',
   'lena@fadehouse.example', now(), '{"provider": "email", "providers": ["email"]}', '{"full_name": "Lena Park"}'),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-a000-000000000003', 'authenticated', 'authenticated',
   'dana@petersoninsurance.example', now(), '{"provider": "email", "providers": ["email"]}', '{"full_name": "Dana Peterson"}')
on conflict (id) do nothing;

insert into public.tenants (id, slug, name, category, timezone, address, phone, settings)
values
  ('10000000-0000-4000-a000-000000000001', 'fade-house', 'Fade House Barbers', 'barbershop', 'America/New_York',
   '214 Bedford Ave, Brooklyn, NY 11249', '+17185550142',
   '{"language": "en", "greeting": "Hey! Welcome to Fade House.", "offer_staff_choice": true}'),
  ('10000000-0000-4000-a000-000000000002', 'peterson-insurance', 'Peterson Insurance Agency', 'insurance',
   'America/Chicago', '1200 Main St, Springfield, IL 62701', '+12175550199',
   '{"language": "en", "greeting": "Thanks for calling Peterson Insurance."}')
on conflict (id) do nothing;

insert into public.memberships (tenant_id, user_id, role)
values
  ('10000000-0000-4000-a000-000000000001', '00000000-0000-4000-a000-000000000001', 'owner'),
  ('10000000-0000-4000-a000-000000000001', '00000000-0000-4000-a000-000000000002', 'staff'),
  ('10000000-0000-4000-a000-000000000002', '00000000-0000-4000-a000-000000000003', 'owner')
on conflict do nothing;
