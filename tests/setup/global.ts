// Global test setup: one PostgreSQL server for the run (our own embedded cluster, or DATABASE_URL), and a template
// database migrated by the real CLI (`supabase db push`) from which every test file clones its own database.
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { prepareDatabase } from "../../local/database.ts";
import { startCluster } from "../../local/postgres.ts";
import { ROOT } from "../../local/supabase-cli.ts";
import { withRole } from "../../local/tokens.ts";

export const TEMPLATE = "frontdesk_template";
export const TEST_DB_PREFIX = "frontdesk_t_";

declare module "vitest" {
  export interface ProvidedContext {
    db: { superuserUrl: string; postgresUrl: string; template: string };
  }
}

function onDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  let superuserUrl: string;
  let stop = async () => {};
  if (process.env.DATABASE_URL) {
    // An external cluster (e.g. `supabase start` as supabase_admin): a role that can create and bootstrap databases.
    superuserUrl = process.env.DATABASE_URL;
  } else {
    // FRONTDESK_TEST_DB_PORT lets two suites (two checkouts) run side by side, each with its own cluster.
    const port = Number(process.env.FRONTDESK_TEST_DB_PORT ?? 54332);
    const cluster = await startCluster({ dataDir: path.join(ROOT, ".frontdesk", `test-db-${port}`), port });
    superuserUrl = cluster.adminUrl();
    stop = cluster.stop;
  }
  const postgresUrl = withRole(superuserUrl, "postgres");

  const admin = postgres(superuserUrl, { max: 1, onnotice: () => {} });
  const leftovers = await admin`select datname from pg_database where datname like ${TEST_DB_PREFIX + "%"} or datname = ${TEMPLATE}`;
  for (const { datname } of leftovers) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
  await admin.unsafe(`create database ${TEMPLATE}`);
  await admin.end();

  await prepareDatabase({
    superuserUrl: onDatabase(superuserUrl, TEMPLATE),
    url: onDatabase(postgresUrl, TEMPLATE),
    seed: false,
    quiet: true,
  });
  // The template belongs to postgres, so test files (connected as postgres, like migrations) may clone it.
  const su = postgres(superuserUrl, { max: 1, onnotice: () => {} });
  await su.unsafe(`alter database ${TEMPLATE} owner to postgres`);
  await su.end();

  project.provide("db", { superuserUrl, postgresUrl, template: TEMPLATE });
  return async () => {
    const cleanup = postgres(superuserUrl, { max: 1, onnotice: () => {} });
    const dbs = await cleanup`select datname from pg_database where datname like ${TEST_DB_PREFIX + "%"}`;
    for (const { datname } of dbs) await cleanup.unsafe(`drop database if exists "${datname}" with (force)`);
    await cleanup.end();
    await stop();
  };
}

