// The committed database types and catalog snapshot match what the migrations produce (run `npm run gen:types`).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { catalogDifferences } from "../../local/catalog.ts";
import { CATALOG_FILE, catalogSnapshot, generateTypes, TYPES_FILE } from "../../local/gen-types.ts";
import { useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();

describe("generated types", () => {
  it("are up to date with the migrations", async () => {
    const fresh = await generateTypes(db.url);
    expect(fresh.length).toBeGreaterThan(1000);
    expect(readFileSync(TYPES_FILE, "utf8") === fresh, "database.types.ts is stale: run npm run gen:types").toBe(true);
  });

  it("the catalog is the committed snapshot: moving SQL between migrations changes no table, policy, grant or body", async () => {
    const committed = JSON.parse(readFileSync(CATALOG_FILE, "utf8"));
    const fresh = JSON.parse(await catalogSnapshot(db.url));
    expect(fresh.functions.length).toBeGreaterThan(100);
    expect(catalogDifferences(committed, fresh), "catalog.snapshot.json is stale: run npm run gen:types").toEqual([]);
  });

  it("notices a change (control): a planted policy is a difference", async () => {
    const committed = JSON.parse(readFileSync(CATALOG_FILE, "utf8"));
    await db.sql`create policy planted on public.plans for select to authenticated using (false)`;
    try {
      const diff = catalogDifferences(committed, JSON.parse(await catalogSnapshot(db.url)));
      expect(diff.some((d) => d.startsWith("policies: + public | plans | planted"))).toBe(true);
    } finally {
      await db.sql`drop policy planted on public.plans`;
    }
  });
});
