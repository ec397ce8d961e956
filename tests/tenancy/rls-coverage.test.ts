// Every table in `public`, read from the catalog (so a table added later without RLS fails here), has RLS enabled,
// policies for `authenticated`, none for `anon`, and shows anon nothing.
import { describe, expect, it } from "vitest";
import { asRequest, useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();

describe("row level security coverage", () => {
  it("is enabled on every public table, each with at least one policy for authenticated", async () => {
    const tables = await db.sql`
      select c.relname as table, c.relrowsecurity as rls,
             (select count(*) from pg_policy p where p.polrelid = c.oid
                and 'authenticated'::regrole = any (p.polroles))::int as authenticated_policies,
             (select count(*) from pg_policy p where p.polrelid = c.oid
                and ('anon'::regrole = any (p.polroles) or 0 = any (p.polroles)))::int as anon_or_public_policies
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')
      order by 1`;
    expect(tables.length).toBeGreaterThanOrEqual(3);
    for (const t of tables) {
      expect(t.rls, `${t.table}: RLS enabled`).toBe(true);
      expect(t.authenticated_policies, `${t.table}: policies for authenticated`).toBeGreaterThan(0);
      expect(t.anon_or_public_policies, `${t.table}: no policy for anon or PUBLIC`).toBe(0);
    }
  });

  it("shows anon no row of any public table, though Supabase's default grants let anon query them", async () => {
    await db.sql`insert into public.tenants (slug, name) values ('anon-probe', 'Probe')`;
    const tables = await db.sql`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')`;
    for (const { relname } of tables) {
      const [{ total }] = await db.sql.unsafe(`select count(*)::int as total from public.${relname}`);
      const granted = await db.sql`select has_table_privilege('anon', ${"public." + relname}, 'select') as ok`;
      if (!granted[0].ok) continue;
      const rows = await asRequest(db, null, (tx) => tx.unsafe(`select count(*)::int as n from public.${relname}`));
      expect(rows[0].n, `${relname} as anon (table has ${total} rows)`).toBe(0);
    }
  });

  it("keeps helpers out of the exposed schema and every security definer function pinned to an empty search_path", async () => {
    const definers = await db.sql`
      select p.oid::regprocedure::text as fn, p.proconfig
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('public', 'private') and p.prosecdef`;
    expect(definers.length).toBeGreaterThan(0);
    for (const d of definers) expect(d.proconfig, d.fn).toContain('search_path=""');
  });
});
