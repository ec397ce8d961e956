// Names and times in the caller's words, in English and Spanish: first the resolver on its own (pure functions,
// fixed "today"), then through runTool against a Spanish business in Madrid and an English one in New York.
import { beforeAll, describe, expect, it } from "vitest";
import {
  resolveDay, resolveService, resolveStaff, resolveStart, resolveTime, zonedInstant, type CatalogService,
} from "../../supabase/functions/_shared/tools/resolve.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { barbershop, caller, localDays, onCall, peluqueria, tool, wall, type Caller, type Shop } from "./fixtures.ts";

const svc = (id: string, name: string, category: string | null = null): CatalogService =>
  ({ id, name, category, duration_minutes: 30, price_cents: 0, currency: "USD", staff_ids: [] });
const english = [svc("1", "Skin Fade"), svc("2", "Beard Trim"), svc("3", "Kids Cut"), svc("4", "Hot Towel Shave")];
const spanish = [svc("a", "Corte de pelo"), svc("b", "Tinte"), svc("c", "Arreglo de barba"), svc("d", "Mechas", "Color")];
const team = [{ id: "l", name: "Luis" }, { id: "m", name: "María José" }, { id: "s", name: "Sam" }];
const one = (m: ReturnType<typeof resolveService> | ReturnType<typeof resolveStaff>) => (m && m.kind === "one" ? m.item.name : m?.kind ?? "anyone");

describe("service names", () => {
  it.each([
    ["a fade", "Skin Fade"], ["skin fade", "Skin Fade"], ["SKIN-FADE", "Skin Fade"], ["fades", "Skin Fade"],
    ["a beard trim please", "Beard Trim"], ["beard", "Beard Trim"], ["kid's cut", "Kids Cut"], ["a shave", "Hot Towel Shave"],
    ["the skin fde", "Skin Fade"],
  ])("English: %s → %s", (words, name) => expect(one(resolveService(words, english))).toBe(name));

  it.each([
    ["un corte", "Corte de pelo"], ["corte de pelo", "Corte de pelo"], ["CORTE DE PELO", "Corte de pelo"],
    ["quiero un tinte", "Tinte"], ["la barba", "Arreglo de barba"], ["arreglo de barba por favor", "Arreglo de barba"],
    ["color", "Mechas"],
  ])("Spanish: %s → %s", (words, name) => expect(one(resolveService(words, spanish))).toBe(name));

  it("nothing like it, or two alike, is said as such", () => {
    expect(resolveService("manicure", english).kind).toBe("none");
    expect(resolveService("cut", [svc("1", "Kids Cut"), svc("2", "Adult Cut")]).kind).toBe("ambiguous");
    expect(resolveService("00000000-0000-4000-8000-000000000000", english).kind).toBe("none");
  });
});

describe("staff names", () => {
  it.each([
    ["Luis", "Luis"], ["with Luis", "Luis"], ["con Luis", "Luis"], ["louis", "Luis"], ["luís", "Luis"],
    ["maria jose", "María José"], ["con María", "María José"], ["MARÍA JOSÉ", "María José"],
    ["anyone", "anyone"], ["cualquiera", "anyone"], ["me da igual", "anyone"], ["no preference", "anyone"],
  ])("%s → %s", (words, name) => expect(one(resolveStaff(words, team))).toBe(name));

  it("an unknown name is none", () => expect(one(resolveStaff("Pedro", team))).toBe("none"));
});

describe("days and times", () => {
  // Thursday 3 December 2026
  const today = "2026-12-03";
  it.each([
    ["today", "2026-12-03", "2026-12-03", null], ["hoy", "2026-12-03", "2026-12-03", null],
    ["tomorrow", "2026-12-04", "2026-12-04", null], ["mañana", "2026-12-04", "2026-12-04", null],
    ["tomorrow afternoon", "2026-12-04", "2026-12-04", "afternoon"],
    ["mañana por la tarde", "2026-12-04", "2026-12-04", "afternoon"],
    ["mañana por la mañana", "2026-12-04", "2026-12-04", "morning"],
    ["this evening", "2026-12-03", "2026-12-03", "evening"],
    ["pasado mañana", "2026-12-05", "2026-12-05", null], ["day after tomorrow", "2026-12-05", "2026-12-05", null],
    ["Saturday", "2026-12-05", "2026-12-05", null], ["el sábado", "2026-12-05", "2026-12-05", null],
    ["thursday", "2026-12-03", "2026-12-03", null], ["next thursday", "2026-12-10", "2026-12-10", null],
    ["el lunes por la mañana", "2026-12-07", "2026-12-07", "morning"],
    ["next week", "2026-12-07", "2026-12-13", null], ["la semana que viene", "2026-12-07", "2026-12-13", null],
    ["2026-12-24", "2026-12-24", "2026-12-24", null], ["December 5", "2026-12-05", "2026-12-05", null],
    ["5 de enero", "2027-01-05", "2027-01-05", null], ["24/12", "2026-12-24", "2026-12-24", null],
  ])("%s", (words, from, to, part) => expect(resolveDay(words, today)).toEqual({ from, to, part }));

  it("words that are no day are null", () => expect(resolveDay("whenever", today)).toBeNull());

  it.each([
    ["10", 10, 0], ["10:30", 10, 30], ["10am", 10, 0], ["3pm", 15, 0], ["3:30 p.m.", 15, 30], ["15:30", 15, 30],
    ["a las 10", 10, 0], ["a las 5", 17, 0], ["12 pm", 12, 0], ["noon", 12, 0], ["mediodía", 12, 0], ["10 y media", 10, 30],
  ])("time %s", (words, hour, minute) => expect(resolveTime(words)).toEqual({ hour, minute }));

  it("an afternoon part makes an hour before 12 afternoon", () => expect(resolveTime("a las 5", "afternoon")).toEqual({ hour: 17, minute: 0 }));

  it("starts in the business's zone, across DST", () => {
    expect(zonedInstant("2026-07-01", 10, 0, "Europe/Madrid").toISOString()).toBe("2026-07-01T08:00:00.000Z");
    expect(zonedInstant("2026-12-01", 10, 0, "Europe/Madrid").toISOString()).toBe("2026-12-01T09:00:00.000Z");
    expect(zonedInstant("2026-03-08", 10, 0, "America/New_York").toISOString()).toBe("2026-03-08T14:00:00.000Z");
    expect((resolveStart("mañana a las 5 de la tarde", today, "Europe/Madrid") as Date).toISOString()).toBe("2026-12-04T16:00:00.000Z");
    expect((resolveStart("Saturday at 10", today, "America/New_York") as Date).toISOString()).toBe("2026-12-05T15:00:00.000Z");
    expect((resolveStart("5 de diciembre a las 10", today, "Europe/Madrid") as Date).toISOString()).toBe("2026-12-05T09:00:00.000Z");
    expect((resolveStart("Dec 5 at 9:30am", today, "America/New_York") as Date).toISOString()).toBe("2026-12-05T14:30:00.000Z");
    expect((resolveStart("2026-12-05T10:00", today, "Europe/Madrid") as Date).toISOString()).toBe("2026-12-05T09:00:00.000Z");
    expect((resolveStart("2026-12-05T10:00:00Z", today, "Europe/Madrid") as Date).toISOString()).toBe("2026-12-05T10:00:00.000Z");
    expect(resolveStart("el sábado", today, "Europe/Madrid")).toBe("no_time");
    expect(resolveStart("cuando sea", today, "Europe/Madrid")).toBeNull();
  });
});

describe("through the tools, against the business's own catalog", () => {
  const db = useTestDatabase();
  const run = tool(db);
  let luna: Shop;
  let fade: Shop;
  let ana: Caller;
  let joe: Caller;
  let days: { today: string; tomorrow: string };

  beforeAll(async () => {
    luna = await peluqueria(db);
    fade = await barbershop(db);
    ana = await caller(db, luna, "Ana");
    joe = await caller(db, fade, "Joe");
    days = await localDays(db, luna.timezone);
  });

  it("Spanish: \"un corte con María José mañana por la tarde\" → Corte de pelo with María José, tomorrow 12:00–17:00 Madrid", async () => {
    const r = await run(onCall(ana, "retell"), "check_availability", { service: "un corte", staff: "con María José", day: "mañana por la tarde" });
    expect(r.resolved).toEqual({ service: "Corte de pelo", staff: "María José", from: days.tomorrow, to: days.tomorrow, part_of_day: "afternoon" });
    const first = (r.data!.slots as { starts_at: string }[])[0];
    expect(await wall(db, first.starts_at, luna.timezone)).toBe(`${days.tomorrow} 12:00`);
    const booked = await run(onCall(ana, "retell"), "book_appointment", { service: "corte", staff: "maria jose", day: "mañana", time: "a las 4 de la tarde" });
    expect(booked, booked.message).toMatchObject({ ok: true, resolved: { service: "Corte de pelo", staff: "María José" } });
    expect(await wall(db, booked.resolved!.starts_at!, luna.timezone)).toBe(`${days.tomorrow} 16:00`);
  });

  it("Spanish: a person who does not do the service", async () => {
    const r = await run(onCall(ana), "book_appointment", { service: "tinte", staff: "Luis", day: "mañana", time: "10:00" });
    expect(r).toMatchObject({ ok: false, error: { code: "staff_not_offering" } });
    expect(r.message).toBe("Luis does not do Tinte. María José does.");
  });

  it("English: \"a fade with Luis\" resolves in this business only (its Luis, not Madrid's)", async () => {
    const r = await run(onCall(joe), "book_appointment", { service: "a fade", staff: "with Luis", day: "tomorrow", time: "9am" });
    expect(r).toMatchObject({ ok: true, resolved: { service: "Skin Fade", staff: "Luis" } });
    const [b] = await db.sql`select tenant_id, staff_id, service_id from public.bookings where id = ${(r.data!.booking as { id: string }).id}`;
    expect(b).toEqual({ tenant_id: fade.id, staff_id: fade.staff.Luis, service_id: fade.services["Skin Fade"] });
    expect(r.message).toMatch(/^Booked: Skin Fade with Luis, \w{3} \d+ \w{3} 9:00 AM\.$/);
  });
});
