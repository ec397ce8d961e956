// `npm run whatsapp:replay`: re-applies stored raw deliveries, idempotently; bad input gets a message, not a trace.
import { spawn } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../local/supabase-cli.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { delivery, inbound, messagesChange } from "../helpers/meta.ts";
import { waId, whatsappBusiness, type WhatsAppBusiness } from "./fixtures.ts";

const db = useTestDatabase();
let shop: WhatsAppBusiness;
beforeAll(async () => {
  shop = await whatsappBusiness(db, "replay");
});

function replay(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "local/whatsapp-replay.ts", ...args], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code: code ?? 1, out, err }));
  });
}

describe("whatsapp:replay", () => {
  it("applies a delivery that was stored but never applied, and a second replay stores nothing new", async () => {
    const from = waId();
    const body = delivery(messagesChange(shop.phoneNumberId, { contacts: [{ wa_id: from }], messages: [inbound(from, "text", { body: "kept for replay" })] }));
    // As if the function stored the raw delivery and then died before applying it.
    await db.sql.begin(async (tx) => {
      await tx`set local role frontdesk_webhook`;
      await tx`select private.record_delivery('whatsapp', ${tx.json(body as never)}, null)`;
    });
    const first = await replay("--since", "1h");
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/1 new messages/);
    const second = await replay("--since", new Date(Date.now() - 3600_000).toISOString());
    expect(second.out).toMatch(/0 new messages, 1 already stored/);
    expect((await db.sql`select 1 from public.messages where body = 'kept for replay'`).count).toBe(1);
  });

  it("explains bad input and exits non-zero", async () => {
    const missing = await replay();
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing --since/);
    const bad = await replay("--since", "last tuesday");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/neither an ISO time nor a duration/);
    expect(bad.err).not.toMatch(/at .*\.ts:\d+/);
  });
});
