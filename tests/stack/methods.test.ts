// Every function answers a wrong method on a path it serves with 405 and an `Allow` header listing the methods that
// path takes (RFC 9110), not a 404; an unknown path stays 404; CORS preflight still works. Every function is covered,
// and the README's route table lists the same methods.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { functionSpecs } from "../../local/functions-config.ts";
import { ROOT } from "../../local/supabase-cli.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";

const db = useTestDatabase();
const fns = useFunctions(db);

const ID = "7d0c6a57-4a0c-4e8f-9a34-0d6d1f1f7a10";
/** [function, path after the function's name, allowed methods, a wrong method]. */
const ROUTES: [string, string, string[], string][] = [
  ["onboarding", "", ["POST"], "GET"],
  ["onboarding", "/tenants", ["GET"], "POST"],
  ["onboarding", "/switch", ["POST"], "GET"],
  ["onboarding", "/invitations", ["POST"], "GET"],
  ["onboarding", "/invitations/accept", ["POST"], "PUT"],
  ["messages", "", ["POST"], "GET"],
  ["messages", "/hand-back", ["POST"], "GET"],
  ["messages", `/${ID}/media`, ["GET"], "POST"],
  ["api-keys", "", ["GET", "POST"], "DELETE"],
  ["api-keys", `/${ID}`, ["DELETE"], "GET"],
  ["usage", "", ["GET"], "POST"],
  ["credentials", `/channels/${ID}/access_token`, ["PUT"], "GET"],
  ["credentials", `/agents/${ID}/webhook_secret`, ["PUT"], "POST"],
  ["credentials", "/business/llm_api_key", ["PUT"], "GET"],
  ["channels", `/${ID}/verify`, ["POST"], "GET"],
  ["channels", `/${ID}/assign`, ["POST"], "PUT"],
  ["memory", "", ["GET", "POST", "DELETE"], "PUT"],
  ["whatsapp-webhook", "", ["GET", "POST"], "PUT"],
  ["whatsapp-webhook", "/outbox", ["POST"], "GET"],
  ["whatsapp-webhook", `/channels/${ID}`, ["POST"], "GET"],
  ["voice-webhook", "/twilio/incoming", ["POST"], "GET"],
  ["voice-webhook", "/twilio/status", ["POST"], "GET"],
  ["voice-webhook", "/twilio/recording", ["POST"], "GET"],
  ["call-events", "/vapi", ["POST"], "GET"],
  ["call-events", "/retell", ["POST"], "GET"],
  ["calls", "", ["POST"], "GET"],
  ["calls", "/batch", ["POST"], "GET"],
  ["calls", "/drain", ["POST"], "GET"],
  ["calls", `/${ID}/cancel`, ["POST"], "DELETE"],
  ["mcp", "", ["POST"], "GET"],
  ["mcp", "", ["POST"], "DELETE"],
];

let shop: TestTenant | undefined;
const owner = async () => (shop ??= await tenantWithTeam(db, "methods")).members.owner.token;

describe("a wrong method", () => {
  it("covers every function the gateway serves", () => {
    expect([...new Set(ROUTES.map(([f]) => f))].sort()).toEqual(functionSpecs().map((s) => s.name).sort());
  });

  it.each(ROUTES)("%s%s: 405 with Allow for the wrong method", async (fn, p, allowed, wrong) => {
    const res = await fetch(`${fns.url}/${fn}${p}`, { method: wrong, headers: { authorization: `Bearer ${await owner()}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe([...allowed, "OPTIONS"].join(", "));
    const body = await res.json();
    expect(body.error.code).toBe("method_not_allowed");
    expect(body.error.message).toContain(wrong);
  });

  it("leaves unknown paths 404 and CORS preflight 200", async () => {
    const unknown = await fetch(`${fns.url}/onboarding/nowhere`, { headers: { authorization: `Bearer ${await owner()}` } });
    expect(unknown.status).toBe(404);
    const preflight = await fetch(`${fns.url}/memory`, { method: "OPTIONS" });
    expect(preflight.status).toBe(200);
  });
});

describe("the README's route table", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Every function's routes"));
  it("exists and lists every route with its methods", () => {
    expect(readme).toContain("### Every function's routes");
    for (const [fn, p, allowed] of ROUTES) {
      const shown = `/${fn}${p.replaceAll(ID, "<id>").replace(/\/(access_token|webhook_secret)$/, "/<name>")}`;
      const row = section.split("\n").find((l) => l.startsWith("|") && l.includes(`\`${shown}\``));
      expect(row, `README route table row for ${shown}`).toBeDefined();
      for (const m of allowed) expect(row, `${shown} ${m}`).toContain(m);
    }
  });
});
