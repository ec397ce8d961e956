// 405 Method Not Allowed, with the Allow header (RFC 9110 §15.5.6), for a path a function serves with other methods.
// Each function declares its routes (path → methods) once; an unknown path stays a 404.
import { json } from "./respond.ts";

/** [path, methods]: a path exactly as the function sees it after its name ("/", "/tenants"), or a pattern. */
export type Routes = readonly (readonly [path: string | RegExp, methods: readonly string[]])[];

/** The methods served at `path`, or undefined when no route has this path. */
export function allowedMethods(routes: Routes, path: string): string[] | undefined {
  const methods = routes
    .filter(([p]) => (typeof p === "string" ? p === path : p.test(path)))
    .flatMap(([, m]) => m);
  return methods.length ? [...new Set(methods)] : undefined;
}

/** A 405 answer when `path` is served with other methods than the request's; undefined otherwise. */
export function wrongMethod(req: Request, path: string, routes: Routes): Response | undefined {
  if (req.method === "OPTIONS") return undefined;
  const allowed = allowedMethods(routes, path);
  if (!allowed || allowed.includes(req.method)) return undefined;
  const allow = [...allowed, "OPTIONS"];
  return json(
    { error: { code: "method_not_allowed", message: `${req.method} is not allowed here: use ${allowed.join(" or ")}`, details: { allow } } },
    405,
    { allow: allow.join(", ") },
  );
}
