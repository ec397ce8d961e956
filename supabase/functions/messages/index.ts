// messages (verify_jwt = true): the human hand-over, for members of a business (staff and up), under RLS.
//   POST /messages            { conversation_id, type: text|interactive|template, body?, payload? }  → 202 { message_id }
//   POST /messages/hand-back  { conversation_id }  the bot may answer again                          → 204
// A message is queued first (stored, status queued) and sent right after the response.
import { requireUser } from "../_shared/auth/jwt.ts";
import { HttpError } from "../_shared/http/errors.ts";
import { parseJsonBody } from "../_shared/http/parse.ts";
import { handle, json } from "../_shared/http/respond.ts";
import { handBack, handBackInput, queueStaffMessage, staffMessageInput } from "../_shared/whatsapp/staff-messages.ts";
import { drainOutbox } from "../_shared/whatsapp/outbox.ts";

declare const EdgeRuntime: { waitUntil(promise: Promise<unknown>): void };

Deno.serve(handle(async (req) => {
  const route = `${req.method} ${new URL(req.url).pathname.replace(/^\/messages/, "").replace(/\/$/, "") || "/"}`;
  const claims = await requireUser(req);
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
