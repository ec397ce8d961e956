// The whatsapp-webhook logic, kept out of index.ts so it is tested directly.
//   GET  …/whatsapp-webhook                      Meta's subscription handshake
//   POST …/whatsapp-webhook                      deliveries signed with the platform's app secret
//   POST …/whatsapp-webhook/channels/<id>        deliveries from a tenant's own Meta app (signed with its secret)
import { asWebhook, type Sql } from "../db/client.ts";
import { MiB, readBytes } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import { parseJson, validation } from "../http/parse.ts";
import { json } from "../http/respond.ts";
import { decryptSecret, type EncryptionKey } from "../secrets/crypto.ts";
import { whatsappConfig } from "./config.ts";
import { ingestDelivery, type IngestResult } from "./ingest.ts";
import { webhookPayload } from "./payload.ts";
import { verifyMetaSignature } from "./signature.ts";

export function verifySubscription(url: URL): Response {
  const { verifyToken } = whatsappConfig();
  const mode = url.searchParams.get("hub.mode");
  const token = url.searchParams.get("hub.verify_token");
  const challenge = url.searchParams.get("hub.challenge") ?? "";
  if (mode === "subscribe" && verifyToken && token === verifyToken) {
    return new Response(challenge, { status: 200, headers: { "content-type": "text/plain" } });
  }
  return json({ error: { code: "forbidden", message: "verification token mismatch" } }, 403);
}

interface Signer { secret: string; channelId: string | null }

async function signerFor(channelId: string | undefined, opts: { sql?: Sql; key?: EncryptionKey }): Promise<Signer> {
  if (!channelId) {
    const secret = whatsappConfig().appSecret;
    if (!secret) throw new Error("WHATSAPP_APP_SECRET is not configured");
    return { secret, channelId: null };
  }
  const [app] = await asWebhook(
    (tx) => tx<{ tenant_id: string; channel_id: string; app_secret: Uint8Array; key_id: string }[]>`
      select * from private.whatsapp_channel_app(${channelId})`,
    opts.sql,
  );
  if (!app) throw new HttpError(401, "unauthorized", "this channel has no app secret: its deliveries cannot be verified");
  const secret = await decryptSecret(new Uint8Array(app.app_secret), app.key_id, { tenantId: app.tenant_id, channelId, name: "app_secret" }, opts.key);
  return { secret, channelId };
}

export interface Received { response: Response; result?: IngestResult }

/** Meta documents webhook payloads of up to 3 MB (batched changes; media come by id, never inline). */
export const WEBHOOK_BODY_LIMIT = 3 * MiB;

export async function receiveDelivery(req: Request, channelId?: string, opts: { sql?: Sql; key?: EncryptionKey } = {}): Promise<Received> {
  // Bounded before anything else: anyone can POST here, and the signature can only be checked over the whole body.
  const raw = await readBytes(req, WEBHOOK_BODY_LIMIT);
  const header = req.headers.get("x-hub-signature-256");
  if (!header) throw new HttpError(401, "unauthorized", "missing X-Hub-Signature-256");
  if (channelId !== undefined && !/^[0-9a-f-]{36}$/i.test(channelId)) throw new HttpError(404, "not_found", "no such channel");
  const signer = await signerFor(channelId, opts);
  if (!(await verifyMetaSignature(raw, header, signer.secret))) {
    throw new HttpError(401, "unauthorized", "invalid X-Hub-Signature-256");
  }
  const body = parseJson(new TextDecoder().decode(raw));
  const parsed = webhookPayload.safeParse(body);
  if (!parsed.success) throw validation(parsed.error);
  // Stored as received (the raw JSON, with fields we do not know yet), not as zod stripped it.
  const result = await ingestDelivery(body, signer.channelId, opts.sql);
  return {
    result,
    response: json({
      received: true, new: result.new_messages.length, duplicates: result.duplicates, statuses: result.statuses,
      echoes: result.echoes ?? 0, preferences: result.preferences ?? 0, unroutable: result.unroutable,
      unprocessable: result.unprocessable ?? 0,
      // false: stored, but applying failed as a whole (kept with the error for whatsapp:replay); still a 200, since
      // the delivery is safe and a retry from Meta would fail the same way.
      applied: result.applied !== false,
    }),
  };
}
