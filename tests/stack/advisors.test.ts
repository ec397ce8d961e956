// Supabase's own linter finds nothing in our schema — and does find a planted mistake, so the check can fail.
import { describe, expect, it } from "vitest";
import { runAdvisors } from "../../local/advisors.ts";
import { useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();

describe("supabase db advisors", () => {
  it("reports nothing on the migrated schema", async () => {
    expect(await runAdvisors(db.url)).toEqual([]);
  });

  it("looks at the info level too: RLS enabled without a policy is reported (control)", async () => {
    await db.sql`create table private.planted_no_policy (id int primary key)`;
    await db.sql`alter table private.planted_no_policy enable row level security`;
    try {
      const findings = await runAdvisors(db.url);
      expect(findings.map((f) => f.name)).toContain("rls_enabled_no_policy");
    } finally {
      await db.sql`drop table private.planted_no_policy`;
    }
  });

  it("reports a public table without RLS (control)", async () => {
    await db.sql`create table public.planted_without_rls (id int primary key)`;
    try {
      const findings = await runAdvisors(db.url);
      expect(findings.map((f) => f.name)).toContain("rls_disabled_in_public");
    } finally {
      await db.sql`drop table public.planted_without_rls`;
    }
  });
});
