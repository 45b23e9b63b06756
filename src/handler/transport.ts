/*
 * The one transport: every HTTP request the handler makes leaves through send(), and every
 * signed one is signed by sign() with the execution role's credentials. The clients of each
 * service (clients/) build their requests on these two; retry.ts decides about another try.
 * TLS certificates are always verified (Node's default, never turned off here).
 */
import { createHash, createHmac, Hash, Hmac } from 'node:crypto';
import * as https from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import { log } from './log';

/** One pool of kept-alive connections for the life of the execution environment. */
const agent = new https.Agent({ keepAlive: true, maxSockets: 8 });

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** the body parsed as JSON, or undefined when it is not JSON */
  readonly json: unknown;
  /** how many attempts the request took, when it was retried */
  readonly attempts?: number;
}

/** A request that got no HTTP answer. */
export class TransportError extends Error {
  constructor(
    message: string,
    /** the Node.js error code, e.g. ECONNRESET, or 'TIMEOUT' */
    public readonly code: string,
    /** whether the whole request had been written when it failed: the server may have acted on it */
    public readonly sent: boolean,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/**
 * Transport errors after which nothing can have reached the server: the connection never
 * opened. Once it has, even a request whose 'finish' event had not yet fired may have been
 * carried out (the reset that follows can be read in the same turn of the event loop).
 */
export function isUnsent(error: TransportError): boolean {
  return error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN';
}

export interface HttpRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
  /** the name of the log line of each attempt ('opensearch', 'lambda', ...); unset: not logged */
  readonly logAs?: string;
}

/** One attempt: the answer, whatever its status, or a TransportError when none came within `timeoutMs`. */
export async function send(request: HttpRequest): Promise<HttpResponse> {
  const started = Date.now();
  const line = { method: request.method, path: request.url.pathname };
  try {
    const response = await exchange(request);
    if (request.logAs) log(request.logAs, { ...line, status: response.status, ms: Date.now() - started });
    return response;
  } catch (e) {
    const error = e as TransportError;
    if (request.logAs) log(request.logAs, { ...line, error: error.code, sent: error.sent, ms: Date.now() - started });
    throw error;
  }
}

function exchange(request: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let sent = false;
    const req = https.request({
      hostname: request.url.hostname,
      port: request.url.port || 443,
      path: `${request.url.pathname}${request.url.search}`,
      method: request.method,
      headers: request.headers,
      agent,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) });
      });
      res.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? 'ERESPONSE', e.message));
    });
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error(`no answer within ${request.timeoutMs} ms`), { code: 'TIMEOUT' }));
    }, request.timeoutMs);
    const fail = (code: string, message: string) => {
      clearTimeout(timer);
      reject(new TransportError(`${request.method} ${request.url.host}${request.url.pathname}: ${message}`, code, sent));
    };
    req.on('finish', () => { sent = true; });
    req.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? 'EREQUEST', e.message));
    req.end(request.body);
  });
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What SigV4 signs for: the service's signing name ('es', 'aoss', 'lambda', ...) and the region. */
export interface SigningScope {
  readonly service: string;
  readonly region: string;
}

/** What the signer hashes: a string (UTF-8) or bytes. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/**
 * SHA-256 (and HMAC-SHA256 with a key) for the signer, from Node's own crypto, as the AWS SDK for
 * JavaScript hashes in Node (@smithy/hash-node): native, and 5 KB less bundle than the JavaScript
 * implementation (@aws-crypto/sha256-js) meant for runtimes without one.
 */
class Sha256 {
  private hash: Hash | Hmac;
  private readonly key?: Buffer;

  constructor(secret?: SourceData) {
    if (secret !== undefined) this.key = bytes(secret);
    this.hash = this.start();
  }

  public update(chunk: SourceData): void {
    this.hash.update(bytes(chunk));
  }

  public async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  public reset(): void {
    this.hash = this.start();
  }

  private start(): Hash | Hmac {
    return this.key ? createHmac('sha256', this.key) : createHash('sha256');
  }
}

const signers = new Map<string, SignatureV4>();

/** The headers of `request` (with host) and its SigV4 signature by the execution role's credentials. */
export async function sign(
  request: { readonly url: URL; readonly method: string; readonly headers: Record<string, string>; readonly body?: string },
  scope: SigningScope,
): Promise<Record<string, string>> {
  const key = `${scope.service} ${scope.region}`;
  let signer = signers.get(key);
  if (!signer) {
    signer = new SignatureV4({
      service: scope.service, region: scope.region, credentials: async () => environmentCredentials(), sha256: Sha256, applyChecksum: true,
    });
    signers.set(key, signer);
  }
  const query: Record<string, string> = {};
  request.url.searchParams.forEach((value, name) => { query[name] = value; });
  const signed = await signer.sign({
    method: request.method,
    protocol: 'https:',
    hostname: request.url.hostname,
    port: request.url.port ? Number(request.url.port) : undefined,
    path: request.url.pathname,
    query,
    headers: { host: request.url.host, ...request.headers },
    body: request.body,
  });
  return signed.headers as Record<string, string>;
}

/** The execution role's credentials, which Lambda puts in the environment. */
function environmentCredentials(): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): the handler must run in AWS Lambda.');
  }
  return { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN || undefined };
}
