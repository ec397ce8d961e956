// Response helpers: JSON bodies, CORS for browser callers, and the single place errors become responses.
import { fromDatabaseError, HttpError, isDatabaseUnavailable } from "./errors.ts";

export const corsHeaders: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, x-client-info, apikey, content-type",
  "access-control-allow-methods": "GET, POST, PATCH, DELETE, OPTIONS",
};

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...corsHeaders, ...headers },
  });
}

export function errorResponse(err: unknown): Response {
  const http = err instanceof HttpError ? err : fromDatabaseError(err);
  if (http) {
    const body: Record<string, unknown> = { code: http.code, message: http.message };
    if (http.details !== undefined) body.details = http.details;
    return json({ error: body }, http.status);
  }
  if (isDatabaseUnavailable(err)) {
    return json({ error: { code: "unavailable", message: "the database is unavailable; retry later" } }, 503, { "retry-after": "5" });
  }
  console.error(err);
  return json({ error: { code: "internal_error", message: "internal error" } }, 500);
}

/** Wraps a handler: answers CORS preflight, and turns thrown errors into JSON answers. */
export function handle(handler: (req: Request) => Promise<Response>): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.method === "OPTIONS") return new Response("ok", { headers: corsHeaders });
    try {
      return await handler(req);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
