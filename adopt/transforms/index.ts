// One function per transform name, bound to its options once per column (not per row).
import type { TransformSpec } from "../mapping/schema.ts";
import { toE164, toWaId } from "./phone.ts";
import { Invalid, type Out } from "./result.ts";
import * as v from "./values.ts";

export type Transform = (raw: string | null) => Out;

export interface TransformContext {
  /** The mapping's default country for national phone numbers. */
  country: string;
}

export function normaliseSpec(spec: TransformSpec): Exclude<TransformSpec, string> {
  return typeof spec === "string" ? { type: spec } : spec;
}

/** Timestamps are converted by the legacy database itself (see compile.ts); what arrives is UTC text or "!" + the
 * text that did not look like a timestamp. */
const timestamp: Transform = (raw) => (raw !== null && raw.startsWith("!") ? new Invalid("unparseable timestamp") : raw);

export function bindTransform(spec: TransformSpec, ctx: TransformContext): Transform {
  const t = normaliseSpec(spec);
  switch (t.type) {
    case "text": return (raw) => v.text(raw, t);
    case "phone": { const c = t.country ?? ctx.country; return (raw) => toE164(raw, c); }
    case "wa_id": { const c = t.country ?? ctx.country; return (raw) => toWaId(raw, c); }
    case "email": return v.email;
    case "timestamp": return timestamp;
    case "time": return v.time;
    case "weekday": return (raw) => v.weekday(raw, t);
    case "cents": return v.cents;
    case "minutes": return v.minutes;
    case "integer": return (raw) => v.integer(raw, t);
    case "number": return (raw) => v.number(raw, t);
    case "boolean": return v.boolean;
    case "json": return (raw) => v.json(raw, t);
    case "text_array": return (raw) => v.textArray(raw, t);
  }
}

export { Invalid, type Out } from "./result.ts";
