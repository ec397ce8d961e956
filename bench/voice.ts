// `npm run bench:voice` (= `tsx bench/voice.ts`): what a receptionist tool call costs on a live Vapi call. A Vapi
// `tool-calls` round trip through the real call-events function — check_availability, then book_appointment with the
// first free time it answered — beside the same SQL called directly, in one run.
//
// Its own embedded PostgreSQL (migrated with the project's bootstrap and `supabase db push`) and its own functions
// gateway (local/functions.ts, the Deno server the tests and `npm run dev` use). The dataset is the bench:rls scale
// for every table the tools read, built with bench/dataset.ts's builders (uuid4 ids, lean rows): 1,000 tenants
// (BENCH_TENANTS), each with a phone line, 20 customers, 3 staff, 5 services, 14 staff_services, Mon-Sat
// 09:00-18:00, 2 closures, 20 caller profiles and 5 calls (bench:rls's per-tenant volumes), and this benchmark's own
// calendar of 201 bookings over the past 60 and next 6 days. bench:rls's 1,000,000 WhatsApp messages and its
// memories are left out: neither tool measured here reads them.
// HOT_TENANTS tenants in the middle of the range get a Vapi agent with its webhook secret; iterations rotate over
// them (so no one calendar fills up), each with a new caller and a new Vapi call id, as a stream of first-time
// callers would.
//
// Per iteration, interleaved (the order rotates) so every variant sees the same conditions:
//   SQL direct    from Node as the function's pool runs it: begin; set local role frontdesk_webhook;
//                 select private.tool_context(…); select private.tool_check_availability(…); commit, then the same
//                 for private.tool_book_appointment with the first free start; "round trip" is both transactions.
//   HTTP hop      POST /functions/v1/call-events/vapi with a malformed body: gateway + handler + 400, no database.
//   function      POST /functions/v1/call-events/vapi, a tool-calls message (Vapi's ServerMessageToolCalls shape,
//                 X-Vapi-Secret) for check_availability, then one for book_appointment with the answered starts_at:
//                 authentication (the agent's encrypted secret), the live call recorded, the tool run.
// Goals: function round trip p50 under 50 ms, and within 1.5x of (SQL direct round trip p50 + 2 x hop p50).
//
// Environment: BENCH_VOICE_DB_PORT (default: a free port), BENCH_TENANTS (1000), BENCH_ITERATIONS (300),
// BENCH_WARMUP (30), BENCH_HOT_TENANTS (10).
import { randomBytes } from "node:crypto";
import path from "node:path";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { prepareDatabase } from "../local/database.ts";
import { startFunctions, type FunctionsServer } from "../local/functions.ts";
import { LOCAL_ENCRYPTION_KEY } from "../local/keys.ts";
import { freePort } from "../local/ports.ts";
import { startCluster } from "../local/postgres.ts";
import { functionEnv } from "../local/stack.ts";
import { encryptSecret, importKey } from "../supabase/functions/_shared/secrets/crypto.ts";
import { agentSecretContext } from "../supabase/functions/_shared/voice-platforms/agent-secrets.ts";
import {
  benchId, buildSession, insertBusinessHours, insertClosures, insertCustomerCallers, insertCustomerCalls,
  insertCustomers, insertPhoneChannels, insertServices, insertStaff, insertStaffServices, insertTenants, rowIds,
  type IdScheme,
} from "./dataset.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const DATA_DIR = path.join(ROOT, ".frontdesk", "bench-voice-db");
const PORT = Number(process.env.BENCH_VOICE_DB_PORT) || (await freePort());
const TENANTS = Math.max(20, Number(process.env.BENCH_TENANTS ?? 1000));
const ITERATIONS = Math.max(1, Number(process.env.BENCH_ITERATIONS ?? 300));
const WARMUP = Math.max(0, Number(process.env.BENCH_WARMUP ?? 30));
const HOT_TENANTS = Math.max(1, Math.min(TENANTS, Number(process.env.BENCH_HOT_TENANTS ?? 10)));
const P50_TARGET_MS = 50;
const RATIO_TARGET = 1.5;

const TIMEZONES = ["America/New_York", "Europe/Madrid", "America/Mexico_City", "Europe/London", "America/Los_Angeles", "Europe/Berlin"];

const fmt = (ms: number) => ms.toFixed(2);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

async function step(label: string, work: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  const r = await work();
  const rows = typeof r === "number" ? r : (r as { count?: number } | undefined)?.count;
  console.log(`  ${label.padEnd(32)} ${seconds(performance.now() - t0).padStart(7)}${rows ? `  ${rows.toLocaleString("en-US")} rows` : ""}`);
}

/** bench:rls's per-tenant volumes for the tables the receptionist tools read (bench/dataset.ts's builders), uuid4 ids. */
async function build(sql: postgres.Sql): Promise<void> {
  const T = TENANTS;
  const ids: IdScheme = "uuid4";
  const id = rowIds(sql, ids);
  await buildSession(sql);
  await step("tenants", () => insertTenants(sql, {
    count: T, ids, timezones: TIMEZONES, categories: ["barbershop"], contact: true,
    settings: sql`jsonb_build_object('language', 'en', 'transfer_number', '+1556' || lpad(t::text, 7, '0'))`,
  }));
  await step("customers", () => insertCustomers(sql, { tenants: T, perTenant: 20, ids }));
  await step("channels (phone)", () => insertPhoneChannels(sql, { tenants: T, ids }));
  await step("staff", () => insertStaff(sql, { tenants: T, ids }));
  await step("services", () => insertServices(sql, { tenants: T, ids }));
  await step("staff_services", () => insertStaffServices(sql, { tenants: T, ids }));
  await step("business_hours (Mon-Sat 9-18)", () => insertBusinessHours(sql, { tenants: T, ids }));
  await step("closures", () => insertClosures(sql, { ids }));
  // This benchmark's own calendar, not bench:rls's: one booking per staff member and day up to the end of the tools'
  // default window (today + 6). Staff member r, booking j (0..66): local day today-60+j at 10:00 + r hours (a Sunday
  // moves to 16:00 Saturday), the Haircut (30 min): one staff member's bookings never overlap. Past ones completed,
  // the rest confirmed.
  await step("bookings", () => sql`
    insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, status, source, price_cents, currency)
    with x as (
      select tn.id as tid, substr(tn.slug, 7)::int as t, tn.timezone as tz, r, j,
             (now() at time zone tn.timezone)::date - 60 + j as d0, (now() at time zone tn.timezone)::date as today
      from public.tenants tn cross join generate_series(0, 2) r cross join generate_series(0, 66) j
    ), y as (
      select x.*, case when extract(dow from d0) = 0 then (d0 - 1) + time '16:00' + r * interval '30 minutes'
                       else d0 + time '10:00' + r * interval '1 hour' end as local_start
      from x
    )
    select tid, ${id("'customer:' || t || ':' || ((j * 7 + r) % 20)")}, ${id("'service:' || t || ':0'")},
           ${id("'staff:' || t || ':' || r")}, local_start at time zone tz, (local_start at time zone tz) + interval '30 minutes',
           case when local_start::date < today then 'completed' else 'confirmed' end::public.booking_status,
           (array['whatsapp', 'voice', 'web', 'api'])[1 + j % 4]::public.booking_source, 2500, 'USD'
    from y order by local_start`);
  await step("caller_profiles", () => insertCustomerCallers(sql, { tenants: T, perTenant: 20, ids }));
  await step("calls", () => insertCustomerCalls(sql, { tenants: T, perTenant: 5, ids }));
  await step("vacuum analyze", () => sql`vacuum analyze`);
}

interface HotTenant { id: string; number: string; timezone: string; serviceId: string; assistantId: string; secret: string }

/** A Vapi tool-calls server message (ServerMessageToolCalls: toolCallList + toolWithToolCallList, call, customer, phoneNumber). */
function toolCalls(h: HotTenant, callId: string, caller: string, name: string, args: Record<string, unknown>) {
  const tc = { id: `call_${randomBytes(12).toString("base64url")}`, type: "function", function: { name, arguments: JSON.stringify(args) } };
  return {
    message: {
      timestamp: Date.now(),
      type: "tool-calls",
      toolCallList: [tc],
      toolWithToolCallList: [{ type: "function", function: { name, parameters: { type: "object", properties: {} } }, messages: [], toolCall: tc }],
      artifact: { messages: [] },
      call: {
        id: callId, orgId: "5a1f0c1c-4a57-4e3b-9b42-0f2d6f3c1b11", type: "inboundPhoneCall", assistantId: h.assistantId,
        phoneCallProvider: "twilio", phoneCallTransport: "pstn",
        transport: { provider: "twilio", conversationType: "voice", callSid: `CA${randomBytes(16).toString("hex")}` },
        customer: { number: caller }, createdAt: new Date().toISOString(),
      },
      phoneNumber: { provider: "twilio", number: h.number },
      customer: { number: caller },
    },
  };
}

async function main() {
  const t0 = performance.now();
  const cluster = await startCluster({ dataDir: DATA_DIR, port: PORT, reset: true });
  let functions: FunctionsServer | undefined;
  let owner: postgres.Sql | undefined;
  let direct: postgres.Sql | undefined;
  try {
    const m0 = performance.now();
    await prepareDatabase({ superuserUrl: cluster.adminUrl(), url: cluster.url(), seed: false, quiet: true });
    console.log(`migrated (bootstrap + supabase db push) in ${seconds(performance.now() - m0)}`);
    owner = postgres(cluster.url(), { max: 1, onnotice: () => {}, idle_timeout: 0 });
    console.log(`building ${TENANTS.toLocaleString("en-US")} tenants:`);
    const b0 = performance.now();
    await build(owner);
    console.log(`  ${"total build".padEnd(32)} ${seconds(performance.now() - b0).padStart(7)}`);
    const [sizes] = await owner`select (select count(*) from public.tenants)::int as tenants, (select count(*) from public.bookings)::int as bookings,
                                       (select count(*) from public.customers)::int as customers, (select count(*) from public.calls)::int as calls`;

    // The hot tenants: a Vapi agent each, its webhook secret encrypted as the functions read it.
    const key = await importKey(LOCAL_ENCRYPTION_KEY);
    const first = Math.floor(TENANTS / 2) - Math.floor(HOT_TENANTS / 2);
    const hot: HotTenant[] = [];
    for (let t = first; t < first + HOT_TENANTS; t++) {
      const [row] = await owner`select id, phone as number, timezone from public.tenants where id = ${benchId("uuid4", `tenant:${t}`)}`;
      const assistantId = crypto.randomUUID();
      const [agent] = await owner`
        insert into public.voice_agents (tenant_id, name, platform, platform_agent_id, language) values (${row.id}, 'Vapi desk', 'vapi', ${assistantId}, 'en') returning id`;
      const secret = `sk-${randomBytes(16).toString("hex")}`;
      const { ciphertext, keyId } = await encryptSecret(secret, agentSecretContext(row.id, agent.id, "webhook_secret"), key);
      await owner`insert into private.agent_secrets (tenant_id, agent_id, name, ciphertext, key_id) values (${row.id}, ${agent.id}, 'webhook_secret', ${ciphertext}, ${keyId})`;
      hot.push({ id: row.id, number: row.number, timezone: row.timezone, serviceId: benchId("uuid4", `service:${t}:0`), assistantId, secret });
    }
    console.log(`dataset: ${sizes.tenants.toLocaleString("en-US")} tenants, ${sizes.bookings.toLocaleString("en-US")} bookings, ` +
      `${sizes.customers.toLocaleString("en-US")} customers, ${sizes.calls.toLocaleString("en-US")} calls; ${HOT_TENANTS} hot tenants with a Vapi agent`);

    functions = await startFunctions({ port: 0, env: await functionEnv("http://127.0.0.1:0", cluster.url()), onLog: process.env.BENCH_LOGS ? (l) => process.stderr.write(l) : undefined });
    const url = `${functions.url}/call-events/vapi`;
    // As the functions connect (the project's own role) and as runTool runs: one transaction as frontdesk_webhook.
    direct = postgres(cluster.url(), { max: 1, onnotice: () => {}, idle_timeout: 0 });

    const today = async (tz: string): Promise<{ d: string; e: string }> => (await owner!<{ d: string; e: string }[]>`select to_char((now() at time zone ${tz})::date, 'YYYY-MM-DD') as d, to_char((now() at time zone ${tz})::date + 6, 'YYYY-MM-DD') as e`)[0];
    const days = new Map<string, { d: string; e: string }>();
    // (today and today + 6 in the tenant's zone: the default window of check_availability)
    for (const h of hot) days.set(h.id, await today(h.timezone));
    let seq = 0;
    const newCaller = () => `+1777${String(1000000 + seq++).padStart(7, "0")}`;

    const sqlRound = async (h: HotTenant) => {
      const caller = { source: "vapi", customer_id: null, phone: newCaller(), call_id: null, conversation_id: null, tool_call_id: null };
      const span = days.get(h.id)!;
      const t = performance.now();
      const check = await direct!.begin(async (tx) => {
        await tx`set local role frontdesk_webhook`;
        await tx`select private.tool_context(${h.id}::uuid, ${tx.json(caller)}::jsonb) as context`;
        const [r] = await tx`select private.tool_check_availability(${h.id}::uuid, ${tx.json(caller)}::jsonb,
                               ${tx.json({ service_id: h.serviceId, from: span.d, to: span.e, limit: 8 })}::jsonb) as result`;
        return r.result as { ok: boolean; slots: { starts_at: string }[]; next_slots: { starts_at: string }[] };
      });
      const t1 = performance.now();
      const startsAt = (check.slots[0] ?? check.next_slots[0])?.starts_at;
      if (!startsAt) throw new Error(`no free slot left in tenant ${h.id}`);
      const booking = { ...caller, tool_call_id: `bench_${randomBytes(9).toString("base64url")}` };
      const booked = await direct!.begin(async (tx) => {
        await tx`set local role frontdesk_webhook`;
        await tx`select private.tool_context(${h.id}::uuid, ${tx.json(booking)}::jsonb) as context`;
        const [r] = await tx`select private.tool_book_appointment(${h.id}::uuid, ${tx.json(booking)}::jsonb,
                               ${tx.json({ service_id: h.serviceId, starts_at: new Date(startsAt).toISOString(), resolved: { service: "Haircut" } })}::jsonb) as result`;
        return r.result as { ok: boolean; reason?: string };
      });
      const t2 = performance.now();
      if (!booked.ok) throw new Error(`direct booking failed: ${booked.reason}`);
      return { check: t1 - t, book: t2 - t1, round: t2 - t };
    };

    const post = async (h: HotTenant, body: unknown) => {
      const t = performance.now();
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-vapi-secret": h.secret }, body: JSON.stringify(body) });
      const text = await res.text();
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`call-events answered ${res.status}: ${text.slice(0, 300)}`);
      const { results } = JSON.parse(text) as { results: { result?: string; error?: string }[] };
      if (!results[0]?.result) throw new Error(`tool call failed: ${text.slice(0, 300)}`);
      return { ms, result: JSON.parse(results[0].result) as { ok: boolean; message: string; data?: { slots?: { starts_at: string }[]; next_slots?: { starts_at: string }[] } } };
    };
    const fnRound = async (h: HotTenant) => {
      const callId = crypto.randomUUID();
      const caller = newCaller();
      const check = await post(h, toolCalls(h, callId, caller, "check_availability", { service: "haircut" }));
      if (!check.result.ok) throw new Error(`check_availability: ${check.result.message}`);
      const startsAt = (check.result.data?.slots?.[0] ?? check.result.data?.next_slots?.[0])?.starts_at;
      if (!startsAt) throw new Error(`no free slot left in tenant ${h.id}`);
      const book = await post(h, toolCalls(h, callId, caller, "book_appointment", { service: "Haircut", starts_at: startsAt }));
      if (!book.result.ok) throw new Error(`book_appointment: ${book.result.message}`);
      return { check: check.ms, book: book.ms, round: check.ms + book.ms };
    };
    const hop = async () => {
      const t = performance.now();
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
      await res.text();
      if (res.status !== 400) throw new Error(`the hop answered ${res.status}`);
      return performance.now() - t;
    };

    const s = {
      sqlCheck: [] as number[], sqlBook: [] as number[], sqlRound: [] as number[],
      hop: [] as number[],
      fnCheck: [] as number[], fnBook: [] as number[], fnRound: [] as number[],
    };
    console.log(`\nmeasuring: ${WARMUP} warm-up + ${ITERATIONS} timed iterations per variant, interleaved, rotating over ${HOT_TENANTS} tenants`);
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const h = hot[i % hot.length];
      for (const v of [0, 1, 2].map((k) => (k + i) % 3)) {
        if (v === 0) {
          const r = await sqlRound(h);
          if (i >= WARMUP) { s.sqlCheck.push(r.check); s.sqlBook.push(r.book); s.sqlRound.push(r.round); }
        } else if (v === 1) {
          const ms = await hop();
          if (i >= WARMUP) s.hop.push(ms);
        } else {
          const r = await fnRound(h);
          if (i >= WARMUP) { s.fnCheck.push(r.check); s.fnBook.push(r.book); s.fnRound.push(r.round); }
        }
      }
    }

    const rows: [string, number[]][] = [
      ["SQL direct: check_availability", s.sqlCheck], ["SQL direct: book_appointment", s.sqlBook], ["SQL direct: round trip", s.sqlRound],
      ["HTTP hop (400, no DB)", s.hop],
      ["function: check_availability", s.fnCheck], ["function: book_appointment", s.fnBook], ["function: round trip", s.fnRound],
    ];
    console.log(`\n=== bench:voice: a Vapi tool-calls round trip (check_availability, then book_appointment), ` +
      `${sizes.tenants.toLocaleString("en-US")} tenants, ${sizes.bookings.toLocaleString("en-US")} bookings ===`);
    console.log(`${ITERATIONS} timed iterations per variant, sequential, ms (client-side, performance.now())\n`);
    console.log("| variant                          |  p50 ms |  p99 ms | mean ms |");
    console.log("|----------------------------------|--------:|--------:|--------:|");
    for (const [label, values] of rows) {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      console.log(`| ${label.padEnd(32)} | ${fmt(pct(values, 50)).padStart(7)} | ${fmt(pct(values, 99)).padStart(7)} | ${fmt(mean).padStart(7)} |`);
    }
    const budget = pct(s.sqlRound, 50) + 2 * pct(s.hop, 50);
    const ratio = pct(s.fnRound, 50) / budget;
    const ratio99 = pct(s.fnRound, 99) / (pct(s.sqlRound, 99) + 2 * pct(s.hop, 99));
    const p50Ok = pct(s.fnRound, 50) < P50_TARGET_MS;
    const ratioOk = ratio <= RATIO_TARGET;
    console.log(
      `\nfunction round trip p50 ${fmt(pct(s.fnRound, 50))} ms (goal < ${P50_TARGET_MS}: ${p50Ok ? "PASS" : "FAIL"}); ` +
        `${ratio.toFixed(2)}x of SQL direct ${fmt(pct(s.sqlRound, 50))} + 2 x hop ${fmt(pct(s.hop, 50))} = ${fmt(budget)} ms ` +
        `(goal <= ${RATIO_TARGET}x: ${ratioOk ? "PASS" : "FAIL"}); p99 ratio ${ratio99.toFixed(2)}x`,
    );
    console.log(p50Ok && ratioOk ? "\nRESULT: PASS" : "\nRESULT: FAIL");
    console.log(`\ndone in ${seconds(performance.now() - t0)}`);
  } finally {
    await functions?.stop();
    await direct?.end().catch(() => {});
    await owner?.end().catch(() => {});
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`\nbench:voice failed: ${err instanceof Error ? err.stack ?? err.message : err}`);
    process.exit(1);
  },
);
