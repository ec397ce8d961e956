// `adopt verify`: proves the import against the legacy database as it is now. Per entry, what the mapping says the
// legacy rows become (skips, merges and links worked out exactly as plan and run do) is compared with what the
// tenant holds: counts, and a checksum of the normalised content. Both sides are normalised by the target database
// itself — each value cast to its column's exact type and rendered as a row — so equal data gives equal text; a
// foreign key is compared as the legacy key of the row it points at, so the checksum does not depend on the new ids
// (two imports of the same data, into two tenants or two databases, have the same checksums).
import type postgres from "postgres";
import { readLegacy } from "./db/legacy.ts";
import { liveImport } from "./db/ledger.ts";
import { requireTenant } from "./db/tenant.ts";
import type { Group } from "./engine/groups.ts";
import { walk, type Chunk } from "./engine/walk.ts";
import { AdoptError } from "./errors.ts";
import { table } from "./format.ts";
import type { Compiled, CompiledEntry } from "./mapping/compile.ts";
import { ident, literal } from "./mapping/sql.ts";
import { prepare } from "./prepare.ts";
import type { Options, Session } from "./session.ts";

export interface VerifyEntry {
  entry: string;
  target: string;
  legacyRows: number;
  skipped: number;
  merged: { expected: number; ledger: number };
  linked: { expected: number; ledger: number };
  created: { expected: number; ledger: number; target: number };
  checksum: { legacy: string; target: string };
  ok: boolean;
  problems: string[];
}

export interface VerifyResult {
  importId: string;
  tenantId: string;
  entries: VerifyEntry[];
  ok: boolean;
}

const HASH = `coalesce(sum(('x' || left(md5(x.line), 16))::bit(64)::bigint), 0)::text`;
const MASK = (1n << 64n) - 1n;
export const hex = (sum: bigint) => (sum & MASK).toString(16).padStart(16, "0");

function expectedSql(e: CompiledEntry): string {
  const casts = e.columns.map((c, i) => (c.ref ? `u.c${i}` : `u.c${i}::${c.target.type}`));
  const args = ["$1::text[]", ...e.columns.map((_, i) => `$${i + 2}::text[]`)];
  const names = ["k", ...e.columns.map((_, i) => `c${i}`)];
  return `select count(*)::bigint as n, ${HASH} as s from (select row(u.k, ${casts.join(", ")})::text as line ` +
    `from unnest(${args.join(", ")}) as u(${names.join(", ")})) x`;
}

/** The tenant's rows that the ledger says this import created, each with its legacy key, foreign keys as the legacy
 * keys of their targets. */
export function targetSql(e: CompiledEntry, compiled: Compiled): string {
  // Each parent's ledger rows become a small hashed table (CTE), joined once: looking them up row by row would
  // scan the parent's ledger once per imported row.
  const ctes: string[] = [];
  const joins: string[] = [];
  const cols = e.columns.map((c, i) => {
    if (!c.ref) return `t.${ident(c.name)}`;
    const parent = compiled.byName.get(c.ref.entry)!;
    ctes.push(
      `p${i} as materialized (select new_key[1] as k, legacy_key from private.import_ledger ` +
      `where import_id = $2 and entry = ${literal(parent.name)} and action <> 'merged')`,
    );
    joins.push(`left join p${i} on p${i}.k = t.${ident(c.name)}::text`);
    return `p${i}.legacy_key`;
  });
  const keyJoin = e.key.map((k, i) => `t.${ident(k)} = l.new_key[${i + 1}]::${e.table.columns.get(k)!.type}`).join(" and ");
  return `${ctes.length ? `with ${ctes.join(", ")} ` : ""}` +
    `select count(*)::bigint as n, ${HASH} as s from (select row(l.legacy_key, ${cols.join(", ")})::text as line ` +
    `from private.import_ledger l join public.${ident(e.table.name)} t on t.tenant_id = $1 and ${keyJoin} ${joins.join(" ")} ` +
    `where l.import_id = $2 and l.entry = $3 and l.action = 'created') x`;
}

class EntryCheck {
  legacyRows = 0;
  skipped = 0;
  merged = 0;
  linked = 0;
  created = 0;
  sum = 0n;
  constructor(readonly e: CompiledEntry, readonly nonCreated: Map<string, string>) {}
}

async function hashExpected(sql: postgres.Sql, e: CompiledEntry, q: string, groups: Group[]): Promise<bigint> {
  if (groups.length === 0) return 0n;
  const params: unknown[] = [groups.map((g) => g.head.key)];
  e.columns.forEach((_, i) => params.push(groups.map((g) => g.values[i])));
  const [r] = await sql.unsafe(q, params as never[]);
  return BigInt(r.s as string);
}

export async function verifyImport(s: Session, opts: Options): Promise<VerifyResult> {
  const tenant = await requireTenant(s.target, opts.tenant);
  const imp = await liveImport(s.target, tenant.id, s.loaded.mapping.name);
  if (!imp) throw new AdoptError(`tenant ${opts.tenant} has no import of mapping ${s.loaded.mapping.name} to verify`);
  return readLegacy(s.legacy!, async (tx) => {
    const p = await prepare(s, opts, tx);
    const results: VerifyEntry[] = [];
    let check: EntryCheck | undefined;
    let expected = "";
    await walk({
      compiled: p.compiled,
      legacy: tx,
      target: s.target,
      tenantId: tenant.id,
      importId: imp.id,
      batchSize: Math.max(opts.batchSize, 5000),
      sink: {
        async startEntry(e, total) {
          const rows = await s.target.unsafe(
            `select legacy_key, action from private.import_ledger where import_id = $1 and entry = $2 and action <> 'created'`,
            [imp.id, e.name],
          ).values();
          check = new EntryCheck(e, new Map(rows as unknown as [string, string][]));
          check.legacyRows = total;
          expected = expectedSql(e);
        },
        async chunk(e, chunk: Chunk) {
          const c = check!;
          c.skipped += chunk.skips.length;
          const created: Group[] = [];
          for (const g of chunk.groups) {
            if (g.skipped) {
              c.skipped += g.members.length;
              continue;
            }
            c.merged += g.members.length - 1;
            if (c.nonCreated.get(g.head.key) === "linked") c.linked++;
            else created.push(g);
          }
          for (const { group } of chunk.late) {
            if (group.skipped) c.skipped++;
            else c.merged++;
          }
          c.created += created.length;
          c.sum += await hashExpected(s.target, e, expected, created);
        },
        async endEntry(e) {
          const c = check!;
          const counts = await s.target<{ action: string; n: string }[]>`
            select action, count(*)::bigint as n from private.import_ledger where import_id = ${imp.id} and entry = ${e.name} group by action`;
          const ledgerCount = (a: string) => Number(counts.find((x) => x.action === a)?.n ?? 0);
          // Whole-table joins: hash them (a nested loop over a million ledger rows is the plan to avoid).
          const [t] = (await s.target.begin(async (q) => {
            await q`set local enable_nestloop = off`;
            return q.unsafe(targetSql(e, p.compiled), [tenant.id, imp.id, e.name]);
          })) as unknown as { n: string; s: string }[];
          const targetSum = BigInt(t.s as string);
          const v: VerifyEntry = {
            entry: e.name,
            target: e.table.name,
            legacyRows: c.legacyRows,
            skipped: c.skipped,
            merged: { expected: c.merged, ledger: ledgerCount("merged") },
            linked: { expected: c.linked, ledger: ledgerCount("linked") },
            created: { expected: c.created, ledger: ledgerCount("created"), target: Number(t.n) },
            checksum: { legacy: hex(c.sum), target: hex(targetSum) },
            ok: true,
            problems: [],
          };
          const pr = v.problems;
          if (v.created.expected > v.created.ledger) pr.push(`${v.created.expected - v.created.ledger} legacy rows not imported`);
          if (v.created.expected < v.created.ledger) pr.push(`${v.created.ledger - v.created.expected} imported rows no longer match a legacy row`);
          if (v.created.target < v.created.ledger) pr.push(`${v.created.ledger - v.created.target} imported rows are gone from the target`);
          if (v.merged.expected !== v.merged.ledger) pr.push(`merged: ${v.merged.expected} expected, ${v.merged.ledger} in the ledger`);
          if (v.linked.expected !== v.linked.ledger) pr.push(`linked: ${v.linked.expected} expected, ${v.linked.ledger} in the ledger`);
          if (v.checksum.legacy !== v.checksum.target && pr.length === 0) pr.push("content differs");
          else if (v.checksum.legacy !== v.checksum.target) pr.push("checksums differ");
          v.ok = pr.length === 0;
          results.push(v);
        },
      },
    });
    return { importId: imp.id, tenantId: tenant.id, entries: results, ok: results.every((r) => r.ok) };
  });
}

export function verifyText(r: VerifyResult, slug: string): string {
  const rows = r.entries.map((v) => [
    v.entry, v.target, v.legacyRows, v.skipped, v.merged.expected, v.linked.expected, v.created.expected, v.created.target,
    v.checksum.legacy, v.checksum.target, v.ok ? "ok" : "DIFF",
  ]);
  const head = `verify ${slug}, import ${r.importId}\n\n`;
  const t = table(
    ["entry", "target", "legacy", "skipped", "merged", "linked", "expected", "in target", "legacy checksum", "target checksum", ""],
    rows,
    new Set([2, 3, 4, 5, 6, 7]),
  );
  const problems = r.entries.filter((v) => !v.ok).map((v) => `  ${v.entry}: ${v.problems.join("; ")}`);
  return head + t + (problems.length ? `\ndifferences the plan did not announce:\n${problems.join("\n")}\n` : "\nno differences beyond what the plan announces (skips, merges, links)\n");
}
