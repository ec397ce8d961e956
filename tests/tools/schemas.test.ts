// One JSON-schema description per tool, generated from the same zod schemas that validate the arguments.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { TOOL_NAMES, toolArgs, toolDefinitions } from "../../supabase/functions/_shared/tools/schemas.ts";

const defs = toolDefinitions();

describe("toolDefinitions()", () => {
  it("lists every tool of the issue once, each with a description and an object schema", () => {
    expect(defs.map((d) => d.name)).toEqual([
      "check_availability", "book_appointment", "reschedule_appointment", "cancel_appointment", "list_appointments",
      "business_info", "caller_profile", "remember", "take_message", "transfer_to_human",
    ]);
    expect(TOOL_NAMES).toEqual(defs.map((d) => d.name));
    for (const d of defs) {
      expect(d.description.length, d.name).toBeGreaterThan(30);
      expect(d.parameters.type, d.name).toBe("object");
      expect(d.parameters).not.toHaveProperty("$schema");
      expect(JSON.parse(JSON.stringify(d.parameters))).toEqual(d.parameters); // plain JSON, as every platform takes it
    }
  });

  it("is the zod schema's JSON Schema (input side), nothing written by hand", () => {
    for (const d of defs) {
      const { $schema: _, description, ...generated } = z.toJSONSchema(toolArgs[d.name], { io: "input" }) as Record<string, unknown>;
      expect(d.parameters, d.name).toEqual({ ...generated, type: "object" });
      expect(d.description).toBe(description);
    }
  });

  it("says what is required and how each argument reads", () => {
    const by = Object.fromEntries(defs.map((d) => [d.name, d.parameters as any]));
    expect(by.check_availability.required).toEqual(["service"]);
    expect(by.check_availability.properties.part_of_day).toMatchObject({ type: "string", enum: ["morning", "afternoon", "evening"] });
    expect(by.check_availability.properties.limit).toMatchObject({ type: "integer", minimum: 1, maximum: 20 });
    expect(by.book_appointment.required).toEqual(["service"]);
    expect(Object.keys(by.book_appointment.properties).sort()).toEqual(["customer_name", "day", "notes", "service", "staff", "starts_at", "time"]);
    expect(by.book_appointment.properties.service.description).toMatch(/a fade/);
    expect(by.remember.required).toEqual(["content"]);
    expect(by.remember.properties.content).toMatchObject({ type: "string", minLength: 1, maxLength: 4000 });
    expect(by.take_message.required).toEqual(["message"]);
    expect(by.take_message.properties.callback_phone.pattern).toBe("^\\+[1-9]\\d{6,14}$");
    expect(by.list_appointments).toEqual({ type: "object", properties: {} });
  });

  it("what the schema allows, zod accepts, and what it forbids, zod refuses", () => {
    expect(toolArgs.book_appointment.safeParse({ service: "fade", staff: "Luis", day: "tomorrow", time: "10" }).success).toBe(true);
    expect(toolArgs.book_appointment.safeParse({ staff: "Luis" }).success).toBe(false);
    expect(toolArgs.check_availability.safeParse({ service: "fade", part_of_day: "night" }).success).toBe(false);
    expect(toolArgs.remember.safeParse({ content: "x", importance: 11 }).success).toBe(false);
  });

  it("hands out copies: a caller changing one cannot change the next caller's", () => {
    const mine = toolDefinitions();
    (mine[0].parameters as any).properties.service.description = "changed";
    expect((toolDefinitions()[0].parameters as any).properties.service.description).not.toBe("changed");
  });
});
