// The local stack: database (embedded PostgreSQL, or DATABASE_URL), bootstrap, migrations and seed through the real
// CLI, and the functions gateway, with the keys and environment `supabase start` would give.
import path from "node:path";
import { dbUrl, startCluster, type Cluster, type StartedCluster } from "./postgres.ts";
import { prepareDatabase } from "./database.ts";
import { startFunctions, type FunctionsServer } from "./functions.ts";
import { functionsDotEnv } from "./functions-config.ts";
import {
  jwtSecret, legacyApiKey, LOCAL_ENCRYPTION_KEY, LOCAL_WHATSAPP_APP_SECRET, LOCAL_WHATSAPP_VERIFY_TOKEN, PUBLISHABLE_KEY,
  publicJwks, SECRET_KEY,
} from "./keys.ts";
import { ROOT } from "./supabase-cli.ts";

export interface StackOptions {
  dataDir?: string;
  dbPort: number;
  apiPort: number;
  reset?: boolean;
  seed: boolean;
  databaseUrl?: string;
  quiet?: boolean;
  onLog?: (line: string) => void;
}

export interface Stack {
  dbUrl: string;
  functionsUrl: string;
  apiUrl: string;
  env: Record<string, string>;
  cluster?: Cluster & StartedCluster;
  functions: FunctionsServer;
  stop(): Promise<void>;
}

/** What a hosted Edge Function finds in its environment, pointed at this stack. */
export async function functionEnv(apiUrl: string, databaseUrl: string): Promise<Record<string, string>> {
  return {
    SUPABASE_URL: apiUrl,
    SUPABASE_DB_URL: databaseUrl,
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: PUBLISHABLE_KEY }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: SECRET_KEY }),
    SUPABASE_JWKS: JSON.stringify(publicJwks()),
    SUPABASE_ANON_KEY: await legacyApiKey("anon"),
    SUPABASE_SERVICE_ROLE_KEY: await legacyApiKey("service_role"),
    // Legacy HS256 verification inside functions (see _shared/auth/jwt.ts).
    JWT_SECRET: jwtSecret(),
    // The project's own secrets: from the environment when set (supabase/functions/.env overrides both), else
    // the local defaults `npm run dev` prints.
    WHATSAPP_APP_SECRET: process.env.WHATSAPP_APP_SECRET ?? LOCAL_WHATSAPP_APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: process.env.WHATSAPP_VERIFY_TOKEN ?? LOCAL_WHATSAPP_VERIFY_TOKEN,
    FRONTDESK_ENCRYPTION_KEY: process.env.FRONTDESK_ENCRYPTION_KEY ?? LOCAL_ENCRYPTION_KEY,
    // Provider base URLs, so a local stand-in can play Meta or Twilio (number verification, sending).
    ...(process.env.WHATSAPP_GRAPH_URL ? { WHATSAPP_GRAPH_URL: process.env.WHATSAPP_GRAPH_URL } : {}),
    ...(process.env.TWILIO_API_BASE_URL ? { TWILIO_API_BASE_URL: process.env.TWILIO_API_BASE_URL } : {}),
    // The WhatsApp LLM assistant's endpoint (any OpenAI-compatible Chat Completions API), when set.
    ...Object.fromEntries(["FRONTDESK_LLM_BASE_URL", "FRONTDESK_LLM_API_KEY", "FRONTDESK_LLM_MODEL", "FRONTDESK_LLM_TIMEOUT_MS", "FRONTDESK_LLM_MAX_ROUNDS"]
      .filter((k) => process.env[k]).map((k) => [k, process.env[k]!])),
    ...functionsDotEnv(),
  };
}

export async function startDatabase(opts: StackOptions): Promise<{ url: string; cluster?: Cluster & StartedCluster }> {
  if (opts.databaseUrl) {
    await prepareDatabase({ url: opts.databaseUrl, seed: opts.seed, quiet: opts.quiet });
    return { url: opts.databaseUrl };
  }
  const cluster = await startCluster({
    dataDir: opts.dataDir ?? path.join(ROOT, ".frontdesk", "db"),
    port: opts.dbPort,
    reset: opts.reset,
  });
  try {
    await prepareDatabase({ superuserUrl: cluster.adminUrl(), url: cluster.url(), seed: opts.seed, quiet: opts.quiet });
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return { url: dbUrl(opts.dbPort), cluster };
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const { url, cluster } = await startDatabase(opts);
  const apiUrl = `http://127.0.0.1:${opts.apiPort}`;
  const env = await functionEnv(apiUrl, url);
  let functions: FunctionsServer;
  try {
    functions = await startFunctions({ port: opts.apiPort, env, onLog: opts.onLog });
  } catch (err) {
    await cluster?.stop();
    throw err;
  }
  return {
    dbUrl: url,
    apiUrl,
    functionsUrl: functions.url,
    env,
    cluster,
    functions,
    async stop() {
      await functions.stop();
      await cluster?.stop();
    },
  };
}
