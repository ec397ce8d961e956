// For every table in `public`, each client role's attempt to write each server-owned column is refused.
//
// "Server-owned" is computed, not listed: every column of every relation the catalog has, minus the columns
// supabase/write-surface.ts declares for that operation (a column declared only for insert is server-owned for
// update, and the other way round; a table the declaration does not know is server-owned through and through).
// Each client role (anon, the business's staff, admin and owner with hook-made JWTs, and a live API key of the
// business) then tries, as PostgREST runs a request:
//
//   update public.<t> set <col> = default from (<A's row>) src where <primary key> = src.<primary key>
//   insert into public.<t> (<declared insert columns>, <col>) values (<A's values>, default)
//
// and must get 42501 from the privilege check (not from a policy: RLS refusals are 42501 too, so the error's routine
// is checked), i.e. no privilege on that column, whoever asks and whichever row. (DEFAULT rather than `col = col`:
// it names the column all the same, needs no SELECT on it, works for generated and identity columns, where
// `col = col` is refused by the parser before privileges are even looked at, and would really change the row.) The
// attempts commit when they succeed, as PostgREST commits them, and the row is compared (to_jsonb, as postgres)
// before and after each one; for inserts, the business's row count.
//
// That the declared columns do go through for the declared roles (and only them) is write-surface.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import {
  CLIENT_ROLES, WRITE_SURFACE, attempt, changedKeys, declaredColumns, describeOutcome, insertStatement, isPrivilegeDenied,
  updateStatement, writeFixture, type CatalogTable, type WriteFixture,
} from "../helpers/write-surface.ts";

const db = useTestDatabase();
let f: WriteFixture;

beforeAll(async () => {
  f = await writeFixture(db, "so");
});

const serverOwned = (t: CatalogTable, op: "insert" | "update") =>
  t.columns.map((c) => c.name).filter((c) => !declaredColumns(t.name, op).includes(c));

/**
 * The row attempts target: business A's fixture row. A table without one (every-table.test.ts reports that) still
 * gets every attempt, aimed at a row of A that does not exist: privileges are checked before any row is looked at.
 */
async function rowFor(t: CatalogTable): Promise<Record<string, unknown>> {
  return (await f.targetRow(t)) ?? (t.tenantKey ? { [t.tenantKey]: f.tenant.id } : {});
}

async function refusesUpdates(t: CatalogTable): Promise<{ problems: string[]; attempts: number }> {
  const row = await rowFor(t);
  const problems: string[] = [];
  let attempts = 0;
  let before = await f.snapshot(t, row);
  for (const column of serverOwned(t, "update")) {
    for (const role of CLIENT_ROLES) {
      const o = await attempt(f.principals[role], updateStatement(t, column, "default"), [row], { commit: true });
      attempts++;
      if (!isPrivilegeDenied(o)) problems.push(`${t.name}.${column} update as ${role}: expected 42501 from the privilege check, got ${describeOutcome(o)}`);
      const after = await f.snapshot(t, row);
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        problems.push(`${t.name}.${column} update as ${role}: the row changed (${changedKeys(before, after)})`);
        before = after;
      }
    }
  }
  return { problems, attempts };
}

async function refusesInserts(t: CatalogTable): Promise<{ problems: string[]; attempts: number }> {
  const row = await rowFor(t);
  const problems: string[] = [];
  let attempts = 0;
  const declared = declaredColumns(t.name, "insert");
  let before = await f.rowCount(t);
  for (const column of serverOwned(t, "insert")) {
    // The declared columns (so the one undeclared column is all that is wrong) plus this one.
    const statement = insertStatement(t, [...declared, column], [column]);
    for (const role of CLIENT_ROLES) {
      const o = await attempt(f.principals[role], statement, [row], { commit: true });
      attempts++;
      if (!isPrivilegeDenied(o)) problems.push(`${t.name}.${column} insert as ${role}: expected 42501 from the privilege check, got ${describeOutcome(o)}`);
      const after = await f.rowCount(t);
      if (after !== before) {
        problems.push(`${t.name}.${column} insert as ${role}: business A's rows went from ${before} to ${after}`);
        before = after;
      }
    }
  }
  return { problems, attempts };
}

describe.each(Object.keys(WRITE_SURFACE))("%s", (table) => {
  it("refuses every client role an update of each column not declared for update, and the row stays as it was", async () => {
    const t = f.table(table);
    expect(t, `${table}: declared but not in the catalog`).toBeDefined();
    const { problems, attempts } = await refusesUpdates(t!);
    expect(problems).toEqual([]);
    expect(attempts).toBe(serverOwned(t!, "update").length * CLIENT_ROLES.length);
  });

  it("refuses every client role an insert naming a column not declared for insert, and no row appears", async () => {
    const t = f.table(table);
    expect(t, `${table}: declared but not in the catalog`).toBeDefined();
    const { problems, attempts } = await refusesInserts(t!);
    expect(problems).toEqual([]);
    expect(attempts).toBe(serverOwned(t!, "insert").length * CLIENT_ROLES.length);
  });
});

describe("relations the declaration does not know", () => {
  it("are server-owned in every column: refused to every client role", async () => {
    const problems: string[] = [];
    for (const t of f.tables.filter((x) => !Object.hasOwn(WRITE_SURFACE, x.name))) {
      problems.push(...(await refusesUpdates(t)).problems, ...(await refusesInserts(t)).problems);
    }
    expect(problems).toEqual([]);
  });
});

describe("the enumeration", () => {
  // What the declaration's header says is never a client's: ids, tenant_id after insert, created_at. Checked over
  // every table that has them, so the computed server-owned set is known not to be vacuous.
  it("has every id, tenant_id (for update) and created_at of every table among the server-owned columns", () => {
    const problems: string[] = [];
    for (const t of f.tables) {
      const has = (c: string) => t.columns.some((x) => x.name === c);
      for (const [column, ops] of [["id", ["insert", "update"]], ["created_at", ["insert", "update"]], ["tenant_id", ["update"]]] as const) {
        if (!has(column)) continue;
        for (const op of ops) if (!serverOwned(t, op).includes(column)) problems.push(`${t.name}.${column}: declared for ${op}`);
      }
    }
    expect(problems).toEqual([]);
    expect(f.tables.reduce((n, t) => n + serverOwned(t, "update").length, 0)).toBeGreaterThan(f.tables.length * 2);
  });
});
