// Proof of control of a Twilio number: the business's own account lists it among its numbers,
// GET {twilio}/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json?PhoneNumber={E.164} with HTTP Basic
// AccountSid:AuthToken. Twilio filters by pattern (partial numbers match), so only an exact phone_number in
// `incoming_phone_numbers` counts. Wrong credentials get Twilio's 401 (code 20003), an unknown account 404 (20404).
import { env } from "../env.ts";
import { failedOnProviderSide, providerGet, unreachable, type Proof } from "./proof.ts";

export const DEFAULT_TWILIO_API_BASE_URL = "https://api.twilio.com";

/** TWILIO_API_BASE_URL lets tests and the local stack point at a stand-in. */
export const twilioApiBaseUrl = () => (env("TWILIO_API_BASE_URL") ?? DEFAULT_TWILIO_API_BASE_URL).replace(/\/$/, "");

interface TwilioError { code?: number; message?: string; more_info?: string; status?: number }
interface IncomingPhoneNumbers extends TwilioError {
  incoming_phone_numbers?: { phone_number?: string; account_sid?: string; sid?: string }[];
}

/** HTTP Basic credentials, UTF-8 encoded (btoa alone only takes Latin-1). */
const basic = (user: string, password: string) =>
  `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)))}`;

export async function twilioAccountListsNumber(baseUrl: string, accountSid: string, authToken: string, phoneNumber: string): Promise<Proof> {
  const url = `${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(phoneNumber)}`;
  const res = await providerGet("twilio", url, { authorization: basic(accountSid, authToken) });
  if (failedOnProviderSide(res)) throw unreachable("twilio", `answered HTTP ${res.status}`);
  const body = (await res.json().catch(() => ({}))) as IncomingPhoneNumbers;
  if (res.ok) {
    const listed = (body.incoming_phone_numbers ?? []).some(
      (n) => n.phone_number === phoneNumber && (n.account_sid === undefined || n.account_sid === accountSid),
    );
    if (listed) return { ok: true };
    return {
      ok: false,
      refusal: {
        provider: "twilio",
        status: res.status,
        code: "number_not_in_account",
        message: `Twilio account ${accountSid} has no incoming phone number ${phoneNumber}`,
      },
    };
  }
  return {
    ok: false,
    refusal: {
      provider: "twilio",
      status: res.status,
      code: body.code === undefined ? null : String(body.code),
      message: body.message ?? `the Twilio API answered HTTP ${res.status}`,
      details: { code: body.code, more_info: body.more_info },
    },
  };
}
