// Booking confirmations and reminders: private.queue_due_notices with an injected clock (p_now) picks what is due,
// the outbox drain sends it to the Graph stand-in as Meta's template object, and the quick replies are answered by
// the assistant. Offsets across DST changes, opt-out, cancellation and moves, two drains at once.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { runAssistantTurn } from "../../supabase/functions/_shared/assistant/run.ts";
import { drainDue, queueDueNotices, type Notice } from "../../supabase/functions/_shared/reminders/notices.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useGraph } from "../helpers/meta.ts";
import { functionsKey, waId, whatsappBusiness, type WhatsAppBusiness } from "../whatsapp/fixtures.ts";

const db = useTestDatabase();
const graph = useGraph();

const TEMPLATE = { name: "appointment_reminder", language: "en_US" };

interface Customer { id: string; wa: string | null; conversationId: string | null }

async function customer(shop: WhatsAppBusiness, opts: { window?: boolean; wa?: boolean; conversation?: boolean; name?: string } = {}): Promise<Customer> {
  const wa = opts.wa === false ? null : waId();
  const [c] = await db.sql`insert into public.customers (tenant_id, wa_id, phone, name)
    values (${shop.id}, ${wa}, ${"+1" + randomBytes(4).readUInt32BE() % 1_000_000_000}, ${opts.name ?? "Maria"}) returning id`;
  if (opts.conversation === false) return { id: c.id, wa, conversationId: null };
  const [cv] = await db.sql`insert into public.conversations (tenant_id, channel_id, customer_id, last_inbound_at, last_message_at)
    values (${shop.id}, ${shop.channelId}, ${c.id}, ${opts.window === false ? db.sql`now() - interval '3 days'` : db.sql`now()`}, now()) returning id`;
  return { id: c.id, wa, conversationId: cv.id };
}

/** A booking as staff would make it (any path: the notice does not care), at an exact instant. */
async function booking(shop: WhatsAppBusiness, c: Customer, startsAt: string, source = "web", staff = "Alex"): Promise<string> {
  const [b] = await db.sql`
    insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, status, source)
    select ${shop.id}, ${c.id}, s.id, st.id, ${startsAt}::timestamptz, ${startsAt}::timestamptz + interval '30 minutes', 'confirmed', ${source}::public.booking_source
    from public.services s, public.staff st where s.tenant_id = ${shop.id} and st.tenant_id = ${shop.id} and st.name = ${staff}
    returning id`;
  return b.id;
}

// "Now" for a booking just made: a second on, since Postgres keeps microseconds and a Date only milliseconds.
const due = (now: string | Date) => queueDueNotices({ sql: db.sql, now: typeof now === "string" ? new Date(now) : new Date(now.getTime() + 1000) });
const of = (notices: Notice[], bookingId: string) => notices.filter((n) => n.booking_id === bookingId);
const message = async (id: string) => (await db.sql`select type, body, payload, status, conversation_id from public.messages where id = ${id}`)[0];

describe("confirmations", () => {
  let shop: WhatsAppBusiness;
  beforeAll(async () => {
    shop = await whatsappBusiness(db, "confirm", { reminders: { template: TEMPLATE } });
  });

  it("a booking made by any path is confirmed once on WhatsApp, as text inside the window", async () => {
    const c = await customer(shop);
    const id = await booking(shop, c, new Date(Date.now() + 3 * 86_400_000).toISOString(), "voice");
    const first = of(await due(new Date()), id);
    expect(first).toMatchObject([{ kind: "confirmation", outcome: "queued" }]);
    const m = await message(first[0].message_id!);
    expect(m).toMatchObject({ type: "text", status: "queued", conversation_id: c.conversationId });
    expect(m.body).toMatch(/^Booking confirmed at Shop confirm: Haircut with Alex, \d{4}-\d{2}-\d{2} \d{2}:\d{2}\. Reply here/);
    expect(of(await due(new Date()), id)).toEqual([]); // once
  });

  it("outside the window: the confirmation template if set, otherwise skipped with why; unreachable customers and adoptions get none", async () => {
    const c = await customer(shop, { window: false });
    const id = await booking(shop, c, new Date(Date.now() + 6 * 86_400_000).toISOString(), "api");
    expect(of(await due(new Date()), id)).toMatchObject([{ outcome: "skipped", detail: expect.stringMatching(/24-hour/) }]);

    const templated = await whatsappBusiness(db, "confirm-tpl", { reminders: { confirmation_template: { name: "booking_confirmed", language: "es" } } });
    const c2 = await customer(templated, { window: false, name: "Lucía" });
    const id2 = await booking(templated, c2, new Date(Date.now() + 3 * 86_400_000).toISOString());
    const [n] = of(await due(new Date()), id2);
    const m = await message(n.message_id!);
    expect(m.type).toBe("template");
    expect(m.payload).toMatchObject({ name: "booking_confirmed", language: { code: "es" }, components: [{ type: "body" }] });
    expect(m.payload.components[0].parameters.map((p: { text: string }) => p.text).slice(0, 3)).toEqual(["Lucía", "Haircut", "Alex"]);

    const phoneOnly = await customer(shop, { wa: false, conversation: false });
    const id3 = await booking(shop, phoneOnly, new Date(Date.now() + 4 * 86_400_000).toISOString(), "voice");
    expect(of(await due(new Date()), id3)).toMatchObject([{ outcome: "skipped", detail: expect.stringMatching(/not reachable on WhatsApp/) }]);

    const adopted = await customer(shop);
    const id4 = await booking(shop, adopted, new Date(Date.now() + 5 * 86_400_000).toISOString(), "api");
    const [imp] = await db.sql`insert into private.imports (tenant_id, tenant_slug, mapping, mapping_sha256, source, tenant_created, entries)
      values (${shop.id}, ${shop.slug}, 'legacy', 'x', 'legacy-db', false, '[]') returning id`;
    await db.sql`insert into private.import_ledger (import_id, entry, legacy_key, target_table, new_key, action, batch)
      values (${imp.id}, 'bookings', 'L-1', 'bookings', ${[id4]}, 'created', 1)`;
    const plain = await booking(shop, adopted, new Date(Date.now() + 5 * 86_400_000 + 3_600_000).toISOString(), "api");
    const both = await due(new Date());
    expect(of(both, id4)).toEqual([]);
    expect(of(both, plain)).toMatchObject([{ kind: "confirmation", outcome: "queued" }]);
  });
});

describe("reminders", () => {
  it("24 h and 2 h before by the clock, across the US DST change, as the business's template with quick replies", async () => {
    const shop = await whatsappBusiness(db, "remind-ny", { reminders: { template: TEMPLATE } }, "America/New_York");
    const c = await customer(shop, { window: false });
    // Sunday 14 March 2027, 10:00 EDT (clocks went forward at 02:00 that morning) = 14:00 UTC.
    const id = await booking(shop, c, "2027-03-14T14:00:00Z");
    expect(of(await due("2027-03-13T13:59:00Z"), id)).toEqual([]);
    const [day] = of(await due("2027-03-13T14:00:00Z"), id); // 24 h earlier: 09:00 EST on Saturday
    expect(day).toMatchObject({ kind: "reminder", offset_minutes: 1440, outcome: "queued" });
    const m = await message(day.message_id!);
    expect(m.type).toBe("template");
    expect(m.payload).toEqual({
      name: "appointment_reminder", language: { code: "en_US" },
      components: [
        { type: "body", parameters: [{ type: "text", text: "Maria" }, { type: "text", text: "Haircut" }, { type: "text", text: "Alex" }, { type: "text", text: "2027-03-14 10:00" }] },
        { type: "button", sub_type: "quick_reply", index: "0", parameters: [{ type: "payload", payload: `remind:confirm:${id}` }] },
        { type: "button", sub_type: "quick_reply", index: "1", parameters: [{ type: "payload", payload: `remind:reschedule:${id}` }] },
        { type: "button", sub_type: "quick_reply", index: "2", parameters: [{ type: "payload", payload: `remind:cancel:${id}` }] },
      ],
    });
    expect(of(await due("2027-03-13T20:00:00Z"), id)).toEqual([]);
    expect(of(await due("2027-03-14T11:59:00Z"), id)).toEqual([]);
    expect(of(await due("2027-03-14T12:00:00Z"), id)).toMatchObject([{ offset_minutes: 120, outcome: "queued" }]); // 08:00 EDT
    expect(of(await due("2027-03-14T13:00:00Z"), id)).toEqual([]);
    expect(of(await due("2027-03-14T15:00:00Z"), id)).toEqual([]); // past: nothing
  });

  it("offsets the business sets, across the EU DST change; a late scheduler sends only the nearest one; none for a booking made after it was due", async () => {
    const shop = await whatsappBusiness(db, "remind-mad", { language: "es", reminders: { template: TEMPLATE, offsets_minutes: [2880, 60] } }, "Europe/Madrid");
    const c = await customer(shop, { window: false });
    // Sunday 31 October 2027, 10:00 CET (clocks went back at 03:00 CEST) = 09:00 UTC; 48 h before = Friday 11:00 CEST.
    const id = await booking(shop, c, "2027-10-31T09:00:00Z");
    expect(of(await due("2027-10-29T08:59:00Z"), id)).toEqual([]);
    expect(of(await due("2027-10-29T09:00:00Z"), id)).toMatchObject([{ offset_minutes: 2880 }]);
    expect(of(await due("2027-10-31T08:00:00Z"), id)).toMatchObject([{ offset_minutes: 60 }]);

    const late = await booking(shop, c, "2027-11-02T09:00:00Z", "web", "Sam");
    // The scheduler was down: both offsets are due at once, only the 1 h one goes.
    expect(of(await due("2027-11-02T08:30:00Z"), late)).toMatchObject([{ offset_minutes: 60, outcome: "queued" }]);

    // Booked 30 minutes ahead (now + 30 min): no "1 h before" reminder.
    const soon = await booking(shop, c, new Date(Date.now() + 30 * 60_000).toISOString(), "web", "Sam");
    const notices = of(await due(new Date(Date.now() + 5 * 60_000)), soon);
    expect(notices.map((n) => n.kind)).toEqual(["confirmation"]);
  });

  it("none for an opted-out customer (skipped), a cancelled booking, or a moved booking's old time", async () => {
    const shop = await whatsappBusiness(db, "remind-rules", { reminders: { template: TEMPLATE, offsets_minutes: [1440] } });
    const out = await customer(shop, { window: false });
    await db.sql`update public.customers set opted_out_at = now() where id = ${out.id}`;
    const a = await booking(shop, out, "2027-05-10T15:00:00Z");
    expect(of(await due("2027-05-09T15:00:00Z"), a)).toMatchObject([{ outcome: "skipped", detail: expect.stringMatching(/opted out/) }]);
    const [{ n }] = await db.sql`select count(*)::int as n from public.messages where conversation_id = ${out.conversationId}`;
    expect(n).toBe(0);

    const c = await customer(shop, { window: false });
    const cancelled = await booking(shop, c, "2027-05-11T15:00:00Z");
    await db.sql`update public.bookings set status = 'cancelled' where id = ${cancelled}`;
    expect(of(await due("2027-05-10T15:00:00Z"), cancelled)).toEqual([]);

    const moved = await booking(shop, c, "2027-05-12T15:00:00Z", "web", "Sam");
    await db.sql`update public.bookings set starts_at = '2027-05-13T17:00:00Z', ends_at = '2027-05-13T17:30:00Z' where id = ${moved}`;
    expect(of(await due("2027-05-11T15:00:00Z"), moved)).toEqual([]); // the old time's reminder
    expect(of(await due("2027-05-12T17:00:00Z"), moved)).toMatchObject([{ outcome: "queued" }]);
    const [m] = await db.sql`select payload from public.messages where conversation_id = ${c.conversationId} and type = 'template'`;
    expect(m.payload.components[0].parameters[3].text).toBe("2027-05-13 13:00");
  });

  it("two drains at once: exactly one reminder per booking and offset", async () => {
    const shop = await whatsappBusiness(db, "remind-race", { reminders: { template: TEMPLATE, offsets_minutes: [240] } });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) { // 14:00, 14:30 … 16:30 UTC: all due by 12:30
      const c = await customer(shop, { window: false });
      ids.push(await booking(shop, c, new Date(Date.parse("2027-06-01T14:00:00Z") + i * 30 * 60_000).toISOString()));
    }
    const run = () => db.sql.begin(async (tx) => {
      await tx`set local role frontdesk_webhook`;
      const rows = await tx`select * from private.queue_due_notices('2027-06-01T12:30:00Z', 200)`;
      await new Promise((r) => setTimeout(r, 300)); // hold the claims while the other drain runs
      return rows.filter((r) => ids.includes(r.booking_id));
    });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.length + b.length).toBe(6);
    const [{ n }] = await db.sql`select count(*)::int as n from public.messages m join public.conversations c on c.tenant_id = m.tenant_id and c.id = m.conversation_id
                                 where m.tenant_id = ${shop.id} and m.type = 'template'`;
    expect(n).toBe(6);
  });

  it("the scheduled drain sends it to Meta as a template; the quick replies are answered: confirm, cancel, reschedule", async () => {
    process.env.WHATSAPP_GRAPH_URL = graph.url;
    const shop = await whatsappBusiness(db, "remind-send", { reminders: { template: TEMPLATE } });
    const c = await customer(shop, { window: false, name: "Ana" });
    const startsAt = new Date(Date.now() + 20 * 3_600_000); // in 20 h: the 24 h reminder is due now
    startsAt.setUTCMinutes(0, 0, 0);
    const id = await booking(shop, c, startsAt.toISOString());
    await db.sql`update public.bookings set created_at = now() - interval '2 days' where id = ${id}`;
    const report = await drainDue({ sql: db.sql, key: await functionsKey() });
    expect(report.notices.queued).toBeGreaterThanOrEqual(1);
    const sent = graph.calls.filter((x) => x.body.to === c.wa);
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toMatchObject({ messaging_product: "whatsapp", to: c.wa, type: "template", template: { name: "appointment_reminder", language: { code: "en_US" } } });

    // The customer taps the template's quick replies (Meta: type "button", button {payload, text}).
    const tap = async (payload: string, title: string) => {
      const wamid = `wamid.${randomBytes(12).toString("hex")}`;
      const [row] = await db.sql`
        insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, payload, provider_message_id, status)
        values (${shop.id}, ${c.conversationId}, ${shop.channelId}, 'inbound', 'button', ${title},
                ${db.sql.json({ from: c.wa, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "button", button: { payload, text: title } })}, ${wamid}, 'received')
        returning id`;
      await db.sql`update public.conversations set last_inbound_at = now() where id = ${c.conversationId}`;
      const r = await runAssistantTurn(db.sql, { tenantId: shop.id, conversationId: c.conversationId!, messageId: row.id });
      return Promise.all(r.messageIds.map(message));
    };
    const [thanks] = await tap(`remind:confirm:${id}`, "Confirm");
    expect(thanks.body).toMatch(/^Thank you! See you on .+ at .+\.$/);
    const [reschedule] = await tap(`remind:reschedule:${id}`, "Reschedule");
    expect(JSON.stringify(reschedule.payload)).toMatch(/"day:\d{4}-\d{2}-\d{2}"/);
    const [ask] = await tap(`remind:cancel:${id}`, "Cancel");
    const yes = ask.payload.action.buttons.find((x: { reply: { id: string } }) => x.reply.id.startsWith("cancel:yes:"));
    expect(yes.reply.id).toBe(`cancel:yes:${id}`);
    const wamid = `wamid.${randomBytes(12).toString("hex")}`;
    const [row] = await db.sql`
      insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, payload, provider_message_id, status)
      values (${shop.id}, ${c.conversationId}, ${shop.channelId}, 'inbound', 'interactive', ${yes.reply.title},
              ${db.sql.json({ from: c.wa, id: wamid, timestamp: "1", type: "interactive", interactive: { type: "button_reply", button_reply: yes.reply } })}, ${wamid}, 'received')
      returning id`;
    await runAssistantTurn(db.sql, { tenantId: shop.id, conversationId: c.conversationId!, messageId: row.id });
    expect((await db.sql`select status from public.bookings where id = ${id}`)[0].status).toBe("cancelled");
    // A reminder's button for a booking that is gone (or someone else's) changes nothing.
    const [gone] = await tap(`remind:cancel:${id}`, "Cancel");
    expect(gone.body).toBe("That booking is no longer available.");
    // And no reminder for it any more.
    expect(of(await due(new Date(startsAt.getTime() - 2 * 3_600_000)), id)).toEqual([]);
  });
});
