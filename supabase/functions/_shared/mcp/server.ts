// The receptionist tools over the Model Context Protocol, for any MCP-capable agent (Vapi's and Retell's MCP tools,
// desktop assistants, agent frameworks): Streamable HTTP in stateless mode (each POST is answered on its own, as JSON;
// no session, no server-sent stream), with the official SDK's low-level Server and its Web-standard transport
// (@modelcontextprotocol/sdk server/webStandardStreamableHttp.js, which runs under Deno on Request/Response).
//
//   initialize   the server's name and version, capability `tools`
//   tools/list   toolDefinitions(): {name, description, inputSchema} (the JSON Schema generated from the zod schemas)
//   tools/call   runTool() for the key's business: one text content block with the ToolResult as JSON, isError when
//                the tool answered !ok (an argument the model got wrong, a taken slot …)
//
// Authentication: `Authorization: Bearer <business API key>` holding the scope `tools:call` (401 without a valid key,
// 403 without the scope or with a member's token), checked on every request before the body is looked at. The
// business is the key's (private.authenticate_api_key), never anything in the request. The caller the tools act for
// (list_appointments, book_appointment …) is the number in `X-Caller-Phone` (E.164), when the client knows it (e.g. a
// voice platform's MCP tool header templated with the caller's number); without it the caller is unknown: availability
// and business information work, bookings answer unknown_caller. A key's holder is the business itself, so any of its
// customers' numbers may be named; none of another business is ever reached.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { asPrincipal, principalFrom } from "../api-keys/principal.ts";
import type { Sql } from "../db/client.ts";
import { MiB, readText } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import { parseJson } from "../http/parse.ts";
import { json } from "../http/respond.ts";
import { E164 } from "../phone/e164.ts";
import { runTool, toolDefinitions, type ToolContext } from "../tools/index.ts";

export const MCP_SERVER_INFO = { name: "frontdesk-receptionist", version: "1.0.0" } as const;
export const MCP_BODY_LIMIT = 1 * MiB;

export interface McpOptions { sql?: Sql }

/** The business whose `tools:call` key this request carries (401/403 otherwise). */
export async function mcpTenant(req: Request, sql?: Sql): Promise<string> {
  const principal = await principalFrom(req);
  if (principal.kind !== "api_key") {
    throw new HttpError(403, "forbidden", "the MCP endpoint takes a business API key with the tools:call scope, not a member's token");
  }
  return await asPrincipal(principal, "tools:call", async (tx) => {
    const [row] = await tx<{ tenant_id: string }[]>`
      select current_setting('request.jwt.claims', true)::jsonb ->> 'tenant_id' as tenant_id`;
    return row.tenant_id;
  }, sql);
}

function callerPhone(req: Request): string | null {
  const given = req.headers.get("x-caller-phone")?.trim();
  if (!given) return null;
  if (!E164.test(given)) throw new HttpError(400, "invalid_input", "invalid request: X-Caller-Phone: expected the caller's number in E.164, e.g. +14155550123");
  return given;
}

/** An MCP server for one request, acting for `ctx`'s business. */
function mcpServer(ctx: Omit<ToolContext, "toolCallId">, opts: McpOptions): Server {
  const server = new Server(MCP_SERVER_INFO, {
    capabilities: { tools: {} },
    instructions: "The receptionist tools of one business: check availability, book, move and cancel appointments, " +
      "business information, the caller's profile, messages for the team and hand-over to a person. Each answer's " +
      "`message` says what happened and what to do next.",
  });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: toolDefinitions().map((d) => ({ name: d.name, description: d.description, inputSchema: d.parameters as never })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request: { params: { name: string; arguments?: Record<string, unknown> } }) => {
    const result = await runTool({ ...ctx, toolCallId: null }, request.params.name, request.params.arguments ?? {}, { sql: opts.sql });
    return { content: [{ type: "text" as const, text: JSON.stringify(result) }], isError: !result.ok };
  });
  return server;
}

/** One Streamable HTTP request: POST with a JSON-RPC message (or batch); GET and DELETE have nothing to serve here. */
export async function handleMcp(req: Request, opts: McpOptions = {}): Promise<Response> {
  if (req.method !== "POST") {
    // Stateless: no server-initiated stream to open (GET) and no session to end (DELETE).
    return json({ error: { code: "method_not_allowed", message: `${req.method} is not served: POST JSON-RPC messages (stateless Streamable HTTP)` } },
      405, { allow: "POST, OPTIONS" });
  }
  let tenantId: string;
  try {
    tenantId = await mcpTenant(req, opts.sql);
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) {
      return json({ error: { code: err.code, message: err.message } }, 401, { "www-authenticate": 'Bearer realm="frontdesk", error="invalid_token"' });
    }
    throw err;
  }
  const phone = callerPhone(req);
  const body = parseJson(await readText(req, MCP_BODY_LIMIT));
  const server = mcpServer({ tenantId, source: "mcp", callerPhone: phone }, opts);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(req, { parsedBody: body });
  } finally {
    await server.close();
  }
}
