// api-keys (verify_jwt = true): tenant API keys, for owners and admins of the active business (others get 403).
//
//   POST   /api-keys        {name, scopes: ["memory:read", …], expires_at?}  201 {api_key: {…, key}}
//                           the plaintext `key` is in this answer only; the database keeps its SHA-256 and prefix
//   GET    /api-keys        {api_keys: [{id, name, prefix, scopes, status, last_used_at, …}]}          200
//   DELETE /api-keys/<id>   revoke now: the next request with the key gets 401                          200 {api_key}
import { requireUser } from "../_shared/auth/jwt.ts";
import { createApiKey, createApiKeyInput, listApiKeys, revokeApiKey } from "../_shared/api-keys/keys.ts";
import { HttpError } from "../_shared/http/errors.ts";
import { parseJsonBody } from "../_shared/http/parse.ts";
import { handle, json } from "../_shared/http/respond.ts";
import { wrongMethod, type Routes } from "../_shared/http/methods.ts";

const ROUTES: Routes = [["/", ["GET", "POST"]], [/^\/[^/]+$/, ["DELETE"]]];

Deno.serve(handle(async (req) => {
  const path = new URL(req.url).pathname.replace(/^\/api-keys/, "").replace(/\/$/, "") || "/";
  const refused = wrongMethod(req, path, ROUTES);
  if (refused) return refused;
  const claims = await requireUser(req);
  const revoke = /^\/([^/]+)$/.exec(path);
  if (req.method === "POST" && path === "/") {
    return json({ api_key: await createApiKey(claims, await parseJsonBody(req, createApiKeyInput)) }, 201);
  }
  if (req.method === "GET" && path === "/") return json({ api_keys: await listApiKeys(claims) });
  if (req.method === "DELETE" && revoke) return json({ api_key: await revokeApiKey(claims, revoke[1]) });
  throw new HttpError(404, "not_found", `no route for ${req.method} ${path}`);
}));
