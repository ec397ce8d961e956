// credentials (verify_jwt = true): owners and admins set or rotate provider credentials. Write-only: there is no
// GET; `channels.secrets` shows which are set and when.
//   PUT /credentials/channels/<channel id>/<access_token|app_secret|auth_token|api_key>  {value}   204
//   PUT /credentials/agents/<voice agent id>/<webhook_secret|api_key>                    {value}   204
//   PUT /credentials/business/llm_api_key                                                {value}   204
import { z } from "zod";
import { requireUser } from "../_shared/auth/jwt.ts";
import { HttpError } from "../_shared/http/errors.ts";
import { parseJsonBody, parseWith } from "../_shared/http/parse.ts";
import { handle } from "../_shared/http/respond.ts";
import { wrongMethod, type Routes } from "../_shared/http/methods.ts";
import { agentSecretName, channelSecretName, credentialValue, setCredential, tenantSecretName } from "../_shared/secrets/credentials.ts";
import { setTenantSecret } from "../_shared/secrets/tenant-secrets.ts";

const target = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("channels"), id: z.uuid(), name: channelSecretName }),
  z.object({ kind: z.literal("agents"), id: z.uuid(), name: agentSecretName }),
]);

const ROUTES: Routes = [[/^\/credentials\/(channels|agents)\/[^/]+\/[^/]+$/, ["PUT"]], [/^\/credentials\/business\/[^/]+$/, ["PUT"]]];

Deno.serve(handle(async (req) => {
  const path = new URL(req.url).pathname;
  const refused = wrongMethod(req, path, ROUTES);
  if (refused) return refused;
  const business = /^\/credentials\/business\/([^/]+)$/.exec(path);
  if (req.method === "PUT" && business) {
    const claims = await requireUser(req);
    const { name } = parseWith(z.object({ name: tenantSecretName }), { name: business[1] });
    const { value } = await parseJsonBody(req, credentialValue);
    await setTenantSecret(claims, name, value);
    return new Response(null, { status: 204 });
  }
  const match = /^\/credentials\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
  if (req.method !== "PUT" || !match) throw new HttpError(404, "not_found", "use PUT /credentials/<channels|agents>/<id>/<name>");
  const claims = await requireUser(req);
  const where = parseWith(target, { kind: match[1], id: match[2], name: match[3] });
  const { value } = await parseJsonBody(req, credentialValue);
  await setCredential(claims, where, value);
  return new Response(null, { status: 204 });
}));
