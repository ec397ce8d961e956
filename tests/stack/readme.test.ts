// The README a newcomer follows: it points at nothing outside the repository, documents every API-key scope and every
// memory field the API takes, and its supabase-js example runs as written against a local gateway — on Node with a
// WebSocket of its own (22) and without one (20) — while the same client without the `ws` transport does not.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../local/supabase-cli.ts";
import { API_KEY_SCOPES } from "../../supabase/functions/_shared/api-keys/format.ts";
import { forgetInput, memoryInput, recallInput, storeInput } from "../../supabase/functions/_shared/memory/memory.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { tenantWithTeam } from "../helpers/tenants.ts";

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("the README points only inside the repository", () => {
  it("has no path out of the checkout and no seeds folder", () => {
    expect(readme).not.toMatch(/\.\.\//);
    expect(readme).not.toMatch(/\bseeds\b/);
  });

  it("names only repository paths that exist", () => {
    const paths = [...readme.matchAll(/`((?:supabase|local|adopt|tests|bench)\/[^`\s]*)`/g)].map((m) => m[1])
      .filter((p) => !/[*<>…{}|]/.test(p) && !p.endsWith("/.env"))
      .map((p) => p.replace(/[.,:;]$/, ""));
    expect(paths.length).toBeGreaterThan(10);
    const missing = [...new Set(paths)].filter((p) => !existsSync(path.join(ROOT, p)));
    expect(missing).toEqual([]);
  });
});

describe("the README documents the API's inputs", () => {
  const row = (text: string, name: string) => text.split("\n").find((l) => l.startsWith(`| \`${name}\``));

  it("every API-key scope, with what it allows", () => {
    const section = readme.slice(readme.indexOf("API-key scopes"));
    for (const scope of API_KEY_SCOPES) expect(row(section, scope), scope).toMatch(/\| \S/);
  });

  it("every memory field, including the profile's (display_name, not name)", () => {
    const section = readme.slice(readme.indexOf("`POST /memory` fields"));
    expect(row(section, "caller")).toBeDefined();
    const memories = row(section, "memories[]")!;
    for (const field of Object.keys(memoryInput.shape)) expect(memories, field).toContain(`\`${field}\``);
    const profileSchema = storeInput.shape.profile.unwrap();
    const profile = row(section, "profile")!;
    for (const field of Object.keys(profileSchema.shape)) expect(profile, field).toContain(`\`${field}\``);
    expect(Object.keys(storeInput.shape).sort()).toEqual(["caller", "memories", "profile"]);
    for (const field of [...Object.keys(recallInput.shape), ...Object.keys(forgetInput.shape)]) expect(section).toContain(`\`${field}\``);
  });
});

describe("the README's supabase-js example", () => {
  const db = useTestDatabase();
  const fns = useFunctions(db);
  const marker = readme.indexOf("<!-- example: supabase-js on Node 20 and 22");
  const code = /```js\n([\s\S]*?)```/.exec(readme.slice(marker))![1];
  const dir = path.join(ROOT, ".frontdesk", `readme-example-${process.pid}`);

  function run(source: string, flags: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `app-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(file, source);
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [...flags, file], { cwd: ROOT, env: { ...process.env, ...env } });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.once("close", (c) => {
        rmSync(file, { force: true });
        resolve({ code: c, out });
      });
    });
  }

  const major = Number(process.versions.node.split(".")[0]);
  // Node 20/21 gain a global WebSocket with a flag; 22+ have one and lose it with the opposite flag.
  const withWebSocket = major < 22 ? ["--experimental-websocket"] : [];
  const withoutWebSocket = major < 22 ? [] : ["--no-experimental-websocket"];

  it("runs as written, with and without a native WebSocket", async () => {
    expect(marker).toBeGreaterThan(0);
    const shop = await tenantWithTeam(db, "example");
    const env = { SUPABASE_URL: fns.apiUrl, DEMO_TOKEN: shop.members.owner.token };
    try {
      for (const flags of [withoutWebSocket, withWebSocket]) {
        const res = await run(code, flags, env);
        expect(res.out, `node ${flags.join(" ")}`).toContain(`${shop.slug} (owner)`);
        expect(res.out).toContain("REST: 501 not_served_locally");
        expect(res.code).toBe(0);
      }
      // Control: the same client without the ws transport does not start where Node has no WebSocket.
      const bare = code.replace(/^\s*realtime: \{ transport: ws \},.*$/m, "");
      expect(bare).not.toEqual(code);
      const res = await run(bare, withoutWebSocket, env);
      expect(res.code).not.toBe(0);
      expect(res.out).toMatch(/WebSocket/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
