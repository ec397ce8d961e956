// `npm run check:functions`: `deno check` every Edge Function (and the local gateway) with the functions' deno.json.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { denoArgs } from "./functions.ts";
import { functionSpecs, FUNCTIONS_DIR } from "./functions-config.ts";
import { ROOT } from "./supabase-cli.ts";

// Every shared module too: some are only imported by tests for now, and all must be valid for Deno.
const shared = (readdirSync(path.join(FUNCTIONS_DIR, "_shared"), { recursive: true }) as string[])
  .filter((f) => f.endsWith(".ts"))
  .map((f) => path.join(FUNCTIONS_DIR, "_shared", f));
const entrypoints = [...functionSpecs().map((f) => f.entrypoint), path.join(ROOT, "local", "functions-server.ts"), ...shared];
const [cmd, args] = denoArgs("check", "--config", path.join(FUNCTIONS_DIR, "deno.json"), ...entrypoints);
const res = spawnSync(cmd, args, { cwd: FUNCTIONS_DIR, stdio: "inherit" });
if (res.status !== 0) process.exit(res.status ?? 1);
console.log(`deno check: ${entrypoints.length} modules ok`);
