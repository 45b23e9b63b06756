/**
 * The emulator's stand-ins for remote models, answering predict deterministically:
 * - embeddings by feature hashing: normalized word tokens (lower case, English stop words dropped, plural "s"
 *   stripped) are hashed into the model's dimension with a sign, then the vector is L2-normalized, so texts that
 *   share words are near each other (cosine similarity grows with the shared words) and equal texts embed equally;
 * - sparse encodings (model_config.model_type SPARSE_ENCODING or SPARSE_TOKENIZE): {token: weight} of the same tokens;
 * - chat completions for connectors whose predict action is a chat or text-generation API, in that API's own response
 *   shape (Bedrock Converse, Anthropic Messages or Text Completions on Bedrock, OpenAI-style chat completions,
 *   Cohere chat v1/v2), and ml-commons' `response_filter` applied when the connector sets one. The answer names the
 *   first search result of a RAG prompt ("SEARCH RESULT 1: ...", PromptUtil's format) and the question, so a test can
 *   check that the answer used the retrieved context.
 * Painless post-process functions are not run (see README).
 */
/* eslint-disable no-bitwise -- hashing and bit counting, as Java and Lucene do them */
import type { EmulatorContext } from './context';
import { StoredDoc } from './store';
import { JsonObject } from './xcontent';

const STOP_WORDS = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no', 'not', 'of',
  'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with', 'what', 'which', 'who',
  'how', 'do', 'does', 'i', 'me', 'my', 'we', 'our', 'you', 'your']);

/** The standard analyzer, near enough: lower case, split on anything that is not a letter or digit. */
export function standardTokens(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((token) => token.length > 0);
}

/** The tokens the fake models look at. */
export function semanticTokens(text: string): string[] {
  return standardTokens(text)
    .filter((token) => !STOP_WORDS.has(token))
    .map((token) => (token.length > 3 && token.endsWith('s') && !token.endsWith('ss') ? token.slice(0, -1) : token));
}

function fnv1a(text: string, seed: number): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A unit-length float32 vector of the given dimension. */
export function semanticEmbedding(text: string, dimension: number): number[] {
  const tokens = semanticTokens(text);
  const vector = new Array<number>(dimension).fill(0);
  for (const token of tokens.length > 0 ? tokens : ['\u0000']) {
    // Two hashed features per token keep small dimensions from collapsing unrelated words together.
    for (const seed of [0, 1]) {
      const hash = fnv1a(token, seed);
      vector[hash % dimension] += (hash & 0x80000000) === 0 ? 1 : -1;
    }
  }
  let norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  if (norm === 0) {
    vector[0] = 1;
    norm = 1;
  }
  return vector.map((value) => Math.fround(value / norm));
}

/** Token weights of a sparse encoding model. */
export function sparseEncoding(text: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const token of semanticTokens(text)) weights[token] = Math.fround((weights[token] ?? 0) + 1);
  return weights;
}

/**
 * The predict output of a model that is not a dense embedding model: sparse weights, or a chat answer in the
 * connector's API shape. undefined when the model is neither (predict then answers its generic output).
 */
export function fakeModelOutput(emulator: EmulatorContext, model: StoredDoc, body: JsonObject): Record<string, unknown> | undefined {
  const config = (model.source.model_config ?? {}) as JsonObject;
  const parameters = (body.parameters ?? {}) as JsonObject;
  if (['SPARSE_ENCODING', 'SPARSE_TOKENIZE'].includes(String(config.model_type ?? '').toUpperCase())) {
    const texts = Array.isArray(body.text_docs) ? body.text_docs.map(String) : [String(parameters.input ?? parameters.inputText ?? parameters.texts ?? '')];
    return { inference_results: [{ output: [{ name: 'output', dataAsMap: { response: texts.map(sparseEncoding) } }], status_code: 200 }] };
  }
  const connector = typeof model.source.connector_id === 'string' ? emulator.connectors.get(model.source.connector_id) : undefined;
  const dialect = chatDialect(connector);
  if (!dialect) return undefined;
  const prompt = promptText(parameters);
  const raw = renderChat(dialect, chatAnswer(prompt), String(parameters.model ?? (connector?.source.parameters as JsonObject | undefined)?.model ?? 'model'));
  const filter = ((connector?.source.parameters ?? {}) as JsonObject).response_filter;
  const dataAsMap = typeof filter === 'string' ? { response: jsonPath(raw, filter) } : raw;
  return { inference_results: [{ output: [{ name: 'response', dataAsMap }], status_code: 200 }] };
}

type Dialect = 'converse' | 'anthropic-messages' | 'anthropic-completions' | 'chat-completions' | 'cohere-v1' | 'cohere-v2';

function chatDialect(connector: StoredDoc | undefined): Dialect | undefined {
  const actions = (connector?.source.actions ?? []) as JsonObject[];
  const action = actions.find((item) => String(item.action_type ?? '').toLowerCase() === 'predict');
  if (!action) return undefined;
  const url = String(action.url ?? '');
  const body = String(action.request_body ?? '');
  if (/\/converse(-stream)?$/.test(url)) return 'converse';
  if (/chat\/completions/.test(url)) return 'chat-completions';
  if (/cohere\.(com|ai)\/v2\/chat/.test(url)) return 'cohere-v2';
  if (/cohere\.(com|ai)\/v1\/chat/.test(url)) return 'cohere-v1';
  if (/bedrock-runtime/.test(url) && /anthropic_version|"messages"/.test(body)) return 'anthropic-messages';
  if (/bedrock-runtime/.test(url) && /"prompt"/.test(body) && /Human:/.test(body)) return 'anthropic-completions';
  return undefined;
}

/** All the text a chat request carries: inputs/prompt, or the text blocks of messages (a JSON string or an array). */
function promptText(parameters: JsonObject): string {
  const parts: string[] = [];
  for (const key of ['system_prompt', 'inputs', 'prompt', 'inputText', 'user_prompt']) {
    if (typeof parameters[key] === 'string') parts.push(parameters[key] as string);
  }
  let messages: unknown = parameters.messages;
  if (typeof messages === 'string') {
    try {
      messages = JSON.parse(messages);
    } catch {
      parts.push(messages as string);
    }
  }
  if (Array.isArray(messages)) {
    for (const message of messages as JsonObject[]) {
      const content = message?.content;
      if (typeof content === 'string') parts.push(content);
      if (Array.isArray(content)) {
        for (const block of content as JsonObject[]) if (typeof block?.text === 'string') parts.push(block.text);
      }
    }
  }
  return parts.join('\n');
}

/** Deterministic answer: the question and the first search result of the prompt, else an echo of the prompt. */
export function chatAnswer(prompt: string): string {
  const text = prompt.replace(/\\n/g, '\n');
  const question = /QUESTION:\s*([^\n]*)/.exec(text)?.[1]?.trim();
  const first = /SEARCH RESULT 1:\s*([^\n]*)/.exec(text)?.[1]?.trim();
  if (first !== undefined) return `${question ? `To "${question}": ` : ''}${first} [1]`;
  return `You said: ${text.trim().slice(0, 200)}`;
}

function renderChat(dialect: Dialect, text: string, model: string): Record<string, unknown> {
  const usage = { input_tokens: 10, output_tokens: text.split(/\s+/).length };
  switch (dialect) {
    case 'converse':
      return {
        output: { message: { role: 'assistant', content: [{ text }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 10, outputTokens: usage.output_tokens, totalTokens: 10 + usage.output_tokens },
        metrics: { latencyMs: 1 },
      };
    case 'anthropic-messages':
      return { id: 'msg_emulator', type: 'message', role: 'assistant', model, content: [{ type: 'text', text }], stop_reason: 'end_turn', stop_sequence: null, usage };
    case 'anthropic-completions':
      return { type: 'completion', completion: ` ${text}`, stop_reason: 'stop_sequence', stop: '\n\nHuman:' };
    case 'chat-completions':
      return {
        id: 'chatcmpl-emulator',
        object: 'chat.completion',
        created: 0,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: usage.output_tokens, total_tokens: 10 + usage.output_tokens },
      };
    case 'cohere-v1':
      return { response_id: 'emulator', text, generation_id: 'emulator', finish_reason: 'COMPLETE' };
    case 'cohere-v2':
      return { id: 'emulator', finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text }] } };
  }
}

/** The JSONPath subset response filters use: $.a.b[0].c */
export function jsonPath(value: unknown, path: string): unknown {
  const steps = path.replace(/^\$\.?/, '').match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let current: unknown = value;
  for (const step of steps) {
    if (current === null || current === undefined) return undefined;
    const index = /^\[(\d+)\]$/.exec(step);
    current = index ? (current as unknown[])[Number(index[1])] : (current as JsonObject)[step];
  }
  return current;
}
