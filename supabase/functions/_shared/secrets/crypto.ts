// Provider credentials are encrypted here, server-side, before they reach the database (AES-256-GCM, Web Crypto),
// and decrypted here when a function needs them. The database only ever holds ciphertext.
//
// Key: FRONTDESK_ENCRYPTION_KEY (32 random bytes, base64). Each ciphertext records the id of the key that made it
// (the first 8 hex of its SHA-256), so a rotated key is detected instead of producing garbage. The additional data
// binds a ciphertext to its row (tenant, channel, name): copied into another tenant's row, it will not decrypt.
import { env } from "../env.ts";

const IV_BYTES = 12;

export interface EncryptionKey { id: string; key: CryptoKey }

function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function importKey(base64: string): Promise<EncryptionKey> {
  const raw = fromBase64(base64);
  if (raw.length !== 32) throw new Error("FRONTDESK_ENCRYPTION_KEY must be 32 bytes, base64-encoded");
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  return { id: hex(await crypto.subtle.digest("SHA-256", raw)).slice(0, 16), key };
}

let cached: Promise<EncryptionKey> | undefined;

/** The platform key from the environment. */
export function platformKey(): Promise<EncryptionKey> {
  const b64 = env("FRONTDESK_ENCRYPTION_KEY");
  if (!b64) return Promise.reject(new Error("FRONTDESK_ENCRYPTION_KEY is not set"));
  cached ??= importKey(b64);
  return cached;
}

export interface SecretContext { tenantId: string; channelId: string; name: string }

const aad = (ctx: SecretContext) => new TextEncoder().encode(`${ctx.tenantId}:${ctx.channelId}:${ctx.name}`);

/** iv ‖ ciphertext ‖ tag */
export async function encryptSecret(plaintext: string, ctx: SecretContext, key?: EncryptionKey): Promise<{ ciphertext: Uint8Array; keyId: string }> {
  const k = key ?? (await platformKey());
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad(ctx) }, k.key, new TextEncoder().encode(plaintext));
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), IV_BYTES);
  return { ciphertext: out, keyId: k.id };
}

export async function decryptSecret(ciphertext: Uint8Array<ArrayBuffer>, keyId: string, ctx: SecretContext, key?: EncryptionKey): Promise<string> {
  const k = key ?? (await platformKey());
  if (keyId !== k.id) throw new Error(`credential was encrypted with key ${keyId}, but the configured key is ${k.id}`);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: ciphertext.slice(0, IV_BYTES), additionalData: aad(ctx) }, k.key, ciphertext.slice(IV_BYTES));
  return new TextDecoder().decode(plain);
}
