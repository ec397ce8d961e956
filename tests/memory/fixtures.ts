// Shared by the memory and API-key tests: plain fetch calls to the real functions (through the local gateway), keys
// created the way an owner creates them, and a caller's world (calls, summaries, personality) built as the schema
// owner.
import { randomBytes } from "node:crypto";
import type { TestDb } from "../helpers/db.ts";
import type { TestFunctions } from "../helpers/functions.ts";

export interface Answer<T = any> { status: number; body: T }

export async function call<T = any>(
  fns: TestFunctions,
  method: string,
  path: string,
  opts: { bearer?: string; body?: unknown; query?: Record<string, string>; rawBody?: string } = {},
): Promise<Answer<T>> {
  const url = new URL(`${fns.url}/${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] = "application/json";
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** An API key created through POST /api-keys by `token` (an owner's or admin's). */
export async function createKey(
  fns: TestFunctions, token: string, scopes: string[], extra: { name?: string; expires_at?: string } = {},
): Promise<{ id: string; key: string; prefix: string }> {
  const res = await call(fns, "POST", "api-keys", { bearer: token, body: { name: extra.name ?? `key ${scopes.join(" ")}`, scopes, ...extra } });
  if (res.status !== 201) throw new Error(`creating a key answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.api_key;
}

const digits = (n: number) => Array.from(randomBytes(n), (b) => (b % 10).toString()).join("");
export const randomPhone = () => `+1${"3"}${digits(9)}`;

/** A completed inbound call from `phone` with a summary, `minutesAgo` minutes ago. */
export async function callWithSummary(db: TestDb, tenantId: string, phone: string, summary: string, minutesAgo: number): Promise<string> {
  const [c] = await db.sql`
    insert into public.calls (tenant_id, provider, provider_call_id, direction, from_number, to_number, status, created_at)
    values (${tenantId}, 'twilio', ${"CA" + randomBytes(16).toString("hex")}, 'inbound', ${phone}, '+15550000000', 'completed',
            now() - ${minutesAgo} * interval '1 minute')
    returning id`;
  await db.sql`insert into public.call_summaries (tenant_id, call_id, summary, sentiment) values (${tenantId}, ${c.id}, ${summary}, 'positive')`;
  return c.id;
}
