
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "api_keys": {
                  Row: {
                    "created_at": string,"created_by": string | null,"expires_at": string | null,"id": string,"key_hash": string,"last_used_at": string | null,"name": string,"prefix": string,"revoked_at": string | null,"scopes": (string)[],"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"expires_at"?: string | null,"id"?: string,"key_hash": string,"last_used_at"?: string | null,"name": string,"prefix": string,"revoked_at"?: string | null,"scopes": (string)[],"tenant_id": string
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"expires_at"?: string | null,"id"?: string,"key_hash"?: string,"last_used_at"?: string | null,"name"?: string,"prefix"?: string,"revoked_at"?: string | null,"scopes"?: (string)[],"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "api_keys_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"audit_log": {
                  Row: {
                    "action": string,"actor_id": string | null,"actor_role": string,"id": number,"new_data": Json | null,"occurred_at": string,"old_data": Json | null,"row_key": Json | null,"table_name": string,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "action": string,"actor_id"?: string | null,"actor_role": string,"id"?: never,"new_data"?: Json | null,"occurred_at"?: string,"old_data"?: Json | null,"row_key"?: Json | null,"table_name": string,"tenant_id": string
                  }
                  Update: {
                    "action"?: string,"actor_id"?: string | null,"actor_role"?: string,"id"?: never,"new_data"?: Json | null,"occurred_at"?: string,"old_data"?: Json | null,"row_key"?: Json | null,"table_name"?: string,"tenant_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"bookings": {
                  Row: {
                    "cancel_reason": string | null,"cancelled_at": string | null,"created_at": string,"created_by": string | null,"currency": string | null,"customer_id": string,"ends_at": string,"id": string,"notes": string | null,"price_cents": number | null,"service_id": string,"source": Database["public"]['Enums']["booking_source"],"staff_id": string,"starts_at": string,"status": Database["public"]['Enums']["booking_status"],"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "cancel_reason"?: string | null,"cancelled_at"?: string | null,"created_at"?: string,"created_by"?: string | null,"currency"?: string | null,"customer_id": string,"ends_at": string,"id"?: string,"notes"?: string | null,"price_cents"?: number | null,"service_id": string,"source": Database["public"]['Enums']["booking_source"],"staff_id": string,"starts_at": string,"status"?: Database["public"]['Enums']["booking_status"],"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "cancel_reason"?: string | null,"cancelled_at"?: string | null,"created_at"?: string,"created_by"?: string | null,"currency"?: string | null,"customer_id"?: string,"ends_at"?: string,"id"?: string,"notes"?: string | null,"price_cents"?: number | null,"service_id"?: string,"source"?: Database["public"]['Enums']["booking_source"],"staff_id"?: string,"starts_at"?: string,"status"?: Database["public"]['Enums']["booking_status"],"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "bookings_tenant_id_customer_id_fkey"
      columns: ["tenant_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "bookings_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "bookings_tenant_id_service_id_fkey"
      columns: ["tenant_id","service_id"]
isOneToOne: false
      referencedRelation: "services"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "bookings_tenant_id_staff_id_fkey"
      columns: ["tenant_id","staff_id"]
isOneToOne: false
      referencedRelation: "staff"
      referencedColumns: ["tenant_id","id"]
    }
                  ]
                },"business_hours": {
                  Row: {
                    "closes_at": string,"id": string,"opens_at": string,"tenant_id": string,"weekday": number
                  }
                  ComputedFields: never
                  Insert: {
                    "closes_at": string,"id"?: string,"opens_at": string,"tenant_id": string,"weekday": number
                  }
                  Update: {
                    "closes_at"?: string,"id"?: string,"opens_at"?: string,"tenant_id"?: string,"weekday"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "business_hours_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"call_summaries": {
                  Row: {
                    "call_id": string,"created_at": string,"outcome": string | null,"sentiment": Database["public"]['Enums']["sentiment"] | null,"structured": NonNullable<Json>,"summary": string | null,"tenant_id": string,"transcript": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "call_id": string,"created_at"?: string,"outcome"?: string | null,"sentiment"?: Database["public"]['Enums']["sentiment"] | null,"structured"?: NonNullable<Json>,"summary"?: string | null,"tenant_id": string,"transcript"?: string | null
                  }
                  Update: {
                    "call_id"?: string,"created_at"?: string,"outcome"?: string | null,"sentiment"?: Database["public"]['Enums']["sentiment"] | null,"structured"?: NonNullable<Json>,"summary"?: string | null,"tenant_id"?: string,"transcript"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "call_summaries_tenant_id_call_id_fkey"
      columns: ["tenant_id","call_id"]
isOneToOne: true
      referencedRelation: "calls"
      referencedColumns: ["tenant_id","id"]
    }
                  ]
                },"caller_personality": {
                  Row: {
                    "agreeableness": number | null,"caller_id": string,"calls": number,"conscientiousness": number | null,"extraversion": number | null,"neuroticism": number | null,"openness": number | null,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agreeableness"?: number | null,"caller_id": string,"calls": number,"conscientiousness"?: number | null,"extraversion"?: number | null,"neuroticism"?: number | null,"openness"?: number | null,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "agreeableness"?: number | null,"caller_id"?: string,"calls"?: number,"conscientiousness"?: number | null,"extraversion"?: number | null,"neuroticism"?: number | null,"openness"?: number | null,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "caller_personality_tenant_id_caller_id_fkey"
      columns: ["tenant_id","caller_id"]
isOneToOne: true
      referencedRelation: "caller_profiles"
      referencedColumns: ["tenant_id","id"]
    }
                  ]
                },"caller_profiles": {
                  Row: {
                    "call_count": number,"created_at": string,"customer_id": string | null,"display_name": string | null,"first_call_at": string | null,"id": string,"last_call_at": string | null,"phone": string,"preferences": NonNullable<Json>,"summary": string | null,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "call_count"?: number,"created_at"?: string,"customer_id"?: string | null,"display_name"?: string | null,"first_call_at"?: string | null,"id"?: string,"last_call_at"?: string | null,"phone": string,"preferences"?: NonNullable<Json>,"summary"?: string | null,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "call_count"?: number,"created_at"?: string,"customer_id"?: string | null,"display_name"?: string | null,"first_call_at"?: string | null,"id"?: string,"last_call_at"?: string | null,"phone"?: string,"preferences"?: NonNullable<Json>,"summary"?: string | null,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "caller_profiles_tenant_id_customer_id_fkey"
      columns: ["tenant_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "caller_profiles_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"calls": {
                  Row: {
                    "agent_id": string | null,"batch_id": string | null,"channel_id": string | null,"context": NonNullable<Json>,"created_at": string,"customer_id": string | null,"dial_after": string | null,"dialed_at": string | null,"direction": Database["public"]['Enums']["call_direction"],"duration_seconds": number | null,"ended_at": string | null,"error_code": string | null,"error_message": string | null,"from_number": string | null,"id": string,"initiated_by": string | null,"lead_id": string | null,"provider": string,"provider_call_id": string | null,"recording_duration_seconds": number | null,"recording_url": string | null,"started_at": string | null,"status": Database["public"]['Enums']["call_status"],"telephony_call_sid": string | null,"tenant_id": string,"to_number": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agent_id"?: string | null,"batch_id"?: string | null,"channel_id"?: string | null,"context"?: NonNullable<Json>,"created_at"?: string,"customer_id"?: string | null,"dial_after"?: string | null,"dialed_at"?: string | null,"direction": Database["public"]['Enums']["call_direction"],"duration_seconds"?: number | null,"ended_at"?: string | null,"error_code"?: string | null,"error_message"?: string | null,"from_number"?: string | null,"id"?: string,"initiated_by"?: string | null,"lead_id"?: string | null,"provider": string,"provider_call_id"?: string | null,"recording_duration_seconds"?: number | null,"recording_url"?: string | null,"started_at"?: string | null,"status"?: Database["public"]['Enums']["call_status"],"telephony_call_sid"?: string | null,"tenant_id": string,"to_number"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "agent_id"?: string | null,"batch_id"?: string | null,"channel_id"?: string | null,"context"?: NonNullable<Json>,"created_at"?: string,"customer_id"?: string | null,"dial_after"?: string | null,"dialed_at"?: string | null,"direction"?: Database["public"]['Enums']["call_direction"],"duration_seconds"?: number | null,"ended_at"?: string | null,"error_code"?: string | null,"error_message"?: string | null,"from_number"?: string | null,"id"?: string,"initiated_by"?: string | null,"lead_id"?: string | null,"provider"?: string,"provider_call_id"?: string | null,"recording_duration_seconds"?: number | null,"recording_url"?: string | null,"started_at"?: string | null,"status"?: Database["public"]['Enums']["call_status"],"telephony_call_sid"?: string | null,"tenant_id"?: string,"to_number"?: string | null,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "calls_lead_fkey"
      columns: ["tenant_id","lead_id"]
isOneToOne: false
      referencedRelation: "leads"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "calls_tenant_id_agent_id_fkey"
      columns: ["tenant_id","agent_id"]
isOneToOne: false
      referencedRelation: "voice_agents"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "calls_tenant_id_channel_id_fkey"
      columns: ["tenant_id","channel_id"]
isOneToOne: false
      referencedRelation: "channels"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "calls_tenant_id_customer_id_fkey"
      columns: ["tenant_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "calls_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"channels": {
                  Row: {
                    "active": boolean,"capabilities": (string)[],"created_at": string,"display_phone_number": string | null,"id": string,"kind": Database["public"]['Enums']["channel_kind"],"name": string,"phone_number": string | null,"phone_number_id": string | null,"provider": string,"provider_account_id": string | null,"secrets": NonNullable<Json>,"settings": NonNullable<Json>,"tenant_id": string,"updated_at": string,"verification_method": string | null,"verified_at": string | null,"waba_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "active"?: boolean,"capabilities"?: (string)[],"created_at"?: string,"display_phone_number"?: string | null,"id"?: string,"kind": Database["public"]['Enums']["channel_kind"],"name"?: string,"phone_number"?: string | null,"phone_number_id"?: string | null,"provider": string,"provider_account_id"?: string | null,"secrets"?: NonNullable<Json>,"settings"?: NonNullable<Json>,"tenant_id": string,"updated_at"?: string,"verification_method"?: string | null,"verified_at"?: string | null,"waba_id"?: string | null
                  }
                  Update: {
                    "active"?: boolean,"capabilities"?: (string)[],"created_at"?: string,"display_phone_number"?: string | null,"id"?: string,"kind"?: Database["public"]['Enums']["channel_kind"],"name"?: string,"phone_number"?: string | null,"phone_number_id"?: string | null,"provider"?: string,"provider_account_id"?: string | null,"secrets"?: NonNullable<Json>,"settings"?: NonNullable<Json>,"tenant_id"?: string,"updated_at"?: string,"verification_method"?: string | null,"verified_at"?: string | null,"waba_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "channels_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"closures": {
                  Row: {
                    "created_at": string,"ends_at": string,"id": string,"reason": string | null,"staff_id": string | null,"starts_at": string,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"ends_at": string,"id"?: string,"reason"?: string | null,"staff_id"?: string | null,"starts_at": string,"tenant_id": string
                  }
                  Update: {
                    "created_at"?: string,"ends_at"?: string,"id"?: string,"reason"?: string | null,"staff_id"?: string | null,"starts_at"?: string,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "closures_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "closures_tenant_id_staff_id_fkey"
      columns: ["tenant_id","staff_id"]
isOneToOne: false
      referencedRelation: "staff"
      referencedColumns: ["tenant_id","id"]
    }
                  ]
                },"conversations": {
                  Row: {
                    "assigned_to": string | null,"bot_state": NonNullable<Json>,"channel_id": string,"closed_at": string | null,"created_at": string,"customer_id": string,"handed_over_at": string | null,"id": string,"last_inbound_at": string | null,"last_message_at": string | null,"source_referral": Json | null,"status": Database["public"]['Enums']["conversation_status"],"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "assigned_to"?: string | null,"bot_state"?: NonNullable<Json>,"channel_id": string,"closed_at"?: string | null,"created_at"?: string,"customer_id": string,"handed_over_at"?: string | null,"id"?: string,"last_inbound_at"?: string | null,"last_message_at"?: string | null,"source_referral"?: Json | null,"status"?: Database["public"]['Enums']["conversation_status"],"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "assigned_to"?: string | null,"bot_state"?: NonNullable<Json>,"channel_id"?: string,"closed_at"?: string | null,"created_at"?: string,"customer_id"?: string,"handed_over_at"?: string | null,"id"?: string,"last_inbound_at"?: string | null,"last_message_at"?: string | null,"source_referral"?: Json | null,"status"?: Database["public"]['Enums']["conversation_status"],"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "conversations_assignee"
      columns: ["tenant_id","assigned_to"]
isOneToOne: false
      referencedRelation: "memberships"
      referencedColumns: ["tenant_id","user_id"]
    },{
      foreignKeyName: "conversations_tenant_id_channel_id_fkey"
      columns: ["tenant_id","channel_id"]
isOneToOne: false
      referencedRelation: "channels"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "conversations_tenant_id_customer_id_fkey"
      columns: ["tenant_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "conversations_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"customer_service_preferences": {
                  Row: {
                    "created_at": string,"customer_id": string,"service_id": string,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"customer_id": string,"service_id": string,"tenant_id": string
                  }
                  Update: {
                    "created_at"?: string,"customer_id"?: string,"service_id"?: string,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "customer_service_preferences_tenant_id_customer_id_fkey"
      columns: ["tenant_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "customer_service_preferences_tenant_id_service_id_fkey"
      columns: ["tenant_id","service_id"]
isOneToOne: false
      referencedRelation: "services"
      referencedColumns: ["tenant_id","id"]
    }
                  ]
                },"customer_staff_preferences": {
                  Row: {
                    "created_at": string,"customer_id": string,"staff_id": string,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"customer_id": string,"staff_id": string,"tenant_id": string
                  }
                  Update: {
                    "created_at"?: string,"customer_id"?: string,"staff_id"?: string,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "customer_staff_preferences_tenant_id_customer_id_fkey"
      columns: ["tenant_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "customer_staff_preferences_tenant_id_staff_id_fkey"
      columns: ["tenant_id","staff_id"]
isOneToOne: false
      referencedRelation: "staff"
      referencedColumns: ["tenant_id","id"]
    }
                  ]
                },"customers": {
                  Row: {
                    "bsuid": string | null,"created_at": string,"email": string | null,"first_contact_at": string | null,"id": string,"last_contact_at": string | null,"marketing_opt_in": boolean,"marketing_opted_out_at": string | null,"marketing_preference_at": string | null,"name": string | null,"notes": string | null,"opted_out_at": string | null,"parent_bsuid": string | null,"phone": string | null,"tags": (string)[],"tenant_id": string,"total_spend_cents": number,"updated_at": string,"username": string | null,"visit_count": number,"wa_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "bsuid"?: string | null,"created_at"?: string,"email"?: string | null,"first_contact_at"?: string | null,"id"?: string,"last_contact_at"?: string | null,"marketing_opt_in"?: boolean,"marketing_opted_out_at"?: string | null,"marketing_preference_at"?: string | null,"name"?: string | null,"notes"?: string | null,"opted_out_at"?: string | null,"parent_bsuid"?: string | null,"phone"?: string | null,"tags"?: (string)[],"tenant_id": string,"total_spend_cents"?: number,"updated_at"?: string,"username"?: string | null,"visit_count"?: number,"wa_id"?: string | null
                  }
                  Update: {
                    "bsuid"?: string | null,"created_at"?: string,"email"?: string | null,"first_contact_at"?: string | null,"id"?: string,"last_contact_at"?: string | null,"marketing_opt_in"?: boolean,"marketing_opted_out_at"?: string | null,"marketing_preference_at"?: string | null,"name"?: string | null,"notes"?: string | null,"opted_out_at"?: string | null,"parent_bsuid"?: string | null,"phone"?: string | null,"tags"?: (string)[],"tenant_id"?: string,"total_spend_cents"?: number,"updated_at"?: string,"username"?: string | null,"visit_count"?: number,"wa_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "customers_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"feature_flags": {
                  Row: {
                    "config": NonNullable<Json>,"enabled": boolean,"flag": string,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "config"?: NonNullable<Json>,"enabled"?: boolean,"flag": string,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "config"?: NonNullable<Json>,"enabled"?: boolean,"flag"?: string,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "feature_flags_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"follow_ups": {
                  Row: {
                    "call_id": string | null,"callback_phone": string | null,"caller_name": string | null,"content": string,"conversation_id": string | null,"created_at": string,"customer_id": string | null,"done_at": string | null,"done_by": string | null,"id": string,"kind": string,"source": string,"status": string,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "call_id"?: string | null,"callback_phone"?: string | null,"caller_name"?: string | null,"content": string,"conversation_id"?: string | null,"created_at"?: string,"customer_id"?: string | null,"done_at"?: string | null,"done_by"?: string | null,"id"?: string,"kind"?: string,"source": string,"status"?: string,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "call_id"?: string | null,"callback_phone"?: string | null,"caller_name"?: string | null,"content"?: string,"conversation_id"?: string | null,"created_at"?: string,"customer_id"?: string | null,"done_at"?: string | null,"done_by"?: string | null,"id"?: string,"kind"?: string,"source"?: string,"status"?: string,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "follow_ups_tenant_id_call_id_fkey"
      columns: ["tenant_id","call_id"]
isOneToOne: false
      referencedRelation: "calls"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "follow_ups_tenant_id_conversation_id_fkey"
      columns: ["tenant_id","conversation_id"]
isOneToOne: false
      referencedRelation: "conversations"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "follow_ups_tenant_id_customer_id_fkey"
      columns: ["tenant_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "follow_ups_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"invitations": {
                  Row: {
                    "accepted_at": string | null,"accepted_by": string | null,"created_at": string,"email": string,"expires_at": string,"id": string,"invited_by": string | null,"role": Database["public"]['Enums']["membership_role"],"tenant_id": string,"token_hash": string
                  }
                  ComputedFields: never
                  Insert: {
                    "accepted_at"?: string | null,"accepted_by"?: string | null,"created_at"?: string,"email": string,"expires_at"?: string,"id"?: string,"invited_by"?: string | null,"role"?: Database["public"]['Enums']["membership_role"],"tenant_id": string,"token_hash": string
                  }
                  Update: {
                    "accepted_at"?: string | null,"accepted_by"?: string | null,"created_at"?: string,"email"?: string,"expires_at"?: string,"id"?: string,"invited_by"?: string | null,"role"?: Database["public"]['Enums']["membership_role"],"tenant_id"?: string,"token_hash"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "invitations_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"leads": {
                  Row: {
                    "company": string | null,"created_at": string,"customer_id": string | null,"do_not_call": boolean,"email": string | null,"id": string,"last_contacted_at": string | null,"name": string | null,"notes": string | null,"phone": string | null,"source": string,"source_detail": string | null,"status": Database["public"]['Enums']["lead_status"],"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "company"?: string | null,"created_at"?: string,"customer_id"?: string | null,"do_not_call"?: boolean,"email"?: string | null,"id"?: string,"last_contacted_at"?: string | null,"name"?: string | null,"notes"?: string | null,"phone"?: string | null,"source": string,"source_detail"?: string | null,"status"?: Database["public"]['Enums']["lead_status"],"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "company"?: string | null,"created_at"?: string,"customer_id"?: string | null,"do_not_call"?: boolean,"email"?: string | null,"id"?: string,"last_contacted_at"?: string | null,"name"?: string | null,"notes"?: string | null,"phone"?: string | null,"source"?: string,"source_detail"?: string | null,"status"?: Database["public"]['Enums']["lead_status"],"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "leads_tenant_id_customer_id_fkey"
      columns: ["tenant_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "leads_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"memberships": {
                  Row: {
                    "created_at": string,"role": Database["public"]['Enums']["membership_role"],"tenant_id": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"role"?: Database["public"]['Enums']["membership_role"],"tenant_id": string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "created_at"?: string,"role"?: Database["public"]['Enums']["membership_role"],"tenant_id"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "memberships_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"memories": {
                  Row: {
                    "caller_id": string,"content": string,"created_at": string,"id": string,"importance": number,"kind": string,"search": unknown,"source_call_id": string | null,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "caller_id": string,"content": string,"created_at"?: string,"id"?: string,"importance"?: number,"kind"?: string,"search"?: never,"source_call_id"?: string | null,"tenant_id": string
                  }
                  Update: {
                    "caller_id"?: string,"content"?: string,"created_at"?: string,"id"?: string,"importance"?: number,"kind"?: string,"search"?: never,"source_call_id"?: string | null,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "memories_tenant_id_caller_id_fkey"
      columns: ["tenant_id","caller_id"]
isOneToOne: false
      referencedRelation: "caller_profiles"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "memories_tenant_id_source_call_id_fkey"
      columns: ["tenant_id","source_call_id"]
isOneToOne: false
      referencedRelation: "calls"
      referencedColumns: ["tenant_id","id"]
    }
                  ]
                },"messages": {
                  Row: {
                    "body": string | null,"channel_id": string,"context_message_id": string | null,"context_provider_id": string | null,"conversation_id": string,"created_at": string,"direction": Database["public"]['Enums']["message_direction"],"edit_history": NonNullable<Json>,"edited_at": string | null,"error_code": string | null,"error_details": Json | null,"error_title": string | null,"group_id": string | null,"id": string,"media_id": string | null,"next_attempt_at": string | null,"origin": string | null,"payload": NonNullable<Json>,"pricing": Json | null,"provider_message_id": string | null,"purpose": string | null,"revoked_at": string | null,"send_attempts": number,"sent_at": string | null,"sent_by": string | null,"status": Database["public"]['Enums']["message_status"],"status_events": NonNullable<Json>,"status_updated_at": string,"tenant_id": string,"type": Database["public"]['Enums']["message_type"]
                  }
                  ComputedFields: never
                  Insert: {
                    "body"?: string | null,"channel_id": string,"context_message_id"?: string | null,"context_provider_id"?: string | null,"conversation_id": string,"created_at"?: string,"direction": Database["public"]['Enums']["message_direction"],"edit_history"?: NonNullable<Json>,"edited_at"?: string | null,"error_code"?: string | null,"error_details"?: Json | null,"error_title"?: string | null,"group_id"?: string | null,"id"?: string,"media_id"?: string | null,"next_attempt_at"?: string | null,"origin"?: string | null,"payload"?: NonNullable<Json>,"pricing"?: Json | null,"provider_message_id"?: string | null,"purpose"?: string | null,"revoked_at"?: string | null,"send_attempts"?: number,"sent_at"?: string | null,"sent_by"?: string | null,"status": Database["public"]['Enums']["message_status"],"status_events"?: NonNullable<Json>,"status_updated_at"?: string,"tenant_id": string,"type": Database["public"]['Enums']["message_type"]
                  }
                  Update: {
                    "body"?: string | null,"channel_id"?: string,"context_message_id"?: string | null,"context_provider_id"?: string | null,"conversation_id"?: string,"created_at"?: string,"direction"?: Database["public"]['Enums']["message_direction"],"edit_history"?: NonNullable<Json>,"edited_at"?: string | null,"error_code"?: string | null,"error_details"?: Json | null,"error_title"?: string | null,"group_id"?: string | null,"id"?: string,"media_id"?: string | null,"next_attempt_at"?: string | null,"origin"?: string | null,"payload"?: NonNullable<Json>,"pricing"?: Json | null,"provider_message_id"?: string | null,"purpose"?: string | null,"revoked_at"?: string | null,"send_attempts"?: number,"sent_at"?: string | null,"sent_by"?: string | null,"status"?: Database["public"]['Enums']["message_status"],"status_events"?: NonNullable<Json>,"status_updated_at"?: string,"tenant_id"?: string,"type"?: Database["public"]['Enums']["message_type"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "messages_context_fkey"
      columns: ["tenant_id","context_message_id"]
isOneToOne: false
      referencedRelation: "messages"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "messages_tenant_id_channel_id_fkey"
      columns: ["tenant_id","channel_id"]
isOneToOne: false
      referencedRelation: "channels"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "messages_tenant_id_conversation_id_fkey"
      columns: ["tenant_id","conversation_id"]
isOneToOne: false
      referencedRelation: "conversations"
      referencedColumns: ["tenant_id","id"]
    }
                  ]
                },"outbound_call_settings": {
                  Row: {
                    "calls_per_minute": number,"cooldown_minutes": number,"tenant_id": string,"updated_at": string,"window_end": string,"window_start": string
                  }
                  ComputedFields: never
                  Insert: {
                    "calls_per_minute"?: number,"cooldown_minutes"?: number,"tenant_id": string,"updated_at"?: string,"window_end"?: string,"window_start"?: string
                  }
                  Update: {
                    "calls_per_minute"?: number,"cooldown_minutes"?: number,"tenant_id"?: string,"updated_at"?: string,"window_end"?: string,"window_start"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "outbound_call_settings_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: true
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"personality_metrics": {
                  Row: {
                    "agreeableness": number | null,"call_id": string,"caller_id": string,"conscientiousness": number | null,"created_at": string,"extraversion": number | null,"neuroticism": number | null,"openness": number | null,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agreeableness"?: number | null,"call_id": string,"caller_id": string,"conscientiousness"?: number | null,"created_at"?: string,"extraversion"?: number | null,"neuroticism"?: number | null,"openness"?: number | null,"tenant_id": string
                  }
                  Update: {
                    "agreeableness"?: number | null,"call_id"?: string,"caller_id"?: string,"conscientiousness"?: number | null,"created_at"?: string,"extraversion"?: number | null,"neuroticism"?: number | null,"openness"?: number | null,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "personality_metrics_tenant_id_call_id_fkey"
      columns: ["tenant_id","call_id"]
isOneToOne: true
      referencedRelation: "calls"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "personality_metrics_tenant_id_caller_id_fkey"
      columns: ["tenant_id","caller_id"]
isOneToOne: false
      referencedRelation: "caller_profiles"
      referencedColumns: ["tenant_id","id"]
    }
                  ]
                },"plans": {
                  Row: {
                    "currency": string,"id": string,"limits": NonNullable<Json>,"monthly_price_cents": number,"name": string,"sort_order": number
                  }
                  ComputedFields: never
                  Insert: {
                    "currency"?: string,"id": string,"limits": NonNullable<Json>,"monthly_price_cents": number,"name": string,"sort_order"?: number
                  }
                  Update: {
                    "currency"?: string,"id"?: string,"limits"?: NonNullable<Json>,"monthly_price_cents"?: number,"name"?: string,"sort_order"?: number
                  }
                  Relationships: [
                    
                  ]
                },"services": {
                  Row: {
                    "active": boolean,"category": string | null,"created_at": string,"currency": string,"description": string | null,"duration_minutes": number,"id": string,"name": string,"price_cents": number,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "active"?: boolean,"category"?: string | null,"created_at"?: string,"currency"?: string,"description"?: string | null,"duration_minutes": number,"id"?: string,"name": string,"price_cents"?: number,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "active"?: boolean,"category"?: string | null,"created_at"?: string,"currency"?: string,"description"?: string | null,"duration_minutes"?: number,"id"?: string,"name"?: string,"price_cents"?: number,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "services_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"staff": {
                  Row: {
                    "active": boolean,"color": string | null,"created_at": string,"email": string | null,"id": string,"name": string,"phone": string | null,"tenant_id": string,"updated_at": string,"user_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "active"?: boolean,"color"?: string | null,"created_at"?: string,"email"?: string | null,"id"?: string,"name": string,"phone"?: string | null,"tenant_id": string,"updated_at"?: string,"user_id"?: string | null
                  }
                  Update: {
                    "active"?: boolean,"color"?: string | null,"created_at"?: string,"email"?: string | null,"id"?: string,"name"?: string,"phone"?: string | null,"tenant_id"?: string,"updated_at"?: string,"user_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "staff_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "staff_user_membership"
      columns: ["tenant_id","user_id"]
isOneToOne: false
      referencedRelation: "memberships"
      referencedColumns: ["tenant_id","user_id"]
    }
                  ]
                },"staff_services": {
                  Row: {
                    "service_id": string,"staff_id": string,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "service_id": string,"staff_id": string,"tenant_id": string
                  }
                  Update: {
                    "service_id"?: string,"staff_id"?: string,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "staff_services_tenant_id_service_id_fkey"
      columns: ["tenant_id","service_id"]
isOneToOne: false
      referencedRelation: "services"
      referencedColumns: ["tenant_id","id"]
    },{
      foreignKeyName: "staff_services_tenant_id_staff_id_fkey"
      columns: ["tenant_id","staff_id"]
isOneToOne: false
      referencedRelation: "staff"
      referencedColumns: ["tenant_id","id"]
    }
                  ]
                },"subscriptions": {
                  Row: {
                    "canceled_at": string | null,"created_at": string,"current_period_end": string,"current_period_start": string,"id": string,"plan_id": string,"status": Database["public"]['Enums']["subscription_status"],"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "canceled_at"?: string | null,"created_at"?: string,"current_period_end"?: string,"current_period_start"?: string,"id"?: string,"plan_id": string,"status"?: Database["public"]['Enums']["subscription_status"],"tenant_id": string
                  }
                  Update: {
                    "canceled_at"?: string | null,"created_at"?: string,"current_period_end"?: string,"current_period_start"?: string,"id"?: string,"plan_id"?: string,"status"?: Database["public"]['Enums']["subscription_status"],"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "subscriptions_plan_id_fkey"
      columns: ["plan_id"]
isOneToOne: false
      referencedRelation: "plans"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "subscriptions_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"tenants": {
                  Row: {
                    "address": string | null,"category": string | null,"created_at": string,"id": string,"name": string,"phone": string | null,"settings": NonNullable<Json>,"slug": string,"status": Database["public"]['Enums']["tenant_status"],"timezone": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "address"?: string | null,"category"?: string | null,"created_at"?: string,"id"?: string,"name": string,"phone"?: string | null,"settings"?: NonNullable<Json>,"slug": string,"status"?: Database["public"]['Enums']["tenant_status"],"timezone"?: string,"updated_at"?: string
                  }
                  Update: {
                    "address"?: string | null,"category"?: string | null,"created_at"?: string,"id"?: string,"name"?: string,"phone"?: string | null,"settings"?: NonNullable<Json>,"slug"?: string,"status"?: Database["public"]['Enums']["tenant_status"],"timezone"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"usage_events": {
                  Row: {
                    "id": string,"metric": Database["public"]['Enums']["usage_metric"],"occurred_at": string,"quantity": number,"source_ref": string | null,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "id"?: string,"metric": Database["public"]['Enums']["usage_metric"],"occurred_at"?: string,"quantity": number,"source_ref"?: string | null,"tenant_id": string
                  }
                  Update: {
                    "id"?: string,"metric"?: Database["public"]['Enums']["usage_metric"],"occurred_at"?: string,"quantity"?: number,"source_ref"?: string | null,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "usage_events_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"usage_monthly": {
                  Row: {
                    "metric": Database["public"]['Enums']["usage_metric"],"month": string,"quantity": number,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "metric": Database["public"]['Enums']["usage_metric"],"month": string,"quantity"?: number,"tenant_id": string
                  }
                  Update: {
                    "metric"?: Database["public"]['Enums']["usage_metric"],"month"?: string,"quantity"?: number,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "usage_monthly_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"voice_agents": {
                  Row: {
                    "active": boolean,"config": NonNullable<Json>,"created_at": string,"greeting": string | null,"id": string,"language": string,"media_stream_url": string | null,"name": string,"platform": string,"platform_agent_id": string | null,"system_prompt": string | null,"tenant_id": string,"updated_at": string,"voice_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "active"?: boolean,"config"?: NonNullable<Json>,"created_at"?: string,"greeting"?: string | null,"id"?: string,"language"?: string,"media_stream_url"?: string | null,"name": string,"platform"?: string,"platform_agent_id"?: string | null,"system_prompt"?: string | null,"tenant_id": string,"updated_at"?: string,"voice_id"?: string | null
                  }
                  Update: {
                    "active"?: boolean,"config"?: NonNullable<Json>,"created_at"?: string,"greeting"?: string | null,"id"?: string,"language"?: string,"media_stream_url"?: string | null,"name"?: string,"platform"?: string,"platform_agent_id"?: string | null,"system_prompt"?: string | null,"tenant_id"?: string,"updated_at"?: string,"voice_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "voice_agents_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "voice_agents_tenant_id_voice_id_fkey"
      columns: ["tenant_id","voice_id"]
isOneToOne: false
      referencedRelation: "voices"
      referencedColumns: ["tenant_id","id"]
    }
                  ]
                },"voices": {
                  Row: {
                    "created_at": string,"id": string,"language": string,"name": string,"provider": string,"provider_voice_id": string,"settings": NonNullable<Json>,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"id"?: string,"language"?: string,"name": string,"provider": string,"provider_voice_id": string,"settings"?: NonNullable<Json>,"tenant_id": string
                  }
                  Update: {
                    "created_at"?: string,"id"?: string,"language"?: string,"name"?: string,"provider"?: string,"provider_voice_id"?: string,"settings"?: NonNullable<Json>,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "voices_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                }
          }
          Views: {
            [_ in never]: never
          }
          Functions: {
            "accept_invitation":
{ Args: { "p_token": string }; Returns: {
              "created_at": string,
"role": Database["public"]['Enums']["membership_role"],
"tenant_id": string,
"updated_at": string,
"user_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "memberships"
        isOneToOne: true
        isSetofReturn: false
      } },
"available_slots":
{ Args: { "p_from": string,"p_service_id": string,"p_staff_id"?: string,"p_step_minutes"?: number,"p_to": string }; Returns: {
              "ends_at": string,"staff_id": string,"starts_at": string
            }[]
                           },
"create_tenant":
{ Args: { "p_address"?: string,"p_category"?: string,"p_name": string,"p_phone"?: string,"p_settings"?: Json,"p_slug": string,"p_timezone"?: string }; Returns: {
              "address": string | null,
"category": string | null,
"created_at": string,
"id": string,
"name": string,
"phone": string | null,
"settings": NonNullable<Json>,
"slug": string,
"status": Database["public"]['Enums']["tenant_status"],
"timezone": string,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "tenants"
        isOneToOne: true
        isSetofReturn: false
      } },
"custom_access_token_hook":
{ Args: { "event": Json }; Returns: Json
                           },
"invite_member":
{ Args: { "p_email": string,"p_role"?: Database["public"]['Enums']["membership_role"] }; Returns: {
              "email": string,"expires_at": string,"invitation_id": string,"role": Database["public"]['Enums']["membership_role"],"tenant_id": string,"token": string
            }[]
                           },
"list_my_tenants":
{ Args: Record<PropertyKey, never>; Returns: {
              "active": boolean,"category": string,"name": string,"role": Database["public"]['Enums']["membership_role"],"slug": string,"status": Database["public"]['Enums']["tenant_status"],"tenant_id": string,"timezone": string
            }[]
                           },
"send_message":
{ Args: { "p_body": string,"p_conversation_id": string,"p_payload"?: Json,"p_type": Database["public"]['Enums']["message_type"] }; Returns: string
                           },
"set_channel_secret":
{ Args: { "p_channel_id": string,"p_ciphertext": string,"p_key_id": string,"p_name": string }; Returns: undefined
                           },
"switch_tenant":
{ Args: { "p_tenant_id": string }; Returns: undefined
                           },
"usage_and_limits":
{ Args: Record<PropertyKey, never>; Returns: {
              "metric": Database["public"]['Enums']["usage_metric"],"monthly_limit": number,"plan_id": string,"plan_name": string,"remaining": number,"used": number
            }[]
                           }
          }
          Enums: {
            "booking_source": "whatsapp"|"voice"|"web"|"api","booking_status": "pending"|"confirmed"|"cancelled"|"completed"|"no_show","call_direction": "inbound"|"outbound","call_status": "queued"|"initiated"|"ringing"|"in_progress"|"completed"|"busy"|"no_answer"|"failed"|"canceled","channel_kind": "whatsapp"|"phone","conversation_status": "open"|"closed","lead_status": "new"|"contacted"|"qualified"|"won"|"lost","membership_role": "staff"|"admin"|"owner","message_direction": "inbound"|"outbound","message_status": "received"|"queued"|"sent"|"delivered"|"read"|"failed","message_type": "text"|"image"|"audio"|"voice"|"video"|"document"|"sticker"|"location"|"contacts"|"interactive"|"button"|"reaction"|"order"|"template"|"system"|"edit"|"revoke"|"unsupported","sentiment": "positive"|"neutral"|"negative"|"mixed","subscription_status": "trialing"|"active"|"past_due"|"canceled","tenant_status": "active"|"suspended","usage_metric": "inbound_messages"|"outbound_messages"|"call_minutes"|"memories"|"assistant_turns"|"assistant_tokens"|"outbound_calls"|"outbound_call_minutes"
          }
          CompositeTypes: {
            [_ in never]: never
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "public": {
          Enums: {
            "booking_source": ["whatsapp", "voice", "web", "api"],"booking_status": ["pending", "confirmed", "cancelled", "completed", "no_show"],"call_direction": ["inbound", "outbound"],"call_status": ["queued", "initiated", "ringing", "in_progress", "completed", "busy", "no_answer", "failed", "canceled"],"channel_kind": ["whatsapp", "phone"],"conversation_status": ["open", "closed"],"lead_status": ["new", "contacted", "qualified", "won", "lost"],"membership_role": ["staff", "admin", "owner"],"message_direction": ["inbound", "outbound"],"message_status": ["received", "queued", "sent", "delivered", "read", "failed"],"message_type": ["text", "image", "audio", "voice", "video", "document", "sticker", "location", "contacts", "interactive", "button", "reaction", "order", "template", "system", "edit", "revoke", "unsupported"],"sentiment": ["positive", "neutral", "negative", "mixed"],"subscription_status": ["trialing", "active", "past_due", "canceled"],"tenant_status": ["active", "suspended"],"usage_metric": ["inbound_messages", "outbound_messages", "call_minutes", "memories", "assistant_turns", "assistant_tokens", "outbound_calls", "outbound_call_minutes"]
          }
        }
} as const
