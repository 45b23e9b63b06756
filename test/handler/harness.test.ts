/*
 * The harness keeps every handler test on this machine: an AWS API without a stand-in and a host
 * name other than localhost both fail the invocation at once, naming what was called.
 */
import { OpenSearchEmulator } from '../emulator';
import { createEvent, synthesizeConnector, updateEvent } from './events';
import { LambdaHarness } from './harness';

const PROVIDER = {
  accessKeyId: 'AKIAPROVIDER00000001',
  secretAccessKey: 'provider-secret-key-do-not-log-0000000001',
  roleArn: 'arn:aws:iam::111122223333:role/provider',
};

let emulator: OpenSearchEmulator;
let lambda: LambdaHarness;

beforeAll(async () => {
  emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
  // No AWS_ENDPOINT_URL_* given: the harness's own refusing stand-in answers.
  lambda = await LambdaHarness.start({ credentials: PROVIDER, env: { PROVIDER_ROLE_ARN: PROVIDER.roleArn } });
});

afterAll(async () => {
  await lambda?.stop();
  await emulator?.stop();
});

test('an AWS API the test gave no stand-in for fails the invocation at once, naming the call', async () => {
  const before = synthesizeConnector(emulator);
  emulator.setPrincipalPolicy(PROVIDER.roleArn, before.providerStatements);
  const created = await lambda.invoke(createEvent(before.properties));
  const id = created.response!.PhysicalResourceId as string;
  emulator.putModel({ connectorId: id, state: 'DEPLOYED' });
  const after = synthesizeConnector(emulator, { description: 'changed' });
  const started = Date.now();
  // A connector update under a deployed model lists the stack's models (CloudFormation).
  await expect(lambda.invoke(updateEvent(id, after.properties, before.properties)))
    .rejects.toThrow(/the handler tried to reach outside the machine: AWS API POST \/ \(cloudformation\)/);
  expect(Date.now() - started).toBeLessThan(5_000);
});

test('a host name other than localhost is not resolved, and the invocation fails naming it', async () => {
  const { properties } = synthesizeConnector(emulator);
  const outside = { ...properties, endpoint: 'search-prod-abc123.eu-west-1.es.amazonaws.com' };
  await expect(lambda.invoke(createEvent(outside), { remainingMs: 3_000 }))
    .rejects.toThrow(/the handler tried to reach outside the machine: host search-prod-abc123\.eu-west-1\.es\.amazonaws\.com/);
});
