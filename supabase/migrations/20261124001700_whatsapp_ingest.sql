-- WhatsApp ingestion: Meta's webhook deliveries stored raw, then applied exactly once in one transaction.
--
-- The webhook function runs as `frontdesk_webhook`, a role that can do nothing but execute the functions below:
-- no table privileges, no RLS bypass of its own. Each function is `security definer` and writes only for the tenant
-- that the delivery's phone_number_id resolves to. Deliveries are at-least-once, batched and out of order, so:
--   * every message is inserted once per (tenant, channel, provider message id) — a duplicate, even concurrent,
--     changes nothing;
--   * statuses only move forward (messages_status_forward), and a status that arrives before its outbound message
--     has its provider id is parked and applied when the id is known;
--   * a number that routes nowhere (unknown, pending verification or deactivated) is recorded as unroutable and
--     attached to no tenant, once per number, reason and hour with a count, so unroutable traffic stays bounded;
--   * a delivery signed by a business's own Meta app vouches only for the numbers that business owns when the
--     delivery is applied (first time or replay), never for what it owned when the delivery arrived.

do $role$
begin
  if not exists (select from pg_roles where rolname = 'frontdesk_webhook') then
    create role frontdesk_webhook nologin noinherit;
  end if;
end
$role$;
grant frontdesk_webhook to postgres;
grant usage on schema private to frontdesk_webhook;

create table private.webhook_deliveries (
  id bigint generated always as identity primary key,
  provider text not null,
  received_at timestamptz not null default now(),
  body jsonb not null,
  -- The channel whose own Meta app secret signed it (null: the platform's app secret, which vouches for every number).
  signer_channel_id uuid,
  applied_at timestamptz,
  result jsonb
);
create index webhook_deliveries_received_idx on private.webhook_deliveries (provider, received_at);

-- One row per provider, number, reason and hour: the first payload as a sample, and how many came.
create table private.unroutable_events (
  id bigint generated always as identity primary key,
  provider text not null,
  routing_key text not null,
  reason text not null,
  window_start timestamptz not null default date_trunc('hour', now()),
  delivery_id bigint references private.webhook_deliveries (id) on delete set null,
  payload jsonb not null,
  received_at timestamptz not null default now(),
  last_received_at timestamptz not null default now(),
  count int not null default 1,
  constraint unroutable_events_window_key unique (provider, routing_key, reason, window_start)
);
create index unroutable_events_delivery_idx on private.unroutable_events (delivery_id);

create or replace function private.record_unroutable(
  p_provider text, p_routing_key text, p_reason text, p_payload jsonb, p_delivery_id bigint default null
)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into private.unroutable_events as u (provider, routing_key, reason, delivery_id, payload)
  values (p_provider, left(coalesce(p_routing_key, ''), 64), p_reason, p_delivery_id, coalesce(p_payload, '{}'::jsonb))
  on conflict (provider, routing_key, reason, window_start)
  do update set count = u.count + 1, last_received_at = now()
$$;

create table private.orphan_statuses (
  tenant_id uuid not null,
  channel_id uuid not null,
  provider_message_id text not null,
  status jsonb not null,
  received_at timestamptz not null default now(),
  primary key (tenant_id, channel_id, provider_message_id, received_at)
);

-- Outbound sending state lives on the message row: the outbox is "outbound messages still queued".
alter table public.messages add column send_attempts int not null default 0;
alter table public.messages add column next_attempt_at timestamptz;
create index messages_outbox_idx on public.messages (next_attempt_at) where status = 'queued';

create or replace function private.record_delivery(p_provider text, p_body jsonb, p_signer_channel_id uuid default null)
returns bigint
language sql
security definer
set search_path = ''
as $$
  insert into private.webhook_deliveries (provider, body, signer_channel_id) values (p_provider, p_body, p_signer_channel_id) returning id
$$;

-- Meta's message types we store as such; anything else (order, system, request_welcome, unknown …) is 'unsupported'.
create or replace function private.whatsapp_message_type(p_type text)
returns public.message_type
language sql
immutable
set search_path = ''
as $$
  select case when p_type in ('text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts',
                              'interactive', 'button', 'reaction')
              then p_type::public.message_type else 'unsupported'::public.message_type end
$$;

-- A readable body for each type: what staff see in the inbox and what the assistant reads.
create or replace function private.whatsapp_message_body(m jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select case m ->> 'type'
    when 'text' then m -> 'text' ->> 'body'
    when 'image' then m -> 'image' ->> 'caption'
    when 'video' then m -> 'video' ->> 'caption'
    when 'document' then coalesce(m -> 'document' ->> 'caption', m -> 'document' ->> 'filename')
    when 'interactive' then coalesce(m -> 'interactive' -> 'button_reply' ->> 'title', m -> 'interactive' -> 'list_reply' ->> 'title')
    when 'button' then m -> 'button' ->> 'text'
    when 'reaction' then m -> 'reaction' ->> 'emoji'
    when 'location' then coalesce(m -> 'location' ->> 'name', (m -> 'location' ->> 'latitude') || ',' || (m -> 'location' ->> 'longitude'))
    when 'contacts' then m -> 'contacts' -> 0 -> 'name' ->> 'formatted_name'
  end
$$;

-- Applies one Meta status object to the message with its provider id (the messages_status_forward trigger keeps it
-- from going backwards); a failure keeps Meta's error. False when no message has that id yet.
create or replace function private.apply_whatsapp_status(p_tenant_id uuid, p_channel_id uuid, p_status jsonb)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_failed boolean := p_status ->> 'status' = 'failed';
begin
  update public.messages set
    status = (p_status ->> 'status')::public.message_status,
    error_code = case when v_failed then p_status -> 'errors' -> 0 ->> 'code' else error_code end,
    error_title = case when v_failed then p_status -> 'errors' -> 0 ->> 'title' else error_title end,
    error_details = case when v_failed then p_status -> 'errors' else error_details end
  where tenant_id = p_tenant_id and channel_id = p_channel_id and provider_message_id = p_status ->> 'id';
  return found;
end;
$$;
revoke all on function private.apply_whatsapp_status(uuid, uuid, jsonb) from public;

-- Applies one stored delivery. p_signer_channel_id: the channel whose own Meta app signed it (its business's verified
-- numbers are all that signature vouches for, as routing stands now); null when the platform secret signed it.
create or replace function private.whatsapp_apply(p_delivery_id bigint, p_body jsonb, p_signer_channel_id uuid default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_change jsonb;
  v_value jsonb;
  v_number text;
  v_tenant uuid;
  v_channel uuid;
  v_msg jsonb;
  v_status jsonb;
  v_wa text;
  v_phone text;
  v_name text;
  v_at timestamptz;
  v_customer uuid;
  v_conversation uuid;
  v_message uuid;
  v_type text;
  v_new jsonb := '[]'::jsonb;
  v_duplicates int := 0;
  v_statuses int := 0;
  v_unroutable int := 0;
  v_signer uuid;
begin
  if p_signer_channel_id is not null then
    select ch.tenant_id into v_signer from public.channels ch where ch.id = p_signer_channel_id and ch.kind = 'whatsapp';
  end if;
  for v_change in
    select c from jsonb_array_elements(coalesce(p_body -> 'entry', '[]')) e, jsonb_array_elements(coalesce(e -> 'changes', '[]')) c
  loop
    continue when v_change ->> 'field' is distinct from 'messages';
    v_value := v_change -> 'value';
    v_number := v_value -> 'metadata' ->> 'phone_number_id';
    v_tenant := null;
    select ch.tenant_id, ch.id into v_tenant, v_channel
    from public.channels ch
    join public.tenants t on t.id = ch.tenant_id
    where ch.kind = 'whatsapp' and ch.phone_number_id = v_number and ch.verified_at is not null and ch.active
      and t.status = 'active';
    if v_tenant is null or (p_signer_channel_id is not null and v_tenant is distinct from v_signer) then
      perform private.record_unroutable('whatsapp', v_number,
        case when v_tenant is null then 'no active, verified channel for this phone_number_id'
             else 'signature does not cover this number' end,
        v_value, p_delivery_id);
      v_unroutable := v_unroutable + 1;
      continue;
    end if;

    for v_msg in select m from jsonb_array_elements(coalesce(v_value -> 'messages', '[]')) m loop
      v_wa := v_msg ->> 'from';
      v_phone := case when ('+' || v_wa) ~ '^\+[1-9][0-9]{6,14}$' then '+' || v_wa end;
      v_name := (select c -> 'profile' ->> 'name' from jsonb_array_elements(coalesce(v_value -> 'contacts', '[]')) c where c ->> 'wa_id' = v_wa limit 1);
      v_at := to_timestamp((v_msg ->> 'timestamp')::bigint);

      -- The customer: by WhatsApp id, else by phone (known from a call), else new. Concurrent first messages of
      -- the same person race on the unique keys; the loser re-reads the winner's row.
      select id into v_customer from public.customers
      where tenant_id = v_tenant and (wa_id = v_wa or phone = v_phone)
      order by (wa_id = v_wa) desc nulls last limit 1;
      if v_customer is null then
        insert into public.customers (tenant_id, wa_id, phone, name, first_contact_at, last_contact_at)
        values (v_tenant, v_wa, v_phone, v_name, v_at, v_at)
        on conflict do nothing
        returning id into v_customer;
        if v_customer is null then
          select id into v_customer from public.customers where tenant_id = v_tenant and (wa_id = v_wa or phone = v_phone) limit 1;
        end if;
      end if;
      update public.customers set
        wa_id = coalesce(wa_id, v_wa),
        name = coalesce(name, v_name),
        first_contact_at = least(coalesce(first_contact_at, v_at), v_at),
        last_contact_at = greatest(coalesce(last_contact_at, v_at), v_at)
      where tenant_id = v_tenant and id = v_customer;

      select id into v_conversation from public.conversations
      where tenant_id = v_tenant and channel_id = v_channel and customer_id = v_customer and status = 'open';
      if v_conversation is null then
        insert into public.conversations (tenant_id, channel_id, customer_id)
        values (v_tenant, v_channel, v_customer)
        on conflict (tenant_id, channel_id, customer_id) where status = 'open' do nothing
        returning id into v_conversation;
        if v_conversation is null then
          select id into v_conversation from public.conversations
          where tenant_id = v_tenant and channel_id = v_channel and customer_id = v_customer and status = 'open';
        end if;
      end if;

      v_type := v_msg ->> 'type';
      v_message := null;
      insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, payload, media_id,
                                   provider_message_id, status, created_at)
      values (v_tenant, v_conversation, v_channel, 'inbound', private.whatsapp_message_type(v_type),
              private.whatsapp_message_body(v_msg), v_msg,
              case when v_type in ('image', 'audio', 'video', 'document', 'sticker') then v_msg -> v_type ->> 'id' end,
              v_msg ->> 'id', 'received', v_at)
      on conflict (tenant_id, channel_id, provider_message_id) do nothing
      returning id into v_message;

      if v_message is null then
        v_duplicates := v_duplicates + 1;
        continue;
      end if;
      update public.conversations set
        last_message_at = greatest(coalesce(last_message_at, v_at), v_at),
        last_inbound_at = greatest(coalesce(last_inbound_at, v_at), v_at)
      where tenant_id = v_tenant and id = v_conversation;
      insert into public.usage_events (tenant_id, metric, quantity, occurred_at, source_ref)
      values (v_tenant, 'inbound_messages', 1, v_at, v_msg ->> 'id')
      on conflict do nothing;
      v_new := v_new || jsonb_build_object('tenant_id', v_tenant, 'conversation_id', v_conversation, 'message_id', v_message);
    end loop;

    for v_status in select s from jsonb_array_elements(coalesce(v_value -> 'statuses', '[]')) s loop
      continue when v_status ->> 'status' not in ('sent', 'delivered', 'read', 'failed');
      v_statuses := v_statuses + 1;
      if not private.apply_whatsapp_status(v_tenant, v_channel, v_status) then
        insert into private.orphan_statuses (tenant_id, channel_id, provider_message_id, status)
        values (v_tenant, v_channel, v_status ->> 'id', v_status)
        on conflict do nothing;
      end if;
    end loop;
  end loop;

  update private.webhook_deliveries set applied_at = now(),
    result = jsonb_build_object('new', jsonb_array_length(v_new), 'duplicates', v_duplicates, 'statuses', v_statuses, 'unroutable', v_unroutable)
  where id = p_delivery_id;
  return jsonb_build_object('new_messages', v_new, 'duplicates', v_duplicates, 'statuses', v_statuses, 'unroutable', v_unroutable);
end;
$$;

-- A channel that brings its own Meta app: its encrypted app secret. Its webhook URL names the channel (ids are unique
-- across businesses), so the secret is known before the body is read; what the signature vouches for is decided
-- when the delivery is applied (whatsapp_apply).
create or replace function private.whatsapp_channel_app(p_channel_id uuid)
returns table (tenant_id uuid, channel_id uuid, app_secret bytea, key_id text)
language sql
stable
security definer
set search_path = ''
as $$
  select ch.tenant_id, ch.id, s.ciphertext, s.key_id
  from public.channels ch
  join private.channel_secrets s on s.tenant_id = ch.tenant_id and s.channel_id = ch.id and s.name = 'app_secret'
  where ch.id = p_channel_id and ch.kind = 'whatsapp'
$$;

-- Stored deliveries received since a time, for `npm run whatsapp:replay` (re-applying is idempotent).
create or replace function private.whatsapp_deliveries_since(p_since timestamptz)
returns table (id bigint, received_at timestamptz, body jsonb, signer_channel_id uuid)
language sql
stable
security definer
set search_path = ''
as $$
  select d.id, d.received_at, d.body, d.signer_channel_id from private.webhook_deliveries d
  where d.provider = 'whatsapp' and d.received_at >= p_since order by d.id
$$;

revoke all on function private.record_unroutable(text, text, text, jsonb, bigint) from public;
revoke all on function private.record_delivery(text, jsonb, uuid) from public;
revoke all on function private.whatsapp_apply(bigint, jsonb, uuid) from public;
revoke all on function private.whatsapp_channel_app(uuid) from public;
revoke all on function private.whatsapp_deliveries_since(timestamptz) from public;
grant execute on function private.record_delivery(text, jsonb, uuid) to frontdesk_webhook;
grant execute on function private.whatsapp_apply(bigint, jsonb, uuid) to frontdesk_webhook;
grant execute on function private.whatsapp_channel_app(uuid) to frontdesk_webhook;
grant execute on function private.whatsapp_deliveries_since(timestamptz) to frontdesk_webhook;
grant execute on function private.channel_secret(uuid, uuid, text) to frontdesk_webhook;
