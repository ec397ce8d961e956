// `npm run bench:assistant`: one WhatsApp turn answered by the LLM assistant, against an OpenAI-compatible stand-in
// that answers instantly (tests/helpers/llm-server.ts), beside the same turn answered by the menu assistant, in one
// run: through the real whatsapp-webhook function (POST → the reply stored in the outbox) and the turn alone
// (runAssistantTurn from Node). The LLM variants make 0, 1 and 2 tool rounds (check_availability, business_info)
// before answering. What is measured is the LLM path's own work — context build, the tool rounds' SQL, usage and the
// savepoint — since the model itself takes no time here. Goal: at p50, under 30 ms per tool round over the menu.
//   Environment: BENCH_TURNS (200 per variant), BENCH_ASSISTANT_DB_PORT (default: a free port).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { LOCAL_WHATSAPP_APP_SECRET } from "../local/keys.ts";
import { prepareDatabase } from "../local/database.ts";
import { startFunctions } from "../local/functions.ts";
import { freePort } from "../local/ports.ts";
import { startCluster } from "../local/postgres.ts";
import { functionEnv } from "../local/stack.ts";
import { bookingAssistant } from "../supabase/functions/_shared/assistant/booking-assistant.ts";
import { createLlmAssistant } from "../supabase/functions/_shared/assistant/llm-assistant.ts";
import { runAssistantTurn } from "../supabase/functions/_shared/assistant/run.ts";
import type { Assistant } from "../supabase/functions/_shared/assistant/types.ts";
import { ingestDelivery } from "../supabase/functions/_shared/whatsapp/ingest.ts";
import { signMetaBody } from "../supabase/functions/_shared/whatsapp/signature.ts";
import { startLlm } from "../tests/helpers/llm-server.ts";

const TURNS = Number(process.env.BENCH_TURNS ?? 200);
const port = Number(process.env.BENCH_ASSISTANT_DB_PORT) || (await freePort());

// The stand-in model: `rounds-<n>` makes n tool calls (one per round), then answers.
const llm = await startLlm();
llm.script = (req) => {
  const rounds = Number(/^rounds-(\d)$/.exec(req.body.model)?.[1] ?? 0);
  const lastUser = req.body.messages.map((m) => m.role).lastIndexOf("user");
  const done = req.body.messages.slice(lastUser).filter((m) => m.role === "tool").length;
  if (done >= rounds) return { say: "We have times tomorrow at 10:00 and 11:30. Which one suits you?" };
  return done === 0
    ? { call: [{ name: "check_availability", args: { service: "haircut", day: "tomorrow" } }] }
    : { call: [{ name: "business_info", args: {} }] };
};

interface Variant { label: string; settings: Record<string, unknown>; rounds: number | null; phoneNumberId: string; tenantId: string }

const variants: Omit<Variant, "phoneNumberId" | "tenantId">[] = [
  { label: "menu assistant", settings: {}, rounds: null },
  { label: "LLM, 0 tool rounds", settings: { assistant: { mode: "llm", model: "rounds-0" } }, rounds: 0 },
  { label: "LLM, 1 tool round", settings: { assistant: { mode: "llm", model: "rounds-1" } }, rounds: 1 },
  { label: "LLM, 2 tool rounds", settings: { assistant: { mode: "llm", model: "rounds-2" } }, rounds: 2 },
];

let seq = 0;
function delivery(phoneNumberId: string) {
  const from = `1${String(5550000000 + ++seq)}`;
  const id = `wamid.bench.assistant.${seq}.${Date.now()}`;
  return {
    id,
    body: {
      object: "whatsapp_business_account",
      entry: [{ id: "102290129340398", changes: [{ field: "messages", value: {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
        contacts: [{ profile: { name: "Bench Customer" }, wa_id: from }],
        messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "Do you have a haircut tomorrow?" } }],
      } }] }],
    },
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
};

const dataDir = mkdtempSync(path.join(tmpdir(), "frontdesk-bench-assistant-"));
const cluster = await startCluster({ dataDir, port });
let stopFunctions = async () => {};
try {
  await prepareDatabase({ superuserUrl: cluster.adminUrl(), url: cluster.url(), seed: false, quiet: true });
  const sql = postgres(cluster.url(), { max: 4, onnotice: () => {}, prepare: false });
  const ready: Variant[] = [];
  for (const [i, v] of variants.entries()) {
    const [t] = await sql`insert into public.tenants (slug, name, timezone, settings)
      values (${`bench-assistant-${i}`}, ${`Bench ${i}`}, 'America/New_York', ${sql.json(v.settings as never)}) returning id`;
    const phoneNumberId = `1065403599${String(10000 + i)}`;
    await sql`insert into public.channels (tenant_id, kind, provider, phone_number_id) values (${t.id}, 'whatsapp', 'meta', ${phoneNumberId})`;
    const [svc] = await sql`insert into public.services (tenant_id, name, duration_minutes, price_cents) values (${t.id}, 'Haircut', 30, 3500) returning id`;
    for (const name of ["Alex", "Sam"]) {
      const [st] = await sql`insert into public.staff (tenant_id, name) values (${t.id}, ${name}) returning id`;
      await sql`insert into public.staff_services (tenant_id, staff_id, service_id) values (${t.id}, ${st.id}, ${svc.id})`;
    }
    for (let d = 0; d < 7; d++) await sql`insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values (${t.id}, ${d}, '09:00', '17:00')`;
    ready.push({ ...v, phoneNumberId, tenantId: t.id });
  }
  const env = { ...(await functionEnv("http://127.0.0.1:0", cluster.url())), FRONTDESK_LLM_BASE_URL: llm.url, FRONTDESK_LLM_MODEL: "rounds-0", FRONTDESK_LLM_API_KEY: "sk-bench" };
  const fns = await startFunctions({ port: 0, env });
  stopFunctions = fns.stop;
  const url = `${fns.url}/whatsapp-webhook`;

  // Through the webhook: POST, then the reply row (the turn runs after Meta's 200, in waitUntil).
  const viaWebhook = async (v: Variant): Promise<number> => {
    const d = delivery(v.phoneNumberId);
    const raw = JSON.stringify(d.body);
    const sig = await signMetaBody(raw, LOCAL_WHATSAPP_APP_SECRET);
    const t0 = performance.now();
    const res = await fetch(url, { method: "POST", body: raw, headers: { "x-hub-signature-256": sig, "content-type": "application/json" } });
    await res.arrayBuffer();
    for (;;) {
      const [row] = await sql`select 1 from public.messages i join public.messages o on o.tenant_id = i.tenant_id
                                and o.conversation_id = i.conversation_id and o.direction = 'outbound'
                              where i.provider_message_id = ${d.id} limit 1`;
      if (row) return performance.now() - t0;
      if (performance.now() - t0 > 20_000) throw new Error(`no reply for ${v.label}`);
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  // The turn alone: the message is ingested first, then runAssistantTurn is timed.
  const assistants = new Map<Variant, Assistant>(ready.map((v) => [v, v.rounds === null ? bookingAssistant
    : createLlmAssistant({ config: () => ({ baseUrl: llm.url, model: `rounds-${v.rounds}`, apiKey: "sk-bench" }) })]));
  const turnOnly = async (v: Variant): Promise<number> => {
    const d = delivery(v.phoneNumberId);
    const result = await ingestDelivery(d.body, null, sql);
    const m = result.new_messages[0];
    const t0 = performance.now();
    const turn = await runAssistantTurn(sql, { tenantId: m.tenant_id, conversationId: m.conversation_id, messageId: m.message_id }, assistants.get(v));
    if (turn.messageIds.length === 0) throw new Error(`no reply for ${v.label}`);
    return performance.now() - t0;
  };

  for (const v of ready) for (let i = 0; i < 20; i++) { await viaWebhook(v); await turnOnly(v); } // warm-up
  const rows: { v: Variant; webhook: number[]; turn: number[] }[] = ready.map((v) => ({ v, webhook: [], turn: [] }));
  for (let i = 0; i < TURNS; i++) {
    for (const r of rows) { // interleaved, so drift hits every variant alike
      r.webhook.push(await viaWebhook(r.v));
      r.turn.push(await turnOnly(r.v));
    }
  }
  const modelCalls = llm.requests.length;
  const [{ fallbacks }] = await sql`select count(*)::int as fallbacks from public.usage_events where metric = 'assistant_tokens'
    and not exists (select 1 from public.usage_events u2 where u2.tenant_id = usage_events.tenant_id and u2.metric = 'assistant_turns' and u2.source_ref = usage_events.source_ref)`;
  await sql.end();

  const menu = rows[0];
  const base = { webhook: pct(menu.webhook, 0.5), turn: pct(menu.turn, 0.5) };
  console.log(`\nbench:assistant — ${TURNS} turns per variant, one at a time, instant model stand-in (${modelCalls} model calls in all)\n`);
  console.log("| variant              | webhook p50 ms | webhook p99 ms | turn p50 ms | turn p99 ms | turn p50 over menu | per tool round |");
  console.log("|----------------------|---------------:|---------------:|------------:|------------:|-------------------:|---------------:|");
  let worst = 0;
  for (const r of rows) {
    const over = pct(r.turn, 0.5) - base.turn;
    const perRound = r.v.rounds ? over / r.v.rounds : null;
    if (perRound !== null) worst = Math.max(worst, perRound);
    console.log(`| ${r.v.label.padEnd(20)} | ${pct(r.webhook, 0.5).toFixed(2).padStart(14)} | ${pct(r.webhook, 0.99).toFixed(2).padStart(14)} | ` +
      `${pct(r.turn, 0.5).toFixed(2).padStart(11)} | ${pct(r.turn, 0.99).toFixed(2).padStart(11)} | ` +
      `${(r.v.rounds === null ? "—" : over.toFixed(2)).padStart(18)} | ${(perRound === null ? "—" : perRound.toFixed(2)).padStart(14)} |`);
  }
  console.log(`\nLLM overhead per tool round at p50 (turn alone, over the menu): ${worst.toFixed(2)} ms (goal < 30 ms: ${worst < 30 ? "PASS" : "FAIL"}); ` +
    `turns that fell back to the menu: ${fallbacks}`);
} finally {
  await stopFunctions();
  await llm.close();
  await cluster.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
