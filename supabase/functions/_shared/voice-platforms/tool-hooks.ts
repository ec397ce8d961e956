// Extension points for the receptionist tool layer (_shared/tools/), which answers what a caller asks for during the
// call. Until it fills them, the platforms' tool events are acknowledged with no effect and transient assistants
// are built without tools; nothing else in the adapters changes when they are filled.
//
//   vapiHandlers     Vapi message types answered by the tools: "tool-calls" and the older "function-call", each
//                    answered as {"results": [{"toolCallId", "result"}]} (Vapi's format). Looked up by message type
//                    after the request is authenticated, so a handler gets the verified agent (its tenant is the
//                    only business it may touch) and the raw body.
//   retellHandlers   Retell events the tools answer, by `event`. (Retell's custom function calls are POSTed to the
//                    function's own URL as {name, args, call}; that route belongs to the tool layer.)
//   vapiAssistantTools
//                    The tools a transient Vapi assistant (assistant-request without a platform assistant id) is
//                    built with: Vapi tool definitions (type "function", function {name, description, parameters},
//                    server {url}), for that business's agent.
import type { EventHandler, VerifiedAgent } from "./adapter.ts";

export interface AssistantToolsContext {
  agent: VerifiedAgent;
  /** Where call-events is reachable from the platform (…/functions/v1), for the tools' server URL. */
  publicBaseUrl: string | null;
}

export interface ToolHooks {
  vapiHandlers: Record<string, EventHandler>;
  retellHandlers: Record<string, EventHandler>;
  vapiAssistantTools(ctx: AssistantToolsContext): Promise<unknown[]>;
}

export const toolHooks: ToolHooks = {
  vapiHandlers: {},
  retellHandlers: {},
  vapiAssistantTools: () => Promise.resolve([]),
};
