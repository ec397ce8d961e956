// Voice webhook configuration from the function's environment.
import { env } from "../env.ts";

/**
 * The public URL prefix under which Twilio reaches our functions (`https://<ref>.supabase.co/functions/v1` on hosted
 * Supabase; an ngrok or proxy URL locally). Twilio signs the URL *it* requested, and behind the platform's gateway or
 * a proxy the function sees another host, so the signed URL is rebuilt from this, never from the request. Defaults
 * to SUPABASE_URL + /functions/v1, which is exactly the public URL on hosted projects.
 */
export function voicePublicBaseUrl(): string {
  const explicit = env("VOICE_PUBLIC_BASE_URL");
  const base = explicit ?? (env("SUPABASE_URL") ? `${env("SUPABASE_URL")!.replace(/\/$/, "")}/functions/v1` : undefined);
  if (!base) throw new Error("VOICE_PUBLIC_BASE_URL (or SUPABASE_URL) is not set");
  return base.replace(/\/$/, "");
}

/** How long a voicemail may run, in seconds (Twilio's <Record maxLength>). */
export const VOICEMAIL_MAX_SECONDS = 120;
