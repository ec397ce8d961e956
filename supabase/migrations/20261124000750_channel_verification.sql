-- Channel verification: a number routes traffic to a business only after the business has proved it controls it.
--
-- Why: registering a number is just an insert, so without proof an admin could claim any WhatsApp phone_number_id or
-- phone number nobody had claimed yet and receive its customers' messages and calls. A channel a client creates
-- starts pending (see the channels migration); it becomes verified when
--   * the business's own Graph access token can read the phone_number_id ('meta_graph'),
--   * the business's own Twilio account lists the number ('twilio_account'), or
--   * the platform operator assigns it ('operator').
-- The provider is asked by the `channels` Edge Function, which holds the encryption key; the database only hands it
-- the encrypted credential (channel_to_verify, as the caller) and records the answer (record_channel_verification,
-- service_role only). A verified number belongs to one business (channels_*_route_key); a second business gets 409.
-- A proof is never carried over to another number: clients cannot change a channel's routing keys after insert
-- (channels migration), and a proof is recorded only for the number it was made for.

-- What the Edge Function needs to prove control of one channel of the caller's active business: the routing key,
-- the provider account and the encrypted credential that proves control (access_token for WhatsApp, auth_token for a
-- Twilio number; null when not set). Owners and admins only, through writer_tenant_id(), which API keys never pass:
-- proving control is a person's act. Security definer because it reads private.channel_secrets; it takes the tenant
-- from the verified context, never from a parameter.
create or replace function private.channel_to_verify(p_channel_id uuid)
returns table (
  tenant_id uuid,
  channel_id uuid,
  kind text,
  provider text,
  phone_number_id text,
  phone_number text,
  provider_account_id text,
  verified_at timestamptz,
  verification_method text,
  credential_name text,
  ciphertext bytea,
  key_id text
)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_tenant uuid := (select private.writer_tenant_id('admin'));
begin
  if v_tenant is null then
    perform private.fail(404, 'no channel with this id in your business (or you are not an owner or admin)');
  end if;
  return query
    with target as (
      select c.*,
             case when c.kind = 'whatsapp' then 'access_token'
                  when c.provider = 'twilio' then 'auth_token' end as credential
      from public.channels c
      where c.tenant_id = v_tenant and c.id = p_channel_id
    )
    select t.tenant_id, t.id, t.kind::text, t.provider, t.phone_number_id, t.phone_number, t.provider_account_id,
           t.verified_at, t.verification_method, t.credential, s.ciphertext, s.key_id
    from target t
    left join private.channel_secrets s
      on s.tenant_id = t.tenant_id and s.channel_id = t.id and s.name = t.credential;
  if not found then
    perform private.fail(404, 'no channel with this id in your business (or you are not an owner or admin)');
  end if;
end;
$$;
revoke all on function private.channel_to_verify(uuid) from public, anon, service_role;
grant execute on function private.channel_to_verify(uuid) to authenticated;

-- Marks a channel verified, once its business has proved control (the Edge Function asked the provider) or the
-- operator assigned it. Only if the number is still the one that was proved (p_routing_key: phone_number_id or
-- phone_number), otherwise 409: the channel changed while the provider was being asked. Already verified: nothing
-- changes and the existing verification is answered. Another business already routes the number: 409. Security
-- definer so it does not depend on service_role's table grants; only service_role may execute it.
create or replace function private.record_channel_verification(
  p_tenant_id uuid, p_channel_id uuid, p_method text, p_routing_key text
)
returns table (channel_id uuid, verified_at timestamptz, verification_method text)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_channel public.channels;
  v_key text;
  v_taken constant text := 'this number is already connected to another business';
begin
  select * into v_channel from public.channels c
  where c.tenant_id = p_tenant_id and c.id = p_channel_id
  for update;
  if not found then
    perform private.fail(404, 'no channel with this id');
  end if;
  if p_method is null
     or p_method not in ('meta_graph', 'twilio_account', 'operator')
     or (p_method = 'meta_graph' and v_channel.kind <> 'whatsapp')
     or (p_method = 'twilio_account' and (v_channel.kind <> 'phone' or v_channel.provider <> 'twilio')) then
    perform private.fail(400, format('verification method "%s" does not apply to this channel', p_method));
  end if;
  v_key := case when v_channel.kind = 'whatsapp' then v_channel.phone_number_id else v_channel.phone_number end;
  if p_routing_key is null or v_key is distinct from p_routing_key then
    perform private.fail(409, 'the channel''s number changed while it was being verified; verify it again');
  end if;
  if v_channel.verified_at is not null then
    return query select v_channel.id, v_channel.verified_at, v_channel.verification_method;
    return;
  end if;
  -- The unique routing indexes are the rule; this check only gives the common case a clear answer up front.
  if exists (
    select 1 from public.channels o
    where o.kind = v_channel.kind and o.verified_at is not null and o.id <> v_channel.id
      and (case when o.kind = 'whatsapp' then o.phone_number_id else o.phone_number end) = v_key
  ) then
    perform private.fail(409, v_taken);
  end if;
  begin
    update public.channels c
      set verified_at = pg_catalog.now(), verification_method = p_method
    where c.tenant_id = p_tenant_id and c.id = p_channel_id
    returning * into v_channel;
  exception when unique_violation then
    -- A concurrent verification of the same number by another business committed first.
    perform private.fail(409, v_taken);
  end;
  return query select v_channel.id, v_channel.verified_at, v_channel.verification_method;
end;
$$;
revoke all on function private.record_channel_verification(uuid, uuid, text, text) from public, anon, authenticated;
grant execute on function private.record_channel_verification(uuid, uuid, text, text) to service_role;

-- The platform operator assigns a channel to its business outright (method 'operator'), e.g. a number the platform
-- bought for it. Same rules as above: a number another business already routes is refused with 409.
create or replace function private.assign_channel(p_channel_id uuid)
returns table (channel_id uuid, verified_at timestamptz, verification_method text)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_channel public.channels;
begin
  select * into v_channel from public.channels c where c.id = p_channel_id;
  if not found then
    perform private.fail(404, 'no channel with this id');
  end if;
  return query
    select * from private.record_channel_verification(
      v_channel.tenant_id, v_channel.id, 'operator',
      case when v_channel.kind = 'whatsapp' then v_channel.phone_number_id else v_channel.phone_number end);
end;
$$;
revoke all on function private.assign_channel(uuid) from public, anon, authenticated;
grant execute on function private.assign_channel(uuid) to service_role;
