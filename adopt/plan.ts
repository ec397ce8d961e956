// `adopt plan`: the dry run. Reads the legacy database (read-only) and the target (plain selects), and reports per
// entry what a run would import, merge, link and skip, and why. Writes nothing anywhere.
import { readLegacy } from "./db/legacy.ts";
import { loadLedger, type LedgerRow } from "./db/ledger.ts";
import { decide, decideContext, hasForeignRows, type DecideContext } from "./engine/decide.ts";
import { newReport, type EntryReport } from "./engine/report.ts";
import { walk } from "./engine/walk.ts";
import { table } from "./format.ts";
import { prepare, type Prepared } from "./prepare.ts";
import type { Options, Session } from "./session.ts";

export interface PlanResult {
  mapping: string;
  tenant: { slug: string; action: "create" | "use"; id: string | null; name: string | null; timezone: string };
  import: { id: string; status: string } | null;
  entries: EntryReport[];
}

export async function computePlan(s: Session, opts: Options): Promise<PlanResult> {
  return readLegacy(s.legacy!, async (tx) => {
    const p: Prepared = await prepare(s, opts, tx);
    const reports: EntryReport[] = [];
    let ctx: DecideContext | undefined;
    await walk({
      compiled: p.compiled,
      legacy: tx,
      target: s.target,
      tenantId: p.tenant?.id ?? null,
      importId: p.existingImport?.id ?? null,
      batchSize: opts.batchSize,
      sink: {
        async startEntry(e, total) {
          const ledger: Map<string, LedgerRow> = p.existingImport ? await loadLedger(s.target, p.existingImport.id, e.name) : new Map();
          const tenantId = p.tenant?.id ?? null;
          const importId = p.existingImport?.id ?? null;
          ctx = decideContext(e, { target: s.target, tenantId, importId, ledger, report: newReport(e, total) },
            await hasForeignRows(s.target, e, tenantId, importId));
        },
        async chunk(e, chunk) {
          await decide(e, chunk, ctx!);
        },
        async endEntry() {
          reports.push(ctx!.report);
        },
      },
    });
    return {
      mapping: s.loaded.mapping.name,
      tenant: {
        slug: opts.tenant,
        action: p.tenant ? "use" : "create",
        id: p.tenant?.id ?? null,
        name: p.tenant?.name ?? p.newTenant?.name ?? null,
        timezone: p.timezone,
      },
      import: p.existingImport ? { id: p.existingImport.id, status: p.existingImport.status } : null,
      entries: reports,
    };
  });
}

export function entriesTable(entries: EntryReport[], doneLabel = "done"): string {
  const rows = entries.map((r) => [r.entry, r.source, r.target, r.rows, r.import, r.merge, r.link, r.skip, r.adjust, r.done, r.replaced]);
  const total = (k: keyof EntryReport) => entries.reduce((a, r) => a + (r[k] as number), 0);
  rows.push(["total", "", "", total("rows"), total("import"), total("merge"), total("link"), total("skip"), total("adjust"), total("done"), total("replaced")]);
  return table(["entry", "legacy", "target", "rows", "import", "merge", "link", "skip", "adjust", doneLabel, "replaced"], rows, new Set([3, 4, 5, 6, 7, 8, 9, 10]));
}

export function reasonsText(entries: EntryReport[]): string {
  const lines: string[] = [];
  for (const r of entries) {
    for (const x of r.reasons) {
      const label = x.kind === "skip" ? "skip   " : x.kind === "adjust" ? "adjust " : x.kind === "replace" ? "replace" : x.kind === "fill" ? "fill   " : "merge  ";
      lines.push(`  ${label} ${r.entry}: ${x.count} × ${x.reason}${x.examples.length ? `  (e.g. ${x.examples.join(", ")})` : ""}`);
    }
  }
  return lines.length ? `\nwhy (a row skipped for several reasons is listed under each; "replace": values written that are not the legacy value):\n${lines.join("\n")}\n` : "";
}

export function planText(plan: PlanResult): string {
  const t = plan.tenant;
  const head = t.action === "create"
    ? `tenant: ${t.slug} will be created ("${t.name}", time zone ${t.timezone})`
    : `tenant: ${t.slug} exists ("${t.name}", ${t.id}, time zone ${t.timezone}); rows go into it`;
  const imp = plan.import ? `\nimport: ${plan.import.id} (${plan.import.status}) — a run continues it` : "";
  return `plan for mapping ${plan.mapping}\n${head}${imp}\n\n${entriesTable(plan.entries, "already")}${reasonsText(plan.entries)}`;
}
