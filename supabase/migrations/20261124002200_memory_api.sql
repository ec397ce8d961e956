-- Memory API: what the `memory` Edge Function calls to store, recall and erase what a business's voice agent knows
-- about a caller, each request one SQL function in one transaction. A request comes from a member (JWT) or an API
-- key (api_keys migration); memory_access() says which business it acts on and whether its scope or role allows it.
-- Writes (which the memories policies keep from every client role) go through memory_store / memory_forget: narrow
-- security definer functions taking the tenant from the verified context, never from a parameter; reads
-- (memory_recall) run as the caller under RLS. Everything lives in `private`: the Edge Function is the API.

-- ---------------------------------------------------------------------------------------------------------------
-- Caller memory: store, recall, forget.
-- ---------------------------------------------------------------------------------------------------------------

-- A call's other party (inbound: who called; outbound: who was called), so "this caller's calls" is one index range.
create index calls_caller_number_idx on public.calls
  (tenant_id, (case when direction = 'inbound' then from_number else to_number end), created_at desc);

-- The tenant a memory request acts on, or the HTTP error saying why not:
--   API key:  live in the claims' tenant (resolve_access) and holding p_scope on its live row (else 401 / 403);
--   member:   staff and up read (memory:read); owners and admins write and erase (memory:write), as the memories
--             and caller_profiles policies have it.
-- Security definer: an API key cannot read api_keys (admins only), yet its scopes must be checked.
create or replace function private.memory_access(p_scope text)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_claims jsonb := nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb;
  v_key uuid := private.claimed_api_key(coalesce(v_claims, '{}'::jsonb));
  v_tenant uuid := private.tenant_id_for('staff');
begin
  if p_scope not in ('memory:read', 'memory:write') then
    raise exception 'unknown memory scope %', p_scope;
  end if;
  if v_key is not null then
    if v_tenant is null then
      perform private.fail(401, 'this API key is no longer valid');
    end if;
    if not exists (select 1 from public.api_keys k where k.tenant_id = v_tenant and k.id = v_key and p_scope = any (k.scopes)) then
      perform private.fail(403, format('this API key does not have the %s scope', p_scope));
    end if;
    return v_tenant;
  end if;
  if v_tenant is null then
    perform private.fail(403, 'you are not a member of an active business: switch business or sign in again');
  end if;
  if p_scope = 'memory:write' and private.tenant_id_for('admin') is null then
    perform private.fail(403, 'only owners and admins can store or erase caller memory; staff can read it');
  end if;
  return v_tenant;
end;
$$;

-- Everything an agent needs about a caller, in one call: the profile, personality averages, the last 5 call
-- summaries, and the top p_limit memories ranked by
--   0.5 × relevance  (ts_rank against p_query, relative to the best match; 0 when it does not match or no query)
-- + 0.3 × importance (1..10 mapped to 0..1)
-- + 0.2 × recency    (exponential decay, half-life 30 days)
-- so a relevant, important, recent memory comes first, and without a query importance and recency decide. Every
-- memory of the caller is scored (1,000 rows read through memories_caller_idx stay within a few milliseconds);
-- ts_rank runs only on the ones that match. Runs as the caller: RLS applies to every table it reads.
create or replace function private.memory_recall(p_phone text, p_query text default null, p_limit int default 20)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_tenant uuid := private.memory_access('memory:read');
  v_caller public.caller_profiles;
  v_query tsquery;
  v_limit int := least(greatest(coalesce(p_limit, 20), 1), 100);
  v_memories jsonb;
  v_total int;
begin
  -- A withheld caller id (Twilio's anonymous placeholders, SIP or web callers) is nobody: it recalls nothing.
  if private.callable_number(p_phone) then
    select * into v_caller from public.caller_profiles p where p.tenant_id = v_tenant and p.phone = p_phone;
  end if;
  if v_caller.id is null then
    perform private.fail(404, 'no caller with this phone number in your business');
  end if;
  if nullif(btrim(p_query), '') is not null then
    v_query := websearch_to_tsquery('simple', p_query);
    if numnode(v_query) = 0 then
      v_query := null; -- only punctuation or operators: rank as if there were no query
    end if;
  end if;

  with scored as (
    select m.id, m.content, m.kind, m.importance, m.source_call_id, m.created_at,
           case when v_query is not null and m.search @@ v_query then ts_rank(m.search, v_query) end as rank
    from public.memories m
    where m.tenant_id = v_tenant and m.caller_id = v_caller.id
  ), ranked as (
    select s.*, count(*) over () as total,
           0.5 * coalesce(s.rank / nullif(max(s.rank) over (), 0), 0)
           + 0.3 * (s.importance - 1) / 9.0
           + 0.2 * exp(-0.693147180559945 * greatest(extract(epoch from now() - s.created_at)::float8, 0) / 2592000.0)
             as score
    from scored s
  ), top as (
    select * from ranked r order by r.score desc, r.created_at desc, r.id limit v_limit
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', t.id, 'content', t.content, 'kind', t.kind, 'importance', t.importance,
           'source_call_id', t.source_call_id, 'created_at', t.created_at,
           'score', round(t.score::numeric, 4), 'matched', t.rank is not null)
         order by t.score desc, t.created_at desc, t.id), '[]'::jsonb),
         coalesce(max(t.total), 0)
    into v_memories, v_total
  from top t;

  return jsonb_build_object(
    'caller', to_jsonb(v_caller) - 'tenant_id',
    'personality', (
      select jsonb_build_object('calls', p.calls, 'openness', p.openness, 'conscientiousness', p.conscientiousness,
                                'extraversion', p.extraversion, 'agreeableness', p.agreeableness,
                                'neuroticism', p.neuroticism, 'updated_at', p.updated_at)
      from public.caller_personality p
      where p.tenant_id = v_tenant and p.caller_id = v_caller.id),
    'recent_calls', coalesce((
      select jsonb_agg(jsonb_build_object(
               'call_id', c.id, 'direction', c.direction, 'status', c.status, 'started_at', c.started_at,
               'ended_at', c.ended_at, 'duration_seconds', c.duration_seconds, 'summary', s.summary,
               'outcome', s.outcome, 'sentiment', s.sentiment, 'structured', s.structured, 'created_at', c.created_at)
             order by c.created_at desc, c.id)
      from (
        select c.* from public.calls c
        where c.tenant_id = v_tenant
          and (case when c.direction = 'inbound' then c.from_number else c.to_number end) = p_phone
          and exists (select 1 from public.call_summaries s where s.tenant_id = c.tenant_id and s.call_id = c.id)
        order by c.created_at desc, c.id
        limit 5
      ) c
      join public.call_summaries s on s.tenant_id = c.tenant_id and s.call_id = c.id), '[]'::jsonb),
    'memories', v_memories,
    'total_memories', v_total,
    'query', case when v_query is null then null else p_query end
  );
end;
$$;

-- Stores memories for a caller, creating the caller's profile on first contact and updating the profile fields
-- given. Counts one `memories` usage event per stored memory and refuses with 402 past the plan's monthly allowance.
-- p_memories: [{content, kind?, importance?, source_call_id?}]; p_profile: {display_name?, summary?, preferences?}
-- (preferences are merged into the existing ones).
create or replace function private.memory_store(p_phone text, p_memories jsonb, p_profile jsonb default '{}'::jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := private.memory_access('memory:write');
  v_count int := coalesce(jsonb_array_length(p_memories), 0);
  v_profile jsonb := coalesce(p_profile, '{}'::jsonb);
  v_caller uuid;
  v_created boolean := false;
  v_unknown uuid;
  v_stored jsonb;
begin
  if v_count = 0 then
    perform private.fail(400, 'memories must hold at least one memory');
  end if;
  if not private.callable_number(p_phone) then
    perform private.fail(400, 'phone must be a caller''s real E.164 number: a withheld caller id has no caller profile');
  end if;
  -- One store at a time per business: the allowance check and the usage record below cannot interleave with another
  -- store's, so concurrent batches cannot together overshoot the plan.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('frontdesk.memories:' || v_tenant::text, 0));
  perform private.require_within_limit(v_tenant, 'memories', v_count);

  select r.source_call_id into v_unknown
  from jsonb_to_recordset(p_memories) as r(source_call_id uuid)
  where r.source_call_id is not null
    and not exists (select 1 from public.calls c where c.tenant_id = v_tenant and c.id = r.source_call_id)
  limit 1;
  if v_unknown is not null then
    perform private.fail(400, format('source_call_id %s is not a call of your business', v_unknown));
  end if;

  select p.id into v_caller from public.caller_profiles p where p.tenant_id = v_tenant and p.phone = p_phone;
  if v_caller is null then
    insert into public.caller_profiles (tenant_id, phone, display_name, summary, preferences)
    values (v_tenant, p_phone, v_profile ->> 'display_name', v_profile ->> 'summary', coalesce(v_profile -> 'preferences', '{}'::jsonb))
    on conflict (tenant_id, phone) do nothing
    returning id into v_caller;
    v_created := v_caller is not null;
    if v_caller is null then -- a concurrent store created it first
      select p.id into v_caller from public.caller_profiles p where p.tenant_id = v_tenant and p.phone = p_phone;
    end if;
  end if;
  if not v_created and v_profile <> '{}'::jsonb then
    update public.caller_profiles p set
      display_name = coalesce(v_profile ->> 'display_name', p.display_name),
      summary = coalesce(v_profile ->> 'summary', p.summary),
      preferences = p.preferences || coalesce(v_profile -> 'preferences', '{}'::jsonb)
    where p.tenant_id = v_tenant and p.id = v_caller;
  end if;

  -- Ids drawn first, so the answer lists the memories in the order they were sent.
  with input as (
    select gen_random_uuid() as id, r.ord, r.content, coalesce(r.kind, 'fact') as kind,
           coalesce(r.importance, 5) as importance, r.source_call_id
    from rows from (jsonb_to_recordset(p_memories) as (content text, kind text, importance smallint, source_call_id uuid))
         with ordinality as r(content, kind, importance, source_call_id, ord)
  ), stored as (
    insert into public.memories (tenant_id, id, caller_id, content, kind, importance, source_call_id)
    select v_tenant, i.id, v_caller, i.content, i.kind, i.importance, i.source_call_id from input i
    returning id, created_at
  )
  select jsonb_agg(jsonb_build_object('id', i.id, 'content', i.content, 'kind', i.kind, 'importance', i.importance,
                                      'source_call_id', i.source_call_id, 'created_at', s.created_at) order by i.ord)
    into v_stored
  from input i join stored s on s.id = i.id;

  perform private.record_usage(v_tenant, 'memories', v_count, 'memories:' || (v_stored -> 0 ->> 'id'));
  return jsonb_build_object('caller_id', v_caller, 'caller_created', v_created, 'memories', v_stored);
end;
$$;

-- Erasure on request: forgets a caller entirely. Removes the profile and with it (by cascade) every memory, the
-- per-call personality metrics and the personality averages; the business's call records and their summaries stay,
-- but the caller's number is removed from them, so nothing links them to this caller any more. Leaves one audit
-- entry saying that an erasure happened, how much it removed and who asked: the profile's id, never the phone
-- number or anything erased.
create or replace function private.memory_forget(p_phone text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := private.memory_access('memory:write');
  v_claims jsonb := nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb;
  v_caller uuid;
  v_memories int;
  v_metrics int;
  v_calls int;
  v_result jsonb;
begin
  select p.id into v_caller from public.caller_profiles p where p.tenant_id = v_tenant and p.phone = p_phone for update;
  if v_caller is null then
    perform private.fail(404, 'no caller with this phone number in your business');
  end if;
  select count(*) into v_memories from public.memories m where m.tenant_id = v_tenant and m.caller_id = v_caller;
  select count(*) into v_metrics from public.personality_metrics pm where pm.tenant_id = v_tenant and pm.caller_id = v_caller;

  update public.calls c set
    from_number = case when c.from_number = p_phone then null else c.from_number end,
    to_number = case when c.to_number = p_phone then null else c.to_number end
  where c.tenant_id = v_tenant and (c.from_number = p_phone or c.to_number = p_phone);
  get diagnostics v_calls = row_count;

  delete from public.caller_profiles p where p.tenant_id = v_tenant and p.id = v_caller;

  v_result := jsonb_build_object('memories', v_memories, 'personality_metrics', v_metrics, 'calls_unlinked', v_calls);
  perform private.audit(v_tenant, 'erase_caller', 'public.caller_profiles',
                        jsonb_build_object('tenant_id', v_tenant, 'id', v_caller), null,
                        v_result || jsonb_build_object('api_key_id', private.claimed_api_key(coalesce(v_claims, '{}'::jsonb))));
  return jsonb_build_object('caller_id', v_caller, 'erased', true) || v_result;
end;
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Grants: to signed-in callers (each function checks who they are).
-- ---------------------------------------------------------------------------------------------------------------
do $grants$
declare
  f text;
begin
  foreach f in array array[
    'private.memory_access(text)',
    'private.memory_recall(text, text, int)',
    'private.memory_store(text, jsonb, jsonb)',
    'private.memory_forget(text)'
  ] loop
    execute format('revoke all on function %s from public', f);
    execute format('grant execute on function %s to authenticated', f);
  end loop;
end
$grants$;
-- memory_recall runs as the caller and asks whether a number is a real caller's.
grant execute on function private.callable_number(text) to authenticated;
