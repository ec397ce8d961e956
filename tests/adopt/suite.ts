// The life of one adoption, the same for every legacy system: plan (and nothing written), run, verify clean, run
// again (nothing new), isolation from other tenants, rollback to the earlier state, and a run killed with SIGKILL
// midway (twice) that the next run finishes exactly as an uninterrupted run does.
import { expect, it } from "vitest";
import type { System } from "../../adopt/fixtures/load.ts";
import { asRequest, createUser, tokenFor, type TestDb } from "../helpers/db.ts";
import { tenantWithTeam } from "../helpers/tenants.ts";
import { adoptJson, checksums, killAfterBatches, tenantState, TENANT_TABLES_SQL, type LegacyDb } from "./helpers.ts";

type Counts = { import?: number; merge?: number; link?: number; skip?: number; adjust?: number };

export interface Expectations {
  /** Exact counts per entry, as plan and run report them. */
  entries: Record<string, Counts>;
  /** Reasons (substrings) the plan must give. */
  reasons: string[];
  /** A table whose imported rows a member of the tenant can read (the positive control of the isolation test). */
  visible: string;
}

interface Report { entry: string; rows: number; import: number; merge: number; link: number; skip: number; adjust: number; done: number; replaced: number; filled: number; reasons: { kind: string; reason: string; count: number }[] }

async function everyCount(db: TestDb): Promise<Record<string, number>> {
  const tables = await db.sql<{ table: string }[]>`
    select n.nspname || '.' || c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('public', 'private') and c.relkind = 'r' order by 1`;
  const out: Record<string, number> = {};
  for (const { table } of tables) {
    const [r] = await db.sql.unsafe(`select count(*)::int as n from ${table}`);
    out[table] = r.n;
  }
  return out;
}

const pick = (r: Report) => ({ import: r.import, merge: r.merge, link: r.link, skip: r.skip, adjust: r.adjust });
// What run must report exactly as plan did: the counts, and every value replaced by a default or nulled.
const announced = (r: Report) => ({ ...pick(r), replaced: r.replaced, filled: r.filled, replacements: r.reasons.filter((x) => x.kind === "replace").map((x) => `${x.count} × ${x.reason}`) });

export function adoptionSuite(db: TestDb, legacy: LegacyDb, system: System, expected: Expectations): void {
  const slug = `adopted-${system}`;
  const base = () => ["--from", legacy.url, "--mapping", system];
  let plan: { tenant: { action: string }; entries: Report[] };
  let uninterrupted: Record<string, string>;
  let tenantId: string;

  it("plan: says what will be imported, merged and skipped, and why, and writes nothing", async () => {
    const before = await everyCount(db);
    plan = await adoptJson(db, "plan", ...base(), "--tenant", slug);
    expect(await everyCount(db)).toEqual(before);
    expect(plan.tenant.action).toBe("create");
    for (const [entry, counts] of Object.entries(expected.entries)) {
      const r = plan.entries.find((e) => e.entry === entry);
      expect(r, entry).toBeDefined();
      expect(pick(r!), entry).toMatchObject(counts);
    }
    for (const r of plan.entries) expect(r.rows, r.entry).toBe(r.import + r.merge + r.link + r.skip + r.done);
    const reasons = plan.entries.flatMap((e) => e.reasons.map((x) => `${e.entry}: ${x.reason}`));
    for (const reason of expected.reasons) expect(reasons.some((r) => r.includes(reason)), `${reason} in ${reasons.join(" | ")}`).toBe(true);
  });

  it("run: imports what the plan announced; verify is clean; a second run imports nothing", async () => {
    const run = await adoptJson<{ tenantId: string; entries: Report[] }>(db, "run", ...base(), "--tenant", slug, "--batch-size", "40");
    tenantId = run.tenantId;
    expect(run.entries.map(announced)).toEqual(plan.entries.map(announced));
    const verify = await adoptJson(db, "verify", ...base(), "--tenant", slug);
    expect(verify.ok, JSON.stringify(verify.entries.filter((e: { ok: boolean }) => !e.ok))).toBe(true);
    uninterrupted = checksums(verify);

    const before = await tenantState(db.sql, tenantId);
    const again = await adoptJson<{ entries: Report[]; imported: number }>(db, "run", ...base(), "--tenant", slug);
    expect(again.imported).toBe(0);
    for (const r of again.entries) expect(r.done, r.entry).toBe(r.rows - r.skip);
    for (const r of again.entries) expect(r.replaced, r.entry).toBe(0); // nothing written, nothing replaced
    expect(await tenantState(db.sql, tenantId)).toEqual(before);
    expect((await adoptJson(db, "plan", ...base(), "--tenant", slug)).entries.every((e: Report) => e.import === 0 && e.merge === 0)).toBe(true);
  });

  it("the imported business is isolated like any other: another tenant's members see none of it", async () => {
    const other = await tenantWithTeam(db, "neighbour");
    const tables = (await db.sql.unsafe(TENANT_TABLES_SQL)).map((r) => r.table as string);
    for (const role of ["owner", "staff"] as const) {
      const seen = await asRequest(db, other.members[role].token, async (tx) => {
        const out: Record<string, number> = {};
        for (const t of tables) {
          const [r] = await tx.unsafe(`select count(*)::int as n from public."${t}" where tenant_id = $1`, [tenantId]);
          if (r.n) out[t] = r.n;
        }
        const [tenant] = await tx`select count(*)::int as n from public.tenants where id = ${tenantId}`;
        if (tenant.n) out.tenants = tenant.n;
        return out;
      });
      expect(seen, role).toEqual({});
    }
    // The control: a member of the imported business does see its rows through the same policies.
    const member = await createUser(db, "adopted-staff");
    await db.sql`insert into public.memberships (tenant_id, user_id, role) values (${tenantId}, ${member.id}, 'staff')`;
    const token = await tokenFor(db, member.id);
    const [{ n }] = await asRequest(db, token, (tx) => tx.unsafe(`select count(*)::int as n from public."${expected.visible}"`));
    const [{ total }] = await db.sql.unsafe(`select count(*)::int as total from public."${expected.visible}" where tenant_id = $1`, [tenantId]);
    expect(n).toBe(total);
    expect(total).toBeGreaterThan(0);
    await db.sql`delete from public.memberships where tenant_id = ${tenantId} and user_id = ${member.id}`;
  });

  it("rollback: removes exactly what the import created, back to the earlier state (here: no such business)", async () => {
    const absent = await tenantState(db.sql, "00000000-0000-0000-0000-000000000000");
    const r = await adoptJson(db, "rollback", "--mapping", system, "--tenant", slug);
    expect(r.tenantDeleted).toBe(true);
    expect(await tenantState(db.sql, tenantId)).toEqual(absent);
    const [{ n }] = await db.sql`select count(*)::int as n from private.import_ledger l join private.imports i on i.id = l.import_id where i.tenant_id = ${tenantId}`;
    expect(n).toBe(0);
  });

  it("kill -9 midway, twice: the next run finishes with the same result as an uninterrupted import", async () => {
    const again = `resumed-${system}`;
    const args = ["run", ...base(), "--tenant", again, "--batch-size", "10", "--pause-ms", "25"];
    const first = await killAfterBatches(db, args, 3);
    expect(first.finished).toBe(false);
    const [partial] = await db.sql`
      select i.status, count(l.*)::int as ledger from private.imports i left join private.import_ledger l on l.import_id = i.id
      where i.tenant_slug = ${again} and i.status <> 'rolled_back' group by i.status`;
    expect(partial.status).toBe("running");
    expect(partial.ledger).toBeGreaterThan(0);
    const second = await killAfterBatches(db, args, 3);
    expect(second.finished).toBe(false);
    await adoptJson(db, "run", ...base(), "--tenant", again, "--batch-size", "10");
    const verify = await adoptJson(db, "verify", ...base(), "--tenant", again);
    expect(verify.ok).toBe(true);
    expect(checksums(verify)).toEqual(uninterrupted);
    await adoptJson(db, "rollback", "--mapping", system, "--tenant", again);
  });
}
