// How `bench:rls` times a query: the statement alone (RLS vs the explicit filter) and the whole request as the
// functions run it (the real `asCaller` vs begin + explicit query + commit), interleaved; plus the diagnosis helpers
// (the policy helper's cost, how often a statement calls it, EXPLAIN).
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { asCaller, type CallerClaims } from "../supabase/functions/_shared/db/client.ts";
import { pct } from "./report.ts";
import type { Query } from "./rls-queries.ts";

// Every statement goes through the extended protocol as a named prepared statement, as PostgREST sends them. (postgres.js
// would send a statement without parameters, like the RLS inbox query, as a simple query, planned on every call.)
export const PREPARED = { prepare: true, simple: false } as postgres.UnsafeQueryOptions;

export const SET_CLAIMS = "select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)";
// PostgREST's pre-request function (pgrst.db_pre_request = private.prepare_request): resolves the caller's live
// membership once per request, so each policy in the statement reads the cached answer. Runs as the switched role.
export const PRE_REQUEST = "select private.prepare_request()";

export interface Sample { stmt: number; txn: number; rows: number }

/** The statement alone under RLS: PostgREST's transaction (role and claims, pre-request), timing only the statement. */
async function runRls(rls: postgres.Sql, claims: string, q: Query): Promise<Sample & { result: postgres.Row[] }> {
  let stmt = 0;
  let result: postgres.Row[] = [];
  const t0 = performance.now();
  await rls.begin(async (tx) => {
    await tx.unsafe(SET_CLAIMS, [claims], PREPARED);
    await tx.unsafe(PRE_REQUEST, [], PREPARED);
    const s0 = performance.now();
    result = await tx.unsafe(q.rls, q.rlsParams as never[], PREPARED);
    stmt = performance.now() - s0;
  });
  return { stmt, txn: performance.now() - t0, rows: result.length, result };
}

/** The explicit filter as the owner: `stmt` the statement alone, `txn` the whole request (begin, query, commit). */
async function runExplicit(owner: postgres.Sql, q: Query): Promise<Sample & { result: postgres.Row[] }> {
  let stmt = 0;
  let result: postgres.Row[] = [];
  const t0 = performance.now();
  await owner.begin(async (tx) => {
    const s0 = performance.now();
    result = await tx.unsafe(q.explicit, q.explicitParams as never[], PREPARED);
    stmt = performance.now() - s0;
  });
  return { stmt, txn: performance.now() - t0, rows: result.length, result };
}

/**
 * The explicit request sent the way asCaller sends its own: BEGIN pipelined with the query on a reserved connection,
 * then COMMIT (2 round trips). For the like-for-like column: what RLS costs once both send the same round trips.
 */
async function runExplicitPipelined(owner: postgres.Sql, q: Query): Promise<number> {
  const t0 = performance.now();
  const conn = await owner.reserve();
  try {
    const begun = conn.unsafe("begin").execute();
    await conn.unsafe(q.explicit, q.explicitParams as never[], PREPARED);
    await begun;
    await conn.unsafe("commit");
  } finally {
    conn.release();
  }
  return performance.now() - t0;
}

/** The whole request as the functions run it: the real `asCaller` on a pool like theirs, the RLS statement as the work. */
async function runRequest(fn: postgres.Sql, claims: CallerClaims, q: Query): Promise<{ txn: number; result: postgres.Row[] }> {
  const t0 = performance.now();
  const result = await asCaller(claims, (tx) => tx.unsafe(q.rls, q.rlsParams as never[], PREPARED), fn);
  return { txn: performance.now() - t0, result };
}

export interface Result {
  q: Query;
  rows: number;
  /** The statement alone under RLS. */
  rls: Sample[];
  /** The explicit filter: the statement alone (`stmt`) and its whole request (`txn`). */
  explicit: Sample[];
  /** The whole request through `asCaller`, ms. */
  request: number[];
  /** The explicit request pipelined as asCaller pipelines (begin + query, commit), ms. */
  explicitPipelined: number[];
}

export interface Pools {
  /**
   * One connection as the functions connect (SUPABASE_DB_URL: postgres, the tables' owner) for every timed variant:
   * the explicit filter as postgres; the RLS statement after switching to authenticated with the claims, as
   * PostgREST does on its authenticator connection; `asCaller`. On one backend no variant gains or loses from which
   * server process or CPU serves it: two identical pools measured side by side differ by up to 40 µs a statement
   * on a 2-core machine, as much as the RLS overhead itself.
   */
  fn: postgres.Sql;
}

export async function measure(
  pools: Pools,
  claims: CallerClaims,
  q: Query,
  opts: { warmup: number; iterations: number },
): Promise<Result> {
  const { fn } = pools;
  const rls = fn;
  const owner = fn;
  const claimsText = JSON.stringify(claims);
  // Every variant must return the same rows: the policies supply exactly the filter the explicit query writes.
  const a = await runRls(rls, claimsText, q);
  const b = await runExplicit(owner, q);
  const c = await runRequest(fn, claims, q);
  const norm = (rows: postgres.Row[]) => JSON.stringify(rows.map((r) => ({ ...r, score: undefined })));
  for (const [variant, got] of [["RLS", a.result], ["asCaller", c.result]] as const) {
    if (got.length !== b.rows || (q.key !== "e" && norm(got) !== norm(b.result))) {
      throw new Error(`${q.name}: ${variant} returned ${got.length} rows, explicit ${b.rows}: the variants disagree`);
    }
  }
  for (let i = 0; i < opts.warmup; i++) {
    await runRls(rls, claimsText, q);
    await runExplicit(owner, q);
    await runRequest(fn, claims, q);
    await runExplicitPipelined(owner, q);
  }
  const out: Result = { q, rows: a.rows, rls: [], explicit: [], request: [], explicitPipelined: [] };
  for (let i = 0; i < opts.iterations; i++) {
    // ABC / CBA: no variant always runs first.
    if (i % 2 === 0) {
      out.rls.push(await runRls(rls, claimsText, q));
      out.explicit.push(await runExplicit(owner, q));
      out.request.push((await runRequest(fn, claims, q)).txn);
      out.explicitPipelined.push(await runExplicitPipelined(owner, q));
    } else {
      out.explicitPipelined.push(await runExplicitPipelined(owner, q));
      out.request.push((await runRequest(fn, claims, q)).txn);
      out.explicit.push(await runExplicit(owner, q));
      out.rls.push(await runRls(rls, claimsText, q));
    }
  }
  return out;
}

/** p50 of the policy helper alone vs a trivial statement, both as authenticated, interleaved. */
export async function helperCost(
  rls: postgres.Sql,
  claims: string,
  opts: { warmup: number; iterations: number },
): Promise<{ helper: number; baseline: number }> {
  const once = async (text: string) => {
    let t = 0;
    await rls.begin(async (tx) => {
      await tx.unsafe(SET_CLAIMS, [claims], PREPARED);
      const t0 = performance.now();
      await tx.unsafe(text, [], PREPARED);
      t = performance.now() - t0;
    });
    return t;
  };
  const helper: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < opts.warmup + opts.iterations; i++) {
    const h = await once("select private.tenant_id_for('staff')");
    const b = await once("select null::uuid");
    if (i >= opts.warmup) {
      helper.push(h);
      baseline.push(b);
    }
  }
  return { helper: pct(helper, 50), baseline: pct(baseline, 50) };
}

/** How many times one execution of the RLS statement evaluates the helper (one initplan per RLS table reference). */
export async function helperCalls(rls: postgres.Sql, claims: string, q: Query): Promise<number> {
  let n = 0;
  await rls.begin(async (tx) => {
    await tx.unsafe(SET_CLAIMS, [claims]);
    const rows = await tx.unsafe(`explain (verbose, costs off) ${q.rls}`, q.rlsParams as never[]);
    n = rows.filter((r) => /Output: private\.tenant_id_for\(/.test(r["QUERY PLAN"])).length;
  });
  return n;
}

export async function explain(rls: postgres.Sql, owner: postgres.Sql, claims: string, q: Query): Promise<{ rls: string; explicit: string }> {
  const opts = "explain (analyze, buffers, verbose, settings)";
  let rlsPlan = "";
  await rls.begin(async (tx) => {
    await tx.unsafe(SET_CLAIMS, [claims]);
    const rows = await tx.unsafe(`${opts} ${q.rls}`, q.rlsParams as never[]);
    rlsPlan = rows.map((r) => r["QUERY PLAN"]).join("\n");
  });
  const rows = await owner.unsafe(`${opts} ${q.explicit}`, q.explicitParams as never[]);
  return { rls: rlsPlan, explicit: rows.map((r) => r["QUERY PLAN"]).join("\n") };
}
