-- Messaging: conversations between a business's channel and a customer, and their messages. At most one open
-- conversation per channel and customer. A message's provider id is unique per channel (idempotent ingestion of
-- at-least-once webhooks), and its delivery status only moves forward: out-of-order status callbacks are normal,
-- so a step backwards is ignored, never applied. A message may refer to another (a reply's context, a reaction, an
-- edit, a revoke: context_message_id); an edit rewrites its target's body and keeps the earlier ones (edit_history),
-- a revoke marks it (revoked_at). Provider times are kept as the provider gave them (sent_at; status_updated_at and
-- status_events for each delivery status with its pricing and conversation objects).

create type public.conversation_status as enum ('open', 'closed');
create type public.message_direction as enum ('inbound', 'outbound');
create type public.message_type as enum (
  'text', 'image', 'audio', 'voice', 'video', 'document', 'sticker', 'location', 'contacts', 'interactive', 'button',
  'reaction', 'order', 'template', 'system', 'edit', 'revoke', 'unsupported'
);
create type public.message_status as enum ('received', 'queued', 'sent', 'delivered', 'read', 'failed');

create table public.conversations (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  channel_id uuid not null,
  customer_id uuid not null,
  status public.conversation_status not null default 'open',
  bot_state jsonb not null default '{}'::jsonb,
  -- Set when the customer asks for a person: the bot stays quiet until staff hand the conversation back.
  handed_over_at timestamptz,
  -- A member of this business (conversations_assignee).
  assigned_to uuid,
  last_message_at timestamptz,
  last_inbound_at timestamptz,
  -- Where the conversation came from when the provider says (a click-to-WhatsApp ad's `referral`).
  source_referral jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  closed_at timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, channel_id) references public.channels (tenant_id, id),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id) on delete cascade,
  constraint conversations_assignee foreign key (tenant_id, assigned_to) references public.memberships (tenant_id, user_id)
    on delete set null (assigned_to),
  constraint conversations_bot_state_object check (jsonb_typeof(bot_state) = 'object')
);
create unique index conversations_one_open_key on public.conversations (tenant_id, channel_id, customer_id) where status = 'open';
create index conversations_inbox_idx on public.conversations (tenant_id, status, last_message_at desc);
create index conversations_customer_idx on public.conversations (tenant_id, customer_id);
create index conversations_assigned_to_idx on public.conversations (tenant_id, assigned_to);

create table public.messages (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  conversation_id uuid not null,
  channel_id uuid not null,
  direction public.message_direction not null,
  type public.message_type not null,
  body text,
  payload jsonb not null default '{}'::jsonb,
  media_id text,
  provider_message_id text,
  status public.message_status not null,
  error_code text,
  error_title text,
  error_details jsonb,
  sent_by uuid references auth.users (id) on delete set null,
  -- null: sent through the platform (the bot, a member); 'business_app': the business wrote from its own WhatsApp
  -- Business app on the same number (Meta's smb_message_echoes).
  origin text,
  -- The message this one refers to (reply context, reaction, edit, revoke), by its provider id and, once known, row.
  context_provider_id text,
  context_message_id uuid,
  edited_at timestamptz,
  edit_history jsonb not null default '[]'::jsonb,
  revoked_at timestamptz,
  group_id text,
  sent_at timestamptz,
  pricing jsonb,
  status_events jsonb not null default '[]'::jsonb,
  created_at timestamptz not null default now(),
  status_updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, conversation_id) references public.conversations (tenant_id, id) on delete cascade,
  foreign key (tenant_id, channel_id) references public.channels (tenant_id, id),
  constraint messages_context_fkey foreign key (tenant_id, context_message_id) references public.messages (tenant_id, id)
    on delete set null (context_message_id),
  constraint messages_provider_id_key unique (tenant_id, channel_id, provider_message_id),
  constraint messages_inbound_status check ((direction = 'inbound') = (status = 'received')),
  constraint messages_origin check (origin is null or (origin = 'business_app' and direction = 'outbound')),
  constraint messages_history_arrays check (jsonb_typeof(edit_history) = 'array' and jsonb_typeof(status_events) = 'array')
);
create index messages_context_idx on public.messages (tenant_id, context_message_id) where context_message_id is not null;
create index messages_conversation_idx on public.messages (tenant_id, conversation_id, created_at desc, id);
create index messages_sent_by_idx on public.messages (sent_by);

create or replace function private.messages_status_forward()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status is distinct from old.status and (
    private.status_rank('message', new.status::text) <= private.status_rank('message', old.status::text)
    or (new.status = 'failed' and old.status = 'read')
  ) then
    -- keep the later status and its error details; accept the rest of the update
    new.status := old.status;
    new.status_updated_at := old.status_updated_at;
    new.error_code := old.error_code;
    new.error_title := old.error_title;
    new.error_details := old.error_details;
  elsif new.status is distinct from old.status then
    -- the provider's time of the status when the update gives one, else now
    if new.status_updated_at is not distinct from old.status_updated_at then
      new.status_updated_at := now();
    end if;
  else
    new.status_updated_at := old.status_updated_at;
  end if;
  return new;
end;
$$;
create trigger messages_status_forward before update of status on public.messages
  for each row execute function private.messages_status_forward();

create trigger conversations_updated_at before update on public.conversations for each row execute function private.set_updated_at();

-- Staff take a conversation over (handed_over_at, stamped now) and hand it back (null: the bot starts afresh, its
-- state cleared); closing stamps closed_at. The bot's state and the contact times are the platform's.
create or replace function private.conversations_rules()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user in ('anon', 'authenticated') and new.handed_over_at is distinct from old.handed_over_at then
    if new.handed_over_at is null then
      new.bot_state := '{}'::jsonb;
    else
      new.handed_over_at := coalesce(old.handed_over_at, now());
    end if;
  end if;
  if new.status is distinct from old.status then
    new.closed_at := case when new.status = 'closed' then now() end;
  end if;
  return new;
end;
$$;
create trigger conversations_rules before update on public.conversations
  for each row execute function private.conversations_rules();

-- Staff read and take part in conversations (hand-over, assignment, closing); owners and admins may delete them.
select private.apply_tenant_policies('public.conversations', 'staff', 'staff', array['insert', 'update']);
create policy conversations_delete on public.conversations for delete to authenticated
  using (tenant_id = (select private.writer_tenant_id('admin')));
select private.grant_writes('public.conversations',
  array['tenant_id', 'channel_id', 'customer_id', 'assigned_to'], array['status', 'assigned_to', 'handed_over_at'], true);
-- Messages are a record: staff read them and queue outbound ones in their own name (the human hand-over);
-- nobody edits or deletes history through the API, and inbound messages come only from the webhook. What a client
-- may say is only the conversation, the type and the content: the rest is filled in by the database (see
-- messages_queue_rules in the whatsapp_outbound migration), and the policy holds it to that.
select private.apply_tenant_policies('public.messages', 'staff');
create policy messages_insert on public.messages for insert to authenticated
  with check (
    tenant_id = (select private.writer_tenant_id('staff'))
    and direction = 'outbound' and status = 'queued' and sent_by = (select auth.uid())
  );
select private.grant_writes('public.messages', array['tenant_id', 'conversation_id', 'type', 'body', 'payload'], null, false);
