// `npm run whatsapp:simulate -- "Hi"`: plays a WhatsApp customer against the running local stack. Sends a message
// to a seeded business's number exactly as Meta would (signed with the local app secret), then prints the bot's
// reply as stored in the outbox. Options: --from <wa_id> (default 15550001234), --number <phone_number_id>
// (default Fade House's 106540352242922), --tap <option id> to answer a list/button instead of typing.
import postgres from "postgres";
import { API_PORT, DB_PORT, LOCAL_WHATSAPP_APP_SECRET } from "./keys.ts";
import { dbUrl } from "./postgres.ts";
import { signMetaBody } from "../supabase/functions/_shared/whatsapp/signature.ts";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const from = flag("--from") ?? "15550001234";
const number = flag("--number") ?? "106540352242922";
const tap = flag("--tap");
const text = args.join(" ");
if (!text && !tap) {
  console.error('usage: npm run whatsapp:simulate -- "Hi" [--from 15550001234] [--number 106540352242922] [--tap <option id>]');
  process.exit(2);
}

const id = `wamid.simulated.${Date.now()}`;
const message = tap
  ? { from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: "interactive", interactive: { type: "list_reply", list_reply: { id: tap, title: tap } } }
  : { from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } };
const body = JSON.stringify({
  object: "whatsapp_business_account",
  entry: [{ id: "0", changes: [{ field: "messages", value: {
    messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: number },
    contacts: [{ profile: { name: "Simulated Customer" }, wa_id: from }], messages: [message],
  } }] }],
});
const url = `${process.env.SUPABASE_URL ?? `http://127.0.0.1:${process.env.FRONTDESK_API_PORT ?? API_PORT}`}/functions/v1/whatsapp-webhook`;
const secret = process.env.WHATSAPP_APP_SECRET ?? LOCAL_WHATSAPP_APP_SECRET;
const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", "x-hub-signature-256": await signMetaBody(body, secret) } })
  .catch((err) => {
    console.error(`could not reach ${url} (is \`npm run dev\` running?): ${err.message}`);
    process.exit(1);
  });
console.log(`webhook answered ${res.status}: ${await res.text()}`);

const sql = postgres(process.env.DATABASE_URL ?? dbUrl(Number(process.env.FRONTDESK_DB_PORT ?? DB_PORT)), { max: 1, onnotice: () => {} });
try {
  for (let i = 0; i < 40; i++) {
    const [reply] = await sql`
      select o.type::text, o.body, o.payload, o.status::text, o.error_title
      from public.messages i
      join public.messages o on o.tenant_id = i.tenant_id and o.conversation_id = i.conversation_id
        and o.direction = 'outbound' and o.created_at >= i.created_at
      where i.provider_message_id = ${id}
      order by o.created_at desc limit 1`;
    if (reply) {
      const interactive = reply.payload?.body?.text ?? reply.body;
      console.log(`\nbot (${reply.type}, ${reply.status}${reply.error_title ? `: ${reply.error_title}` : ""}):\n${interactive}`);
      const options = [
        ...(reply.payload?.action?.sections?.flatMap((s: { rows: { id: string; title: string }[] }) => s.rows) ?? []),
        ...(reply.payload?.action?.buttons?.map((b: { reply: { id: string; title: string } }) => b.reply) ?? []),
      ];
      for (const o of options) console.log(`  [${o.title}]  --tap ${o.id}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
} finally {
  await sql.end();
}
