// Delivery and call statuses only move forward, whatever order provider callbacks arrive in.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam } from "../helpers/tenants.ts";
import { buildWorld } from "../helpers/world.ts";

const db = useTestDatabase();
let tenantId: string;
let world: Record<string, string>;

beforeAll(async () => {
  const t = await tenantWithTeam(db, "status");
  tenantId = t.id;
  world = await buildWorld(db, t.id, t.members.owner.id);
  // A customer who wrote a moment ago: outbound messages may be queued (the 24-hour window).
  await db.sql`update public.conversations set last_inbound_at = now() where id = ${world.conversation}`;
});

async function outbound(): Promise<string> {
  const [m] = await db.sql`
    insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, status)
    values (${tenantId}, ${world.conversation}, ${world.channel}, 'outbound', 'text', 'See you at 10', 'queued') returning id`;
  return m.id;
}
const statusOf = async (id: string) => (await db.sql`select status, error_code, error_title from public.messages where id = ${id}`)[0];
const setStatus = (id: string, status: string, error?: [string, string]) =>
  db.sql`update public.messages set status = ${status}, error_code = ${error?.[0] ?? null}, error_title = ${error?.[1] ?? null} where id = ${id}`;

describe("message delivery status", () => {
  it("moves forward: queued → sent → delivered → read", async () => {
    const id = await outbound();
    for (const s of ["sent", "delivered", "read"]) {
      await setStatus(id, s);
      expect((await statusOf(id)).status).toBe(s);
    }
  });

  it("ignores steps backwards (read, then a late delivered and sent)", async () => {
    const id = await outbound();
    await setStatus(id, "read");
    await setStatus(id, "delivered");
    await setStatus(id, "sent");
    expect((await statusOf(id)).status).toBe("read");
  });

  it("keeps failed with Meta's error, and a later sent or delivered does not erase it", async () => {
    const id = await outbound();
    await setStatus(id, "sent");
    await setStatus(id, "failed", ["131047", "Re-engagement message"]);
    await setStatus(id, "delivered");
    expect(await statusOf(id)).toEqual({ status: "failed", error_code: "131047", error_title: "Re-engagement message" });
  });

  it("a message already read never becomes failed", async () => {
    const id = await outbound();
    await setStatus(id, "read");
    await setStatus(id, "failed", ["131000", "Something went wrong"]);
    expect(await statusOf(id)).toMatchObject({ status: "read", error_code: null });
  });

  it("provider message ids are unique per channel", async () => {
    const insert = (wamid: string) => db.sql`
      insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, provider_message_id, status)
      values (${tenantId}, ${world.conversation}, ${world.channel}, 'inbound', 'text', 'hi', ${wamid}, 'received')`;
    await insert("wamid.dup-1");
    await expect(insert("wamid.dup-1")).rejects.toMatchObject({ code: "23505" });
  });
});

describe("call status", () => {
  const callStatus = async () => (await db.sql`select status from public.calls where id = ${world.call}`)[0].status;

  it("moves forward and keeps its first terminal state", async () => {
    await db.sql`update public.calls set status = 'queued' where id = ${world.call}`; // world's call starts completed
    expect(await callStatus()).toBe("completed"); // cannot go back
    const [c] = await db.sql`
      insert into public.calls (tenant_id, provider, provider_call_id, direction, status)
      values (${tenantId}, 'twilio', 'CAforward', 'inbound', 'queued') returning id`;
    const set = (s: string) => db.sql`update public.calls set status = ${s} where id = ${c.id}`;
    const get = async () => (await db.sql`select status from public.calls where id = ${c.id}`)[0].status;
    await set("in_progress");
    await set("ringing"); // late ringing callback
    expect(await get()).toBe("in_progress");
    await set("completed");
    await set("failed");
    await set("in_progress");
    expect(await get()).toBe("completed");
  });
});
