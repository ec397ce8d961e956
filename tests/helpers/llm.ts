// The scripted OpenAI-compatible stand-in (./llm-server.ts) for a test file, and helpers to read what it received.
import { afterAll, beforeAll } from "vitest";
import { type ChatRequestSeen, type LlmStandIn, type Script, startLlm } from "./llm-server.ts";
export * from "./llm-server.ts";

/** One stand-in per test file. */
export function useLlm(): LlmStandIn {
  const proxy = {} as LlmStandIn;
  let real: LlmStandIn;
  beforeAll(async () => {
    real = await startLlm();
    Object.defineProperties(proxy, {
      url: { get: () => real.url },
      requests: { get: () => real.requests },
      script: { get: () => real.script, set: (s: Script) => { real.script = s; } },
      close: { get: () => real.close },
    });
  });
  afterAll(async () => real?.close());
  return proxy;
}

/** The tool messages (results) the model has been given so far in a request, parsed. */
export function toolResults(req: ChatRequestSeen): Record<string, any>[] {
  return req.body.messages.filter((m) => m.role === "tool").map((m) => JSON.parse(m.content ?? "{}"));
}

/** The last user message of a request. */
export const lastUser = (req: ChatRequestSeen) => [...req.body.messages].reverse().find((m) => m.role === "user")?.content ?? "";
