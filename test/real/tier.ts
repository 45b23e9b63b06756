/**
 * What every real-tier test file shares: the running nodes (started once by global-setup.ts), and a
 * "domain": the front door in front of one node, the Secrets Manager / CloudFormation stand-in, the loopback
 * model endpoints and the shipped handler bundle run as Lambda would (test/handler/harness.ts).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as aws4 from 'aws4';
import { FrontDoor } from './front-door';
import { ModelEndpoints } from './model-endpoints';
import { NodeInfo, nodeRequest } from './opensearch-node';
import { FineGrainedAccess } from '../../src';
import { AwsApisEmulator, StackResource } from '../emulator/aws-apis';
import { PolicyStatement } from '../emulator/iam';
import { EmulatorPrincipal } from '../emulator/types';
import { creationOrder } from '../handler/deployment';
import { ACCOUNT, createEvent, deleteEvent, stringifyScalars, SynthesizedStack, synthesizeStack, updateEvent } from '../handler/events';
import { LambdaHarness } from '../handler/harness';

export { ACCOUNT };
export const NODES_ENV = 'REAL_OPENSEARCH_NODES';

/** The nodes global-setup.ts started, as test.each rows: [coreVersion, node]. */
export function nodes(): Array<[string, NodeInfo]> {
  const text = process.env[NODES_ENV];
  if (!text) throw new Error(`${NODES_ENV} is not set: run the real tier with \`npm run test:opensearch\` (its global setup starts the nodes)`);
  return (JSON.parse(text) as NodeInfo[]).map((n) => [n.coreVersion, n]);
}

/** The provider role's logical ID in every synthesized test stack (a hash of its construct path). */
export const PROVIDER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/OpenSearchMlProviderRole2E8E49A4`;
/** an application of the domain: what ingests documents and searches */
export const APPLICATION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/real-tier-application`;
const APPLICATION_SECURITY_ROLE = 'real_tier_application';
export const API_KEY = `sk-real-tier-${randomBytes(8).toString('hex')}`;
export const API_KEY_SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:real-tier/model-api-key-AbCdEf`;
export const STACK_NAME = 'HandlerTest';
/** the domain's master user (the node's admin), in Secrets Manager as the construct expects it */
export const MASTER_SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:real-tier/master-user-AbCdEf`;
export const CONNECTOR = 'Custom::OpenSearchMlConnector';
export const MODEL = 'Custom::OpenSearchMlModel';
export const GROUP = 'Custom::OpenSearchMlModelGroup';
export const MAPPING = 'Custom::OpenSearchMlRoleMapping';

export interface DomainOptions {
  /**
   * the domain's resource-based access policy; default: anyone may reach the security plugin's REST API (where
   * basic auth with the master user is checked), everything else is up to IAM identity policies
   */
  readonly accessPolicy?: ReadonlyArray<PolicyStatement>;
  /** more secrets for the Secrets Manager stand-in: ARN → SecretString */
  readonly secrets?: Record<string, string>;
  /** the node trusts the loopback model endpoints besides ml-commons' defaults until close() */
  readonly trustLoopback?: boolean;
}

/** A stand-in for one Amazon OpenSearch Service domain backed by a real node, and a provider Lambda calling it. */
export class RealDomain {
  public static async open(node: NodeInfo, options: DomainOptions = {}): Promise<RealDomain> {
    const provider: EmulatorPrincipal = {
      accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(32).toString('base64'),
      roleArn: PROVIDER_ROLE_ARN,
    };
    // An application of the domain (no identity policy: IAM allows it everything), for the data plane: _bulk, searches.
    const application: EmulatorPrincipal = {
      accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      roleArn: APPLICATION_ROLE_ARN,
    };
    const awsPrincipals: EmulatorPrincipal[] = [provider];
    const aws = await AwsApisEmulator.start({
      principals: awsPrincipals,
      secrets: {
        [API_KEY_SECRET_ARN]: JSON.stringify({ openAI_key: API_KEY, api_key: API_KEY }),
        ...(node.admin ? { [MASTER_SECRET_ARN]: JSON.stringify(node.admin) } : {}),
        ...options.secrets,
      },
      stacks: { [STACK_NAME]: [] },
    });
    const frontDoor = await FrontDoor.start({
      node,
      principals: [provider, application],
      accessPolicy: options.accessPolicy ?? securityApiOpen(),
      secretsManager: { url: aws.url, principals: awsPrincipals, ca: fs.readFileSync(path.join(__dirname, '..', 'emulator', 'tls', 'cert.pem'), 'utf8') },
    });
    const models = await ModelEndpoints.start({ frontDoor, apiKey: API_KEY });
    const lambda = await LambdaHarness.start({
      credentials: provider,
      env: { PROVIDER_ROLE_ARN: provider.roleArn, AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url, AWS_ENDPOINT_URL_CLOUDFORMATION: aws.url },
    });
    const domain = new RealDomain(node, frontDoor, aws, models, lambda, provider, application);
    try {
      if (options.trustLoopback) await domain.trustEndpoints([...await domain.defaultTrustedEndpoints(), LOOPBACK_TRUST]);
    } catch (e) {
      await domain.close().catch(() => undefined);
      throw e;
    }
    return domain;
  }

  /** the stack's resources as CloudFormation lists them (the handler reads them to tell its models from others') */
  public readonly stackResources: StackResource[] = [];
  public readonly stackId: string;

  private constructor(
    public readonly node: NodeInfo,
    public readonly frontDoor: FrontDoor,
    public readonly aws: AwsApisEmulator,
    public readonly models: ModelEndpoints,
    public readonly lambda: LambdaHarness,
    /** the provider role's keys (a test that runs its own execution environments signs with them) */
    public readonly provider: EmulatorPrincipal,
    private readonly application: EmulatorPrincipal,
  ) {
    this.stackId = aws.stackId(STACK_NAME)!;
  }

  /**
   * How the provider gets ML permissions here: on a node with the security plugin the handler maps it to
   * `ml_full_access` with the master user from Secrets Manager (the provider itself is no master user, so
   * every ML call proves that `ml_full_access` is enough); without the plugin there is nothing to map.
   */
  public fineGrainedAccess(stack: Stack): FineGrainedAccess {
    return this.node.security
      ? FineGrainedAccess.masterUserSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'MasterUser', MASTER_SECRET_ARN))
      : FineGrainedAccess.disabled();
  }

  /** Creates the stack's role mapping (if any) and returns its physical ID, for deleting it at the end. */
  public async createMapping(synthesized: SynthesizedStack): Promise<{ id: string; properties: Record<string, unknown> } | undefined> {
    const [properties] = synthesized.propertiesOf(MAPPING);
    if (!properties) return undefined;
    const response = await this.create(properties, MAPPING);
    if (response.Status !== 'SUCCESS') throw new Error(`the ml_full_access mapping failed: ${response.Reason}`);
    return { id: response.PhysicalResourceId, properties };
  }

  /** endpoint and ARN, as synthesizeStack() wants them */
  public get domain() {
    return { endpoint: this.frontDoor.endpoint, domainArn: this.frontDoor.domainArn };
  }

  /**
   * Synthesizes `build` against this domain and gives IAM what the template declares: the provider
   * role's statements (on the domain and on the other AWS APIs) and every role the service may assume.
   */
  public synth(build: (stack: Stack, domain: opensearch.IDomain) => void): SynthesizedStack {
    const synthesized = synthesizeStack(this.domain, build);
    const providerRole = synthesized.logicalIdOf('OpenSearchMlProviderRole');
    if (`arn:aws:iam::${ACCOUNT}:role/${providerRole}` !== PROVIDER_ROLE_ARN) {
      throw new Error(`the provider role is ${providerRole} now: update PROVIDER_ROLE_ARN in test/real/tier.ts`);
    }
    const statements = JSON.parse(JSON.stringify(synthesized.providerStatements).replace(/"AWS::StackId"/g, JSON.stringify(this.stackId)));
    this.frontDoor.setPrincipalPolicy(PROVIDER_ROLE_ARN, statements);
    this.aws.setPrincipalPolicy(PROVIDER_ROLE_ARN, statements);
    for (const [logicalId, resource] of Object.entries(synthesized.resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      const inline = (resource.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement);
      const attached = Object.values(synthesized.resources)
        .filter((r: any) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles ?? []).includes(`"${logicalId}"`))
        .flatMap((r: any) => r.Properties.PolicyDocument.Statement);
      // Its ARN as the template resolves it, with the role's path (connector roles have one).
      this.frontDoor.defineRole(synthesized.resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }) as string, {
        trust: synthesized.resolve(resource.Properties.AssumeRolePolicyDocument.Statement) as PolicyStatement[],
        policy: synthesized.resolve([...inline, ...attached]) as PolicyStatement[],
      });
    }
    return synthesized;
  }

  /**
   * Sends a CloudFormation event to the handler, with this domain's stack ID and, when given, the resource's logical ID
   * (the handler marks what it writes with both); records what Create made.
   */
  public async send(event: Record<string, any>, logicalId?: string): Promise<Record<string, any>> {
    const sent = { ...event, StackId: this.stackId, ...(logicalId ? { LogicalResourceId: logicalId } : {}) };
    const { response } = await this.lambda.invoke(sent, { remainingMs: 280_000 });
    if (!response) throw new Error('the handler sent no response');
    if (event.RequestType === 'Create' && response.Status === 'SUCCESS' && logicalId) {
      this.stackResources.push({ logicalId, physicalId: response.PhysicalResourceId, type: event.ResourceType });
      this.aws.setStack(STACK_NAME, this.stackResources);
    }
    return response;
  }

  public create(properties: Record<string, unknown>, type: string, logicalId?: string) {
    return this.send(createEvent(properties, type), logicalId);
  }

  public update(physicalId: string, properties: Record<string, unknown>, old: Record<string, unknown>, type: string, logicalId?: string) {
    return this.send(updateEvent(physicalId, properties, old, type), logicalId);
  }

  public delete(physicalId: string, properties: Record<string, unknown>, type: string, logicalId?: string) {
    return this.send(deleteEvent(physicalId, properties, type), logicalId);
  }

  /** A request through the front door, SigV4-signed (service `es`) with the provider role's credentials. */
  public async call(method: string, requestPath: string, body?: unknown): Promise<{ status: number; json: any; body: string }> {
    return this.signed(this.provider, method, requestPath, body);
  }

  /**
   * A request of the domain's application (APPLICATION_ROLE_ARN) through the front door; a string body is sent as
   * is, as NDJSON (`_bulk`). On a node with the security plugin the application needs a security role: grantApplication().
   */
  public async callAsApplication(method: string, requestPath: string, body?: unknown): Promise<{ status: number; json: any; body: string }> {
    return this.signed(this.application, method, requestPath, body);
  }

  /**
   * On a node with the security plugin, maps the application to a security role of its own with `permissions`;
   * returns what removes both again. Without the plugin there is nothing to map.
   */
  public async grantApplication(
    permissions: { cluster: string[]; index: Array<{ index_patterns: string[]; allowed_actions: string[] }> },
  ): Promise<() => Promise<void>> {
    if (!this.node.security) return async () => {};
    const role = `/_plugins/_security/api/roles/${APPLICATION_SECURITY_ROLE}`;
    const mapping = `/_plugins/_security/api/rolesmapping/${APPLICATION_SECURITY_ROLE}`;
    const put = await this.admin('PUT', role, { cluster_permissions: permissions.cluster, index_permissions: permissions.index });
    const mapped = await this.admin('PUT', mapping, { backend_roles: [APPLICATION_ROLE_ARN] });
    if (put.status >= 300 || mapped.status >= 300) throw new Error(`the application's security role failed: ${put.body} ${mapped.body}`);
    return async () => {
      await this.admin('DELETE', mapping);
      await this.admin('DELETE', role);
    };
  }

  private async signed(
    principal: EmulatorPrincipal, method: string, requestPath: string, body?: unknown,
  ): Promise<{ status: number; json: any; body: string }> {
    const ndjson = typeof body === 'string';
    const payload = body === undefined ? undefined : ndjson ? body : JSON.stringify(body);
    const [host, port] = this.frontDoor.endpoint.split(':');
    const signed = aws4.sign({
      host: this.frontDoor.endpoint,
      path: requestPath,
      method,
      service: 'es',
      region: 'us-east-1',
      body: payload,
      headers: payload ? { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' } : {},
    }, principal);
    return new Promise((resolve, reject) => {
      const headers = signed.headers as Record<string, string>;
      const options = { hostname: host, port, path: requestPath, method, headers, ca: this.frontDoor.caPem };
      const req = https.request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, body: text });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A request straight to the node as its admin (security plugin nodes) or unauthenticated (others). */
  public async admin(method: string, requestPath: string, body?: unknown): Promise<{ status: number; json: any; body: string }> {
    const answer = await nodeRequest(this.node, method, requestPath, body);
    let json: any;
    try {
      json = JSON.parse(answer.body);
    } catch {
      json = undefined;
    }
    return { ...answer, json };
  }

  /** Sets the node's trusted connector endpoints (a dynamic cluster setting); undefined restores ml-commons' default. */
  public async trustEndpoints(regexes: readonly string[] | undefined): Promise<void> {
    const answer = await this.admin('PUT', '/_cluster/settings', { persistent: { 'plugins.ml_commons.trusted_connector_endpoints_regex': regexes ?? null } });
    if (answer.status !== 200) throw new Error(`setting the trusted endpoints failed: ${answer.status} ${answer.body}`);
  }

  /** ml-commons' own default list of trusted connector endpoints, as the node reports it. */
  public async defaultTrustedEndpoints(): Promise<string[]> {
    const answer = await this.admin('GET', '/_cluster/settings?include_defaults=true&flat_settings=true');
    const value = answer.json?.defaults?.['plugins.ml_commons.trusted_connector_endpoints_regex'];
    if (!Array.isArray(value)) throw new Error(`the node reports no default trusted endpoints: ${answer.body.slice(0, 300)}`);
    return value;
  }

  /** Stops the stand-ins; the node's trusted endpoints go back to ml-commons' default. */
  public async close(): Promise<void> {
    try {
      await this.trustEndpoints(undefined);
    } finally {
      await Promise.allSettled([this.lambda.stop(), this.models.stop(), this.frontDoor.stop(), this.aws.stop()]);
    }
  }
}

function securityApiOpen(): PolicyStatement[] {
  return [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'es:ESHttp*', Resource: 'arn:aws:es:us-east-1:111122223333:domain/real-tier/_plugins/_security/*' }];
}

/** An open-access policy (principal `*`), the one the service recommends with fine-grained access control. */
export function openAccessPolicy(domainArn: string): PolicyStatement[] {
  return [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'es:ESHttp*', Resource: `${domainArn}/*` }];
}

/**
 * One stack deployed through the handler as CloudFormation would: resources created in dependency order (DependsOn,
 * Ref and GetAtt: test/handler/deployment.ts) with Refs to created resources replaced by their physical IDs, updated
 * with another synth of the same app, and deleted in reverse order, except those whose DeletionPolicy is Retain
 * (CloudFormation sends no Delete for them). `transform` changes each resource's properties before they are sent (the tests
 * point action URLs at the loopback model endpoints: a stand-in for DNS).
 */
export class Deployment {
  public readonly physical = new Map<string, string>();
  /** the logical IDs createAll() created, in order */
  public readonly created: string[] = [];
  private readonly sent = new Map<string, Record<string, any>>();

  constructor(
    private readonly domain: RealDomain,
    public synthesized: SynthesizedStack,
    private readonly transform: (properties: Record<string, any>) => Record<string, any> = (p) => p,
  ) {}

  public logicalIds(type: string, synthesized = this.synthesized): string[] {
    return Object.entries(synthesized.resources).filter(([, r]) => r.Type === type).map(([id]) => id);
  }

  public logicalId(type: string, prefix: string): string {
    const id = this.logicalIds(type).find((l) => l.startsWith(prefix));
    if (!id) throw new Error(`no ${type} ${prefix}* in the stack`);
    return id;
  }

  /** The properties CloudFormation sends for `logicalId`, Refs to created resources resolved. */
  public properties(logicalId: string, synthesized = this.synthesized): Record<string, any> {
    const { ServiceToken, ...rest } = synthesized.resources[logicalId].Properties;
    const resolved = { ServiceToken: synthesized.resolve(ServiceToken), ...(synthesized.resolve(rest) as object) };
    const properties = stringifyScalars(resolved) as Record<string, any>;
    const text = JSON.stringify(properties).replace(/"([A-Za-z0-9]+)"/g, (whole, id: string) => (this.physical.has(id) ? JSON.stringify(this.physical.get(id)) : whole));
    return this.transform(JSON.parse(text));
  }

  public async create(logicalId: string): Promise<Record<string, any>> {
    const resource = this.synthesized.resources[logicalId];
    const properties = this.properties(logicalId);
    const response = await this.domain.create(properties, resource.Type, logicalId);
    if (response.Status === 'SUCCESS') {
      this.physical.set(logicalId, response.PhysicalResourceId);
      this.sent.set(logicalId, properties);
    }
    return response;
  }

  /** Creates every custom resource of the stack in dependency order; throws on the first failure. */
  public async createAll(): Promise<void> {
    for (const logicalId of creationOrder(this.synthesized)) {
      const response = await this.create(logicalId);
      if (response.Status !== 'SUCCESS') throw new Error(`${logicalId}: ${response.Reason}`);
      this.created.push(logicalId);
    }
  }

  /** Sends an Update of `logicalId` from what was last sent to what `next` declares. */
  public async update(logicalId: string, next: SynthesizedStack): Promise<Record<string, any>> {
    const resource = next.resources[logicalId];
    const old = this.sent.get(logicalId)!;
    const properties = this.properties(logicalId, next);
    const response = await this.domain.update(this.physical.get(logicalId)!, properties, old, resource.Type, logicalId);
    if (response.Status === 'SUCCESS') {
      this.physical.set(logicalId, response.PhysicalResourceId);
      this.sent.set(logicalId, properties);
    }
    return response;
  }

  /**
   * Updates to `next` what CloudFormation would: every created resource whose properties differ, in creation order;
   * stops at the first failure (no rollback). Returns the logical IDs updated and the failures.
   */
  public async updateAll(next: SynthesizedStack): Promise<{ updated: string[]; failures: string[] }> {
    const updated: string[] = [];
    for (const logicalId of creationOrder(next).filter((id) => this.created.includes(id))) {
      if (JSON.stringify(this.properties(logicalId, next)) === JSON.stringify(this.sent.get(logicalId))) continue;
      const response = await this.update(logicalId, next);
      if (response.Status !== 'SUCCESS') return { updated, failures: [`${logicalId}: ${response.Reason}`] };
      updated.push(logicalId);
    }
    this.synthesized = next;
    return { updated, failures: [] };
  }

  public async delete(logicalId: string, physicalId = this.physical.get(logicalId)!): Promise<Record<string, any>> {
    const type = this.synthesized.resources[logicalId].Type;
    return this.domain.delete(physicalId, this.sent.get(logicalId) ?? this.properties(logicalId), type, logicalId);
  }

  /**
   * Deletes everything created, in reverse order of creation, as CloudFormation deletes a stack: a resource whose
   * DeletionPolicy is Retain gets no Delete. Returns the responses that were not SUCCESS.
   */
  public async deleteAll(): Promise<string[]> {
    const failures: string[] = [];
    for (const logicalId of [...this.created].reverse().filter((id) => this.physical.has(id))) {
      if (this.synthesized.resources[logicalId].DeletionPolicy === 'Retain') continue;
      const response = await this.delete(logicalId);
      if (response.Status !== 'SUCCESS') failures.push(`${logicalId}: ${response.Reason}`);
      else this.physical.delete(logicalId);
    }
    return failures;
  }
}

/** Hosts of the public model APIs the blueprints call, and the loopback stand-in's base URL in their place. */
const PUBLIC_MODEL_HOSTS = [
  'https://bedrock-runtime.${parameters.region}.amazonaws.com',
  'https://runtime.sagemaker.${parameters.region}.amazonaws.com',
  'https://api.openai.com',
];

/** Points every action of a connector's properties at `baseUrl` instead of the public model APIs. */
export function toLoopback(baseUrl: string): (properties: Record<string, any>) => Record<string, any> {
  return (properties) => {
    if (!properties.connector) return properties;
    const connector = properties.connector;
    return {
      ...properties,
      connector: {
        ...connector,
        actions: connector.actions.map((action: any) => ({
          ...action,
          url: PUBLIC_MODEL_HOSTS.reduce((url: string, host) => (url.startsWith(host) ? baseUrl + url.slice(host.length) : url), action.url),
        })),
      },
    };
  };
}

/** The loopback model endpoints, in the form of a trusted-endpoint regex. */
export const LOOPBACK_TRUST = '^http://127\\.0\\.0\\.1:[0-9]+/.*$';
