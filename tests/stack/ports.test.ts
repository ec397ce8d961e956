// The suite's ports and files: one fixed port (the suite's own cluster, FRONTDESK_TEST_DB_PORT, read only by the
// global setup); every other listener on a port the OS reports free; scratch folders the database's OS user can use,
// so nothing is copied elsewhere in /tmp and left behind; gen:types on a free port, not a fixed one another tool holds.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, freePorts, portFree } from "../../local/ports.ts";
import { startCluster, twinDataFolder } from "../../local/postgres.ts";
import { ROOT } from "../../local/supabase-cli.ts";
import { runScript, scratchDir } from "../helpers/dev.ts";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function testFiles(dir = path.join(ROOT, "tests")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []);
}

describe("ports", () => {
  it("freePort/freePorts give distinct ports nothing listens on", async () => {
    const ports = await freePorts(3);
    expect(new Set(ports).size).toBe(3);
    for (const p of ports) expect(await portFree(p)).toBe(true);
    const server: Server = await new Promise((resolve) => {
      const s = createServer();
      s.listen(ports[0], "127.0.0.1", () => resolve(s));
    });
    expect(await portFree(ports[0])).toBe(false);
    server.close();
  });

  it("no test derives a port from the suite's cluster port or hard-codes one for a server it starts", () => {
    const offenders = testFiles()
      .filter((f) => !f.endsWith(path.join("setup", "global.ts")) && !f.endsWith("ports.test.ts"))
      .filter((f) => {
        const text = readFileSync(f, "utf8");
        return /FRONTDESK_TEST_DB_PORT/.test(text) || /startCluster\(\{[^}]*port:\s*\d/.test(text) || /startFunctions\(\{[^}]*port:\s*[1-9]/.test(text);
      })
      .map((f) => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it("the benchmarks and gen:types default to free ports, never fixed ones", () => {
    const files = [...readdirSync(path.join(ROOT, "bench")).filter((f) => f.endsWith(".ts")).map((f) => path.join(ROOT, "bench", f)), path.join(ROOT, "local", "gen-types.ts")];
    const fixed = files.filter((f) => /PORT\s*\?\?\s*\d{4,5}|port:\s*\d{4,5}/.test(readFileSync(f, "utf8"))).map((f) => path.relative(ROOT, f));
    expect(fixed).toEqual([]);
  });
});

describe("scratch data folders", () => {
  it("a cluster in a scratch folder uses that folder (no /tmp copy), and removing the folder removes everything", async () => {
    const dir = scratchDir("frontdesk-ports-");
    made.push(dir);
    const cluster = await startCluster({ dataDir: dir, port: await freePort() });
    try {
      expect(cluster.dataDir).toBe(dir);
      expect(existsSync(twinDataFolder(dir))).toBe(false);
      expect(existsSync(path.join(dir, "pgdata", "PG_VERSION"))).toBe(true);
    } finally {
      await cluster.stop();
    }
    rmSync(dir, { recursive: true, force: true });
    expect(existsSync(dir)).toBe(false);
  });
});

describe("npm run gen:types", () => {
  it("uses a free port (not 54342, held here) and a scratch folder it removes", async () => {
    let blocker: Server | undefined;
    if (await portFree(54342)) {
      blocker = await new Promise((resolve) => {
        const s = createServer();
        s.listen(54342, "127.0.0.1", () => resolve(s));
      });
    }
    const dir = scratchDir("frontdesk-types-out-");
    made.push(dir);
    const out = path.join(dir, "database.types.ts");
    const before = new Set(readdirSync(path.dirname(dir)).filter((n) => n.startsWith("frontdesk-types-")));
    try {
      const res = await runScript("local/gen-types.ts", ["--out", out], {}, { timeoutMs: 120_000 });
      expect(res.stderr).toBe("");
      expect(res.code).toBe(0);
      expect(statSync(out).size).toBeGreaterThan(1000);
      expect(readFileSync(out, "utf8")).toContain("export type Database");
    } finally {
      blocker?.close();
    }
    const after = readdirSync(path.dirname(dir)).filter((n) => n.startsWith("frontdesk-types-") && !before.has(n));
    expect(after).toEqual([]);
  }, 150_000);
});
