/*
 * A big stack on the real node (issue 16, "the same shape, smaller"): CONNECTORS SageMaker connectors and
 * MODELS remote models on them (every other one smoke-tested by a real _predict through the loopback SageMaker
 * endpoint), deployed by the shipped handler bundle through the front door the way CloudFormation deploys a
 * stack (test/handler/stack-sim.ts: every resource as soon as what it depends on is done, one execution
 * environment per invocation in flight), then an update of every connector's request body (each connector with
 * a model: undeploy, PUT, deploy again), then a delete. Nothing may fail, be made twice or be left behind.
 *
 * ml-commons' caps (dynamic cluster settings, 10 each by default) are lowered to CAP for the run, so that a
 * stack this size meets them on one node within seconds, and put back after it:
 * - max_register_model_tasks_per_node: a register beyond it is answered at once, 500 (REGISTER_CAP_BODY below,
 *   word for word on 2.19.6 and 3.6.0); the handler sends it again after a backoff.
 * - max_deploy_model_tasks_per_node: the deploy is answered 200 with a task, which ends FAILED with
 *   `"error":"{\"<node id>\":\"exceed max running task limit\"}"` (both versions); the handler deploys again.
 * - max_model_on_node: does not count remote models; the stack deploys more models than it allows.
 * - max_ml_task_per_node: refuses nothing here (it applies to the least_load dispatch policy; the default is
 *   round_robin).
 * Every other refusal fails the test, except the 400 of a connector update while its models are deployed
 * ("N models are still using this connector, please undeploy the models first: [<ids>]"), which the handler
 * answers by undeploying them, and the one 2.19.6 answered to a register racing the creation of the model
 * group index (src/handler/errors.ts: isFailedIndexSearch).
 *
 * Figures per version are printed: time and requests per phase, 429s and refusals met, the largest number of
 * the stack's models deployed at once. REAL_SCALE_CONNECTORS, REAL_SCALE_MODELS and REAL_SCALE_CAP change them.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CONNECTOR, nodes, RealDomain, STACK_NAME, toLoopback,
} from './tier';
import { ConnectorBlueprint, MlConnector, MlModel, ModelVerification } from '../../src';
import { registerLimitExceeded } from '../emulator/capacity';
import { SynthesizedStack } from '../handler/events';
import { LambdaPool } from '../handler/lambda-pool';
import { PhaseResult, StackSimulation } from '../handler/stack-sim';

const CONNECTORS = Number(process.env.REAL_SCALE_CONNECTORS ?? 20);
const MODELS = Number(process.env.REAL_SCALE_MODELS ?? 14);
/** every cap of the run (ml-commons' default is 10 for each) */
const CAP = Number(process.env.REAL_SCALE_CAP ?? 2);
const CAPS = ['max_register_model_tasks_per_node', 'max_deploy_model_tasks_per_node', 'max_model_on_node', 'max_ml_task_per_node'];

const ML = '/_plugins/_ml';
/** longer than OpenSearch's index refresh interval (1 s): what was written before it is searchable */
const SETTLE_MS = 1_500;
/** ml-commons' sync-up job runs every 10 s (plugins.ml_commons.sync_up_job_interval_in_seconds) */
const DEPLOYING_WAIT_MS = 25_000;

/** The real node's answer to a register beyond max_register_model_tasks_per_node: the emulator's, byte for byte. */
const REGISTER_CAP_BODY = registerLimitExceeded().response.body;
/** A deploy task that no node had room for, as GET _plugins/_ml/tasks/<id> shows it. */
const DEPLOY_CAP_TASK = /"state":"FAILED".*"error":"\{\\"[A-Za-z0-9_-]+\\":\\"exceed max running task limit\\"\}"/;
/** Refusals the handler meets on its way and answers (see above). */
const EXPECTED_REFUSALS: Array<[method: string, path: RegExp, status: number, body: RegExp]> = [
  ['POST', /^\/_plugins\/_ml\/models\/_register$/, 500, new RegExp(`^${escape(REGISTER_CAP_BODY)}$`)],
  ['POST', /^\/_plugins\/_ml\/models\/_register$/, 500, /"type":"status_exception","reason":"Failed to search indices \[\.plugins-ml-model-group\]"/],
  // A connector update while models that use it are deployed, or models that ml-commons takes for its users (connector.ts: updateAroundModels).
  ['PUT', /^\/_plugins\/_ml\/connectors\/[A-Za-z0-9_-]+$/, 400, /"reason":"\d+ models are still using this connector, please undeploy the models first: \[[A-Za-z0-9_, -]+\]"/],
  // A connector delete while models that ml-commons takes for its users are not deleted yet.
  ['DELETE', /^\/_plugins\/_ml\/connectors\/[A-Za-z0-9_-]+$/, 409, /"reason":"\d+ models are still using this connector, please delete or update the models first: \[[A-Za-z0-9_, -]+\]"/],
  // A model named in a connector's refusal that the stack's delete removed meanwhile: the handler reads it as gone
  // (connector.ts: connectorsOfModels) and deletes the connector again (seen once on 2.19.6 in a fresh clone's CI run).
  ['GET', /^\/_plugins\/_ml\/models\/[A-Za-z0-9_-]+$/, 404, /"reason":"Failed to find model with the provided model id: [A-Za-z0-9_-]+"/],
  // Two connector updates deploying the same model at once.
  ['POST', /^\/_plugins\/_ml\/models\/[A-Za-z0-9_-]+\/_deploy$/, 409, /"reason":"Document version conflict updating [A-Za-z0-9_-]+ in index \.plugins-ml-model"/],
];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface PhaseFigures {
  readonly phase: string;
  readonly resources: number;
  readonly seconds: number;
  readonly requests: number;
  /** answers 429 */
  readonly throttled: number;
  /** answers >= 400 other than 429, as "<method> <path> <status> <body>" with IDs masked */
  readonly refused: string[];
  /** refusals that EXPECTED_REFUSALS does not name */
  readonly unexpected: string[];
  /** refusals of a connector update or delete that name a model of another connector (connector.ts: updateAroundModels) */
  readonly falseMatches: number;
  /** deploy tasks that ended FAILED for want of room (DEPLOY_CAP_TASK), as the handler read them */
  readonly deployTasksRefused: number;
  readonly failures: string[];
}

/** What the node holds of one run, by name. */
interface Held {
  readonly connectors: string[];
  readonly models: Array<{ id: string; name: string; state: string; connector: string }>;
  readonly groups: string[];
}

const masked = (p: string) => p.replace(/\/[A-Za-z0-9_-]{20}(?=\/|$)/g, '/<id>');

describe.each(nodes())('OpenSearch %s: a stack of connectors and models, CloudFormation\'s parallelism, ml-commons\' caps', (version, node) => {
  const run = randomBytes(3).toString('hex');
  let domain: RealDomain;
  let pool: LambdaPool | undefined;
  beforeAll(async () => {
    domain = await RealDomain.open(node, { trustLoopback: true });
  });
  afterAll(async () => {
    await pool?.stop();
    if (domain) {
      await domain.admin('PUT', '/_cluster/settings', { persistent: Object.fromEntries(CAPS.map((c) => [`plugins.ml_commons.${c}`, null])) });
      await domain.close();
    }
  });

  const app = (revision: number) => domain.synth((stack, d) => {
    const fineGrainedAccess = domain.fineGrainedAccess(stack);
    for (let i = 0; i < CONNECTORS; i++) {
      const connector = new MlConnector(stack, `Connector${i}`, {
        domain: d,
        fineGrainedAccess,
        name: `scale-${run}-connector-${i}`,
        blueprint: ConnectorBlueprint.sageMakerEndpoint({
          endpointName: `scale-${run}-${i}`,
          requestBody: `{ "inputs": "\${parameters.input}", "revision": ${revision} }`,
        }),
      });
      if (i < MODELS) {
        new MlModel(stack, `Model${i}`, {
          connector,
          name: `scale-${run}-model-${i}`,
          ...(i % 2 === 0 ? { verify: ModelVerification.predict({ parameters: { input: 'probe' } }) } : {}),
        });
      }
    }
  });

  /**
   * The template as the simulation deploys it: each IAM role named by its logical ID, as the front door and
   * the role mapping know it (tier.ts: synth), instead of CloudFormation's generated names.
   */
  const template = (synthesized: SynthesizedStack) => Object.fromEntries(Object.entries(synthesized.resources).map(([id, r]: [string, any]) => [
    id, r.Type === 'AWS::IAM::Role' ? { ...r, Properties: { ...r.Properties, RoleName: id } } : r,
  ]));

  /**
   * Every connector, model and model group of this run on the node, by name (any user's), as a search finds
   * them `settleMs` after a phase: ml-commons' indices refresh every second, and a model's state written
   * just before (DEPLOYED) is not yet searchable; with `settleMs`, states are read by ID, which is real-time.
   */
  async function held(settleMs = 0): Promise<Held> {
    if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
    const search = async (what: string) => {
      const answer = await domain.admin('POST', `${ML}/${what}/_search`, { query: { prefix: { 'name.keyword': `scale-${run}-` } }, size: 1000 });
      if (answer.status !== 200) throw new Error(`${what}/_search: ${answer.status} ${answer.body.slice(0, 300)}`);
      return (answer.json.hits.hits as any[]).map((h) => ({ id: h._id as string, source: h._source }));
    };
    const [connectors, models, groups] = await Promise.all([search('connectors'), search('models'), search('model_groups')]);
    return {
      connectors: connectors.map((c) => c.source.name),
      models: await Promise.all(models.map(async (m) => ({
        id: m.id,
        name: m.source.name as string,
        connector: m.source.connector_id as string,
        state: settleMs > 0 ? String((await domain.admin('GET', `${ML}/models/${m.id}`)).json?.model_state) : m.source.model_state as string,
      }))),
      groups: groups.map((g) => g.source.name),
    };
  }

  /**
   * `state` once no model of it is DEPLOYING, read again for at most DEPLOYING_WAIT_MS. A model whose deploy task
   * COMPLETED may still read DEPLOYING for seconds (2.19.6 after a connector update, 3.6.0: see lifecycle.test.ts),
   * until ml-commons' sync-up job (every 10 s) writes what the node holds. `lagging` counts them.
   */
  let lagging = 0;
  async function settled(state: Held): Promise<Held> {
    const deadline = Date.now() + DEPLOYING_WAIT_MS;
    if (state.models.some((m) => m.state === 'DEPLOYING')) lagging += state.models.filter((m) => m.state === 'DEPLOYING').length;
    while (state.models.some((m) => m.state === 'DEPLOYING') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      state = await held(SETTLE_MS);
    }
    return state;
  }

  const duplicatesOf = (names: string[]) => [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];

  test(`${CONNECTORS} connectors and ${MODELS} models (half smoke-tested): created, every connector updated, deleted; caps at ${CAP}`, async () => {
    const settings = await domain.admin('PUT', '/_cluster/settings', { persistent: Object.fromEntries(CAPS.map((c) => [`plugins.ml_commons.${c}`, CAP])) });
    expect({ status: settings.status, body: settings.status === 200 ? undefined : settings.body }).toEqual({ status: 200, body: undefined });
    const first = app(1);
    const second = app(2);
    pool = await LambdaPool.start({
      credentials: domain.provider,
      env: {
        PROVIDER_ROLE_ARN: domain.provider.roleArn,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: domain.aws.url,
        AWS_ENDPOINT_URL_CLOUDFORMATION: domain.aws.url,
      },
      warm: CONNECTORS + MODELS,
    });
    const lambda = pool;
    const loopback = toLoopback(domain.models.url);
    const simulation = new StackSimulation(template(first), {
      stackName: STACK_NAME,
      stackId: domain.stackId,
      // Action URLs point at the loopback model endpoints (a stand-in for DNS), as in the other real-tier tests.
      invoke: (event) => lambda.invoke({
        ...event,
        ResourceProperties: loopback(event.ResourceProperties as Record<string, any>),
        ...(event.OldResourceProperties ? { OldResourceProperties: loopback(event.OldResourceProperties as Record<string, any>) } : {}),
      }, { remainingMs: 280_000 }),
      now: () => Date.now(),
      onListing: (listing) => domain.aws.setStack(STACK_NAME, listing),
    });

    // The largest number of this stack's models deployed at once, sampled while the phases run.
    let peakDeployed = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const models = (await held().catch(() => undefined))?.models ?? [];
        peakDeployed = Math.max(peakDeployed, models.filter((m) => m.state === 'DEPLOYED').length);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    const figures: PhaseFigures[] = [];
    /** each model's connector, once created */
    const connectorOf = new Map<string, string>();
    const measure = async (phase: string, go: () => Promise<PhaseResult>) => {
      const before = domain.frontDoor.requests.length;
      const started = Date.now();
      const result = await go();
      const seconds = (Date.now() - started) / 1000;
      const requests = domain.frontDoor.requests.slice(before).filter((r) => r.principal === domain.provider.roleArn);
      const refusals = requests.filter((r) => r.status >= 400 && r.status !== 429);
      figures.push({
        phase,
        resources: result.runs.length,
        seconds,
        requests: requests.length,
        throttled: requests.filter((r) => r.status === 429).length,
        refused: refusals.map((r) => `${r.method} ${masked(r.path)} ${r.status} ${r.responseBody}`),
        unexpected: refusals.filter((r) => !EXPECTED_REFUSALS.some(([method, p, status, body]) =>
          r.method === method && p.test(r.path) && r.status === status && body.test(r.responseBody))).map((r) => `${r.method} ${masked(r.path)} ${r.status} ${r.responseBody}`),
        falseMatches: refusals.filter((r) => r.path.startsWith(`${ML}/connectors/`) && /still using this connector/.test(r.responseBody)).filter((r) => {
          const connectorId = r.path.split('/').pop();
          const named = /\[([^\]]*)\]"/.exec(r.responseBody)?.[1].split(', ') ?? [];
          return named.some((model) => connectorOf.has(model) && connectorOf.get(model) !== connectorId);
        }).length,
        deployTasksRefused: requests.filter((r) => r.method === 'GET' && r.path.startsWith(`${ML}/tasks/`) && DEPLOY_CAP_TASK.test(r.responseBody)).length,
        failures: [
          ...result.runs.filter((r) => r.status !== 'SUCCESS').map((r) => `${phase} ${r.logicalId}: ${r.reason}`),
          ...result.notStarted.map((id) => `${phase} ${id}: not started`),
        ],
      });
    };

    try {
      await measure('create', () => simulation.create());
      const afterCreate = await settled(await held(SETTLE_MS));
      for (const m of afterCreate.models) connectorOf.set(m.id, m.connector);
      await measure('update', () => simulation.update(template(second)));
      const afterUpdate = await settled(await held(SETTLE_MS));
      const bodies = await Promise.all([...simulation.physicalIds].filter(([id]) => first.resources[id]?.Type === CONNECTOR)
        .map(async ([, connectorId]) => String((await domain.admin('GET', `${ML}/connectors/${connectorId}`)).json?.actions?.[0]?.request_body)));
      await measure('delete', () => simulation.delete());
      sampling = false;
      await sampler;
      const afterDelete = await held(SETTLE_MS);

      for (const f of figures) {
        const kinds = [...new Set(f.refused.map((r) => r.replace(/\[[A-Za-z0-9_-]{20}\]/g, '[<id>]')))];
        process.stdout.write(`real scale ${version} ${f.phase}: ${f.resources} resources in ${f.seconds.toFixed(1)} s; ${f.requests} requests, ` +
          `${f.throttled} answered 429, ${f.refused.length} refused (${f.falseMatches} naming models of other connectors), ` +
          `${f.deployTasksRefused} deploy tasks failed for want of room\n` +
          kinds.map((k) => `  ${f.refused.filter((r) => r.replace(/\[[A-Za-z0-9_-]{20}\]/g, '[<id>]') === k).length}x ${k}\n`).join(''));
      }
      process.stdout.write(`real scale ${version}: at most ${peakDeployed} of the stack's models deployed at once (max_model_on_node ${CAP}); ` +
        `${lagging} models read DEPLOYING after their deploy task COMPLETED; ` +
        `${pool.environments} execution environments, ${pool.peakConcurrency} invocations at once\n`);
      const undeployed = [...afterCreate.models, ...afterUpdate.models].filter((m) => m.state !== 'DEPLOYED');
      if (undeployed.length > 0) {
        // What happened to them: every request that names them, and the handlers' logs.
        const trail = domain.frontDoor.requests.filter((r) => undeployed.some((m) => `${r.path} ${r.body} ${r.responseBody}`.includes(m.id)))
          .map((r) => `${r.method} ${r.path} ${r.body.slice(0, 200)} -> ${r.status} ${r.responseBody.slice(0, 400)}`);
        const file = path.join(os.tmpdir(), `real-scale-${version}-${run}.log`);
        fs.writeFileSync(file, [...trail, '', pool.allLogs].join('\n'));
        process.stdout.write(`real scale ${version}: models not deployed: ${undeployed.map((m) => m.name).join(', ')}; their requests and the handlers' logs: ${file}\n`);
      }

      // Zero failed resources, and nothing refused but what the handler knows to wait out or work around.
      expect(figures.flatMap((f) => f.failures)).toEqual([]);
      const custom = Object.values(first.resources).filter((r: any) => r.Type.startsWith('Custom::')).length;
      expect(figures.map((f) => f.resources)).toEqual([custom, CONNECTORS, custom]);
      expect(figures.flatMap((f) => f.unexpected)).toEqual([]);
      // The register cap bit (the handler waited its turn), and max_model_on_node did not count remote models.
      expect(figures[0].refused.filter((r) => r.includes('m_l_limit_exceeded_exception')).length).toBeGreaterThan(0);
      expect(peakDeployed).toBeGreaterThan(CAP);
      // Zero duplicates: each name once, every model deployed, every connector with the new body.
      for (const [when, state] of [['after create', afterCreate], ['after update', afterUpdate]] as const) {
        const duplicates = [...duplicatesOf(state.connectors), ...duplicatesOf(state.models.map((m) => m.name)), ...duplicatesOf(state.groups)];
        expect({ when, duplicates }).toEqual({ when, duplicates: [] });
        const counts = [state.connectors.length, state.models.length, state.groups.length];
        expect({ when, counts }).toEqual({ when, counts: [CONNECTORS, MODELS, MODELS] });
        expect({ when, undeployed: state.models.filter((m) => m.state !== 'DEPLOYED') }).toEqual({ when, undeployed: [] });
      }
      expect(bodies.filter((b) => !b.includes('"revision": 2'))).toEqual([]);
      // Zero orphans.
      expect(afterDelete).toEqual({ connectors: [], models: [], groups: [] });
    } finally {
      sampling = false;
      await sampler;
    }
  });
});
