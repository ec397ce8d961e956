// whatsapp-webhook (verify_jwt = false: Meta signs its requests instead; see _shared/whatsapp/webhook.ts).
//   GET  /whatsapp-webhook                  subscription handshake (hub.verify_token)
//   POST /whatsapp-webhook                  deliveries signed with the platform app secret
//   POST /whatsapp-webhook/channels/<id>    deliveries from a tenant's own Meta app
//   POST /whatsapp-webhook/outbox           queue due confirmations and reminders, drain due outbound messages (for a
//                                           scheduler: Supabase Cron, local/dev.ts; needs the secret key)
// Meta gets its answer before any reply is sent: replies run after the response (EdgeRuntime.waitUntil).
import { HttpError } from "../_shared/http/errors.ts";
import { handle, json } from "../_shared/http/respond.ts";
import { wrongMethod, type Routes } from "../_shared/http/methods.ts";
import { requireSecretKey } from "../_shared/auth/secret-key.ts";
import { replyAndSend } from "../_shared/whatsapp/follow-up.ts";
import { drainDue } from "../_shared/reminders/notices.ts";
import { receiveDelivery, verifySubscription } from "../_shared/whatsapp/webhook.ts";

declare const EdgeRuntime: { waitUntil(promise: Promise<unknown>): void };

const ROUTES: Routes = [["", ["GET", "POST"]], ["/outbox", ["POST"]], [/^\/channels\/[^/]+$/, ["POST"]]];

Deno.serve(handle(async (req) => {
  const url = new URL(req.url);
  const path = url.pathname.replace(/^\/whatsapp-webhook/, "").replace(/\/$/, "");
  const refused = wrongMethod(req, path, ROUTES);
  if (refused) return refused;
  if (req.method === "GET" && path === "") return verifySubscription(url);
  if (req.method === "POST" && path === "/outbox") {
    await requireSecretKey(req);
    // Confirmations and reminders due now are queued first, then everything due is sent.
    return json(await drainDue({ limit: 100 }));
  }
  const channel = /^\/channels\/([^/]+)$/.exec(path);
  if (req.method === "POST" && (path === "" || channel)) {
    const { response, result } = await receiveDelivery(req, channel?.[1]);
    if (result && result.new_messages.length > 0) EdgeRuntime.waitUntil(replyAndSend(result));
    return response;
  }
  throw new HttpError(404, "not_found", `no route for ${req.method} ${url.pathname}`);
}));
