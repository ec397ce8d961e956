// `npm run bench:adopt` (= `tsx bench/adopt.ts`): how fast `adopt run` and `adopt verify` move a large legacy
// WhatsApp-bot database, beside a plain COPY of the same rows into the same tables.
//
// In a dedicated embedded PostgreSQL: a legacy WhatsApp-bot database (adopt/fixtures/whatsapp-bot) with 20,000
// customers, 50,000 conversations and 1,000,000 messages, and two target databases cloned from one migrated
// template. Then, in this one run:
//   adopt run      the whole command (`adopt run --from … --mapping whatsapp-bot --tenant …`) into the first target:
//                  read, transform, check, merge, COPY in batches with their ledger rows, one transaction per batch;
//   adopt verify   the whole command against the result;
//   plain COPY     the rows `run` wrote, dumped beforehand, loaded with one COPY per table into the second (empty)
//                  target: what moving those rows costs with no legacy reads, transforms, ledger or batching.
//   adopt rollback the whole command, removing what run imported (after the dump), for the record.
// Prints rows per second for each and the ratio to plain COPY (goal: run within 3x).
//
// Environment: BENCH_ADOPT_DB_PORT (default: a free port), BENCH_MESSAGES (1000000), BENCH_CONVERSATIONS (50000),
// BENCH_CUSTOMERS (20000), BENCH_BATCH (5000).
import { freePort } from "../local/ports.ts";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import postgres from "postgres";
import { main as adopt } from "../adopt/cli.ts";
import { copyInto } from "../adopt/db/copy.ts";
import { noDelay } from "../adopt/db/socket.ts";
import { loadFixture } from "../adopt/fixtures/load.ts";
import { prepareDatabase } from "../local/database.ts";
import { startCluster, type Cluster } from "../local/postgres.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
// Its own cluster, on a port the OS says is free unless set: never one a (moved) local stack may hold.
const PORT = Number(process.env.BENCH_ADOPT_DB_PORT) || (await freePort());
const SCALE = {
  customers: Number(process.env.BENCH_CUSTOMERS ?? 20_000),
  conversations: Number(process.env.BENCH_CONVERSATIONS ?? 50_000),
  messages: Number(process.env.BENCH_MESSAGES ?? 1_000_000),
};
const BATCH = String(process.env.BENCH_BATCH ?? 5000);
// Dependency order: what COPY must load first.
const TABLES = ["channels", "services", "staff", "staff_services", "business_hours", "customers", "conversations", "messages"];

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(label: string, work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  process.stdout.write(`${label} … `);
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  console.log(secs(ms));
  return { ms, value };
}

async function command(args: string[], url: string): Promise<any> {
  let out = "";
  let err = "";
  const code = await adopt([...args, "--json", "--quiet"], { out: (t) => (out += t), err: (t) => (err += t) }, { ...process.env, DATABASE_URL: url });
  if (code !== 0) throw new Error(`adopt ${args[0]} exited ${code}: ${err}${out.slice(0, 2000)}`);
  return JSON.parse(out);
}

/** The tenant's rows of each table as COPY text, re-keyed to another tenant (and another WhatsApp number, which
 * routes to one business only). One connection per COPY … TO STDOUT: postgres.js can stall on a second one over
 * the same connection. */
async function dump(url: string, from: string, to: string): Promise<Map<string, { columns: string[]; lines: string[]; rows: number }>> {
  const out = new Map<string, { columns: string[]; lines: string[]; rows: number }>();
  for (const table of TABLES) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const cols = (await sql<{ name: string }[]>`
      select a.attname as name from pg_attribute a where a.attrelid = ${"public." + table}::regclass and a.attnum > 0
        and not a.attisdropped and a.attgenerated = '' and a.attidentity = '' order by a.attnum`).map((c) => c.name);
    const select = cols.map((c) =>
      c === "tenant_id" ? `'${to}'::uuid` : table === "channels" && c === "phone_number_id" ? `phone_number_id || '7'` : `"${c}"`);
    const stream = await sql.unsafe(`copy (select ${select.join(", ")} from public."${table}" where tenant_id = '${from}') to stdout`).readable();
    let text = "";
    const lines: string[] = [];
    for await (const chunk of stream) {
      text += chunk.toString();
      const cut = text.lastIndexOf("\n") + 1;
      if (cut > 0) {
        lines.push(text.slice(0, cut));
        text = text.slice(cut);
      }
    }
    const rows = lines.reduce((a, l) => a + (l.match(/\n/g)?.length ?? 0), 0);
    out.set(table, { columns: cols, lines, rows });
    await sql.end();
  }
  return out;
}

async function main() {
  console.log(`bench:adopt — legacy WhatsApp bot: ${fmt(SCALE.customers)} customers, ${fmt(SCALE.conversations)} conversations, ${fmt(SCALE.messages)} messages`);
  let cluster: Cluster | undefined;
  try {
    cluster = await startCluster({ dataDir: path.join(ROOT, ".frontdesk", "bench-adopt-db"), port: PORT, reset: true });
    const admin = postgres(cluster.adminUrl(), { max: 1, onnotice: () => {} });
    await timed("migrating a target template (bootstrap + supabase db push)", async () => {
      await admin.unsafe("create database bench_template");
      await prepareDatabase({ superuserUrl: cluster!.adminUrl("bench_template"), url: cluster!.url("postgres", "bench_template"), seed: false, quiet: true });
      await admin.unsafe("create database bench_adopt template bench_template owner postgres");
      await admin.unsafe("create database bench_copy template bench_template owner postgres");
      await admin.unsafe("create database legacy owner postgres");
    });
    await admin.end();
    const legacyUrl = cluster.url("postgres", "legacy");
    const adoptUrl = cluster.url("postgres", "bench_adopt");
    const copyUrl = cluster.url("postgres", "bench_copy");
    await timed("generating the legacy database", async () => {
      const legacy = postgres(legacyUrl, { max: 1, onnotice: () => {} });
      await loadFixture(legacy, "whatsapp-bot", SCALE);
      await legacy.end();
    });

    const run = await timed("adopt run", () => command(["run", "--from", legacyUrl, "--mapping", "whatsapp-bot", "--tenant", "bench-hermanos", "--batch-size", BATCH], adoptUrl));
    const written = (run.value.entries as { import: number }[]).reduce((a, e) => a + e.import, 0);
    const legacyRows = (run.value.entries as { rows: number }[]).reduce((a, e) => a + e.rows, 0);
    const verify = await timed("adopt verify", () => command(["verify", "--from", legacyUrl, "--mapping", "whatsapp-bot", "--tenant", "bench-hermanos"], adoptUrl));
    if (!verify.value.ok) throw new Error(`verify found differences: ${JSON.stringify(verify.value.entries.filter((e: { ok: boolean }) => !e.ok))}`);

    const target = postgres(copyUrl, { max: 1, onnotice: () => {}, ...noDelay });
    const [tenant] = await target`insert into public.tenants (slug, name, timezone) values ('bench-copy', 'Bench copy', 'Europe/Madrid') returning id`;
    const dumped = await timed("dumping the imported rows for the plain COPY", () => dump(adoptUrl, run.value.tenantId, tenant.id));
    const copied = [...dumped.value.values()].reduce((a, d) => a + d.rows, 0);
    if (copied !== written) throw new Error(`dumped ${copied} rows, run wrote ${written}`);
    const copy = await timed("plain COPY", async () => {
      for (const [table, d] of dumped.value) await target.begin((tx) => copyInto(tx, table, d.columns, d.lines));
    });
    await target.end();
    const rollback = await timed("adopt rollback", () => command(["rollback", "--mapping", "whatsapp-bot", "--tenant", "bench-hermanos"], adoptUrl));
    const removed = (rollback.value.deleted as { rows: number }[]).reduce((a, d) => a + d.rows, 0);

    const perSec = (rows: number, ms: number) => (rows / ms) * 1000;
    const rows = [
      ["plain COPY", written, copy.ms, perSec(written, copy.ms), 1],
      ["adopt run", written, run.ms, perSec(written, run.ms), run.ms / copy.ms],
      ["adopt verify", written, verify.ms, perSec(written, verify.ms), verify.ms / copy.ms],
      ["adopt rollback", removed, rollback.ms, perSec(removed, rollback.ms), rollback.ms / copy.ms],
    ] as const;
    console.log(`\nrows written: ${fmt(written)} (from ${fmt(legacyRows)} legacy rows; ${fmt(dumped.value.get("messages")!.rows)} messages), batch size ${BATCH}\n`);
    console.log(`${"".padEnd(14)}${"rows".padStart(12)}${"time".padStart(10)}${"rows/s".padStart(12)}${"vs COPY".padStart(10)}`);
    for (const [label, n, ms, rate, ratio] of rows) {
      console.log(`${label.padEnd(14)}${fmt(n).padStart(12)}${secs(ms).padStart(10)}${fmt(rate).padStart(12)}${(ratio.toFixed(2) + "x").padStart(10)}`);
    }
    const ratio = run.ms / copy.ms;
    console.log(`\nadopt run is ${ratio.toFixed(2)}x plain COPY: ${ratio <= 3 ? "PASS" : "FAIL"} (goal: within 3x)`);
  } finally {
    await cluster?.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(`\nbench:adopt failed: ${err instanceof Error ? err.message : err}`);
      process.exit(1);
    },
  );
}
