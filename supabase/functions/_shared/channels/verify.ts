// POST /channels/<id>/verify: a business proves it controls one of its numbers with its own provider credentials.
// Read the channel and its encrypted credential as the caller, decrypt it here, ask the provider, and record the
// answer as service_role. The credential is used only in the request to the provider: never logged, never answered.
import type { CallerClaims } from "../db/client.ts";
import { HttpError } from "../http/errors.ts";
import { decryptSecret, platformKey } from "../secrets/crypto.ts";
import { whatsappConfig } from "../whatsapp/config.ts";
import { graphCanReadNumber } from "./meta-graph.ts";
import type { Proof } from "./proof.ts";
import { channelToVerify, recordVerification, type ChannelToVerify, type VerificationMethod, type VerifiedChannel } from "./store.ts";
import { twilioAccountListsNumber, twilioApiBaseUrl } from "./twilio-numbers.ts";

const setCredential = (id: string, name: string, what: string) =>
  `set it with PUT /functions/v1/credentials/channels/${id}/${name} {"value": "<${what}>"}`;

interface Missing { path: string; message: string }

/** What is missing before this channel can be verified, each with how to set it (400 when anything is). */
function missing(c: ChannelToVerify): Missing[] {
  const problems: Missing[] = [];
  const need = (path: string, message: string) => problems.push({ path, message });
  if (c.kind === "whatsapp" && !c.ciphertext) {
    need("access_token", `the channel has no access_token (the Meta access token that can read phone number ${c.phone_number_id}): ${setCredential(c.channel_id, "access_token", "Meta access token")}`);
  }
  if (c.kind === "phone" && c.provider === "twilio") {
    if (!c.provider_account_id) {
      need("provider_account_id", `the channel has no provider_account_id (the Twilio Account SID, AC…, that owns ${c.phone_number}): set it with PATCH /rest/v1/channels?id=eq.${c.channel_id} {"provider_account_id": "AC…"}`);
    }
    if (!c.ciphertext) {
      need("auth_token", `the channel has no auth_token (that Twilio account's auth token): ${setCredential(c.channel_id, "auth_token", "Twilio auth token")}`);
    }
  }
  return problems;
}

async function credential(c: ChannelToVerify): Promise<string> {
  const key = await platformKey(); // not configured: the platform's fault (500), not the business's
  try {
    return await decryptSecret(new Uint8Array(c.ciphertext!), c.key_id!, { tenantId: c.tenant_id, channelId: c.channel_id, name: c.credential_name! }, key);
  } catch {
    // Encrypted with a key the platform no longer has (or damaged): only setting it again helps.
    throw new HttpError(400, "credential_unreadable", `the channel's ${c.credential_name} cannot be decrypted with the platform's current key: ${setCredential(c.channel_id, c.credential_name!, "value")}, then verify again`);
  }
}

async function ask(c: ChannelToVerify): Promise<{ method: VerificationMethod; proof: Proof }> {
  if (c.kind === "whatsapp") {
    return { method: "meta_graph", proof: await graphCanReadNumber(whatsappConfig().graphUrl, c.phone_number_id!, await credential(c)) };
  }
  return {
    method: "twilio_account",
    proof: await twilioAccountListsNumber(twilioApiBaseUrl(), c.provider_account_id!, await credential(c), c.phone_number!),
  };
}

export async function verifyChannel(claims: CallerClaims & { sub: string }, channelId: string): Promise<VerifiedChannel> {
  const target = await channelToVerify(claims, channelId);
  if (target.verified_at) {
    return { id: target.channel_id, verified_at: target.verified_at, verification_method: target.verification_method };
  }
  if (target.kind === "phone" && target.provider !== "twilio") {
    throw new HttpError(422, "unsupported_provider",
      `numbers with provider "${target.provider}" cannot be verified automatically (WhatsApp and Twilio numbers can); ask the platform operator to assign it`);
  }
  const problems = missing(target);
  if (problems.length > 0) {
    throw new HttpError(400, "missing_credentials", `cannot verify this channel yet: ${problems.map((p) => p.message).join("; ")}`, problems);
  }
  const { method, proof } = await ask(target);
  if (!proof.ok) {
    const r = proof.refusal;
    const who = r.provider === "meta" ? "Meta" : "Twilio";
    throw new HttpError(422, "not_verified",
      `${who} did not confirm that this business controls the number: ${r.message}${r.code ? ` (code ${r.code})` : ""}`,
      { provider: r.provider, status: r.status, code: r.code, ...(r.details ? { error: r.details } : {}) });
  }
  return recordVerification(target, method, { actorId: claims.sub });
}
