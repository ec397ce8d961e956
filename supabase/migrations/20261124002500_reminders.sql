-- Booking confirmations and reminders on WhatsApp. One SQL function, private.queue_due_notices(now), picks what is
-- due and queues it as ordinary outbound messages (so every rule of private.messages_queue_rules applies: opt-out,
-- the 24-hour window unless a template, the plan's allowance); the existing outbox drain sends them. Scheduled on
-- hosted projects with Supabase Cron (below, when pg_cron exists); the local stack runs the same drain every few
-- seconds (local/dev.ts).
--
--   confirmation  once per booking, soon after it was made by any path (staff, voice, either assistant), but not
--                 for bookings an adoption imported (private.import_ledger). A text inside the 24-hour window,
--                 otherwise settings.reminders.confirmation_template {name, language} if the business set one.
--   reminder      at each of settings.reminders.offsets_minutes before the start (default [1440, 120]: 24 h and
--                 2 h), as the business's approved template settings.reminders.template {name, language} with three
--                 quick replies (confirm, reschedule, cancel; payloads remind:<what>:<booking id>, which the assistants
--                 answer); inside the window without a template, the same as reply buttons.
-- Only live, upcoming bookings get either: a cancelled booking gets nothing, a moved one (a new booking, the old one
-- cancelled) is reminded of its new time only. Exactly one notice per booking, kind, offset and start time, even
-- with two schedulers running at once: the row in private.booking_notices is claimed first (its primary key), and
-- a second drain waiting on that claim then finds it taken. What was skipped is recorded with why.

create table private.booking_notices (
  tenant_id uuid not null,
  booking_id uuid not null,
  kind text not null,
  offset_minutes int not null default 0,
  -- The booking's start this notice was for (a booking moved in place gets reminded of its new time).
  starts_at timestamptz not null,
  outcome text not null default 'claimed',
  detail text,
  message_id uuid,
  created_at timestamptz not null default now(),
  primary key (tenant_id, booking_id, kind, offset_minutes, starts_at),
  foreign key (tenant_id, booking_id) references public.bookings (tenant_id, id) on delete cascade,
  constraint booking_notices_kind check (kind in ('confirmation', 'reminder')),
  constraint booking_notices_outcome check (outcome in ('claimed', 'queued', 'skipped'))
);
comment on table private.booking_notices is 'Confirmations and reminders queued (or skipped, with why) per booking: at most one each.';
revoke all on table private.booking_notices from public, anon, authenticated, service_role;

-- Finding what is due without reading every booking: live bookings by start, and recent ones by creation.
create index bookings_live_start_idx on public.bookings (starts_at) where status in ('pending', 'confirmed');
create index bookings_recent_idx on public.bookings (created_at) where status in ('pending', 'confirmed');

-- The offsets a business set (minutes before the start, 5 minutes to 7 days, at most 5), or 24 h and 2 h.
create or replace function private.reminder_offsets(p_settings jsonb)
returns int[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(
    (select array_agg(distinct o order by o desc) from (
       select (x #>> '{}')::int as o
       from jsonb_array_elements(case when jsonb_typeof(p_settings #> '{reminders,offsets_minutes}') = 'array'
                                      then p_settings #> '{reminders,offsets_minutes}' end) x
       where jsonb_typeof(x) = 'number' and (x #>> '{}') ~ '^\d{1,5}$' and (x #>> '{}')::int between 5 and 10080
       limit 5) v),
    array[1440, 120])
$$;

-- A template setting {name, language} as Meta's template object (null when not set or malformed).
create or replace function private.notice_template(p_setting jsonb, p_body text[], p_booking_id uuid, p_buttons boolean)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case when jsonb_typeof(p_setting) = 'object'
                   and coalesce(p_setting ->> 'name', '') ~ '^[a-z0-9_]+$' and length(p_setting ->> 'name') <= 512
                   and coalesce(p_setting ->> 'language', '') ~ '^[a-z]{2,3}(_[A-Z]{2})?$' then
    jsonb_build_object(
      'name', p_setting ->> 'name',
      'language', jsonb_build_object('code', p_setting ->> 'language'),
      'components',
        jsonb_build_array(jsonb_build_object('type', 'body', 'parameters',
          (select coalesce(jsonb_agg(jsonb_build_object('type', 'text', 'text', v) order by i), '[]'::jsonb)
           from unnest(p_body) with ordinality as b(v, i))))
        || case when p_buttons then jsonb_build_array(
             jsonb_build_object('type', 'button', 'sub_type', 'quick_reply', 'index', '0',
                                'parameters', jsonb_build_array(jsonb_build_object('type', 'payload', 'payload', 'remind:confirm:' || p_booking_id))),
             jsonb_build_object('type', 'button', 'sub_type', 'quick_reply', 'index', '1',
                                'parameters', jsonb_build_array(jsonb_build_object('type', 'payload', 'payload', 'remind:reschedule:' || p_booking_id))),
             jsonb_build_object('type', 'button', 'sub_type', 'quick_reply', 'index', '2',
                                'parameters', jsonb_build_array(jsonb_build_object('type', 'payload', 'payload', 'remind:cancel:' || p_booking_id))))
           else '[]'::jsonb end)
  end
$$;

-- Queues one notice for one booking (the row is already claimed); raises when it cannot be sent, with why.
create or replace function private.notice_queue(p_booking_id uuid, p_tenant_id uuid, p_kind text, p_offset int)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_b record;
  v_conversation uuid;
  v_last timestamptz;
  v_es boolean;
  v_when text;
  v_what text;
  v_template jsonb;
  v_text text;
begin
  select b.id, b.starts_at, s.name as service, st.name as staff, t.timezone, t.name as business, t.settings,
         cu.id as customer_id, cu.name as customer, cu.wa_id, cu.opted_out_at
    into v_b
  from public.bookings b
  join public.tenants t on t.id = b.tenant_id
  join public.services s on s.tenant_id = b.tenant_id and s.id = b.service_id
  join public.staff st on st.tenant_id = b.tenant_id and st.id = b.staff_id
  join public.customers cu on cu.tenant_id = b.tenant_id and cu.id = b.customer_id
  where b.tenant_id = p_tenant_id and b.id = p_booking_id;
  if v_b.opted_out_at is not null then
    raise exception using errcode = 'P0001', message = 'frontdesk.notice: the customer has opted out';
  end if;
  -- Reachable on WhatsApp: their latest conversation on one of the business's WhatsApp numbers, or a new one there.
  select c.id, c.last_inbound_at into v_conversation, v_last
  from public.conversations c join public.channels ch on ch.tenant_id = c.tenant_id and ch.id = c.channel_id and ch.kind = 'whatsapp'
  where c.tenant_id = p_tenant_id and c.customer_id = v_b.customer_id and c.status = 'open'
  order by c.last_inbound_at desc nulls last, c.created_at desc limit 1;
  if v_conversation is null then
    if v_b.wa_id is null then
      raise exception using errcode = 'P0001', message = 'frontdesk.notice: the customer is not reachable on WhatsApp';
    end if;
    insert into public.conversations (tenant_id, channel_id, customer_id)
    select p_tenant_id, ch.id, v_b.customer_id from public.channels ch
    where ch.tenant_id = p_tenant_id and ch.kind = 'whatsapp' order by ch.created_at limit 1
    returning id into v_conversation;
    if v_conversation is null then
      raise exception using errcode = 'P0001', message = 'frontdesk.notice: the business has no WhatsApp number';
    end if;
  end if;
  v_es := coalesce(v_b.settings ->> 'language', 'en') = 'es';
  v_when := to_char(v_b.starts_at at time zone v_b.timezone, 'YYYY-MM-DD HH24:MI');
  v_what := format('%s %s %s, %s', v_b.service, case when v_es then 'con' else 'with' end, v_b.staff, v_when);
  if p_kind = 'confirmation' then
    v_template := private.notice_template(v_b.settings #> '{reminders,confirmation_template}',
                                          array[coalesce(v_b.customer, ''), v_b.service, v_b.staff, v_when], p_booking_id, false);
    v_text := case when v_es then format('Reserva confirmada en %s: %s. Responde aquí para cambiarla o cancelarla.', v_b.business, v_what)
                   else format('Booking confirmed at %s: %s. Reply here to change or cancel it.', v_b.business, v_what) end;
  else
    v_template := private.notice_template(v_b.settings #> '{reminders,template}',
                                          array[coalesce(v_b.customer, ''), v_b.service, v_b.staff, v_when], p_booking_id, true);
    v_text := case when v_es then format('Recordatorio de %s: %s.', v_b.business, v_what)
                   else format('Reminder from %s: %s.', v_b.business, v_what) end;
  end if;
  if v_template is not null then
    return private.queue_outbound(p_tenant_id, v_conversation, 'template', v_text, v_template);
  end if;
  -- No template: only inside the customer-service window (the queue rules refuse it otherwise, with why).
  if p_kind = 'confirmation' then
    return private.queue_outbound(p_tenant_id, v_conversation, 'text', v_text, '{}'::jsonb);
  end if;
  return private.queue_outbound(p_tenant_id, v_conversation, 'interactive', v_text, jsonb_build_object(
    'type', 'button', 'body', jsonb_build_object('text', v_text),
    'action', jsonb_build_object('buttons', jsonb_build_array(
      jsonb_build_object('type', 'reply', 'reply', jsonb_build_object('id', 'remind:confirm:' || p_booking_id, 'title', case when v_es then 'Confirmo' else 'Confirm' end)),
      jsonb_build_object('type', 'reply', 'reply', jsonb_build_object('id', 'remind:reschedule:' || p_booking_id, 'title', case when v_es then 'Cambiar' else 'Reschedule' end)),
      jsonb_build_object('type', 'reply', 'reply', jsonb_build_object('id', 'remind:cancel:' || p_booking_id, 'title', case when v_es then 'Cancelar' else 'Cancel' end))))));
end;
$$;

-- The one function that picks what is due at p_now and queues it. Returns what it did, one row per notice.
create or replace function private.queue_due_notices(p_now timestamptz default now(), p_limit int default 200)
returns table (tenant_id uuid, booking_id uuid, kind text, offset_minutes int, outcome text, detail text, message_id uuid)
language plpgsql
security definer
set search_path = ''
as $$
declare
  r record;
  v_message uuid;
begin
  for r in
    with live as (
      select b.tenant_id, b.id, b.starts_at, b.created_at, private.reminder_offsets(t.settings) as offsets
      from public.bookings b join public.tenants t on t.id = b.tenant_id
      where b.status in ('pending', 'confirmed') and b.starts_at > p_now and b.starts_at <= p_now + interval '7 days 1 hour'
        and t.status = 'active'
    ), due as (
      select l.tenant_id, l.id, 'confirmation'::text as kind, 0 as off, l.starts_at, l.created_at as due_at
      from live l
      where l.created_at <= p_now and l.created_at > p_now - interval '1 hour'
        and not exists (select 1 from private.import_ledger il
                        where il.target_table in ('bookings', 'public.bookings') and il.new_key = array[l.id::text])
      union all
      select l.tenant_id, l.id, 'reminder', o.m, l.starts_at, l.starts_at - o.m * interval '1 minute'
      from live l cross join lateral unnest(l.offsets) as o(m)
      where l.starts_at - o.m * interval '1 minute' <= p_now
        -- the booking existed when the reminder fell due (a booking made 3 h ahead gets no "24 h" reminder) …
        and l.starts_at - o.m * interval '1 minute' >= l.created_at
        -- … and of several due at once only the one closest to the start
        and not exists (select 1 from unnest(l.offsets) o2(m) where o2.m < o.m and l.starts_at - o2.m * interval '1 minute' <= p_now)
    )
    select d.* from due d
    where not exists (select 1 from private.booking_notices n
                      where n.tenant_id = d.tenant_id and n.booking_id = d.id and n.kind = d.kind
                        and n.offset_minutes = d.off and n.starts_at = d.starts_at)
    order by d.due_at
    limit greatest(coalesce(p_limit, 200), 1)
  loop
    -- Claim it; a concurrent drain that claimed it first makes this one wait, then find it taken.
    insert into private.booking_notices (tenant_id, booking_id, kind, offset_minutes, starts_at)
    values (r.tenant_id, r.id, r.kind, r.off, r.starts_at)
    on conflict do nothing;
    if not found then
      continue;
    end if;
    tenant_id := r.tenant_id; booking_id := r.id; kind := r.kind; offset_minutes := r.off; message_id := null; detail := null;
    begin
      v_message := private.notice_queue(r.id, r.tenant_id, r.kind, r.off);
      outcome := 'queued';
      message_id := v_message;
    exception when others then
      outcome := 'skipped';
      detail := regexp_replace(sqlerrm, '^frontdesk\.notice: ', '');
    end;
    update private.booking_notices n set outcome = queue_due_notices.outcome, detail = queue_due_notices.detail,
                                         message_id = queue_due_notices.message_id
    where n.tenant_id = r.tenant_id and n.booking_id = r.id and n.kind = r.kind and n.offset_minutes = r.off
      and n.starts_at = r.starts_at;
    return next;
  end loop;
end;
$$;

revoke all on function private.reminder_offsets(jsonb) from public;
revoke all on function private.notice_template(jsonb, text[], uuid, boolean) from public;
revoke all on function private.notice_queue(uuid, uuid, text, int) from public;
revoke all on function private.queue_due_notices(timestamptz, int) from public;
grant execute on function private.queue_due_notices(timestamptz, int) to frontdesk_webhook;

-- Hosted projects: Supabase Cron calls the scheduled drain (POST /whatsapp-webhook/outbox, which runs
-- queue_due_notices and then sends) every minute through pg_net, with the project URL and secret key kept in Vault
-- (secrets 'frontdesk_project_url' and 'frontdesk_secret_key'). Only where pg_cron and pg_net exist: the local stack
-- has neither and runs the same drain from local/dev.ts.
do $cron$
begin
  if exists (select 1 from pg_catalog.pg_extension where extname = 'pg_cron')
     and exists (select 1 from pg_catalog.pg_extension where extname = 'pg_net') then
    perform cron.schedule('frontdesk-outbox-drain', '* * * * *', $job$
      select net.http_post(
        url := (select decrypted_secret from vault.decrypted_secrets where name = 'frontdesk_project_url') || '/functions/v1/whatsapp-webhook/outbox',
        headers := jsonb_build_object('content-type', 'application/json',
                                      'apikey', (select decrypted_secret from vault.decrypted_secrets where name = 'frontdesk_secret_key')),
        body := '{}'::jsonb)
    $job$);
  end if;
end
$cron$;
