// A WhatsApp customer's phone is what libphonenumber-js makes of "+<wa_id>" (_shared/whatsapp/phones.ts), never a
// string rule in SQL: the webhook reads every wa_id of a delivery into { wa_id: E.164 } and the ingest takes phones
// only from that map. An id libphonenumber-js cannot place (a legacy Mexican "521…") leaves the customer without a
// phone, still known by wa_id; a number change moves the phone per the map; a replay reads the same map again.
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_WHATSAPP_APP_SECRET } from "../../local/keys.ts";
import { applyDelivery } from "../../supabase/functions/_shared/whatsapp/ingest.ts";
import { waIdPhone, whatsappIds, whatsappPhones } from "../../supabase/functions/_shared/whatsapp/phones.ts";
import { toE164 } from "../../supabase/functions/_shared/phone/phone.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { bsuid, delivery, inbound, messagesChange, post, status, unix, wamid } from "../helpers/meta.ts";
import { whatsappBusiness, type WhatsAppBusiness } from "./fixtures.ts";

type Json = Record<string, unknown>;
const value = (phoneNumberId: string, rest: Json) => ({
  messaging_product: "whatsapp",
  metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
  ...rest,
});
const envelope = (...changes: Json[]) => ({ object: "whatsapp_business_account", entry: [{ id: "102290129340398", changes }] });
const changeNumber = (from: string, to: string, extra: Json = {}) => ({
  from, id: wamid(), timestamp: unix(), type: "system",
  system: { body: `User Sheena Nelson changed from ${from} to ${to}`, wa_id: to, type: "user_changed_number", ...extra },
});

describe("whatsappPhones: the wa_ids of a delivery, read by libphonenumber-js", () => {
  it("collects every place the ingest reads a wa_id, and only digits", () => {
    const user = bsuid();
    const body = envelope(
      {
        field: "messages",
        value: value("106540352242922", {
          contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: "16505551234", user_id: user }, { profile: { name: "Kai" }, user_id: bsuid() }],
          messages: [
            { ...inbound("16505551234", "text"), from_user_id: user },
            { from: user, id: wamid(), timestamp: unix(), type: "text", text: { body: "a BSUID in from" } },
            changeNumber("34612345678", "447911123456"),
            { from: "525512345678", id: wamid(), timestamp: unix(), type: "system", system: { type: "user_changed_number", new_wa_id: "525512340000" } },
            "garbage",
          ],
          statuses: [status("wamid.out", "delivered", "4915112345678"), { ...status("wamid.bsuid", "read", user), recipient_user_id: user }],
        }),
      },
      { field: "smb_message_echoes", value: value("106540352242922", { message_echoes: [{ from: "15550783881", to: "+61412345678", id: wamid(), timestamp: unix(), type: "text", text: { body: "hi" } }] }) },
      { field: "user_preferences", value: value("106540352242922", { user_preferences: [{ wa_id: "33612345678", category: "marketing_messages", value: "stop", timestamp: Number(unix()) }] }) },
    );
    expect([...whatsappIds(body)].sort()).toEqual([
      "16505551234", "33612345678", "34612345678", "447911123456", "4915112345678", "525512340000", "525512345678", "61412345678",
    ]);
    expect(whatsappPhones(body)).toEqual({
      "16505551234": "+16505551234",
      "33612345678": "+33612345678",
      "34612345678": "+34612345678",
      "447911123456": "+447911123456",
      "4915112345678": "+4915112345678",
      "525512340000": "+525512340000",
      "525512345678": "+525512345678",
      "61412345678": "+61412345678",
    });
  });

  it("is the phone module's reading of +<wa_id> (international, possible), and leaves out what it cannot place", () => {
    for (const id of ["16505551234", "13705550000", "34612345678", "525512345678", "5491123456789"]) {
      expect(waIdPhone(id), id).toBe(toE164(`+${id}`, null, { international: "possible" }));
      expect(waIdPhone(id), id).not.toBeNull();
    }
    // A legacy Mexican mobile id ("521" + 10 digits) is no possible number; nor are ids too short or long, a leading
    // zero, or a WhatsApp id written with "+" in `from` (the SQL reads no wa_id there either).
    const body = delivery(messagesChange("106540352242922", {
      contacts: [{ wa_id: "5215512345678" }, { wa_id: "0612345678" }, { wa_id: "12345" }, { wa_id: "123456789012345678901" }],
      messages: [inbound("+16505551234", "text"), inbound("5215512345678", "text")],
    }));
    expect(whatsappIds(body)).toEqual(new Set(["5215512345678", "0612345678"]));
    expect(whatsappPhones(body)).toEqual({});
  });

  it("tolerates any shape a stored delivery may have", () => {
    for (const body of [null, "x", 1, [], {}, { entry: "x" }, { entry: [null, { changes: [null, { value: [] }, { value: { messages: {} } }] }] }]) {
      expect(whatsappPhones(body)).toEqual({});
    }
  });
});

const db = useTestDatabase();
const fns = useFunctions(db, { WHATSAPP_ASSISTANT: "off" });
const hook = () => `${fns.url}/whatsapp-webhook`;

let shop: WhatsAppBusiness;
beforeAll(async () => {
  shop = await whatsappBusiness(db, "phones");
});

const signedOk = async (body: unknown) => {
  const res = await post(hook(), body, LOCAL_WHATSAPP_APP_SECRET);
  expect(res.status).toBe(200);
  const answer = await res.json();
  expect(answer).toMatchObject({ received: true, applied: true, unprocessable: 0 });
  return answer;
};
const message = (wa: string, extra: Json = {}) =>
  delivery(messagesChange(shop.phoneNumberId, { contacts: [{ wa_id: wa, name: "Sheena Nelson" }], messages: [{ ...inbound(wa, "text"), ...extra }] }));
const customer = async (wa: string) =>
  (await db.sql`select id, wa_id, phone, bsuid from public.customers where tenant_id = ${shop.id} and wa_id = ${wa}`)[0];
const byPhone = async (phone: string) =>
  (await db.sql`select id from public.customers where tenant_id = ${shop.id} and phone = ${phone}`).count;

describe("through the webhook: the phone is libphonenumber-js's", () => {
  it("a wa_id gets its phone as libphonenumber-js formats +<wa_id>", async () => {
    for (const wa of ["16505551234", "34612345678", "525512345678"]) {
      await signedOk(message(wa));
      expect(await customer(wa), wa).toMatchObject({ wa_id: wa, phone: waIdPhone(wa) });
      expect((await customer(wa)).phone).toBe(`+${wa}`);
    }
  });

  it("an id libphonenumber-js rejects gives a customer known by wa_id (and BSUID), without a phone", async () => {
    const wa = "5215512345678";
    const user = bsuid("MX");
    expect(await signedOk(message(wa, { from_user_id: user }))).toMatchObject({ new: 1 });
    expect(await customer(wa)).toMatchObject({ wa_id: wa, bsuid: user, phone: null });
    expect(await byPhone(`+${wa}`)).toBe(0);
    // Found again by that wa_id: one customer, still without a phone.
    await signedOk(message(wa));
    expect((await db.sql`select 1 from public.customers where tenant_id = ${shop.id} and wa_id = ${wa}`).count).toBe(1);
  });

  it("echoes and marketing preferences take the phone from the map too", async () => {
    const echo = { from: "15550783881", to: "+447911123456", id: wamid(), timestamp: unix(), type: "text", text: { body: "Hello from the shop" } };
    await signedOk(envelope({ field: "smb_message_echoes", value: value(shop.phoneNumberId, { message_echoes: [echo] }) }));
    expect(await customer("447911123456")).toMatchObject({ phone: "+447911123456" });
    const pref = { wa_id: "4915112345678", category: "marketing_messages", value: "stop", timestamp: Number(unix()) };
    await signedOk(envelope({ field: "user_preferences", value: value(shop.phoneNumberId, { contacts: [{ wa_id: pref.wa_id }], user_preferences: [pref] }) }));
    expect(await customer("4915112345678")).toMatchObject({ phone: "+4915112345678" });
  });

  it("a number change moves the phone per the map", async () => {
    // An ordinary change: the phone follows the number, and nobody keeps the old one.
    await signedOk(message("34612345001"));
    const mover = await customer("34612345001");
    await signedOk(delivery(messagesChange(shop.phoneNumberId, { messages: [changeNumber("34612345001", "34612345002")] })));
    expect(await customer("34612345002")).toMatchObject({ id: mover.id, phone: "+34612345002" });
    expect(await byPhone("+34612345001")).toBe(0);
    // A legacy Mexican id moving to its current form gains the phone it could not have.
    const legacy = "5215512349999";
    await signedOk(message(legacy));
    const mx = await customer(legacy);
    expect(mx.phone).toBeNull();
    await signedOk(delivery(messagesChange(shop.phoneNumberId, { messages: [changeNumber(legacy, "525512349999")] })));
    expect(await customer("525512349999")).toMatchObject({ id: mx.id, phone: "+525512349999" });
    // Onto an id libphonenumber-js cannot place: the old number's phone is not kept (it is no longer this person's).
    await signedOk(message("447911123002"));
    const uk = await customer("447911123002");
    await signedOk(delivery(messagesChange(shop.phoneNumberId, { messages: [changeNumber("447911123002", "5215512340002")] })));
    expect(await customer("5215512340002")).toMatchObject({ id: uk.id, phone: null });
    expect(await byPhone("+447911123002")).toBe(0);
  });
});

describe("the SQL takes phones only from the map", () => {
  const receive = async (body: unknown, phones: Record<string, string>) =>
    (await db.sql`select private.whatsapp_receive(${db.sql.json(body as never)}, null, ${db.sql.json(phones)}) as r`)[0].r;

  it("derives none from the wa_id, and writes the map's", async () => {
    await receive(message("16505550001"), {});
    expect(await customer("16505550001")).toMatchObject({ phone: null });
    await receive(message("16505550002"), { "16505550002": "+16505550099" });
    expect(await customer("16505550002")).toMatchObject({ phone: "+16505550099" });
  });

  it("a replay reads the phones from the stored body, as the webhook does", async () => {
    const body = message("16505550003");
    const { delivery_id } = await receive(body, {}); // stored as if no phone had been read on arrival
    expect(await customer("16505550003")).toMatchObject({ phone: null });
    const [stored] = await db.sql`select body from private.webhook_deliveries where id = ${delivery_id}`;
    const replayed = await applyDelivery(Number(delivery_id), stored.body, null, db.sql);
    expect(replayed).toMatchObject({ duplicates: 1, unprocessable: 0 });
    expect(await customer("16505550003")).toMatchObject({ phone: "+16505550003" });
  });
});
