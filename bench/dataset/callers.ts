// Caller profiles (the voice side's memory of a phone number), two kinds: callers who are the tenant's customers
// (caller j is customer j, same phone; bench:rls, bench:voice) and regulars with phones of their own, no customer
// rows (bench:memory).
import postgres from "postgres";
import { CALL_STARTED, CUSTOMER_PHONE, rowIds, type IdScheme } from "./common.ts";
import { firstName } from "./customers.ts";

/** SQL over t of regular caller `j`'s phone (+1 2…(t*100 + j)): `j` is SQL text. */
export const regularPhone = (j: string) => `'+1' || (2000000000 + t * 100 + ${j})`;

/** Regular caller j of tenant t's phone, computed here (regularPhone). */
export const regularCallerPhone = (t: number, j: number) => `+1${2000000000 + t * 100 + j}`;

export interface CustomerCallerOptions {
  tenants: number;
  perTenant: number;
  ids?: IdScheme;
  /**
   * Full profiles (bench:rls): the customer's first name, a summary and a preferred language, and the first `called`
   * have the one call insertCustomerCalls records (count, first and last call). Without: the customer's numbered name,
   * 'Regular customer.', one call each, no dates (bench:voice).
   */
  full?: { called: number };
}

export async function insertCustomerCallers(sql: postgres.Sql, o: CustomerCallerOptions): Promise<number> {
  const id = rowIds(sql, o.ids);
  const called = o.full?.called;
  const p = called !== undefined
    ? {
        name: firstName(sql),
        summary: "Regular customer; usually books by phone.",
        preferences: sql`jsonb_build_object('language', (array['en', 'es'])[1 + (t + j) % 2])`,
        calls: sql`case when j < ${called} then 1 else 0 end`,
        last: sql`case when j < ${called} then ${sql.unsafe(CALL_STARTED)} end`,
      }
    : { name: sql`'Customer ' || t || '-' || j`, summary: "Regular customer.", preferences: sql`'{}'::jsonb`, calls: sql`1`, last: sql`null` };
  return (await sql`
    insert into public.caller_profiles (tenant_id, id, phone, customer_id, display_name, summary, preferences,
                                        call_count, first_call_at, last_call_at)
    select ${id("'tenant:' || t")}, ${id("'caller:' || t || ':' || j")}, ${sql.unsafe(CUSTOMER_PHONE)},
           ${id("'customer:' || t || ':' || j")}, ${p.name}, ${p.summary}, ${p.preferences}, ${p.calls}, ${p.last}, ${p.last}
    from generate_series(0, ${o.perTenant - 1}) j cross join generate_series(1, ${o.tenants}) t
    order by j, t`).count;
}

/** Regulars who are not customers: three calls each over two years, the last j days ago, 'Regular since …'. */
export async function insertRegularCallers(sql: postgres.Sql, o: { tenants: number; perTenant: number; ids?: IdScheme }): Promise<number> {
  const id = rowIds(sql, o.ids);
  return (await sql`
    insert into public.caller_profiles (tenant_id, id, phone, display_name, summary, preferences, call_count,
                                        first_call_at, last_call_at)
    select ${id("'tenant:' || t")}, ${id("'caller:' || t || ':' || j")}, ${sql.unsafe(regularPhone("j"))},
           'Caller ' || t || '-' || j, 'Regular since ' || (2015 + j % 10), jsonb_build_object('barber', 'Alex'),
           3, now() - interval '2 years', now() - j * interval '1 day'
    from generate_series(1, ${o.tenants}) t cross join generate_series(0, ${o.perTenant - 1}) j`).count;
}
