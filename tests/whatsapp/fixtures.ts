// A business connected to WhatsApp: a channel with a random phone_number_id, its access token encrypted with the
// functions' key (the local default), and a small catalog so the assistant has something to offer.
import { randomBytes } from "node:crypto";
import type { TestDb } from "../helpers/db.ts";
import { functionsKey, setChannelSecret } from "../helpers/secrets.ts";
export { functionsKey, setChannelSecret };
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";

const digits = (n: number) => Array.from(randomBytes(n), (b) => (b % 10).toString()).join("");
export const waId = () => `1${digits(10)}`;

export interface WhatsAppBusiness extends TestTenant { channelId: string; phoneNumberId: string; accessToken: string }

export async function whatsappBusiness(db: TestDb, label: string, settings: Record<string, unknown> = {}, timezone = "America/New_York"): Promise<WhatsAppBusiness> {
  const t = await tenantWithTeam(db, label, timezone);
  await db.sql`update public.tenants set name = ${"Shop " + label}, settings = ${db.sql.json(settings as never)} where id = ${t.id}`;
  const phoneNumberId = `10${digits(13)}`;
  const [ch] = await db.sql`
    insert into public.channels (tenant_id, kind, provider, phone_number_id, display_phone_number)
    values (${t.id}, 'whatsapp', 'meta', ${phoneNumberId}, '+1 555 010 0000') returning id`;
  const accessToken = `EAAG${randomBytes(12).toString("hex")}`;
  await setChannelSecret(db, t.id, ch.id, "access_token", accessToken);
  const [svc] = await db.sql`insert into public.services (tenant_id, name, duration_minutes, price_cents) values (${t.id}, 'Haircut', 30, 3500) returning id`;
  for (const name of ["Alex", "Sam"]) {
    const [st] = await db.sql`insert into public.staff (tenant_id, name) values (${t.id}, ${name}) returning id`;
    await db.sql`insert into public.staff_services (tenant_id, staff_id, service_id) values (${t.id}, ${st.id}, ${svc.id})`;
  }
  for (let d = 0; d < 7; d++) {
    await db.sql`insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values (${t.id}, ${d}, '09:00', '17:00')`;
  }
  return { ...t, channelId: ch.id, phoneNumberId, accessToken };
}
