// Per-entry counts, the same shape for plan (what will happen) and run (what happened): every legacy row is counted
// once, as imported, merged into another row, linked to a row the tenant already had, skipped (with why), or already
// imported by an earlier run. Adjusted rows (a conflict rule changed a value) are imported and also counted there.
// `replaced` counts values of the rows this run writes that are not the legacy value: a default for a null, a null
// for a value that could not be used (onInvalid / otherwise / onOrphan "null"), an `otherwise` value; `filled`, links
// given to rows the tenant already had (see links.ts). A row skipped for several reasons is counted once in `skip`
// and under each of its reasons.
import type { CompiledEntry } from "../mapping/compile.ts";

export interface Reason {
  kind: "skip" | "adjust" | "merge" | "replace" | "fill";
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
  replaced: number;
  filled: number;
  reasons: Reason[];
}

export function newReport(e: CompiledEntry, rows: number): EntryReport {
  const s = e.spec.source;
  const source = s.table ? s.table + (s.unpack?.length ? ` (${s.unpack.map((u) => u.array ?? u.object ?? u.split).join(" / ")})` : "") : "(sql)";
  return { entry: e.name, source, target: e.table.name, rows, import: 0, merge: 0, link: 0, skip: 0, adjust: 0, done: 0, replaced: 0, filled: 0, reasons: [] };
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
