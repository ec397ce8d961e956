// A delivery is stored and applied in one transaction (private.whatsapp_receive), and a delivery whose apply fails as
// a whole is still stored, with the error, answered 200 and applied by a replay later.
import postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_WHATSAPP_APP_SECRET } from "../../local/keys.ts";
import { applyDelivery, ingestDelivery } from "../../supabase/functions/_shared/whatsapp/ingest.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { delivery, inbound, messagesChange, post } from "../helpers/meta.ts";
import { waId, whatsappBusiness, type WhatsAppBusiness } from "./fixtures.ts";

const db = useTestDatabase();
// As an operator may set it, so that a webhook never queues behind a migration's lock for long: here it is what
// makes applying fail as a whole while a migration (below: a lock on public.channels) holds the routing table.
// Set before the functions' pool first connects, so every webhook connection has it.
beforeAll(async () => {
  await db.sql.unsafe(`alter database ${db.name} set lock_timeout = '300ms'`);
});
const fns = useFunctions(db, { WHATSAPP_ASSISTANT: "off" });
const hook = () => `${fns.url}/whatsapp-webhook`;

let shop: WhatsAppBusiness;
beforeAll(async () => {
  shop = await whatsappBusiness(db, "one-tx");
});

const stored = (provider_message_id: string) => db.sql<{ id: string; body: unknown; applied_at: Date | null; received_at: Date; error: { sqlstate: string; message: string } | null; result: Record<string, number> | null }[]>`
  select d.id, d.body, d.applied_at, d.received_at, d.error, d.result from private.webhook_deliveries d
  where d.body @> ${db.sql.json({ entry: [{ changes: [{ value: { messages: [{ id: provider_message_id }] } }] }] } as never)}`;
const messageCount = async (provider_message_id: string) =>
  (await db.sql`select 1 from public.messages where tenant_id = ${shop.id} and provider_message_id = ${provider_message_id}`).count;

describe("a delivery whose apply fails as a whole", () => {
  it("is stored raw with the error, answered 200, and applied by a replay once the cause is gone", async () => {
    const from = waId();
    const message = inbound(from, "text", { body: "kept while locked" });
    const body = delivery(messagesChange(shop.phoneNumberId, { contacts: [{ wa_id: from }], messages: [message] }));

    // A migration holds public.channels (as `alter table` does): routing the delivery cannot get its lock.
    const holder = await db.sql.reserve();
    let res: Response;
    try {
      await holder`begin`;
      await holder`lock table public.channels in access exclusive mode`;
      res = await post(hook(), body, LOCAL_WHATSAPP_APP_SECRET);
    } finally {
      await holder`rollback`;
      holder.release();
    }
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, applied: false, new: 0 });

    const [row] = await stored(message.id as string);
    expect(row.body).toEqual(body);
    expect(row.applied_at).toBeNull();
    expect(row.error).toMatchObject({ sqlstate: "55P03" }); // lock_not_available
    expect(await messageCount(message.id as string)).toBe(0);

    const replayed = await applyDelivery(Number(row.id), row.body, null, db.sql);
    expect(replayed.new_messages).toHaveLength(1);
    expect(await messageCount(message.id as string)).toBe(1);
    const [after] = await stored(message.id as string);
    expect(after.error).toBeNull();
    expect(after.applied_at).not.toBeNull();
    expect(after.result).toMatchObject({ new: 1 });
  });
});

describe("record and apply", () => {
  it("are one transaction: the delivery is applied at the instant it was received, by one statement", async () => {
    const from = waId();
    const message = inbound(from, "text", { body: "one transaction" });
    const res = await post(hook(), delivery(messagesChange(shop.phoneNumberId, { contacts: [{ wa_id: from }], messages: [message] })), LOCAL_WHATSAPP_APP_SECRET);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, applied: true, new: 1 });
    const [row] = await stored(message.id as string);
    expect(row.error).toBeNull();
    // now() is the transaction's start: equal only when recording and applying ran in the same transaction.
    expect(row.applied_at?.getTime()).toBe(row.received_at.getTime());
    const [customer] = await db.sql`select created_at from public.customers where tenant_id = ${shop.id} and wa_id = ${from}`;
    expect((customer.created_at as Date).getTime()).toBe(row.received_at.getTime());

    // On the wire: one transaction, and in it the role and a single call.
    const statements: string[] = [];
    const traced = postgres(db.url, { max: 1, onnotice: () => {}, prepare: false, debug: (_c, query) => statements.push(query.trim()) });
    try {
      const other = waId();
      const result = await ingestDelivery(delivery(messagesChange(shop.phoneNumberId, { contacts: [{ wa_id: other }], messages: [inbound(other, "text")] })), null, traced);
      expect(result.new_messages).toHaveLength(1);
      expect(result.applied).toBe(true);
      expect(typeof result.delivery_id).toBe("number");
    } finally {
      await traced.end();
    }
    expect(statements.filter((s) => /^begin/i.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /private\./.test(s))).toEqual([expect.stringMatching(/private\.whatsapp_receive\(/)]);
  });
});
