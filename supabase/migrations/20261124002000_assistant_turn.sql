-- One assistant turn begins here: the inbound message it answers, read for the tenant and conversation the
-- webhook resolved. Reading it also takes a transaction-scoped lock on the conversation, so two messages of one
-- customer arriving together are answered one after the other, each turn seeing the state the previous one saved
-- (without it both would start from the same bot_state and the later save would erase the earlier one). An
-- advisory lock rather than a row lock, so ingestion, which updates the conversation row, never waits for a turn.

create or replace function private.assistant_message(p_tenant_id uuid, p_conversation_id uuid, p_message_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('assistant_turn:' || p_tenant_id::text || ':' || p_conversation_id::text, 0));
  return (
    select jsonb_build_object('id', m.id, 'type', m.type, 'body', m.body, 'payload', m.payload, 'created_at', m.created_at)
    from public.messages m
    where m.tenant_id = p_tenant_id and m.conversation_id = p_conversation_id and m.id = p_message_id
      and m.direction = 'inbound'
  );
end;
$$;

revoke all on function private.assistant_message(uuid, uuid, uuid) from public;
grant execute on function private.assistant_message(uuid, uuid, uuid) to frontdesk_webhook;
