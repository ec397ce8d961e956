// voice-webhook (verify_jwt = false: Twilio signs its requests instead; see _shared/twilio/webhook.ts).
//   POST /voice-webhook/twilio/incoming    a number's voice URL: TwiML that connects the agent or takes a voicemail
//   POST /voice-webhook/twilio/status      a number's call status callback
//   POST /voice-webhook/twilio/recording   the voicemail's recording callbacks (the URL our TwiML gives Twilio)
// Bodies are form-encoded, as Twilio sends them; answers are TwiML (text/xml), errors JSON.
import { HttpError } from "../_shared/http/errors.ts";
import { handle } from "../_shared/http/respond.ts";
import { wrongMethod, type Routes } from "../_shared/http/methods.ts";
import { handleTwilio, type TwilioRoute } from "../_shared/twilio/webhook.ts";

const ROUTES = new Set<TwilioRoute>(["incoming", "status", "recording"]);
const METHODS: Routes = [[/^\/twilio\/(incoming|status|recording)$/, ["POST"]]];

Deno.serve(handle(async (req) => {
  const url = new URL(req.url);
  const path = url.pathname.replace(/^\/voice-webhook/, "").replace(/\/$/, "");
  const refused = wrongMethod(req, path, METHODS);
  if (refused) return refused;
  const twilio = /^\/twilio\/([a-z]+)$/.exec(path);
  if (req.method === "POST" && twilio && ROUTES.has(twilio[1] as TwilioRoute)) {
    return await handleTwilio(req, twilio[1] as TwilioRoute);
  }
  throw new HttpError(404, "not_found", `no route for ${req.method} ${url.pathname}`);
}));
