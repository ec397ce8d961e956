// `npm run bench:rls` (= `tsx bench/rls.ts`): what Row Level Security costs the queries the dashboard and the bot make.
//
// Builds a large multi-tenant dataset (bench/dataset.ts) in a dedicated embedded PostgreSQL (migrated with the
// project's own bootstrap and `supabase db push`), then times each query (bench/rls-queries.ts) these ways,
// interleaved, in the same run (bench/rls-measure.ts):
//   RLS       the statement alone as PostgREST runs it: in a transaction
//             `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', <claims>, true)`,
//             PostgREST's pre-request function, then the query with NO tenant filter (the policies supply it);
//   explicit  as the table owner `postgres` (bypasses RLS) with `tenant_id = $1` written into the query; its whole
//             request is begin + query + commit;
//   asCaller  the whole request as the functions run it: the real `asCaller` (supabase/functions/_shared/db/client.ts)
//             on a pool like theirs (postgres, prepared statements as with FRONTDESK_DB_PREPARE=true), the RLS query
//             as its work: role and claims go out pipelined with the query.
// All three run on one connection as the functions connect (postgres): see Pools in bench/rls-measure.ts.
// Prints two tables, p50/p95 per query and variant with PASS/FAIL against the targets (the statement: RLS p50 within
// 1.25x of explicit and every p50 under 10 ms; the request: asCaller p50 within 1.25x of the explicit request), and
// EXPLAIN (ANALYZE, BUFFERS) for whatever misses a target. Always exits 0 once it has reported.
//
//   npx tsx bench/rls.ts            rebuild the dataset from nothing and measure
//   npx tsx bench/rls.ts --keep     reuse the dataset of a previous run when there is one
//   npx tsx bench/rls.ts --plans    also print every query's plans, missed target or not
// Environment: BENCH_DB_PORT (default: a free port), BENCH_ITERATIONS (300 timed per variant), BENCH_WARMUP (30),
// BENCH_TENANTS (1000; per-tenant volumes are fixed, so totals scale with it).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { freePort } from "../local/ports.ts";
import type { Cluster } from "../local/postgres.ts";
import { hookClaims } from "../local/tokens.ts";
import type { CallerClaims } from "../supabase/functions/_shared/db/client.ts";
import { describeDataset, openDataset } from "./dataset.ts";
import { explain, helperCalls, helperCost, measure, type Result } from "./rls-measure.ts";
import { pickHot, queries } from "./rls-queries.ts";
import { fmtSeconds, ms, pct, printTimings, table } from "./report.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const DATA_DIR = path.join(ROOT, ".frontdesk", "bench-db");
// Its own cluster, on a port the OS says is free unless set: never one a (moved) local stack may hold.
const PORT = Number(process.env.BENCH_DB_PORT) || (await freePort());
const ITERATIONS = Math.max(1, Number(process.env.BENCH_ITERATIONS ?? 300));
const WARMUP = Math.max(0, Number(process.env.BENCH_WARMUP ?? 30));
const TENANTS = Math.max(10, Number(process.env.BENCH_TENANTS ?? 1000));

const RATIO_TARGET = 1.25;
const P50_TARGET_MS = 10;

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== "--keep" && a !== "--plans");
  if (unknown.length) {
    console.error(`unknown option ${unknown.join(" ")}: tsx bench/rls.ts [--keep] [--plans]`);
    process.exit(2);
  }
  const KEEP = args.includes("--keep");
  const ALL_PLANS = args.includes("--plans");
  const t0 = performance.now();
  let cluster: Cluster | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping || !cluster) return;
    stopping = true;
    await cluster.stop();
  };
  process.once("SIGINT", () => void stop().finally(() => process.exit(130)));
  process.once("SIGTERM", () => void stop().finally(() => process.exit(143)));

  try {
    console.log(`RLS benchmark: PostgreSQL on 127.0.0.1:${PORT}, data in ${path.relative(ROOT, DATA_DIR)}`);
    const dataset = await openDataset({
      dataDir: DATA_DIR, port: PORT, tenants: TENANTS, keep: KEEP, onCluster: (c) => (cluster = c),
    });
    const buildTimings = dataset.buildTimings;
    cluster = dataset.cluster;

    const owner = postgres(cluster.url(), { max: 1, onnotice: () => {}, idle_timeout: 0 });
    const rls = postgres(cluster.url("authenticator"), { max: 1, onnotice: () => {}, idle_timeout: 0 });
    const authAdmin = postgres(cluster.url("supabase_auth_admin"), { max: 1, onnotice: () => {} });
    // As the functions connect (SUPABASE_DB_URL, the pool's own role postgres), for the real asCaller.
    const fn = postgres(cluster.url(), { max: 1, prepare: true, onnotice: () => {}, idle_timeout: 0 });
    try {
      console.log(`\n${await describeDataset(owner)}`);

      const hot = await pickHot(owner, TENANTS);
      // The claims PostgREST would set for the owner's token: the project's own access-token hook, run as Supabase
      // Auth runs it (standard claims + tenant_id/tenant_slug/tenant_role).
      let claimsObj: CallerClaims;
      try {
        claimsObj = { ...(await hookClaims(authAdmin, hot.ownerId)), role: "authenticated" };
      } catch {
        claimsObj = { sub: hot.ownerId, role: "authenticated", aud: "authenticated" };
      }
      if (claimsObj.tenant_id !== hot.tenantId) claimsObj = { ...claimsObj, tenant_id: hot.tenantId };
      const claims = JSON.stringify(claimsObj);
      console.log(
        `hot tenant: ${hot.slug} (${hot.tenantId}, ${hot.timezone}), owner ${hot.ownerId}\n` +
          `  b: conversation ${hot.conversationId} (${hot.conversationMessages} messages)\n` +
          `  c: bookings on ${hot.bookingDay} local, [${hot.dayStart.toISOString()}, ${hot.dayEnd.toISOString()})\n` +
          `  d: phone ${hot.customerPhone}\n` +
          `  e: service Haircut (30 min) ${hot.slotServiceId} on ${hot.slotDay} (3 staff, 15-min steps)\n` +
          `  f: caller ${hot.callerId} (${hot.callerMemories} memories), query ${JSON.stringify(hot.recallText)}\n` +
          `  claims keys: ${Object.keys(claimsObj).join(", ")}`,
      );

      const qs = queries(hot);
      console.log(`\nmeasuring: ${WARMUP} warm-up + ${ITERATIONS} timed iterations per variant, interleaved (ABC/CBA)`);
      const results: Result[] = [];
      for (const q of qs) {
        const r = await measure({ fn }, claimsObj, q, { warmup: WARMUP, iterations: ITERATIONS });
        results.push(r);
        console.log(
          `  ${q.name.padEnd(34)} ${String(r.rows).padStart(3)} rows  RLS p50 ${ms(pct(r.rls.map((s) => s.stmt), 50))} ms,` +
            ` explicit p50 ${ms(pct(r.explicit.map((s) => s.stmt), 50))} ms; request: asCaller p50` +
            ` ${ms(pct(r.request, 50))} ms, explicit p50 ${ms(pct(r.explicit.map((s) => s.txn), 50))} ms`,
        );
      }

      const verdicts = results.map((r) => {
        const rp50 = pct(r.rls.map((s) => s.stmt), 50);
        const ep50 = pct(r.explicit.map((s) => s.stmt), 50);
        const ratio = rp50 / ep50;
        const misses: string[] = [];
        if (ratio > RATIO_TARGET) misses.push(`RLS ${ratio.toFixed(2)}x > ${RATIO_TARGET}x`);
        if (rp50 >= P50_TARGET_MS) misses.push(`RLS p50 ${ms(rp50)} ms >= ${P50_TARGET_MS} ms`);
        if (ep50 >= P50_TARGET_MS) misses.push(`explicit p50 ${ms(ep50)} ms >= ${P50_TARGET_MS} ms`);
        const reqP50 = pct(r.request, 50);
        const reqEp50 = pct(r.explicit.map((s) => s.txn), 50);
        const reqRatio = reqP50 / reqEp50;
        const requestMisses: string[] = [];
        if (reqRatio > RATIO_TARGET) requestMisses.push(`asCaller ${reqRatio.toFixed(2)}x > ${RATIO_TARGET}x`);
        return { r, rp50, ep50, ratio, misses, reqP50, reqEp50, reqRatio, requestMisses };
      });

      console.log(
        `\n=== Query latency (the statement alone; for RLS the set_config round trip is NOT included) ===\n` +
          `${ITERATIONS} timed iterations per variant, ms, client-side (performance.now(), includes the network round` +
          ` trip and postgres.js row parsing, the same for both variants). Targets: RLS p50 <= ${RATIO_TARGET}x explicit,` +
          ` every p50 < ${P50_TARGET_MS} ms.\n`,
      );
      console.log(
        table(
          ["query", "rows", "RLS p50", "explicit p50", "ratio (RLS/explicit)", "RLS p95", "explicit p95", "result"],
          verdicts.map(({ r, rp50, ep50, ratio, misses }) => [
            r.q.name, String(r.rows), ms(rp50), ms(ep50), `${ratio.toFixed(2)}x`,
            ms(pct(r.rls.map((s) => s.stmt), 95)), ms(pct(r.explicit.map((s) => s.stmt), 95)),
            misses.length ? `FAIL (${misses.join("; ")})` : "PASS",
          ]),
          [false, true, true, true, true, true, true, false],
        ),
      );

      console.log(
        `\n=== Whole request, as the functions run it ===\n` +
          `asCaller: the real asCaller (begin, role + claims + access, and the query pipelined; commit: 2 round trips)` +
          ` on a pool as the functions connect (postgres); explicit: begin + query with the tenant filter + commit as` +
          ` postgres.js's begin sends it (3 round trips). ms, client-side. Target: asCaller p50 <= ${RATIO_TARGET}x` +
          ` explicit. Like for like: the explicit request pipelined as asCaller pipelines (begin + query, commit), so` +
          ` both send the same round trips and only the RLS work differs.\n`,
      );
      console.log(
        table(
          ["query", "asCaller p50", "explicit p50", "ratio (asCaller/explicit)", "asCaller p95", "explicit p95",
            "overhead p50", "result", "explicit pipelined p50", "like for like"],
          verdicts.map(({ r, reqP50, reqEp50, reqRatio, requestMisses }) => [
            r.q.name, ms(reqP50), ms(reqEp50), `${reqRatio.toFixed(2)}x`,
            ms(pct(r.request, 95)), ms(pct(r.explicit.map((s) => s.txn), 95)), `${ms(reqP50 - reqEp50)} ms`,
            requestMisses.length ? `FAIL (${requestMisses.join("; ")})` : "PASS",
            ms(pct(r.explicitPipelined, 50)), `${(reqP50 / pct(r.explicitPipelined, 50)).toFixed(2)}x`,
          ]),
          [false, true, true, true, true, true, true, false, true, true],
        ),
      );

      const failed = verdicts.filter((v) => v.misses.length || v.requestMisses.length);
      const statementFails = verdicts.filter((v) => v.misses.length).map((v) => v.r.q.key);
      const requestFails = verdicts.filter((v) => v.requestMisses.length).map((v) => v.r.q.key);
      console.log(
        failed.length
          ? `\nRESULT: FAIL: ${failed.length} of ${verdicts.length} queries miss a target:` +
              ` statement ${statementFails.join(", ") || "none"}; request ${requestFails.join(", ") || "none"}`
          : `\nRESULT: PASS: every query meets every target (statement and whole request)`,
      );

      // Where the RLS time goes: the policies' helper, evaluated once per statement per RLS table reference.
      const cost = await helperCost(rls, claims, { warmup: WARMUP, iterations: ITERATIONS });
      console.log(
        `\n=== Diagnosis ===\n` +
          `private.tenant_id_for('staff') as a transaction's first statement, as authenticated: p50 ${ms(cost.helper)} ms vs` +
          ` ${ms(cost.baseline)} ms for \`select null::uuid\` => ~${ms(cost.helper - cost.baseline)} ms to resolve the caller's` +
          ` live access (private.request_access through PL/pgSQL, as a policy does on a cache miss; asCaller reads the` +
          ` view directly, PostgREST through its pre-request hook). Every later call in the transaction reads the cache.\n`,
      );
      const diag: string[][] = [];
      for (const v of verdicts) {
        const calls = v.r.q.key === "e" ? undefined : await helperCalls(rls, claims, v.r.q);
        diag.push([
          v.r.q.name,
          calls === undefined ? "inside functions" : String(calls),
          ms(v.rp50 - v.ep50),
          ms(v.reqP50 - v.reqEp50),
        ]);
      }
      console.log(table(["query", "helper calls / statement (cached)", "statement: RLS - explicit p50 ms", "request: asCaller - explicit p50 ms"], diag, [false, true, true, true]));

      if (buildTimings.length) {
        console.log(`\nbuild timings:`);
        printTimings(buildTimings);
      }

      const toExplain = ALL_PLANS ? verdicts : failed;
      if (toExplain.length) console.log(`\n=== Plans: EXPLAIN (ANALYZE, BUFFERS, VERBOSE, SETTINGS) ===`);
      for (const v of toExplain) {
        const plans = await explain(rls, owner, claims, v.r.q);
        const misses = [...v.misses, ...v.requestMisses];
        console.log(`\n--- ${v.r.q.name}: ${misses.length ? misses.join("; ") : "meets the targets"} ---`);
        console.log(`RLS (as authenticated):\n${v.r.q.rls.trim()}\n\n${plans.rls}`);
        console.log(`\nexplicit (as postgres):\n${v.r.q.explicit.trim()}\n\n${plans.explicit}`);
      }
    } finally {
      await Promise.all([owner.end(), rls.end(), authAdmin.end(), fn.end()]);
    }
    console.log(`\ndone in ${fmtSeconds(performance.now() - t0)}`);
  } finally {
    await stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(`\nbench:rls failed: ${err instanceof Error ? err.stack ?? err.message : err}`);
      process.exit(1);
    },
  );
}
