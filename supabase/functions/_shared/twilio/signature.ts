// Twilio signs every webhook request with X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + params)), where URL
// is the full URL Twilio requested (scheme, host, path and query string, exactly as configured) and params are the
// POST parameters sorted by name, each name immediately followed by its value, with no separators. Followed:
//   * Twilio's "Webhooks security" guide (twilio.com/docs/usage/webhooks/webhooks-security), whose worked example
//     (auth token 12345, https://mycompany.com/myapp.php?foo=1&bar=2) tests/voice/twilio-signature.test.ts checks;
//   * twilio-node's validateRequest (src/webhooks/webhooks.ts): a repeated parameter contributes each distinct value
//     in sorted order; and because Twilio's own signing is inconsistent, the URL is tried in four forms: parsed as a
//     WHATWG URL (which percent-encodes some characters of the query, e.g. ' as %27) without any port and with the
//     scheme's default port (when none is given), and each of those with its query string re-serialized the legacy
//     way (Node's querystring: split on & and =, + as space, decoded, then encoded as encodeURIComponent does, which
//     leaves ' ( ) * ! raw and groups repeated names). So a URL whose query holds ' verifies whether Twilio signed it
//     raw or encoded. Re-implemented here from that behaviour, not copied.
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

function unescapeQs(value: string): string {
  const text = value.replace(/\+/g, " ");
  try {
    return decodeURIComponent(text);
  } catch {
    // Node's querystring decodes what it can and keeps malformed escapes as they are.
    return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

function escapeQs(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(/[\ud800-\udfff]/g, "\ufffd"));
  }
}

/** A query string as Node's querystring.parse reads it and querystring.stringify writes it back. */
export function legacyQuery(search: string): string {
  const byName = new Map<string, string[]>();
  for (const piece of search.replace(/^\?/, "").split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const name = unescapeQs(eq === -1 ? piece : piece.slice(0, eq));
    const value = eq === -1 ? "" : unescapeQs(piece.slice(eq + 1));
    const values = byName.get(name);
    if (values) values.push(value);
    else byName.set(name, [value]);
  }
  return [...byName].flatMap(([name, values]) => values.map((v) => `${escapeQs(name)}=${escapeQs(v)}`)).join("&");
}

/**
 * The forms of a URL twilio-node's validateRequest accepts a signature over (see the header): without a port and
 * with the scheme's default port, each as parsed and with its query re-serialized the legacy way. Deduplicated.
 */
export function urlVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const withoutPort = new URL(parsed.href);
  withoutPort.port = "";
  let withPort: string;
  if (parsed.port) {
    withPort = parsed.href;
  } else {
    const auth = parsed.username || parsed.password ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ""}@` : "";
    const port = parsed.protocol === "https:" ? ":443" : ":80";
    withPort = `${parsed.protocol}//${auth}${parsed.host}${port}${parsed.pathname}${parsed.search}${parsed.hash}`;
  }
  const legacy = (u: string) => {
    const p = new URL(u);
    if (!p.search) return u;
    const search = p.search;
    p.search = "";
    return `${p.href}?${legacyQuery(search)}`;
  };
  const forms = [withoutPort.href, withPort];
  return [...new Set([...forms, ...forms.map(legacy)])];
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
