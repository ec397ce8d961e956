// The receptionist's tools through the real call-events function, as Vapi (tool-calls, function-call) and Retell
// (custom functions) call them, signed as they sign: answered in each platform's format for the verified agent's
// business only, once per tool call id, and never a 5xx for what a model got wrong.
import { beforeAll, describe, expect, it } from "vitest";
import { TOOL_NAMES } from "../../supabase/functions/_shared/tools/index.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { phone, postRetell, postVapi, PUBLIC_BASE, vapiMessage } from "./fixtures.ts";
import { bookingsOf, resultFor, retellFunctionCall, toolCallId, toolShop, type Agent, type ToolShop, vapiToolCalls, voiceAgent } from "./tool-fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db, { VOICE_PUBLIC_BASE_URL: PUBLIC_BASE });
// The same function with a short bound per tool call, to see a held-up call answered in time.
const quick = useFunctions(db, { VOICE_PUBLIC_BASE_URL: PUBLIC_BASE, VOICE_TOOL_TIMEOUT_MS: "700" });
const vapiUrl = () => `${fns.url}/call-events/vapi`;
const retellUrl = () => `${fns.url}/call-events/retell`;

let shop: ToolShop;
let other: ToolShop;
let vapi: Agent;
let otherVapi: Agent;
beforeAll(async () => {
  shop = await toolShop(db, "tc-shop");
  other = await toolShop(db, "tc-other");
  vapi = await voiceAgent(db, shop, "vapi");
  otherVapi = await voiceAgent(db, other, "vapi");
});

const post = async (agent: Agent, body: unknown) => {
  const res = await postVapi(vapiUrl(), body, agent.secret, "bearer");
  return { status: res.status, body: await res.json() };
};

describe("Vapi tool-calls", () => {
  it("runs every call of a message (SDK shape) and answers {results: [{name, toolCallId, result}]}, recording the live call", async () => {
    const caller = phone();
    const callId = crypto.randomUUID();
    const { body, ids } = vapiToolCalls(vapi.platformId, [
      { name: "check_availability", args: { service: "a fade", staff: "with Luis", day: "tomorrow" } },
      { name: "business_info", args: {} },
    ], { callId, customerNumber: caller, businessNumber: shop.number });
    const res = await post(vapi, body);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { toolCallId: string; name: string }) => [r.toolCallId, r.name])).toEqual([[ids[0], "check_availability"], [ids[1], "business_info"]]);
    const slots = resultFor(res.body, ids[0]);
    expect(slots).toMatchObject({ ok: true, tool: "check_availability", resolved: { service: "Skin Fade", staff: "Luis" } });
    expect(slots.data.slots.length).toBeGreaterThan(0);
    expect(resultFor(res.body, ids[1]).message).toMatch(/Skin Fade \(30 min, 35\.00 USD\)/);
    const [call] = await db.sql`select provider, provider_call_id, status::text, from_number, agent_id from public.calls where tenant_id = ${shop.id}`;
    expect(call).toMatchObject({ provider: "vapi", provider_call_id: callId, status: "in_progress", from_number: caller, agent_id: vapi.id });
  });

  it("reads the docs' shape too (name and object arguments on the item)", async () => {
    const { body, ids } = vapiToolCalls(vapi.platformId, [{ name: "check_availability", args: { service: "Beard Trim", day: "tomorrow", part_of_day: "morning" } }],
      { customerNumber: phone(), businessNumber: shop.number, docsShape: true });
    const res = await post(vapi, body);
    expect(resultFor(res.body, ids[0])).toMatchObject({ ok: true, resolved: { service: "Beard Trim", part_of_day: "morning" } });
  });

  it("a retried tool call (same toolCallId), in turn or at once, books once and answers the same booking", async () => {
    const caller = phone();
    const callId = crypto.randomUUID();
    const id = toolCallId();
    const make = () => vapiToolCalls(vapi.platformId, [{ id, name: "book_appointment", args: { service: "Skin Fade", staff: "Sam", day: "tomorrow", time: "11:00" } }],
      { callId, customerNumber: caller, businessNumber: shop.number }).body;
    const first = resultFor((await post(vapi, make())).body, id);
    expect(first).toMatchObject({ ok: true, tool: "book_appointment" });
    const [again, concurrent] = await Promise.all([post(vapi, make()), post(vapi, make())]);
    for (const r of [again, concurrent]) {
      expect(resultFor(r.body, id)).toMatchObject({ ok: true, replayed: true, data: { booking: { id: first.data.booking.id } } });
    }
    const mine = (await bookingsOf(db, shop.id)).filter((b) => b.id === first.data.booking.id);
    expect(mine).toHaveLength(1);
    const [customer] = await db.sql`select id from public.customers where tenant_id = ${shop.id} and phone = ${caller}`;
    expect(mine[0]).toMatchObject({ customer_id: customer.id, staff_id: shop.staff.Sam, service_id: shop.services["Skin Fade"], source: "voice" });
    const byCustomer = await db.sql`select count(*)::int as n from public.bookings where tenant_id = ${shop.id} and customer_id = ${customer.id}`;
    expect(byCustomer[0].n).toBe(1);
  });

  it("another business's service, staff or booking ids change nothing, there or here", async () => {
    // a booking of the other business, made by its own caller through its own agent
    const otherCaller = phone();
    const theirCall = vapiToolCalls(otherVapi.platformId, [{ name: "book_appointment", args: { service: "Kids Cut", day: "tomorrow", time: "15:00" } }],
      { customerNumber: otherCaller, businessNumber: other.number });
    expect(resultFor((await post(otherVapi, theirCall.body)).body, theirCall.ids[0])).toMatchObject({ ok: true });
    const [theirs] = await db.sql`select id, starts_at, status::text from public.bookings where tenant_id = ${other.id}`;
    expect(theirs).toBeDefined();
    const before = { mine: await bookingsOf(db, shop.id), theirs: await bookingsOf(db, other.id) };

    // this shop's caller, through this shop's agent, naming the other business's ids (and even its caller's number in the args)
    const caller = phone();
    const { body, ids } = vapiToolCalls(vapi.platformId, [
      { name: "book_appointment", args: { service: other.services["Skin Fade"], staff: other.staff.Luis, day: "tomorrow", time: "12:00" } },
      { name: "reschedule_appointment", args: { booking_id: theirs.id, day: "tomorrow", time: "13:00" } },
      { name: "cancel_appointment", args: { booking_id: theirs.id } },
      { name: "check_availability", args: { service: other.services["Kids Cut"], staff: other.staff.Luis } },
    ], { customerNumber: caller, businessNumber: shop.number });
    const res = await post(vapi, body);
    expect(res.status).toBe(200);
    expect(resultFor(res.body, ids[0])).toMatchObject({ ok: false, error: { code: "unknown_service" } });
    expect(resultFor(res.body, ids[1])).toMatchObject({ ok: false });
    expect(resultFor(res.body, ids[2])).toMatchObject({ ok: false });
    expect(resultFor(res.body, ids[3])).toMatchObject({ ok: false, error: { code: "unknown_service" } });
    expect(await bookingsOf(db, shop.id)).toEqual(before.mine);
    expect(await bookingsOf(db, other.id)).toEqual(before.theirs);

    // the other business's agent secret does not open this business's number
    const forged = vapiToolCalls(vapi.platformId, [{ name: "book_appointment", args: { service: "Skin Fade", day: "tomorrow", time: "14:00" } }],
      { customerNumber: caller, businessNumber: shop.number }).body;
    expect((await post(otherVapi, forged)).status).toBe(401);
    expect((await postVapi(vapiUrl(), forged, null)).status).toBe(401);
    expect(await bookingsOf(db, shop.id)).toEqual(before.mine);
  });

  it("what a model gets wrong is a result, an odd item does not lose the others, and a message without tool calls is a 400", async () => {
    const caller = phone();
    const { body, ids } = vapiToolCalls(vapi.platformId, [
      { name: "summon_dragon", args: {} },
      { name: "book_appointment", args: { service: "Skin Fade", time: 42 } },
      { name: "list_appointments", args: {} },
    ], { customerNumber: caller, businessNumber: shop.number });
    const m = body.message as unknown as { toolCallList: unknown[] };
    m.toolCallList.push({ type: "function", function: { name: "business_info", arguments: "{}" } }); // no id: nothing to answer it by
    (m.toolCallList[2] as { function: { arguments: string } }).function.arguments = "";
    const res = await post(vapi, body);
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(3);
    expect(resultFor(res.body, ids[0])).toMatchObject({ ok: false, error: { code: "unknown_tool" } });
    expect(resultFor(res.body, ids[1])).toMatchObject({ ok: false, error: { code: "invalid_arguments" } });
    expect(resultFor(res.body, ids[2])).toMatchObject({ ok: true, tool: "list_appointments" });

    const empty = vapiMessage("tool-calls", vapi.platformId, { businessNumber: shop.number, extra: { toolCallList: [] } });
    const refused = await post(vapi, empty);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/toolCallList/);
  });

  it("a withheld caller id books nothing and finds no one", async () => {
    const { body, ids } = vapiToolCalls(vapi.platformId, [
      { name: "book_appointment", args: { service: "Skin Fade", day: "tomorrow", time: "16:00" } },
      { name: "caller_profile", args: {} },
    ], { customerNumber: "+266696687", businessNumber: shop.number });
    const before = (await bookingsOf(db, shop.id)).length;
    const res = await post(vapi, body);
    expect(resultFor(res.body, ids[0])).toMatchObject({ ok: false, error: { code: "unknown_caller" } });
    expect(resultFor(res.body, ids[1])).toMatchObject({ ok: true, data: { known: false } });
    expect((await bookingsOf(db, shop.id)).length).toBe(before);
    expect((await db.sql`select count(*)::int as n from public.customers where tenant_id = ${shop.id} and phone = '+266696687'`)[0].n).toBe(0);
  });

  it("the older function-call message is answered {result}", async () => {
    const m = vapiMessage("function-call", vapi.platformId, {
      customerNumber: phone(), businessNumber: shop.number,
      extra: { functionCall: { name: "check_availability", parameters: JSON.stringify({ service: "Kids Cut", day: "tomorrow" }) } },
    });
    const res = await post(vapi, m);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(["result"]);
    expect(JSON.parse(res.body.result)).toMatchObject({ ok: true, tool: "check_availability", resolved: { service: "Kids Cut" } });
  });
});

describe("Vapi tool-calls: each call bounded in time", () => {
  it("a call held up past the bound is answered with an error for its id; the others in the message are answered", async () => {
    const { body, ids } = vapiToolCalls(vapi.platformId, [
      { name: "check_availability", args: { service: "Skin Fade", day: "tomorrow" } },
      { name: "business_info", args: {} },
    ], { customerNumber: phone(), businessNumber: shop.number });
    // Another session holds the bookings table, so availability cannot be read until it lets go.
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => { locked = r; });
    const holder = db.sql.begin(async (tx) => {
      await tx`lock table public.bookings in access exclusive mode`;
      locked();
      await held;
    });
    await isLocked;
    try {
      const t0 = Date.now();
      const res = await postVapi(`${quick.url}/call-events/vapi`, body, vapi.secret, "bearer");
      const answer = await res.json();
      expect(res.status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(answer.results.find((r: { toolCallId: string }) => r.toolCallId === ids[0])).toEqual({
        name: "check_availability", toolCallId: ids[0], error: expect.stringMatching(/took too long/),
      });
      expect(resultFor(answer, ids[1])).toMatchObject({ ok: true, tool: "business_info" });
    } finally {
      release();
      await holder;
    }
  });
});

describe("Vapi assistant-request: the transient assistant's tools", () => {
  it("one function tool per receptionist tool, from the same JSON schemas, served by this server's call-events/vapi", async () => {
    const b = await toolShop(db, "tc-transient");
    const agent = await voiceAgent(db, b, "vapi", { platformId: null, config: { vapi_credential_id: "cred_9f3a" } });
    const res = await postVapi(vapiUrl(), vapiMessage("assistant-request", null, { businessNumber: b.number }), agent.secret);
    expect(res.status).toBe(200);
    const { assistant } = await res.json();
    const tools = assistant.model.tools as { type: string; function: { name: string; parameters: { type: string } }; server: { url: string; credentialId?: string } }[];
    expect(tools.map((t) => t.function.name)).toEqual(TOOL_NAMES);
    for (const t of tools) {
      expect(t.type).toBe("function");
      expect(t.function.parameters.type).toBe("object");
      expect(t.server).toMatchObject({ url: `${PUBLIC_BASE}/call-events/vapi`, credentialId: "cred_9f3a" });
    }
    const book = tools.find((t) => t.function.name === "book_appointment")!;
    expect(Object.keys((book.function.parameters as unknown as { properties: object }).properties)).toEqual(
      expect.arrayContaining(["service", "staff", "starts_at", "day", "time"]));
  });
});

describe("Retell custom functions", () => {
  it("{name, args, call} signed with x-retell-signature: answered from the same tools, a retry books once", async () => {
    const retell = await voiceAgent(db, shop, "retell");
    const caller = phone();
    const callId = `call_${crypto.randomUUID().replace(/-/g, "")}`;
    const call = (name: string, args: Record<string, unknown>) => retellFunctionCall({ name, args, agentId: retell.platformId!, callId, from: caller, to: shop.number });

    const avail = await postRetell(retellUrl(), call("check_availability", { service: "skin fade", staff: "Luis", day: "tomorrow", part_of_day: "afternoon" }), retell.secret);
    expect(avail.status).toBe(200);
    const slots = await avail.json();
    expect(slots).toMatchObject({ ok: true, tool: "check_availability", resolved: { service: "Skin Fade", staff: "Luis", part_of_day: "afternoon" } });
    const startsAt = slots.data.slots[0].starts_at;

    const booking = call("book_appointment", { service: "Skin Fade", staff: "Luis", starts_at: startsAt });
    const first = await (await postRetell(retellUrl(), booking, retell.secret)).json();
    expect(first).toMatchObject({ ok: true, data: { booking: { starts_at: startsAt, staff: "Luis" } } });
    const retried = await (await postRetell(retellUrl(), booking, retell.secret)).json();
    expect(retried).toMatchObject({ ok: true, replayed: true, data: { booking: { id: first.data.booking.id } } });
    expect((await db.sql`select count(*)::int as n from public.bookings where tenant_id = ${shop.id} and starts_at = ${startsAt} and staff_id = ${shop.staff.Luis}`)[0].n).toBe(1);
    const [row] = await db.sql`select provider, status::text from public.calls where tenant_id = ${shop.id} and provider_call_id = ${callId}`;
    expect(row).toEqual({ provider: "retell", status: "in_progress" });

    // unsigned or signed with another key: 401; an agent nobody registered: 404; nothing booked either way
    const other = call("book_appointment", { service: "Skin Fade", day: "tomorrow", time: "09:30" });
    expect((await postRetell(retellUrl(), other, null)).status).toBe(401);
    expect((await postRetell(retellUrl(), other, "key_wrong")).status).toBe(401);
    const stray = retellFunctionCall({ name: "book_appointment", args: {}, agentId: "agent_nobody", callId, from: caller, to: shop.number });
    expect((await postRetell(retellUrl(), stray, retell.secret)).status).toBe(404);
    expect((await db.sql`select count(*)::int as n from public.bookings where tenant_id = ${shop.id} and customer_id = (select id from public.customers where tenant_id = ${shop.id} and phone = ${caller})`)[0].n).toBe(1);
    // neither an event nor a function call: 400 naming the problem
    const odd = await postRetell(retellUrl(), { call: booking.call }, retell.secret);
    expect(odd.status).toBe(400);
    expect((await odd.json()).error.message).toMatch(/custom function call/);
  });
});
