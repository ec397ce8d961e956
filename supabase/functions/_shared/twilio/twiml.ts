// TwiML, the XML Twilio executes on a call: a small builder that escapes every attribute and text it is given, so
// a business name or a URL can never break (or inject into) the document.

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
export const xmlEscape = (value: string) => value.replace(/[&<>"']/g, (c) => ESCAPES[c]);

function element(name: string, attrs: Record<string, string | number | boolean | undefined>, children?: string): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join("");
  return children === undefined ? `<${name}${a}/>` : `<${name}${a}>${children}</${name}>`;
}

export function response(...verbs: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs.join("")}</Response>`;
}

export const say = (text: string, language: string) => element("Say", { language }, xmlEscape(text));
export const hangup = () => element("Hangup", {});

/**
 * Connects the call's audio to a WebSocket (Twilio Media Streams). The custom parameters reach the agent in the
 * stream's `start` message, so it knows the tenant, call and caller without trusting anything the caller says.
 */
export function connectStream(url: string, parameters: Record<string, string | null | undefined>): string {
  const params = Object.entries(parameters)
    .filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== "")
    .map(([name, value]) => element("Parameter", { name, value }))
    .join("");
  return element("Connect", {}, element("Stream", { url }, params));
}

/**
 * Records a voicemail. `action` is where Twilio asks what to do once recording ends: without it Twilio would
 * request the current document again (the incoming-call URL) and loop the greeting, so it always points at a URL
 * that hangs up. The recording callback delivers the final recording URL.
 */
export function record(opts: { action: string; recordingStatusCallback: string; maxLength: number }): string {
  return element("Record", {
    action: opts.action,
    method: "POST",
    maxLength: opts.maxLength,
    playBeep: true,
    recordingStatusCallback: opts.recordingStatusCallback,
    recordingStatusCallbackMethod: "POST",
    recordingStatusCallbackEvent: "completed",
  });
}

export function twimlResponse(xml: string, status = 200): Response {
  return new Response(xml, { status, headers: { "content-type": "text/xml; charset=utf-8" } });
}
