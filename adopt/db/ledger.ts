// The import ledger (private.imports, private.import_ledger): one row per import, one per imported legacy row.
import type postgres from "postgres";

export interface ImportRecord {
  id: string;
  tenant_id: string;
  tenant_slug: string;
  mapping: string;
  mapping_sha256: string;
  source: string;
  tenant_created: boolean;
  entries: { entry: string; target: string; key: string[] }[];
  status: "running" | "complete" | "rolled_back";
  stats: unknown;
  started_at: Date;
  completed_at: Date | null;
}

export interface LedgerRow {
  action: "created" | "merged" | "linked";
  newKey: string[];
}

export const LEDGER_COLUMNS = ["import_id", "entry", "legacy_key", "target_table", "new_key", "action", "batch"];

export async function liveImport(sql: postgres.Sql, tenantId: string, mapping: string): Promise<ImportRecord | undefined> {
  const [row] = await sql<ImportRecord[]>`
    select * from private.imports where tenant_id = ${tenantId} and mapping = ${mapping} and status <> 'rolled_back'`;
  return row;
}

export async function loadLedger(sql: postgres.Sql, importId: string, entry: string): Promise<Map<string, LedgerRow>> {
  const out = new Map<string, LedgerRow>();
  const rows = await sql.unsafe(
    `select legacy_key, action, new_key from private.import_ledger where import_id = $1 and entry = $2`,
    [importId, entry],
  ).values();
  for (const [k, action, newKey] of rows as unknown as [string, LedgerRow["action"], string[]][]) out.set(k, { action, newKey });
  return out;
}

export async function nextBatch(sql: postgres.Sql, importId: string): Promise<number> {
  const [{ n }] = await sql`select coalesce(max(batch), 0) + 1 as n from private.import_ledger where import_id = ${importId}`;
  return Number(n);
}
