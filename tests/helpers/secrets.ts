// Credentials as the functions store them: encrypted with the functions' key (the local default) and bound to their
// row, written straight into the private table (the HTTP and SQL setters have their own tests).
import { LOCAL_ENCRYPTION_KEY } from "../../local/keys.ts";
import { encryptSecret, importKey } from "../../supabase/functions/_shared/secrets/crypto.ts";
import type { TestDb } from "./db.ts";

export const functionsKey = () => importKey(LOCAL_ENCRYPTION_KEY);

export async function setChannelSecret(db: TestDb, tenantId: string, channelId: string, name: string, value: string) {
  const { ciphertext, keyId } = await encryptSecret(value, { tenantId, channelId, name }, await functionsKey());
  await db.sql`
    insert into private.channel_secrets (tenant_id, channel_id, name, ciphertext, key_id)
    values (${tenantId}, ${channelId}, ${name}, ${ciphertext}, ${keyId})
    on conflict (tenant_id, channel_id, name) do update set ciphertext = excluded.ciphertext, key_id = excluded.key_id`;
}
