// WhatsApp configuration from the function's environment. `npm run dev` supplies local defaults for the two
// secrets (printed at start, like the local JWT secret); on hosted projects set them with `supabase secrets set`.
import { env } from "../env.ts";

// Pinned Graph API version: a new version is a deliberate change, not something that happens to us.
export const DEFAULT_GRAPH_URL = "https://graph.facebook.com/v23.0";

export const whatsappConfig = () => ({
  appSecret: env("WHATSAPP_APP_SECRET"),
  verifyToken: env("WHATSAPP_VERIFY_TOKEN"),
  graphUrl: (env("WHATSAPP_GRAPH_URL") ?? DEFAULT_GRAPH_URL).replace(/\/$/, ""),
  maxAttempts: Number(env("WHATSAPP_MAX_ATTEMPTS") ?? 5),
  retryBaseSeconds: Number(env("WHATSAPP_RETRY_BASE_SECONDS") ?? 2),
});
