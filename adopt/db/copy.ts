// COPY … FROM STDIN in Postgres's text format: the fastest way to write many rows, and it runs inside the batch's
// transaction like any statement, so a batch and its ledger rows commit or vanish together.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type postgres from "postgres";
import { ident } from "../mapping/sql.ts";

const SPECIAL = /[\\\n\r\t]/;

/** One field in COPY text format: \N for null, backslash escapes for the four characters that need them. */
export function copyField(v: string | null): string {
  if (v === null) return "\\N";
  if (!SPECIAL.test(v)) return v;
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
}

export function copyLine(fields: (string | null)[]): string {
  let line = "";
  for (let i = 0; i < fields.length; i++) line += (i ? "\t" : "") + copyField(fields[i]);
  return line + "\n";
}

/** A Postgres array literal of text, for COPY (the ledger's new_key). */
export function textArrayLiteral(items: string[]): string {
  return "{" + items.map((x) => '"' + x.replace(/(["\\])/g, "\\$1") + '"').join(",") + "}";
}

export async function copyInto(
  tx: postgres.TransactionSql | postgres.Sql,
  table: string,
  columns: string[],
  lines: string[],
): Promise<void> {
  if (lines.length === 0) return;
  const [schema, name] = table.includes(".") ? table.split(".") : ["public", table];
  const query = tx.unsafe(`copy ${ident(schema)}.${ident(name)} (${columns.map(ident).join(", ")}) from stdin`);
  // postgres.js resolves the query with the stream, and when the server refuses the data after CopyDone (a unique
  // or foreign key violation found at the end) it only rejects that already-resolved query: the stream never
  // finishes and the caller would wait forever. Catch the rejection ourselves.
  let refused!: (err: unknown) => void;
  const failure = new Promise<never>((_, reject) => (refused = reject));
  failure.catch(() => {});
  const q = query as unknown as { reject: (err: unknown) => void };
  const reject = q.reject;
  q.reject = (err) => {
    refused(err);
    reject(err);
  };
  const stream = await query.writable();
  // Chunks of ~1 MB: one big string would be copied again by the socket layer.
  const chunks: string[] = [];
  let current = "";
  for (const l of lines) {
    current += l;
    if (current.length > 1 << 20) {
      chunks.push(current);
      current = "";
    }
  }
  if (current) chunks.push(current);
  await Promise.race([pipeline(Readable.from(chunks), stream), failure]);
}
