// Starts the local functions gateway (local/functions-server.ts) under Deno from the `deno` npm package, with the
// environment a hosted function gets plus supabase/functions/.env.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { functionSpecs, functionsDotEnv, FUNCTIONS_DIR } from "./functions-config.ts";
import { PortInUseError } from "./ports.ts";
import { ROOT } from "./supabase-cli.ts";

/** The Deno executable the `deno` npm package installs (its postinstall places it beside bin.cjs). */
export function denoArgs(...args: string[]): [string, string[]] {
  const require = createRequire(import.meta.url);
  const pkg = path.dirname(require.resolve("deno/package.json"));
  const binary = path.join(pkg, "deno");
  return existsSync(binary) ? [binary, args] : [process.execPath, [path.join(pkg, "bin.cjs"), ...args]];
}

export interface FunctionsServer { url: string; port: number; stop(): Promise<void>; child: ChildProcess }

export async function startFunctions(opts: {
  port: number;
  env: Record<string, string>;
  onLog?: (line: string) => void;
}): Promise<FunctionsServer> {
  const specs = functionSpecs();
  const [cmd, args] = denoArgs(
    "run", "--allow-net", "--allow-env", "--allow-read", "--allow-sys",
    "--config", path.join(FUNCTIONS_DIR, "deno.json"),
    path.join(ROOT, "local", "functions-server.ts"),
  );
  const child = spawn(cmd, args, {
    cwd: FUNCTIONS_DIR,
    env: {
      ...process.env,
      ...opts.env,
      ...functionsDotEnv(),
      FRONTDESK_FUNCTIONS: JSON.stringify(specs),
      NO_COLOR: "1", // logs read as plain text in a terminal, a file or a test
      PORT: String(opts.port),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      opts.onLog?.(text);
      const m = /functions listening on (\d+)/.exec(output);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) =>
      reject(code === 3 && /functions port in use/.test(output)
        ? new PortInUseError(opts.port, "API")
        : new Error(`functions server exited (${code}):\n${output}`)));
    setTimeout(() => reject(new Error(`functions server did not start within 120s:\n${output}`)), 120_000).unref();
  });
  return {
    port,
    url: `http://127.0.0.1:${port}/functions/v1`,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
