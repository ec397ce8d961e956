// mcp (verify_jwt = false: it authenticates itself with a business API key holding `tools:call`, as MCP clients
// send `Authorization: Bearer <key>`, not a JWT; see _shared/mcp/server.ts).
//   POST /mcp    Streamable HTTP (stateless, JSON answers): initialize, tools/list, tools/call
//                401 without a valid key, 403 without the scope, 413 over 1 MiB
//   GET, DELETE  405 (no server-initiated stream, no session)
import { HttpError } from "../_shared/http/errors.ts";
import { handle } from "../_shared/http/respond.ts";
import { handleMcp } from "../_shared/mcp/server.ts";

Deno.serve(handle(async (req) => {
  const url = new URL(req.url);
  const path = url.pathname.replace(/^\/mcp/, "").replace(/\/$/, "") || "/";
  if (path !== "/") throw new HttpError(404, "not_found", `no route for ${req.method} ${url.pathname}`);
  return await handleMcp(req);
}));
