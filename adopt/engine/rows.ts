// One legacy row -> the values of one target row, or the reason it cannot be imported. The same code serves plan,
// run and verify, so what the plan announces is what the run does and what verify expects.
import type { CompiledEntry } from "../mapping/compile.ts";
import { Invalid } from "../transforms/result.ts";

/** Where a legacy row went: its group's first row (the head, which names the group) and the new row's key. */
export interface GroupRef {
  head: string;
  /** The target row's id, once known (null in a plan for rows not written yet). */
  id: string | null;
}

/** What later entries need of an entry: where each of its legacy keys went, and which were skipped. */
export interface Registry {
  refs: Map<string, GroupRef>;
  skipped: Set<string>;
}

export const newRegistry = (): Registry => ({ refs: new Map(), skipped: new Set() });

export interface Row {
  key: string;
  seq: number;
  /** Per compiled column; a ref column holds the parent group's head key (its identity before ids exist). */
  values: (string | null)[];
  /** Per compiled column: the parent group of a ref column. */
  parents: (GroupRef | null)[];
}

export interface Skip {
  key: string;
  reason: string;
  detail?: string;
}

export const isSkip = (r: Row | Skip): r is Skip => (r as Skip).reason !== undefined;

export function keyText(parts: (string | null)[]): string {
  return parts.length === 1 ? String(parts[0]) : JSON.stringify(parts);
}

export function rowEvaluator(e: CompiledEntry, registries: Map<string, Registry>) {
  const cols = e.columns;
  const n = cols.length;
  const parentRegs = cols.map((c) => (c.ref ? registries.get(c.ref.entry)! : null));
  return (raw: (string | null)[], seq: number): Row | Skip => {
    const keyParts = raw.slice(0, e.keyOutputs);
    const key = keyText(keyParts);
    if (keyParts.some((p) => p === null)) return { key, reason: "legacy key is null" };
    const values: (string | null)[] = new Array(n);
    const parents: (GroupRef | null)[] = new Array(n).fill(null);
    for (let i = 0; i < n; i++) {
      const c = cols[i];
      if (c.ref) {
        const parts = c.outputs.map((o) => raw[o]);
        if (parts.some((p) => p === null)) {
          if (c.required) return { key, reason: `${c.name}: missing` };
          values[i] = null;
          continue;
        }
        const pk = keyText(parts);
        const reg = parentRegs[i]!;
        const g = reg.refs.get(pk);
        if (g) {
          values[i] = g.head;
          parents[i] = g;
        } else if (c.ref.onOrphan === "null" && !c.required) {
          values[i] = null;
        } else if (reg.skipped.has(pk)) {
          return { key, reason: `${c.name}: its ${c.ref.entry} row was skipped`, detail: pk };
        } else {
          return { key, reason: `${c.name}: orphan (no ${c.ref.entry} row)`, detail: pk };
        }
        continue;
      }
      const input = c.constant !== undefined ? c.constant : raw[c.outputs[0]];
      let v = c.transform ? c.transform(input) : input;
      if (v instanceof Invalid) {
        // (A timestamp the legacy server could not read comes back marked with "!": show it as it was.)
        if (c.onInvalid === "skip") return { key, reason: `${c.name}: ${v.reason}`, detail: input?.replace(/^!/, "") ?? undefined };
        v = null;
      }
      if (v !== null && c.map) {
        const m = c.map.get(v);
        if (m !== undefined || c.map.has(v)) v = m ?? null;
        else if (c.otherwise === "skip") return { key, reason: `${c.name}: '${v}' is not in the map`, detail: v };
        else if (c.otherwise === "null") v = null;
        else if (typeof c.otherwise === "object") v = c.otherwise.value;
      }
      if (v === null) v = c.defaultValue ?? c.dbDefault ?? null;
      if (v !== null) {
        const problem = c.check(v);
        if (problem) return { key, reason: `${c.name}: ${problem}`, detail: v };
      } else if (c.required) {
        return { key, reason: `${c.name}: missing` };
      }
      values[i] = v;
    }
    return { key, seq, values, parents };
  };
}
