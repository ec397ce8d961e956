// The tenant an import goes into: an existing one (found by slug; its time zone reads the legacy naive timestamps),
// or one the run creates from the mapping's tenant section (name, time zone, … read from the legacy database).
import type postgres from "postgres";
import { AdoptError } from "../errors.ts";
import type { CompiledTenant } from "../mapping/compile.ts";
import { Invalid } from "../transforms/result.ts";
import type { LegacyTx } from "./legacy.ts";

export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  status: string;
}

export const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export async function findTenant(sql: postgres.Sql, slug: string): Promise<TenantRow | undefined> {
  const [t] = await sql<TenantRow[]>`select id, slug, name, timezone, status::text from public.tenants where slug = ${slug}`;
  return t;
}

export async function requireTenant(sql: postgres.Sql, slug: string): Promise<TenantRow> {
  const t = await findTenant(sql, slug);
  if (!t) throw new AdoptError(`no tenant with slug "${slug}" in the target database`);
  return t;
}

/** The new tenant's columns, from the legacy database and the mapping's values. */
export async function tenantValues(legacy: LegacyTx, spec: CompiledTenant, slug: string): Promise<Record<string, string | null>> {
  let raw: (string | null)[] = [];
  if (spec.select) {
    const rows = (await legacy.unsafe(spec.select, spec.params as never[]).values()) as unknown as (string | null)[][];
    if (rows.length === 0) throw new AdoptError("tenant.source found no legacy row to take the business's details from");
    if (rows.length > 1) throw new AdoptError("tenant.source found more than one legacy row: narrow it with where");
    raw = rows[0];
  }
  const out: Record<string, string | null> = { slug };
  for (const c of spec.columns) {
    const input = c.constant !== undefined ? c.constant : raw[c.outputs[0]];
    let v = c.transform ? c.transform(input) : input;
    if (v instanceof Invalid) v = null;
    if (v !== null && c.map) v = c.map.has(v) ? c.map.get(v)! : v;
    if (v === null) v = c.defaultValue;
    out[c.name] = v;
  }
  if (!out.name) throw new AdoptError("tenant.columns.name: the legacy row has no name for the business; give a default");
  out.timezone ??= "UTC";
  return out;
}

export async function checkTimezone(sql: postgres.Sql, tz: string): Promise<void> {
  const [ok] = await sql`select 1 from pg_timezone_names where name = ${tz}`;
  if (!ok) throw new AdoptError(`the tenant's time zone "${tz}" is not an IANA name the target knows (tenant.columns.timezone)`);
}

export async function insertTenant(tx: postgres.TransactionSql, values: Record<string, string | null>): Promise<TenantRow> {
  const [t] = await tx<TenantRow[]>`
    insert into public.tenants (slug, name, timezone, category, address, phone, settings)
    values (${values.slug}, ${values.name}, ${values.timezone}, ${values.category ?? null}, ${values.address ?? null},
            ${values.phone ?? null}, coalesce(${values.settings ?? null}::text::jsonb, '{}'::jsonb))
    returning id, slug, name, timezone, status::text`;
  return t;
}
