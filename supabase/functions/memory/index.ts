// memory (verify_jwt = false: it authenticates itself, because agents call it with a tenant API key, not a JWT).
// `Authorization: Bearer <fd_live_… API key | member access token>`.
//
//   POST   /memory                  {caller, memories: [{content, kind?, importance?, source_call_id?}], profile?}
//                                   store (memory:write; members: owner/admin)                                 201
//   GET    /memory?caller=&q=&limit=
//                                   recall: profile, personality, last 5 call summaries, ranked memories
//                                   (memory:read; members: staff and up)                                       200
//   DELETE /memory?caller=          forget the caller entirely, leaving an audit entry (memory:write)         200
//
// 401 bad/unknown/revoked/expired key or JWT; 403 missing scope or role; 400 invalid input; 404 unknown caller;
// 402 over the plan's monthly memories; 413 body over 2 MiB.
import { principalFrom } from "../_shared/api-keys/principal.ts";
import { HttpError } from "../_shared/http/errors.ts";
import { handle, json } from "../_shared/http/respond.ts";
import { wrongMethod, type Routes } from "../_shared/http/methods.ts";
import { parseJson } from "../_shared/http/parse.ts";
import { forgetCaller, queryParams, readStoreBody, recall, storeMemories } from "../_shared/memory/memory.ts";

const ROUTES: Routes = [["/", ["GET", "POST", "DELETE"]]];

Deno.serve(handle(async (req) => {
  const url = new URL(req.url);
  const path = url.pathname.replace(/^\/memory/, "").replace(/\/$/, "") || "/";
  if (path !== "/") throw new HttpError(404, "not_found", `no route for ${req.method} ${url.pathname}`);
  const refused = wrongMethod(req, path, ROUTES);
  if (refused) return refused;
  switch (req.method) {
    case "POST": {
      // Size first (413 before anything else), then who is asking, then what the body says.
      const raw = await readStoreBody(req);
      const principal = await principalFrom(req);
      return json(await storeMemories(principal, parseJson(raw)), 201);
    }
    case "GET":
      return json(await recall(await principalFrom(req), queryParams(url)));
    case "DELETE":
      return json(await forgetCaller(await principalFrom(req), queryParams(url)));
    default:
      throw new HttpError(405, "method_not_allowed", `${req.method} is not supported: use GET, POST or DELETE`);
  }
}));
