// The booking assistant through the real webhook: a customer taps through the menus on WhatsApp (payloads exactly
// as Meta sends them), the bot's replies go out through the Graph API stand-in, and a booking is stored — in
// English and in Spanish — plus cancel, a human hand-over and opt-out, as a customer would live them.
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_WHATSAPP_APP_SECRET } from "../../local/keys.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { delivery, inbound, messagesChange, post, useGraph, type GraphCall } from "../helpers/meta.ts";
import { waId, whatsappBusiness, type WhatsAppBusiness } from "./fixtures.ts";

const db = useTestDatabase();
const graph = useGraph();
const fns = useFunctions(db, () => ({ WHATSAPP_GRAPH_URL: graph.url, WHATSAPP_RETRY_BASE_SECONDS: "0" }));

interface Option { id: string; title: string }

/** The tappable options of a reply the bot sent (list rows or reply buttons). */
function options(call: GraphCall): Option[] {
  const interactive = call.body.interactive as { action?: { sections?: { rows: Option[] }[]; buttons?: { reply: Option }[] } } | undefined;
  return [
    ...(interactive?.action?.sections?.flatMap((s) => s.rows) ?? []),
    ...(interactive?.action?.buttons?.map((b) => b.reply) ?? []),
  ];
}
const textOf = (call: GraphCall) =>
  ((call.body.text as { body?: string })?.body ?? (call.body.interactive as { body?: { text?: string } })?.body?.text ?? "") as string;

/** Sends one customer message through the webhook and returns the bot's reply as Graph received it (or none). */
async function say(shop: WhatsAppBusiness, wa: string, message: Record<string, unknown>, expectReply = true): Promise<GraphCall | undefined> {
  const before = graph.calls.filter((c) => c.body.to === wa).length;
  const res = await post(`${fns.url}/whatsapp-webhook`, delivery(messagesChange(shop.phoneNumberId, { contacts: [{ wa_id: wa, name: "Maria" }], messages: [message] })), LOCAL_WHATSAPP_APP_SECRET);
  expect(res.status).toBe(200);
  const until = Date.now() + (expectReply ? 10_000 : 800);
  while (Date.now() < until) {
    const mine = graph.calls.filter((c) => c.body.to === wa);
    if (mine.length > before) return mine[before];
    await new Promise((r) => setTimeout(r, 25));
  }
  if (expectReply) throw new Error(`no reply to ${JSON.stringify(message)}`);
  return undefined;
}
const text = (wa: string, body: string) => inbound(wa, "text", { body });
function tap(wa: string, reply: GraphCall, option: Option) {
  const asList = (reply.body.interactive as { type: string }).type === "list";
  return inbound(wa, "interactive", asList
    ? { type: "list_reply", list_reply: { id: option.id, title: option.title } }
    : { type: "button_reply", button_reply: { id: option.id, title: option.title } });
}
function pick(reply: GraphCall, prefixes: string[]): Option {
  for (const p of prefixes) {
    const o = options(reply).find((x) => x.id.startsWith(p));
    if (o) return o;
  }
  throw new Error(`no option among ${prefixes.join(", ")} in ${JSON.stringify(options(reply))}`);
}

/** Taps through to a confirmed booking; returns every reply the customer saw. */
async function bookThrough(shop: WhatsAppBusiness, wa: string, greeting: string): Promise<GraphCall[]> {
  const seen: GraphCall[] = [];
  let reply = (await say(shop, wa, text(wa, greeting)))!;
  seen.push(reply);
  for (let step = 0; step < 8; step++) {
    const option = pick(reply, ["confirm:yes", "slot:", "day:", "staff:any", "svc:", "menu:book"]);
    reply = (await say(shop, wa, tap(wa, reply, option)))!;
    seen.push(reply);
    if (option.id.startsWith("confirm:yes")) return seen;
  }
  throw new Error("the dialog did not reach a confirmation");
}

const bookingsOf = (shop: WhatsAppBusiness, wa: string) => db.sql`
  select b.status::text, b.source::text, b.starts_at from public.bookings b
  join public.customers c on c.tenant_id = b.tenant_id and c.id = b.customer_id
  where b.tenant_id = ${shop.id} and c.wa_id = ${wa} order by b.created_at`;

describe("booking on WhatsApp", () => {
  it("in English: greeting with the business name, service, anyone, day, slot, confirm → a confirmed booking from WhatsApp", async () => {
    const shop = await whatsappBusiness(db, "dialog-en", { language: "en" });
    const wa = waId();
    const seen = await bookThrough(shop, wa, "Hi");
    expect(textOf(seen[0])).toContain("Shop dialog-en");
    const [booking] = await bookingsOf(shop, wa);
    expect(booking).toMatchObject({ status: "confirmed", source: "whatsapp" });
    expect(textOf(seen.at(-1)!)).toMatch(/booked|confirmed/i);
  });

  it("in Spanish", async () => {
    const shop = await whatsappBusiness(db, "dialog-es", { language: "es" }, "Europe/Madrid");
    const wa = waId();
    const seen = await bookThrough(shop, wa, "Hola");
    expect(textOf(seen[0])).toMatch(/Hola|Bienvenid/);
    expect((await bookingsOf(shop, wa))[0]).toMatchObject({ status: "confirmed", source: "whatsapp" });
    expect(textOf(seen.at(-1)!)).toMatch(/reserva|cita|confirmad/i);
  });

  it("cancel: my booking is listed and cancelled on confirmation", async () => {
    const shop = await whatsappBusiness(db, "dialog-cancel");
    const wa = waId();
    await bookThrough(shop, wa, "Hi");
    let reply = (await say(shop, wa, text(wa, "cancel")))!;
    reply = (await say(shop, wa, tap(wa, reply, pick(reply, ["bk:"]))))!;
    reply = (await say(shop, wa, tap(wa, reply, pick(reply, ["cancel:yes"]))))!;
    expect((await bookingsOf(shop, wa)).map((b) => b.status)).toEqual(["cancelled"]);
  });

  it("a human: the conversation is flagged for staff and the bot stays quiet until handed back", async () => {
    const shop = await whatsappBusiness(db, "dialog-human");
    const wa = waId();
    const ack = (await say(shop, wa, text(wa, "I want to talk to a person")))!;
    expect(textOf(ack).length).toBeGreaterThan(0);
    const [conv] = await db.sql`select v.id, v.handed_over_at from public.conversations v join public.customers c on c.tenant_id = v.tenant_id and c.id = v.customer_id where c.wa_id = ${wa}`;
    expect(conv.handed_over_at).not.toBeNull();
    expect(await say(shop, wa, text(wa, "hello?"), false)).toBeUndefined();
    const back = await fetch(`${fns.url}/messages/hand-back`, { method: "POST", headers: { authorization: `Bearer ${shop.members.staff.token}` }, body: JSON.stringify({ conversation_id: conv.id }) });
    expect(back.status).toBe(204);
    expect(await say(shop, wa, text(wa, "hi again"))).toBeDefined();
  });

  it("STOP: one confirmation, then silence whatever is written, until START", async () => {
    const shop = await whatsappBusiness(db, "dialog-stop");
    const wa = waId();
    await say(shop, wa, text(wa, "Hi"));
    const confirmation = (await say(shop, wa, text(wa, "STOP")))!;
    expect(textOf(confirmation).length).toBeGreaterThan(0);
    expect(await say(shop, wa, text(wa, "book"), false)).toBeUndefined();
    expect(await say(shop, wa, text(wa, "hello?"), false)).toBeUndefined();
    const welcome = await say(shop, wa, text(wa, "START"));
    expect(welcome).toBeDefined();
    const [c] = await db.sql`select opted_out_at from public.customers where tenant_id = ${shop.id} and wa_id = ${wa}`;
    expect(c.opted_out_at).toBeNull();
  });

  it("free text that is not understood gets a helpful menu, never silence", async () => {
    const shop = await whatsappBusiness(db, "dialog-menu");
    const wa = waId();
    await say(shop, wa, text(wa, "Hi"));
    const reply = (await say(shop, wa, text(wa, "what's the meaning of life?")))!;
    expect(options(reply).map((o) => o.id)).toContain("menu:book");
  });
});
