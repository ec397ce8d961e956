-- Audit log: an append-only record of changes to sensitive tables — who (user and database role), what (table,
-- operation, key, before/after), when. Written only by triggers; owners and admins read their business's entries;
-- nobody, not even the service role or the schema owner, updates or deletes them.
--
-- Secrets never enter the log: hashes and ciphertexts are dropped from the before/after images.

create table public.audit_log (
  tenant_id uuid not null,
  id bigint generated always as identity,
  occurred_at timestamptz not null default now(),
  actor_id uuid,
  actor_role text not null,
  action text not null,
  table_name text not null,
  row_key jsonb,
  old_data jsonb,
  new_data jsonb,
  primary key (tenant_id, id)
);
-- No foreign key to tenants: the history outlives what it describes, including a deleted business.
create index audit_log_recent_idx on public.audit_log (tenant_id, occurred_at desc);

alter table public.audit_log enable row level security;
create policy audit_log_select on public.audit_log for select to authenticated
  using (tenant_id = (select private.tenant_id_for('admin')));
revoke insert, update, delete, truncate on public.audit_log from anon, authenticated, service_role;

create or replace function private.refuse_audit_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'the audit log is append-only' using errcode = '42501';
end;
$$;
create trigger audit_log_append_only before update or delete on public.audit_log
  for each row execute function private.refuse_audit_change();
create trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function private.refuse_audit_change();

-- Appends one entry. Also used directly for events that are not row changes (e.g. a caller's erasure).
create or replace function private.audit(
  p_tenant_id uuid, p_action text, p_table text, p_row_key jsonb, p_old jsonb default null, p_new jsonb default null
)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, row_key, old_data, new_data)
  values (p_tenant_id, (select auth.uid()), coalesce((select auth.role()), session_user::text), p_action, p_table, p_row_key, p_old, p_new)
$$;
revoke all on function private.audit(uuid, text, text, jsonb, jsonb, jsonb) from public;

-- Row trigger: tenant id from the row (or the row's own id for `tenants`), key from TG_ARGV, secrets stripped.
create or replace function private.audit_row()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_old jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) - 'token_hash' - 'key_hash' - 'ciphertext' end;
  v_new jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) - 'token_hash' - 'key_hash' - 'ciphertext' end;
  v_row jsonb := coalesce(v_new, v_old);
  v_key jsonb := '{}'::jsonb;
  v_col text;
begin
  if tg_op = 'UPDATE' and v_old = v_new then
    return null;
  end if;
  foreach v_col in array tg_argv loop
    v_key := v_key || jsonb_build_object(v_col, v_row -> v_col);
  end loop;
  perform private.audit(
    coalesce((v_row ->> 'tenant_id')::uuid, (v_row ->> 'id')::uuid),
    lower(tg_op), tg_table_schema || '.' || tg_table_name, v_key, v_old, v_new);
  return null;
end;
$$;

create trigger tenants_audit after insert or update or delete on public.tenants
  for each row execute function private.audit_row('id');
create trigger memberships_audit after insert or update or delete on public.memberships
  for each row execute function private.audit_row('tenant_id', 'user_id');
create trigger invitations_audit after insert or update or delete on public.invitations
  for each row execute function private.audit_row('tenant_id', 'id');
create trigger channels_audit after insert or update or delete on public.channels
  for each row execute function private.audit_row('tenant_id', 'id');
create trigger channel_secrets_audit after insert or update or delete on private.channel_secrets
  for each row execute function private.audit_row('tenant_id', 'channel_id', 'name');
-- The audit log records key changes, not key use: recording last use (at most once a minute per key, see
-- touch_api_key) must not append an entry each time. Same trigger, every column but last_used_at.
create trigger api_keys_audit
  after insert or delete or update of tenant_id, id, name, prefix, key_hash, scopes, created_by, created_at, expires_at, revoked_at
  on public.api_keys
  for each row execute function private.audit_row('tenant_id', 'id');
create trigger subscriptions_audit after insert or update or delete on public.subscriptions
  for each row execute function private.audit_row('tenant_id', 'id');
create trigger feature_flags_audit after insert or update or delete on public.feature_flags
  for each row execute function private.audit_row('tenant_id', 'flag');
