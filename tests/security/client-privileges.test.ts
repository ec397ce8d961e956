// Finding 10 (defence in depth): anon and authenticated held TRUNCATE, TRIGGER and REFERENCES on public tables (none of
// which RLS governs) and UPDATE on sequences (setval on audit_log_id_seq survives a rollback and breaks audited writes
// for every business), and the private SECURITY DEFINER helpers that take a tenant id (current_plan,
// usage_this_month, within_limit, require_within_limit) were executable by authenticated for any tenant. Checked as
// PostgREST runs a request for a hook-made JWT (and for anon), and from the catalog, so a table, sequence or function
// added later is covered without being listed here.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { buildWorld } from "../helpers/world.ts";
import { attempt, countOf } from "./helpers.ts";

const db = useTestDatabase();

let shop: TestTenant;
let other: TestTenant;
let publicTables: string[];
beforeAll(async () => {
  shop = await tenantWithTeam(db, "privs");
  other = await tenantWithTeam(db, "privs-other");
  // A row in every business table, so a truncate that went through would show.
  await buildWorld(db, shop.id, shop.members.owner.id);
  await buildWorld(db, other.id, other.members.owner.id);
  publicTables = (await db.sql`
    select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') order by 1`)
    .map((r) => r.relname as string);
});

const CLIENTS = () => [
  ["anon", null],
  ["staff", shop.members.staff.token],
  ["owner", shop.members.owner.token],
] as const;

const tableCounts = async () => Object.fromEntries(await Promise.all(publicTables.map(async (t) => [t, await countOf(db, `public.${t}`)])));

describe("TRUNCATE, TRIGGER, REFERENCES: privileges RLS does not govern", () => {
  it("truncate of any public table is refused (42501) to anon and to members, and every row is still there", async () => {
    expect(publicTables.length).toBeGreaterThan(20);
    const before = await tableCounts();
    expect(before.tenants).toBeGreaterThanOrEqual(2);
    expect(before.audit_log).toBeGreaterThan(0);
    for (const [who, token] of CLIENTS()) {
      for (const table of publicTables) {
        const outcome = await attempt(db, token, (tx) => tx.unsafe(`truncate public.${table} cascade`));
        expect([who, table, outcome]).toEqual([who, table, "42501"]);
      }
    }
    expect(await tableCounts()).toEqual(before);
  });

  it("no client role holds TRUNCATE, TRIGGER or REFERENCES on any relation in public (catalog)", async () => {
    const held = await db.sql`
      select r.rolname, c.relname, p.priv
      from pg_class c
      cross join (values ('anon'), ('authenticated')) r(rolname)
      cross join (values ('TRUNCATE'), ('TRIGGER'), ('REFERENCES')) p(priv)
      where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and has_table_privilege(r.rolname, c.oid, p.priv)
      order by 1, 2, 3`;
    expect(held).toEqual([]);
  });
});

describe("sequences: setval is not a client's", () => {
  it("setval('public.audit_log_id_seq', 1) is refused (42501); the sequence is untouched and audited writes still work", async () => {
    const [{ last_value: before }] = await db.sql`select last_value from public.audit_log_id_seq`;
    for (const [who, token] of CLIENTS()) {
      for (const call of ["select setval('public.audit_log_id_seq', 1)", "select setval('public.audit_log_id_seq', 1, false)"]) {
        const outcome = await attempt(db, token, (tx) => tx.unsafe(call));
        expect([who, call, outcome]).toEqual([who, call, "42501"]);
      }
    }
    const [{ last_value: after }] = await db.sql`select last_value from public.audit_log_id_seq`;
    expect(after).toBe(before);
    // An audited write by the owner still appends its entry.
    const entries = await countOf(db, "public.audit_log", "tenant_id = $1", shop.id);
    expect(await attempt(db, shop.members.owner.token, (tx) => tx`update public.tenants set name = 'Renamed' where id = ${shop.id} returning id`)).toBe("rows=1");
    expect(await countOf(db, "public.audit_log", "tenant_id = $1", shop.id)).toBe(entries + 1);
  });

  it("nextval (which a rollback does not undo either) is refused too (42501)", async () => {
    const [{ last_value: before }] = await db.sql`select last_value from public.audit_log_id_seq`;
    for (const [who, token] of CLIENTS()) {
      const outcome = await attempt(db, token, (tx) => tx`select nextval('public.audit_log_id_seq')`);
      expect([who, outcome]).toEqual([who, "42501"]);
    }
    const [{ last_value: after }] = await db.sql`select last_value from public.audit_log_id_seq`;
    expect(after).toBe(before);
  });

  it("no client role holds UPDATE (or USAGE, SELECT) on any sequence in public (catalog)", async () => {
    const held = await db.sql`
      select r.rolname, c.relname, p.priv
      from pg_class c
      cross join (values ('anon'), ('authenticated')) r(rolname)
      cross join (values ('UPDATE'), ('USAGE'), ('SELECT')) p(priv)
      where c.relnamespace = 'public'::regnamespace and c.relkind = 'S' and has_sequence_privilege(r.rolname, c.oid, p.priv)
      order by 1, 2, 3`;
    const sequences = await countOf(db, "pg_class", "relnamespace = 'public'::regnamespace and relkind = 'S'");
    expect(sequences).toBeGreaterThan(0);
    expect(held).toEqual([]);
  });
});

describe("private SECURITY DEFINER helpers that take a tenant id are not a client's to call", () => {
  it("none in schema private with an argument p_tenant_id is executable by anon or authenticated (catalog)", async () => {
    const fns = await db.sql`
      select p.oid::regprocedure::text as fn,
             has_function_privilege('anon', p.oid, 'EXECUTE') as anon,
             has_function_privilege('authenticated', p.oid, 'EXECUTE') as authenticated
      from pg_proc p
      where p.pronamespace = 'private'::regnamespace and p.prosecdef and 'p_tenant_id' = any (p.proargnames)
      order by 1`;
    const names = fns.map((f) => f.fn as string);
    // The query finds the helpers of the finding (so an empty answer cannot pass for a clean one).
    for (const f of ["private.current_plan(uuid)", "private.usage_this_month(uuid,usage_metric)",
                     "private.within_limit(uuid,usage_metric,numeric)", "private.require_within_limit(uuid,usage_metric,numeric)"]) {
      expect(names).toContain(f);
    }
    expect(fns.filter((f) => f.anon || f.authenticated)).toEqual([]);
  });

  it("calling them for another business as authenticated (or anon) is refused with 42501", async () => {
    const calls = [
      `select (private.current_plan('${other.id}')).id`,
      `select private.usage_this_month('${other.id}', 'memories')`,
      `select private.within_limit('${other.id}', 'outbound_messages', 1)`,
      `select private.require_within_limit('${other.id}', 'outbound_messages', 1)`,
    ];
    for (const [who, token] of CLIENTS()) {
      for (const call of calls) {
        const outcome = await attempt(db, token, (tx) => tx.unsafe(call));
        expect([who, call, outcome]).toEqual([who, call, "42501"]);
      }
    }
  });
});

// PostgreSQL 17 added MAINTAIN (VACUUM, ANALYZE, CLUSTER, REINDEX, REFRESH MATERIALIZED VIEW, LOCK TABLE). Supabase's
// `grant all` defaults include it, and neither the foundation's default privileges nor grant_writes() revoke it, so
// anon and authenticated hold it on every public table: like TRUNCATE and TRIGGER, a privilege RLS does not govern.
describe("MAINTAIN: the same class of privilege (PostgreSQL 17)", () => {
  it("no client role holds MAINTAIN on any relation in public (catalog)", async () => {
    const [{ v }] = await db.sql`select current_setting('server_version_num')::int as v`;
    expect(v).toBeGreaterThanOrEqual(170000); // the privilege exists (the suite's cluster is 17)
    const held = await db.sql`
      select r.rolname, c.relname
      from pg_class c cross join (values ('anon'), ('authenticated')) r(rolname)
      where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'm')
        and has_table_privilege(r.rolname, c.oid, 'MAINTAIN')
      order by 1, 2`;
    expect(held.map((h) => `${h.rolname}:${h.relname}`)).toEqual([]);
  });

  it("anon cannot take an ACCESS EXCLUSIVE lock on tenants (which would stall every business's requests): 42501", async () => {
    expect(await attempt(db, null, (tx) => tx`lock table public.tenants in access exclusive mode`)).toBe("42501");
    expect(await attempt(db, shop.members.staff.token, (tx) => tx`lock table public.audit_log in access exclusive mode`)).toBe("42501");
  });
});
