// `npm run bench:webhook`: inbound WhatsApp messages per second and latency through the real whatsapp-webhook
// function (Deno gateway, signature check, zod, the ingest SQL) beside the same SQL ingest (ingestDelivery: one
// transaction as frontdesk_webhook calling private.whatsapp_receive, which records and applies the delivery) called
// directly from Node, in one run, same concurrency and pool size. Goal: the function reaches at least 0.7 of the
// direct rate. Replies are switched off (WHATSAPP_ASSISTANT=off) so both sides do the same work.
// The variants run in interleaved rounds, so a machine shared with other work loads both alike; a second table gives
// the CPU each spends per message (this process, the functions' Deno, Postgres), which says where the time goes.
// The businesses, one WhatsApp number each, come from bench/dataset.ts's builders.
//   Environment: BENCH_MESSAGES (6000 per variant), BENCH_CONCURRENCY (8), BENCH_TENANTS (20), BENCH_ROUNDS (12: rounds of 500 each, so a burst of load on a shared machine falls on both variants),
//   BENCH_WEBHOOK_DB_PORT (default: a free port).
import { freePort } from "../local/ports.ts";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { LOCAL_WHATSAPP_APP_SECRET } from "../local/keys.ts";
import { prepareDatabase } from "../local/database.ts";
import { startCluster } from "../local/postgres.ts";
import { startFunctions } from "../local/functions.ts";
import { functionEnv } from "../local/stack.ts";
import { ingestDelivery } from "../supabase/functions/_shared/whatsapp/ingest.ts";
import { signMetaBody } from "../supabase/functions/_shared/whatsapp/signature.ts";
import { insertTenants, insertWhatsAppChannels, whatsAppPhoneNumberId } from "./dataset.ts";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 6000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 20);
const POOL = 8;
const GOAL = 0.7;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const FIRST_PHONE_NUMBER_ID = 106540352210000;
// Its own cluster, on a port the OS says is free unless set: never one a (moved) local stack may hold.
const port = Number(process.env.BENCH_WEBHOOK_DB_PORT) || (await freePort());

let seq = 0;
function makeDelivery(phoneNumberId: string) {
  const from = `1${String(5550000000 + (seq % 5000))}`;
  const id = `wamid.bench.${++seq}.${Date.now()}`;
  return {
    object: "whatsapp_business_account",
    entry: [{ id: "102290129340398", changes: [{ field: "messages", value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
      contacts: [{ profile: { name: "Bench Customer" }, wa_id: from }],
      messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: `hello ${seq}` } }],
    } }] }],
  };
}

// CPU time (ms) of the processes involved, from /proc (Linux; 0 elsewhere): this process, the functions' Deno, and
// Postgres (postmaster and backends). Backends that exit mid-round are not counted.
const TICK_MS = 10; // USER_HZ is 100 on Linux
function procCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}
function postgresCpuMs(postmaster: number | undefined): number {
  if (!postmaster) return 0;
  let total = procCpuMs(postmaster);
  let pids: string[] = [];
  try { pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d)); } catch { return 0; }
  for (const pid of pids) {
    try {
      if (Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[1]) === postmaster) total += procCpuMs(Number(pid));
    } catch { /* exited */ }
  }
  return total;
}
interface Cpu { node: number; deno: number; pg: number }
let cpuPids: { deno?: number; postmaster?: number } = {};
function cpuNow(): Cpu {
  const u = process.cpuUsage();
  return { node: (u.user + u.system) / 1000, deno: procCpuMs(cpuPids.deno), pg: postgresCpuMs(cpuPids.postmaster) };
}

interface Variant { label: string; count: number; seconds: number; latencies: number[]; cpu: Cpu }
const variant = (label: string): Variant => ({ label, count: 0, seconds: 0, latencies: [], cpu: { node: 0, deno: 0, pg: 0 } });

/** Sends items [from, to) at CONCURRENCY, adding time, latencies and CPU to v. */
async function runRound(v: Variant, from: number, to: number, send: (i: number) => Promise<void>) {
  let next = from;
  const cpu0 = cpuNow();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < to) {
      const i = next++;
      const t0 = performance.now();
      await send(i);
      v.latencies.push(performance.now() - t0);
    }
  }));
  v.seconds += (performance.now() - started) / 1000;
  v.count += to - from;
  const cpu1 = cpuNow();
  v.cpu.node += cpu1.node - cpu0.node;
  v.cpu.deno += cpu1.deno - cpu0.deno;
  v.cpu.pg += cpu1.pg - cpu0.pg;
}

function summary(v: Variant) {
  const latencies = [...v.latencies].sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
  return { ...v, rate: v.count / v.seconds, p50: pct(0.5), p99: pct(0.99) };
}

// Meta's side of the function path: an HTTP client with kept-alive connections, one per sender. node:http rather
// than fetch (undici), which costs this process about 0.5 ms of CPU more per request on the same cores the function
// and Postgres run on: work of the load generator, not of the function, that would count against the function.
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function postDelivery(url: string, raw: string, signature: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST", agent,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(raw), "x-hub-signature-256": signature },
    }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(raw);
  });
}

const dataDir = mkdtempSync(path.join(tmpdir(), "frontdesk-bench-webhook-"));
const cluster = await startCluster({ dataDir, port });
let stopFunctions = async () => {};
try {
  await prepareDatabase({ superuserUrl: cluster.adminUrl(), url: cluster.url(), seed: false, quiet: true });
  // The same client settings as the function's pool (_shared/db/client.ts): unprepared statements.
  const sql = postgres(cluster.url(), { max: POOL, onnotice: () => {}, prepare: false });
  // TENANTS businesses with a WhatsApp number each (bench/dataset.ts's builders), the senders' target.
  await insertTenants(sql, { count: TENANTS });
  await insertWhatsAppChannels(sql, { tenants: TENANTS, firstPhoneNumberId: FIRST_PHONE_NUMBER_ID });
  const numbers = Array.from({ length: TENANTS }, (_, i) => whatsAppPhoneNumberId(i + 1, FIRST_PHONE_NUMBER_ID));
  const env = { ...(await functionEnv("http://127.0.0.1:0", cluster.url())), WHATSAPP_ASSISTANT: "off", FRONTDESK_DB_POOL_MAX: String(POOL) };
  const fns = await startFunctions({ port: 0, env });
  stopFunctions = fns.stop;
  const url = `${fns.url}/whatsapp-webhook`;

  // Warm-up both paths (connections, JIT, plan caches).
  for (let i = 0; i < 50; i++) await ingestDelivery(makeDelivery(numbers[i % TENANTS]), null, sql);
  for (let i = 0; i < 50; i++) {
    const raw = JSON.stringify(makeDelivery(numbers[i % TENANTS]));
    await postDelivery(url, raw, await signMetaBody(raw, LOCAL_WHATSAPP_APP_SECRET));
  }

  // Bodies are built and signed before timing: Meta does that work, not us.
  const directBodies = Array.from({ length: MESSAGES }, (_, i) => makeDelivery(numbers[i % TENANTS]));
  const httpBodies = await Promise.all(Array.from({ length: MESSAGES }, async (_, i) => {
    const raw = JSON.stringify(makeDelivery(numbers[i % TENANTS]));
    return { raw, sig: await signMetaBody(raw, LOCAL_WHATSAPP_APP_SECRET) };
  }));

  // Interleaved rounds (direct, function, function, direct, …): on a shared machine both variants see the same load.
  cpuPids = { deno: fns.child.pid, postmaster: cluster.child.pid };
  const directRuns = variant("SQL ingest, direct");
  const functionRuns = variant("whatsapp-webhook function");
  let failures = 0;
  const sendDirect = async (i: number) => {
    await ingestDelivery(directBodies[i], null, sql);
  };
  const sendHttp = async (i: number) => {
    if ((await postDelivery(url, httpBodies[i].raw, httpBodies[i].sig)) !== 200) failures++;
  };
  for (let r = 0; r < ROUNDS; r++) {
    const from = Math.floor((r * MESSAGES) / ROUNDS);
    const to = Math.floor(((r + 1) * MESSAGES) / ROUNDS);
    if (r % 2 === 0) {
      await runRound(directRuns, from, to, sendDirect);
      await runRound(functionRuns, from, to, sendHttp);
    } else {
      await runRound(functionRuns, from, to, sendHttp);
      await runRound(directRuns, from, to, sendDirect);
    }
  }
  const direct = summary(directRuns);
  const viaFunction = summary(functionRuns);
  const [{ n }] = await sql`select count(*)::int as n from public.messages`;
  await sql.end();

  const fmt = (r: ReturnType<typeof summary>) =>
    `| ${r.label.padEnd(26)} | ${String(r.count).padStart(8)} | ${r.seconds.toFixed(2).padStart(7)} | ${r.rate.toFixed(0).padStart(10)} | ${r.p50.toFixed(2).padStart(7)} | ${r.p99.toFixed(2).padStart(7)} |`;
  console.log(`\nbench:webhook — ${MESSAGES} messages per variant, ${CONCURRENCY} concurrent senders, pool ${POOL}, ${TENANTS} tenants\n`);
  console.log("| variant                    | messages | seconds |  msgs/sec  | p50 ms  | p99 ms  |");
  console.log("|----------------------------|---------:|--------:|-----------:|--------:|--------:|");
  console.log(fmt(direct));
  console.log(fmt(viaFunction));
  const per = (ms: number, r: ReturnType<typeof summary>) => (ms / r.count).toFixed(2).padStart(6);
  const cpuRow = (r: ReturnType<typeof summary>) =>
    `| ${r.label.padEnd(26)} | ${per(r.cpu.node, r)} | ${per(r.cpu.deno, r)} | ${per(r.cpu.pg, r)} | ${per(r.cpu.node + r.cpu.deno + r.cpu.pg, r)} |`;
  console.log("\nCPU per message, ms (where the time goes; the bench process is the client on both sides)\n");
  console.log("| variant                    |   node |   deno |     pg |  total |");
  console.log("|----------------------------|-------:|-------:|-------:|-------:|");
  console.log(cpuRow(direct));
  console.log(cpuRow(viaFunction));
  const ratio = viaFunction.rate / direct.rate;
  console.log(`\nfunction / direct rate: ${ratio.toFixed(2)}  (goal ≥ ${GOAL.toFixed(2)}: ${ratio >= GOAL ? "PASS" : "FAIL"}); non-200 answers: ${failures}; rows stored: ${n}`);
} finally {
  agent.destroy();
  await stopFunctions();
  await cluster.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
