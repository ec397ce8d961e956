// The README's adoption commands, as written, on a fresh stack (migrations and the demo seed): the fixture is loaded
// with `npm run adopt -- fixtures load` (no psql), then plan, run, verify and rollback into the seeded fade-house,
// which already has opening hours, services and customers of its own. Only the stack's address is the test's.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { adopt, tenantState } from "./helpers.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const db = useTestDatabase();
const legacyName = `legacy_barbershop_${randomBytes(4).toString("hex")}`;

/** The `npm run adopt -- …` lines of the README's adoption section, with the stack's address and the legacy
 * database's name made this test's. */
function readmeCommands(): string[][] {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Adopting a legacy database"));
  const block = /```bash\n([\s\S]*?)```/.exec(section)![1];
  const u = new URL(db.url);
  return block.split("\n").filter((l) => l.startsWith("npm run adopt -- ")).map((line) =>
    line.replace(/\s+#.*$/, "").replace(/127\.0\.0\.1:54322/g, `${u.hostname}:${u.port}`).replace(/legacy_barbershop\b/g, legacyName)
      .slice("npm run adopt -- ".length).trim().split(/\s+/));
}

let commands: string[][];
let fadeHouse: string;
const byVerb = (verb: string) => commands.find((c) => c[0] === verb)!;

beforeAll(async () => {
  await db.sql.unsafe(readFileSync(path.join(ROOT, "supabase", "seed.sql"), "utf8"));
  [{ id: fadeHouse }] = await db.sql`select id from public.tenants where slug = 'fade-house'`;
  commands = readmeCommands();
});

afterAll(async () => {
  await db.sql.unsafe(`drop database if exists ${legacyName} with (force)`);
});

describe("README: adopting a legacy database", () => {
  it("lists the five commands, in order", () => {
    expect(commands.map((c) => c.slice(0, 2).join(" "))).toEqual(["fixtures load", "plan --from", "run --from", "verify --from", "rollback --mapping"]);
  });

  it("`npm run adopt -- fixtures load barbershop --into …` creates and loads the legacy database (no psql)", () => {
    const r = spawnSync("npm", ["run", "--silent", "adopt", "--", ...byVerb("fixtures")], { cwd: ROOT, encoding: "utf8", env: process.env, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`loaded fixture barbershop into new database ${legacyName}`);
    expect(r.stdout).toMatch(/appointments\s+2\d\d\n/);
    // A second load into the same database is refused, and changes nothing.
    const again = spawnSync("npm", ["run", "--silent", "adopt", "--", ...byVerb("fixtures")], { cwd: ROOT, encoding: "utf8", env: process.env, timeout: 60_000 });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^adopt: database legacy_barbershop_[0-9a-f]+ already holds tables \(public\./);
  });

  it("plan, run, verify and rollback into the seeded fade-house succeed; plan announces what run does; rollback restores it", async () => {
    const before = await tenantState(db.sql, fadeHouse);
    const plan = await adopt(db, ...byVerb("plan"), "--json");
    expect(plan.code, plan.err).toBe(0);
    const planned = JSON.parse(plan.out);
    expect(planned.tenant.action).toBe("use");
    // Fade House already has opening hours: the legacy hours that overlap them are skipped, and plan says so.
    const hours = planned.entries.find((e: { entry: string }) => e.entry === "hours");
    const [{ clashing }] = await db.sql`
      select count(*)::int as clashing from public.business_hours where tenant_id = ${fadeHouse}`;
    expect(clashing).toBeGreaterThan(0);
    expect(hours.skip).toBeGreaterThan(0);
    expect(hours.reasons.map((r: { reason: string }) => r.reason)).toContain("conflicts with the tenant's existing business_hours rows (business_hours_no_overlap)");

    const run = await adopt(db, ...byVerb("run"), "--json", "--quiet");
    expect(run.code, run.err).toBe(0);
    const pick = (e: { entry: string; import: number; merge: number; link: number; skip: number; replaced: number; filled: number }) =>
      [e.entry, e.import, e.merge, e.link, e.skip, e.replaced, e.filled];
    expect(JSON.parse(run.out).entries.map(pick)).toEqual(planned.entries.map(pick));

    const verify = await adopt(db, ...byVerb("verify"));
    expect(verify.code, verify.out + verify.err).toBe(0);
    expect(verify.out).toContain("no differences beyond what the plan announces");

    const rollback = await adopt(db, ...byVerb("rollback"));
    expect(rollback.code, rollback.err).toBe(0);
    expect(rollback.out).toContain("rolled back import");
    expect(await tenantState(db.sql, fadeHouse)).toEqual(before);
  });

  it("the legacy database was only read", async () => {
    const legacy = postgres(db.url.replace(/\/[^/]*$/, `/${legacyName}`), { max: 1, onnotice: () => {} });
    try {
      const [{ n }] = await legacy`select count(*)::int as n from appointments`;
      expect(n).toBeGreaterThan(200);
    } finally {
      await legacy.end();
    }
  });
});
