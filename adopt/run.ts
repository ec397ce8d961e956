// `adopt run`: imports into the tenant (created if the slug is new), entry by entry in dependency order, in batches.
// Each batch's target rows and their ledger rows are one transaction, so a run killed at any point (kill -9
// included) leaves whole batches only, and the next run skips what the ledger holds and carries on. A second run
// over the same legacy data finds everything in the ledger and writes nothing.
import { readLegacy } from "./db/legacy.ts";
import { LEDGER_COLUMNS, loadLedger, nextBatch, type ImportRecord } from "./db/ledger.ts";
import { copyInto, copyLine, textArrayLiteral } from "./db/copy.ts";
import { insertTenant } from "./db/tenant.ts";
import { decide, decideContext, hasForeignRows, type DecideContext } from "./engine/decide.ts";
import { uuidv7 } from "./engine/ids.ts";
import { newReport, type EntryReport } from "./engine/report.ts";
import { walk, writeValues } from "./engine/walk.ts";
import type postgres from "postgres";
import { AdoptError, describe } from "./errors.ts";
import { ident } from "./mapping/sql.ts";
import { duration } from "./format.ts";
import { entriesTable, reasonsText } from "./plan.ts";
import { prepare } from "./prepare.ts";
import { Progress } from "./progress.ts";
import type { Options, Session } from "./session.ts";

export interface RunResult {
  importId: string;
  tenantId: string;
  tenantCreated: boolean;
  entries: EntryReport[];
  rows: number;
  imported: number;
  ms: number;
}

async function startImport(s: Session, opts: Options, p: Awaited<ReturnType<typeof prepare>>): Promise<ImportRecord> {
  const entries = p.compiled.entries.map((e) => ({ entry: e.name, target: e.table.name, key: e.key }));
  if (p.existingImport) {
    const imp = p.existingImport;
    if (imp.source !== p.fingerprint) {
      throw new AdoptError(`tenant ${opts.tenant} already has an import of ${imp.mapping} from another legacy database (${imp.source}); roll it back first, or import into another tenant`);
    }
    if (imp.mapping_sha256 !== s.loaded.sha256) {
      throw new AdoptError(`the mapping (or its --param values) changed since import ${imp.id} started; roll that import back first (adopt rollback), or run with the mapping it used`);
    }
    return imp;
  }
  return (await s.target.begin(async (tx) => {
    let tenantId = p.tenant?.id;
    if (!tenantId) tenantId = (await insertTenant(tx, p.newTenant!)).id;
    const [imp] = await tx<ImportRecord[]>`
      insert into private.imports (tenant_id, tenant_slug, mapping, mapping_sha256, source, tenant_created, entries)
      values (${tenantId}, ${opts.tenant}, ${s.loaded.mapping.name}, ${s.loaded.sha256}, ${p.fingerprint}, ${!p.tenant},
              ${tx.json(entries)})
      returning *`;
    return imp;
  })) as ImportRecord;
}

export async function runImport(s: Session, opts: Options): Promise<RunResult> {
  const t0 = performance.now();
  // One run per tenant and mapping at a time: a session lock, released by Postgres if this process dies.
  const lock = await s.target.reserve();
  const committedRows = new Map<string, number>();
  try {
    const [{ ok }] = await lock`select pg_try_advisory_lock(hashtextextended(${`adopt:${opts.tenant}:${s.loaded.mapping.name}`}, 0)) as ok`;
    if (!ok) throw new AdoptError(`another adopt run into ${opts.tenant} with mapping ${s.loaded.mapping.name} is in progress`);
    return await readLegacy(s.legacy!, async (tx) => {
      const p = await prepare(s, opts, tx);
      const imp = await startImport(s, opts, p);
      const tenantId = imp.tenant_id;
      const progress = new Progress(opts.progress ? opts.err : undefined);
      let batch = await nextBatch(s.target, imp.id);
      const reports: EntryReport[] = [];
      let ctx: DecideContext | undefined;
      let columns: string[] = [];
      let writing: Promise<void> = Promise.resolve();
      let sinceAnalyze = 0;

      await walk({
        compiled: p.compiled,
        legacy: tx,
        target: s.target,
        tenantId: tenantId,
        importId: imp.id,
        batchSize: opts.batchSize,
        sink: {
          async startEntry(e, total) {
            ctx = decideContext(e, {
              target: s.target, tenantId, importId: imp.id, ledger: await loadLedger(s.target, imp.id, e.name), report: newReport(e, total),
            }, await hasForeignRows(s.target, e, tenantId, imp.id));
            columns = ["tenant_id", ...(e.generatedId ? [e.key[0]] : []), ...e.columns.map((c) => c.name)];
            progress.start(e.name, total);
          },
          async chunk(e, chunk) {
            const d = await decide(e, chunk, ctx!);
            const rows: string[] = [];
            const ledger: string[] = [];
            const b = String(batch);
            for (const g of d.create) {
              const values = writeValues(e, g);
              let key: string[];
              if (e.generatedId) {
                key = [uuidv7()];
                rows.push(copyLine([tenantId, key[0], ...values]));
              } else {
                key = e.key.map((k) => values[e.byName.get(k)!]!);
                rows.push(copyLine([tenantId, ...values]));
              }
              g.newKey = key;
              g.ref.id = key[0];
              ledger.push(copyLine([imp.id, e.name, g.head.key, e.table.name, textArrayLiteral(key), "created", b]));
            }
            for (const { group } of d.linked) {
              ledger.push(copyLine([imp.id, e.name, group.head.key, e.table.name, textArrayLiteral(group.newKey!), "linked", b]));
            }
            for (const { row, group } of d.merged) {
              ledger.push(copyLine([imp.id, e.name, row.key, e.table.name, textArrayLiteral(group.newKey!), "merged", b]));
            }
            // Links for linked rows of the tenant that lack them: set only where still null, recorded for rollback.
            const fills: Fill[] = [];
            for (const f of d.fills) {
              const values = writeValues(e, f.group);
              for (const i of f.columns) {
                const col = e.columns[i];
                let fill = fills.find((x) => x.column === col.name);
                if (!fill) {
                  fills.push((fill = {
                    table: e.table.name, key: e.key[0], keyType: e.table.columns.get(e.key[0])!.type, column: col.name, type: col.target.type, keys: [], values: [],
                  }));
                }
                fill.keys.push(f.existing.key[0]);
                fill.values.push(values[i]!);
              }
            }
            if (ledger.length === 0) {
              progress.advance(chunk.rows);
              return;
            }
            // One batch is written while the next one is prepared; batches still commit one after another, in order
            // (a merge into a row of an earlier batch must never commit before that row).
            await writing;
            const n = batch++;
            const table = e.table.name;
            const at = e.at;
            writing = (async () => {
              try {
                await s.target.begin(async (w) => {
                  await copyInto(w, table, columns, rows);
                  await copyInto(w, "private.import_ledger", LEDGER_COLUMNS, ledger);
                  await applyFills(w, imp.id, tenantId, fills);
                });
              } catch (err) {
                const m = err as { message?: string; detail?: string };
                throw new AdoptError(`${at}: batch ${n} was refused by the target (nothing of it was written): ${m.message}${m.detail ? ` (${m.detail})` : ""}`);
              }
              committedRows.set(e.name, (committedRows.get(e.name) ?? 0) + ledger.length);
              sinceAnalyze += rows.length;
              if (sinceAnalyze >= ANALYZE_EVERY) {
                sinceAnalyze = 0;
                await analyze(s.target, [table]);
              }
              progress.advance(chunk.rows, n);
              if (opts.pauseMs > 0) await new Promise((r) => setTimeout(r, opts.pauseMs));
            })();
            writing.catch(() => {}); // awaited before the next batch and at the end of the entry
          },
          async endEntry(e) {
            await writing;
            // Fresh statistics for the next entry's lookups (and for a rollback started right after the run).
            if (ctx!.report.import > 0) await analyze(s.target, [e.table.name]);
            sinceAnalyze = 0;
            reports.push(ctx!.report);
          },
        },
      });
      progress.end();
      await s.target`
        update private.imports set status = 'complete', completed_at = now(),
          stats = coalesce(stats, '{}'::jsonb) || ${s.target.json({ run: JSON.parse(JSON.stringify(reports)) })}::jsonb
        where id = ${imp.id}`;
      const rows = reports.reduce((a, r) => a + r.rows, 0);
      const imported = reports.reduce((a, r) => a + r.import, 0);
      return { importId: imp.id, tenantId, tenantCreated: imp.tenant_created, entries: reports, rows, imported, ms: performance.now() - t0 };
    });
  } catch (err) {
    throw incomplete(err, opts, s.loaded.mapping.name, committedRows);
  } finally {
    await lock`select pg_advisory_unlock_all()`.catch(() => {});
    lock.release();
  }
}

export function runText(r: RunResult, slug: string): string {
  const rate = r.ms > 0 ? Math.round((r.rows / r.ms) * 1000) : 0;
  return (
    `imported into ${slug} (${r.tenantId}${r.tenantCreated ? ", created by this import" : ""}), import ${r.importId}\n\n` +
    entriesTable(r.entries, "already") +
    reasonsText(r.entries) +
    `\n${r.imported.toLocaleString("en-US")} new rows from ${r.rows.toLocaleString("en-US")} legacy rows in ${duration(r.ms)} (${rate.toLocaleString("en-US")} legacy rows/s)\n`
  );
}

/** Rows written since the last ANALYZE of a table after which its statistics are refreshed mid-entry. */
const ANALYZE_EVERY = 50_000;

/** ANALYZE of the tables written and of the ledger: the planner otherwise keeps statistics from before the import
 * (the new tenant's id unknown to them, estimated at one row), and the next lookups and a rollback started right
 * after the run pick nested loops over tens of thousands of rows. A refusal (not the owner) is not fatal. */
export async function analyze(sql: postgres.Sql | postgres.TransactionSql, tables: string[]): Promise<void> {
  for (const t of [...new Set(tables)].map((t) => `public.${ident(t)}`).concat("private.import_ledger")) {
    await sql.unsafe(`analyze ${t}`).catch(() => {});
  }
}

/** Links given to linked rows of the tenant, per column: keys of the rows, and the values set. */
export interface Fill {
  table: string;
  key: string;
  keyType: string;
  column: string;
  type: string;
  keys: string[];
  values: string[];
}

/** Sets the links (only where the row still has none) and records them in the import, so rollback can take them
 * back before it removes the rows they point at. */
async function applyFills(w: postgres.TransactionSql, importId: string, tenantId: string, fills: Fill[]): Promise<void> {
  for (const f of fills) {
    const set = await w.unsafe(
      `update public.${ident(f.table)} t set ${ident(f.column)} = u.v::${f.type} from unnest($2::text[], $3::text[]) as u(k, v) ` +
      `where t.tenant_id = $1 and t.${ident(f.key)} = u.k::${f.keyType} and t.${ident(f.column)} is null returning t.${ident(f.key)}::text as k, u.v`,
      [tenantId, f.keys, f.values],
    );
    if (set.length === 0) continue;
    const record = { table: f.table, key: f.key, keyType: f.keyType, column: f.column, keys: set.map((r) => r.k as string), values: set.map((r) => r.v as string) };
    await w`
      update private.imports set stats = jsonb_set(coalesce(stats, '{}'::jsonb), '{filled}',
        coalesce(stats -> 'filled', '[]'::jsonb) || jsonb_build_array(${w.json(record)}::jsonb))
      where id = ${importId}`;
  }
}

/** A run that stops after some batches committed says so, with what to do next: never a half import in silence. */
function incomplete(err: unknown, opts: Options, mapping: string, committed: Map<string, number>): unknown {
  const total = [...committed.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return err;
  const { message, exitCode } = describe(err);
  const parts = [...committed].map(([entry, n]) => `${entry} ${n.toLocaleString("en-US")}`).join(", ");
  return new AdoptError(
    `${message}\nthe import into ${opts.tenant} is incomplete: earlier batches are committed (legacy rows recorded: ${parts}). ` +
    `Fix the cause and run again to continue where it stopped, or remove what it wrote with: adopt rollback --mapping ${opts.mapping} --tenant ${opts.tenant}` +
    (mapping !== opts.mapping ? ` (mapping ${mapping})` : ""),
    exitCode === 2 ? 2 : 1,
  );
}
