// A scripted stand-in for an OpenAI-compatible Chat Completions endpoint (POST /v1/chat/completions), speaking the
// real format: requests {model, messages, tools: [{type: "function", function}], tool_choice}; answers a
// `chat.completion` object whose choices[0].message has `content` and/or `tool_calls` [{id, type: "function",
// function: {name, arguments (a JSON string)}}], with finish_reason and usage. Each test scripts what the model
// "decides" (a function of the request it received), and reads back every request (body and headers). No vitest
// here: bench/assistant.ts runs the same stand-in (useLlm in ./llm.ts wires it into a test file).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ChatRequestSeen {
  authorization: string | undefined;
  raw: string;
  body: {
    model: string;
    messages: { role: string; content: string | null; tool_calls?: ToolCallOut[]; tool_call_id?: string }[];
    tools?: { type: string; function: { name: string; description: string; parameters: Record<string, unknown> } }[];
    tool_choice?: unknown;
  };
}

export interface ToolCallOut { id: string; type: "function"; function: { name: string; arguments: string } }

/** What the scripted model does with one request. */
export type Move =
  | { say: string }
  | { call: { name: string; args: Record<string, unknown> }[] }
  | { status: number; body: string }
  | { hang: number }
  | { garbage: string };

export type Script = (req: ChatRequestSeen, n: number) => Move;

let seq = 0;

function completion(model: string, move: { say: string } | { call: { name: string; args: Record<string, unknown> }[] }) {
  const calls = "call" in move
    ? move.call.map((c) => ({ id: `call_${(++seq).toString(36)}${Math.random().toString(36).slice(2, 8)}`, type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } }))
    : undefined;
  return {
    id: `chatcmpl-${(++seq).toString(36)}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{
      index: 0,
      message: { role: "assistant", content: "say" in move ? move.say : null, refusal: null, ...(calls ? { tool_calls: calls } : {}) },
      logprobs: null,
      finish_reason: calls ? "tool_calls" : "stop",
    }],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  };
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export interface LlmStandIn {
  url: string;
  /** Every request received, in order. */
  requests: ChatRequestSeen[];
  /** What the model does next (replace per test). */
  script: Script;
  close(): Promise<void>;
}

export async function startLlm(): Promise<LlmStandIn> {
  const state: LlmStandIn = {
    url: "", requests: [], script: () => ({ say: "Hello!" }), close: async () => {},
  };
  const server: Server = createServer(async (req, res) => {
    const raw = await read(req);
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found", type: "invalid_request_error" } }));
      return;
    }
    const seen: ChatRequestSeen = { authorization: req.headers.authorization, raw, body: JSON.parse(raw) };
    state.requests.push(seen);
    const move = state.script(seen, state.requests.length - 1);
    if ("hang" in move) {
      const t = setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(completion(seen.body.model, { say: "too late" }))), move.hang);
      res.on("close", () => clearTimeout(t));
      return;
    }
    if ("garbage" in move) {
      res.writeHead(200, { "content-type": "application/json" }).end(move.garbage);
      return;
    }
    if ("status" in move) {
      res.writeHead(move.status, { "content-type": "application/json" }).end(move.body);
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(completion(seen.body.model, move)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return state;
}

