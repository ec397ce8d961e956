// Tenants and their owners. Tenant t (1..count) is 'bench-0000t' ('Bench Business t'); its owner, auth user
// 'owner<t>@bench.example', holds the tenant's owner membership, as the access-token hook expects to find it.
import postgres from "postgres";
import { rowIds, TENANT_PHONE, type IdScheme } from "./common.ts";

export interface TenantOptions {
  count: number;
  ids?: IdScheme;
  /** Time zones in rotation, tenant t getting timezones[t % n] (default: UTC for all). */
  timezones?: readonly string[];
  /** Categories in the same rotation (default: none). */
  categories?: readonly string[];
  /** An address ('t Main Street') and a phone number (+1555 and t on 7 digits); default: neither. */
  contact?: boolean;
  /** settings, a jsonb expression over t (default {}). */
  settings?: postgres.Fragment;
  /** created_at, a timestamptz expression over t (default now()). */
  createdAt?: postgres.Fragment;
}

export async function insertTenants(sql: postgres.Sql, o: TenantOptions): Promise<number> {
  const id = rowIds(sql, o.ids);
  const zones = o.timezones ?? ["UTC"];
  const category = o.categories ? sql`(${o.categories}::text[])[1 + t % ${o.categories.length}]` : sql`null`;
  return (await sql`
    insert into public.tenants (id, slug, name, category, timezone, address, phone, settings, created_at)
    select ${id("'tenant:' || t")}, 'bench-' || lpad(t::text, 5, '0'), 'Bench Business ' || t, ${category},
           (${zones}::text[])[1 + t % ${zones.length}],
           ${o.contact ? sql`t || ' Main Street'` : sql`null`}, ${o.contact ? sql.unsafe(TENANT_PHONE) : sql`null`},
           ${o.settings ?? sql`'{}'::jsonb`}, ${o.createdAt ?? sql`now()`}
    from generate_series(1, ${o.count}) t`).count;
}

export interface OwnerOptions {
  count: number;
  ids?: IdScheme;
  /** When they signed up and confirmed their email, a timestamptz expression (default now()). */
  since?: postgres.Fragment;
  /** A name in the user metadata ('Owner t'), as the sign-up form stores it; it reaches the access token. */
  named?: boolean;
}

/** The owners' auth.users rows, email sign-ups. */
export async function insertOwnerUsers(sql: postgres.Sql, o: OwnerOptions): Promise<number> {
  const id = rowIds(sql, o.ids);
  const since = o.since ?? sql`now()`;
  return (await sql`
    insert into auth.users (id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at)
    select ${id("'user:' || t")}, 'authenticated', 'authenticated', 'owner' || t || '@bench.example', ${since},
           '{"provider":"email","providers":["email"]}'::jsonb,
           ${o.named ? sql`jsonb_build_object('name', 'Owner ' || t)` : sql`null`}, ${since}
    from generate_series(1, ${o.count}) t`).count;
}

/** Each owner's membership of their tenant, role owner. */
export async function insertOwnerMemberships(sql: postgres.Sql, o: { count: number; ids?: IdScheme }): Promise<number> {
  const id = rowIds(sql, o.ids);
  return (await sql`
    insert into public.memberships (tenant_id, user_id, role)
    select ${id("'tenant:' || t")}, ${id("'user:' || t")}, 'owner'
    from generate_series(1, ${o.count}) t`).count;
}
