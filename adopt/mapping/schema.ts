// The mapping file format: which legacy rows become which Frontdesk rows, and the few transforms real data needs.
// Everything a user writes is checked here first, so a bad key is reported by its path before any database is
// touched; what needs a database (does the table exist, is this an enum label) is checked in compile.ts.
import { z } from "zod";

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, "a lower-case SQL identifier ([a-z_][a-z0-9_]*)");

// A legacy value: a column of the source table ("phone"), of a joined table ("p.visit_count"), a field of an
// unpacked JSON element ("svc.name"), an element itself ("svc") or its key/position ("svc#").
const reference = z.string().regex(/^[a-z_][a-z0-9_]*(#|(\.[A-Za-z0-9_-]+)*)$/, "a column, alias.column, alias.json.path or alias#");

const transformName = z.enum([
  "text", "phone", "wa_id", "email", "timestamp", "time", "weekday", "cents", "minutes", "integer", "number",
  "boolean", "json", "text_array",
]);

export const transformSchema = z.union([
  transformName,
  z.strictObject({
    type: transformName,
    // phone, wa_id: the country assumed for national numbers (ISO 3166 alpha-2); default: mapping.defaults.country
    country: z.string().regex(/^[A-Z]{2}$/, "an ISO 3166 alpha-2 country code such as US or ES").optional(),
    // timestamp: the zone of naive timestamps: "tenant" (the tenant's time zone), "UTC" or an IANA name
    zone: z.string().min(1).optional(),
    // weekday: what legacy day 0 is ("sunday" as in Postgres and JavaScript, "monday" as in Python)
    first: z.enum(["sunday", "monday"]).optional(),
    // weekday numbers starting at 1 rather than 0
    base: z.union([z.literal(0), z.literal(1)]).optional(),
    // integer, number: accepted range (values outside are invalid)
    min: z.number().optional(),
    max: z.number().optional(),
    // text: tidy-ups
    trim: z.boolean().optional(),
    lower: z.boolean().optional(),
    // json: require an object
    object: z.boolean().optional(),
    // text_array: allowed elements
    allowed: z.array(z.string()).optional(),
  }),
]);

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const jsonValue: z.ZodType<unknown> = z.lazy(() => z.union([scalar, z.array(jsonValue), z.record(z.string(), jsonValue)]));

export const columnSchema = z.union([
  reference,
  z
    .strictObject({
      comment: z.string().optional(),
      from: z.union([reference, z.array(reference).min(1)]).optional(),
      // A SQL expression evaluated on the legacy side (read-only), for what a reference cannot say.
      sql: z.string().min(1).optional(),
      value: jsonValue.optional(),
      // The entry whose row this column points at; from/sql give that entry's legacy key.
      ref: identifier.optional(),
      onOrphan: z.enum(["skip", "null"]).optional(),
      transform: transformSchema.optional(),
      onInvalid: z.enum(["skip", "null"]).optional(),
      map: z.record(z.string(), scalar).optional(),
      // A value outside `map`: skip the row (default), store null, keep it unchanged, or use this value.
      otherwise: z.union([z.enum(["skip", "null", "keep"]), z.strictObject({ value: scalar })]).optional(),
      default: jsonValue.optional(),
    })
    .superRefine((c, ctx) => {
      const sources = [c.from !== undefined, c.sql !== undefined, c.value !== undefined].filter(Boolean).length;
      if (sources !== 1) ctx.addIssue({ code: "custom", message: "give exactly one of from, sql or value" });
      if (Array.isArray(c.from) && c.ref === undefined) {
        ctx.addIssue({ code: "custom", path: ["from"], message: "a list of references is only for a ref's composite key" });
      }
      if (c.ref !== undefined && (c.transform !== undefined || c.map !== undefined || c.value !== undefined)) {
        ctx.addIssue({ code: "custom", path: ["ref"], message: "a ref takes from or sql only (no transform, map or value)" });
      }
      if (c.onOrphan !== undefined && c.ref === undefined) {
        ctx.addIssue({ code: "custom", path: ["onOrphan"], message: "onOrphan is for ref columns" });
      }
      if (c.otherwise !== undefined && c.map === undefined) {
        ctx.addIssue({ code: "custom", path: ["otherwise"], message: "otherwise needs a map" });
      }
    }),
]);

const unpackSchema = z
  .strictObject({
    as: identifier,
    // each element of a JSON array / each key of a JSON object / each piece of a string split by `by`
    array: reference.optional(),
    object: reference.optional(),
    split: reference.optional(),
    by: z.string().min(1).optional(),
  })
  .superRefine((u, ctx) => {
    const kinds = [u.array, u.object, u.split].filter((k) => k !== undefined).length;
    if (kinds !== 1) ctx.addIssue({ code: "custom", message: "give exactly one of array, object or split" });
    if ((u.split !== undefined) !== (u.by !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["by"], message: "split needs by (the separator), and by needs split" });
    }
  });

export const sourceSchema = z
  .strictObject({
    comment: z.string().optional(),
    table: z.string().regex(/^([a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*$/, "a table name, optionally schema-qualified").optional(),
    // A whole SELECT as the source, for shapes a table cannot give (read-only; parameters as :name).
    sql: z.string().min(1).optional(),
    as: identifier.optional(),
    joins: z
      .array(z.strictObject({ table: z.string().min(1), as: identifier, on: z.string().min(1), type: z.enum(["inner", "left"]).optional() }))
      .optional(),
    unpack: z.array(unpackSchema).optional(),
    where: z.string().min(1).optional(),
    // What identifies a legacy row of this entry (its ledger key); references as in columns.
    key: z.array(reference).min(1),
    // Import order (default: the key); decides which row of a merge group comes first and message order.
    order: z.array(reference).min(1).optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.table === undefined) === (s.sql === undefined)) {
      ctx.addIssue({ code: "custom", message: "give exactly one of table or sql" });
    }
  });

const mergeRule = z.enum(["first", "coalesce", "min", "max", "sum"]);

const conflictSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("unique"),
    comment: z.string().optional(),
    on: z.array(identifier).min(1),
    when: z.record(identifier, z.array(scalar)).optional(),
    keep: z.enum(["first", "last"]).optional(),
    resolve: z.union([z.literal("skip"), z.strictObject({ set: z.record(identifier, scalar) })]),
  }),
  z.strictObject({
    type: z.literal("overlap"),
    comment: z.string().optional(),
    on: z.array(identifier).min(1),
    range: z.tuple([identifier, identifier]),
    when: z.record(identifier, z.array(scalar)).optional(),
    resolve: z.union([z.literal("skip"), z.strictObject({ set: z.record(identifier, scalar) })]),
  }),
]);

export const entrySchema = z.strictObject({
  name: identifier,
  comment: z.string().optional(),
  source: sourceSchema,
  target: identifier,
  columns: z.record(identifier, columnSchema).refine((c) => Object.keys(c).length > 0, "map at least one column"),
  // Rows whose target values agree on `on` become one row (e.g. customers whose phones normalise alike).
  merge: z
    .strictObject({ comment: z.string().optional(), on: z.array(identifier).min(1), columns: z.record(identifier, mergeRule).optional() })
    .optional(),
  conflicts: z.array(conflictSchema).optional(),
});

const tenantColumn = z.enum(["name", "timezone", "category", "address", "phone", "settings"]);

export const mappingSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "a lower-case name with dashes, e.g. whatsapp-bot"),
  description: z.string().optional(),
  comment: z.string().optional(),
  params: z
    .record(identifier, z.strictObject({ default: scalar.optional(), description: z.string().optional() }))
    .optional(),
  defaults: z
    .strictObject({
      country: z.string().regex(/^[A-Z]{2}$/, "an ISO 3166 alpha-2 country code such as US or ES").optional(),
      // How naive (`timestamp without time zone`) values are read: "tenant" (its time zone), "UTC" or an IANA name.
      zone: z.string().min(1).optional(),
    })
    .optional(),
  tenant: z.strictObject({
    comment: z.string().optional(),
    source: z
      .strictObject({ table: z.string().min(1).optional(), sql: z.string().min(1).optional(), where: z.string().min(1).optional() })
      .optional(),
    columns: z.partialRecord(tenantColumn, columnSchema),
  }),
  entries: z.array(entrySchema).min(1),
});

export type Mapping = z.infer<typeof mappingSchema>;
export type Entry = z.infer<typeof entrySchema>;
export type ColumnSpec = z.infer<typeof columnSchema>;
export type TransformSpec = z.infer<typeof transformSchema>;
export type Conflict = z.infer<typeof conflictSchema>;
export type MergeRule = z.infer<typeof mergeRule>;
export type Source = z.infer<typeof sourceSchema>;
