-- WhatsApp ingestion: Meta's webhook deliveries stored raw and applied exactly once, both in one transaction.
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
--   * every item (message, echo, preference, status) is applied in its own subtransaction: one that cannot be
--     applied is recorded with its reason (private.webhook_unprocessable) and never loses the rest of the delivery;
--   * a customer is known by every identifier Meta gives (wa_id, BSUID `user_id`, parent BSUID, username), and by
--     the phone of its wa_id as the caller read it with libphonenumber-js (p_phones, { "<wa_id>": "<E.164>" }:
--     _shared/whatsapp/phones.ts), never derived here, so a wa_id that is no possible number has no phone;
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
  result jsonb,
  -- Why applying it failed as a whole (message, sqlstate), while the delivery itself was kept: cleared once a replay
  -- applies it.
  error jsonb
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

-- Items of a signed delivery that could not be applied (a shape we do not understand yet, an identifier Meta sent
-- that breaks a rule): kept with the reason for the platform operator and for `whatsapp:replay` once fixed, so one
-- odd item never loses the others. One row per delivery item (a replay updates it, and deletes it once the item
-- applies); the payload is the item itself, capped at 64 KiB, so the table grows no faster than the deliveries.
create table private.webhook_unprocessable (
  id bigint generated always as identity primary key,
  delivery_id bigint not null references private.webhook_deliveries (id) on delete cascade,
  item_path text not null,
  tenant_id uuid,
  reason text not null,
  sqlstate text,
  payload jsonb not null,
  first_failed_at timestamptz not null default now(),
  last_failed_at timestamptz not null default now(),
  attempts int not null default 1,
  constraint webhook_unprocessable_item_key unique (delivery_id, item_path)
);
create index webhook_unprocessable_failed_idx on private.webhook_unprocessable (last_failed_at);

create or replace function private.record_unprocessable(
  p_delivery_id bigint, p_path text, p_tenant_id uuid, p_reason text, p_sqlstate text, p_payload jsonb
)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into private.webhook_unprocessable as u (delivery_id, item_path, tenant_id, reason, sqlstate, payload)
  select p_delivery_id, left(p_path, 200), p_tenant_id, left(coalesce(p_reason, 'unknown'), 1000), p_sqlstate,
         case when pg_column_size(p_payload) <= 65536 then coalesce(p_payload, 'null'::jsonb)
              else jsonb_build_object('truncated', true, 'id', p_payload ->> 'id', 'type', p_payload ->> 'type') end
  where p_delivery_id is not null
  on conflict (delivery_id, item_path)
  do update set reason = excluded.reason, sqlstate = excluded.sqlstate, last_failed_at = now(), attempts = u.attempts + 1
$$;

-- jsonb arrays as Meta sends them; anything else reads as empty (the item-level checks say what was wrong).
create or replace function private.json_array(p jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case when jsonb_typeof(p) = 'array' then p else '[]'::jsonb end
$$;

create or replace function private.unix_time(p text)
returns timestamptz
language sql
immutable
set search_path = ''
as $$
  select case when p ~ '^[0-9]{1,12}$' then to_timestamp(p::bigint) end
$$;

-- Meta's message types, each stored as what it is. An audio message recorded as a voice note (audio.voice) is
-- 'voice'; request_welcome (a user opening the chat for the first time) is a system event; unknown types are
-- 'unsupported'.
create or replace function private.whatsapp_message_type(m jsonb)
returns public.message_type
language sql
immutable
set search_path = ''
as $$
  select case
    when m ->> 'type' = 'audio' and m -> 'audio' ->> 'voice' = 'true' then 'voice'::public.message_type
    when m ->> 'type' = 'request_welcome' then 'system'::public.message_type
    when m ->> 'type' in ('text', 'image', 'audio', 'voice', 'video', 'document', 'sticker', 'location', 'contacts',
                          'interactive', 'button', 'reaction', 'order', 'template', 'system', 'edit', 'revoke')
      then (m ->> 'type')::public.message_type
    else 'unsupported'::public.message_type end
$$;

-- A readable body for each type: what staff see in the inbox and what the assistant reads. An edit's body is the
-- new content.
create or replace function private.whatsapp_content_body(m jsonb)
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
    when 'interactive' then coalesce(m -> 'interactive' -> 'button_reply' ->> 'title', m -> 'interactive' -> 'list_reply' ->> 'title',
                                     m -> 'interactive' -> 'nfm_reply' ->> 'body')
    when 'button' then m -> 'button' ->> 'text'
    when 'reaction' then nullif(m -> 'reaction' ->> 'emoji', '')
    when 'location' then coalesce(m -> 'location' ->> 'name', (m -> 'location' ->> 'latitude') || ',' || (m -> 'location' ->> 'longitude'))
    when 'contacts' then m -> 'contacts' -> 0 -> 'name' ->> 'formatted_name'
    when 'order' then coalesce(m -> 'order' ->> 'text',
                               jsonb_array_length(private.json_array(m -> 'order' -> 'product_items')) || ' item(s) ordered')
    when 'system' then m -> 'system' ->> 'body'
    when 'template' then m -> 'template' ->> 'name'
  end
$$;

create or replace function private.whatsapp_message_body(m jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select case m ->> 'type' when 'edit' then private.whatsapp_content_body(m -> 'edit' -> 'message')
                           else private.whatsapp_content_body(m) end
$$;

-- The customer Meta's identifiers name, in one business: found by wa_id, BSUID, phone or parent BSUID (in that
-- order), created when new; whatever identifiers Meta gave are linked to that one customer (the latest BSUID and
-- username win). When they name several rows (known by phone from a call, by BSUID from an earlier message …) the
-- rows are one person and are merged into the oldest (private.merge_customers), unless their identifiers contradict
-- each other or Meta's (private.customers_agree: two people, e.g. a recycled number); then an identifier another
-- customer holds is left with that customer. Values that are not what Meta documents (wa_id digits, BSUID
-- `CC.<id>`, parent `CC.ENT.<id>`) are ignored; none usable is an error. The phone is the wa_id's in p_phones
-- (libphonenumber-js's reading, computed by the caller), none when the map has none.
create or replace function private.whatsapp_customer(
  p_tenant_id uuid, p_wa_id text, p_bsuid text, p_parent_bsuid text, p_username text, p_name text, p_at timestamptz,
  p_phones jsonb
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_wa text := case when p_wa_id ~ '^[0-9]{6,20}$' then p_wa_id end;
  v_phone text;
  v_bsuid text := case when p_bsuid ~ '^[A-Z]{2}\.[A-Za-z0-9]{1,128}$' then p_bsuid end;
  v_parent text := case when p_parent_bsuid ~ '^[A-Z]{2}\.ENT\.[A-Za-z0-9]{1,128}$' then p_parent_bsuid end;
  v_username text := nullif(left(p_username, 64), '');
  v_id uuid;
  v_meta public.customers;
  v_row public.customers;
  v_other public.customers;
begin
  v_phone := p_phones ->> v_wa;
  if v_wa is null and v_bsuid is null and v_parent is null then
    raise exception 'no usable WhatsApp user identifier (wa_id/from digits, user_id or parent_user_id)' using errcode = '22023';
  end if;
  for attempt in 1..2 loop
    select c.id into v_id from public.customers c
    where c.tenant_id = p_tenant_id
      and (c.wa_id = v_wa or c.bsuid = v_bsuid or c.phone = v_phone or c.parent_bsuid = v_parent)
    order by (c.wa_id = v_wa) is true desc, (c.bsuid = v_bsuid) is true desc, (c.phone = v_phone) is true desc, c.created_at
    limit 1;
    exit when v_id is not null;
    -- Concurrent first messages of one person race on the unique keys; the loser re-reads the winner's row.
    insert into public.customers (tenant_id, wa_id, phone, bsuid, parent_bsuid, username, name, first_contact_at, last_contact_at)
    values (p_tenant_id, v_wa, v_phone, v_bsuid, v_parent, v_username, p_name, p_at, p_at)
    on conflict do nothing
    returning id into v_id;
    exit when v_id is not null;
  end loop;
  if v_id is null then
    raise exception 'could not find or create the customer' using errcode = '40001';
  end if;
  v_meta.wa_id := v_wa; v_meta.phone := v_phone; v_meta.bsuid := v_bsuid; v_meta.parent_bsuid := v_parent;
  for v_other in
    select c.* from public.customers c
    where c.tenant_id = p_tenant_id and c.id <> v_id
      and (c.wa_id = v_wa or c.bsuid = v_bsuid or c.phone = v_phone or c.parent_bsuid = v_parent)
    order by c.created_at, c.id
  loop
    select * into v_row from public.customers c where c.tenant_id = p_tenant_id and c.id = v_id;
    if private.customers_agree(v_row, v_other) and private.customers_agree(v_row, v_meta) and private.customers_agree(v_other, v_meta) then
      if (v_other.created_at, v_other.id) < (v_row.created_at, v_row.id) then
        v_id := private.merge_customers(p_tenant_id, v_other.id, v_row.id);
      else
        v_id := private.merge_customers(p_tenant_id, v_row.id, v_other.id);
      end if;
    end if;
  end loop;
  update public.customers c set
    wa_id = coalesce(c.wa_id, case when not exists (select 1 from public.customers o where o.tenant_id = p_tenant_id and o.wa_id = v_wa) then v_wa end),
    phone = coalesce(c.phone, case when not exists (select 1 from public.customers o where o.tenant_id = p_tenant_id and o.phone = v_phone) then v_phone end),
    bsuid = case when v_bsuid is not null and not exists (select 1 from public.customers o where o.tenant_id = p_tenant_id and o.bsuid = v_bsuid and o.id <> c.id)
                 then v_bsuid else c.bsuid end,
    parent_bsuid = coalesce(v_parent, c.parent_bsuid),
    username = coalesce(v_username, c.username),
    name = coalesce(c.name, p_name),
    first_contact_at = least(coalesce(c.first_contact_at, p_at), p_at),
    last_contact_at = greatest(coalesce(c.last_contact_at, p_at), p_at)
  where c.tenant_id = p_tenant_id and c.id = v_id;
  return v_id;
end;
$$;

-- The open conversation of a channel and customer, opened when there is none.
create or replace function private.whatsapp_conversation(p_tenant_id uuid, p_channel_id uuid, p_customer_id uuid)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
begin
  for attempt in 1..2 loop
    select id into v_id from public.conversations
    where tenant_id = p_tenant_id and channel_id = p_channel_id and customer_id = p_customer_id and status = 'open';
    exit when v_id is not null;
    insert into public.conversations (tenant_id, channel_id, customer_id)
    values (p_tenant_id, p_channel_id, p_customer_id)
    on conflict (tenant_id, channel_id, customer_id) where status = 'open' do nothing
    returning id into v_id;
    exit when v_id is not null;
  end loop;
  return v_id;
end;
$$;

-- The contact entry of a change value that belongs to a sender (by wa_id or BSUID).
create or replace function private.whatsapp_contact(p_value jsonb, p_wa_id text, p_bsuid text)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select c from jsonb_array_elements(private.json_array(p_value -> 'contacts')) c
  where (p_wa_id is not null and c ->> 'wa_id' = p_wa_id) or (p_bsuid is not null and c ->> 'user_id' = p_bsuid)
  limit 1
$$;

-- An edit or a revoke, applied to its target (once both are stored, whichever came first): an edit replaces the
-- body and keeps the one before in edit_history (only a later edit than the last one applied); a revoke marks it.
create or replace function private.whatsapp_apply_reference(p_tenant_id uuid, p_ref_id uuid, p_target_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_ref public.messages;
begin
  select * into v_ref from public.messages where tenant_id = p_tenant_id and id = p_ref_id;
  if v_ref.type = 'edit' then
    update public.messages set
      edit_history = edit_history || jsonb_build_array(jsonb_build_object(
        'body', body, 'replaced_at', v_ref.sent_at, 'edit_provider_message_id', v_ref.provider_message_id)),
      body = v_ref.body,
      edited_at = v_ref.sent_at
    where tenant_id = p_tenant_id and id = p_target_id and (edited_at is null or edited_at <= v_ref.sent_at)
      and jsonb_array_length(edit_history) < 100;
  elsif v_ref.type = 'revoke' then
    update public.messages set revoked_at = coalesce(revoked_at, v_ref.sent_at)
    where tenant_id = p_tenant_id and id = p_target_id;
  end if;
end;
$$;

-- Stores one message of a conversation (inbound, or an echo of what the business sent from its app) once per
-- provider id, linked to the message it refers to. Returns the new row's id, null for a duplicate.
create or replace function private.whatsapp_store_message(
  p_tenant_id uuid, p_channel_id uuid, p_conversation_id uuid, m jsonb, p_direction public.message_direction
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_at timestamptz := private.unix_time(m ->> 'timestamp');
  v_type public.message_type := private.whatsapp_message_type(m);
  v_ref text;
  v_target uuid;
  v_id uuid;
  v_pending record;
begin
  if coalesce(m ->> 'id', '') = '' then
    raise exception 'the message has no id' using errcode = '22023';
  end if;
  if v_at is null then
    raise exception 'the message has no unix timestamp' using errcode = '22023';
  end if;
  v_ref := case v_type
    when 'reaction' then m -> 'reaction' ->> 'message_id'
    when 'edit' then m -> 'edit' ->> 'original_message_id'
    when 'revoke' then m -> 'revoke' ->> 'original_message_id'
    else m -> 'context' ->> 'id' end;
  if v_ref is not null then
    select id into v_target from public.messages
    where tenant_id = p_tenant_id and channel_id = p_channel_id and provider_message_id = v_ref and conversation_id = p_conversation_id;
  end if;
  insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, payload, media_id,
                               provider_message_id, status, origin, context_provider_id, context_message_id, group_id,
                               sent_at, created_at, status_updated_at)
  values (p_tenant_id, p_conversation_id, p_channel_id, p_direction, v_type, private.whatsapp_message_body(m), m,
          case when m ->> 'type' in ('image', 'audio', 'voice', 'video', 'document', 'sticker') then m -> (m ->> 'type') ->> 'id' end,
          m ->> 'id', case when p_direction = 'inbound' then 'received' else 'sent' end::public.message_status,
          case when p_direction = 'outbound' then 'business_app' end, v_ref, v_target, m ->> 'group_id',
          v_at, v_at, v_at)
  on conflict (tenant_id, channel_id, provider_message_id) do nothing
  returning id into v_id;
  if v_id is null then
    return null;
  end if;
  if v_target is not null then
    perform private.whatsapp_apply_reference(p_tenant_id, v_id, v_target);
  end if;
  -- Whatever referred to this message before it arrived (deliveries come out of order) links to it now.
  for v_pending in
    update public.messages set context_message_id = v_id
    where tenant_id = p_tenant_id and channel_id = p_channel_id and context_provider_id = m ->> 'id'
      and context_message_id is null and conversation_id = p_conversation_id and id <> v_id
    returning id
  loop
    perform private.whatsapp_apply_reference(p_tenant_id, v_pending.id, v_id);
  end loop;
  return v_id;
end;
$$;

-- A user changed their number (a system message from the old number): the customer moves to the new wa_id, phone
-- and, when Meta gives it, the new BSUID, keeping every conversation. When another row of the business already holds
-- the new number or BSUID and Meta's payload shows it is this person (that row has the new BSUID Meta gives,
-- system.user_id, or its parent BSUID and no other BSUID), it is merged into the moving customer
-- (private.merge_customers). Otherwise a number another customer holds is an error (recorded for the operator: it
-- may be someone else's old record of that number). The phone moves with the number: the new wa_id's in p_phones,
-- none when libphonenumber-js could not place it (the old number's phone is no longer this person's).
create or replace function private.whatsapp_change_number(p_tenant_id uuid, p_customer_id uuid, p_system jsonb, p_phones jsonb)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_wa text := coalesce(p_system ->> 'wa_id', p_system ->> 'new_wa_id');
  v_phone text := p_phones ->> v_wa;
  v_bsuid text := case when p_system ->> 'user_id' ~ '^[A-Z]{2}\.[A-Za-z0-9]{1,128}$' then p_system ->> 'user_id' end;
  v_parent text := case when p_system ->> 'parent_user_id' ~ '^[A-Z]{2}\.ENT\.[A-Za-z0-9]{1,128}$' then p_system ->> 'parent_user_id' end;
  v_holder public.customers;
begin
  if v_wa is null or v_wa !~ '^[0-9]{6,20}$' then
    raise exception 'user_changed_number without a new wa_id' using errcode = '22023';
  end if;
  for v_holder in
    select c.* from public.customers c
    where c.tenant_id = p_tenant_id and c.id <> p_customer_id
      and (c.wa_id = v_wa or c.phone = v_phone or c.bsuid = v_bsuid)
    order by c.created_at, c.id
  loop
    if v_holder.bsuid = v_bsuid or (v_holder.parent_bsuid = v_parent and (v_holder.bsuid is null or v_holder.bsuid = v_bsuid)) then
      perform private.merge_customers(p_tenant_id, p_customer_id, v_holder.id);
    end if;
  end loop;
  update public.customers set
    wa_id = v_wa,
    phone = v_phone,
    bsuid = coalesce(v_bsuid, bsuid),
    parent_bsuid = coalesce(case when p_system ->> 'parent_user_id' ~ '^[A-Z]{2}\.ENT\.[A-Za-z0-9]{1,128}$'
                                 then p_system ->> 'parent_user_id' end, parent_bsuid)
  where tenant_id = p_tenant_id and id = p_customer_id;
end;
$$;

-- One inbound message (field `messages`). Returns what the replies need, or null for a duplicate. `answerable`:
-- something the customer wrote to the business — never a reaction, an edit, a revoke, a system message or a group
-- message.
create or replace function private.whatsapp_apply_message(p_tenant_id uuid, p_channel_id uuid, p_value jsonb, m jsonb, p_phones jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_from text := m ->> 'from';
  v_bsuid text := m ->> 'from_user_id';
  v_parent text := m ->> 'from_parent_user_id';
  v_contact jsonb;
  v_at timestamptz := private.unix_time(m ->> 'timestamp');
  v_type public.message_type := private.whatsapp_message_type(m);
  v_customer uuid;
  v_conversation uuid;
  v_message uuid;
  v_answerable boolean;
  v_mark_read boolean;
begin
  if v_at is null then
    raise exception 'the message has no unix timestamp' using errcode = '22023';
  end if;
  -- A username user may come without a phone number: `from` then carries a BSUID, or nothing.
  if v_from ~ '^[A-Z]{2}\.ENT\.' then
    v_parent := coalesce(v_parent, v_from);
  elsif v_from ~ '^[A-Z]{2}\.' then
    v_bsuid := coalesce(v_bsuid, v_from);
  end if;
  v_contact := private.whatsapp_contact(p_value, v_from, v_bsuid);
  v_customer := private.whatsapp_customer(p_tenant_id, coalesce(v_from, v_contact ->> 'wa_id'), coalesce(v_bsuid, v_contact ->> 'user_id'),
    coalesce(v_parent, v_contact ->> 'parent_user_id'), v_contact -> 'profile' ->> 'username', v_contact -> 'profile' ->> 'name', v_at,
    p_phones);
  v_conversation := private.whatsapp_conversation(p_tenant_id, p_channel_id, v_customer);
  v_message := private.whatsapp_store_message(p_tenant_id, p_channel_id, v_conversation, m, 'inbound');
  if v_message is null then
    return null;
  end if;
  if v_type = 'system' and m -> 'system' ->> 'type' = 'user_changed_number' then
    perform private.whatsapp_change_number(p_tenant_id, v_customer, m -> 'system', p_phones);
  end if;
  update public.conversations set
    last_message_at = greatest(coalesce(last_message_at, v_at), v_at),
    last_inbound_at = case when v_type = 'system' then last_inbound_at else greatest(coalesce(last_inbound_at, v_at), v_at) end,
    source_referral = coalesce(source_referral, case when jsonb_typeof(m -> 'referral') = 'object' then m -> 'referral' end)
  where tenant_id = p_tenant_id and id = v_conversation;
  if v_type not in ('system', 'edit', 'revoke') then
    insert into public.usage_events (tenant_id, metric, quantity, occurred_at, source_ref)
    values (p_tenant_id, 'inbound_messages', 1, v_at, m ->> 'id')
    on conflict do nothing;
  end if;
  v_answerable := v_type not in ('reaction', 'edit', 'revoke', 'system', 'template') and m ->> 'group_id' is null;
  select coalesce(t.settings -> 'whatsapp' ->> 'mark_read' = 'true', false) into v_mark_read
  from public.tenants t where t.id = p_tenant_id;
  return jsonb_build_object('tenant_id', p_tenant_id, 'conversation_id', v_conversation, 'message_id', v_message,
    'channel_id', p_channel_id, 'provider_message_id', m ->> 'id', 'answerable', v_answerable, 'mark_read', v_mark_read);
end;
$$;

-- What the business wrote from its WhatsApp Business app on the same number (field `smb_message_echoes`): stored as
-- an outbound message from the app, and, like a hand-over, the bot stays quiet in that conversation until staff
-- hand it back. True when new.
create or replace function private.whatsapp_apply_echo(p_tenant_id uuid, p_channel_id uuid, p_value jsonb, e jsonb, p_phones jsonb)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_to text := regexp_replace(coalesce(e ->> 'to', ''), '^\+', '');
  v_at timestamptz := private.unix_time(e ->> 'timestamp');
  v_contact jsonb;
  v_customer uuid;
  v_conversation uuid;
begin
  if v_at is null then
    raise exception 'the echo has no unix timestamp' using errcode = '22023';
  end if;
  v_contact := private.whatsapp_contact(p_value, nullif(v_to, ''), e ->> 'to_user_id');
  v_customer := private.whatsapp_customer(p_tenant_id, nullif(v_to, ''), coalesce(e ->> 'to_user_id', v_contact ->> 'user_id'),
    coalesce(e ->> 'to_parent_user_id', v_contact ->> 'parent_user_id'), v_contact -> 'profile' ->> 'username', v_contact -> 'profile' ->> 'name', v_at,
    p_phones);
  v_conversation := private.whatsapp_conversation(p_tenant_id, p_channel_id, v_customer);
  if private.whatsapp_store_message(p_tenant_id, p_channel_id, v_conversation, e, 'outbound') is null then
    return false;
  end if;
  update public.conversations set
    last_message_at = greatest(coalesce(last_message_at, v_at), v_at),
    handed_over_at = coalesce(handed_over_at, v_at)
  where tenant_id = p_tenant_id and id = v_conversation;
  return true;
end;
$$;

-- A user's marketing preference (field `user_preferences`): stop withdraws marketing consent, resume gives it back
-- (unless the customer has opted out of everything by writing STOP: customers_consent). Only a later preference
-- than the last one applied counts.
create or replace function private.whatsapp_apply_preference(p_tenant_id uuid, p_value jsonb, p jsonb, p_phones jsonb)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_at timestamptz := private.unix_time(p ->> 'timestamp');
  v_contact jsonb;
  v_customer uuid;
  v_stop boolean;
begin
  if p ->> 'category' is distinct from 'marketing_messages' or p ->> 'value' not in ('stop', 'resume') or v_at is null then
    raise exception 'unknown user preference (category %, value %)', p ->> 'category', p ->> 'value' using errcode = '22023';
  end if;
  v_stop := p ->> 'value' = 'stop';
  v_contact := private.whatsapp_contact(p_value, p ->> 'wa_id', p ->> 'user_id');
  v_customer := private.whatsapp_customer(p_tenant_id, coalesce(p ->> 'wa_id', v_contact ->> 'wa_id'), coalesce(p ->> 'user_id', v_contact ->> 'user_id'),
    coalesce(p ->> 'parent_user_id', v_contact ->> 'parent_user_id'), v_contact -> 'profile' ->> 'username', v_contact -> 'profile' ->> 'name', v_at,
    p_phones);
  update public.customers set
    marketing_opt_in = not v_stop and opted_out_at is null,
    marketing_opted_out_at = case when v_stop then v_at end,
    marketing_preference_at = v_at
  where tenant_id = p_tenant_id and id = v_customer
    and (marketing_preference_at is null or marketing_preference_at <= v_at);
end;
$$;

-- Applies one Meta status object to the message with its provider id (the messages_status_forward trigger keeps it
-- from going backwards) at Meta's time; every status is kept with its pricing and conversation objects
-- (status_events, bounded); a failure keeps Meta's error. False when no message has that id yet.
create or replace function private.apply_whatsapp_status(p_tenant_id uuid, p_channel_id uuid, p_status jsonb)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_failed boolean := p_status ->> 'status' = 'failed';
  v_at timestamptz := private.unix_time(p_status ->> 'timestamp');
begin
  update public.messages set
    status = (p_status ->> 'status')::public.message_status,
    status_updated_at = coalesce(v_at, status_updated_at),
    sent_at = case when p_status ->> 'status' = 'sent' then coalesce(sent_at, v_at) else sent_at end,
    pricing = coalesce(case when jsonb_typeof(p_status -> 'pricing') = 'object' then p_status -> 'pricing' end, pricing),
    status_events = case when status_events @> jsonb_build_array(p_status) or jsonb_array_length(status_events) >= 20
                         then status_events else status_events || jsonb_build_array(p_status) end,
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
-- Each item is applied in its own subtransaction: an item that fails is recorded in private.webhook_unprocessable
-- with its reason and the others still apply (a replay that applies it clears the record). p_phones: the phone
-- (E.164) of each wa_id in the delivery that libphonenumber-js places ({ "<wa_id>": "<E.164>" }, computed from the
-- body by the caller: _shared/whatsapp/phones.ts); the only source of a customer's phone here.
create or replace function private.whatsapp_apply(
  p_delivery_id bigint, p_body jsonb, p_signer_channel_id uuid default null, p_phones jsonb default '{}'::jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_change jsonb;
  v_path text;
  v_field text;
  v_value jsonb;
  v_number text;
  v_tenant uuid;
  v_channel uuid;
  v_item jsonb;
  v_item_path text;
  v_kind text;
  v_entry jsonb;
  v_new jsonb := '[]'::jsonb;
  v_duplicates int := 0;
  v_statuses int := 0;
  v_echoes int := 0;
  v_preferences int := 0;
  v_unroutable int := 0;
  v_unprocessable int := 0;
  v_signer uuid;
  v_reason text;
  v_state text;
  v_phones jsonb := case when jsonb_typeof(p_phones) = 'object' then p_phones else '{}'::jsonb end;
begin
  if p_signer_channel_id is not null then
    select ch.tenant_id into v_signer from public.channels ch where ch.id = p_signer_channel_id and ch.kind = 'whatsapp';
  end if;
  for v_path, v_change in
    select format('entry[%s].changes[%s]', e.i - 1, c.j - 1), c.c
    from jsonb_array_elements(private.json_array(p_body -> 'entry')) with ordinality e(e, i),
         jsonb_array_elements(private.json_array(e.e -> 'changes')) with ordinality c(c, j)
    order by e.i, c.j
  loop
    v_field := v_change ->> 'field';
    -- other fields (account updates, templates …) are stored raw, not applied
    continue when v_field is null or v_field not in ('messages', 'smb_message_echoes', 'user_preferences');
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

    for v_kind, v_item_path, v_item in
      select k.kind, format('%s.value.%s[%s]', v_path, k.kind, x.i - 1), x.x
      from (values (1, 'messages'), (2, 'message_echoes'), (3, 'user_preferences'), (4, 'statuses')) k(o, kind),
           jsonb_array_elements(private.json_array(v_value -> k.kind)) with ordinality x(x, i)
      where (k.kind in ('messages', 'statuses') and v_field = 'messages')
         or (k.kind = 'message_echoes' and v_field = 'smb_message_echoes')
         or (k.kind = 'user_preferences' and v_field = 'user_preferences')
      order by k.o, x.i
    loop
      begin
        if jsonb_typeof(v_item) is distinct from 'object' then
          raise exception 'not an object' using errcode = '22023';
        end if;
        case v_kind
          when 'messages' then
            v_entry := private.whatsapp_apply_message(v_tenant, v_channel, v_value, v_item, v_phones);
            if v_entry is null then v_duplicates := v_duplicates + 1;
            else v_new := v_new || (v_entry || jsonb_build_object('phone_number_id', v_number)); end if;
          when 'message_echoes' then
            if private.whatsapp_apply_echo(v_tenant, v_channel, v_value, v_item, v_phones) then v_echoes := v_echoes + 1;
            else v_duplicates := v_duplicates + 1; end if;
          when 'user_preferences' then
            perform private.whatsapp_apply_preference(v_tenant, v_value, v_item, v_phones);
            v_preferences := v_preferences + 1;
          when 'statuses' then
            if v_item ->> 'status' in ('sent', 'delivered', 'read', 'failed') then
              if coalesce(v_item ->> 'id', '') = '' then
                raise exception 'the status has no message id' using errcode = '22023';
              end if;
              v_statuses := v_statuses + 1;
              if not private.apply_whatsapp_status(v_tenant, v_channel, v_item) then
                insert into private.orphan_statuses (tenant_id, channel_id, provider_message_id, status)
                values (v_tenant, v_channel, v_item ->> 'id', v_item)
                on conflict do nothing;
              end if;
            end if;
        end case;
        delete from private.webhook_unprocessable where delivery_id = p_delivery_id and item_path = v_item_path;
      exception when others then
        get stacked diagnostics v_reason = message_text, v_state = returned_sqlstate;
        perform private.record_unprocessable(p_delivery_id, v_item_path, v_tenant, v_reason, v_state, v_item);
        v_unprocessable := v_unprocessable + 1;
      end;
    end loop;
  end loop;

  update private.webhook_deliveries set applied_at = now(), error = null,
    result = jsonb_build_object('new', jsonb_array_length(v_new), 'duplicates', v_duplicates, 'statuses', v_statuses,
                                'echoes', v_echoes, 'preferences', v_preferences, 'unroutable', v_unroutable,
                                'unprocessable', v_unprocessable)
  where id = p_delivery_id;
  return jsonb_build_object('new_messages', v_new, 'duplicates', v_duplicates, 'statuses', v_statuses, 'echoes', v_echoes,
                            'preferences', v_preferences, 'unroutable', v_unroutable, 'unprocessable', v_unprocessable);
end;
$$;

-- What the webhook calls: stores the delivery raw and applies it in one transaction. Applying runs in its own
-- subtransaction: if it fails as a whole (a lock it cannot get, a bug in the apply), the raw delivery is still
-- committed with the error on it, for `whatsapp:replay` (whatsapp_apply) to apply later, and the answer says so
-- (applied: false), so Meta is answered 200 and the delivery is never lost. Only a failure to store it at all
-- reaches the caller (a database outage: 503, and Meta retries). p_phones: as for whatsapp_apply (the caller reads
-- the wa_ids' phones with libphonenumber-js; a replay computes the same map from the stored body).
create or replace function private.whatsapp_receive(
  p_body jsonb, p_signer_channel_id uuid default null, p_phones jsonb default '{}'::jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id bigint;
  v_result jsonb;
  v_reason text;
  v_state text;
begin
  insert into private.webhook_deliveries (provider, body, signer_channel_id)
  values ('whatsapp', p_body, p_signer_channel_id)
  returning id into v_id;
  begin
    v_result := private.whatsapp_apply(v_id, p_body, p_signer_channel_id, p_phones) || jsonb_build_object('applied', true);
  exception when others then
    get stacked diagnostics v_reason = message_text, v_state = returned_sqlstate;
    update private.webhook_deliveries
    set error = jsonb_build_object('message', left(v_reason, 1000), 'sqlstate', v_state, 'at', now())
    where id = v_id;
    v_result := jsonb_build_object('new_messages', '[]'::jsonb, 'duplicates', 0, 'statuses', 0, 'echoes', 0,
      'preferences', 0, 'unroutable', 0, 'unprocessable', 0, 'applied', false, 'error', v_state);
  end;
  return jsonb_build_object('delivery_id', v_id) || v_result;
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
revoke all on function private.record_unprocessable(bigint, text, uuid, text, text, jsonb) from public;
revoke all on function private.json_array(jsonb) from public;
revoke all on function private.unix_time(text) from public;
revoke all on function private.whatsapp_message_type(jsonb) from public;
revoke all on function private.whatsapp_content_body(jsonb) from public;
revoke all on function private.whatsapp_message_body(jsonb) from public;
revoke all on function private.whatsapp_customer(uuid, text, text, text, text, text, timestamptz, jsonb) from public;
revoke all on function private.whatsapp_conversation(uuid, uuid, uuid) from public;
revoke all on function private.whatsapp_contact(jsonb, text, text) from public;
revoke all on function private.whatsapp_apply_reference(uuid, uuid, uuid) from public;
revoke all on function private.whatsapp_store_message(uuid, uuid, uuid, jsonb, public.message_direction) from public;
revoke all on function private.whatsapp_change_number(uuid, uuid, jsonb, jsonb) from public;
revoke all on function private.whatsapp_apply_message(uuid, uuid, jsonb, jsonb, jsonb) from public;
revoke all on function private.whatsapp_apply_echo(uuid, uuid, jsonb, jsonb, jsonb) from public;
revoke all on function private.whatsapp_apply_preference(uuid, jsonb, jsonb, jsonb) from public;
revoke all on function private.record_delivery(text, jsonb, uuid) from public;
revoke all on function private.whatsapp_apply(bigint, jsonb, uuid, jsonb) from public;
revoke all on function private.whatsapp_receive(jsonb, uuid, jsonb) from public;
revoke all on function private.whatsapp_channel_app(uuid) from public;
revoke all on function private.whatsapp_deliveries_since(timestamptz) from public;
grant execute on function private.record_delivery(text, jsonb, uuid) to frontdesk_webhook;
grant execute on function private.whatsapp_apply(bigint, jsonb, uuid, jsonb) to frontdesk_webhook;
grant execute on function private.whatsapp_receive(jsonb, uuid, jsonb) to frontdesk_webhook;
grant execute on function private.whatsapp_channel_app(uuid) to frontdesk_webhook;
grant execute on function private.whatsapp_deliveries_since(timestamptz) to frontdesk_webhook;
grant execute on function private.channel_secret(uuid, uuid, text) to frontdesk_webhook;
