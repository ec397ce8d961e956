// Proof of control of a WhatsApp number: the business's own Graph access token can read the phone number node,
// GET {graph}/{phone-number-id} (WhatsApp Business Phone Number: id, display_phone_number, verified_name, …).
// Meta answers a token that cannot see the number with an error (code 100 subcode 33 "Unsupported get request.
// Object … does not exist, cannot be loaded due to missing permissions…", or 190 for an invalid token).
import { failedOnProviderSide, providerGet, unreachable, type Proof } from "./proof.ts";

interface GraphError { message?: string; type?: string; code?: number; error_subcode?: number; fbtrace_id?: string }
interface GraphPhoneNumber { id?: string; display_phone_number?: string; verified_name?: string; error?: GraphError }

export async function graphCanReadNumber(graphUrl: string, phoneNumberId: string, accessToken: string): Promise<Proof> {
  const res = await providerGet("meta", `${graphUrl}/${encodeURIComponent(phoneNumberId)}`, {
    authorization: `Bearer ${accessToken}`,
  });
  if (failedOnProviderSide(res)) throw unreachable("meta", `answered HTTP ${res.status}`);
  const body = (await res.json().catch(() => ({}))) as GraphPhoneNumber;
  if (res.ok && body.id === phoneNumberId) return { ok: true };
  const e = body.error;
  if (res.ok || !e) {
    return {
      ok: false,
      refusal: {
        provider: "meta",
        status: res.status,
        code: null,
        message: res.ok
          ? `the Graph API answered for another object (id ${JSON.stringify(body.id ?? null)}), not phone number ${phoneNumberId}`
          : `the Graph API answered HTTP ${res.status}`,
      },
    };
  }
  const code = e.code === undefined ? null : String(e.code);
  return {
    ok: false,
    refusal: {
      provider: "meta",
      status: res.status,
      code,
      message: e.message ?? `the Graph API answered HTTP ${res.status}`,
      details: { type: e.type, code: e.code, error_subcode: e.error_subcode, fbtrace_id: e.fbtrace_id },
    },
  };
}
