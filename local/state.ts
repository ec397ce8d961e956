// What `npm run dev` started, written to one state file (.frontdesk/state.json, or FRONTDESK_STATE_FILE) so every tool
// (replay, advisors, adopt, the simulator, `npm run token`, the benchmarks) follows a stack whose ports were moved
// without repeating variables. The file is written once the stack is ready and removed when it stops; a file left by
// a process that is gone is ignored.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { API_PORT, DB_PORT } from "./keys.ts";
import { dbUrl } from "./postgres.ts";
import { ROOT } from "./supabase-cli.ts";

export interface LocalState {
  version: 1;
  /** The `npm run dev` process. */
  pid: number;
  startedAt: string;
  /** The data folder asked for (absent when the database is DATABASE_URL's). */
  dataDir?: string;
  dbPort?: number;
  /** The PostgreSQL server's pid, when this stack runs its own. */
  dbPid?: number;
  apiPort: number;
  apiUrl: string;
  functionsUrl: string;
  dbUrl: string;
  /** What Supabase Auth would put in `iss` on this stack. */
  authIssuer: string;
  publishableKey: string;
  secretKey: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  whatsappAppSecret: string;
  whatsappVerifyToken: string;
  encryptionKey: string;
}

type Env = Record<string, string | undefined>;

export function stateFile(env: Env = process.env): string {
  return env.FRONTDESK_STATE_FILE ? path.resolve(env.FRONTDESK_STATE_FILE) : path.join(ROOT, ".frontdesk", "state.json");
}

/** True when `pid` is a live process (and, where /proc tells, one that could be ours: node or postgres). */
export function processAlive(pid: number, name?: RegExp): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (name && existsSync(`/proc/${pid}/cmdline`)) {
    try {
      return name.test(readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " "));
    } catch {
      return false;
    }
  }
  return true;
}

/** The state file's content, whether or not its process still runs. */
export function readStateFile(env: Env = process.env): { state: LocalState; live: boolean } | undefined {
  const file = stateFile(env);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, "utf8")) as LocalState;
    return { state, live: processAlive(state.pid, /node|tsx|dev\.ts/) };
  } catch {
    return undefined;
  }
}

/** The running stack, or undefined when none is recorded (or its process is gone). */
export function readState(env: Env = process.env): LocalState | undefined {
  const found = readStateFile(env);
  return found?.live ? found.state : undefined;
}

export function writeState(state: LocalState, env: Env = process.env): string {
  const file = stateFile(env);
  mkdirSync(path.dirname(file), { recursive: true });
  // Written whole or not at all: a reader never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}

/** Removes the state file if this process wrote it. */
export function removeState(env: Env = process.env, pid = process.pid): void {
  const found = readStateFile(env);
  if (found && found.state.pid === pid) rmSync(stateFile(env), { force: true });
}

/** The running stack's database, else the default port (moved by FRONTDESK_DB_PORT). DATABASE_URL is not consulted. */
export function stackDbUrl(env: Env = process.env): string {
  return readState(env)?.dbUrl ?? dbUrl(Number(env.FRONTDESK_DB_PORT || DB_PORT));
}

/** The database a tool should use: DATABASE_URL when set, else the running stack's (see stackDbUrl). */
export function localDbUrl(env: Env = process.env): string {
  return env.DATABASE_URL || stackDbUrl(env);
}

/** The API URL a tool should call: SUPABASE_URL when set, else the running stack's, else the default port. */
export function localApiUrl(env: Env = process.env): string {
  return env.SUPABASE_URL || readState(env)?.apiUrl || `http://127.0.0.1:${Number(env.FRONTDESK_API_PORT || API_PORT)}`;
}
