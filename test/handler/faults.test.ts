/*
 * Fault injection: hundreds of randomized connector lifecycles, as CloudFormation drives them
 * (create, updates in place and by replacement, rollbacks, cleanup deletes, final delete),
 * with the bundled handler against the emulator while it throttles, fails, drops
 * connections before and after doing the work, answers slowly and denies IAM grants that
 * are still propagating.
 *
 * Seeded: FAULT_SEED=<n> replays a run (the seed is printed; each lifecycle draws from its own
 * generator, so the schedule does not depend on how lanes interleave), FAULT_LIFECYCLES=<n>
 * changes how many. The handler runs in one child process whose clock runs CLOCK_SCALE times
 * faster (see lambda-child.js), so that retries, backoff and a 90 s IAM window take
 * milliseconds; LANES lifecycles run at once, each with its own connector name, and each
 * fault is scoped to one lane (by connector name in the body, or connector ID in the path).
 */
import { ConnectorBlueprint } from '../../src';
import { OpenSearchEmulator } from '../emulator';
import type { FaultSpec } from '../emulator';
import { createEvent, deleteEvent, synthesizeConnector, updateEvent } from './events';
import { prng, randomFault } from './fault-kit';
import { Invocation, LambdaHarness } from './harness';

const SEED = Number(process.env.FAULT_SEED ?? 20261124);
const LIFECYCLES = Number(process.env.FAULT_LIFECYCLES ?? 500);
/** lifecycles run side by side, each on its own connector name (faults are scoped to it) */
const LANES = Number(process.env.FAULT_LANES ?? 8);
const CLOCK_SCALE = 50;
/**
 * Real time a handler may take beyond its own (scaled) time before it counts as hung: what a
 * loaded machine may keep it waiting for the CPU, which its clock counts once (lambda-child.js).
 */
const WATCHDOG_SLACK_MS = 30_000;
/** what the handler has left when it starts, in handler time: the provider's 5 minutes, or less to make deadlines bite */
const REMAINING_MS = [300_000, 60_000, 30_000];

const PROVIDER = {
  accessKeyId: 'AKIAPROVIDER00000001',
  secretAccessKey: 'provider-secret-key-do-not-log-0000000001',
  roleArn: 'arn:aws:iam::111122223333:role/provider',
};
const CONNECTORS = '/_plugins/_ml/connectors';

/** A generator of its own for lifecycle `n`: the same schedule whatever the interleaving. */
/* eslint-disable no-bitwise */
function lifecycleSeed(n: number): number {
  return (SEED ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
}
/* eslint-enable no-bitwise */

let emulator: OpenSearchEmulator;
let lambda: LambdaHarness;

beforeAll(async () => {
  emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
  lambda = await LambdaHarness.start({
    credentials: PROVIDER,
    env: { PROVIDER_ROLE_ARN: PROVIDER.roleArn, HARNESS_CLOCK_SCALE: String(CLOCK_SCALE) },
  });
});

afterAll(async () => {
  await lambda?.stop();
  await emulator?.stop();
});

type Properties = Record<string, unknown>;

test(`${LIFECYCLES} randomized connector lifecycles under injected faults: no hang, no duplicate, no orphan`, async () => {
  const started = Date.now();

  /** A SageMaker connector whose parameters and description vary: removing a parameter needs a new connector. */
  const variant = (parameters: Record<string, unknown>, description?: string) => synthesizeConnector(emulator, {
    description,
    blueprint: ConnectorBlueprint.custom({
      serviceName: 'sagemaker',
      parameters,
      actions: [{ actionType: 'predict', url: 'https://runtime.sagemaker.${parameters.region}.amazonaws.com/endpoints/e/invocations', requestBody: '{"x": "${parameters.x:-a}"}' }],
      invokeActions: ['sagemaker:InvokeEndpoint'],
      invokeResources: ['arn:aws:sagemaker:us-east-1:111122223333:endpoint/e'],
    }),
  });
  const variants = [variant({ x: '1' }), variant({ x: '2' }, 'changed in place'), variant({}), variant({ x: '1', y: 'z' }, 'more')];
  // The provider may do exactly what its synthesized grants allow.
  emulator.setPrincipalPolicy(PROVIDER.roleArn, variants[0].providerStatements);
  const connectorRole = variants[0].roleArn;

  const stats = {
    lifecycles: 0, invocations: 0, rollbacks: 0, duplicates: 0, orphans: 0, unreturned: 0, stuck: 0, oversized: 0, rollbackFailures: 0,
  };
  const problems: string[] = [];
  const tokened = (token: string) => emulator.connectors()
    .filter((c) => (c.source.parameters as Record<string, unknown>)?.cdk_creation_token === token);
  const ms = (handlerMs: number) => Math.max(1, Math.round(handlerMs / CLOCK_SCALE));

  const runLifecycle = async (n: number, lane: string) => {
    const random = prng(lifecycleSeed(n));
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const chance = (p: number) => random() < p;
    const problem = (what: string) => {
      if (problems.length < 20) problems.push(`lifecycle ${n} (seed ${SEED}): ${what}`);
      return new Error(what);
    };
    /** The variant's properties, with this lane's connector name. */
    const propsOf = (i: number, creationToken?: string): Properties => {
      const properties = variants[i].properties;
      return { ...properties, ...(creationToken ? { creationToken } : {}), connector: { ...(properties.connector as object), name: lane } };
    };
    const scope = { tag: lane };
    const byName = { ...scope, bodyIncludes: `"${lane}"` };

    const faultFor = (method: string) => randomFault({
      pick,
      ms,
      accessKeyId: PROVIDER.accessKeyId,
      deniedAction: () => (method === 'POST' && chance(0.5) ? `iam:PassRole on resource: ${connectorRole}` : `es:ESHttp${method[0]}${method.slice(1).toLowerCase()}`),
    });

    /** Faults for one invocation; `persistent` adds one that outlasts the handler's time. */
    const scheduleFaults = (requestType: string, physicalId: string | undefined, persistent: boolean) => {
      const own = physicalId && !physicalId.startsWith('cdk-opensearch-ml:') ? `${CONNECTORS}/${physicalId}` : undefined;
      const targets: FaultSpec[] = [{ ...byName, method: 'POST', path: `${CONNECTORS}/_search` }];
      if (requestType !== 'Delete') targets.push({ ...byName, method: 'POST', path: `${CONNECTORS}/_create` }, { ...byName, method: 'POST', path: `${CONNECTORS}/_create` });
      if (requestType === 'Update' && own) targets.push({ ...scope, method: 'PUT', path: own }, { ...scope, method: 'PUT', path: own });
      if (requestType === 'Delete' && own) targets.push({ ...scope, method: 'DELETE', path: own }, { ...scope, method: 'DELETE', path: own });
      for (let count = pick([0, 1, 1, 2, 2, 3, 4]); count > 0; count--) {
        const target = pick(targets);
        emulator.injectFault({ ...target, ...faultFor(target.method!) });
      }
      if (persistent) {
        const target: FaultSpec = requestType === 'Update' && own && chance(0.5)
          ? { ...scope, method: 'PUT', path: own } : { ...byName, method: 'POST', path: `${CONNECTORS}/_create` };
        emulator.injectFault({ ...target, status: pick([429, 503, 500, 504]), times: 1_000_000 });
      }
    };

    /** Sends one event, with faults; checks the answer came in time, fits, and says SUCCESS or FAILED. */
    const invoke = async (
      event: Record<string, any>, options: { persistent?: boolean; remainingMs?: number } = {},
    ): Promise<Invocation & { ok: boolean }> => {
      scheduleFaults(event.RequestType, event.PhysicalResourceId, options.persistent ?? false);
      const remainingMs = options.remainingMs ?? (options.persistent ? 30_000 : pick(REMAINING_MS));
      let timer: NodeJS.Timeout | undefined;
      const watchdog = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), remainingMs / CLOCK_SCALE + WATCHDOG_SLACK_MS);
      });
      const result = await Promise.race([lambda.invoke(event, { remainingMs }), watchdog]);
      clearTimeout(timer);
      emulator.clearFaults(lane);
      stats.invocations++;
      // In time: the answer left the handler before its time was up, by the handler's clock.
      if (!result || !result.response || !['SUCCESS', 'FAILED'].includes(result.response.Status) || !(result.answeredInMs! <= remainingMs)) {
        stats.stuck++;
        throw problem(`${event.RequestType} not answered in time (answered after ${result?.answeredInMs} of ${remainingMs} ms): ${result?.responseBody}`);
      }
      if (Buffer.byteLength(result.responseBody!) > 4096) {
        stats.oversized++;
        problem(`answer of ${Buffer.byteLength(result.responseBody!)} bytes`);
      }
      const ok = result.response.Status === 'SUCCESS';
      if (event.RequestType !== 'Delete') {
        // What this request created: exactly the connector it returned, or nothing.
        const made = tokened(`${(event.ResourceProperties as Properties).creationToken}-${event.RequestId}`).map((c) => c.id);
        const returned = ok ? result.response.PhysicalResourceId : undefined;
        const extra = made.filter((id) => id !== returned);
        if (ok && extra.length > 0) {
          if (process.env.FAULT_DEBUG) process.stderr.write(result.logs);
          stats.duplicates += extra.length;
          problem(`${event.RequestType} returned ${returned} and also made ${extra.join(', ')}`);
        }
        // A failed create may leave what a lost request made to its rollback's Delete (its physical ID says so); nothing else may stay.
        if (!ok && extra.length > 0 && !String(result.response.PhysicalResourceId).includes(':create-unknown:')) {
          stats.unreturned += extra.length;
          problem(`failed ${event.RequestType} left ${extra.join(', ')} (physical ID ${result.response.PhysicalResourceId}): ${result.response.Reason}`);
        }
      }
      return { ...result, ok };
    };

    /**
     * An invocation CloudFormation needs to succeed (rollbacks, cleanup, final delete): transient
     * faults only, and the provider's whole 5 minutes, as every real invocation starts with.
     */
    const mustSucceed = async (event: Record<string, any>, what: string) => {
      const result = await invoke(event, { remainingMs: 300_000 });
      if (!result.ok) {
        stats.rollbackFailures++;
        throw problem(`${what} failed: ${result.response?.Reason}`);
      }
      return result.response!.PhysicalResourceId as string;
    };

    const lifecycle = async () => {
      let current = pick([0, 1, 2, 3]);
      const created = await invoke(createEvent(propsOf(current)), { persistent: chance(0.1) });
      if (!created.ok) {
        // CloudFormation rolls the create back with a Delete of whatever physical ID it got.
        stats.rollbacks++;
        await mustSucceed(deleteEvent(created.response!.PhysicalResourceId, propsOf(current)), 'the Delete after a failed Create');
        return;
      }
      let physicalId = created.response!.PhysicalResourceId as string;

      for (let u = pick([0, 1, 2, 3]); u > 0; u--) {
        const next = pick([0, 1, 2, 3].filter((i) => i !== current));
        const updated = await invoke(updateEvent(physicalId, propsOf(next), propsOf(current)), { persistent: chance(0.1) });
        if (!updated.ok) {
          // The failed resource is rolled back too: old properties, same physical ID.
          stats.rollbacks++;
          const restored = await mustSucceed(updateEvent(physicalId, propsOf(current), propsOf(next)), 'the rollback of a failed Update');
          if (restored !== physicalId) await mustSucceed(deleteEvent(physicalId, propsOf(next)), 'the cleanup Delete after a rollback');
          physicalId = restored;
          continue;
        }
        const newId = updated.response!.PhysicalResourceId as string;
        if (chance(0.3)) {
          // Another resource fails: CloudFormation rolls this one back, old and new swapped...
          stats.rollbacks++;
          const restored = await mustSucceed(updateEvent(newId, propsOf(current), propsOf(next)), 'a rollback Update');
          // ...then deletes every physical ID it no longer references.
          for (const stale of new Set([newId, physicalId])) {
            if (stale !== restored) await mustSucceed(deleteEvent(stale, propsOf(stale === newId ? next : current)), 'the cleanup Delete after a rollback');
          }
          physicalId = restored;
        } else {
          if (newId !== physicalId) await mustSucceed(deleteEvent(physicalId, propsOf(current)), 'the cleanup Delete of a replaced connector');
          physicalId = newId;
          current = next;
        }
      }
      // Sometimes deleted behind the stack's back: the final Delete must still succeed.
      if (chance(0.1)) await lambda.invoke(deleteEvent(physicalId, propsOf(current)));
      await mustSucceed(deleteEvent(physicalId, propsOf(current)), 'the final Delete');
    };

    // Sometimes someone else made the same connector by hand: it must survive everything.
    let foreign: string | undefined;
    if (chance(0.2)) {
      const made = await lambda.invoke(createEvent(propsOf(0, 'made-by-hand')), { remainingMs: 300_000 });
      foreign = made.response?.PhysicalResourceId;
      if (made.response?.Status !== 'SUCCESS') problem(`could not make someone else's connector: ${made.responseBody}`);
    }
    try {
      await lifecycle();
    } catch (e) {
      problem(`aborted: ${(e as Error).message}`);
    }
    stats.lifecycles++;
    const left = emulator.connectors().filter((c) => c.source.name === lane && c.id !== foreign);
    if (left.length > 0) {
      stats.orphans += left.length;
      problem(`connectors left after the final delete: ${left.map((c) => `${c.id} (${(c.source.parameters as any)?.cdk_creation_token})`).join(', ')}`);
      for (const c of left) await lambda.invoke(deleteEvent(c.id, propsOf(0)));
    }
    if (foreign) {
      if (!emulator.connectors().some((c) => c.id === foreign)) problem(`someone else's connector ${foreign} was deleted`);
      await lambda.invoke(deleteEvent(foreign, propsOf(0, 'made-by-hand')));
    }
  };

  // Warm up both processes (TLS sessions, JIT) before the clock runs 50 times faster than their latencies.
  for (let i = 0; i < 5; i++) {
    const warm = await lambda.invoke(createEvent(variants[0].properties), { remainingMs: 300_000 });
    await lambda.invoke(deleteEvent(warm.response!.PhysicalResourceId, variants[0].properties), { remainingMs: 300_000 });
  }
  const requestsBefore = emulator.requests.length;

  // FAULT_ONLY=<n>,<m>: replay only those lifecycles of the seed.
  const only = process.env.FAULT_ONLY?.split(',').map(Number);
  const queue = only ?? Array.from({ length: LIFECYCLES }, (_, n) => n);
  await Promise.all(Array.from({ length: LANES }, async (_, i) => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) await runLifecycle(n, `fault-lane-${i}`);
  }));

  const faults = emulator.requests.slice(requestsBefore).filter((r) => r.fault !== undefined).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const line = `fault injection (seed ${SEED}): lifecycles ${stats.lifecycles} (${stats.rollbacks} rollbacks), invocations ${stats.invocations}, faults injected ${faults}, ` +
    `duplicates ${stats.duplicates}, orphans ${stats.orphans + stats.unreturned}, stuck or timed-out handlers ${stats.stuck}, ` +
    `answers over 4096 bytes ${stats.oversized}, failed rollbacks ${stats.rollbackFailures} (${seconds} s)`;
  process.stdout.write(`${line}\n`);
  expect(problems).toEqual([]);
  expect(stats).toMatchObject({
    lifecycles: only?.length ?? LIFECYCLES, duplicates: 0, orphans: 0, unreturned: 0, stuck: 0, oversized: 0, rollbackFailures: 0,
  });
  expect(faults).toBeGreaterThan(only ? 0 : LIFECYCLES);
}, 600_000);
