// `npm run adopt -- <plan|run|verify|rollback> --from <legacy url> --mapping <file|name> --tenant <slug>`, and
// `npm run adopt -- fixtures load <name> --into <url>`.
// Argument parsing (node:util parseArgs), output and exit codes only: 0 done (verify: no differences); 1 a runtime
// problem, differences found, or a refused rollback; 2 a bad command line or mapping; 130/143 interrupted.
// Messages, never stack traces (ADOPT_DEBUG=1 shows them).
import { pathToFileURL } from "node:url";
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from "node:util";
import { SLUG } from "./db/tenant.ts";
import { cancelOwnBackends } from "./db/interrupt.ts";
import { describe, usageError } from "./errors.ts";
import { FIXTURE_DESCRIPTIONS, listText, loadFixtureInto, loadText } from "./fixtures/command.ts";
import { SYSTEMS } from "./fixtures/load.ts";
import { computePlan, planText } from "./plan.ts";
import { rollbackImport, rollbackText } from "./rollback.ts";
import { runImport, runText } from "./run.ts";
import { closeSession, DEFAULT_TARGET, openSession, type Options } from "./session.ts";
import { verifyImport, verifyText } from "./verify.ts";

const COMMANDS = ["plan", "run", "verify", "rollback"] as const;
type Command = (typeof COMMANDS)[number];

export const USAGE = `usage: adopt <plan|run|verify|rollback> --from <legacy postgres url> --mapping <file|name> --tenant <slug>
       adopt fixtures <list|load> …   (build a legacy fixture database: adopt fixtures --help)
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

const OPTIONS = {
  from: { type: "string" },
  mapping: { type: "string" },
  tenant: { type: "string" },
  json: { type: "boolean" },
  "keep-tenant": { type: "boolean" },
  quiet: { type: "boolean" },
  "batch-size": { type: "string" },
  "pause-ms": { type: "string" },
  param: { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
} as const;

/** node:util parseArgs, its errors turned into usage errors (exit 2) that end with the usage. */
function parse<O extends ParseArgsConfig["options"]>(args: string[], options: O, usage: string) {
  try {
    return nodeParseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, "");
    throw usageError(`${message}\n${usage}`);
  }
}

function wholeNumber(flag: string, v: string | undefined, min: number, max: number, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === "" || !Number.isInteger(n) || n < min || n > max) throw usageError(`--${flag} must be ${what}`);
  return n;
}

export function parseArgs(argv: string[]): { command: Command; options: Omit<Options, "out" | "err" | "targetUrl" | "progress"> & { quiet: boolean } } {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h") throw usageError(USAGE);
  if (!COMMANDS.includes(command as Command)) throw usageError(`unknown command "${command}"\n${USAGE}`);
  const { values: v, positionals } = parse(rest, OPTIONS, USAGE);
  if (v.help) throw usageError(USAGE);
  if (positionals.length) throw usageError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
  const params: Record<string, string> = {};
  for (const p of v.param ?? []) {
    const eq = p.indexOf("=");
    if (eq < 1) throw usageError(`--param takes name=value, not "${p}"`);
    params[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const o = {
    from: v.from,
    mapping: v.mapping ?? "",
    tenant: v.tenant ?? "",
    params,
    batchSize: wholeNumber("batch-size", v["batch-size"], 1, 1_000_000, 5000, "a whole number between 1 and 1000000"),
    pauseMs: wholeNumber("pause-ms", v["pause-ms"], 0, 60_000, 0, "a whole number of milliseconds up to 60000"),
    json: v.json ?? false,
    keepTenant: v["keep-tenant"] ?? false,
    quiet: v.quiet ?? false,
  };
  if (!o.mapping) throw usageError(`--mapping is required\n${USAGE}`);
  if (!o.tenant) throw usageError(`--tenant is required\n${USAGE}`);
  if (!SLUG.test(o.tenant) || o.tenant.length < 3 || o.tenant.length > 63) {
    throw usageError(`--tenant "${o.tenant}" is not a tenant slug (3-63 characters: lower-case letters, digits and single dashes)`);
  }
  if (command !== "rollback" && !o.from) throw usageError(`--from <legacy postgres url> is required for ${command}\n${USAGE}`);
  return { command: command as Command, options: o };
}

export const FIXTURES_USAGE = `usage: adopt fixtures list
       adopt fixtures load <name> --into <postgres url> [--customers <n>] [--conversations <n>] [--messages <n>] [--json] [--quiet]
  load       create the legacy database named in --into (if it does not exist) and load the fixture into it;
             no psql needed. whatsapp-bot is generated: --customers/--conversations/--messages choose its size.
fixtures: ${SYSTEMS.join(", ")}`;

const FIXTURE_OPTIONS = {
  into: { type: "string" },
  customers: { type: "string" },
  conversations: { type: "string" },
  messages: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

async function fixtures(argv: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse(argv, FIXTURE_OPTIONS, FIXTURES_USAGE);
  const [sub, name, ...extra] = positionals;
  if (v.help || !sub) throw usageError(FIXTURES_USAGE);
  if (sub === "list") {
    io.out(v.json ? JSON.stringify(FIXTURE_DESCRIPTIONS, null, 2) + "\n" : listText());
    return 0;
  }
  if (sub !== "load") throw usageError(`unknown fixtures command "${sub}"\n${FIXTURES_USAGE}`);
  if (!name) throw usageError(`fixtures load needs a fixture name (${SYSTEMS.join(", ")})\n${FIXTURES_USAGE}`);
  if (extra.length) throw usageError(`unexpected argument "${extra[0]}"\n${FIXTURES_USAGE}`);
  if (!v.into) throw usageError(`--into <postgres url of the database to create and load> is required\n${FIXTURES_USAGE}`);
  const size = (flag: "customers" | "conversations" | "messages") =>
    v[flag] === undefined ? undefined : wholeNumber(flag, v[flag], 10, 100_000_000, 0, "a whole number between 10 and 100000000");
  const r = await loadFixtureInto({ system: name, into: v.into, scale: { customers: size("customers"), conversations: size("conversations"), messages: size("messages") } });
  io.out(v.json ? JSON.stringify(r, null, 2) + "\n" : loadText(r, v.into));
  return 0;
}

export async function main(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    if (argv[0] === "fixtures") return await fixtures(argv.slice(1), io);
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
    if (env.ADOPT_DEBUG && err instanceof Error) {
      const q = (err as { query?: string }).query;
      io.err(`${err.stack}\n${q ? `query: ${q}\n` : ""}`);
    }
    return exitCode;
  }
}

/** A URL option of a command line, if any (for cancelling on a signal; parsing proper happens in main). */
function urlArg(argv: string[], flag: "from" | "into"): string | undefined {
  try {
    const { values } = nodeParseArgs({ args: argv, options: { [flag]: { type: "string" } }, strict: false, allowPositionals: true });
    const v = values[flag];
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined; // a malformed command line: main reports it; nothing to cancel in a database it never named
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Ctrl-C or a TERM: cancel this process's statements in both databases before leaving, so a batch or a rollback
  // in progress stops (and rolls back) now rather than running on without its client. A second signal leaves at once.
  let interrupted = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      const code = signal === "SIGINT" ? 130 : 143;
      if (interrupted) process.exit(code);
      interrupted = true;
      process.stderr.write(`\nadopt: interrupted (${signal}): cancelling its work in the databases …\n`);
      cancelOwnBackends([process.env.DATABASE_URL || DEFAULT_TARGET, urlArg(process.argv.slice(2), "from"), urlArg(process.argv.slice(2), "into")]).then((n) => {
        process.stderr.write(
          `adopt: stopped${n ? ` (${n} running statement${n === 1 ? "" : "s"} cancelled)` : ""}; what was in progress was rolled back ` +
          `(batches already committed stay: run again to continue; a rollback changed nothing)\n`,
        );
        process.exit(code);
      });
    });
  }
  const code = await main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    // (Once interrupted, the cancelled statement's error is the signal handler's to explain.)
    err: (t) => (interrupted ? true : process.stderr.write(t)),
  });
  // Let stdout drain before leaving (a piped --json output can be large).
  if (!interrupted) process.stdout.write("", () => process.exit(code));
}
