// Channels, one per tenant: a WhatsApp number (Meta's phone_number_id, how a delivery finds its tenant) or a phone
// line (Twilio, voice; its number is the tenant's own phone).
import postgres from "postgres";
import { rowIds, TENANT_PHONE, type IdScheme } from "./common.ts";

/** bench:rls's phone_number_ids start here: tenant t has 100000000000 + t. */
const FIRST_PHONE_NUMBER_ID = 100000000001;

/** The phone_number_id of tenant t's WhatsApp channel when tenant 1's is `first`. */
export function whatsAppPhoneNumberId(t: number, first = FIRST_PHONE_NUMBER_ID): string {
  return String(first + t - 1);
}

export interface WhatsAppChannelOptions {
  tenants: number;
  ids?: IdScheme;
  /** Tenant 1's phone_number_id; tenant t's is first + t - 1 (whatsAppPhoneNumberId). */
  firstPhoneNumberId?: number;
  /** What the dashboard shows of the account: the name 'WhatsApp', a WABA id and the display number; default none. */
  account?: boolean;
}

export async function insertWhatsAppChannels(sql: postgres.Sql, o: WhatsAppChannelOptions): Promise<number> {
  const id = rowIds(sql, o.ids);
  const before = (o.firstPhoneNumberId ?? FIRST_PHONE_NUMBER_ID) - 1;
  return (await sql`
    insert into public.channels (tenant_id, id, kind, name, provider, phone_number_id, waba_id, display_phone_number)
    select ${id("'tenant:' || t")}, ${id("'channel:' || t")}, 'whatsapp', ${o.account ? "WhatsApp" : ""}, 'meta',
           (${before}::bigint + t)::text,
           ${o.account ? sql`(200000000000 + t)::text` : sql`null`},
           ${o.account ? sql`'+1 555 ' || lpad(t::text, 7, '0')` : sql`null`}
    from generate_series(1, ${o.tenants}) t`).count;
}

/** A Twilio voice line per tenant, named 'Main line', on the tenant's phone number (insertTenants with contact). */
export async function insertPhoneChannels(sql: postgres.Sql, o: { tenants: number; ids?: IdScheme }): Promise<number> {
  const id = rowIds(sql, o.ids);
  return (await sql`
    insert into public.channels (tenant_id, id, kind, provider, phone_number, capabilities, name)
    select ${id("'tenant:' || t")}, ${id("'phone:' || t")}, 'phone', 'twilio', ${sql.unsafe(TENANT_PHONE)}, '{voice}', 'Main line'
    from generate_series(1, ${o.tenants}) t`).count;
}
