-- Customer merge: two rows of one business that turn out to be one person (known by phone from a call or an import,
-- and by BSUID from WhatsApp; a number change onto a number the person already wrote from) become one. The WhatsApp
-- ingest merges when Meta's identifiers for one person name two rows (private.whatsapp_customer,
-- private.whatsapp_change_number); an operator may call it too (as postgres). No client role may.
--
-- private.merge_customers(tenant, keep, merge) folds `merge` into `keep`, all or nothing:
--   * every foreign key whose referenced table is public.customers is found in the catalog (so a table added later is
--     covered) and re-pointed to the kept customer. Each must be composite (tenant_id, customer) → (tenant_id, id);
--     any other shape stops the merge (nothing changes) rather than guess.
--   * a table whose primary key holds the customer column is a link table (staff / service preferences): its rows
--     are copied to the kept customer, insert … on conflict do nothing (the kept customer's link wins), then deleted.
--   * conversations: at most one open per channel and customer. The kept customer's open conversation stays open;
--     the merged customer's open conversation on the same channel is closed (closed_at stamped) and keeps its
--     messages, now under the kept customer (so no message, hand-over or referral is rewritten).
--   * any other unique key the re-pointing would break stops the merge with the table named (nothing changes).
--   * the customer row: the kept row's values win and missing ones are filled from the merged row (identifiers,
--     name, e-mail, username); notes are joined, tags united, counters summed, the earliest first contact and
--     creation and the latest last contact kept. An opt-out (opted_out_at) is never lost: the earliest of the two
--     is kept. Meta's marketing preference is the later one of the two; marketing consent survives only if there
--     is no opt-out of either kind (customers_consent holds).
--   * an audit entry (public.audit_log, action 'merge', table customers): which customer was merged into which, the
--     merged row as it was and how many rows of each table moved. Then the merged row is deleted.

create or replace function private.merge_customers(p_tenant_id uuid, p_keep uuid, p_merge uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_keep public.customers;
  v_merge public.customers;
  v_after public.customers;
  v_fk record;
  v_moved jsonb := '{}'::jsonb;
  v_n bigint;
  v_closed bigint;
  v_cols text;
  v_select text;
  v_pref public.customers;
  v_opted_out timestamptz;
begin
  if p_tenant_id is null or p_keep is null or p_merge is null then
    raise exception 'merge_customers needs a business, a customer to keep and one to merge' using errcode = '22023';
  end if;
  if p_keep = p_merge then
    raise exception 'a customer cannot be merged into itself' using errcode = '22023';
  end if;
  -- Both rows locked in one order, so two merges of the same pair cannot deadlock.
  perform 1 from public.customers c where c.tenant_id = p_tenant_id and c.id in (p_keep, p_merge) order by c.id for update;
  select * into v_keep from public.customers c where c.tenant_id = p_tenant_id and c.id = p_keep;
  if not found then
    raise exception 'customer % is not a customer of this business', p_keep using errcode = 'P0002';
  end if;
  select * into v_merge from public.customers c where c.tenant_id = p_tenant_id and c.id = p_merge;
  if not found then
    raise exception 'customer % is not a customer of this business', p_merge using errcode = 'P0002';
  end if;

  -- One open conversation per channel and customer: the merged customer's yields where the kept one has one.
  update public.conversations m set status = 'closed'
  where m.tenant_id = p_tenant_id and m.customer_id = p_merge and m.status = 'open'
    and exists (select 1 from public.conversations k
                where k.tenant_id = p_tenant_id and k.customer_id = p_keep and k.channel_id = m.channel_id and k.status = 'open');
  get diagnostics v_closed = row_count;

  for v_fk in
    select con.conrelid, con.conrelid::regclass::text as tbl, con.conname,
           max(a.attname) filter (where r.attname = 'tenant_id') as tenant_col,
           max(a.attname) filter (where r.attname = 'id') as customer_col,
           max(a.attnum) filter (where r.attname = 'id') as customer_attnum,
           count(*) as ncols
    from pg_catalog.pg_constraint con
    cross join lateral unnest(con.conkey, con.confkey) k(col, refcol)
    join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.col
    join pg_catalog.pg_attribute r on r.attrelid = con.confrelid and r.attnum = k.refcol
    where con.contype = 'f' and con.confrelid = 'public.customers'::regclass
    group by con.oid, con.conrelid, con.conname
    order by 2, 3
  loop
    if v_fk.ncols <> 2 or v_fk.tenant_col is null or v_fk.customer_col is null then
      raise exception 'cannot merge customers: foreign key % on % does not reference customers (tenant_id, id)', v_fk.conname, v_fk.tbl
        using errcode = '0A000';
    end if;
    if exists (select 1 from pg_catalog.pg_index i
               where i.indrelid = v_fk.conrelid and i.indisprimary and v_fk.customer_attnum = any (i.indkey::int2[])) then
      -- A link table: the kept customer's links win, the merged customer's others are copied, then all of its go.
      select string_agg(format('%I', a.attname), ', ' order by a.attnum),
             string_agg(case when a.attname = v_fk.customer_col then '$1' else format('%I', a.attname) end, ', ' order by a.attnum)
      into v_cols, v_select
      from pg_catalog.pg_attribute a
      where a.attrelid = v_fk.conrelid and a.attnum > 0 and not a.attisdropped and a.attgenerated = '';
      execute format('insert into %s (%s) overriding system value select %s from %s where %I = $2 and %I = $3 on conflict do nothing',
                     v_fk.tbl, v_cols, v_select, v_fk.tbl, v_fk.tenant_col, v_fk.customer_col)
        using p_keep, p_tenant_id, p_merge;
      execute format('delete from %s where %I = $2 and %I = $3', v_fk.tbl, v_fk.tenant_col, v_fk.customer_col)
        using p_keep, p_tenant_id, p_merge;
      get diagnostics v_n = row_count;
    else
      begin
        execute format('update %s set %I = $1 where %I = $2 and %I = $3', v_fk.tbl, v_fk.customer_col, v_fk.tenant_col, v_fk.customer_col)
          using p_keep, p_tenant_id, p_merge;
        get diagnostics v_n = row_count;
      exception when unique_violation then
        raise exception 'cannot merge customers: rows of % would clash on a unique key once moved (%)', v_fk.tbl, sqlerrm
          using errcode = '23505';
      end;
    end if;
    if v_n > 0 then
      v_moved := v_moved || jsonb_build_object(v_fk.tbl || '.' || v_fk.customer_col, v_n);
    end if;
  end loop;

  -- Meta's marketing preference: the later of the two (the kept one's on a tie).
  v_pref := case when coalesce(v_merge.marketing_preference_at, '-infinity') > coalesce(v_keep.marketing_preference_at, '-infinity')
                 then v_merge else v_keep end;
  v_opted_out := least(v_keep.opted_out_at, v_merge.opted_out_at);

  delete from public.customers c where c.tenant_id = p_tenant_id and c.id = p_merge;

  update public.customers c set
    phone = coalesce(v_keep.phone, v_merge.phone),
    wa_id = coalesce(v_keep.wa_id, v_merge.wa_id),
    bsuid = coalesce(v_keep.bsuid, v_merge.bsuid),
    parent_bsuid = coalesce(v_keep.parent_bsuid, v_merge.parent_bsuid),
    username = coalesce(v_keep.username, v_merge.username),
    name = coalesce(v_keep.name, v_merge.name),
    email = coalesce(v_keep.email, v_merge.email),
    notes = case when v_merge.notes is null or v_merge.notes = v_keep.notes then v_keep.notes
                 when v_keep.notes is null then v_merge.notes
                 else v_keep.notes || E'\n\n' || v_merge.notes end,
    tags = array(select t from unnest(v_keep.tags || v_merge.tags) with ordinality u(t, o) group by t order by min(o)),
    opted_out_at = v_opted_out,
    marketing_opted_out_at = v_pref.marketing_opted_out_at,
    marketing_preference_at = v_pref.marketing_preference_at,
    marketing_opt_in = v_opted_out is null and v_pref.marketing_opted_out_at is null
                       and (v_keep.marketing_opt_in or v_merge.marketing_opt_in),
    first_contact_at = least(v_keep.first_contact_at, v_merge.first_contact_at),
    last_contact_at = greatest(v_keep.last_contact_at, v_merge.last_contact_at),
    visit_count = v_keep.visit_count + v_merge.visit_count,
    total_spend_cents = v_keep.total_spend_cents + v_merge.total_spend_cents,
    created_at = least(v_keep.created_at, v_merge.created_at)
  where c.tenant_id = p_tenant_id and c.id = p_keep
  returning * into v_after;

  perform private.audit(p_tenant_id, 'merge', 'customers',
    jsonb_build_object('tenant_id', p_tenant_id, 'id', p_keep),
    to_jsonb(v_merge),
    jsonb_build_object('merged_customer_id', p_merge, 'kept_customer_id', p_keep, 'moved', v_moved,
                       'conversations_closed', v_closed, 'customer', to_jsonb(v_after)));
  return p_keep;
end;
$$;

-- Identifiers of two customer rows that do not contradict each other (each one null on either side, or equal): the
-- ingest merges only such rows, never two people (a recycled number: the same wa_id with another BSUID).
create or replace function private.customers_agree(a public.customers, b public.customers)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select (a.phone is null or b.phone is null or a.phone = b.phone)
     and (a.wa_id is null or b.wa_id is null or a.wa_id = b.wa_id)
     and (a.bsuid is null or b.bsuid is null or a.bsuid = b.bsuid)
     and (a.parent_bsuid is null or b.parent_bsuid is null or a.parent_bsuid = b.parent_bsuid)
$$;

revoke all on function private.merge_customers(uuid, uuid, uuid) from public;
revoke all on function private.customers_agree(public.customers, public.customers) from public;
do $grants$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role', 'frontdesk_webhook'] loop
    if exists (select from pg_roles where rolname = r) then
      execute format('revoke all on function private.merge_customers(uuid, uuid, uuid) from %I', r);
      execute format('revoke all on function private.customers_agree(public.customers, public.customers) from %I', r);
    end if;
  end loop;
end
$grants$;
