// The request path as the functions run it (supabase/functions/_shared/db/client.ts): `asCaller`, `asService` and
// `asWebhook` set role and claims transaction-locally before the work's first statement, exactly as PostgREST does,
// and send BEGIN and them pipelined with that statement, so a request costs a round trip less than a plain transaction
// (postgres.js's own begin waits for BEGIN's answer).
// Round trips are counted on the wire: the pool talks to Postgres through a TCP relay that delays every answer (a fake
// slow network, so nothing the client sends in one go can be split by an early answer) and counts how many times the
// client speaks after having heard from the server.
import net from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asCaller, asService, asWebhook, type CallerClaims, type Sql } from "../../supabase/functions/_shared/db/client.ts";
import { verifyJwt } from "../../supabase/functions/_shared/auth/jwt.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { tenantWithTeam, type TestTenant } from "../helpers/tenants.ts";

const db = useTestDatabase();
const DELAY_MS = 15;

interface Relay { port: number; turns: number; close(): Promise<void> }

async function relay(target: URL): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const state = { turns: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let heard = true; // the client speaks first
    client.on("data", (chunk) => {
      if (heard) state.turns++;
      heard = false;
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      setTimeout(() => {
        heard = true;
        if (!client.destroyed) client.write(chunk);
      }, DELAY_MS);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", () => setTimeout(end, DELAY_MS * 2)).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get turns() {
      return state.turns;
    },
    set turns(v: number) {
      state.turns = v;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let wire: Relay;
let pool: Sql;
let prepared: Sql;
let shop: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  const target = new URL(db.url);
  wire = await relay(target);
  const url = new URL(db.url);
  url.hostname = "127.0.0.1";
  url.port = String(wire.port);
  // The functions' pool as db() builds it by default: the pool's own role (postgres), unnamed statements.
  pool = postgres(url.toString(), { max: 1, prepare: false, onnotice: () => {} });
  await pool`select 1`;
  // With FRONTDESK_DB_PREPARE=true (a direct connection): named prepared statements.
  prepared = postgres(url.toString(), { max: 1, prepare: true, onnotice: () => {} });
  await prepared`select 1`;
  shop = await tenantWithTeam(db, "pipeline");
  other = await tenantWithTeam(db, "elsewhere");
});

afterAll(async () => {
  await pool?.end();
  await prepared?.end();
  await wire?.close();
});

async function turns(work: () => Promise<unknown>): Promise<number> {
  await Promise.all([pool`select 1`, prepared`select 1`]); // connected and idle
  wire.turns = 0;
  await work();
  return wire.turns;
}

const FIRST = "select current_user::text as who, current_setting('request.jwt.claims', true) as claims";

describe("asCaller", () => {
  it("has role and claims in force for the work's first statement, and only inside the transaction", async () => {
    const claims: CallerClaims = {
      ...(await verifyJwt(shop.members.owner.token)),
      // Everything a literal must survive: quotes, backslashes, escapes, SQL, non-ASCII.
      note: `it's a \\ back'slash "quoted" \\' ''; select 1; -- ünïcödé 🎉 \n tab\t E'x'`,
    };
    const [row] = await asCaller(claims, (tx) => tx.unsafe(FIRST), pool);
    expect(row.who).toBe("authenticated");
    expect(JSON.parse(row.claims)).toEqual(claims);

    // RLS decides from the first statement: the owner sees their business, not the other one.
    const seen = await asCaller(claims, (tx) => tx`select id from public.tenants order by id`, pool);
    expect(seen.map((r) => r.id)).toEqual([shop.id]);
    const all = await pool`select id from public.tenants where id in ${pool([shop.id, other.id])}`;
    expect(all).toHaveLength(2);

    // Transaction-local: the pool's connection is itself again afterwards.
    const [after] = await pool.unsafe(FIRST);
    expect(after.who).toBe("postgres");
    expect(after.claims ?? "").toBe("");
  });

  it("acts only as an API role, never the pool's own, before sending anything", async () => {
    for (const role of ["postgres", "supabase_admin", "authenticator", "frontdesk_webhook", "Authenticated"]) {
      let sent = -1;
      const n = await turns(async () => {
        await expect(asCaller({ role }, async (tx) => tx`select 1`, pool)).rejects.toThrow(/refusing to act as role/);
        sent = wire.turns;
      });
      expect(sent).toBe(0);
      expect(n).toBe(0);
    }
    const [anon] = await asCaller({ role: "anon" }, (tx) => tx.unsafe(FIRST), pool);
    expect(anon.who).toBe("anon");
  });

  it("sends BEGIN, role, claims and the first statement in one round trip: a round trip less than a plain transaction", async () => {
    const claims = (await verifyJwt(shop.members.staff.token)) as CallerClaims;
    const plain = await turns(() => pool.begin((tx) => tx.unsafe(FIRST)));
    const request = await turns(() => asCaller(claims, (tx) => tx.unsafe(FIRST), pool));
    // Plain: begin; statement; commit. The request: (begin + role + claims + statement); commit.
    expect(plain).toBe(3);
    expect(request).toBe(2);
    // The way it was (set_config awaited, with parameters postgres.js must describe first) is what the relay catches.
    const awaited = await turns(() =>
      pool.begin(async (tx) => {
        await tx`select set_config('role', ${claims.role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
        return tx.unsafe(FIRST);
      }),
    );
    expect(awaited).toBeGreaterThan(plain);
    // Every further statement the work awaits is a round trip of its own, as in any transaction.
    const two = await turns(() =>
      asCaller(claims, async (tx) => {
        await tx.unsafe(FIRST);
        return tx.unsafe(FIRST);
      }, pool),
    );
    expect(two).toBe(3);
  });

  it("with prepared statements: the same semantics, and one round trip from the second request of a connection on", async () => {
    const claims: CallerClaims = { ...(await verifyJwt(shop.members.owner.token)), note: `it's \\ "q" ''; --` };
    const [row] = await asCaller(claims, (tx) => tx.unsafe(FIRST), prepared);
    expect(row.who).toBe("authenticated");
    expect(JSON.parse(row.claims)).toEqual(claims);
    const seen = await asCaller(claims, (tx) => tx`select id from public.tenants`, prepared);
    expect(seen.map((r) => r.id)).toEqual([shop.id]);
    const plain = await turns(() => prepared.begin((tx) => tx.unsafe(FIRST)));
    const request = await turns(() => asCaller(claims, (tx) => tx.unsafe(FIRST), prepared));
    expect(plain).toBe(3);
    expect(request).toBe(2);
    const [after] = await prepared.unsafe(FIRST);
    expect(after.who).toBe("postgres");
  });

  it("with prepared statements the setup resolves the live access for the policies: a revoked member sees nothing", async () => {
    const team = await tenantWithTeam(db, "revoked-prepared");
    const claims = (await verifyJwt(team.members.staff.token)) as CallerClaims;
    const access = "select current_setting('frontdesk.access', true) as access, current_user::text as who";
    const [before] = await asCaller(claims, (tx) => tx.unsafe(access), prepared);
    expect(before).toEqual({ access: `${team.id}:staff`, who: "authenticated" });
    expect((await asCaller(claims, (tx) => tx`select id from public.tenants`, prepared)).map((r) => r.id)).toEqual([team.id]);
    await db.sql`delete from public.memberships where tenant_id = ${team.id} and user_id = ${team.members.staff.id}`;
    // The same, still valid token on the next request: the answer is live, never a previous transaction's.
    const [after] = await asCaller(claims, (tx) => tx.unsafe(access), prepared);
    expect(after.access).toBe("");
    expect(await asCaller(claims, (tx) => tx`select id from public.tenants`, prepared)).toEqual([]);
    expect(await asCaller(claims, (tx) => tx`select id from public.customers`, prepared)).toEqual([]);
  });

  it("a savepoint inside the work rolls back its own writes only", async () => {
    const claims = (await verifyJwt(shop.members.owner.token)) as CallerClaims;
    const kept = `Kept ${Date.now()}`;
    const [row] = await asCaller(claims, async (tx) => {
      await tx`update public.tenants set name = ${kept} where id = ${shop.id}`;
      await expect(tx.savepoint(async (sp) => {
        await sp`update public.tenants set name = 'Undone' where id = ${shop.id}`;
        throw new Error("inner failed");
      })).rejects.toThrow("inner failed");
      return tx`select name, current_user::text as who from public.tenants where id = ${shop.id}`;
    }, pool);
    expect(row).toEqual({ name: kept, who: "authenticated" });
  });

  it("rolls back when the work fails, and the pool goes on", async () => {
    const claims = (await verifyJwt(shop.members.owner.token)) as CallerClaims;
    const name = `Rolled back ${Date.now()}`;
    await expect(
      asCaller(claims, async (tx) => {
        await tx`update public.tenants set name = ${name} where id = ${shop.id}`;
        throw new Error("work failed");
      }, pool),
    ).rejects.toThrow("work failed");
    const [t] = await pool`select name from public.tenants where id = ${shop.id}`;
    expect(t.name).not.toBe(name);
    await expect(asCaller(claims, (tx) => tx`select nope from public.tenants`, pool)).rejects.toMatchObject({ code: "42703" });
    const [row] = await asCaller(claims, (tx) => tx.unsafe(FIRST), pool);
    expect(row.who).toBe("authenticated");
  });

  it("keeps a work that issues several statements at once in order", async () => {
    const claims = (await verifyJwt(shop.members.owner.token)) as CallerClaims;
    const rows = await asCaller(claims, (tx) => Promise.all([tx.unsafe(FIRST), tx`select current_user::text as who`]), pool);
    expect(rows.map(([r]) => r.who)).toEqual(["authenticated", "authenticated"]);
  });
});

describe("asService and asWebhook", () => {
  it("asService: service_role with claims naming only it (and the actor), pipelined", async () => {
    const actor = shop.members.owner.id;
    const [row] = await asService((tx) => tx.unsafe(FIRST), pool, actor);
    expect(row.who).toBe("service_role");
    expect(JSON.parse(row.claims)).toEqual({ role: "service_role", sub: actor });
    const [bare] = await asService((tx) => tx.unsafe(FIRST), pool);
    expect(JSON.parse(bare.claims)).toEqual({ role: "service_role" });
    expect(await turns(() => asService((tx) => tx.unsafe(FIRST), pool, actor))).toBe(2);
  });

  it("asWebhook: frontdesk_webhook from the first statement, pipelined, and nothing more", async () => {
    const [row] = await asWebhook((tx) => tx.unsafe(FIRST), pool);
    expect(row.who).toBe("frontdesk_webhook");
    expect(row.claims ?? "").toBe("");
    await expect(asWebhook((tx) => tx`select id from public.tenants`, pool)).rejects.toMatchObject({ code: "42501" });
    expect(await turns(() => asWebhook((tx) => tx.unsafe(FIRST), pool))).toBe(2);
    const [after] = await pool.unsafe(FIRST);
    expect(after.who).toBe("postgres");
  });
});
