// Walks the mapping's entries in dependency order over one read-only snapshot of the legacy database, turning legacy
// rows into groups (target rows to be) in batches. Plan, run and verify each receive the same batches and differ only
// in what they do with them: count, write, or compare.
import type postgres from "postgres";
import type { LegacyTx } from "../db/legacy.ts";
import type { Compiled, CompiledEntry } from "../mapping/compile.ts";
import { checkQuery, failingChecks, WITHIN, type CheckQuery } from "./checks.ts";
import { applyConflicts, applyRules, mergeKey, newGroup, type Group } from "./groups.ts";
import { isSkip, newRegistry, rowEvaluator, type Registry, type Row, type Skip } from "./rows.ts";

export interface Chunk {
  /** Groups whose head is in this chunk, their final values decided (rules, conflicts, checks). */
  groups: Group[];
  /** Streaming merges: rows of this chunk that join a group an earlier chunk started. */
  late: { row: Row; group: Group }[];
  skips: Skip[];
  /** Legacy rows this chunk covers. */
  rows: number;
}

export interface Sink {
  startEntry(e: CompiledEntry, total: number): Promise<void>;
  chunk(e: CompiledEntry, chunk: Chunk): Promise<void>;
  endEntry(e: CompiledEntry): Promise<void>;
}

export interface WalkOptions {
  compiled: Compiled;
  legacy: LegacyTx;
  target: postgres.Sql;
  batchSize: number;
  /** The tenant the rows go to (null: not created yet); rows may not take values another tenant holds. */
  tenantId: string | null;
  /** The import being continued, if any: rows it already wrote are not clashes with themselves. */
  importId?: string | null;
  sink: Sink;
  /** Only these entries (verify and plan of one entry); default all. */
  only?: Set<string>;
}

/** Asks for the next chunk of a cursor while the current one is processed, so reading and writing overlap. */
async function* prefetch<T>(iterable: AsyncIterable<T>): AsyncGenerator<T> {
  const it = iterable[Symbol.asyncIterator]();
  let pending = it.next();
  try {
    for (;;) {
      const r = await pending;
      if (r.done) return;
      pending = it.next();
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}

/** The values a target row will be written with: refs as the parent's id (null while unknown, in a plan). */
export function writeValues(e: CompiledEntry, g: Group): (string | null)[] {
  const out = [...g.values];
  e.columns.forEach((c, i) => {
    if (c.ref) {
      const parent = g.members[0].parents[i];
      out[i] = parent ? parent.id : null;
    }
  });
  return out;
}

async function applyChecks(opts: WalkOptions, e: CompiledEntry, q: CheckQuery | undefined, groups: Group[]): Promise<void> {
  if (!q) return;
  const live = groups.filter((g) => !g.skipped);
  const failed = await failingChecks(opts.target, q, opts.tenantId, opts.importId ?? null, live.map((g) => g.head.key), live.map((g) => writeValues(e, g)));
  const uniques = new Set(e.table.globalUniques.map((u) => u.name));
  const exclusions = new Set(e.table.exclusions.map((x) => x.name));
  for (const [i, names] of failed) {
    // Every rule the row breaks is said, each as its own reason (a row is still skipped once).
    const reasons: string[] = [];
    const taken = names.filter((n) => uniques.has(n));
    if (taken.length) reasons.push(`already used by another business (${taken.join(", ")})`);
    const existing = names.filter((n) => exclusions.has(n));
    if (existing.length) reasons.push(`conflicts with the tenant's existing ${e.table.name} rows (${existing.join(", ")})`);
    const within = names.filter((n) => n.endsWith(WITHIN)).map((n) => n.slice(0, -WITHIN.length));
    if (within.length) reasons.push(`conflicts with an earlier row of this import (${within.join(", ")})`);
    const checks = names.filter((n) => !uniques.has(n) && !exclusions.has(n) && !n.endsWith(WITHIN));
    if (checks.length) reasons.push(`breaks the target's check ${checks.join(", ")}`);
    const [reason, ...also] = reasons;
    live[i].skipped = { reason, ...(also.length ? { also } : {}) };
  }
}

function register(reg: Registry, chunk: Chunk): void {
  for (const s of chunk.skips) reg.skipped.add(s.key);
  for (const g of chunk.groups) {
    for (const m of g.members) {
      if (g.skipped) reg.skipped.add(m.key);
      else reg.refs.set(m.key, g.ref);
    }
  }
  for (const { row, group } of chunk.late) {
    if (group.skipped) reg.skipped.add(row.key);
    else reg.refs.set(row.key, group.ref);
  }
}

async function walkEntry(opts: WalkOptions, e: CompiledEntry, registries: Map<string, Registry>): Promise<void> {
  const reg = newRegistry();
  registries.set(e.name, reg);
  const [{ n }] = await opts.legacy.unsafe(e.countSql, e.params as never[]);
  await opts.sink.startEntry(e, Number(n));
  const evaluateRow = rowEvaluator(e, registries);
  // A key that is not unique would make two rows one ledger entry: the later rows are skipped, and said so.
  const seen = new Set<string>();
  const evaluate = (raw: (string | null)[], n: number): Row | Skip => {
    const row = evaluateRow(raw, n);
    if (seen.has(row.key)) return { key: row.key, reason: "the legacy key appears more than once (source.key does not identify rows)" };
    seen.add(row.key);
    return row;
  };
  const checks = checkQuery(e);
  const buffered = e.merge?.buffered || e.conflicts.length > 0;
  const cursor = opts.legacy.unsafe(e.select, e.params as never[]).values().cursor(opts.batchSize);
  let seq = 0;

  if (!buffered) {
    // Streaming: each cursor chunk is a batch; a merge joins later rows to the first row with the same key.
    const byMergeKey = new Map<string, Group>();
    for await (const raw of prefetch(cursor as AsyncIterable<(string | null)[][]>)) {
      const chunk: Chunk = { groups: [], late: [], skips: [], rows: raw.length };
      const started = new Set<Group>();
      for (const r of raw) {
        const row = evaluate(r, seq++);
        if (isSkip(row)) {
          chunk.skips.push(row);
          continue;
        }
        const mk = mergeKey(e, row.values);
        const existing = mk === undefined ? undefined : byMergeKey.get(mk);
        if (existing) {
          existing.members.push(row);
          if (!started.has(existing)) chunk.late.push({ row, group: existing });
          continue;
        }
        const g = newGroup(row);
        if (mk !== undefined) byMergeKey.set(mk, g);
        chunk.groups.push(g);
        started.add(g);
      }
      await applyChecks(opts, e, checks, chunk.groups);
      register(reg, chunk);
      await opts.sink.chunk(e, chunk);
    }
  } else {
    // Buffered: merge rules other than "first" and conflict rules need every row of the entry at hand.
    const groups: Group[] = [];
    const skips: Skip[] = [];
    const byMergeKey = new Map<string, Group>();
    for await (const raw of prefetch(cursor as AsyncIterable<(string | null)[][]>)) {
      for (const r of raw) {
        const row = evaluate(r, seq++);
        if (isSkip(row)) {
          skips.push(row);
          continue;
        }
        const mk = mergeKey(e, row.values);
        const existing = mk === undefined ? undefined : byMergeKey.get(mk);
        if (existing) {
          existing.members.push(row);
          continue;
        }
        const g = newGroup(row);
        if (mk !== undefined) byMergeKey.set(mk, g);
        groups.push(g);
      }
    }
    for (const g of groups) applyRules(e, g);
    applyConflicts(e, groups);
    // Batches of about batchSize legacy rows; a group never spans two batches.
    let start = 0;
    let skipStart = 0;
    while (start < groups.length || skipStart < skips.length) {
      const chunk: Chunk = { groups: [], late: [], skips: [], rows: 0 };
      while (start < groups.length && chunk.rows < opts.batchSize) {
        chunk.groups.push(groups[start]);
        chunk.rows += groups[start].members.length;
        start++;
      }
      while (skipStart < skips.length && chunk.rows < opts.batchSize) {
        chunk.skips.push(skips[skipStart++]);
        chunk.rows++;
      }
      await applyChecks(opts, e, checks, chunk.groups);
      register(reg, chunk);
      await opts.sink.chunk(e, chunk);
    }
  }
  await opts.sink.endEntry(e);
}

export async function walk(opts: WalkOptions): Promise<Map<string, Registry>> {
  const registries = new Map<string, Registry>();
  for (const e of opts.compiled.entries) {
    if (opts.only && !opts.only.has(e.name)) continue;
    await walkEntry(opts, e, registries);
  }
  return registries;
}
