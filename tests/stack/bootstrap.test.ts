// The local compatibility bootstrap gives a plain PostgreSQL what Supabase has, with Supabase's privileges — no
// more (so a migration needing superuser fails as on hosted Supabase) and no less (RLS must be the only barrier).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import postgres from "postgres";
import { inject } from "vitest";
import { ROOT } from "../../local/supabase-cli.ts";
import { asRequest, outcome, useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();

describe("roles", () => {
  it("match Supabase: postgres is no superuser but has createdb, createrole, replication, bypassrls", async () => {
    const roles = await db.sql`
      select rolname, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin, rolinherit
      from pg_roles where rolname in ('postgres', 'anon', 'authenticated', 'service_role', 'authenticator', 'supabase_auth_admin', 'supabase_admin')
      order by rolname`;
    const by = Object.fromEntries(roles.map((r) => [r.rolname, r]));
    expect(by.supabase_admin.rolsuper).toBe(true);
    expect(by.postgres).toMatchObject({ rolsuper: false, rolcreatedb: true, rolcreaterole: true, rolreplication: true, rolbypassrls: true });
    expect(by.service_role).toMatchObject({ rolsuper: false, rolbypassrls: true, rolcanlogin: false });
    expect(by.anon).toMatchObject({ rolbypassrls: false, rolcanlogin: false });
    expect(by.authenticated).toMatchObject({ rolbypassrls: false, rolcanlogin: false });
    expect(by.authenticator).toMatchObject({ rolcanlogin: true, rolinherit: false, rolsuper: false });
  });

  it("refuses what needs superuser to the migration role, as hosted Supabase does", async () => {
    expect(await outcome(db.sql`create role sneaky superuser`)).toBe("42501");
    expect(await outcome(db.sql.unsafe("alter system set fsync = on"))).toBe("42501");
    expect(await outcome(db.sql.unsafe("create extension plpython3u"))).toBe("42501");
  });
});

describe("Supabase's default grants on public", () => {
  it("give anon and authenticated full table privileges on new tables, so RLS is the only barrier", async () => {
    await db.sql`create table public.grants_probe (id int)`;
    const [g] = await db.sql`
      select has_table_privilege('anon', 'public.grants_probe', 'select,insert,update,delete') as anon,
             has_table_privilege('authenticated', 'public.grants_probe', 'select,insert,update,delete') as authenticated`;
    expect(g).toEqual({ anon: true, authenticated: true });
    // Without RLS, anon would read it — the danger the coverage test and the advisors guard against.
    await db.sql`insert into public.grants_probe values (1)`;
    expect((await asRequest(db, null, (tx) => tx`select * from public.grants_probe`)).count).toBe(1);
    await db.sql`drop table public.grants_probe`;
  });
});

describe("auth helpers", () => {
  it("read request.jwt.claims exactly as Supabase defines them", async () => {
    const claims = { sub: "5d9d1c8e-1f2a-4b3c-9d8e-7f6a5b4c3d2e", role: "authenticated", email: "a@b.example", tenant_id: "x" };
    const [row] = await db.sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      return tx`select auth.uid()::text as uid, auth.role() as role, auth.email() as email, auth.jwt() ->> 'tenant_id' as tenant`;
    });
    expect(row).toEqual({ uid: claims.sub, role: "authenticated", email: "a@b.example", tenant: "x" });
    const [empty] = await db.sql`select auth.uid() as uid, auth.jwt() as jwt`;
    expect(empty).toEqual({ uid: null, jwt: null });
  });
});

describe("idempotence", () => {
  it("a second bootstrap run changes nothing in the catalog", async () => {
    const snapshot = async (sql: postgres.Sql) => (await sql`
      select (select count(*) from pg_roles)::int as roles,
             (select md5(string_agg(n.nspname || ':' || coalesce(array_to_string(n.nspacl, ','), ''), '|' order by n.nspname)) from pg_namespace n) as schemas,
             (select md5(string_agg(p.oid::regprocedure::text || md5(p.prosrc), '|' order by p.oid::regprocedure::text)) from pg_proc p where p.pronamespace = 'auth'::regnamespace) as auth_fns,
             (select md5(string_agg(d.defaclrole::regrole::text || coalesce(array_to_string(d.defaclacl, ','), ''), '|' order by 1)) from pg_default_acl d) as default_acl,
             (select md5(coalesce(array_to_string(relacl, ','), '')) from pg_class where oid = 'auth.users'::regclass) as users_acl`)[0];
    const before = await snapshot(db.sql);
    const superuser = postgres(db.urlFor("supabase_admin"), { max: 1, onnotice: () => {} });
    try {
      await superuser.unsafe(readFileSync(path.join(ROOT, "local", "bootstrap.sql"), "utf8"));
    } finally {
      await superuser.end();
    }
    expect(await snapshot(db.sql)).toEqual(before);
    expect(inject("db").template).toBe("frontdesk_template");
  });
});
