// Onboarding: create a business, invite and accept members, list and switch businesses. Each operation is one SQL
// function run as the caller (see supabase/migrations/*_onboarding_api.sql); nothing here filters by tenant.
import { z } from "zod";
import type postgres from "postgres";
import { asCaller, type CallerClaims, type Sql } from "../db/client.ts";
import type { Database } from "../db/database.types.ts";
import { E164 } from "../phone/e164.ts";

type Api = Database["public"];
export type Tenant = Api["Tables"]["tenants"]["Row"];
export type Membership = Api["Tables"]["memberships"]["Row"];
export type MyTenant = Api["Functions"]["list_my_tenants"]["Returns"][number];
export type NewInvitation = Api["Functions"]["invite_member"]["Returns"][number];

export const createTenantInput = z.strictObject({
  slug: z.string().trim().toLowerCase().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "use lower-case letters, digits and single hyphens")
    .min(3).max(63),
  name: z.string().trim().min(1).max(200),
  timezone: z.string().min(1).max(64).default("UTC"),
  category: z.string().trim().min(1).max(60).optional(),
  address: z.string().trim().max(500).optional(),
  phone: z.string().regex(E164, "use E.164, e.g. +14155550123").optional(),
  settings: z.record(z.string(), z.unknown()).default({}),
});
export type CreateTenantInput = z.infer<typeof createTenantInput>;

export const inviteInput = z.strictObject({
  email: z.email().transform((e) => e.toLowerCase()),
  role: z.enum(["owner", "admin", "staff"]).default("staff"),
});

export const acceptInput = z.strictObject({ token: z.string().min(10).max(200) });
export const switchInput = z.strictObject({ tenant_id: z.uuid() });

export async function createTenant(claims: CallerClaims, input: CreateTenantInput, sql?: Sql) {
  return asCaller(claims, async (tx) => {
    const [tenant] = await tx<Tenant[]>`
      select * from public.create_tenant(
        ${input.slug}, ${input.name}, ${input.timezone}, ${input.category ?? null},
        ${input.address ?? null}, ${input.phone ?? null}, ${tx.json(input.settings as postgres.JSONValue)})`;
    return tenant;
  }, sql);
}

export async function listMyTenants(claims: CallerClaims, sql?: Sql) {
  return asCaller(claims, (tx) => tx<MyTenant[]>`select * from public.list_my_tenants()`, sql);
}

export async function inviteMember(claims: CallerClaims, input: z.infer<typeof inviteInput>, sql?: Sql) {
  return asCaller(claims, async (tx) => {
    const [invitation] = await tx<NewInvitation[]>`select * from public.invite_member(${input.email}, ${input.role})`;
    return invitation;
  }, sql);
}

export async function acceptInvitation(claims: CallerClaims, input: z.infer<typeof acceptInput>, sql?: Sql) {
  return asCaller(claims, async (tx) => {
    const [membership] = await tx<Membership[]>`select * from public.accept_invitation(${input.token})`;
    return membership;
  }, sql);
}

export async function switchTenant(claims: CallerClaims, input: z.infer<typeof switchInput>, sql?: Sql) {
  await asCaller(claims, (tx) => tx`select public.switch_tenant(${input.tenant_id})`, sql);
}

