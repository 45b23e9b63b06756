/**
 * The retrieval_augmented_generation response processor at search time (ml-commons GenerativeQAResponseProcessor,
 * LlmIOUtil, PromptUtil, DefaultLlmImpl, 2.19.0.0): reads ext.generative_qa_parameters, collects the context fields of
 * the hits, builds the prompt the way PromptUtil does ("SEARCH RESULT n: ..." / "QUESTION: ..."; the single-string
 * form joins lines with a literal backslash-n), calls the chat model's predict with `inputs` (bedrock/, cohere/ or
 * llm_response_field) or `messages` (OpenAI, bedrock-converse/), reads the answer where each provider puts it, and
 * with a memory_id reads the conversation and stores the new message. The answer lands in
 * ext.retrieval_augmented_generation.answer (an unreadable answer in .error), plus message_id with a memory.
 * Note (as in 2.19): the prompt uses the processor's system_prompt/user_instructions; those in the request are parsed
 * but not used.
 */
import { RequestContext } from './context';
import { predictAs } from './inference';
import { addMessage, findMemory, latestFirst } from './memory';
import { fail, illegalArgumentError, javaException } from './os-exception';
import { ResponseProcessor } from './search-pipelines';
import { JsonObject } from './xcontent';

const DEFAULT_SYSTEM_PROMPT = 'Generate a concise and informative answer in less than 100 words for the given question, taking into context: '
  + '- An enumerated list of search results'
  + '- A rephrase of the question that was used to generate the search results'
  + '- The conversation history'
  + 'Cite search results using [${number}] notation.'
  + 'Do not repeat yourself, and NEVER repeat anything in the chat history.'
  + 'If there are any necessary steps or procedures in your answer, enumerate them.';

const NULL_PARAMS = 'generative_qa_parameters not found. Please provide ext.generative_qa_parameters to proceed.'
  + ' For more info, refer: https://opensearch.org/docs/latest/search-plugins/conversational-search/#step-6-use-the-pipeline-for-rag';

type Provider = 'OPENAI' | 'BEDROCK' | 'COHERE' | 'BEDROCK_CONVERSE' | undefined;

interface Hit {
  readonly _id: string;
  readonly _source?: JsonObject;
}

export function runRag(ctx: RequestContext, processor: Extract<ResponseProcessor, { type: 'rag' }>, ext: JsonObject | undefined, hits: readonly Hit[]): JsonObject {
  const params = ext?.generative_qa_parameters as JsonObject | undefined;
  if (!params || typeof params !== 'object') fail(illegalArgumentError(NULL_PARAMS));
  const question = typeof params.llm_question === 'string' ? params.llm_question : undefined;
  const llmMessages = Array.isArray(params.llm_messages) ? params.llm_messages : [];
  if ((question === undefined || question === '') && llmMessages.length === 0) fail(illegalArgumentError('At least one of llm_question or llm_messages must be provided.'));
  const llmModel = typeof params.llm_model === 'string' ? params.llm_model : processor.llmModel;
  if (llmModel === undefined) fail(illegalArgumentError('llm_model cannot be null.'));
  const memoryId = typeof params.memory_id === 'string' ? params.memory_id : undefined;
  if (memoryId !== undefined && memoryId.trim() === '') fail(illegalArgumentError('Empty conversation_id is not allowed.'));
  if (memoryId !== undefined && ctx.emulator.serverless) fail(illegalArgumentError('Memory APIs are not supported on Amazon OpenSearch Serverless'));
  const messageSize = typeof params.message_size === 'number' ? params.message_size : 10;
  const contextSize = typeof params.context_size === 'number' ? params.context_size : undefined;
  const responseField = typeof params.llm_response_field === 'string' ? params.llm_response_field : undefined;
  const contexts: string[] = [];
  for (const hit of hits.slice(0, contextSize ?? hits.length)) {
    for (const field of processor.contextFields) {
      const value = hit._source?.[field];
      if (value === undefined || value === null) {
        fail(javaException('runtime_exception', `Context ${field} not found in search hit ${JSON.stringify({ _id: hit._id, _source: hit._source ?? null })}`, 500));
      }
      contexts.push(typeof value === 'string' ? value : JSON.stringify(value));
    }
  }
  const memory = memoryId === undefined ? undefined : findMemory(ctx, memoryId);
  const history = memory ? latestFirst(memory).slice(0, messageSize) : [];
  const provider: Provider = responseField !== undefined ? undefined
    : llmModel.startsWith('bedrock/') ? 'BEDROCK' : llmModel.startsWith('cohere/') ? 'COHERE' : llmModel.startsWith('bedrock-converse/') ? 'BEDROCK_CONVERSE' : 'OPENAI';
  const { systemPrompt, userInstructions } = processor;
  const parameters: JsonObject = {};
  if (provider === 'OPENAI') {
    parameters.model = llmModel;
    parameters.messages = messagesPrompt(provider, systemPrompt, userInstructions, question ?? '', history, contexts);
  } else if (provider === 'BEDROCK' || provider === 'COHERE' || responseField !== undefined) {
    parameters.inputs = singleStringPrompt(systemPrompt, userInstructions, question ?? '', history, contexts);
  } else {
    parameters.messages = messagesPrompt(provider, undefined, userInstructions, question ?? '', history, contexts);
  }
  if (processor.modelId === undefined) fail(illegalArgumentError('Model id can\'t be null'));
  const output = predictAs(ctx, processor.modelId, { parameters });
  const dataAsMap = (output.inference_results[0]?.output[0]?.dataAsMap ?? {}) as JsonObject;
  const { answer, error } = readAnswer(provider, dataAsMap, responseField);
  const result: JsonObject = answer === undefined ? { error } : { answer };
  if (memory && answer !== undefined) {
    const template = JSON.stringify([
      ...(systemPrompt ? [{ role: 'system', content: systemPrompt }] : []),
      ...(userInstructions ? [{ role: 'user', content: userInstructions }] : []),
    ]);
    const message = addMessage(memory, question ?? '', template, answer, 'retrieval_augmented_generation', { metadata: JSON.stringify(contexts) });
    result.message_id = message.message_id;
  }
  return result;
}

/** PromptUtil.buildSingleStringPrompt; NEWLINE is the two characters backslash and n. */
function singleStringPrompt(systemPrompt: string | undefined, userInstructions: string | undefined, question: string,
  history: ReadonlyArray<{ input: string; response: string }>, contexts: readonly string[]): string {
  const newline = '\\n';
  const system = !systemPrompt && !userInstructions ? DEFAULT_SYSTEM_PROMPT : systemPrompt;
  let prompt = '';
  if (system) prompt += system + newline;
  if (userInstructions) prompt += userInstructions + newline;
  contexts.forEach((context, i) => { prompt += `SEARCH RESULT ${i + 1}: ${context}${newline}`; });
  const messages = history.flatMap((interaction) => [`user: ${interaction.input}`, `assistant: ${interaction.response}`]).reverse();
  for (const message of messages) prompt += message + newline;
  prompt += `QUESTION: ${question}${newline}`;
  return prompt;
}

/** PromptUtil.buildMessageParameter: OpenAI content blocks {type, text}, Bedrock Converse blocks {text}. */
function messagesPrompt(provider: Provider, systemPrompt: string | undefined, userInstructions: string | undefined, question: string,
  history: ReadonlyArray<{ input: string; response: string }>, contexts: readonly string[]): string {
  const block = (text: string): JsonObject => (provider === 'OPENAI' ? { type: 'text', text } : { text });
  const instructions = !systemPrompt && !userInstructions ? DEFAULT_SYSTEM_PROMPT : userInstructions;
  const messages: JsonObject[] = [];
  if (systemPrompt) messages.push({ role: 'system', content: [block(systemPrompt)] });
  let user: JsonObject[] = [];
  if (instructions) user.push(block(instructions));
  contexts.forEach((context, i) => user.push(block(`SEARCH RESULT ${i + 1}: ${context}`)));
  if (history.length > 0) {
    const oldestFirst = [...history].reverse();
    user.push(block(oldestFirst[0].input));
    messages.push({ role: 'user', content: user });
    messages.push({ role: 'assistant', content: [block(oldestFirst[0].response)] });
    for (const interaction of oldestFirst.slice(1)) {
      messages.push({ role: 'user', content: [block(interaction.input)] });
      messages.push({ role: 'assistant', content: [block(interaction.response)] });
    }
    user = [block(`QUESTION: ${question}\n`)];
  } else {
    user.push(block(`QUESTION: ${question}\n`));
  }
  user.push(block('ANSWER:'));
  messages.push({ role: 'user', content: user });
  return JSON.stringify(messages);
}

/** DefaultLlmImpl.buildChatCompletionOutput. */
function readAnswer(provider: Provider, data: JsonObject, responseField: string | undefined): { answer?: string; error?: string } {
  const field = (name: string): { answer?: string; error?: string } => {
    if (typeof data[name] === 'string') return { answer: data[name] as string };
    const error = data.error as JsonObject | undefined;
    if (error && typeof error.message === 'string') return { error: error.message };
    return { error: 'Unknown error or response.' };
  };
  if (responseField !== undefined) return field(responseField);
  switch (provider) {
    case 'OPENAI': {
      const choices = data.choices as JsonObject[] | undefined;
      if (!choices) {
        const error = data.error as JsonObject | undefined;
        if (!error) fail(javaException('null_pointer_exception', 'Cannot invoke "java.util.Map.get(Object)" because "error" is null', 500));
        return { error: String(error.message) };
      }
      return { answer: String(((choices[0]?.message ?? {}) as JsonObject).content) };
    }
    case 'BEDROCK': return field('completion');
    case 'COHERE': return field('text');
    default: {
      const out = data.output as JsonObject | undefined;
      if (!out) fail(javaException('null_pointer_exception', 'Cannot invoke "java.util.Map.get(Object)" because "output" is null', 500));
      const message = out.message as JsonObject | undefined;
      if (message) return { answer: String(((message.content as JsonObject[])[0] ?? {}).text) };
      const error = out.error as JsonObject | undefined;
      if (!error) fail(javaException('runtime_exception', `Unexpected output: ${JSON.stringify(out)}`, 500));
      return { error: String(error.message) };
    }
  }
}
