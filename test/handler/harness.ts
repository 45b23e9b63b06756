import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
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
  /** when, by the same clock, the answer left the handler (its first PUT to the response URL was sent); undefined: never */
  readonly answeredInMs: number | undefined;
}

/**
 * Runs the bundled handler in a separate Node.js process, as Lambda would: the
 * credentials come from its environment, it trusts the emulator's certificate through
 * NODE_EXTRA_CA_CERTS (TLS verification stays on), and it answers CloudFormation by
 * PUTting to a presigned-URL stand-in served here.
 */
export class LambdaHarness {
  /**
   * `nice` lowers the handler process's CPU priority (os.setPriority): with many of them on a
   * small machine, the test process (the emulated domain) still gets the CPU it needs to answer.
   */
  public static async start(options: { credentials: LambdaCredentials; env?: Record<string, string>; nice?: number }): Promise<LambdaHarness> {
    const harness = new LambdaHarness();
    await harness.listen();
    harness.spawn(options.credentials, options.env ?? {});
    if (options.nice && harness.child.pid !== undefined) os.setPriority(harness.child.pid, options.nice);
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
  private readonly pending = new Map<string, (m: any) => void>();

  private listen(): Promise<void> {
    this.server = https.createServer({
      key: fs.readFileSync(path.join(TLS, 'key.pem')),
      cert: fs.readFileSync(path.join(TLS, 'cert.pem')),
    }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
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
    const message = await new Promise<any>((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ id, remainingMs: options.remainingMs ?? 20_000, event: payload });
    });
    this.pending.delete(id);
    if (message.error) throw new Error(message.error);
    return message.result;
  }

  /** Sends one event; `remainingMs` is what context.getRemainingTimeInMillis() starts from. */
  public async invoke(event: Record<string, unknown>, options: { remainingMs?: number } = {}): Promise<Invocation> {
    const id = randomUUID();
    const responsePath = `/cloudformation-response/${id}?X-Amz-Signature=abc`;
    const logStart = this.output.length;
    const message = await new Promise<any>((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ id, remainingMs: options.remainingMs ?? 20_000, responsePath, event: { ...event, ResponseURL: `https://localhost:${this.port}${responsePath}` } });
    });
    this.pending.delete(id);
    if (message.error) throw new Error(`the handler threw: ${message.error}`);
    const responseBody = this.responses.get(responsePath);
    this.responses.delete(responsePath);
    return {
      response: responseBody === undefined ? undefined : JSON.parse(responseBody),
      responseBody,
      returned: message.result,
      logs: this.output.slice(logStart).split(`@@END ${id}`)[0],
      elapsedMs: message.elapsedMs,
      answeredInMs: message.answeredInMs,
    };
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
