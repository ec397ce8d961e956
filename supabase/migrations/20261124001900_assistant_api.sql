-- The booking assistant's data access. The assistant (supabase/functions/_shared/assistant) runs after the webhook
-- has answered Meta, as `frontdesk_webhook`, for the tenant the delivery resolved to. Each function here is narrow:
-- it reads or writes one thing for one tenant and one conversation or customer, and the assistant can do nothing
-- else. Booking goes through the same exclusion constraint as everyone: a lost race reports 'slot_taken'.

-- Everything one assistant turn needs, in one read.
create or replace function private.assistant_context(p_tenant_id uuid, p_conversation_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'tenant', jsonb_build_object('id', t.id, 'name', t.name, 'timezone', t.timezone, 'settings', t.settings),
    'conversation', jsonb_build_object('id', c.id, 'bot_state', c.bot_state, 'handed_over_at', c.handed_over_at,
                                       'last_inbound_at', c.last_inbound_at),
    'customer', jsonb_build_object('id', cu.id, 'name', cu.name, 'wa_id', cu.wa_id, 'opted_out_at', cu.opted_out_at),
    'services', coalesce((
      select jsonb_agg(jsonb_build_object('id', s.id, 'name', s.name, 'duration_minutes', s.duration_minutes,
                                          'price_cents', s.price_cents, 'currency', s.currency) order by s.name)
      from public.services s
      where s.tenant_id = t.id and s.active
        and exists (select 1 from public.staff_services ss join public.staff st on st.tenant_id = ss.tenant_id and st.id = ss.staff_id
                    where ss.tenant_id = t.id and ss.service_id = s.id and st.active)), '[]'::jsonb),
    'staff', coalesce((
      select jsonb_agg(jsonb_build_object('id', st.id, 'name', st.name,
                                          'service_ids', (select coalesce(jsonb_agg(ss.service_id), '[]'::jsonb) from public.staff_services ss
                                                          where ss.tenant_id = t.id and ss.staff_id = st.id)) order by st.name)
      from public.staff st where st.tenant_id = t.id and st.active), '[]'::jsonb)
  )
  from public.conversations c
  join public.tenants t on t.id = c.tenant_id
  join public.customers cu on cu.tenant_id = c.tenant_id and cu.id = c.customer_id
  where c.tenant_id = p_tenant_id and c.id = p_conversation_id
$$;

-- Saves the dialog state; p_handover true flags the conversation for staff (the bot stays quiet), false hands it back.
create or replace function private.assistant_save(p_tenant_id uuid, p_conversation_id uuid, p_state jsonb, p_handover boolean default null)
returns void
language sql
security definer
set search_path = ''
as $$
  update public.conversations set
    bot_state = coalesce(p_state, '{}'::jsonb),
    handed_over_at = case when p_handover is null then handed_over_at when p_handover then now() end
  where tenant_id = p_tenant_id and id = p_conversation_id
$$;

create or replace function private.assistant_slots(p_tenant_id uuid, p_service_id uuid, p_day date, p_staff_id uuid default null)
returns table (staff_id uuid, starts_at timestamptz, ends_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select * from private.available_slots(p_tenant_id, p_service_id, p_day, p_day, p_staff_id, 15, now())
$$;

-- Books a slot for the conversation's customer (any free staff when p_staff_id is null), source whatsapp,
-- confirmed. Optionally replaces p_replaces (a reschedule): the old booking is cancelled in the same transaction.
create or replace function private.assistant_book(
  p_tenant_id uuid, p_conversation_id uuid, p_service_id uuid, p_staff_id uuid, p_starts_at timestamptz,
  p_replaces uuid default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_customer uuid;
  v_service public.services;
  v_candidate uuid;
  v_booking public.bookings;
begin
  select customer_id into v_customer from public.conversations where tenant_id = p_tenant_id and id = p_conversation_id;
  select * into v_service from public.services where tenant_id = p_tenant_id and id = p_service_id and active;
  if v_customer is null or v_service.id is null then
    return jsonb_build_object('ok', false, 'reason', 'not_found');
  end if;
  -- A reschedule gives up the old booking only if the new time can be had: the cancellation and the attempts run in
  -- a block that is undone as a whole (an ended booking never comes back to life, so it must not end in vain).
  begin
    if p_replaces is not null then
      update public.bookings set status = 'cancelled', cancel_reason = 'rescheduled on WhatsApp'
      where tenant_id = p_tenant_id and id = p_replaces and customer_id = v_customer and status in ('pending', 'confirmed');
      if not found then
        return jsonb_build_object('ok', false, 'reason', 'not_found');
      end if;
    end if;
    for v_candidate in
      select s.staff_id from private.available_slots(p_tenant_id, p_service_id, (p_starts_at at time zone 'UTC')::date - 1,
                                                    (p_starts_at at time zone 'UTC')::date + 1, p_staff_id, 5, now()) s
      where s.starts_at = p_starts_at
    loop
      begin
        insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, status, source, price_cents, currency)
        values (p_tenant_id, v_customer, p_service_id, v_candidate, p_starts_at,
                p_starts_at + v_service.duration_minutes * interval '1 minute', 'confirmed', 'whatsapp',
                v_service.price_cents, v_service.currency)
        returning * into v_booking;
        return jsonb_build_object('ok', true, 'booking_id', v_booking.id, 'staff_id', v_booking.staff_id,
                                  'starts_at', v_booking.starts_at, 'ends_at', v_booking.ends_at);
      exception when exclusion_violation then
        null; -- someone took it a moment ago: try the next staff member free at that time
      end;
    end loop;
    raise exception using errcode = 'P0001', message = 'frontdesk.slot_taken';
  exception when sqlstate 'P0001' then
    if sqlerrm <> 'frontdesk.slot_taken' then
      raise;
    end if;
  end;
  return jsonb_build_object('ok', false, 'reason', 'slot_taken');
end;
$$;

-- The customer's upcoming live bookings.
create or replace function private.assistant_bookings(p_tenant_id uuid, p_customer_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', b.id, 'service_id', b.service_id, 'service', s.name,
                                               'staff_id', b.staff_id, 'staff', st.name, 'starts_at', b.starts_at)
                            order by b.starts_at), '[]'::jsonb)
  from public.bookings b
  join public.services s on s.tenant_id = b.tenant_id and s.id = b.service_id
  join public.staff st on st.tenant_id = b.tenant_id and st.id = b.staff_id
  where b.tenant_id = p_tenant_id and b.customer_id = p_customer_id
    and b.status in ('pending', 'confirmed') and b.starts_at > now()
$$;

create or replace function private.assistant_cancel(p_tenant_id uuid, p_customer_id uuid, p_booking_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.bookings set status = 'cancelled', cancel_reason = 'cancelled on WhatsApp'
  where tenant_id = p_tenant_id and id = p_booking_id and customer_id = p_customer_id and status in ('pending', 'confirmed');
  return found;
end;
$$;

-- STOP / BAJA (true) and START (false).
create or replace function private.assistant_set_opt_out(p_tenant_id uuid, p_customer_id uuid, p_opted_out boolean)
returns void
language sql
security definer
set search_path = ''
as $$
  update public.customers set
    opted_out_at = case when p_opted_out then coalesce(opted_out_at, now()) end,
    marketing_opt_in = case when p_opted_out then false else marketing_opt_in end
  where tenant_id = p_tenant_id and id = p_customer_id
$$;

do $grants$
declare
  f text;
begin
  foreach f in array array[
    'private.assistant_context(uuid, uuid)',
    'private.assistant_save(uuid, uuid, jsonb, boolean)',
    'private.assistant_slots(uuid, uuid, date, uuid)',
    'private.assistant_book(uuid, uuid, uuid, uuid, timestamptz, uuid)',
    'private.assistant_bookings(uuid, uuid)',
    'private.assistant_cancel(uuid, uuid, uuid)',
    'private.assistant_set_opt_out(uuid, uuid, boolean)'
  ] loop
    execute format('revoke all on function %s from public', f);
    execute format('grant execute on function %s to frontdesk_webhook', f);
  end loop;
end
$grants$;
