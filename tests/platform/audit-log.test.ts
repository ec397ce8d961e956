// The audit log records who changed what in sensitive tables, is readable by owners and admins of the business,
// and is append-only for everyone, the schema owner included.
import { beforeAll, describe, expect, it } from "vitest";
import { asRequest, outcome, useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";

const db = useTestDatabase();
let t: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  t = await tenantWithTeam(db, "audited");
  other = await tenantWithTeam(db, "elsewhere");
});

describe("audit log", () => {
  it("records a change with actor, before and after", async () => {
    await asRequest(db, t.members.admin.token, (tx) =>
      tx`insert into public.feature_flags (tenant_id, flag, enabled) values (${t.id}, 'assistant.voice', true)`);
    await asRequest(db, t.members.owner.token, (tx) =>
      tx`update public.feature_flags set enabled = false where tenant_id = ${t.id} and flag = 'assistant.voice'`);
    const entries = await db.sql`
      select action, actor_id, actor_role, row_key, old_data ->> 'enabled' as was, new_data ->> 'enabled' as now
      from public.audit_log where tenant_id = ${t.id} and table_name = 'public.feature_flags' order by id`;
    expect(entries.map((e) => [e.action, e.actor_id, e.was, e.now])).toEqual([
      ["insert", t.members.admin.id, null, "true"],
      ["update", t.members.owner.id, "true", "false"],
    ]);
    expect(entries[0].actor_role).toBe("authenticated");
    expect(entries[0].row_key).toEqual({ tenant_id: t.id, flag: "assistant.voice" });
  });

  it("never stores secrets: invitation token hashes and API key hashes are left out", async () => {
    const [k] = await db.sql`
      insert into public.api_keys (tenant_id, name, prefix, key_hash, scopes) values (${t.id}, 'k', 'fd_x', '\\x00ff', '{memory:read}') returning id`;
    const [e] = await db.sql`select new_data from public.audit_log where table_name = 'public.api_keys' and row_key ->> 'id' = ${k.id}`;
    expect(e.new_data).toMatchObject({ name: "k", prefix: "fd_x" });
    expect(e.new_data).not.toHaveProperty("key_hash");
  });

  it("is readable by owners and admins of the business only", async () => {
    const count = async (token: string) => (await asRequest(db, token, (tx) => tx`select 1 from public.audit_log where tenant_id = ${t.id}`)).count;
    expect(await count(t.members.owner.token)).toBeGreaterThan(0);
    expect(await count(t.members.admin.token)).toBeGreaterThan(0);
    expect(await count(t.members.staff.token)).toBe(0);
    expect(await count(other.members.owner.token)).toBe(0);
  });

  it("refuses updates, deletes and truncation, even by the schema owner", async () => {
    expect(await outcome(db.sql`update public.audit_log set action = 'forged' where tenant_id = ${t.id}`)).toBe("42501");
    expect(await outcome(db.sql`delete from public.audit_log where tenant_id = ${t.id}`)).toBe("42501");
    expect(await outcome(db.sql`truncate public.audit_log`)).toBe("42501");
    expect(await outcome(asRequest(db, t.members.owner.token, (tx) => tx`delete from public.audit_log where tenant_id = ${t.id}`))).toBe("42501");
  });

  it("keeps the history of a business that is deleted", async () => {
    const gone = await tenantWithTeam(db, "gone");
    await db.sql`delete from public.tenants where id = ${gone.id}`;
    const [row] = await db.sql`select count(*)::int as n from public.audit_log where tenant_id = ${gone.id} and action = 'delete'`;
    expect(row.n).toBeGreaterThan(0);
  });
});

describe("usage totals", () => {
  it("follow usage events per month and count a retried event once", async () => {
    const add = (ref: string, q: number, at: string) => db.sql`
      insert into public.usage_events (tenant_id, metric, quantity, source_ref, occurred_at)
      values (${t.id}, 'call_minutes', ${q}, ${ref}, ${at}) on conflict do nothing`;
    await add("call-1", 3.5, "2030-02-10T10:00Z");
    await add("call-2", 2, "2030-02-28T23:59Z");
    await add("call-2", 2, "2030-02-28T23:59Z"); // webhook retry
    await add("call-3", 1, "2030-03-01T00:00Z");
    const rows = await db.sql`select month::text, quantity::float from public.usage_monthly where tenant_id = ${t.id} and metric = 'call_minutes' order by month`;
    expect(rows.map((r) => [r.month, r.quantity])).toEqual([["2030-02-01", 5.5], ["2030-03-01", 1]]);
  });
});
