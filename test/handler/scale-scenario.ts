/*
 * A big stack deployed the way CloudFormation deploys it, against a domain with the service's
 * limits: what test/handler/scale.test.ts checks and `npm run bench` reports.
 *
 * The stack: `connectors` SageMaker connectors, `models` of them with a model (every other one
 * with a smoke test). Create, then an update that changes every connector's request body (so
 * every connector is updated, and those with deployed models are undeployed and deployed again
 * around it), then delete. Every custom resource event goes to the shipped handler bundle, one
 * execution environment (child process) per invocation in flight (lambda-pool.ts), in the order
 * and with the parallelism CloudFormation uses (stack-sim.ts).
 *
 * Time: the handlers' clocks and the emulator's run `clockScale` times faster, from one origin;
 * every duration below is in that (the service's) time. The floor of each phase is the ideal
 * schedule of the same requests with the same latencies and caps (critical-path.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { ConnectorBlueprint, MlConnector, MlModel, ModelVerification } from '../../src';
import { CapacityOptions, OpenSearchEmulator, Operation } from '../emulator';
import { AwsApisEmulator } from '../emulator/aws-apis';
import { providerInlinePolicySizes } from '../policy-size';
import { criticalPathFloor, FloorResource, Step } from './critical-path';
import { stringifyScalars, SynthesizedStack } from './events';
import { LambdaPool } from './lambda-pool';
import { dependenciesOf, isCustom, PhaseResult, RequestType, StackSimulation } from './stack-sim';

const CONNECTOR = 'Custom::OpenSearchMlConnector';
const MODEL = 'Custom::OpenSearchMlModel';
const STACK_NAME = 'SearchPlatform';

/**
 * The service, in its own time (ms). ml-commons' caps are its defaults (capacity.ts has the
 * sources); the latencies and the admission limit are assumptions, as Amazon OpenSearch Service
 * documents neither: a remote model's deploy task takes seconds, a model call hundreds of ms,
 * an index write about 100 ms, and the domain answers 429 beyond 50 requests in flight.
 */
export const SERVICE = {
  latencyMs: {
    'connector.create': 150,
    'connector.update': 150,
    'connector.delete': 100,
    'connector.read': 50,
    'modelGroup.register': 100,
    'modelGroup.delete': 100,
    'modelGroup.read': 30,
    'model.register': 200,
    'model.deploy': 100,
    'model.undeploy': 300,
    'model.predict': 400,
    'model.update': 150,
    'model.delete': 100,
    'model.read': 30,
    'task.read': 20,
    'default': 50,
  },
  deployMs: 2_500,
  maxDeployTasks: 10,
  maxRegisterTasks: 10,
  maxRequestsInFlight: 50,
  /**
   * A fresh domain's model group index takes this long to be searchable once the first model group
   * creates it; registers in that window are answered 500 "Failed to search indices" (seen on real
   * OpenSearch 2.19.6: capacity.ts). The duration is an assumption.
   */
  modelGroupIndexCreationMs: 100,
} as const;

/** CloudFormation ListStackResources (a page of 100), an assumption: the provider lists the stack's models once per connector update around them. */
const LIST_STACK_RESOURCES_MS = 100;

export interface ScaleOptions {
  readonly connectors: number;
  readonly models: number;
  /** the handlers' and the emulator's clocks run this many times faster */
  readonly clockScale: number;
  /** at most this many resources in progress at once (CloudFormation: no limit; stack-sim.ts) */
  readonly maxConcurrent?: number;
}

export interface PhaseReport {
  readonly requestType: RequestType;
  /** custom resources acted upon */
  readonly resources: number;
  /** the phase, as its handlers measured it (stack-sim.ts: PhaseResult.handlerMs) */
  readonly durationMs: number;
  /** the same by the stack's clock, which also counts, k times over, what a busy machine adds */
  readonly wallMs: number;
  readonly floorMs: number;
  readonly ratio: number;
  /** requests the handlers sent to the domain, and what the floor's schedule needs */
  readonly requests: number;
  readonly floorRequests: number;
  readonly requestsPerResource: number;
  /** requests answered 429 */
  readonly throttled: number;
  /** registers and deploys refused at ml-commons' caps, which the handlers waited out */
  readonly refusedRegisters: number;
  readonly refusedDeploys: number;
  /** registers answered 500 while the model group index was being created (SERVICE.modelGroupIndexCreationMs) */
  readonly refusedGroupSearches: number;
  /** what failed, and what never started because of it */
  readonly failures: string[];
  readonly largestAnswerBytes: number;
  /**
   * The 99th percentile of the test process's event loop delay during the phase, in real ms: how
   * long the emulated domain (this process) could not answer because the machine was busy; each
   * ms of it is k ms of the service's time to the handlers.
   */
  readonly emulatorDelayP99Ms: number;
}

export interface ScaleReport {
  readonly phases: PhaseReport[];
  /** after create and after update: OpenSearch holds exactly the stack's connectors and models, nothing more */
  readonly duplicates: string[];
  /** after delete: nothing of the stack is left in OpenSearch */
  readonly orphans: string[];
  readonly templateResources: number;
  readonly templateBytes: number;
  /** the provider role's inline policies, resolved, as IAM counts them */
  readonly providerPolicyChars: number;
  readonly environments: number;
  readonly coldStarts: number;
  readonly peakConcurrency: number;
  readonly realSeconds: number;
}

const PROVIDER = {
  accessKeyId: 'AKIAPROVIDERSCALE001',
  secretAccessKey: 'provider-secret-key-do-not-log-scale-0001',
  roleArn: 'arn:aws:iam::111122223333:role/provider',
};

/** The stack: `connectors` connectors, the first `models` with a model, every other model with a smoke test. */
export function scaleStack(domainArn: string, endpoint: string, options: { connectors: number; models: number; version: number }): Stack {
  const app = new App();
  const stack = new Stack(app, STACK_NAME, { env: { account: '111122223333', region: 'us-east-1' } });
  const domain = opensearch.Domain.fromDomainAttributes(stack, 'Domain', { domainArn, domainEndpoint: `https://${endpoint}` });
  for (let i = 0; i < options.connectors; i++) {
    const connector = new MlConnector(stack, `Connector${i}`, {
      domain,
      name: `embedding-${i}`,
      blueprint: ConnectorBlueprint.sageMakerEndpoint({
        endpointName: `embedding-${i}`,
        requestBody: `{ "inputs": "\${parameters.input}", "revision": ${options.version} }`,
      }),
    });
    if (i < options.models) {
      new MlModel(stack, `Model${i}`, {
        connector,
        name: `embedding-model-${i}`,
        ...(i % 2 === 0 ? { verify: ModelVerification.predict({ parameters: { input: 'probe' } }) } : {}),
      });
    }
  }
  return stack;
}

/** What each custom resource of the phase must do, by its type: the floor's steps. */
function floorSteps(requestType: RequestType, type: string, modelsOnIt: number, verified: boolean): Step[] {
  const request = (operation: Operation): Step => ({ kind: 'request', operation });
  if (type === CONNECTOR) {
    if (requestType === 'Create') return [request('connector.create')];
    if (requestType === 'Delete') return [request('connector.delete')];
    if (modelsOnIt === 0) return [request('connector.update')];
    // Refused while its models are deployed: list the stack's models (CloudFormation, about 100 ms),
    // undeploy them, update, deploy them again.
    return [
      request('connector.update'),
      { kind: 'call', ms: LIST_STACK_RESOURCES_MS },
      ...Array(modelsOnIt).fill(request('model.undeploy')),
      request('connector.update'),
      ...Array(modelsOnIt).fill([request('model.deploy'), { kind: 'deploy' } as Step, request('task.read')]).flat(),
    ];
  }
  if (requestType === 'Create') {
    return [request('model.register'), request('model.deploy'), { kind: 'deploy' }, request('task.read'), ...(verified ? [request('model.predict')] : [])];
  }
  if (requestType === 'Delete') return [request('model.read'), request('model.undeploy'), request('model.delete'), request('modelGroup.delete')];
  return [];
}

/** The phase's floor: its custom resources' steps, in the template's dependency order (reversed for a delete). */
function phaseFloor(phase: PhaseResult, resources: Record<string, any>): { ms: number; requests: number } {
  const acted = new Set(phase.runs.map((r) => r.logicalId));
  const deps = dependenciesOf(resources);
  const customDeps = (id: string): string[] => {
    // CloudFormation's own resources take no time: depend through them on the custom resources behind them.
    const out = new Set<string>();
    const walk = (d: string) => {
      if (isCustom(resources[d]?.Type ?? '')) out.add(d);
      else for (const next of deps.get(d) ?? []) walk(next);
    };
    for (const d of deps.get(id) ?? []) walk(d);
    return [...out];
  };
  const modelsOf = new Map<string, string[]>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== MODEL) continue;
    for (const d of customDeps(id)) modelsOf.set(d, [...(modelsOf.get(d) ?? []), id]);
  }
  const floorResources: FloorResource[] = [...acted].map((id) => {
    const r = resources[id];
    let dependsOn = customDeps(id).filter((d) => acted.has(d));
    // A delete waits for what depends on the resource instead.
    if (phase.requestType === 'Delete') dependsOn = [...acted].filter((other) => customDeps(other).includes(id));
    // An update of a connector does not wait for its models (they are not updated).
    return { id, dependsOn, steps: floorSteps(phase.requestType, r.Type, (modelsOf.get(id) ?? []).length, r.Properties?.verify !== undefined) };
  });
  return criticalPathFloor(floorResources, {
    latencyMs: SERVICE.latencyMs,
    deployMs: SERVICE.deployMs,
    maxDeployTasks: SERVICE.maxDeployTasks,
    maxRegisterTasks: SERVICE.maxRegisterTasks,
    maxRequestsInFlight: SERVICE.maxRequestsInFlight,
  });
}

/** Runs the scenario and reports; it asserts nothing (the test does). */
export async function runScaleScenario(options: ScaleOptions): Promise<ScaleReport> {
  const started = Date.now();
  const k = options.clockScale;
  // Latencies are real time to the emulator.
  const capacity: CapacityOptions = {
    latencyMs: Object.fromEntries(Object.entries(SERVICE.latencyMs).map(([op, ms]) => [op, ms / k])),
    maxRequestsInFlight: SERVICE.maxRequestsInFlight,
    maxDeployTasksPerNode: SERVICE.maxDeployTasks,
    maxRegisterTasksPerNode: SERVICE.maxRegisterTasks,
    modelGroupIndexCreationMs: SERVICE.modelGroupIndexCreationMs,
  };
  const realNow = Date.now;
  const origin = realNow();
  Date.now = () => origin + Math.round((realNow() - origin) * k);
  const emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], deployLatencyMs: SERVICE.deployMs / k, capacity });
  const aws = await AwsApisEmulator.start({ principals: [PROVIDER], stacks: { [STACK_NAME]: [] } });
  const stackId = aws.stackId(STACK_NAME)!;
  let pool: LambdaPool | undefined;
  try {
    const versions = [1, 2].map((version) => scaleStack(emulator.domainArn, emulator.endpoint, { ...options, version }));
    const synthesized = versions.map((stack) => new SynthesizedStack(stack));
    const templates = synthesized.map((stack) => stack.resources);
    // The provider may do what its synthesized grants allow, resolved as CloudFormation would (in this stack).
    const statements = JSON.parse(JSON.stringify(synthesized[0].providerStatements).replace(/"AWS::StackId"/g, JSON.stringify(stackId)));
    emulator.setPrincipalPolicy(PROVIDER.roleArn, statements);
    aws.setPrincipalPolicy(PROVIDER.roleArn, statements);

    const env = {
      PROVIDER_ROLE_ARN: PROVIDER.roleArn,
      AWS_ENDPOINT_URL_CLOUDFORMATION: aws.url,
      HARNESS_CLOCK_SCALE: String(k),
      HARNESS_CLOCK_ORIGIN: String(origin),
      // A hundred processes looking at their clocks every 5 ms would take a core of their own.
      HARNESS_CLOCK_TICK_MS: '20',
    };
    const warm = Math.min(options.connectors + options.models, 120);
    pool = await LambdaPool.start({ credentials: PROVIDER, env, warm });
    const lambda = pool;
    // Warm execution environments: one Delete of a connector that does not exist each (a 404: success), so
    // that the first request's TLS handshake and code loading (about 125 ms on Lambda) do not count k times over.
    const connectorId = Object.keys(templates[0]).find((id) => templates[0][id].Type === CONNECTOR)!;
    const warmProperties = stringifyScalars(synthesized[0].resolve(templates[0][connectorId].Properties));
    await Promise.all(Array.from({ length: warm }, () => lambda.invoke({
      RequestType: 'Delete',
      RequestId: 'warm-up',
      StackId: stackId,
      LogicalResourceId: connectorId,
      ResourceType: CONNECTOR,
      PhysicalResourceId: 'AAAAAAAAAAAAAAAAAAAA',
      ResourceProperties: warmProperties,
    })));
    lambda.resetCounts();
    const simulation = new StackSimulation(templates[0], {
      stackName: STACK_NAME,
      stackId,
      invoke: (event) => lambda.invoke(event, { remainingMs: 300_000 }),
      now: () => Date.now(),
      onListing: (listing) => aws.setStack(STACK_NAME, listing),
      maxConcurrent: options.maxConcurrent,
    });

    const phases: PhaseReport[] = [];
    const duplicates: string[] = [];
    const measure = async (requestType: RequestType, run: () => Promise<PhaseResult>, resources: Record<string, any>) => {
      const requestsBefore = emulator.requests.length;
      const refusedBefore = emulator.refused;
      const lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      const phase = await run();
      lag.disable();
      await emulator.settleDeploys();
      if (process.env.SCALE_DEBUG) {
        const slowest = (type: string) => phase.runs.filter((r) => r.type === type).sort((a, b) => b.handlerMs - a.handlerMs).slice(0, 2);
        const slow = [...slowest(CONNECTOR), ...slowest(MODEL)];
        for (const r of slow) process.stdout.write(`${requestType} ${r.logicalId} ${r.startedAt - phase.startedAt}..${r.endedAt - phase.startedAt} ms (handler ${r.handlerMs} ms)\n${r.logs}\n`);
      }
      const requests = emulator.requests.slice(requestsBefore);
      const floor = phaseFloor(phase, resources);
      const refused = emulator.refused;
      const durationMs = phase.handlerMs;
      phases.push({
        requestType,
        resources: phase.runs.length,
        durationMs,
        wallMs: phase.endedAt - phase.startedAt,
        floorMs: floor.ms,
        ratio: durationMs / floor.ms,
        requests: requests.length,
        floorRequests: floor.requests,
        requestsPerResource: requests.length / Math.max(1, phase.runs.length),
        throttled: requests.filter((r) => r.status === 429).length,
        refusedRegisters: refused.registers - refusedBefore.registers,
        refusedDeploys: refused.deploys - refusedBefore.deploys,
        refusedGroupSearches: refused.groupSearches - refusedBefore.groupSearches,
        failures: [
          ...phase.runs.filter((r) => r.status !== 'SUCCESS').map((r) => `${requestType} ${r.logicalId}: ${r.reason}`),
          ...phase.notStarted.map((id) => `${requestType} ${id}: not started`),
        ],
        largestAnswerBytes: Math.max(0, ...phase.runs.map((r) => r.answerBytes)),
        emulatorDelayP99Ms: lag.percentile(99) / 1e6,
      });
    };
    /** OpenSearch holds exactly the stack's connectors and models: no second copy of any, nothing unowned. */
    const checkHeld = (when: string) => {
      const ids = simulation.physicalIds;
      const owned = (type: string) => new Set(Object.keys(templates[0]).filter((id) => templates[0][id].Type === type).map((id) => ids.get(id)));
      const extra = (held: Array<{ id: string }>, own: Set<string | undefined>, noun: string) =>
        held.filter((doc) => !own.has(doc.id)).map((doc) => `${when}: a ${noun} the stack does not own: ${doc.id}`);
      duplicates.push(...extra(emulator.connectors(), owned(CONNECTOR), 'connector'), ...extra(emulator.models(), owned(MODEL), 'model'));
      if (emulator.connectors().length !== options.connectors) duplicates.push(`${when}: ${emulator.connectors().length} connectors for ${options.connectors}`);
      if (emulator.models().length !== options.models) duplicates.push(`${when}: ${emulator.models().length} models for ${options.models}`);
      if (emulator.modelGroups().length !== options.models) duplicates.push(`${when}: ${emulator.modelGroups().length} model groups for ${options.models}`);
      const undeployed = emulator.models().filter((m) => m.source.model_state !== 'DEPLOYED');
      if (undeployed.length > 0) duplicates.push(`${when}: models not deployed: ${undeployed.map((m) => `${m.id} ${m.source.model_state}`).join(', ')}`);
    };

    await measure('Create', () => simulation.create(), templates[0]);
    checkHeld('after create');
    await measure('Update', () => simulation.update(templates[1]), templates[1]);
    checkHeld('after update');
    const stale = emulator.connectors().filter((c) => !String((c.source.actions as any[])[0]?.request_body).includes('"revision": 2'));
    if (stale.length > 0) duplicates.push(`after update: connectors with the old request body: ${stale.map((c) => c.id).join(', ')}`);
    await measure('Delete', () => simulation.delete(), templates[1]);
    const orphans = [
      ...emulator.connectors().map((c) => `connector ${c.id}`),
      ...emulator.models().map((m) => `model ${m.id}`),
      ...emulator.modelGroups().map((g) => `model group ${g.id} (${g.source.name})`),
    ];
    return {
      phases,
      duplicates,
      orphans,
      templateResources: Object.keys(templates[0]).length,
      // As cdk synth writes it, and CloudFormation counts it.
      templateBytes: Buffer.byteLength(JSON.stringify(Template.fromStack(versions[0]).toJSON(), undefined, 1)),
      providerPolicyChars: providerInlinePolicySizes(versions[0]).total,
      environments: pool.environments,
      coldStarts: pool.coldStarts,
      peakConcurrency: pool.peakConcurrency,
      realSeconds: (realNow() - started) / 1000,
    };
  } finally {
    Date.now = realNow;
    await pool?.stop();
    await aws.stop();
    await emulator.stop();
  }
}

