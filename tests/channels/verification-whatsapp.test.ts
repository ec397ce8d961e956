// POST /channels/<id>/verify for a WhatsApp number: the business's own Graph access token must read the
// phone_number_id (GET {graph}/{phone_number_id}); until then the channel stays pending.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { asRequest, useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { useGraphNumbers } from "../helpers/meta.ts";
import { setChannelSecret } from "../helpers/secrets.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";

const db = useTestDatabase();
const graph = useGraphNumbers();
const fns = useFunctions(db, () => ({ WHATSAPP_GRAPH_URL: graph.url }));
let shop: TestTenant;
let rival: TestTenant;
beforeAll(async () => {
  shop = await tenantWithTeam(db, "verify-wa");
  rival = await tenantWithTeam(db, "verify-wa-rival");
});

const digits = (n: number) => Array.from(randomBytes(n), (b) => (b % 10).toString()).join("");

/** A WhatsApp channel an admin registered through PostgREST, with its access token set (unless `token` is null). */
async function pendingNumber(t: TestTenant, opts: { phoneNumberId?: string; token?: string | null } = {}) {
  const phoneNumberId = opts.phoneNumberId ?? `10${digits(13)}`;
  const [ch] = await asRequest(db, t.members.admin.token, (tx) => tx`
    insert into public.channels (tenant_id, kind, provider, phone_number_id, display_phone_number)
    values (${t.id}, 'whatsapp', 'meta', ${phoneNumberId}, '+1 555 010 0000') returning id, verified_at`);
  expect(ch.verified_at).toBeNull();
  const token = opts.token === undefined ? `EAAG${randomBytes(16).toString("hex")}` : opts.token;
  if (token !== null) await setChannelSecret(db, t.id, ch.id, "access_token", token);
  return { id: ch.id as string, phoneNumberId, token: token as string };
}

const verify = (token: string | null, channelId: string) =>
  fetch(`${fns.url}/channels/${channelId}/verify`, { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {} });

const state = async (id: string) =>
  (await db.sql`select verified_at, verification_method from public.channels where id = ${id}`)[0];

describe("POST /channels/<id>/verify (WhatsApp)", () => {
  it("verifies a number the business's token can read, asking Graph exactly GET /<phone_number_id> with that token", async () => {
    const ch = await pendingNumber(shop);
    graph.grant(ch.token, ch.phoneNumberId);
    const before = graph.calls.length;
    const res = await verify(shop.members.admin.token, ch.id);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).not.toContain(ch.token);
    const body = JSON.parse(text);
    expect(body.channel).toMatchObject({ id: ch.id, verification_method: "meta_graph" });
    expect(Number.isNaN(Date.parse(body.channel.verified_at))).toBe(false);
    expect(graph.calls.slice(before)).toEqual([{ method: "GET", path: `/v23.0/${ch.phoneNumberId}`, authorization: `Bearer ${ch.token}` }]);
    expect(await state(ch.id)).toMatchObject({ verification_method: "meta_graph" });

    // Once verified, verifying again answers the same without asking Meta again.
    const again = await verify(shop.members.owner.token, ch.id);
    expect(again.status).toBe(200);
    expect((await again.json()).channel.verified_at).toBe(body.channel.verified_at);
    expect(graph.calls.length).toBe(before + 1);

    // The audit log says who proved it.
    const [entry] = await db.sql`
      select actor_id, actor_role from public.audit_log
      where tenant_id = ${shop.id} and action = 'update' and row_key ->> 'id' = ${ch.id} and new_data ->> 'verification_method' = 'meta_graph'`;
    expect(entry).toMatchObject({ actor_id: shop.members.admin.id, actor_role: "service_role" });
  });

  it("answers 422 with Meta's error when the token cannot read the number, and the channel stays pending", async () => {
    const ch = await pendingNumber(shop);
    graph.grant(ch.token, `10${digits(13)}`); // a valid token, for some other number
    const res = await verify(shop.members.admin.token, ch.id);
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe("not_verified");
    expect(error.message).toContain("Unsupported get request");
    expect(error.details).toMatchObject({ provider: "meta", status: 400, code: "100", error: { code: 100, error_subcode: 33, type: "GraphMethodException" } });
    expect(await state(ch.id)).toMatchObject({ verified_at: null, verification_method: null });

    const unknown = await pendingNumber(shop); // a token Meta does not know at all
    const bad = await verify(shop.members.admin.token, unknown.id);
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.details).toMatchObject({ provider: "meta", status: 401, code: "190" });
    expect(await state(unknown.id)).toMatchObject({ verified_at: null });
  });

  it("answers 409 when another business already has the number verified", async () => {
    const theirs = await pendingNumber(rival);
    graph.grant(theirs.token, theirs.phoneNumberId);
    expect((await verify(rival.members.owner.token, theirs.id)).status).toBe(200);

    // Even a token that can read the number (say, a shared solution provider's) does not take it over.
    const mine = await pendingNumber(shop, { phoneNumberId: theirs.phoneNumberId });
    graph.grant(mine.token, mine.phoneNumberId);
    const res = await verify(shop.members.admin.token, mine.id);
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toBe("this number is already connected to another business");
    expect(await state(mine.id)).toMatchObject({ verified_at: null });
  });

  it("is for the business's owners and admins: staff and other businesses get 404, no or bad tokens 401", async () => {
    const ch = await pendingNumber(shop);
    graph.grant(ch.token, ch.phoneNumberId);
    const before = graph.calls.length;
    expect((await verify(shop.members.staff.token, ch.id)).status).toBe(404);
    expect((await verify(rival.members.owner.token, ch.id)).status).toBe(404);
    expect((await verify(rival.members.admin.token, ch.id)).status).toBe(404);
    expect((await verify(null, ch.id)).status).toBe(401);
    expect((await verify("not-a-jwt", ch.id)).status).toBe(401);
    expect((await verify(`fd_live_0000abcd_${randomBytes(32).toString("base64url")}`, ch.id)).status).toBe(401);
    expect((await verify(shop.members.admin.token, "not-a-uuid")).status).toBe(400);
    expect((await verify(shop.members.admin.token, crypto.randomUUID())).status).toBe(404);
    expect(graph.calls.length).toBe(before);
    expect(await state(ch.id)).toMatchObject({ verified_at: null });
  });

  it("answers 400 naming the missing access token and how to set it, without asking Meta", async () => {
    const ch = await pendingNumber(shop, { token: null });
    const before = graph.calls.length;
    const res = await verify(shop.members.admin.token, ch.id);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("missing_credentials");
    expect(error.message).toContain(`PUT /functions/v1/credentials/channels/${ch.id}/access_token`);
    expect(error.details).toEqual([expect.objectContaining({ path: "access_token" })]);
    expect(graph.calls.length).toBe(before);
  });

  it("answers 400 when the stored token cannot be decrypted with the platform's key (it must be set again)", async () => {
    const ch = await pendingNumber(shop, { token: null });
    await db.sql`
      insert into private.channel_secrets (tenant_id, channel_id, name, ciphertext, key_id)
      values (${shop.id}, ${ch.id}, 'access_token', ${randomBytes(48)}, 'a-retired-key')`;
    const res = await verify(shop.members.admin.token, ch.id);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("credential_unreadable");
    expect(error.message).toContain(`/credentials/channels/${ch.id}/access_token`);
  });

  it("answers 502 when Graph fails on its side, and the channel stays pending", async () => {
    const ch = await pendingNumber(shop);
    graph.grant(ch.token, ch.phoneNumberId);
    graph.queue.push({ status: 503, body: { error: { message: "Service temporarily unavailable", type: "OAuthException", code: 2, fbtrace_id: "AbC" } } });
    const res = await verify(shop.members.admin.token, ch.id);
    expect(res.status).toBe(502);
    expect((await res.json()).error.code).toBe("provider_unavailable");
    expect(await state(ch.id)).toMatchObject({ verified_at: null });
    expect((await verify(shop.members.admin.token, ch.id)).status).toBe(200); // and a retry succeeds
  });
});
