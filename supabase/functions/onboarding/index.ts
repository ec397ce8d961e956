// onboarding: businesses and their teams, for a signed-in user (verify_jwt = true; the JWT is verified again here
// because the database context is built from its claims).
//
//   POST   /onboarding                       create a business; the caller becomes its owner        201
//   GET    /onboarding/tenants               the caller's businesses and role in each               200
//   POST   /onboarding/switch                choose the active business (refresh the session after) 204
//   POST   /onboarding/invitations           invite a member (owner/admin of the active business)   201
//   POST   /onboarding/invitations/accept    accept an invitation sent to the caller's e-mail       200
import { requireUser } from "../_shared/auth/jwt.ts";
import { HttpError } from "../_shared/http/errors.ts";
import { parseJsonBody } from "../_shared/http/parse.ts";
import { handle, json } from "../_shared/http/respond.ts";
import { wrongMethod, type Routes } from "../_shared/http/methods.ts";
import {
  acceptInput, acceptInvitation, createTenant, createTenantInput, inviteInput, inviteMember, listMyTenants,
  switchInput, switchTenant,
} from "../_shared/tenancy/onboarding.ts";

const ROUTES: Routes = [
  ["/", ["POST"]], ["/tenants", ["GET"]], ["/switch", ["POST"]], ["/invitations", ["POST"]], ["/invitations/accept", ["POST"]],
];

Deno.serve(handle(async (req) => {
  const path = new URL(req.url).pathname.replace(/^\/onboarding/, "").replace(/\/$/, "") || "/";
  const refused = wrongMethod(req, path, ROUTES);
  if (refused) return refused;
  const route = `${req.method} ${path}`;
  const claims = await requireUser(req);
  switch (route) {
    case "POST /":
      return json({ tenant: await createTenant(claims, await parseJsonBody(req, createTenantInput)) }, 201);
    case "GET /tenants":
      return json({ tenants: await listMyTenants(claims) });
    case "POST /switch":
      await switchTenant(claims, await parseJsonBody(req, switchInput));
      return new Response(null, { status: 204 });
    case "POST /invitations":
      return json({ invitation: await inviteMember(claims, await parseJsonBody(req, inviteInput)) }, 201);
    case "POST /invitations/accept":
      return json({ membership: await acceptInvitation(claims, await parseJsonBody(req, acceptInput)) });
    default:
      throw new HttpError(404, "not_found", `no route for ${route}`);
  }
}));
