// Catalog and booking rows for the bookings tests, written as the schema owner (postgres bypasses RLS), and the
// slot function's answer reduced to plain strings so a test can compare it exactly.
import type postgres from "postgres";
import type { Sql, TestDb } from "../helpers/db.ts";

export type Status = "pending" | "confirmed" | "cancelled" | "completed" | "no_show";

export async function addStaff(db: TestDb, tenantId: string, name: string, active = true): Promise<string> {
  const [r] = await db.sql`insert into public.staff (tenant_id, name, active) values (${tenantId}, ${name}, ${active}) returning id`;
  return r.id;
}

export async function addService(db: TestDb, tenantId: string, minutes: number, opts: { name?: string; active?: boolean } = {}): Promise<string> {
  const name = opts.name ?? `service ${minutes}m`;
  const [r] = await db.sql`
    insert into public.services (tenant_id, name, duration_minutes, active)
    values (${tenantId}, ${name}, ${minutes}, ${opts.active ?? true}) returning id`;
  return r.id;
}

export async function link(db: TestDb, tenantId: string, staffId: string, serviceId: string): Promise<void> {
  await db.sql`insert into public.staff_services (tenant_id, staff_id, service_id) values (${tenantId}, ${staffId}, ${serviceId})`;
}

/** Opening hours in local time for the given weekdays (0 = Sunday). */
export async function open(db: TestDb, tenantId: string, opens: string, closes: string, weekdays = [0, 1, 2, 3, 4, 5, 6]): Promise<void> {
  for (const weekday of weekdays) {
    await db.sql`
      insert into public.business_hours (tenant_id, weekday, opens_at, closes_at)
      values (${tenantId}, ${weekday}, ${opens}, ${closes})`;
  }
}

export async function close(db: TestDb, tenantId: string, startsAt: string, endsAt: string, staffId: string | null = null): Promise<void> {
  await db.sql`
    insert into public.closures (tenant_id, staff_id, starts_at, ends_at)
    values (${tenantId}, ${staffId}, ${startsAt}, ${endsAt})`;
}

export async function addCustomer(db: TestDb, tenantId: string, name = "Ana"): Promise<string> {
  const [r] = await db.sql`insert into public.customers (tenant_id, name) values (${tenantId}, ${name}) returning id`;
  return r.id;
}

export interface BookingRow {
  tenantId: string;
  customerId: string;
  serviceId: string;
  staffId: string;
  startsAt: string;
  endsAt: string;
  status?: Status;
}

/** Inserts a booking through the given connection (the owner's pool unless a transaction is passed). */
export async function book(sql: Sql | postgres.TransactionSql, b: BookingRow): Promise<string> {
  const [r] = await sql`
    insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, status, source)
    values (${b.tenantId}, ${b.customerId}, ${b.serviceId}, ${b.staffId}, ${b.startsAt}, ${b.endsAt},
            ${b.status ?? "confirmed"}, 'api')
    returning id`;
  return r.id;
}

export interface Slot { staff: string; start: string; end: string }

const utc = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')`;
const slotColumns = `staff_id as staff, ${utc("starts_at")} as start, ${utc("ends_at")} as end`;

export interface SlotQuery {
  tenantId: string;
  serviceId: string;
  from: string;
  to: string;
  staffId?: string | null;
  step?: number;
  notBefore?: string;
}

/** private.available_slots as the schema owner; p_not_before defaults to long ago so now() never matters. */
export async function slots(db: TestDb, q: SlotQuery, sql: Sql | postgres.TransactionSql = db.sql): Promise<Slot[]> {
  const rows = await sql.unsafe(
    `select ${slotColumns} from private.available_slots($1, $2, $3::date, $4::date, $5::uuid, $6::int, $7::timestamptz)`,
    [q.tenantId, q.serviceId, q.from, q.to, q.staffId ?? null, q.step ?? 15, q.notBefore ?? "2000-01-01T00:00:00Z"],
  );
  return rows.map((r) => ({ staff: r.staff, start: r.start, end: r.end }));
}

/** public.available_slots inside a request transaction (the caller's JWT decides the tenant). */
export async function publicSlots(
  tx: postgres.TransactionSql,
  q: { serviceId: string; from: string; to: string; staffId?: string | null; step?: number },
): Promise<Slot[]> {
  const rows = await tx.unsafe(
    `select ${slotColumns} from public.available_slots($1, $2::date, $3::date, $4::uuid, $5::int)`,
    [q.serviceId, q.from, q.to, q.staffId ?? null, q.step ?? 15],
  );
  return rows.map((r) => ({ staff: r.staff, start: r.start, end: r.end }));
}

/** Starts of a slot list in a time zone's wall-clock time, "YYYY-MM-DD HH:MI". */
export async function localStarts(db: TestDb, list: Slot[], timezone: string): Promise<string[]> {
  if (list.length === 0) return [];
  const rows = await db.sql`
    select to_char(s::timestamptz at time zone ${timezone}, 'YYYY-MM-DD HH24:MI') as local
    from unnest(${list.map((x) => x.start)}::text[]) with ordinality as u(s, n)
    order by n`;
  return rows.map((r) => r.local);
}

/** "HH:MM" every `step` minutes from `first` to `last` inclusive, for stating a day's expected slots. */
export function clock(first: string, last: string, step: number): string[] {
  const toMin = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  const out: string[] = [];
  for (let m = toMin(first); m <= toMin(last); m += step) {
    out.push(`${String(Math.floor(m / 60) % 24).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`);
  }
  return out;
}
