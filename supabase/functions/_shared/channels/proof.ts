// What asking a provider "does this business control this number?" can answer. A refusal keeps the provider's own
// status, code and message (never a credential), so the business can see why; a provider we cannot reach, or one
// failing on its side, is not a refusal and becomes 502 (worth retrying).
import { HttpError } from "../http/errors.ts";

export type Provider = "meta" | "twilio";

export interface Refusal {
  provider: Provider;
  status: number;
  code: string | null;
  message: string;
  details?: Record<string, unknown>;
}

export type Proof = { ok: true } | { ok: false; refusal: Refusal };

/** How long a provider may take to answer before the verification gives up with 502. */
export const PROVIDER_TIMEOUT_MS = 10_000;

export function unreachable(provider: Provider, why: string): HttpError {
  const name = provider === "meta" ? "the Graph API" : "the Twilio API";
  return new HttpError(502, "provider_unavailable", `could not verify the number: ${name} ${why}; try again later`);
}

/** GET with a timeout; network failures and timeouts become 502. */
export async function providerGet(provider: Provider, url: string, headers: Record<string, string>): Promise<Response> {
  try {
    return await fetch(url, { method: "GET", headers, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  } catch (err) {
    const timedOut = (err as Error)?.name === "TimeoutError";
    throw unreachable(provider, timedOut ? "did not answer in time" : "is unreachable");
  }
}

/** Rate limits and server errors are the provider's trouble, not a "no". */
export function failedOnProviderSide(res: Response): boolean {
  return res.status === 429 || res.status >= 500;
}
