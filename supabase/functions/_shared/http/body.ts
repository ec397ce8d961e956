// Request bodies read with a byte limit, so an oversized request is refused (413) after at most `limit` bytes,
// never buffered whole: anyone can POST to a webhook, and req.json()/text()/arrayBuffer() read everything first.
//
// Content-Length is only a hint: it refuses an honest oversized request before a byte is read, but it can be absent
// (chunked uploads) or lie, so the stream itself is counted and cancelled as soon as it passes the limit.
import { HttpError } from "./errors.ts";

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** For the JSON APIs (onboarding, messages, api-keys, credentials): their inputs are a few small fields. */
export const DEFAULT_JSON_LIMIT = 64 * KiB;

export function payloadTooLarge(limit: number): HttpError {
  return new HttpError(413, "payload_too_large", `the request body is larger than the limit of ${limit} bytes`, { limit_bytes: limit });
}

/** The declared length, when it is a well-formed number; anything else is left to the stream count. */
function declaredLength(req: Request): number | undefined {
  const header = req.headers.get("content-length")?.trim();
  return header && /^\d+$/.test(header) ? Number(header) : undefined;
}

export async function readBytes(req: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  if ((declaredLength(req) ?? 0) > limit) throw payloadTooLarge(limit);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        // Not awaited: the sender may keep the stream open, and the 413 must not wait for it.
        reader.cancel("payload too large").catch(() => {});
        throw payloadTooLarge(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** The body as UTF-8 text (invalid bytes replaced, as req.text() does). */
export async function readText(req: Request, limit: number): Promise<string> {
  return new TextDecoder().decode(await readBytes(req, limit));
}
