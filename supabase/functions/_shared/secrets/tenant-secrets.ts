// Business-level credentials (today: the business's own LLM API key, used by the WhatsApp LLM assistant instead of the
// platform's). Encrypted here with the platform key before they reach the database, like channel and agent
// credentials; set by owners and admins (private.set_tenant_secret checks, run as the caller); read back only by
// server code acting for that business (private.tenant_secret, webhook role), and never put in a prompt.
import { asCaller, type CallerClaims, type Sql, type Tx } from "../db/client.ts";
import { decryptSecret, encryptSecret, type EncryptionKey, type SecretContext } from "./crypto.ts";

export type TenantSecretName = "llm_api_key";

/** The AAD of a business credential: "tenant" stands where a channel id would, and the name is prefixed, so it can
 * never be mistaken for a channel's or an agent's, nor moved to another business. */
export const tenantSecretContext = (tenantId: string, name: TenantSecretName): SecretContext =>
  ({ tenantId, channelId: "tenant", name: `tenant:${name}` });

export async function setTenantSecret(
  claims: CallerClaims & { tenant_id?: string },
  name: TenantSecretName,
  plaintext: string,
  opts: { sql?: Sql; key?: EncryptionKey } = {},
): Promise<void> {
  if (!claims.tenant_id) throw new Error("the caller has no active business");
  const { ciphertext, keyId } = await encryptSecret(plaintext, tenantSecretContext(claims.tenant_id, name), opts.key);
  await asCaller(claims, (tx) => tx`select private.set_tenant_secret(${name}, ${ciphertext}, ${keyId})`, opts.sql);
}

/** The business's credential, decrypted, inside a webhook-role transaction (undefined when none is set). */
export async function readTenantSecret(tx: Tx, tenantId: string, name: TenantSecretName, key?: EncryptionKey): Promise<string | undefined> {
  const [row] = await tx<{ ciphertext: Uint8Array; key_id: string }[]>`select * from private.tenant_secret(${tenantId}, ${name})`;
  if (!row) return undefined;
  return decryptSecret(new Uint8Array(row.ciphertext), row.key_id, tenantSecretContext(tenantId, name), key);
}
