/**
 * A stand-in for the other AWS APIs the provider calls: Secrets Manager GetSecretValue
 * (the master user secret), Lambda Invoke (a relay running its worker in a VPC) and CloudFormation
 * ListStackResources (query protocol, XML answers; see cloudformation.ts). Like the
 * domain emulator, it verifies every SigV4 signature with the independent aws4-based verifier
 * and evaluates the caller's identity policy, answering with the services' error shapes.
 */
import { readFileSync } from 'fs';
import { IncomingMessage, ServerResponse } from 'http';
import { createServer, Server } from 'https';
import { AddressInfo } from 'net';
import * as path from 'path';
import { CloudFormationStacks, errorXml, StackResource } from './cloudformation';
import { assumedRoleArn, evaluatePolicy, PolicyStatement } from './iam';
import { verifySigV4 } from './sigv4';
import { EmulatorPrincipal } from './types';

const TLS = path.join(__dirname, 'tls');

export interface AwsApisOptions {
  readonly region?: string;
  /** Account of the ARNs the emulator makes up (functions, stacks). Default 111122223333. */
  readonly account?: string;
  readonly principals: EmulatorPrincipal[];
  /** secret ARN → SecretString */
  readonly secrets?: Record<string, string>;
  /** runs an invoked function: function name → its result (or throws for a function error) */
  readonly functions?: Record<string, (payload: unknown) => Promise<unknown>>;
  /** CloudFormation stacks: stack name → its resources (ListStackResources). Change later with setStack. */
  readonly stacks?: Record<string, readonly StackResource[]>;
  /** ListStackResources page size. Default 100 (the real one). */
  readonly stackPageSize?: number;
}

export type { StackResource } from './cloudformation';

export interface AwsApiRequest {
  readonly service: string;
  readonly operation: string;
  readonly principal?: string;
  readonly status: number;
  readonly body: string;
}

export class AwsApisEmulator {
  static async start(options: AwsApisOptions): Promise<AwsApisEmulator> {
    const emulator = new AwsApisEmulator(options);
    await new Promise<void>((resolve) => emulator.server.listen(0, '127.0.0.1', () => resolve()));
    return emulator;
  }

  readonly requests: AwsApiRequest[] = [];
  private readonly server: Server;
  private readonly region: string;
  private readonly account: string;
  private readonly stacks: CloudFormationStacks;
  private readonly policies = new Map<string, ReadonlyArray<PolicyStatement> | undefined>();

  private constructor(private readonly options: AwsApisOptions) {
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '111122223333';
    this.stacks = new CloudFormationStacks(this.region, this.account, options.stacks, options.stackPageSize);
    this.server = createServer({ cert: readFileSync(path.join(TLS, 'cert.pem')), key: readFileSync(path.join(TLS, 'key.pem')) },
      (req, res) => { void this.handle(req, res); });
  }

  /** https://localhost:<port>, for AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_LAMBDA */
  get url(): string {
    return `https://localhost:${(this.server.address() as AddressInfo).port}`;
  }

  setPrincipalPolicy(roleArn: string, policy: ReadonlyArray<PolicyStatement> | undefined): void {
    this.policies.set(roleArn, policy);
  }

  /** Declare or replace a stack's resources (its stack id stays); undefined deletes the stack. */
  setStack(name: string, resources: readonly StackResource[] | undefined): void {
    this.stacks.set(name, resources);
  }

  /** The stack id (arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>) of a declared stack. */
  stackId(name: string): string | undefined {
    return this.stacks.stackId(name);
  }

  setStackPageSize(size: number): void {
    this.stacks.pageSize = size;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(',') : String(value);
    const target = headers['x-amz-target'] ?? '';
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
    const form = queryProtocolForm(req.method, req.url, headers, body);
    const service = target.startsWith('secretsmanager.') ? 'secretsmanager' : invoke ? 'lambda' : form ? 'cloudformation' : 'unknown';
    const operation = service === 'secretsmanager' ? target.slice('secretsmanager.'.length)
      : invoke ? 'Invoke' : form ? form.get('Action') ?? '' : req.url ?? '';
    const answer = (status: number, payload: unknown, extra: Record<string, string> = {}, principal?: string) => {
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      this.requests.push({ service, operation, principal, status, body: body.toString('utf8') });
      res.writeHead(status, { 'content-type': 'application/json', ...extra }).end(text);
    };
    const answerXml = (xml: { status: number; body: string }, principal?: string) => {
      this.requests.push({ service, operation, principal, status: xml.status, body: body.toString('utf8') });
      res.writeHead(xml.status, { 'content-type': 'text/xml' }).end(xml.body);
    };

    const verified = verifySigV4({ method: req.method ?? '', url: req.url ?? '', headers, body }, {
      region: this.region,
      service,
      now: new Date(),
      lookup: (id) => this.options.principals.find((p) => p.accessKeyId === id),
    });
    if (!verified.ok && service === 'cloudformation') {
      answerXml(verified.anonymous
        ? errorXml(403, 'Sender', 'MissingAuthenticationToken', 'Request is missing Authentication Token')
        : errorXml(403, 'Sender', 'SignatureDoesNotMatch', verified.message));
      return;
    }
    if (!verified.ok) {
      const message = verified.anonymous ? 'Missing Authentication Token' : verified.message;
      answer(403, { __type: verified.anonymous ? 'MissingAuthenticationTokenException' : 'InvalidSignatureException', message });
      return;
    }
    const principal = this.options.principals.find((p) => p.accessKeyId === verified.accessKeyId)!;
    const policy = this.policies.has(principal.roleArn) ? this.policies.get(principal.roleArn) : principal.policy;
    const caller = assumedRoleArn(principal.roleArn, principal.accessKeyId);

    if (service === 'secretsmanager' && operation === 'GetSecretValue') {
      const secretId = String(JSON.parse(body.toString('utf8') || '{}').SecretId ?? '');
      if (evaluatePolicy(policy, 'secretsmanager:GetSecretValue', secretId) !== 'allow') {
        answer(400, { __type: 'AccessDeniedException', Message: `User: ${caller} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secretId} because no identity-based policy allows the secretsmanager:GetSecretValue action` }, {}, principal.roleArn);
        return;
      }
      const value = this.options.secrets?.[secretId];
      if (value === undefined) {
        answer(400, { __type: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." }, {}, principal.roleArn);
        return;
      }
      answer(200, { ARN: secretId, Name: secretId.split(':').pop(), SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'] }, {}, principal.roleArn);
      return;
    }
    if (service === 'cloudformation' && form) {
      answerXml(this.stacks.handle(form, policy, caller), principal.roleArn);
      return;
    }
    if (service === 'lambda' && invoke) {
      const name = decodeURIComponent(invoke[1]);
      const arn = name.startsWith('arn:') ? name : `arn:aws:lambda:${this.region}:${this.account}:function:${name}`;
      if (evaluatePolicy(policy, 'lambda:InvokeFunction', arn) !== 'allow') {
        answer(403, { Type: 'User', Message: `User: ${caller} is not authorized to perform: lambda:InvokeFunction on resource: ${arn} because no identity-based policy allows the lambda:InvokeFunction action` }, {}, principal.roleArn);
        return;
      }
      const fn = this.options.functions?.[name];
      if (!fn) {
        answer(404, { Type: 'User', Message: `Function not found: ${arn}` }, {}, principal.roleArn);
        return;
      }
      try {
        answer(200, await fn(JSON.parse(body.toString('utf8'))), {}, principal.roleArn);
      } catch (e) {
        answer(200, { errorType: 'Error', errorMessage: (e as Error).message }, { 'x-amz-function-error': 'Unhandled' }, principal.roleArn);
      }
      return;
    }
    answer(400, { __type: 'UnknownOperationException', message: `unknown operation ${operation}` });
  }
}

/** A query-protocol call: POST / with a form-encoded body naming an Action (CloudFormation's wire format). */
function queryProtocolForm(
  method: string | undefined,
  url: string | undefined,
  headers: Record<string, string>,
  body: Buffer,
): URLSearchParams | undefined {
  if (method !== 'POST' || (url ?? '/').split('?')[0] !== '/') return undefined;
  if (!(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return undefined;
  const form = new URLSearchParams(body.toString('utf8'));
  return form.has('Action') ? form : undefined;
}
