// The memory API's caller through libphonenumber-js, end to end (functions gateway, real API keys and JWTs): a
// national number is read in the business's country (its phone's, else settings.country), the SQL functions get
// E.164, a business with neither accepts international numbers only, and withheld placeholders stay withheld.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { call, createKey } from "../memory/fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db);

let us: TestTenant; let usKey: string; // phone +1 305 …: national numbers are American
let es: TestTenant; let esKey: string; // no phone, settings.country ES
let none: TestTenant; let noneKey: string; // neither

beforeAll(async () => {
  us = await tenantWithTeam(db, "phone-us");
  es = await tenantWithTeam(db, "phone-es");
  none = await tenantWithTeam(db, "phone-none");
  await db.sql`update public.tenants set phone = '+13055550100' where id = ${us.id}`;
  await db.sql`update public.tenants set settings = '{"country": "ES"}' where id = ${es.id}`;
  usKey = (await createKey(fns, us.members.owner.token, ["memory:read", "memory:write"])).key;
  esKey = (await createKey(fns, es.members.owner.token, ["memory:read", "memory:write"])).key;
  noneKey = (await createKey(fns, none.members.owner.token, ["memory:read", "memory:write"])).key;
});

const store = (bearer: string, caller: string) => call(fns, "POST", "memory", { bearer, body: { caller, memories: [{ content: `note for ${caller}` }] } });
const recall = (bearer: string, caller: string) => call(fns, "GET", "memory", { bearer, query: { caller } });

describe("memory API callers through libphonenumber-js", () => {
  it("reads a national number in the country of the business's phone, and stores it as E.164", async () => {
    const res = await store(usKey, "(305) 555-0177");
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const [p] = await db.sql`select phone from public.caller_profiles where tenant_id = ${us.id} and id = ${res.body.caller_id}`;
    expect(p.phone).toBe("+13055550177");
    const again = await recall(usKey, "+1 305-555-0177");
    expect(again.status).toBe(200);
    expect(again.body.caller.phone).toBe("+13055550177");
    // A member's JWT resolves the same business.
    expect((await recall(us.members.staff.token, "305.555.0177")).body.caller.phone).toBe("+13055550177");
  });

  it("falls back to settings.country when the business has no phone", async () => {
    const res = await store(esKey, "612 34 56 78");
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await recall(esKey, "+34612345678")).body.caller.id).toBe(res.body.caller_id);
  });

  it("accepts only international numbers when the business has neither, naming the problem", async () => {
    const res = await store(noneKey, "612 34 56 78");
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/caller: use E\.164.*no phone or settings\.country/);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: "caller" })]);
    expect((await store(noneKey, "+34 612 34 56 78")).status).toBe(201);
    const bad = await store(usKey, "555-CUTS");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/not a phone number in US/);
    const [{ n }] = await db.sql`select count(*)::int as n from public.caller_profiles where tenant_id = ${none.id}`;
    expect(n).toBe(1);
  });

  it("passes withheld placeholders to SQL unchanged, which refuses them as withheld", async () => {
    for (const w of ["+266696687", "+7378742833"]) {
      const res = await store(usKey, w);
      expect(res.status, w).toBe(400);
      expect(res.body.error.message).toMatch(/withheld caller id/);
    }
  });
});
