// channels (verify_jwt = false: each route checks its own caller — a member's JWT, or the project's secret key).
// A number routes traffic to a business only once the business has proved it controls it, or the operator assigned it.
//   POST /channels/<channel id>/verify   owner/admin access token; asks Meta or Twilio with the channel's own
//                                        credentials                                      200 {channel}
//   POST /channels/<channel id>/assign   the platform operator: secret key in `apikey`     200 {channel}
// 400 missing credential, 401 no caller, 404 not yours, 409 another business has the number, 422 the provider said
// no, 502 the provider could not be asked.
import { z } from "zod";
import { requireUser } from "../_shared/auth/jwt.ts";
import { requireSecretKey } from "../_shared/auth/secret-key.ts";
import { assignChannel } from "../_shared/channels/store.ts";
import { verifyChannel } from "../_shared/channels/verify.ts";
import { HttpError } from "../_shared/http/errors.ts";
import { parseWith } from "../_shared/http/parse.ts";
import { handle, json } from "../_shared/http/respond.ts";
import { wrongMethod, type Routes } from "../_shared/http/methods.ts";

const channelPath = z.object({ id: z.uuid() });
const ROUTES: Routes = [[/^\/channels\/[^/]+\/(verify|assign)\/?$/, ["POST"]]];

Deno.serve(handle(async (req) => {
  const path = new URL(req.url).pathname;
  const refused = wrongMethod(req, path, ROUTES);
  if (refused) return refused;
  const match = /^\/channels\/([^/]+)\/(verify|assign)\/?$/.exec(path);
  if (req.method !== "POST" || !match) throw new HttpError(404, "not_found", "use POST /channels/<id>/verify or POST /channels/<id>/assign");
  if (match[2] === "assign") {
    await requireSecretKey(req);
    const { id } = parseWith(channelPath, { id: match[1] });
    return json({ channel: await assignChannel(id) });
  }
  const claims = await requireUser(req);
  const { id } = parseWith(channelPath, { id: match[1] });
  return json({ channel: await verifyChannel(claims, id) });
}));
