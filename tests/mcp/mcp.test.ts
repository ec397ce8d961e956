// The receptionist tools over MCP, through the real `mcp` function, with the official SDK's own Client and its
// StreamableHTTPClientTransport: initialize, tools/list and tools/call for the API key's business only, refused
// without a key or without the `tools:call` scope.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { TOOL_NAMES } from "../../supabase/functions/_shared/tools/index.ts";
import { createApiKey, type TestApiKey } from "../helpers/api-key.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { phone } from "../voice/fixtures.ts";
import { bookingsOf, toolShop, type ToolShop } from "../voice/tool-fixtures.ts";

const db = useTestDatabase();
const fns = useFunctions(db);
const mcpUrl = () => `${fns.url}/mcp`;

let shop: ToolShop;
let other: ToolShop;
let key: TestApiKey;
let otherKey: TestApiKey;
beforeAll(async () => {
  shop = await toolShop(db, "mcp-shop");
  other = await toolShop(db, "mcp-other");
  await db.sql`update public.tenants set name = 'Other Cuts' where id = ${other.id}`;
  key = await createApiKey(db, shop.id, { scopes: ["tools:call"] });
  otherKey = await createApiKey(db, other.id, { scopes: ["tools:call", "memory:read"] });
});

const open: Client[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

async function connect(token: string | null, headers: Record<string, string> = {}): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl()), {
    requestInit: { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } },
  });
  const client = new Client({ name: "frontdesk-test-agent", version: "1.0.0" });
  await client.connect(transport);
  open.push(client);
  return client;
}

type Text = { type: "text"; text: string };
const resultOf = (r: Awaited<ReturnType<Client["callTool"]>>) => JSON.parse((r.content as Text[])[0].text);

describe("mcp: the receptionist tools over Streamable HTTP", () => {
  it("initialize and tools/list: every tool with the JSON Schema of its arguments", async () => {
    const client = await connect(key.key);
    expect(client.getServerVersion()).toMatchObject({ name: "frontdesk-receptionist" });
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(TOOL_NAMES);
    const book = tools.find((t) => t.name === "book_appointment")!;
    expect(book.inputSchema.type).toBe("object");
    expect(book.inputSchema.required).toEqual(["service"]);
    expect(book.description).toMatch(/Books an appointment/);
  });

  it("tools/call acts for the key's business: availability, business info, and a booking for the caller named in X-Caller-Phone", async () => {
    const caller = phone();
    const client = await connect(key.key, { "x-caller-phone": caller });
    const info = resultOf(await client.callTool({ name: "business_info", arguments: {} }));
    expect(info).toMatchObject({ ok: true, data: { business: { name: "Shop mcp-shop" } } });
    const slots = resultOf(await client.callTool({ name: "check_availability", arguments: { service: "beard", day: "tomorrow" } }));
    expect(slots).toMatchObject({ ok: true, resolved: { service: "Beard Trim" } });
    const startsAt = slots.data.slots[0].starts_at;
    const booked = await client.callTool({ name: "book_appointment", arguments: { service: "Beard Trim", starts_at: startsAt, customer_name: "Ola" } });
    expect(booked.isError).toBe(false);
    expect(resultOf(booked)).toMatchObject({ ok: true, data: { booking: { starts_at: startsAt, staff: "Sam" } } });
    const [row] = await db.sql`select b.source::text, c.phone, c.name from public.bookings b join public.customers c on c.tenant_id = b.tenant_id and c.id = b.customer_id
                               where b.tenant_id = ${shop.id} and b.starts_at = ${startsAt}`;
    expect(row).toEqual({ source: "api", phone: caller, name: "Ola" });
    // what the model gets wrong is a tool error it can read, not a protocol error
    const wrong = await client.callTool({ name: "book_appointment", arguments: { service: "Skin Fade", time: 7 } });
    expect(wrong.isError).toBe(true);
    expect(resultOf(wrong)).toMatchObject({ ok: false, error: { code: "invalid_arguments" } });
    const unknown = await client.callTool({ name: "launch_rocket", arguments: {} });
    expect(resultOf(unknown)).toMatchObject({ ok: false, error: { code: "unknown_tool" } });
  });

  it("tools/call with another business's service, staff or booking ids changes nothing there or here", async () => {
    const theirCaller = phone();
    const theirs = await connect(otherKey.key, { "x-caller-phone": theirCaller });
    expect(resultOf(await theirs.callTool({ name: "business_info", arguments: {} })).data.business.name).toBe("Other Cuts");
    const theirBooking = resultOf(await theirs.callTool({ name: "book_appointment", arguments: { service: "Kids Cut", day: "tomorrow", time: "14:00" } }));
    expect(theirBooking.ok).toBe(true);
    const before = { mine: await bookingsOf(db, shop.id), theirs: await bookingsOf(db, other.id) };

    // this business's key, naming the other business's ids and even its caller
    const client = await connect(key.key, { "x-caller-phone": theirCaller });
    const attempts = [
      { name: "book_appointment", arguments: { service: other.services["Skin Fade"], staff: other.staff.Luis, day: "tomorrow", time: "10:00" } },
      { name: "reschedule_appointment", arguments: { booking_id: theirBooking.data.booking.id, day: "tomorrow", time: "16:00" } },
      { name: "cancel_appointment", arguments: { booking_id: theirBooking.data.booking.id } },
    ];
    for (const a of attempts) {
      const r = await client.callTool(a);
      expect(r.isError, a.name).toBe(true);
    }
    const listed = resultOf(await client.callTool({ name: "list_appointments", arguments: {} }));
    expect(listed.data.bookings).toEqual([]);
    expect(await bookingsOf(db, shop.id)).toEqual(before.mine);
    expect(await bookingsOf(db, other.id)).toEqual(before.theirs);
  });

  it("refused without a key (401), with a key lacking tools:call or a member's token (403), with a revoked key (401)", async () => {
    await expect(connect(null)).rejects.toThrow(/401|Unauthorized/i);
    const memoryOnly = await createApiKey(db, shop.id, { scopes: ["memory:read", "memory:write"] });
    await expect(connect(memoryOnly.key)).rejects.toThrow(/403|tools:call/);
    await expect(connect(shop.members.owner.token)).rejects.toThrow(/403|API key/);
    const revoked = await createApiKey(db, shop.id, { scopes: ["tools:call"] });
    await db.sql`update public.api_keys set revoked_at = now() where id = ${revoked.id}`;
    await expect(connect(revoked.key)).rejects.toThrow(/401|Unauthorized/i);

    // the same answers on the wire: JSON naming the problem, nothing run
    const call = (token: string | null) => fetch(mcpUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "book_appointment", arguments: { service: "Skin Fade", day: "tomorrow", time: "12:00" } } }),
    });
    const before = await bookingsOf(db, shop.id);
    const none = await call(null);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await none.json()).error.code).toBe("unauthorized");
    const scoped = await call(memoryOnly.key);
    expect(scoped.status).toBe(403);
    expect((await scoped.json()).error.message).toMatch(/tools:call/);
    expect(await bookingsOf(db, shop.id)).toEqual(before);

    // stateless: no stream to open, no session to end
    expect((await fetch(mcpUrl(), { headers: { authorization: `Bearer ${key.key}`, accept: "text/event-stream" } })).status).toBe(405);
    // a malformed caller number is refused, not guessed
    const bad = await fetch(mcpUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${key.key}`, "x-caller-phone": "555-0100" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/X-Caller-Phone/);
  });
});
