// call-events (verify_jwt = false: each request proves its agent's own secret instead; see
// _shared/voice-platforms/events.ts).
//   POST /call-events/vapi     Vapi server messages: end-of-call-report, status-update, assistant-request,
//                              transfer-destination-request (and the tool layer's); acknowledges the rest
//   POST /call-events/retell   Retell webhooks: call_started, call_ended, call_analyzed, call_inbound; acknowledges
//                              the rest
import { HttpError } from "../_shared/http/errors.ts";
import { handle } from "../_shared/http/respond.ts";
import { wrongMethod, type Routes } from "../_shared/http/methods.ts";
import { receiveCallEvent } from "../_shared/voice-platforms/events.ts";

const ROUTES: Routes = [[/^\/[a-z]+$/, ["POST"]]];

Deno.serve(handle(async (req) => {
  const url = new URL(req.url);
  const path = url.pathname.replace(/^\/call-events/, "").replace(/\/$/, "");
  const refused = wrongMethod(req, path, ROUTES);
  if (refused) return refused;
  const platform = /^\/([a-z]+)$/.exec(path);
  if (req.method === "POST" && platform) return await receiveCallEvent(req, platform[1]);
  throw new HttpError(404, "not_found", `no route for ${req.method} ${url.pathname}`);
}));
