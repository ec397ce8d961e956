// calls (verify_jwt = false: members send their access token, which is verified here; the scheduler's drain sends the
// secret key instead). Outbound calls to a business's leads and customers through its voice agents.
//   POST /calls               { agent_id, lead_id | customer_id, channel_id?, context? }  → 202 { call }
//   POST /calls/batch         { agent_id, channel_id?, context?, calls: [{ lead_id | customer_id, context? }] }
//                                                                                   → 202 { batch_id, queued, refused }
//   POST /calls/<id>/cancel   a queued call not yet dialled                          → 200 { call }
//   POST /calls/drain         dial the queued calls due now (secret key in apikey)    → 200 { dialed, failed, … }
// Members are staff and up (API keys cannot place calls); the rules are Postgres's (migration outbound_calls).
import { requireUser } from "../_shared/auth/jwt.ts";
import { requireSecretKey } from "../_shared/auth/secret-key.ts";
import { HttpError } from "../_shared/http/errors.ts";
import { parseJsonBody } from "../_shared/http/parse.ts";
import { handle, json } from "../_shared/http/respond.ts";
import { wrongMethod, type Routes } from "../_shared/http/methods.ts";
import { batchInput, callInput, cancelCall, drainCalls, placeCall, queueBatch } from "../_shared/outbound/calls.ts";

const ROUTES: Routes = [["/", ["POST"]], ["/batch", ["POST"]], ["/drain", ["POST"]], [/^\/[^/]+\/cancel$/, ["POST"]]];

Deno.serve(handle(async (req) => {
  const path = new URL(req.url).pathname.replace(/^\/calls/, "").replace(/\/$/, "") || "/";
  const refused = wrongMethod(req, path, ROUTES);
  if (refused) return refused;
  if (path === "/drain") {
    await requireSecretKey(req);
    return json(await drainCalls({ limit: 100 }));
  }
  const claims = await requireUser(req);
  const cancel = /^\/([^/]+)\/cancel$/.exec(path);
  if (cancel) return json({ call: await cancelCall(claims, cancel[1]) });
  switch (path) {
    case "/":
      return json({ call: await placeCall(claims, await parseJsonBody(req, callInput)) }, 202);
    case "/batch":
      return json(await queueBatch(claims, await parseJsonBody(req, batchInput)), 202);
    default:
      throw new HttpError(404, "not_found", `no route for ${req.method} ${path}`);
  }
}));
