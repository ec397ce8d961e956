// What becomes of each group of a batch, given the ledger (what earlier runs did) and the tenant's existing rows:
// already imported, linked to a row the tenant has, or to be created. Plan and run share this, so a plan's numbers
// are exactly what the run then does.
import type postgres from "postgres";
import type { LedgerRow } from "../db/ledger.ts";
import type { CompiledEntry } from "../mapping/compile.ts";
import type { Group } from "./groups.ts";
import { findExisting, linkQuery, refColumns, type Existing } from "./links.ts";
export { hasForeignRows } from "./links.ts";
import { note, type EntryReport } from "./report.ts";
import type { Row } from "./rows.ts";
import { writeValues, type Chunk } from "./walk.ts";

export interface Decision {
  create: Group[];
  linked: { group: Group; existing: Existing }[];
  /** Rows not yet in the ledger that join a group (its head created now, earlier, or linked). */
  merged: { row: Row; group: Group }[];
  /** Linked rows of the tenant that lack links this import can give them (a caller profile without the customer the
   * import creates for it): per group, the compiled indexes of the ref columns to fill. */
  fills: { group: Group; existing: Existing; columns: number[] }[];
}

export interface DecideContext {
  target: postgres.Sql;
  tenantId: string | null;
  importId: string | null;
  ledger: Map<string, LedgerRow>;
  report: EntryReport;
  linkSql?: string;
}

/** `foreign`: whether the tenant has rows of this table the import did not create (see hasForeignRows). */
export const decideContext = (e: CompiledEntry, base: Omit<DecideContext, "linkSql">, foreign: boolean): DecideContext =>
  ({ ...base, linkSql: foreign ? linkQuery(e) : undefined });

export async function decide(e: CompiledEntry, chunk: Chunk, ctx: DecideContext): Promise<Decision> {
  const d: Decision = { create: [], linked: [], merged: [], fills: [] };
  const r = ctx.report;
  for (const s of chunk.skips) {
    r.skip++;
    note(r, "skip", s.reason, s.detail === undefined ? s.key : `${s.key} (${s.detail})`);
    for (const a of s.also ?? []) note(r, "skip", a.reason, a.detail === undefined ? s.key : `${s.key} (${a.detail})`);
  }
  const undecided: Group[] = [];
  for (const g of chunk.groups) {
    if (g.skipped) {
      r.skip += g.members.length;
      note(r, "skip", g.skipped.reason, g.skipped.detail === undefined ? g.head.key : `${g.head.key} (${g.skipped.detail})`, g.members.length);
      for (const a of g.skipped.also ?? []) note(r, "skip", a, g.head.key, g.members.length);
      continue;
    }
    if (g.adjusted) {
      r.adjust++;
      note(r, "adjust", g.adjusted, g.head.key);
    }
    const done = ctx.ledger.get(g.head.key);
    if (done) {
      g.ref.id = done.newKey[0];
      r.done++;
      g.newKey = done.newKey;
      for (const m of g.members.slice(1)) joinGroup(e, d, ctx, m, g);
    } else undecided.push(g);
  }

  // Rows the tenant already holds (only when the tenant exists and the parents' ids are known).
  let existing = new Map<string, Existing>();
  const lookups: { g: Group; key: string[] }[] = [];
  if (e.merge && ctx.linkSql && ctx.tenantId) {
    for (const g of undecided) {
      const values = writeValues(e, g);
      const key = e.merge.on.map((i) => values[i]);
      if (key.every((v) => v !== null)) lookups.push({ g, key: key as string[] });
    }
    existing = await findExisting(ctx.target, ctx.linkSql, ctx.tenantId, ctx.importId, lookups.map((l) => l.key));
  }
  const found = new Map<Group, Existing>();
  for (const l of lookups) {
    const ex = existing.get(l.key.join("\u0001") + "\u0001");
    if (ex) found.set(l.g, ex);
  }
  for (const g of undecided) {
    const ex = found.get(g);
    if (ex) {
      g.ref.id = ex.key[0];
      g.newKey = ex.key;
      d.linked.push({ group: g, existing: ex });
      if (ex.ours) {
        r.merge++;
        note(r, "merge", "same key as a row this import already created", g.head.key);
      } else {
        r.link++;
        note(r, "merge", `linked to the tenant's existing ${e.table.name} row with the same ${e.spec.merge!.on.join(", ")}`, g.head.key);
        // Links the existing row lacks and the import has (single-column keys only: how rows are addressed here).
        const refs = refColumns(e);
        const columns = e.key.length === 1 ? refs.filter((i, j) => ex.refs[j] === null && g.members[0].parents[i] !== null) : [];
        if (columns.length) {
          d.fills.push({ group: g, existing: ex, columns });
          r.filled++;
          for (const i of columns) {
            note(r, "fill", `${e.columns[i].name}: the linked row had none; given the ${e.columns[i].ref!.entry} row this import links it to`, g.head.key);
          }
        }
      }
    } else {
      d.create.push(g);
      r.import++;
    }
    for (const m of g.members.slice(1)) joinGroup(e, d, ctx, m, g);
  }
  for (const { row, group } of chunk.late) {
    if (group.skipped) {
      r.skip++;
      note(r, "skip", group.skipped.reason, `${row.key} (with ${group.head.key})`);
    } else joinGroup(e, d, ctx, row, group);
  }
  // Values written that are not the legacy ones (defaults, nulls): counted and listed, never silent.
  for (const g of d.create) noteReplaced(r, g.head);
  for (const { row } of d.merged) noteReplaced(r, row);
  return d;
}

function noteReplaced(r: EntryReport, row: Row): void {
  for (const x of row.replaced ?? []) {
    r.replaced++;
    note(r, "replace", `${x.column}: ${x.reason}`, x.detail === undefined ? row.key : `${row.key} (${x.detail})`);
  }
}

function joinGroup(e: CompiledEntry, d: Decision, ctx: DecideContext, row: Row, group: Group): void {
  const r = ctx.report;
  if (ctx.ledger.has(row.key)) {
    r.done++;
    return;
  }
  d.merged.push({ row, group });
  r.merge++;
  note(r, "merge", `same ${e.spec.merge!.on.join(", ")} as an earlier row: merged into it`, `${row.key} -> ${group.head.key}`);
}
