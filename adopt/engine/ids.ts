// New row ids for imported rows: UUIDv7 (time-ordered), handed out in legacy order and strictly increasing within a
// process. Rows that tie on their timestamp (two messages in the same legacy second) then still sort in their
// legacy order by (created_at, id), which is how Frontdesk reads a conversation.
import { randomBytes } from "node:crypto";

let lastMs = 0;
let seq = 0;

export function uuidv7(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    // Same (or an earlier) millisecond: count on; when the 12-bit counter is spent, borrow the next millisecond.
    seq++;
    if (seq > 0xfff) {
      lastMs++;
      seq = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    seq = 0;
  }
  const rand = randomBytes(8);
  const hex = ms.toString(16).padStart(12, "0");
  const a = (0x7000 | seq).toString(16);
  const b = ((rand[0] & 0x3f) | 0x80).toString(16).padStart(2, "0") + rand[1].toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${a}-${b}-${rand.subarray(2, 8).toString("hex")}`;
}
