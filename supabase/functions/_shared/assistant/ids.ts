// The ids of the options we send, and reading them back. An id comes back from the customer's phone, so it is
// untrusted: parseOption accepts only the exact shapes built here (anything else is null), and the dispatcher then
// checks the option against what the current step offered. Confirmations name what they confirm, so tapping the
// "Confirm" of an older message can never book the slot on screen now.
import { isId, type SlotOption } from "./state.ts";
import { isDay } from "./time.ts";

export type MenuAction = "book" | "mine" | "reschedule" | "cancel" | "human" | "main";
const MENU_ACTIONS: MenuAction[] = ["book", "mine", "reschedule", "cancel", "human", "main"];

export type Option =
  | { kind: "menu"; action: MenuAction }
  | { kind: "service"; id: string }
  | { kind: "staff"; id: string | null }
  | { kind: "day"; day: string }
  | { kind: "slot"; slot: SlotOption }
  | { kind: "more"; page: number }
  | { kind: "confirm"; answer: "yes"; slot: SlotOption }
  | { kind: "confirm"; answer: "other" | "no" }
  | { kind: "booking"; id: string }
  | { kind: "cancel"; answer: "yes"; id: string }
  | { kind: "cancel"; answer: "no" };

const slotKey = (s: SlotOption) => `${s.at}|${s.staff ?? "any"}`;

export const optionId = {
  menu: (action: MenuAction) => `menu:${action}`,
  service: (id: string) => `svc:${id}`,
  staff: (id: string | null) => `staff:${id ?? "any"}`,
  day: (day: string) => `day:${day}`,
  slot: (s: SlotOption) => `slot:${slotKey(s)}`,
  more: (page: number) => `more:${page}`,
  confirmYes: (s: SlotOption) => `confirm:yes:${slotKey(s)}`,
  confirmOther: () => "confirm:other",
  confirmNo: () => "confirm:no",
  booking: (id: string) => `bk:${id}`,
  cancelYes: (id: string) => `cancel:yes:${id}`,
  cancelNo: () => "cancel:no",
};

function parseSlot(key: string): SlotOption | null {
  const bar = key.lastIndexOf("|");
  if (bar < 0) return null;
  const at = key.slice(0, bar);
  const staff = key.slice(bar + 1);
  const time = Date.parse(at);
  // Only the canonical form we send (toISOString), so one instant has exactly one id.
  if (Number.isNaN(time) || new Date(time).toISOString() !== at) return null;
  if (staff !== "any" && !isId(staff)) return null;
  return { at, staff: staff === "any" ? null : staff };
}

export function parseOption(id: string): Option | null {
  const colon = id.indexOf(":");
  if (colon < 0) return null;
  const kind = id.slice(0, colon);
  const rest = id.slice(colon + 1);
  switch (kind) {
    case "menu":
      return (MENU_ACTIONS as string[]).includes(rest) ? { kind: "menu", action: rest as MenuAction } : null;
    case "svc":
      return isId(rest) ? { kind: "service", id: rest } : null;
    case "staff":
      return rest === "any" ? { kind: "staff", id: null } : isId(rest) ? { kind: "staff", id: rest } : null;
    case "day":
      return isDay(rest) ? { kind: "day", day: rest } : null;
    case "slot": {
      const slot = parseSlot(rest);
      return slot ? { kind: "slot", slot } : null;
    }
    case "more":
      return /^[1-9]\d{0,2}$/.test(rest) ? { kind: "more", page: Number(rest) } : null;
    case "confirm": {
      if (rest === "other" || rest === "no") return { kind: "confirm", answer: rest };
      const slot = rest.startsWith("yes:") ? parseSlot(rest.slice(4)) : null;
      return slot ? { kind: "confirm", answer: "yes", slot } : null;
    }
    case "bk":
      return isId(rest) ? { kind: "booking", id: rest } : null;
    case "cancel":
      if (rest === "no") return { kind: "cancel", answer: "no" };
      return rest.startsWith("yes:") && isId(rest.slice(4)) ? { kind: "cancel", answer: "yes", id: rest.slice(4) } : null;
    default:
      return null;
  }
}

export const sameSlot = (a: SlotOption, b: SlotOption) => a.at === b.at && a.staff === b.staff;
