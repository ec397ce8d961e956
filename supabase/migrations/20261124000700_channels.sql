-- Channels: the numbers a business is reached on. A WhatsApp Cloud API number (Meta's phone_number_id, the WABA,
-- the display number) or a phone number for voice and SMS (E.164, provider, capabilities). A number routes to
-- exactly one business, so its routing key is unique across all tenants.
--
-- Provider credentials (WhatsApp access token, app secret, telephony auth token) never sit in a client-visible
-- table: they are AES-GCM encrypted by server-side code (_shared/secrets) before they reach the database, stored in
-- `private.channel_secrets`, and written through set_channel_secret() by owners and admins. No client role can read
-- them back; `channels.secrets` only says which are set and when.

create type public.channel_kind as enum ('whatsapp', 'phone');

create table public.channels (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  kind public.channel_kind not null,
  name text not null default '',
  provider text not null,
  -- WhatsApp Cloud API
  phone_number_id text,
  waba_id text,
  display_phone_number text,
  -- voice / SMS
  phone_number text,
  capabilities text[] not null default '{}',
  active boolean not null default true,
  settings jsonb not null default '{}'::jsonb,
  secrets jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint channels_provider check (provider in ('meta', 'twilio', 'vonage', 'telnyx', 'plivo', 'other')),
  constraint channels_whatsapp_shape check (kind <> 'whatsapp' or (phone_number_id ~ '^[0-9]{5,32}$' and provider = 'meta')),
  constraint channels_phone_shape check (kind <> 'phone' or (phone_number ~ '^\+[1-9][0-9]{6,14}$' and provider <> 'meta')),
  constraint channels_capabilities check (capabilities <@ array['voice', 'sms', 'mms']::text[]),
  constraint channels_settings_object check (jsonb_typeof(settings) = 'object')
);
comment on table public.channels is 'A business''s WhatsApp and phone numbers. Each routes to exactly one business.';
comment on column public.channels.secrets is 'Which credentials are set and when (never their values).';

create unique index channels_whatsapp_route_key on public.channels (phone_number_id) where kind = 'whatsapp';
create unique index channels_phone_route_key on public.channels (phone_number) where kind = 'phone';
create index channels_tenant_kind_idx on public.channels (tenant_id, kind);

create trigger channels_updated_at before update on public.channels
  for each row execute function private.set_updated_at();

select private.apply_tenant_policies('public.channels', 'staff', 'admin');
-- `secrets` is maintained by set_channel_secret() only.
revoke update on public.channels from anon, authenticated;
grant update (name, provider, phone_number_id, waba_id, display_phone_number, phone_number, capabilities, active, settings)
  on public.channels to authenticated;

create table private.channel_secrets (
  tenant_id uuid not null,
  channel_id uuid not null,
  name text not null,
  ciphertext bytea not null,
  key_id text not null,
  updated_at timestamptz not null default now(),
  updated_by uuid,
  primary key (tenant_id, channel_id, name),
  foreign key (tenant_id, channel_id) references public.channels (tenant_id, id) on delete cascade,
  constraint channel_secrets_name check (name in ('access_token', 'app_secret', 'auth_token', 'api_key'))
);
comment on table private.channel_secrets is 'Encrypted provider credentials (AES-256-GCM, AAD = tenant:channel:name).';

-- Sets or rotates a credential of a channel in the caller's active business (owners and admins). The value arrives
-- already encrypted; this function only stores it and notes the change on the channel.
create or replace function public.set_channel_secret(p_channel_id uuid, p_name text, p_ciphertext bytea, p_key_id text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant uuid := (select private.tenant_id_for('admin'));
begin
  if v_tenant is null or not exists (select 1 from public.channels where tenant_id = v_tenant and id = p_channel_id) then
    perform private.fail(404, 'no channel with this id in your business (or you are not an owner or admin)');
  end if;
  if p_name not in ('access_token', 'app_secret', 'auth_token', 'api_key') then
    perform private.fail(400, format('unknown credential "%s": use access_token, app_secret, auth_token or api_key', p_name));
  end if;
  if length(p_ciphertext) < 29 then
    perform private.fail(400, 'the credential must be encrypted with the platform key before it is stored');
  end if;
  insert into private.channel_secrets (tenant_id, channel_id, name, ciphertext, key_id, updated_by)
  values (v_tenant, p_channel_id, p_name, p_ciphertext, p_key_id, (select auth.uid()))
  on conflict (tenant_id, channel_id, name) do update
    set ciphertext = excluded.ciphertext, key_id = excluded.key_id, updated_at = now(), updated_by = excluded.updated_by;
  update public.channels
    set secrets = secrets || jsonb_build_object(p_name, jsonb_build_object('set_at', now(), 'key_id', p_key_id))
  where tenant_id = v_tenant and id = p_channel_id;
end;
$$;
revoke execute on function public.set_channel_secret(uuid, text, bytea, text) from public, anon;
grant execute on function public.set_channel_secret(uuid, text, bytea, text) to authenticated;

-- Server-side read of a credential, for the webhook and sending code. Only service_role may call it.
create or replace function private.channel_secret(p_tenant_id uuid, p_channel_id uuid, p_name text)
returns table (ciphertext bytea, key_id text)
language sql
stable
security definer
set search_path = ''
as $$
  select s.ciphertext, s.key_id from private.channel_secrets s
  where s.tenant_id = p_tenant_id and s.channel_id = p_channel_id and s.name = p_name
$$;
revoke execute on function private.channel_secret(uuid, uuid, text) from public;
grant execute on function private.channel_secret(uuid, uuid, text) to service_role;
