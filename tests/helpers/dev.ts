// Runs `npm run dev` (local/dev.ts under tsx) as a child process on free ports with its own data folder and state
// file, and the repository's CLI scripts against it, as a person at a terminal would.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePorts } from "../../local/ports.ts";
import { twinDataFolder } from "../../local/postgres.ts";
import { ROOT } from "../../local/supabase-cli.ts";

export const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

/** The environment of a shell with none of the variables that would point a tool elsewhere. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...extra };
  for (const v of ["DATABASE_URL", "SUPABASE_URL", "WHATSAPP_APP_SECRET", "FRONTDESK_DB_PORT", "FRONTDESK_API_PORT", "FRONTDESK_DATA_DIR", "FRONTDESK_STATE_FILE", "FRONTDESK_READY_FILE"]) {
    if (!(v in extra)) delete env[v];
  }
  return env;
}

/**
 * A scratch folder under the system temp folder that the database's OS user can enter (mkdtemp makes it 0700), so
 * under root the server uses the folder itself rather than a copy elsewhere in /tmp that nothing would remove.
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

export interface DevSetup {
  dir: string;
  dbPort: number;
  apiPort: number;
  dataDir: string;
  stateFile: string;
  /** The variables this stack runs with. */
  env: Record<string, string>;
}

export async function devSetup(prefix = "frontdesk-dev-"): Promise<DevSetup> {
  const dir = scratchDir(prefix);
  const [dbPort, apiPort] = await freePorts(2);
  const dataDir = path.join(dir, "db");
  const stateFile = path.join(dir, "state.json");
  return {
    dir, dbPort, apiPort, dataDir, stateFile,
    env: { FRONTDESK_DATA_DIR: dataDir, FRONTDESK_DB_PORT: String(dbPort), FRONTDESK_API_PORT: String(apiPort), FRONTDESK_STATE_FILE: stateFile },
  };
}

export interface RunningDev {
  child: ChildProcess;
  ready: { readyMs: number; demoToken: string; stateFile: string } & Record<string, unknown>;
  output(): string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

/** Starts `npm run dev` and resolves once it is ready (its ready file written). */
export async function startDev(setup: DevSetup, ...args: string[]): Promise<RunningDev> {
  const readyFile = path.join(setup.dir, `ready-${Date.now()}.json`);
  const child = spawn(process.execPath, [TSX, "local/dev.ts", ...args], {
    cwd: ROOT, env: cleanEnv({ ...setup.env, FRONTDESK_READY_FILE: readyFile }), stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const started = Date.now();
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited ${child.exitCode}:\n${output}`);
    if (Date.now() - started > 150_000) throw new Error(`npm run dev not ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 50)); // let the banner flush
  return { child, ready: JSON.parse(readFileSync(readyFile, "utf8")), output: () => output, exited };
}

export async function stopDev(dev: RunningDev): Promise<number | null> {
  if (dev.child.exitCode === null) dev.child.kill("SIGINT");
  return dev.exited;
}

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs a repository script (e.g. "local/token.ts") under tsx with `env` on top of a clean environment. */
export function runScript(script: string, args: string[], env: Record<string, string>, opts: { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSX, script, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Stops whatever is left (a failed test: Ctrl-C first, so each stack stops its database) and removes the folder. */
export async function cleanup(setup?: DevSetup): Promise<void> {
  const left = children.filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(left.map((c) => new Promise<void>((resolve) => {
    const timer = setTimeout(() => { c.kill("SIGKILL"); resolve(); }, 10_000);
    c.once("exit", () => { clearTimeout(timer); resolve(); });
    c.kill("SIGINT");
  })));
  if (setup) {
    rmSync(setup.dir, { recursive: true, force: true });
    rmSync(twinDataFolder(setup.dataDir), { recursive: true, force: true });
  }
}
