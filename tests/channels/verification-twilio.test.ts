// POST /channels/<id>/verify for a Twilio number: the business's own account (Account SID + auth token) must list
// the number among its IncomingPhoneNumbers; until then the channel stays pending.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { asRequest, useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { setChannelSecret } from "../helpers/secrets.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { accountSid, twilioError, useTwilioApi } from "../helpers/twilio-api.ts";

const db = useTestDatabase();
const twilio = useTwilioApi();
const fns = useFunctions(db, () => ({ TWILIO_API_BASE_URL: twilio.url }));
let shop: TestTenant;
beforeAll(async () => {
  shop = await tenantWithTeam(db, "verify-twilio");
});

const digits = (n: number) => Array.from(randomBytes(n), (b) => (b % 10).toString()).join("");
const e164 = () => `+1415${digits(7)}`;

/** A phone channel an admin registered through PostgREST; the account SID and auth token are set unless null. */
async function pendingNumber(opts: { number?: string; provider?: string; sid?: string | null; authToken?: string | null } = {}) {
  const number = opts.number ?? e164();
  const sid = opts.sid === undefined ? accountSid() : opts.sid;
  const [ch] = await asRequest(db, shop.members.admin.token, (tx) => tx`
    insert into public.channels (tenant_id, kind, provider, phone_number, provider_account_id, capabilities)
    values (${shop.id}, 'phone', ${opts.provider ?? "twilio"}, ${number}, ${sid}, '{voice,sms}') returning id, verified_at`);
  expect(ch.verified_at).toBeNull();
  const authToken = opts.authToken === undefined ? randomBytes(16).toString("hex") : opts.authToken;
  if (authToken !== null) await setChannelSecret(db, shop.id, ch.id, "auth_token", authToken);
  return { id: ch.id as string, number, sid: sid as string, authToken: authToken as string };
}

const verify = (channelId: string, token = shop.members.admin.token) =>
  fetch(`${fns.url}/channels/${channelId}/verify`, { method: "POST", headers: { authorization: `Bearer ${token}` } });

const state = async (id: string) =>
  (await db.sql`select verified_at, verification_method from public.channels where id = ${id}`)[0];

describe("POST /channels/<id>/verify (Twilio)", () => {
  it("verifies a number the business's account lists, asking Twilio exactly as its API documents", async () => {
    const ch = await pendingNumber();
    twilio.account(ch.sid, ch.authToken, e164(), ch.number);
    const before = twilio.calls.length;
    const res = await verify(ch.id);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).not.toContain(ch.authToken);
    expect(JSON.parse(text).channel).toMatchObject({ id: ch.id, verification_method: "twilio_account" });
    expect(twilio.calls.slice(before)).toEqual([{
      method: "GET",
      path: `/2010-04-01/Accounts/${ch.sid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(ch.number)}`,
      authorization: `Basic ${Buffer.from(`${ch.sid}:${ch.authToken}`).toString("base64")}`,
    }]);
    expect(await state(ch.id)).toMatchObject({ verification_method: "twilio_account" });
  });

  it("answers 422 when the account does not have the number (a partial match is not the number), and stays pending", async () => {
    const ch = await pendingNumber();
    // Twilio's PhoneNumber filter matches patterns: this account's number merely contains ours.
    twilio.account(ch.sid, ch.authToken, `${ch.number}9`);
    const res = await verify(ch.id);
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe("not_verified");
    expect(error.details).toMatchObject({ provider: "twilio", status: 200, code: "number_not_in_account" });
    expect(error.message).toContain(ch.sid);
    expect(await state(ch.id)).toMatchObject({ verified_at: null, verification_method: null });
  });

  it("answers 422 with Twilio's error when the account refuses the credentials (20003)", async () => {
    const ch = await pendingNumber();
    twilio.account(ch.sid, "a-different-auth-token", ch.number);
    const res = await verify(ch.id);
    expect(res.status).toBe(422);
    expect((await res.json()).error.details).toMatchObject({
      provider: "twilio", status: 401, code: "20003", error: { code: 20003, more_info: "https://www.twilio.com/docs/errors/20003" },
    });
    expect(await state(ch.id)).toMatchObject({ verified_at: null });
  });

  it("answers 400 naming each missing piece (Account SID, auth token) and how to set it, without asking Twilio", async () => {
    const before = twilio.calls.length;
    const noSid = await pendingNumber({ sid: null });
    const res = await verify(noSid.id);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.details.map((d: { path: string }) => d.path)).toEqual(["provider_account_id"]);
    expect(error.message).toContain(`PATCH /rest/v1/channels?id=eq.${noSid.id}`);

    const nothing = await pendingNumber({ sid: null, authToken: null });
    const both = await (await verify(nothing.id)).json();
    expect(both.error.details.map((d: { path: string }) => d.path)).toEqual(["provider_account_id", "auth_token"]);
    expect(both.error.message).toContain(`PUT /functions/v1/credentials/channels/${nothing.id}/auth_token`);
    expect(twilio.calls.length).toBe(before);
  });

  it("answers 422 for a provider that cannot be verified automatically (the operator assigns those)", async () => {
    const ch = await pendingNumber({ provider: "vonage", authToken: null });
    const res = await verify(ch.id);
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe("unsupported_provider");
  });

  it("answers 502 when Twilio fails on its side, and the channel stays pending", async () => {
    const ch = await pendingNumber();
    twilio.account(ch.sid, ch.authToken, ch.number);
    twilio.queue.push(twilioError(500, 20500, "Internal Server Error"));
    expect((await verify(ch.id)).status).toBe(502);
    expect(await state(ch.id)).toMatchObject({ verified_at: null });
  });
});
