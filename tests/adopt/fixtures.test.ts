// `adopt fixtures load <name> --into <url>`: every shipped fixture loads with one command and nothing but npm (no
// psql), into a database the command creates; the WhatsApp bot's generator at a chosen size; bad requests refused
// with what is wrong, and a database that already holds tables left alone.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { SYSTEMS } from "../../adopt/fixtures/load.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { adopt, adoptJson, onDatabase } from "./helpers.ts";

const db = useTestDatabase();
const created: string[] = [];
const fresh = (label: string) => {
  const name = `fixture_${label.replace(/-/g, "_")}_${randomBytes(4).toString("hex")}`;
  created.push(name);
  return onDatabase(db.url, name);
};

afterAll(async () => {
  for (const name of created) await db.sql.unsafe(`drop database if exists ${name} with (force)`);
});

describe("adopt fixtures", () => {
  it("lists the fixtures", async () => {
    const r = await adopt(db, "fixtures", "list");
    expect(r.code).toBe(0);
    for (const s of SYSTEMS) expect(r.out).toContain(`  ${s} `);
  });

  it.each(SYSTEMS.filter((s) => s !== "whatsapp-bot"))("loads %s into a new database, and the mapping plans against it", async (system) => {
    const url = fresh(system);
    const r = await adoptJson(db, "fixtures", "load", system, "--into", url);
    expect(r).toMatchObject({ fixture: system, created: true });
    expect(Object.values(r.tables as Record<string, number>).reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
    const plan = await adoptJson(db, "plan", "--from", url, "--mapping", system, "--tenant", `fixture-${system}`);
    expect(plan.entries.reduce((a: number, e: { import: number }) => a + e.import, 0)).toBeGreaterThan(0);
  });

  it("generates the WhatsApp bot's database at the size asked for", async () => {
    const url = fresh("whatsapp-bot");
    const r = await adoptJson(db, "fixtures", "load", "whatsapp-bot", "--into", url, "--customers", "30", "--conversations", "50", "--messages", "400");
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [c] = await sql`select (select count(*)::int from conversations) as conversations, (select count(*)::int from messages) as messages`;
      expect(r.tables.conversations).toBe(c.conversations);
      expect(r.tables.messages).toBe(c.messages);
      // The generator's own quirks add a few rows (duplicates, retries) beyond the size asked for.
      expect(c.messages).toBeGreaterThanOrEqual(400);
      expect(c.messages).toBeLessThan(450);
      expect(c.conversations).toBeGreaterThanOrEqual(50);
      expect(c.conversations).toBeLessThan(60);
    } finally {
      await sql.end();
    }
    const plan = await adoptJson(db, "plan", "--from", url, "--mapping", "whatsapp-bot", "--tenant", "fixture-whatsapp");
    expect(plan.entries.find((e: { entry: string }) => e.entry === "messages").rows).toBe(r.tables.messages);
  });

  it("refuses what it cannot do, saying why, and never loads over existing tables", async () => {
    const unknown = await adopt(db, "fixtures", "load", "crm", "--into", fresh("crm"));
    expect([unknown.code, unknown.err]).toEqual([2, "adopt: unknown fixture \"crm\" (fixtures: barbershop, whatsapp-bot, voice-sales, booking-bot, call-memory)\n"]);
    const sized = await adopt(db, "fixtures", "load", "barbershop", "--into", fresh("sized"), "--messages", "100");
    expect(sized.code).toBe(2);
    expect(sized.err).toMatch(/--messages: only the whatsapp-bot fixture is generated at a chosen size/);
    const noInto = await adopt(db, "fixtures", "load", "barbershop");
    expect(noInto.code).toBe(2);
    expect(noInto.err).toMatch(/--into <postgres url/);
    const noName = await adopt(db, "fixtures", "load", "barbershop", "--into", onDatabase(db.url, ""));
    expect(noName.code).toBe(2);
    const badOption = await adopt(db, "fixtures", "load", "barbershop", "--into", fresh("x"), "--size", "3");
    expect(badOption.code).toBe(2);
    expect(badOption.err).toMatch(/Unknown option '--size'/);

    // The target database itself holds tables: refused, and nothing was added to it.
    const [{ before }] = await db.sql`select count(*)::int as before from information_schema.tables where table_schema = 'public'`;
    const occupied = await adopt(db, "fixtures", "load", "barbershop", "--into", db.url);
    expect(occupied.code).toBe(1);
    expect(occupied.err).toMatch(/already holds tables/);
    const [{ after }] = await db.sql`select count(*)::int as after from information_schema.tables where table_schema = 'public'`;
    expect(after).toBe(before);
  });
});
