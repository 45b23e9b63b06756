import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';

/** The handler bundle exactly as it ships in the npm package. */
export const ASSET = path.join(__dirname, '..', '..', 'assets', 'handler', 'ml-commons.lambda', 'index.js');
const TLS = path.join(__dirname, '..', 'emulator', 'tls');

export interface LambdaCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface Invocation {
  /** what the handler PUT to the response URL, parsed */
  readonly response: Record<string, any> | undefined;
  /** the raw body of that PUT */
  readonly responseBody: string | undefined;
  /** what the handler returned */
  readonly returned: Record<string, any> | undefined;
  /** everything the handler wrote to stdout/stderr during the invocation */
  readonly logs: string;
  /** how long the invocation took, by the handler's own clock (scaled by HARNESS_CLOCK_SCALE) */
  readonly elapsedMs: number;
}

/**
 * The endpoint variables of every AWS API the handler calls (src/handler/clients/), and the
 * global one the AWS SDKs read for any service. The harness points each at a loopback stand-in
 * unless the test gives its own, so that no handler test can reach AWS.
 */
export const AWS_ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_LAMBDA', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_CLOUDFORMATION'];

/**
 * Runs the bundled handler in a separate Node.js process, as Lambda would: the
 * credentials come from its environment, it trusts the emulator's certificate through
 * NODE_EXTRA_CA_CERTS (TLS verification stays on), and it answers CloudFormation by
 * PUTting to a presigned-URL stand-in served here.
 *
 * Nothing leaves the machine: every AWS endpoint variable the test does not set points at
 * this harness, which refuses the call at once (an invocation that made one fails, naming
 * it), and the child process resolves no host name but localhost (an invocation that tried
 * fails, naming the host).
 */
export class LambdaHarness {
  public static async start(options: { credentials: LambdaCredentials; env?: Record<string, string> }): Promise<LambdaHarness> {
    const harness = new LambdaHarness();
    await harness.listen();
    harness.spawn(options.credentials, options.env ?? {});
    await harness.ready;
    return harness;
  }

  /** how many response PUTs to refuse with 500 before accepting (to test the handler's retries) */
  public failResponsePuts = 0;

  private server!: https.Server;
  private port = 0;
  private child!: ChildProcess;
  private ready!: Promise<void>;
  private output = '';
  private readonly responses = new Map<string, string>();
  /** calls of AWS APIs that the test gave no stand-in for */
  private readonly strayCalls: string[] = [];
  private readonly pending = new Map<string, (m: any) => void>();

  private listen(): Promise<void> {
    this.server = https.createServer({
      key: fs.readFileSync(path.join(TLS, 'key.pem')),
      cert: fs.readFileSync(path.join(TLS, 'cert.pem')),
    }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (!req.url?.startsWith('/cloudformation-response/')) {
          // An AWS API call that reached the default endpoint: the test set no stand-in for it.
          this.strayCalls.push(`${req.method} ${req.url} (${req.headers['x-amz-target'] ?? req.headers.authorization?.split('/')[3] ?? 'unsigned'})`);
          res.writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ __type: 'NoStandIn', message: 'test harness: no stand-in for this AWS API; give the test its AWS_ENDPOINT_URL_<SERVICE>' }));
          return;
        }
        if (req.method !== 'PUT') {
          res.writeHead(405).end();
          return;
        }
        if (this.failResponsePuts > 0) {
          this.failResponsePuts--;
          res.writeHead(500).end('<Error><Code>InternalError</Code></Error>');
          return;
        }
        this.responses.set(req.url ?? '', Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end();
      });
    });
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => {
      this.port = (this.server.address() as { port: number }).port;
      resolve();
    }));
  }

  private spawn(credentials: LambdaCredentials, env: Record<string, string>): void {
    const childEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      NODE_EXTRA_CA_CERTS: path.join(TLS, 'cert.pem'),
      ...Object.fromEntries(AWS_ENDPOINT_VARIABLES.map((name) => [name, `https://localhost:${this.port}`])),
      ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
      ...env,
    };
    this.child = fork(path.join(__dirname, 'lambda-child.js'), [ASSET], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child.stdout!.on('data', (d: Buffer) => { this.output += d.toString('utf8'); });
    this.child.stderr!.on('data', (d: Buffer) => { this.output += d.toString('utf8'); });
    this.ready = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.on('message', (m: any) => {
        if (m.ready) resolve();
        else this.pending.get(m.id)?.(m);
      });
    });
  }

  /**
   * Invokes the function with any payload, as Lambda's Invoke API does (no response URL):
   * what a relay does with its worker. Returns what the handler returned.
   */
  public async invokeRaw(payload: Record<string, unknown>, options: { remainingMs?: number } = {}): Promise<Record<string, any>> {
    const id = randomUUID();
    const logStart = this.output.length;
    const message = await new Promise<any>((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ id, remainingMs: options.remainingMs ?? 20_000, event: payload });
    });
    this.pending.delete(id);
    if (message.error) throw new Error(message.error);
    this.checkHermetic(this.output.slice(logStart));
    return message.result;
  }

  /** Sends one event; `remainingMs` is what context.getRemainingTimeInMillis() starts from. */
  public async invoke(event: Record<string, unknown>, options: { remainingMs?: number } = {}): Promise<Invocation> {
    const id = randomUUID();
    const responsePath = `/cloudformation-response/${id}`;
    const logStart = this.output.length;
    const message = await new Promise<any>((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ id, remainingMs: options.remainingMs ?? 20_000, event: { ...event, ResponseURL: `https://localhost:${this.port}${responsePath}?X-Amz-Signature=abc` } });
    });
    this.pending.delete(id);
    if (message.error) throw new Error(`the handler threw: ${message.error}`);
    const logs = this.output.slice(logStart).split(`@@END ${id}`)[0];
    this.checkHermetic(logs);
    const responseBody = this.responses.get(`${responsePath}?X-Amz-Signature=abc`);
    return {
      response: responseBody === undefined ? undefined : JSON.parse(responseBody),
      responseBody,
      returned: message.result,
      logs,
      elapsedMs: message.elapsedMs,
    };
  }

  /** Fails the invocation that called an AWS API without a stand-in, or tried to resolve a host name. */
  private checkHermetic(logs: string): void {
    const blocked = [...logs.matchAll(/^@@BLOCKED (\S+)$/gm)].map((m) => m[1]);
    const stray = this.strayCalls.splice(0);
    if (blocked.length > 0 || stray.length > 0) {
      throw new Error(`the handler tried to reach outside the machine: ${[...blocked.map((h) => `host ${h}`), ...stray.map((c) => `AWS API ${c}`)].join('; ')}. ` +
        'Give the test a loopback stand-in (an emulator and its AWS_ENDPOINT_URL_<SERVICE>).');
    }
  }

  /** All output of the handler process so far. */
  public get allLogs(): string {
    return this.output;
  }

  public async stop(): Promise<void> {
    this.child.kill();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
