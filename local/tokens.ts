// Mints access tokens the way Supabase Auth (GoTrue) does, without GoTrue: the standard claims of a password
// sign-in, passed through the project's own custom_access_token_hook (run as supabase_auth_admin, as Auth runs it),
// then signed with the local asymmetric key (current Supabase) or the legacy shared secret.
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { signAsymmetric, signLegacy, type Claims } from "./keys.ts";

export function withRole(url: string, role: string, password = "postgres"): string {
  const u = new URL(url);
  u.username = role;
  u.password = password;
  return u.toString();
}

export interface MintOptions { alg?: "ES256" | "HS256"; expiresIn?: number; issuer?: string }

/** The claims Auth would issue for this user, after the hook. */
export async function hookClaims(authAdmin: postgres.Sql, userId: string, opts: MintOptions = {}): Promise<Claims> {
  const [user] = await authAdmin`
    select id, email, phone, coalesce(raw_app_meta_data, '{}') as app, coalesce(raw_user_meta_data, '{}') as meta,
           coalesce(is_anonymous, false) as anon
    from auth.users where id = ${userId}`;
  if (!user) throw new Error(`no auth.users row with id ${userId}`);
  const now = Math.floor(Date.now() / 1000);
  const claims: Claims = {
    iss: opts.issuer ?? "http://127.0.0.1:54321/auth/v1",
    aud: "authenticated",
    exp: now + (opts.expiresIn ?? 3600),
    iat: now,
    sub: user.id,
    email: user.email ?? "",
    phone: user.phone ?? "",
    app_metadata: user.app,
    user_metadata: user.meta,
    role: "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: now }],
    session_id: randomUUID(),
    is_anonymous: user.anon,
  };
  const event = { user_id: userId, claims, authentication_method: "password" };
  const [row] = await authAdmin`select public.custom_access_token_hook(${authAdmin.json(event as never)}) as result`;
  return (row.result as { claims: Claims }).claims;
}

export async function mintAccessToken(authAdmin: postgres.Sql, userId: string, opts: MintOptions = {}): Promise<string> {
  const claims = await hookClaims(authAdmin, userId, opts);
  return opts.alg === "HS256" ? signLegacy(claims) : signAsymmetric(claims);
}
