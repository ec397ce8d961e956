// Setting provider credentials over HTTP: the value is encrypted here, server-side, and stored through the
// owner/admin-only SQL setters. There is deliberately no way to read one back.
import { z } from "zod";
import type { CallerClaims } from "../db/client.ts";
import { setAgentSecret } from "../voice-platforms/agent-secrets.ts";
import { setChannelSecret, type SecretName } from "./channel-secrets.ts";

export const credentialValue = z.strictObject({ value: z.string().min(1).max(4096) });
export const channelSecretName = z.enum(["access_token", "app_secret", "auth_token", "api_key"]);
export const agentSecretName = z.enum(["webhook_secret", "api_key"]);
/** The business's own credentials (PUT /credentials/business/<name>): its LLM API key. */
export const tenantSecretName = z.enum(["llm_api_key"]);

export async function setCredential(
  claims: CallerClaims & { tenant_id?: string },
  target: { kind: "channels" | "agents"; id: string; name: string },
  value: string,
): Promise<void> {
  if (target.kind === "channels") {
    await setChannelSecret(claims, target.id, channelSecretName.parse(target.name) as SecretName, value);
  } else {
    await setAgentSecret(claims, target.id, agentSecretName.parse(target.name), value);
  }
}
