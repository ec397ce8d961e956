-- Demo data for the local stack (`npm run dev`). Never run against production: `supabase db push` only applies it
-- with --include-seed. Two businesses that look alive: a Brooklyn barbershop booking over WhatsApp and by phone, and a
-- Springfield insurance agency answering calls with a voice agent and texting over SMS.
--
-- Rules this file keeps (tests/seed/seed.test.ts checks them):
--   * Fixed ids, so the printed demo token, the README's examples and links between rows stay valid across resets.
--     Ids read as <table>-0000-4000-a000-0000000<tenant><seq>: the first group names the table (20… staff, 21…
--     services, 22… business_hours, 23… closures, 24… invitations, 30… customers, 40… channels, 41… conversations,
--     42… messages, 50… bookings, 60… voices, 61… voice_agents, 62… calls, 70… caller_profiles, 71… memories,
--     80… leads, 90… subscriptions), the last digits the tenant (1 = fade-house, 2 = peterson-insurance) and a number.
--   * Re-runnable: every insert skips rows whose primary key already exists. The conflict target is the primary key
--     on purpose: any other conflict (two live bookings of one barber overlapping, a routing number taken, a duplicate
--     provider message id) raises instead of silently dropping the row.
--   * Times are relative to now() and to each business's own time zone, so upcoming bookings stay upcoming whenever
--     the seed runs. Bookings land on the n-th open day before or after today (open = has business hours, no
--     business-wide closure), at local times inside that weekday's hours.
--
-- Runs as `postgres` (not a superuser): the audit, updated_at and personality triggers fire as they do in production.

-- ---------------------------------------------------------------------------------------------------------------
-- Users and businesses
-- ---------------------------------------------------------------------------------------------------------------

insert into auth.users (instance_id, id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
values
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-a000-000000000001', 'authenticated', 'authenticated',
   'marco@fadehouse.example', now(), '{"provider": "email", "providers": ["email"]}', '{"full_name": "Marco Rossi"}'),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-a000-000000000002', 'authenticated', 'authenticated',
   'lena@fadehouse.example', now(), '{"provider": "email", "providers": ["email"]}', '{"full_name": "Lena Park"}'),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-a000-000000000003', 'authenticated', 'authenticated',
   'dana@petersoninsurance.example', now(), '{"provider": "email", "providers": ["email"]}', '{"full_name": "Dana Peterson"}'),
  -- An admin for each business: the shop manager, and the agency's office manager (also a licensed agent).
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-a000-000000000004', 'authenticated', 'authenticated',
   'andre@fadehouse.example', now(), '{"provider": "email", "providers": ["email"]}', '{"full_name": "Andre Williams"}'),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-a000-000000000005', 'authenticated', 'authenticated',
   'carlos@petersoninsurance.example', now(), '{"provider": "email", "providers": ["email"]}', '{"full_name": "Carlos Mendez"}')
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

insert into public.memberships (tenant_id, user_id, role)
values
  ('10000000-0000-4000-a000-000000000001', '00000000-0000-4000-a000-000000000004', 'admin'),
  ('10000000-0000-4000-a000-000000000002', '00000000-0000-4000-a000-000000000005', 'admin')
on conflict (tenant_id, user_id) do nothing;

-- Open invitations for the team members who have no login yet. Only the hash of a token is stored; these tokens are
-- not secret (demo data), but nobody is ever sent them either.
insert into public.invitations (tenant_id, id, email, role, token_hash, invited_by, expires_at, created_at)
values
  ('10000000-0000-4000-a000-000000000001', '24000000-0000-4000-a000-000000001001', 'sofia@fadehouse.example', 'staff',
   sha256(convert_to('fdinv_demo-fade-house-sofia', 'UTF8')), '00000000-0000-4000-a000-000000000001',
   now() + interval '5 days', now() - interval '2 days'),
  ('10000000-0000-4000-a000-000000000002', '24000000-0000-4000-a000-000000002001', 'priya@petersoninsurance.example', 'staff',
   sha256(convert_to('fdinv_demo-peterson-priya', 'UTF8')), '00000000-0000-4000-a000-000000000003',
   now() + interval '6 days', now() - interval '1 day')
on conflict (tenant_id, id) do nothing;

-- ---------------------------------------------------------------------------------------------------------------
-- Catalog: staff, services, who does what, opening hours, closures
-- ---------------------------------------------------------------------------------------------------------------

insert into public.staff (tenant_id, id, name, email, phone, user_id, color)
values
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001001', 'Marco Rossi',
   'marco@fadehouse.example', '+17185550120', '00000000-0000-4000-a000-000000000001', '#C0392B'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001002', 'Lena Park',
   'lena@fadehouse.example', '+17185550121', '00000000-0000-4000-a000-000000000002', '#2980B9'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001003', 'Jaylen Brooks',
   'jaylen@fadehouse.example', '+17185550122', null, '#27AE60'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001004', 'Sofia Alvarez',
   'sofia@fadehouse.example', '+17185550123', null, '#8E44AD'),
  ('10000000-0000-4000-a000-000000000002', '20000000-0000-4000-a000-000000002001', 'Dana Peterson',
   'dana@petersoninsurance.example', '+12175550120', '00000000-0000-4000-a000-000000000003', '#1F4E79'),
  ('10000000-0000-4000-a000-000000000002', '20000000-0000-4000-a000-000000002002', 'Carlos Mendez',
   'carlos@petersoninsurance.example', '+12175550121', '00000000-0000-4000-a000-000000000005', '#D35400'),
  ('10000000-0000-4000-a000-000000000002', '20000000-0000-4000-a000-000000002003', 'Priya Shah',
   'priya@petersoninsurance.example', '+12175550122', null, '#16A085')
on conflict (tenant_id, id) do nothing;

insert into public.services (tenant_id, id, name, category, description, duration_minutes, price_cents, currency)
values
  ('10000000-0000-4000-a000-000000000001', '21000000-0000-4000-a000-000000001001', 'Classic Haircut', 'Haircuts',
   'Scissor or clipper cut, washed and styled.', 30, 3500, 'USD'),
  ('10000000-0000-4000-a000-000000000001', '21000000-0000-4000-a000-000000001002', 'Skin Fade', 'Haircuts',
   'Bald or skin fade blended to any length on top, with line-up.', 45, 4500, 'USD'),
  ('10000000-0000-4000-a000-000000000001', '21000000-0000-4000-a000-000000001003', 'Kids Cut (12 & under)', 'Haircuts',
   'Any style for kids 12 and under.', 30, 2500, 'USD'),
  ('10000000-0000-4000-a000-000000000001', '21000000-0000-4000-a000-000000001004', 'Beard Trim & Line-Up', 'Beard',
   'Shape, trim and razor line-up.', 20, 2000, 'USD'),
  ('10000000-0000-4000-a000-000000000001', '21000000-0000-4000-a000-000000001005', 'Hot Towel Shave', 'Shave',
   'Straight-razor shave with hot towels and balm.', 40, 4000, 'USD'),
  ('10000000-0000-4000-a000-000000000001', '21000000-0000-4000-a000-000000001006', 'Haircut & Beard Combo', 'Combos',
   'Any haircut plus beard trim and line-up.', 60, 6000, 'USD'),
  ('10000000-0000-4000-a000-000000000001', '21000000-0000-4000-a000-000000001007', 'Eyebrow Cleanup', 'Add-ons',
   'Quick razor cleanup, usually added to a cut.', 10, 1000, 'USD'),
  ('10000000-0000-4000-a000-000000000002', '21000000-0000-4000-a000-000000002001', 'Auto Insurance Quote', 'Auto',
   'Compare coverage and rates for one or more vehicles.', 30, 0, 'USD'),
  ('10000000-0000-4000-a000-000000000002', '21000000-0000-4000-a000-000000002002', 'Home Insurance Review', 'Home',
   'Walk through dwelling, contents and liability limits.', 45, 0, 'USD'),
  ('10000000-0000-4000-a000-000000000002', '21000000-0000-4000-a000-000000002003', 'Life Insurance Consultation', 'Life',
   'Term, whole and final-expense options for the family.', 60, 0, 'USD'),
  ('10000000-0000-4000-a000-000000000002', '21000000-0000-4000-a000-000000002004', 'Commercial Policy Review', 'Business',
   'General liability, commercial auto and property for small businesses.', 60, 0, 'USD'),
  ('10000000-0000-4000-a000-000000000002', '21000000-0000-4000-a000-000000002005', 'Claims Assistance', 'Claims',
   'Help filing and following up a claim with the carrier.', 30, 0, 'USD'),
  ('10000000-0000-4000-a000-000000000002', '21000000-0000-4000-a000-000000002006', 'Annual Policy Check-up', 'Review',
   'Yearly review of every policy in the household.', 30, 0, 'USD')
on conflict (tenant_id, id) do nothing;

-- Marco and Dana do everything; the others have their specialities.
insert into public.staff_services (tenant_id, staff_id, service_id)
select '10000000-0000-4000-a000-000000000001'::uuid, '20000000-0000-4000-a000-000000001001'::uuid, s.id
from public.services s where s.tenant_id = '10000000-0000-4000-a000-000000000001'
  and s.id::text like '21000000-0000-4000-a000-00000000100_'
union all
select '10000000-0000-4000-a000-000000000002'::uuid, '20000000-0000-4000-a000-000000002001'::uuid, s.id
from public.services s where s.tenant_id = '10000000-0000-4000-a000-000000000002'
  and s.id::text like '21000000-0000-4000-a000-00000000200_'
on conflict (tenant_id, staff_id, service_id) do nothing;

insert into public.staff_services (tenant_id, staff_id, service_id)
select v.tenant_id::uuid, v.staff_id::uuid, v.service_id::uuid
from (values
  -- Lena: cuts, fades, kids, beards, combos, brows (no straight-razor shaves)
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001002', '21000000-0000-4000-a000-000000001001'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001002', '21000000-0000-4000-a000-000000001002'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001002', '21000000-0000-4000-a000-000000001003'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001002', '21000000-0000-4000-a000-000000001004'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001002', '21000000-0000-4000-a000-000000001006'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001002', '21000000-0000-4000-a000-000000001007'),
  -- Jaylen: the beard and shave specialist
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001003', '21000000-0000-4000-a000-000000001001'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001003', '21000000-0000-4000-a000-000000001002'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001003', '21000000-0000-4000-a000-000000001004'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001003', '21000000-0000-4000-a000-000000001005'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001003', '21000000-0000-4000-a000-000000001006'),
  -- Sofia: cuts, fades, kids, brows
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001004', '21000000-0000-4000-a000-000000001001'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001004', '21000000-0000-4000-a000-000000001002'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001004', '21000000-0000-4000-a000-000000001003'),
  ('10000000-0000-4000-a000-000000000001', '20000000-0000-4000-a000-000000001004', '21000000-0000-4000-a000-000000001007'),
  -- Carlos: personal lines and claims
  ('10000000-0000-4000-a000-000000000002', '20000000-0000-4000-a000-000000002002', '21000000-0000-4000-a000-000000002001'),
  ('10000000-0000-4000-a000-000000000002', '20000000-0000-4000-a000-000000002002', '21000000-0000-4000-a000-000000002002'),
  ('10000000-0000-4000-a000-000000000002', '20000000-0000-4000-a000-000000002002', '21000000-0000-4000-a000-000000002005'),
  ('10000000-0000-4000-a000-000000000002', '20000000-0000-4000-a000-000000002002', '21000000-0000-4000-a000-000000002006'),
  -- Priya: life, commercial and home
  ('10000000-0000-4000-a000-000000000002', '20000000-0000-4000-a000-000000002003', '21000000-0000-4000-a000-000000002002'),
  ('10000000-0000-4000-a000-000000000002', '20000000-0000-4000-a000-000000002003', '21000000-0000-4000-a000-000000002003'),
  ('10000000-0000-4000-a000-000000000002', '20000000-0000-4000-a000-000000002003', '21000000-0000-4000-a000-000000002004'),
  ('10000000-0000-4000-a000-000000000002', '20000000-0000-4000-a000-000000002003', '21000000-0000-4000-a000-000000002006')
) v(tenant_id, staff_id, service_id)
on conflict (tenant_id, staff_id, service_id) do nothing;

-- Local times; weekday 0 = Sunday … 6 = Saturday. The shop is closed on Mondays; the agency closes for lunch
-- (a split shift) and at weekends.
insert into public.business_hours (tenant_id, id, weekday, opens_at, closes_at)
values
  ('10000000-0000-4000-a000-000000000001', '22000000-0000-4000-a000-000000001001', 0, '10:00', '16:00'),
  ('10000000-0000-4000-a000-000000000001', '22000000-0000-4000-a000-000000001002', 2, '10:00', '20:00'),
  ('10000000-0000-4000-a000-000000000001', '22000000-0000-4000-a000-000000001003', 3, '10:00', '20:00'),
  ('10000000-0000-4000-a000-000000000001', '22000000-0000-4000-a000-000000001004', 4, '10:00', '20:00'),
  ('10000000-0000-4000-a000-000000000001', '22000000-0000-4000-a000-000000001005', 5, '10:00', '20:00'),
  ('10000000-0000-4000-a000-000000000001', '22000000-0000-4000-a000-000000001006', 6, '09:00', '18:00'),
  ('10000000-0000-4000-a000-000000000002', '22000000-0000-4000-a000-000000002001', 1, '08:30', '12:00'),
  ('10000000-0000-4000-a000-000000000002', '22000000-0000-4000-a000-000000002002', 1, '13:00', '17:00'),
  ('10000000-0000-4000-a000-000000000002', '22000000-0000-4000-a000-000000002003', 2, '08:30', '12:00'),
  ('10000000-0000-4000-a000-000000000002', '22000000-0000-4000-a000-000000002004', 2, '13:00', '17:00'),
  ('10000000-0000-4000-a000-000000000002', '22000000-0000-4000-a000-000000002005', 3, '08:30', '12:00'),
  ('10000000-0000-4000-a000-000000000002', '22000000-0000-4000-a000-000000002006', 3, '13:00', '17:00'),
  ('10000000-0000-4000-a000-000000000002', '22000000-0000-4000-a000-000000002007', 4, '08:30', '12:00'),
  ('10000000-0000-4000-a000-000000000002', '22000000-0000-4000-a000-000000002008', 4, '13:00', '17:00'),
  ('10000000-0000-4000-a000-000000000002', '22000000-0000-4000-a000-000000002009', 5, '08:30', '12:00'),
  ('10000000-0000-4000-a000-000000000002', '22000000-0000-4000-a000-000000002010', 5, '13:00', '17:00')
on conflict (tenant_id, id) do nothing;

-- A holiday for each business (the next Thanksgiving after today, so it always lies ahead in the calendar) and one
-- staff member's time off each, well past the seeded bookings.
with local as (
  select t.id as tenant_id, t.timezone as tz, d.today,
         -- the fourth Thursday of November
         (select g::date from generate_series((d.today + 1)::timestamp, (d.today + 366)::timestamp, interval '1 day') g
          where extract(month from g) = 11 and extract(dow from g) = 4 and extract(day from g) between 22 and 28
          order by g limit 1) as thanksgiving,
         -- the first weekday three weeks out
         (select g::date from generate_series((d.today + 21)::timestamp, (d.today + 27)::timestamp, interval '1 day') g
          where extract(isodow from g) < 6 order by g limit 1) as weekday_in_3_weeks
  from public.tenants t
  cross join lateral (select (now() at time zone t.timezone)::date as today) d
  where t.id in ('10000000-0000-4000-a000-000000000001', '10000000-0000-4000-a000-000000000002')
)
insert into public.closures (tenant_id, id, staff_id, starts_at, ends_at, reason, created_at)
select l.tenant_id, c.id::uuid, c.staff_id::uuid, c.starts at time zone l.tz, c.ends at time zone l.tz, c.reason,
       now() - interval '20 days'
from local l
cross join lateral (values
  ('10000000-0000-4000-a000-000000000001', '23000000-0000-4000-a000-000000001001', null,
   l.thanksgiving::timestamp, (l.thanksgiving + 1)::timestamp, 'Thanksgiving: shop closed'),
  ('10000000-0000-4000-a000-000000000001', '23000000-0000-4000-a000-000000001002', '20000000-0000-4000-a000-000000001003',
   (l.today + 24)::timestamp, (l.today + 31)::timestamp, 'Jaylen on vacation (Puerto Rico)'),
  ('10000000-0000-4000-a000-000000000002', '23000000-0000-4000-a000-000000002001', null,
   l.thanksgiving::timestamp, (l.thanksgiving + 2)::timestamp, 'Thanksgiving: office closed Thursday and Friday'),
  ('10000000-0000-4000-a000-000000000002', '23000000-0000-4000-a000-000000002002', '20000000-0000-4000-a000-000000002003',
   l.weekday_in_3_weeks + time '13:00', l.weekday_in_3_weeks + time '17:00',
   'Priya: continuing-education course (IL CE credits)')
) c(tenant_id, id, staff_id, starts, ends, reason)
where c.tenant_id::uuid = l.tenant_id
on conflict (tenant_id, id) do nothing;

-- ---------------------------------------------------------------------------------------------------------------
-- Customers and their preferences
-- ---------------------------------------------------------------------------------------------------------------

insert into public.customers (tenant_id, id, phone, wa_id, name, email, notes, tags, marketing_opt_in, opted_out_at,
                              first_contact_at, last_contact_at, visit_count, total_spend_cents, created_at)
select v.tenant_id::uuid, v.id::uuid, v.phone, v.wa_id, v.name, v.email, v.notes, v.tags::text[], v.opt_in,
       now() - v.opted_out_ago::interval, now() - v.first_ago::interval, now() - v.last_ago::interval,
       v.visits, v.spend, now() - v.first_ago::interval
from (values
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001001', '+17185550101', '17185550101',
   'James Carter', null, 'Skin fade, #1 on the sides. Always with Marco.', '{regular,vip}', true, null,
   '2 years 3 months', '2 hours', 24, 108000),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001002', '+17185550102', '17185550102',
   'Devon Mitchell', null, null, '{regular}', true, null,
   '1 year 2 months', '45 minutes', 11, 52000),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001003', '+17185550103', '17185550103',
   'Luis Ortega', null, 'Found us on Google Maps. Keep length on top.', '{new}', false, null,
   '4 days', '1 day', 1, 3500),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001004', '+17185550104', '17185550104',
   'Aisha Johnson', 'aisha.johnson@example.com', 'Books for her son Malik (8). Prefers Sofia.', '{kids,regular}', true, null,
   '1 year', '5 hours', 8, 20000),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001005', '+19175550105', '19175550105',
   'Ryan O''Connor', null, 'Replied STOP to a promotion: reminders only.', '{lapsed}', false, '10 days',
   '9 months', '10 days', 3, 13500),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001006', '+13475550106', '13475550106',
   'Marcus Lee', null, 'Full beard, likes it shaped square. Tips well.', '{vip,beard}', true, null,
   '3 years', '1 day', 30, 150000),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001007', '+16465550107', null,
   'Ethan Brooks', null, 'Calls rather than texts. Night-shift nurse: late mornings.', '{phone}', false, null,
   '5 months', '1 day 6 hours', 2, 7000),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001008', '+17185550108', '17185550108',
   'Kevin Walsh', null, 'No-show on his last booking; asked for a morning-of reminder.', '{no_show_risk}', true, null,
   '6 months', '3 hours', 4, 14000),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001009', '+17185550109', '17185550109',
   'Sam Rivera', null, null, '{new}', true, null,
   '1 day 4 hours', '1 day 4 hours', 0, 0),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001010', '+13475550110', '13475550110',
   'Omar Haddad', null, 'Wants a Saturday morning with Marco if one frees up.', '{regular}', true, null,
   '1 year 6 months', '2 days 3 hours', 9, 40500),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001011', '+19175550111', null,
   'Chris Bennett', 'chris.bennett@example.com', 'Books online.', '{web}', false, null,
   '8 months', '3 days', 5, 14000),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001012', '+17185550112', '17185550112',
   'Tyrone Davis', null, 'Skin fade every two weeks with Lena.', '{regular}', true, null,
   '2 years', '3 days', 15, 67500),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002001', '+12175550101', null,
   'Robert Hughes', 'rhughes@example.com', 'Home + auto bundle, paperless. Daughter Emma (16) newly licensed.',
   '{auto,home,bundle}', true, null, '6 years', '2 hours 50 minutes', 6, 412000),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002002', '+12175550102', null,
   'Maria Gonzalez', 'maria.gonzalez@example.com', 'Roof hail damage; claim in progress. Spanish preferred for details.',
   '{home,claim_open}', true, null, '4 years', '23 hours', 4, 186000),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002003', '+12175550103', null,
   'Linda Becker', 'linda.becker@example.com', 'With husband Tom: term life quotes before refinancing.',
   '{life,home}', true, null, '2 years', '9 days', 3, 98000),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002004', '+12175550104', null,
   'Hank Moreau', 'hank@hanksautobody.example', 'Owner of Hank''s Auto Body: GL, garage keepers, 3 tow trucks.',
   '{commercial}', false, null, '5 years', '6 days', 5, 1245000),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002005', '+12175550105', null,
   'Jessica Tran', null, 'New driver (17). Daughter of a client; to be added to her mother''s auto policy.',
   '{auto,new_driver}', true, null, '1 day 1 hour', '23 hours', 0, 0),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002006', '+12175550106', null,
   'Walter Simmons', null, 'Retired teacher, hard of hearing: speak slowly, confirm by mail.',
   '{life,senior}', false, null, '2 days 5 hours', '2 days 5 hours', 0, 0),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002007', '+12175550107', null,
   'Emily Clark', 'emily.clark@example.com', 'Renter, asked about a home policy before buying. Missed her review.',
   '{renters}', true, null, '1 year', '2 days', 1, 21000),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002008', '+12175550108', null,
   'David Kim', null, 'Texted STOP to the rate-change campaign.', '{auto}', false, '12 days',
   '3 years', '12 days', 3, 264000),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002009', '+12175550109', null,
   'Sarah Mitchell', 'sarah.mitchell@example.com', 'Finished basement remodel: review dwelling limit.',
   '{home,auto}', true, null, '7 years', '3 days 1 hour', 7, 538000),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002010', '+12175550110', null,
   'Greg Patel', 'greg@patelcpa.example', 'Patel & Co. CPAs: professional liability, 8 employees.',
   '{commercial}', false, null, '1 year 4 months', '5 days', 2, 389000)
) v(tenant_id, id, phone, wa_id, name, email, notes, tags, opt_in, opted_out_ago, first_ago, last_ago, visits, spend)
on conflict (tenant_id, id) do nothing;

insert into public.customer_staff_preferences (tenant_id, customer_id, staff_id)
values
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001001', '20000000-0000-4000-a000-000000001001'),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001004', '20000000-0000-4000-a000-000000001004'),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001006', '20000000-0000-4000-a000-000000001003'),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001007', '20000000-0000-4000-a000-000000001001'),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001010', '20000000-0000-4000-a000-000000001001'),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001012', '20000000-0000-4000-a000-000000001002'),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002001', '20000000-0000-4000-a000-000000002001'),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002002', '20000000-0000-4000-a000-000000002002'),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002004', '20000000-0000-4000-a000-000000002001'),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002006', '20000000-0000-4000-a000-000000002003')
on conflict (tenant_id, customer_id, staff_id) do nothing;

insert into public.customer_service_preferences (tenant_id, customer_id, service_id)
values
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001001', '21000000-0000-4000-a000-000000001002'),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001004', '21000000-0000-4000-a000-000000001003'),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001006', '21000000-0000-4000-a000-000000001006'),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001006', '21000000-0000-4000-a000-000000001005'),
  ('10000000-0000-4000-a000-000000000001', '30000000-0000-4000-a000-000000001012', '21000000-0000-4000-a000-000000001002'),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002001', '21000000-0000-4000-a000-000000002006'),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002004', '21000000-0000-4000-a000-000000002004'),
  ('10000000-0000-4000-a000-000000000002', '30000000-0000-4000-a000-000000002006', '21000000-0000-4000-a000-000000002003')
on conflict (tenant_id, customer_id, service_id) do nothing;

-- ---------------------------------------------------------------------------------------------------------------
-- Channels: the barbershop's WhatsApp Cloud API number and phone line; the agency's phone line (voice and SMS)
-- ---------------------------------------------------------------------------------------------------------------

insert into public.channels (tenant_id, id, kind, name, provider, phone_number_id, waba_id, display_phone_number,
                             phone_number, capabilities, created_at)
values
  ('10000000-0000-4000-a000-000000000001', '40000000-0000-4000-a000-000000001001', 'whatsapp', 'WhatsApp (main line)',
   'meta', '106540352242922', '102290129340398', '+1 718-555-0142', null, '{}', now() - interval '8 months'),
  ('10000000-0000-4000-a000-000000000001', '40000000-0000-4000-a000-000000001002', 'phone', 'Shop phone',
   'twilio', null, null, null, '+17185550142', '{voice,sms}', now() - interval '8 months'),
  ('10000000-0000-4000-a000-000000000002', '40000000-0000-4000-a000-000000002001', 'phone', 'Main office line',
   'twilio', null, null, null, '+12175550199', '{voice,sms}', now() - interval '5 months')
on conflict (tenant_id, id) do nothing;

-- ---------------------------------------------------------------------------------------------------------------
-- Bookings. `n` is the n-th open day after (n > 0) or before (n < 0) today in the business's time zone; `at` a
-- local time inside that day's hours (the shop: 10:00-16:00 is open on every open day; the agency: 08:30-12:00
-- and 13:00-17:00). Length and price come from the service. Live bookings never overlap for one staff member.
-- ---------------------------------------------------------------------------------------------------------------

with local as (
  select id as tenant_id, timezone as tz, (now() at time zone timezone)::date as today
  from public.tenants
  where id in ('10000000-0000-4000-a000-000000000001', '10000000-0000-4000-a000-000000000002')
),
open_days as (
  select l.tenant_id, l.tz, d.day,
         case when d.day > l.today
              then row_number() over (partition by l.tenant_id, d.day > l.today order by d.day)
              else -row_number() over (partition by l.tenant_id, d.day > l.today order by d.day desc)
         end as n
  from local l
  cross join lateral (
    select g::date as day
    from generate_series((l.today - 45)::timestamp, (l.today + 45)::timestamp, interval '1 day') g
  ) d
  where d.day <> l.today
    and exists (select 1 from public.business_hours h
                where h.tenant_id = l.tenant_id and h.weekday = extract(dow from d.day))
    and not exists (select 1 from public.closures c
                    where c.tenant_id = l.tenant_id and c.staff_id is null
                      and tstzrange(c.starts_at, c.ends_at)
                          && tstzrange(d.day::timestamp at time zone l.tz, (d.day + 1)::timestamp at time zone l.tz))
)
insert into public.bookings (tenant_id, id, customer_id, service_id, staff_id, starts_at, ends_at, status, source, notes,
                             price_cents, currency, cancelled_at, cancel_reason, created_by, created_at)
select o.tenant_id, b.id::uuid, b.customer_id::uuid, s.id, b.staff_id::uuid,
       (o.day + b.at::time) at time zone o.tz,
       (o.day + b.at::time + s.duration_minutes * interval '1 minute') at time zone o.tz,
       b.status::public.booking_status, b.source::public.booking_source, b.notes, s.price_cents, s.currency,
       least(now() - b.cancelled_ago::interval, (o.day + b.at::time) at time zone o.tz - interval '3 hours'),
       b.cancel_reason, b.created_by::uuid,
       least(now() - b.booked_ago::interval, (o.day + b.at::time) at time zone o.tz - interval '1 hour')
from (values
  -- Fade House, upcoming
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001001', '30000000-0000-4000-a000-000000001001',
   '21000000-0000-4000-a000-000000001002', '20000000-0000-4000-a000-000000001001', 1, '10:00', 'confirmed', 'whatsapp',
   '2 hours 8 minutes', null, null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001002', '30000000-0000-4000-a000-000000001004',
   '21000000-0000-4000-a000-000000001003', '20000000-0000-4000-a000-000000001004', 2, '11:00', 'confirmed', 'whatsapp',
   '5 hours 11 minutes', 'For Malik (8): short sides, a bit longer on top (photo in WhatsApp).', null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001003', '30000000-0000-4000-a000-000000001006',
   '21000000-0000-4000-a000-000000001006', '20000000-0000-4000-a000-000000001003', 1, '14:00', 'cancelled', 'whatsapp',
   '3 days', null, null, '1 day 2 hours', 'Rescheduled by the customer over WhatsApp'),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001004', '30000000-0000-4000-a000-000000001006',
   '21000000-0000-4000-a000-000000001006', '20000000-0000-4000-a000-000000001003', 3, '14:00', 'confirmed', 'whatsapp',
   '1 day 2 hours', 'Beard shaped square.', null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001005', '30000000-0000-4000-a000-000000001002',
   '21000000-0000-4000-a000-000000001005', '20000000-0000-4000-a000-000000001003', 2, '15:00', 'pending', 'whatsapp',
   '45 minutes', 'Job interview the next day: waiting for Devon to confirm by WhatsApp.',
   '00000000-0000-4000-a000-000000000002', null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001006', '30000000-0000-4000-a000-000000001009',
   '21000000-0000-4000-a000-000000001001', '20000000-0000-4000-a000-000000001002', 4, '12:00', 'confirmed', 'whatsapp',
   '1 day 3 hours 52 minutes', 'First visit: free hot towel finish.', null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001007', '30000000-0000-4000-a000-000000001007',
   '21000000-0000-4000-a000-000000001001', '20000000-0000-4000-a000-000000001001', 1, '11:00', 'confirmed', 'voice',
   '1 day 5 hours 58 minutes', 'Low taper, scissors on top.', null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001008', '30000000-0000-4000-a000-000000001011',
   '21000000-0000-4000-a000-000000001004', '20000000-0000-4000-a000-000000001002', 1, '13:00', 'confirmed', 'web',
   '3 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001009', '30000000-0000-4000-a000-000000001010',
   '21000000-0000-4000-a000-000000001002', '20000000-0000-4000-a000-000000001001', 2, '10:00', 'confirmed', 'voice',
   '2 days 2 hours 59 minutes', null, null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001010', '30000000-0000-4000-a000-000000001012',
   '21000000-0000-4000-a000-000000001002', '20000000-0000-4000-a000-000000001002', 5, '10:30', 'confirmed', 'web',
   '3 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001011', '30000000-0000-4000-a000-000000001008',
   '21000000-0000-4000-a000-000000001001', '20000000-0000-4000-a000-000000001004', 6, '15:00', 'pending', 'voice',
   '2 hours 58 minutes', 'Rebooked after a no-show: confirm the morning of.', null, null, null),
  -- Fade House, past
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001101', '30000000-0000-4000-a000-000000001008',
   '21000000-0000-4000-a000-000000001001', '20000000-0000-4000-a000-000000001001', -2, '15:00', 'no_show', 'whatsapp',
   '9 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001102', '30000000-0000-4000-a000-000000001012',
   '21000000-0000-4000-a000-000000001002', '20000000-0000-4000-a000-000000001002', -3, '12:00', 'completed', 'whatsapp',
   '16 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001103', '30000000-0000-4000-a000-000000001001',
   '21000000-0000-4000-a000-000000001002', '20000000-0000-4000-a000-000000001001', -14, '10:00', 'completed', 'whatsapp',
   '24 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001104', '30000000-0000-4000-a000-000000001006',
   '21000000-0000-4000-a000-000000001006', '20000000-0000-4000-a000-000000001003', -10, '14:00', 'completed', 'voice',
   '20 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001105', '30000000-0000-4000-a000-000000001004',
   '21000000-0000-4000-a000-000000001003', '20000000-0000-4000-a000-000000001004', -12, '11:00', 'completed', 'whatsapp',
   '19 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001106', '30000000-0000-4000-a000-000000001002',
   '21000000-0000-4000-a000-000000001002', '20000000-0000-4000-a000-000000001001', -5, '13:00', 'completed', 'web',
   '12 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001107', '30000000-0000-4000-a000-000000001003',
   '21000000-0000-4000-a000-000000001001', '20000000-0000-4000-a000-000000001002', -1, '10:00', 'completed', 'voice',
   '3 days 23 hours 57 minutes', 'First visit.', null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001108', '30000000-0000-4000-a000-000000001005',
   '21000000-0000-4000-a000-000000001004', '20000000-0000-4000-a000-000000001003', -6, '11:00', 'completed', 'whatsapp',
   '14 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001109', '30000000-0000-4000-a000-000000001010',
   '21000000-0000-4000-a000-000000001002', '20000000-0000-4000-a000-000000001001', -7, '14:00', 'completed', 'voice',
   '15 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000001', '50000000-0000-4000-a000-000000001110', '30000000-0000-4000-a000-000000001011',
   '21000000-0000-4000-a000-000000001001', '20000000-0000-4000-a000-000000001002', -4, '12:00', 'cancelled', 'web',
   '14 days', null, null, '5 days', 'Cancelled online by the customer'),
  -- Peterson Insurance, upcoming
  ('10000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000002001', '30000000-0000-4000-a000-000000002001',
   '21000000-0000-4000-a000-000000002006', '20000000-0000-4000-a000-000000002001', 1, '09:00', 'confirmed', 'voice',
   '4 days 1 hour 57 minutes', 'Add daughter Emma (16) to the auto policy.', null, null, null),
  ('10000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000002002', '30000000-0000-4000-a000-000000002002',
   '21000000-0000-4000-a000-000000002005', '20000000-0000-4000-a000-000000002002', 1, '10:00', 'confirmed', 'voice',
   '1 day 1 hour 56 minutes', 'Hail damage to roof and gutters; photos sent by text.', null, null, null),
  ('10000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000002003', '30000000-0000-4000-a000-000000002005',
   '21000000-0000-4000-a000-000000002001', '20000000-0000-4000-a000-000000002002', 2, '13:30', 'pending', 'web',
   '23 hours 10 minutes', 'Booked from the link sent by text; add to mother''s policy.', null, null, null),
  ('10000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000002004', '30000000-0000-4000-a000-000000002006',
   '21000000-0000-4000-a000-000000002003', '20000000-0000-4000-a000-000000002003', 2, '10:00', 'confirmed', 'voice',
   '2 days 4 hours 54 minutes', 'Final expense coverage. Speak slowly; send the confirmation by mail.', null, null, null),
  ('10000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000002005', '30000000-0000-4000-a000-000000002004',
   '21000000-0000-4000-a000-000000002004', '20000000-0000-4000-a000-000000002001', 3, '14:00', 'confirmed', 'web',
   '6 days', 'Renewal: adding a third tow truck.', null, null, null),
  ('10000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000002006', '30000000-0000-4000-a000-000000002010',
   '21000000-0000-4000-a000-000000002004', '20000000-0000-4000-a000-000000002003', 4, '13:00', 'confirmed', 'web',
   '5 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000002007', '30000000-0000-4000-a000-000000002009',
   '21000000-0000-4000-a000-000000002002', '20000000-0000-4000-a000-000000002002', 3, '11:00', 'confirmed', 'voice',
   '3 days 57 minutes', 'Basement remodel: raise dwelling coverage.', null, null, null),
  -- Peterson Insurance, past
  ('10000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000002101', '30000000-0000-4000-a000-000000002003',
   '21000000-0000-4000-a000-000000002003', '20000000-0000-4000-a000-000000002003', -3, '10:00', 'completed', 'voice',
   '8 days 23 hours 56 minutes', 'Linda and Tom: 20-year term quotes.', null, null, null),
  ('10000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000002102', '30000000-0000-4000-a000-000000002001',
   '21000000-0000-4000-a000-000000002001', '20000000-0000-4000-a000-000000002001', -8, '13:30', 'completed', 'web',
   '14 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000002103', '30000000-0000-4000-a000-000000002007',
   '21000000-0000-4000-a000-000000002002', '20000000-0000-4000-a000-000000002002', -2, '15:00', 'no_show', 'voice',
   '10 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000002104', '30000000-0000-4000-a000-000000002002',
   '21000000-0000-4000-a000-000000002002', '20000000-0000-4000-a000-000000002002', -15, '09:00', 'completed', 'voice',
   '25 days', null, null, null, null),
  ('10000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000002105', '30000000-0000-4000-a000-000000002008',
   '21000000-0000-4000-a000-000000002001', '20000000-0000-4000-a000-000000002002', -5, '16:00', 'completed', 'web',
   '13 days', null, null, null, null)
) b(tenant_id, id, customer_id, service_id, staff_id, n, at, status, source, booked_ago, notes, created_by,
    cancelled_ago, cancel_reason)
join open_days o on o.tenant_id = b.tenant_id::uuid and o.n = b.n
join public.services s on s.tenant_id = o.tenant_id and s.id = b.service_id::uuid
on conflict (tenant_id, id) do nothing;

-- ---------------------------------------------------------------------------------------------------------------
-- Conversations and messages. The barbershop talks over WhatsApp, the agency over SMS on its phone line.
-- ---------------------------------------------------------------------------------------------------------------

-- Times (created, last message, closed) are filled in from the messages below.
insert into public.conversations (tenant_id, id, channel_id, customer_id, status, bot_state, handed_over_at, assigned_to)
select v.tenant_id::uuid, v.id::uuid, v.channel_id::uuid, v.customer_id::uuid, v.status::public.conversation_status,
       v.bot_state::jsonb, now() - v.handed_over_ago::interval, v.assigned_to::uuid
from (values
  ('10000000-0000-4000-a000-000000000001', '41000000-0000-4000-a000-000000001001', '40000000-0000-4000-a000-000000001001',
   '30000000-0000-4000-a000-000000001001', 'open',
   '{"flow": "booking", "step": "confirmed", "booking_id": "50000000-0000-4000-a000-000000001001"}', null, null),
  ('10000000-0000-4000-a000-000000000001', '41000000-0000-4000-a000-000000001002', '40000000-0000-4000-a000-000000001001',
   '30000000-0000-4000-a000-000000001004', 'open',
   '{"flow": "booking", "step": "confirmed", "booking_id": "50000000-0000-4000-a000-000000001002"}', null, null),
  ('10000000-0000-4000-a000-000000000001', '41000000-0000-4000-a000-000000001003', '40000000-0000-4000-a000-000000001001',
   '30000000-0000-4000-a000-000000001006', 'open',
   '{"flow": "reschedule", "step": "confirmed", "booking_id": "50000000-0000-4000-a000-000000001004", "replaces": "50000000-0000-4000-a000-000000001003"}',
   null, null),
  ('10000000-0000-4000-a000-000000000001', '41000000-0000-4000-a000-000000001004', '40000000-0000-4000-a000-000000001001',
   '30000000-0000-4000-a000-000000001002', 'open',
   '{"flow": "handover", "reason": "customer_asked_for_a_person", "paused": true}', '52 minutes',
   '00000000-0000-4000-a000-000000000002'),
  ('10000000-0000-4000-a000-000000000001', '41000000-0000-4000-a000-000000001005', '40000000-0000-4000-a000-000000001001',
   '30000000-0000-4000-a000-000000001005', 'closed', '{"flow": "opt_out", "step": "done"}', null, null),
  ('10000000-0000-4000-a000-000000000001', '41000000-0000-4000-a000-000000001006', '40000000-0000-4000-a000-000000001001',
   '30000000-0000-4000-a000-000000001008', 'closed',
   '{"flow": "reminder", "step": "no_show_followup", "booking_id": "50000000-0000-4000-a000-000000001101"}', null, null),
  ('10000000-0000-4000-a000-000000000001', '41000000-0000-4000-a000-000000001007', '40000000-0000-4000-a000-000000001001',
   '30000000-0000-4000-a000-000000001009', 'open',
   '{"flow": "booking", "step": "confirmed", "booking_id": "50000000-0000-4000-a000-000000001006"}', null, null),
  ('10000000-0000-4000-a000-000000000001', '41000000-0000-4000-a000-000000001008', '40000000-0000-4000-a000-000000001001',
   '30000000-0000-4000-a000-000000001012', 'closed',
   '{"flow": "feedback", "step": "done", "rating": 5, "booking_id": "50000000-0000-4000-a000-000000001102"}', null, null),
  ('10000000-0000-4000-a000-000000000002', '41000000-0000-4000-a000-000000002001', '40000000-0000-4000-a000-000000002001',
   '30000000-0000-4000-a000-000000002001', 'open',
   '{"flow": "reminder", "step": "confirmed", "booking_id": "50000000-0000-4000-a000-000000002001"}', null, null),
  ('10000000-0000-4000-a000-000000000002', '41000000-0000-4000-a000-000000002002', '40000000-0000-4000-a000-000000002001',
   '30000000-0000-4000-a000-000000002005', 'open',
   '{"flow": "booking_link", "step": "booked", "booking_id": "50000000-0000-4000-a000-000000002003"}', null, null),
  ('10000000-0000-4000-a000-000000000002', '41000000-0000-4000-a000-000000002003', '40000000-0000-4000-a000-000000002001',
   '30000000-0000-4000-a000-000000002008', 'closed', '{"flow": "opt_out", "step": "done"}', null, null),
  ('10000000-0000-4000-a000-000000000002', '41000000-0000-4000-a000-000000002004', '40000000-0000-4000-a000-000000002001',
   '30000000-0000-4000-a000-000000002002', 'open',
   '{"flow": "claim_photos", "step": "received", "photos": 2, "booking_id": "50000000-0000-4000-a000-000000002002"}',
   null, '00000000-0000-4000-a000-000000000005')
) v(tenant_id, id, channel_id, customer_id, status, bot_state, handed_over_ago, assigned_to)
on conflict (tenant_id, id) do nothing;

-- A message is sent `ago` before now, or `after_booking` relative to its booking's start (reminders, follow-ups).
-- {day} and {time} in a body become the linked booking's local date and time, so confirmations match the calendar.
-- Provider ids look like the real ones: WhatsApp wamids (base64 of the customer's wa_id and a message key) and
-- Twilio SM…/MM… SIDs; each derives from the message's own id, so it is stable and unique per channel.
-- Payloads have the providers' shapes: an inbound WhatsApp message is Meta's webhook message object (as
-- private.whatsapp_apply stores it), an outbound one the Cloud API send request; SMS carry Twilio's parameters.
-- The list below gives only the type-specific part; the envelope (from/to, id, timestamp, text body) is derived.
insert into public.messages (tenant_id, id, conversation_id, channel_id, direction, type, body, payload, media_id,
                             provider_message_id, status, sent_by, created_at, status_updated_at)
select m.tenant_id, m.id, m.conversation_id, m.channel_id, m.direction, m.type, m.body,
       case
         when m.kind = 'whatsapp' and m.direction = 'inbound' then
           jsonb_build_object('from', m.wa_id, 'id', m.provider_message_id,
                              'timestamp', extract(epoch from m.created_at)::bigint::text, 'type', m.type)
         when m.kind = 'whatsapp' then
           jsonb_build_object('messaging_product', 'whatsapp', 'recipient_type', 'individual', 'to', m.wa_id, 'type', m.type)
         when m.direction = 'inbound' then
           jsonb_build_object('MessageSid', m.provider_message_id, 'From', m.customer_phone, 'To', m.channel_phone,
                              'Body', m.body, 'NumMedia', '0')
         else jsonb_build_object('To', m.customer_phone, 'From', m.channel_phone, 'Body', m.body)
       end
       || case when m.extra is not null then m.extra
               when m.kind = 'whatsapp' and m.type = 'text' then jsonb_build_object('text', jsonb_build_object('body', m.body))
               else '{}'::jsonb end,
       m.media_id, m.provider_message_id, m.status, m.sent_by, m.created_at,
       m.created_at + case m.status when 'read' then interval '2 minutes' when 'delivered' then interval '4 seconds'
                                    when 'sent' then interval '1 second' else interval '0' end
from (
  select v.tenant_id::uuid as tenant_id, v.id::uuid as id, cv.id as conversation_id, ch.id as channel_id, ch.kind,
         ch.phone_number as channel_phone, cu.wa_id, cu.phone as customer_phone,
         v.direction::public.message_direction as direction, v.type::public.message_type as type,
         case when b.id is null then v.body
              else replace(replace(v.body,
                     '{day}', to_char(b.starts_at at time zone t.timezone, 'FMDay, FMMonth FMDD')),
                     '{time}', to_char(b.starts_at at time zone t.timezone, 'FMHH12:MI AM'))
         end as body,
         v.payload::jsonb as extra, v.media_id,
         case ch.kind
           when 'whatsapp' then 'wamid.' || encode(
             '\x1c18'::bytea || set_byte('\x00'::bytea, 0, length(cu.wa_id)) || convert_to(cu.wa_id, 'UTF8')
             || case when v.direction = 'inbound'
                     then '\x150200121814'::bytea || convert_to(upper(left(md5(v.id), 20)), 'UTF8')
                     else '\x150200111812'::bytea || convert_to(upper(left(md5(v.id), 18)), 'UTF8') end
             || '\x00'::bytea, 'base64')
           else case when v.type = 'image' then 'MM' else 'SM' end || md5(v.id)
         end as provider_message_id,
         v.status::public.message_status as status, v.sent_by::uuid as sent_by,
         coalesce(b.starts_at + v.after_booking::interval, now() - v.ago::interval) as created_at
  from (values
    -- James books a skin fade with Marco from a list of times.
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001001', '41000000-0000-4000-a000-000000001001',
     'inbound', 'text', 'received', 'Hey! Can I get a skin fade with Marco this week?', null, null, null, null,
     '2 hours 10 minutes', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001002', '41000000-0000-4000-a000-000000001001',
     'outbound', 'interactive', 'read', 'Sure thing, James! Marco''s next openings for a Skin Fade (45 min, $45):',
     '{"interactive": {"type": "list", "header": {"type": "text", "text": "Skin Fade with Marco"}, "action": {"button": "Pick a time", "sections": [{"title": "Next available", "rows": [{"id": "slot_1", "title": "10:00 AM"}, {"id": "slot_2", "title": "11:30 AM"}, {"id": "slot_3", "title": "2:15 PM"}]}]}}}',
     null, null, null, '2 hours 9 minutes 55 seconds', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001003', '41000000-0000-4000-a000-000000001001',
     'inbound', 'interactive', 'received', '10:00 AM',
     '{"interactive": {"type": "list_reply", "list_reply": {"id": "slot_1", "title": "10:00 AM"}}}', null, null, null,
     '2 hours 8 minutes 30 seconds', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001004', '41000000-0000-4000-a000-000000001001',
     'outbound', 'text', 'read',
     'You''re booked ✂️ Skin Fade with Marco on {day} at {time}. We''re at 214 Bedford Ave. Reply R to reschedule or C to cancel.',
     null, null, null, '50000000-0000-4000-a000-000000001001', '2 hours 8 minutes 25 seconds', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001005', '41000000-0000-4000-a000-000000001001',
     'inbound', 'text', 'received', 'Perfect, see you then 👊', null, null, null, null, '2 hours 5 minutes', null),
    -- Aisha books her son in with Sofia and sends a reference photo.
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001011', '41000000-0000-4000-a000-000000001002',
     'inbound', 'text', 'received', 'Hi! Do you have anything for my son this week? He''s 8', null, null, null, null,
     '5 hours 15 minutes', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001012', '41000000-0000-4000-a000-000000001002',
     'outbound', 'interactive', 'read', 'Of course! A Kids Cut (12 & under) is 30 min, $25. Any barber preference?',
     '{"interactive": {"type": "button", "action": {"buttons": [{"type": "reply", "reply": {"id": "staff_sofia", "title": "Sofia"}}, {"type": "reply", "reply": {"id": "staff_any", "title": "Whoever is free"}}]}}}',
     null, null, null, '5 hours 14 minutes 55 seconds', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001013', '41000000-0000-4000-a000-000000001002',
     'inbound', 'interactive', 'received', 'Sofia',
     '{"interactive": {"type": "button_reply", "button_reply": {"id": "staff_sofia", "title": "Sofia"}}}', null, null, null,
     '5 hours 13 minutes', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001014', '41000000-0000-4000-a000-000000001002',
     'inbound', 'image', 'received', 'Can she do something like this? Short on the sides, a little longer on top',
     '{"image": {"id": "1378893626790457", "mime_type": "image/jpeg", "sha256": "Shs5cpY0MhqmGR1m5BqnqHgU4c8GnvmGtoNmGB1yL3U=", "caption": "Can she do something like this? Short on the sides, a little longer on top"}}',
     '1378893626790457', null, null, '5 hours 12 minutes', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001015', '41000000-0000-4000-a000-000000001002',
     'outbound', 'text', 'read',
     'Sofia can definitely do that look 👌 Booked: Kids Cut with Sofia on {day} at {time}. See you both then!',
     null, null, null, '50000000-0000-4000-a000-000000001002', '5 hours 11 minutes', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001016', '41000000-0000-4000-a000-000000001002',
     'inbound', 'text', 'received', 'Thank you!!', null, null, null, null, '5 hours 10 minutes', null),
    -- Marcus moves his combo with Jaylen.
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001021', '41000000-0000-4000-a000-000000001003',
     'inbound', 'text', 'received', 'Something came up at work 😩 can I move my combo with Jaylen?', null, null, null,
     '50000000-0000-4000-a000-000000001003', '1 day 2 hours 5 minutes', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001022', '41000000-0000-4000-a000-000000001003',
     'outbound', 'interactive', 'read', 'No problem, Marcus. Here''s when Jaylen is free for a Haircut & Beard Combo:',
     '{"interactive": {"type": "list", "action": {"button": "Pick a time", "sections": [{"title": "Jaylen", "rows": [{"id": "slot_1", "title": "11:00 AM"}, {"id": "slot_2", "title": "2:00 PM"}, {"id": "slot_3", "title": "5:30 PM"}]}]}}}',
     null, null, null, '1 day 2 hours 4 minutes 50 seconds', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001023', '41000000-0000-4000-a000-000000001003',
     'inbound', 'interactive', 'received', '2:00 PM',
     '{"interactive": {"type": "list_reply", "list_reply": {"id": "slot_2", "title": "2:00 PM"}}}', null, null, null,
     '1 day 2 hours 3 minutes', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001024', '41000000-0000-4000-a000-000000001003',
     'outbound', 'text', 'read',
     'Done ✅ Your Haircut & Beard Combo with Jaylen is now {day} at {time}. Your old slot has been released.',
     null, null, null, '50000000-0000-4000-a000-000000001004', '1 day 2 hours 2 minutes 55 seconds', null),
    -- Devon asks for a person; Lena takes over and pencils him in.
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001031', '41000000-0000-4000-a000-000000001004',
     'inbound', 'text', 'received', 'How much is the hot towel shave? And can I just walk in?', null, null, null, null,
     '55 minutes', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001032', '41000000-0000-4000-a000-000000001004',
     'outbound', 'text', 'read',
     'A Hot Towel Shave is 40 min, $40. Walk-ins are welcome, but booking guarantees your spot. Want me to find a time?',
     null, null, null, null, '54 minutes 55 seconds', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001033', '41000000-0000-4000-a000-000000001004',
     'inbound', 'text', 'received',
     'Can I talk to someone actually? Got a job interview and want the beard shaped a specific way', null, null, null, null,
     '52 minutes 30 seconds', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001034', '41000000-0000-4000-a000-000000001004',
     'outbound', 'text', 'read', 'Sure! I''ve let the team know, someone will reply right here shortly.', null, null, null,
     null, '52 minutes', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001035', '41000000-0000-4000-a000-000000001004',
     'outbound', 'text', 'delivered',
     'Hey Devon, Lena here 👋 Jaylen is our shave guy. I''ve penciled you in with him {day} at {time}. Reply YES to confirm and tell me how you want the beard.',
     null, null, '00000000-0000-4000-a000-000000000002', '50000000-0000-4000-a000-000000001005', '45 minutes', null),
    -- Ryan opts out of promotions.
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001041', '41000000-0000-4000-a000-000000001005',
     'outbound', 'template', 'read',
     'It''s been a while, Ryan! ✂️ This week only: 20% off a Beard Trim & Line-Up. Reply STOP to opt out.',
     '{"template": {"name": "winback_offer", "language": {"code": "en_US"}, "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ryan"}]}]}}',
     null, null, null, '10 days 2 hours', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001042', '41000000-0000-4000-a000-000000001005',
     'inbound', 'text', 'received', 'STOP', null, null, null, null, '10 days 1 hour 55 minutes', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001043', '41000000-0000-4000-a000-000000001005',
     'outbound', 'text', 'read',
     'You''re unsubscribed from Fade House offers. You''ll still get reminders for appointments you book.', null, null,
     null, null, '10 days 1 hour 54 minutes 58 seconds', null),
    -- Kevin confirms a reminder, then does not show up.
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001051', '41000000-0000-4000-a000-000000001006',
     'outbound', 'template', 'read',
     'Hi Kevin, reminder: Classic Haircut with Marco on {day} at {time}. Reply C to confirm or R to reschedule.',
     '{"template": {"name": "appointment_reminder", "language": {"code": "en_US"}}}', null, null,
     '50000000-0000-4000-a000-000000001101', null, '-24 hours'),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001052', '41000000-0000-4000-a000-000000001006',
     'inbound', 'text', 'received', 'C', null, null, null, '50000000-0000-4000-a000-000000001101', null,
     '-23 hours -40 minutes'),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001053', '41000000-0000-4000-a000-000000001006',
     'outbound', 'text', 'read', 'Confirmed 👍 See you tomorrow!', null, null, null,
     '50000000-0000-4000-a000-000000001101', null, '-23 hours -39 minutes -55 seconds'),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001054', '41000000-0000-4000-a000-000000001006',
     'outbound', 'text', 'delivered', 'We missed you today, Kevin. Life happens! Reply R anytime to rebook.', null, null,
     null, '50000000-0000-4000-a000-000000001101', null, '45 minutes'),
    -- Sam, a first-timer, asks where the shop is and books.
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001061', '41000000-0000-4000-a000-000000001007',
     'inbound', 'text', 'received', 'Hi, first time here. Where exactly are you? Is parking easy?', null, null, null,
     null, '1 day 4 hours', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001062', '41000000-0000-4000-a000-000000001007',
     'outbound', 'location', 'read', 'Fade House Barbers',
     '{"location": {"latitude": 40.7178, "longitude": -73.9573, "name": "Fade House Barbers", "address": "214 Bedford Ave, Brooklyn, NY 11249"}}',
     null, null, null, '1 day 3 hours 59 minutes 55 seconds', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001063', '41000000-0000-4000-a000-000000001007',
     'outbound', 'text', 'read',
     'We''re on Bedford between N 4th & N 5th, two minutes from the L at Bedford Av. Parking is tough, the train is easier 🚇 Want to book a first cut?',
     null, null, null, null, '1 day 3 hours 59 minutes 50 seconds', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001064', '41000000-0000-4000-a000-000000001007',
     'inbound', 'text', 'received', 'Yeah, classic cut with whoever''s free, around lunchtime', null, null, null, null,
     '1 day 3 hours 53 minutes', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001065', '41000000-0000-4000-a000-000000001007',
     'outbound', 'text', 'read',
     'Booked! Classic Haircut with Lena on {day} at {time}. First-timers get a free hot towel finish 🔥', null, null,
     null, '50000000-0000-4000-a000-000000001006', '1 day 3 hours 52 minutes', null),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001066', '41000000-0000-4000-a000-000000001007',
     'inbound', 'text', 'received', '🙌', null, null, null, null, '1 day 3 hours 50 minutes', null),
    -- Tyrone rates his last visit.
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001071', '41000000-0000-4000-a000-000000001008',
     'outbound', 'template', 'read', 'Thanks for coming in, Tyrone! How was your Skin Fade with Lena?',
     '{"template": {"name": "post_visit_feedback", "language": {"code": "en_US"}}}', null, null,
     '50000000-0000-4000-a000-000000001102', null, '2 hours'),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001072', '41000000-0000-4000-a000-000000001008',
     'inbound', 'button', 'received', '⭐⭐⭐⭐⭐', '{"button": {"payload": "rating_5", "text": "⭐⭐⭐⭐⭐"}}', null, null,
     '50000000-0000-4000-a000-000000001102', null, '2 hours 10 minutes'),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001073', '41000000-0000-4000-a000-000000001008',
     'inbound', 'text', 'received', 'Fresh as always. Lena''s the GOAT', null, null, null,
     '50000000-0000-4000-a000-000000001102', null, '2 hours 11 minutes'),
    ('10000000-0000-4000-a000-000000000001', '42000000-0000-4000-a000-000000001074', '41000000-0000-4000-a000-000000001008',
     'outbound', 'reaction', 'read', '🙏', '{"reaction": {"emoji": "🙏"}}', null, null,
     '50000000-0000-4000-a000-000000001102', null, '2 hours 12 minutes'),
    -- Peterson: Robert confirms his check-up by SMS.
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002001', '41000000-0000-4000-a000-000000002001',
     'outbound', 'text', 'delivered',
     'Hi Robert, Peterson Insurance here. Reminder: your Annual Policy Check-up with Dana is {day} at {time}. Reply C to confirm or R to reschedule.',
     null, null, null, '50000000-0000-4000-a000-000000002001', '3 hours', null),
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002002', '41000000-0000-4000-a000-000000002001',
     'inbound', 'text', 'received',
     'C. Also want to add my daughter to the auto policy, can we do that at the same time?', null, null, null, null,
     '2 hours 50 minutes', null),
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002003', '41000000-0000-4000-a000-000000002001',
     'outbound', 'text', 'delivered',
     'Confirmed ✅ Yes: bring Emma''s driver''s license number and Dana will add her during the check-up.', null, null,
     null, null, '2 hours 49 minutes 50 seconds', null),
    -- Jessica, a new driver, gets a booking link and books online.
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002011', '41000000-0000-4000-a000-000000002002',
     'inbound', 'text', 'received',
     'Hi! I just got my license and my mom said to text you about a quote to be on her car insurance', null, null, null,
     null, '1 day 1 hour', null),
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002012', '41000000-0000-4000-a000-000000002002',
     'outbound', 'text', 'delivered',
     'Congrats on the license! 🚗 Pick a time for a 30-min auto quote with one of our agents: https://book.frontdesk.example/peterson-insurance/auto-quote',
     null, null, null, null, '1 day 59 minutes 55 seconds', null),
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002013', '41000000-0000-4000-a000-000000002002',
     'inbound', 'text', 'received', 'Just booked {day} at {time}!', null, null, null,
     '50000000-0000-4000-a000-000000002003', '23 hours 8 minutes', null),
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002014', '41000000-0000-4000-a000-000000002002',
     'outbound', 'text', 'delivered',
     'Got it! Carlos will see you {day} at {time} (pending until he confirms). Bring your license and your mom''s policy number.',
     null, null, null, '50000000-0000-4000-a000-000000002003', '23 hours 7 minutes 55 seconds', null),
    -- David opts out of the campaign.
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002021', '41000000-0000-4000-a000-000000002003',
     'outbound', 'text', 'delivered',
     'Peterson Insurance: auto rates in Illinois change this spring. Reply YES for a free re-quote or STOP to opt out.',
     null, null, null, null, '12 days 3 hours', null),
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002022', '41000000-0000-4000-a000-000000002003',
     'inbound', 'text', 'received', 'STOP', null, null, null, null, '12 days 2 hours 40 minutes', null),
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002023', '41000000-0000-4000-a000-000000002003',
     'outbound', 'text', 'delivered',
     'You''re unsubscribed from Peterson Insurance messages. Reply START to resubscribe.', null, null, null, null,
     '12 days 2 hours 39 minutes 58 seconds', null),
    -- Maria texts photos of the hail damage after her call.
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002031', '41000000-0000-4000-a000-000000002004',
     'outbound', 'text', 'delivered',
     'Hi Maria, Peterson Insurance following up on your call. Text photos of the roof damage to this number and Carlos will review them before your appointment {day} at {time}.',
     null, null, null, '50000000-0000-4000-a000-000000002002', '1 day 1 hour 40 minutes', null),
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002032', '41000000-0000-4000-a000-000000002004',
     'inbound', 'image', 'received', 'Here are the pictures from the back of the house',
     '{"NumMedia": "1", "MediaContentType0": "image/jpeg"}', 'ME5d0a3f2c7b9e41d68a2c4f1e0b7d9a36', null, null,
     '23 hours 20 minutes', null),
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002033', '41000000-0000-4000-a000-000000002004',
     'inbound', 'image', 'received', 'And the gutter',
     '{"NumMedia": "1", "MediaContentType0": "image/jpeg"}', 'ME8c1e6b4d2a0f93e75b1d8c6a4f2e0b97', null, null,
     '23 hours 19 minutes', null),
    ('10000000-0000-4000-a000-000000000002', '42000000-0000-4000-a000-000000002034', '41000000-0000-4000-a000-000000002004',
     'outbound', 'text', 'sent',
     'Thank you, both photos received. Please don''t make permanent repairs yet; a tarp is fine. Carlos will see you {day} at {time}.',
     null, null, '00000000-0000-4000-a000-000000000005', '50000000-0000-4000-a000-000000002002', '22 hours', null)
  ) v(tenant_id, id, conversation_id, direction, type, status, body, payload, media_id, sent_by, booking_id, ago,
      after_booking)
  join public.conversations cv on cv.tenant_id = v.tenant_id::uuid and cv.id = v.conversation_id::uuid
  join public.channels ch on ch.tenant_id = cv.tenant_id and ch.id = cv.channel_id
  join public.customers cu on cu.tenant_id = cv.tenant_id and cu.id = cv.customer_id
  join public.tenants t on t.id = cv.tenant_id
  left join public.bookings b on b.tenant_id = cv.tenant_id and b.id = v.booking_id::uuid
) m
on conflict (tenant_id, id) do nothing;

-- The conversations' times follow their messages (only the first time: later runs find them set).
update public.conversations c
set created_at = m.first_at,
    last_message_at = m.last_at,
    last_inbound_at = m.last_inbound_at,
    closed_at = case when c.status = 'closed' then least(m.last_at + interval '1 day', now()) end
from (
  select tenant_id, conversation_id, min(created_at) as first_at, max(created_at) as last_at,
         max(created_at) filter (where direction = 'inbound') as last_inbound_at
  from public.messages
  where tenant_id in ('10000000-0000-4000-a000-000000000001', '10000000-0000-4000-a000-000000000002')
  group by tenant_id, conversation_id
) m
where c.tenant_id = m.tenant_id and c.id = m.conversation_id
  and c.id::text like '41000000-0000-4000-a000-%'
  and c.last_message_at is null;

-- ---------------------------------------------------------------------------------------------------------------
-- Voice: voices, agents, calls and what came of them
-- ---------------------------------------------------------------------------------------------------------------

insert into public.voices (tenant_id, id, name, provider, provider_voice_id, language, settings, created_at)
values
  ('10000000-0000-4000-a000-000000000001', '60000000-0000-4000-a000-000000001001', 'Brooklyn (warm, male)',
   'elevenlabs', 'pNInz6obpgDQGcFmaJgB', 'en', '{"model": "eleven_turbo_v2_5", "stability": 0.45, "similarity_boost": 0.8}',
   now() - interval '8 months'),
  ('10000000-0000-4000-a000-000000000002', '60000000-0000-4000-a000-000000002001', 'Midwest (friendly, female)',
   'cartesia', '156fb8d2-335b-4950-9cb3-a2d33befec77', 'en', '{"model": "sonic-2", "speed": "slow"}',
   now() - interval '5 months'),
  ('10000000-0000-4000-a000-000000000002', '60000000-0000-4000-a000-000000002002', 'Alloy (neutral)',
   'openai', 'alloy', 'en', '{"model": "gpt-4o-mini-tts"}', now() - interval '3 months')
on conflict (tenant_id, id) do nothing;

insert into public.voice_agents (tenant_id, id, name, language, voice_id, platform, platform_agent_id, media_stream_url,
                                 greeting, system_prompt, config, created_at)
values
  ('10000000-0000-4000-a000-000000000001', '61000000-0000-4000-a000-000000001001', 'Fade House Receptionist', 'en',
   '60000000-0000-4000-a000-000000001001', 'vapi', '7c0b2a4e-5f7d-4f1a-9d3e-2b8c6a1e4f90', null,
   'Hey, thanks for calling Fade House Barbers! Want to book a cut?',
   'You answer the phone for Fade House Barbers in Williamsburg, Brooklyn. Be quick and friendly. Book, move or cancel appointments with the booking tools; never invent availability or prices. Hand over to a barber if the caller asks for one.',
   '{"max_call_minutes": 8, "transfer_number": "+17185550120", "tools": ["available_slots", "create_booking", "cancel_booking"]}',
   now() - interval '8 months'),
  ('10000000-0000-4000-a000-000000000002', '61000000-0000-4000-a000-000000002001', 'Peterson Front Desk', 'en',
   '60000000-0000-4000-a000-000000002001', 'custom', null,
   'wss://voice.frontdesk.example/media-stream/peterson-insurance/front-desk',
   'Thanks for calling Peterson Insurance Agency, this is the front desk. How can I help?',
   'You answer calls for an independent insurance agency in Springfield, Illinois. Schedule appointments with licensed agents, take claim details, and recall what you know about the caller. Never quote premiums or bind coverage: only licensed agents do that.',
   '{"llm": "gpt-4o-mini", "max_call_minutes": 15, "transfer_number": "+12175550120", "memory": true}',
   now() - interval '5 months'),
  ('10000000-0000-4000-a000-000000000002', '61000000-0000-4000-a000-000000002002', 'Peterson Lead Follow-up', 'en',
   '60000000-0000-4000-a000-000000002002', 'custom', null,
   'wss://voice.frontdesk.example/media-stream/peterson-insurance/lead-follow-up',
   'Hi, this is the Peterson Insurance Agency calling about the quote you asked for.',
   'You call back people who asked for an insurance quote. Confirm their interest, collect basic details and book a call with an agent. Respect do-not-call requests immediately.',
   '{"llm": "gpt-4o-mini", "max_attempts": 3, "calling_hours": {"from": "09:00", "to": "18:00"}}',
   now() - interval '3 months')
on conflict (tenant_id, id) do nothing;

insert into public.calls (tenant_id, id, channel_id, agent_id, customer_id, provider, provider_call_id, direction,
                          from_number, to_number, status, started_at, ended_at, duration_seconds, created_at)
select v.tenant_id::uuid, v.id::uuid, v.channel_id::uuid, v.agent_id::uuid, v.customer_id::uuid, 'twilio', v.sid,
       v.direction::public.call_direction, v.from_number, v.to_number, 'completed',
       now() - v.ago::interval, now() - v.ago::interval + v.secs * interval '1 second', v.secs,
       now() - v.ago::interval - interval '6 seconds'
from (values
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001001', '40000000-0000-4000-a000-000000001002',
   '61000000-0000-4000-a000-000000001001', '30000000-0000-4000-a000-000000001007', 'CA1471aea0d0a098555d1140f6815b0f1e',
   'inbound', '+16465550107', '+17185550142', '1 day 6 hours', 142),
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001002', '40000000-0000-4000-a000-000000001002',
   '61000000-0000-4000-a000-000000001001', '30000000-0000-4000-a000-000000001010', 'CA2492d6b21884f02be12ad9745e35a3a3',
   'inbound', '+13475550110', '+17185550142', '2 days 3 hours', 98),
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001003', '40000000-0000-4000-a000-000000001002',
   '61000000-0000-4000-a000-000000001001', '30000000-0000-4000-a000-000000001003', 'CAdb1619cc89e82dd065b456d44dc52e2c',
   'inbound', '+17185550103', '+17185550142', '4 days', 187),
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001004', '40000000-0000-4000-a000-000000001002',
   '61000000-0000-4000-a000-000000001001', '30000000-0000-4000-a000-000000001008', 'CA7e9a2356f47d6552f54e2ac899bd1a32',
   'inbound', '+17185550108', '+17185550142', '3 hours', 121),
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001005', '40000000-0000-4000-a000-000000001002',
   '61000000-0000-4000-a000-000000001001', null, 'CA8f0a87b54be2c012624c05a54a9ceb26',
   'inbound', '+16315550188', '+17185550142', '5 hours', 47),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002001', '40000000-0000-4000-a000-000000002001',
   '61000000-0000-4000-a000-000000002001', '30000000-0000-4000-a000-000000002001', 'CAcdda872127c3e1d562123b67f290cdc7',
   'inbound', '+12175550101', '+12175550199', '4 days 2 hours', 263),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002002', '40000000-0000-4000-a000-000000002001',
   '61000000-0000-4000-a000-000000002001', '30000000-0000-4000-a000-000000002002', 'CAf41acbcaa54dc96bdbbfb233da384416',
   'inbound', '+12175550102', '+12175550199', '1 day 2 hours', 312),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002003', '40000000-0000-4000-a000-000000002001',
   '61000000-0000-4000-a000-000000002001', '30000000-0000-4000-a000-000000002006', 'CA0c2c652416c283ed1e12aa4e80fa42c3',
   'inbound', '+12175550106', '+12175550199', '2 days 5 hours', 401),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002004', '40000000-0000-4000-a000-000000002001',
   '61000000-0000-4000-a000-000000002001', '30000000-0000-4000-a000-000000002003', 'CA6f30ddeeca30909a52656fb3e664ee43',
   'inbound', '+12175550103', '+12175550199', '9 days', 226),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002005', '40000000-0000-4000-a000-000000002001',
   '61000000-0000-4000-a000-000000002002', null, 'CA544aee9d970c7e53dc6650b8b5bcae60',
   'outbound', '+12175550199', '+12175550150', '1 day 20 hours', 188),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002006', '40000000-0000-4000-a000-000000002001',
   '61000000-0000-4000-a000-000000002001', '30000000-0000-4000-a000-000000002009', 'CA02d692968f241def8099d170f7dcc25b',
   'inbound', '+12175550109', '+12175550199', '3 days 1 hour', 175)
) v(tenant_id, id, channel_id, agent_id, customer_id, sid, direction, from_number, to_number, ago, secs)
on conflict (tenant_id, id) do nothing;

insert into public.call_summaries (tenant_id, call_id, summary, transcript, outcome, sentiment, structured, created_at)
select c.tenant_id, c.id, v.summary, v.transcript, v.outcome, v.sentiment::public.sentiment, v.structured::jsonb,
       c.ended_at + interval '20 seconds'
from (values
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001001',
   'Ethan booked a Classic Haircut with Marco (low taper, scissors on top). Prefers late mornings after night shifts.',
   'Agent: Hey, thanks for calling Fade House Barbers! Want to book a cut?
Caller: Yeah, hi, it''s Ethan. Can I get in with Marco? Just a regular cut.
Agent: Sure, Ethan. Marco has an 11 AM open. Does that work?
Caller: 11 is perfect, I get off shift at 7.
Agent: Done: Classic Haircut with Marco at 11. Same as last time, low taper with scissors on top?
Caller: You got it. Thanks!',
   'booked', 'positive', '{"intent": "book", "booking_id": "50000000-0000-4000-a000-000000001007", "service": "Classic Haircut", "staff": "Marco Rossi"}'),
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001002',
   'Omar booked a Skin Fade with Marco. Asked to hear about any Saturday morning opening with Marco.',
   'Agent: Hey, thanks for calling Fade House Barbers! Want to book a cut?
Caller: Hey, Omar here. Any Saturday mornings with Marco?
Agent: Saturday mornings with Marco are booked up for now. The earliest I have with him is 10 AM.
Caller: Fine, book that, but let me know if a Saturday opens.
Agent: Booked: Skin Fade with Marco at 10 AM. I''ll text you if a Saturday morning frees up.',
   'booked', 'neutral', '{"intent": "book", "booking_id": "50000000-0000-4000-a000-000000001009", "waitlist": {"staff": "Marco Rossi", "day": "Saturday", "part_of_day": "morning"}}'),
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001003',
   'First-time caller Luis asked about walk-ins, then booked a Classic Haircut with Lena. Found the shop on Google Maps.',
   'Agent: Hey, thanks for calling Fade House Barbers! Want to book a cut?
Caller: Hi, do you take walk-ins?
Agent: We do when a chair is free, but a booking guarantees your spot. First time with us?
Caller: Yeah, saw you on Google Maps. I just want the sides cleaned up, keep the top.
Agent: Lena is great at that. She has 10 AM open. Shall I book it?
Caller: Sure, Luis Ortega.
Agent: You''re all set, Luis.',
   'booked', 'positive', '{"intent": "book", "booking_id": "50000000-0000-4000-a000-000000001107", "new_customer": true, "referral": "google_maps"}'),
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001004',
   'Kevin apologised for missing his appointment (phone died) and rebooked a Classic Haircut with Sofia, pending his confirmation on the day. Wants a text reminder the morning of.',
   'Agent: Hey, thanks for calling Fade House Barbers! Want to book a cut?
Caller: Yeah, it''s Kevin. Sorry I missed my appointment, my phone died.
Agent: No worries, Kevin. Want to rebook? Sofia has 3 PM open.
Caller: That works. Can you text me that morning so I don''t forget?
Agent: I''ve penciled you in with Sofia at 3 and we''ll text you that morning to confirm.',
   'rebooked', 'mixed', '{"intent": "rebook", "booking_id": "50000000-0000-4000-a000-000000001011", "reminder": "morning_of"}'),
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001005',
   'Unknown caller asked about Sunday hours and walk-ins. Did not book.',
   'Agent: Hey, thanks for calling Fade House Barbers! Want to book a cut?
Caller: Are you open Sundays?
Agent: Yes, Sundays 10 to 4. Walk-ins welcome when a chair is free.
Caller: Cool, I''ll swing by.',
   'information', 'neutral', '{"intent": "hours"}'),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002001',
   'Robert booked his annual policy check-up with Dana. His daughter Emma (16) just got her license and needs adding to the auto policy.',
   'Agent: Thanks for calling Peterson Insurance Agency, this is the front desk. How can I help?
Caller: Hi, Robert Hughes. It''s about time for our yearly review with Dana.
Agent: Good to hear from you, Robert. Dana has a 9 AM opening. Would that work?
Caller: Yes. And my daughter Emma just got her license, she needs to go on the auto.
Agent: Congratulations to Emma! I''ve noted it for Dana. Bring her license number to the check-up.
Caller: Will do, thanks.',
   'booked', 'positive', '{"intent": "annual_review", "booking_id": "50000000-0000-4000-a000-000000002001", "policy_changes": ["add_driver"]}'),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002002',
   'Maria reported hail damage to her roof and gutters from the recent storm. Booked Claims Assistance with Carlos; asked to text photos.',
   'Agent: Thanks for calling Peterson Insurance Agency, this is the front desk. How can I help?
Caller: Hi, the storm damaged my roof, there are shingles all over the yard and the gutter is hanging.
Agent: I''m sorry, Maria. Is anyone hurt, and is water coming in?
Caller: No, nobody is hurt. A little water in the attic.
Agent: A tarp is fine for now, but don''t make permanent repairs. Carlos can help you file the claim at 10 AM. I''ll text you so you can send photos.
Caller: Thank you. Can Carlos explain in Spanish?
Agent: I''ll note that for him.',
   'booked', 'mixed', '{"intent": "claim", "booking_id": "50000000-0000-4000-a000-000000002002", "peril": "hail", "damage": ["roof", "gutters"], "language": "es"}'),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002003',
   'Walter (67, retired teacher) wants final-expense life coverage so his children are not burdened. Booked a consultation with Priya; confirmation to be mailed.',
   'Agent: Thanks for calling Peterson Insurance Agency, this is the front desk. How can I help?
Caller: Yes, hello. I''d like to talk about life insurance. For my funeral, so my kids don''t have to pay.
Agent: Of course. Priya helps with final-expense coverage. She can see you at 10 AM.
Caller: Could you say that again, a bit slower?
Agent: Ten in the morning, with Priya. I''ll mail you a confirmation too.
Caller: Thank you, dear.',
   'booked', 'positive', '{"intent": "life_quote", "booking_id": "50000000-0000-4000-a000-000000002004", "product": "final_expense", "accessibility": "hard_of_hearing"}'),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002004',
   'Linda booked a life insurance consultation with Priya for herself and her husband Tom ahead of refinancing.',
   'Agent: Thanks for calling Peterson Insurance Agency, this is the front desk. How can I help?
Caller: Hi, it''s Linda Becker. Tom and I are refinancing and the bank asked about life insurance.
Agent: Priya can go through term options with you both. Would 10 AM work?
Caller: Perfect, we''ll both come.',
   'booked', 'positive', '{"intent": "life_quote", "booking_id": "50000000-0000-4000-a000-000000002101", "attendees": 2}'),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002005',
   'Called back web lead Nicole Foster: moving to Springfield next month, wants a home and auto bundle quote before her renewal in six weeks. Call back Thursday after 4 PM.',
   'Agent: Hi, this is the Peterson Insurance Agency calling about the quote you asked for.
Caller: Oh, right! I filled that in last night.
Agent: Great. Is it for home, auto, or both?
Caller: Both. We close on a house in Springfield next month, and my auto renews in about six weeks.
Agent: An agent can put together a bundle. When is a good time to call you back?
Caller: Thursday after four is best.',
   'callback_requested', 'positive', '{"intent": "quote", "lead_id": "80000000-0000-4000-a000-000000002001", "lines": ["home", "auto"], "callback": "thursday_after_16"}'),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002006',
   'Sarah finished a basement remodel and wants her dwelling coverage reviewed. Booked a Home Insurance Review with Carlos.',
   'Agent: Thanks for calling Peterson Insurance Agency, this is the front desk. How can I help?
Caller: Hi, we just finished the basement and I think the house is worth more now.
Agent: Good thinking, Sarah. Carlos can review your dwelling limit. How about 11 AM?
Caller: Works for me.',
   'booked', 'positive', '{"intent": "coverage_review", "booking_id": "50000000-0000-4000-a000-000000002007"}')
) v(tenant_id, call_id, summary, transcript, outcome, sentiment, structured)
join public.calls c on c.tenant_id = v.tenant_id::uuid and c.id = v.call_id::uuid
on conflict (tenant_id, call_id) do nothing;

-- ---------------------------------------------------------------------------------------------------------------
-- Caller memory: one profile per phone number, what the agent remembers, personality per call
-- ---------------------------------------------------------------------------------------------------------------

-- Call counts and first/last call come from the calls above (inbound: the caller's number; outbound: the callee's).
insert into public.caller_profiles (tenant_id, id, phone, customer_id, display_name, summary, preferences, call_count,
                                    first_call_at, last_call_at, created_at)
select v.tenant_id::uuid, v.id::uuid, v.phone, v.customer_id::uuid, v.display_name, v.summary, v.preferences::jsonb,
       k.n, k.first_at, k.last_at, coalesce(k.first_at, now())
from (values
  ('10000000-0000-4000-a000-000000000001', '70000000-0000-4000-a000-000000001001', '+16465550107',
   '30000000-0000-4000-a000-000000001007', 'Ethan Brooks', 'Regular with Marco; night-shift nurse.',
   '{"staff": "Marco Rossi", "time_of_day": "late_morning", "contact": "phone"}'),
  ('10000000-0000-4000-a000-000000000001', '70000000-0000-4000-a000-000000001002', '+13475550110',
   '30000000-0000-4000-a000-000000001010', 'Omar Haddad', 'Skin fades with Marco; wants Saturday mornings.',
   '{"staff": "Marco Rossi", "day": "Saturday"}'),
  ('10000000-0000-4000-a000-000000000001', '70000000-0000-4000-a000-000000001003', '+17185550103',
   '30000000-0000-4000-a000-000000001003', 'Luis Ortega', 'New customer from Google Maps.', '{}'),
  ('10000000-0000-4000-a000-000000000001', '70000000-0000-4000-a000-000000001004', '+17185550108',
   '30000000-0000-4000-a000-000000001008', 'Kevin Walsh', 'Missed his last booking; needs a reminder the morning of.',
   '{"reminder": "morning_of"}'),
  ('10000000-0000-4000-a000-000000000001', '70000000-0000-4000-a000-000000001005', '+16315550188',
   null, null, 'Asked about Sunday hours.', '{}'),
  ('10000000-0000-4000-a000-000000000002', '70000000-0000-4000-a000-000000002001', '+12175550101',
   '30000000-0000-4000-a000-000000002001', 'Robert Hughes', 'Long-time home and auto client of Dana.',
   '{"agent": "Dana Peterson", "billing": "paperless"}'),
  ('10000000-0000-4000-a000-000000000002', '70000000-0000-4000-a000-000000002002', '+12175550102',
   '30000000-0000-4000-a000-000000002002', 'Maria Gonzalez', 'Home client with an open hail claim.',
   '{"language": "es", "agent": "Carlos Mendez"}'),
  ('10000000-0000-4000-a000-000000000002', '70000000-0000-4000-a000-000000002003', '+12175550106',
   '30000000-0000-4000-a000-000000002006', 'Walter Simmons', 'Retired teacher looking at final-expense coverage.',
   '{"speech": "slow", "confirmations": "mail"}'),
  ('10000000-0000-4000-a000-000000000002', '70000000-0000-4000-a000-000000002004', '+12175550103',
   '30000000-0000-4000-a000-000000002003', 'Linda Becker', 'Term life for her and Tom before a refinance.', '{}'),
  ('10000000-0000-4000-a000-000000000002', '70000000-0000-4000-a000-000000002005', '+12175550150',
   null, 'Nicole Foster', 'Web lead relocating to Springfield; home and auto bundle.',
   '{"callback": "Thursday after 4 PM"}'),
  ('10000000-0000-4000-a000-000000000002', '70000000-0000-4000-a000-000000002006', '+12175550109',
   '30000000-0000-4000-a000-000000002009', 'Sarah Mitchell', 'Home and auto client; recent basement remodel.', '{}')
) v(tenant_id, id, phone, customer_id, display_name, summary, preferences)
cross join lateral (
  select count(*)::int as n, min(c.started_at) as first_at, max(c.started_at) as last_at
  from public.calls c
  where c.tenant_id = v.tenant_id::uuid
    and (case c.direction when 'inbound' then c.from_number else c.to_number end) = v.phone
) k
on conflict (tenant_id, id) do nothing;

insert into public.memories (tenant_id, id, caller_id, content, kind, importance, source_call_id, created_at)
select v.tenant_id::uuid, v.id::uuid, v.caller_id::uuid, v.content, v.kind, v.importance, c.id,
       coalesce(c.ended_at + interval '30 seconds', now() - interval '30 days')
from (values
  ('10000000-0000-4000-a000-000000000001', '71000000-0000-4000-a000-000000001001', '70000000-0000-4000-a000-000000001001',
   'Always books with Marco: low taper, scissors on top.', 'preference', 7, '62000000-0000-4000-a000-000000001001'),
  ('10000000-0000-4000-a000-000000000001', '71000000-0000-4000-a000-000000001002', '70000000-0000-4000-a000-000000001001',
   'Works night shifts as a nurse; late mornings (after 10 AM) suit him best.', 'fact', 5, '62000000-0000-4000-a000-000000001001'),
  ('10000000-0000-4000-a000-000000000001', '71000000-0000-4000-a000-000000001003', '70000000-0000-4000-a000-000000001002',
   'Wants to hear as soon as a Saturday morning with Marco opens up.', 'follow_up', 6, '62000000-0000-4000-a000-000000001002'),
  ('10000000-0000-4000-a000-000000000001', '71000000-0000-4000-a000-000000001004', '70000000-0000-4000-a000-000000001003',
   'Found the shop on Google Maps.', 'fact', 3, '62000000-0000-4000-a000-000000001003'),
  ('10000000-0000-4000-a000-000000000001', '71000000-0000-4000-a000-000000001005', '70000000-0000-4000-a000-000000001003',
   'Keeps length on top; only the sides cleaned up.', 'preference', 6, '62000000-0000-4000-a000-000000001003'),
  ('10000000-0000-4000-a000-000000000001', '71000000-0000-4000-a000-000000001006', '70000000-0000-4000-a000-000000001004',
   'Missed his last appointment because his phone died.', 'event', 6, '62000000-0000-4000-a000-000000001004'),
  ('10000000-0000-4000-a000-000000000001', '71000000-0000-4000-a000-000000001007', '70000000-0000-4000-a000-000000001004',
   'Text him a reminder the morning of every appointment.', 'follow_up', 8, '62000000-0000-4000-a000-000000001004'),
  ('10000000-0000-4000-a000-000000000001', '71000000-0000-4000-a000-000000001008', '70000000-0000-4000-a000-000000001005',
   'Asked about Sunday hours and walk-ins; said he would drop by.', 'note', 2, '62000000-0000-4000-a000-000000001005'),
  ('10000000-0000-4000-a000-000000000002', '71000000-0000-4000-a000-000000002001', '70000000-0000-4000-a000-000000002001',
   'Daughter Emma (16) just got her driver''s license: add her to the auto policy at the check-up.', 'relationship', 9,
   '62000000-0000-4000-a000-000000002001'),
  ('10000000-0000-4000-a000-000000000002', '71000000-0000-4000-a000-000000002002', '70000000-0000-4000-a000-000000002001',
   'Bundles home and auto; prefers paperless billing.', 'fact', 5, '62000000-0000-4000-a000-000000002001'),
  ('10000000-0000-4000-a000-000000000002', '71000000-0000-4000-a000-000000002003', '70000000-0000-4000-a000-000000002002',
   'Hail damage to roof and gutters, some water in the attic; claim not yet filed with the carrier.', 'event', 9,
   '62000000-0000-4000-a000-000000002002'),
  ('10000000-0000-4000-a000-000000000002', '71000000-0000-4000-a000-000000002004', '70000000-0000-4000-a000-000000002002',
   'Prefers Spanish for detailed explanations.', 'preference', 7, '62000000-0000-4000-a000-000000002002'),
  ('10000000-0000-4000-a000-000000000002', '71000000-0000-4000-a000-000000002005', '70000000-0000-4000-a000-000000002003',
   'Retired teacher, 67; wants final-expense coverage so his children are not burdened.', 'fact', 8,
   '62000000-0000-4000-a000-000000002003'),
  ('10000000-0000-4000-a000-000000000002', '71000000-0000-4000-a000-000000002006', '70000000-0000-4000-a000-000000002003',
   'Hard of hearing: speak slowly and send confirmations by mail.', 'preference', 8, '62000000-0000-4000-a000-000000002003'),
  ('10000000-0000-4000-a000-000000000002', '71000000-0000-4000-a000-000000002007', '70000000-0000-4000-a000-000000002004',
   'Married to Tom; both want term life quotes before refinancing.', 'relationship', 7, '62000000-0000-4000-a000-000000002004'),
  ('10000000-0000-4000-a000-000000000002', '71000000-0000-4000-a000-000000002008', '70000000-0000-4000-a000-000000002005',
   'Moving to Springfield next month; current auto policy renews in about six weeks.', 'fact', 7,
   '62000000-0000-4000-a000-000000002005'),
  ('10000000-0000-4000-a000-000000000002', '71000000-0000-4000-a000-000000002009', '70000000-0000-4000-a000-000000002005',
   'Call back Thursday after 4 PM with a home and auto bundle quote.', 'follow_up', 8, '62000000-0000-4000-a000-000000002005'),
  ('10000000-0000-4000-a000-000000000002', '71000000-0000-4000-a000-000000002010', '70000000-0000-4000-a000-000000002006',
   'Finished a basement remodel: dwelling limit may be too low.', 'fact', 7, '62000000-0000-4000-a000-000000002006')
) v(tenant_id, id, caller_id, content, kind, importance, source_call_id)
left join public.calls c on c.tenant_id = v.tenant_id::uuid and c.id = v.source_call_id::uuid
on conflict (tenant_id, id) do nothing;

-- One row per call; the trigger keeps each caller's averages in caller_personality.
insert into public.personality_metrics (tenant_id, call_id, caller_id, openness, conscientiousness, extraversion,
                                        agreeableness, neuroticism, created_at)
select c.tenant_id, c.id, v.caller_id::uuid, v.o, v.c, v.e, v.a, v.n, c.ended_at + interval '30 seconds'
from (values
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001001', '70000000-0000-4000-a000-000000001001', 0.55, 0.80, 0.45, 0.85, 0.20),
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001002', '70000000-0000-4000-a000-000000001002', 0.40, 0.70, 0.60, 0.50, 0.35),
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001003', '70000000-0000-4000-a000-000000001003', 0.70, 0.55, 0.50, 0.75, 0.30),
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001004', '70000000-0000-4000-a000-000000001004', 0.50, 0.25, 0.65, 0.70, 0.55),
  ('10000000-0000-4000-a000-000000000001', '62000000-0000-4000-a000-000000001005', '70000000-0000-4000-a000-000000001005', 0.50, 0.50, 0.40, 0.60, 0.30),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002001', '70000000-0000-4000-a000-000000002001', 0.45, 0.90, 0.55, 0.80, 0.15),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002002', '70000000-0000-4000-a000-000000002002', 0.60, 0.75, 0.50, 0.70, 0.70),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002003', '70000000-0000-4000-a000-000000002003', 0.35, 0.85, 0.40, 0.90, 0.40),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002004', '70000000-0000-4000-a000-000000002004', 0.55, 0.80, 0.60, 0.75, 0.25),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002005', '70000000-0000-4000-a000-000000002005', 0.75, 0.65, 0.80, 0.70, 0.20),
  ('10000000-0000-4000-a000-000000000002', '62000000-0000-4000-a000-000000002006', '70000000-0000-4000-a000-000000002006', 0.65, 0.85, 0.55, 0.80, 0.20)
) v(tenant_id, call_id, caller_id, o, c, e, a, n)
join public.calls c on c.tenant_id = v.tenant_id::uuid and c.id = v.call_id::uuid
on conflict (tenant_id, call_id) do nothing;

-- ---------------------------------------------------------------------------------------------------------------
-- Leads
-- ---------------------------------------------------------------------------------------------------------------

insert into public.leads (tenant_id, id, name, phone, email, company, source, source_detail, status, notes, customer_id,
                          last_contacted_at, created_at)
select v.tenant_id::uuid, v.id::uuid, v.name, v.phone, v.email, v.company, v.source, v.source_detail,
       v.status::public.lead_status, v.notes, v.customer_id::uuid, now() - v.contacted_ago::interval,
       now() - v.created_ago::interval
from (values
  ('10000000-0000-4000-a000-000000000001', '80000000-0000-4000-a000-000000001001', 'Daniel Ruiz', '+19175550161',
   'daniel.ruiz@example.com', null, 'referral', 'Referred by Marcus Lee', 'contacted',
   'Wedding party of 6 on a Saturday morning in June; wants a group rate and hot towel shaves.', null, '2 days', '5 days'),
  ('10000000-0000-4000-a000-000000000001', '80000000-0000-4000-a000-000000001002', 'Jordan Kim', '+17185550162',
   null, null, 'ads', 'Instagram: "first cut 20% off"', 'new', null, null, null, '6 hours'),
  ('10000000-0000-4000-a000-000000000001', '80000000-0000-4000-a000-000000001003', 'Alexis Grant', null,
   'events@pratt-su.example', 'Pratt Student Union', 'event', 'Campus wellness fair', 'qualified',
   'Pop-up barber booth for the spring fair: two barbers, four hours.', null, '1 day', '3 weeks'),
  ('10000000-0000-4000-a000-000000000002', '80000000-0000-4000-a000-000000002001', 'Nicole Foster', '+12175550150',
   'nicole.foster@example.com', null, 'web_form', 'petersoninsurance.example/quote', 'contacted',
   'Relocating to Springfield; home and auto bundle. Call back Thursday after 4 PM.', null, '1 day 20 hours', '2 days'),
  ('10000000-0000-4000-a000-000000000002', '80000000-0000-4000-a000-000000002002', 'Ben Alvarez', '+12175550151',
   'ben@springfieldbakery.example', 'Springfield Bakery', 'referral', 'Referred by Hank Moreau', 'qualified',
   'Bakery with 2 delivery vans: BOP and commercial auto.', null, '4 days', '2 weeks'),
  ('10000000-0000-4000-a000-000000000002', '80000000-0000-4000-a000-000000002003', 'Angela Wright', '+12175550152',
   null, null, 'import', 'Old CRM export (2023 quotes)', 'new', 'Quoted renters in 2023, never bound.', null, null,
   '1 month'),
  ('10000000-0000-4000-a000-000000000002', '80000000-0000-4000-a000-000000002004', 'Jessica Tran', '+12175550105',
   null, null, 'other', 'Texted the office line (SMS)', 'won', 'Booked an auto quote online.',
   '30000000-0000-4000-a000-000000002005', '23 hours', '1 day 1 hour'),
  ('10000000-0000-4000-a000-000000000002', '80000000-0000-4000-a000-000000002005', 'Kyle Henderson', '+12175550154',
   'kyle.h@example.com', null, 'ads', 'Google Ads: "cheap car insurance springfield"', 'lost',
   'Went with a direct writer on price.', null, '2 weeks', '3 weeks'),
  ('10000000-0000-4000-a000-000000000002', '80000000-0000-4000-a000-000000002006', 'Rachel Nguyen', null,
   'rachel.nguyen@example.com', null, 'event', 'Springfield Home Show booth', 'new',
   'First-time home buyer, closing in the fall.', null, null, '10 days'),
  ('10000000-0000-4000-a000-000000000002', '80000000-0000-4000-a000-000000002007', 'Tom Becker', '+12175550153',
   null, null, 'voice', 'Mentioned by Linda Becker on a call', 'qualified', 'Term life alongside his wife.',
   null, '3 days', '9 days')
) v(tenant_id, id, name, phone, email, company, source, source_detail, status, notes, customer_id, contacted_ago,
    created_ago)
on conflict (tenant_id, id) do nothing;

-- ---------------------------------------------------------------------------------------------------------------
-- Platform: subscriptions, feature flags, this month's usage
-- ---------------------------------------------------------------------------------------------------------------

insert into public.subscriptions (tenant_id, id, plan_id, status, current_period_start, current_period_end, created_at)
values
  ('10000000-0000-4000-a000-000000000001', '90000000-0000-4000-a000-000000001001', 'professional', 'active',
   date_trunc('month', now()), date_trunc('month', now()) + interval '1 month', now() - interval '8 months'),
  ('10000000-0000-4000-a000-000000000002', '90000000-0000-4000-a000-000000002001', 'starter', 'active',
   date_trunc('month', now()), date_trunc('month', now()) + interval '1 month', now() - interval '5 months')
on conflict (tenant_id, id) do nothing;

insert into public.feature_flags (tenant_id, flag, enabled, config)
values
  ('10000000-0000-4000-a000-000000000001', 'whatsapp.booking_bot', true, '{"offer_staff_choice": true, "max_options": 3}'),
  ('10000000-0000-4000-a000-000000000001', 'voice.receptionist', true, '{}'),
  ('10000000-0000-4000-a000-000000000001', 'reminders.whatsapp', true, '{"hours_before": 24, "template": "appointment_reminder"}'),
  ('10000000-0000-4000-a000-000000000001', 'marketing.campaigns', true, '{"quiet_hours": {"from": "20:00", "to": "09:00"}}'),
  ('10000000-0000-4000-a000-000000000001', 'waitlist', false, '{}'),
  ('10000000-0000-4000-a000-000000000002', 'voice.receptionist', true, '{}'),
  ('10000000-0000-4000-a000-000000000002', 'voice.outbound_leads', true, '{"max_attempts": 3}'),
  ('10000000-0000-4000-a000-000000000002', 'reminders.sms', true, '{"hours_before": 24}'),
  ('10000000-0000-4000-a000-000000000002', 'memory.recall', true, '{"max_memories": 12}'),
  ('10000000-0000-4000-a000-000000000002', 'whatsapp.booking_bot', false, '{}')
on conflict (tenant_id, flag) do nothing;

-- Usage of the seeded messages, calls and memories: one event per source row, referenced by its provider id as the
-- ingest functions do (the event reuses the row's own id, so a re-run adds nothing); the trigger rolls them up into
-- usage_monthly.
insert into public.usage_events (tenant_id, id, metric, quantity, occurred_at, source_ref)
select tenant_id, id,
       case direction when 'inbound' then 'inbound_messages' else 'outbound_messages' end::public.usage_metric,
       1, created_at, provider_message_id
from public.messages
where tenant_id in ('10000000-0000-4000-a000-000000000001', '10000000-0000-4000-a000-000000000002')
  and id::text like '42000000-0000-4000-a000-%'
union all
select tenant_id, id, 'call_minutes', ceil(duration_seconds / 60.0), ended_at, provider_call_id
from public.calls
where tenant_id in ('10000000-0000-4000-a000-000000000001', '10000000-0000-4000-a000-000000000002')
  and id::text like '62000000-0000-4000-a000-%' and duration_seconds > 0
union all
select tenant_id, id, 'memories', 1, created_at, id::text
from public.memories
where tenant_id in ('10000000-0000-4000-a000-000000000001', '10000000-0000-4000-a000-000000000002')
  and id::text like '71000000-0000-4000-a000-%'
on conflict (tenant_id, id) do nothing;
