// `npm run dev`: the whole local stack in one command, printing what `supabase start` prints.
//   npm run dev               start (reusing .frontdesk/db when present)
//   npm run dev -- --reset    rebuild the database from nothing
import path from "node:path";
import postgres from "postgres";
import { API_PORT, DB_PORT, jwtSecret, legacyApiKey, PUBLISHABLE_KEY, SECRET_KEY } from "./keys.ts";
import { startStack } from "./stack.ts";
import { ROOT } from "./supabase-cli.ts";
import { mintAccessToken, withRole } from "./tokens.ts";

const DEMO_OWNER = "00000000-0000-4000-a000-000000000001";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--reset");
if (unknown.length) {
  console.error(`unknown option ${unknown.join(" ")}: npm run dev [-- --reset]`);
  process.exit(2);
}

const started = Date.now();
// Overridable so a second stack (e.g. the test suite's) can run beside the default one.
const dataDir = process.env.FRONTDESK_DATA_DIR ?? path.join(ROOT, ".frontdesk", "db");
const stack = await startStack({
  dataDir,
  dbPort: Number(process.env.FRONTDESK_DB_PORT ?? DB_PORT),
  apiPort: Number(process.env.FRONTDESK_API_PORT ?? API_PORT),
  reset: args.includes("--reset"),
  seed: true,
  databaseUrl: process.env.DATABASE_URL,
  onLog: (line) => process.stderr.write(line.split("\n").filter((l) => l && !/functions listening/.test(l)).map((l) => `[functions] ${l}\n`).join("")),
}).catch((err) => {
  console.error(`\nCould not start the local stack: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
const readyMs = Date.now() - started;

let demoToken = "(no demo owner: the seed was not applied)";
const authAdmin = postgres(withRole(stack.dbUrl, "supabase_auth_admin"), { max: 1, onnotice: () => {} });
try {
  demoToken = await mintAccessToken(authAdmin, DEMO_OWNER, { expiresIn: 24 * 3600 });
} catch (err) {
  demoToken = `(could not mint: ${err instanceof Error ? err.message : err})`;
} finally {
  await authAdmin.end();
}

const rows: [string, string][] = [
  ["API URL", stack.apiUrl],
  ["Functions URL", stack.functionsUrl],
  ["DB URL", stack.dbUrl],
  ["Publishable key", PUBLISHABLE_KEY],
  ["Secret key", SECRET_KEY],
  ["JWT secret", jwtSecret()],
  ["anon key", await legacyApiKey("anon")],
  ["service_role key", await legacyApiKey("service_role")],
  ["WhatsApp webhook", `${stack.functionsUrl}/whatsapp-webhook`],
  ["WhatsApp app secret", stack.env.WHATSAPP_APP_SECRET],
  ["WhatsApp verify token", stack.env.WHATSAPP_VERIFY_TOKEN],
  ["Encryption key", stack.env.FRONTDESK_ENCRYPTION_KEY],
  ["Demo owner token", demoToken],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`\nStarted Frontdesk local development setup in ${(readyMs / 1000).toFixed(1)}s.\n`);
for (const [k, v] of rows) console.log(`${k.padStart(width)}: ${v}`);
console.log(`\nTry it:\n  curl -s ${stack.functionsUrl}/onboarding/tenants -H "Authorization: Bearer $DEMO_TOKEN"\n`);
console.log("Press Ctrl-C to stop.");
if (process.env.FRONTDESK_READY_FILE) {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(process.env.FRONTDESK_READY_FILE, JSON.stringify({ readyMs, demoToken, ...stack.env }));
}

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping…");
  await stack.stop();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
stack.functions.child.once("exit", (code) => {
  if (!stopping) {
    console.error(`functions server exited (${code}); stopping`);
    void shutdown();
  }
});
