// Value transforms for what legacy columns hold as free text: prices ("15€", "15,50 €", "$25.00"), durations
// ("30 min", "1h30"), weekdays (numbers counted from Sunday or Monday, or names), times ("9am", "09:00"),
// booleans, e-mails, JSON and lists. Each returns the text COPY sends, null, or Invalid with a reason.
import { Invalid, type Out } from "./result.ts";

export function text(raw: string | null, opts: { trim?: boolean; lower?: boolean } = {}): Out {
  if (raw === null) return null;
  let s = raw;
  if (opts.trim !== false) s = s.trim();
  if (opts.lower) s = s.toLowerCase();
  return s === "" ? null : s;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
export function email(raw: string | null): Out {
  const s = raw?.trim().toLowerCase();
  if (!s) return null;
  return EMAIL.test(s) ? s : new Invalid("invalid e-mail");
}

/** A price in the currency's minor unit: "15", "15.5", "15,50 €", "$1,250.00", "1.250,00". */
export function cents(raw: string | null): Out {
  if (raw === null) return null;
  let s = raw.trim().replace(/[€$£¥\s]|[A-Za-z]{3}$|^[A-Za-z]{3}/g, "");
  if (s === "") return null;
  // The last separator followed by one or two digits is the decimal point; any other is grouping.
  const m = /^(-?[0-9.,]*?)(?:[.,]([0-9]{1,2}))?$/.exec(s);
  if (!m) return new Invalid("unparseable price");
  const whole = m[1].replace(/[.,]/g, "");
  if (!/^-?[0-9]+$/.test(whole)) return new Invalid("unparseable price");
  const frac = (m[2] ?? "").padEnd(2, "0");
  const value = Number(whole) * 100 + Math.sign(Number(whole) || 1) * Number(frac || "0");
  return Number.isSafeInteger(value) ? String(value) : new Invalid("unparseable price");
}

/** Minutes from "30", "30 min", "45m", "1h", "1 h 30", "1h30m", "1:30", "90 minutes". */
export function minutes(raw: string | null): Out {
  if (raw === null) return null;
  const s = raw.trim().toLowerCase();
  if (s === "") return null;
  let m = /^([0-9]+)\s*(m|min|mins|minute|minutes|minutos)?$/.exec(s);
  if (m) return String(Number(m[1]));
  m = /^([0-9]+):([0-5][0-9])$/.exec(s);
  if (m) return String(Number(m[1]) * 60 + Number(m[2]));
  m = /^([0-9]+(?:[.,][0-9]+)?)\s*(h|hr|hrs|hour|hours|hora|horas)\s*(?:([0-9]+)\s*(m|min|mins|minutes|minutos)?)?$/.exec(s);
  if (m) return String(Math.round(Number(m[1].replace(",", ".")) * 60) + Number(m[3] ?? 0));
  return new Invalid("unparseable duration");
}

const DAY_NAMES: Record<string, number> = {
  sunday: 0, sun: 0, domingo: 0, dom: 0,
  monday: 1, mon: 1, lunes: 1, lun: 1,
  tuesday: 2, tue: 2, tues: 2, martes: 2, mar: 2,
  wednesday: 3, wed: 3, miercoles: 3, "miércoles": 3, mie: 3,
  thursday: 4, thu: 4, thur: 4, thurs: 4, jueves: 4, jue: 4,
  friday: 5, fri: 5, viernes: 5, vie: 5,
  saturday: 6, sat: 6, sabado: 6, "sábado": 6, sab: 6,
};

/** Postgres's extract(dow): 0 = Sunday … 6 = Saturday, from a name or a number counted as the legacy system did. */
export function weekday(raw: string | null, opts: { first?: "sunday" | "monday"; base?: 0 | 1 } = {}): Out {
  if (raw === null) return null;
  const s = raw.trim().toLowerCase();
  if (s === "") return null;
  if (/^[0-9]$/.test(s)) {
    const n = Number(s) - (opts.base ?? 0);
    if (n < 0 || n > 6) return new Invalid("weekday out of range");
    return String(opts.first === "monday" ? (n + 1) % 7 : n);
  }
  const d = DAY_NAMES[s];
  return d === undefined ? new Invalid("unknown weekday") : String(d);
}

/** A wall-clock time as HH:MM:SS from "9:00", "09:00:00", "9am", "9:30 pm", "21h", "24:00" (end of day). */
export function time(raw: string | null): Out {
  if (raw === null) return null;
  const s = raw.trim().toLowerCase();
  if (s === "") return null;
  const m = /^([0-9]{1,2})(?:[:.h]([0-5][0-9]))?(?::([0-5][0-9]))?\s*(am|pm|a\.m\.|p\.m\.|h)?$/.exec(s);
  if (!m) return new Invalid("unparseable time");
  let h = Number(m[1]);
  const min = Number(m[2] ?? 0);
  const sec = Number(m[3] ?? 0);
  const ampm = m[4]?.replace(/\./g, "");
  if (ampm === "am" || ampm === "pm") {
    if (h < 1 || h > 12) return new Invalid("unparseable time");
    h = (h % 12) + (ampm === "pm" ? 12 : 0);
  }
  if (h > 24 || (h === 24 && (min > 0 || sec > 0))) return new Invalid("unparseable time");
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(h)}:${pad(min)}:${pad(sec)}`;
}

export function integer(raw: string | null, opts: { min?: number; max?: number } = {}): Out {
  if (raw === null) return null;
  const s = raw.trim();
  if (s === "") return null;
  if (!/^[-+]?[0-9]+(\.0+)?$/.test(s)) return new Invalid("not an integer");
  const n = Number(s);
  if (!Number.isSafeInteger(n)) return new Invalid("not an integer");
  if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) return new Invalid("out of range");
  return String(n);
}

export function number(raw: string | null, opts: { min?: number; max?: number } = {}): Out {
  if (raw === null) return null;
  const s = raw.trim().replace(",", ".");
  if (s === "") return null;
  if (!/^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(s)) return new Invalid("not a number");
  const n = Number(s);
  if (!Number.isFinite(n)) return new Invalid("not a number");
  if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) return new Invalid("out of range");
  return s.replace(/^\+/, "");
}

const TRUE = new Set(["true", "t", "yes", "y", "1", "on", "si", "sí"]);
const FALSE = new Set(["false", "f", "no", "n", "0", "off"]);
export function boolean(raw: string | null): Out {
  if (raw === null) return null;
  const s = raw.trim().toLowerCase();
  if (s === "") return null;
  if (TRUE.has(s)) return "true";
  if (FALSE.has(s)) return "false";
  return new Invalid("not a boolean");
}

export function json(raw: string | null, opts: { object?: boolean } = {}): Out {
  if (raw === null) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return new Invalid("invalid JSON");
  }
  if (opts.object && (v === null || typeof v !== "object" || Array.isArray(v))) return new Invalid("not a JSON object");
  return raw;
}

/** A Postgres text[] literal from a JSON array ('["voice","sms"]') or a Postgres array literal ('{voice,sms}'). */
export function textArray(raw: string | null, opts: { allowed?: string[] } = {}): Out {
  if (raw === null) return null;
  const s = raw.trim();
  let items: unknown;
  if (s.startsWith("[")) {
    try {
      items = JSON.parse(s);
    } catch {
      return new Invalid("invalid list");
    }
  } else if (s.startsWith("{") && s.endsWith("}")) {
    items = s.slice(1, -1) === "" ? [] : s.slice(1, -1).split(",").map((x) => x.trim().replace(/^"(.*)"$/, "$1"));
  } else {
    items = s === "" ? [] : s.split(",").map((x) => x.trim());
  }
  if (!Array.isArray(items) || items.some((x) => typeof x !== "string")) return new Invalid("not a list of strings");
  if (opts.allowed && items.some((x) => !opts.allowed!.includes(x as string))) return new Invalid("list value outside the allowed set");
  return "{" + (items as string[]).map((x) => '"' + x.replace(/(["\\])/g, "\\$1") + '"').join(",") + "}";
}
