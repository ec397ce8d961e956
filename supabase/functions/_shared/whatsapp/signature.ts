// Meta signs every webhook POST: X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app
// secret>. Checked on the raw bytes, before anything is parsed, with Web Crypto's HMAC verify (constant-time).

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return undefined;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

// Importing the key is the costly part of a check; one app secret serves every delivery, so keep its key.
const keys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size > 1000) keys.clear(); // tenants' own app secrets: bounded, never a leak
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    keys.set(secret, key);
  }
  return key;
}

export async function verifyMetaSignature(rawBody: Uint8Array<ArrayBuffer>, header: string | null, appSecret: string): Promise<boolean> {
  const match = /^sha256=(.+)$/.exec(header ?? "");
  const signature = match && hexToBytes(match[1]);
  if (!signature) return false;
  return crypto.subtle.verify("HMAC", await hmacKey(appSecret), signature, rawBody);
}

/** What Meta sends, for tests and the local Graph stand-in. */
export async function signMetaBody(rawBody: Uint8Array<ArrayBuffer> | string, appSecret: string): Promise<string> {
  const bytes = typeof rawBody === "string" ? new TextEncoder().encode(rawBody) : rawBody;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(appSecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes));
  return "sha256=" + Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}
