// The voice SQL layer on its own: opening hours in the business's time zone, agent credentials (write-only, for
// owners and admins), and what the webhook role may and may not do.
import { randomBytes } from "node:crypto";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { importKey, type EncryptionKey } from "../../supabase/functions/_shared/secrets/crypto.ts";
import { decryptAgentSecret, setAgentSecret } from "../../supabase/functions/_shared/voice-platforms/agent-secrets.ts";
import { asRequest, outcome, useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";

const db = useTestDatabase();

describe("opening hours", () => {
  let t: { id: string };
  beforeAll(async () => {
    [t] = await db.sql`insert into public.tenants (slug, name, timezone) values (${`hours-${randomBytes(3).toString("hex")}`}, 'Hours', 'America/New_York') returning id`;
    // Mondays 09:00–12:00 and 13:00–17:00 (split shift); Saturdays until midnight
    await db.sql`insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values
      (${t.id}, 1, '09:00', '12:00'), (${t.id}, 1, '13:00', '17:00'), (${t.id}, 6, '20:00', '24:00')`;
  });
  const openAt = async (at: string) => (await db.sql`select private.voice_open_at(${t.id}, ${at}::timestamptz) as open`)[0].open as boolean;

  it("reads the business's own wall clock, across a DST change", async () => {
    // Monday 2026-03-02 (EST, UTC-5) and Monday 2026-03-09 (EDT, UTC-4): 09:30 local both times
    expect(await openAt("2026-03-02T14:30:00Z")).toBe(true);
    expect(await openAt("2026-03-09T13:30:00Z")).toBe(true);
    expect(await openAt("2026-03-09T12:30:00Z")).toBe(false); // 08:30 EDT
    expect(await openAt("2026-03-09T16:30:00Z")).toBe(false); // 12:30, the lunch break
    expect(await openAt("2026-03-09T21:00:00Z")).toBe(false); // 17:00 sharp: closed
    expect(await openAt("2026-03-10T14:00:00Z")).toBe(false); // Tuesday: no hours
    expect(await openAt("2026-03-15T03:59:59Z")).toBe(true); // Saturday 23:59:59 EDT: open until midnight
  });

  it("is closed during a whole-business closure, not during one staff member's time off", async () => {
    const [staff] = await db.sql`insert into public.staff (tenant_id, name) values (${t.id}, 'Sam') returning id`;
    await db.sql`insert into public.closures (tenant_id, staff_id, starts_at, ends_at) values (${t.id}, ${staff.id}, '2026-03-16T00:00Z', '2026-03-17T00:00Z')`;
    expect(await openAt("2026-03-16T14:30:00Z")).toBe(true);
    await db.sql`insert into public.closures (tenant_id, starts_at, ends_at, reason) values (${t.id}, '2026-03-16T14:00Z', '2026-03-16T15:00Z', 'Inventory')`;
    expect(await openAt("2026-03-16T14:30:00Z")).toBe(false);
    expect(await openAt("2026-03-16T15:00:00Z")).toBe(true);
  });
});

describe("agent credentials", () => {
  let key: EncryptionKey;
  let a: TestTenant;
  let b: TestTenant;
  let agentA: string;
  const claimsOf = (token: string) => decodeJwt(token) as { role: string; tenant_id: string };

  beforeAll(async () => {
    key = await importKey(randomBytes(32).toString("base64"));
    a = await tenantWithTeam(db, "agent-cred-a");
    b = await tenantWithTeam(db, "agent-cred-b");
    [{ id: agentA }] = await db.sql`insert into public.voice_agents (tenant_id, name, platform, platform_agent_id) values (${a.id}, 'Vapi', 'vapi', 'asst_1') returning id`;
  });

  it("an admin sets one; only ciphertext is stored, bound to its agent; the lookup returns it for the webhook role", async () => {
    await setAgentSecret(claimsOf(a.members.admin.token), agentA, "webhook_secret", "sk-very-secret", { sql: db.sql, key });
    const [stored] = await db.sql`select tenant_id, agent_id, ciphertext, key_id from private.agent_secrets where agent_id = ${agentA}`;
    expect(Buffer.from(stored.ciphertext).includes(Buffer.from("sk-very-secret"))).toBe(false);
    const rows = await db.sql.begin(async (tx) => {
      await tx`set local role frontdesk_webhook`;
      return tx`select * from private.voice_agent_secrets('vapi', 'asst_1', 'webhook_secret')`;
    });
    expect(rows).toHaveLength(1);
    expect(await decryptAgentSecret(rows[0] as never, "webhook_secret", key)).toBe("sk-very-secret");
    // rotation replaces it
    await setAgentSecret(claimsOf(a.members.owner.token), agentA, "webhook_secret", "sk-rotated", { sql: db.sql, key });
    const [again] = await db.sql`select * from private.voice_agent_secrets('vapi', 'asst_1', 'webhook_secret')`;
    expect(await decryptAgentSecret(again as never, "webhook_secret", key)).toBe("sk-rotated");
    // moved to another agent, it does not decrypt
    await expect(decryptAgentSecret({ ...(again as never as { tenant_id: string; secret: Uint8Array; key_id: string }), agent_id: crypto.randomUUID() }, "webhook_secret", key)).rejects.toThrow();
  });

  it("staff, other businesses and unknown names are refused; no client role reads it back; changes are audited without it", async () => {
    expect(await outcome(setAgentSecret(claimsOf(a.members.staff.token), agentA, "webhook_secret", "x", { sql: db.sql, key }))).toBe("PT404");
    expect(await outcome(setAgentSecret(claimsOf(b.members.admin.token), agentA, "webhook_secret", "x", { sql: db.sql, key }))).toBe("PT404");
    expect(await outcome(setAgentSecret(claimsOf(a.members.admin.token), agentA, "password" as never, "x", { sql: db.sql, key }))).toBe("PT400");
    for (const token of [a.members.owner.token, null]) {
      expect(await outcome(asRequest(db, token, (tx) => tx`select * from private.agent_secrets`))).toBe("42501");
      expect(await outcome(asRequest(db, token, (tx) => tx`select * from private.voice_agent_secrets('vapi', 'asst_1', 'webhook_secret')`))).toBe("42501");
    }
    const entries = await db.sql`select action, row_key, new_data from public.audit_log where table_name = 'private.agent_secrets' and tenant_id = ${a.id}`;
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(entries)).not.toMatch(/ciphertext|sk-rotated/);
  });
});

describe("the webhook role", () => {
  it("executes the voice functions and nothing else: no table access, no helpers", async () => {
    const as = <T>(work: (tx: import("postgres").TransactionSql) => Promise<T>) =>
      db.sql.begin(async (tx) => {
        await tx`set local role frontdesk_webhook`;
        return work(tx);
      });
    expect(await outcome(as((tx) => tx`select * from public.calls`))).toBe("42501");
    expect(await outcome(as((tx) => tx`select * from private.agent_secrets`))).toBe("42501");
    expect(await outcome(as((tx) => tx`select private.voice_customer(${crypto.randomUUID()}, '+13055550100', null, now())`))).toBe("42501");
    expect(await outcome(as((tx) => tx`select private.set_agent_secret(${crypto.randomUUID()}, 'api_key', '\\x00', 'k')`))).toBe("42501");
    expect(await outcome(as((tx) => tx`select * from private.twilio_voice_channel('+13055550100')`))).toBe("ok");
  });

  it("cannot aim a write at a channel of another business", async () => {
    const x = await tenantWithTeam(db, "role-x");
    const y = await tenantWithTeam(db, "role-y");
    const [chY] = await db.sql`insert into public.channels (tenant_id, kind, provider, phone_number) values (${y.id}, 'phone', 'twilio', '+13055550177') returning id`;
    const attempt = db.sql.begin(async (tx) => {
      await tx`set local role frontdesk_webhook`;
      return tx`select private.twilio_call_status(${x.id}, ${chY.id}, ${tx.json({ call_sid: "CA0123456789abcdef", status: "completed" })})`;
    });
    expect(await outcome(attempt)).toBe("PT404");
    expect((await db.sql`select 1 from public.calls where tenant_id in (${x.id}, ${y.id})`).count).toBe(0);
  });
});
