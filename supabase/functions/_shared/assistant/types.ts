// The contract between the runner (run.ts) and whatever answers a customer on WhatsApp. Today that is the
// deterministic booking assistant; a tenant may later get an LLM-driven one. Either way an assistant only reads the
// context, calls the tools, and returns what to send and what to remember: the runner does every write, in one
// transaction, so a turn happens completely or not at all.
import type { Tx } from "../db/client.ts";

/** What private.assistant_context(tenant, conversation) returns. Timestamps are ISO strings (jsonb). */
export interface AssistantContext {
  tenant: { id: string; name: string; timezone: string; settings: TenantSettings };
  conversation: {
    id: string;
    bot_state: Record<string, unknown>;
    handed_over_at: string | null;
    last_inbound_at: string | null;
  };
  customer: { id: string; name: string | null; wa_id: string | null; opted_out_at: string | null };
  services: Service[];
  staff: StaffMember[];
}

/** tenants.settings: free-form jsonb, so every field is optional and may hold anything. */
export interface TenantSettings {
  greeting?: unknown;
  language?: unknown;
  offer_staff_choice?: unknown;
  [key: string]: unknown;
}

export interface Service {
  id: string;
  name: string;
  duration_minutes: number;
  price_cents: number;
  currency: string;
}

export interface StaffMember {
  id: string;
  name: string;
  service_ids: string[];
}

/** One inbound row of public.messages; `payload` is Meta's webhook message object as received. */
export interface InboundMessage {
  id: string;
  type: string;
  body: string | null;
  payload: Record<string, unknown>;
}

export interface Slot {
  staff_id: string;
  /** ISO 8601, UTC (Date.prototype.toISOString). */
  starts_at: string;
  ends_at: string;
}

export interface BookResult {
  ok: boolean;
  /** 'slot_taken' (someone else got it first) or 'not_found' (service, customer or replaced booking gone). */
  reason?: string;
  booking_id?: string;
  staff_id?: string;
  starts_at?: string;
}

export interface UpcomingBooking {
  id: string;
  service_id: string;
  service: string;
  staff_id: string;
  staff: string;
  starts_at: string;
}

/** Everything an assistant may do to the world, already scoped to the turn's tenant, conversation and customer. */
export interface AssistantTools {
  /** Free slots of a service on a local day of the business ('YYYY-MM-DD'), optionally for one staff member. */
  slots(serviceId: string, day: string, staffId: string | null): Promise<Slot[]>;
  /** Books for the customer (source whatsapp, confirmed); `replaces` cancels that booking in the same step. */
  book(serviceId: string, staffId: string | null, startsAt: string, replaces?: string | null): Promise<BookResult>;
  /** The customer's upcoming live bookings, soonest first. */
  bookings(): Promise<UpcomingBooking[]>;
  cancel(bookingId: string): Promise<boolean>;
  setOptOut(optedOut: boolean): Promise<void>;
  /**
   * The turn's transaction (frontdesk_webhook), for an assistant that needs more than the above — the LLM assistant
   * reads its context and runs the receptionist tool layer (tools/index.ts) through it. Its writes are the turn's.
   */
  tx?: Tx;
}

export interface ListRow { id: string; title: string; description?: string }
export interface ListSection { title: string; rows: ListRow[] }

/** The Graph API `interactive` object of an outbound message. */
export type InteractivePayload =
  | {
    type: "list";
    body: { text: string };
    action: { button: string; sections: ListSection[] };
  }
  | {
    type: "button";
    body: { text: string };
    action: { buttons: { type: "reply"; reply: { id: string; title: string } }[] };
  };

export type OutboundReply =
  | { type: "text"; body: string; payload: { opt_out_confirmation?: boolean } }
  | { type: "interactive"; body: string; payload: InteractivePayload };

export interface AssistantTurn {
  replies: OutboundReply[];
  /** The next bot_state (a JSON object). */
  state: Record<string, unknown>;
  /** true: hand the conversation to staff (the bot then stays quiet until they hand it back). */
  handover?: boolean | null;
  /** true: STOP/BAJA; false: START/ALTA; null/undefined: unchanged. */
  optOut?: boolean | null;
}

export interface Assistant {
  respond(ctx: AssistantContext, message: InboundMessage, tools: AssistantTools): Promise<AssistantTurn>;
}
