// POST /channels/<id>/assign: the platform operator (the project's secret key in `apikey`) assigns a number to the
// business that registered it, without asking any provider. Nobody else can.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { SECRET_KEY } from "../../local/keys.ts";
import { asRequest, useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";

const db = useTestDatabase();
const fns = useFunctions(db);
let shop: TestTenant;
let rival: TestTenant;
beforeAll(async () => {
  shop = await tenantWithTeam(db, "assign");
  rival = await tenantWithTeam(db, "assign-rival");
});

const e164 = () => `+1212${Array.from(randomBytes(7), (b) => (b % 10).toString()).join("")}`;

async function pendingNumber(t: TestTenant, number = e164()) {
  const [ch] = await asRequest(db, t.members.admin.token, (tx) => tx`
    insert into public.channels (tenant_id, kind, provider, phone_number) values (${t.id}, 'phone', 'telnyx', ${number}) returning id`);
  return { id: ch.id as string, number };
}

const assign = (channelId: string, headers: Record<string, string> = { apikey: SECRET_KEY }) =>
  fetch(`${fns.url}/channels/${channelId}/assign`, { method: "POST", headers });

const state = async (id: string) =>
  (await db.sql`select verified_at, verification_method from public.channels where id = ${id}`)[0];

describe("POST /channels/<id>/assign", () => {
  it("assigns a pending number with the secret key (method 'operator'), idempotently", async () => {
    const ch = await pendingNumber(shop);
    const res = await assign(ch.id);
    expect(res.status).toBe(200);
    const { channel } = await res.json();
    expect(channel).toMatchObject({ id: ch.id, verification_method: "operator" });
    expect(await state(ch.id)).toMatchObject({ verification_method: "operator" });
    const again = await (await assign(ch.id)).json();
    expect(again.channel.verified_at).toBe(channel.verified_at);
  });

  it("answers 401 without the secret key, whoever asks, and the channel stays pending", async () => {
    const ch = await pendingNumber(shop);
    expect((await assign(ch.id, {})).status).toBe(401);
    expect((await assign(ch.id, { apikey: "sb_secret_not-the-key" })).status).toBe(401);
    expect((await assign(ch.id, { authorization: `Bearer ${shop.members.owner.token}` })).status).toBe(401);
    expect(await state(ch.id)).toMatchObject({ verified_at: null, verification_method: null });
  });

  it("refuses a number another business already has (409), an unknown channel (404) and a malformed id (400)", async () => {
    const theirs = await pendingNumber(rival);
    expect((await assign(theirs.id)).status).toBe(200);
    const mine = await pendingNumber(shop, theirs.number);
    const res = await assign(mine.id);
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toBe("this number is already connected to another business");
    expect(await state(mine.id)).toMatchObject({ verified_at: null });
    expect((await assign(crypto.randomUUID())).status).toBe(404);
    expect((await assign("nope")).status).toBe(400);
  });
});
