// The database goes away mid-delivery: the function answers 5xx so Meta retries, and the retried delivery is
// stored exactly once when the database is back. Uses its own PostgreSQL, since it stops it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LOCAL_WHATSAPP_APP_SECRET } from "../../local/keys.ts";
import { prepareDatabase } from "../../local/database.ts";
import { freePort } from "../../local/ports.ts";
import { startCluster, type Cluster } from "../../local/postgres.ts";
import { startFunctions, type FunctionsServer } from "../../local/functions.ts";
import { functionEnv } from "../../local/stack.ts";
import { withRole } from "../../local/tokens.ts";
import type { TestDb } from "../helpers/db.ts";
import { delivery, inbound, messagesChange, post } from "../helpers/meta.ts";
import { waId, whatsappBusiness } from "./fixtures.ts";

const port = await freePort();
const dataDir = mkdtempSync(path.join(tmpdir(), "frontdesk-restart-"));
let cluster: Cluster;
let fns: FunctionsServer;
let db: TestDb;

beforeAll(async () => {
  void inject; // this file brings its own cluster
  cluster = await startCluster({ dataDir, port });
  await prepareDatabase({ superuserUrl: cluster.adminUrl(), url: cluster.url(), seed: false, quiet: true });
  const url = cluster.url();
  db = {
    name: "postgres", url, urlFor: (role: string) => withRole(url, role),
    sql: postgres(url, { max: 2, onnotice: () => {} }),
    authAdmin: postgres(withRole(url, "supabase_auth_admin"), { max: 1, onnotice: () => {} }),
    authenticator: postgres(withRole(url, "authenticator"), { max: 1, onnotice: () => {} }),
  };
  fns = await startFunctions({ port: 0, env: await functionEnv("http://127.0.0.1:0", url) });
});

afterAll(async () => {
  await fns?.stop();
  await Promise.all([db?.sql.end(), db?.authAdmin.end(), db?.authenticator.end()]);
  await cluster?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("database unavailable", () => {
  it("answers 503 while the database is down, and stores the retried delivery exactly once afterwards", async () => {
    const shop = await whatsappBusiness(db, "restart");
    const from = waId();
    const body = delivery(messagesChange(shop.phoneNumberId, { contacts: [{ wa_id: from }], messages: [inbound(from, "text", { body: "are you open?" })] }));
    const hook = `${fns.url}/whatsapp-webhook`;
    await Promise.all([db.sql.end(), db.authAdmin.end(), db.authenticator.end()]);
    await cluster.stop();

    const during = await post(hook, body, LOCAL_WHATSAPP_APP_SECRET);
    expect(during.status).toBe(503);
    expect((await during.json()).error.code).toBe("unavailable");

    cluster = await startCluster({ dataDir, port });
    db.sql = postgres(cluster.url(), { max: 2, onnotice: () => {} });
    let retried = await post(hook, body, LOCAL_WHATSAPP_APP_SECRET);
    // The function's pool may still hold a connection from before the restart; Meta would simply retry again.
    for (let i = 0; i < 3 && retried.status >= 500; i++) retried = await post(hook, body, LOCAL_WHATSAPP_APP_SECRET);
    expect(retried.status).toBe(200);
    expect((await post(hook, body, LOCAL_WHATSAPP_APP_SECRET)).status).toBe(200);
    const rows = await db.sql`select body from public.messages where tenant_id = ${shop.id} and direction = 'inbound'`;
    expect(rows.map((r) => r.body)).toEqual(["are you open?"]);
  });
});
