// The local Edge Functions gateway (Deno), standing in for `supabase functions serve`, which needs Docker.
//
// Serves every function at http://127.0.0.1:<port>/functions/v1/<name>, honouring verify_jwt the way Supabase's
// gateway does (any valid project JWT: user tokens signed with the asymmetric key or the legacy secret, and the
// legacy anon/service_role keys), and hands each function the request with its path starting at /<name>, as on
// hosted Supabase. Each function's own `Deno.serve(handler)` call is captured rather than opening a port, and
// `EdgeRuntime.waitUntil` keeps background work alive after the response, as the Edge Runtime does.
//
// Started by local/functions.ts with FRONTDESK_FUNCTIONS = [{ name, entrypoint, verifyJwt }, …] and PORT.
import { bearerToken, verifyJwt } from "../supabase/functions/_shared/auth/jwt.ts";

type Handler = (req: Request, info?: unknown) => Response | Promise<Response>;
interface Spec { name: string; entrypoint: string; verifyJwt: boolean }

const specs: Spec[] = JSON.parse(Deno.env.get("FRONTDESK_FUNCTIONS") ?? "[]");
const port = Number(Deno.env.get("PORT") ?? "54321");
const handlers = new Map<string, Handler>();
const pending = new Set<Promise<unknown>>();

(globalThis as Record<string, unknown>).EdgeRuntime = {
  waitUntil(promise: Promise<unknown>) {
    const tracked = Promise.resolve(promise).catch((err) => console.error("[waitUntil]", err)).finally(() => pending.delete(tracked));
    pending.add(tracked);
  },
};

const realServe = Deno.serve;
let loading = "";
// deno-lint-ignore no-explicit-any
(Deno as any).serve = (a: unknown, b?: unknown) => {
  const handler = (typeof a === "function" ? a : typeof b === "function" ? b : (a as { handler: Handler }).handler) as Handler;
  handlers.set(loading, handler);
  return { finished: new Promise(() => {}), shutdown: async () => {}, ref() {}, unref() {}, addr: { port, hostname: "127.0.0.1", transport: "tcp" } };
};
for (const spec of specs) {
  loading = spec.name;
  await import(new URL(`file://${spec.entrypoint}`).href);
  if (!handlers.has(spec.name)) throw new Error(`function ${spec.name} did not call Deno.serve`);
}
// deno-lint-ignore no-explicit-any
(Deno as any).serve = realServe;

function gatewayError(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ code, message }), { status, headers: { "content-type": "application/json" } });
}

// What `supabase start` serves beside the functions and this stack does not: an honest 501, never a 404 that reads
// like a missing function. The body fits both PostgREST's error shape ({code, message, details, hint}), which
// supabase-js hands back as `error`, and Supabase Auth's (`msg`).
const DB_URL = Deno.env.get("SUPABASE_DB_URL") ?? "the DB URL `npm run dev` prints";
const NOT_SERVED: Record<string, { service: string; missing: string; instead: string }> = {
  rest: {
    service: "the REST API (PostgREST)",
    missing: "supabase.from(…), supabase.rpc(…) and every /rest/v1 request",
    instead: "call the Edge Functions at /functions/v1/<name>, or SQL on " + DB_URL.replace(/:[^:@/]*@/, ":…@") +
      " (as PostgREST runs it: role authenticator, then set_config('role') and set_config('request.jwt.claims')); " +
      "for /rest/v1 itself, run `npx supabase start` (Docker)",
  },
  auth: {
    service: "Supabase Auth (GoTrue)",
    missing: "sign-up, sign-in, token refresh, user admin and every /auth/v1 request",
    instead: "`npm run token -- <email | user id> [--tenant <slug>]` mints an access token for any user in the local " +
      "database through the project's access-token hook; for Auth itself, run `npx supabase start` (Docker)",
  },
  storage: {
    service: "Storage",
    missing: "buckets and objects (/storage/v1)",
    instead: "this project stores no files; for Storage, run `npx supabase start` (Docker)",
  },
  realtime: {
    service: "Realtime",
    missing: "channels, broadcast, presence and change feeds (/realtime/v1)",
    instead: "read through the functions or the database; for Realtime, run `npx supabase start` (Docker)",
  },
};

function notServed(area: string, path: string): Response {
  const { service, missing, instead } = NOT_SERVED[area];
  const message = `${service} is not served by the Docker-free local stack (npm run dev): ${path}`;
  return new Response(
    JSON.stringify({ code: "not_served_locally", message, msg: message, service: area, details: `not served: ${missing}`, hint: instead, instead }),
    { status: 501, headers: { "content-type": "application/json" } },
  );
}

function listen(handler: (req: Request) => Promise<Response>) {
  try {
    realServe({ port, hostname: "127.0.0.1", onListen: ({ port }) => console.log(`functions listening on ${port}`) }, handler);
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) {
      // One line, no stack: the parent (local/functions.ts) reports it with the variable to set.
      console.error(`functions port in use: 127.0.0.1:${port}`);
      Deno.exit(3);
    }
    throw err;
  }
}

listen(async (req) => {
  const url = new URL(req.url);
  const area = /^\/(rest|auth|storage|realtime)\/v1(\/|$)/.exec(url.pathname);
  if (area) return notServed(area[1], url.pathname);
  const match = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname);
  const spec = match && specs.find((s) => s.name === match[1]);
  if (!match || !spec) return gatewayError(404, "NOT_FOUND", "Requested function was not found");
  if (spec.verifyJwt && req.method !== "OPTIONS") {
    const token = bearerToken(req);
    if (!token) return gatewayError(401, "UNAUTHORIZED_NO_AUTH_HEADER", "Missing authorization header");
    try {
      await verifyJwt(token);
    } catch {
      return gatewayError(401, "UNAUTHORIZED_INVALID_JWT", "Invalid JWT");
    }
  }
  const inner = new URL(`/${spec.name}${match[2] ?? ""}${url.search}`, url.origin);
  try {
    return await handlers.get(spec.name)!(new Request(inner, req));
  } catch (err) {
    console.error(`[${spec.name}]`, err);
    return gatewayError(500, "WORKER_ERROR", "Function exited due to an error");
  }
});
