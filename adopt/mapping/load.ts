// Reads a mapping file (a path, or the name of one shipped in adopt/mappings), validates it with the zod schema and
// the checks that need no database, and reports the first problems by their path in the file ("entries[2]
// (bookings).columns.status.map"), so a person can find the bad key.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { usageError } from "../errors.ts";
import { mappingSchema, type ColumnSpec, type Entry, type Mapping } from "./schema.ts";

export const SHIPPED = path.resolve(import.meta.dirname, "..", "mappings");

export interface LoadedMapping {
  mapping: Mapping;
  file: string;
  /** Parameter values after defaults and --param. */
  params: Record<string, string>;
  /** SHA-256 of the mapping and its parameter values: a run only continues an import made with the same. */
  sha256: string;
  /** Entries in dependency order (every ref's entry before the entries that point at it). */
  order: Entry[];
}

export function resolveMappingFile(spec: string): string {
  if (existsSync(spec)) return path.resolve(spec);
  const shipped = path.join(SHIPPED, spec.endsWith(".json") ? spec : `${spec}.json`);
  if (!spec.includes("/") && existsSync(shipped)) return shipped;
  const names = readdirSync(SHIPPED).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
  throw usageError(`mapping file not found: ${spec} (shipped mappings: ${names.join(", ")}; or give the path of a .json file)`);
}

function pathText(entries: Mapping["entries"] | undefined, p: PropertyKey[]): string {
  let out = "";
  for (let i = 0; i < p.length; i++) {
    const k = p[i];
    if (typeof k === "number") {
      out += `[${k}]`;
      const name = p[i - 1] === "entries" ? entries?.[k]?.name : undefined;
      if (name) out += ` (${name})`;
    } else out += (out ? "." : "") + String(k);
  }
  return out || "(top level)";
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: Issue[][];
}

/** A value that matches no branch of a union (a column is a string or an object) is explained by the branch its
 * type fits, so the message names the key inside it that is wrong rather than saying "invalid input". */
function flatten(issues: Issue[], base: PropertyKey[]): { path: PropertyKey[]; message: string }[] {
  const out: { path: PropertyKey[]; message: string }[] = [];
  for (const i of issues) {
    const path = [...base, ...i.path];
    if (i.code === "invalid_union" && i.errors?.length) {
      const fitting = i.errors.filter((b) => !b.some((x) => x.code === "invalid_type" && x.path.length === 0));
      out.push(...flatten(fitting[0] ?? i.errors[0], path));
    } else out.push({ path, message: i.message });
  }
  return out;
}

export const columnRef = (c: ColumnSpec) => (typeof c === "string" ? { from: c } : c);

function staticChecks(m: Mapping, params: Record<string, string>): string[] {
  const problems: string[] = [];
  const names = new Map<string, number>();
  m.entries.forEach((e, i) => {
    if (names.has(e.name)) problems.push(`entries[${i}].name: "${e.name}" is also the name of entries[${names.get(e.name)}]`);
    names.set(e.name, i);
  });
  m.entries.forEach((e, i) => {
    const at = `entries[${i}] (${e.name})`;
    for (const [col, spec] of Object.entries(e.columns)) {
      const c = columnRef(spec);
      if (c.ref !== undefined && !names.has(c.ref)) problems.push(`${at}.columns.${col}.ref: no entry is named "${c.ref}"`);
      if (c.ref !== undefined && names.has(c.ref)) {
        const parent = m.entries[names.get(c.ref)!];
        const parts = Array.isArray(c.from) ? c.from.length : 1;
        if (parts !== parent.source.key.length) {
          problems.push(`${at}.columns.${col}: ${c.ref}'s key has ${parent.source.key.length} part(s) (${parent.source.key.join(", ")}), this ref gives ${parts}`);
        }
        if (e.merge?.columns?.[col] !== undefined && e.merge.columns[col] !== "first") {
          problems.push(`${at}.merge.columns.${col}: a ref column keeps its first row's value (no merge rule)`);
        }
      }
      if (col === "tenant_id") problems.push(`${at}.columns.tenant_id: set by adopt itself (the target tenant)`);
    }
    for (const col of [...(e.merge?.on ?? []), ...Object.keys(e.merge?.columns ?? {})]) {
      if (!(col in e.columns)) problems.push(`${at}.merge: "${col}" is not one of this entry's columns`);
    }
    e.conflicts?.forEach((c, j) => {
      const cols = [...c.on, ...Object.keys(c.when ?? {}), ...(c.type === "overlap" ? c.range : []),
        ...(typeof c.resolve === "object" ? Object.keys(c.resolve.set) : [])];
      for (const col of cols) if (!(col in e.columns)) problems.push(`${at}.conflicts[${j}]: "${col}" is not one of this entry's columns`);
    });
  });
  const sqlTexts = [
    m.tenant.source?.sql, m.tenant.source?.where,
    ...m.entries.flatMap((e) => [e.source.sql, e.source.where, ...(e.source.joins ?? []).map((j) => j.on),
      ...Object.values(e.columns).map((c) => columnRef(c).sql)]),
  ];
  for (const text of sqlTexts) {
    for (const name of parameterNames(text ?? "")) {
      if (!(name in params)) problems.push(`params.${name}: used in the mapping's SQL but not declared in params`);
    }
  }
  return problems;
}

/** Every ":name" parameter in a piece of SQL (not "::type" casts, not inside quoted strings). */
export function parameterNames(text: string): string[] {
  const out: string[] = [];
  scanParameters(text, (name) => { out.push(name); return ""; });
  return out;
}

/** Replaces ":name" parameters outside quoted strings. */
export function scanParameters(text: string, replace: (name: string) => string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      const stop = end === -1 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
    } else if (ch === ":" && text[i + 1] === ":") {
      out += "::";
      i += 2;
    } else if (ch === ":" && /[a-z_]/.test(text[i + 1] ?? "")) {
      const m = /^[a-z_][a-z0-9_]*/.exec(text.slice(i + 1))!;
      out += replace(m[0]);
      i += 1 + m[0].length;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function dependencyOrder(m: Mapping): Entry[] | string {
  const byName = new Map(m.entries.map((e) => [e.name, e]));
  const deps = (e: Entry) => [...new Set(Object.values(e.columns).map((c) => columnRef(c).ref).filter((r): r is string => !!r))];
  const order: Entry[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (e: Entry, trail: string[]): string | undefined => {
    if (state.get(e.name) === "done") return;
    if (state.get(e.name) === "visiting") return `entries: the refs form a cycle (${[...trail, e.name].join(" -> ")})`;
    state.set(e.name, "visiting");
    for (const d of deps(e)) {
      if (!byName.has(d)) continue; // reported by staticChecks
      if (d === e.name) return `entries (${e.name}): an entry cannot ref itself`;
      const err = visit(byName.get(d)!, [...trail, e.name]);
      if (err) return err;
    }
    state.set(e.name, "done");
    order.push(e);
  };
  for (const e of m.entries) {
    const err = visit(e, []);
    if (err) return err;
  }
  return order;
}

export function loadMapping(spec: string, cliParams: Record<string, string> = {}): LoadedMapping {
  const file = resolveMappingFile(spec);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw usageError(`mapping ${path.basename(file)} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = mappingSchema.safeParse(raw);
  if (!parsed.success) {
    const entries = (raw as { entries?: Mapping["entries"] })?.entries;
    const issues = flatten(parsed.error.issues as Issue[], []);
    const lines = issues.slice(0, 8).map((i) => `  ${pathText(Array.isArray(entries) ? entries : undefined, i.path)}: ${i.message}`);
    const more = issues.length > 8 ? `\n  … and ${issues.length - 8} more` : "";
    throw usageError(`mapping ${path.basename(file)} does not validate:\n${lines.join("\n")}${more}`);
  }
  const mapping = parsed.data;

  const params: Record<string, string> = {};
  for (const [name, p] of Object.entries(mapping.params ?? {})) if (p.default !== undefined && p.default !== null) params[name] = String(p.default);
  for (const [name, value] of Object.entries(cliParams)) {
    if (!(name in (mapping.params ?? {}))) throw usageError(`--param ${name}: the mapping declares no such parameter (it has: ${Object.keys(mapping.params ?? {}).join(", ") || "none"})`);
    params[name] = value;
  }
  const problems = staticChecks(mapping, { ...Object.fromEntries(Object.keys(mapping.params ?? {}).map((k) => [k, ""])) });
  for (const name of Object.keys(mapping.params ?? {})) {
    if (!(name in params)) problems.push(`params.${name}: has no default; pass --param ${name}=<value>`);
  }
  const order = dependencyOrder(mapping);
  if (typeof order === "string") problems.push(order);
  if (problems.length) {
    throw usageError(`mapping ${path.basename(file)} does not validate:\n${problems.slice(0, 8).map((p) => `  ${p}`).join("\n")}`);
  }
  const sha256 = createHash("sha256").update(JSON.stringify({ mapping, params })).digest("hex");
  return { mapping, file, params, sha256, order: order as Entry[] };
}
