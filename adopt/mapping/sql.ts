// Turns a mapping's references ("phone", "p.visit_count", "svc.name", "svc#", "settings.hours") into SQL over the
// legacy tables, checking each named table and column against the legacy catalog as it goes.
import { AdoptError } from "../errors.ts";

export const ident = (name: string) => '"' + name.replace(/"/g, '""') + '"';
export const literal = (value: string) => "'" + value.replace(/'/g, "''") + "'";

export interface Scope {
  /** The source's alias and, for a table source, its columns (a `sql` source's columns are checked by Postgres). */
  base: { alias: string; columns?: Map<string, string>; table: string };
  joins: Map<string, { table: string; columns?: Map<string, string> }>;
  /** Unpacked elements: JSON values, or text pieces of a split string. */
  unpacks: Map<string, "json" | "text">;
}

const jsonPath = (segments: string[]) => literal("{" + segments.map((s) => '"' + s + '"').join(",") + "}");

function column(scope: Scope, alias: string, table: string, columns: Map<string, string> | undefined, name: string, where: string): { sql: string; json: boolean } {
  if (columns && !columns.has(name)) {
    throw new AdoptError(`the legacy table ${table} has no column ${name} (${where})`);
  }
  const type = columns?.get(name);
  return { sql: `${ident(alias)}.${ident(name)}`, json: type === "json" || type === "jsonb" };
}

/** SQL for a reference: as text, as jsonb (for unpacking), or raw (its own type, for ordering). */
export function compileRef(ref: string, scope: Scope, mode: "text" | "json" | "raw", where: string): string {
  if (ref.endsWith("#")) {
    const alias = ref.slice(0, -1);
    if (!scope.unpacks.has(alias)) throw new AdoptError(`"${ref}": ${alias} is not an unpacked element (${where})`, 2);
    return mode === "raw" ? `${ident(alias)}.key` : `(${ident(alias)}.key)::text`;
  }
  const segs = ref.split(".");
  const unpack = scope.unpacks.get(segs[0]);
  if (unpack) {
    const value = `${ident(segs[0])}.value`;
    if (unpack === "text") {
      if (segs.length > 1) throw new AdoptError(`"${ref}": ${segs[0]} is a piece of text, it has no fields (${where})`, 2);
      return value;
    }
    if (mode === "json") return segs.length > 1 ? `(${value} #> ${jsonPath(segs.slice(1))})` : value;
    return `(${value} #>> ${jsonPath(segs.slice(1))})`;
  }
  let col: { sql: string; json: boolean };
  let rest: string[];
  const join = scope.joins.get(segs[0]);
  if (join && segs.length >= 2) {
    col = column(scope, segs[0], join.table, join.columns, segs[1], where);
    rest = segs.slice(2);
  } else if (segs[0] === scope.base.alias && segs.length >= 2) {
    col = column(scope, scope.base.alias, scope.base.table, scope.base.columns, segs[1], where);
    rest = segs.slice(2);
  } else {
    col = column(scope, scope.base.alias, scope.base.table, scope.base.columns, segs[0], where);
    rest = segs.slice(1);
  }
  if (rest.length === 0) {
    if (mode === "json") return `(${col.sql})::jsonb`;
    return mode === "raw" ? col.sql : `(${col.sql})::text`;
  }
  const asJson = col.json ? col.sql : `(${col.sql})::jsonb`;
  return mode === "json" ? `(${asJson} #> ${jsonPath(rest)})` : `(${asJson} #>> ${jsonPath(rest)})`;
}

/**
 * A legacy timestamp as UTC text with microseconds ("2025-03-01 17:30:00.000000+00", which sorts as text in time
 * order). Values with an offset (timestamptz, ISO strings with Z) keep their instant; naive ones are read in
 * `zone`; text that is not a timestamp comes back as "!" + the text, for the plan to report.
 */
export function timestampSql(textExpr: string, zone: string): string {
  const t = `(${textExpr})`;
  const shape = String.raw`'^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)?)?\s*$'`;
  const offset = String.raw`'[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)\s*$'`;
  const fmt = `'YYYY-MM-DD HH24:MI:SS.US'`;
  return `(case when ${t} is null then null when ${t} !~ ${shape} then '!' || ${t} ` +
    `when ${t} ~ ${offset} then to_char(${t}::timestamptz at time zone 'UTC', ${fmt}) || '+00' ` +
    `else to_char((${t}::timestamp at time zone ${literal(zone)}) at time zone 'UTC', ${fmt}) || '+00' end)`;
}

/** Replaces :name parameters with $n, collecting their values. */
export class Params {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  constructor(private readonly given: Record<string, string>) {}
  bind(sqlText: string, replaceAll: (text: string, fn: (name: string) => string) => string): string {
    return replaceAll(sqlText, (name) => {
      let n = this.index.get(name);
      if (n === undefined) {
        this.values.push(this.given[name]);
        n = this.values.length;
        this.index.set(name, n);
      }
      return `$${n}`;
    });
  }
}
