// `npm run token -- <email | user id> [--tenant <slug>]`: an access token for any user in the local database, with
// the claims the project's own access-token hook gives (tenant_id, tenant_slug, tenant_role), signed with the local
// ES256 key the functions trust, and the `iss` of the running stack. What Supabase Auth would issue at sign-in or
// refresh — locally, where there is no Auth server (see README, "What the Docker-free stack has and lacks").
//   --tenant <slug>     the token is for that business (the user must be a member), as after /onboarding/switch;
//                       the user's stored choice is not changed. Without it: the business the hook picks now.
//   --expires-in <s>    lifetime in seconds (default 3600)
//   --hs256             sign with the legacy JWT secret instead
//   --json              print {token, claims} instead of the bare token
// Targets DATABASE_URL, else the running stack (.frontdesk/state.json), else the default port.
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { localApiUrl, localDbUrl } from "./state.ts";
import { findUser, hookClaims, hookClaimsForTenant, localIssuer, signClaims, TokenError, withRole, type MintOptions } from "./tokens.ts";
import type { Claims } from "./keys.ts";

export interface LocalTokenOptions extends MintOptions {
  /** The database (its URL's role must be the migration owner, `postgres` locally). */
  url: string;
  /** E-mail or user id. */
  user: string;
  tenant?: string;
}

export async function mintLocalToken(opts: LocalTokenOptions): Promise<{ token: string; claims: Claims }> {
  const owner = postgres(opts.url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  const authAdmin = postgres(withRole(opts.url, "supabase_auth_admin"), { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const user = await findUser(owner, opts.user);
    const claims = opts.tenant ? await hookClaimsForTenant(owner, user.id, opts.tenant, opts) : await hookClaims(authAdmin, user.id, opts);
    return { token: await signClaims(claims, opts.alg), claims };
  } finally {
    await Promise.all([owner.end(), authAdmin.end()]);
  }
}

const USAGE = "usage: npm run token -- <email | user id> [--tenant <slug>] [--expires-in <seconds>] [--hs256] [--json]";

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        tenant: { type: "string" },
        "expires-in": { type: "string" },
        hs256: { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`${positionals.length ? "one user at a time" : "which user?"}\n${USAGE}`);
    return 2;
  }
  const expiresIn = values["expires-in"] === undefined ? 3600 : Number(values["expires-in"]);
  if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
    console.error(`--expires-in: "${values["expires-in"]}" is not a positive number of seconds\n${USAGE}`);
    return 2;
  }
  const url = localDbUrl(env);
  const issuer = localIssuer(localApiUrl(env));
  try {
    const { token, claims } = await mintLocalToken({
      url, user: positionals[0], tenant: values.tenant, issuer, expiresIn, alg: values.hs256 ? "HS256" : "ES256",
    });
    if (values.json) console.log(JSON.stringify({ token, claims }, null, 2));
    else console.log(token);
    console.error(claims.tenant_slug
      ? `token for ${claims.email || claims.sub} in ${claims.tenant_slug} (${claims.tenant_role}), iss ${claims.iss}, expires in ${expiresIn}s`
      : `token for ${claims.email || claims.sub}: no active business, so no tenant claims`);
    return 0;
  } catch (err) {
    if (err instanceof TokenError) {
      console.error(err.message);
      return 1;
    }
    console.error(`could not mint a token against ${new URL(url).host}: ${(err as Error).message} (is \`npm run dev\` running?)`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
