// `npm run bench:onboarding` (= `tsx bench/onboarding.ts`): business creation per second through the real
// `onboarding` function (POST /onboarding, a signed-in user's JWT, create_tenant() in one transaction as the caller),
// and what the time-zone check costs of it, before and after it stopped scanning pg_timezone_names.
//
// Its own embedded PostgreSQL (bootstrap + `supabase db push`) and its own functions gateway (local/functions.ts).
//   POST /onboarding       N creations one after another, each by its own user (per-creation latency), then the
//                          same number with CONCURRENCY requests in flight (creations/s under load).
//   time-zone check        1,000 rows inserted (one statement) into a table with no trigger, with the check as it
//                          was (a pg_timezone_names scan per row) and with private.check_timezone as it is: the
//                          per-row difference is the validation a creation pays. Interleaved, ROUNDS rounds.
//
//   npx tsx bench/onboarding.ts [--creations 1000] [--concurrency 8] [--rounds 5]
// Environment: BENCH_ONBOARDING_DB_PORT (default: a free port).
import { randomBytes } from "node:crypto";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { prepareDatabase } from "../local/database.ts";
import { startFunctions, type FunctionsServer } from "../local/functions.ts";
import { freePort } from "../local/ports.ts";
import { startCluster } from "../local/postgres.ts";
import { functionEnv } from "../local/stack.ts";
import { mintAccessToken } from "../local/tokens.ts";

const { values: args } = parseArgs({
  options: {
    creations: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "8" },
    rounds: { type: "string", default: "5" },
  },
});
const count = (name: keyof typeof args, min: number) => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected a whole number of at least ${min}, got ${args[name]}`);
  return n;
};
const CREATIONS = count("creations", 1);
const CONCURRENCY = count("concurrency", 1);
const ROUNDS = count("rounds", 1);
const ROWS = 1000;
const ZONES = ["Europe/Madrid", "America/New_York", "UTC", "Asia/Tokyo", "America/Argentina/Buenos_Aires"];

const ROOT = path.resolve(import.meta.dirname, "..");
const DATA_DIR = path.join(ROOT, ".frontdesk", "bench-onboarding-db");
const PORT = Number(process.env.BENCH_ONBOARDING_DB_PORT) || (await freePort());

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const f3 = (v: number) => v.toFixed(3);

function table(headers: string[], rows: string[][]): string {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => "| " + c.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join(" | ") + " |";
  return [line(headers), "|" + w.map((x, i) => (i === 0 ? "-".repeat(x + 2) : "-".repeat(x + 1) + ":")).join("|") + "|", ...rows.map(line)].join("\n");
}

// The check as it was before issue 15, for comparison only (it lives in the bench schema, on the bench table).
const OLD_CHECK = `
create or replace function bench_tz.check_timezone_catalog()
returns trigger language plpgsql set search_path = '' as $$
begin
  if not exists (select 1 from pg_catalog.pg_timezone_names where name = new.timezone) then
    perform private.fail(400, format('unknown time zone "%s": use an IANA name such as Europe/Madrid', new.timezone));
  end if;
  return new;
end;
$$;`;

async function main() {
  const cluster = await startCluster({ dataDir: DATA_DIR, port: PORT, reset: true });
  let functions: FunctionsServer | undefined;
  const owner = postgres(cluster.url(), { max: 1, onnotice: () => {}, idle_timeout: 0 });
  try {
    const m0 = performance.now();
    await prepareDatabase({ superuserUrl: cluster.adminUrl(), url: cluster.url(), seed: false, quiet: true });
    console.log(`migrated (bootstrap + supabase db push) in ${((performance.now() - m0) / 1000).toFixed(1)}s`);

    // ---- the trigger alone: 1,000 rows, no check / the catalog scan / the check as it is ----
    await owner.unsafe(`
      drop schema if exists bench_tz cascade;
      create schema bench_tz;
      create table bench_tz.none (timezone text not null);
      create table bench_tz.catalog (timezone text not null);
      create table bench_tz.current (timezone text not null);
      ${OLD_CHECK}
      create trigger tz before insert on bench_tz.catalog for each row execute function bench_tz.check_timezone_catalog();
      create trigger tz before insert on bench_tz.current for each row execute function private.check_timezone();`);
    const zones = `(array['${ZONES.join("','")}'])[1 + g % ${ZONES.length}]`;
    const insert = async (table: string) => {
      await owner.unsafe(`truncate bench_tz.${table}`);
      const t0 = performance.now();
      await owner.unsafe(`insert into bench_tz.${table} select ${zones} from generate_series(1, ${ROWS}) g`);
      return performance.now() - t0;
    };
    const tz: Record<string, number[]> = { none: [], catalog: [], current: [] };
    for (const t of Object.keys(tz)) await insert(t); // warm-up: caches, tz files loaded
    for (let r = 0; r < ROUNDS; r++) for (const t of Object.keys(tz)) tz[t].push(await insert(t));
    const perRow = (t: string) => (pct(tz[t], 50) - pct(tz.none, 50)) / ROWS;

    // ---- POST /onboarding ----
    const users = await owner<{ id: string }[]>`
      insert into auth.users (id, aud, role, email, email_confirmed_at)
      select gen_random_uuid(), 'authenticated', 'authenticated', 'founder' || g || '-' || ${randomBytes(3).toString("hex")} || '@bench.example', now()
      from generate_series(1, ${CREATIONS * 2}) g
      returning id`;
    const authAdmin = postgres(cluster.url("supabase_auth_admin"), { max: 1, onnotice: () => {} });
    const tokens: string[] = [];
    for (const u of users) tokens.push(await mintAccessToken(authAdmin, u.id));
    await authAdmin.end();
    const env = { ...(await functionEnv("http://127.0.0.1:0", cluster.url())) };
    functions = await startFunctions({ port: 0, env });
    const url = `${functions.url}/onboarding`;
    let n = 0;
    const create = async (token: string) => {
      const i = n++;
      const t0 = performance.now();
      const res = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ slug: `bench-shop-${i}`, name: `Bench Shop ${i}`, timezone: ZONES[i % ZONES.length], category: "barbershop" }),
      });
      const body = await res.text();
      if (res.status !== 201) throw new Error(`POST /onboarding answered ${res.status}: ${body}`);
      return performance.now() - t0;
    };
    // The first 20 sequential creations warm the gateway, the pool and the caches: left out of the percentiles.
    const sequential: number[] = [];
    const s0 = performance.now();
    for (let i = 0; i < CREATIONS; i++) sequential.push(await create(tokens[i]));
    const seqSeconds = (performance.now() - s0) / 1000;
    const steady = sequential.slice(Math.min(20, CREATIONS - 1));

    const concurrent: number[] = [];
    const pending = tokens.slice(CREATIONS);
    const c0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      for (let t = pending.shift(); t; t = pending.shift()) concurrent.push(await create(t));
    }));
    const conSeconds = (performance.now() - c0) / 1000;
    const [{ made }] = await owner`select count(*)::int as made from public.tenants where slug like 'bench-shop-%'`;
    if (made !== CREATIONS * 2) throw new Error(`expected ${CREATIONS * 2} businesses, found ${made}`);

    console.log(`\n=== business creation through POST /onboarding (${CREATIONS} sequential, ${CREATIONS} with ${CONCURRENCY} in flight) ===`);
    console.log(table(["run", "p50 ms", "p95 ms", "p99 ms", "mean ms", "creations/s"], [
      ["sequential (after 20 warm-up)", f3(pct(steady, 50)), f3(pct(steady, 95)), f3(pct(steady, 99)), f3(mean(steady)), (CREATIONS / seqSeconds).toFixed(1)],
      [`${CONCURRENCY} in flight`, f3(pct(concurrent, 50)), f3(pct(concurrent, 95)), f3(pct(concurrent, 99)), f3(mean(concurrent)), (CREATIONS / conSeconds).toFixed(1)],
    ]));
    console.log(`\n=== the time-zone check alone: ${ROWS.toLocaleString("en-US")} rows in one insert, p50 of ${ROUNDS} rounds ===`);
    console.log(table(["check", `${ROWS} rows ms`, "per row ms", "validation per row ms"], [
      ["no trigger", f3(pct(tz.none, 50)), f3(pct(tz.none, 50) / ROWS), "-"],
      ["before: pg_timezone_names scan", f3(pct(tz.catalog, 50)), f3(pct(tz.catalog, 50) / ROWS), f3(perRow("catalog"))],
      ["now: shape + zone load", f3(pct(tz.current, 50)), f3(pct(tz.current, 50) / ROWS), f3(perRow("current"))],
    ]));
    console.log(`\nvalidation: ${f3(perRow("catalog"))} ms -> ${f3(perRow("current"))} ms a business (${(perRow("catalog") / Math.max(perRow("current"), 1e-6)).toFixed(0)}x less)`);
  } finally {
    await functions?.stop();
    await owner.end().catch(() => {});
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
