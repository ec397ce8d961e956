// The call-memory API: store memories for a caller, recall a caller's context in one call, forget a caller
// (erasure). Each request is one SQL function (supabase/migrations/*_memory_api.sql) in one transaction as the
// principal (API key or member, see ../api-keys/principal.ts); the database decides the tenant and who may do what.
//
// Input is validated after the principal is authenticated, inside the transaction, so an unauthenticated request
// learns nothing about what a valid one looks like.
import { z } from "zod";
import { asPrincipal, type Principal } from "../api-keys/principal.ts";
import type { Sql, Tx } from "../db/client.ts";
import { MiB, readText } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import { parseWith } from "../http/parse.ts";
import { businessCountry, toE164, WITHHELD } from "../phone/phone.ts";

export const MEMORY_KINDS = ["fact", "preference", "event", "relationship", "note", "follow_up"] as const;
/** The memories_content_size check: 1..65536 characters (what legacy memory stores hold). */
export const MAX_CONTENT = 65536;
export const MAX_BATCH = 100;
/** Largest body read. One maximal memory in a multi-byte script (~256 KB of UTF-8) fits many times over; a batch of
 * many long memories is bounded by the body, not by MAX_BATCH × MAX_CONTENT. */
export const MAX_BODY_BYTES = 2 * MiB;

// A caller's number as given: E.164, or a national number of the business's country ("(305) 555-0199"), turned into
// E.164 by callerNumber() with libphonenumber-js once the business is known. SQL functions receive E.164 only.
const CALLER_HINT = "use E.164, e.g. +14155550123 (or a national number of the business's country)";
const e164 = z.string().trim().min(1, CALLER_HINT).max(64, CALLER_HINT);
// In a query string an unencoded "+" arrives as a space ("?caller=+1415…" is a common mistake): take it as the "+".
const callerParam = z.preprocess((v) => (typeof v === "string" ? v.replace(/^ (?=[1-9])/, "+") : v), e164);

/**
 * The caller as E.164 through libphonenumber-js: an international number as given (when a possible number), a
 * national one read in the business's country (its phone's, else settings.country; none: E.164 only). Withheld
 * placeholders pass unchanged: the SQL functions recognise and refuse them (private.callable_number). One extra
 * statement, only for a number not already international.
 */
export async function callerNumber(tx: Tx, raw: string): Promise<string> {
  if (WITHHELD.has(raw)) return raw;
  const international = toE164(raw, null, { international: "possible" });
  if (international) return international;
  const [business] = await tx<{ phone: string | null; country: string | null }[]>`select phone, country from private.phone_defaults()`;
  const country = business ? businessCountry(business) : undefined;
  const national = country ? toE164(raw, country, { international: "possible" }) : null;
  if (national) return national;
  const message = country ? `not a phone number in ${country} or internationally: ${CALLER_HINT}` : `${CALLER_HINT}; the business has no phone or settings.country to read national numbers in`;
  throw new HttpError(400, "invalid_input", `invalid request: caller: ${message}`, [{ path: "caller", message }]);
}

export const memoryInput = z.strictObject({
  content: z.string().trim().min(1).max(MAX_CONTENT),
  kind: z.enum(MEMORY_KINDS).default("fact"),
  importance: z.int().min(1).max(10).default(5),
  source_call_id: z.uuid().optional(),
});

export const storeInput = z.strictObject({
  caller: e164,
  memories: z.array(memoryInput).min(1).max(MAX_BATCH),
  profile: z.strictObject({
    display_name: z.string().trim().min(1).max(200).optional(),
    summary: z.string().trim().min(1).max(MAX_CONTENT).optional(),
    preferences: z.record(z.string(), z.unknown()).optional(),
  }).default({}),
});
export type StoreInput = z.infer<typeof storeInput>;

export const recallInput = z.strictObject({
  caller: callerParam,
  q: z.string().trim().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type RecallInput = z.infer<typeof recallInput>;

export const forgetInput = z.strictObject({ caller: callerParam });

export interface StoredMemory {
  id: string; content: string; kind: string; importance: number; source_call_id: string | null; created_at: string;
}
export interface StoreResult { caller_id: string; caller_created: boolean; memories: StoredMemory[] }

export interface RecalledMemory extends StoredMemory { score: number; matched: boolean }
export interface Recall {
  caller: Record<string, unknown> & { id: string; phone: string };
  personality: Record<string, unknown> | null;
  recent_calls: Record<string, unknown>[];
  memories: RecalledMemory[];
  total_memories: number;
  query: string | null;
}

export interface ForgetResult {
  caller_id: string; erased: true; memories: number; personality_metrics: number; calls_unlinked: number;
}

/**
 * The store request's body as text, refusing more than MAX_BODY_BYTES (413) without reading further. Read before the
 * principal is authenticated, so an oversized request costs nothing; parsed only after (see ../http/parse.ts).
 */
export async function readStoreBody(req: Request): Promise<string> {
  try {
    return await readText(req, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof HttpError && err.status === 413) throw tooLarge();
    throw err;
  }
}

function tooLarge(): HttpError {
  return new HttpError(413, "payload_too_large",
    `the request body is larger than the limit of ${MAX_BODY_BYTES} bytes: send at most ${MAX_BATCH} memories of up to ${MAX_CONTENT} characters each, ${MAX_BODY_BYTES} bytes in all (split long batches)`,
    { limit_bytes: MAX_BODY_BYTES });
}

export function queryParams(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}

export async function storeMemories(principal: Principal, body: unknown, sql?: Sql): Promise<StoreResult> {
  return asPrincipal(principal, "memory:write", async (tx) => {
    const input = parseWith(storeInput, body);
    const caller = await callerNumber(tx, input.caller);
    const [row] = await tx<{ result: StoreResult }[]>`
      select private.memory_store(${caller}, ${tx.json(input.memories as never)}, ${tx.json(input.profile as never)}) as result`;
    return row.result;
  }, sql);
}

export async function recall(principal: Principal, params: Record<string, string>, sql?: Sql): Promise<Recall> {
  return asPrincipal(principal, "memory:read", async (tx) => {
    const input = parseWith(recallInput, params);
    const caller = await callerNumber(tx, input.caller);
    const [row] = await tx<{ result: Recall }[]>`
      select private.memory_recall(${caller}, ${input.q ?? null}, ${input.limit}) as result`;
    return row.result;
  }, sql);
}

export async function forgetCaller(principal: Principal, params: Record<string, string>, sql?: Sql): Promise<ForgetResult> {
  return asPrincipal(principal, "memory:write", async (tx) => {
    const input = parseWith(forgetInput, params);
    const caller = await callerNumber(tx, input.caller);
    const [row] = await tx<{ result: ForgetResult }[]>`select private.memory_forget(${caller}) as result`;
    return row.result;
  }, sql);
}
