// Runs the real Supabase CLI (from the `supabase` npm package) against a database URL, with no Docker.
import { spawn } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");

// The npm package's launcher picks the platform binary (@supabase/cli-linux-x64 here) and forwards signals.
const LAUNCHER = path.join(ROOT, "node_modules", "supabase", "dist", "supabase.js");

export interface CliResult { code: number; stdout: string; stderr: string }

export function supabaseCli(args: string[], opts: { quiet?: boolean } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], {
      cwd: ROOT,
      // Local databases speak plain TCP; the CLI would otherwise try TLS first.
      env: { ...process.env, PGSSLMODE: process.env.PGSSLMODE ?? "disable", SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => { stdout += d; if (!opts.quiet) process.stdout.write(d); });
    child.stderr.on("data", (d) => { stderr += d; if (!opts.quiet) process.stderr.write(d); });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export async function supabaseCliOk(args: string[], opts: { quiet?: boolean } = {}): Promise<CliResult> {
  const result = await supabaseCli(args, opts);
  if (result.code !== 0) {
    throw new Error(`supabase ${args[0]} ${args[1] ?? ""} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}
