// One person, one customer: when Meta's identifiers for one person name two rows of a business (known by phone from a
// call, by BSUID from an earlier WhatsApp message), the delivery merges them (private.merge_customers) instead of
// leaving the identifiers split or the item unprocessable. Deliveries are Meta-shaped and signed as Meta signs them,
// through the real webhook. The merge re-points every foreign key to public.customers found in the catalog, so a
// table added later is covered; nothing of another business is touched; an opt-out is never lost.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_WHATSAPP_APP_SECRET } from "../../local/keys.ts";
import { useTestDatabase, type Sql } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { bsuid, post, unix, useGraph, wamid } from "../helpers/meta.ts";
import { tenantWithTeam } from "../helpers/tenants.ts";
import { buildWorld } from "../helpers/world.ts";
import { waId, whatsappBusiness, type WhatsAppBusiness } from "./fixtures.ts";

const db = useTestDatabase();
const graph = useGraph();
const fns = useFunctions(db, () => ({ WHATSAPP_GRAPH_URL: graph.url, WHATSAPP_ASSISTANT: "off" }));
const hook = () => `${fns.url}/whatsapp-webhook`;

let shop: WhatsAppBusiness;
let other: WhatsAppBusiness;
beforeAll(async () => {
  shop = await whatsappBusiness(db, "merge-a");
  other = await whatsappBusiness(db, "merge-b");
});

// Meta's shapes (webhooks reference, messages with business-scoped user ids: contacts[].user_id, from_user_id).
type Json = Record<string, unknown>;
const envelope = (phoneNumberId: string, field: string, rest: Json) => ({
  object: "whatsapp_business_account",
  entry: [{ id: "102290129340398", changes: [{ value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId }, ...rest }, field }] }],
});
const signedOk = async (body: unknown) => {
  const res = await post(hook(), body, LOCAL_WHATSAPP_APP_SECRET);
  expect(res.status).toBe(200);
  return res.json();
};
const textFrom = (wa: string | null, user: string | null, body: string, secondsAgo = 0) => ({
  ...(wa ? { from: wa } : {}), ...(user ? { from_user_id: user } : {}),
  id: wamid(), timestamp: unix(new Date(Date.now() - secondsAgo * 1000)), type: "text", text: { body },
});
const contact = (wa: string | null, user: string | null, name = "Sheena Nelson", username?: string) => ({
  profile: { name, ...(username ? { username } : {}) }, ...(wa ? { wa_id: wa } : {}), ...(user ? { user_id: user } : {}),
});

/** Every foreign key to public.customers, from the catalog: table, tenant column, customer column, referenced columns. */
async function customerForeignKeys(sql: Sql) {
  return sql<{ tbl: string; conname: string; cols: string[]; refcols: string[] }[]>`
    select (select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = con.conrelid) as tbl, con.conname,
           array(select a.attname::text from unnest(con.conkey) with ordinality k(n, o) join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o) as cols,
           array(select a.attname::text from unnest(con.confkey) with ordinality k(n, o) join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.o) as refcols
    from pg_constraint con where con.contype = 'f' and con.confrelid = 'public.customers'::regclass order by 1, 2`;
}

/** How many rows of each referencing table point at the customer. */
async function references(sql: Sql, tenantId: string, customerId: string) {
  const out: Record<string, number> = {};
  for (const fk of await customerForeignKeys(sql)) {
    const [tenantCol, customerCol] = fk.refcols[0] === "tenant_id" ? [fk.cols[0], fk.cols[1]] : [fk.cols[1], fk.cols[0]];
    const [{ n }] = await sql.unsafe(`select count(*)::int as n from ${fk.tbl} where ${tenantCol} = $1 and ${customerCol} = $2`, [tenantId, customerId]);
    out[`${fk.tbl}.${customerCol}`] = n;
  }
  return out;
}

let bookingDay = 0;
const customer = async (id: string) => (await db.sql`select * from public.customers where id = ${id}`)[0];

async function staffAndService(tenantId: string) {
  const [st] = await db.sql`select id from public.staff where tenant_id = ${tenantId} order by name limit 1`;
  const [sv] = await db.sql`select id from public.services where tenant_id = ${tenantId} limit 1`;
  return { staff: st.id as string, service: sv.id as string };
}

/** A phone-only customer as a call or an import leaves one: a booking, a call, an open conversation, preferences. */
async function phoneOnlyCustomer(t: WhatsAppBusiness, wa: string) {
  const { staff, service } = await staffAndService(t.id);
  const [c] = await db.sql`insert into public.customers (tenant_id, phone, name, email, notes, tags, marketing_opt_in, visit_count, total_spend_cents, first_contact_at, last_contact_at, created_at)
    values (${t.id}, ${"+" + wa}, 'Maria Lopez', null, 'Prefers mornings', '{vip}', true, 3, 10500, now() - interval '30 days', now() - interval '10 days', now() - interval '30 days') returning id`;
  const start = new Date(Date.UTC(2031, 0, 6 + ++bookingDay, 10));
  const [booking] = await db.sql`insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, source)
    values (${t.id}, ${c.id}, ${service}, ${staff}, ${start}, ${new Date(start.getTime() + 30 * 60_000)}, 'voice') returning id`;
  const [call] = await db.sql`insert into public.calls (tenant_id, customer_id, provider, provider_call_id, direction, from_number, to_number, status)
    values (${t.id}, ${c.id}, 'twilio', ${"CA" + randomBytes(16).toString("hex")}, 'inbound', ${"+" + wa}, '+15550000000', 'completed') returning id`;
  const [conversation] = await db.sql`insert into public.conversations (tenant_id, channel_id, customer_id, last_message_at)
    values (${t.id}, ${t.channelId}, ${c.id}, now() - interval '10 days') returning id`;
  const [msg] = await db.sql`insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, provider_message_id, status)
    values (${t.id}, ${conversation.id}, ${t.channelId}, 'outbound', 'text', 'Your booking is confirmed', ${wamid()}, 'delivered') returning id`;
  const [caller] = await db.sql`insert into public.caller_profiles (tenant_id, phone, customer_id, display_name) values (${t.id}, ${"+" + wa}, ${c.id}, 'Maria') returning id`;
  await db.sql`insert into public.customer_staff_preferences (tenant_id, customer_id, staff_id) values (${t.id}, ${c.id}, ${staff})`;
  const [lead] = await db.sql`insert into public.leads (tenant_id, name, phone, source, customer_id) values (${t.id}, 'Maria', ${"+" + wa}, 'web_form', ${c.id}) returning id`;
  const [followUp] = await db.sql`insert into public.follow_ups (tenant_id, kind, customer_id, call_id, caller_name, callback_phone, content, source)
    values (${t.id}, 'message', ${c.id}, ${call.id}, 'Maria', ${"+" + wa}, 'Call back about Saturday', 'vapi') returning id`;
  return { id: c.id as string, booking: booking.id, call: call.id, conversation: conversation.id, message: msg.id, caller: caller.id, lead: lead.id, followUp: followUp.id, staff, service };
}

/** A BSUID-only customer as an earlier WhatsApp message from a username user leaves one: a conversation, an opt-out. */
async function bsuidOnlyCustomer(t: WhatsAppBusiness, user: string, optedOut: boolean) {
  const first = textFrom(null, user, "hi, it's me", 3600);
  expect(await signedOk(envelope(t.phoneNumberId, "messages", { contacts: [contact(null, user, "Maria L", "@maria.l")], messages: [first] })))
    .toMatchObject({ new: 1, unprocessable: 0 });
  const [c] = await db.sql`select id from public.customers where tenant_id = ${t.id} and bsuid = ${user}`;
  const { staff, service } = await staffAndService(t.id);
  // The same staff preference as the phone-only row (a clash) and a service preference it lacks.
  await db.sql`insert into public.customer_staff_preferences (tenant_id, customer_id, staff_id) values (${t.id}, ${c.id}, ${staff})`;
  await db.sql`insert into public.customer_service_preferences (tenant_id, customer_id, service_id) values (${t.id}, ${c.id}, ${service})`;
  await db.sql`update public.customers set visit_count = 2, total_spend_cents = 4000, tags = '{whatsapp,vip}', email = 'maria@example.com',
                 notes = 'Allergic to some dyes', opted_out_at = ${optedOut ? new Date(Date.now() - 1800_000) : null},
                 marketing_opt_in = false
               where tenant_id = ${t.id} and id = ${c.id}`;
  const [conversation] = await db.sql`select id from public.conversations where tenant_id = ${t.id} and customer_id = ${c.id}`;
  return { id: c.id as string, conversation: conversation.id as string, firstMessage: first.id };
}

describe("one person, one customer", () => {
  it("a phone-only and a BSUID-only customer become one when a message carries both, every reference moved", async () => {
    const wa = waId();
    const user = bsuid();
    const phoneOnly = await phoneOnlyCustomer(shop, wa);
    const bsuidOnly = await bsuidOnlyCustomer(shop, user, true);
    const before = { kept: await references(db.sql, shop.id, phoneOnly.id), merged: await references(db.sql, shop.id, bsuidOnly.id) };
    expect(before.merged["public.conversations.customer_id"]).toBe(1);

    // Meta now gives both identifiers for the person: wa_id / from and user_id / from_user_id.
    const both = textFrom(wa, user, "can I move my booking?");
    const res = await signedOk(envelope(shop.phoneNumberId, "messages", { contacts: [contact(wa, user, "Maria L", "@maria.l")], messages: [both] }));
    expect(res).toMatchObject({ new: 1, unprocessable: 0 });

    // One row: the older one is kept, with every identifier.
    const rows = await db.sql`select id from public.customers where tenant_id = ${shop.id} and (phone = ${"+" + wa} or wa_id = ${wa} or bsuid = ${user})`;
    expect(rows.map((r) => r.id)).toEqual([phoneOnly.id]);
    expect(await customer(bsuidOnly.id)).toBeUndefined();
    const kept = await customer(phoneOnly.id);
    expect(kept).toMatchObject({
      phone: "+" + wa, wa_id: wa, bsuid: user, username: "@maria.l", name: "Maria Lopez", email: "maria@example.com",
      tags: ["vip", "whatsapp"], visit_count: 5, total_spend_cents: "14500",
      // The opt-out of the merged row is kept, and with it no marketing consent (customers_consent).
      marketing_opt_in: false,
    });
    expect(kept.opted_out_at).not.toBeNull();
    expect(kept.notes).toContain("Prefers mornings");
    expect(kept.notes).toContain("Allergic to some dyes");
    expect(new Date(kept.first_contact_at).getTime()).toBeLessThan(Date.now() - 29 * 86400_000);
    expect(new Date(kept.last_contact_at).getTime()).toBeGreaterThan(Date.now() - 120_000);

    // Every reference moved, nothing lost: what pointed at either now points at the kept one.
    const after = { kept: await references(db.sql, shop.id, phoneOnly.id), merged: await references(db.sql, shop.id, bsuidOnly.id) };
    for (const [ref, n] of Object.entries(after.merged)) expect([ref, n]).toEqual([ref, 0]);
    expect(after.kept["public.bookings.customer_id"]).toBe(1);
    expect(after.kept["public.calls.customer_id"]).toBe(1);
    expect(after.kept["public.caller_profiles.customer_id"]).toBe(1);
    expect(after.kept["public.leads.customer_id"]).toBe(1);
    expect(after.kept["public.follow_ups.customer_id"]).toBe(1);
    expect(after.kept["public.conversations.customer_id"]).toBe(2);
    // The shared staff preference once, the service preference moved.
    expect(after.kept["public.customer_staff_preferences.customer_id"]).toBe(1);
    expect(after.kept["public.customer_service_preferences.customer_id"]).toBe(1);
    for (const ref of Object.keys(after.kept)) {
      if (!ref.includes("_preferences.")) expect([ref, after.kept[ref]]).toEqual([ref, before.kept[ref] + before.merged[ref]]);
    }

    // One open conversation per channel and customer: the kept one's stays open and gets the message; the merged
    // one's is closed with its messages.
    const convs = await db.sql`select id, status::text, closed_at from public.conversations where tenant_id = ${shop.id} and customer_id = ${phoneOnly.id} order by created_at`;
    expect(convs.find((c) => c.id === phoneOnly.conversation)).toMatchObject({ status: "open" });
    expect(convs.find((c) => c.id === bsuidOnly.conversation)).toMatchObject({ status: "closed" });
    expect(convs.find((c) => c.id === bsuidOnly.conversation)!.closed_at).not.toBeNull();
    const [m] = await db.sql`select conversation_id from public.messages where provider_message_id = ${both.id}`;
    expect(m.conversation_id).toBe(phoneOnly.conversation);
    const [first] = await db.sql`select conversation_id, body from public.messages where provider_message_id = ${bsuidOnly.firstMessage}`;
    expect(first).toMatchObject({ conversation_id: bsuidOnly.conversation, body: "hi, it's me" });

    // The audit log says which customer was merged into which.
    const audit = await db.sql`select action, table_name, row_key, old_data, new_data from public.audit_log
                               where tenant_id = ${shop.id} and action = 'merge' and new_data ->> 'merged_customer_id' = ${bsuidOnly.id}`;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ table_name: "customers", row_key: { id: phoneOnly.id } });
    expect(audit[0].new_data).toMatchObject({ kept_customer_id: phoneOnly.id, moved: { "public.conversations.customer_id": 1 } });
    expect(audit[0].old_data).toMatchObject({ id: bsuidOnly.id, bsuid: user });

    // Later messages by either identifier alone find the one customer.
    const byBsuid = textFrom(null, user, "still me");
    await signedOk(envelope(shop.phoneNumberId, "messages", { contacts: [contact(null, user)], messages: [byBsuid] }));
    const [later] = await db.sql`select v.customer_id from public.messages m join public.conversations v on v.tenant_id = m.tenant_id and v.id = m.conversation_id
                                 where m.provider_message_id = ${byBsuid.id}`;
    expect(later.customer_id).toBe(phoneOnly.id);
  });

  it("never merges two people: identifiers that contradict (a recycled number with another BSUID) stay apart", async () => {
    const wa = waId();
    const [oldOwner] = await db.sql`insert into public.customers (tenant_id, wa_id, phone, bsuid, name) values (${shop.id}, ${wa}, ${"+" + wa}, ${bsuid()}, 'Old owner') returning id`;
    const newUser = bsuid();
    const [newOwner] = await db.sql`insert into public.customers (tenant_id, bsuid, name) values (${shop.id}, ${newUser}, 'New owner') returning id`;
    const res = await signedOk(envelope(shop.phoneNumberId, "messages", { contacts: [contact(wa, newUser)], messages: [textFrom(wa, newUser, "hello")] }));
    expect(res).toMatchObject({ new: 1, unprocessable: 0 });
    expect(await customer(oldOwner.id)).toMatchObject({ wa_id: wa, name: "Old owner" });
    expect(await customer(newOwner.id)).toMatchObject({ bsuid: newUser, name: "New owner" });
  });

  it("user_changed_number onto a wa_id another row holds with Meta's new BSUID merges the two and applies", async () => {
    const oldWa = waId();
    const newWa = waId();
    const newUser = bsuid();
    // The mover, known by the old number.
    const hello = textFrom(oldWa, null, "hello from my old number", 600);
    await signedOk(envelope(shop.phoneNumberId, "messages", { contacts: [contact(oldWa, null)], messages: [hello] }));
    const [mover] = await db.sql`select id from public.customers where tenant_id = ${shop.id} and wa_id = ${oldWa}`;
    await db.sql`update public.customers set opted_out_at = now() - interval '1 day' where id = ${mover.id}`;
    // The new number wrote first (deliveries come out of order): a row with the new wa_id and new BSUID.
    const early = textFrom(newWa, newUser, "new phone who dis", 300);
    await signedOk(envelope(shop.phoneNumberId, "messages", { contacts: [contact(newWa, newUser)], messages: [early] }));
    const [holder] = await db.sql`select id from public.customers where tenant_id = ${shop.id} and wa_id = ${newWa}`;
    expect(holder.id).not.toBe(mover.id);
    // Meta's system message: from the old number, system.wa_id the new one, system.user_id the new BSUID.
    const system = {
      from: oldWa, id: wamid(), timestamp: unix(), type: "system",
      system: { body: `User Sheena Nelson changed from ${oldWa} to ${newWa}`, wa_id: newWa, user_id: newUser, type: "user_changed_number" },
    };
    expect(await signedOk(envelope(shop.phoneNumberId, "messages", { messages: [system] }))).toMatchObject({ new: 1, unprocessable: 0 });
    expect(await customer(holder.id)).toBeUndefined();
    const moved = await customer(mover.id);
    expect(moved).toMatchObject({ wa_id: newWa, phone: "+" + newWa, bsuid: newUser });
    expect(moved.opted_out_at).not.toBeNull(); // the opt-out is not lost in the move
    const msgs = await db.sql`select m.provider_message_id, v.customer_id from public.messages m join public.conversations v on v.tenant_id = m.tenant_id and v.id = m.conversation_id
                              where m.provider_message_id in ${db.sql([hello.id, early.id, system.id])}`;
    expect(msgs.map((r) => r.customer_id)).toEqual([mover.id, mover.id, mover.id]);
  });

  it("a number change onto a number another row holds without Meta's BSUID stays unprocessable (it may be someone else)", async () => {
    const oldWa = waId();
    const taken = waId();
    await signedOk(envelope(shop.phoneNumberId, "messages", { contacts: [contact(oldWa, bsuid())], messages: [textFrom(oldWa, null, "hi")] }));
    const [squatter] = await db.sql`insert into public.customers (tenant_id, wa_id, name) values (${shop.id}, ${taken}, 'Old record') returning id`;
    const system = { from: oldWa, id: wamid(), timestamp: unix(), type: "system", system: { body: "changed", wa_id: taken, type: "user_changed_number" } };
    expect(await signedOk(envelope(shop.phoneNumberId, "messages", { messages: [system] }))).toMatchObject({ unprocessable: 1 });
    expect(await customer(squatter.id)).toMatchObject({ wa_id: taken, name: "Old record" });
  });
});

describe("isolation", () => {
  it("a merge in one business touches nothing of another, even with the same identifiers", async () => {
    const wa = waId();
    const user = bsuid();
    // The other business knows the same person as two rows too, with their own references.
    const theirsPhone = await phoneOnlyCustomer(other, wa);
    const [theirsBsuid] = await db.sql`insert into public.customers (tenant_id, bsuid, name) values (${other.id}, ${user}, 'Theirs') returning id`;
    const snapshot = async () => ({
      customers: await db.sql`select * from public.customers where tenant_id = ${other.id} order by id`,
      phone: await references(db.sql, other.id, theirsPhone.id),
      bsuid: await references(db.sql, other.id, theirsBsuid.id),
      audit: (await db.sql`select count(*)::int as n from public.audit_log where tenant_id = ${other.id}`)[0].n,
    });
    const before = await snapshot();
    await phoneOnlyCustomer(shop, wa);
    await bsuidOnlyCustomer(shop, user, false);
    expect(await signedOk(envelope(shop.phoneNumberId, "messages", { contacts: [contact(wa, user)], messages: [textFrom(wa, user, "both")] })))
      .toMatchObject({ new: 1, unprocessable: 0 });
    expect((await db.sql`select count(*)::int as n from public.customers where tenant_id = ${shop.id} and (phone = ${"+" + wa} or bsuid = ${user})`)[0].n).toBe(1);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a customer of another business, and no client role may call the merge", async () => {
    const [mine] = await db.sql`insert into public.customers (tenant_id, bsuid, name) values (${shop.id}, ${bsuid()}, 'Mine') returning id`;
    const [theirs] = await db.sql`insert into public.customers (tenant_id, bsuid, name) values (${other.id}, ${bsuid()}, 'Theirs') returning id`;
    await expect(db.sql`select private.merge_customers(${shop.id}, ${mine.id}, ${theirs.id})`).rejects.toMatchObject({ code: "P0002" });
    await expect(db.sql`select private.merge_customers(${other.id}, ${mine.id}, ${theirs.id})`).rejects.toMatchObject({ code: "P0002" });
    expect(await customer(mine.id)).toMatchObject({ name: "Mine" });
    expect(await customer(theirs.id)).toMatchObject({ name: "Theirs" });
    const privileges = await db.sql`
      select r.rolname, has_function_privilege(r.rolname, 'private.merge_customers(uuid, uuid, uuid)', 'EXECUTE') as can
      from pg_roles r where r.rolname in ('anon', 'authenticated', 'service_role', 'frontdesk_webhook', 'authenticator') order by 1`;
    expect(privileges.length).toBeGreaterThanOrEqual(4);
    for (const p of privileges) expect([p.rolname, p.can]).toEqual([p.rolname, false]);
    const [fn] = await db.sql`select prosecdef, proconfig from pg_proc where oid = 'private.merge_customers(uuid, uuid, uuid)'::regprocedure`;
    expect(fn).toMatchObject({ prosecdef: true, proconfig: ['search_path=""'] });
  });
});

describe("every foreign key to public.customers is handled", () => {
  it("every one is composite (tenant_id, customer) → (tenant_id, id), and a merge empties each of the merged customer", async () => {
    const fks = await customerForeignKeys(db.sql);
    expect(fks.length).toBeGreaterThanOrEqual(8);
    for (const fk of fks) {
      expect([fk.tbl, fk.refcols.length, [...fk.refcols].sort()]).toEqual([fk.tbl, 2, ["id", "tenant_id"]]);
      expect([fk.tbl, fk.cols[fk.refcols.indexOf("tenant_id")]]).toEqual([fk.tbl, "tenant_id"]);
    }
    // One row in every business table (the isolation suite's world), its customer merged into another.
    const t = await tenantWithTeam(db, "merge-world");
    const world = await buildWorld(db, t.id, t.members.owner.id);
    await db.sql`update public.leads set customer_id = ${world.customer} where tenant_id = ${t.id}`;
    const [kept] = await db.sql`insert into public.customers (tenant_id, bsuid, name) values (${t.id}, ${bsuid()}, 'Kept') returning id`;
    const before = await references(db.sql, t.id, world.customer);
    // The world references its customer from each of these (and from any table added later that it fills).
    for (const ref of ["public.bookings.customer_id", "public.calls.customer_id", "public.caller_profiles.customer_id", "public.conversations.customer_id",
                       "public.customer_service_preferences.customer_id", "public.customer_staff_preferences.customer_id", "public.follow_ups.customer_id",
                       "public.leads.customer_id"]) {
      expect([ref, before[ref]]).toEqual([ref, 1]);
    }
    await db.sql`select private.merge_customers(${t.id}, ${kept.id}, ${world.customer})`;
    const after = await references(db.sql, t.id, kept.id);
    expect(after).toEqual(before);
    expect(await customer(world.customer)).toBeUndefined();
  });

  it("a referencing table added later is re-pointed by the generic rule; a key of another shape stops the merge", async () => {
    await db.sql.unsafe(`
      create table public.zz_merge_probe (
        tenant_id uuid not null, id uuid not null default gen_random_uuid(), customer_id uuid, note text,
        primary key (tenant_id, id), foreign key (tenant_id, customer_id) references public.customers (tenant_id, id))`);
    await db.sql.unsafe(`
      create table public.zz_merge_link (
        tenant_id uuid not null, customer_id uuid not null, label text not null, id bigint generated always as identity,
        primary key (tenant_id, customer_id, label), foreign key (tenant_id, customer_id) references public.customers (tenant_id, id) on delete cascade)`);
    try {
      const [keep] = await db.sql`insert into public.customers (tenant_id, bsuid, name) values (${shop.id}, ${bsuid()}, 'Keep') returning id`;
      const [merge] = await db.sql`insert into public.customers (tenant_id, bsuid, name) values (${shop.id}, ${bsuid()}, 'Merge') returning id`;
      const [theirs] = await db.sql`insert into public.customers (tenant_id, bsuid, name) values (${other.id}, ${bsuid()}, 'Theirs') returning id`;
      await db.sql`insert into public.zz_merge_probe (tenant_id, customer_id, note) values (${shop.id}, ${merge.id}, 'a'), (${shop.id}, ${merge.id}, 'b'), (${other.id}, ${theirs.id}, 'c')`;
      await db.sql`insert into public.zz_merge_link (tenant_id, customer_id, label) values (${shop.id}, ${keep.id}, 'x'), (${shop.id}, ${merge.id}, 'x'), (${shop.id}, ${merge.id}, 'y')`;
      await db.sql`select private.merge_customers(${shop.id}, ${keep.id}, ${merge.id})`;
      expect((await db.sql`select note from public.zz_merge_probe where customer_id = ${keep.id} order by note`).map((r) => r.note)).toEqual(["a", "b"]);
      expect((await db.sql`select customer_id from public.zz_merge_probe where note = 'c'`)[0].customer_id).toBe(theirs.id);
      expect((await db.sql`select label from public.zz_merge_link where customer_id = ${keep.id} order by label`).map((r) => r.label)).toEqual(["x", "y"]);
      expect((await db.sql`select count(*)::int as n from public.zz_merge_link where customer_id = ${merge.id}`)[0].n).toBe(0);

      // A foreign key to customers by phone is not re-pointed by guess: the merge stops and changes nothing.
      const phoneA = "+1" + waId().slice(1);
      const phoneB = "+1" + waId().slice(1);
      await db.sql.unsafe(`create table public.zz_merge_by_phone (tenant_id uuid not null, phone text not null, primary key (tenant_id, phone),
                           foreign key (tenant_id, phone) references public.customers (tenant_id, phone))`);
      try {
        const [a] = await db.sql`insert into public.customers (tenant_id, phone, name) values (${shop.id}, ${phoneA}, 'A') returning id`;
        const [b] = await db.sql`insert into public.customers (tenant_id, phone, name) values (${shop.id}, ${phoneB}, 'B') returning id`;
        await db.sql`insert into public.zz_merge_probe (tenant_id, customer_id, note) values (${shop.id}, ${b.id}, 'd')`;
        await expect(db.sql`select private.merge_customers(${shop.id}, ${a.id}, ${b.id})`).rejects.toThrow(/zz_merge_by_phone/);
        expect(await customer(b.id)).toMatchObject({ name: "B" });
        expect((await db.sql`select customer_id from public.zz_merge_probe where note = 'd'`)[0].customer_id).toBe(b.id);
      } finally {
        await db.sql.unsafe(`drop table public.zz_merge_by_phone`);
      }
    } finally {
      await db.sql.unsafe(`drop table public.zz_merge_probe; drop table public.zz_merge_link`);
    }
  });
});
