// Shared by the adopt tests: a legacy fixture database beside the test file's target database (same cluster), the
// adopt command run in-process or as a child process, and checksums of a tenant's whole state.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { main } from "../../adopt/cli.ts";
import { loadFixture, type Scale, type System } from "../../adopt/fixtures/load.ts";
import type { TestDb } from "../helpers/db.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

export interface LegacyDb {
  name: string;
  url: string;
  sql: postgres.Sql;
}

export function onDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** A legacy database named legacy_<system>_<random>, built from the fixture in beforeAll, dropped in afterAll. */
export function useLegacyDatabase(db: TestDb, system: System, scale?: Scale): LegacyDb {
  const legacy = {} as LegacyDb;
  beforeAll(async () => {
    legacy.name = `legacy_${system.replace(/-/g, "_")}_${randomBytes(4).toString("hex")}`;
    await db.sql.unsafe(`create database ${legacy.name}`);
    legacy.url = onDatabase(db.url, legacy.name);
    legacy.sql = postgres(legacy.url, { max: 2, onnotice: () => {} });
    await loadFixture(legacy.sql, system, scale);
  });
  afterAll(async () => {
    await legacy.sql?.end();
    if (legacy.name) await db.sql.unsafe(`drop database if exists ${legacy.name} with (force)`);
  });
  return legacy;
}

export interface Outcome {
  code: number;
  out: string;
  err: string;
}

/** `adopt <args>` in this process, against the test database. */
export async function adopt(db: TestDb, ...args: string[]): Promise<Outcome> {
  let out = "";
  let err = "";
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) }, { ...process.env, DATABASE_URL: db.url });
  return { code, out, err };
}

/** `adopt <args> --json`, parsed; fails the test with the command's stderr when it does not exit 0. */
export async function adoptJson<T = any>(db: TestDb, ...args: string[]): Promise<T> {
  const r = await adopt(db, ...args, "--json", "--quiet");
  if (r.code !== 0) throw new Error(`adopt ${args.join(" ")} exited ${r.code}: ${r.err}${r.out}`);
  return JSON.parse(r.out) as T;
}

/**
 * The CLI as a child process. Node with tsx as its loader (`node --import tsx adopt/cli.ts`), not tsx's own CLI:
 * that one runs the script in a grandchild process, which a SIGKILL of the child would leave running.
 */
export function adoptProcess(db: TestDb, args: string[]): { child: ChildProcess; done: Promise<Outcome>; lines: string[] } {
  const child = spawn(process.execPath, ["--import", "tsx", "adopt/cli.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const lines: string[] = [];
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => {
    err += d;
    lines.push(...String(d).split("\n").filter(Boolean));
  });
  const done = new Promise<Outcome>((resolve) => child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 137 : 1), out, err })));
  return { child, done, lines };
}

/** Kills the CLI with SIGKILL once `batches` batches have been reported committed. */
export async function killAfterBatches(db: TestDb, args: string[], batches: number): Promise<{ committed: number; finished: boolean }> {
  const p = adoptProcess(db, args);
  const committed = () => p.lines.filter((l) => l.includes("committed")).length;
  const finished = await new Promise<boolean>((resolve) => {
    const timer = setInterval(() => {
      if (committed() >= batches) {
        p.child.kill("SIGKILL");
        clearInterval(timer);
        resolve(false);
      }
    }, 2);
    p.done.then(() => {
      clearInterval(timer);
      resolve(p.child.signalCode === null);
    });
  });
  await p.done;
  return { committed: committed(), finished };
}

export interface TableState {
  rows: number;
  md5: string;
}

/**
 * A tenant's whole state: every public table's rows of the tenant (the tenant row itself included), all columns but
 * updated_at (which triggers rewrite when derived rows are recomputed), as count + md5 of the sorted rows. The audit
 * log is left out on purpose: it is append-only history and keeps the record of an import and its rollback.
 */
export async function tenantState(sql: postgres.Sql, tenantId: string): Promise<Record<string, TableState>> {
  const tables = await sql<{ table: string; columns: string[] }[]>`
    select c.relname as table, array_agg(a.attname::text order by a.attnum) as columns
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = 'public' and c.relkind = 'r' and c.relname <> 'audit_log'
      and exists (select 1 from pg_attribute t where t.attrelid = c.oid and t.attname in ('tenant_id'))
    group by c.relname order by 1`;
  const state: Record<string, TableState> = {};
  for (const t of tables) {
    const cols = t.columns.filter((c) => c !== "updated_at").map((c) => `"${c}"`).join(", ");
    const [r] = await sql.unsafe(
      `select count(*)::int as rows, coalesce(md5(string_agg(x.line, E'\\n' order by x.line)), '') as md5
       from (select row(${cols})::text as line from public."${t.table}" where tenant_id = $1) x`,
      [tenantId],
    );
    state[t.table] = { rows: r.rows, md5: r.md5 };
  }
  const [tenant] = await sql.unsafe(
    `select count(*)::int as rows, coalesce(md5(string_agg(row(id, slug, name, category, timezone, address, phone, settings, status, created_at)::text, '')), '') as md5
     from public.tenants where id = $1`,
    [tenantId],
  );
  state.tenants = { rows: tenant.rows, md5: tenant.md5 };
  return state;
}

/** Per-entry target checksums from `adopt verify --json`: equal for equal imports, whatever the new ids. */
export function checksums(verify: { entries: { entry: string; checksum: { target: string }; created: { target: number } }[] }): Record<string, string> {
  return Object.fromEntries(verify.entries.map((e) => [e.entry, `${e.created.target}:${e.checksum.target}`]));
}

/** Rows of each public table in the tenant, as a member of another business sees them (should be none). */
export const TENANT_TABLES_SQL = `
  select c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = 'public' and c.relkind = 'r'
    and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id')
  order by 1`;
