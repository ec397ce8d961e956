// `npm run whatsapp:simulate` in LLM mode against whatever endpoint `npm run dev` was started with (here the scripted
// stand-in), and the local stack's own scheduled drain: a booking made on the side gets its WhatsApp confirmation
// within seconds, as Supabase Cron would send it on a hosted project.
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalState } from "../../local/state.ts";
import { cleanup, devSetup, runScript, startDev, type DevSetup } from "../helpers/dev.ts";
import { useLlm } from "../helpers/llm.ts";

const llm = useLlm();
let setup: DevSetup;
const tool = (args: string[]) => runScript("local/whatsapp-simulate.ts", args, { FRONTDESK_STATE_FILE: setup.stateFile });

beforeAll(async () => {
  setup = await devSetup("frontdesk-llm-sim-");
  await startDev({ ...setup, env: { ...setup.env, FRONTDESK_LLM_BASE_URL: llm.url, FRONTDESK_LLM_MODEL: "sim-model", FRONTDESK_DRAIN_SECONDS: "1" } });
}, 180_000);

afterAll(async () => {
  await cleanup(setup);
});

describe("the simulator in LLM mode", () => {
  it("switches the business to the LLM assistant, which answers through the configured endpoint; --assistant menu switches back", async () => {
    llm.script = () => ({ say: "Hi from the model: we have Saturday at 10:00 with Luis." });
    const before = llm.requests.filter((r) => r.body.tools).length;
    const asked = await tool(["--assistant", "llm", "do you have something Saturday morning with Luis?"]);
    expect(asked.stderr).toBe("");
    expect(asked.code).toBe(0);
    expect(asked.stdout).toContain("Hi from the model: we have Saturday at 10:00 with Luis.");
    // The assistant's requests (with tools); the scheduled drain may also ask for digests of quiet conversations.
    const turns = () => llm.requests.filter((r) => r.body.tools);
    const seen = turns().slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0].body.model).toBe("sim-model");
    expect(seen[0].body.messages.at(-1)).toEqual({ role: "user", content: "do you have something Saturday morning with Luis?" });
    expect(seen[0].body.messages[0].content).toContain("Fade House");

    const menu = await tool(["--assistant", "menu", "Hi"]);
    expect(menu.code).toBe(0);
    expect(menu.stdout).toMatch(/--tap 'menu:book'/);
    expect(turns().length).toBe(before + 1);
    expect(await tool(["--assistant", "gpt", "hi"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--assistant is llm or menu/) });
  });

  it("the local stack runs the scheduled drain: a booking gets its confirmation within seconds", async () => {
    const state = JSON.parse(readFileSync(setup.stateFile, "utf8")) as LocalState;
    const sql = postgres(state.dbUrl, { max: 1, onnotice: () => {} });
    try {
      const [c] = await sql`select c.id as customer_id, c.tenant_id, cv.id as conversation_id from public.customers c
        join public.conversations cv on cv.tenant_id = c.tenant_id and cv.customer_id = c.id where c.wa_id = '15550001234' limit 1`;
      const [b] = await sql`
        insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, status, source)
        select ${c.tenant_id}, ${c.customer_id}, s.id, ss.staff_id, date_trunc('hour', now()) + interval '6 days 3 hours',
               date_trunc('hour', now()) + interval '6 days 3 hours' + s.duration_minutes * interval '1 minute', 'confirmed', 'web'
        from public.services s join public.staff_services ss on ss.tenant_id = s.tenant_id and ss.service_id = s.id
        where s.tenant_id = ${c.tenant_id} and s.active limit 1
        returning id`;
      let sent: { body: string; status: string; error_code: string | null } | undefined;
      for (const until = Date.now() + 15_000; Date.now() < until && !sent;) {
        [sent] = await sql`select m.body, m.status::text, m.error_code from public.messages m
          where m.conversation_id = ${c.conversation_id} and m.direction = 'outbound' and m.body like 'Booking confirmed%' and m.status <> 'queued'`;
        if (!sent) await new Promise((r) => setTimeout(r, 200));
      }
      expect(sent, `no confirmation sent for booking ${b.id}`).toBeDefined();
      // Sent by the drain (locally without an access token: stored, not sent, as every local reply).
      expect(sent).toMatchObject({ status: "failed", error_code: "no_access_token" });
      const [n] = await sql`select outcome from private.booking_notices where booking_id = ${b.id}`;
      expect(n.outcome).toBe("queued");
    } finally {
      await sql.end();
    }
  });
});
