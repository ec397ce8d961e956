// What an adoption of an unseen legacy call-memory database ran into, each as a check that would fail without the
// fix: a map value the target's CHECK refuses is a mapping error at plan time (with its key path); values replaced by
// a default or nulled are counted and listed; a row failing two checks reports both; a linked existing caller profile
// gets the customer the import created (and rollback takes it back); a 34 KB memory is imported byte-exact and found
// by full-text search.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHIPPED } from "../../adopt/mapping/load.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { createTenant } from "../helpers/tenants.ts";
import { adopt, adoptJson, useLegacyDatabase } from "./helpers.ts";

const db = useTestDatabase();
const legacy = useLegacyDatabase(db, "call-memory");
const dir = mkdtempSync(path.join(tmpdir(), "adopt-findings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function variant(name: string, change: (m: any) => void): string {
  const m = JSON.parse(readFileSync(path.join(SHIPPED, "call-memory.json"), "utf8"));
  change(m);
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(m));
  return file;
}

const LONG = "a0000000-0000-4000-8000-000000000001";
const NULL_IMPORTANCE = "a0000000-0000-4000-8000-000000000002";
const TWO_PROBLEMS = "a0000000-0000-4000-8000-000000000003";
const ORPHAN_CALL = "a0000000-0000-4000-8000-000000000004";

// 34 KB of a legacy transcript note: several scripts, line breaks, tabs, a word to search for near the end.
const paragraph = "Caller said: «la póliza de mi hija» — renewal in April; 保险续期; prefers e-mail 📧.\n\tNotes follow. ";
const longContent = (paragraph.repeat(Math.ceil(34_000 / Buffer.byteLength(paragraph))) + "Remember the zephyrquill account.").trim();

interface Reason { kind: string; reason: string; count: number; examples: string[] }
interface Report { entry: string; rows: number; import: number; skip: number; replaced: number; filled: number; link: number; reasons: Reason[] }
const entry = (r: { entries: Report[] }, name: string) => r.entries.find((e) => e.entry === name)!;

let caller: string;

beforeAll(async () => {
  expect(Buffer.byteLength(longContent)).toBeGreaterThan(34_000);
  [{ user_id: caller }] = await legacy.sql`select user_id from caller_profiles where id = md5('caller11')::uuid`;
  await legacy.sql`
    insert into memories (id, customer_id, user_id, content, memory_type, importance, call_id, created_at) values
      (${LONG}, 1, ${caller}, ${longContent}, 'note', 7, null, '2025-09-01 10:00'),
      (${NULL_IMPORTANCE}, 1, ${caller}, 'Importance never scored', 'fact', null, null, '2025-09-01 10:01'),
      (${TWO_PROBLEMS}, 1, ${caller}, 'Two problems at once', 'gossip', 42, null, '2025-09-01 10:02'),
      (${ORPHAN_CALL}, 1, ${caller}, 'From a call nobody summarised', 'fact', 4, 'CAnowhere', '2025-09-01 10:03')`;
});

describe("adopt: findings on an unseen call-memory database", () => {
  it("a mapped value the target's CHECK constraint refuses is a mapping error at plan time, with its key path", async () => {
    const kind = variant("bad-kind", (m) => (m.entries[4].columns.kind.map.personal = "personal_note"));
    const r = await adopt(db, "plan", "--from", legacy.url, "--mapping", kind, "--tenant", "bad-check");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^adopt: entries\[4\] \(memories\)\.columns\.kind\.map\.personal: "personal_note" breaks the target's check memories_kind \(/);
    const importance = variant("bad-default", (m) => (m.entries[4].columns.importance.default = 0));
    const d = await adopt(db, "plan", "--from", legacy.url, "--mapping", importance, "--tenant", "bad-check");
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/^adopt: entries\[4\] \(memories\)\.columns\.importance\.default: "0" breaks the target's check memories_importance/);
    const [{ n }] = await db.sql`select count(*)::int as n from public.tenants where slug = 'bad-check'`;
    expect(n).toBe(0);
  });

  it("plan and run count and list values replaced by a default or nulled, and every reason a row is skipped", async () => {
    const plan = await adoptJson<{ entries: Report[] }>(db, "plan", "--from", legacy.url, "--mapping", "call-memory", "--tenant", "findings-a");
    const memories = entry(plan, "memories");
    const reason = (text: string) => memories.reasons.find((x) => x.reason === text);
    expect(reason("importance: null: the default '5'")).toMatchObject({ kind: "replace", count: 1, examples: [NULL_IMPORTANCE] });
    expect(reason("source_call_id: orphan (no calls row): stored as null (onOrphan)")).toMatchObject({ kind: "replace", count: 1, examples: [`${ORPHAN_CALL} (CAnowhere)`] });
    expect(memories.replaced).toBe(2);
    // The row with two problems: skipped once, listed under both reasons.
    expect(reason("kind: 'gossip' is not in the map")).toMatchObject({ kind: "skip", count: 1, examples: [`${TWO_PROBLEMS} (gossip)`] });
    expect(reason("importance: out of range")!.examples).toContain(`${TWO_PROBLEMS} (42)`);
    expect(memories.rows).toBe(memories.import + memories.skip + (memories as any).merge + memories.link + (memories as any).done);
    // calls: customer_id onOrphan null for callers never profiled (legacy "anonymous").
    expect(entry(plan, "calls").reasons.some((x) => x.kind === "replace" && x.reason.startsWith("customer_id: "))).toBe(true);

    const run = await adoptJson<{ entries: Report[]; tenantId: string }>(db, "run", "--from", legacy.url, "--mapping", "call-memory", "--tenant", "findings-a");
    expect(run.entries.map((e) => [e.entry, e.replaced, e.reasons.filter((x) => x.kind === "replace")])).toEqual(
      plan.entries.map((e) => [e.entry, e.replaced, e.reasons.filter((x) => x.kind === "replace")]));
    const [m] = await db.sql`select importance from public.memories where tenant_id = ${run.tenantId} and content = 'Importance never scored'`;
    expect(m.importance).toBe(5);
    const text = await adopt(db, "plan", "--from", legacy.url, "--mapping", "call-memory", "--tenant", "findings-b");
    expect(text.out).toMatch(/replace memories: 1 × importance: null: the default '5'/);
    expect(text.out).toMatch(/\breplaced\b/);
  });

  it("a 34 KB memory is imported byte-exact and found by full-text search", async () => {
    const [t] = await db.sql`select id from public.tenants where slug = 'findings-a'`;
    const [m] = await db.sql`
      select content, octet_length(content) as bytes from public.memories
      where tenant_id = ${t.id} and search @@ websearch_to_tsquery('simple', 'zephyrquill')`;
    expect(m.bytes).toBe(Buffer.byteLength(longContent));
    expect(m.content === longContent).toBe(true);
    expect((await adoptJson(db, "verify", "--from", legacy.url, "--mapping", "call-memory", "--tenant", "findings-a")).ok).toBe(true);
    await adoptJson(db, "rollback", "--mapping", "call-memory", "--tenant", "findings-a");
  });

  it("a linked existing caller profile gets the customer the import creates for it; rollback takes the link back", async () => {
    const t = await createTenant(db, "findings-link", "America/Chicago");
    const [profile] = await db.sql`
      insert into public.caller_profiles (tenant_id, phone, display_name) values (${t.id}, ${caller}, 'Known before the import')
      returning id, customer_id`;
    expect(profile.customer_id).toBeNull();
    const plan = await adoptJson<{ entries: Report[] }>(db, "plan", "--from", legacy.url, "--mapping", "call-memory", "--tenant", t.slug);
    const callers = entry(plan, "callers");
    expect([callers.link, callers.filled]).toEqual([1, 1]);
    expect(callers.reasons.find((x) => x.kind === "fill")).toMatchObject({ reason: "customer_id: the linked row had none; given the customers row this import links it to", count: 1 });

    const run = await adoptJson<{ entries: Report[] }>(db, "run", "--from", legacy.url, "--mapping", "call-memory", "--tenant", t.slug);
    expect(entry(run, "callers").filled).toBe(1);
    const [linked] = await db.sql`
      select p.customer_id, c.phone, p.display_name from public.caller_profiles p
      join public.customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id where p.tenant_id = ${t.id} and p.id = ${profile.id}`;
    expect(linked).toMatchObject({ phone: caller, display_name: "Known before the import" });
    const [{ created }] = await db.sql`
      select exists (select 1 from private.import_ledger where entry = 'customers' and action = 'created' and new_key = array[${linked.customer_id}::text]) as created`;
    expect(created).toBe(true);

    const back = await adoptJson(db, "rollback", "--mapping", "call-memory", "--tenant", t.slug);
    expect(back.tenantDeleted).toBe(false);
    const after = await db.sql`select id, customer_id, display_name from public.caller_profiles where tenant_id = ${t.id}`;
    expect(after).toEqual([{ id: profile.id, customer_id: null, display_name: "Known before the import" }]);
    const [{ customers }] = await db.sql`select count(*)::int as customers from public.customers where tenant_id = ${t.id}`;
    expect(customers).toBe(0);
  });
});
