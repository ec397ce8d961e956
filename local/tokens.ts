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

/** The local stack's `iss`, as Supabase Auth sets it: <API URL>/auth/v1. */
export function localIssuer(apiUrl: string): string {
  return `${apiUrl.replace(/\/$/, "")}/auth/v1`;
}

type Queryable = postgres.Sql | postgres.TransactionSql;

/** The claims Auth would issue for this user, after the hook. */
export async function hookClaims(authAdmin: Queryable, userId: string, opts: MintOptions = {}): Promise<Claims> {
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

export class TokenError extends Error {}

/** An auth.users row by e-mail (case-insensitive) or id. */
export async function findUser(sql: Queryable, who: string): Promise<{ id: string; email: string | null }> {
  const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(who);
  const rows = byId
    ? await sql<{ id: string; email: string | null }[]>`select id, email from auth.users where id = ${who}::uuid`
    : await sql<{ id: string; email: string | null }[]>`select id, email from auth.users where lower(email) = lower(${who})`;
  if (rows.length !== 1) {
    const known = await sql<{ email: string }[]>`select email from auth.users where email is not null order by email limit 20`;
    throw new TokenError(`no user ${byId ? "with id" : "with e-mail"} ${who} in this database` +
      (known.length ? `; users: ${known.map((u) => u.email).join(", ")}` : ""));
  }
  return rows[0];
}

/**
 * The claims the hook gives this user when `tenantSlug` is their active business — the business they would be in
 * after `POST /onboarding/switch` — without changing their stored choice: the switch and the hook run in one
 * transaction (as the migration owner) that is rolled back.
 */
export async function hookClaimsForTenant(owner: postgres.Sql, userId: string, tenantSlug: string, opts: MintOptions = {}): Promise<Claims> {
  const rollback = Symbol("rollback");
  let claims: Claims | undefined;
  try {
    await owner.begin(async (tx) => {
      const [tenant] = await tx<{ id: string; status: string; member: boolean }[]>`
        select t.id, t.status::text as status,
               exists (select 1 from public.memberships m where m.tenant_id = t.id and m.user_id = ${userId}::uuid) as member
        from public.tenants t where t.slug = ${tenantSlug}`;
      if (!tenant?.member || tenant.status !== "active") {
        const mine = await tx<{ slug: string }[]>`
          select t.slug from public.memberships m join public.tenants t on t.id = m.tenant_id
          where m.user_id = ${userId}::uuid and t.status = 'active' order by m.created_at`;
        const reason = !tenant
          ? `no business with slug ${tenantSlug}`
          : tenant.member ? `business ${tenantSlug} is ${tenant.status}` : `the user is not a member of ${tenantSlug}`;
        throw new TokenError(`${reason}; the user's active businesses: ${mine.map((t) => t.slug).join(", ") || "none"}`);
      }
      await tx`insert into private.active_tenants (user_id, tenant_id) values (${userId}::uuid, ${tenant.id}::uuid)
               on conflict (user_id) do update set tenant_id = excluded.tenant_id`;
      claims = await hookClaims(tx, userId, opts);
      throw rollback;
    });
  } catch (err) {
    if (err !== rollback) throw err;
  }
  return claims!;
}

/** Signs claims as Auth would: ES256 with the local key (default), or HS256 with the legacy secret. */
export function signClaims(claims: Claims, alg: MintOptions["alg"] = "ES256"): Promise<string> {
  return alg === "HS256" ? signLegacy(claims) : signAsymmetric(claims);
}
