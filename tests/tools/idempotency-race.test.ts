// A retried tool call (the same provider tool-call id) books once, even when the retries run at the same time; and a
// voice booking racing a WhatsApp booking for one slot: one wins, the other is offered the next free slots.
import { beforeAll, describe, expect, it } from "vitest";
import { createTools } from "../../supabase/functions/_shared/assistant/tools.ts";
import type { AssistantContext } from "../../supabase/functions/_shared/assistant/types.ts";
import { asWebhook } from "../../supabase/functions/_shared/db/client.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { bookingsOf, caller, createShop, localDays, onCall, tool, wall, type Caller, type Shop } from "./fixtures.ts";

const db = useTestDatabase();
const run = tool(db);

let shop: Shop;
let tomorrow: string;

beforeAll(async () => {
  // One barber, so a slot is one booking and a race has one winner.
  shop = await createShop(db, {
    label: "solo", name: "Solo Cuts", timezone: "America/Chicago", language: "en", staff: ["Luis"],
    services: [{ name: "Skin Fade", minutes: 30, cents: 3000, by: ["Luis"] }],
  });
  ({ tomorrow } = await localDays(db, shop.timezone));
});

const liveBookings = async () => (await bookingsOf(db, shop.id)).filter((b) => b.status === "confirmed");
const at = async (time: string) => {
  const [r] = await db.sql`select ((${tomorrow}::date + ${time}::time) at time zone ${shop.timezone}) as at`;
  return (r.at as Date).toISOString();
};

describe("idempotency", () => {
  let ana: Caller;
  beforeAll(async () => {
    ana = await caller(db, shop, "Ana");
  });

  it("the same tool-call id twice books once and answers the same, marked replayed", async () => {
    const ctx = onCall(ana, "vapi", { toolCallId: "call_9a8b7c" });
    const args = { service: "fade", day: "tomorrow", time: "10:00" };
    const first = await run(ctx, "book_appointment", args);
    const again = await run(ctx, "book_appointment", args);
    expect(first.ok).toBe(true);
    expect(again).toEqual({ ...first, replayed: true });
    expect(await liveBookings()).toHaveLength(1);
    // Another id for the same slot is a new request: the slot is now taken by the first.
    const other = await run(onCall(ana, "vapi", { toolCallId: "call_other" }), "book_appointment", args);
    expect(other.error?.code).toBe("slot_taken");
    expect(await liveBookings()).toHaveLength(1);
    // The same id from another platform is another call.
    const retell = await run(onCall(ana, "retell", { toolCallId: "call_9a8b7c" }), "book_appointment", { ...args, time: "10:30" });
    expect(retell).toMatchObject({ ok: true });
    expect(await liveBookings()).toHaveLength(2);
  });

  it("concurrent retries of one tool call book once", async () => {
    const ctx = onCall(ana, "vapi", { toolCallId: "call_concurrent" });
    const results = await Promise.all([1, 2, 3].map(() => run(ctx, "book_appointment", { service: "fade", day: "tomorrow", time: "13:00" })));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => r.replayed)).toHaveLength(2);
    const ids = new Set(results.map((r) => (r.data!.booking as { id: string }).id));
    expect(ids.size).toBe(1);
    const at13 = await at("13:00");
    expect((await liveBookings()).filter((b) => b.starts_at.toISOString() === at13)).toHaveLength(1);
  });

  it("a retried cancel and a retried message do their work once", async () => {
    const [b] = (await liveBookings()).filter((x) => x.customer_id === ana.customerId);
    const ctx = onCall(ana, "vapi", { toolCallId: "call_cancel" });
    const first = await run(ctx, "cancel_appointment", { booking_id: b.id });
    const again = await run(ctx, "cancel_appointment", { booking_id: b.id });
    expect(first.ok).toBe(true);
    expect(again).toEqual({ ...first, replayed: true });
    const m = onCall(ana, "vapi", { toolCallId: "call_msg" });
    await run(m, "take_message", { message: "call me back" });
    await run(m, "take_message", { message: "call me back" });
    expect((await db.sql`select count(*)::int as n from public.follow_ups where tenant_id = ${shop.id} and content = 'call me back'`)[0].n).toBe(1);
  });
});

describe("a voice booking and a WhatsApp booking racing for one slot", () => {
  /** The WhatsApp assistant's own booking (its tools, in a turn's transaction) held open until `release`. */
  function whatsappHolding(c: Caller, startsAt: string) {
    let release!: () => void;
    let booked!: (r: unknown) => void;
    const gate = new Promise<void>((r) => (release = r));
    const bookedP = new Promise<unknown>((r) => (booked = r));
    const done = asWebhook(async (tx) => {
      const [{ context }] = await tx`select private.assistant_context(${shop.id}, ${c.conversationId}) as context`;
      const result = await createTools(tx, context as AssistantContext).book(shop.services["Skin Fade"], null, startsAt);
      booked(result);
      await gate;
      return result;
    }, db.sql);
    return { release, booked: bookedP, done };
  }

  it("WhatsApp books first: the call waits, then gets 'just taken' and the next free slots", async () => {
    const wa = await caller(db, shop, "Wendy");
    const voice = await caller(db, shop, "Victor");
    const slot = await at("15:00");
    const hold = whatsappHolding(wa, slot);
    expect(await hold.booked).toMatchObject({ ok: true });
    // The call's booking starts while WhatsApp's transaction is still open (its row uncommitted).
    const racing = run(onCall(voice, "vapi", { toolCallId: "race-1" }), "book_appointment", { service: "fade", starts_at: slot });
    await new Promise((r) => setTimeout(r, 300));
    hold.release();
    const [waResult, voiceResult] = await Promise.all([hold.done, racing]);
    expect(waResult).toMatchObject({ ok: true });
    expect(voiceResult).toMatchObject({ ok: false, error: { code: "slot_taken" } });
    const next = voiceResult.data!.next_slots as { starts_at: string }[];
    expect(next.length).toBeGreaterThan(0);
    expect(await wall(db, next[0].starts_at, shop.timezone)).toBe(`${tomorrow} 15:30`);
    expect(voiceResult.message).toMatch(/^Skin Fade, .* 3:00 PM was just taken\. The next free times: .* 3:30 PM/);
    const atSlot = (await liveBookings()).filter((b) => b.starts_at.toISOString() === slot);
    expect(atSlot).toHaveLength(1);
    expect(atSlot[0]).toMatchObject({ customer_id: wa.customerId, source: "whatsapp" });
  });

  it("the call books first: WhatsApp gets slot_taken (and its dialog offers the next times)", async () => {
    const wa = await caller(db, shop, "Wanda");
    const voice = await caller(db, shop, "Vera");
    const slot = await at("16:00");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const voiceTx = asWebhook(async (tx) => {
      const { runTool } = await import("../../supabase/functions/_shared/tools/run.ts");
      const r = await runTool(onCall(voice, "retell"), "book_appointment", { service: "fade", starts_at: slot }, { tx });
      started();
      await gate;
      return r;
    }, db.sql);
    await startedP;
    const waP = asWebhook(async (tx) => {
      const [{ context }] = await tx`select private.assistant_context(${shop.id}, ${wa.conversationId}) as context`;
      return createTools(tx, context as AssistantContext).book(shop.services["Skin Fade"], null, slot);
    }, db.sql);
    await new Promise((r) => setTimeout(r, 300));
    release();
    const [v, w] = await Promise.all([voiceTx, waP]);
    expect(v).toMatchObject({ ok: true });
    expect(w).toMatchObject({ ok: false, reason: "slot_taken" });
    const atSlot = (await liveBookings()).filter((b) => b.starts_at.toISOString() === slot);
    expect(atSlot).toEqual([expect.objectContaining({ customer_id: voice.customerId, source: "voice" })]);
  });
});
