// The WhatsApp bot (seed 001): settings JSONB unpacked into services, staff, their services and opening hours;
// WhatsApp ids as phones; naive UTC timestamps; two open conversations with one customer; webhook retries stored
// twice; a bot reply in the same second as the message it answers.
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { adoptJson, useLegacyDatabase } from "./helpers.ts";
import { adoptionSuite } from "./suite.ts";

const db = useTestDatabase();
const legacy = useLegacyDatabase(db, "whatsapp-bot");

describe("adopt: whatsapp-bot", () => {
  adoptionSuite(db, legacy, "whatsapp-bot", {
    entries: {
      whatsapp_numbers: { import: 1 },
      services: { import: 4 },
      barbers: { import: 2 },
      barber_services: { import: 5, skip: 1 },
      hours: { import: 8 },
      customers: { import: 60, merge: 2, skip: 1 },
      conversations: { import: 91, skip: 1, adjust: 1 },
      messages: { import: 452, merge: 2, skip: 4 },
    },
    reasons: [
      "barber_services: service_id: orphan",
      "customers: phone: unparseable phone",
      "customers: same phone as an earlier row",
      "conversations: conflict: another row with the same channel_id, customer_id",
      "messages: conversation_id: orphan",
      "messages: conversation_id: its conversations row was skipped",
      "messages: same channel_id, provider_message_id",
    ],
    visible: "messages",
  });

  it("unpacks the settings blob and keeps every conversation's message order and times", async () => {
    await adoptJson(db, "run", "--from", legacy.url, "--mapping", "whatsapp-bot", "--tenant", "hermanos-check");
    const [t] = await db.sql`select id, timezone, settings from public.tenants where slug = 'hermanos-check'`;
    expect(t.timezone).toBe("Europe/Madrid");
    expect(t.settings.ai_personality).toMatch(/Barbería Los Hermanos/);
    const services = await db.sql`select name, price_cents, duration_minutes, currency from public.services where tenant_id = ${t.id} order by name`;
    expect(services.map((s) => [s.name, s.price_cents, s.duration_minutes, s.currency])).toEqual([
      ["Barba", 1050, 20, "EUR"], ["Corte + Barba", 2200, 60, "EUR"], ["Corte de pelo", 1500, 30, "EUR"], ["Tinte", 0, 90, "EUR"],
    ]);
    const hours = await db.sql`select weekday, opens_at::text, closes_at::text from public.business_hours where tenant_id = ${t.id} order by weekday, opens_at`;
    expect(hours.filter((h) => h.weekday === 2).map((h) => `${h.opens_at}-${h.closes_at}`)).toEqual(["10:00:00-14:00:00", "16:30:00-20:00:00"]);
    expect(hours.some((h) => h.weekday === 0)).toBe(false); // Sunday: closed

    // Every conversation reads in legacy order by (created_at, id), ties included: compare with the legacy rows.
    const target = await db.sql`
      select l.legacy_key as conversation, array_agg(ml.legacy_key order by m.created_at, m.id) as ids
      from public.messages m
      join private.import_ledger ml on ml.entry = 'messages' and ml.action = 'created' and ml.new_key[1] = m.id::text
      join private.import_ledger l on l.entry = 'conversations' and l.new_key[1] = m.conversation_id::text
      where m.tenant_id = ${t.id} and ml.import_id = l.import_id
        and l.import_id = (select id from private.imports where tenant_slug = 'hermanos-check' and status <> 'rolled_back')
      group by 1`;
    const source = await legacy.sql`
      select conversation_id::text as conversation, array_agg(id::text order by created_at, id) as ids
      from messages m where exists (select 1 from conversations c where c.id = m.conversation_id)
        and not exists (select 1 from messages d where d.wa_message_id = m.wa_message_id and d.id < m.id)
        and conversation_id <> 92
      group by 1`;
    const bySource = Object.fromEntries(source.map((r) => [r.conversation, r.ids]));
    expect(target.length).toBe(91);
    for (const r of target) expect(r.ids, `conversation ${r.conversation}`).toEqual(bySource[r.conversation]);
    const [tie] = await db.sql`
      select count(*)::int as n from (select conversation_id, created_at from public.messages where tenant_id = ${t.id}
      group by 1, 2 having count(*) > 1) x`;
    expect(tie.n).toBeGreaterThan(0); // the order above was decided by the ids for those
    await adoptJson(db, "rollback", "--mapping", "whatsapp-bot", "--tenant", "hermanos-check");
  });
});
