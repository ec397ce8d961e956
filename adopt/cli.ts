// `npm run adopt -- <plan|run|verify|rollback> --from <legacy url> --mapping <file|name> --tenant <slug>`
// Argument parsing, output and exit codes only: 0 done (verify: no differences); 1 a runtime problem, differences
// found, or a refused rollback; 2 a bad command line or mapping. Messages, never stack traces (ADOPT_DEBUG=1 shows
// them).
import { pathToFileURL } from "node:url";
import { SLUG } from "./db/tenant.ts";
import { describe, usageError } from "./errors.ts";
import { computePlan, planText } from "./plan.ts";
import { rollbackImport, rollbackText } from "./rollback.ts";
import { runImport, runText } from "./run.ts";
import { closeSession, DEFAULT_TARGET, openSession, type Options } from "./session.ts";
import { verifyImport, verifyText } from "./verify.ts";

const COMMANDS = ["plan", "run", "verify", "rollback"] as const;
type Command = (typeof COMMANDS)[number];

export const USAGE = `usage: adopt <plan|run|verify|rollback> --from <legacy postgres url> --mapping <file|name> --tenant <slug>
  plan       what a run would import, merge, link and skip, and why (writes nothing)
  run        import into the tenant (created if new); resumable and idempotent
  verify     compare counts and checksums of both sides; non-zero exit on a difference
  rollback   remove exactly what the import created (--from not needed)
options:
  --json               machine-readable output
  --batch-size <n>     rows per committed batch (default 5000)
  --param <name=value> a mapping parameter (repeatable)
  --pause-ms <n>       run: wait n ms after each committed batch (to go easy on a busy database)
  --keep-tenant        rollback: keep a tenant the import created, remove only the imported rows
  --quiet              no progress output
target: DATABASE_URL (default ${DEFAULT_TARGET}), connected as the migration owner`;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  tty?: boolean;
}

export function parseArgs(argv: string[]): { command: Command; options: Omit<Options, "out" | "err" | "targetUrl" | "progress"> & { quiet: boolean } } {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h") throw usageError(USAGE);
  if (!COMMANDS.includes(command as Command)) throw usageError(`unknown command "${command}"\n${USAGE}`);
  const o = { from: undefined as string | undefined, mapping: "", tenant: "", params: {} as Record<string, string>, batchSize: 5000, pauseMs: 0, json: false, keepTenant: false, quiet: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const v = rest[++i];
      if (v === undefined || v.startsWith("--")) throw usageError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case "--from": o.from = value(); break;
      case "--mapping": o.mapping = value(); break;
      case "--tenant": o.tenant = value(); break;
      case "--json": o.json = true; break;
      case "--keep-tenant": o.keepTenant = true; break;
      case "--quiet": o.quiet = true; break;
      case "--batch-size": {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw usageError("--batch-size must be a whole number between 1 and 1000000");
        o.batchSize = n;
        break;
      }
      case "--pause-ms": {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0 || n > 60_000) throw usageError("--pause-ms must be a whole number of milliseconds up to 60000");
        o.pauseMs = n;
        break;
      }
      case "--param": {
        const v = value();
        const eq = v.indexOf("=");
        if (eq < 1) throw usageError(`--param takes name=value, not "${v}"`);
        o.params[v.slice(0, eq)] = v.slice(eq + 1);
        break;
      }
      default:
        throw usageError(`unknown option ${arg}\n${USAGE}`);
    }
  }
  if (!o.mapping) throw usageError(`--mapping is required\n${USAGE}`);
  if (!o.tenant) throw usageError(`--tenant is required\n${USAGE}`);
  if (!SLUG.test(o.tenant) || o.tenant.length < 3 || o.tenant.length > 63) {
    throw usageError(`--tenant "${o.tenant}" is not a tenant slug (3-63 characters: lower-case letters, digits and single dashes)`);
  }
  if (command !== "rollback" && !o.from) throw usageError(`--from <legacy postgres url> is required for ${command}\n${USAGE}`);
  return { command: command as Command, options: o };
}

export async function main(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const { command, options } = parseArgs(argv);
    const opts: Options = {
      ...options,
      targetUrl: env.DATABASE_URL || DEFAULT_TARGET,
      out: io.out,
      err: io.err,
      progress: !options.quiet && !options.json,
    };
    const session = await openSession(opts, command !== "rollback");
    try {
      switch (command) {
        case "plan": {
          const plan = await computePlan(session, opts);
          io.out(opts.json ? JSON.stringify(plan, null, 2) + "\n" : planText(plan));
          return 0;
        }
        case "run": {
          const r = await runImport(session, opts);
          io.out(opts.json ? JSON.stringify(r, null, 2) + "\n" : runText(r, opts.tenant));
          return 0;
        }
        case "verify": {
          const r = await verifyImport(session, opts);
          io.out(opts.json ? JSON.stringify(r, null, 2) + "\n" : verifyText(r, opts.tenant));
          return r.ok ? 0 : 1;
        }
        case "rollback": {
          const r = await rollbackImport(session, opts);
          io.out(opts.json ? JSON.stringify(r, null, 2) + "\n" : rollbackText(r, opts.tenant));
          return 0;
        }
      }
    } finally {
      await closeSession(session);
    }
  } catch (err) {
    const { message, exitCode } = describe(err);
    io.err(`adopt: ${message}\n`);
    if (env.ADOPT_DEBUG && err instanceof Error) io.err(`${err.stack}\n`);
    return exitCode;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
  // Let stdout drain before leaving (a piped --json output can be large).
  process.stdout.write("", () => process.exit(code));
}
