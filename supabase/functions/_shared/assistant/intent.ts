// What the customer did, read from Meta's message object: tapped one of our options (its id), typed text (with the
// keyword it contains, in either language whatever the business's language), or sent something we cannot read.
import type { InboundMessage } from "./types.ts";

export type Keyword = "stop" | "start" | "human" | "cancel" | "reschedule" | "mine" | "book" | "menu";

export type Input =
  | { kind: "choice"; id: string }
  | { kind: "text"; text: string; keyword: Keyword | null }
  | { kind: "reaction" }
  | { kind: "other" };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? v as Obj : {});
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v : null);

// Our option ids look like "svc:…", "menu:book"; a template button may carry any payload a campaign chose.
const OPTION_ID = /^[a-z]+:\S+$/;

export function readInput(message: InboundMessage): Input {
  const m = obj(message.payload);
  const type = str(m.type) ?? message.type;
  if (type === "interactive") {
    const i = obj(m.interactive);
    const id = str(obj(i.list_reply).id) ?? str(obj(i.button_reply).id);
    return id ? { kind: "choice", id } : { kind: "other" };
  }
  if (type === "button") {
    const b = obj(m.button);
    const payload = str(b.payload);
    if (payload && OPTION_ID.test(payload)) return { kind: "choice", id: payload };
    const label = str(b.text) ?? message.body;
    return label ? textInput(label) : { kind: "other" };
  }
  if (type === "reaction") return { kind: "reaction" };
  if (type === "text") {
    const body = str(obj(m.text).body) ?? str(message.body);
    return body ? textInput(body) : { kind: "other" };
  }
  return { kind: "other" };
}

function textInput(text: string): Input {
  return { kind: "text", text, keyword: keywordOf(text) };
}

/** Lower case, no accents, words only: "¿Mis CITAS?" → "mis citas". */
export function normalise(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

// Checked in this order: "cancel my booking" is a cancellation, not a look at one's bookings, and "my bookings"
// is not a request to book.
const PHRASES: [Keyword, string[]][] = [
  ["human", ["human", "humano", "agent", "agente", "person", "persona", "operator", "operador"]],
  ["cancel", ["cancel", "cancelar", "cancela", "anular"]],
  ["reschedule", ["reschedule", "change", "move", "cambiar", "cambio", "mover", "reprogramar"]],
  ["mine", ["my bookings", "my booking", "my appointments", "my appointment", "bookings", "appointments",
    "mis citas", "mi cita", "mis reservas", "mi reserva", "citas"]],
  ["book", ["book", "booking", "appointment", "reservar", "reserva", "cita", "turno"]],
  ["menu", ["menu", "hola", "hi", "hello", "hey", "buenas", "inicio", "help", "ayuda", "start over"]],
];

export function keywordOf(text: string): Keyword | null {
  const words = normalise(text);
  // Opt-out and opt-in are whole messages only, so "don't stop" never unsubscribes anyone.
  if (words === "stop" || words === "baja") return "stop";
  if (words === "start" || words === "alta") return "start";
  const padded = ` ${words} `;
  for (const [keyword, phrases] of PHRASES) {
    if (phrases.some((p) => padded.includes(` ${p} `))) return keyword;
  }
  return null;
}
