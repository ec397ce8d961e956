// The committed database types match what the CLI generates from the migrations (run `npm run gen:types`).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateTypes, TYPES_FILE } from "../../local/gen-types.ts";
import { useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();

describe("generated types", () => {
  it("are up to date with the migrations", async () => {
    const fresh = await generateTypes(db.url);
    expect(fresh.length).toBeGreaterThan(1000);
    expect(readFileSync(TYPES_FILE, "utf8") === fresh, "database.types.ts is stale: run npm run gen:types").toBe(true);
  });
});
