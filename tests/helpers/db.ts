// Per-file test database: a clone of the migrated template, plus the ways a test reaches it — as the migration
// owner (postgres), as Supabase Auth (supabase_auth_admin, to run the hook), and as PostgREST would for a JWT.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, inject } from "vitest";
import { mintAccessToken, withRole, type MintOptions } from "../../local/tokens.ts";
import { verifyJwt, type JwtClaims } from "../../supabase/functions/_shared/auth/jwt.ts";

export type Sql = postgres.Sql;

function onDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export interface TestDb {
  name: string;
  /** postgres: owns the schema, bypasses RLS (like the migrations and the SQL editor). */
  sql: Sql;
  url: string;
  /** The URL for another role on this database. */
  urlFor(role: string): string;
  /** supabase_auth_admin, as Supabase Auth connects. */
  authAdmin: Sql;
  /** authenticator, as PostgREST connects before switching role per request. */
  authenticator: Sql;
}

/** Registers beforeAll/afterAll that create and drop this file's database; fields are filled in beforeAll. */
export function useTestDatabase(): TestDb {
  const db = {} as TestDb;
  beforeAll(async () => {
    const { postgresUrl, template } = inject("db");
    db.name = `frontdesk_t_${randomBytes(6).toString("hex")}`;
    const creator = postgres(postgresUrl, { max: 1, onnotice: () => {} });
    await creator.unsafe(`create database ${db.name} template ${template}`);
    await creator.end();
    db.url = onDatabase(postgresUrl, db.name);
    db.urlFor = (role: string) => withRole(db.url, role);
    db.sql = postgres(db.url, { max: 4, onnotice: () => {} });
    db.authAdmin = postgres(db.urlFor("supabase_auth_admin"), { max: 2, onnotice: () => {} });
    db.authenticator = postgres(db.urlFor("authenticator"), { max: 4, onnotice: () => {} });
  });
  afterAll(async () => {
    await Promise.all([db.sql?.end(), db.authAdmin?.end(), db.authenticator?.end()]);
    const { postgresUrl } = inject("db");
    const dropper = postgres(postgresUrl, { max: 1, onnotice: () => {} });
    // A connection of another role (a function's or a child process's pool) may still be closing: postgres may not
    // terminate it (42501), so give it a moment rather than leave the database behind.
    for (let attempt = 1; ; attempt++) {
      try {
        await dropper.unsafe(`drop database if exists ${db.name} with (force)`);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== "42501" || attempt === 10) throw err;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    await dropper.end();
  });
  return db;
}

let userCounter = 0;

/** An auth.users row, as sign-up would create it. */
export async function createUser(db: TestDb, label = "user"): Promise<{ id: string; email: string }> {
  const email = `${label}-${++userCounter}-${randomBytes(3).toString("hex")}@test.example`;
  const [row] = await db.sql`
    insert into auth.users (aud, role, email, email_confirmed_at, raw_app_meta_data)
    values ('authenticated', 'authenticated', ${email}, now(), '{"provider":"email","providers":["email"]}')
    returning id`;
  return { id: row.id, email };
}

/** An access token with the claims the project's hook gives this user right now. */
export function tokenFor(db: TestDb, userId: string, opts: MintOptions = {}): Promise<string> {
  return mintAccessToken(db.authAdmin, userId, opts);
}

/**
 * Runs `work` exactly as PostgREST runs a request: verify the JWT, connect as authenticator, and in one transaction
 * `set_config('role', <jwt role>, true)` and `set_config('request.jwt.claims', <claims>, true)`. No token = anon.
 */
export async function asRequest<T>(db: TestDb, token: string | null, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  const claims: JwtClaims = token ? await verifyJwt(token) : { role: "anon" };
  return (await db.authenticator.begin(async (tx) => {
    await tx`select set_config('role', ${claims.role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return work(tx);
  })) as T;
}

/** The SQLSTATE a promise rejects with (or "ok"). Lets a test state which refusal it expects. */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}
