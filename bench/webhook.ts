// `npm run bench:webhook`: inbound WhatsApp messages per second and latency through the real whatsapp-webhook
// function (Deno gateway, signature check, zod, the ingest SQL) beside the same SQL ingest (record_delivery +
// whatsapp_apply as frontdesk_webhook) called directly from Node, in one run, same concurrency and pool size.
// Goal: the function reaches at least half the direct rate. Replies are switched off (WHATSAPP_ASSISTANT=off) so
// both sides do the same work.
//   Environment: BENCH_MESSAGES (2000 per variant), BENCH_CONCURRENCY (8), BENCH_TENANTS (20), BENCH_WEBHOOK_DB_PORT (default: a free port).
import { freePort } from "../local/ports.ts";
import { mkdtempSync, rmSync } from "node:fs";
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

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 20);
const POOL = 8;
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

async function run(label: string, count: number, send: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await send(i);
      latencies.push(performance.now() - t0);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
  return { label, count, seconds, rate: count / seconds, p50: pct(0.5), p99: pct(0.99) };
}

const dataDir = mkdtempSync(path.join(tmpdir(), "frontdesk-bench-webhook-"));
const cluster = await startCluster({ dataDir, port });
let stopFunctions = async () => {};
try {
  await prepareDatabase({ superuserUrl: cluster.adminUrl(), url: cluster.url(), seed: false, quiet: true });
  // The same client settings as the function's pool (_shared/db/client.ts): unprepared statements.
  const sql = postgres(cluster.url(), { max: POOL, onnotice: () => {}, prepare: false });
  const numbers: string[] = [];
  for (let i = 0; i < TENANTS; i++) {
    const [t] = await sql`insert into public.tenants (slug, name) values (${`bench-shop-${i}`}, ${`Bench ${i}`}) returning id`;
    const pnid = `1065403522${String(10000 + i)}`;
    await sql`insert into public.channels (tenant_id, kind, provider, phone_number_id) values (${t.id}, 'whatsapp', 'meta', ${pnid})`;
    numbers.push(pnid);
  }
  const env = { ...(await functionEnv("http://127.0.0.1:0", cluster.url())), WHATSAPP_ASSISTANT: "off", FRONTDESK_DB_POOL_MAX: String(POOL) };
  const fns = await startFunctions({ port: 0, env });
  stopFunctions = fns.stop;
  const url = `${fns.url}/whatsapp-webhook`;

  // Warm-up both paths (connections, JIT, plan caches).
  for (let i = 0; i < 50; i++) await ingestDelivery(makeDelivery(numbers[i % TENANTS]), null, sql);
  for (let i = 0; i < 50; i++) {
    const raw = JSON.stringify(makeDelivery(numbers[i % TENANTS]));
    await fetch(url, { method: "POST", body: raw, headers: { "x-hub-signature-256": await signMetaBody(raw, LOCAL_WHATSAPP_APP_SECRET) } });
  }

  // Bodies are built and signed before timing: Meta does that work, not us.
  const directBodies = Array.from({ length: MESSAGES }, (_, i) => makeDelivery(numbers[i % TENANTS]));
  const httpBodies = await Promise.all(Array.from({ length: MESSAGES }, async (_, i) => {
    const raw = JSON.stringify(makeDelivery(numbers[i % TENANTS]));
    return { raw, sig: await signMetaBody(raw, LOCAL_WHATSAPP_APP_SECRET) };
  }));

  const direct = await run("SQL ingest, direct", MESSAGES, async (i) => {
    await ingestDelivery(directBodies[i], null, sql);
  });
  let failures = 0;
  const viaFunction = await run("whatsapp-webhook function", MESSAGES, async (i) => {
    const res = await fetch(url, { method: "POST", body: httpBodies[i].raw, headers: { "x-hub-signature-256": httpBodies[i].sig, "content-type": "application/json" } });
    if (res.status !== 200) failures++;
    await res.arrayBuffer();
  });
  const [{ n }] = await sql`select count(*)::int as n from public.messages`;
  await sql.end();

  const fmt = (r: Awaited<ReturnType<typeof run>>) =>
    `| ${r.label.padEnd(26)} | ${String(r.count).padStart(8)} | ${r.seconds.toFixed(2).padStart(7)} | ${r.rate.toFixed(0).padStart(10)} | ${r.p50.toFixed(2).padStart(7)} | ${r.p99.toFixed(2).padStart(7)} |`;
  console.log(`\nbench:webhook — ${MESSAGES} messages per variant, ${CONCURRENCY} concurrent senders, pool ${POOL}, ${TENANTS} tenants\n`);
  console.log("| variant                    | messages | seconds |  msgs/sec  | p50 ms  | p99 ms  |");
  console.log("|----------------------------|---------:|--------:|-----------:|--------:|--------:|");
  console.log(fmt(direct));
  console.log(fmt(viaFunction));
  const ratio = viaFunction.rate / direct.rate;
  console.log(`\nfunction / direct rate: ${ratio.toFixed(2)}  (goal ≥ 0.50: ${ratio >= 0.5 ? "PASS" : "FAIL"}); non-200 answers: ${failures}; rows stored: ${n}`);
} finally {
  await stopFunctions();
  await cluster.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
