// The migration files keep the house rules: each opens with a header comment saying what and why, and every function
// has one live definition: created in exactly one migration, never replaced in full by a later one (the history has
// not been deployed, so a change edits the function where it lives). Read from the files, as a reviewer would.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const DIR = path.resolve(import.meta.dirname, "../../supabase/migrations");
const files = readdirSync(DIR).filter((f) => f.endsWith(".sql")).sort();

/** Strips comments and dollar-quoted bodies, so only top-level statements remain. */
function topLevel(sql: string): string {
  return sql.replace(/\$([a-z_]*)\$[\s\S]*?\$\1\$/gi, "''").replace(/--[^\n]*/g, "");
}

/** "schema.name(argtypes)" of every function a migration creates; argument names and defaults dropped. */
function definedFunctions(sql: string): string[] {
  const out: string[] = [];
  const re = /create\s+(?:or\s+replace\s+)?function\s+([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\s*\(([^)]*(?:\([^)]*\)[^)]*)*)\)/gi;
  for (const m of topLevel(sql).matchAll(re)) {
    const args = m[2].split(",").map((a) => a.trim()).filter(Boolean).map((a) => {
      const noDefault = a.replace(/\s+default\s+[\s\S]*$/i, "").replace(/\s*=\s*[\s\S]*$/, "");
      const words = noDefault.split(/\s+/).filter((w) => !/^(in|out|inout|variadic)$/i.test(w));
      return (words.length > 1 ? words.slice(1) : words).join(" ").toLowerCase();
    });
    out.push(`${m[1].toLowerCase()}(${args.join(", ")})`);
  }
  return out;
}

describe("migrations", () => {
  it("each file opens with a header comment", () => {
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const first = readFileSync(path.join(DIR, f), "utf8").split("\n").slice(0, 2);
      expect(first[0], `${f} must open with a header comment`).toMatch(/^-- \S/);
    }
  });

  it("every function is defined in exactly one migration, once", () => {
    const where = new Map<string, string[]>();
    for (const f of files) {
      for (const fn of definedFunctions(readFileSync(path.join(DIR, f), "utf8"))) {
        where.set(fn, [...(where.get(fn) ?? []), f]);
      }
    }
    expect(where.size).toBeGreaterThan(100);
    const twice = [...where].filter(([, fs]) => fs.length > 1).map(([fn, fs]) => `${fn}: ${fs.join(", ")}`);
    expect(twice).toEqual([]);
  });

  it("notices a second definition (control)", () => {
    const sql = `-- x\ncreate or replace function private.f(p_a uuid, p_b text default 'x') returns void language sql as $$ select $$;\n` +
      `create function private.f(uuid, text) returns void language plpgsql as $body$ begin end $body$;`;
    expect(definedFunctions(sql)).toEqual(["private.f(uuid, text)", "private.f(uuid, text)"]);
  });
});
