// The SQL side of channel verification. Reading the target runs as the caller (channel_to_verify decides who may:
// owners and admins of the active business); recording a proof or an operator's assignment runs as service_role,
// since no client role may mark a channel verified.
import { asCaller, asService, db, type CallerClaims, type Sql } from "../db/client.ts";

export interface ChannelToVerify {
  tenant_id: string;
  channel_id: string;
  kind: "whatsapp" | "phone";
  provider: string;
  phone_number_id: string | null;
  phone_number: string | null;
  provider_account_id: string | null;
  verified_at: Date | null;
  verification_method: string | null;
  /** The credential that proves control (access_token, auth_token), or null when this provider has none. */
  credential_name: string | null;
  ciphertext: Uint8Array | null;
  key_id: string | null;
}

export type VerificationMethod = "meta_graph" | "twilio_account" | "operator";

export interface VerifiedChannel { id: string; verified_at: Date | null; verification_method: string | null }

export async function channelToVerify(claims: CallerClaims, channelId: string, sql: Sql = db()): Promise<ChannelToVerify> {
  const [row] = await asCaller(claims, (tx) => tx<ChannelToVerify[]>`select * from private.channel_to_verify(${channelId})`, sql);
  return row;
}

/** The channel's routing key: what a proof is about, and what must not have changed when it is recorded. */
export const routingKey = (c: Pick<ChannelToVerify, "kind" | "phone_number_id" | "phone_number">) =>
  (c.kind === "whatsapp" ? c.phone_number_id : c.phone_number) ?? "";

export async function recordVerification(
  target: ChannelToVerify,
  method: VerificationMethod,
  opts: { sql?: Sql; actorId?: string } = {},
): Promise<VerifiedChannel> {
  const [row] = await asService(
    (tx) => tx<{ channel_id: string; verified_at: Date; verification_method: string }[]>`
      select * from private.record_channel_verification(${target.tenant_id}, ${target.channel_id}, ${method}, ${routingKey(target)})`,
    opts.sql ?? db(),
    opts.actorId,
  );
  return { id: row.channel_id, verified_at: row.verified_at, verification_method: row.verification_method };
}

export async function assignChannel(channelId: string, sql: Sql = db()): Promise<VerifiedChannel> {
  const [row] = await asService(
    (tx) => tx<{ channel_id: string; verified_at: Date; verification_method: string }[]>`select * from private.assign_channel(${channelId})`,
    sql,
  );
  return { id: row.channel_id, verified_at: row.verified_at, verification_method: row.verification_method };
}
