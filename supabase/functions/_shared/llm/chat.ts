// An OpenAI-compatible Chat Completions client with tool calling (OpenAI, Azure OpenAI, Groq, Together, vLLM,
// Ollama …): POST {baseUrl}/chat/completions with {model, messages, tools: [{type: "function", function: {name,
// description, parameters}}], tool_choice: "auto"}; the answer's choices[0].message carries `content` and/or
// `tool_calls` [{id, type: "function", function: {name, arguments (a JSON string)}}], and `usage` the tokens
// (prompt_tokens, completion_tokens). Anything else — a network error, a timeout, a non-2xx status, a body that is
// not that shape — is an LlmError, so the caller can fall back instead of guessing.
import { z } from "zod";

export interface LlmConfig {
  /** e.g. https://api.openai.com/v1, http://localhost:11434/v1 (Ollama), https://<resource>.openai.azure.com/openai/v1 */
  baseUrl: string;
  apiKey?: string | null;
  model: string;
}

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string | null; tool_calls?: ToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string };

export interface ToolCall { id: string; type: "function"; function: { name: string; arguments: string } }

export interface FunctionTool {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: FunctionTool[];
  temperature?: number;
}

export interface ChatAnswer {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage: { prompt: number; completion: number };
}

export class LlmError extends Error {
  constructor(readonly code: "unreachable" | "timeout" | "http" | "unusable", message: string) {
    super(message);
    this.name = "LlmError";
  }
}

const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal("function").optional(),
  function: z.object({ name: z.string().min(1), arguments: z.string().nullish() }),
});

const completion = z.object({
  choices: z.array(z.object({
    message: z.object({
      role: z.string().optional(),
      content: z.string().nullish(),
      tool_calls: z.array(toolCall).nullish(),
    }),
    finish_reason: z.string().nullish(),
  })).min(1),
  usage: z.object({ prompt_tokens: z.number().nonnegative().optional(), completion_tokens: z.number().nonnegative().optional() })
    .nullish(),
});

const endpoint = (baseUrl: string) => `${baseUrl.replace(/\/+$/, "")}/chat/completions`;

/** One chat completion; rejects with LlmError when the endpoint cannot be used. */
export async function chatCompletion(config: LlmConfig, request: ChatRequest, signal?: AbortSignal): Promise<ChatAnswer> {
  const body = {
    model: config.model,
    messages: request.messages,
    ...(request.tools?.length ? { tools: request.tools, tool_choice: "auto" } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
  };
  let res: Response;
  try {
    res = await fetch(endpoint(config.baseUrl), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
      },
      body: JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw new LlmError("timeout", "the model did not answer in time");
    throw new LlmError("unreachable", `the model endpoint is unreachable: ${(err as Error).message}`);
  }
  let raw: string;
  try {
    raw = await res.text();
  } catch {
    throw new LlmError(signal?.aborted ? "timeout" : "unreachable", "the model's answer was cut off");
  }
  if (!res.ok) throw new LlmError("http", `the model endpoint answered HTTP ${res.status}: ${raw.slice(0, 200)}`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new LlmError("unusable", "the model's answer is not JSON");
  }
  const parsed = completion.safeParse(json);
  if (!parsed.success) throw new LlmError("unusable", `the model's answer is not a chat completion: ${parsed.error.issues[0]?.message}`);
  const choice = parsed.data.choices[0];
  return {
    content: choice.message.content ?? null,
    toolCalls: (choice.message.tool_calls ?? []).map((c) => ({
      id: c.id, type: "function" as const, function: { name: c.function.name, arguments: c.function.arguments ?? "{}" },
    })),
    finishReason: choice.finish_reason ?? null,
    usage: { prompt: parsed.data.usage?.prompt_tokens ?? 0, completion: parsed.data.usage?.completion_tokens ?? 0 },
  };
}
