/**
 * A stand-in for Amazon OpenSearch Service's request path, in front of a real OpenSearch node.
 *
 * What it does, in the service's order, and where each rule comes from:
 * 1. SigV4 for service `es`, verified with the emulator's independent verifier (test/emulator/sigv4.ts).
 *    An unsigned request is anonymous. ("Signing HTTP requests to Amazon OpenSearch Service",
 *    https://docs.aws.amazon.com/opensearch-service/latest/developerguide/request-signing.html)
 * 2. IAM: `es:ESHttp<Method>` on `arn:aws:es:<region>:<account>:domain/<name>/<path>`, allowed by the caller's
 *    identity policies or by the domain's resource-based access policy, an explicit Deny in either winning;
 *    an anonymous request (unsigned, or basic auth) only by a resource-policy statement for principal `*`.
 *    ("Identity and Access Management in Amazon OpenSearch Service": resource-based, identity-based and
 *    IP-based policies, https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ac.html)
 * 3. Fine-grained access control: an IAM caller reaches the security plugin as the user named by its role
 *    ARN with that ARN as its backend role (here through the plugin's `proxy` authenticator); basic auth is
 *    passed through for internal users. ("Fine-grained access control in Amazon OpenSearch Service",
 *    https://docs.aws.amazon.com/opensearch-service/latest/developerguide/fgac.html)
 * 4. ML connectors: `credential.roleArn` needs `iam:PassRole` of the caller, and the role must trust
 *    `opensearchservice.amazonaws.com` (optionally with `aws:SourceAccount` / `aws:SourceArn`); the service
 *    then calls the model with the role's temporary credentials, and reads `credential.secretArn` with them.
 *    ("Creating connectors for third-party ML platforms" and "Amazon OpenSearch Service ML connectors for
 *    AWS services", https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ml-amazon-connector.html,
 *    https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ml-external-connector.html)
 *    Here the temporary keys (from the STS stand-in below) and the secret's fields replace them in the body
 *    the node receives, in the shape open-source ml-commons wants (`access_key`, `secret_key`,
 *    `session_token`; `${credential.secretArn.<key>}` becomes a credential named `secretArn.<key>`).
 *
 * Everything else is the real node's answer, untouched. What it cannot model: IAM propagation delays,
 * service-side quotas and throttling, Condition keys other than the trust policy's, IP-based policies,
 * VPC endpoints, and the service's own request rewriting that is not documented.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as aws4 from 'aws4';
import { NodeInfo } from './opensearch-node';
import { awsAccessDenied, awsAuthError } from '../emulator/errors';
import { EmulatorResponse, json } from '../emulator/http';
import { accessDeniedMessage, assumedRoleArn, esHttpAction, evaluatePolicy, PolicyStatement, wildcardMatch } from '../emulator/iam';
import { verifySigV4 } from '../emulator/sigv4';
import { EmulatorPrincipal } from '../emulator/types';

const TLS = path.join(__dirname, '..', 'emulator', 'tls');
const SERVICE_PRINCIPALS = ['opensearchservice.amazonaws.com', 'es.amazonaws.com'];

/** An IAM role the service may assume for a connector: its trust policy and its permissions. */
export interface RoleDefinition {
  readonly trust: ReadonlyArray<PolicyStatement>;
  readonly policy: ReadonlyArray<PolicyStatement>;
}

/** Temporary credentials the STS stand-in issued for a role. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly roleArn: string;
}

export interface FrontDoorOptions {
  readonly node: NodeInfo;
  readonly region?: string;
  readonly account?: string;
  readonly domainName?: string;
  /** callers with keys and identity policies (undefined policy: everything allowed) */
  readonly principals: EmulatorPrincipal[];
  /** the domain's resource-based access policy; default: the account's IAM policies decide, no anonymous access */
  readonly accessPolicy?: ReadonlyArray<PolicyStatement>;
  /** Secrets Manager stand-in (test/emulator/aws-apis.ts): its URL and the principals array it looks keys up in */
  readonly secretsManager?: { readonly url: string; readonly principals: EmulatorPrincipal[]; readonly ca: string };
}

export interface FrontDoorRequest {
  readonly method: string;
  readonly path: string;
  /** the body as the caller sent it */
  readonly body: string;
  /** the body the node received (differs only where credentials were replaced; never logged) */
  readonly forwardedBody?: string;
  readonly status: number;
  readonly responseBody: string;
  /** role ARN, 'basic:<user>' or 'anonymous' */
  readonly principal: string;
  /** 'front-door' when the front door answered itself */
  readonly answeredBy: 'front-door' | 'node';
}

export class FrontDoor {
  public static async start(options: FrontDoorOptions): Promise<FrontDoor> {
    const door = new FrontDoor(options);
    await new Promise<void>((resolve) => door.server.listen(0, '127.0.0.1', () => resolve()));
    return door;
  }

  public readonly requests: FrontDoorRequest[] = [];
  public readonly region: string;
  public readonly account: string;
  public readonly domainArn: string;
  /** the emulator's certificate (localhost), the one the handler harness trusts */
  public readonly caPem = fs.readFileSync(path.join(TLS, 'cert.pem'), 'utf8');
  private readonly server: https.Server;
  private readonly policies = new Map<string, ReadonlyArray<PolicyStatement> | undefined>();
  private readonly roles = new Map<string, RoleDefinition>();
  private readonly issued = new Map<string, IssuedCredentials>();
  private accessPolicy: ReadonlyArray<PolicyStatement> | undefined;

  private constructor(private readonly options: FrontDoorOptions) {
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '111122223333';
    this.domainArn = `arn:aws:es:${this.region}:${this.account}:domain/${options.domainName ?? 'real-tier'}`;
    this.accessPolicy = options.accessPolicy;
    this.server = https.createServer({ key: fs.readFileSync(path.join(TLS, 'key.pem')), cert: this.caPem }, (req, res) => {
      void this.handle(req, res).catch((e) => {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `front door: ${String(e)}` }));
      });
    });
  }

  /** localhost:<port>: what a construct's domain endpoint names */
  public get endpoint(): string {
    return `localhost:${(this.server.address() as AddressInfo).port}`;
  }

  public setPrincipalPolicy(roleArn: string, policy: ReadonlyArray<PolicyStatement> | undefined): void {
    this.policies.set(roleArn, policy);
  }

  public setAccessPolicy(policy: ReadonlyArray<PolicyStatement> | undefined): void {
    this.accessPolicy = policy;
  }

  /** Declares a role the service may assume (typically a connector role from a synthesized template). */
  public defineRole(roleArn: string, role: RoleDefinition): void {
    this.roles.set(roleArn, role);
  }

  /** The temporary credentials issued so far, by access key (what the model endpoints verify signatures with). */
  public credentialsFor(accessKeyId: string): IssuedCredentials | undefined {
    return this.issued.get(accessKeyId);
  }

  /** The permissions of the role whose temporary credentials these are. */
  public policyOfRole(roleArn: string): ReadonlyArray<PolicyStatement> | undefined {
    return this.roles.get(roleArn)?.policy;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private policyOf(roleArn: string): ReadonlyArray<PolicyStatement> | undefined {
    if (this.policies.has(roleArn)) return this.policies.get(roleArn);
    return this.options.principals.find((p) => p.roleArn === roleArn)?.policy;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    const requestPath = url.split('?')[0];
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(',') : String(value ?? '');
    const record = (status: number, responseBody: string, principal: string, answeredBy: 'front-door' | 'node', forwardedBody?: string) => {
      this.requests.push({ method, path: requestPath, body: body.toString('utf8'), status, responseBody, principal, answeredBy, ...(forwardedBody !== undefined ? { forwardedBody } : {}) });
    };
    const answer = (response: EmulatorResponse, principal: string) => {
      record(response.status, response.body, principal, 'front-door');
      res.writeHead(response.status, response.headers).end(response.body);
    };

    // 1. Who is calling. Basic auth is for the security plugin; to IAM it is anonymous.
    const authorization = headers.authorization;
    let identity: { kind: 'iam'; roleArn: string; userArn: string } | { kind: 'anonymous'; basic?: string };
    if (authorization?.startsWith('Basic ')) {
      const user = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':')[0];
      identity = { kind: 'anonymous', basic: user };
    } else {
      const verified = verifySigV4({ method, url, headers, body }, {
        region: this.region,
        service: 'es',
        now: new Date(),
        lookup: (id) => this.options.principals.find((p) => p.accessKeyId === id),
      });
      if (!verified.ok && !verified.anonymous) {
        answer(awsAuthError(verified.message), 'anonymous');
        return;
      }
      if (verified.ok) {
        const principal = this.options.principals.find((p) => p.accessKeyId === verified.accessKeyId)!;
        identity = { kind: 'iam', roleArn: principal.roleArn, userArn: assumedRoleArn(principal.roleArn, principal.accessKeyId) };
      } else {
        identity = { kind: 'anonymous' };
      }
    }
    const principalName = identity.kind === 'iam' ? identity.roleArn : identity.basic ? `basic:${identity.basic}` : 'anonymous';

    // 2. IAM on the domain.
    const action = esHttpAction(method);
    const resource = `${this.domainArn}/${safeDecode(requestPath).replace(/^\//, '')}`;
    const decision = this.authorize(identity, action, resource);
    if (decision !== 'allow') {
      answer(awsAccessDenied(identity.kind === 'iam'
        ? accessDeniedMessage(identity.userArn, action, decision)
        : `User: anonymous is not authorized to perform: ${action} because no resource-based policy allows the ${action} action`), principalName);
      return;
    }

    // 4. Connector credentials: PassRole and the role's trust, then the service's own credentials for the node.
    let forwarded: Buffer = body;
    if (isConnectorWrite(method, requestPath)) {
      const replaced = await this.replaceCredentials(body, identity);
      if ('response' in replaced) {
        answer(replaced.response, principalName);
        return;
      }
      forwarded = replaced.body;
    }

    // 3. The identity the security plugin sees.
    const upstreamHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (/^(host|connection|content-length|authorization|x-amz-.*|x-proxy-.*|x-forwarded-.*|transfer-encoding)$/.test(name)) continue;
      upstreamHeaders[name] = value;
    }
    if (identity.kind === 'iam' && this.options.node.security) {
      upstreamHeaders['x-proxy-user'] = identity.roleArn;
      upstreamHeaders['x-proxy-roles'] = identity.roleArn;
      // The proxy authenticator only trusts these headers from an internal proxy that sets x-forwarded-for.
      upstreamHeaders['x-forwarded-for'] = '127.0.0.2';
    } else if (authorization?.startsWith('Basic ')) {
      upstreamHeaders.authorization = authorization;
    }
    upstreamHeaders['content-length'] = String(forwarded.length);
    const upstream = await forward(this.options.node, method, url, upstreamHeaders, forwarded);
    record(upstream.status, upstream.body.toString('utf8'), principalName, 'node', forwarded === body ? undefined : forwarded.toString('utf8'));
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (/^(connection|transfer-encoding|content-length)$/.test(name) || value === undefined) continue;
      responseHeaders[name] = Array.isArray(value) ? value.join(',') : String(value);
    }
    res.writeHead(upstream.status, responseHeaders).end(upstream.body);
  }

  /** Identity policy or resource policy allows, and neither denies explicitly. */
  private authorize(identity: { kind: 'iam'; roleArn: string; userArn: string } | { kind: 'anonymous' }, action: string, resource: string) {
    const resourceStatements = (this.accessPolicy ?? []).filter((s) => principalMatches(s, identity, this.account));
    const fromResource = evaluatePolicy(resourceStatements, action, resource);
    if (identity.kind === 'anonymous') return fromResource === 'allow' ? 'allow' : fromResource;
    const fromIdentity = evaluatePolicy(this.policyOf(identity.roleArn) ?? [{ Effect: 'Allow', Action: '*', Resource: '*' }], action, resource);
    if (fromResource === 'explicit-deny' || fromIdentity === 'explicit-deny') return 'explicit-deny';
    return fromResource === 'allow' || fromIdentity === 'allow' ? 'allow' : 'implicit-deny';
  }

  private async replaceCredentials(
    body: Buffer, identity: { kind: 'iam'; roleArn: string; userArn: string } | { kind: 'anonymous' },
  ): Promise<{ body: Buffer } | { response: EmulatorResponse }> {
    let parsed: any;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { body };
    }
    const credential = parsed?.credential;
    const roleArn = typeof credential?.roleArn === 'string' ? credential.roleArn : undefined;
    if (!roleArn) return { body };
    if (identity.kind !== 'iam') {
      return { response: awsAccessDenied(`User: anonymous is not authorized to perform: iam:PassRole on resource: ${roleArn}`) };
    }
    const passRole = evaluatePolicy(this.policyOf(identity.roleArn) ?? [{ Effect: 'Allow', Action: '*', Resource: '*' }], 'iam:PassRole', roleArn);
    if (passRole !== 'allow') {
      return { response: awsAccessDenied(accessDeniedMessage(identity.userArn, 'iam:PassRole', passRole, roleArn)) };
    }
    const role = this.roles.get(roleArn);
    if (!role || !this.trusts(role.trust)) {
      // What the service answers when it cannot assume the role is not documented word for word.
      return {
        response: json(400, {
          error: { root_cause: [{ type: 'illegal_argument_exception', reason: `Cannot assume role ${roleArn}: its trust policy does not allow ${SERVICE_PRINCIPALS[0]} for ${this.domainArn}` }], type: 'illegal_argument_exception', reason: `Cannot assume role ${roleArn}: its trust policy does not allow ${SERVICE_PRINCIPALS[0]} for ${this.domainArn}` },
          status: 400,
        }),
      };
    }
    const keys = this.issue(roleArn);
    const replaced: Record<string, string> = {
      ...credential, access_key: keys.accessKeyId, secret_key: keys.secretAccessKey, session_token: keys.sessionToken,
    };
    if (typeof credential.secretArn === 'string') {
      const secret = await this.readSecret(credential.secretArn, keys);
      if ('response' in secret) return secret;
      for (const [key, value] of Object.entries(secret.fields)) replaced[`secretArn.${key}`] = String(value);
    }
    parsed.credential = replaced;
    return { body: Buffer.from(JSON.stringify(parsed)) };
  }

  /** sts:AssumeRole by the service principal, with the confused-deputy conditions of the trust policy. */
  private trusts(trust: ReadonlyArray<PolicyStatement>): boolean {
    const context: Record<string, string> = { 'aws:SourceAccount': this.account, 'aws:SourceArn': this.domainArn };
    const matching = trust.filter((s) => {
      const actions = ([] as string[]).concat((s.Action as string | string[]) ?? []);
      const services = ([] as string[]).concat(((s.Principal as any)?.Service as string | string[]) ?? []);
      return actions.some((a) => wildcardMatch(a, 'sts:AssumeRole', true))
        && services.some((p) => SERVICE_PRINCIPALS.includes(p))
        && conditionsHold(s.Condition as Record<string, Record<string, string | string[]>> | undefined, context);
    });
    return !matching.some((s) => s.Effect === 'Deny') && matching.some((s) => s.Effect === 'Allow');
  }

  private issue(roleArn: string): IssuedCredentials {
    const keys: IssuedCredentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(48).toString('base64'),
      roleArn,
    };
    this.issued.set(keys.accessKeyId, keys);
    // The Secrets Manager stand-in knows the role's temporary keys, as AWS would.
    this.options.secretsManager?.principals.push({ ...keys, policy: this.roles.get(roleArn)?.policy });
    return keys;
  }

  /** GetSecretValue, signed with the connector role's temporary credentials. */
  private async readSecret(
    secretArn: string, keys: IssuedCredentials,
  ): Promise<{ fields: Record<string, unknown> } | { response: EmulatorResponse }> {
    const sm = this.options.secretsManager;
    if (!sm) throw new Error('credential.secretArn needs the front door\'s secretsManager option');
    const target = new URL(sm.url);
    const payload = JSON.stringify({ SecretId: secretArn });
    const signed = aws4.sign({
      host: target.host,
      path: '/',
      method: 'POST',
      service: 'secretsmanager',
      region: this.region,
      body: payload,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
    }, keys);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request({ hostname: target.hostname, port: target.port, path: '/', method: 'POST', headers: signed.headers as Record<string, string>, ca: sm.ca }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(payload);
    });
    if (answer.status !== 200) {
      const reason = `Failed to read ${secretArn} with the connector role: ${answer.body}`;
      return { response: json(400, { error: { root_cause: [{ type: 'illegal_argument_exception', reason }], type: 'illegal_argument_exception', reason }, status: 400 }) };
    }
    const secretString = JSON.parse(answer.body).SecretString as string;
    try {
      return { fields: JSON.parse(secretString) };
    } catch {
      return { fields: { value: secretString } };
    }
  }
}

function isConnectorWrite(method: string, requestPath: string): boolean {
  return (method === 'POST' && /^\/_plugins\/_ml\/connectors\/_create\/?$/.test(requestPath))
    || (method === 'PUT' && /^\/_plugins\/_ml\/connectors\/[^/_][^/]*\/?$/.test(requestPath));
}

/** A resource-policy statement applies to `*`, to the caller's role, or to the caller's account (then IAM policies decide). */
function principalMatches(statement: PolicyStatement, identity: { kind: string; roleArn?: string }, account: string): boolean {
  const principal = statement.Principal as string | { AWS?: string | string[] } | undefined;
  const names = typeof principal === 'string' ? [principal] : ([] as string[]).concat(principal?.AWS ?? []);
  // The account as principal (arn:aws:iam::<account>:root) delegates to identity policies: it grants nothing by itself.
  void account;
  return names.some((name) => name === '*' || (identity.kind === 'iam' && name === identity.roleArn));
}

/** StringEquals, StringLike, ArnEquals and ArnLike on single-valued keys: what a connector role's trust uses. */
function conditionsHold(conditions: Record<string, Record<string, string | string[]>> | undefined, context: Record<string, string>): boolean {
  if (!conditions) return true;
  return Object.entries(conditions).every(([operator, keys]) => Object.entries(keys).every(([key, expected]) => {
    const actual = context[key];
    const values = ([] as string[]).concat(expected);
    if (actual === undefined) return false;
    switch (operator) {
      case 'StringEquals':
      case 'ArnEquals':
        return values.includes(actual);
      case 'StringLike':
      case 'ArnLike':
        return values.some((v) => wildcardMatch(v, actual, false));
      default:
        return false;
    }
  }));
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

interface Upstream { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

function forward(node: NodeInfo, method: string, url: string, headers: Record<string, string>, body: Buffer): Promise<Upstream> {
  const target = new URL(node.url);
  return new Promise((resolve, reject) => {
    const options = { method, hostname: target.hostname, port: target.port, path: url, headers };
    const onResponse = (res: http.IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    };
    const req = node.url.startsWith('https')
      // TLS to the node is verified against the demo CA; its certificate names node-0.example.com, not 127.0.0.1.
      ? https.request({ ...options, ca: node.caPem, checkServerIdentity: () => undefined }, onResponse)
      : http.request(options, onResponse);
    req.on('error', reject);
    req.end(body);
  });
}

/** A stable digest, for test names. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
