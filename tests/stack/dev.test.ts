// `npm run dev` end to end, on side ports and a scratch data folder: cold start, the printed banner and demo token
// working with curl-like calls, warm start keeping data, --reset rebuilding, and Ctrl-C stopping every process.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePorts } from "../../local/ports.ts";
import { twinDataFolder } from "../../local/postgres.ts";
import { scratchDir } from "../helpers/dev.ts";
import { ROOT } from "../../local/supabase-cli.ts";

// Ports the OS says are free, beside the default stack and the suite's own cluster.
const [DB_PORT, API_PORT] = await freePorts(2);
const dataDir = scratchDir("frontdesk-dev-");
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(twinDataFolder(path.join(dataDir, "db")), { recursive: true, force: true });
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
  });
}

async function startDev(...args: string[]) {
  const readyFile = path.join(dataDir, `ready-${Date.now()}.json`);
  const env: NodeJS.ProcessEnv = {
    ...process.env, FRONTDESK_DATA_DIR: path.join(dataDir, "db"), FRONTDESK_DB_PORT: String(DB_PORT),
    FRONTDESK_API_PORT: String(API_PORT), FRONTDESK_READY_FILE: readyFile,
    FRONTDESK_STATE_FILE: path.join(dataDir, "state.json"),
  };
  delete env.DATABASE_URL;
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "local/dev.ts", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  running.push(child);
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited ${child.exitCode}:\n${output}`);
    if (Date.now() - started > 150_000) throw new Error(`npm run dev not ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 50)); // let the banner flush
  const ready = JSON.parse(readFileSync(readyFile, "utf8"));
  return { child, ready, output: () => output, ms: Date.now() - started };
}

async function stop(child: ChildProcess) {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGINT");
  await exited;
}

const tenants = (token: string) =>
  fetch(`http://127.0.0.1:${API_PORT}/functions/v1/onboarding/tenants`, { headers: { authorization: `Bearer ${token}` } });

describe("npm run dev", () => {
  it("starts cold, prints what supabase start prints plus a working demo token, and stops everything on Ctrl-C", async () => {
    const cold = await startDev();
    const banner = cold.output();
    for (const label of ["API URL", "Functions URL", "DB URL", "Publishable key", "Secret key", "JWT secret", "anon key", "service_role key", "Demo owner token"]) {
      expect(banner).toContain(`${label}:`);
    }
    expect(banner).toContain("sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH");
    expect(banner).toContain(`postgresql://postgres:postgres@127.0.0.1:${DB_PORT}/postgres`);
    const res = await tenants(cold.ready.demoToken);
    expect(res.status).toBe(200);
    expect((await res.json()).tenants).toEqual([expect.objectContaining({ slug: "fade-house", role: "owner" })]);
    const created = await fetch(`http://127.0.0.1:${API_PORT}/functions/v1/onboarding`, {
      method: "POST", headers: { authorization: `Bearer ${cold.ready.demoToken}` }, body: JSON.stringify({ slug: "kept-across-restarts", name: "Kept" }),
    });
    expect(created.status).toBe(201);
    await stop(cold.child);
    expect(await portOpen(API_PORT)).toBe(false);
    expect(await portOpen(DB_PORT)).toBe(false);

    const warm = await startDev();
    const kept = await (await tenants(warm.ready.demoToken)).json();
    expect(kept.tenants.map((t: { slug: string }) => t.slug).sort()).toEqual(["fade-house", "kept-across-restarts"]);
    await stop(warm.child);

    const reset = await startDev("--reset");
    const fresh = await (await tenants(reset.ready.demoToken)).json();
    expect(fresh.tenants.map((t: { slug: string }) => t.slug)).toEqual(["fade-house"]);
    await stop(reset.child);
    expect(await portOpen(API_PORT)).toBe(false);
    expect(await portOpen(DB_PORT)).toBe(false);
    console.log(`npm run dev to ready: cold ${cold.ready.readyMs} ms, warm ${warm.ready.readyMs} ms, --reset ${reset.ready.readyMs} ms`);
  });

  it("rejects an unknown option with a message and a non-zero exit", async () => {
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "local/dev.ts", "--bogus"], { cwd: ROOT });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(2);
    expect(err).toMatch(/unknown option --bogus/);
  });
});
