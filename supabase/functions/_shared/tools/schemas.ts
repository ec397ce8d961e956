// The receptionist's tools as a model sees them: one zod schema per tool for its arguments, and from the same schemas
// one JSON-schema description per tool (toolDefinitions()) that serves every platform: Vapi `function` tools and
// Retell custom functions take {name, description, parameters}, MCP `tools/list` takes {name, description,
// inputSchema} (the same object), OpenAI-style function calling takes {name, description, parameters}.
//
// Arguments are the caller's own words wherever that is natural ("a fade", "with Luis", "tomorrow afternoon"): the
// server resolves them against the business (resolve.ts) and says in its answer what it understood.
import { z } from "zod";
import { E164 } from "../phone/e164.ts";

const words = (max: number) => z.string().trim().min(1).max(max);

const service = words(200).describe(
  "The service the caller wants, in their words or as business_info names it (e.g. \"a fade\", \"corte de pelo\"), or its id.",
);
const staff = words(200).describe(
  "Who the caller wants (e.g. \"Luis\", \"with Luis\"), or \"anyone\". Leave out when they have no preference.",
);
const day = words(100).describe(
  "When, in the caller's words or as a date: \"today\", \"tomorrow\", \"mañana\", \"Saturday\", \"next week\", " +
    "\"tomorrow afternoon\", \"2026-12-05\". Read in the business's time zone.",
);
const time = words(50).describe("The time of day, e.g. \"10:00\", \"3pm\", \"a las 5 de la tarde\".");
const startsAt = words(100).describe(
  "The exact start: a `starts_at` value from check_availability (ISO 8601), or words such as \"Saturday at 10\".",
);
const bookingId = z.string().trim().min(1).max(100).describe(
  "The booking's id from list_appointments. Leave out when the caller has only one upcoming booking.",
);
const bookingDay = words(100).describe(
  "Which booking, by its day (\"the one on Friday\"), when the caller has several and no id is known.",
);

export const MEMORY_KINDS = ["fact", "preference", "event", "relationship", "note", "follow_up"] as const;

export const toolArgs = {
  check_availability: z.object({
    service,
    staff: staff.optional(),
    day: day.optional().describe(
      "The day or days to look at (see `day`); leave out for the next 7 days. A part of day narrows it: \"tomorrow afternoon\".",
    ),
    to_day: day.optional().describe("The last day of a range, when the caller gives one (\"between Monday and Wednesday\")."),
    part_of_day: z.enum(["morning", "afternoon", "evening"]).optional().describe("Only times in this part of the day."),
    limit: z.int().min(1).max(20).optional().describe("How many start times to return at most (default 8)."),
  }).describe(
    "Free appointment times for a service, optionally with one person and on a day or range. Answers the start times " +
      "(with who is free then) to offer the caller; when nothing is free then, the next free times after it.",
  ),

  book_appointment: z.object({
    service,
    staff: staff.optional(),
    starts_at: startsAt.optional(),
    day: day.optional().describe("The day, when no starts_at is given (with `time`)."),
    time: time.optional(),
    customer_name: words(200).optional().describe("The caller's name, if they said it and it is not known yet."),
    notes: words(1000).optional().describe("Anything staff should know for this appointment."),
  }).describe(
    "Books an appointment for the caller. Confirm service, person and time with the caller first. If the time was " +
      "just taken, the answer says so and lists the next free times to offer instead.",
  ),

  reschedule_appointment: z.object({
    booking_id: bookingId.optional(),
    booking_day: bookingDay.optional(),
    starts_at: startsAt.optional(),
    day: day.optional().describe("The new day, when no starts_at is given (with `time`)."),
    time: time.optional(),
    staff: staff.optional().describe("Another person for the new time; leave out to keep the same person, or \"anyone\"."),
  }).describe(
    "Moves one of the caller's upcoming appointments to a new time. The old time is given up only if the new one is " +
      "booked; if it is taken, the answer lists the next free times.",
  ),

  cancel_appointment: z.object({
    booking_id: bookingId.optional(),
    booking_day: bookingDay.optional(),
    reason: words(500).optional().describe("Why, if the caller said."),
  }).describe("Cancels one of the caller's upcoming appointments. Confirm which one with the caller first."),

  list_appointments: z.object({}).describe("The caller's upcoming appointments, soonest first."),

  business_info: z.object({}).describe(
    "The business: opening hours today and this week, closures, address and phone, the services with prices and " +
      "durations and who does them, and the team.",
  ),

  caller_profile: z.object({
    query: words(500).optional().describe("What you want to know about the caller, to rank their memories (optional)."),
  }).describe(
    "What the business knows about the caller: name, preferences, summaries of their last calls, remembered facts " +
      "and upcoming appointments. Callers who hide their number are unknown.",
  ),

  remember: z.object({
    content: words(4000).describe("The fact to remember, as a short sentence (\"Prefers Luis for fades\")."),
    kind: z.enum(MEMORY_KINDS).optional().describe("What kind of memory it is (default fact)."),
    importance: z.int().min(1).max(10).optional().describe("1 (trivia) to 10 (must never be forgotten); default 5."),
  }).describe("Remembers something about the caller for their next call (counted against the business's plan)."),

  take_message: z.object({
    message: words(4000).describe("The message for the team, in full: who, what about, what they want done."),
    caller_name: words(200).optional().describe("The caller's name, if known."),
    callback_phone: z.string().trim().regex(E164, "use E.164, e.g. +14155550123").optional()
      .describe("A number to call back (E.164), if different from the one they call from."),
  }).describe("Leaves a message for the team, who see it in their follow-ups and get back to the caller."),

  transfer_to_human: z.object({
    reason: words(500).optional().describe("Why the caller wants a person, in a sentence."),
  }).describe(
    "The caller wants a person. Records it for the team and answers what to do: transfer the call to the number given, " +
      "hand the chat to staff, or, when nobody can take it, take a message.",
  ),
} as const;

export type ToolName = keyof typeof toolArgs;
export const TOOL_NAMES = Object.keys(toolArgs) as ToolName[];
export type ToolArgs<N extends ToolName> = z.infer<(typeof toolArgs)[N]>;

export const isToolName = (name: string): name is ToolName => Object.hasOwn(toolArgs, name);

/** The JSON Schema (draft 2020-12 subset: type, properties, required, enum, bounds, descriptions) of a tool's arguments. */
export type JsonSchema = Record<string, unknown>;

export interface ToolDefinition {
  name: ToolName;
  description: string;
  /** A JSON Schema object for the arguments, generated from the zod schema (no `$schema` key). */
  parameters: JsonSchema;
}

let definitions: ToolDefinition[] | undefined;

/** Every tool with its description and argument schema, generated once from the zod schemas above. */
export function toolDefinitions(): ToolDefinition[] {
  definitions ??= TOOL_NAMES.map((name) => {
    const schema = toolArgs[name];
    const { $schema: _, description, ...parameters } = z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
    return { name, description: String(description ?? schema.description ?? name), parameters: { ...parameters, type: "object" } };
  });
  return definitions.map((d) => structuredClone(d));
}
