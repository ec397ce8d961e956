// Memories of callers, text drawn from the skewed vocabulary (bench/vocabulary.ts) so full-text search and ranking
// have real work. Two spreads: per caller, a regular with many and the rest a few (bench:rls); and per tenant, in
// volume, from a pool of phrases, with one hot tenant's all on its caller 0 (bench:memory).
import postgres from "postgres";
import { VOCAB } from "../vocabulary.ts";
import { rowIds, type IdScheme } from "./common.ts";

export interface CallerMemoryOptions {
  tenants: number;
  /** Callers j = 0..callers-1 of each tenant (caller profiles 'caller:t:j'). */
  callers: number;
  /** Memories of caller 0, the regular. */
  regular: number;
  /** Memories of each other caller. */
  others: number;
  /** Callers j < calls have a call 'call:t:j' (insertCustomerCalls): their newest memory came from it. */
  calls: number;
  ids?: IdScheme;
}

/** 5-16 words each, newest first 2 days apart; inserted in time order across tenants. */
export async function insertCallerMemories(sql: postgres.Sql, o: CallerMemoryOptions): Promise<number> {
  const id = rowIds(sql, o.ids);
  return (await sql`
    insert into public.memories (tenant_id, caller_id, content, kind, importance, source_call_id, created_at)
    select ${id("'tenant:' || t")}, ${id("'caller:' || t || ':' || j")},
           (array['Prefers', 'Mentioned', 'Asked about', 'Said', 'Remember:', 'Follow up on'])[1 + n % 6] || ' ' ||
           (select string_agg((${VOCAB}::text[])[1 + floor(power(random(), 2) * ${VOCAB.length})::int], ' ')
            from generate_series(1, 5 + (n + j + t) % 12)),
           (array['fact', 'preference', 'event', 'relationship', 'note', 'follow_up'])[1 + n % 6],
           1 + (n * 7 + t) % 10,
           case when j < ${o.calls} and n = 0 then ${id("'call:' || t || ':' || j")} end,
           now() - n * interval '2 days' - j * interval '1 hour' - t * interval '1 second'
    from generate_series(1, ${o.tenants}) t
    cross join generate_series(0, ${o.callers - 1}) j
    cross join lateral generate_series(0, case when j = 0 then ${o.regular - 1}::int else ${o.others - 1}::int end) n
    order by now() - n * interval '2 days' - j * interval '1 hour' - t * interval '1 second'`).count;
}

/** The temporary table `phrases` (phrase 0..count-1): 6-16 vocabulary words each, for insertTenantMemories. */
export async function insertPhrases(sql: postgres.Sql, o: { count: number }): Promise<number> {
  await sql`create temp table phrases (phrase int primary key, content text not null)`;
  return (await sql`
    insert into phrases (phrase, content)
    select g, (select string_agg((${VOCAB}::text[])[1 + floor(random() ^ 2 * ${VOCAB.length})::int], ' ')
               from generate_series(1, 6 + g % 11) w where g >= 0)
    from generate_series(0, ${o.count - 1}) g`).count;
}

export interface TenantMemoryOptions {
  tenants: number;
  /** Memories per tenant, round-robin over its callers. */
  perTenant: number;
  /** Callers j = 0..callers-1 of each tenant (caller profiles 'caller:t:j'). */
  callers: number;
  /** The tenant whose memories all belong to its caller 0. */
  hotTenant: number;
  /** The size of the phrase pool (insertPhrases) each memory takes its text from. */
  phrases: number;
  ids?: IdScheme;
}

/**
 * Interleaved across tenants (order by n, t) so one caller's rows are spread over the heap as they would be after
 * months of calls, not packed together. Spread over two years; importance 1..10.
 */
export async function insertTenantMemories(sql: postgres.Sql, o: TenantMemoryOptions): Promise<number> {
  const id = rowIds(sql, o.ids);
  const T = o.tenants;
  return (await sql`
    insert into public.memories (tenant_id, caller_id, content, kind, importance, created_at)
    select ${id("'tenant:' || t")},
           ${id(sql`'caller:' || t || ':' || (case when t = ${o.hotTenant} then 0 else n % ${o.callers} end)`)},
           p.content,
           (array['fact', 'preference', 'event', 'relationship', 'note', 'follow_up'])[1 + (n + t) % 6],
           1 + (hashint4(n * 7919 + t) & 1023) % 10,
           now() - interval '730 days' + (n * ${T} + t) * (interval '730 days' / ${T * o.perTenant}::float8)
    from generate_series(0, ${o.perTenant - 1}) n cross join generate_series(1, ${T}) t
    join phrases p on p.phrase = (hashint4(n * 31 + t * 1000003) & 2147483647) % ${o.phrases}
    order by n, t`).count;
}
