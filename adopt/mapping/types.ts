// Would the target column accept this text? Checked per row before a batch is written, so one bad legacy value
// is a skipped row the plan announced rather than a failed COPY. Returns the problem, or null when it fits.
import type { TargetColumn } from "../db/target-catalog.ts";

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$|^24:00(:00)?$/;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const TIMESTAMPTZ = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$/;

export function typeChecker(col: TargetColumn): (v: string) => string | null {
  if (v0(col.enumLabels)) {
    const labels = new Set(col.enumLabels);
    return (v) => (labels.has(v) ? null : `is not one of ${col.type}'s values (${col.enumLabels!.join(", ")})`);
  }
  const noNul = (v: string) => (v.includes("\u0000") ? "contains a NUL character" : null);
  switch (col.base) {
    case "int2": case "int4": case "int8": {
      const [lo, hi] = INT_RANGE[col.base];
      return (v) => (!/^-?[0-9]+$/.test(v) ? "is not an integer" : BigInt(v) < lo || BigInt(v) > hi ? `is out of range for ${col.type}` : null);
    }
    case "numeric": {
      // numeric(p, s): at most p - s digits before the point.
      const precision = col.typmod >= 4 ? ((col.typmod - 4) >> 16) & 0xffff : undefined;
      const scale = col.typmod >= 4 ? (col.typmod - 4) & 0xffff : undefined;
      return (v) => {
        if (!/^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(v)) return "is not a number";
        if (precision !== undefined) {
          const whole = Math.abs(Math.round(Number(v) * 10 ** scale!) / 10 ** scale!);
          if (whole >= 10 ** (precision - scale!)) return `does not fit ${col.type}`;
        }
        return null;
      };
    }
    case "float4": case "float8":
      return (v) => (/^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(v) ? null : "is not a number");
    case "bool":
      return (v) => (/^(t|f|true|false)$/.test(v) ? null : "is not a boolean");
    case "uuid":
      return (v) => (UUID.test(v) ? null : "is not a uuid");
    case "jsonb": case "json":
      return (v) => {
        try {
          JSON.parse(v);
          return v.includes("\\u0000") ? "contains a NUL character" : null;
        } catch {
          return "is not JSON";
        }
      };
    case "time":
      return (v) => (TIME.test(v) ? null : "is not a time of day");
    case "date":
      return (v) => (DATE.test(v) ? null : "is not a date");
    case "timestamptz":
      return (v) => (TIMESTAMPTZ.test(v) ? null : "is not a timestamp with a time zone");
    default:
      return noNul;
  }
}

function v0(labels: string[] | null): labels is string[] {
  return Array.isArray(labels) && labels.length > 0;
}
