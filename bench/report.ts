// What the benchmarks print, shared: percentiles, Markdown tables, durations and timed build steps.
import { performance } from "node:perf_hooks";

/** The p-th percentile (nearest rank) of `values`. */
export function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

/** A Markdown table, columns padded to their widest cell; `rightAlign[i]` right-aligns column i (numbers). */
export function table(headers: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ") + " |";
  const sep = "|" + widths.map((w, i) => (rightAlign[i] ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|") + "|";
  return [line(headers), sep, ...rows.map(line)].join("\n");
}

/** Milliseconds to three decimals (latencies). */
export const ms = (v: number) => v.toFixed(3);

/** Milliseconds as seconds to two decimals (build steps). */
export function fmtSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

export interface Timed { label: string; ms: number; rows?: number }

function timedLine(label: string, ms: number, rows?: number): string {
  return `  ${label.padEnd(34)} ${fmtSeconds(ms).padStart(8)}${rows === undefined ? "" : `  ${rows.toLocaleString("en-US")} rows`}`;
}

/** Runs one build step, prints its line and records it in `timings`. */
export async function step(timings: Timed[], label: string, work: () => Promise<number | undefined>): Promise<void> {
  const t0 = performance.now();
  const rows = await work();
  const ms = performance.now() - t0;
  timings.push({ label, ms, rows });
  console.log(timedLine(label, ms, rows));
}

/** The recorded build steps again, with their total. */
export function printTimings(timings: Timed[]): void {
  for (const t of timings) console.log(timedLine(t.label, t.ms, t.rows));
  console.log(`  ${"total".padEnd(34)} ${fmtSeconds(timings.reduce((s, t) => s + t.ms, 0)).padStart(8)}`);
}
