// The legacy database, only ever read: the session defaults to read-only transactions, and every read runs inside
// `begin isolation level repeatable read read only`, so one run sees one consistent snapshot of every table and
// could not write there even by mistake. The session's time zone is UTC so timestamps come out unambiguous.
import postgres from "postgres";
import { AdoptError, connectionError } from "../errors.ts";
import { APP_NAME, withClientCheck } from "./interrupt.ts";
import { noDelay } from "./socket.ts";

export type LegacySql = postgres.Sql;
export type LegacyTx = postgres.TransactionSql;

export interface LegacyCatalog {
  /** "schema.table" -> column name -> data type */
  tables: Map<string, Map<string, string>>;
}

export async function connectLegacy(url: string): Promise<LegacySql> {
  try {
    return await withClientCheck((extra) => postgres(url, {
      max: 1,
      onnotice: () => {},
      connect_timeout: 10,
      ...noDelay,
      idle_timeout: 0,
      connection: { application_name: APP_NAME, default_transaction_read_only: true, TimeZone: "UTC", ...extra },
    }));
  } catch (err) {
    throw connectionError("legacy database", url, err);
  }
}

/** Runs `work` in one read-only, repeatable-read transaction. */
export function readLegacy<T>(sql: LegacySql, work: (tx: LegacyTx) => Promise<T>): Promise<T> {
  return sql.begin("isolation level repeatable read read only", async (tx) => {
    await tx`set local timezone = 'UTC'`;
    return work(tx);
  }) as Promise<T>;
}

export async function loadLegacyCatalog(tx: LegacyTx): Promise<LegacyCatalog> {
  const rows = await tx<{ schema: string; table: string; column: string; type: string }[]>`
    select table_schema as schema, table_name as table, column_name as column, data_type as type
    from information_schema.columns
    where table_schema not in ('pg_catalog', 'information_schema')
    order by table_schema, table_name, ordinal_position`;
  const tables = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const key = `${r.schema}.${r.table}`;
    if (!tables.has(key)) tables.set(key, new Map());
    tables.get(key)!.set(r.column, r.type);
  }
  return { tables };
}

/** Identifies the legacy database across runs (its cluster and database), so an import never mixes two sources. */
export async function legacyFingerprint(tx: LegacyTx): Promise<string> {
  const [{ db }] = await tx<{ db: string }[]>`select current_database() as db`;
  try {
    await tx`savepoint fp`;
    const [{ id }] = await tx<{ id: string }[]>`select system_identifier::text as id from pg_control_system()`;
    await tx`release savepoint fp`;
    return `${id}/${db}`;
  } catch {
    await tx`rollback to savepoint fp`;
    const [{ addr }] = await tx<{ addr: string }[]>`select coalesce(host(inet_server_addr()), 'local') || ':' || current_setting('port') as addr`;
    return `${addr}/${db}`;
  }
}

export function qualify(table: string): string {
  return table.includes(".") ? table : `public.${table}`;
}

export function requireTable(catalog: LegacyCatalog, table: string, where: string): Map<string, string> {
  const cols = catalog.tables.get(qualify(table));
  if (!cols) throw new AdoptError(`the legacy database has no table ${table} (${where})`);
  return cols;
}
