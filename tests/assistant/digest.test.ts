// Memory from chats: a conversation of an LLM-mode business that has gone quiet gets a summary and memories, written
// to the voice side's tables (caller_profiles by phone, memories) so the next call knows them. Once per quiet spell;
// never for a menu-mode business; the model sees that conversation only; a failed model writes nothing.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { digestQuietConversations } from "../../supabase/functions/_shared/assistant/digest.ts";
import { runTool } from "../../supabase/functions/_shared/tools/run.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { lastUser, useLlm } from "../helpers/llm.ts";
import { barbershop, caller, type Caller, peluqueria, type Shop } from "../tools/fixtures.ts";

const db = useTestDatabase();
const llm = useLlm();

async function chat(c: Caller, lines: [("in" | "out"), string][], minutesAgo: number) {
  for (const [i, [dir, body]] of lines.entries()) {
    const at = new Date(Date.now() - (minutesAgo * 60 - i) * 1000);
    await db.sql`insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, payload, provider_message_id, status, created_at)
      values (${c.shop.id}, ${c.conversationId}, ${c.shop.waChannelId}, ${dir === "in" ? "inbound" : "outbound"}, 'text', ${body}, '{}',
              ${`wamid.${randomBytes(10).toString("hex")}`}, ${dir === "in" ? "received" : "sent"}, ${at})`;
  }
  await db.sql`update public.conversations set last_inbound_at = now() - make_interval(mins => ${minutesAgo}) where id = ${c.conversationId}`;
}

const run = () => digestQuietConversations({ sql: db.sql, config: () => ({ baseUrl: llm.url, model: "digest-model" }) });

describe("digests of quiet conversations", () => {
  let fade: Shop;
  let luna: Shop;
  beforeAll(async () => {
    fade = await barbershop(db, "digest", { assistant: { mode: "llm" } });
    luna = await peluqueria(db, "digest-menu"); // menu mode
  });

  it("writes a summary and memories where calls find them, once per quiet spell, from this conversation only", async () => {
    const c = await caller(db, fade, "Maria");
    await chat(c, [["in", "Hi, I'd like a skin fade with Luis, I'm allergic to lavender oil"], ["out", "Booked Saturday 10:00 with Luis."]], 45);
    const other = await caller(db, luna, "Otra");
    await chat(other, [["in", "Quiero un tinte rubio"]], 45);
    const recent = await caller(db, fade, "Lee");
    await chat(recent, [["in", "still talking"]], 5); // not quiet yet

    llm.script = (req) => {
      expect(lastUser(req)).toContain("allergic to lavender");
      return { say: "```json\n" + JSON.stringify({
        summary: "Booked a skin fade with Luis for Saturday 10:00.",
        memories: [{ content: "Allergic to lavender oil", kind: "fact", importance: 9 }, { content: "Prefers Luis", kind: "preference" }],
      }) + "\n```" };
    };
    const before = llm.requests.length;
    expect(await run()).toEqual({ digested: 1, memories: 2, failed: 0 });
    const seen = llm.requests.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0].body.model).toBe("digest-model");
    expect(seen[0].raw).not.toContain("tinte");
    expect(seen[0].raw).not.toContain("still talking");
    expect(seen[0].raw).not.toContain(fade.id);

    // What a call from Maria's number now finds (the voice side's caller profile).
    const profile = await runTool({ tenantId: fade.id, source: "vapi", callerPhone: c.phone }, "caller_profile", {}, { sql: db.sql });
    expect(profile.message).toContain("Allergic to lavender oil");
    expect((profile.data as { profile: { summary: string } }).profile.summary).toBe("Booked a skin fade with Luis for Saturday 10:00.");
    const [{ n }] = await db.sql`select sum(quantity)::int as n from public.usage_events where tenant_id = ${fade.id} and metric = 'memories'`;
    expect(n).toBe(2);

    expect(await run()).toEqual({ digested: 0, memories: 0, failed: 0 }); // once
    expect(llm.requests.length).toBe(before + 1);
    await chat(c, [["in", "Can I also get a beard trim?"]], 40); // a new quiet spell
    llm.script = () => ({ say: JSON.stringify({ summary: "Asked to add a beard trim.", memories: [] }) });
    expect(await run()).toMatchObject({ digested: 1, memories: 0 });
    const [p] = await db.sql`select summary from public.caller_profiles where tenant_id = ${fade.id} and phone = ${c.phone}`;
    expect(p.summary).toBe("Asked to add a beard trim.");
  });

  it("a model that fails or answers something unusable writes nothing and is not asked again for that spell", async () => {
    const c = await caller(db, fade, "Kai");
    await chat(c, [["in", "what time do you close?"]], 50);
    llm.script = () => ({ say: "Sure! Here is a summary: they asked about closing time." }); // not JSON
    expect(await run()).toEqual({ digested: 0, memories: 0, failed: 1 });
    const [{ n }] = await db.sql`select count(*)::int as n from public.caller_profiles where tenant_id = ${fade.id} and phone = ${c.phone}`;
    expect(n).toBe(0);
    const before = llm.requests.length;
    expect(await run()).toEqual({ digested: 0, memories: 0, failed: 0 });
    expect(llm.requests.length).toBe(before);
  });
});
