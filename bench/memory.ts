// `npm run bench:memory` (= `tsx bench/memory.ts`): recall latency for a caller with 1,000 memories, in a tenant among
// 1,000 tenants holding 1,000,000 memories in all, through the real `memory` function and as the same SQL run
// directly, in one run.
//
// Its own embedded PostgreSQL (migrated with the project's bootstrap and `supabase db push`) and its own functions
// gateway (local/functions.ts, the same Deno server the tests and `npm run dev` use). The dataset, built with
// bench/dataset.ts's builders: per tenant an owner, 20 caller profiles (regulars, not customers), caller 0's 3 calls
// with summaries and personality metrics (12 in the hot tenant, the middle one) and 1,000 memories drawn from a pool
// of 20,000 phrases, interleaved across tenants; the hot tenant's all belong to its caller 0, the hot caller.
// Per iteration, interleaved so every variant sees the same conditions:
//   SQL direct      from Node as PostgREST runs a request, with the claims the function would set for the API key:
//                   begin; set_config(role, claims); select private.memory_recall(...); commit.
//                   "statement" is the recall statement alone, "transaction" the four round trips.
//   HTTP hop        GET /functions/v1/memory without credentials: gateway + handler + 401 answer, no database.
//   function (key)  GET /functions/v1/memory?caller=…&q=…, Authorization: Bearer fd_live_… (authenticates the key,
//                   then the same recall, in one transaction).
//   function (JWT)  the same request with the owner's access token (informational).
// Goals: SQL recall statement p50 under 10 ms; function (key) p50 within 1.5x of (SQL transaction p50 + hop p50).
//
//   npx tsx bench/memory.ts           build the dataset from nothing and measure
//   npx tsx bench/memory.ts --keep    reuse the dataset of a previous run when there is one
//   npx tsx bench/memory.ts --plans   also print EXPLAIN (ANALYZE, BUFFERS) of the recall's memories query
// Environment: BENCH_MEMORY_DB_PORT (default: a free port), BENCH_TENANTS (1000), BENCH_ITERATIONS (500), BENCH_WARMUP (50).
import { freePort } from "../local/ports.ts";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { prepareDatabase } from "../local/database.ts";
import { startFunctions, type FunctionsServer } from "../local/functions.ts";
import { startCluster } from "../local/postgres.ts";
import { functionEnv } from "../local/stack.ts";
import { mintAccessToken } from "../local/tokens.ts";
import {
  benchId, buildSession, insertCallSummaries, insertOwnerMemberships, insertOwnerUsers, insertPersonalityMetrics,
  insertPhrases, insertRegularCallers, insertRegularCalls, insertTenantMemories, insertTenants, regularCallerPhone,
} from "./dataset.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const DATA_DIR = path.join(ROOT, ".frontdesk", "bench-memory-db");
// Its own cluster, on a port the OS says is free unless set: never one a (moved) local stack may hold.
const PORT = Number(process.env.BENCH_MEMORY_DB_PORT) || (await freePort());
const TENANTS = Math.max(2, Number(process.env.BENCH_TENANTS ?? 1000));
const PER_TENANT = 1000; // memories per tenant; the hot tenant's all belong to its hot caller
const CALLERS = 20; // caller profiles per tenant
const PHRASES = 20000; // the pool memories take their text from
const ITERATIONS = Math.max(1, Number(process.env.BENCH_ITERATIONS ?? 500));
const WARMUP = Math.max(0, Number(process.env.BENCH_WARMUP ?? 50));
const { values: flags } = parseArgs({ options: { keep: { type: "boolean", default: false }, plans: { type: "boolean", default: false } }, strict: true });
const KEEP = flags.keep;
const PLANS = flags.plans;
const HOT = Math.ceil(TENANTS / 2); // a tenant in the middle of the insert order
const P50_TARGET_MS = 10;
const RATIO_TARGET = 1.5;


const fmt = (ms: number) => ms.toFixed(2);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

async function step(label: string, work: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  const r = await work();
  const rows = typeof r === "number" ? r : (r as { count?: number })?.count;
  console.log(`  ${label.padEnd(32)} ${seconds(performance.now() - t0).padStart(7)}${rows ? `  ${rows.toLocaleString("en-US")} rows` : ""}`);
}

const hotPhone = regularCallerPhone(HOT, 0);

/** The dataset, set-based (bench/dataset.ts's builders): md5 ids, so statements can refer to each other's rows. */
async function build(sql: postgres.Sql): Promise<void> {
  const T = TENANTS;
  await buildSession(sql, 0.2211);
  await step("tenants", () => insertTenants(sql, { count: T }));
  await step("auth.users + memberships (owners)", async () => {
    await insertOwnerUsers(sql, { count: T });
    return insertOwnerMemberships(sql, { count: T });
  });
  await step("caller_profiles", () => insertRegularCallers(sql, { tenants: T, perTenant: CALLERS }));
  // Each tenant's caller 0 has a few calls with summaries (the hot caller 12), and personality metrics.
  await step("calls + call_summaries", async () => {
    await insertRegularCalls(sql, { tenants: T, perTenant: 3, hot: { tenant: HOT, calls: 12 } });
    return insertCallSummaries(sql);
  });
  await step("personality_metrics", () => insertPersonalityMetrics(sql));
  await step("phrases (temp)", () => insertPhrases(sql, { count: PHRASES }));
  // 1,000 per tenant, interleaved across tenants; all of the hot tenant's belong to its caller 0.
  await step(`memories (${(T * PER_TENANT).toLocaleString("en-US")})`, () =>
    insertTenantMemories(sql, { tenants: T, perTenant: PER_TENANT, callers: CALLERS, hotTenant: HOT, phrases: PHRASES }));
  await step("vacuum analyze", () => sql`vacuum analyze`);
}

interface Sample { label: string; values: number[] }

async function main() {
  const t0 = performance.now();
  const cluster = await startCluster({ dataDir: DATA_DIR, port: PORT, reset: !KEEP });
  let functions: FunctionsServer | undefined;
  let owner: postgres.Sql | undefined;
  try {
    // As the cluster superuser: on a fresh cluster the project's roles do not exist until the bootstrap.
    const admin = postgres(cluster.adminUrl(), { max: 1, onnotice: () => {} });
    const [probe] = await admin`
      select to_regclass('public.memories') is not null
             and (select count(*) from public.tenants) = ${TENANTS} as reusable`.catch(() => [{ reusable: false }]);
    await admin.end();
    if (KEEP && probe.reusable) {
      console.log("--keep: reusing the dataset of a previous run");
      owner = postgres(cluster.url(), { max: 1, onnotice: () => {}, idle_timeout: 0 });
    } else {
      if (KEEP) throw new Error("--keep: no dataset of this size to reuse; run once without --keep");
      const m0 = performance.now();
      await prepareDatabase({ superuserUrl: cluster.adminUrl(), url: cluster.url(), seed: false, quiet: true });
      console.log(`migrated (bootstrap + supabase db push) in ${seconds(performance.now() - m0)}`);
      console.log(`building ${TENANTS.toLocaleString("en-US")} tenants, ${(TENANTS * PER_TENANT).toLocaleString("en-US")} memories:`);
      owner = postgres(cluster.url(), { max: 1, onnotice: () => {}, idle_timeout: 0 });
      const b0 = performance.now();
      await build(owner);
      console.log(`  ${"total build".padEnd(32)} ${seconds(performance.now() - b0).padStart(7)}`);
    }

    // The hot caller, a fresh API key for its business (plaintext known only here), the owner's token.
    const [hot] = await owner.unsafe(`
      select t.id as tenant_id, p.id as caller_id, p.phone,
             (select count(*) from public.memories m where m.tenant_id = t.id and m.caller_id = p.id)::int as memories,
             (select count(*) from public.memories)::int as total
      from public.tenants t join public.caller_profiles p on p.tenant_id = t.id and p.phone = '${hotPhone}'
      where t.id = '${benchId("md5", `tenant:${HOT}`)}'`);
    const key = `fd_live_${randomBytes(4).toString("hex")}_${randomBytes(32).toString("base64url")}`;
    const [apiKey] = await owner`
      insert into public.api_keys (tenant_id, name, prefix, key_hash, scopes)
      values (${hot.tenant_id}, 'bench agent', ${key.slice(0, 16)}, ${createHash("sha256").update(key).digest()}, '{memory:read,memory:write}')
      returning id`;
    const words = await owner.unsafe(`
      select word from ts_stat($$select search from public.memories where tenant_id = '${hot.tenant_id}' and caller_id = '${hot.caller_id}'$$)
      where length(word) > 3 order by ndoc desc, word`);
    const query = `${words[0]?.word ?? "haircut"} or ${words[Math.floor(words.length / 3)]?.word ?? "morning"}`;
    const authAdmin = postgres(cluster.url("supabase_auth_admin"), { max: 1, onnotice: () => {} });
    const ownerToken = await mintAccessToken(authAdmin, benchId("md5", `user:${HOT}`));
    await authAdmin.end();
    console.log(
      `dataset: ${TENANTS.toLocaleString("en-US")} tenants, ${hot.total.toLocaleString("en-US")} memories; ` +
        `hot caller ${hot.phone} (${hot.memories.toLocaleString("en-US")} memories) in tenant ${hot.tenant_id}; query ${JSON.stringify(query)}`,
    );

    // The same pool size the function gets by default, so neither side waits for connections (requests are sequential).
    const env = { ...(await functionEnv("http://127.0.0.1:0", cluster.url())) };
    functions = await startFunctions({ port: 0, env });
    const base = `${functions.url}/memory`;
    const url = (q: string | null) => `${base}?caller=${encodeURIComponent(hot.phone)}${q ? `&q=${encodeURIComponent(q)}` : ""}&limit=20`;

    // Direct SQL, as authenticator (what PostgREST connects as), with the claims the function builds for the key.
    const direct = postgres(cluster.url("authenticator"), { max: 1, onnotice: () => {}, idle_timeout: 0, prepare: false });
    const claims = JSON.stringify({ role: "authenticated", tenant_id: hot.tenant_id, api_key_id: apiKey.id, scopes: ["memory:read", "memory:write"] });
    const sqlRecall = async (q: string | null) => {
      const t = performance.now();
      let stmt = 0;
      let size = 0;
      await direct.begin(async (tx) => {
        await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
        const s = performance.now();
        const [r] = await tx`select private.memory_recall(${hot.phone}, ${q}, 20) as result`;
        stmt = performance.now() - s;
        size = r.result.memories.length;
      });
      if (size !== 20) throw new Error(`direct recall returned ${size} memories`);
      return { txn: performance.now() - t, stmt };
    };
    const httpGet = async (target: string, bearer?: string, expect = 200) => {
      const t = performance.now();
      const res = await fetch(target, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
      const body = await res.text();
      const ms = performance.now() - t;
      if (res.status !== expect) throw new Error(`${target} answered ${res.status}: ${body.slice(0, 300)}`);
      if (expect === 200 && (JSON.parse(body) as { memories: unknown[] }).memories.length !== 20) throw new Error("function recall did not return 20 memories");
      return ms;
    };

    const scenarios = [{ name: "with query", q: query }, { name: "no query", q: null }];
    const results: Record<string, Sample[]> = {};
    for (const sc of scenarios) {
      const s = {
        stmt: { label: "SQL recall statement", values: [] as number[] },
        txn: { label: "SQL direct transaction", values: [] as number[] },
        hop: { label: "HTTP hop (401, no DB)", values: [] as number[] },
        key: { label: "function, API key", values: [] as number[] },
        jwt: { label: "function, member JWT", values: [] as number[] },
      };
      console.log(`\nmeasuring "${sc.name}": ${WARMUP} warm-up + ${ITERATIONS} timed iterations per variant, interleaved`);
      for (let i = 0; i < WARMUP + ITERATIONS; i++) {
        // Rotate the order each iteration so no variant always follows another.
        const order = [0, 1, 2, 3].map((k) => (k + i) % 4);
        for (const v of order) {
          if (v === 0) {
            const r = await sqlRecall(sc.q);
            if (i >= WARMUP) { s.stmt.values.push(r.stmt); s.txn.values.push(r.txn); }
          } else if (v === 1) {
            const ms = await httpGet(base, undefined, 401);
            if (i >= WARMUP) s.hop.values.push(ms);
          } else if (v === 2) {
            const ms = await httpGet(url(sc.q), key);
            if (i >= WARMUP) s.key.values.push(ms);
          } else {
            const ms = await httpGet(url(sc.q), ownerToken);
            if (i >= WARMUP) s.jwt.values.push(ms);
          }
        }
      }
      results[sc.name] = [s.stmt, s.txn, s.hop, s.key, s.jwt];
    }
    await direct.end();

    console.log(`\n=== bench:memory: recall of a caller with ${hot.memories.toLocaleString("en-US")} memories, ` +
      `${TENANTS.toLocaleString("en-US")} tenants, ${hot.total.toLocaleString("en-US")} memories; top 20 + profile + personality + last 5 calls ===`);
    console.log(`${ITERATIONS} timed iterations per variant, sequential, ms (client-side, performance.now())\n`);
    console.log("| scenario   | variant                  |  p50 ms |  p99 ms | mean ms |");
    console.log("|------------|--------------------------|--------:|--------:|--------:|");
    const verdicts: string[] = [];
    let failed = false;
    for (const sc of scenarios) {
      const rows = results[sc.name];
      for (const r of rows) {
        const mean = r.values.reduce((a, b) => a + b, 0) / r.values.length;
        console.log(`| ${sc.name.padEnd(10)} | ${r.label.padEnd(24)} | ${fmt(pct(r.values, 50)).padStart(7)} | ${fmt(pct(r.values, 99)).padStart(7)} | ${fmt(mean).padStart(7)} |`);
      }
      const [stmt, txn, hop, key] = rows;
      const budget = pct(txn.values, 50) + pct(hop.values, 50);
      const ratio = pct(key.values, 50) / budget;
      const ratio99 = pct(key.values, 99) / (pct(txn.values, 99) + pct(hop.values, 99));
      const sqlOk = pct(stmt.values, 50) < P50_TARGET_MS;
      const ratioOk = ratio <= RATIO_TARGET;
      failed ||= !sqlOk || !ratioOk;
      verdicts.push(
        `${sc.name}: SQL recall p50 ${fmt(pct(stmt.values, 50))} ms (goal < ${P50_TARGET_MS}: ${sqlOk ? "PASS" : "FAIL"}); ` +
          `function p50 ${fmt(pct(key.values, 50))} ms = ${ratio.toFixed(2)}x (SQL transaction ${fmt(pct(txn.values, 50))} + hop ${fmt(pct(hop.values, 50))} = ${fmt(budget)} ms) ` +
          `(goal <= ${RATIO_TARGET}x: ${ratioOk ? "PASS" : "FAIL"}); p99 ratio ${ratio99.toFixed(2)}x`,
      );
    }
    console.log("");
    for (const v of verdicts) console.log(v);
    console.log(failed ? "\nRESULT: FAIL" : "\nRESULT: PASS");

    if (PLANS) {
      const plan = await owner.begin(async (tx) => {
        await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
        return tx.unsafe(`
          explain (analyze, buffers)
          select m.id, case when m.search @@ q then ts_rank(m.search, q) end
          from public.memories m, websearch_to_tsquery('simple', $1) q
          where m.tenant_id = $2 and m.caller_id = $3`, [query, hot.tenant_id, hot.caller_id]);
      });
      console.log(`\n=== plan: the recall's memories scan, as authenticated ===\n${plan.map((r) => r["QUERY PLAN"]).join("\n")}`);
    }
    console.log(`\ndone in ${seconds(performance.now() - t0)}`);
  } finally {
    await functions?.stop();
    await owner?.end().catch(() => {});
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`\nbench:memory failed: ${err instanceof Error ? err.stack ?? err.message : err}`);
    process.exit(1);
  },
);
