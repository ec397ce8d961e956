// The functions gateway for one test file, pointed at that file's database, and a supabase-js client that reaches
// it through `functions.invoke`, as an app would.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { afterAll, beforeAll } from "vitest";
import ws from "ws";
import { legacyApiKey, PUBLISHABLE_KEY } from "../../local/keys.ts";
import { startFunctions, type FunctionsServer } from "../../local/functions.ts";
import { functionEnv } from "../../local/stack.ts";
import type { TestDb } from "./db.ts";

export interface TestFunctions {
  url: string;
  apiUrl: string;
  /** supabase-js as a signed-in user (or anonymous with no token). */
  client(accessToken?: string): SupabaseClient;
  server: FunctionsServer;
}

export function useFunctions(db: TestDb, extraEnv: Record<string, string> | (() => Record<string, string>) = {}): TestFunctions {
  const fns = {} as TestFunctions;
  beforeAll(async () => {
    // Port 0: the gateway picks a free port and reports it.
    const env = { ...(await functionEnv("http://127.0.0.1:0", db.url)), ...(typeof extraEnv === "function" ? extraEnv() : extraEnv) };
    fns.server = await startFunctions({ port: 0, env });
    fns.apiUrl = `http://127.0.0.1:${fns.server.port}`;
    fns.url = fns.server.url;
    const anonKey = await legacyApiKey("anon");
    fns.client = (accessToken?: string) =>
      createClient(fns.apiUrl, PUBLISHABLE_KEY, {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: ws as never }, // Node 20 has no global WebSocket
        accessToken: accessToken ? async () => accessToken : undefined,
        global: accessToken ? {} : { headers: { Authorization: `Bearer ${anonKey}` } },
      });
  });
  afterAll(async () => {
    await fns.server?.stop();
  });
  return fns;
}
