// The local stack tells the truth: `npm run dev` on moved ports writes what it started to its state file and every
// tool follows it with no port variables; a second `npm run dev` is refused while the first keeps serving; a port in
// use gets one line; Postgres dying is reported with a non-zero exit; REST, Auth, Storage and Realtime answer 501
// saying what to use instead; `npm run token` mints tokens the functions accept for the right business; the
// simulator prints taps that paste back into bash and never a stack trace. One stack for the whole file.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { createClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ws from "ws";
import { PUBLISHABLE_KEY } from "../../local/keys.ts";
import { startFunctions } from "../../local/functions.ts";
import { freePort, portFree, PortInUseError } from "../../local/ports.ts";
import { twinDataFolder } from "../../local/postgres.ts";
import { functionEnv } from "../../local/stack.ts";
import { processAlive, type LocalState } from "../../local/state.ts";
import { ROOT } from "../../local/supabase-cli.ts";
import { cleanup, devSetup, runScript, startDev, stopDev, TSX, type DevSetup, type RunningDev } from "../helpers/dev.ts";

let setup: DevSetup;
let dev: RunningDev;
const state = (): LocalState => JSON.parse(readFileSync(setup.stateFile, "utf8"));
/** A tool run the way a person runs it: no port variables, only the state file (its default location, moved). */
const tool = (script: string, args: string[]) => runScript(script, args, { FRONTDESK_STATE_FILE: setup.stateFile });
const api = (p: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${setup.apiPort}${p}`, init);
const bearer = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });

beforeAll(async () => {
  setup = await devSetup("frontdesk-stack-");
  dev = await startDev(setup);
});

afterAll(async () => {
  await cleanup(setup);
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

describe("npm run dev on moved ports", () => {
  it("writes what it started (ports, URLs, keys) to the state file", () => {
    const s = state();
    expect(s).toMatchObject({
      apiPort: setup.apiPort,
      dbPort: setup.dbPort,
      apiUrl: `http://127.0.0.1:${setup.apiPort}`,
      functionsUrl: `http://127.0.0.1:${setup.apiPort}/functions/v1`,
      dbUrl: `postgresql://postgres:postgres@127.0.0.1:${setup.dbPort}/postgres`,
      authIssuer: `http://127.0.0.1:${setup.apiPort}/auth/v1`,
      publishableKey: PUBLISHABLE_KEY,
      dataDir: setup.dataDir,
    });
    for (const key of ["secretKey", "anonKey", "serviceRoleKey", "jwtSecret", "whatsappAppSecret", "encryptionKey"] as const) expect(s[key]).toBeTruthy();
    expect(processAlive(s.pid)).toBe(true);
    expect(processAlive(s.dbPid!)).toBe(true);
    expect(dev.output()).toContain(`State file: ${setup.stateFile}`);
  });

  it("has `npm run token` beside the other tools", () => {
    const scripts = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    expect(scripts.token).toBe("tsx local/token.ts");
  });

  it("prints a demo token for the demo owner's demo business, with this port's iss", () => {
    const claims = decodeJwt(dev.ready.demoToken);
    expect(claims).toMatchObject({
      sub: "00000000-0000-4000-a000-000000000001", tenant_slug: "fade-house", tenant_role: "owner",
      iss: `http://127.0.0.1:${setup.apiPort}/auth/v1`,
    });
  });
});

describe("what the Docker-free stack does not serve", () => {
  const cases: [string, string, RegExp][] = [
    ["GET", "/rest/v1/bookings?select=*", /REST API \(PostgREST\)/],
    ["POST", "/auth/v1/token?grant_type=password", /Supabase Auth/],
    ["GET", "/storage/v1/object/public/avatars/a.png", /Storage/],
    ["GET", "/realtime/v1/websocket?vsn=1.0.0", /Realtime/],
  ];
  it.each(cases)("%s %s answers 501 with a JSON body naming what is missing and what to use instead", async (method, p, service) => {
    const res = await api(p, { method, headers: { apikey: PUBLISHABLE_KEY } });
    expect(res.status).toBe(501);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const body = await res.json();
    expect(body.code).toBe("not_served_locally");
    expect(body.message).toMatch(service);
    expect(body.message).toContain("not served by the Docker-free local stack");
    expect(body.details).toMatch(/^not served: /);
    expect(body.instead).toMatch(/supabase start/);
  });

  it("supabase-js gets those answers as errors it can show, and functions.invoke still works", async () => {
    const supabase = createClient(`http://127.0.0.1:${setup.apiPort}`, PUBLISHABLE_KEY, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: ws as never },
      accessToken: async () => dev.ready.demoToken,
    });
    const rest = await supabase.from("bookings").select();
    expect(rest.status).toBe(501);
    expect(rest.error?.code).toBe("not_served_locally");
    expect(rest.error?.hint).toMatch(/functions\/v1/);
    const anon = createClient(`http://127.0.0.1:${setup.apiPort}`, PUBLISHABLE_KEY, { auth: { persistSession: false }, realtime: { transport: ws as never } });
    const auth = await anon.auth.signInWithPassword({ email: "marco@fadehouse.example", password: "x" });
    expect(auth.error?.status).toBe(501);
    const fn = await supabase.functions.invoke("onboarding/tenants", { method: "GET" });
    expect(fn.error).toBeNull();
    expect(fn.data.tenants[0].slug).toBe("fade-house");
  });
});

describe("the simulator, following the state file", () => {
  it("prints the reply as what it is (stored, not sent) and each option as a command that pastes back into bash", async () => {
    const hi = await tool("local/whatsapp-simulate.ts", ["Hi"]);
    expect(hi.stderr).toBe("");
    expect(hi.code).toBe(0);
    expect(hi.stdout).toContain("webhook answered 200");
    expect(hi.stdout).toMatch(/bot \(interactive; stored, not sent: no WhatsApp access token on this number \(expected locally/);
    expect(hi.stdout).not.toMatch(/\bfailed\b/);
    const commands = [...hi.stdout.matchAll(/^ +\[[^\]]+\] +(npm run whatsapp:simulate -- --tap '[^']+')$/gm)].map((m) => m[1]);
    expect(commands.length).toBeGreaterThan(1);
    const book = commands.find((c) => c.includes("menu:book"))!;
    // Pasted into bash as printed (npm run → the script itself, so the test needs no npm).
    const pasted = book.replace("npm run whatsapp:simulate --", `"${process.execPath}" "${TSX}" local/whatsapp-simulate.ts`);
    const tap = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn("bash", ["-c", pasted], { cwd: ROOT, env: { ...process.env, FRONTDESK_STATE_FILE: setup.stateFile, DATABASE_URL: "", SUPABASE_URL: "" } });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.once("close", (code) => resolve({ code, out }));
    });
    expect(tap.code).toBe(0);
    expect(tap.out, tap.out).toMatch(/Which service/);
  });

  it("ends quietly when its output pipe closes (no EPIPE stack trace)", async () => {
    const res = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn("bash", ["-o", "pipefail", "-c", `"${process.execPath}" "${TSX}" local/whatsapp-simulate.ts Hi | head -c 1 >/dev/null`], {
        cwd: ROOT, env: { ...process.env, FRONTDESK_STATE_FILE: setup.stateFile, DATABASE_URL: "", SUPABASE_URL: "" },
      });
      let err = "";
      child.stderr.on("data", (d) => (err += d));
      child.once("close", (code) => resolve({ code, err }));
    });
    expect(res.err).not.toMatch(/EPIPE|\n\s+at /);
    expect(res.code).toBe(0);
  });

  it("refuses a bad command line with a message, not a stack", async () => {
    const res = await tool("local/whatsapp-simulate.ts", ["--tap"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--tap/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("replay, advisors and adopt follow the state file", () => {
  it("whatsapp:replay replays this stack's deliveries", async () => {
    const res = await tool("local/whatsapp-replay.ts", ["--since", "1h"]);
    expect(res.stderr).toBe("");
    expect(res.stdout).toMatch(/^replayed [1-9]\d* deliveries since .*: 0 new messages, [1-9]\d* already stored/);
  });

  it("advisors lint this stack's database (a table planted there is reported)", async () => {
    const planted = `planted_${process.pid}`;
    const sql = postgres(state().dbUrl, { max: 1, onnotice: () => {} });
    await sql.unsafe(`create table public.${planted} (id int primary key)`);
    try {
      const res = await tool("local/advisors.ts", []);
      expect(res.stdout + res.stderr).not.toMatch(/could not run the advisors/);
      expect(res.stdout).toMatch(new RegExp(`rls_disabled_in_public: .*${planted}`));
    } finally {
      await sql.unsafe(`drop table public.${planted}`);
      await sql.end();
    }
  });

  it("adopt's default target is this stack's database (a business only it has is found)", async () => {
    const slug = `state-${process.pid}`;
    const sql = postgres(state().dbUrl, { max: 1, onnotice: () => {} });
    await sql`insert into public.tenants (slug, name, timezone) values (${slug}, 'State', 'UTC')`;
    await sql.end();
    const res = await tool("adopt/cli.ts", ["rollback", "--mapping", "barbershop", "--tenant", slug]);
    const out = res.stdout + res.stderr;
    expect(out).not.toMatch(/cannot reach|refused|no tenant with slug/);
    expect(out).toContain(`tenant ${slug} has no import`);
  });
});

describe("npm run token", () => {
  const token = async (...args: string[]) => {
    const res = await tool("local/token.ts", args);
    return { ...res, token: res.stdout.trim(), claims: res.code === 0 ? decodeJwt(res.stdout.trim()) : {} };
  };

  it("mints a token through the project's hook that the functions accept, for the business asked for", async () => {
    const marco = await token("marco@fadehouse.example");
    expect(marco.code).toBe(0);
    expect(marco.claims).toMatchObject({ tenant_slug: "fade-house", tenant_role: "owner", iss: `http://127.0.0.1:${setup.apiPort}/auth/v1`, aud: "authenticated" });
    expect((await api("/functions/v1/usage", { headers: bearer(marco.token) })).status).toBe(200);

    // A second business: the hook now picks it (as after sign-in), and --tenant still gives the first.
    const created = await api("/functions/v1/onboarding", { method: "POST", headers: bearer(marco.token), body: JSON.stringify({ slug: "second-shop", name: "Second Shop" }) });
    expect(created.status).toBe(201);
    const now = await token("marco@fadehouse.example");
    expect(now.claims.tenant_slug).toBe("second-shop");
    const fade = await token("00000000-0000-4000-a000-000000000001", "--tenant", "fade-house");
    expect(fade.claims.tenant_slug).toBe("fade-house");
    expect((await token("marco@fadehouse.example")).claims.tenant_slug).toBe("second-shop"); // the stored choice is unchanged

    // The functions act in the token's business: a key made with the fade-house token is listed there only.
    const made = await api("/functions/v1/api-keys", { method: "POST", headers: bearer(fade.token), body: JSON.stringify({ name: "from-token", scopes: ["memory:read"] }) });
    expect(made.status).toBe(201);
    const names = async (t: string) => ((await (await api("/functions/v1/api-keys", { headers: bearer(t) })).json()).api_keys as { name: string }[]).map((k) => k.name);
    expect(await names(fade.token)).toContain("from-token");
    expect(await names(now.token)).not.toContain("from-token");

    // A staff member's token is refused where staff are (usage: owners and admins).
    const lena = await token("lena@fadehouse.example");
    expect(lena.claims).toMatchObject({ tenant_slug: "fade-house", tenant_role: "staff" });
    expect((await api("/functions/v1/usage", { headers: bearer(lena.token) })).status).toBe(403);
  });

  it("says why it cannot mint: unknown user (listing the users), not a member, bad arguments", async () => {
    const nobody = await token("nobody@nowhere.example");
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/no user with e-mail nobody@nowhere.example.*users: .*marco@fadehouse.example/);
    const outsider = await token("marco@fadehouse.example", "--tenant", "peterson-insurance");
    expect(outsider.code).toBe(1);
    expect(outsider.stderr).toMatch(/not a member of peterson-insurance; the user's active businesses: fade-house, second-shop/);
    const none = await token();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/usage: npm run token/);
  });
});

describe("one stack per data folder, and ports", () => {
  it("refuses a second npm run dev (same state file, or same data folder) and the first keeps serving", async () => {
    const again = await runScript("local/dev.ts", [], setup.env);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(
      `already running on http://127.0.0.1:${setup.apiPort} (database postgresql://postgres:postgres@127.0.0.1:${setup.dbPort}/postgres, pid ${state().pid}): use that one, or stop it with Ctrl-C first`,
    );
    const [otherDb, otherApi] = [await freePort(), await freePort()];
    const sameFolder = await runScript("local/dev.ts", ["--reset"], {
      ...setup.env, FRONTDESK_STATE_FILE: path.join(setup.dir, "other-state.json"), FRONTDESK_DB_PORT: String(otherDb), FRONTDESK_API_PORT: String(otherApi),
    });
    expect(sameFolder.code).toBe(1);
    expect(sameFolder.stdout + sameFolder.stderr).toMatch(new RegExp(`already running: a PostgreSQL server \\(pid ${state().dbPid}, port ${setup.dbPort}\\) is already running on`));
    // The first stack's lock is where Postgres left it (taking it made the server shut down a minute later).
    expect(existsSync(path.join(setup.dataDir, "pgdata", "postmaster.pid"))).toBe(true);
    const res = await api("/functions/v1/onboarding/tenants", { headers: bearer(dev.ready.demoToken) });
    expect(res.status).toBe(200);
    expect(processAlive(state().dbPid!)).toBe(true);
  });

  it("a port in use gets one line naming the variable to set", async () => {
    const busy = await freePort();
    const blocker = await listen(busy);
    try {
      const base = { FRONTDESK_DATA_DIR: path.join(setup.dir, "db-ports"), FRONTDESK_STATE_FILE: path.join(setup.dir, "ports-state.json") };
      const apiBusy = await runScript("local/dev.ts", [], { ...base, FRONTDESK_API_PORT: String(busy), FRONTDESK_DB_PORT: String(await freePort()) });
      expect(apiBusy.code).toBe(1);
      expect(apiBusy.stderr).toBe(`API port ${busy} is in use: set FRONTDESK_API_PORT to a free port (e.g. FRONTDESK_API_PORT=${busy + 100} npm run dev)\n`);
      const dbBusy = await runScript("local/dev.ts", [], { ...base, FRONTDESK_DB_PORT: String(busy), FRONTDESK_API_PORT: String(await freePort()) });
      expect(dbBusy.code).toBe(1);
      expect(dbBusy.stderr).toBe(`database port ${busy} is in use: set FRONTDESK_DB_PORT to a free port (e.g. FRONTDESK_DB_PORT=${busy + 100} npm run dev)\n`);
      // Taken between the check and the start: the gateway reports it in one line too, no Deno stack trace.
      const err = await startFunctions({ port: busy, env: await functionEnv(`http://127.0.0.1:${busy}`, state().dbUrl) }).then(() => undefined, (e) => e);
      expect(err).toBeInstanceOf(PortInUseError);
      expect((err as Error).message).toBe(`API port ${busy} is in use`);
    } finally {
      blocker.close();
    }
  });

  it("Postgres dying under npm run dev is reported, and it exits non-zero, stopping everything", async () => {
    process.kill(state().dbPid!, "SIGKILL");
    const code = await dev.exited;
    expect(code).toBe(1);
    expect(dev.output()).toMatch(/the database server \(PostgreSQL, pid \d+\) exited unexpectedly \(SIGKILL\); stopping the stack/);
    expect(existsSync(setup.stateFile)).toBe(false);
    expect(await portFree(setup.apiPort)).toBe(true);
  });

  it("restarted, the demo token is again for the demo business although the owner last chose another", async () => {
    const warm = await startDev(setup);
    expect(decodeJwt(warm.ready.demoToken)).toMatchObject({ tenant_slug: "fade-house", iss: `http://127.0.0.1:${setup.apiPort}/auth/v1` });
    const mine = await runScript("local/token.ts", ["marco@fadehouse.example"], { FRONTDESK_STATE_FILE: setup.stateFile });
    expect(decodeJwt(mine.stdout.trim()).tenant_slug).toBe("second-shop");
    expect(await stopDev(warm)).toBe(0);
    expect(existsSync(setup.stateFile)).toBe(false);
    // Under root the server's folder is the requested one (handed to the postgres user), never a copy left in /tmp.
    expect(existsSync(twinDataFolder(setup.dataDir))).toBe(false);
  });
});
