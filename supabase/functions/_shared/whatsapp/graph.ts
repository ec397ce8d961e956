// Sending through Meta's Graph API: POST {graph}/{phone-number-id}/messages with the channel's access token.
// Answers are sorted into "sent (with Meta's wamid)", "retry later" and "failed for good", keeping Meta's error.

export type OutboundType = "text" | "interactive" | "template" | "image" | "document";

/**
 * `to`: the customer's phone number / wa_id; `recipient`: their business-scoped user id (BSUID, or parent BSUID),
 * for customers Meta knows only by that. Meta gives `to` precedence when both are sent, so one is sent, never both.
 */
export interface OutboundMessage { to?: string | null; recipient?: string | null; type: OutboundType; body: string | null; payload: Record<string, unknown> }

export type SendResult =
  | { ok: true; providerMessageId: string }
  | { ok: false; retryable: boolean; retryAfterSeconds?: number; code: string; title: string; details: unknown };

// Meta's throttling and transient errors: worth another try later. Everything else (bad parameters, an expired
// token, the 24-hour rule, an unreachable number) fails the same way every time.
const RETRYABLE_CODES = new Set(["1", "2", "4", "17", "32", "613", "80007", "130429", "131000", "131016", "131048", "131056", "133004"]);

export function graphRequestBody(m: OutboundMessage): Record<string, unknown> {
  const base = { messaging_product: "whatsapp", recipient_type: "individual", ...(m.to ? { to: m.to } : { recipient: m.recipient }) };
  switch (m.type) {
    case "text":
      return { ...base, type: "text", text: { body: m.body ?? "", preview_url: false } };
    case "interactive":
      return { ...base, type: "interactive", interactive: m.payload };
    case "template":
      return { ...base, type: "template", template: m.payload };
    default:
      return { ...base, type: m.type, [m.type]: m.payload };
  }
}

export async function sendWhatsApp(graphUrl: string, phoneNumberId: string, accessToken: string, m: OutboundMessage): Promise<SendResult> {
  let res: Response;
  try {
    res = await fetch(`${graphUrl}/${encodeURIComponent(phoneNumberId)}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify(graphRequestBody(m)),
    });
  } catch (err) {
    return { ok: false, retryable: true, code: "network", title: "could not reach the Graph API", details: String(err) };
  }
  const json = (await res.json().catch(() => ({}))) as {
    messages?: { id?: string }[];
    error?: { code?: number | string; message?: string; error_subcode?: number; error_data?: unknown; fbtrace_id?: string };
  };
  const id = json.messages?.[0]?.id;
  if (res.ok && id) return { ok: true, providerMessageId: id };
  const code = String(json.error?.code ?? res.status);
  const retryAfter = Number(res.headers.get("retry-after"));
  return {
    ok: false,
    retryable: res.status === 429 || res.status >= 500 || RETRYABLE_CODES.has(code),
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    code,
    title: json.error?.message ?? `HTTP ${res.status}`,
    details: json.error ?? json,
  };
}

/**
 * Marks an inbound message read and shows the typing indicator while the reply is prepared (Meta hides it after
 * 25 seconds or when the reply arrives): POST {graph}/{phone-number-id}/messages. Best effort: false on any failure.
 */
export async function markReadWithTyping(graphUrl: string, phoneNumberId: string, accessToken: string, providerMessageId: string): Promise<boolean> {
  try {
    const res = await fetch(`${graphUrl}/${encodeURIComponent(phoneNumberId)}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ messaging_product: "whatsapp", status: "read", message_id: providerMessageId, typing_indicator: { type: "text" } }),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
