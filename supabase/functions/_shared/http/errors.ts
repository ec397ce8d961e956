// One error shape for every function: HTTP status + JSON body `{ error: { code, message, details? } }`.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

// SQLSTATEs the database raises on bad input or conflicts, and the HTTP status each deserves. Anything else is a
// server fault (500), never blamed on the caller.
const SQLSTATE_STATUS: Record<string, [number, string]> = {
  "23505": [409, "conflict"], // unique_violation
  "23P01": [409, "conflict"], // exclusion_violation
  "23503": [409, "conflict"], // foreign_key_violation
  "23514": [400, "invalid_input"], // check_violation
  "23502": [400, "invalid_input"], // not_null_violation
  "22P02": [400, "invalid_input"], // invalid_text_representation
  "22023": [400, "invalid_input"], // invalid_parameter_value
  "22007": [400, "invalid_input"], // invalid_datetime_format
  "22008": [400, "invalid_input"], // datetime_field_overflow
  "42501": [403, "forbidden"], // insufficient_privilege, incl. RLS refusals
};

const STATUS_CODE: Record<number, string> = {
  400: "invalid_input", 401: "unauthorized", 402: "payment_required", 403: "forbidden", 404: "not_found",
  409: "conflict", 410: "gone", 413: "payload_too_large", 422: "unprocessable", 429: "rate_limited",
};

interface PgErrorLike { code?: string; message?: string; detail?: string; errno?: string }

// The database is down, restarting or unreachable: not the caller's fault, and worth retrying (webhook senders such
// as Meta and Twilio retry on 5xx, which is exactly what we want then).
const UNAVAILABLE = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT", "57P01", "57P02", "57P03", "53300", "08000", "08001", "08003", "08004", "08006",
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as PgErrorLike;
  return UNAVAILABLE.has(e?.code ?? "") || UNAVAILABLE.has(e?.errno ?? "") || /ECONNREFUSED|Connection terminated/i.test(String((err as Error)?.message ?? ""));
}

/** Turns a database error into an HttpError when it is the caller's fault; returns undefined otherwise. */
export function fromDatabaseError(err: unknown): HttpError | undefined {
  const e = err as PgErrorLike;
  if (typeof e?.code !== "string") return undefined;
  // PostgREST's convention, used by our SQL functions: SQLSTATE PTxyz means HTTP xyz.
  const custom = /^PT([1-5]\d\d)$/.exec(e.code);
  if (custom) {
    const status = Number(custom[1]);
    return new HttpError(status, STATUS_CODE[status] ?? "error", e.message ?? "request failed", e.detail || undefined);
  }
  const mapped = SQLSTATE_STATUS[e.code];
  if (!mapped) return undefined;
  const message = e.code === "42501" ? "not allowed: " + (e.message ?? "permission denied") : e.message ?? "invalid";
  return new HttpError(mapped[0], mapped[1], message, e.detail || undefined);
}
