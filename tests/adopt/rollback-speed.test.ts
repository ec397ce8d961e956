// A rollback started right after a run is as fast as one started later. The target here is like a live one: other
// businesses' rows (the demo seed) and statistics gathered before the import, in which the new tenant and the new
// import do not exist. Without fresh statistics the planner takes both sides of the rollback's joins for one row
// and loops over every imported message once per imported message (minutes at bench:adopt's size); adopt refreshes
// them after large batches and before a rollback. Data: the bench:adopt legacy database (the WhatsApp bot,
// generated), at a size that keeps this file well under half a minute.
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { adoptJson, useLegacyDatabase } from "./helpers.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const db = useTestDatabase();
const legacy = useLegacyDatabase(db, "whatsapp-bot", { customers: 1500, conversations: 4000, messages: 24_000 });
const args = () => ["--from", legacy.url, "--mapping", "whatsapp-bot", "--tenant", "hermanos-speed"];

async function timedRollback(): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  const r = await adoptJson(db, "rollback", "--mapping", "whatsapp-bot", "--tenant", "hermanos-speed");
  return { ms: performance.now() - t0, rows: (r.deleted as { rows: number }[]).reduce((a, d) => a + d.rows, 0) };
}

beforeAll(async () => {
  await db.sql.unsafe(readFileSync(path.join(ROOT, "supabase", "seed.sql"), "utf8"));
  await db.sql`analyze`;
});

describe("adopt: rollback right after run", () => {
  it("is within 3× of a rollback of the same import once statistics have caught up", async () => {
    await adoptJson(db, "run", ...args());
    const early = await timedRollback();

    await adoptJson(db, "run", ...args());
    await db.sql`analyze`; // what autovacuum gets round to eventually
    const later = await timedRollback();

    expect(early.rows).toBe(later.rows);
    expect(early.rows).toBeGreaterThan(20_000);
    expect(early.ms, `right after the run ${Math.round(early.ms)} ms, later ${Math.round(later.ms)} ms`).toBeLessThan(3 * later.ms + 250);
  }, 60_000);
});
