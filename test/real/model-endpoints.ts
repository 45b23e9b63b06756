/**
 * Loopback model endpoints that real ml-commons calls at predict time: Bedrock runtime, SageMaker runtime and an
 * OpenAI-compatible API. Each verifies what ml-commons sent (its own SigV4 signature with the temporary keys the
 * front door issued for the connector role, and that role's invoke permission; or the API key from the secret)
 * and answers with the documented response shape, so that the connector's pre- and post-process functions run
 * on real-looking input and output.
 *
 * Response shapes:
 * - Bedrock InvokeModel, Titan Text Embeddings: `{"embedding":[...],"inputTextTokenCount":n}`
 *   (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html)
 * - Bedrock InvokeModel, Cohere Embed: `{"embeddings":[[...]],"id":..,"response_type":"embeddings_floats","texts":[...]}`
 *   (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html)
 * - Bedrock InvokeModel, Anthropic Claude Messages API: `{"id","type":"message","role":"assistant","content":[{"type":"text","text":..}],..}`
 *   (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html)
 * - Bedrock Converse: `{"output":{"message":{"role":"assistant","content":[{"text":..}]}},"stopReason":"end_turn","usage":{..}}`
 *   (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html)
 * - SageMaker InvokeEndpoint: the model container's own JSON; here a list of vectors, one per input
 *   (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html)
 * - OpenAI embeddings `{"object":"list","data":[{"object":"embedding","index":i,"embedding":[...]}],..}` and chat
 *   completions `{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":..},"finish_reason":"stop"}],..}`
 *   (https://platform.openai.com/docs/api-reference/embeddings, /chat)
 * Errors: AWS services answer `{"message": ...}` with 403 (signature, AccessDeniedException), OpenAI 401.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { FrontDoor } from './front-door';
import { semanticEmbedding } from '../emulator/fake-models';
import { assumedRoleArn, evaluatePolicy } from '../emulator/iam';
import { verifySigV4 } from '../emulator/sigv4';

export interface ModelCall {
  readonly service: 'bedrock' | 'sagemaker' | 'openai';
  readonly path: string;
  readonly status: number;
  readonly requestBody: string;
  readonly responseBody: string;
  /** the connector role whose temporary keys signed the call */
  readonly roleArn?: string;
}

export class ModelEndpoints {
  public static async start(options: { frontDoor: FrontDoor; apiKey: string; region?: string }): Promise<ModelEndpoints> {
    const endpoints = new ModelEndpoints(options.frontDoor, options.apiKey, options.region ?? 'us-east-1');
    await new Promise<void>((resolve) => endpoints.server.listen(0, '127.0.0.1', () => resolve()));
    return endpoints;
  }

  public readonly calls: ModelCall[] = [];
  private readonly server: http.Server;

  private constructor(private readonly frontDoor: FrontDoor, private readonly apiKey: string, private readonly region: string) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(',') : String(value ?? '');
        const answer = this.answer(req.method ?? 'GET', req.url ?? '/', headers, body);
        this.calls.push({ ...answer.call, requestBody: body.toString('utf8'), responseBody: answer.body, status: answer.status });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
  }

  /** http://127.0.0.1:<port>: the base URL connectors point at instead of the public endpoints */
  public get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(method: string, url: string, headers: Record<string, string>, body: Buffer):
  { status: number; body: string; call: { service: ModelCall['service']; path: string; roleArn?: string } } {
    const path = url.split('?')[0];
    const bedrock = /^\/model\/([^/]+)\/(invoke|converse)$/.exec(path);
    const sagemaker = /^\/endpoints\/([^/]+)\/invocations$/.exec(path);
    const openai = /^\/v1\/(embeddings|chat\/completions)$/.exec(path);
    if (openai) {
      const call = { service: 'openai' as const, path };
      if (headers.authorization !== `Bearer ${this.apiKey}`) {
        return { status: 401, body: JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } }), call };
      }
      const request = JSON.parse(body.toString('utf8') || '{}');
      if (openai[1] === 'embeddings') {
        const inputs: string[] = ([] as string[]).concat(request.input ?? []);
        return {
          status: 200,
          call,
          body: JSON.stringify({
            object: 'list',
            model: request.model,
            data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: vector(text, 1536) })),
            usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
          }),
        };
      }
      const last = (request.messages ?? []).slice(-1)[0]?.content ?? '';
      return {
        status: 200,
        call,
        body: JSON.stringify({
          id: 'chatcmpl-real-tier',
          object: 'chat.completion',
          created: 1764633600,
          model: request.model,
          choices: [{ index: 0, message: { role: 'assistant', content: `echo: ${typeof last === 'string' ? last : JSON.stringify(last)}` }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      };
    }
    const service: 'bedrock' | 'sagemaker' | undefined = bedrock ? 'bedrock' : sagemaker ? 'sagemaker' : undefined;
    if (!service || method !== 'POST') {
      return { status: 404, body: JSON.stringify({ message: `no model endpoint at ${method} ${path}` }), call: { service: 'bedrock', path } };
    }
    // ml-commons signs with the service name and region of the connector's parameters.
    const verified = verifySigV4({ method, url, headers, body }, {
      region: this.region, service, now: new Date(), lookup: (id) => this.frontDoor.credentialsFor(id),
    });
    if (!verified.ok) {
      const message = verified.anonymous ? 'Missing Authentication Token' : verified.message;
      return { status: 403, body: JSON.stringify({ message }), call: { service, path } };
    }
    const keys = this.frontDoor.credentialsFor(verified.accessKeyId)!;
    const call = { service, path, roleArn: keys.roleArn };
    const account = /^arn:aws:iam::(\d+):/.exec(keys.roleArn)?.[1] ?? '';
    const caller = assumedRoleArn(keys.roleArn, 'opensearch-ml');
    const policy = this.frontDoor.policyOfRole(keys.roleArn) ?? [];
    const request = JSON.parse(body.toString('utf8') || '{}');
    if (bedrock) {
      const modelId = decodeURIComponent(bedrock[1]);
      const arn = modelId.includes('.') && /^(us|eu|apac|global)\./.test(modelId)
        ? `arn:aws:bedrock:${this.region}:${account}:inference-profile/${modelId}`
        : `arn:aws:bedrock:${this.region}::foundation-model/${modelId}`;
      if (evaluatePolicy(policy, 'bedrock:InvokeModel', arn) !== 'allow') {
        return { status: 403, call, body: JSON.stringify({ message: `User: ${caller} is not authorized to perform: bedrock:InvokeModel on resource: ${arn} because no identity-based policy allows the bedrock:InvokeModel action` }) };
      }
      return { status: 200, call, body: JSON.stringify(bedrockAnswer(modelId, bedrock[2], request)) };
    }
    const endpointName = sagemaker![1];
    const arn = `arn:aws:sagemaker:${this.region}:${account}:endpoint/${endpointName.toLowerCase()}`;
    if (evaluatePolicy(policy, 'sagemaker:InvokeEndpoint', arn) !== 'allow') {
      return { status: 400, call, body: JSON.stringify({ message: `User: ${caller} is not authorized to perform: sagemaker:InvokeEndpoint on resource: ${arn} because no identity-based policy allows the sagemaker:InvokeEndpoint action` }) };
    }
    const inputs: unknown[] = Array.isArray(request) ? request : Array.isArray(request?.inputs) ? request.inputs : [request?.inputs ?? request];
    return { status: 200, call, body: JSON.stringify(inputs.map((input) => vector(JSON.stringify(input), 384))) };
  }
}

function bedrockAnswer(modelId: string, operation: string, request: any): unknown {
  if (operation === 'converse') {
    const text = request?.messages?.slice(-1)[0]?.content?.[0]?.text ?? '';
    return { output: { message: { role: 'assistant', content: [{ text: `echo: ${text}` }] } }, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } };
  }
  if (modelId.startsWith('amazon.titan-embed')) {
    const dimensions = Number(request.dimensions ?? (modelId.includes('image') ? 1024 : modelId.includes('v2') ? 1024 : 1536));
    return { embedding: vector(String(request.inputText ?? request.inputImage ?? ''), dimensions), inputTextTokenCount: 3 };
  }
  if (modelId.startsWith('cohere.embed')) {
    const texts: string[] = request.texts ?? [];
    return { embeddings: texts.map((t) => vector(t, 1024)), id: 'emb-real-tier', response_type: 'embeddings_floats', texts };
  }
  if (/anthropic\.claude/.test(modelId)) {
    const last = request?.messages?.slice(-1)[0]?.content;
    const text = typeof last === 'string' ? last : last?.[0]?.text ?? '';
    return {
      id: 'msg_real_tier',
      type: 'message',
      role: 'assistant',
      model: modelId,
      content: [{ type: 'text', text: `echo: ${text}` }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    };
  }
  return { message: `model ${modelId} is not served here` };
}

/**
 * A deterministic unit vector for `text`: the emulator's fake embedding (feature-hashed words), so that texts that
 * share words are near each other and a neural query on the real node ranks the document that shares its words first.
 */
export function vector(text: string, dimensions: number): number[] {
  return semanticEmbedding(text, dimensions);
}
