// A whole receptionist call through the real functions, every request shaped and signed as the provider sends it:
// Twilio rings the business's number, Vapi asks for the assistant (by the called number, no assistant of its own),
// the call goes live, the model checks availability, books, moves the booking, the caller asks for a person, the call
// ends and Vapi reports. One call row, one booking (moved, not duplicated), one summary, minutes once.
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { callSid, incomingParams, phone, postTwilio, postVapi, PUBLIC_BASE, vapiMessage, vapiReport } from "./fixtures.ts";
import { resultFor, toolShop, vapiToolCalls, voiceAgent } from "./tool-fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db, { VOICE_PUBLIC_BASE_URL: PUBLIC_BASE });
const vapiUrl = () => `${fns.url}/call-events/vapi`;

describe("a whole call", () => {
  it("assistant-request, tool calls for availability, booking and rescheduling, a transfer, the report: one call, one booking, one summary", async () => {
    const b = await toolShop(db, "full-call");
    await db.sql`update public.tenants set settings = settings || '{"transfer_number": "+13055550177"}' where id = ${b.id}`;
    const agent = await voiceAgent(db, b, "vapi", { platformId: null });
    const caller = phone();
    const sid = callSid();
    const callId = crypto.randomUUID();
    const started = new Date(Date.now() - 180_000);
    const base = { callId, customerNumber: caller, businessNumber: b.number, twilioCallSid: sid };
    const post = async (body: unknown) => {
      const res = await postVapi(vapiUrl(), body, agent.secret, "hmac");
      expect(res.status).toBe(200);
      return res.json();
    };

    // Twilio rings the number first (the business forwards it to Vapi)
    expect((await postTwilio(fns.url, "incoming", incomingParams(b, sid, caller), b.authToken)).status).toBe(200);

    // Vapi asks who answers: a transient assistant carrying the tools, pointed back at this server
    const assistant = await post(vapiMessage("assistant-request", null, base));
    expect(assistant.assistant.model.tools.map((t: { function: { name: string } }) => t.function.name))
      .toEqual(expect.arrayContaining(["check_availability", "book_appointment", "reschedule_appointment", "transfer_to_human"]));
    expect(assistant.assistant.model.tools[0].server.url).toBe(`${PUBLIC_BASE}/call-events/vapi`);
    expect(assistant.assistantOverrides.variableValues).toMatchObject({ caller_name: "", upcoming_bookings: "" }); // Twilio's ring made the customer, nothing more
    await post(vapiMessage("status-update", null, { ...base, startedAt: started, extra: { status: "in-progress" } }));

    // "Do you have a fade with Luis tomorrow morning?"
    const ask = vapiToolCalls(null, [{ name: "check_availability", args: { service: "a fade", staff: "with Luis", day: "tomorrow morning" } }], base);
    const slots = resultFor(await post(ask.body), ask.ids[0]);
    expect(slots).toMatchObject({ ok: true, resolved: { service: "Skin Fade", staff: "Luis", part_of_day: "morning" } });
    const [first, second] = slots.data.slots as { starts_at: string }[];
    expect(second).toBeDefined();

    // "The first one, please. I'm Dana."
    const book = vapiToolCalls(null, [{ name: "book_appointment", args: { service: "Skin Fade", staff: "Luis", starts_at: first.starts_at, customer_name: "Dana" } }], base);
    const booked = resultFor(await post(book.body), book.ids[0]);
    expect(booked).toMatchObject({ ok: true, data: { booking: { starts_at: first.starts_at, staff: "Luis", service: "Skin Fade" } } });

    // "Actually, make it the next one."
    const move = vapiToolCalls(null, [{ name: "reschedule_appointment", args: { starts_at: second.starts_at } }], base);
    const moved = resultFor(await post(move.body), move.ids[0]);
    // bookings are history: the move is a new booking in the new slot, the old one cancelled as rescheduled
    expect(moved).toMatchObject({ ok: true, data: { booking: { starts_at: second.starts_at }, previous: { id: booked.data.booking.id } } });

    // "Can I talk to someone about a gift card?"
    const human = vapiToolCalls(null, [{ name: "transfer_to_human", args: { reason: "gift card question" } }], base);
    expect(resultFor(await post(human.body), human.ids[0])).toMatchObject({ ok: true, data: { action: "transfer", transfer_number: "+13055550177" } });
    const transfer = await post(vapiMessage("transfer-destination-request", null, base));
    expect(transfer.destination).toMatchObject({ type: "number", number: "+13055550177" });

    const ended = new Date(started.getTime() + 180_000);
    await post(vapiMessage("status-update", null, { ...base, startedAt: started, endedAt: ended, extra: { status: "ended", endedReason: "assistant-forwarded-call" } }));
    const report = await post(vapiReport({
      ...base, assistantId: null, startedAt: started, seconds: 180, endedReason: "assistant-forwarded-call",
      summary: "Dana booked a skin fade with Luis, moved it to the next slot, and asked for a person about gift cards.",
    }));
    expect(report).toMatchObject({ duplicate: false });
    // a late retry of the booking's tool call changes nothing
    expect(resultFor(await post(book.body), book.ids[0])).toMatchObject({ replayed: true });

    const calls = await db.sql`select id, status::text, duration_seconds, agent_id, customer_id from public.calls where tenant_id = ${b.id}`;
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ id: report.call_id, status: "completed", duration_seconds: 180, agent_id: agent.id });
    const bookings = await db.sql`select id, customer_id, staff_id, service_id, starts_at, status::text, source::text, cancel_reason
                                  from public.bookings where tenant_id = ${b.id} order by created_at`;
    const live = bookings.filter((x) => x.status === "pending" || x.status === "confirmed");
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({
      id: moved.data.booking.id, customer_id: calls[0].customer_id, staff_id: b.staff.Luis, service_id: b.services["Skin Fade"], source: "voice",
    });
    expect(new Date(live[0].starts_at).toISOString()).toBe(second.starts_at);
    expect(bookings).toHaveLength(2);
    expect(bookings[0]).toMatchObject({ id: booked.data.booking.id, status: "cancelled", cancel_reason: expect.stringMatching(/rescheduled/) });
    const [customer] = await db.sql`select id, name from public.customers where tenant_id = ${b.id} and phone = ${caller}`;
    expect(customer).toMatchObject({ id: calls[0].customer_id, name: "Dana" });
    const summaries = await db.sql`select summary from public.call_summaries where tenant_id = ${b.id}`;
    expect(summaries).toEqual([{ summary: expect.stringMatching(/^Dana booked a skin fade/) }]);
    const minutes = await db.sql`select coalesce(sum(quantity), 0)::int as n, count(*)::int as events from public.usage_events where tenant_id = ${b.id} and metric = 'call_minutes'`;
    expect(minutes[0]).toEqual({ n: 3, events: 1 });

    // the next call from the same number is greeted with what this one left
    const next = await post(vapiMessage("assistant-request", null, { customerNumber: caller, businessNumber: b.number }));
    expect(next.assistantOverrides.variableValues).toMatchObject({ caller_known: "true", caller_name: "Dana", upcoming_booking_count: "1" });
    expect(next.assistantOverrides.variableValues.last_call_summary).toMatch(/^Dana booked a skin fade/);
  });
});
