// The LLM assistant against a real database and a scripted OpenAI-compatible stand-in (tests/helpers/llm.ts): each
// customer message is an inbound row shaped like Meta's message object, each turn runs through runAssistantTurn (as
// frontdesk_webhook, one transaction), and the stand-in answers the tool calls a model would make. We check what a
// customer would get (the queued replies), what is stored (bookings, usage), and what the model was sent.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { perBusinessAssistant } from "../../supabase/functions/_shared/assistant/choose.ts";
import { createLlmAssistant, type LlmAssistantOptions } from "../../supabase/functions/_shared/assistant/llm-assistant.ts";
import { tenantSecretContext } from "../../supabase/functions/_shared/secrets/tenant-secrets.ts";
import { runAssistantTurn } from "../../supabase/functions/_shared/assistant/run.ts";
import type { Assistant } from "../../supabase/functions/_shared/assistant/types.ts";
import { replyProblems } from "../../supabase/functions/_shared/assistant/whatsapp.ts";
import { encryptSecret } from "../../supabase/functions/_shared/secrets/crypto.ts";
import { asRequest, outcome, useTestDatabase } from "../helpers/db.ts";
import { type ChatRequestSeen, lastUser, type Move, toolResults, useLlm } from "../helpers/llm.ts";
import { functionsKey } from "../helpers/secrets.ts";
import { barbershop, caller, type Caller, localDays, peluqueria, type Shop } from "../tools/fixtures.ts";

const db = useTestDatabase();
const llm = useLlm();

interface Sent { id: string; type: string; body: string; purpose: string | null; payload: Record<string, any> }

function assistant(opts: Partial<LlmAssistantOptions> = {}): Assistant {
  return createLlmAssistant({ config: () => ({ baseUrl: llm.url, apiKey: "sk-platform-test", model: "gpt-test" }), maxRounds: 5, timeoutMs: 3000, ...opts });
}

async function receive(c: Caller, m: Record<string, unknown>): Promise<string> {
  const wamid = `wamid.${randomBytes(12).toString("hex")}`;
  const x = m as Record<string, any>;
  const body = x.text?.body ?? x.interactive?.button_reply?.title ?? x.interactive?.list_reply?.title ?? x.button?.text ?? null;
  const [row] = await db.sql`
    insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, payload, provider_message_id, status)
    values (${c.shop.id}, ${c.conversationId}, ${c.shop.waChannelId}, 'inbound', ${x.type}, ${body},
            ${db.sql.json({ from: c.phone.slice(1), id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), ...m } as never)}, ${wamid}, 'received')
    returning id`;
  await db.sql`update public.conversations set last_inbound_at = now() where tenant_id = ${c.shop.id} and id = ${c.conversationId}`;
  return row.id;
}

async function say(c: Caller, m: Record<string, unknown> | string, a: Assistant = assistant()): Promise<Sent[]> {
  const messageId = await receive(c, typeof m === "string" ? { type: "text", text: { body: m } } : m);
  const result = await runAssistantTurn(db.sql, { tenantId: c.shop.id, conversationId: c.conversationId, messageId }, a);
  const rows = result.messageIds.length === 0 ? [] : await db.sql<Sent[]>`
    select id, type, body, purpose, payload from public.messages where id = any(${result.messageIds}::uuid[])`;
  const sent = result.messageIds.map((id) => rows.find((r) => r.id === id)!);
  for (const s of sent) expect(replyProblems(s as never)).toEqual([]);
  return sent;
}

const yes = (title = "Yes, confirm") => ({ type: "interactive", interactive: { type: "button_reply", button_reply: { id: "llm:yes", title } } });
const isMenu = (s: Sent) => s.type === "interactive" && /"(menu|svc|staff|day|slot|bk|cancel|confirm):/.test(JSON.stringify(s.payload));
const buttonIds = (s: Sent) => (s.payload.action?.buttons ?? []).map((b: { reply: { id: string } }) => b.reply.id);

/** The last message the model was given: a tool result (parsed) or the customer's words. */
function lastTool(req: ChatRequestSeen): Record<string, any> | null {
  const last = req.body.messages[req.body.messages.length - 1];
  return last.role === "tool" ? JSON.parse(last.content ?? "{}") : null;
}
const toolName = (req: ChatRequestSeen) => {
  const calls = req.body.messages.filter((m) => m.role === "assistant" && m.tool_calls).flatMap((m) => m.tool_calls!);
  return calls[calls.length - 1]?.function.name ?? null;
};

async function bookingsOf(tenantId: string) {
  return db.sql`select id, customer_id, starts_at, status, source from public.bookings where tenant_id = ${tenantId} order by created_at`;
}

async function llmShop(make: () => Promise<Shop>, extra: Record<string, unknown> = {}): Promise<Shop> {
  const shop = await make();
  await db.sql`update public.tenants set settings = settings || ${db.sql.json({ assistant: { mode: "llm", instructions: "Always offer a free coffee.", ...extra } } as never)}
               where id = ${shop.id}`;
  return shop;
}

/** A model that checks availability, proposes the first slot, and books it once the customer agrees. */
function booker(check: Record<string, unknown>, words: { propose: (when: string) => string; done: string }) {
  let booking: Record<string, unknown> | null = null;
  return (req: ChatRequestSeen): Move => {
    const t = lastTool(req);
    if (!t) {
      if (booking && /^(yes|s[ií])/i.test(lastUser(req))) return { call: [{ name: "book_appointment", args: booking }] };
      return { call: [{ name: "check_availability", args: check }] };
    }
    if (toolName(req) === "check_availability") {
      const slot = t.data.slots[0];
      booking = { service: check.service, ...(check.staff ? { staff: check.staff } : {}), starts_at: slot.starts_at };
      return { call: [{ name: "book_appointment", args: booking }] };
    }
    if (t.error === "needs_confirmation") return { say: words.propose(t.resolved.when) };
    if (t.ok) return { say: words.done };
    return { say: `Sorry: ${t.message}` };
  };
}

describe("the LLM assistant", () => {
  let fade: Shop;
  let luna: Shop;
  beforeAll(async () => {
    fade = await llmShop(() => barbershop(db, "llm-fade"));
    luna = await llmShop(() => peluqueria(db, "llm-luna"), { languages: ["es"] });
  });

  it("books from free text in English, after the customer confirms; the model saw only this business, in its time zone", async () => {
    const c = await caller(db, fade, "Maria");
    llm.script = booker({ service: "skin fade", staff: "Luis", day: "tomorrow", part_of_day: "morning" }, {
      propose: (when) => `Luis is free ${when}. Shall I book your Skin Fade then?`, done: "Booked! See you tomorrow.",
    });
    const before = llm.requests.length;
    const [ask] = await say(c, "Hi, do you have something tomorrow morning with Luis for a skin fade?");
    expect(ask.type).toBe("interactive");
    expect(ask.body).toMatch(/^Luis is free .+ Shall I book your Skin Fade then\?$/);
    expect(buttonIds(ask)).toEqual(["llm:yes", "llm:no"]);
    expect(await bookingsOf(fade.id)).toHaveLength(0); // not before the customer says yes

    const [done] = await say(c, yes());
    expect(done).toMatchObject({ type: "text", body: "Booked! See you tomorrow." });
    const stored = await bookingsOf(fade.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ customer_id: c.customerId, status: "confirmed", source: "whatsapp" });
    const [{ h }] = await db.sql`select extract(hour from ${stored[0].starts_at}::timestamptz at time zone 'America/New_York')::int as h`;
    expect(h).toBeLessThan(12);

    // What the model received: tools as OpenAI function tools, this business's catalog and clock, nothing else.
    const seen = llm.requests.slice(before);
    expect(seen.length).toBe(5); // check, try the booking, ask; then book, confirm
    for (const r of seen) {
      expect(r.authorization).toBe("Bearer sk-platform-test");
      expect(r.body.model).toBe("gpt-test");
      expect(r.body.tool_choice).toBe("auto");
      expect(r.body.tools!.map((t) => t.type)).toEqual(r.body.tools!.map(() => "function"));
      expect(r.body.tools!.map((t) => t.function.name)).toContain("book_appointment");
      for (const secret of [fade.id, luna.id, c.customerId, c.conversationId, "Peluquería Luna", "Corte de pelo", "sk-platform-test"]) {
        expect(r.raw).not.toContain(secret);
      }
    }
    const system = seen[0].body.messages[0];
    expect(system.role).toBe("system");
    expect(system.content).toContain("Fade House");
    expect(system.content).toContain("12 Main St, Brooklyn");
    expect(system.content).toContain("America/New_York");
    expect(system.content).toContain("35.00 USD");
    expect(system.content).toContain("Beard Trim");
    expect(system.content).toContain("Always offer a free coffee.");
    const { today } = await localDays(db, "America/New_York");
    expect(system.content).toContain(today);
    // The second turn carried the first one's dialog.
    const second = seen[3].body.messages.map((m) => m.content ?? "");
    expect(second.some((x) => x.startsWith("Hi, do you have something tomorrow morning"))).toBe(true);
    expect(second.some((x) => x.startsWith("Luis is free"))).toBe(true);

    const usage = await db.sql`select metric::text, sum(quantity)::int as n from public.usage_events
                               where tenant_id = ${fade.id} and metric in ('assistant_turns', 'assistant_tokens') group by 1 order by 1`;
    expect(usage).toEqual([{ metric: "assistant_tokens", n: 5 * 120 }, { metric: "assistant_turns", n: 2 }]);
  });

  it("books in Spanish, with Spanish buttons", async () => {
    const c = await caller(db, luna, "Lucía");
    llm.script = booker({ service: "corte de pelo", day: "mañana", part_of_day: "afternoon" }, {
      propose: (when) => `Tengo hueco ${when}. ¿Te reservo el corte?`, done: "¡Reservado! Hasta mañana.",
    });
    const before = llm.requests.length;
    const [ask] = await say(c, "Hola, ¿tenéis hueco mañana por la tarde para un corte de pelo?");
    expect(ask.body).toMatch(/¿Te reservo el corte\?$/);
    expect(ask.payload.action.buttons.map((b: { reply: { title: string } }) => b.reply.title)).toEqual(["Sí, confirmar", "No"]);
    const [done] = await say(c, yes("Sí, confirmar"));
    expect(done.body).toBe("¡Reservado! Hasta mañana.");
    const stored = await bookingsOf(luna.id);
    expect(stored).toHaveLength(1);
    const [{ h }] = await db.sql`select extract(hour from ${stored[0].starts_at}::timestamptz at time zone 'Europe/Madrid')::int as h`;
    expect(h).toBeGreaterThanOrEqual(12);
    const system = llm.requests[before].body.messages[0].content!;
    expect(system).toContain("Europe/Madrid");
    expect(system).toContain("Answer in es");
    expect(system).toContain("18.00 EUR");
    expect(system).not.toContain("Fade House");
  });

  it("reschedules and cancels only after a yes; a 'no' changes nothing", async () => {
    const c = await caller(db, fade, "Ana");
    const { tomorrow } = await localDays(db, "America/New_York");
    const [{ later }] = await db.sql`select to_char(${tomorrow}::date + 1, 'YYYY-MM-DD') as later`;
    // An existing booking, made the way any assistant makes one.
    const { runTool } = await import("../../supabase/functions/_shared/tools/run.ts");
    const made = await runTool({ tenantId: fade.id, source: "whatsapp", conversationId: c.conversationId }, "book_appointment",
      { service: "Skin Fade", staff: "Sam", day: tomorrow, time: "11:00" }, { sql: db.sql });
    expect(made.ok).toBe(true);

    const move = { day: later, time: "15:00" };
    llm.script = (req) => {
      const t = lastTool(req);
      if (!t) return { call: [{ name: "reschedule_appointment", args: move }] };
      if (t.error === "needs_confirmation") return { say: `I can ${t.message.match(/\((.+)\)/)![1]}. OK?` };
      return { say: t.ok ? "Moved!" : `Sorry: ${t.message}` };
    };
    const [ask] = await say(c, "Can you move my appointment to the day after tomorrow at 3pm?");
    expect(ask.body).toMatch(/^I can move Skin Fade with Sam, .+ to .+3:00 PM.* OK\?$/);
    // "No": the model, seeing a no, does not call the tool; nothing moves and nothing is pending any more.
    llm.script = () => ({ say: "No problem, I kept your booking." });
    await say(c, { type: "interactive", interactive: { type: "button_reply", button_reply: { id: "llm:no", title: "No" } } });
    expect((await bookingsOf(fade.id)).filter((b) => b.customer_id === c.customerId && b.status === "confirmed")).toHaveLength(1);
    // A model that calls the tool right after a "no" turn (no fresh confirmation) is asked to confirm again.
    llm.script = (req) => (lastTool(req) ? { say: "Shall I move it?" } : { call: [{ name: "reschedule_appointment", args: move }] });
    await say(c, "Actually, hmm");
    expect((await bookingsOf(fade.id)).filter((b) => b.customer_id === c.customerId && b.status === "confirmed")[0].id).toBe(bookingIdOf(made));
    llm.script = (req) => {
      const t = lastTool(req);
      if (!t) return { call: [{ name: "reschedule_appointment", args: { time: "15:00", day: later } }] }; // same call, other order
      return { say: t.ok ? "Moved!" : `Sorry: ${t.message}` };
    };
    const [moved] = await say(c, "yes");
    expect(moved.body).toBe("Moved!");
    const mine = (await bookingsOf(fade.id)).filter((b) => b.customer_id === c.customerId);
    expect(mine.map((b) => b.status)).toEqual(["cancelled", "confirmed"]);

    // Cancelling: asked, confirmed, done.
    llm.script = (req) => {
      const t = lastTool(req);
      if (!t) return { call: [{ name: "cancel_appointment", args: { reason: "cannot come" } }] };
      if (t.error === "needs_confirmation") return { say: "Cancel your Skin Fade?" };
      return { say: t.ok ? "Cancelled." : `Sorry: ${t.message}` };
    };
    const [ask2] = await say(c, "Please cancel my appointment");
    expect(buttonIds(ask2)).toEqual(["llm:yes", "llm:no"]);
    expect((await bookingsOf(fade.id)).filter((b) => b.customer_id === c.customerId).map((b) => b.status)).toEqual(["cancelled", "confirmed"]);
    const [cancelled] = await say(c, yes());
    expect(cancelled.body).toBe("Cancelled.");
    expect((await bookingsOf(fade.id)).filter((b) => b.customer_id === c.customerId).map((b) => b.status)).toEqual(["cancelled", "cancelled"]);
  });

  it("a tapped No declines what was proposed; a confirmed call is done once, even if the model repeats it", async () => {
    const c = await caller(db, fade, "Noa");
    const { tomorrow } = await localDays(db, "America/New_York");
    const args = { service: "Kids Cut", day: tomorrow, time: "16:00" };
    const answers: Record<string, any>[] = [];
    llm.script = (req) => {
      const t = lastTool(req);
      if (!t) return { call: [{ name: "book_appointment", args }] };
      answers.push(t);
      return toolResults(req).length === 1 ? { call: [{ name: "book_appointment", args }] } : { say: "Done?" }; // the model repeats itself once
    };
    await say(c, "kids cut tomorrow at 4pm"); // proposed (asked twice in one turn: still only proposed)
    expect(answers.map((a) => a.error)).toEqual(["needs_confirmation", "needs_confirmation"]);
    answers.length = 0;
    await say(c, { type: "interactive", interactive: { type: "button_reply", button_reply: { id: "llm:no", title: "No" } } });
    expect(answers.map((a) => a.error ?? "done")).toEqual(["needs_confirmation", "needs_confirmation"]); // the No stands
    expect((await bookingsOf(fade.id)).filter((b) => b.customer_id === c.customerId)).toHaveLength(0);
    answers.length = 0;
    const [reply] = await say(c, yes());
    // The repeat is only tried (and undone): Luis, the one who does kids' cuts, is now taken then.
    expect(answers.map((a) => [a.ok, a.error ?? null])).toEqual([[true, null], [false, "slot_taken"]]);
    expect(reply.body).toBe("Done?");
    expect((await bookingsOf(fade.id)).filter((b) => b.customer_id === c.customerId && b.status === "confirmed")).toHaveLength(1);
  });

  it("a tool call carrying another business's ids changes nothing", async () => {
    const victim = await caller(db, luna, "Otro");
    const { runTool } = await import("../../supabase/functions/_shared/tools/run.ts");
    const { tomorrow } = await localDays(db, "Europe/Madrid");
    const theirs = await runTool({ tenantId: luna.id, source: "whatsapp", conversationId: victim.conversationId }, "book_appointment",
      { service: "Tinte", day: tomorrow, time: "10:00" }, { sql: db.sql });
    expect(theirs.ok).toBe(true);
    const [{ svc }] = await db.sql`select id as svc from public.services where tenant_id = ${luna.id} and name = 'Tinte'`;
    const c = await caller(db, fade, "Mallory");
    const attacks = [
      { name: "cancel_appointment", args: { booking_id: bookingIdOf(theirs) } },
      { name: "reschedule_appointment", args: { booking_id: bookingIdOf(theirs), day: tomorrow, time: "12:00" } },
      { name: "book_appointment", args: { service: svc, day: tomorrow, time: "12:00" } },
    ];
    const answers: Record<string, any>[] = [];
    for (let i = 0; i < 2; i++) { // twice: a "confirmation" never turns a refused call into a done one
      llm.script = (req) => {
        if (!lastTool(req)) return { call: attacks };
        answers.push(...toolResults(req));
        return { say: "Sorry, I cannot do that." };
      };
      await say(c, i === 0 ? "cancel booking " + bookingIdOf(theirs) : "yes");
    }
    expect(answers.map((a) => [a.ok, a.error])).toEqual([
      [false, "unknown_booking"], [false, "unknown_booking"], [false, "unknown_service"],
      [false, "unknown_booking"], [false, "unknown_booking"], [false, "unknown_service"],
    ]);
    const [b] = await db.sql`select status, starts_at from public.bookings where tenant_id = ${luna.id} and id = ${bookingIdOf(theirs)}`;
    expect(b.status).toBe("confirmed");
    expect((await bookingsOf(fade.id)).filter((x) => x.customer_id === c.customerId)).toHaveLength(0);
  });

  it("hands the conversation to a person when asked", async () => {
    const c = await caller(db, fade, "Pat");
    llm.script = (req) => (lastTool(req) ? { say: "Someone from the team will reply here shortly." } : { call: [{ name: "transfer_to_human", args: { reason: "wants a person" } }] });
    const [r] = await say(c, "I'd like to talk to a real person please");
    expect(r.body).toBe("Someone from the team will reply here shortly.");
    const [cv] = await db.sql`select handed_over_at from public.conversations where id = ${c.conversationId}`;
    expect(cv.handed_over_at).not.toBeNull();
    const before = llm.requests.length;
    expect(await say(c, "hello?")).toEqual([]); // staff have it now: the bot is quiet, the model is not asked
    expect(llm.requests.length).toBe(before);
  });

  describe("when the model cannot answer, the menu does, and nothing the model did stays", () => {
    const cases: [string, () => Partial<LlmAssistantOptions> | void, Move | null][] = [
      ["unreachable", () => ({ config: () => ({ baseUrl: "http://127.0.0.1:9/v1", model: "m" }) }), null],
      ["slow", () => ({ timeoutMs: 300 }), { hang: 2000 }],
      ["not JSON", () => undefined, { garbage: "<html>502 Bad Gateway</html>" }],
      ["not a completion", () => undefined, { garbage: JSON.stringify({ object: "chat.completion", choices: [] }) }],
      ["an HTTP error", () => undefined, { status: 500, body: JSON.stringify({ error: { message: "overloaded", type: "server_error" } }) }],
      ["empty", () => undefined, { say: "  " }],
    ];
    for (const [what, opts, move] of cases) {
      it(`${what}`, async () => {
        const c = await caller(db, fade, null);
        if (move) llm.script = () => move;
        const sent = await say(c, "do you have anything tomorrow?", assistant(opts() ?? {}));
        expect(sent).toHaveLength(1);
        expect(isMenu(sent[0])).toBe(true);
        const [{ n }] = await db.sql`select count(*)::int as n from public.usage_events where tenant_id = ${fade.id}
                                     and metric = 'assistant_turns' and source_ref = ${"llm:" + (await lastInbound(c))}`;
        expect(n).toBe(0);
      });
    }

    it("a booking made in the turn is undone when the model then fails", async () => {
      const c = await caller(db, fade, "Quinn");
      const { tomorrow } = await localDays(db, "America/New_York");
      const args = { service: "Beard Trim", day: tomorrow, time: "13:00" };
      llm.script = (req) => (lastTool(req) ? { say: "Book it?" } : { call: [{ name: "book_appointment", args }] });
      await say(c, "beard trim tomorrow at 1pm");
      let round = 0;
      llm.script = () => (round++ === 0 ? { call: [{ name: "book_appointment", args }] } : { garbage: "{oops" });
      const [reply] = await say(c, yes());
      expect(round).toBe(2); // the booking was made, then the model broke
      expect(isMenu(reply)).toBe(true);
      expect((await bookingsOf(fade.id)).filter((b) => b.customer_id === c.customerId)).toHaveLength(0);
      const calls = await db.sql`select count(*)::int as n from private.tool_calls where tenant_id = ${fade.id} and conversation_id = ${c.conversationId}`;
      expect(calls[0].n).toBe(0);
    });

    it("too many tool rounds", async () => {
      const c = await caller(db, fade, null);
      llm.script = () => ({ call: [{ name: "business_info", args: {} }] });
      const before = llm.requests.length;
      const [reply] = await say(c, "what are your hours?", assistant({ maxRounds: 3 }));
      expect(llm.requests.length - before).toBe(3);
      expect(isMenu(reply)).toBe(true);
    });
  });

  it("STOP never reaches the model; an opted-out customer's messages neither", async () => {
    const c = await caller(db, fade, "Sol");
    llm.script = () => ({ say: "should never be asked" });
    const before = llm.requests.length;
    const [conf] = await say(c, "STOP");
    expect(conf.purpose).toBe("opt_out_confirmation");
    expect(await say(c, "are you open tomorrow?")).toEqual([]);
    expect(llm.requests.length).toBe(before);
    const [cu] = await db.sql`select opted_out_at from public.customers where id = ${c.customerId}`;
    expect(cu.opted_out_at).not.toBeNull();
  });

  it("past the plan's assistant turns, the menu answers and the model is not asked", async () => {
    const shop = await llmShop(() => barbershop(db, "llm-capped"));
    await db.sql`insert into public.plans (id, name, monthly_price_cents, limits) values ('llm-two', 'Two turns', 0, '{"assistant_turns": 2}')
                 on conflict (id) do nothing`;
    await db.sql`insert into public.subscriptions (tenant_id, plan_id, status) values (${shop.id}, 'llm-two', 'active')`;
    const c = await caller(db, shop, "Kim");
    llm.script = () => ({ say: "Hello from the model" });
    const before = llm.requests.length;
    expect((await say(c, "hello there"))[0].body).toBe("Hello from the model");
    expect((await say(c, "and again"))[0].body).toBe("Hello from the model");
    const [third] = await say(c, "once more");
    expect(isMenu(third)).toBe(true);
    expect(llm.requests.length - before).toBe(2);
  });

  it("a business's own key: set by owners only, never readable by clients, used as the bearer and never in the prompt", async () => {
    const shop = await llmShop(() => barbershop(db, "llm-own-key"), { model: "their-model" });
    const key = await functionsKey();
    const own = `sk-own-${randomBytes(8).toString("hex")}`;
    const { ciphertext, keyId } = await encryptSecret(own, tenantSecretContext(shop.id, "llm_api_key"), key);
    const asOwner = (work: Parameters<typeof asRequest>[2]) => asRequest(db, shop.members.owner.token, work);
    expect(await outcome(asRequest(db, shop.members.staff.token, (tx) => tx`select private.set_tenant_secret('llm_api_key', ${ciphertext}, ${keyId})`))).toBe("PT403");
    await asOwner((tx) => tx`select private.set_tenant_secret('llm_api_key', ${ciphertext}, ${keyId})`);
    expect(await outcome(asOwner((tx) => tx`select * from private.tenant_secrets`))).toBe("42501");
    expect(await outcome(asOwner((tx) => tx`select * from private.tenant_secret(${shop.id}, 'llm_api_key')`))).toBe("42501");

    const c = await caller(db, shop, "Lee");
    llm.script = () => ({ say: "Hi!" });
    const before = llm.requests.length;
    await say(c, "hi", assistant({ key }));
    const r = llm.requests[before];
    expect(r.authorization).toBe(`Bearer ${own}`);
    expect(r.body.model).toBe("their-model");
    expect(r.raw).not.toContain(own);

    // Their key no longer decrypts (another platform key made it): the menu answers; the platform's key is not used instead.
    const { importKey } = await import("../../supabase/functions/_shared/secrets/crypto.ts");
    const other = await importKey(randomBytes(32).toString("base64"));
    const stale = await encryptSecret("sk-stale", tenantSecretContext(shop.id, "llm_api_key"), other);
    await db.sql`update private.tenant_secrets set ciphertext = ${stale.ciphertext}, key_id = ${stale.keyId} where tenant_id = ${shop.id}`;
    const count = llm.requests.length;
    expect(isMenu((await say(c, "hello again", assistant({ key })))[0])).toBe(true);
    expect(llm.requests.length).toBe(count);
  });

  it("runAssistantTurn picks the assistant per business (settings.assistant.mode) and reads the platform endpoint from the environment", async () => {
    const menuShop = await barbershop(db, "menu-only");
    const c1 = await caller(db, menuShop, "Jo");
    const c2 = await caller(db, fade, "Jo");
    Object.assign(process.env, { FRONTDESK_LLM_BASE_URL: llm.url, FRONTDESK_LLM_API_KEY: "sk-env", FRONTDESK_LLM_MODEL: "env-model" });
    try {
      llm.script = () => ({ say: "From the model." });
      const before = llm.requests.length;
      expect(isMenu((await say(c1, "hello", perBusinessAssistant))[0])).toBe(true);
      expect(llm.requests.length).toBe(before);
      expect((await say(c2, "hello", perBusinessAssistant))[0].body).toBe("From the model.");
      expect(llm.requests[before]).toMatchObject({ authorization: "Bearer sk-env", body: { model: "env-model" } });
    } finally {
      for (const k of ["FRONTDESK_LLM_BASE_URL", "FRONTDESK_LLM_API_KEY", "FRONTDESK_LLM_MODEL"]) delete process.env[k];
    }
  });
});

const bookingIdOf = (r: { data?: Record<string, unknown> }) => (r.data!.booking as { id: string }).id;

async function lastInbound(c: Caller): Promise<string> {
  const [m] = await db.sql`select id from public.messages where conversation_id = ${c.conversationId} and direction = 'inbound' order by created_at desc limit 1`;
  return m.id;
}
