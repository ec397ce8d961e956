// A description of everything the migrations create that a client, a function or a policy can depend on, in a stable
// order, so two databases can be compared: tables and their columns, constraints, indexes, policies, triggers,
// functions (with their bodies, settings and grants), types, grants and postgres's default privileges (what the
// migrations own: Supabase's own roles' defaults and the `public` schema's grants are the platform's). Used to check that
// reorganising migrations (moving a function to the file of its concern, splitting a file) changes no schema.
import postgres from "postgres";

const SCHEMAS = ["public", "private"];

// An ACL as text with its entries sorted: the order of grants says when they were made, not what they are.
const acl = (col: string) => `coalesce((select string_agg(x::text, ',' order by x::text) from unnest(${col}) x), '')`;

export async function catalogDescription(sql: postgres.Sql): Promise<Record<string, string[]>> {
  const q = async (text: string) => (await sql.unsafe(text, [SCHEMAS])).map((r) => Object.values(r).map(String).join(" | "));
  return {
    relations: await q(`
      select n.nspname, c.relname, c.relkind, c.relrowsecurity, ${acl("c.relacl")}
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any ($1) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
      order by 1, 2`),
    columns: await q(`
      select n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
             coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity, a.attgenerated, ${acl("a.attacl")}
      from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where n.nspname = any ($1) and c.relkind in ('r', 'p', 'v', 'm') and a.attnum > 0 and not a.attisdropped
      order by 1, 2, 3`),
    constraints: await q(`
      select n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid)
      from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any ($1) order by 1, 2, 3`),
    indexes: await q(`
      select schemaname, tablename, indexname, indexdef from pg_indexes where schemaname = any ($1) order by 1, 2, 3`),
    policies: await q(`
      select schemaname, tablename, policyname, permissive, roles::text, cmd, coalesce(qual, ''), coalesce(with_check, '')
      from pg_policies where schemaname = any ($1) order by 1, 2, 3`),
    triggers: await q(`
      select n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid)
      from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any ($1) and not t.tgisinternal order by 1, 2, 3`),
    functions: await q(`
      select p.oid::regprocedure::text, pg_get_function_result(p.oid), p.prosecdef, p.provolatile,
             coalesce(p.proconfig::text, ''), ${acl("p.proacl")}, md5(p.prosrc)
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = any ($1) order by 1`),
    types: await q(`
      select n.nspname, t.typname, t.typtype,
             coalesce((select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '')
      from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = any ($1) and t.typtype in ('e', 'd', 'c') and not exists (
        select 1 from pg_class c where c.reltype = t.oid and c.relkind <> 'c')
      order by 1, 2`),
    default_privileges: await q(`
      select pg_get_userbyid(d.defaclrole), coalesce(n.nspname, ''), d.defaclobjtype, ${acl("d.defaclacl")}
      from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
      where d.defaclrole = 'postgres'::regrole and (n.nspname is null or n.nspname = any ($1)) order by 1, 2, 3`),
    schemas: await q(`
      select nspname, ${acl("nspacl")} from pg_namespace where nspname = 'private' and nspname = any ($1) order by 1`),
  };
}

/** What differs between two descriptions, as readable lines ("- only in a", "+ only in b"). */
export function catalogDifferences(a: Record<string, string[]>, b: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const kind of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const left = new Set(a[kind] ?? []);
    const right = new Set(b[kind] ?? []);
    for (const x of left) if (!right.has(x)) out.push(`${kind}: - ${x}`);
    for (const x of right) if (!left.has(x)) out.push(`${kind}: + ${x}`);
  }
  return out;
}
