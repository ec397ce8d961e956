// call-events (verify_jwt = false: each report proves its agent's own secret instead; see
// _shared/voice-platforms/events.ts).
//   POST /call-events/vapi     Vapi server messages; stores "end-of-call-report", acknowledges the rest
//   POST /call-events/retell   Retell webhooks; stores "call_analyzed", acknowledges the rest
import { HttpError } from "../_shared/http/errors.ts";
import { handle } from "../_shared/http/respond.ts";
import { receiveCallEvent } from "../_shared/voice-platforms/events.ts";

Deno.serve(handle(async (req) => {
  const url = new URL(req.url);
  const path = url.pathname.replace(/^\/call-events/, "").replace(/\/$/, "");
  const platform = /^\/([a-z]+)$/.exec(path);
  if (req.method === "POST" && platform) return await receiveCallEvent(req, platform[1]);
  throw new HttpError(404, "not_found", `no route for ${req.method} ${url.pathname}`);
}));
