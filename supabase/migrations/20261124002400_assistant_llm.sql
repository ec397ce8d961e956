-- The WhatsApp LLM assistant (_shared/assistant/llm-assistant.ts): a business's own model key (encrypted, write-only,
-- like channel and agent credentials), the latest messages of a conversation for the model's context, usage per
-- turn (turns and tokens, against plan limits), the plans' allowance of assistant turns, and the digests of quiet
-- conversations (summary and memories, in the voice side's memory tables). The per-business choice
-- of assistant lives in tenants.settings.assistant (mode 'llm' | 'menu', instructions, languages, model).

-- Tenant-level credentials (today only the LLM API key). AES-256-GCM ciphertext made by server-side code with the
-- platform key; the AAD binds it to (tenant, 'tenant', 'tenant:<name>'), so it decrypts nowhere else. No client role
-- can read it; server code reads it through private.tenant_secret (webhook role) and never puts it in a prompt.
create table private.tenant_secrets (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null,
  ciphertext bytea not null,
  key_id text not null,
  updated_at timestamptz not null default now(),
  updated_by uuid,
  primary key (tenant_id, name),
  constraint tenant_secrets_name check (name in ('llm_api_key'))
);
comment on table private.tenant_secrets is 'Encrypted tenant-level credentials (AES-256-GCM, AAD = tenant:tenant:tenant:name).';
revoke all on table private.tenant_secrets from public, anon, authenticated, service_role;
create trigger tenant_secrets_audit after insert or update or delete on private.tenant_secrets
  for each row execute function private.audit_row('tenant_id', 'name');

-- Sets or rotates a credential of the caller's active business (owners and admins), already encrypted; called by
-- server code as the caller (asCaller), so the membership check is the caller's own.
create or replace function private.set_tenant_secret(p_name text, p_ciphertext bytea, p_key_id text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := (select private.tenant_id_for('admin'));
begin
  if v_tenant is null then
    perform private.fail(403, 'only owners and admins of the active business can set its credentials');
  end if;
  if p_name is null or p_name not in ('llm_api_key') then
    perform private.fail(400, format('unknown business credential "%s": use llm_api_key', p_name));
  end if;
  if p_ciphertext is null or length(p_ciphertext) < 29 then
    perform private.fail(400, 'the credential must be encrypted with the platform key before it is stored');
  end if;
  insert into private.tenant_secrets (tenant_id, name, ciphertext, key_id, updated_by)
  values (v_tenant, p_name, p_ciphertext, p_key_id, (select auth.uid()))
  on conflict (tenant_id, name) do update
    set ciphertext = excluded.ciphertext, key_id = excluded.key_id, updated_at = now(), updated_by = excluded.updated_by;
end;
$$;

-- The ciphertext of a business's credential, for server code acting for that business (the assistant turn).
create or replace function private.tenant_secret(p_tenant_id uuid, p_name text)
returns table (ciphertext bytea, key_id text)
language sql
stable
security definer
set search_path = ''
as $$
  select s.ciphertext, s.key_id from private.tenant_secrets s where s.tenant_id = p_tenant_id and s.name = p_name
$$;

-- The latest messages of one conversation of one business, oldest first (the model's view of the dialog).
create or replace function private.assistant_history(p_tenant_id uuid, p_conversation_id uuid, p_limit int default 12)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'direction', x.direction, 'type', x.type, 'body', x.body,
                                               'at', x.created_at) order by x.created_at, x.id), '[]'::jsonb)
  from (
    select m.id, m.direction, m.type, m.body, m.created_at from public.messages m
    where m.tenant_id = p_tenant_id and m.conversation_id = p_conversation_id and m.body is not null
    order by m.created_at desc, m.id desc
    limit least(greatest(coalesce(p_limit, 12), 1), 50)
  ) x
$$;

-- Records one LLM turn (once per inbound message, however often it is retried): one assistant turn when it was
-- answered by the model, and the tokens it used either way.
create or replace function private.assistant_llm_usage(p_tenant_id uuid, p_message_id uuid, p_answered boolean, p_tokens int)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_answered then
    perform private.record_usage(p_tenant_id, 'assistant_turns', 1, 'llm:' || p_message_id::text);
  end if;
  if coalesce(p_tokens, 0) > 0 then
    perform private.record_usage(p_tenant_id, 'assistant_tokens', p_tokens, 'llm:' || p_message_id::text);
  end if;
end;
$$;

-- The plans' allowance of model-answered turns a month (past it the menu assistant answers).
update public.plans set limits = limits || jsonb_build_object('assistant_turns',
  case id when 'starter' then 500 when 'professional' then 5000 when 'enterprise' then 100000 end)
where id in ('starter', 'professional', 'enterprise');

-- Memory: when a conversation of an LLM-mode business goes quiet, a short summary and a few memories are written to
-- the tables the voice side uses (caller_profiles by phone, memories), so calls and chats know the same things.
-- One digest per conversation and quiet spell (through = the last inbound message it covers).
create table private.conversation_digests (
  tenant_id uuid not null,
  conversation_id uuid not null,
  through timestamptz not null,
  summary text,
  memories int not null default 0,
  created_at timestamptz not null default now(),
  primary key (tenant_id, conversation_id, through),
  foreign key (tenant_id, conversation_id) references public.conversations (tenant_id, id) on delete cascade
);
revoke all on table private.conversation_digests from public, anon, authenticated, service_role;
create index conversations_last_inbound_idx on public.conversations (last_inbound_at);

-- Conversations quiet for p_quiet_minutes (and active within the week) of LLM-mode businesses whose last inbound
-- message has no digest yet, for customers with a real phone number (the voice side's key).
create or replace function private.assistant_quiet_conversations(p_now timestamptz, p_quiet_minutes int default 30, p_limit int default 20)
returns table (tenant_id uuid, conversation_id uuid, through timestamptz, settings jsonb)
language sql
stable
security definer
set search_path = ''
as $$
  select c.tenant_id, c.id, c.last_inbound_at, t.settings
  from public.conversations c
  join public.tenants t on t.id = c.tenant_id
  join public.customers cu on cu.tenant_id = c.tenant_id and cu.id = c.customer_id
  where c.last_inbound_at <= p_now - make_interval(mins => greatest(coalesce(p_quiet_minutes, 30), 1))
    and c.last_inbound_at > p_now - interval '7 days'
    and t.status = 'active' and t.settings #>> '{assistant,mode}' = 'llm'
    and private.callable_number(cu.phone)
    and not exists (select 1 from private.conversation_digests d
                    where d.tenant_id = c.tenant_id and d.conversation_id = c.id and d.through >= c.last_inbound_at)
  order by c.last_inbound_at
  limit greatest(coalesce(p_limit, 20), 1)
$$;

-- Saves one digest (or, with no summary, the failed attempt): the profile's summary (created for the customer's phone when there is none) and up to five
-- memories, within the plan's memories allowance (counted like any memory). Once per (conversation, through): a
-- second writer finds it taken and writes nothing.
create or replace function private.assistant_save_digest(
  p_tenant_id uuid, p_conversation_id uuid, p_through timestamptz, p_summary text, p_memories jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_phone text;
  v_customer uuid;
  v_name text;
  v_caller uuid;
  v_summary text := nullif(left(btrim(coalesce(p_summary, '')), 1000), '');
  v_count int;
  v_list jsonb;
begin
  insert into private.conversation_digests (tenant_id, conversation_id, through, summary)
  values (p_tenant_id, p_conversation_id, p_through, v_summary)
  on conflict do nothing;
  if not found then
    return jsonb_build_object('saved', false, 'memories', 0);
  end if;
  select cu.phone, cu.id, cu.name into v_phone, v_customer, v_name
  from public.conversations c join public.customers cu on cu.tenant_id = c.tenant_id and cu.id = c.customer_id
  where c.tenant_id = p_tenant_id and c.id = p_conversation_id;
  -- No summary: the attempt is recorded (a model that failed is not asked again for this quiet spell), nothing else.
  if v_summary is null or not coalesce(private.callable_number(v_phone), false) then
    return jsonb_build_object('saved', true, 'memories', 0);
  end if;
  insert into public.caller_profiles (tenant_id, phone, customer_id, display_name, summary)
  values (p_tenant_id, v_phone, v_customer, v_name, v_summary)
  on conflict (tenant_id, phone) do update
    set summary = coalesce(excluded.summary, public.caller_profiles.summary),
        customer_id = coalesce(public.caller_profiles.customer_id, excluded.customer_id),
        display_name = coalesce(public.caller_profiles.display_name, excluded.display_name)
  returning id into v_caller;

  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('frontdesk.memories:' || p_tenant_id::text, 0));
  select coalesce(jsonb_agg(jsonb_build_object('content', x.content, 'kind', x.kind, 'importance', x.importance)), '[]'::jsonb)
    into v_list
  from (
    select left(btrim(r.content), 2000) as content,
           case when r.kind in ('fact', 'preference', 'event', 'relationship', 'note', 'follow_up') then r.kind else 'fact' end as kind,
           least(greatest(coalesce(r.importance, 5), 1), 10) as importance
    from jsonb_to_recordset(case when jsonb_typeof(p_memories) = 'array' then p_memories else '[]'::jsonb end)
         as r(content text, kind text, importance int)
    where length(btrim(coalesce(r.content, ''))) > 0
    limit 5) x;
  v_count := jsonb_array_length(v_list);
  if v_count > 0 and private.within_limit(p_tenant_id, 'memories', v_count) then
    insert into public.memories (tenant_id, caller_id, content, kind, importance)
    select p_tenant_id, v_caller, m.content, m.kind, m.importance
    from jsonb_to_recordset(v_list) as m(content text, kind text, importance smallint);
    perform private.record_usage(p_tenant_id, 'memories', v_count, 'digest:' || p_conversation_id::text || ':' || p_through::text);
  else
    v_count := 0;
  end if;
  update private.conversation_digests d set memories = v_count
  where d.tenant_id = p_tenant_id and d.conversation_id = p_conversation_id and d.through = p_through;
  return jsonb_build_object('saved', true, 'memories', v_count);
end;
$$;

revoke all on function private.assistant_quiet_conversations(timestamptz, int, int) from public;
revoke all on function private.assistant_save_digest(uuid, uuid, timestamptz, text, jsonb) from public;
grant execute on function private.assistant_quiet_conversations(timestamptz, int, int) to frontdesk_webhook;
grant execute on function private.assistant_save_digest(uuid, uuid, timestamptz, text, jsonb) to frontdesk_webhook;

revoke all on function private.set_tenant_secret(text, bytea, text) from public;
revoke all on function private.tenant_secret(uuid, text) from public;
revoke all on function private.assistant_history(uuid, uuid, int) from public;
revoke all on function private.assistant_llm_usage(uuid, uuid, boolean, int) from public;
grant execute on function private.set_tenant_secret(text, bytea, text) to authenticated;
grant execute on function private.tenant_secret(uuid, text) to frontdesk_webhook;
grant execute on function private.assistant_history(uuid, uuid, int) to frontdesk_webhook;
grant execute on function private.assistant_llm_usage(uuid, uuid, boolean, int) to frontdesk_webhook;
