/*
 * A stack of 100 connectors and 50 models (half with a smoke test) deployed as CloudFormation
 * deploys it, against a domain with the service's limits (scale-scenario.ts): create, an update
 * of every connector's request body, delete. Nothing may fail, be made twice or be left behind,
 * and every limit of CloudFormation and IAM must hold.
 *
 * `npx projen test:scale` runs it (so does `npx projen test`, after the other tests): alone, as its
 * hundred handler processes would starve the fault suites if they ran beside it. SCALE_CONNECTORS /
 * SCALE_MODELS change the stack; the figures are printed (npm run bench reports them too).
 */
import { ROLE_INLINE_POLICY_QUOTA } from '../policy-size';
import { runScaleScenario, ScaleReport } from './scale-scenario';

const CONNECTORS = Number(process.env.SCALE_CONNECTORS ?? 100);
const MODELS = Number(process.env.SCALE_MODELS ?? 50);

/** CloudFormation quotas (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). */
const MAX_RESOURCES = 500;
const MAX_TEMPLATE_BYTES = 1_000_000;
const MAX_ANSWER_BYTES = 4_096;

let report: ScaleReport;

beforeAll(async () => {
  report = await runScaleScenario({ connectors: CONNECTORS, models: MODELS, clockScale: 2 });
  for (const p of report.phases) {
    process.stdout.write(`scale ${p.requestType}: ${p.resources} resources in ${(p.durationMs / 1000).toFixed(1)} s (${(p.wallMs / 1000).toFixed(1)} s by the stack's clock), floor ${(p.floorMs / 1000).toFixed(1)} s ` +
      `(ratio ${p.ratio.toFixed(2)}); ${p.requests} requests (${p.requestsPerResource.toFixed(1)} per resource, floor ${p.floorRequests}), ` +
      `${p.throttled} answered 429, ${p.refusedRegisters} registers and ${p.refusedDeploys} deploys refused at the task caps, ` +
      `${p.refusedGroupSearches} registers while the model group index was created; ` +
      `the emulator's event loop waited up to ${p.emulatorDelayP99Ms.toFixed(0)} ms (p99)\n`);
  }
  process.stdout.write(`scale: ${report.environments} execution environments (${report.coldStarts} cold starts, ${report.peakConcurrency} at once); ` +
    `template ${report.templateResources} resources, ${report.templateBytes} bytes; provider role policies ${report.providerPolicyChars} characters; ` +
    `${report.realSeconds.toFixed(1)} s\n`);
}, 240_000);

test(`${CONNECTORS} connectors and ${MODELS} models: created, updated and deleted without a failure`, () => {
  expect(report.phases.flatMap((p) => p.failures)).toEqual([]);
  expect(report.phases.map((p) => p.resources)).toEqual([CONNECTORS + MODELS, CONNECTORS, CONNECTORS + MODELS]);
});

test('nothing is made twice, and nothing of the stack is left after the delete', () => {
  expect(report.duplicates).toEqual([]);
  expect(report.orphans).toEqual([]);
});

test('the domain\'s limits were met and waited out, not failed on', () => {
  const create = report.phases[0];
  expect(create.refusedDeploys + report.phases[1].refusedDeploys).toBeGreaterThan(0);
  expect(report.phases.reduce((n, p) => n + p.throttled, 0)).toBeGreaterThan(0);
});

test('within CloudFormation\'s and IAM\'s limits: resources, template size, answers, the provider role\'s policies', () => {
  expect(report.templateResources).toBeLessThan(MAX_RESOURCES);
  expect(report.templateBytes).toBeLessThan(MAX_TEMPLATE_BYTES);
  for (const p of report.phases) expect(p.largestAnswerBytes).toBeLessThan(MAX_ANSWER_BYTES);
  expect(report.providerPolicyChars).toBeLessThan(ROLE_INLINE_POLICY_QUOTA);
});

test('one execution environment per invocation in flight, as Lambda runs them', () => {
  expect(report.peakConcurrency).toBeGreaterThan(50);
  expect(report.environments).toBeGreaterThanOrEqual(report.peakConcurrency);
});
