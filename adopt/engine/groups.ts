// Merging and conflicts. Rows whose values agree on the mapping's merge key become one target row (a group: its
// first row in legacy order is the head and names it); per-column rules decide the merged values. Conflicts are
// target rules the legacy data broke (two open conversations with one customer, two live bookings of one barber at
// once): the rows that lose are skipped or adjusted, and the plan says which and why.
import type { CompiledEntry } from "../mapping/compile.ts";
import type { Conflict } from "../mapping/schema.ts";
import type { GroupRef, Row } from "./rows.ts";

export interface Group {
  head: Row;
  members: Row[];
  values: (string | null)[];
  ref: GroupRef;
  /** The target row's primary key (without tenant_id), once known. */
  newKey?: string[];
  /** Why a conflict rule changed this row's values, if it did. */
  adjusted?: string;
  /** Why the whole group cannot be imported (a conflict or a target check). */
  skipped?: { reason: string; detail?: string; also?: string[] };
}

const SEP = "\u0001";

export function mergeKey(e: CompiledEntry, values: (string | null)[]): string | undefined {
  if (!e.merge) return undefined;
  let k = "";
  for (const i of e.merge.on) {
    const v = values[i];
    if (v === null) return undefined; // nulls never collide in a unique key
    k += v + SEP;
  }
  return k;
}

export const newGroup = (row: Row): Group => ({ head: row, members: [row], values: row.values, ref: { head: row.key, id: null } });

const numeric = new Set(["int2", "int4", "int8", "numeric", "float4", "float8"]);

/** Applies the merge rules to a complete group (buffered entries). */
export function applyRules(e: CompiledEntry, g: Group): void {
  if (!e.merge || g.members.length === 1) return;
  const values = [...g.head.values];
  e.merge.rules.forEach((rule, i) => {
    if (!rule || rule === "first") return;
    const col = e.columns[i];
    const present = g.members.map((m) => m.values[i]).filter((v): v is string => v !== null);
    if (present.length === 0) return;
    const isNum = numeric.has(col.target.base);
    const less = (a: string, b: string) => (isNum ? Number(a) < Number(b) : a < b);
    if (rule === "coalesce") values[i] = present[0];
    else if (rule === "min") values[i] = present.reduce((a, b) => (less(b, a) ? b : a));
    else if (rule === "max") values[i] = present.reduce((a, b) => (less(a, b) ? b : a));
    else if (rule === "sum") {
      values[i] = col.target.base === "numeric" || col.target.base.startsWith("float")
        ? String(present.reduce((a, b) => a + Number(b), 0))
        : String(present.reduce((a, b) => a + BigInt(b), 0n));
    }
  });
  g.values = values;
}

function matches(e: CompiledEntry, c: Conflict, values: (string | null)[]): boolean {
  for (const [col, allowed] of Object.entries(c.when ?? {})) {
    const v = values[e.byName.get(col)!];
    if (!allowed.some((a) => (a === null ? v === null : String(a) === v))) return false;
  }
  return true;
}

function resolve(e: CompiledEntry, c: Conflict, g: Group, reason: string, detail: string): void {
  if (c.resolve === "skip") {
    g.skipped = { reason, detail };
    return;
  }
  const values = [...g.values];
  for (const [col, v] of Object.entries(c.resolve.set)) values[e.byName.get(col)!] = v === null ? null : String(v);
  g.values = values;
  g.adjusted = reason;
}

/** Applies the entry's conflict rules to its groups, in legacy order. */
export function applyConflicts(e: CompiledEntry, groups: Group[]): void {
  for (const c of e.conflicts) {
    const live = groups.filter((g) => !g.skipped && matches(e, c, g.values));
    const onIdx = c.on.map((col) => e.byName.get(col)!);
    const keyOf = (g: Group) => onIdx.map((i) => g.values[i]).join(SEP);
    if (c.type === "unique") {
      const byKey = new Map<string, Group[]>();
      for (const g of live) {
        if (onIdx.some((i) => g.values[i] === null)) continue;
        const k = keyOf(g);
        if (!byKey.has(k)) byKey.set(k, []);
        byKey.get(k)!.push(g);
      }
      for (const same of byKey.values()) {
        if (same.length < 2) continue;
        const keep = c.keep === "last" ? same[same.length - 1] : same[0];
        for (const g of same) {
          if (g !== keep) resolve(e, c, g, `conflict: another row with the same ${c.on.join(", ")} (${c.type})`, `kept ${keep.head.key}`);
        }
      }
    } else {
      // Overlap: the first row in legacy order keeps its time; a later one overlapping a kept one loses.
      const [si, ei] = c.range.map((col) => e.byName.get(col)!);
      const kept = new Map<string, { start: string; end: string; key: string }[]>();
      for (const g of live) {
        const start = g.values[si];
        const end = g.values[ei];
        if (start === null || end === null || onIdx.some((i) => g.values[i] === null)) continue;
        const k = keyOf(g);
        const list = kept.get(k) ?? [];
        // Kept intervals never overlap each other, so sorted by start they are sorted by end too.
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (list[mid].start < start) lo = mid + 1;
          else hi = mid;
        }
        const prev = list[lo - 1];
        const next = list[lo];
        const clash = (prev && prev.end > start) ? prev : (next && next.start < end) ? next : undefined;
        if (clash) {
          // Skipped, or adjusted out of the rule's scope (e.g. imported as cancelled): either way it holds no time.
          resolve(e, c, g, `conflict: overlaps another row with the same ${c.on.join(", ")}`, `overlaps ${clash.key}`);
        } else {
          list.splice(lo, 0, { start, end, key: g.head.key });
          kept.set(k, list);
        }
      }
    }
  }
}
