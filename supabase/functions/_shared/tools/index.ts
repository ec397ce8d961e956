// The receptionist tool layer: the operations every assistant uses while it talks to a caller — the WhatsApp
// assistant, an LLM assistant, Vapi and Retell voice agents, MCP clients — with one definition each.
//
//   toolDefinitions()                 [{name, description, parameters}]: the JSON Schema of every tool's arguments,
//                                     generated from the zod schemas (schemas.ts). Vapi: {type: "function", function:
//                                     {name, description, parameters}}; Retell custom functions: {name, description,
//                                     parameters}; MCP tools/list: {name, description, inputSchema: parameters}.
//   runTool(ctx, name, args, opts?)   runs one call in one transaction as frontdesk_webhook and answers a ToolResult
//                                     {ok, tool, message, resolved?, data?, error?, replayed?}. Hand `message` (or the
//                                     whole result as JSON) back to the model: Vapi {"results": [{toolCallId, result}]},
//                                     Retell the response body, MCP a text content block (isError when !ok).
//
// The tenant and the caller come from `ctx`, which server code fills from what it verified (the agent's secret, the
// channel, the API key) — never from the model. Each operation is one SQL function, private.tool_<name>
// (supabase/migrations/20261124002300_receptionist_tools.sql), which checks every id against that tenant.
export { runTool } from "./run.ts";
export { MEMORY_KINDS, TOOL_NAMES, toolArgs, toolDefinitions, isToolName } from "./schemas.ts";
export type { JsonSchema, ToolArgs, ToolDefinition, ToolName } from "./schemas.ts";
export type { Resolved, RunToolOptions, ToolContext, ToolIssue, ToolResult, ToolSource } from "./types.ts";
export { TOOL_SOURCES } from "./types.ts";
