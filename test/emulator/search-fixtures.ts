/**
 * Shared pieces of the data-plane tests: a principal, models (an embedding model, chat models behind connectors of
 * the chat APIs the fake chat model speaks), and request helpers.
 */
import { OpenSearchEmulator } from './index';
import { Reply, send } from './test-client';

export const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };

export const EMBEDDING_CONFIG = { model_type: 'TEXT_EMBEDDING', embedding_dimension: 64, framework_type: 'SENTENCE_TRANSFORMERS' };

export type Call = (method: string, path: string, body?: unknown) => Promise<Reply>;

export function caller(emulator: OpenSearchEmulator, credentials = PROVIDER): Call {
  return (method, path, body) => send(emulator, { method, path, body, credentials });
}

/**
 * The emulator of a describe block: started before its tests, stopped after them, reset before each
 * (before the block's own beforeEach). `use` is given it and its caller once it runs.
 */
export function emulatorPerSuite(use: (emulator: OpenSearchEmulator, call: Call) => void): void {
  let emulator: OpenSearchEmulator | undefined;
  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
    use(emulator, caller(emulator));
  });
  afterAll(async () => emulator?.stop());
  beforeEach(() => emulator!.reset());
}

/** A _bulk body of index actions, one per document (ids "0", "1", ... unless given). */
export function ndjson(docs: ReadonlyArray<Record<string, unknown>>, ids?: readonly string[]): string {
  return docs.map((doc, i) => `${JSON.stringify({ index: ids === undefined ? { _id: String(i) } : ids[i] === '' ? {} : { _id: ids[i] } })}\n${JSON.stringify(doc)}\n`).join('');
}

export function embeddingModel(emulator: OpenSearchEmulator, dimension = 64): string {
  return emulator.putModel({ connectorId: 'embedding-connector', state: 'DEPLOYED', modelConfig: { ...EMBEDDING_CONFIG, embedding_dimension: dimension } });
}

const BEDROCK = 'https://bedrock-runtime.${parameters.region}.amazonaws.com/model/${parameters.model}';

/** Connector bodies of the chat APIs, as the blueprints write them. */
export const CHAT_CONNECTORS = {
  claudeMessages: {
    name: 'Claude messages',
    version: 1,
    protocol: 'aws_sigv4',
    description: 'Claude 3 on Bedrock',
    parameters: {
      region: 'us-east-1',
      service_name: 'bedrock',
      model: 'anthropic.claude-3-haiku-20240307-v1:0',
      response_filter: '$.content[0].text',
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens_to_sample: '200',
    },
    credential: { roleArn: 'arn:aws:iam::111122223333:role/connector' },
    actions: [{
      action_type: 'predict',
      method: 'POST',
      url: `${BEDROCK}/invoke`,
      headers: { 'content-type': 'application/json' },
      request_body: '{"messages":[{"role":"user","content":[{"type":"text","text":"${parameters.inputs}"}]}],"anthropic_version":"${parameters.anthropic_version}","max_tokens":${parameters.max_tokens_to_sample}}',
    }],
  },
  claudeCompletions: {
    name: 'Claude v2',
    version: 1,
    protocol: 'aws_sigv4',
    description: 'Claude v2 text completions',
    parameters: { region: 'us-east-1', service_name: 'bedrock', model: 'anthropic.claude-v2' },
    credential: { roleArn: 'arn:aws:iam::111122223333:role/connector' },
    actions: [{
      action_type: 'predict',
      method: 'POST',
      url: `${BEDROCK}/invoke`,
      headers: { 'content-type': 'application/json' },
      request_body: '{"prompt":"\\n\\nHuman: ${parameters.inputs}\\n\\nAssistant:","max_tokens_to_sample":300}',
    }],
  },
  converse: {
    name: 'Converse',
    version: 1,
    protocol: 'aws_sigv4',
    description: 'Bedrock Converse',
    parameters: { region: 'us-east-1', service_name: 'bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0' },
    credential: { roleArn: 'arn:aws:iam::111122223333:role/connector' },
    actions: [{
      action_type: 'predict',
      method: 'POST',
      url: `${BEDROCK}/converse`,
      headers: { 'content-type': 'application/json' },
      request_body: '{"messages": ${parameters.messages}}',
    }],
  },
  openai: {
    name: 'OpenAI chat',
    version: 1,
    protocol: 'http',
    description: 'OpenAI chat completions',
    parameters: { endpoint: 'api.openai.com', model: 'gpt-4o' },
    credential: { openAI_key: 'sk-secret' },
    actions: [{
      action_type: 'predict',
      method: 'POST',
      url: 'https://${parameters.endpoint}/v1/chat/completions',
      headers: { Authorization: 'Bearer ${credential.openAI_key}' },
      request_body: '{ "model": "${parameters.model}", "messages": ${parameters.messages} }',
    }],
  },
};

/** A deployed chat model behind a connector of the given kind. */
export async function chatModel(emulator: OpenSearchEmulator, call: Call, kind: keyof typeof CHAT_CONNECTORS): Promise<string> {
  const reply = await call('POST', '/_plugins/_ml/connectors/_create', CHAT_CONNECTORS[kind]);
  if (reply.status !== 200) throw new Error(`connector create failed: ${reply.text}`);
  return emulator.putModel({ connectorId: reply.json.connector_id, state: 'DEPLOYED' });
}

/** POST a _bulk body (NDJSON). */
export function bulk(emulator: OpenSearchEmulator, path: string, body: string, credentials = PROVIDER): Promise<Reply> {
  return send(emulator, { method: 'POST', path, body, credentials, headers: { 'content-type': 'application/x-ndjson' } });
}

export function hitIds(reply: Reply): string[] {
  return (reply.json.hits.hits as Array<{ _id: string }>).map((hit) => hit._id);
}
