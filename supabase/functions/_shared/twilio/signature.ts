// Twilio signs every webhook request with X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + params)), where URL
// is the full URL Twilio requested (scheme, host, path and query string, exactly as configured) and params are the
// POST parameters sorted by name, each name immediately followed by its value, with no separators. Followed:
//   * Twilio's "Webhooks security" guide (twilio.com/docs/usage/webhooks/webhooks-security), whose worked example
//     (auth token 12345, https://mycompany.com/myapp.php?foo=1&bar=2) tests/voice/twilio-signature.test.ts checks;
//   * twilio-node's validateRequest (src/webhooks/webhooks.ts): a repeated parameter contributes each distinct value
//     in sorted order, and because Twilio's own signing is inconsistent about default ports, a URL is tried both
//     without and with its scheme's default port.
// Verified with Web Crypto's HMAC verify, which compares in constant time.

export type FormParams = Record<string, string[]>;

/** Form parameters as Twilio posts them (application/x-www-form-urlencoded), keeping repeated names. */
export function formParams(body: string | URLSearchParams): FormParams {
  const params: FormParams = {};
  for (const [name, value] of typeof body === "string" ? new URLSearchParams(body) : body) (params[name] ??= []).push(value);
  return params;
}

/** The string Twilio signs: the URL, then every parameter name followed by its value(s), names sorted. */
export function signedPayload(url: string, params: FormParams | Record<string, string>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const raw = params[name];
    const values = Array.isArray(raw) ? [...new Set(raw)].sort() : [raw];
    for (const value of values) data += name + value;
  }
  return data;
}

function hmacKey(authToken: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", new TextEncoder().encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, [usage]);
}

/** What Twilio would send as X-Twilio-Signature (for tests and the local replay tools). */
export async function twilioSignature(authToken: string, url: string, params: FormParams | Record<string, string>): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(authToken, "sign"), new TextEncoder().encode(signedPayload(url, params)));
  return btoa(String.fromCharCode(...new Uint8Array(mac)));
}

function fromBase64(value: string): Uint8Array<ArrayBuffer> | undefined {
  // An HMAC-SHA1 is 20 bytes: 28 base64 characters, one '=' of padding.
  if (!/^[A-Za-z0-9+/]{27}=$/.test(value)) return undefined;
  return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
}

/**
 * The URL without and with its scheme's default port, as twilio-node tries it. Edited as text, never re-serialized:
 * the path and query must stay byte for byte what Twilio requested.
 */
export function urlVariants(url: string): string[] {
  const m = /^(https?):\/\/([^/?#]*?)(:\d+)?([/?#].*)?$/i.exec(url);
  if (!m) return [url];
  const [, scheme, host, port, rest = ""] = m;
  const defaultPort = scheme.toLowerCase() === "https" ? ":443" : ":80";
  if (port && port !== defaultPort) return [url];
  return [`${scheme}://${host}${rest}`, `${scheme}://${host}${defaultPort}${rest}`];
}

export async function verifyTwilioSignature(
  authToken: string,
  header: string | null | undefined,
  url: string,
  params: FormParams | Record<string, string>,
): Promise<boolean> {
  const signature = fromBase64(header ?? "");
  if (!signature) return false;
  const key = await hmacKey(authToken, "verify");
  for (const candidate of urlVariants(url)) {
    if (await crypto.subtle.verify("HMAC", key, signature, new TextEncoder().encode(signedPayload(candidate, params)))) return true;
  }
  return false;
}
