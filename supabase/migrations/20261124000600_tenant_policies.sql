-- Standard tenant policies, declared once. Every business table gets the same shape of RLS, differing only in who
-- reads and who writes: "members with at least role R read; at least role W insert, update and delete". One policy
-- per command and role (the `multiple_permissive_policies` advisor), all `to authenticated`, all through the
-- per-statement `(select private.tenant_id_for(...))` so `tenant_id = <constant>` uses the leading index column.
-- Write policies go through writer_tenant_id(), which API keys never pass.
--
-- Policies decide which rows; grant_writes() beside each table decides which columns (the declared write surface,
-- supabase/write-surface.ts). Tables with other rules (append-only audit log, global plans) write their own policies.

create or replace function private.apply_tenant_policies(
  p_table regclass,
  p_read public.membership_role,
  p_write public.membership_role default null,
  p_commands text[] default array['insert', 'update', 'delete']
)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_name text := (select c.relname from pg_catalog.pg_class c where c.oid = p_table);
  v_cmd text;
begin
  execute format('alter table %s enable row level security', p_table);
  execute format(
    'create policy %I on %s for select to authenticated using (tenant_id = (select private.tenant_id_for(%L)))',
    v_name || '_select', p_table, p_read);
  if p_write is null then
    return;
  end if;
  foreach v_cmd in array p_commands loop
    execute format(
      'create policy %I on %s for %s to authenticated %s',
      v_name || '_' || v_cmd, p_table, v_cmd,
      case v_cmd
        when 'insert' then format('with check (tenant_id = (select private.writer_tenant_id(%L)))', p_write)
        when 'delete' then format('using (tenant_id = (select private.writer_tenant_id(%L)))', p_write)
        else format('using (tenant_id = (select private.writer_tenant_id(%1$L))) with check (tenant_id = (select private.writer_tenant_id(%1$L)))', p_write)
      end);
  end loop;
end;
$$;
revoke all on function private.apply_tenant_policies(regclass, public.membership_role, public.membership_role, text[]) from public;

-- The columns client roles may write in a table, and whether they may delete: every write privilege of anon and
-- authenticated is revoked, then exactly these are granted (to authenticated; anon writes nothing anywhere).
create or replace function private.grant_writes(
  p_table regclass,
  p_insert text[] default null,
  p_update text[] default null,
  p_delete boolean default false
)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_cols text;
begin
  execute format('revoke insert, update, delete, truncate, references, trigger on %s from anon, authenticated', p_table);
  if pg_catalog.current_setting('server_version_num')::int >= 170000 then
    execute format('revoke maintain on %s from anon, authenticated', p_table);
  end if;
  if p_insert is not null then
    select string_agg(format('%I', c), ', ') into v_cols from unnest(p_insert) c;
    execute format('grant insert (%s) on %s to authenticated', v_cols, p_table);
  end if;
  if p_update is not null then
    select string_agg(format('%I', c), ', ') into v_cols from unnest(p_update) c;
    execute format('grant update (%s) on %s to authenticated', v_cols, p_table);
  end if;
  if p_delete then
    execute format('grant delete on %s to authenticated', p_table);
  end if;
end;
$$;
revoke all on function private.grant_writes(regclass, text[], text[], boolean) from public;

-- Status fields that only move forward (message delivery, call lifecycle). Out-of-order provider callbacks are
-- normal, so a step backwards is ignored rather than raised: the row keeps its later status.
create or replace function private.status_rank(p_kind text, p_status text)
returns int
language sql
immutable
set search_path = ''
as $$
  select case p_kind
    when 'message' then case p_status
      when 'received' then 0 when 'queued' then 1 when 'sent' then 2 when 'delivered' then 3 when 'read' then 4
      when 'failed' then 5 end
    when 'call' then case p_status
      when 'queued' then 0 when 'initiated' then 1 when 'ringing' then 2 when 'in_progress' then 3
      when 'completed' then 4 when 'busy' then 4 when 'no_answer' then 4 when 'failed' then 4 when 'canceled' then 4 end
  end
$$;
