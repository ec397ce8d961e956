// `npm run whatsapp:replay -- --since <time>`: re-applies the stored raw WhatsApp deliveries received since <time>
// (ISO 8601, or a duration back from now: 30m, 6h, 2d). Idempotent: messages already stored are not stored again.
// The customers' phones are read from each stored body with libphonenumber-js (applyDelivery: whatsappPhones), as
// the webhook read them on arrival.
// Targets DATABASE_URL, else the running local stack (.frontdesk/state.json), else the default port.
import { parseArgs } from "node:util";
import postgres from "postgres";
import { applyDelivery } from "../supabase/functions/_shared/whatsapp/ingest.ts";
import { asWebhook } from "../supabase/functions/_shared/db/client.ts";
import { localDbUrl } from "./state.ts";

function usage(message: string): never {
  console.error(`${message}\nusage: npm run whatsapp:replay -- --since <ISO time | 30m | 6h | 2d>`);
  process.exit(2);
}

export function parseSince(value: string | undefined, now = Date.now()): Date {
  if (!value) usage("missing --since");
  const rel = /^(\d+)([mhd])$/.exec(value);
  if (rel) return new Date(now - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as "m" | "h" | "d"]);
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) usage(`--since: "${value}" is neither an ISO time nor a duration like 6h`);
  return at;
}

function sinceArg(argv: string[]): Date {
  try {
    return parseSince(parseArgs({ args: argv, options: { since: { type: "string" } }, strict: true }).values.since);
  } catch (err) {
    usage((err as Error).message);
  }
}
const since = sinceArg(process.argv.slice(2));
const url = localDbUrl();
const sql = postgres(url, { max: 2, onnotice: () => {}, connect_timeout: 5 });
try {
  const rows = await asWebhook((tx) => tx<{ id: string; body: unknown; signer_channel_id: string | null }[]>`
    select id, body, signer_channel_id from private.whatsapp_deliveries_since(${since})`, sql);
  let fresh = 0;
  let duplicates = 0;
  for (const row of rows) {
    const result = await applyDelivery(Number(row.id), row.body, row.signer_channel_id, sql);
    fresh += result.new_messages.length;
    duplicates += result.duplicates;
  }
  console.log(`replayed ${rows.length} deliveries since ${since.toISOString()}: ${fresh} new messages, ${duplicates} already stored`);
} catch (err) {
  console.error(`replay failed against ${new URL(url).host}: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await sql.end();
}
