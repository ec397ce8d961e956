// API key management for owners and admins: create (the plaintext is in the answer once), list, revoke. Each is one
// SQL function run as the caller (supabase/migrations/*_api_keys.sql); RLS on api_keys keeps it to owners and
// admins of the active business.
import { z } from "zod";
import { asCaller, type CallerClaims, type Sql } from "../db/client.ts";
import { HttpError } from "../http/errors.ts";
import { API_KEY_SCOPES, type ApiKeyScope } from "./format.ts";

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  status: "active" | "revoked" | "expired";
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface NewApiKey {
  id: string;
  name: string;
  prefix: string;
  /** The plaintext key: shown this once, stored nowhere. */
  key: string;
  scopes: ApiKeyScope[];
  created_at: string;
  expires_at: string | null;
}

export const createApiKeyInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1, "give the key at least one scope").max(API_KEY_SCOPES.length),
  expires_at: z.iso.datetime({ offset: true }).optional()
    .refine((v) => v === undefined || Date.parse(v) > Date.now(), "must be in the future"),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;

export const apiKeyId = z.uuid();

export async function createApiKey(claims: CallerClaims, input: CreateApiKeyInput, sql?: Sql): Promise<NewApiKey> {
  return asCaller(claims, async (tx) => {
    const [key] = await tx<NewApiKey[]>`
      select * from private.create_api_key(${input.name}, ${tx.array(input.scopes)}::text[], ${input.expires_at ?? null})`;
    return key;
  }, sql);
}

export async function listApiKeys(claims: CallerClaims, sql?: Sql): Promise<ApiKey[]> {
  return asCaller(claims, (tx) => tx<ApiKey[]>`select * from private.list_api_keys()`, sql);
}

export async function revokeApiKey(claims: CallerClaims, id: string, sql?: Sql): Promise<ApiKey> {
  if (!apiKeyId.safeParse(id).success) throw new HttpError(404, "not_found", "no API key with this id in your business");
  return asCaller(claims, async (tx) => {
    const [key] = await tx<ApiKey[]>`select * from private.revoke_api_key(${id})`;
    return key;
  }, sql);
}
