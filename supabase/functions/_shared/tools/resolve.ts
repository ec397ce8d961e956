// From a model's words to this business's ids and instants: service and staff names against the business's own
// catalog (case- and accent-insensitive, articles and fillers ignored, a typo forgiven: "a fade" → Skin Fade,
// "con Luis" → Luis), and days and times in the business's time zone ("tomorrow afternoon", "mañana por la tarde",
// "sábado a las 10", "2026-12-05 15:30"). Pure functions: the catalog and "today" are passed in.
import { normalise } from "../assistant/intent.ts";
import { addDays, isDay, localTime, weekday } from "../assistant/time.ts";

export interface CatalogService {
  id: string;
  name: string;
  category: string | null;
  duration_minutes: number;
  price_cents: number;
  currency: string;
  staff_ids: string[];
}
export interface CatalogStaff { id: string; name: string }

export type Match<T> =
  | { kind: "one"; item: T }
  | { kind: "ambiguous"; options: T[] }
  | { kind: "none" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Words that carry no name: articles, possessives, politeness, and the verbs and nouns around a request.
const FILLER = new Set([
  "a", "an", "the", "my", "for", "please", "some", "with", "by", "at", "i", "want", "would", "like", "to", "get", "book",
  "appointment", "service", "session", "one", "just", "do", "you", "have",
  "un", "una", "unos", "unas", "el", "la", "los", "las", "lo", "mi", "para", "de", "del", "por", "favor", "con", "quiero",
  "me", "gustaria", "cita", "servicio", "reservar", "hacer", "hacerme", "al", "y",
]);

const tokens = (text: string) => normalise(text).split(" ").filter((t) => t !== "" && !FILLER.has(t));

/** Levenshtein distance, stopping early past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

function tokenMatch(q: string, n: string): number {
  if (q === n) return 1;
  // plurals and word stems: "fades" / "fade", "barbas" / "barba", "color" / "colour"
  if (q.length >= 4 && n.length >= 4 && (n.startsWith(q) || q.startsWith(n))) return 0.9;
  const longest = Math.max(q.length, n.length);
  if (longest >= 4 && distance(q, n, 1) <= 1) return 0.8; // "Louis" / "Luis"
  if (longest >= 7 && distance(q, n, 2) <= 2) return 0.6;
  return 0;
}

/** How well `query` names `name`, 0 (not at all) to 100 (exactly). */
export function nameScore(query: string, name: string): number {
  if (normalise(query) === normalise(name)) return 100;
  const q = tokens(query);
  const n = tokens(name);
  if (q.length === 0 || n.length === 0) return 0;
  if (q.join(" ") === n.join(" ")) return 99;
  let matchedQuery = 0;
  let matchedName = 0;
  for (const qt of q) matchedQuery += Math.max(0, ...n.map((nt) => tokenMatch(qt, nt)));
  for (const nt of n) matchedName += Math.max(0, ...q.map((qt) => tokenMatch(qt, nt)));
  if (matchedQuery === 0) return 0;
  return 55 * (matchedQuery / q.length) + 40 * (matchedName / n.length);
}

/** The one item `query` names: by id (of this catalog only), exact name, or the clearly best-scoring name. */
export function bestMatch<T extends { id: string; name: string }>(query: string, items: T[], extra?: (item: T) => string[]): Match<T> {
  const q = query.trim();
  if (UUID.test(q)) {
    const byId = items.find((i) => i.id.toLowerCase() === q.toLowerCase());
    return byId ? { kind: "one", item: byId } : { kind: "none" };
  }
  const scored = items
    .map((item) => ({ item, score: Math.max(nameScore(q, item.name), ...(extra?.(item) ?? []).map((e) => nameScore(q, e) * 0.8)) }))
    .filter((s) => s.score >= 40)
    .sort((a, b) => b.score - a.score);
  if (scored.length === 0) return { kind: "none" };
  const top = scored[0].score;
  const close = scored.filter((s) => s.score >= top - 5);
  return close.length === 1 ? { kind: "one", item: close[0].item } : { kind: "ambiguous", options: close.map((s) => s.item) };
}

export function resolveService(query: string, services: CatalogService[]): Match<CatalogService> {
  return bestMatch(query, services, (s) => (s.category ? [s.category] : []));
}

const ANYONE = new Set([
  "any", "anyone", "anybody", "whoever", "no preference", "doesn t matter", "dont care", "don t care", "first available",
  "anyone available", "cualquiera", "quien sea", "me da igual", "da igual", "indiferente", "el que sea", "la que sea",
  "sin preferencia", "cualquier persona", "el primero libre",
]);

/** null: the caller does not mind who ("anyone", "cualquiera"). */
export function resolveStaff(query: string, staff: CatalogStaff[]): Match<CatalogStaff> | null {
  const words = normalise(query).replace(/^(with|con)\s+/, "");
  if (words === "" || ANYONE.has(words)) return null;
  return bestMatch(query, staff);
}

// ---------------------------------------------------------------------------------------------------------------
// Days and times
// ---------------------------------------------------------------------------------------------------------------

export type PartOfDay = "morning" | "afternoon" | "evening";

/** Local wall-clock windows of a part of day, [after, before). */
export const PARTS: Record<PartOfDay, { after: string; before: string }> = {
  morning: { after: "00:00", before: "12:00" },
  afternoon: { after: "12:00", before: "17:00" },
  evening: { after: "17:00", before: "24:00" },
};

export interface DayRange {
  from: string;
  to: string;
  part: PartOfDay | null;
}

const WEEKDAY_WORDS: [number, string[]][] = [
  [0, ["sunday", "sun", "domingo"]],
  [1, ["monday", "mon", "lunes"]],
  [2, ["tuesday", "tue", "tues", "martes"]],
  [3, ["wednesday", "wed", "miercoles"]],
  [4, ["thursday", "thu", "thur", "thurs", "jueves"]],
  [5, ["friday", "fri", "viernes"]],
  [6, ["saturday", "sat", "sabado"]],
];
const MONTH_WORDS: string[][] = [
  ["january", "jan", "enero"], ["february", "feb", "febrero"], ["march", "mar", "marzo"], ["april", "apr", "abril"],
  ["may", "mayo"], ["june", "jun", "junio"], ["july", "jul", "julio"], ["august", "aug", "agosto"],
  ["september", "sep", "sept", "septiembre", "setiembre"], ["october", "oct", "octubre"],
  ["november", "nov", "noviembre"], ["december", "dec", "diciembre"],
];

function partOf(words: string): { part: PartOfDay | null; rest: string } {
  const rules: [RegExp, PartOfDay][] = [
    [/\b(por|de|en) la manana\b/, "morning"],
    [/\b(por|de|en) la tarde\b|\btarde\b/, "afternoon"],
    [/\b(por|de|en) la noche\b|\besta noche\b|\bnoche\b/, "evening"],
    [/\bmorning\b|\bam\b/, "morning"],
    [/\bafternoon\b/, "afternoon"],
    [/\bevening\b|\btonight\b|\bafter work\b/, "evening"],
  ];
  for (const [re, part] of rules) {
    if (re.test(words)) return { part, rest: words.replace(re, " ").replace(/\s+/g, " ").trim() };
  }
  return { part: null, rest: words };
}

/** The next date (today or later) with this month and day of month. */
function nextDate(today: string, month: number, day: number): string | null {
  const year = Number(today.slice(0, 4));
  for (const y of [year, year + 1]) {
    const candidate = `${y}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
    if (isDay(candidate) && candidate >= today) return candidate;
  }
  return null;
}

/**
 * A day or range of local days from words ("today", "tomorrow afternoon", "mañana", "pasado mañana", "Saturday",
 * "next Tuesday", "this week", "la semana que viene", "5 de diciembre", "Dec 5", "2026-12-05"). null: not understood.
 */
export function resolveDay(text: string, today: string): DayRange | null {
  const iso = /\b(\d{4}-\d{2}-\d{2})\b/.exec(text);
  const raw = normalise(text);
  const { part, rest } = partOf(raw);
  const one = (day: string): DayRange => ({ from: day, to: day, part });
  if (iso) return isDay(iso[1]) ? one(iso[1]) : null;
  const w = ` ${rest} `;
  if (rest === "" && part) return one(today);
  if (/ (day after tomorrow|pasado manana) /.test(w)) return one(addDays(today, 2));
  if (/ (today|hoy|now|ahora|tonight) /.test(w) || (part && / (esta|this) /.test(w))) return one(today);
  if (/ (tomorrow|manana) /.test(w)) return one(addDays(today, 1));
  if (/ (next week|la semana que viene|la proxima semana|la semana proxima) /.test(w)) {
    const toMonday = ((8 - weekday(today)) % 7) || 7;
    const monday = addDays(today, toMonday);
    return { from: monday, to: addDays(monday, 6), part };
  }
  if (/ (this week|esta semana) /.test(w)) return { from: today, to: addDays(today, 6 - ((weekday(today) + 6) % 7)), part };
  if (/ (weekend|fin de semana|finde) /.test(w)) {
    const toSaturday = (6 - weekday(today) + 7) % 7;
    const saturday = addDays(today, toSaturday);
    return { from: weekday(today) === 0 ? today : saturday, to: addDays(saturday, 1), part };
  }
  for (const [dow, names] of WEEKDAY_WORDS) {
    if (names.some((n) => w.includes(` ${n} `))) {
      const next = / (next|proximo|proxima|que viene) /.test(w);
      let delta = (dow - weekday(today) + 7) % 7;
      if (delta === 0 && next) delta = 7;
      return one(addDays(today, delta));
    }
  }
  for (let m = 0; m < 12; m++) {
    for (const name of MONTH_WORDS[m]) {
      const re = new RegExp(`(?:^| )(?:(\\d{1,2})(?:st|nd|rd|th)? (?:of )?(?:de )?${name}|${name} (\\d{1,2})(?:st|nd|rd|th)?)(?: |$)`);
      const hit = re.exec(rest);
      if (hit) {
        const d = nextDate(today, m + 1, Number(hit[1] ?? hit[2]));
        return d ? one(d) : null;
      }
    }
  }
  const slash = /\b(\d{1,2})\/(\d{1,2})\b/.exec(text); // day/month, as most of the world writes it
  if (slash) {
    const d = nextDate(today, Number(slash[2]), Number(slash[1]));
    return d ? one(d) : null;
  }
  return null;
}

export interface ClockTime { hour: number; minute: number }

/**
 * A wall-clock time from words: "10", "10:30", "10am", "3 pm", "3:30 p.m.", "15:30", "a las 10", "10 y media",
 * "noon", "mediodía". An hour from 1 to 7 without am/pm is read as afternoon (nobody books a haircut at 3 a.m.),
 * as is any hour before 12 with an afternoon/evening part of day. null: no time in the words.
 */
export function resolveTime(text: string, part: PartOfDay | null = null): ClockTime | null {
  const words = normalise(text.replace(/(\d)[.h](\d\d)\b/g, "$1:$2")).replace(/\b([ap]) m\b/g, "$1m");
  if (/\b(noon|midday|mediodia)\b/.test(words)) return { hour: 12, minute: 0 };
  const m = /\b(\d{1,2})(?:[: ](\d{2}))?\s*(am|pm)?\b(?:\s*y\s*(media|cuarto))?/.exec(
    text.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").replace(/(\d)[.h](\d\d)\b/g, "$1:$2").replace(/\b([ap])\.?\s?m\.?/g, "$1m"),
  );
  if (!m) return null;
  let hour = Number(m[1]);
  let minute = m[2] ? Number(m[2]) : 0;
  if (m[4] === "media") minute = 30;
  if (m[4] === "cuarto") minute = 15;
  if (hour > 23 || minute > 59) return null;
  const meridiem = m[3] ?? (/\b(pm)\b/.test(words) ? "pm" : /\b(am)\b/.test(words) ? "am" : null);
  if (meridiem === "pm" && hour < 12) hour += 12;
  else if (meridiem === "am" && hour === 12) hour = 0;
  else if (!meridiem && hour < 12 && (part === "afternoon" || part === "evening" || (part === null && hour >= 1 && hour <= 7))) hour += 12;
  return { hour, minute };
}

const MONTH_ALTERNATION = MONTH_WORDS.flat().sort((a, b) => b.length - a.length).join("|");
const DAY_MONTH = new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+|de\\s+)?(?:${MONTH_ALTERNATION})\\b`, "g");
const MONTH_DAY = new RegExp(`\\b(?:${MONTH_ALTERNATION})\\s+\\d{1,2}(?:st|nd|rd|th)?\\b`, "g");

/** The words with their dates taken out, so the numbers left are times. */
function stripDates(text: string): string {
  const plain = text.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "");
  return plain.replace(/\b\d{4}-\d{2}-\d{2}\b/g, " ").replace(/\b\d{1,2}\/\d{1,2}\b/g, " ")
    .replace(DAY_MONTH, " ").replace(MONTH_DAY, " ");
}

/** The instant at which the wall clock of `timeZone` reads `day` `hour:minute` (the later one in a DST gap). */
export function zonedInstant(day: string, hour: number, minute: number, timeZone: string): Date {
  const [y, mo, d] = day.split("-").map(Number);
  const wanted = Date.UTC(y, mo - 1, d, hour, minute);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const l = localTime(new Date(guess), timeZone);
    const [ly, lm, ld] = l.day.split("-").map(Number);
    const shown = Date.UTC(ly, lm - 1, ld, l.hour, l.minute);
    if (shown === wanted) break;
    guess += wanted - shown;
  }
  return new Date(guess);
}

const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL_ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/;

/**
 * An instant from what a model sends as a start time: an ISO 8601 instant with offset (as check_availability
 * answers), a local ISO date-time without offset (read in the business's zone), or words ("Saturday at 10",
 * "mañana a las 5 de la tarde"). null: not understood; "no_time": a day without a time.
 */
export function resolveStart(text: string, today: string, timeZone: string): Date | "no_time" | null {
  const t = text.trim();
  if (OFFSET.test(t) && /^\d{4}-\d{2}-\d{2}T/.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? null : new Date(ms);
  }
  const local = LOCAL_ISO.exec(t);
  if (local) return isDay(local[1]) ? zonedInstant(local[1], Number(local[2]), Number(local[3]), timeZone) : null;
  const day = resolveDay(t, today);
  // The time is read from what is left once the date words are gone, so "5 de diciembre a las 10" is 10:00.
  const time = resolveTime(stripDates(t), day?.part ?? null);
  if (!day && !time) return null;
  if (!time) return "no_time";
  return zonedInstant(day?.from ?? today, time.hour, time.minute, timeZone);
}
