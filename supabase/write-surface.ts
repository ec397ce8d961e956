// The write surface: for every table in `public`, which client roles may insert and update which columns, and who
// may delete. This is the one declaration of it; Postgres enforces it (column-level grants to `authenticated`, the
// tables' RLS policies for the membership roles, triggers and constraints for values with rules) and the suite
// checks the two agree (tests/isolation/write-surface.test.ts): a table, column or grant that is not declared here
// fails it.
//
// Client roles are what a request can be: `anon` (no user), a member of the active business as `staff`, `admin` or
// `owner` (a user JWT, through PostgREST or an Edge Function run as the caller), or an `api_key` (a business's key,
// acting as staff for reads but never writing a table directly: its writes go through the SQL functions that own
// them). Everything not listed is written only by the SQL function that owns it (ids, `tenant_id` after insert,
// `created_at`, statuses and counters, attempts and leases, provider ids, billing, secret metadata).

export const CLIENT_ROLES = ["anon", "staff", "admin", "owner", "api_key"] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];

export interface ColumnWrites {
  by: readonly ClientRole[];
  columns: readonly string[];
}

export interface TableSurface {
  insert?: ColumnWrites;
  update?: ColumnWrites;
  delete?: readonly ClientRole[];
  /** Rules on the values that Postgres enforces beyond who may write the column (tested per finding). */
  rules?: readonly string[];
}

const team = ["staff", "admin", "owner"] as const;
const managers = ["admin", "owner"] as const;

export const WRITE_SURFACE: Record<string, TableSurface> = {
  tenants: {
    update: { by: managers, columns: ["name", "category", "timezone", "address", "phone", "settings"] },
    rules: ["created only by create_tenant(); status is the platform's"],
  },
  memberships: {
    update: { by: managers, columns: ["role"] },
    delete: team,
    rules: [
      "created only by create_tenant() (its owner) and accept_invitation()",
      "only an owner grants, changes or removes the owner role; a business keeps an owner",
      "staff may delete only their own membership (leave)",
    ],
  },
  invitations: {
    update: { by: managers, columns: ["role", "expires_at"] },
    delete: managers,
    rules: ["created only by invite_member()", "expires within 30 days of creation", "accepted ones are history"],
  },
  channels: {
    insert: {
      by: managers,
      columns: ["tenant_id", "kind", "name", "provider", "phone_number_id", "waba_id", "display_phone_number",
        "phone_number", "provider_account_id", "capabilities", "active", "settings"],
    },
    update: { by: managers, columns: ["name", "waba_id", "display_phone_number", "provider_account_id", "capabilities", "active", "settings"] },
    delete: managers,
    rules: ["starts pending; routes only once verified (channel_verification)", "routing keys never change after insert"],
  },
  staff: {
    insert: { by: managers, columns: ["tenant_id", "name", "email", "phone", "user_id", "active", "color"] },
    update: { by: managers, columns: ["name", "email", "phone", "user_id", "active", "color"] },
    delete: managers,
    rules: ["user_id is a member of the same business"],
  },
  services: {
    insert: { by: managers, columns: ["tenant_id", "name", "category", "description", "duration_minutes", "price_cents", "currency", "active"] },
    update: { by: managers, columns: ["name", "category", "description", "duration_minutes", "price_cents", "currency", "active"] },
    delete: managers,
  },
  staff_services: {
    insert: { by: managers, columns: ["tenant_id", "staff_id", "service_id"] },
    delete: managers,
  },
  business_hours: {
    insert: { by: managers, columns: ["tenant_id", "weekday", "opens_at", "closes_at"] },
    update: { by: managers, columns: ["weekday", "opens_at", "closes_at"] },
    delete: managers,
  },
  closures: {
    insert: { by: managers, columns: ["tenant_id", "staff_id", "starts_at", "ends_at", "reason"] },
    update: { by: managers, columns: ["staff_id", "starts_at", "ends_at", "reason"] },
    delete: managers,
  },
  customers: {
    insert: { by: managers, columns: ["tenant_id", "phone", "wa_id", "name", "email", "notes", "tags", "marketing_opt_in"] },
    update: { by: managers, columns: ["phone", "wa_id", "name", "email", "notes", "tags", "marketing_opt_in"] },
    delete: managers,
    rules: ["an opt-out is the customer's own (STOP), never a client's; no marketing consent while opted out"],
  },
  customer_staff_preferences: {
    insert: { by: managers, columns: ["tenant_id", "customer_id", "staff_id"] },
    delete: managers,
  },
  customer_service_preferences: {
    insert: { by: managers, columns: ["tenant_id", "customer_id", "service_id"] },
    delete: managers,
  },
  bookings: {
    insert: {
      by: team,
      columns: ["tenant_id", "customer_id", "service_id", "staff_id", "starts_at", "ends_at", "status", "source", "notes", "price_cents", "currency"],
    },
    update: { by: team, columns: ["service_id", "staff_id", "starts_at", "ends_at", "status", "notes", "price_cents", "currency", "cancel_reason"] },
    delete: managers,
    rules: [
      "a client creates only pending or confirmed bookings; created_by is the caller",
      "status moves one way: pending → confirmed → completed | no_show, live → cancelled; cancelled_at is stamped",
      "live bookings of one staff member never overlap",
    ],
  },
  conversations: {
    insert: { by: team, columns: ["tenant_id", "channel_id", "customer_id", "assigned_to"] },
    update: { by: team, columns: ["status", "assigned_to", "handed_over_at"] },
    delete: managers,
    rules: [
      "handed_over_at is stamped by the database; handing back clears the bot's state",
      "assigned_to is a member of the same business; closed_at is stamped",
    ],
  },
  messages: {
    insert: { by: team, columns: ["tenant_id", "conversation_id", "type", "body", "payload"] },
    rules: [
      "a client queues outbound messages only, in its own name, from the conversation's channel",
      "every queued message, whoever queues it: plan limit (402), opt-out and 24-hour window (422), allowed types, attempts from 0",
    ],
  },
  voices: {
    insert: { by: managers, columns: ["tenant_id", "name", "provider", "provider_voice_id", "language", "settings"] },
    update: { by: managers, columns: ["name", "provider", "provider_voice_id", "language", "settings"] },
    delete: managers,
  },
  voice_agents: {
    insert: {
      by: managers,
      columns: ["tenant_id", "name", "language", "voice_id", "platform", "platform_agent_id", "media_stream_url", "greeting", "system_prompt", "config", "active"],
    },
    update: {
      by: managers,
      columns: ["name", "language", "voice_id", "platform", "platform_agent_id", "media_stream_url", "greeting", "system_prompt", "config", "active"],
    },
    delete: managers,
  },
  calls: {
    delete: managers,
    rules: [
      "outbound calls are requested by staff and up through outbound_request() / outbound_queue_batch() (never an API key); no client inserts a call row",
      "a requested call (no provider id), whoever inserts it: a lead or customer of the business, an active agent, a verified number; never an opted-out or do-not-call callee; the callee's calling hours; the cool-down; the plan's outbound calls and minutes (402)",
      "every rule is checked again when the call is dialled; a queued call not yet dialled may be cancelled (outbound_cancel)",
    ],
  },
  call_summaries: { delete: managers },
  caller_profiles: {
    insert: { by: managers, columns: ["tenant_id", "phone", "customer_id", "display_name", "summary", "preferences"] },
    update: { by: managers, columns: ["customer_id", "display_name", "summary", "preferences"] },
    delete: managers,
  },
  memories: {
    update: { by: managers, columns: ["content", "kind", "importance"] },
    delete: managers,
    rules: ["stored only through memory_store() and call reports, counted against the plan"],
  },
  personality_metrics: { delete: managers },
  caller_personality: {},
  leads: {
    insert: { by: team, columns: ["tenant_id", "name", "phone", "email", "company", "source", "source_detail", "status", "notes", "customer_id", "do_not_call"] },
    update: { by: team, columns: ["name", "phone", "email", "company", "source", "source_detail", "status", "notes", "customer_id", "do_not_call"] },
    delete: team,
    rules: ["last_contacted_at and status follow the lead's calls; a booking by the lead's number converts it (won)"],
  },
  outbound_call_settings: {
    insert: { by: managers, columns: ["tenant_id", "window_start", "window_end", "cooldown_minutes", "calls_per_minute"] },
    update: { by: managers, columns: ["window_start", "window_end", "cooldown_minutes", "calls_per_minute"] },
    delete: managers,
    rules: ["calling hours stay within 08:00–21:00; cool-down 60–43200 minutes; 1–60 calls a minute"],
  },
  api_keys: {
    update: { by: managers, columns: ["name", "revoked_at", "expires_at"] },
    delete: managers,
    rules: ["created only by create_api_key()", "revoked stays revoked (stamped now)", "expiry can only be brought forward"],
  },
  plans: {},
  subscriptions: { rules: ["plan, status and period change only through the platform (service role)"] },
  usage_events: {},
  usage_monthly: {},
  feature_flags: {
    insert: { by: managers, columns: ["tenant_id", "flag", "enabled", "config"] },
    update: { by: managers, columns: ["enabled", "config"] },
    delete: managers,
  },
  audit_log: { rules: ["append-only, written by triggers"] },
  follow_ups: {
    update: { by: team, columns: ["status"] },
    rules: ["created only by the receptionist tools (take_message, transfer_to_human)", "done_at and done_by are stamped when the status changes"],
  },
};
