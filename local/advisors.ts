// `npm run advisors`: Supabase's database linter (`supabase db advisors`) against the running local stack (as
// .frontdesk/state.json records it), or DATABASE_URL.
// Every level (info and up, not only the CLI's default warnings); exits non-zero on any finding, except
// `unused_index`, which on a fresh database only means "no traffic yet".
import { pathToFileURL } from "node:url";
import { localDbUrl } from "./state.ts";
import { supabaseCli } from "./supabase-cli.ts";

export interface Advisory { name: string; level: string; detail: string; cacheKey: string }

export const IGNORED_ON_EMPTY_DATABASE = new Set(["unused_index"]);

export async function runAdvisors(url: string): Promise<Advisory[]> {
  const res = await supabaseCli(["db", "advisors", `--remote=${url}`, "--level", "info", "--output-format", "json"], { quiet: true });
  const start = res.stdout.indexOf("{");
  if (start < 0) throw new Error(`supabase db advisors printed no JSON (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
  const parsed = JSON.parse(res.stdout.slice(start)) as { results: Advisory[] };
  return parsed.results.filter((r) => !IGNORED_ON_EMPTY_DATABASE.has(r.name));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = localDbUrl();
  const findings = await runAdvisors(url).catch((err) => {
    console.error(`could not run the advisors against ${new URL(url).host}: ${err.message.split("\n")[0]} (is \`npm run dev\` running?)`);
    process.exit(2);
  });
  if (findings.length === 0) {
    console.log("supabase db advisors: no issues");
  } else {
    for (const f of findings) console.log(`${f.level.padEnd(5)} ${f.name}: ${f.detail}`);
    console.error(`\n${findings.length} issue(s) found`);
    process.exit(1);
  }
}
