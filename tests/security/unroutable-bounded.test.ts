// Traffic for numbers that route nowhere is kept for the operator, but bounded: one row per provider, number, reason
// and hour, with a count. A flood of unverifiable Twilio requests or signed Meta deliveries for unknown or pending
// numbers adds counts, not rows.
import { describe, expect, it } from "vitest";
import { LOCAL_WHATSAPP_APP_SECRET } from "../../local/keys.ts";
import { asRequest, useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { delivery, inbound, messagesChange, post } from "../helpers/meta.ts";
import { tenantWithTeam } from "../helpers/tenants.ts";
import { accountSid, callSid, incomingParams, phone, postTwilio, PUBLIC_BASE } from "../voice/fixtures.ts";
import { waId } from "../whatsapp/fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db, { VOICE_PUBLIC_BASE_URL: PUBLIC_BASE });

const rowsFor = (key: string) =>
  db.sql`select provider, reason, count from private.unroutable_events where routing_key = ${key} order by reason`;

describe("unroutable traffic", () => {
  it("Twilio calls to an unknown number, with a signature nobody can check: one row, counted", async () => {
    const unknown = phone();
    const sid = accountSid();
    for (let i = 0; i < 25; i++) {
      const res = await postTwilio(fns.url, "incoming", incomingParams({ number: unknown, accountSid: sid }, callSid(), phone()), "forged-token");
      expect(res.status).toBe(200);
    }
    expect(await rowsFor(unknown)).toEqual([{ provider: "twilio", reason: "no verified Twilio voice channel has this number", count: 25 }]);
  });

  it("signed Meta deliveries for an unknown number and for a number only claimed (pending): one row each, counted", async () => {
    const unknown = "990011223344556";
    for (let i = 0; i < 10; i++) {
      const body = delivery(messagesChange(unknown, { contacts: [{ wa_id: waId() }], messages: [inbound(waId(), "text")] }));
      expect((await post(`${fns.url}/whatsapp-webhook`, body, LOCAL_WHATSAPP_APP_SECRET)).status).toBe(200);
    }
    // A business claims a number through PostgREST: the channel is pending, so the number still routes nowhere.
    const squatter = await tenantWithTeam(db, "squat");
    const claimed = "880011223344556";
    await asRequest(db, squatter.members.admin.token, (tx) => tx`
      insert into public.channels (tenant_id, kind, provider, phone_number_id) values (${squatter.id}, 'whatsapp', 'meta', ${claimed})`);
    for (let i = 0; i < 10; i++) {
      const body = delivery(messagesChange(claimed, { contacts: [{ wa_id: waId() }], messages: [inbound(waId(), "text")] }));
      expect((await post(`${fns.url}/whatsapp-webhook`, body, LOCAL_WHATSAPP_APP_SECRET)).status).toBe(200);
    }
    const reason = "no active, verified channel for this phone_number_id";
    expect(await rowsFor(unknown)).toEqual([{ provider: "whatsapp", reason, count: 10 }]);
    expect(await rowsFor(claimed)).toEqual([{ provider: "whatsapp", reason, count: 10 }]);
    const [{ n }] = await db.sql`select count(*)::int as n from public.messages where tenant_id = ${squatter.id}`;
    expect(n).toBe(0);
  });

  it("a new hour starts a new row for the same number", async () => {
    const unknown = phone();
    const sid = accountSid();
    await postTwilio(fns.url, "incoming", incomingParams({ number: unknown, accountSid: sid }, callSid(), phone()), "forged-token");
    await db.sql`update private.unroutable_events set window_start = window_start - interval '1 hour' where routing_key = ${unknown}`;
    await postTwilio(fns.url, "incoming", incomingParams({ number: unknown, accountSid: sid }, callSid(), phone()), "forged-token");
    const rows = await db.sql`select count from private.unroutable_events where routing_key = ${unknown} order by window_start`;
    expect(rows.map((r) => r.count)).toEqual([1, 1]);
  });
});
