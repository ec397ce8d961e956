// A message's media, for members of its business: the row is read as the caller (RLS: another business's message
// is not found, 404), then the file is fetched through Meta's Graph API with the channel's access token —
// GET {graph}/<media_id> answers a short-lived URL and the mime type, GET <url> (same token) the bytes — and
// streamed back with its content type. Meta's URLs expire after minutes, so they are never stored.
import { asCaller, type CallerClaims, type Sql } from "../db/client.ts";
import { HttpError } from "../http/errors.ts";
import { corsHeaders } from "../http/respond.ts";
import type { EncryptionKey } from "../secrets/crypto.ts";
import { whatsappConfig } from "./config.ts";
import { channelToken } from "./outbox.ts";

interface MediaRow { tenant_id: string; channel_id: string; media_id: string | null; mime_type: string | null; filename: string | null }

export async function fetchMessageMedia(
  claims: CallerClaims, messageId: string, opts: { sql?: Sql; key?: EncryptionKey } = {},
): Promise<Response> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(messageId)) {
    throw new HttpError(404, "not_found", "no such message in your business");
  }
  const [row] = await asCaller(claims, (tx) => tx<MediaRow[]>`
    select m.tenant_id, m.channel_id, m.media_id,
           m.payload -> (m.payload ->> 'type') ->> 'mime_type' as mime_type,
           m.payload -> 'document' ->> 'filename' as filename
    from public.messages m where m.id = ${messageId}`, opts.sql);
  if (!row) throw new HttpError(404, "not_found", "no such message in your business");
  if (!row.media_id) throw new HttpError(404, "no_media", "this message has no media");
  const token = await channelToken(row.tenant_id, row.channel_id, opts.sql, opts.key);
  if (!token) {
    throw new HttpError(409, "no_access_token", "the channel has no WhatsApp access token: PUT /credentials/channels/<id>/access_token");
  }
  const auth = { authorization: `Bearer ${token}` };
  const { graphUrl } = whatsappConfig();
  let meta: Response;
  try {
    meta = await fetch(`${graphUrl}/${encodeURIComponent(row.media_id)}`, { headers: auth });
  } catch {
    throw new HttpError(502, "provider_unreachable", "could not reach the Graph API");
  }
  const info = (await meta.json().catch(() => ({}))) as { url?: string; mime_type?: string; error?: { code?: number; message?: string } };
  if (!meta.ok || typeof info.url !== "string") {
    const status = meta.status === 404 || info.error?.code === 100 ? 404 : 502;
    throw new HttpError(status, status === 404 ? "media_gone" : "provider_error",
      status === 404 ? "Meta no longer has this media (media are kept for 30 days)" : "the Graph API did not give the media URL",
      info.error ?? { status: meta.status });
  }
  let file: Response;
  try {
    file = await fetch(info.url, { headers: auth });
  } catch {
    throw new HttpError(502, "provider_unreachable", "could not download the media from Meta");
  }
  if (!file.ok || !file.body) {
    await file.body?.cancel();
    throw new HttpError(502, "provider_error", "Meta refused the media download", { status: file.status });
  }
  const headers: Record<string, string> = {
    ...corsHeaders,
    "content-type": info.mime_type ?? row.mime_type ?? file.headers.get("content-type") ?? "application/octet-stream",
    "cache-control": "private, max-age=300",
  };
  const length = file.headers.get("content-length");
  if (length) headers["content-length"] = length;
  if (row.filename) headers["content-disposition"] = `inline; filename="${row.filename.replace(/["\\\r\n]/g, "_")}"`;
  return new Response(file.body, { status: 200, headers });
}
