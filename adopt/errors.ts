// The errors `adopt` reports to a person: a message and an exit code, never a stack trace. 2 = the command line or
// the mapping is wrong (fix the input); 1 = something at run time (a database, the data, a refused rollback).

export class AdoptError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
    this.name = "AdoptError";
  }
}

export const usageError = (message: string) => new AdoptError(message, 2);

interface PgLike {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
  errno?: string;
  address?: string;
  port?: number;
}

/** Describes a connection failure in words: which database, and what went wrong. */
export function connectionError(what: string, url: string, err: unknown): AdoptError {
  const e = err as PgLike;
  let where = url;
  try {
    const u = new URL(url);
    where = `${u.hostname}:${u.port || 5432}/${u.pathname.slice(1)}`;
  } catch {
    return new AdoptError(`${what}: "${redact(url)}" is not a postgres:// URL`, 2);
  }
  const reason =
    e.code === "ECONNREFUSED" ? "connection refused (is it running, on that port?)"
    : e.code === "ENOTFOUND" ? "unknown host"
    : e.code === "CONNECT_TIMEOUT" || e.code === "ETIMEDOUT" ? "timed out"
    : e.code === "3D000" ? "no such database"
    : e.code === "28P01" || e.code === "28000" ? "authentication failed"
    : (e.message ?? String(err));
  return new AdoptError(`cannot reach the ${what} at ${where}: ${reason}`);
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

/** Any error as one or two lines for stderr. */
export function describe(err: unknown): { message: string; exitCode: number } {
  if (err instanceof AdoptError) return { message: err.message, exitCode: err.exitCode };
  const e = err as PgLike;
  if (e && typeof e === "object" && typeof e.code === "string" && e.message) {
    const extra = [e.detail, e.hint].filter(Boolean).join("; ");
    return { message: `database error ${e.code}: ${e.message}${extra ? ` (${extra})` : ""}`, exitCode: 1 };
  }
  return { message: err instanceof Error ? err.message : String(err), exitCode: 1 };
}
