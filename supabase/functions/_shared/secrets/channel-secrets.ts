// Setting and reading channel credentials. Setting runs as the caller (an owner or admin; set_channel_secret checks);
// reading is server-side only, through private.channel_secret(), which only service_role may execute.
import { asCaller, db, type CallerClaims, type Sql } from "../db/client.ts";
import { decryptSecret, encryptSecret, type EncryptionKey } from "./crypto.ts";

export type SecretName = "access_token" | "app_secret" | "auth_token" | "api_key";

export async function setChannelSecret(
  claims: CallerClaims & { tenant_id?: string },
  channelId: string,
  name: SecretName,
  plaintext: string,
  opts: { sql?: Sql; key?: EncryptionKey } = {},
): Promise<void> {
  if (!claims.tenant_id) throw new Error("the caller has no active business");
  const { ciphertext, keyId } = await encryptSecret(plaintext, { tenantId: claims.tenant_id, channelId, name }, opts.key);
  await asCaller(claims, (tx) => tx`select public.set_channel_secret(${channelId}, ${name}, ${ciphertext}, ${keyId})`, opts.sql);
}

export async function readChannelSecret(
  tenantId: string,
  channelId: string,
  name: SecretName,
  opts: { sql?: Sql; key?: EncryptionKey } = {},
): Promise<string | undefined> {
  const rows = await asCaller(
    { role: "service_role" },
    (tx) => tx<{ ciphertext: Uint8Array; key_id: string }[]>`select * from private.channel_secret(${tenantId}, ${channelId}, ${name})`,
    opts.sql ?? db(),
  );
  if (!rows[0]) return undefined;
  return decryptSecret(new Uint8Array(rows[0].ciphertext), rows[0].key_id, { tenantId, channelId, name }, opts.key);
}
