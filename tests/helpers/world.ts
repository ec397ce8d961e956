// One row in every business table for a tenant, built as the schema owner: the ground for tests that enumerate the
// catalog and check each table. A table added to the schema without a row here makes the isolation suite fail.
import { randomBytes, createHash } from "node:crypto";
import type { TestDb } from "./db.ts";

const digits = (n: number) => Array.from(randomBytes(n), (b) => (b % 10).toString()).join("");
const e164 = () => `+1${"2"}${digits(9)}`;

export async function buildWorld(db: TestDb, tenantId: string, ownerId: string): Promise<Record<string, string>> {
  const sql = db.sql;
  const [channel] = await sql`insert into public.channels (tenant_id, kind, provider, phone_number_id, display_phone_number)
    values (${tenantId}, 'whatsapp', 'meta', ${digits(15)}, '+1 555 0100') returning id`;
  const [phone] = await sql`insert into public.channels (tenant_id, kind, provider, phone_number, capabilities)
    values (${tenantId}, 'phone', 'twilio', ${e164()}, '{voice,sms}') returning id`;
  const [staff] = await sql`insert into public.staff (tenant_id, name) values (${tenantId}, 'Sam') returning id`;
  const [service] = await sql`insert into public.services (tenant_id, name, duration_minutes, price_cents)
    values (${tenantId}, 'Cut', 30, 3000) returning id`;
  await sql`insert into public.staff_services (tenant_id, staff_id, service_id) values (${tenantId}, ${staff.id}, ${service.id})`;
  await sql`insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values (${tenantId}, 1, '09:00', '17:00')`;
  await sql`insert into public.closures (tenant_id, starts_at, ends_at, reason) values (${tenantId}, '2030-12-25', '2030-12-26', 'Christmas')`;
  const customerPhone = e164();
  const [customer] = await sql`insert into public.customers (tenant_id, phone, wa_id, name)
    values (${tenantId}, ${customerPhone}, ${customerPhone.slice(1)}, 'Maria') returning id`;
  await sql`insert into public.customer_staff_preferences (tenant_id, customer_id, staff_id) values (${tenantId}, ${customer.id}, ${staff.id})`;
  await sql`insert into public.customer_service_preferences (tenant_id, customer_id, service_id) values (${tenantId}, ${customer.id}, ${service.id})`;
  const [booking] = await sql`insert into public.bookings (tenant_id, customer_id, service_id, staff_id, starts_at, ends_at, source)
    values (${tenantId}, ${customer.id}, ${service.id}, ${staff.id}, '2030-06-03 10:00Z', '2030-06-03 10:30Z', 'whatsapp') returning id`;
  // The customer wrote in just now (the inbound message below), so the conversation is inside the 24-hour window.
  const [conversation] = await sql`insert into public.conversations (tenant_id, channel_id, customer_id, last_message_at, last_inbound_at)
    values (${tenantId}, ${channel.id}, ${customer.id}, now(), now()) returning id`;
  const [message] = await sql`insert into public.messages (tenant_id, conversation_id, channel_id, direction, type, body, provider_message_id, status)
    values (${tenantId}, ${conversation.id}, ${channel.id}, 'inbound', 'text', 'Hola', ${"wamid." + digits(20)}, 'received') returning id`;
  const [voice] = await sql`insert into public.voices (tenant_id, name, provider, provider_voice_id) values (${tenantId}, 'Warm', 'elevenlabs', 'v1') returning id`;
  const [agent] = await sql`insert into public.voice_agents (tenant_id, name, voice_id, media_stream_url)
    values (${tenantId}, 'Front desk', ${voice.id}, 'wss://agent.example/stream') returning id`;
  const [call] = await sql`insert into public.calls (tenant_id, channel_id, agent_id, customer_id, provider, provider_call_id, direction, from_number, to_number, status)
    values (${tenantId}, ${phone.id}, ${agent.id}, ${customer.id}, 'twilio', ${"CA" + randomBytes(16).toString("hex")}, 'inbound', ${customerPhone}, '+15550000000', 'completed') returning id`;
  await sql`insert into public.call_summaries (tenant_id, call_id, summary, sentiment) values (${tenantId}, ${call.id}, 'Booked a cut', 'positive')`;
  const [caller] = await sql`insert into public.caller_profiles (tenant_id, phone, customer_id, display_name)
    values (${tenantId}, ${customerPhone}, ${customer.id}, 'Maria') returning id`;
  const [memory] = await sql`insert into public.memories (tenant_id, caller_id, content, kind, importance, source_call_id)
    values (${tenantId}, ${caller.id}, 'Prefers a skin fade', 'preference', 7, ${call.id}) returning id`;
  await sql`insert into public.personality_metrics (tenant_id, call_id, caller_id, openness, agreeableness)
    values (${tenantId}, ${call.id}, ${caller.id}, 0.6, 0.8)`;
  const [lead] = await sql`insert into public.leads (tenant_id, name, phone, source) values (${tenantId}, 'Prospect', ${e164()}, 'web_form') returning id`;
  await sql`insert into public.outbound_call_settings (tenant_id, window_start, window_end) values (${tenantId}, '09:00', '20:00')`;
  const [apiKey] = await sql`insert into public.api_keys (tenant_id, name, prefix, key_hash, scopes, created_by)
    values (${tenantId}, 'agent', 'fd_test_ab12', ${createHash("sha256").update(randomBytes(32)).digest()}, '{memory:read}', ${ownerId}) returning id`;
  const [subscription] = await sql`insert into public.subscriptions (tenant_id, plan_id, status) values (${tenantId}, 'starter', 'active') returning id`;
  await sql`insert into public.usage_events (tenant_id, metric, quantity, source_ref) values (${tenantId}, 'inbound_messages', 1, ${message.id})`;
  await sql`insert into public.feature_flags (tenant_id, flag, enabled) values (${tenantId}, 'assistant.booking', true)`;
  const [followUp] = await sql`insert into public.follow_ups (tenant_id, kind, customer_id, call_id, caller_name, callback_phone, content, source)
    values (${tenantId}, 'message', ${customer.id}, ${call.id}, 'Maria', ${customerPhone}, 'Please call back about Saturday', 'vapi') returning id`;
  const [invitation] = await sql`insert into public.invitations (tenant_id, email, role, token_hash)
    values (${tenantId}, ${`inv-${digits(6)}@x.example`}, 'staff', ${createHash("sha256").update(randomBytes(16)).digest()}) returning id`;
  return {
    channel: channel.id, phone: phone.id, staff: staff.id, service: service.id, customer: customer.id, booking: booking.id,
    conversation: conversation.id, message: message.id, voice: voice.id, agent: agent.id, call: call.id, caller: caller.id,
    memory: memory.id, lead: lead.id, apiKey: apiKey.id, subscription: subscription.id, invitation: invitation.id,
    followUp: followUp.id,
  };
}
