// Reads supabase/config.toml for the functions to serve and their verify_jwt setting, as `supabase functions
// serve` does: a folder under supabase/functions/ with an index.ts is a function; `_shared` and dot-folders are not.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { parse as parseEnv } from "dotenv";
import { ROOT } from "./supabase-cli.ts";

export const FUNCTIONS_DIR = path.join(ROOT, "supabase", "functions");

export interface FunctionSpec { name: string; entrypoint: string; verifyJwt: boolean }

export function functionSpecs(): FunctionSpec[] {
  const config = parse(readFileSync(path.join(ROOT, "supabase", "config.toml"), "utf8")) as {
    functions?: Record<string, { verify_jwt?: boolean; enabled?: boolean }>;
  };
  return readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith("_") && !d.name.startsWith("."))
    .filter((d) => existsSync(path.join(FUNCTIONS_DIR, d.name, "index.ts")))
    .filter((d) => config.functions?.[d.name]?.enabled !== false)
    .map((d) => ({
      name: d.name,
      entrypoint: path.join(FUNCTIONS_DIR, d.name, "index.ts"),
      // The CLI's default when a function has no block: verify the JWT.
      verifyJwt: config.functions?.[d.name]?.verify_jwt ?? true,
    }));
}

/** supabase/functions/.env, the file `supabase functions serve` loads by default. */
export function functionsDotEnv(): Record<string, string> {
  const file = path.join(FUNCTIONS_DIR, ".env");
  return existsSync(file) ? parseEnv(readFileSync(file)) : {};
}
