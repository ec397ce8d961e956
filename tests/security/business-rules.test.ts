// Rules inside a business that a member's own writes cannot bend, each tried as PostgREST runs the write for a
// hook-made JWT and checked on the rows as the schema owner reads them:
//   bookings       status moves one way (an ended booking is never revived: PT409); a client creates only live
//                  bookings (PT400) in its own name (created_by is not insertable: 42501)      — bookings migration
//   conversations  handed_over_at is stamped by the database; handing back clears bot_state; assigned_to is a member
//                  of the same business (23503)                                                 — messaging migration
//   customers      opted_out_at is no client's (42501); no marketing consent while opted out (23514) — customers
//   invitations    expire at most 30 days after creation (23514)                                — tenancy
//   staff          user_id is a member of the same business (23503)                             — catalog
//   channels       ids are the database's (42501) and unique across businesses (channels_id_key) — channels
import { beforeAll, describe, expect, it } from "vitest";
import { asRequest, useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";
import { buildWorld } from "../helpers/world.ts";
import { attempt, countOf, refusal, rowsOf } from "./helpers.ts";

const db = useTestDatabase();

let shop: TestTenant;
let other: TestTenant;
let w: Record<string, string>;
let otherWorld: Record<string, string>;
beforeAll(async () => {
  shop = await tenantWithTeam(db, "rules");
  other = await tenantWithTeam(db, "rules-other");
  w = await buildWorld(db, shop.id, shop.members.owner.id);
  otherWorld = await buildWorld(db, other.id, other.members.owner.id);
});

const row = async (table: string, id: string) => (await rowsOf(db, table, "id = $1", id))[0] as Record<string, unknown>;
let slot = 0;
/** A free half hour for the world's staff member, one day apart each time. */
const nextSlot = () => {
  const start = new Date(Date.UTC(2031, 0, 1 + slot++, 10));
  return { starts_at: start, ends_at: new Date(start.getTime() + 30 * 60_000) };
};

describe("bookings", () => {
  /** A live booking made by a staff member, as the front desk makes one. */
  async function newBooking(): Promise<string> {
    const { starts_at, ends_at } = nextSlot();
    const [b] = await asRequest(db, shop.members.staff.token, (tx) => tx`
      insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, source)
      values (${shop.id}, ${w.customer}, ${w.service}, ${w.staff}, ${starts_at}, ${ends_at}, 'web') returning id`);
    return b.id;
  }

  it("a cancelled booking cannot be revived (PT409); it stays cancelled with its cancellation time", async () => {
    const id = await newBooking();
    expect(await attempt(db, shop.members.staff.token, (tx) => tx`update public.bookings set status = 'cancelled' where id = ${id} returning id`)).toBe("rows=1");
    const cancelled = await row("public.bookings", id);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.cancelled_at).not.toBeNull();
    for (const status of ["confirmed", "pending", "completed"]) {
      expect(await attempt(db, shop.members.staff.token, (tx) => tx`update public.bookings set status = ${status} where id = ${id} returning id`)).toBe("PT409");
    }
    expect(await attempt(db, shop.members.owner.token, (tx) => tx`update public.bookings set status = 'confirmed', notes = 'back' where id = ${id} returning id`)).toBe("PT409");
    expect(await row("public.bookings", id)).toEqual(cancelled);
  });

  it("staff cannot delete an ended booking to get round the rules (only owners and admins delete: 0 rows)", async () => {
    const id = await newBooking();
    expect(await attempt(db, shop.members.staff.token, (tx) => tx`update public.bookings set status = 'cancelled' where id = ${id} returning id`)).toBe("rows=1");
    const cancelled = await row("public.bookings", id);
    expect(await attempt(db, shop.members.staff.token, (tx) => tx`delete from public.bookings where id = ${id} returning id`)).toBe("rows=0");
    expect(await row("public.bookings", id)).toEqual(cancelled);
  });

  it("a completed booking cannot be revived or cancelled (PT409)", async () => {
    const id = await newBooking();
    expect(await attempt(db, shop.members.staff.token, (tx) => tx`update public.bookings set status = 'completed' where id = ${id} returning id`)).toBe("rows=1");
    const completed = await row("public.bookings", id);
    for (const status of ["confirmed", "pending", "cancelled", "no_show"]) {
      expect(await attempt(db, shop.members.admin.token, (tx) => tx`update public.bookings set status = ${status} where id = ${id} returning id`)).toBe("PT409");
    }
    expect(await row("public.bookings", id)).toEqual(completed);
  });

  it("a client cannot insert a booking as completed (PT400), nor name created_by (42501); nothing is added", async () => {
    const before = await countOf(db, "public.bookings", "tenant_id = $1", shop.id);
    for (const status of ["completed", "cancelled", "no_show"]) {
      const { starts_at, ends_at } = nextSlot();
      expect(await attempt(db, shop.members.staff.token, (tx) => tx`
        insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, source, status)
        values (${shop.id}, ${w.customer}, ${w.service}, ${w.staff}, ${starts_at}, ${ends_at}, 'web', ${status}) returning id`)).toBe("PT400");
    }
    const { starts_at, ends_at } = nextSlot();
    expect(await attempt(db, shop.members.staff.token, (tx) => tx`
      insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, source, created_by)
      values (${shop.id}, ${w.customer}, ${w.service}, ${w.staff}, ${starts_at}, ${ends_at}, 'web', ${shop.members.owner.id}) returning id`)).toBe("42501");
    expect(await countOf(db, "public.bookings", "tenant_id = $1", shop.id)).toBe(before);
  });

  it("created_by is the caller: a staff member's booking is recorded as theirs", async () => {
    const id = await newBooking();
    const stored = await row("public.bookings", id);
    expect(stored).toMatchObject({ created_by: shop.members.staff.id, status: "confirmed", cancelled_at: null });
  });
});

describe("conversations", () => {
  it("handed_over_at set by staff becomes now(), whatever time they send, and a second hand-over keeps the first", async () => {
    const [c] = await db.sql`
      insert into public.conversations (tenant_id, channel_id, customer_id, status)
      values (${shop.id}, ${w.channel}, ${w.customer}, 'closed') returning id`;
    expect(await attempt(db, shop.members.staff.token, (tx) => tx`
      update public.conversations set handed_over_at = '2000-01-01' where id = ${c.id} returning id`)).toBe("rows=1");
    const [first] = await db.sql`
      select handed_over_at, abs(extract(epoch from handed_over_at - now())) < 60 as now_ish from public.conversations where id = ${c.id}`;
    expect(first.now_ish).toBe(true);
    expect(await attempt(db, shop.members.staff.token, (tx) => tx`
      update public.conversations set handed_over_at = '2100-01-01' where id = ${c.id} returning id`)).toBe("rows=1");
    const [second] = await db.sql`select handed_over_at from public.conversations where id = ${c.id}`;
    expect(second.handed_over_at).toEqual(first.handed_over_at);
  });

  it("handing back (handed_over_at = null) clears the bot's state", async () => {
    await db.sql`update public.conversations set handed_over_at = now(), bot_state = '{"step": "choose_service", "service": "x"}' where id = ${w.conversation}`;
    expect(await attempt(db, shop.members.staff.token, (tx) => tx`
      update public.conversations set handed_over_at = null where id = ${w.conversation} returning id`)).toBe("rows=1");
    const [c] = await db.sql`select handed_over_at, bot_state from public.conversations where id = ${w.conversation}`;
    expect(c).toEqual({ handed_over_at: null, bot_state: {} });
  });

  it("assigned_to must be a member of the same business: another business's user is refused (23503)", async () => {
    const before = await row("public.conversations", w.conversation);
    for (const stranger of [other.members.owner.id, other.members.staff.id]) {
      const err = await refusal(db, shop.members.staff.token, (tx) => tx`
        update public.conversations set assigned_to = ${stranger} where id = ${w.conversation} returning id`);
      expect(err).toMatchObject({ code: "23503", constraint_name: "conversations_assignee" });
    }
    expect(await row("public.conversations", w.conversation)).toEqual(before);
    // A teammate is fine.
    expect(await attempt(db, shop.members.staff.token, (tx) => tx`
      update public.conversations set assigned_to = ${shop.members.admin.id} where id = ${w.conversation} returning id`)).toBe("rows=1");
  });
});

describe("customers", () => {
  it("opted_out_at is not writable by any client (42501): neither cleared, set, nor inserted", async () => {
    await db.sql`update public.customers set opted_out_at = now(), marketing_opt_in = false where id = ${w.customer}`;
    const before = await row("public.customers", w.customer);
    const customers = await countOf(db, "public.customers", "tenant_id = $1", shop.id);
    for (const token of [shop.members.owner.token, shop.members.admin.token, shop.members.staff.token]) {
      expect(await attempt(db, token, (tx) => tx`update public.customers set opted_out_at = null where id = ${w.customer} returning id`)).toBe("42501");
      expect(await attempt(db, token, (tx) => tx`update public.customers set opted_out_at = now() where id = ${w.customer} returning id`)).toBe("42501");
      expect(await attempt(db, token, (tx) => tx`
        insert into public.customers (tenant_id, name, opted_out_at) values (${shop.id}, 'Pre-opted', null) returning id`)).toBe("42501");
    }
    expect(await row("public.customers", w.customer)).toEqual(before);
    expect(await countOf(db, "public.customers", "tenant_id = $1", shop.id)).toBe(customers);
  });

  it("marketing_opt_in cannot be true while the customer is opted out (23514)", async () => {
    await db.sql`update public.customers set opted_out_at = now(), marketing_opt_in = false where id = ${w.customer}`;
    const before = await row("public.customers", w.customer);
    for (const token of [shop.members.owner.token, shop.members.admin.token]) {
      const err = await refusal(db, token, (tx) => tx`update public.customers set marketing_opt_in = true where id = ${w.customer} returning id`);
      expect(err).toMatchObject({ code: "23514", constraint_name: "customers_consent" });
    }
    expect(await row("public.customers", w.customer)).toEqual(before);
  });
});

describe("invitations", () => {
  it("expires_at at most 30 days after creation (23514); within that it may be moved", async () => {
    const before = await row("public.invitations", w.invitation);
    for (const late of ["created_at + interval '31 days'", "now() + interval '1 year'"]) {
      const err = await refusal(db, shop.members.admin.token, (tx) => tx.unsafe(
        `update public.invitations set expires_at = ${late} where id = $1 returning id`, [w.invitation]));
      expect(err).toMatchObject({ code: "23514", constraint_name: "invitations_expiry" });
    }
    expect(await row("public.invitations", w.invitation)).toEqual(before);
    expect(await attempt(db, shop.members.admin.token, (tx) => tx`
      update public.invitations set expires_at = created_at + interval '20 days' where id = ${w.invitation} returning id`)).toBe("rows=1");
  });
});

describe("staff", () => {
  it("staff.user_id must be a member of the same business (23503), on update and on insert", async () => {
    const before = await row("public.staff", w.staff);
    const rows = await countOf(db, "public.staff", "tenant_id = $1", shop.id);
    const stranger = other.members.staff.id;
    const upd = await refusal(db, shop.members.admin.token, (tx) => tx`update public.staff set user_id = ${stranger} where id = ${w.staff} returning id`);
    expect(upd).toMatchObject({ code: "23503", constraint_name: "staff_user_membership" });
    const ins = await refusal(db, shop.members.admin.token, (tx) => tx`
      insert into public.staff (tenant_id, name, user_id) values (${shop.id}, 'Impostor', ${stranger}) returning id`);
    expect(ins).toMatchObject({ code: "23503", constraint_name: "staff_user_membership" });
    expect(await row("public.staff", w.staff)).toEqual(before);
    expect(await countOf(db, "public.staff", "tenant_id = $1", shop.id)).toBe(rows);
    // A member of the business is fine.
    expect(await attempt(db, shop.members.admin.token, (tx) => tx`
      update public.staff set user_id = ${shop.members.staff.id} where id = ${w.staff} returning id`)).toBe("rows=1");
  });
});

describe("channels", () => {
  it("a client-supplied id is refused (42501: id is not insertable), even another business's channel id; nothing added", async () => {
    const rows = await countOf(db, "public.channels", "tenant_id = $1", shop.id);
    for (const id of [otherWorld.channel, "00000000-0000-4000-8000-000000000001"]) {
      expect(await attempt(db, shop.members.admin.token, (tx) => tx`
        insert into public.channels (id, tenant_id, kind, provider, phone_number_id)
        values (${id}, ${shop.id}, 'whatsapp', 'meta', '123456789012') returning id`)).toBe("42501");
    }
    expect(await countOf(db, "public.channels", "tenant_id = $1", shop.id)).toBe(rows);
    expect(await countOf(db, "public.channels", "id = $1", otherWorld.channel)).toBe(1);
  });

  it("channel ids are unique across businesses (channels_id_key), even for the platform's own inserts", async () => {
    const [k] = await db.sql`
      select pg_get_constraintdef(oid) as def from pg_constraint
      where conrelid = 'public.channels'::regclass and conname = 'channels_id_key' and contype = 'u'`;
    expect(k.def).toBe("UNIQUE (id)");
    const err = await db.sql`
      insert into public.channels (id, tenant_id, kind, provider, phone_number_id)
      values (${otherWorld.channel}, ${shop.id}, 'whatsapp', 'meta', '123456789013')`.then(() => null, (e) => e);
    expect(err).toMatchObject({ code: "23505", constraint_name: "channels_id_key" });
    expect(await countOf(db, "public.channels", "id = $1", otherWorld.channel)).toBe(1);
  });
});
