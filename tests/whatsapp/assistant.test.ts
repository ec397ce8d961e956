// The out-of-the-box WhatsApp booking assistant against a real database: each customer message is an inbound row
// shaped exactly like Meta's webhook message object, each turn runs through runAssistantTurn (as frontdesk_webhook),
// and what we check is what a customer would get — the queued outbound messages — and the bookings.
import { randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { bookingAssistant } from "../../supabase/functions/_shared/assistant/booking-assistant.ts";
import type { Assistant } from "../../supabase/functions/_shared/assistant/types.ts";
import { runAssistantTurn } from "../../supabase/functions/_shared/assistant/run.ts";
import { replyProblems } from "../../supabase/functions/_shared/assistant/whatsapp.ts";
import { useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();

const digits = (n: number) => Array.from(randomBytes(n), (b) => (b % 10).toString()).join("");

// ---------------------------------------------------------------------------------------------------------------
// The world: a business open every day 09:00–17:00 local, its team and services, and customers in conversation.

interface Shop {
  id: string;
  name: string;
  timezone: string;
  channelId: string;
  staff: Record<string, string>;
  services: Record<string, string>;
}

interface ShopSpec {
  name: string;
  timezone: string;
  settings?: Record<string, unknown>;
  staff: string[];
  services: { name: string; minutes: number; by: string[] }[];
}

async function createShop(spec: ShopSpec): Promise<Shop> {
  const sql = db.sql;
  const slug = `${spec.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${randomBytes(3).toString("hex")}`;
  const [t] = await sql`
    insert into public.tenants (slug, name, timezone, settings)
    values (${slug}, ${spec.name}, ${spec.timezone}, ${sql.json((spec.settings ?? {}) as never)}) returning id`;
  const [ch] = await sql`
    insert into public.channels (tenant_id, kind, provider, phone_number_id, display_phone_number)
    values (${t.id}, 'whatsapp', 'meta', ${digits(15)}, '+1 555 0100') returning id`;
  const staff: Record<string, string> = {};
  for (const name of spec.staff) {
    [{ id: staff[name] }] = await sql`insert into public.staff (tenant_id, name) values (${t.id}, ${name}) returning id`;
  }
  const services: Record<string, string> = {};
  for (const s of spec.services) {
    [{ id: services[s.name] }] = await sql`
      insert into public.services (tenant_id, name, duration_minutes, price_cents, currency)
      values (${t.id}, ${s.name}, ${s.minutes}, 2500, 'USD') returning id`;
    for (const who of s.by) {
      await sql`insert into public.staff_services (tenant_id, staff_id, service_id) values (${t.id}, ${staff[who]}, ${services[s.name]})`;
    }
  }
  for (let weekday = 0; weekday <= 6; weekday++) {
    await sql`insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values (${t.id}, ${weekday}, '09:00', '17:00')`;
  }
  return { id: t.id, name: spec.name, timezone: spec.timezone, channelId: ch.id, staff, services };
}

interface Customer { id: string; waId: string; conversationId: string; shop: Shop }

async function createCustomer(shop: Shop, name: string | null): Promise<Customer> {
  const waId = `1555${digits(7)}`;
  const [c] = await db.sql`
    insert into public.customers (tenant_id, wa_id, phone, name) values (${shop.id}, ${waId}, ${"+" + waId}, ${name}) returning id`;
  const [cv] = await db.sql`
    insert into public.conversations (tenant_id, channel_id, customer_id, last_inbound_at, last_message_at)
    values (${shop.id}, ${shop.channelId}, ${c.id}, now(), now()) returning id`;
  return { id: c.id, waId, conversationId: cv.id, shop };
}

// ---------------------------------------------------------------------------------------------------------------
// Talking: Meta's message objects, one turn per message, and reading the replies a customer would see.

type MetaMessage = Record<string, unknown> & { type: string };
const textMessage = (body: string): MetaMessage => ({ type: "text", text: { body } });
const listReply = (id: string, title: string): MetaMessage =>
  ({ type: "interactive", interactive: { type: "list_reply", list_reply: { id, title } } });
const buttonReply = (id: string, title: string): MetaMessage =>
  ({ type: "interactive", interactive: { type: "button_reply", button_reply: { id, title } } });

interface Row { id: string; title: string; description?: string }
interface Sent {
  id: string;
  direction: string;
  status: string;
  type: string;
  body: string;
  purpose: string | null;
  payload: Record<string, any>;
}

/** What the webhook stores for the message's body (private.whatsapp_message_body). */
function bodyOf(m: MetaMessage): string | null {
  const x = m as Record<string, any>;
  if (m.type === "text") return x.text.body;
  if (m.type === "interactive") return x.interactive.button_reply?.title ?? x.interactive.list_reply?.title ?? null;
  if (m.type === "button") return x.button.text;
  if (m.type === "reaction") return x.reaction.emoji;
  return null;
}

async function receive(c: Customer, m: MetaMessage): Promise<string> {
  const wamid = `wamid.${randomBytes(12).toString("hex")}`;
  const payload = { from: c.waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), ...m };
  const [row] = await db.sql`
    insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, payload, provider_message_id, status)
    values (${c.shop.id}, ${c.conversationId}, ${c.shop.channelId}, 'inbound', ${m.type}, ${bodyOf(m)}, ${db.sql.json(payload)},
            ${wamid}, 'received')
    returning id`;
  return row.id;
}

/** The customer sends `m`; returns the messages the assistant queued in reply, in order. */
async function say(c: Customer, m: MetaMessage, assistant: Assistant = bookingAssistant): Promise<Sent[]> {
  const messageId = await receive(c, m);
  const result = await runAssistantTurn(db.sql, { tenantId: c.shop.id, conversationId: c.conversationId, messageId }, assistant);
  const rows = result.messageIds.length === 0 ? [] : await db.sql<Sent[]>`
    select id, direction, status, type, body, payload, purpose from public.messages where id = any(${result.messageIds}::uuid[])`;
  const sent = result.messageIds.map((id) => rows.find((r) => r.id === id)!);
  for (const s of sent) {
    expect(s).toMatchObject({ direction: "outbound", status: "queued" });
    expect(replyProblems(s as never), JSON.stringify(s.payload)).toEqual([]);
  }
  return sent;
}

/** The single reply to `m`. */
async function ask(c: Customer, m: MetaMessage, assistant?: Assistant): Promise<Sent> {
  const sent = await say(c, m, assistant);
  expect(sent).toHaveLength(1);
  return sent[0];
}

const rows = (s: Sent): Row[] => {
  expect(s.payload.type).toBe("list");
  return s.payload.action.sections.flatMap((x: { rows: Row[] }) => x.rows);
};
const replyButtons = (s: Sent): Row[] => {
  expect(s.payload.type).toBe("button");
  return s.payload.action.buttons.map((b: { reply: Row }) => b.reply);
};
const optionIds = (s: Sent) => (s.payload.type === "list" ? rows(s) : replyButtons(s)).map((o) => o.id);

/** Taps the option of `s` whose id is `id` (or starts with it, ending in "*"), as WhatsApp reports the tap. */
async function tap(c: Customer, s: Sent, id: string): Promise<Sent> {
  const options = s.payload.type === "list" ? rows(s) : replyButtons(s);
  const option = options.find((o) => (id.endsWith("*") ? o.id.startsWith(id.slice(0, -1)) : o.id === id));
  expect(option, `${id} among ${options.map((o) => o.id).join(", ")}`).toBeDefined();
  return ask(c, s.payload.type === "list" ? listReply(option!.id, option!.title) : buttonReply(option!.id, option!.title));
}

const outboundCount = async (c: Customer) =>
  Number((await db.sql`select count(*) from public.messages where conversation_id = ${c.conversationId} and direction = 'outbound'`)[0].count);

const bookingsOf = (c: Customer) => db.sql`
  select id, staff_id, service_id, starts_at, status, source, cancel_reason from public.bookings
  where tenant_id = ${c.shop.id} and customer_id = ${c.id} order by created_at, starts_at`;

/** A slot row id "slot:<iso>|<staff>" → the instant. */
const slotInstant = (id: string) => new Date(id.slice("slot:".length, id.lastIndexOf("|")));

/** The instant as the business's wall clock shows it, per Postgres (independent of the assistant's own formatting). */
async function wallClock(shop: Shop, at: Date, format: string): Promise<string> {
  const [r] = await db.sql`select to_char(${at}::timestamptz at time zone ${shop.timezone}, ${format}) as s`;
  return r.s;
}

/** Service → staff (when asked) → the second day offered (a full day, whatever the time now) → its first slot. */
async function bookThroughDialog(c: Customer, service: string, staff: string | "any"): Promise<{ at: Date; confirm: Sent }> {
  const services = await ask(c, textMessage("book"));
  let days = await tap(c, services, `svc:${c.shop.services[service]}`);
  if (rows(days)[0].id.startsWith("staff:")) days = await tap(c, days, `staff:${staff === "any" ? "any" : c.shop.staff[staff]}`);
  const slots = await tap(c, days, rows(days)[1].id);
  const first = rows(slots)[0];
  const confirm = await tap(c, slots, first.id);
  return { at: slotInstant(first.id), confirm };
}

// ---------------------------------------------------------------------------------------------------------------

let barbers: Shop; // English, staff choice offered
let peluqueria: Shop; // Spanish
let quick: Shop; // English, offer_staff_choice false

beforeAll(async () => {
  barbers = await createShop({
    name: "Fade House",
    timezone: "America/New_York",
    staff: ["Sam", "Alex"],
    services: [
      { name: "Cut", minutes: 30, by: ["Sam", "Alex"] },
      { name: "Beard", minutes: 20, by: ["Sam"] },
    ],
  });
  peluqueria = await createShop({
    name: "Peluquería Sol",
    timezone: "Europe/Madrid",
    settings: { language: "es" },
    staff: ["Lucía", "Javier"],
    services: [
      { name: "Corte", minutes: 30, by: ["Lucía", "Javier"] },
      { name: "Tinte", minutes: 60, by: ["Lucía"] },
    ],
  });
  quick = await createShop({
    name: "Quick Cuts",
    timezone: "Europe/London",
    settings: { offer_staff_choice: false, greeting: "Hello {name}, this is {business}!" },
    staff: ["Kim", "Lee"],
    services: [{ name: "Cut", minutes: 45, by: ["Kim", "Lee"] }, { name: "Shave", minutes: 15, by: ["Kim", "Lee"] }],
  });
});

describe("booking a slot, in English", () => {
  it("greets with the business name, then service → staff → day → time (paged) → confirm → a stored booking", async () => {
    const c = await createCustomer(barbers, "Maria Lopez");

    const menu = await ask(c, textMessage("Hi"));
    expect(menu.type).toBe("interactive");
    expect(menu.body).toContain("Hi Maria! Welcome to Fade House.");
    expect(optionIds(menu)).toEqual(["menu:book", "menu:mine", "menu:reschedule", "menu:cancel", "menu:human"]);

    const services = await tap(c, menu, "menu:book");
    expect(services.body).not.toContain("Welcome"); // greeted once
    expect(rows(services).map((r) => [r.id, r.title])).toEqual([
      [`svc:${barbers.services.Beard}`, "Beard"],
      [`svc:${barbers.services.Cut}`, "Cut"],
    ]);
    expect(rows(services)[1].description).toBe("30 min · $25.00");

    const staff = await tap(c, services, `svc:${barbers.services.Cut}`);
    expect(rows(staff).map((r) => [r.id, r.title])).toEqual([
      ["staff:any", "Anyone available"],
      [`staff:${barbers.staff.Alex}`, "Alex"],
      [`staff:${barbers.staff.Sam}`, "Sam"],
    ]);

    const days = await tap(c, staff, `staff:${barbers.staff.Sam}`);
    expect(days.body).toContain("Cut with Sam");
    const dayRows = rows(days);
    expect(dayRows.length).toBe(10);
    const [{ today }] = await db.sql`select to_char(now() at time zone ${barbers.timezone}, 'YYYY-MM-DD') as today`;
    // Every day is open, so the days offered are today (if any time is left) and the ones after it, in order.
    const offered = dayRows.map((r) => r.id.slice(4));
    expect(offered[0] >= today).toBe(true);
    expect(offered).toEqual([...offered].sort());
    expect(dayRows[1].title).toMatch(/^(Tomorrow, )?(Sun|Mon|Tue|Wed|Thu|Fri|Sat) \d{1,2} [A-Z][a-z]{2}$/);
    expect(dayRows[1].description).toBe("From 9:00 AM · 31 free times");

    // A full day has 31 half-hour slots every 15 minutes: nine per page and a "More…" row.
    const page1 = await tap(c, days, dayRows[1].id);
    expect(rows(page1).map((r) => r.title)).toEqual(
      ["9:00 AM", "9:15 AM", "9:30 AM", "9:45 AM", "10:00 AM", "10:15 AM", "10:30 AM", "10:45 AM", "11:00 AM", "More…"]);
    expect(rows(page1)[0].description).toBe("with Sam");
    const page2 = await tap(c, page1, "more:1");
    expect(rows(page2)[0].title).toBe("11:15 AM");
    const chosen = rows(page2).find((r) => r.title === "2:30 PM");
    expect(chosen).toBeUndefined(); // not on page 2 …
    const page3 = await tap(c, page2, "more:2");
    const slot = rows(page3).find((r) => r.title === "2:30 PM")!; // … but on page 3
    expect(slot.id).toMatch(new RegExp(`^slot:.+\\|${barbers.staff.Sam}$`));
    const at = slotInstant(slot.id);
    expect(await wallClock(barbers, at, "FMHH12:MI AM")).toBe("2:30 PM");

    const confirm = await tap(c, page3, slot.id);
    expect(confirm.body).toMatch(/^Please confirm: Cut with Sam on .+ at 2:30 PM\.$/);
    expect(replyButtons(confirm).map((b) => b.title)).toEqual(["Confirm", "Another time", "Don't book"]);

    const done = await tap(c, confirm, "confirm:yes:*");
    expect(done.type).toBe("text");
    expect(done.body).toMatch(/^You're booked: Cut with Sam on .+ at 2:30 PM\. See you then!$/);

    const bookings = await bookingsOf(c);
    expect(bookings).toHaveLength(1);
    expect(bookings[0]).toMatchObject({
      staff_id: barbers.staff.Sam, service_id: barbers.services.Cut, status: "confirmed", source: "whatsapp",
    });
    expect(bookings[0].starts_at.toISOString()).toBe(at.toISOString());
    expect(await wallClock(barbers, bookings[0].starts_at, "YYYY-MM-DD")).toBe(dayRows[1].id.slice(4));

    const [conversation] = await db.sql`select bot_state from public.conversations where id = ${c.conversationId}`;
    expect(conversation.bot_state.step).toBe("idle");
  });

  it("books 'anyone available' with whichever staff member is free", async () => {
    const c = await createCustomer(barbers, null);
    const { at, confirm } = await bookThroughDialog(c, "Cut", "any");
    expect(confirm.body).toMatch(/^Please confirm: Cut on /); // nobody named yet
    const done = await tap(c, confirm, "confirm:yes:*");
    expect(done.body).toMatch(/^You're booked: Cut with (Sam|Alex) on /);
    const [b] = await bookingsOf(c);
    expect([barbers.staff.Sam, barbers.staff.Alex]).toContain(b.staff_id);
    expect(b).toMatchObject({ status: "confirmed", source: "whatsapp" });
    expect(b.starts_at.toISOString()).toBe(at.toISOString());
    expect(done.body).toContain(b.staff_id === barbers.staff.Sam ? "with Sam" : "with Alex");
  });

  it("skips the staff step when only one person does the service", async () => {
    const c = await createCustomer(barbers, "Ben");
    const services = await ask(c, textMessage("I'd like to book"));
    const days = await tap(c, services, `svc:${barbers.services.Beard}`);
    expect(days.body).toContain("Beard with Sam");
    expect(rows(days).every((r) => r.id.startsWith("day:"))).toBe(true);
  });

  it("pages a catalogue longer than a WhatsApp list, and clamps names to WhatsApp's limits", async () => {
    const big = await createShop({
      name: "Big Salon",
      timezone: "UTC",
      staff: ["Mo"],
      services: Array.from({ length: 12 }, (_, i) => ({
        name: `Treatment ${String(i + 1).padStart(2, "0")}${i === 0 ? " with a very long name indeed" : ""}`, minutes: 30, by: ["Mo"],
      })),
    });
    const c = await createCustomer(big, "Ivy");
    const page1 = await ask(c, textMessage("book"));
    expect(rows(page1)).toHaveLength(10);
    expect(rows(page1)[0].title).toBe("Treatment 01 with a ver…");
    expect(rows(page1)[9]).toMatchObject({ id: "more:1", title: "More…" });
    const page2 = await tap(c, page1, "more:1");
    expect(rows(page2).map((r) => r.title)).toEqual(["Treatment 10", "Treatment 11", "Treatment 12"]);
    expect((await ask(c, listReply("more:2", "More…"))).body).toMatch(/^That option is no longer available/);
    const days = await tap(c, page2, `svc:${big.services["Treatment 12"]}`);
    expect(days.body).toBe("Which day suits you for your Treatment 12 with Mo?");
  });

  it("with offer_staff_choice false goes from service straight to days, and greets with the tenant's own greeting", async () => {
    const c = await createCustomer(quick, "Zoe Smith");
    const menu = await ask(c, textMessage("hello"));
    expect(menu.body).toMatch(/^Hello Zoe, this is Quick Cuts!\n\n/);
    const services = await tap(c, menu, "menu:book");
    const days = await tap(c, services, `svc:${quick.services.Cut}`);
    expect(rows(days).every((r) => r.id.startsWith("day:"))).toBe(true);
    const slots = await tap(c, days, rows(days)[1].id);
    expect(rows(slots)[0].id).toMatch(/\|any$/);
    const confirm = await tap(c, slots, rows(slots)[2].id);
    await tap(c, confirm, "confirm:yes:*");
    const [b] = await bookingsOf(c);
    expect([quick.staff.Kim, quick.staff.Lee]).toContain(b.staff_id);
    expect(await wallClock(quick, b.starts_at, "HH24:MI")).toBe("09:30");
  });
});

describe("booking a slot, in Spanish", () => {
  it("runs the whole dialog in Spanish and stores the booking", async () => {
    const c = await createCustomer(peluqueria, "Carmen");
    const menu = await ask(c, textMessage("Hola"));
    expect(menu.body).toBe("¡Hola Carmen! Bienvenido/a a Peluquería Sol.\n\n¿En qué te puedo ayudar?");
    expect(rows(menu).map((r) => r.title)).toEqual(
      ["Reservar una cita", "Mis citas", "Cambiar una cita", "Cancelar una cita", "Hablar con una persona"]);
    expect(menu.payload.action.button).toBe("Opciones");

    const services = await tap(c, menu, "menu:book");
    expect(services.body).toBe("¿Qué servicio quieres reservar?");
    const staff = await tap(c, services, `svc:${peluqueria.services.Corte}`);
    expect(rows(staff)[0]).toMatchObject({ id: "staff:any", title: "Cualquiera" });
    const days = await tap(c, staff, `staff:${peluqueria.staff["Lucía"]}`);
    expect(days.body).toBe("¿Qué día te viene bien para tu cita de Corte con Lucía?");
    expect(rows(days)[1].title).toMatch(/^(Mañana, )?(dom|lun|mar|mié|jue|vie|sáb) \d{1,2} [a-z]{3}$/);
    expect(rows(days)[1].description).toBe("Desde las 9:00 · 31 horas libres");
    const slots = await tap(c, days, rows(days)[1].id);
    expect(slots.body).toMatch(/^Horas libres el /);
    expect(rows(slots).slice(0, 3).map((r) => r.title)).toEqual(["9:00", "9:15", "9:30"]);
    expect(rows(slots)[9].title).toBe("Ver más…");
    const slot = rows(slots)[4]; // 10:00
    const confirm = await tap(c, slots, slot.id);
    expect(confirm.body).toMatch(/^Confirma, por favor: Corte con Lucía el .+ a las 10:00\.$/);
    expect(replyButtons(confirm).map((b) => b.title)).toEqual(["Confirmar", "Otra hora", "No reservar"]);
    const done = await tap(c, confirm, "confirm:yes:*");
    expect(done.body).toMatch(/^¡Reservado! Corte con Lucía el .+ a las 10:00\. ¡Te esperamos!$/);

    const [b] = await bookingsOf(c);
    expect(b).toMatchObject({ staff_id: peluqueria.staff["Lucía"], status: "confirmed", source: "whatsapp" });
    expect(await wallClock(peluqueria, b.starts_at, "HH24:MI")).toBe("10:00");
    expect(b.starts_at.toISOString()).toBe(slotInstant(slot.id).toISOString());

    const mine = await ask(c, textMessage("mis citas"));
    expect(mine.body).toMatch(/^Tus próximas citas:\n• .+, 10:00 — Corte con Lucía$/);
    expect(replyButtons(mine).map((x) => x.title)).toEqual(["Cambiar", "Cancelar", "Reservar"]);
  });
});

describe("existing bookings", () => {
  it("lists my bookings (and says when there are none)", async () => {
    const c = await createCustomer(barbers, "Nora");
    const none = await ask(c, textMessage("my bookings"));
    expect(none.body).toContain("You have no upcoming bookings.");
    expect(optionIds(none)).toEqual(["menu:book", "menu:main"]);

    const { confirm } = await bookThroughDialog(c, "Cut", "Alex");
    await tap(c, confirm, "confirm:yes:*");
    const mine = await tap(c, none, "menu:main").then((menu) => tap(c, menu, "menu:mine"));
    const [b] = await bookingsOf(c);
    const time = await wallClock(barbers, b.starts_at, "FMHH12:MI AM");
    expect(mine.body).toMatch(new RegExp(`^Your upcoming bookings:\\n• .+, ${time} — Cut with Alex$`));
    expect(optionIds(mine)).toEqual(["menu:reschedule", "menu:cancel", "menu:book"]);
  });

  it("cancels one: choose it from the list, then confirm", async () => {
    const c = await createCustomer(barbers, "Omar");
    const { confirm } = await bookThroughDialog(c, "Beard", "Sam");
    await tap(c, confirm, "confirm:yes:*");
    const [b] = await bookingsOf(c);

    const list = await ask(c, textMessage("I need to cancel"));
    expect(list.body).toBe("Which booking would you like to cancel?");
    expect(rows(list)).toHaveLength(1);
    expect(rows(list)[0]).toMatchObject({ id: `bk:${b.id}`, description: "Beard with Sam" });

    const sure = await tap(c, list, `bk:${b.id}`);
    expect(sure.body).toMatch(/^Cancel your Beard with Sam on .+\?$/);
    expect(optionIds(sure)).toEqual([`cancel:yes:${b.id}`, "cancel:no"]);
    expect((await bookingsOf(c))[0].status).toBe("confirmed"); // nothing happens before the confirmation

    const done = await tap(c, sure, `cancel:yes:${b.id}`);
    expect(done.body).toMatch(/^Your Beard with Sam on .+ is cancelled\.$/);
    expect((await bookingsOf(c))[0]).toMatchObject({ status: "cancelled", cancel_reason: "cancelled on WhatsApp" });

    // The same button again: the booking is gone from the dialog, so it is the menu, not a second cancellation.
    const again = await ask(c, buttonReply(`cancel:yes:${b.id}`, "Yes, cancel it"));
    expect(again.payload.type).toBe("list");
    expect(optionIds(again)).toContain("menu:book");
  });

  it("keeps the booking when the customer says no", async () => {
    const c = await createCustomer(barbers, "Pia");
    await tap(c, (await bookThroughDialog(c, "Cut", "Sam")).confirm, "confirm:yes:*");
    const [b] = await bookingsOf(c);
    const sure = await tap(c, await ask(c, textMessage("cancelar")), `bk:${b.id}`);
    const kept = await tap(c, sure, "cancel:no");
    expect(kept.body).toBe("OK, your booking stays as it is.");
    expect((await bookingsOf(c))[0].status).toBe("confirmed");
  });

  it("reschedules one: the old booking is cancelled, the new one confirmed, with the same person", async () => {
    const c = await createCustomer(barbers, "Raj");
    const first = await bookThroughDialog(c, "Cut", "Alex");
    await tap(c, first.confirm, "confirm:yes:*");
    const [old] = await bookingsOf(c);

    const list = await ask(c, textMessage("reschedule"));
    expect(list.body).toBe("Which booking would you like to move?");
    const days = await tap(c, list, `bk:${old.id}`);
    expect(days.body).toContain("Cut with Alex");
    const oldDay = await wallClock(barbers, old.starts_at, "YYYY-MM-DD");
    const otherDay = rows(days).find((r) => r.id !== `day:${oldDay}` && r.id > `day:${oldDay}`)!;
    const slots = await tap(c, days, otherDay.id);
    const slot = rows(slots).find((r) => r.title === "11:00 AM")!;
    const confirm = await tap(c, slots, slot.id);
    expect(confirm.body).toMatch(/^Please confirm: move your Cut with Alex to .+ at 11:00 AM\.$/);
    const done = await tap(c, confirm, "confirm:yes:*");
    expect(done.body).toMatch(/^Done! Your Cut with Alex is now on .+ at 11:00 AM\.$/);

    const after = await bookingsOf(c);
    expect(after).toHaveLength(2);
    expect(after.find((x) => x.id === old.id)).toMatchObject({ status: "cancelled", cancel_reason: "rescheduled on WhatsApp" });
    const moved = after.find((x) => x.id !== old.id)!;
    expect(moved).toMatchObject({ status: "confirmed", source: "whatsapp", staff_id: barbers.staff.Alex, service_id: barbers.services.Cut });
    expect(moved.starts_at.toISOString()).toBe(slotInstant(slot.id).toISOString());
    expect(await wallClock(barbers, moved.starts_at, "YYYY-MM-DD")).toBe(otherDay.id.slice(4));
  });
});

describe("a person, opting out, and what the bot does not understand", () => {
  it("hands over to staff, stays silent until they hand the conversation back, then answers again", async () => {
    const c = await createCustomer(barbers, "Sara");
    await ask(c, textMessage("hi"));
    const handed = await say(c, textMessage("Can I talk to a person please?"));
    expect(handed).toHaveLength(1);
    expect(handed[0]).toMatchObject({ type: "text", body: "Sure, someone from our team will reply here shortly." });
    const [cv] = await db.sql`select handed_over_at from public.conversations where id = ${c.conversationId}`;
    expect(cv.handed_over_at).not.toBeNull();

    const before = await outboundCount(c);
    expect(await say(c, textMessage("hello?"))).toEqual([]);
    expect(await say(c, textMessage("book"))).toEqual([]);
    expect(await say(c, listReply("menu:book", "Book an appointment"))).toEqual([]);
    expect(await say(c, textMessage("gibberish qwerty"))).toEqual([]);
    expect(await outboundCount(c)).toBe(before);

    await db.sql`update public.conversations set handed_over_at = null where id = ${c.conversationId}`; // staff hand back
    const back = await ask(c, textMessage("thanks, and now I'd like to book"));
    expect(optionIds(back)).toEqual([`svc:${barbers.services.Beard}`, `svc:${barbers.services.Cut}`]);
  });

  it("the menu's 'Talk to a person' hands over too (in Spanish: 'agente')", async () => {
    const c = await createCustomer(peluqueria, null);
    const menu = await ask(c, textMessage("hola"));
    const handed = await tap(c, menu, "menu:human");
    expect(handed.body).toBe("Claro, alguien de nuestro equipo te responderá por aquí en breve.");
    await db.sql`update public.conversations set handed_over_at = null where id = ${c.conversationId}`;
    expect((await ask(c, textMessage("quiero un agente"))).type).toBe("text");
    expect(await say(c, textMessage("hola"))).toEqual([]);
  });

  it("STOP: exactly one confirmation, then nothing at all until START, which welcomes the customer back", async () => {
    const c = await createCustomer(barbers, "Tom");
    await ask(c, textMessage("hi"));
    const before = await outboundCount(c);

    const stop = await say(c, textMessage("  stop "));
    expect(stop).toHaveLength(1);
    expect(stop[0]).toMatchObject({
      type: "text",
      body: "You won't get any more messages from Fade House. Reply START to receive them again.",
      payload: {},
      purpose: "opt_out_confirmation",
    });
    const [cu] = await db.sql`select opted_out_at, marketing_opt_in from public.customers where id = ${c.id}`;
    expect(cu.opted_out_at).not.toBeNull();

    for (const m of [textMessage("hi"), textMessage("book"), textMessage("STOP"), listReply("menu:book", "Book"),
                     textMessage("human"), textMessage("what?")]) {
      expect(await say(c, m)).toEqual([]);
    }
    expect(await outboundCount(c)).toBe(before + 1);

    const start = await ask(c, textMessage("START"));
    expect(start.body).toMatch(/^Hi Tom! Welcome to Fade House\.\n\n/);
    expect(optionIds(start)).toContain("menu:book");
    const [after] = await db.sql`select opted_out_at from public.customers where id = ${c.id}`;
    expect(after.opted_out_at).toBeNull();
    expect((await ask(c, textMessage("book"))).payload.type).toBe("list");
  });

  it("BAJA in Spanish, then ALTA", async () => {
    const c = await createCustomer(peluqueria, "Luis");
    const stop = await ask(c, textMessage("Baja"));
    expect(stop).toMatchObject({
      type: "text",
      body: "No recibirás más mensajes de Peluquería Sol. Escribe ALTA para volver a recibirlos.",
      payload: {},
      purpose: "opt_out_confirmation",
    });
    expect(await say(c, textMessage("hola"))).toEqual([]);
    const alta = await ask(c, textMessage(" alta "));
    expect(alta.body).toMatch(/^¡Hola Luis! Bienvenido\/a a Peluquería Sol\./);
  });

  it("honours STOP even while staff have the conversation", async () => {
    const c = await createCustomer(barbers, "Uma");
    await ask(c, textMessage("agent"));
    const stop = await ask(c, textMessage("STOP"));
    expect(stop).toMatchObject({ payload: {}, purpose: "opt_out_confirmation" });
    const [cu] = await db.sql`select opted_out_at from public.customers where id = ${c.id}`;
    expect(cu.opted_out_at).not.toBeNull();
  });

  it("answers free text it does not understand with the menu, and a reaction with nothing", async () => {
    const c = await createCustomer(barbers, "Vic");
    await ask(c, textMessage("hi"));
    const menu = await ask(c, textMessage("what's the weather like?"));
    expect(menu.type).toBe("interactive");
    expect(menu.body).toBe("Sorry, I didn't get that.\n\nHow can I help you?");
    expect(optionIds(menu)).toEqual(["menu:book", "menu:mine", "menu:reschedule", "menu:cancel", "menu:human"]);

    const image = await ask(c, { type: "image", image: { id: "media-1", mime_type: "image/jpeg" } });
    expect(image.body).toMatch(/^I can only read text/);
    expect(await say(c, { type: "reaction", reaction: { message_id: "wamid.x", emoji: "👍" } })).toEqual([]);

    // A template's quick-reply button carrying one of our ids works like the tap it stands for.
    const services = await ask(c, { type: "button", button: { payload: "menu:book", text: "Book now" } });
    expect(optionIds(services)).toContain(`svc:${barbers.services.Cut}`);
  });

  it("answers stale and forged option ids with the menu, keeps the step, and never books what was not offered", async () => {
    const c = await createCustomer(barbers, "Walt");
    const { confirm } = await bookThroughDialog(c, "Cut", "Sam");
    const offered = optionIds(confirm)[0];
    expect(offered).toMatch(/^confirm:yes:/);
    const key = offered.slice("confirm:yes:".length);
    const at = new Date(key.slice(0, key.lastIndexOf("|")));
    const anotherTime = new Date(at.getTime() + 60 * 60_000).toISOString();

    const forged = [
      `confirm:yes:${anotherTime}|${barbers.staff.Sam}`, // a slot never offered
      `confirm:yes:${at.toISOString()}|${barbers.staff.Alex}`, // someone else at that time
      `svc:${barbers.services.Cut}`, // a step already passed
      `svc:not-a-uuid`,
      `slot:2020-01-01T09:00:00.000Z|any`,
      `bk:${randomUUID()}`,
      `cancel:yes:${randomUUID()}`,
      `more:7`,
      `day:2026-02-30`,
      "<script>alert(1)</script>",
      "",
    ];
    for (const id of forged) {
      const reply = await ask(c, listReply(id, "x"));
      if (id === "") {
        expect(reply.body).toMatch(/^I can only read text/); // no id at all: not a choice
      } else {
        expect(reply.body, id).toBe("That option is no longer available.\n\nHow can I help you?");
      }
      expect(optionIds(reply)).toContain("menu:book");
    }
    expect(await bookingsOf(c)).toHaveLength(0);

    // The step survived: the real confirmation still books the slot that was offered.
    const done = await ask(c, buttonReply(offered, "Confirm"));
    expect(done.body).toMatch(/^You're booked: Cut with Sam/);
    const [b] = await bookingsOf(c);
    expect(b.starts_at.toISOString()).toBe(at.toISOString());

    // And the old confirmation, tapped again, books nothing twice.
    const again = await ask(c, buttonReply(offered, "Confirm"));
    expect(again.payload.type).toBe("list");
    expect(await bookingsOf(c)).toHaveLength(1);
  });

  it("survives a bot_state that is not its own", async () => {
    const c = await createCustomer(barbers, "Xena");
    await db.sql`update public.conversations set bot_state = '{"step":"slot","slots":"nonsense","greeted_at":42}' where id = ${c.conversationId}`;
    const reply = await ask(c, listReply(`slot:2030-01-01T09:00:00.000Z|any`, "9:00"));
    expect(optionIds(reply)).toContain("menu:book");
  });
});

describe("two customers racing for the same slot", () => {
  it("one gets it; the other is told and offered the next free times of that day", async () => {
    const a = await createCustomer(barbers, "Anna");
    const b = await createCustomer(barbers, "Bob");
    const forA = await bookThroughDialog(a, "Cut", "Alex");
    const forB = await bookThroughDialog(b, "Cut", "Alex");
    expect(forB.at.toISOString()).toBe(forA.at.toISOString()); // both were offered, and chose, the same slot

    expect((await tap(a, forA.confirm, "confirm:yes:*")).body).toMatch(/^You're booked/); // A confirms first

    const taken = await tap(b, forB.confirm, "confirm:yes:*");
    const time = await wallClock(barbers, forA.at, "FMHH12:MI AM");
    expect(taken.body).toMatch(new RegExp(`^Sorry, ${time} was just taken\\. The next free times on .+:$`));
    const next = rows(taken).filter((r) => r.id.startsWith("slot:"));
    expect(next.length).toBeGreaterThan(0);
    const day = await wallClock(barbers, forA.at, "YYYY-MM-DD");
    for (const r of next) {
      const at = slotInstant(r.id);
      expect(at.getTime()).toBeGreaterThan(forA.at.getTime());
      expect(at.getTime() - forA.at.getTime()).toBeGreaterThanOrEqual(30 * 60_000); // after A's half hour
      expect(await wallClock(barbers, at, "YYYY-MM-DD")).toBe(day);
    }
    expect(await bookingsOf(b)).toHaveLength(0);

    const confirm = await tap(b, taken, next[0].id);
    await tap(b, confirm, "confirm:yes:*");
    const [ba] = await bookingsOf(a);
    const [bb] = await bookingsOf(b);
    expect(ba).toMatchObject({ staff_id: barbers.staff.Alex, status: "confirmed" });
    expect(bb).toMatchObject({ staff_id: barbers.staff.Alex, status: "confirmed" });
    expect(bb.starts_at.toISOString()).toBe(slotInstant(next[0].id).toISOString());
  });
});

describe("two customers confirming the same slot at the same moment", () => {
  it("exactly one gets it, whoever commits first; the other is offered later times", async () => {
    const a = await createCustomer(barbers, "Cleo");
    const b = await createCustomer(barbers, "Dan");
    const forA = await bookThroughDialog(a, "Beard", "Sam");
    const forB = await bookThroughDialog(b, "Beard", "Sam");
    expect(forB.at.toISOString()).toBe(forA.at.toISOString());
    // Each turn holds its fresh booking, uncommitted, for a moment: the two transactions truly overlap.
    const holding: Assistant = {
      respond: (ctx, message, tools) => bookingAssistant.respond(ctx, message, {
        ...tools,
        book: async (...args) => {
          const result = await tools.book(...args);
          await new Promise((resolve) => setTimeout(resolve, 150));
          return result;
        },
      }),
    };
    const confirm = (c: Customer, s: Sent) => {
      const id = optionIds(s).find((x) => x.startsWith("confirm:yes:"))!;
      return ask(c, buttonReply(id, "Confirm"), holding);
    };
    const [ra, rb] = await Promise.all([confirm(a, forA.confirm), confirm(b, forB.confirm)]);
    const replies = [ra, rb];
    expect(replies.filter((r) => r.body.startsWith("You're booked")).length).toBe(1);
    expect(replies.filter((r) => /^Sorry, .+ was just taken/.test(r.body)).length).toBe(1);
    const live = await db.sql`
      select customer_id from public.bookings
      where tenant_id = ${barbers.id} and staff_id = ${barbers.staff.Sam} and starts_at = ${forA.at} and status = 'confirmed'`;
    expect(live).toHaveLength(1);
  });
});

describe("the turn runner", () => {
  it("answers a message once, however often the job runs", async () => {
    const c = await createCustomer(barbers, "Yan");
    const messageId = await receive(c, textMessage("hi"));
    const ref = { tenantId: barbers.id, conversationId: c.conversationId, messageId };
    const first = await runAssistantTurn(db.sql, ref);
    const second = await runAssistantTurn(db.sql, ref);
    expect(first.messageIds).toHaveLength(1);
    expect(second).toMatchObject({ duplicate: true, messageIds: [] });
    expect(await outboundCount(c)).toBe(1);
  });

  it("answers a message once even when two workers run its turn at the same moment", async () => {
    const c = await createCustomer(barbers, "Twin");
    const messageId = await receive(c, textMessage("hi"));
    const ref = { tenantId: barbers.id, conversationId: c.conversationId, messageId };
    // A slow assistant keeps the first turn open long enough for the second to start for certain.
    const slow: Assistant = {
      respond: async (ctx, message, tools) => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return bookingAssistant.respond(ctx, message, tools);
      },
    };
    const results = await Promise.all([runAssistantTurn(db.sql, ref, slow), runAssistantTurn(db.sql, ref, slow)]);
    expect(results.map((r) => r.duplicate).sort()).toEqual([false, true]);
    expect(await outboundCount(c)).toBe(1);
  });

  it("refuses a message of another conversation", async () => {
    const c = await createCustomer(barbers, "Zed");
    const other = await createCustomer(barbers, "Other");
    const messageId = await receive(other, textMessage("hi"));
    await expect(runAssistantTurn(db.sql, { tenantId: barbers.id, conversationId: c.conversationId, messageId }))
      .rejects.toThrow(/no inbound message/);
  });

  it("stays silent outside the 24-hour window instead of failing the turn", async () => {
    const c = await createCustomer(barbers, "Old");
    await db.sql`update public.conversations set last_inbound_at = now() - interval '25 hours' where id = ${c.conversationId}`;
    expect(await say(c, textMessage("hi"))).toEqual([]);
  });

  it("does a turn's writes together or not at all: a reply that cannot be queued undoes the booking", async () => {
    const c = await createCustomer(barbers, "Atom");
    await db.sql`update public.conversations set last_inbound_at = now() - interval '25 hours' where id = ${c.conversationId}`;
    const [{ day }] = await db.sql`select to_char(now() at time zone ${barbers.timezone} + interval '1 day', 'YYYY-MM-DD') as day`;
    // An assistant that ignores the 24-hour window: it books, then replies, and queue_outbound refuses (PT422).
    const careless: Assistant = {
      async respond(ctx, _message, tools) {
        const [slot] = await tools.slots(barbers.services.Cut, day, null);
        const booked = await tools.book(barbers.services.Cut, null, slot.starts_at);
        expect(booked.ok).toBe(true);
        return { replies: [{ type: "text", body: "Booked!", payload: {} }], state: { step: "idle", note: "saved?" }, handover: true };
      },
    };
    const messageId = await receive(c, textMessage("book"));
    await expect(runAssistantTurn(db.sql, { tenantId: barbers.id, conversationId: c.conversationId, messageId }, careless))
      .rejects.toMatchObject({ code: "PT422" });
    expect(await bookingsOf(c)).toHaveLength(0);
    const [cv] = await db.sql`select bot_state, handed_over_at from public.conversations where id = ${c.conversationId}`;
    expect(cv).toEqual({ bot_state: {}, handed_over_at: null });
  });

  it("refuses replies WhatsApp would reject, before anything is written", async () => {
    const c = await createCustomer(barbers, "Long");
    const tooMany: Assistant = {
      async respond() {
        const buttons = ["a", "b", "c", "d"].map((id) => ({ type: "reply" as const, reply: { id, title: id } }));
        return { replies: [{ type: "interactive", body: "Pick", payload: { type: "button", body: { text: "Pick" }, action: { buttons } } }], state: {} };
      },
    };
    const messageId = await receive(c, textMessage("hi"));
    await expect(runAssistantTurn(db.sql, { tenantId: barbers.id, conversationId: c.conversationId, messageId }, tooMany))
      .rejects.toThrow(/reply buttons need 1–3/);
    expect(await outboundCount(c)).toBe(0);
  });
});
