/**
 * A test stand-in for an Amazon OpenSearch Service domain with the ML Commons plugin: SigV4 and IAM at the front,
 * optional fine-grained access control, the connector/model APIs, and injectable faults.
 */
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { Server } from 'https';
import { EmulatorContext } from './context';
import { FaultQueue } from './faults';
import { PolicyStatement } from './iam';
import { randomId } from './ids';
import { ModelState, storeModel } from './models';
import { PrincipalDirectory } from './pipeline';
import { SecurityPlugin } from './security';
import { CA_FILE, startServer, stopServer } from './server';
import { clone, DocIndex } from './store';
import { compileTrusted, DEFAULT_TRUSTED_ENDPOINTS } from './templates';
import { EmulatorOptions, EmulatorPrincipal, FaultSpec, RecordedRequest } from './types';
import { EngineVersion } from './version';

export type { EmulatorOptions, EmulatorPrincipal, EmulatorRoleMapping, FaultSpec, RecordedRequest } from './types';

/** Principals with their current policies; setPrincipalPolicy overrides, reset() restores the options. */
class Principals implements PrincipalDirectory {
  private overrides = new Map<string, ReadonlyArray<PolicyStatement> | undefined>();

  constructor(private readonly principals: readonly EmulatorPrincipal[]) {}

  byAccessKey(accessKeyId: string): EmulatorPrincipal | undefined {
    return this.principals.find((principal) => principal.accessKeyId === accessKeyId);
  }

  policyOf(roleArn: string): ReadonlyArray<PolicyStatement> | undefined {
    if (this.overrides.has(roleArn)) return this.overrides.get(roleArn);
    return this.principals.find((principal) => principal.roleArn === roleArn)?.policy;
  }

  override(roleArn: string, policy: ReadonlyArray<PolicyStatement> | undefined): void {
    this.overrides.set(roleArn, policy === undefined ? undefined : clone(policy));
  }

  reset(): void {
    this.overrides = new Map();
  }
}

export class OpenSearchEmulator {
  static async start(options: EmulatorOptions): Promise<OpenSearchEmulator> {
    const region = options.region ?? 'us-east-1';
    const account = options.account ?? '111122223333';
    const domainName = options.domainName ?? 'test-domain';
    const context: EmulatorContext = {
      region,
      account,
      domainName,
      domainArn: `arn:aws:es:${region}:${account}:domain/${domainName}`,
      version: new EngineVersion(options.engineVersion ?? '2.19.0'),
      trustedEndpoints: compileTrusted(options.trustedEndpointsRegex ?? DEFAULT_TRUSTED_ENDPOINTS),
      connectors: new DocIndex('.plugins-ml-connector'),
      models: new DocIndex('.plugins-ml-model'),
      modelGroups: new DocIndex('.plugins-ml-model-group'),
      tasks: new DocIndex('.plugins-ml-task'),
      security: new SecurityPlugin(options.fgac),
      nodeId: randomId(),
      clusterUuid: randomBytes(16).toString('base64url').slice(0, 22),
    };
    const principals = new Principals(options.principals);
    const faults = new FaultQueue();
    const requests: RecordedRequest[] = [];
    const { server, port } = await startServer({ emulator: context, principals, faults, requests });
    return new OpenSearchEmulator(context, principals, faults, requests, server, port);
  }

  /** 'localhost:<port>': what goes where a domain endpoint would. */
  readonly endpoint: string;
  readonly domainArn: string;
  /** Absolute path of the PEM to trust (NODE_EXTRA_CA_CERTS). */
  readonly caFile: string = CA_FILE;
  readonly caPem: string = readFileSync(CA_FILE, 'utf8');

  private constructor(
    private readonly context: EmulatorContext,
    private readonly principals: Principals,
    private readonly faults: FaultQueue,
    readonly requests: RecordedRequest[],
    private readonly server: Server,
    port: number,
  ) {
    this.endpoint = `localhost:${port}`;
    this.domainArn = context.domainArn;
  }

  injectFault(fault: FaultSpec): void {
    this.faults.add(fault);
  }

  /** Removes every queued fault, or only those injected with `tag`. */
  clearFaults(tag?: string): void {
    this.faults.clear(tag);
  }

  /** Stored connector documents, credential included (direct state access, no HTTP). */
  connectors(): Array<{ id: string; source: Record<string, unknown> }> {
    return this.context.connectors.all().map((doc) => ({ id: doc.id, source: clone(doc.source) }));
  }

  /** Store a remote model using a connector, as if it had been registered; returns its model_id. */
  putModel(model: { connectorId: string; name?: string; state?: 'REGISTERED' | 'DEPLOYED' }): string {
    const state: ModelState = model.state ?? 'REGISTERED';
    return storeModel(this.context, { name: model.name ?? `model-${randomId().slice(0, 6)}`, connectorId: model.connectorId, state });
  }

  /** The stored roles mapping exactly as the security API would return it for the role, or undefined. */
  rolesMapping(role: string): unknown | undefined {
    const mapping = this.context.security.getMapping(role);
    return mapping === undefined ? undefined : clone(mapping);
  }

  setPrincipalPolicy(roleArn: string, policy: ReadonlyArray<Record<string, unknown>> | undefined): void {
    this.principals.override(roleArn, policy);
  }

  /** Drop all state, faults and recorded requests; policies and roles mappings return to the options. */
  reset(): void {
    for (const index of [this.context.connectors, this.context.models, this.context.modelGroups, this.context.tasks]) {
      index.clear();
    }
    this.context.security.reset();
    this.principals.reset();
    this.faults.clear();
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    await stopServer(this.server);
  }
}
