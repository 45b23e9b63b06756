/*
 * Fault injection for remote models: seeded, randomized model lifecycles (create with deploy
 * and smoke test, an in-place update, delete; a failed create is followed by the rollback's
 * Delete) through the bundled handler, while the emulator throttles, fails, drops connections
 * before and after doing the work, answers late, denies IAM grants that are propagating, and
 * fails deploy tasks. After each lifecycle: no model and no model group of its name is left,
 * and no create ever made two models.
 *
 * FAULT_SEED=<n> replays a run; MODEL_FAULT_LIFECYCLES=<n> changes how many. The handler's
 * clock runs CLOCK_SCALE times faster (test/handler/lambda-child.js).
 */
import { ConnectorBlueprint, MlConnector, MlModel, ModelVerification } from '../../src';
import { OpenSearchEmulator } from '../emulator';
import type { FaultSpec } from '../emulator';
import { createEvent, deleteEvent, synthesizeStack, updateEvent } from './events';
import { prng, randomFault } from './fault-kit';
import { LambdaHarness } from './harness';

const SEED = Number(process.env.FAULT_SEED ?? 20261124);
const LIFECYCLES = Number(process.env.MODEL_FAULT_LIFECYCLES ?? 120);
const CLOCK_SCALE = 50;
const MODEL = 'Custom::OpenSearchMlModel';
const ML = '/_plugins/_ml';

const PROVIDER = {
  accessKeyId: 'AKIAPROVIDER00000009',
  secretAccessKey: 'provider-secret-key-do-not-log-0000000009',
  roleArn: 'arn:aws:iam::111122223333:role/provider',
};


let emulator: OpenSearchEmulator;
let lambda: LambdaHarness;

/*
 * The emulator stamps models with Date.now() (created_time), and the handler looks up a model
 * whose register went unanswered by its registration time: both clocks run CLOCK_SCALE times
 * faster from one origin, as a Lambda and a domain share (NTP) time.
 */
const realNow = Date.now;
const origin = realNow();

beforeAll(async () => {
  Date.now = () => origin + Math.round((realNow() - origin) * CLOCK_SCALE);
  emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], deployLatencyMs: [0, 40] });
  lambda = await LambdaHarness.start({
    credentials: PROVIDER,
    env: { PROVIDER_ROLE_ARN: PROVIDER.roleArn, HARNESS_CLOCK_SCALE: String(CLOCK_SCALE), HARNESS_CLOCK_ORIGIN: String(origin) },
  });
});

afterAll(async () => {
  Date.now = realNow;
  await lambda?.stop();
  await emulator?.stop();
});

test(`${LIFECYCLES} randomized model lifecycles under injected faults: no hang, no duplicate, no orphan`, async () => {
  const started = realNow();
  const random = prng(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  /** handler milliseconds as real milliseconds */
  const ms = (handlerMs: number) => Math.round(handlerMs / CLOCK_SCALE);

  const synthesized = synthesizeStack(emulator, (stack, domain) => {
    const connector = new MlConnector(stack, 'Titan', { domain, blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 256 }) });
    new MlModel(stack, 'Model', { connector, verify: ModelVerification.predict() });
  });
  emulator.setPrincipalPolicy(PROVIDER.roleArn, synthesized.providerStatements);
  const [connectorProperties] = synthesized.propertiesOf('Custom::OpenSearchMlConnector');
  const connector = await lambda.invoke(createEvent(connectorProperties));
  const connectorId = connector.response!.PhysicalResourceId as string;
  const connectorLogicalId = Object.entries(synthesized.resources).find(([, r]) => r.Type === 'Custom::OpenSearchMlConnector')![0];
  const template = JSON.stringify(synthesized.propertiesOf(MODEL)[0]).split(`"${connectorLogicalId}"`).join(JSON.stringify(connectorId));

  const stats = { lifecycles: 0, invocations: 0, failedCreates: 0, duplicates: 0, orphans: 0, stuck: 0, oversized: 0, failedDeletes: 0 };
  const problems: string[] = [];
  const requestsBefore = emulator.requests.length;

  const faultDraw = { pick, ms, accessKeyId: PROVIDER.accessKeyId, deniedAction: () => 'es:ESHttpPost' };
  const routes: Array<Pick<FaultSpec, 'method' | 'path'>> = [
    { method: 'POST', path: `${ML}/models/_register` },
    { method: 'POST', path: `${ML}/models/_search` },
    { method: 'POST', path: /\/_plugins\/_ml\/models\/[^/]+\/_deploy$/ },
    { method: 'GET', path: /\/_plugins\/_ml\/tasks\// },
    { method: 'POST', path: /\/_plugins\/_ml\/models\/[^/]+\/_predict$/ },
    { method: 'PUT', path: /\/_plugins\/_ml\/models\/[^/]+$/ },
    { method: 'GET', path: /\/_plugins\/_ml\/models\/[^/]+$/ },
    { method: 'POST', path: /\/_plugins\/_ml\/models\/[^/]+\/_undeploy$/ },
    { method: 'DELETE', path: /\/_plugins\/_ml\/models\/[^/]+$/ },
    { method: 'DELETE', path: /\/_plugins\/_ml\/model_groups\/[^/]+$/ },
  ];

  const invoke = async (event: Record<string, any>, faults: boolean) => {
    if (faults) {
      for (let count = pick([0, 1, 1, 2, 3]); count > 0; count--) emulator.injectFault({ ...pick(routes), ...randomFault(faultDraw), tag: 'lifecycle' });
      if (event.RequestType === 'Create' && random() < 0.1) emulator.failDeploys({ message: 'injected deploy failure' });
    }
    const remainingMs = pick([300_000, 60_000]);
    let timer: NodeJS.Timeout | undefined;
    // Real time beyond the handler's own: what a loaded machine may keep it waiting for the CPU (lambda-child.js).
    const watchdog = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), remainingMs / CLOCK_SCALE + 30_000); });
    const result = await Promise.race([lambda.invoke(event, { remainingMs }), watchdog]);
    clearTimeout(timer);
    emulator.clearFaults('lifecycle');
    await emulator.settleDeploys();
    stats.invocations++;
    if (!result?.response || !['SUCCESS', 'FAILED'].includes(result.response.Status) || !(result.answeredInMs! <= remainingMs)) {
      stats.stuck++;
      problems.push(`${event.RequestType} got no answer in time (answered after ${result?.answeredInMs} of ${remainingMs} ms)`);
      return undefined;
    }
    if (Buffer.byteLength(result.responseBody!) >= 4096) stats.oversized++;
    return result.response;
  };

  const named = (name: string) => emulator.models().filter((m) => m.source.name === name);
  for (let n = 0; n < LIFECYCLES; n++) {
    stats.lifecycles++;
    const name = `model-${n}`;
    const properties = JSON.parse(template);
    properties.model.name = name;

    const firstRequest = emulator.requests.length;
    const created = await invoke(createEvent(properties, MODEL), true);
    if (!created) continue;
    if (named(name).length > 1) {
      stats.duplicates++;
      problems.push(`lifecycle ${n}: ${named(name).length} models after one create`);
      if (process.env.MODEL_FAULT_DEBUG) {
        process.stdout.write(emulator.requests.slice(firstRequest).map((r) => `${r.method} ${r.path} ${r.status} ${r.fault ?? ''}`).join('\n') + '\n');
      }
    }
    let physicalId = created.PhysicalResourceId as string;
    if (created.Status === 'SUCCESS') {
      if (named(name)[0]?.id !== physicalId) problems.push(`lifecycle ${n}: the create returned ${physicalId}, which is not the model`);
      if (random() < 0.4) {
        const changed = { ...properties, model: { ...properties.model, description: `changed ${n}` } };
        const updated = await invoke(updateEvent(physicalId, changed, properties, MODEL), true);
        if (updated?.Status === 'SUCCESS') physicalId = updated.PhysicalResourceId;
      }
    } else {
      stats.failedCreates++;
    }
    // The final delete (or the rollback's, after a failed create); CloudFormation repeats a
    // failed delete when the stack is deleted again, which the second, fault-free try stands for.
    let deleted = await invoke(deleteEvent(physicalId, properties, MODEL), true);
    if (deleted?.Status !== 'SUCCESS') {
      stats.failedDeletes++;
      deleted = await invoke(deleteEvent(physicalId, properties, MODEL), false);
    }
    if (named(name).length > 0 || emulator.modelGroups().some((g) => g.source.name === name)) {
      stats.orphans++;
      problems.push(`lifecycle ${n}: left ${named(name).map((m) => m.id).join(', ') || 'its model group'} (create ${created.Status}: ${created.Reason ?? ''})`);
    }
  }

  const faults = emulator.requests.slice(requestsBefore).filter((r) => r.fault !== undefined).length;
  const line = `model fault injection (seed ${SEED}): lifecycles ${stats.lifecycles} (${stats.failedCreates} failed creates rolled back), ` +
    `invocations ${stats.invocations}, faults injected ${faults}, duplicates ${stats.duplicates}, orphans ${stats.orphans}, ` +
    `stuck or timed-out handlers ${stats.stuck}, answers over 4096 bytes ${stats.oversized}, deletes retried ${stats.failedDeletes} ` +
    `(${((realNow() - started) / 1000).toFixed(1)} s)`;
  process.stdout.write(`${line}\n`);
  expect(problems).toEqual([]);
  expect(stats).toMatchObject({ duplicates: 0, orphans: 0, stuck: 0, oversized: 0 });
  expect(faults).toBeGreaterThan(LIFECYCLES);
}, 300_000);
