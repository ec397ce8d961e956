// A user access token is more than a good signature: it must expire (`exp`), be for this API (`aud` authenticated)
// and, when JWT_ISSUER is set, come from this project's Auth (`iss`). Checked for both signing paths (ES256 via the
// JWKS and @supabase/server, HS256 via the legacy secret), in verifyJwt itself and end to end through the gateway,
// while the legacy anon/service_role keys (HS256, no aud) keep working where they did.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { legacyApiKey, signAsymmetric, signLegacy, type Claims } from "../../local/keys.ts";
import { hookClaims } from "../../local/tokens.ts";
import { principalFrom } from "../../supabase/functions/_shared/api-keys/principal.ts";
import { requireUser, verifyJwt } from "../../supabase/functions/_shared/auth/jwt.ts";
import { HttpError } from "../../supabase/functions/_shared/http/errors.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useFunctions } from "../helpers/functions.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";

/** What local/tokens.ts puts in `iss`, as the local Auth would. */
const LOCAL_ISSUER = "http://127.0.0.1:54321/auth/v1";

const db = useTestDatabase();
const fns = useFunctions(db);
const strict = useFunctions(db, { JWT_ISSUER: LOCAL_ISSUER });

const ALGS = ["ES256", "HS256"] as const;
type Alg = (typeof ALGS)[number];
const sign = (alg: Alg, claims: Claims) => (alg === "ES256" ? signAsymmetric(claims) : signLegacy(claims));
const now = () => Math.floor(Date.now() / 1000);

/** Each way a token with a valid signature and real hook claims is still not an access token for this API. */
const BAD: Record<string, (c: Claims) => Claims> = {
  "wrong aud": (c) => ({ ...c, aud: "storage" }),
  "aud array without authenticated": (c) => ({ ...c, aud: ["storage", "realtime"] }),
  "no aud": ({ aud: _aud, ...c }) => c,
  "no exp": ({ exp: _exp, ...c }) => c,
  "exp not a number": (c) => ({ ...c, exp: String(now() + 3600) }),
  expired: (c) => ({ ...c, iat: now() - 7200, exp: now() - 60 }),
};
const WRONG_ISS = (c: Claims): Claims => ({ ...c, iss: "https://someone-else.supabase.co/auth/v1" });

let shop: TestTenant;
let claims: Claims;
beforeAll(async () => {
  shop = await tenantWithTeam(db, "jwt-claims");
  claims = await hookClaims(db.authAdmin, shop.members.owner.id);
  expect(claims).toMatchObject({ role: "authenticated", aud: "authenticated", iss: LOCAL_ISSUER, tenant_id: shop.id });
});

async function refusal(p: Promise<unknown>): Promise<HttpError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

describe("verifyJwt", () => {
  afterEach(() => {
    delete process.env.JWT_ISSUER;
  });

  for (const alg of ALGS) {
    it(`${alg}: accepts Auth's claims (aud a string or an array containing authenticated)`, async () => {
      expect(await verifyJwt(await sign(alg, claims))).toMatchObject({ sub: shop.members.owner.id, tenant_id: shop.id });
      expect((await verifyJwt(await sign(alg, { ...claims, aud: ["realtime", "authenticated"] }))).sub).toBe(shop.members.owner.id);
    });

    for (const [name, forge] of Object.entries(BAD)) {
      it(`${alg}: refuses a user token with ${name} (401)`, async () => {
        const token = await sign(alg, forge(claims));
        expect((await refusal(verifyJwt(token))).status).toBe(401);
        const req = new Request("http://x/", { headers: { authorization: `Bearer ${token}` } });
        expect((await refusal(requireUser(req))).status).toBe(401);
        expect((await refusal(principalFrom(req))).status).toBe(401);
      });
    }

    it(`${alg}: checks iss only when JWT_ISSUER is set`, async () => {
      const other = await sign(alg, WRONG_ISS(claims));
      const noIss = await sign(alg, (({ iss: _iss, ...c }) => c)(claims));
      expect((await verifyJwt(other)).sub).toBe(shop.members.owner.id);
      process.env.JWT_ISSUER = LOCAL_ISSUER;
      expect((await refusal(verifyJwt(other))).message).toMatch(/iss/);
      expect((await refusal(verifyJwt(noIss))).status).toBe(401);
      expect((await verifyJwt(await sign(alg, claims))).sub).toBe(shop.members.owner.id);
    });
  }

  it("keeps accepting the legacy anon and service_role keys (HS256, no aud), JWT_ISSUER set or not", async () => {
    for (const issuer of [undefined, LOCAL_ISSUER]) {
      if (issuer) process.env.JWT_ISSUER = issuer;
      expect((await verifyJwt(await legacyApiKey("anon"))).role).toBe("anon");
      expect((await verifyJwt(await legacyApiKey("service_role"))).role).toBe("service_role");
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// End to end: onboarding (verify_jwt = true: the gateway and the function both verify) and memory (verify_jwt =
// false: only the function does).
// ---------------------------------------------------------------------------------------------------------------

async function get(base: string, path: string, token: string) {
  const res = await fetch(`${base}/${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  return { status: res.status, body: await res.json() };
}

async function storeMemory(base: string, token: string) {
  const res = await fetch(`${base}/memory`, {
    method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ caller: "+14155550123", memories: [{ content: "Prefers mornings" }] }),
  });
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  return { status: res.status, body: await res.json() };
}

const memories = async () => (await db.sql`select count(*)::int as n from public.memories where tenant_id = ${shop.id}`)[0].n as number;

/** A 401 with a JSON error: the gateway's `{code, message}` or the function's `{error: {code, message}}`. */
function expectUnauthorized(res: { status: number; body: any }, what: string) {
  expect(res.status, what).toBe(401);
  expect(res.body.error?.code ?? res.body.code, what).toMatch(/unauthorized/i);
  expect(typeof (res.body.error?.message ?? res.body.message), what).toBe("string");
}

describe("through the functions gateway", () => {
  for (const alg of ALGS) {
    it(`${alg}: GET /onboarding/tenants answers 200 to Auth's token and 401 to each bad one`, async () => {
      for (const gateway of [fns, strict]) {
        const ok = await get(gateway.url, "onboarding/tenants", await sign(alg, claims));
        expect(ok.status).toBe(200);
        expect(ok.body.tenants).toEqual([expect.objectContaining({ tenant_id: shop.id, role: "owner" })]);
        for (const [name, forge] of Object.entries(BAD)) {
          expectUnauthorized(await get(gateway.url, "onboarding/tenants", await sign(alg, forge(claims))), name);
        }
      }
      const otherIss = await sign(alg, WRONG_ISS(claims));
      expect((await get(fns.url, "onboarding/tenants", otherIss)).status).toBe(200); // JWT_ISSUER unset: not checked
      expectUnauthorized(await get(strict.url, "onboarding/tenants", otherIss), "wrong iss");
    });

    it(`${alg}: POST /memory (the function's own check) stores with Auth's token, refuses each bad one storing nothing`, async () => {
      const before = await memories();
      for (const [name, forge] of Object.entries(BAD)) {
        const res = await storeMemory(strict.url, await sign(alg, forge(claims)));
        expectUnauthorized(res, name);
        expect(res.body.error.code).toBe("unauthorized");
      }
      expectUnauthorized(await storeMemory(strict.url, await sign(alg, WRONG_ISS(claims))), "wrong iss");
      expect(await memories()).toBe(before);
      expect((await storeMemory(strict.url, await sign(alg, claims))).status).toBe(201);
      expect(await memories()).toBe(before + 1);
    });
  }

  it("the legacy anon key still passes the gateway (the function then asks for a user)", async () => {
    for (const gateway of [fns, strict]) {
      const res = await get(gateway.url, "onboarding/tenants", await legacyApiKey("anon"));
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: "unauthorized", message: "this endpoint needs a signed-in user's access token" });
    }
  });
});
