// Shared start of plan, run and verify, inside the legacy snapshot: find the tenant (or work out the one to create),
// compile the mapping in its time zone, and have the legacy database parse every entry's query once (limit 0), so a
// missing column or a bad SQL fragment is reported by entry before any row moves.
import { loadLegacyCatalog, legacyFingerprint, type LegacyTx } from "./db/legacy.ts";
import { liveImport, type ImportRecord } from "./db/ledger.ts";
import { checkTimezone, findTenant, tenantValues, type TenantRow } from "./db/tenant.ts";
import { AdoptError } from "./errors.ts";
import { checkFixedValues, compile, prepareDefaults, type Compiled } from "./mapping/compile.ts";
import type { Options, Session } from "./session.ts";

export interface Prepared {
  compiled: Compiled;
  tenant?: TenantRow;
  /** The tenant run will create, when there is none with the slug. */
  newTenant?: Record<string, string | null>;
  timezone: string;
  existingImport?: ImportRecord;
  fingerprint: string;
}

export async function prepare(s: Session, opts: Options, tx: LegacyTx): Promise<Prepared> {
  const legacyCatalog = await loadLegacyCatalog(tx);
  const fingerprint = await legacyFingerprint(tx);
  const tenant = await findTenant(s.target, opts.tenant);
  let timezone: string;
  let newTenant: Record<string, string | null> | undefined;
  let existingImport: ImportRecord | undefined;
  if (tenant) {
    timezone = tenant.timezone;
    existingImport = await liveImport(s.target, tenant.id, s.loaded.mapping.name);
  } else {
    const draft = compile(s.loaded, legacyCatalog, s.catalog, "UTC");
    newTenant = await tenantValues(tx, draft.tenant, opts.tenant);
    timezone = newTenant.timezone!;
    await checkTimezone(s.target, timezone);
  }
  const compiled = compile(s.loaded, legacyCatalog, s.catalog, timezone);
  for (const e of compiled.entries) {
    try {
      await tx.unsafe(`select * from (${e.select}) as probe limit 0`, e.params as never[]);
    } catch (err) {
      throw new AdoptError(`${e.at}: the legacy database rejects this entry's query: ${(err as Error).message}`);
    }
  }
  await prepareDefaults(compiled, s.target);
  await checkFixedValues(compiled, s.target, s.catalog);
  return { compiled, tenant, newTenant, timezone, existingImport, fingerprint };
}
