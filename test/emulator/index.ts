/**
 * A test stand-in for an Amazon OpenSearch Service domain with the ML Commons plugin: SigV4 and IAM at the front,
 * optional fine-grained access control, the connector/model APIs, and injectable faults.
 */
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { Server } from 'https';
import { DataAccessPolicyEntry, ServerlessCollectionState } from './aoss';
import { Capacity } from './capacity';
import { ClusterState } from './cluster-state';
import { EmulatorContext } from './context';
import { FaultQueue } from './faults';
import { PolicyStatement } from './iam';
import { randomId } from './ids';
import { renderMapping } from './mappings';
import { DeployFailureSpec, MlRuntime, PredictBehaviour } from './ml-runtime';
import { ModelState, storeModel } from './models';
import { PrincipalDirectory } from './pipeline';
import { SecurityPlugin } from './security';
import { CA_FILE, startServer, stopServer } from './server';
import { clone, DocIndex } from './store';
import { compileTrusted, DEFAULT_TRUSTED_ENDPOINTS } from './templates';
import { EmulatorOptions, EmulatorPrincipal, FaultSpec, RecordedRequest } from './types';
import { EngineVersion } from './version';

export type { EmulatorOptions, EmulatorPrincipal, EmulatorRoleMapping, FaultSpec, RecordedRequest } from './types';
export type { DataAccessPolicyEntry, ServerlessOptions } from './aoss';
export type { CapacityOptions, Operation } from './capacity';
export type { DeployFailureSpec, PredictBehaviour, RemoteError, RemoteErrorPreset } from './ml-runtime';

/** What userIndex() returns. */
export interface UserIndexState {
  readonly settings: Record<string, string>;
  readonly mappings: Record<string, unknown>;
  readonly documents: Array<{ id: string; source: Record<string, unknown> }>;
}

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
    const serverless = options.serverless ? new ServerlessCollectionState(options.serverless, region, account) : undefined;
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
      cluster: new ClusterState(serverless ? serverless.refreshIntervalMs : 1000),
      security: new SecurityPlugin(options.fgac),
      ...(serverless ? { serverless } : {}),
      ml: new MlRuntime({
        deployLatencyMs: options.deployLatencyMs, modelAutoDeploy: options.modelAutoDeploy, maxDeployTasks: options.capacity?.maxDeployTasksPerNode,
      }),
      capacity: new Capacity(options.capacity),
      nodeId: randomId(),
      peerNodeId: randomId(),
      clusterUuid: randomBytes(16).toString('base64url').slice(0, 22),
    };
    const principals = new Principals(options.principals);
    const faults = new FaultQueue();
    const requests: RecordedRequest[] = [];
    const epoch = { value: 0 };
    const { server, port } = await startServer({ emulator: context, principals, faults, requests, epoch });
    return new OpenSearchEmulator(context, principals, faults, requests, epoch, server, port);
  }

  /** 'localhost:<port>': what goes where a domain endpoint would. */
  readonly endpoint: string;
  readonly domainArn: string;
  /** The collection's ARN when the emulator is a serverless collection. */
  readonly collectionArn?: string;
  /** Absolute path of the PEM to trust (NODE_EXTRA_CA_CERTS). */
  readonly caFile: string = CA_FILE;
  readonly caPem: string = readFileSync(CA_FILE, 'utf8');

  private constructor(
    private readonly context: EmulatorContext,
    private readonly principals: Principals,
    private readonly faults: FaultQueue,
    readonly requests: RecordedRequest[],
    private readonly epoch: { value: number },
    private readonly server: Server,
    port: number,
  ) {
    this.endpoint = `localhost:${port}`;
    this.domainArn = context.domainArn;
    this.collectionArn = context.serverless?.collectionArn;
  }

  injectFault(fault: FaultSpec): void {
    this.faults.add(fault);
  }

  /** Removes every queued fault, or only those injected with `tag`. */
  clearFaults(tag?: string): void {
    this.faults.clear(tag);
  }

  /** Stored connector documents, credential included (direct state access, no HTTP). */
  /** The IDs the next connectors created take (OpenSearch generates them; tests that need IDs of a given shape). */
  nextConnectorIds(...ids: string[]): void {
    this.context.connectors.nextIds.push(...ids);
  }

  connectors(): Array<{ id: string; source: Record<string, unknown> }> {
    return this.context.connectors.all().map((doc) => ({ id: doc.id, source: clone(doc.source) }));
  }

  /** Store a remote model using a connector, as if it had been registered; returns its model_id. */
  putModel(model: { connectorId: string; name?: string; state?: ModelState; groupId?: string; modelConfig?: Record<string, unknown> }): string {
    const state: ModelState = model.state ?? 'REGISTERED';
    return storeModel(this.context, {
      name: model.name ?? `model-${randomId().slice(0, 6)}`,
      connectorId: model.connectorId,
      state,
      groupId: model.groupId,
      modelConfig: model.modelConfig,
    });
  }

  /** Stored model documents (direct state access, no HTTP). */
  models(): Array<{ id: string; source: Record<string, unknown> }> {
    return this.context.models.all().map((doc) => ({ id: doc.id, source: clone(doc.source) }));
  }

  /** Stored model group documents. */
  modelGroups(): Array<{ id: string; source: Record<string, unknown> }> {
    return this.context.modelGroups.all().map((doc) => ({ id: doc.id, source: clone(doc.source) }));
  }

  /** Stored task documents (register and deploy tasks). */
  tasks(): Array<{ id: string; source: Record<string, unknown> }> {
    return this.context.tasks.all().map((doc) => ({ id: doc.id, source: clone(doc.source) }));
  }

  /** The emulated ML node ids: [the node every deploy uses, the node a COMPLETED_WITH_ERROR deploy fails on]. */
  get mlNodeIds(): readonly [string, string] {
    return [this.context.nodeId, this.context.peerNodeId];
  }

  /** Deploy task duration from now on (ms, fixed or [min, max]); reset() restores the option. */
  setDeployLatency(ms: number | readonly [number, number]): void {
    this.context.ml.setDeployLatency(ms);
  }

  /** How long after an undeploy's answer the model still reads as deployed (ml-commons #2419); reset() sets 0. */
  setUndeployLag(ms: number): void {
    this.context.ml.setUndeployLag(ms);
  }

  /** Make the next matching deploys fail (see DeployFailureSpec: target, times, state, message). */
  failDeploys(spec: DeployFailureSpec = {}): void {
    this.context.ml.failDeploys(spec);
  }

  /** plugins.ml_commons.model_auto_deploy.enable; undefined = the version's default. reset() restores the option. */
  setModelAutoDeploy(enabled: boolean | undefined): void {
    this.context.ml.setAutoDeploy(enabled);
  }

  /**
   * What predict answers for a model: target is a model id, a connector id (any model using it) or '*'; the most
   * specific wins. undefined removes the behaviour. Without one, predict answers embeddings of the model's
   * model_config.embedding_dimension (or a generic "response" output when it has none).
   */
  setPredictBehaviour(target: string, behaviour: PredictBehaviour | undefined): void {
    this.context.ml.setPredictBehaviour(target, behaviour);
  }

  /** What the capacity limits turned away so far: requests answered 429, registers and deploys refused at ml-commons' caps. */
  get refused(): { readonly throttled: number; readonly registers: number; readonly groupSearches: number; readonly deploys: number } {
    return { ...this.context.capacity.refused, deploys: this.context.ml.refusedDeploys };
  }

  /** Resolves once every deploy task in flight has finished. */
  async settleDeploys(): Promise<void> {
    await this.context.ml.settled();
  }

  /** The stored roles mapping exactly as the security API would return it for the role, or undefined. */
  rolesMapping(role: string): unknown | undefined {
    const mapping = this.context.security.getMapping(role);
    return mapping === undefined ? undefined : clone(mapping);
  }

  /** A user index's settings (flat index.* keys), mapping and documents (direct state access, no HTTP). */
  userIndex(name: string): UserIndexState | undefined {
    const index = this.context.cluster.indices.get(name);
    if (!index) return undefined;
    return {
      settings: Object.fromEntries(index.settings),
      mappings: renderMapping(index.mapping),
      documents: [...index.docs.values()].map((doc) => ({ id: doc.id, source: clone(doc.source) })),
    };
  }

  /** Make every write visible to search now (as a refresh of all indexes would), e.g. on a serverless collection. */
  refreshIndices(): void {
    for (const index of this.context.cluster.indices.values()) index.refresh();
  }

  /** Stored ingest / search pipeline definitions by id. */
  pipelines(kind: 'ingest' | 'search'): Record<string, unknown> {
    const store = kind === 'ingest' ? this.context.cluster.ingestPipelines : this.context.cluster.searchPipelines;
    return Object.fromEntries([...store.entries()].map(([id, pipeline]) => [id, clone(pipeline.config)]));
  }

  /** A security role (predefined or created with the roles API), or undefined. */
  securityRole(name: string): unknown | undefined {
    const role = this.context.security.roles.get(name);
    return role === undefined ? undefined : clone(role);
  }

  /** Replace the collection's data access policies (serverless only) until reset(). */
  setDataAccessPolicies(policies: ReadonlyArray<readonly DataAccessPolicyEntry[]>): void {
    if (!this.context.serverless) throw new Error('setDataAccessPolicies: the emulator is a domain, not a serverless collection');
    this.context.serverless.setPolicies(policies);
  }

  setPrincipalPolicy(roleArn: string, policy: ReadonlyArray<Record<string, unknown>> | undefined): void {
    this.principals.override(roleArn, policy);
  }

  /** Drop all state, faults and recorded requests; policies and roles mappings return to the options. */
  reset(): void {
    for (const index of [this.context.connectors, this.context.models, this.context.modelGroups, this.context.tasks]) {
      index.clear();
    }
    this.context.ml.reset();
    this.context.capacity.reset();
    this.context.cluster.reset();
    this.context.security.reset();
    this.context.serverless?.reset();
    this.principals.reset();
    this.faults.clear();
    this.requests.length = 0;
    this.epoch.value++;
  }

  async stop(): Promise<void> {
    this.context.ml.reset();
    await stopServer(this.server);
  }
}
