// The state file's rules, as every tool applies them: a live stack's file is followed, a file left by a process that
// is gone is ignored, DATABASE_URL / SUPABASE_URL override it, FRONTDESK_DB_PORT / FRONTDESK_API_PORT are the fallback.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localApiUrl, localDbUrl, readState, removeState, stackDbUrl, writeState, type LocalState } from "../../local/state.ts";
import { scratchDir } from "../helpers/dev.ts";

const dir = scratchDir("frontdesk-state-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stateFor(pid: number, port: number): LocalState {
  return {
    version: 1, pid, startedAt: new Date().toISOString(), dataDir: "/x", dbPort: port, apiPort: port + 1,
    apiUrl: `http://127.0.0.1:${port + 1}`, functionsUrl: `http://127.0.0.1:${port + 1}/functions/v1`,
    dbUrl: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`, authIssuer: `http://127.0.0.1:${port + 1}/auth/v1`,
    publishableKey: "p", secretKey: "s", anonKey: "a", serviceRoleKey: "r", jwtSecret: "j", whatsappAppSecret: "w",
    whatsappVerifyToken: "v", encryptionKey: "e",
  };
}

describe("the state file", () => {
  it("is followed while its process lives, and overridden by DATABASE_URL / SUPABASE_URL", () => {
    const env = { FRONTDESK_STATE_FILE: path.join(dir, "live.json") };
    writeState(stateFor(process.pid, 61000), env);
    expect(readState(env)?.dbPort).toBe(61000);
    expect(localDbUrl(env)).toBe("postgresql://postgres:postgres@127.0.0.1:61000/postgres");
    expect(localApiUrl(env)).toBe("http://127.0.0.1:61001");
    expect(localDbUrl({ ...env, DATABASE_URL: "postgresql://u:p@db.example:5432/x" })).toBe("postgresql://u:p@db.example:5432/x");
    expect(stackDbUrl({ ...env, DATABASE_URL: "postgresql://u:p@db.example:5432/x" })).toContain(":61000/");
    expect(localApiUrl({ ...env, SUPABASE_URL: "https://ref.supabase.co" })).toBe("https://ref.supabase.co");
    removeState(env);
    expect(readState(env)).toBeUndefined();
  });

  it("left by a process that is gone, is ignored: the default ports (moved by the variables) apply", () => {
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const env = { FRONTDESK_STATE_FILE: path.join(dir, "stale.json") };
    writeState(stateFor(Number(gone.stdout), 61100), env);
    expect(readState(env)).toBeUndefined();
    expect(localDbUrl(env)).toBe("postgresql://postgres:postgres@127.0.0.1:54322/postgres");
    expect(localDbUrl({ ...env, FRONTDESK_DB_PORT: "61200" })).toBe("postgresql://postgres:postgres@127.0.0.1:61200/postgres");
    expect(localApiUrl({ ...env, FRONTDESK_API_PORT: "61201" })).toBe("http://127.0.0.1:61201");
    // Only its writer removes a state file.
    removeState(env);
    expect(readState({ ...env })).toBeUndefined();
  });
});
