// What every command starts from: the mapping (validated), the target database (as the migration owner, who
// bypasses RLS like a migration does) and, except for rollback, the legacy database (read-only).
import postgres from "postgres";
import { connectLegacy, type LegacySql } from "./db/legacy.ts";
import { APP_NAME, withClientCheck } from "./db/interrupt.ts";
import { noDelay } from "./db/socket.ts";
import { loadTargetCatalog, type TargetCatalog } from "./db/target-catalog.ts";
import { AdoptError, connectionError } from "./errors.ts";
import { loadMapping, type LoadedMapping } from "./mapping/load.ts";
import { stackDbUrl } from "../local/state.ts";

// The running local stack's database (.frontdesk/state.json), else the default port.
export const DEFAULT_TARGET = stackDbUrl();

export interface Options {
  from?: string;
  mapping: string;
  tenant: string;
  targetUrl: string;
  params: Record<string, string>;
  batchSize: number;
  /** run: pause after each committed batch. */
  pauseMs: number;
  json: boolean;
  keepTenant: boolean;
  /** Where progress and human output go (the CLI passes process streams; tests capture them). */
  out: (text: string) => void;
  err: (text: string) => void;
  progress: boolean;
}

export interface Session {
  loaded: LoadedMapping;
  target: postgres.Sql;
  catalog: TargetCatalog;
  legacy?: LegacySql;
}

async function connectTarget(url: string): Promise<postgres.Sql> {
  let sql: postgres.Sql;
  try {
    sql = await withClientCheck((extra) => postgres(url, {
      max: 4,
      onnotice: () => {},
      connect_timeout: 10,
      ...noDelay,
      idle_timeout: 0,
      connection: { application_name: APP_NAME, TimeZone: "UTC", ...extra },
    }));
  } catch (err) {
    throw connectionError("target database", url, err);
  }
  try {
    const [row] = await sql`select to_regclass('private.import_ledger') is not null as ready`;
    if (!row.ready) {
      throw new AdoptError("the target database has no import ledger (private.import_ledger): apply the migrations first");
    }
  } catch (err) {
    await sql.end({ timeout: 0 }).catch(() => {});
    if (err instanceof AdoptError) throw err;
    throw connectionError("target database", url, err);
  }
  return sql;
}

export async function openSession(opts: Options, needLegacy: boolean): Promise<Session> {
  const loaded = loadMapping(opts.mapping, opts.params);
  if (needLegacy && !opts.from) throw new AdoptError("--from <legacy postgres url> is required for this command", 2);
  const target = await connectTarget(opts.targetUrl);
  let legacy: LegacySql | undefined;
  try {
    if (needLegacy) legacy = await connectLegacy(opts.from!);
    const catalog = await loadTargetCatalog(target);
    return { loaded, target, catalog, legacy };
  } catch (err) {
    await target.end({ timeout: 0 }).catch(() => {});
    await legacy?.end({ timeout: 0 }).catch(() => {});
    throw err;
  }
}

export async function closeSession(s: Session): Promise<void> {
  await Promise.all([s.target.end({ timeout: 5 }), s.legacy?.end({ timeout: 5 })]);
}
