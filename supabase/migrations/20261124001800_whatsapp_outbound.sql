-- WhatsApp outbound: messages are stored first (status queued: the outbox), then sent by server-side code that
-- claims due rows, calls Meta's Graph API with the channel's decrypted token, and reports back. A claim is a lease
-- (next_attempt_at pushed forward), so a sender that crashes between claiming and reporting loses nothing: the row
-- becomes due again. Retryable failures back off and retry up to a bound, then end as failed with Meta's error.
--
-- Outside the 24-hour customer-service window (since the customer's last inbound message) only templates may be
-- sent, and an opted-out customer gets nothing but the opt-out confirmation: both refused when queued, clearly.

-- What an outbound message is for, when it is not an ordinary one. Only server code sets it (no client role may
-- write the column), so nothing a client puts in a payload can waive a rule.
alter table public.messages add column purpose text;
alter table public.messages add constraint messages_purpose check (purpose is null or purpose in ('opt_out_confirmation'));
alter table public.messages add constraint messages_attempts check (send_attempts >= 0);
-- What a business has queued and not yet sent: counted against its allowance whenever it queues more.
create index messages_pending_idx on public.messages (tenant_id) where direction = 'outbound' and status = 'queued';

create or replace function private.check_can_send(
  p_tenant_id uuid, p_conversation_id uuid, p_type public.message_type, p_purpose text
)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  v_last timestamptz;
  v_opted_out timestamptz;
begin
  select c.last_inbound_at, cu.opted_out_at into v_last, v_opted_out
  from public.conversations c
  join public.customers cu on cu.tenant_id = c.tenant_id and cu.id = c.customer_id
  where c.tenant_id = p_tenant_id and c.id = p_conversation_id;
  if not found then
    perform private.fail(404, 'no such conversation');
  end if;
  -- An opted-out customer hears nothing but the confirmation of their opt-out until they write START.
  if v_opted_out is not null and p_purpose is distinct from 'opt_out_confirmation' then
    perform private.fail(422, 'the customer has opted out of messages (they can write START to opt back in)');
  end if;
  if p_type <> 'template' and (v_last is null or v_last < now() - interval '24 hours') then
    perform private.fail(422, 'outside the 24-hour customer service window only template messages can be sent');
  end if;
end;
$$;

-- Every queued outbound message, whichever path queues it (a direct insert through PostgREST, send_message, the
-- assistant's queue_outbound), meets the same rules here: opt-out, the 24-hour window unless a template, the plan's
-- monthly allowance (402), a type the sender can deliver, attempts counted from 0. A client says only the conversation, type and content: direction,
-- status, sender, channel and sending state are filled in, so its row is always an outbound message in its own name
-- from the conversation's own number. Runs as the inserting role (the role decides what a client may say); the plan
-- check that needs more than the caller may read goes through definer helpers that take the tenant from the request.
create or replace function private.messages_queue_rules()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_client boolean := current_user in ('anon', 'authenticated');
  v_pending numeric;
begin
  if v_client then
    if new.tenant_id is distinct from (select private.writer_tenant_id('staff')) then
      raise exception 'new row violates row-level security policy for table "messages"' using errcode = '42501';
    end if;
    select c.channel_id into new.channel_id from public.conversations c
    where c.tenant_id = new.tenant_id and c.id = new.conversation_id;
    if new.channel_id is null then
      perform private.fail(404, 'no such conversation in your business');
    end if;
    new.direction := 'outbound';
    new.status := 'queued';
    new.sent_by := (select auth.uid());
    new.purpose := null;
    new.media_id := null;
    new.provider_message_id := null;
    new.error_code := null;
    new.error_title := null;
    new.error_details := null;
    new.created_at := now();
    new.status_updated_at := now();
    new.next_attempt_at := now();
  end if;
  if new.direction = 'outbound' and new.status = 'queued' then
    -- What the sender (_shared/whatsapp/graph.ts) can deliver; history (inbound, or already sent) keeps any type.
    if new.type not in ('text', 'interactive', 'template', 'image', 'document') then
      perform private.fail(400, format('cannot send messages of type %s', new.type));
    end if;
    new.send_attempts := 0;
    new.next_attempt_at := coalesce(new.next_attempt_at, now());
    perform private.check_can_send(new.tenant_id, new.conversation_id, new.type, new.purpose);
    -- Usage is counted when Meta accepts a message, so what is queued and not yet sent counts against the allowance
    -- too; one queuer at a time per business, so concurrent queuers cannot each see the same room left.
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('frontdesk.outbound:' || new.tenant_id::text, 0));
    select 1 + count(*) into v_pending from public.messages m
    where m.tenant_id = new.tenant_id and m.direction = 'outbound' and m.status = 'queued';
    if v_client then
      perform private.require_caller_within_limit('outbound_messages', v_pending); -- defined in the plan_limits migration
    else
      perform private.require_within_limit(new.tenant_id, 'outbound_messages', v_pending);
    end if;
  end if;
  return new;
end;
$$;
create trigger messages_queue_rules before insert on public.messages
  for each row execute function private.messages_queue_rules();

-- Queues an outbound message for the bot (runs as frontdesk_webhook; tenant passed by the caller that resolved it).
-- `opt_out_confirmation` in the payload is the assistant's own marking (this function is server code's alone); it
-- becomes the row's purpose and leaves the payload that Meta will see.
create or replace function private.queue_outbound(
  p_tenant_id uuid, p_conversation_id uuid, p_type public.message_type, p_body text, p_payload jsonb default '{}'::jsonb
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, payload, status, purpose)
  select c.tenant_id, c.id, c.channel_id, 'outbound', p_type, p_body, coalesce(p_payload, '{}'::jsonb) - 'opt_out_confirmation',
         'queued', case when p_payload ->> 'opt_out_confirmation' = 'true' then 'opt_out_confirmation' end
  from public.conversations c where c.tenant_id = p_tenant_id and c.id = p_conversation_id
  returning id into v_id;
  if v_id is null then
    perform private.fail(404, 'no such conversation');
  end if;
  update public.conversations set last_message_at = now() where tenant_id = p_tenant_id and id = p_conversation_id;
  return v_id;
end;
$$;

-- Staff send into a conversation of their active business (the human hand-over). Runs as the caller: the insert
-- meets the messages_insert policy and messages_queue_rules like any direct insert would.
create or replace function public.send_message(
  p_conversation_id uuid, p_type public.message_type, p_body text, p_payload jsonb default '{}'::jsonb
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_tenant uuid := (select private.writer_tenant_id('staff'));
  v_id uuid;
begin
  if v_tenant is null or not exists (select 1 from public.conversations where tenant_id = v_tenant and id = p_conversation_id) then
    perform private.fail(404, 'no such conversation in your business');
  end if;
  insert into public.messages (tenant_id, conversation_id, type, body, payload)
  values (v_tenant, p_conversation_id, p_type, p_body, coalesce(p_payload, '{}'::jsonb))
  returning id into v_id;
  return v_id;
end;
$$;
revoke execute on function public.send_message(uuid, public.message_type, text, jsonb) from public, anon;
grant execute on function public.send_message(uuid, public.message_type, text, jsonb) to authenticated;
-- The queue rules run as the inserting role, a member's included.
revoke all on function private.check_can_send(uuid, uuid, public.message_type, text) from public;
grant execute on function private.check_can_send(uuid, uuid, public.message_type, text) to authenticated, service_role;

-- Claims up to p_limit due outbound messages, leasing each for p_lease_seconds. Returns what sending needs: the
-- recipient's wa_id, and its BSUID (or parent BSUID) for a customer Meta knows only by that (username users).
create or replace function private.outbox_claim(p_limit int default 20, p_lease_seconds int default 60, p_only_tenant uuid default null)
returns table (
  tenant_id uuid, message_id uuid, conversation_id uuid, channel_id uuid, phone_number_id text, to_wa_id text,
  type public.message_type, body text, payload jsonb, purpose text, attempts int, last_inbound_at timestamptz,
  opted_out boolean, to_user_id text
)
language sql
security definer
set search_path = ''
as $$
  with due as (
    select m.tenant_id, m.id from public.messages m
    where m.status = 'queued' and m.next_attempt_at <= now()
      and (p_only_tenant is null or m.tenant_id = p_only_tenant)
    order by m.next_attempt_at
    limit p_limit
    for update skip locked
  ),
  leased as (
    update public.messages m
    set next_attempt_at = now() + p_lease_seconds * interval '1 second', send_attempts = m.send_attempts + 1
    from due where m.tenant_id = due.tenant_id and m.id = due.id
    returning m.*
  )
  select l.tenant_id, l.id, l.conversation_id, l.channel_id, ch.phone_number_id, cu.wa_id, l.type, l.body, l.payload,
         l.purpose, l.send_attempts, cv.last_inbound_at, cu.opted_out_at is not null,
         coalesce(cu.bsuid, cu.parent_bsuid)
  from leased l
  join public.conversations cv on cv.tenant_id = l.tenant_id and cv.id = l.conversation_id
  join public.customers cu on cu.tenant_id = cv.tenant_id and cu.id = cv.customer_id
  join public.channels ch on ch.tenant_id = l.tenant_id and ch.id = l.channel_id
$$;

-- Graph accepted the message: store its wamid so later statuses attach, and apply any that arrived first.
create or replace function private.outbox_sent(p_tenant_id uuid, p_message_id uuid, p_provider_message_id text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_channel uuid;
  v_orphan record;
begin
  update public.messages set status = 'sent', provider_message_id = p_provider_message_id, next_attempt_at = null
  where tenant_id = p_tenant_id and id = p_message_id
  returning channel_id into v_channel;
  insert into public.usage_events (tenant_id, metric, quantity, source_ref)
  values (p_tenant_id, 'outbound_messages', 1, p_provider_message_id) on conflict do nothing;
  for v_orphan in
    delete from private.orphan_statuses
    where tenant_id = p_tenant_id and channel_id = v_channel and provider_message_id = p_provider_message_id
    returning status
  loop
    perform private.apply_whatsapp_status(p_tenant_id, v_channel, v_orphan.status);
  end loop;
end;
$$;

-- A send failed. Retryable: due again after p_retry_in_seconds, unless attempts reached p_max_attempts.
create or replace function private.outbox_failed(
  p_tenant_id uuid, p_message_id uuid, p_retryable boolean, p_error_code text, p_error_title text,
  p_error_details jsonb, p_retry_in_seconds int, p_max_attempts int
)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_final boolean;
begin
  update public.messages set
    error_code = p_error_code, error_title = p_error_title, error_details = p_error_details,
    next_attempt_at = case when p_retryable and send_attempts < p_max_attempts
                           then now() + p_retry_in_seconds * interval '1 second' end,
    status = case when p_retryable and send_attempts < p_max_attempts then status else 'failed' end
  where tenant_id = p_tenant_id and id = p_message_id and status = 'queued'
  returning status = 'failed' into v_final;
  return case when v_final then 'failed' else 'retrying' end;
end;
$$;

revoke all on function private.queue_outbound(uuid, uuid, public.message_type, text, jsonb) from public;
revoke all on function private.outbox_claim(int, int, uuid) from public;
revoke all on function private.outbox_sent(uuid, uuid, text) from public;
revoke all on function private.outbox_failed(uuid, uuid, boolean, text, text, jsonb, int, int) from public;
grant execute on function private.queue_outbound(uuid, uuid, public.message_type, text, jsonb) to frontdesk_webhook;
grant execute on function private.outbox_claim(int, int, uuid) to frontdesk_webhook;
grant execute on function private.outbox_sent(uuid, uuid, text) to frontdesk_webhook;
grant execute on function private.outbox_failed(uuid, uuid, boolean, text, text, jsonb, int, int) to frontdesk_webhook;
