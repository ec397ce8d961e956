// A stand-in for Twilio's REST API (2010-04-01), as much of it as channel verification reads:
// GET /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json?PhoneNumber=… with HTTP Basic AccountSid:AuthToken.
// It answers in Twilio's formats: a list page (`incoming_phone_numbers`, paging fields) on success; 401 code 20003
// for wrong credentials; 404 code 20404 for an account or resource the credentials do not reach. Queued answers are
// served first, for provider failures. Every request is recorded (method, path, Authorization header).
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { beforeAll } from "vitest";

export interface TwilioCall { method: string; path: string; authorization: string | undefined }
export interface TwilioAnswer { status: number; body: unknown }

export const twilioError = (status: number, code: number, message: string): TwilioAnswer => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

export const accountSid = () => `AC${randomBytes(16).toString("hex")}`;

const numberSid = () => `PN${randomBytes(16).toString("hex")}`;

function incomingNumber(account: string, phoneNumber: string) {
  const sid = numberSid();
  return {
    account_sid: account, address_requirements: "none", address_sid: null, api_version: "2010-04-01", beta: false,
    capabilities: { fax: false, mms: true, sms: true, voice: true },
    date_created: "Thu, 30 Jul 2015 23:19:04 +0000", date_updated: "Thu, 30 Jul 2015 23:19:04 +0000",
    friendly_name: phoneNumber, identity_sid: null, phone_number: phoneNumber, origin: "twilio", sid,
    sms_application_sid: "", sms_fallback_method: "POST", sms_fallback_url: "", sms_method: "POST", sms_url: "",
    status_callback: "", status_callback_method: "POST", trunk_sid: null,
    uri: `/2010-04-01/Accounts/${account}/IncomingPhoneNumbers/${sid}.json`,
    voice_application_sid: null, voice_caller_id_lookup: false, voice_fallback_method: "POST", voice_fallback_url: null,
    voice_method: "POST", voice_url: null, emergency_status: "Inactive", emergency_address_sid: null,
    emergency_address_status: "unregistered", bundle_sid: null, status: "in-use", type: "local",
  };
}

export async function startTwilioApi() {
  const calls: TwilioCall[] = [];
  const queue: TwilioAnswer[] = [];
  const accounts = new Map<string, { authToken: string; numbers: string[] }>();
  const server: Server = createServer((req, res) => {
    calls.push({ method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization });
    const answer = (a: TwilioAnswer, headers: Record<string, string> = {}) => {
      res.writeHead(a.status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(a.body));
    };
    const queued = queue.shift();
    if (queued) return answer(queued);
    const url = new URL(req.url ?? "/", "http://twilio.test");
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const [user, password] = basic ? Buffer.from(basic, "base64").toString().split(/:(.*)/s) : [];
    const caller = user ? accounts.get(user) : undefined;
    if (!caller || caller.authToken !== password) {
      return answer(twilioError(401, 20003, "Authenticate"), { "www-authenticate": 'Basic realm="Twilio API"' });
    }
    const path = /^\/2010-04-01\/Accounts\/([^/]+)\/IncomingPhoneNumbers\.json$/.exec(url.pathname);
    if (req.method !== "GET" || !path || path[1] !== user) {
      return answer(twilioError(404, 20404, `The requested resource ${url.pathname} was not found`));
    }
    // Twilio matches PhoneNumber as a pattern (partial numbers, '*' for any digit); a substring is close enough here.
    const wanted = (url.searchParams.get("PhoneNumber") ?? "").replace(/[^0-9*]/g, "");
    const list = caller.numbers.filter((n) => n.replace(/\D/g, "").includes(wanted));
    const pageUri = `${url.pathname}?${url.searchParams.toString()}&PageSize=50&Page=0`;
    answer({
      status: 200,
      body: {
        end: Math.max(list.length - 1, 0), first_page_uri: pageUri, next_page_uri: null, page: 0, page_size: 50,
        previous_page_uri: null, start: 0, uri: pageUri, incoming_phone_numbers: list.map((n) => incomingNumber(user!, n)),
      },
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    queue,
    /** A Twilio account with its auth token and the numbers it owns. */
    account(sid: string, authToken: string, ...numbers: string[]) {
      accounts.set(sid, { authToken, numbers });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export type TwilioApi = Awaited<ReturnType<typeof startTwilioApi>>;

/** A Twilio API stand-in for the whole test file: fields filled in beforeAll, closed after the file. */
export function useTwilioApi(): TwilioApi {
  const api = {} as TwilioApi;
  beforeAll(async () => {
    Object.assign(api, await startTwilioApi());
    return () => api.close();
  });
  return api;
}
