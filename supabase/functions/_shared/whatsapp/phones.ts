// The phone number (E.164) of every WhatsApp user id a webhook delivery names, read by libphonenumber-js as the rest
// of Frontdesk reads phones (_shared/phone): a wa_id is an international number without its "+", and
// "+<wa_id>" is its phone when libphonenumber-js finds it a possible number. One it cannot place (a legacy Mexican
// "521…" id, say) has no phone: the customer is still known by wa_id and BSUID. The SQL ingest
// (private.whatsapp_receive / whatsapp_apply, p_phones) takes a customer's phone only from this map, never deriving
// it from the wa_id itself, so one rule decides what a phone is, here and for calls, adoption and the memory API.
//
// Keys are the wa_ids exactly as the SQL reads them: messages[].from, messages[].system.wa_id / new_wa_id
// (user_changed_number), contacts[].wa_id, message_echoes[].to (without a leading "+"), user_preferences[].wa_id and
// statuses[].recipient_id, each when it is the digits the SQL takes for a wa_id (6 to 20).
import { toE164 } from "../phone/phone.ts";

/** What the ingest SQL and the customers_wa_id_digits constraint take as a wa_id. */
const WA_ID = /^[0-9]{6,20}$/;

export type WhatsAppPhones = Record<string, string>;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** The wa_ids a delivery names, in the places the ingest SQL reads them. Tolerates any shape (replays, odd items). */
export function whatsappIds(body: unknown): Set<string> {
  const ids = new Set<string>();
  const add = (v: unknown, stripPlus = false) => {
    if (typeof v !== "string") return;
    const id = stripPlus ? v.replace(/^\+/, "") : v;
    if (WA_ID.test(id)) ids.add(id);
  };
  if (!isObject(body)) return ids;
  for (const entry of objects(body.entry)) {
    for (const change of objects(entry.changes)) {
      const value = change.value;
      if (!isObject(value)) continue;
      for (const c of objects(value.contacts)) add(c.wa_id);
      for (const m of objects(value.messages)) {
        add(m.from);
        if (isObject(m.system)) {
          add(m.system.wa_id);
          add(m.system.new_wa_id);
        }
      }
      for (const e of objects(value.message_echoes)) add(e.to, true); // echoes write `to` as Meta sends it, "+" or not
      for (const p of objects(value.user_preferences)) add(p.wa_id);
      for (const s of objects(value.statuses)) add(s.recipient_id);
    }
  }
  return ids;
}

/** The E.164 phone of a wa_id (an international number written without "+"), or null when it is no possible number. */
export function waIdPhone(waId: string): string | null {
  return WA_ID.test(waId) ? toE164(`+${waId}`, null, { international: "possible" }) : null;
}

/** { wa_id: E.164 } for every wa_id in a delivery that libphonenumber-js places; the others are left out. */
export function whatsappPhones(body: unknown): WhatsAppPhones {
  const phones: WhatsAppPhones = {};
  for (const id of whatsappIds(body)) {
    const phone = waIdPhone(id);
    if (phone) phones[id] = phone;
  }
  return phones;
}
