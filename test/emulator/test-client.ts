/**
 * A small HTTPS client for the emulator's own tests: signs with aws4 (or basic auth, or nothing) and lets a test
 * tamper with the signed request before it is sent.
 */
import { request as httpsRequest } from 'https';
import * as aws4 from 'aws4';
import { OpenSearchEmulator } from './index';
import { amzDate } from './sigv4';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface SendOptions {
  readonly method?: string;
  readonly path: string;
  readonly body?: unknown;
  /** Sign with these; omit (and omit basic) for an anonymous request. */
  readonly credentials?: Credentials;
  readonly basic?: { readonly username: string; readonly password: string };
  readonly region?: string;
  readonly service?: string;
  readonly date?: Date;
  readonly headers?: Record<string, string>;
  /** Headers aws4 must not sign (sent anyway). */
  readonly unsigned?: readonly string[];
  /** Change the request after signing. */
  readonly tamper?: (request: SignedRequest) => void;
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** Parsed body (undefined when not JSON). */
  readonly json: any;
}

export async function send(emulator: OpenSearchEmulator, options: SendOptions): Promise<Reply> {
  const method = options.method ?? 'GET';
  const body = options.body === undefined ? '' : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    host: emulator.endpoint,
    ...(body ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  if (options.date) headers['x-amz-date'] = amzDate(options.date);
  let signed: SignedRequest = { path: options.path, headers, body };
  if (options.credentials) {
    signed = sign(signed, method, options);
  } else if (options.basic) {
    headers.authorization = `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`).toString('base64')}`;
  }
  options.tamper?.(signed);
  return transmit(emulator, method, signed);
}

function sign(request: SignedRequest, method: string, options: SendOptions): SignedRequest {
  const ignore: Record<string, boolean> = {};
  for (const name of options.unsigned ?? []) ignore[name] = true;
  const toSign = {
    host: request.headers.host,
    method,
    path: request.path,
    body: request.body,
    headers: { ...request.headers },
    service: options.service ?? 'es',
    region: options.region ?? 'us-east-1',
    extraHeadersToIgnore: ignore,
  };
  const result = aws4.sign(toSign as aws4.Request, options.credentials);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  return { path: result.path ?? request.path, headers, body: request.body };
}

function transmit(emulator: OpenSearchEmulator, method: string, request: SignedRequest): Promise<Reply> {
  const [hostname, port] = emulator.endpoint.split(':');
  return new Promise((resolve, reject) => {
    const options = { hostname, port: Number(port), method, path: request.path, headers: request.headers, ca: emulator.caPem, agent: false };
    const req = httpsRequest(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) });
      });
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A valid Bedrock embedding connector body for this account. */
export function bedrockConnector(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Bedrock Titan embeddings',
    description: 'Titan text embeddings v2',
    version: 1,
    protocol: 'aws_sigv4',
    parameters: { region: 'us-east-1', service_name: 'bedrock', model: 'amazon.titan-embed-text-v2:0' },
    credential: { roleArn: 'arn:aws:iam::111122223333:role/connector' },
    actions: [{
      action_type: 'predict',
      method: 'POST',
      url: 'https://bedrock-runtime.${parameters.region}.amazonaws.com/model/${parameters.model}/invoke',
      headers: { 'content-type': 'application/json', 'x-amz-content-sha256': 'required' },
      request_body: '{ "inputText": "${parameters.inputText}" }',
      pre_process_function: 'connector.pre_process.bedrock.embedding',
      post_process_function: 'connector.post_process.bedrock.embedding',
    }],
    ...overrides,
  };
}
