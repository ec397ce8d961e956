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

realServe({ port, hostname: "127.0.0.1", onListen: ({ port }) => console.log(`functions listening on ${port}`) }, async (req) => {
  const url = new URL(req.url);
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
