/*
 * Every HTTP request the handler makes is in this file: signed calls to the OpenSearch
 * domain, and the unsigned PUT of the answer to CloudFormation's presigned URL.
 * TLS certificates are always verified (Node's default, never turned off here).
 */
import * as https from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { DomainTarget } from '../contract';
import { Deadline, sleepBeforeRetry } from './deadline';
import { isDeterministicFailure, isIamDenial } from './errors';
import { log } from './log';
import { registerSecret } from './redact';

/** One pool of kept-alive connections for the life of the execution environment. */
const agent = new https.Agent({ keepAlive: true, maxSockets: 8 });

/** Longest wait for one answer; a create that takes longer is looked up rather than repeated. */
export const ATTEMPT_TIMEOUT_MS = 30_000;

/**
 * How long an IAM denial is taken for IAM still propagating a grant made in the same
 * deployment (seconds usually, about a minute at worst) and retried.
 */
export const IAM_PROPAGATION_MS = 90_000;

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

interface RawRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
}

function send(request: RawRequest): Promise<HttpResponse> {
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

/** Statuses worth another try: throttling and server-side trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * Transport errors after which nothing can have reached the server: the connection never
 * opened. Once it has, even a request whose 'finish' event had not yet fired may have been
 * carried out (the reset that follows can be read in the same turn of the event loop).
 */
export function isUnsent(error: TransportError): boolean {
  return error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN';
}

function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => { query[key] = value; });
  return query;
}

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The execution role's credentials, which Lambda puts in the environment. */
function environmentCredentials(): Credentials {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): the handler must run in AWS Lambda.');
  }
  return { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN || undefined };
}

export interface OpenSearchRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  /**
   * 'idempotent': retried on throttling, server errors and lost connections until the deadline.
   * 'once': a single attempt; the caller decides what an unclear outcome means.
   */
  readonly retry: 'idempotent' | 'once';
  /** when to stop retrying, if sooner than the client's deadline */
  readonly deadline?: Deadline;
}

/** A user of the domain's internal user database, for HTTP basic auth. */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * JSON calls to one OpenSearch domain: SigV4-signed with the execution role's credentials,
 * or with HTTP basic auth when created with a user (the security API on a domain whose
 * master user is in the internal user database).
 */
export class OpenSearchClient {
  private readonly signer: SignatureV4;
  private readonly base: URL;
  private readonly basicAuth?: string;
  /** HTTP requests sent, for the log line of each invocation and for the benchmark. */
  public requestCount = 0;

  /** Until when an IAM denial is retried. */
  private readonly propagationEndsAt: number;

  constructor(private readonly target: DomainTarget, private readonly deadline: Deadline, user?: BasicCredentials) {
    this.propagationEndsAt = Date.now() + IAM_PROPAGATION_MS;
    if (user) {
      this.basicAuth = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
      registerSecret(this.basicAuth.slice('Basic '.length));
    }
    this.base = new URL(`https://${target.endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '')}`);
    this.signer = new SignatureV4({
      service: target.signingService,
      region: target.region,
      credentials: async () => environmentCredentials(),
      sha256: Sha256,
      applyChecksum: true,
    });
  }

  /**
   * One signed request; throws TransportError when no answer came. `timeoutMs` bounds the
   * wait (never beyond the deadline).
   */
  public async once(method: string, path: string, body?: unknown, timeoutMs = ATTEMPT_TIMEOUT_MS): Promise<HttpResponse> {
    const url = new URL(path, this.base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { host: url.host };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const signedHeaders = this.basicAuth
      ? { ...headers, authorization: this.basicAuth }
      : (await this.signer.sign({
        method,
        protocol: 'https:',
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: queryOf(url),
        headers,
        body: payload,
      })).headers as Record<string, string>;
    this.requestCount++;
    const wait = Math.max(1, Math.min(timeoutMs, this.deadline.remaining()));
    const started = Date.now();
    try {
      const response = await send({ url, method, headers: signedHeaders, body: payload, timeoutMs: wait });
      log('opensearch', { method, path: url.pathname, status: response.status, ms: Date.now() - started });
      return response;
    } catch (e) {
      const error = e as TransportError;
      log('opensearch', { method, path: url.pathname, error: error.code, sent: error.sent, ms: Date.now() - started });
      throw error;
    }
  }

  /** A request with the retries its kind allows. Returns the last answer, or throws the last TransportError. */
  public async request(request: OpenSearchRequest): Promise<HttpResponse> {
    const deadline = request.deadline ?? this.deadline;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.once(request.method, request.path, request.body, Math.min(ATTEMPT_TIMEOUT_MS, deadline.remaining()));
        const retry = (request.retry === 'idempotent' && isRetryableStatus(response.status) && !isDeterministicFailure(response))
          || this.mayBePropagating(response);
        if (!retry || !(await sleepBeforeRetry(attempt, deadline))) return { ...response, attempts: attempt + 1 };
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        const retry = request.retry === 'idempotent' || isUnsent(e);
        if (!retry || !(await sleepBeforeRetry(attempt, deadline))) {
          throw attempt === 0 ? e : new TransportError(`${e.message} (${attempt + 1} attempts)`, e.code, e.sent);
        }
      }
    }
  }

  /** An IAM denial early enough in the invocation to be a grant still propagating: nothing was done, try again. */
  public mayBePropagating(response: HttpResponse): boolean {
    return isIamDenial(response) && Date.now() < this.propagationEndsAt;
  }

  /** Where requests go, for messages. */
  public get endpoint(): string {
    return this.target.endpoint;
  }
}

/**
 * Sends CloudFormation the outcome: a PUT of the JSON document to the presigned S3 URL,
 * with an empty content type (the signature covers it), retried on failure.
 */
export async function putResponseDocument(responseUrl: string, document: string, deadline: Deadline): Promise<void> {
  const url = new URL(responseUrl);
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await send({
        url,
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(document)) },
        body: document,
        timeoutMs: Math.max(1_000, Math.min(10_000, deadline.remaining())),
      });
      if (response.status >= 200 && response.status < 300) return;
      throw new Error(`the response URL answered ${response.status}`);
    } catch (e) {
      if (attempt >= 4 || !(await sleepBeforeRetry(attempt, deadline))) {
        throw e;
      }
    }
  }
}

/**
 * A call to an AWS JSON API (Secrets Manager, Lambda), signed with the execution role's
 * credentials. The endpoint honours the AWS SDKs' AWS_ENDPOINT_URL_<SERVICE> variables.
 */
export async function callAwsApi(request: {
  readonly service: string;
  readonly endpointVariable: string;
  readonly defaultHost: string;
  readonly region: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly deadline: Deadline;
  /** whether a server error may be retried: false when the call may have had its effect (Lambda Invoke) */
  readonly idempotent: boolean;
}): Promise<HttpResponse> {
  const url = new URL(request.path, process.env[request.endpointVariable] ?? `https://${request.defaultHost}`);
  const signer = new SignatureV4({
    service: request.service,
    region: request.region,
    credentials: async () => environmentCredentials(),
    sha256: Sha256,
    applyChecksum: true,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'https:',
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: queryOf(url),
    headers: { host: url.host, ...request.headers },
    body: request.body,
  });
  for (let attempt = 0; ; attempt++) {
    const started = Date.now();
    try {
      const response = await send({
        url,
        method: 'POST',
        headers: signed.headers as Record<string, string>,
        body: request.body,
        timeoutMs: Math.max(1, request.deadline.remaining()),
      });
      log(request.service, { path: url.pathname, status: response.status, ms: Date.now() - started });
      const retry = request.idempotent ? isRetryableStatus(response.status) : response.status === 429;
      if (!retry || !(await sleepBeforeRetry(attempt, request.deadline))) return response;
    } catch (e) {
      if (!(e instanceof TransportError) || !isUnsent(e) || !(await sleepBeforeRetry(attempt, request.deadline))) throw e;
    }
  }
}
