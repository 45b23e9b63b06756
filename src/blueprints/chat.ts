import { ChatRequestFormat } from './third-party-enums';
import type { ConnectorAction, ConnectorBlueprintConfig } from './types';

/*
 * What the chat blueprints of several providers share: the JSON content type, the LLM
 * judgments of the Search Relevance Workbench, and the Chat Completions action of
 * ml-commons' OpenAI-compatible blueprints (OpenAI, DeepSeek).
 */

/** What a chat model is asked in a deploy-time smoke test (`ModelVerification.predict()`). */
export const CHAT_PROBE_TEXT = 'cdk-opensearch-ml smoke test: reply with the word OK.';

/**
 * The input of a `_predict` call that asks a chat model one short question, in the parameters
 * that the action's request body reads: `messages` (Chat Completions, Claude Messages, Cohere v2),
 * `system_prompt` and `user_prompt` (Converse, LLM judgments), `inputs` (one prompt text),
 * `message` (Cohere v1), `prompt` (Completions), `contents` (Gemini).
 */
export function chatProbe(action: ConnectorAction): { [key: string]: any } {
  const body = action.requestBody ?? '';
  const reads = (name: string) => body.includes(`\${parameters.${name}}`);
  return {
    ...(reads('messages') ? { messages: [{ role: 'user', content: CHAT_PROBE_TEXT }] } : {}),
    ...(reads('system_prompt') ? { system_prompt: 'You answer in one word.' } : {}),
    ...(reads('user_prompt') ? { user_prompt: CHAT_PROBE_TEXT } : {}),
    ...(reads('inputs') ? { inputs: CHAT_PROBE_TEXT } : {}),
    ...(reads('message') ? { message: CHAT_PROBE_TEXT } : {}),
    ...(reads('prompt') ? { prompt: CHAT_PROBE_TEXT } : {}),
    ...(reads('contents') ? { contents: [{ role: 'user', parts: [{ text: CHAT_PROBE_TEXT }] }] } : {}),
  };
}

/** The content type header of JSON requests. */
export const JSON_CONTENT = { 'Content-Type': 'application/json' };

/**
 * Turns the answer of an LLM into the `response` that the Search Relevance Workbench reads
 * (ml-commons' llm_judgment blueprints).
 */
export const JUDGMENT_POST_PROCESS = (path: string) =>
  `def text = ${path}; return '{"name":"response","dataAsMap":{"response":"' + escape(text) + '"}}'`;

/** The two prompts of an LLM judgment, as OpenAI's Chat Completions API takes them. */
export const JUDGMENT_MESSAGES = '[{"role":"system","content":"${parameters.system_prompt}"},{"role":"user","content":"${parameters.user_prompt}"}]';
/** Where an OpenAI-compatible chat answer's text is. */
export const CHAT_COMPLETION_TEXT = 'params.choices[0].message.content';

/** How ml-commons' blueprints of one OpenAI-compatible provider spell the chat action. */
export interface OpenAiCompatibleFlavor {
  /** send `Content-Type: application/json` with every format, not only with LLM judgments */
  readonly contentTypeAlways: boolean;
  /** the request body of an LLM judgment */
  readonly judgmentBody: string;
}

/** The `messages` body of the Chat Completions API, sent as it is. */
export const MESSAGES_BODY = '{ "model": "${parameters.model}", "messages": ${parameters.messages} }';

/**
 * The Chat Completions action of ml-commons' OpenAI-compatible blueprints (OpenAI, DeepSeek):
 * `messages` sent as they are, or an LLM judgment whose answer becomes `response`.
 */
export function openAiCompatibleChat(placeholder: string, format: ChatRequestFormat, flavor: OpenAiCompatibleFlavor): ConnectorAction {
  const authorization = { Authorization: `Bearer ${placeholder}` };
  const url = 'https://${parameters.endpoint}/v1/chat/completions';
  if (format === ChatRequestFormat.LLM_JUDGMENT) {
    return {
      actionType: 'predict',
      method: 'POST',
      url,
      headers: { ...JSON_CONTENT, ...authorization },
      requestBody: flavor.judgmentBody,
      postProcessFunction: JUDGMENT_POST_PROCESS(CHAT_COMPLETION_TEXT),
    };
  }
  return {
    actionType: 'predict',
    method: 'POST',
    url,
    supportsStructuredOutput: true,
    headers: flavor.contentTypeAlways ? { ...JSON_CONTENT, ...authorization } : authorization,
    requestBody: MESSAGES_BODY,
  };
}

/** A chat blueprint's configuration with the smoke-test input its first action reads. */
export function withChatProbe(config: ConnectorBlueprintConfig): ConnectorBlueprintConfig {
  return { ...config, probeParameters: chatProbe(config.actions[0]) };
}
