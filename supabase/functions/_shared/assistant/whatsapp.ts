// Outbound replies shaped for the WhatsApp Cloud API. Meta rejects an interactive message that breaks a limit only
// when the sender calls Graph, long after the turn committed, so the builders clamp every text here, and the runner
// checks whatever an assistant returns (replyProblems) before anything is queued.
import type { InteractivePayload, ListRow, OutboundReply } from "./types.ts";

export const LIMITS = {
  textBody: 4096,
  listBody: 4096,
  listButton: 20,
  listRows: 10,
  sectionTitle: 24,
  rowId: 200,
  rowTitle: 24,
  rowDescription: 72,
  buttonsBody: 1024,
  buttons: 3,
  buttonId: 256,
  buttonTitle: 20,
} as const;

// Meta counts characters, not UTF-16 units: slicing by code point never splits an emoji.
const length = (s: string) => [...s].length;

export function clamp(text: string, max: number): string {
  const chars = [...text.trim()];
  return chars.length <= max ? chars.join("") : chars.slice(0, max - 1).join("").trimEnd() + "…";
}

export function text(body: string, extra: { opt_out_confirmation?: boolean } = {}): OutboundReply {
  return { type: "text", body: clamp(body, LIMITS.textBody), payload: extra };
}

export function list(body: string, button: string, sectionTitle: string, rows: ListRow[]): OutboundReply {
  if (rows.length === 0 || rows.length > LIMITS.listRows) throw new Error(`a list needs 1–${LIMITS.listRows} rows, got ${rows.length}`);
  const text = clamp(body, LIMITS.listBody);
  const payload: InteractivePayload = {
    type: "list",
    body: { text },
    action: {
      button: clamp(button, LIMITS.listButton),
      sections: [{
        title: clamp(sectionTitle, LIMITS.sectionTitle),
        rows: rows.map((r) => ({
          id: r.id,
          title: clamp(r.title, LIMITS.rowTitle),
          ...(r.description ? { description: clamp(r.description, LIMITS.rowDescription) } : {}),
        })),
      }],
    },
  };
  return { type: "interactive", body: text, payload };
}

export function buttons(body: string, choices: { id: string; title: string }[]): OutboundReply {
  if (choices.length === 0 || choices.length > LIMITS.buttons) throw new Error(`reply buttons need 1–${LIMITS.buttons}, got ${choices.length}`);
  const text = clamp(body, LIMITS.buttonsBody);
  const payload: InteractivePayload = {
    type: "button",
    body: { text },
    action: {
      buttons: choices.map((c) => ({ type: "reply", reply: { id: c.id, title: clamp(c.title, LIMITS.buttonTitle) } })),
    },
  };
  return { type: "interactive", body: text, payload };
}

/** The same reply with `lead` (a greeting, an apology) as its first paragraph. */
export function prepend(reply: OutboundReply, lead: string): OutboundReply {
  if (reply.type === "text") return { ...reply, body: clamp(`${lead}\n\n${reply.body}`, LIMITS.textBody) };
  const max = reply.payload.type === "list" ? LIMITS.listBody : LIMITS.buttonsBody;
  const body = clamp(`${lead}\n\n${reply.body}`, max);
  return { ...reply, body, payload: { ...reply.payload, body: { text: body } } } as OutboundReply;
}

/** Why Meta would refuse this reply (empty when it fits). Checks what any assistant returns, built here or not. */
export function replyProblems(reply: OutboundReply): string[] {
  const problems: string[] = [];
  const over = (what: string, value: unknown, max: number) => {
    if (typeof value !== "string" || value.trim() === "") problems.push(`${what} is missing`);
    else if (length(value) > max) problems.push(`${what} is longer than ${max} characters`);
  };
  if (reply.type === "text") {
    over("text body", reply.body, LIMITS.textBody);
    return problems;
  }
  if (reply.type !== "interactive") return [`unknown reply type ${(reply as { type: unknown }).type}`];
  const p = reply.payload as InteractivePayload;
  if (p?.type === "list") {
    over("list body", p.body?.text, LIMITS.listBody);
    over("list button", p.action?.button, LIMITS.listButton);
    const sections = p.action?.sections ?? [];
    const rows = sections.flatMap((s) => s.rows ?? []);
    if (sections.length === 0 || sections.length > 10) problems.push("a list needs 1–10 sections");
    if (rows.length === 0 || rows.length > LIMITS.listRows) problems.push(`a list needs 1–${LIMITS.listRows} rows in all`);
    if (sections.length > 1) sections.forEach((s, i) => over(`section ${i} title`, s.title, LIMITS.sectionTitle));
    for (const r of rows) {
      over("row id", r.id, LIMITS.rowId);
      over(`row title "${r.title}"`, r.title, LIMITS.rowTitle);
      if (r.description !== undefined) over(`row description "${r.description}"`, r.description, LIMITS.rowDescription);
    }
    if (new Set(rows.map((r) => r.id)).size !== rows.length) problems.push("row ids must be unique");
  } else if (p?.type === "button") {
    over("buttons body", p.body?.text, LIMITS.buttonsBody);
    const bs = p.action?.buttons ?? [];
    if (bs.length === 0 || bs.length > LIMITS.buttons) problems.push(`reply buttons need 1–${LIMITS.buttons}`);
    for (const b of bs) {
      if (b.type !== "reply") problems.push("only reply buttons are allowed");
      over("button id", b.reply?.id, LIMITS.buttonId);
      over(`button title "${b.reply?.title}"`, b.reply?.title, LIMITS.buttonTitle);
    }
    if (new Set(bs.map((b) => b.reply?.id)).size !== bs.length) problems.push("button ids must be unique");
  } else {
    problems.push("interactive payload must be a list or reply buttons");
  }
  return problems;
}
