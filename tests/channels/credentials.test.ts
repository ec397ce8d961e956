// Provider credentials are write-only: an owner or admin sets or rotates them, nothing lets a client role read them
// back, the database holds only ciphertext bound to its row, and only server-side code decrypts.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { importKey, type EncryptionKey } from "../../supabase/functions/_shared/secrets/crypto.ts";
import { readChannelSecret, setChannelSecret } from "../../supabase/functions/_shared/secrets/channel-secrets.ts";
import { asRequest, outcome, useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";

const db = useTestDatabase();
let key: EncryptionKey;
let a: TestTenant;
let b: TestTenant;
let channelA: string;
let channelB: string;

const claimsOf = (token: string) => decodeJwt(token) as { role: string; tenant_id: string };

beforeAll(async () => {
  key = await importKey(randomBytes(32).toString("base64"));
  a = await tenantWithTeam(db, "cred-a");
  b = await tenantWithTeam(db, "cred-b");
  const phone = () => `${Math.floor(1e14 + Math.random() * 9e14)}`;
  [{ id: channelA }] = await db.sql`insert into public.channels (tenant_id, kind, provider, phone_number_id) values (${a.id}, 'whatsapp', 'meta', ${phone()}) returning id`;
  [{ id: channelB }] = await db.sql`insert into public.channels (tenant_id, kind, provider, phone_number_id) values (${b.id}, 'whatsapp', 'meta', ${phone()}) returning id`;
});

describe("channel credentials", () => {
  it("an admin sets one; the channel shows that it is set, never its value; the database holds no plaintext", async () => {
    const token = "EAAG-a-very-secret-whatsapp-token-123";
    await setChannelSecret(claimsOf(a.members.admin.token), channelA, "access_token", token, { sql: db.sql, key });
    const [ch] = await asRequest(db, a.members.staff.token, (tx) => tx`select secrets from public.channels where id = ${channelA}`);
    expect(Object.keys(ch.secrets)).toEqual(["access_token"]);
    expect(JSON.stringify(ch.secrets)).not.toContain("secret-whatsapp");
    const [stored] = await db.sql`select ciphertext from private.channel_secrets where channel_id = ${channelA}`;
    expect(Buffer.from(stored.ciphertext).includes(Buffer.from(token))).toBe(false);
    expect(await readChannelSecret(a.id, channelA, "access_token", { sql: db.sql, key })).toBe(token);
  });

  it("rotation replaces the value", async () => {
    await setChannelSecret(claimsOf(a.members.owner.token), channelA, "app_secret", "first", { sql: db.sql, key });
    await setChannelSecret(claimsOf(a.members.owner.token), channelA, "app_secret", "second", { sql: db.sql, key });
    expect(await readChannelSecret(a.id, channelA, "app_secret", { sql: db.sql, key })).toBe("second");
    expect((await db.sql`select 1 from private.channel_secrets where channel_id = ${channelA} and name = 'app_secret'`).count).toBe(1);
  });

  it("no client role can read the stored credentials, by table or by function", async () => {
    for (const token of [a.members.owner.token, a.members.admin.token, null]) {
      expect(await outcome(asRequest(db, token, (tx) => tx`select * from private.channel_secrets`))).toBe("42501");
      expect(await outcome(asRequest(db, token, (tx) => tx`select * from private.channel_secret(${a.id}, ${channelA}, 'access_token')`))).toBe("42501");
    }
  });

  it("staff and other businesses' admins cannot set them", async () => {
    const staff = setChannelSecret(claimsOf(a.members.staff.token), channelA, "access_token", "x", { sql: db.sql, key });
    expect(await outcome(staff)).toBe("PT404");
    // B's admin aims at A's channel: the ciphertext would be bound to B, and the function refuses anyway.
    const foreign = setChannelSecret(claimsOf(b.members.admin.token), channelA, "access_token", "x", { sql: db.sql, key });
    expect(await outcome(foreign)).toBe("PT404");
    expect(await readChannelSecret(a.id, channelA, "access_token", { sql: db.sql, key })).toBe("EAAG-a-very-secret-whatsapp-token-123");
  });

  it("a ciphertext copied into another business's row does not decrypt (it is bound to tenant, channel and name)", async () => {
    await db.sql`
      insert into private.channel_secrets (tenant_id, channel_id, name, ciphertext, key_id)
      select ${b.id}, ${channelB}, name, ciphertext, key_id from private.channel_secrets
      where tenant_id = ${a.id} and channel_id = ${channelA} and name = 'access_token'`;
    await expect(readChannelSecret(b.id, channelB, "access_token", { sql: db.sql, key })).rejects.toThrow();
  });

  it("a ciphertext made with another key is reported, not mis-decrypted", async () => {
    const other = await importKey(randomBytes(32).toString("base64"));
    await expect(readChannelSecret(a.id, channelA, "access_token", { sql: db.sql, key: other })).rejects.toThrow(/encrypted with key/);
  });

  it("a value too short to be a ciphertext is refused, and every change is audited without the value", async () => {
    const direct = asRequest(db, a.members.admin.token, (tx) => tx`select public.set_channel_secret(${channelA}, 'auth_token', ${Buffer.from("short")}, 'k')`);
    expect(await outcome(direct)).toBe("PT400");
    const entries = await db.sql`select action, row_key, new_data from public.audit_log where table_name = 'private.channel_secrets' and tenant_id = ${a.id}`;
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const e of entries) expect(e.new_data).not.toHaveProperty("ciphertext");
    expect(entries[0].row_key).toMatchObject({ channel_id: channelA });
  });
});
