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

/** A value the row gets that is not the legacy one: a default for a null, or a null for a value that could not be
 * used (onInvalid / otherwise / onOrphan "null"), or an `otherwise` value. Plan and run count and list these. */
export interface Replacement {
  column: string;
  reason: string;
  detail?: string;
}

export interface Row {
  key: string;
  seq: number;
  /** Per compiled column; a ref column holds the parent group's head key (its identity before ids exist). */
  values: (string | null)[];
  /** Per compiled column: the parent group of a ref column. */
  parents: (GroupRef | null)[];
  replaced?: Replacement[];
}

export interface Problem {
  reason: string;
  detail?: string;
}

export interface Skip {
  key: string;
  /** The first reason; `also` holds every further one (a row is counted once, under each of its reasons). */
  reason: string;
  detail?: string;
  also?: Problem[];
}

export const isSkip = (r: Row | Skip): r is Skip => (r as Skip).reason !== undefined;

export function keyText(parts: (string | null)[]): string {
  return parts.length === 1 ? String(parts[0]) : JSON.stringify(parts);
}

const shown = (v: string) => (v.length > 40 ? `'${v.slice(0, 37)}…'` : `'${v}'`);

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
    // Every problem of the row is collected (not only the first), so the plan gives all the reasons.
    const problems: Problem[] = [];
    let replaced: Replacement[] | undefined;
    const replace = (column: string, reason: string, detail?: string) => (replaced ??= []).push({ column, reason, detail });
    for (let i = 0; i < n; i++) {
      const c = cols[i];
      if (c.ref) {
        const parts = c.outputs.map((o) => raw[o]);
        if (parts.some((p) => p === null)) {
          if (c.required) problems.push({ reason: `${c.name}: missing` });
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
          replace(c.name, reg.skipped.has(pk) ? `its ${c.ref.entry} row was skipped: stored as null (onOrphan)` : `orphan (no ${c.ref.entry} row): stored as null (onOrphan)`, pk);
        } else if (reg.skipped.has(pk)) {
          problems.push({ reason: `${c.name}: its ${c.ref.entry} row was skipped`, detail: pk });
        } else {
          problems.push({ reason: `${c.name}: orphan (no ${c.ref.entry} row)`, detail: pk });
        }
        continue;
      }
      const input = c.constant !== undefined ? c.constant : raw[c.outputs[0]];
      let v = c.transform ? c.transform(input) : input;
      let nulled = false;
      if (v instanceof Invalid) {
        // (A timestamp the legacy server could not read comes back marked with "!": show it as it was.)
        const was = input?.replace(/^!/, "") ?? undefined;
        if (c.onInvalid === "skip") {
          problems.push({ reason: `${c.name}: ${v.reason}`, detail: was });
          values[i] = null;
          continue;
        }
        replace(c.name, `${v.reason}: stored as null (onInvalid)`, was);
        nulled = true;
        v = null;
      }
      if (v !== null && c.map) {
        const m = c.map.get(v);
        if (m !== undefined || c.map.has(v)) v = m ?? null;
        else if (c.otherwise === "skip") {
          problems.push({ reason: `${c.name}: '${v}' is not in the map`, detail: v });
          values[i] = null;
          continue;
        } else if (c.otherwise === "null") {
          replace(c.name, `not in the map: stored as null (otherwise)`, v);
          nulled = true;
          v = null;
        } else if (typeof c.otherwise === "object") {
          replace(c.name, `not in the map: stored as ${c.otherwise.value === null ? "null" : shown(c.otherwise.value)} (otherwise)`, v);
          v = c.otherwise.value;
        }
      }
      if (v === null) {
        const d = c.defaultValue ?? c.dbDefault ?? null;
        if (d !== null) {
          v = d;
          if (nulled) replaced![replaced!.length - 1].reason += `, then the default ${shown(d)}`;
          else if (c.constant === undefined) replace(c.name, `null: the default ${shown(d)}${c.defaultValue === null ? " (the target column's)" : ""}`);
        }
      }
      if (v !== null) {
        const problem = c.check(v);
        if (problem) problems.push({ reason: `${c.name}: ${problem}`, detail: v });
      } else if (c.required) {
        problems.push({ reason: `${c.name}: missing` });
      }
      values[i] = v;
    }
    if (problems.length) {
      const [first, ...also] = problems;
      return { key, reason: first.reason, detail: first.detail, ...(also.length ? { also } : {}) };
    }
    return { key, seq, values, parents, ...(replaced ? { replaced } : {}) };
  };
}
