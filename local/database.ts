// Prepares a database the way a Supabase project gets one: the compatibility bootstrap where it is needed, then the
// project's migrations (and optionally its seed) applied by the real CLI with `supabase db push`.
import { readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { ROOT, supabaseCliOk } from "./supabase-cli.ts";

const BOOTSTRAP = path.join(ROOT, "local", "bootstrap.sql");

/** True when the database already has what Supabase provides (e.g. `supabase start` or a hosted project). */
export async function isSupabaseDatabase(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`
      select (select count(*) from pg_roles
               where rolname in ('anon', 'authenticated', 'service_role', 'authenticator', 'supabase_auth_admin')) = 5
         and to_regclass('auth.users') is not null
         and to_regprocedure('auth.uid()') is not null
         and to_regnamespace('extensions') is not null as ready`;
    return row.ready as boolean;
  } finally {
    await sql.end();
  }
}

/** Applies local/bootstrap.sql as the cluster superuser; it only creates what is missing. */
export async function bootstrap(superuserUrl: string): Promise<void> {
  const sql = postgres(superuserUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(readFileSync(BOOTSTRAP, "utf8"));
  } finally {
    await sql.end();
  }
}

/** `supabase db push --remote=<url>`: migrations (and seed) exactly as a deploy applies them. */
export async function pushMigrations(url: string, opts: { seed: boolean; quiet?: boolean }): Promise<void> {
  const args = ["db", "push", `--remote=${url}`, "--yes"];
  if (opts.seed) args.push("--include-seed");
  await supabaseCliOk(args, { quiet: opts.quiet });
}

async function isSuperuser(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select rolsuper from pg_roles where rolname = current_user`;
    return row.rolsuper as boolean;
  } finally {
    await sql.end();
  }
}

/**
 * Bootstrap (always, when we own the cluster: it is idempotent; otherwise only when Supabase's objects are missing
 * and the URL's role can create them), then push migrations.
 */
export async function prepareDatabase(opts: {
  superuserUrl?: string;
  url: string;
  seed: boolean;
  quiet?: boolean;
}): Promise<{ bootstrapped: boolean }> {
  let bootstrapUrl = opts.superuserUrl;
  if (!bootstrapUrl && !(await isSupabaseDatabase(opts.url))) {
    if (!(await isSuperuser(opts.url))) {
      throw new Error(
        "this database lacks Supabase's roles and auth schema, and its role is not a superuser that could add them: " +
          "point DATABASE_URL at a Supabase database or connect as a superuser",
      );
    }
    bootstrapUrl = opts.url;
  }
  if (bootstrapUrl) await bootstrap(bootstrapUrl);
  await pushMigrations(opts.url, { seed: opts.seed, quiet: opts.quiet });
  return { bootstrapped: Boolean(bootstrapUrl) };
}
