// Input parsing with zod: every body is validated before any work, and a bad one gets a 400 naming each problem.
import { z } from "zod";
import { DEFAULT_JSON_LIMIT, readText } from "./body.ts";
import { HttpError } from "./errors.ts";

export function validation(error: z.ZodError): HttpError {
  const details = error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const summary = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join("; ");
  return new HttpError(400, "invalid_input", `invalid request: ${summary}`, details);
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validation(result.error);
  return result.data;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "the request body is not valid JSON");
  }
}

/** The body, at most `limit` bytes (413 beyond), as JSON (400 if it is not) matching `schema` (400 naming why not). */
export async function parseJsonBody<S extends z.ZodType>(req: Request, schema: S, limit = DEFAULT_JSON_LIMIT): Promise<z.infer<S>> {
  return parseWith(schema, parseJson(await readText(req, limit)));
}
