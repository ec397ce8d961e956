// Customers: customer j (0..perTenant-1) of tenant t has the phone +34 6…(t*100 + j) (CUSTOMER_PHONE), which the
// caller profiles and calls of callers.ts and calls.ts reuse. Inserted j by j across tenants, so one tenant's rows
// are spread over the heap as in production.
import postgres from "postgres";
import { CUSTOMER_PHONE, rowIds, type IdScheme } from "./common.ts";

const FIRST_NAMES = [
  "Ana", "Luis", "Maria", "John", "Sofia", "Carlos", "Emma", "Liam", "Lucia", "Noah", "Olivia", "Mateo", "Ava",
  "Diego", "Mia", "Hugo", "Chloe", "Pablo", "Grace", "Omar", "Aisha", "Ravi", "Yuki", "Kenji", "Zara", "Tom",
];
const LAST_NAMES = [
  "Garcia", "Smith", "Martinez", "Johnson", "Lopez", "Brown", "Gonzalez", "Davis", "Rodriguez", "Wilson", "Perez",
  "Taylor", "Sanchez", "Moore", "Ramirez", "Clark", "Torres", "Lewis", "Flores", "Walker", "Nguyen", "Patel",
];

/** Customer j's first name in full rows, SQL over t and j (full caller profiles show it as their display name). */
export const firstName = (sql: postgres.Sql) => sql`(${FIRST_NAMES}::text[])[1 + (t + j * 7) % ${FIRST_NAMES.length}]`;

export interface CustomerOptions {
  tenants: number;
  perTenant: number;
  ids?: IdScheme;
  /**
   * Full rows, as the dashboard reads them (bench:rls): a first and last name, a WhatsApp id, an email for every
   * third, 'vip' for every fourth, marketing opt-in, visits and spend, a contact history ending at `anchor`.
   * Without: a numbered name ('Customer t-j') and the phone, first contact 200 days ago (bench:voice).
   */
  full?: { anchor: string };
}

export async function insertCustomers(sql: postgres.Sql, o: CustomerOptions): Promise<number> {
  const id = rowIds(sql, o.ids);
  const a = o.full?.anchor;
  const c = a !== undefined
    ? {
        waId: sql`'34' || (600000000 + t * 100 + j)`,
        name: sql`${firstName(sql)} || ' ' || (${LAST_NAMES}::text[])[1 + (t * 3 + j) % ${LAST_NAMES.length}]`,
        email: sql`case when j % 3 = 0 then 'customer' || t || '.' || j || '@mail.example' end`,
        tags: sql`case when j % 4 = 0 then array['vip'] else '{}'::text[] end`,
        optIn: sql`j % 2 = 0`,
        first: sql`${a}::timestamptz - interval '200 days' + j * interval '3 days'`,
        last: sql`${a}::timestamptz - j * interval '2 days'`,
        visits: sql`j % 12`,
        spend: sql`(j % 12) * 2500`,
        created: sql`${a}::timestamptz - interval '200 days' + j * interval '3 days'`,
      }
    : {
        waId: sql`null`, name: sql`'Customer ' || t || '-' || j`, email: sql`null`, tags: sql`'{}'::text[]`,
        optIn: sql`false`, first: sql`now() - interval '200 days'`, last: sql`now() - j * interval '2 days'`,
        visits: sql`0`, spend: sql`0`, created: sql`now()`,
      };
  return (await sql`
    insert into public.customers (tenant_id, id, phone, wa_id, name, email, tags, marketing_opt_in,
                                  first_contact_at, last_contact_at, visit_count, total_spend_cents, created_at)
    select ${id("'tenant:' || t")}, ${id("'customer:' || t || ':' || j")}, ${sql.unsafe(CUSTOMER_PHONE)}, ${c.waId},
           ${c.name}, ${c.email}, ${c.tags}, ${c.optIn}, ${c.first}, ${c.last}, ${c.visits}, ${c.spend}, ${c.created}
    from generate_series(0, ${o.perTenant - 1}) j cross join generate_series(1, ${o.tenants}) t
    order by j, t`).count;
}
