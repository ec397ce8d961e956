-- Adoption ledger: what `npm run adopt` imported from a legacy database into a tenant, row by row, so that a run can
-- resume where a killed one stopped, a second run imports nothing twice, verify can compare both sides, and rollback
-- removes exactly what the import created. Only the migration owner (postgres) reads or writes it: it lives in
-- `private`, which the Data API does not expose, and no client role gets any privilege on it.

create table private.imports (
  id uuid primary key default gen_random_uuid(),
  -- No foreign key: the record of an import outlives a tenant that its rollback removed.
  tenant_id uuid not null,
  tenant_slug text not null,
  -- The mapping's name (one live import per tenant and mapping), its SHA-256 with the parameters applied, and a
  -- fingerprint of the legacy database, so a run never continues an import from another source or mapping.
  mapping text not null,
  mapping_sha256 text not null,
  source text not null,
  tenant_created boolean not null,
  -- Entries in dependency order and the table each writes: what rollback walks backwards.
  entries jsonb not null,
  status text not null default 'running',
  -- What the run reported per entry (imported, merged, linked, skipped and why), once it completed.
  stats jsonb,
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  rolled_back_at timestamptz,
  constraint imports_status check (status in ('running', 'complete', 'rolled_back'))
);
create unique index imports_live_key on private.imports (tenant_id, mapping) where status <> 'rolled_back';

-- One row per legacy row: where it went. Several legacy rows may share a new key (customers merged by phone, or
-- linked to a row the tenant already had); exactly one of them is the group's head ('created' or 'linked').
create table private.import_ledger (
  import_id uuid not null references private.imports (id) on delete cascade,
  entry text not null,
  legacy_key text not null,
  target_table text not null,
  -- The target row's primary key without tenant_id, as text, in the key's column order.
  new_key text[] not null,
  action text not null,
  batch int not null,
  primary key (import_id, entry, legacy_key),
  constraint import_ledger_action check (action in ('created', 'merged', 'linked'))
);

-- No client role has any privilege on either table (and `private` is not exposed), so there is nothing for row
-- level security to decide: the owner, which bypasses it anyway, is the only reader and writer.
revoke all on table private.imports, private.import_ledger from public, anon, authenticated, service_role;
