// An interrupted client stops its backend's work: a rollback held up in the database (here by a lock the test holds)
// is cancelled when the command gets Ctrl-C, and ended by the server itself when the command is killed outright
// (kill -9) — in both cases the rollback's transaction is rolled back and the import is as it was.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { adoptJson, adoptProcess, useLegacyDatabase } from "./helpers.ts";

const db = useTestDatabase();
const legacy = useLegacyDatabase(db, "barbershop");
const slug = "interrupted-rollback";
let tenantId: string;
let ledgerRows: number;

beforeAll(async () => {
  const run = await adoptJson(db, "run", "--from", legacy.url, "--mapping", "barbershop", "--tenant", slug);
  tenantId = run.tenantId;
  [{ n: ledgerRows }] = await db.sql`select count(*)::int as n from private.import_ledger where import_id = ${run.importId}`;
});

afterAll(async () => {
  await adoptJson(db, "rollback", "--mapping", "barbershop", "--tenant", slug);
});

/** This process's adopt sessions that are running a statement (not idle). */
async function busy(pid: number): Promise<number> {
  const [{ n }] = await db.sql`
    select count(*)::int as n from pg_stat_activity where application_name = ${`frontdesk-adopt/${pid}`} and state <> 'idle'`;
  return n;
}

async function until(what: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

async function heldUpRollback(signal: NodeJS.Signals) {
  // The test holds a lock the rollback needs, so the rollback's backend waits in the database.
  const holder = postgres(db.url, { max: 1, onnotice: () => {} });
  const locked = holder.begin(async (tx) => {
    await tx`lock table public.customer_service_preferences in access exclusive mode`;
    const p = adoptProcess(db, ["rollback", "--mapping", "barbershop", "--tenant", slug]);
    const pid = p.child.pid!;
    expect(await until(async () => (await busy(pid)) > 0, 15_000), "the rollback reaches the database").toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(await busy(pid)).toBeGreaterThan(0);
    p.child.kill(signal);
    const t0 = Date.now();
    // While the lock is still held, the backend's work ends: cancelled by the command, or by the server's check.
    const stopped = await until(async () => (await busy(pid)) === 0, 5_000);
    const ms = Date.now() - t0;
    const outcome = await p.done;
    return { stopped, ms, outcome };
  });
  try {
    return await locked;
  } finally {
    await holder.end();
  }
}

async function importIntact(): Promise<void> {
  const [imp] = await db.sql`select status from private.imports where tenant_slug = ${slug} and status <> 'rolled_back'`;
  expect(imp?.status).toBe("complete");
  const [{ n }] = await db.sql`
    select count(*)::int as n from private.import_ledger l join private.imports i on i.id = l.import_id where i.tenant_slug = ${slug} and i.status = 'complete'`;
  expect(n).toBe(ledgerRows);
  const [{ bookings }] = await db.sql`select count(*)::int as bookings from public.bookings where tenant_id = ${tenantId}`;
  expect(bookings).toBeGreaterThan(0);
}

describe("adopt: an interrupted client cancels its backend's work", () => {
  it("Ctrl-C (SIGINT): the command cancels its statement, says so and exits 130; nothing was rolled back", async () => {
    const { stopped, outcome } = await heldUpRollback("SIGINT");
    expect(stopped).toBe(true);
    expect(outcome.code).toBe(130);
    expect(outcome.err).toMatch(/adopt: interrupted \(SIGINT\)/);
    expect(outcome.err).toMatch(/adopt: stopped \(1 running statement cancelled\); what was in progress was rolled back/);
    expect(outcome.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
    await importIntact();
  });

  it("kill -9: the server notices the client is gone and ends the statement within seconds", async () => {
    const { stopped, ms } = await heldUpRollback("SIGKILL");
    expect(stopped, `still running ${ms} ms after the kill`).toBe(true);
    await importIntact();
  });

  it("after both, the rollback runs to the end", async () => {
    // (afterAll rolls back; here only that nothing is left waiting.)
    const [{ n }] = await db.sql`select count(*)::int as n from pg_stat_activity where application_name like 'frontdesk-adopt/%' and state <> 'idle' and pid <> pg_backend_pid()`;
    expect(n).toBe(0);
  });
});
