// Channel verification in SQL: what a client creates is pending whatever it says, only service_role records a proof,
// a verified number belongs to one business, and a proof is only for the number it was made for.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { asService as asServiceRole, type Tx } from "../../supabase/functions/_shared/db/client.ts";
import { asRequest, outcome, useTestDatabase, type TestDb } from "../helpers/db.ts";
import { setChannelSecret } from "../helpers/secrets.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";

const db = useTestDatabase();
let shop: TestTenant;
let rival: TestTenant;
beforeAll(async () => {
  shop = await tenantWithTeam(db, "verify-sql");
  rival = await tenantWithTeam(db, "verify-sql-rival");
});

const digits = (n: number) => Array.from(randomBytes(n), (b) => (b % 10).toString()).join("");
const phoneNumberId = () => `10${digits(13)}`;

/** A WhatsApp channel inserted by a member through PostgREST. */
async function insertAsMember(db: TestDb, token: string, tenantId: string, pnid: string) {
  const [row] = await asRequest(db, token, (tx) => tx`
    insert into public.channels (tenant_id, kind, provider, phone_number_id) values (${tenantId}, 'whatsapp', 'meta', ${pnid})
    returning id, verified_at, verification_method`);
  return row as { id: string; verified_at: Date | null; verification_method: string | null };
}

// The Edge Function's own service transaction (set local role service_role, claims naming that role and the actor).
const asService = <T>(work: (tx: Tx) => Promise<T>, actorId?: string) => asServiceRole(work, db.sql, actorId);

const record = (tenantId: string, channelId: string, method: string, key: string, actorId?: string) =>
  asService((tx) => tx`select * from private.record_channel_verification(${tenantId}, ${channelId}, ${method}, ${key})`, actorId);

describe("a channel a client creates", () => {
  it("is pending: an insert that says it is verified is refused, and the same number may be pending in two businesses", async () => {
    const pnid = phoneNumberId();
    expect(await outcome(asRequest(db, shop.members.admin.token, (tx) => tx`
      insert into public.channels (tenant_id, kind, provider, phone_number_id, verified_at, verification_method)
      values (${shop.id}, 'whatsapp', 'meta', ${pnid}, now(), 'operator')`))).toBe("42501");
    const mine = await insertAsMember(db, shop.members.admin.token, shop.id, pnid);
    expect(mine).toMatchObject({ verified_at: null, verification_method: null });
    const theirs = await insertAsMember(db, rival.members.owner.token, rival.id, pnid);
    expect(theirs.verified_at).toBeNull();
  });

  it("cannot be marked verified by its admin, not even by updating the columns", async () => {
    const ch = await insertAsMember(db, shop.members.admin.token, shop.id, phoneNumberId());
    expect(await outcome(asRequest(db, shop.members.admin.token, (tx) =>
      tx`update public.channels set verified_at = now(), verification_method = 'operator' where id = ${ch.id}`))).toBe("42501");
    expect(await outcome(asRequest(db, shop.members.admin.token, (tx) =>
      tx`select * from private.record_channel_verification(${shop.id}, ${ch.id}, 'meta_graph', '1')`))).toBe("42501");
    expect(await outcome(asRequest(db, shop.members.admin.token, (tx) => tx`select * from private.assign_channel(${ch.id})`))).toBe("42501");
  });

  it("rows the platform writes itself (seed, adoption, operator SQL) are the operator's assignment", async () => {
    const [row] = await db.sql`
      insert into public.channels (tenant_id, kind, provider, phone_number_id) values (${shop.id}, 'whatsapp', 'meta', ${phoneNumberId()})
      returning verified_at, verification_method`;
    expect(row.verified_at).not.toBeNull();
    expect(row.verification_method).toBe("operator");
  });
});

describe("record_channel_verification (service_role)", () => {
  it("verifies once, stays idempotent, and gives a number to one business only (409)", async () => {
    const pnid = phoneNumberId();
    const mine = await insertAsMember(db, shop.members.admin.token, shop.id, pnid);
    const theirs = await insertAsMember(db, rival.members.admin.token, rival.id, pnid);
    const [first] = await record(shop.id, mine.id, "meta_graph", pnid);
    expect(first).toMatchObject({ channel_id: mine.id, verification_method: "meta_graph" });
    const [again] = await record(shop.id, mine.id, "meta_graph", pnid);
    expect(again.verified_at).toEqual(first.verified_at);
    await expect(record(rival.id, theirs.id, "meta_graph", pnid)).rejects.toMatchObject({
      code: "PT409", message: "this number is already connected to another business",
    });
    await expect(asService((tx) => tx`select * from private.assign_channel(${theirs.id})`)).rejects.toMatchObject({ code: "PT409" });
    const [still] = await db.sql`select verified_at from public.channels where id = ${theirs.id}`;
    expect(still.verified_at).toBeNull();
  });

  it("refuses a proof for a number the channel no longer has (409) and a method that does not fit (400)", async () => {
    const ch = await insertAsMember(db, shop.members.admin.token, shop.id, phoneNumberId());
    expect(await outcome(record(shop.id, ch.id, "meta_graph", phoneNumberId()))).toBe("PT409");
    expect(await outcome(record(shop.id, ch.id, "twilio_account", "x"))).toBe("PT400");
    expect(await outcome(record(rival.id, ch.id, "operator", "x"))).toBe("PT404");
  });

  it("is audited: the log shows the channel becoming verified, by service_role, on whose request", async () => {
    const pnid = phoneNumberId();
    const ch = await insertAsMember(db, shop.members.admin.token, shop.id, pnid);
    await record(shop.id, ch.id, "meta_graph", pnid, shop.members.admin.id);
    const [entry] = await db.sql`
      select actor_id, actor_role, old_data ->> 'verified_at' as before, new_data ->> 'verification_method' as method
      from public.audit_log where tenant_id = ${shop.id} and action = 'update' and row_key ->> 'id' = ${ch.id}`;
    expect(entry).toMatchObject({ actor_id: shop.members.admin.id, actor_role: "service_role", before: null, method: "meta_graph" });
  });
});

describe("a verified channel's number", () => {
  it("cannot be changed by a client, so a proof never moves to another number", async () => {
    const pnid = phoneNumberId();
    const ch = await insertAsMember(db, shop.members.admin.token, shop.id, pnid);
    await record(shop.id, ch.id, "meta_graph", pnid);
    expect(await outcome(asRequest(db, shop.members.owner.token, (tx) =>
      tx`update public.channels set phone_number_id = ${phoneNumberId()} where id = ${ch.id}`))).toBe("42501");
    const [row] = await db.sql`select phone_number_id, verification_method from public.channels where id = ${ch.id}`;
    expect(row).toMatchObject({ phone_number_id: pnid, verification_method: "meta_graph" });
  });

  it("owners and admins may record the Twilio Account SID verification needs", async () => {
    const [ch] = await asRequest(db, shop.members.admin.token, (tx) => tx`
      insert into public.channels (tenant_id, kind, provider, phone_number) values (${shop.id}, 'phone', 'twilio', ${"+1415" + digits(7)}) returning id`);
    const sid = `AC${randomBytes(16).toString("hex")}`;
    await asRequest(db, shop.members.admin.token, (tx) => tx`update public.channels set provider_account_id = ${sid} where id = ${ch.id}`);
    const [row] = await db.sql`select provider_account_id from public.channels where id = ${ch.id}`;
    expect(row.provider_account_id).toBe(sid);
  });
});

describe("channel_to_verify (as the caller)", () => {
  it("hands an owner or admin the routing key and the encrypted credential, and nobody else anything (404)", async () => {
    const pnid = phoneNumberId();
    const ch = await insertAsMember(db, shop.members.admin.token, shop.id, pnid);
    await setChannelSecret(db, shop.id, ch.id, "access_token", "EAAG-secret");
    const [row] = await asRequest(db, shop.members.owner.token, (tx) => tx`select * from private.channel_to_verify(${ch.id})`);
    expect(row).toMatchObject({ tenant_id: shop.id, channel_id: ch.id, kind: "whatsapp", phone_number_id: pnid, verified_at: null, credential_name: "access_token" });
    expect(row.ciphertext.length).toBeGreaterThan(28);
    expect(Buffer.from(row.ciphertext).toString()).not.toContain("EAAG-secret");

    expect(await outcome(asRequest(db, shop.members.staff.token, (tx) => tx`select * from private.channel_to_verify(${ch.id})`))).toBe("PT404");
    expect(await outcome(asRequest(db, rival.members.owner.token, (tx) => tx`select * from private.channel_to_verify(${ch.id})`))).toBe("PT404");
    expect(await outcome(asRequest(db, null, (tx) => tx`select * from private.channel_to_verify(${ch.id})`))).toBe("42501");
  });

  it("gives an API key nothing, whatever its tenant and scopes (claims without a subject)", async () => {
    const ch = await insertAsMember(db, shop.members.admin.token, shop.id, phoneNumberId());
    const [key] = await db.sql`
      insert into public.api_keys (tenant_id, name, prefix, key_hash, scopes)
      values (${shop.id}, 'agent', 'fd_live_00000000', sha256('k'::bytea), '{memory:read,memory:write}') returning id`;
    const claims = { role: "authenticated", tenant_id: shop.id, api_key_id: key.id, scopes: ["memory:read", "memory:write"] };
    const attempt = db.authenticator.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      return tx`select * from private.channel_to_verify(${ch.id})`;
    });
    expect(await outcome(attempt)).toBe("PT404");
  });
});
