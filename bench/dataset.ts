// The benchmark datasets, shared. The builders (bench/dataset/, one module per part, re-exported here) fill one
// table each, set-based, parameterised by what each benchmark needs (volumes, id scheme, columns); bench:rls,
// bench:memory, bench:voice and bench:webhook build their data with them. This module also holds the dataset
// `bench:rls` measures on: a large multi-tenant dataset in a dedicated embedded PostgreSQL migrated with the
// project's own bootstrap and `supabase db push`. `openDataset` starts the cluster and builds the data (or, with
// `keep`, reuses a complete dataset of a previous run); `buildDataset` is the build alone, for a database that is
// already migrated.
import { existsSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { prepareDatabase } from "../local/database.ts";
import { startCluster, type Cluster } from "../local/postgres.ts";
import { insertBookings } from "./dataset/bookings.ts";
import { insertCustomerCallers } from "./dataset/callers.ts";
import { insertCustomerCalls } from "./dataset/calls.ts";
import { insertBusinessHours, insertClosures, insertServices, insertStaff, insertStaffServices } from "./dataset/catalog.ts";
import { insertWhatsAppChannels } from "./dataset/channels.ts";
import { buildSession } from "./dataset/common.ts";
import { insertConversations, insertMessages } from "./dataset/conversations.ts";
import { insertCustomers } from "./dataset/customers.ts";
import { insertCallerMemories } from "./dataset/memories.ts";
import { insertOwnerMemberships, insertOwnerUsers, insertTenants } from "./dataset/tenants.ts";
import { fmtSeconds, step, type Timed } from "./report.ts";

export * from "./dataset/bookings.ts";
export * from "./dataset/callers.ts";
export * from "./dataset/calls.ts";
export * from "./dataset/catalog.ts";
export * from "./dataset/channels.ts";
export * from "./dataset/common.ts";
export * from "./dataset/conversations.ts";
export * from "./dataset/customers.ts";
export * from "./dataset/memories.ts";
export * from "./dataset/tenants.ts";

// ---------------------------------------------------------------------------------------------------------------
// bench:rls's dataset. Per tenant: 1 owner, 20 customers, 1 WhatsApp channel, 50 conversations (the 20 latest open,
// one per customer) holding 1,000 messages (every 10th conversation 92 messages, the rest 12), 3 staff, 5 services,
// 14 staff_services, Mon-Sat 09:00-18:00, 2 closures, 200 bookings over the past and next 60 days, 20 caller
// profiles, 5 calls, 200 memories. Ids are md5-derived (random-looking, like gen_random_uuid, but reproducible so the
// set-based statements can refer to each other's rows), and rows go in roughly in time order, so one tenant's rows
// are spread over the heap as in production rather than packed together.
// ---------------------------------------------------------------------------------------------------------------

const TIMEZONES = [
  "America/New_York", "Europe/Madrid", "America/Mexico_City", "America/Bogota", "Europe/London",
  "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney", "America/Sao_Paulo", "Europe/Berlin", "Asia/Tokyo",
  "Africa/Johannesburg", "America/Chicago", "UTC", "Pacific/Auckland", "Asia/Kathmandu",
];
const CATEGORIES = ["barbershop", "salon", "clinic", "insurance", "spa"];

export async function buildDataset(url: string, tenants: number): Promise<Timed[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, idle_timeout: 0 });
  const timings: Timed[] = [];
  const run = (label: string, work: () => Promise<number | undefined>) => step(timings, label, work);
  const T = tenants;
  // One instant every statement agrees on: conversations and their messages must line up exactly.
  const anchor = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
  try {
    await buildSession(sql, 0.4242);
    await run("tenants", () => insertTenants(sql, {
      count: T, timezones: TIMEZONES, categories: CATEGORIES, contact: true,
      settings: sql`jsonb_build_object('language', (array['en', 'es'])[1 + t % 2], 'bot_enabled', true)`,
      createdAt: sql`${anchor}::timestamptz - interval '400 days' + t * interval '1 minute'`,
    }));
    await run("auth.users (owners)", () =>
      insertOwnerUsers(sql, { count: T, since: sql`${anchor}::timestamptz - interval '400 days'`, named: true }));
    await run("memberships", () => insertOwnerMemberships(sql, { count: T }));
    await run("customers", () => insertCustomers(sql, { tenants: T, perTenant: 20, full: { anchor } }));
    await run("channels (whatsapp)", () => insertWhatsAppChannels(sql, { tenants: T, account: true }));
    await run("staff", () => insertStaff(sql, { tenants: T, full: true }));
    await run("services", () => insertServices(sql, { tenants: T, full: true }));
    await run("staff_services", () => insertStaffServices(sql, { tenants: T }));
    await run("business_hours (Mon-Sat 9-18)", () => insertBusinessHours(sql, { tenants: T }));
    await run("closures", () => insertClosures(sql));
    await run("conversations", () => insertConversations(sql, { tenants: T, anchor }));
    await run("messages", () => insertMessages(sql, { tenants: T, anchor }));
    await run("bookings", () => insertBookings(sql, { tenants: T }));
    await run("caller_profiles", () => insertCustomerCallers(sql, { tenants: T, perTenant: 20, full: { called: 5 } }));
    await run("calls", () => insertCustomerCalls(sql, { tenants: T, perTenant: 5, full: true }));
    // Caller 0 of each tenant is a regular with 67 memories, callers 1-19 have 7 each: 200 per tenant.
    await run("memories", () => insertCallerMemories(sql, { tenants: T, callers: 20, regular: 67, others: 7, calls: 5 }));
    await run("vacuum analyze", async () => {
      await sql`vacuum analyze`;
      return undefined;
    });
    return timings;
  } finally {
    await sql.end();
  }
}


/** Every table the dataset fills, with the schema where it is not public. */
export const DATASET_TABLES = ["tenants", "auth.users", "memberships", "customers", "channels", "conversations",
  "messages", "staff", "services", "staff_services", "business_hours", "closures", "bookings", "caller_profiles",
  "calls", "memories"];

/** `dataset: tenants 1,000, …`: exact counts (pg_stat's n_live_tup can double-count rows whose insert stats arrive after vacuum's). */
export async function describeDataset(owner: postgres.Sql): Promise<string> {
  const [sizes] = await owner.unsafe(`select ${DATASET_TABLES
    .map((t) => `(select count(*) from ${t.includes(".") ? t : `public.${t}`})::int as "${t}"`)
    .join(", ")}`);
  return `dataset: ${DATASET_TABLES.map((t) => `${t} ${Number(sizes[t]).toLocaleString("en-US")}`).join(", ")}`;
}

export interface Dataset {
  cluster: Cluster;
  /** The build steps of this run; empty when a previous run's dataset was reused. */
  buildTimings: Timed[];
}

/**
 * Starts the cluster in `dataDir` on `port` and builds the dataset from nothing, or with `keep` reuses the data of a
 * previous run when it is complete. `onCluster` learns the cluster as soon as it runs, so a signal can stop it.
 */
export async function openDataset(opts: {
  dataDir: string;
  port: number;
  tenants: number;
  keep: boolean;
  onCluster?: (cluster: Cluster) => void;
}): Promise<Dataset> {
  const hadData = existsSync(path.join(opts.dataDir, "pgdata", "PG_VERSION"));
  let cluster = await startCluster({ dataDir: opts.dataDir, port: opts.port, reset: !(opts.keep && hadData) });
  opts.onCluster?.(cluster);
  let built = false;
  if (opts.keep && hadData) {
    const probe = postgres(cluster.url(), { max: 1, onnotice: () => {} });
    try {
      // Complete when the last build step (memories) and vacuum's statistics are there.
      const [r] = await probe`
        select exists (select 1 from pg_stat_user_tables
                       where schemaname = 'public' and relname = 'memories' and last_vacuum is not null) as ok`;
      built = Boolean(r?.ok) && (await probe`select exists (select 1 from public.memories) as ok`)[0].ok;
    } catch {
      built = false;
    } finally {
      await probe.end();
    }
    if (!built) {
      console.log("--keep: the existing data is not a complete benchmark dataset; rebuilding");
      await cluster.stop();
      cluster = await startCluster({ dataDir: opts.dataDir, port: opts.port, reset: true });
      opts.onCluster?.(cluster);
    }
  }

  let buildTimings: Timed[] = [];
  if (built) {
    console.log("--keep: reusing the dataset of a previous run (no rebuild)");
  } else {
    const m0 = performance.now();
    await prepareDatabase({ superuserUrl: cluster.adminUrl(), url: cluster.url(), seed: false, quiet: true });
    console.log(`migrated (bootstrap + supabase db push) in ${fmtSeconds(performance.now() - m0)}`);
    console.log(`building the dataset (${opts.tenants.toLocaleString("en-US")} tenants) as postgres:`);
    const b0 = performance.now();
    buildTimings = await buildDataset(cluster.url(), opts.tenants);
    console.log(`  ${"total build".padEnd(34)} ${fmtSeconds(performance.now() - b0).padStart(8)}`);
  }
  return { cluster, buildTimings };
}
