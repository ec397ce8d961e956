// `npm run whatsapp:simulate -- "Hi"`: plays a WhatsApp customer against the running local stack. Sends a message
// to a seeded business's number exactly as Meta would (signed with the stack's app secret), then prints the bot's
// reply as stored in the outbox. Options: --from <wa_id> (default 15550001234), --number <phone_number_id>
// (default Fade House's 106540352242922), --tap <option id> to answer a list or buttons instead of typing,
// --assistant llm|menu to switch the business's assistant first (settings.assistant.mode; LLM mode talks to whatever
// FRONTDESK_LLM_BASE_URL / _MODEL / _API_KEY the stack was started with, or supabase/functions/.env sets).
// Follows the running stack (.frontdesk/state.json); SUPABASE_URL / DATABASE_URL override it. Prints each option as
// a command to paste (the id shell-quoted), and a message, never a stack trace.
import { parseArgs } from "node:util";
import postgres from "postgres";
import { LOCAL_WHATSAPP_APP_SECRET } from "./keys.ts";
import { localApiUrl, localDbUrl, readState } from "./state.ts";
import { signMetaBody } from "../supabase/functions/_shared/whatsapp/signature.ts";

const USAGE = 'usage: npm run whatsapp:simulate -- "Hi" [--from 15550001234] [--number 106540352242922] [--tap <option id>] [--assistant llm|menu]';

// A closed pipe (`| head`) ends the program quietly, as any command-line tool does.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => process.exit(err.code === "EPIPE" ? 0 : 1));
}

/** A shell word that pastes back as itself in bash, zsh and sh: single-quoted, with ' written as '\''. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** How a reply's outbox status reads locally: a reply the stack could not send is stored, not lost. */
function statusLabel(status: string, errorCode: string | null, errorTitle: string | null): string {
  if (status === "queued") return "queued: not sent yet";
  if (status === "failed" && errorCode === "no_access_token") {
    return "stored, not sent: no WhatsApp access token on this number (expected locally; the README says how to send for real)";
  }
  if (status === "failed") return `not sent: ${errorCode ?? "failed"}${errorTitle ? ` (${errorTitle})` : ""}`;
  return status;
}

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { from: { type: "string" }, number: { type: "string" }, tap: { type: "string" }, assistant: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
} catch (err) {
  fail(`${(err as Error).message.replace(/\. To specify a positional.*$/s, "")}\n${USAGE}`, 2);
}
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const from = parsed.values.from ?? "15550001234";
const number = parsed.values.number ?? "106540352242922";
const tap = parsed.values.tap;
const text = parsed.positionals.join(" ");
if (!text && !tap) fail(USAGE, 2);
if (text && tap) fail(`give a message or --tap, not both\n${USAGE}`, 2);
const assistantMode = parsed.values.assistant;
if (assistantMode !== undefined && assistantMode !== "llm" && assistantMode !== "menu") fail(`--assistant is llm or menu\n${USAGE}`, 2);

const state = readState();
const apiUrl = localApiUrl();
const secret = process.env.WHATSAPP_APP_SECRET ?? state?.whatsappAppSecret ?? LOCAL_WHATSAPP_APP_SECRET;
const dbUrl = localDbUrl();
const sql = postgres(dbUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });

interface Option { id: string; title: string }
const optionsOf = (payload: { action?: { sections?: { rows: Option[] }[]; buttons?: { reply: Option }[] } } | null) => ({
  rows: payload?.action?.sections?.flatMap((s) => s.rows) ?? [],
  buttons: payload?.action?.buttons?.map((b) => b.reply) ?? [],
});

async function main(): Promise<number> {
  if (assistantMode) {
    await sql`update public.tenants t set settings = jsonb_set(t.settings, '{assistant}', coalesce(t.settings -> 'assistant', '{}'::jsonb) || ${sql.json({ mode: assistantMode })})
              from public.channels ch where ch.tenant_id = t.id and ch.phone_number_id = ${number}`;
  }
  const [{ llm }] = await sql<{ llm: boolean }[]>`
    select coalesce(bool_or(t.settings #>> '{assistant,mode}' = 'llm'), false) as llm
    from public.tenants t join public.channels ch on ch.tenant_id = t.id where ch.phone_number_id = ${number}`;
  const id = `wamid.simulated.${Date.now()}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  let message: Record<string, unknown>;
  if (tap) {
    // Meta sends a button tap as button_reply and a list choice as list_reply, each with the option's title.
    const [last] = await sql<{ payload: Parameters<typeof optionsOf>[0] }[]>`
      select o.payload from public.messages o
      join public.conversations cv on cv.tenant_id = o.tenant_id and cv.id = o.conversation_id
      join public.customers c on c.tenant_id = cv.tenant_id and c.id = cv.customer_id
      join public.channels ch on ch.tenant_id = o.tenant_id and ch.id = o.channel_id
      where o.direction = 'outbound' and o.type = 'interactive' and c.wa_id = ${from} and ch.phone_number_id = ${number}
      order by o.created_at desc limit 1`.catch(() => []);
    const { rows, buttons } = optionsOf(last?.payload ?? null);
    const button = buttons.find((b) => b.id === tap);
    const row = rows.find((r) => r.id === tap);
    message = button
      ? { from, id, timestamp, type: "interactive", interactive: { type: "button_reply", button_reply: button } }
      : { from, id, timestamp, type: "interactive", interactive: { type: "list_reply", list_reply: row ?? { id: tap, title: tap } } };
  } else {
    message = { from, id, timestamp, type: "text", text: { body: text } };
  }
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "0", changes: [{ field: "messages", value: {
      messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: number },
      contacts: [{ profile: { name: "Simulated Customer" }, wa_id: from }], messages: [message],
    } }] }],
  });
  const url = `${apiUrl}/functions/v1/whatsapp-webhook`;
  // The database's clock before sending: a reply is an outbound message written after it. (The inbound message's own
  // created_at is Meta's timestamp, whole seconds, so it can precede the previous reply.)
  const [{ cutoff }] = await sql<{ cutoff: Date }[]>`select clock_timestamp() as cutoff`;
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", "x-hub-signature-256": await signMetaBody(body, secret) } });
  } catch (err) {
    console.error(`could not reach ${url} (is \`npm run dev\` running?): ${(err as Error).message}`);
    return 1;
  }
  const answer = await res.text();
  if (!res.ok) {
    console.error(`webhook answered ${res.status}: ${answer}`);
    return 1;
  }
  console.log(`webhook answered ${res.status}`);

  type Reply = { type: string; body: string | null; payload: Parameters<typeof optionsOf>[0]; status: string; error_code: string | null; error_title: string | null };
  const replies = () => sql<Reply[]>`
      select o.type::text, o.body, o.payload, o.status::text, o.error_code, o.error_title
      from public.messages i
      join public.messages o on o.tenant_id = i.tenant_id and o.conversation_id = i.conversation_id
        and o.direction = 'outbound' and o.created_at > ${cutoff}
      where i.provider_message_id = ${id}
      order by o.created_at, o.id`;
  // Wait for the replies' send attempts to finish, so each status shown is the one the outbox settled on.
  // A model takes longer than the menu (it falls back to the menu after FRONTDESK_LLM_TIMEOUT_MS, 15 s by default).
  const deadline = Date.now() + (llm ? 30_000 : 5_000);
  let found: Reply[] = [];
  while (Date.now() < deadline) {
    found = await replies();
    if (found.length && found.every((r) => r.status !== "queued")) {
      await new Promise((r) => setTimeout(r, 150));
      found = await replies(); // a second reply written right after the first
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!found.length) {
    console.log("\n(no reply: the assistant stays quiet here — a human has the conversation, the customer opted out, or the assistant is off)");
    return 0;
  }
  for (const reply of found) {
    const shown = (reply.payload as { body?: { text?: string } } | null)?.body?.text ?? reply.body ?? "";
    console.log(`\nbot (${reply.type}; ${statusLabel(reply.status, reply.error_code, reply.error_title)}):\n${shown}`);
  }
  const { rows, buttons } = optionsOf(found[found.length - 1].payload);
  const options = [...rows, ...buttons];
  if (options.length) {
    console.log("");
    const width = Math.max(...options.map((o) => o.title.length)) + 2;
    const who = (from !== "15550001234" ? ` --from ${shellQuote(from)}` : "") + (number !== "106540352242922" ? ` --number ${shellQuote(number)}` : "");
    for (const o of options) console.log(`  ${`[${o.title}]`.padEnd(width)}  npm run whatsapp:simulate --${who} --tap ${shellQuote(o.id)}`);
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`simulate failed against ${new URL(dbUrl).host}: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await sql.end({ timeout: 1 }).catch(() => {});
}
