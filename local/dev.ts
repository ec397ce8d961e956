// `npm run dev`: the whole local stack in one command, printing what `supabase start` prints.
//   npm run dev               start (reusing .frontdesk/db when present)
//   npm run dev -- --reset    rebuild the database from nothing
// What it started (ports, URLs, keys) goes to .frontdesk/state.json (FRONTDESK_STATE_FILE), which every tool reads.
// A stack already running is reported and left alone; a port in use gets one line naming the variable to set; if
// the database or the functions server dies, it says so and exits non-zero.
import path from "node:path";
import { parseArgs } from "node:util";
import { API_PORT, DB_PORT, jwtSecret, legacyApiKey, PUBLISHABLE_KEY, SECRET_KEY } from "./keys.ts";
import { portFree, PortInUseError } from "./ports.ts";
import { AlreadyRunningError } from "./postgres.ts";
import { startStack, type Stack } from "./stack.ts";
import { readStateFile, removeState, stateFile, writeState, type LocalState } from "./state.ts";
import { ROOT } from "./supabase-cli.ts";
import { mintLocalToken } from "./token.ts";
import { localIssuer } from "./tokens.ts";

/** The seeded demo owner (Marco) and his demo business: the printed token is always for these. */
export const DEMO_OWNER = "00000000-0000-4000-a000-000000000001";
export const DEMO_TENANT = "fade-house";

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

let args;
try {
  args = parseArgs({ args: process.argv.slice(2), options: { reset: { type: "boolean" } }, strict: true }).values;
} catch (err) {
  const bad = /'([^']+)'/.exec((err as Error).message)?.[1] ?? (err as Error).message;
  fail(`unknown option ${bad}: npm run dev [-- --reset]`, 2);
}

const started = Date.now();
// Overridable so a second stack (e.g. the test suite's) can run beside the default one.
const dataDir = path.resolve(process.env.FRONTDESK_DATA_DIR ?? path.join(ROOT, ".frontdesk", "db"));
const databaseUrl = process.env.DATABASE_URL || undefined;
const dbPort = Number(process.env.FRONTDESK_DB_PORT || DB_PORT);
const apiPort = Number(process.env.FRONTDESK_API_PORT || API_PORT);

// 1. A stack already recorded and alive: report it, touch nothing.
const recorded = readStateFile();
if (recorded?.live) {
  const s = recorded.state;
  const same = databaseUrl ? s.dbUrl === databaseUrl && !s.dataDir : s.dataDir === dataDir;
  if (same) fail(`already running on ${s.apiUrl} (database ${s.dbUrl}, pid ${s.pid}): use that one, or stop it with Ctrl-C first`);
  fail(`another local stack (pid ${s.pid}, ${s.apiUrl}) is running and owns ${stateFile()}: ` +
    "set FRONTDESK_STATE_FILE to give this one its own state file (and the same for the tools that should follow it)");
}

// 2. Ports: one line naming the variable that moves each.
const portChecks: [number, string, string][] = [[apiPort, "API", "FRONTDESK_API_PORT"]];
if (!databaseUrl) portChecks.unshift([dbPort, "database", "FRONTDESK_DB_PORT"]);
for (const [port, what, variable] of portChecks) {
  if (!(await portFree(port))) fail(`${what} port ${port} is in use: set ${variable} to a free port (e.g. ${variable}=${port + 100} npm run dev)`);
}

let stack: Stack;
try {
  stack = await startStack({
    dataDir,
    dbPort,
    apiPort,
    reset: args.reset,
    seed: true,
    databaseUrl,
    onLog: (line) => process.stderr.write(line.split("\n").filter((l) => l && !/functions listening/.test(l)).map((l) => `[functions] ${l}\n`).join("")),
  });
} catch (err) {
  if (err instanceof AlreadyRunningError) fail(`already running: ${err.message}`);
  if (err instanceof PortInUseError) {
    const variable = err.what === "API" ? "FRONTDESK_API_PORT" : "FRONTDESK_DB_PORT";
    fail(`${err.what} port ${err.port} is in use: set ${variable} to a free port (e.g. ${variable}=${err.port + 100} npm run dev)`);
  }
  fail(`\nCould not start the local stack: ${err instanceof Error ? err.message : err}`);
}
const readyMs = Date.now() - started;
const issuer = localIssuer(stack.apiUrl);

let demoToken = "(no demo owner: the seed was not applied)";
try {
  demoToken = (await mintLocalToken({ url: stack.dbUrl, user: DEMO_OWNER, tenant: DEMO_TENANT, issuer, expiresIn: 24 * 3600 })).token;
} catch (err) {
  demoToken = `(could not mint: ${err instanceof Error ? err.message : err})`;
}

const state: LocalState = {
  version: 1,
  pid: process.pid,
  startedAt: new Date().toISOString(),
  ...(databaseUrl ? {} : { dataDir, dbPort, dbPid: stack.cluster?.child.pid }),
  apiPort,
  apiUrl: stack.apiUrl,
  functionsUrl: stack.functionsUrl,
  dbUrl: stack.dbUrl,
  authIssuer: issuer,
  publishableKey: PUBLISHABLE_KEY,
  secretKey: SECRET_KEY,
  anonKey: await legacyApiKey("anon"),
  serviceRoleKey: await legacyApiKey("service_role"),
  jwtSecret: jwtSecret(),
  whatsappAppSecret: stack.env.WHATSAPP_APP_SECRET,
  whatsappVerifyToken: stack.env.WHATSAPP_VERIFY_TOKEN,
  encryptionKey: stack.env.FRONTDESK_ENCRYPTION_KEY,
};
const written = writeState(state);

const rows: [string, string][] = [
  ["API URL", stack.apiUrl],
  ["Functions URL", stack.functionsUrl],
  ["DB URL", stack.dbUrl],
  ["Publishable key", PUBLISHABLE_KEY],
  ["Secret key", SECRET_KEY],
  ["JWT secret", jwtSecret()],
  ["anon key", state.anonKey],
  ["service_role key", state.serviceRoleKey],
  ["WhatsApp webhook", `${stack.functionsUrl}/whatsapp-webhook`],
  ["WhatsApp app secret", stack.env.WHATSAPP_APP_SECRET],
  ["WhatsApp verify token", stack.env.WHATSAPP_VERIFY_TOKEN],
  ["Encryption key", stack.env.FRONTDESK_ENCRYPTION_KEY],
  ["Demo owner token", demoToken],
  ["State file", written.startsWith(ROOT + path.sep) ? path.relative(ROOT, written) : written],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`\nStarted Frontdesk local development setup in ${(readyMs / 1000).toFixed(1)}s.\n`);
for (const [k, v] of rows) console.log(`${k.padStart(width)}: ${v}`);
console.log(`\nNot served locally (answered 501): REST /rest/v1, Auth /auth/v1, Storage, Realtime. Tokens: npm run token -- <email>`);
console.log(`\nTry it:\n  curl -s ${stack.functionsUrl}/onboarding/tenants -H "Authorization: Bearer $DEMO_TOKEN"\n`);
console.log("Press Ctrl-C to stop.");

// The scheduled drain, as Supabase Cron runs it on hosted projects: due confirmations and reminders are queued,
// then everything due is sent. Every FRONTDESK_DRAIN_SECONDS (default 5; 0 turns it off).
const drainSeconds = Number(process.env.FRONTDESK_DRAIN_SECONDS ?? 5);
const drainTimer = drainSeconds > 0
  ? setInterval(() => {
    fetch(`${stack.functionsUrl}/whatsapp-webhook/outbox`, { method: "POST", headers: { apikey: SECRET_KEY } })
      .then((r) => r.body?.cancel())
      .catch(() => {});
  }, drainSeconds * 1000)
  : undefined;
if (process.env.FRONTDESK_READY_FILE) {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(process.env.FRONTDESK_READY_FILE, JSON.stringify({ readyMs, demoToken, stateFile: written, ...stack.env }));
}

let stopping = false;
async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  if (code === 0) console.log("\nStopping…");
  clearInterval(drainTimer);
  removeState();
  await stack.stop();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
stack.functions.child.once("exit", (code, signal) => {
  if (!stopping) {
    console.error(`the functions server exited unexpectedly (${signal ?? `code ${code}`}); stopping the stack`);
    void shutdown(1);
  }
});
stack.cluster?.child.once("exit", (code, signal) => {
  if (!stopping) {
    console.error(`the database server (PostgreSQL, pid ${stack.cluster?.child.pid}) exited unexpectedly ` +
      `(${signal ?? `code ${code}`}); stopping the stack`);
    void shutdown(1);
  }
});
