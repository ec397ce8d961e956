// messages (verify_jwt = true): the human hand-over, for members of a business (staff and up), under RLS.
//   POST /messages            { conversation_id, type: text|interactive|template, body?, payload? }  → 202 { message_id }
//   POST /messages/hand-back  { conversation_id }  the bot may answer again                          → 204
//   GET  /messages/<message id>/media  the message's image, voice note, video, document or sticker, streamed with
//                                      its content type (fetched from Meta's Graph API); 404 not your business's
// A message is queued first (stored, status queued) and sent right after the response.
import { requireUser } from "../_shared/auth/jwt.ts";
import { HttpError } from "../_shared/http/errors.ts";
import { parseJsonBody } from "../_shared/http/parse.ts";
import { handle, json } from "../_shared/http/respond.ts";
import { wrongMethod, type Routes } from "../_shared/http/methods.ts";
import { handBack, handBackInput, queueStaffMessage, staffMessageInput } from "../_shared/whatsapp/staff-messages.ts";
import { drainOutbox } from "../_shared/whatsapp/outbox.ts";
import { fetchMessageMedia } from "../_shared/whatsapp/media.ts";

declare const EdgeRuntime: { waitUntil(promise: Promise<unknown>): void };

const ROUTES: Routes = [["/", ["POST"]], ["/hand-back", ["POST"]], [/^\/[^/]+\/media$/, ["GET"]]];

Deno.serve(handle(async (req) => {
  const path = new URL(req.url).pathname.replace(/^\/messages/, "").replace(/\/$/, "") || "/";
  const refused = wrongMethod(req, path, ROUTES);
  if (refused) return refused;
  const route = `${req.method} ${path}`;
  const claims = await requireUser(req);
  const media = /^GET \/([^/]+)\/media$/.exec(route);
  if (media) return fetchMessageMedia(claims, media[1]);
  switch (route) {
    case "POST /": {
      const messageId = await queueStaffMessage(claims, await parseJsonBody(req, staffMessageInput));
      EdgeRuntime.waitUntil(drainOutbox({ onlyTenant: claims.tenant_id }));
      return json({ message_id: messageId, status: "queued" }, 202);
    }
    case "POST /hand-back":
      await handBack(claims, await parseJsonBody(req, handBackInput));
      return new Response(null, { status: 204 });
    default:
      throw new HttpError(404, "not_found", `no route for ${route}`);
  }
}));
