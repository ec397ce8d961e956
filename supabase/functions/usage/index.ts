// usage (verify_jwt = true): this month's usage against the plan's limits, for owners and admins (others get 403).
//
//   GET /usage   {plan: {id, name}, metrics: [{metric, used, limit, remaining}]}   (limit null = unlimited)   200
import { requireUser } from "../_shared/auth/jwt.ts";
import { readUsage } from "../_shared/usage/usage.ts";
import { HttpError } from "../_shared/http/errors.ts";
import { handle, json } from "../_shared/http/respond.ts";
import { wrongMethod, type Routes } from "../_shared/http/methods.ts";

const ROUTES: Routes = [["/", ["GET"]]];

Deno.serve(handle(async (req) => {
  const path = new URL(req.url).pathname.replace(/^\/usage/, "").replace(/\/$/, "") || "/";
  const refused = wrongMethod(req, path, ROUTES);
  if (refused) return refused;
  if (req.method !== "GET" || path !== "/") throw new HttpError(404, "not_found", `no route for ${req.method} ${path}`);
  return json(await readUsage(await requireUser(req)));
}));
