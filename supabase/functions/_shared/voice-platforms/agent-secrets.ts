// Voice platform credentials per agent (Vapi's server secret, Retell's API key), encrypted here with the platform
// key before they reach the database, as channel credentials are (../secrets/channel-secrets.ts). Setting runs as
// the caller (owners and admins; private.set_agent_secret checks); only the call-events function reads them back.
import { asCaller, type CallerClaims, type Sql } from "../db/client.ts";
import { decryptSecret, encryptSecret, type EncryptionKey, type SecretContext } from "../secrets/crypto.ts";
import type { AgentSecretName } from "./adapter.ts";

/**
 * The additional data binding a ciphertext to its row. The agent id stands where a channel id would, and the name
 * is prefixed, so an agent's ciphertext can never be mistaken for a channel's, nor moved to another agent or business.
 */
export const agentSecretContext = (tenantId: string, agentId: string, name: AgentSecretName): SecretContext =>
  ({ tenantId, channelId: agentId, name: `agent:${name}` });

export async function setAgentSecret(
  claims: CallerClaims & { tenant_id?: string },
  agentId: string,
  name: AgentSecretName,
  plaintext: string,
  opts: { sql?: Sql; key?: EncryptionKey } = {},
): Promise<void> {
  if (!claims.tenant_id) throw new Error("the caller has no active business");
  const { ciphertext, keyId } = await encryptSecret(plaintext, agentSecretContext(claims.tenant_id, agentId, name), opts.key);
  await asCaller(claims, (tx) => tx`select private.set_agent_secret(${agentId}, ${name}, ${ciphertext}, ${keyId})`, opts.sql);
}

export function decryptAgentSecret(
  row: { tenant_id: string; agent_id: string; secret: Uint8Array; key_id: string },
  name: AgentSecretName,
  key?: EncryptionKey,
): Promise<string> {
  return decryptSecret(new Uint8Array(row.secret), row.key_id, agentSecretContext(row.tenant_id, row.agent_id, name), key);
}
