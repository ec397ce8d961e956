// The call-memory service (seed 004): customer_id INTEGER is the tenant, user_id (the phone) was globally unique
// and is now per customer_id, everything is tied by user_id and CallSid, float personality scores.
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { adoptJson, useLegacyDatabase } from "./helpers.ts";
import { adoptionSuite } from "./suite.ts";

const db = useTestDatabase();
const legacy = useLegacyDatabase(db, "call-memory");

describe("adopt: call-memory", () => {
  adoptionSuite(db, legacy, "call-memory", {
    entries: {
      customers: { import: 60, merge: 2, skip: 1 },
      callers: { import: 60, merge: 2, skip: 1 },
      calls: { import: 121 },
      call_summaries: { import: 121, merge: 1 },
      memories: { import: 301, skip: 5 },
      personality: { import: 100, skip: 1 },
    },
    reasons: [
      "customers: phone: unparseable phone",
      "callers: same phone as an earlier row",
      "call_summaries: same call_id as an earlier row",
      "memories: caller_id: orphan",
      "memories: importance: out of range",
      "memories: kind: 'emotion' is not in the map",
      "memories: content: missing",
      "personality: call_id: orphan",
    ],
    visible: "memories",
  });

  it("imports one agency only, links callers to customers, and lets Frontdesk derive the personality averages", async () => {
    await adoptJson(db, "run", "--from", legacy.url, "--mapping", "call-memory", "--tenant", "peterson-check");
    const [t] = await db.sql`select id, name, timezone from public.tenants where slug = 'peterson-check'`;
    expect(t).toMatchObject({ name: "Peterson Insurance", timezone: "America/Chicago" });
    const [{ smith }] = await db.sql`select count(*)::int as smith from public.memories where tenant_id = ${t.id} and content like 'Smith%'`;
    expect(smith).toBe(0);
    const [{ unlinked }] = await db.sql`select count(*)::int as unlinked from public.caller_profiles where tenant_id = ${t.id} and customer_id is null`;
    expect(unlinked).toBe(0);
    // Caller 5 profiled twice (with and without the plus): one caller, calls added up, the memory stored under
    // the other user_id included.
    const [c5] = await legacy.sql`select user_id, call_count from caller_profiles where id = md5('caller5')::uuid`;
    const [p] = await db.sql`
      select p.call_count, (select count(*)::int from public.memories m where m.tenant_id = p.tenant_id and m.caller_id = p.id) as memories
      from public.caller_profiles p where p.tenant_id = ${t.id} and p.phone = ${c5.user_id}`;
    expect(p.call_count).toBe(c5.call_count + 3);
    expect(p.memories).toBe(6);
    // caller_personality: the trigger's averages over the imported (3-decimal) scores.
    const [avg] = await db.sql`
      select count(*)::int as n from public.caller_personality cp where cp.tenant_id = ${t.id}
        and cp.calls = (select count(*) from public.personality_metrics pm where pm.tenant_id = cp.tenant_id and pm.caller_id = cp.caller_id)`;
    const [{ callers }] = await db.sql`select count(distinct caller_id)::int as callers from public.personality_metrics where tenant_id = ${t.id}`;
    expect(avg.n).toBe(callers);
    await adoptJson(db, "rollback", "--mapping", "call-memory", "--tenant", "peterson-check");
  });
});
