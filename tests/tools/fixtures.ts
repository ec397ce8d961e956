// Businesses for the receptionist-tool tests: a barbershop in New York (English) and a peluquería in Madrid
// (Spanish), each with a phone number, a WhatsApp number, hours every day 09:00–17:00 local, services with prices and
// a team; callers with a phone number, a conversation and a call; and helpers to run tools and read what they did.
import { randomBytes } from "node:crypto";
import { runTool } from "../../supabase/functions/_shared/tools/run.ts";
import type { ToolContext, ToolResult, ToolSource } from "../../supabase/functions/_shared/tools/types.ts";
import type { TestDb } from "../helpers/db.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";

const digits = (n: number) => Array.from(randomBytes(n), (b) => (b % 10).toString()).join("");
export const phone = () => `+1${"4"}${digits(9)}`;

export interface ShopSpec {
  label: string;
  name: string;
  timezone: string;
  language: "en" | "es";
  address?: string;
  staff: string[];
  services: { name: string; minutes: number; cents: number; by: string[] }[];
  settings?: Record<string, unknown>;
}

export interface Shop extends TestTenant {
  name: string;
  timezone: string;
  phoneChannelId: string;
  waChannelId: string;
  staff: Record<string, string>;
  services: Record<string, string>;
}

export async function createShop(db: TestDb, spec: ShopSpec): Promise<Shop> {
  const t = await tenantWithTeam(db, spec.label, spec.timezone);
  const settings = { language: spec.language, ...(spec.settings ?? {}) };
  await db.sql`update public.tenants set name = ${spec.name}, address = ${spec.address ?? null},
                settings = ${db.sql.json(settings as never)} where id = ${t.id}`;
  const [pc] = await db.sql`insert into public.channels (tenant_id, kind, provider, phone_number, capabilities)
    values (${t.id}, 'phone', 'twilio', ${phone()}, '{voice}') returning id`;
  const [wc] = await db.sql`insert into public.channels (tenant_id, kind, provider, phone_number_id, display_phone_number)
    values (${t.id}, 'whatsapp', 'meta', ${digits(15)}, '+1 555 0100') returning id`;
  const staff: Record<string, string> = {};
  for (const name of spec.staff) {
    [{ id: staff[name] }] = await db.sql`insert into public.staff (tenant_id, name) values (${t.id}, ${name}) returning id`;
  }
  const services: Record<string, string> = {};
  for (const s of spec.services) {
    [{ id: services[s.name] }] = await db.sql`
      insert into public.services (tenant_id, name, duration_minutes, price_cents, currency)
      values (${t.id}, ${s.name}, ${s.minutes}, ${s.cents}, ${spec.language === "es" ? "EUR" : "USD"}) returning id`;
    for (const who of s.by) {
      await db.sql`insert into public.staff_services (tenant_id, staff_id, service_id) values (${t.id}, ${staff[who]}, ${services[s.name]})`;
    }
  }
  for (let weekday = 0; weekday <= 6; weekday++) {
    await db.sql`insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values (${t.id}, ${weekday}, '09:00', '17:00')`;
  }
  return { ...t, name: spec.name, timezone: spec.timezone, phoneChannelId: pc.id, waChannelId: wc.id, staff, services };
}

export const barbershop = (db: TestDb, label = "fade", settings: Record<string, unknown> = {}) => createShop(db, {
  label, name: "Fade House", timezone: "America/New_York", language: "en", address: "12 Main St, Brooklyn", settings,
  staff: ["Luis", "Sam"],
  services: [
    { name: "Skin Fade", minutes: 30, cents: 3500, by: ["Luis", "Sam"] },
    { name: "Beard Trim", minutes: 20, cents: 1500, by: ["Sam"] },
    { name: "Kids Cut", minutes: 30, cents: 2000, by: ["Luis"] },
  ],
});

export const peluqueria = (db: TestDb, label = "luna") => createShop(db, {
  label, name: "Peluquería Luna", timezone: "Europe/Madrid", language: "es", address: "Calle Mayor 5, Madrid",
  staff: ["Luis", "María José"],
  services: [
    { name: "Corte de pelo", minutes: 30, cents: 1800, by: ["Luis", "María José"] },
    { name: "Tinte", minutes: 60, cents: 4500, by: ["María José"] },
    { name: "Arreglo de barba", minutes: 20, cents: 1000, by: ["Luis"] },
  ],
});

export interface Caller {
  shop: Shop;
  phone: string;
  customerId: string;
  conversationId: string;
  callId: string;
}

/** A customer who has written on WhatsApp and is now on the phone (a Twilio call row). */
export async function caller(db: TestDb, shop: Shop, name: string | null = "Maria"): Promise<Caller> {
  const p = phone();
  const [c] = await db.sql`insert into public.customers (tenant_id, phone, wa_id, name) values (${shop.id}, ${p}, ${p.slice(1)}, ${name}) returning id`;
  const [cv] = await db.sql`insert into public.conversations (tenant_id, channel_id, customer_id, last_inbound_at, last_message_at)
    values (${shop.id}, ${shop.waChannelId}, ${c.id}, now(), now()) returning id`;
  const call = await callRow(db, shop, p, c.id);
  return { shop, phone: p, customerId: c.id, conversationId: cv.id, callId: call };
}

/** A live Twilio call from `from` (linked to a customer or not). */
export async function callRow(db: TestDb, shop: Shop, from: string, customerId: string | null = null): Promise<string> {
  const [row] = await db.sql`
    insert into public.calls (tenant_id, channel_id, customer_id, provider, provider_call_id, direction, from_number, to_number, status)
    values (${shop.id}, ${shop.phoneChannelId}, ${customerId}, 'twilio', ${"CA" + randomBytes(16).toString("hex")}, 'inbound', ${from}, '+15550000000', 'in_progress')
    returning id`;
  return row.id;
}

/** The voice context for a caller on the phone (as the Vapi/Retell wiring will build it). */
export function onCall(c: Caller, source: ToolSource = "vapi", extra: Partial<ToolContext> = {}): ToolContext {
  return { tenantId: c.shop.id, source, callerPhone: c.phone, callId: c.callId, ...extra };
}

export function tool(db: TestDb) {
  return (ctx: ToolContext, name: string, args: unknown): Promise<ToolResult> => runTool(ctx, name, args, { sql: db.sql });
}

export async function bookingsOf(db: TestDb, tenantId: string) {
  return db.sql`select id, customer_id, service_id, staff_id, starts_at, ends_at, status, source, cancel_reason
                from public.bookings where tenant_id = ${tenantId} order by created_at, starts_at`;
}

/** Local "YYYY-MM-DD HH24:MI" of an instant in a zone, as Postgres reads it. */
export async function wall(db: TestDb, at: string | Date, timezone: string): Promise<string> {
  const [r] = await db.sql`select to_char(${new Date(at)}::timestamptz at time zone ${timezone}, 'YYYY-MM-DD HH24:MI') as s`;
  return r.s;
}

/** Today and tomorrow in a zone, per Postgres. */
export async function localDays(db: TestDb, timezone: string): Promise<{ today: string; tomorrow: string }> {
  const [r] = await db.sql`select to_char((now() at time zone ${timezone})::date, 'YYYY-MM-DD') as today,
                                   to_char((now() at time zone ${timezone})::date + 1, 'YYYY-MM-DD') as tomorrow`;
  return r as { today: string; tomorrow: string };
}
