// Server-to-server calls authenticated with the project's secret API key (sb_secret_…, SUPABASE_SECRET_KEYS), as
// the official @supabase/server package checks it ('secret' mode: the apikey header, compared in constant time).
import { verifyCredentials } from "@supabase/server/core";
import { HttpError } from "../http/errors.ts";

export async function requireSecretKey(req: Request): Promise<void> {
  const apikey = req.headers.get("apikey");
  const { error } = await verifyCredentials({ token: null, apikey }, { auth: "secret:*" });
  if (error || !apikey) throw new HttpError(401, "unauthorized", "this endpoint needs the project's secret key in the apikey header");
}
