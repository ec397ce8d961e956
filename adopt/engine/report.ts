// Per-entry counts, the same shape for plan (what will happen) and run (what happened): every legacy row is counted
// once, as imported, merged into another row, linked to a row the tenant already had, skipped (with why), or already
// imported by an earlier run. Adjusted rows (a conflict rule changed a value) are imported and also counted there.
import type { CompiledEntry } from "../mapping/compile.ts";

export interface Reason {
  kind: "skip" | "adjust" | "merge";
  reason: string;
  count: number;
  examples: string[];
}

export interface EntryReport {
  entry: string;
  source: string;
  target: string;
  rows: number;
  import: number;
  merge: number;
  link: number;
  skip: number;
  adjust: number;
  done: number;
  reasons: Reason[];
}

export function newReport(e: CompiledEntry, rows: number): EntryReport {
  const s = e.spec.source;
  const source = s.table ? s.table + (s.unpack?.length ? ` (${s.unpack.map((u) => u.array ?? u.object ?? u.split).join(" / ")})` : "") : "(sql)";
  return { entry: e.name, source, target: e.table.name, rows, import: 0, merge: 0, link: 0, skip: 0, adjust: 0, done: 0, reasons: [] };
}

export function note(r: EntryReport, kind: Reason["kind"], reason: string, example: string | undefined, count = 1): void {
  let found = r.reasons.find((x) => x.kind === kind && x.reason === reason);
  if (!found) {
    found = { kind, reason, count: 0, examples: [] };
    r.reasons.push(found);
  }
  found.count += count;
  if (example !== undefined && found.examples.length < 3) found.examples.push(example);
}
