// WhatsApp conversations and their messages (bench:rls): per tenant 50 conversations, one per customer in turn
// (k % 20), the 20 latest open, holding 1,000 messages (every 10th conversation 92, the rest 12), 20 s apart, even
// ones inbound ('received'). Needs the customers and the WhatsApp channel ('channel:t').
import postgres from "postgres";
import { rowIds, type IdScheme } from "./common.ts";

const MESSAGE_BODIES = [
  "Hi! Do you have anything free tomorrow morning?", "Sure, we have 10:30 or 11:15 with Alex. Which one suits you?",
  "11:15 please", "Booked: Haircut tomorrow at 11:15 with Alex. See you then!", "Can I move my appointment to Friday?",
  "Friday at 16:00 is free with Sam. Shall I move it?", "Yes please, thanks", "Done, your appointment is now Friday 16:00.",
  "How much is a beard trim?", "A beard trim is 15 USD and takes 20 minutes.", "Are you open on Sunday?",
  "We are closed on Sundays; Monday to Saturday 9:00-18:00.", "I need to cancel, sorry", "No problem, it is cancelled.",
  "Hola, ¿tenéis hueco el sábado?", "Sí, el sábado a las 12:00 con Jordan. ¿Te lo reservo?", "Perfecto, gracias",
  "Can I speak to a person?", "Of course, someone from the team will answer shortly.", "Thanks!",
  "Do you do kids cuts?", "Yes, a kids cut is 30 minutes and 18 USD.", "Where are you located?",
  "We are at 12 Main Street, next to the bakery.", "Running 10 minutes late, sorry", "No worries, see you soon.",
  "What colour services do you offer?", "Full colour, highlights and toner; full colour takes 90 minutes.",
  "Is parking available?", "There is free parking behind the shop.", "👍", "See you!",
];

export interface ConversationOptions {
  tenants: number;
  /** The instant both statements agree on: conversations and their messages must line up exactly. */
  anchor: string;
  ids?: IdScheme;
}

// Conversation (t, k) starts at anchor - 171 days + (k*T + t) * step: every tenant's k-th conversation around the
// same time, so tenants interleave.
function conversations(sql: postgres.Sql, o: ConversationOptions): postgres.Fragment {
  const id = rowIds(sql, o.ids);
  const T = o.tenants;
  return sql`
    select t, k, ${id("'tenant:' || t")} as tid, ${id("'conv:' || t || ':' || k")} as cid,
           ${id("'channel:' || t")} as chid, ${id("'customer:' || t || ':' || (k % 20)")} as cuid,
           ${o.anchor}::timestamptz - interval '171 days' + (k * ${T} + t) * (interval '170 days' / ${50 * T}::float8) as s,
           case when k % 10 = 0 then 92 else 12 end as n
    from generate_series(0, 49) k cross join generate_series(1, ${T}) t`;
}

export async function insertConversations(sql: postgres.Sql, o: ConversationOptions): Promise<number> {
  return (await sql`
    insert into public.conversations (tenant_id, id, channel_id, customer_id, status, bot_state, last_message_at,
                                      last_inbound_at, created_at, updated_at, closed_at)
    select tid, cid, chid, cuid,
           case when k >= 30 then 'open' else 'closed' end::public.conversation_status,
           case when k >= 30 then '{"step":"idle"}'::jsonb else '{}'::jsonb end,
           s + (n - 1) * interval '20 seconds', s + (n - 2) * interval '20 seconds',
           s, s + (n - 1) * interval '20 seconds',
           case when k < 30 then s + (n - 1) * interval '20 seconds' + interval '1 hour' end
    from (${conversations(sql, o)}) c
    order by s`).count;
}

export async function insertMessages(sql: postgres.Sql, o: ConversationOptions): Promise<number> {
  return (await sql`
    insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, provider_message_id,
                                 status, created_at, status_updated_at)
    select c.tid, c.cid, c.chid,
           case when i % 2 = 0 then 'inbound' else 'outbound' end::public.message_direction,
           'text',
           (${MESSAGE_BODIES}::text[])[1 + (i * 7 + c.k * 3 + c.t) % ${MESSAGE_BODIES.length}],
           'wamid.' || replace(c.cid::text, '-', '') || '.' || i,
           case when i % 2 = 0 then 'received' when i = c.n - 1 and c.k >= 30 then 'delivered' else 'read' end
             ::public.message_status,
           c.s + i * interval '20 seconds', c.s + i * interval '20 seconds' + interval '5 seconds'
    from (${conversations(sql, o)}) c cross join lateral generate_series(0, c.n - 1) i
    order by c.s + i * interval '20 seconds'`).count;
}
