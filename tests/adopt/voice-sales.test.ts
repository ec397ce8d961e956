// The voice sales agent (seed 002): a "Default Tenant" whose real name is in metadata, provider-string voice ids,
// SERIAL agents, a JSONB capabilities list, leads from CSVs (duplicates, no way to contact some), calls stuck at
// 'calling', New York wall-clock timestamps across both DST changes.
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { adoptJson, useLegacyDatabase } from "./helpers.ts";
import { adoptionSuite } from "./suite.ts";

const db = useTestDatabase();
const legacy = useLegacyDatabase(db, "voice-sales");

describe("adopt: voice-sales", () => {
  adoptionSuite(db, legacy, "voice-sales", {
    entries: {
      voices: { import: 4, merge: 1 },
      agents: { import: 4 },
      phone_numbers: { import: 2, skip: 1 },
      leads: { import: 147, merge: 1, skip: 5 },
      calls: { import: 202 },
      call_context: { import: 200 },
    },
    reasons: [
      "voices: same name as an earlier row",
      "phone_numbers: capabilities: list value outside the allowed set",
      "leads: breaks the target's check leads_contactable",
      "leads: same phone as an earlier row",
    ],
    visible: "leads",
  });

  it("maps statuses and sources, keeps voice ids, and reads New York wall-clock time across DST", async () => {
    await adoptJson(db, "run", "--from", legacy.url, "--mapping", "voice-sales", "--tenant", "harbor-check");
    const [t] = await db.sql`select id, name, timezone, category from public.tenants where slug = 'harbor-check'`;
    expect(t).toMatchObject({ name: "Harbor Insurance Group", timezone: "America/New_York", category: "insurance" });
    const statuses = await db.sql`select status::text, count(*)::int as n from public.calls where tenant_id = ${t.id} group by 1 order by 1`;
    expect(statuses.map((s) => s.status)).toEqual(["busy", "canceled", "completed", "failed", "in_progress", "initiated", "no_answer"]);
    const [agent] = await db.sql`
      select a.name, v.provider, v.provider_voice_id from public.voice_agents a join public.voices v on v.tenant_id = a.tenant_id and v.id = a.voice_id
      where a.tenant_id = ${t.id} and a.name = 'Morgan (auto renewals)'`;
    expect(agent).toMatchObject({ provider: "elevenlabs", provider_voice_id: "21m00Tcm4TlvDq8ikWAM" });
    const [orphanAgent] = await db.sql`select voice_id from public.voice_agents where tenant_id = ${t.id} and name = 'Old test agent'`;
    expect(orphanAgent.voice_id).toBeNull();
    // Postgres's rules, applied by the legacy server itself: 2026-03-08 02:30 never happened in New York and is read
    // with the offset before the change (EST, UTC-5); 2025-11-02 01:30 happened twice and is read with the offset
    // after the change (EST again).
    const calls = await db.sql`
      select c.provider_call_id, c.started_at from public.calls c where c.tenant_id = ${t.id}
        and c.provider_call_id in ('c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002') order by 1`;
    expect(calls.map((c) => c.started_at.toISOString())).toEqual(["2026-03-08T07:30:00.000Z", "2025-11-02T06:30:00.000Z"]);
    const [lead] = await db.sql`select source, source_detail, status::text, phone from public.leads where tenant_id = ${t.id} and email = 'chloe@londonbrokers.example'`;
    expect(lead).toEqual({ source: "referral", source_detail: "referral", status: "qualified", phone: "+442079460958" });
    await adoptJson(db, "rollback", "--mapping", "voice-sales", "--tenant", "harbor-check");
  });
});
