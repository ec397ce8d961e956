// `adopt rollback`: removes exactly the rows the import created — children before parents, the reverse of the
// import's dependency order — and the tenant too when the import created it (unless --keep-tenant). Rows the import
// linked to (the tenant's own) are left alone. Before deleting an entry's rows it looks, through every foreign key
// the database has, for rows the import did not create that point at them (a booking made later for an imported
// customer, a message that arrived in an imported conversation): then it refuses, changes nothing, and lists them,
// rather than letting ON DELETE CASCADE or SET NULL quietly change data that is not the import's.
// Everything happens in one transaction: a refused or interrupted rollback leaves the import as it was.
import type postgres from "postgres";
import { liveImport, type ImportRecord } from "./db/ledger.ts";
import { requireTenant } from "./db/tenant.ts";
import { AdoptError } from "./errors.ts";
import { table } from "./format.ts";
import { analyze, type Fill } from "./run.ts";
import { ident, literal } from "./mapping/sql.ts";
import type { Options, Session } from "./session.ts";

interface Fk {
  schema: string;
  table: string;
  columns: string[];
  refColumns: string[];
  pk: string[];
}

export interface Dependent {
  table: string;
  key: string;
  references: string;
  count: number;
}

export interface RollbackResult {
  importId: string;
  deleted: { entry: string; target: string; rows: number }[];
  tenantDeleted: boolean;
}

export class RollbackRefused extends AdoptError {
  constructor(readonly dependents: Dependent[]) {
    super(
      `refusing to roll back: rows that this import did not create depend on rows it did (nothing was changed).\n` +
      `Remove or re-point them first, then roll back again:\n` +
      dependents.map((d) => `  ${d.table} ${d.key} -> ${d.references}${d.count > 1 ? `  (${d.count} such rows in ${d.table})` : ""}`).join("\n"),
    );
  }
}

async function foreignKeysTo(tx: postgres.TransactionSql, table: string): Promise<Fk[]> {
  return tx<Fk[]>`
    select n.nspname as schema, c.relname as table,
           array(select a.attname::text from unnest(k.conkey) with ordinality u(n, o)
                 join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n order by u.o) as columns,
           array(select a.attname::text from unnest(k.confkey) with ordinality u(n, o)
                 join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n order by u.o) as "refColumns",
           coalesce(array(select a.attname::text from pg_index i cross join unnest(i.indkey) with ordinality u(n, o)
                          join pg_attribute a on a.attrelid = i.indrelid and a.attnum = u.n
                          where i.indrelid = k.conrelid and i.indisprimary order by u.o), '{}') as pk
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    where k.contype = 'f' and k.confrelid = ${"public." + table}::regclass`;
}

async function keyTypes(tx: postgres.TransactionSql, table: string, key: string[]): Promise<string[]> {
  const rows = await tx<{ name: string; type: string }[]>`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a where a.attrelid = ${"public." + table}::regclass and a.attnum > 0`;
  return key.map((k) => rows.find((r) => r.name === k)!.type);
}

/** Rows outside the import that point at rows the import created for `entry` (or at the tenant itself). */
async function dependents(
  tx: postgres.TransactionSql,
  imp: ImportRecord,
  target: string,
  entry: string | null,
  key: string[],
): Promise<Dependent[]> {
  const out: Dependent[] = [];
  const types = await keyTypes(tx, target, key);
  for (const fk of await foreignKeysTo(tx, target)) {
    const r = `${ident(fk.schema)}.${ident(fk.table)}`;
    const own = fk.pk.filter((c) => c !== "tenant_id");
    const rowKey = fk.pk.length ? `array[${fk.pk.map((c) => `r.${ident(c)}::text`).join(", ")}]` : "array[r.ctid::text]";
    const notOurs = fk.schema === "public" && own.length
      ? `and not exists (select 1 from private.import_ledger x where x.import_id = $1 and x.target_table = ${literal(fk.table)} ` +
        `and x.action = 'created' and x.new_key = array[${own.map((c) => `r.${ident(c)}::text`).join(", ")}])`
      : "";
    const on = fk.columns.map((c, i) => `r.${ident(c)} = t.${ident(fk.refColumns[i])}`).join(" and ");
    let q: string;
    if (entry === null) {
      // The tenant row: everything of the tenant that is still there after the imported rows went.
      q = `select ${rowKey} as key, 'the tenant ' || $2::text as ref, count(*) over () as total from ${r} r ` +
        `join public.tenants t on ${on} where t.id = $2::uuid and $1::uuid is not null ${notOurs} limit 20`; // ($1 typed when unused)
    } else {
      const keyJoin = key.map((k, i) => `t.${ident(k)} = l.new_key[${i + 1}]::${types[i]}`).join(" and ");
      q = `select ${rowKey} as key, ${literal(entry + " ")} || l.legacy_key as ref, count(*) over () as total from ${r} r ` +
        `join public.${ident(target)} t on ${on} ` +
        `join private.import_ledger l on l.import_id = $1 and l.entry = ${literal(entry)} and l.action = 'created' and ${keyJoin} ` +
        `where t.tenant_id = $2::uuid ${notOurs} limit 20`;
    }
    for (const row of await tx.unsafe(q, [imp.id, imp.tenant_id])) {
      out.push({
        table: `${fk.schema}.${fk.table}`,
        key: `(${(fk.pk.length ? fk.pk : ["ctid"]).join(", ")}) = (${(row.key as string[]).join(", ")})`,
        references: `the ${target} row imported from ${row.ref as string}`,
        count: Number(row.total),
      });
    }
  }
  return out;
}

export async function rollbackImport(s: Session, opts: Options): Promise<RollbackResult> {
  const tenant = await requireTenant(s.target, opts.tenant);
  const imp = await liveImport(s.target, tenant.id, s.loaded.mapping.name);
  if (!imp) throw new AdoptError(`tenant ${opts.tenant} has no import of mapping ${s.loaded.mapping.name} to roll back`);
  const lock = await s.target.reserve();
  try {
    const [{ ok }] = await lock`select pg_try_advisory_lock(hashtextextended(${`adopt:${opts.tenant}:${s.loaded.mapping.name}`}, 0)) as ok`;
    if (!ok) throw new AdoptError(`an adopt run into ${opts.tenant} with mapping ${s.loaded.mapping.name} is in progress; roll back once it has stopped`);
    // Statistics first: right after a run the planner may still believe the tenant and the import have no rows (a
    // nested loop over tens of thousands of rows each side, minutes instead of a second).
    await analyze(s.target, imp.entries.map((x) => x.target));
    return (await s.target.begin(async (tx) => {
      const found: Dependent[] = [];
      const deleted: RollbackResult["deleted"] = [];
      // Links the run gave to rows the tenant already had go first (where they still hold what the run set).
      const [{ filled }] = await tx<{ filled: Fill[] | null }[]>`select stats -> 'filled' as filled from private.imports where id = ${imp.id}`;
      for (const f of filled ?? []) {
        await tx.unsafe(
          `update public.${ident(f.table)} t set ${ident(f.column)} = null from unnest($2::text[], $3::text[]) as u(k, v) ` +
          `where t.tenant_id = $1 and t.${ident(f.key)} = u.k::${f.keyType} and t.${ident(f.column)}::text = u.v`,
          [imp.tenant_id, f.keys, f.values],
        );
      }
      for (const { entry, target, key } of [...imp.entries].reverse()) {
        const deps = await dependents(tx, imp, target, entry, key);
        if (deps.length) {
          found.push(...deps);
          continue;
        }
        const types = await keyTypes(tx, target, key);
        const keyJoin = key.map((k, i) => `t.${ident(k)} = l.new_key[${i + 1}]::${types[i]}`).join(" and ");
        const res = await tx.unsafe(
          `delete from public.${ident(target)} t using private.import_ledger l ` +
          `where l.import_id = $1 and l.entry = $2 and l.action = 'created' and t.tenant_id = $3 and ${keyJoin}`,
          [imp.id, entry, imp.tenant_id],
        );
        deleted.push({ entry, target, rows: res.count });
      }
      let tenantDeleted = false;
      if (imp.tenant_created && !opts.keepTenant && found.length === 0) {
        const deps = await dependents(tx, imp, "tenants", null, ["id"]);
        if (deps.length) {
          throw new AdoptError(
            `refusing to roll back: the import created tenant ${opts.tenant}, and it now has rows the import did not create ` +
            `(nothing was changed):\n${deps.map((d) => `  ${d.table} ${d.key}${d.count > 1 ? `  (${d.count} such rows)` : ""}`).join("\n")}\n` +
            `Remove them, or roll back with --keep-tenant to remove only the imported rows and keep the business.`,
          );
        }
        await tx`delete from public.tenants where id = ${imp.tenant_id}`;
        tenantDeleted = true;
      }
      if (found.length) throw new RollbackRefused(found);
      await tx`delete from private.import_ledger where import_id = ${imp.id}`;
      await tx`
        update private.imports set status = 'rolled_back', rolled_back_at = now(),
          stats = coalesce(stats, '{}'::jsonb) || jsonb_build_object('rollback', ${tx.json({ deleted, tenantDeleted })}::jsonb)
        where id = ${imp.id}`;
      return { importId: imp.id, deleted, tenantDeleted };
    })) as RollbackResult;
  } finally {
    await lock`select pg_advisory_unlock_all()`.catch(() => {});
    lock.release();
  }
}

export function rollbackText(r: RollbackResult, slug: string): string {
  const rows = r.deleted.map((d) => [d.entry, d.target, d.rows]);
  return (
    `rolled back import ${r.importId} from ${slug}\n\n` +
    table(["entry", "target", "deleted"], rows, new Set([2])) +
    (r.tenantDeleted ? `\ntenant ${slug} deleted (the import had created it)\n` : "")
  );
}
