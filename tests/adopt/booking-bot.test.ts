// The WhatsApp booking bot's POC (seed 003): no tenant, no staff, no numbers table (parameters fill them in);
// conversations are the customers; sandbox numbers "whatsapp:+34…"; system prompts stored as messages; a booking
// time typed as "2:30 PM"; two customers on the same hour.
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";
import { adoptJson, useLegacyDatabase } from "./helpers.ts";
import { adoptionSuite } from "./suite.ts";

const db = useTestDatabase();
const legacy = useLegacyDatabase(db, "booking-bot");

describe("adopt: booking-bot", () => {
  adoptionSuite(db, legacy, "booking-bot", {
    entries: {
      whatsapp_number: { import: 1 },
      team: { import: 1 },
      services: { import: 5 },
      team_services: { import: 5 },
      customers: { import: 80, merge: 3, skip: 1 },
      conversations: { import: 83, skip: 1, adjust: 1 },
      messages: { import: 415, skip: 8 },
      bookings: { import: 101, skip: 2 },
    },
    reasons: [
      "customers: phone: unparseable phone",
      "customers: same phone as an earlier row",
      "conversations: conflict: another row with the same channel_id, customer_id",
      "messages: direction: 'system' is not in the map",
      "bookings: starts_at: unparseable timestamp",
      "bookings: conflict: overlaps another row with the same staff_id",
    ],
    visible: "bookings",
  });

  it("takes what the POC never stored from parameters, and books in Madrid time", async () => {
    await adoptJson(db, "run", "--from", legacy.url, "--mapping", "booking-bot", "--tenant", "aurora-check",
      "--param", "business_name=Salón Aurora Ruzafa", "--param", "phone_number_id=109876543210555");
    const [t] = await db.sql`select id, name, timezone from public.tenants where slug = 'aurora-check'`;
    expect(t).toMatchObject({ name: "Salón Aurora Ruzafa", timezone: "Europe/Madrid" });
    const [ch] = await db.sql`select phone_number_id, kind::text from public.channels where tenant_id = ${t.id}`;
    expect(ch).toEqual({ phone_number_id: "109876543210555", kind: "whatsapp" });
    // Booking 6: 7 June 2025 10:00 in Valencia (CEST, UTC+2), Color for 90 minutes.
    const [b] = await db.sql`
      select b.starts_at, b.ends_at, b.price_cents, b.source::text from public.bookings b
      join private.import_ledger l on l.new_key[1] = b.id::text and l.entry = 'bookings' and l.legacy_key = '6' where b.tenant_id = ${t.id}`;
    expect([b.starts_at.toISOString(), b.ends_at.toISOString(), b.price_cents, b.source]).toEqual(["2025-06-07T08:00:00.000Z", "2025-06-07T09:30:00.000Z", 4500, "whatsapp"]);
    // The sandbox customer who wrote again is one customer with one open conversation (the newer one).
    const conv = await db.sql`
      select cv.status::text from public.conversations cv join public.customers c on c.tenant_id = cv.tenant_id and c.id = cv.customer_id
      where cv.tenant_id = ${t.id} and c.phone = '+34611000051' order by cv.created_at`;
    expect(conv.map((c) => c.status)).toEqual(["closed", "open"]);
    await adoptJson(db, "rollback", "--mapping", "booking-bot", "--tenant", "aurora-check");
  });
});
