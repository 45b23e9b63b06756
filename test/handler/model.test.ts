/*
 * Remote models through the bundled handler against the OpenSearch stand-in: the chain a
 * deployment runs (connector → model group → model), in CloudFormation's order.
 */
import { Stack } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { ConnectorBlueprint, MlConnector, MlModel, MlModelGroup, MlModelProps, ModelVerification } from '../../src';
import { OpenSearchEmulator } from '../emulator';
import { SynthesizedStack, createEvent, deleteEvent, synthesizeStack, updateEvent } from './events';
import { LambdaHarness } from './harness';
import { AwsApisEmulator } from '../emulator/aws-apis';
import { send } from '../emulator/test-client';

const PROVIDER = {
  accessKeyId: 'AKIAPROVIDER00000005',
  secretAccessKey: 'provider-secret-key-do-not-log-0000000005',
  roleArn: 'arn:aws:iam::111122223333:role/provider',
};
const CONNECTOR = 'Custom::OpenSearchMlConnector';
const MODEL = 'Custom::OpenSearchMlModel';
const GROUP = 'Custom::OpenSearchMlModelGroup';

let emulator: OpenSearchEmulator;
let aws: AwsApisEmulator;
let lambda: LambdaHarness;
/** the stack's resources as CloudFormation lists them: what the handler reads to tell its own models from others */
let stackResources: Array<{ logicalId: string; physicalId: string; type: string }> = [];
let STACK_ID: string;

beforeAll(async () => {
  emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
  aws = await AwsApisEmulator.start({ principals: [PROVIDER], stacks: { HandlerTest: [] } });
  STACK_ID = aws.stackId('HandlerTest')!;
  lambda = await LambdaHarness.start({
    credentials: PROVIDER,
    env: { PROVIDER_ROLE_ARN: PROVIDER.roleArn, AWS_ENDPOINT_URL_CLOUDFORMATION: aws.url },
  });
});

afterAll(async () => {
  await lambda?.stop();
  await aws?.stop();
  await emulator?.stop();
});

beforeEach(() => {
  emulator.reset();
  stackResources = [];
  aws.setStack('HandlerTest', stackResources);
});

interface Chain {
  readonly synthesized: SynthesizedStack;
  /** logical ID → physical ID of what the handler created so far */
  readonly physical: Map<string, string>;
}

/** A stack with a Titan v2 connector and `models` models on it, with the provider's real grants. */
function synth(models: Record<string, Partial<MlModelProps>> = { Model: {} }, options: { group?: boolean; dimensions?: number } = {}): Chain {
  const synthesized = synthesizeStack(emulator, (stack: Stack, domain: opensearch.IDomain) => {
    const connector = new MlConnector(stack, 'Titan', {
      domain, blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: options.dimensions ?? 512 }),
    });
    const group = options.group ? new MlModelGroup(stack, 'Group', { domain, name: 'embeddings' }) : undefined;
    for (const [id, props] of Object.entries(models)) {
      new MlModel(stack, id, { connector, name: id.toLowerCase(), ...(group ? { modelGroup: group } : {}), ...props });
    }
  });
  emulator.setPrincipalPolicy(PROVIDER.roleArn, synthesized.providerStatements);
  aws.setPrincipalPolicy(PROVIDER.roleArn, (synthesized.providerStatements as any[]).map((s) => (
    // the template's stack ID is a pseudo parameter: the stack this test deploys
    JSON.parse(JSON.stringify(s).replace(/"AWS::StackId"/g, JSON.stringify(STACK_ID))))));
  return { synthesized, physical: new Map() };
}

function logicalIdsOf(chain: Chain, type: string): string[] {
  return Object.entries(chain.synthesized.resources).filter(([, r]) => r.Type === type).map(([id]) => id);
}

/** The logical ID of the resource of `type` whose ID starts with `logicalPrefix`. */
function logicalIdOf(chain: Chain, type: string, logicalPrefix: string): string {
  return logicalIdsOf(chain, type).find((id) => id.startsWith(logicalPrefix))!;
}

/** ResourceProperties of the resource `logicalPrefix`, with Refs to resources already created replaced by their IDs. */
function propertiesOf(chain: Chain, type: string, logicalPrefix: string): Record<string, any> {
  const index = logicalIdsOf(chain, type).indexOf(logicalIdOf(chain, type, logicalPrefix));
  const properties = chain.synthesized.propertiesOf(type)[index];
  const text = JSON.stringify(properties).replace(/"([A-Za-z0-9]+)"/g, (whole, id: string) => (chain.physical.has(id) ? JSON.stringify(chain.physical.get(id)) : whole));
  return JSON.parse(text);
}

function event<T extends Record<string, unknown>>(e: T): T {
  return { ...e, StackId: STACK_ID };
}

/** Creates the resource and records its physical ID (and, for a model, lists it as the stack's). */
async function create(chain: Chain, type: string, logicalPrefix: string): Promise<{ id: string; response: Record<string, any> }> {
  const logicalId = logicalIdOf(chain, type, logicalPrefix);
  const { response } = await lambda.invoke(event(createEvent(propertiesOf(chain, type, logicalPrefix), type)));
  expect(response).toBeDefined();
  if (response!.Status === 'SUCCESS') {
    chain.physical.set(logicalId, response!.PhysicalResourceId);
    stackResources.push({ logicalId, physicalId: response!.PhysicalResourceId, type });
    aws.setStack('HandlerTest', stackResources);
  }
  return { id: response!.PhysicalResourceId, response: response! };
}

/** ML Commons calls since request number `from`, with IDs masked. */
function mlCalls(from = 0): string[] {
  return emulator.requests.slice(from).filter((r) => r.path.startsWith('/_plugins/_ml'))
    .map((r) => `${r.method} ${r.path.replace(/\/[A-Za-z0-9_-]{20}(?=\/|$)/g, '/<id>')} ${r.status}`);
}

/** A model create whose deploy task is running (and would run for 10 minutes): the invocation and the model's ID. */
async function createWithDeployRunning(): Promise<{ creating: ReturnType<LambdaHarness['invoke']>; modelId: string }> {
  const chain = synth();
  await create(chain, CONNECTOR, 'Titan');
  emulator.setDeployLatency(600_000);
  const creating = lambda.invoke(event(createEvent(propertiesOf(chain, MODEL, 'Model'), MODEL)), { remainingMs: 60_000 });
  while (!emulator.requests.some((r) => r.path.endsWith('/_deploy') && r.status === 200)) await new Promise((r) => setTimeout(r, 50));
  return { creating, modelId: emulator.models()[0].id };
}

describe('create', () => {
  test('register, deploy and wait for the task, smoke-test: Data.ModelId is the deployed model', async () => {
    const chain = synth({ Model: { verify: ModelVerification.predict() } });
    const connector = await create(chain, CONNECTOR, 'Titan');
    const before = emulator.requests.length;
    const { id, response } = await create(chain, MODEL, 'Model');

    expect(response.Reason).toBeUndefined();
    expect(response).toMatchObject({ Status: 'SUCCESS', Data: { ModelId: id } });
    const [model] = emulator.models();
    expect(model).toMatchObject({ id, source: { name: 'model', connector_id: connector.id, model_state: 'DEPLOYED' } });
    expect((model.source.model_config as any)).toEqual({
      model_type: 'TEXT_EMBEDDING', embedding_dimension: 512, framework_type: 'SENTENCE_TRANSFORMERS', additional_config: { space_type: 'innerproduct' },
    });
    const calls = mlCalls(before);
    expect(calls[0]).toBe('POST /_plugins/_ml/models/_register 200');
    expect(calls[1]).toBe('POST /_plugins/_ml/models/<id>/_deploy 200');
    expect(calls.filter((c) => c.startsWith('GET /_plugins/_ml/tasks/')).length).toBeGreaterThanOrEqual(1);
    expect(calls[calls.length - 1]).toBe('POST /_plugins/_ml/models/<id>/_predict 200');
  });

  test('a model group is created first and the model is registered in it', async () => {
    const chain = synth({ Model: {} }, { group: true });
    await create(chain, CONNECTOR, 'Titan');
    const group = await create(chain, GROUP, 'Group');
    expect(group.response).toMatchObject({ Status: 'SUCCESS', Data: { ModelGroupId: group.id } });
    const model = await create(chain, MODEL, 'Model');
    expect(emulator.models()[0].source.model_group_id).toBe(group.id);
    expect(emulator.modelGroups().map((g) => g.source.name)).toEqual(['embeddings']);
    expect(model.response.Status).toBe('SUCCESS');
  });

  test('a model group name someone already uses is refused with the fix, and their group is left alone', async () => {
    const chain = synth({ Model: {} }, { group: true });
    await create(chain, CONNECTOR, 'Titan');
    const theirs = await create(chain, GROUP, 'Group');
    const { response } = await lambda.invoke(event(createEvent(propertiesOf(chain, GROUP, 'Group'), GROUP)));
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toContain(`already being used by a model group with ID: ${theirs.id}`);
    expect(response?.Reason).toMatch(/give the MlModelGroup another name, or refer to that group with MlModelGroup.fromModelGroupId/);
    expect(response?.PhysicalResourceId).not.toBe(theirs.id);
    expect(emulator.modelGroups().map((g) => g.id)).toEqual([theirs.id]);
  });

  test('a model group register whose answer is lost: the group it made is adopted, not refused as a name already taken', async () => {
    const chain = synth({ Model: {} }, { group: true });
    await create(chain, CONNECTOR, 'Titan');
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/model_groups/_register', drop: true, phase: 'after', times: 1 });
    const group = await create(chain, GROUP, 'Group');
    expect(group.response).toMatchObject({ Status: 'SUCCESS', Data: { ModelGroupId: group.id } });
    expect(emulator.modelGroups().map((g) => g.id)).toEqual([group.id]);
    // the second register was refused (the name is taken) and named the group the first one made
    expect(mlCalls().filter((c) => c.startsWith('POST /_plugins/_ml/model_groups/_register')).length).toBeGreaterThanOrEqual(2);
  });

  test('a register whose answer is lost is not sent again while the lookup fails: one register, the model adopted', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/models/_register', drop: true, phase: 'after', times: 1 });
    const denied = { error: { type: 'security_exception', reason: 'no permissions for [cluster:admin/opensearch/ml/models/search]' }, status: 403 };
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/models/_search', status: 403, times: 2, body: denied });
    const { response } = await create(chain, MODEL, 'Model');
    expect(response.Status).toBe('SUCCESS');
    expect(emulator.models().map((m) => m.id)).toEqual([response.PhysicalResourceId]);
    expect(emulator.requests.filter((r) => r.method === 'POST' && r.path === '/_plugins/_ml/models/_register')).toHaveLength(1);
    expect(emulator.requests.filter((r) => r.path === '/_plugins/_ml/models/_search').length).toBeGreaterThanOrEqual(3);
  });

  test('a smoke test that Bedrock refuses fails the deployment with the answer and the fix, and leaves no model behind', async () => {
    const chain = synth({ Model: { verify: ModelVerification.predict() } });
    await create(chain, CONNECTOR, 'Titan');
    emulator.setPredictBehaviour('*', { remoteError: 'bedrock-access-denied' });
    const { response } = await create(chain, MODEL, 'Model');
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/smoke test of the model .* failed: OpenSearch answered 4\d\d/);
    expect(response.Reason).toMatch(/Enable access to this model in the Bedrock console/);
    expect(emulator.models()).toEqual([]);
    // nothing left for the rollback's Delete to find
    expect(response.PhysicalResourceId).toMatch(/^cdk-opensearch-ml:/);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThan(4096);
  });

  test('a role OpenSearch cannot assume is named as the cause', async () => {
    const chain = synth({ Model: { verify: ModelVerification.predict() } });
    await create(chain, CONNECTOR, 'Titan');
    emulator.setPredictBehaviour('*', { remoteError: 'assume-role-denied' });
    const { response } = await create(chain, MODEL, 'Model');
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/could not assume the connector role/);
  });

  test('a vector of another length than declared fails, naming both lengths', async () => {
    const chain = synth({ Model: { verify: ModelVerification.predict() } });
    await create(chain, CONNECTOR, 'Titan');
    emulator.setPredictBehaviour('*', { dimension: 1024 });
    const { response } = await create(chain, MODEL, 'Model');
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/vector of 1024 values, but the model declares 512/);
    expect(emulator.models()).toEqual([]);
  });

  test('a deploy task that FAILED fails the deployment with the task\'s error, and the model is removed', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    emulator.failDeploys({ message: 'no eligible node found to deploy the model' });
    const { response } = await create(chain, MODEL, 'Model');
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/ended FAILED .*no eligible node found/);
    expect(emulator.models()).toEqual([]);
  });

  test('a slow deploy is waited for', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    emulator.setDeployLatency(1_500);
    const { response } = await create(chain, MODEL, 'Model');
    expect(response.Status).toBe('SUCCESS');
    expect(emulator.models()[0].source.model_state).toBe('DEPLOYED');
    expect(mlCalls().filter((c) => c.startsWith('GET /_plugins/_ml/tasks/')).length).toBeGreaterThan(1);
  });

  test('a model undeployed while its deploy task runs (the task stays RUNNING) is deployed again, not waited on until the handler\'s time runs out', async () => {
    const { creating, modelId } = await createWithDeployRunning();
    // Another deploy's undeploy, sent while this one runs; the next deploy is quick.
    const undeployed = await send(emulator, { method: 'POST', path: `/_plugins/_ml/models/${modelId}/_undeploy`, credentials: PROVIDER });
    expect(undeployed.status).toBe(200);
    emulator.setDeployLatency(100);
    const { response } = await creating;
    expect(response?.Status).toBe('SUCCESS');
    expect(emulator.models()[0].source.model_state).toBe('DEPLOYED');
    const calls = mlCalls();
    expect(calls.filter((c) => /_deploy 200$/.test(c))).toHaveLength(2);
    // The first task never ended: the model's state was read once, after the task had run for a while.
    expect(calls.filter((c) => c === 'GET /_plugins/_ml/models/<id> 200')).toHaveLength(1);
  }, 30_000);

  test('a deploy task that outlives its deploy is over once the model is DEPLOYED by another', async () => {
    const { creating, modelId } = await createWithDeployRunning();
    // Another party undeploys and deploys the model again, and that deploy finishes first.
    await send(emulator, { method: 'POST', path: `/_plugins/_ml/models/${modelId}/_undeploy`, credentials: PROVIDER });
    emulator.setDeployLatency(0);
    expect((await send(emulator, { method: 'POST', path: `/_plugins/_ml/models/${modelId}/_deploy`, credentials: PROVIDER })).status).toBe(200);
    const { response } = await creating;
    expect(response?.Status).toBe('SUCCESS');
    expect(mlCalls().filter((c) => /_deploy 200$/.test(c))).toHaveLength(2);
  }, 30_000);

  test('a deploy that takes the handler\'s time (its task never answers) still leaves time to remove the model and its own group', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    emulator.setDeployLatency(60_000);
    emulator.injectFault({ method: 'GET', path: /\/_plugins\/_ml\/tasks\//, delayMs: 60_000, times: 100 });
    const { response } = await lambda.invoke(event(createEvent(propertiesOf(chain, MODEL, 'Model'), MODEL)), { remainingMs: 12_000 });
    emulator.clearFaults();
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toMatch(/did not answer/);
    expect(emulator.models()).toEqual([]);
    expect(emulator.modelGroups()).toEqual([]);
    expect(response?.PhysicalResourceId).toMatch(/^cdk-opensearch-ml:not-created:/);
  });

  test('a failed create whose model\'s own group could not be removed names it, and the rollback\'s Delete removes it', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    emulator.failDeploys({ message: 'no eligible node found to deploy the model' });
    emulator.injectFault({ method: 'DELETE', path: /\/_plugins\/_ml\/model_groups\//, status: 403, body: { Message: 'explicit deny' }, times: 100 });
    const properties = propertiesOf(chain, MODEL, 'Model');
    const { response } = await lambda.invoke(event(createEvent(properties, MODEL)));
    emulator.clearFaults();
    expect(response?.Status).toBe('FAILED');
    expect(emulator.models()).toEqual([]);
    const [group] = emulator.modelGroups();
    const modelId = emulator.requests.find((r) => r.path.endsWith('/_register'))!.responseBody.match(/"model_id":"([^"]+)"/)![1];
    expect(response?.PhysicalResourceId).toBe(`cdk-opensearch-ml:leftover:${modelId}.${group.id}:${response?.RequestId}`);
    // While the group cannot be deleted either, the rollback's Delete says so; then it goes.
    emulator.injectFault({ method: 'DELETE', path: /\/_plugins\/_ml\/model_groups\//, status: 403, body: { Message: 'explicit deny' }, times: 100 });
    const refused = await lambda.invoke(event(deleteEvent(response!.PhysicalResourceId, properties, MODEL)), { remainingMs: 3_000 });
    emulator.clearFaults();
    expect(refused.response?.Status).toBe('FAILED');
    expect(refused.response?.Reason).toContain(`DELETE _plugins/_ml/model_groups/${group.id}`);
    const rollback = await lambda.invoke(event(deleteEvent(response!.PhysicalResourceId, properties, MODEL)));
    expect(rollback.response?.Status).toBe('SUCCESS');
    expect(emulator.modelGroups()).toEqual([]);
  });

  test('a failed create whose delete of the model got no answer in time names the model and its group; the rollback removes the group', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    emulator.failDeploys({ message: 'no eligible node found to deploy the model' });
    // The model is deleted, and the answer comes after the handler stopped waiting.
    emulator.injectFault({ method: 'DELETE', path: /\/_plugins\/_ml\/models\//, phase: 'after', delayMs: 30_000, times: 1 });
    const properties = propertiesOf(chain, MODEL, 'Model');
    const { response } = await lambda.invoke(event(createEvent(properties, MODEL)), { remainingMs: 8_000 });
    expect(response?.Status).toBe('FAILED');
    expect(emulator.models()).toEqual([]);
    expect(emulator.modelGroups()).toHaveLength(1);
    expect(response?.PhysicalResourceId).toMatch(/^cdk-opensearch-ml:leftover:[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+:/);
    const rollback = await lambda.invoke(event(deleteEvent(response!.PhysicalResourceId, properties, MODEL)));
    expect(rollback.response?.Status).toBe('SUCCESS');
    expect(emulator.modelGroups()).toEqual([]);
  });

  test('a deploy the ML nodes have no room for (max_deploy_model_tasks_per_node) is deployed again after a wait', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    emulator.failDeploys({ message: 'exceed max running task limit', times: 2 });
    const { response } = await create(chain, MODEL, 'Model');
    expect(response.Status).toBe('SUCCESS');
    expect(emulator.models()[0].source.model_state).toBe('DEPLOYED');
    expect(mlCalls().filter((c) => /_deploy 200$/.test(c))).toHaveLength(3);
  });

  test('a deploy that lost a race with another write of the model (409 version conflict, OpenSearch 3.6.0) is sent again', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    const reason = 'Document version conflict updating the model in index .plugins-ml-model';
    emulator.injectFault({
      method: 'POST',
      path: /^\/_plugins\/_ml\/models\/[^/]+\/_deploy$/,
      status: 409,
      times: 1,
      body: { error: { root_cause: [{ type: 'status_exception', reason }], type: 'status_exception', reason }, status: 409 },
    });
    const { response } = await create(chain, MODEL, 'Model');
    expect({ status: response.Status, reason: response.Reason }).toEqual({ status: 'SUCCESS', reason: undefined });
    expect(emulator.models()[0].source.model_state).toBe('DEPLOYED');
    expect(mlCalls().filter((c) => c.includes('_deploy'))).toEqual(['POST /_plugins/_ml/models/<id>/_deploy 409', 'POST /_plugins/_ml/models/<id>/_deploy 200']);
  });

  test('a register the node has no room for (500 m_l_limit_exceeded_exception) is sent again without a lookup: it made nothing', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    const from = emulator.requests.length;
    emulator.injectFault({
      method: 'POST',
      path: '/_plugins/_ml/models/_register',
      status: 500,
      times: 2,
      body: { error: { root_cause: [{ type: 'm_l_limit_exceeded_exception', reason: 'exceed max running task limit' }], type: 'm_l_limit_exceeded_exception', reason: 'exceed max running task limit' }, status: 500 },
    });
    const { response } = await create(chain, MODEL, 'Model');
    expect(response.Status).toBe('SUCCESS');
    expect(emulator.models()).toHaveLength(1);
    expect(mlCalls(from).filter((c) => c.startsWith('POST /_plugins/_ml/models/_register'))).toHaveLength(3);
    expect(mlCalls(from).filter((c) => c.includes('_search'))).toEqual([]);
  });

  test('a register refused while the model group index is created (500 status_exception, OpenSearch 2.19.6) is looked up, then sent again: one model', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    const from = emulator.requests.length;
    // The real node's answer, word for word (test/real/scale.test.ts; the emulator's modelGroupIndexCreationMs).
    const reason = 'Failed to search indices [.plugins-ml-model-group]';
    emulator.injectFault({
      method: 'POST',
      path: '/_plugins/_ml/models/_register',
      status: 500,
      times: 1,
      body: { error: { root_cause: [{ type: 'status_exception', reason }], type: 'status_exception', reason }, status: 500 },
    });
    const { response } = await create(chain, MODEL, 'Model');
    expect({ status: response.Status, reason: response.Reason }).toEqual({ status: 'SUCCESS', reason: undefined });
    expect(emulator.models()).toHaveLength(1);
    expect(emulator.modelGroups()).toHaveLength(1);
    // A 500 may come after the work: the register is looked up before it is sent again, and after (create-once.ts).
    expect(mlCalls(from).filter((c) => c.startsWith('POST /_plugins/_ml/models/_register') || c.includes('_search'))).toEqual([
      'POST /_plugins/_ml/models/_register 500', 'POST /_plugins/_ml/models/_search 200', 'POST /_plugins/_ml/models/_register 200', 'POST /_plugins/_ml/models/_search 200',
    ]);
  });

  test('a register answered 429 after the model was stored (a full register thread pool) is looked up, not repeated: one model', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/models/_register', status: 429, phase: 'after', times: 1 });
    const { response } = await create(chain, MODEL, 'Model');
    expect(response.Status).toBe('SUCCESS');
    expect(emulator.models()).toHaveLength(1);
    expect(emulator.models()[0].id).toBe(response.PhysicalResourceId);
  });

  test('a register whose answer is lost is looked up, not repeated: one model', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/models/_register', drop: true, phase: 'after', times: 1 });
    const { response } = await create(chain, MODEL, 'Model');
    expect(response.Status).toBe('SUCCESS');
    expect(emulator.models()).toHaveLength(1);
    expect(emulator.models()[0].id).toBe(response.PhysicalResourceId);
  });

  test('the rollback of a create whose outcome stayed unknown removes what it registered, and nothing else', async () => {
    const chain = synth();
    const connector = await create(chain, CONNECTOR, 'Titan');
    const properties = propertiesOf(chain, MODEL, 'Model');
    const otherName = emulator.putModel({ connectorId: connector.id, name: 'someone-elses', state: 'DEPLOYED' });
    const since = Date.now();
    const lost = emulator.putModel({ connectorId: connector.id, name: 'model', state: 'DEPLOYED' });
    const marker = `cdk-opensearch-ml:create-unknown:${since}:0b1c2d3e-aaaa-bbbb-cccc-0123456789ab`;
    const { response } = await lambda.invoke(event(deleteEvent(marker, properties, MODEL)));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: marker });
    expect(emulator.models().map((m) => m.id)).toEqual([otherName]);
    expect(emulator.requests.some((r) => r.path.includes(lost) && r.method === 'DELETE')).toBe(true);
  });

  test('a register that never gets an answer fails with a marker the rollback sweeps', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/models/_register', drop: true, phase: 'before', times: 1000 });
    const { response } = await lambda.invoke(event(createEvent(propertiesOf(chain, MODEL, 'Model'), MODEL)), { remainingMs: 8_000 });
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toMatch(/attempts/);
    expect(response?.PhysicalResourceId).toMatch(/^cdk-opensearch-ml:create-unknown:\d+:/);
    expect(emulator.models()).toEqual([]);
  });

  test('deploy: false registers only', async () => {
    const chain = synth({ Model: { deploy: false } });
    await create(chain, CONNECTOR, 'Titan');
    await create(chain, MODEL, 'Model');
    expect(emulator.models()[0].source.model_state).toBe('REGISTERED');
    expect(mlCalls().some((c) => c.includes('_deploy'))).toBe(false);
  });
});

describe('teardown', () => {
  test('in CloudFormation\'s order (model, then group and connector) everything goes; the model\'s own group too', async () => {
    const chain = synth();
    const connector = await create(chain, CONNECTOR, 'Titan');
    const model = await create(chain, MODEL, 'Model');
    expect(emulator.modelGroups()).toHaveLength(1); // made by OpenSearch for the model
    const modelDelete = await lambda.invoke(event(deleteEvent(model.id, propertiesOf(chain, MODEL, 'Model'), MODEL)));
    expect(modelDelete.response?.Status).toBe('SUCCESS');
    const connectorDelete = await lambda.invoke(event(deleteEvent(connector.id, propertiesOf(chain, CONNECTOR, 'Titan'), CONNECTOR)));
    expect(connectorDelete.response?.Status).toBe('SUCCESS');
    expect(emulator.models()).toEqual([]);
    expect(emulator.modelGroups()).toEqual([]);
    expect(emulator.connectors()).toEqual([]);
    const order = mlCalls().filter((c) => /_undeploy|DELETE/.test(c));
    expect(order).toEqual([
      'POST /_plugins/_ml/models/<id>/_undeploy 200',
      'DELETE /_plugins/_ml/models/<id> 200',
      'DELETE /_plugins/_ml/model_groups/<id> 200',
      'DELETE /_plugins/_ml/connectors/<id> 200',
    ]);
  });

  test('the wrong order is refused by OpenSearch: the connector of a model cannot go first (409, the model named)', async () => {
    const chain = synth();
    const connector = await create(chain, CONNECTOR, 'Titan');
    const model = await create(chain, MODEL, 'Model');
    const { response } = await lambda.invoke(event(deleteEvent(connector.id, propertiesOf(chain, CONNECTOR, 'Titan'), CONNECTOR)));
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toContain(model.id);
    expect(emulator.connectors()).toHaveLength(1);
  });

  test('a model group goes after its models; one that is already gone is success', async () => {
    const chain = synth({ Model: {} }, { group: true });
    await create(chain, CONNECTOR, 'Titan');
    const group = await create(chain, GROUP, 'Group');
    const model = await create(chain, MODEL, 'Model');
    const early = await lambda.invoke(event(deleteEvent(group.id, propertiesOf(chain, GROUP, 'Group'), GROUP)));
    expect(early.response?.Status).toBe('FAILED');
    expect(emulator.modelGroups()).toHaveLength(1);
    await lambda.invoke(event(deleteEvent(model.id, propertiesOf(chain, MODEL, 'Model'), MODEL)));
    expect((await lambda.invoke(event(deleteEvent(group.id, propertiesOf(chain, GROUP, 'Group'), GROUP)))).response?.Status).toBe('SUCCESS');
    expect((await lambda.invoke(event(deleteEvent(group.id, propertiesOf(chain, GROUP, 'Group'), GROUP)))).response?.Status).toBe('SUCCESS');
    expect(emulator.modelGroups()).toEqual([]);
  });

  test('a model on a domain whose endpoint no longer resolves (deleted out of band) is gone: success', async () => {
    const chain = synth();
    const properties = { ...propertiesOf(chain, MODEL, 'Model'), endpoint: 'search-deleted-abc123.invalid' };
    const { response } = await lambda.invoke(event(deleteEvent('AbCdEfGhIjKlMnOpQrSt', properties, MODEL)), { remainingMs: 6_000 });
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'AbCdEfGhIjKlMnOpQrSt' });
  });

  test('the model\'s own group that someone else\'s model has joined stays, and the delete succeeds', async () => {
    const chain = synth();
    const connector = await create(chain, CONNECTOR, 'Titan');
    const model = await create(chain, MODEL, 'Model');
    const groupId = emulator.models()[0].source.model_group_id as string;
    const theirs = emulator.putModel({ connectorId: connector.id, name: 'theirs', groupId });
    const { response } = await lambda.invoke(event(deleteEvent(model.id, propertiesOf(chain, MODEL, 'Model'), MODEL)));
    expect(response?.Status).toBe('SUCCESS');
    expect(emulator.models().map((m) => m.id)).toEqual([theirs]);
    expect(emulator.modelGroups().map((g) => g.id)).toEqual([groupId]);
  });

  test('a delete refused because the model still reads deployed after its undeploy (ml-commons #2419) is undeployed and sent again', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    const model = await create(chain, MODEL, 'Model');
    emulator.setUndeployLag(500);
    const start = emulator.requests.length;
    const { response } = await lambda.invoke(event(deleteEvent(model.id, propertiesOf(chain, MODEL, 'Model'), MODEL)));
    expect(response?.Status).toBe('SUCCESS');
    expect(emulator.models()).toEqual([]);
    // This model's requests only.
    const calls = emulator.requests.slice(start).filter((r) => r.path.startsWith(`/_plugins/_ml/models/${model.id}`))
      .map((r) => `${r.method} ${r.path.replace(model.id, '<id>')} ${r.status}`);
    expect(calls.filter((c) => c === 'DELETE /_plugins/_ml/models/<id> 400').length).toBeGreaterThanOrEqual(1);
    expect(calls.filter((c) => c.endsWith('/_undeploy 200')).length).toBeGreaterThanOrEqual(2);
    expect(calls.filter((c) => c === 'DELETE /_plugins/_ml/models/<id> 200')).toHaveLength(1);
  });

  test('a model that is already gone is success', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    const model = await create(chain, MODEL, 'Model');
    const properties = propertiesOf(chain, MODEL, 'Model');
    expect((await lambda.invoke(event(deleteEvent(model.id, properties, MODEL)))).response?.Status).toBe('SUCCESS');
    expect((await lambda.invoke(event(deleteEvent(model.id, properties, MODEL)))).response?.Status).toBe('SUCCESS');
  });
});

describe('updates', () => {
  test('name and description change in place', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    const model = await create(chain, MODEL, 'Model');
    const before = propertiesOf(chain, MODEL, 'Model');
    const changed = synth({ Model: { description: 'Titan V2' } });
    chain.physical.forEach((id, logicalId) => changed.physical.set(logicalId, id));
    const after = propertiesOf(changed, MODEL, 'Model');
    const { response } = await lambda.invoke(event(updateEvent(model.id, after, before, MODEL)));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: model.id });
    expect(emulator.models()[0].source.description).toBe('Titan V2');
    expect(emulator.models()[0].source.model_state).toBe('DEPLOYED');
  });

  test('a replaced connector: the model moves to it (undeploy, PUT, deploy) and the old connector can go', async () => {
    const chain = synth();
    const oldConnector = await create(chain, CONNECTOR, 'Titan');
    const connectorProperties = propertiesOf(chain, CONNECTOR, 'Titan');
    const model = await create(chain, MODEL, 'Model');
    const before = propertiesOf(chain, MODEL, 'Model');
    // CloudFormation creates the replacement connector, updates the model, then deletes the old connector.
    const newConnector = await create(chain, CONNECTOR, 'Titan');
    const after = propertiesOf(chain, MODEL, 'Model');
    expect(after.model.connector_id).toBe(newConnector.id);
    const { response } = await lambda.invoke(event(updateEvent(model.id, after, before, MODEL)));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: model.id });
    expect(emulator.models()[0].source).toMatchObject({ connector_id: newConnector.id, model_state: 'DEPLOYED' });
    const deleted = await lambda.invoke(event(deleteEvent(oldConnector.id, connectorProperties, CONNECTOR)));
    expect(deleted.response?.Status).toBe('SUCCESS');
  });

  test('a model registered before models carried a space type keeps its ID when its model_config only gains one', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    const current = propertiesOf(chain, MODEL, 'Model');
    const { additional_config: added, ...config } = current.model.model_config;
    expect(added).toEqual({ space_type: expect.any(String) });
    // the properties a stack synthesized with the library before issue 13 sent
    const before = { ...current, model: { ...current.model, model_config: config } };
    const { response: created } = await lambda.invoke(event(createEvent(before, MODEL)));
    expect(created?.Status).toBe('SUCCESS');
    const start = emulator.requests.length;
    const { response } = await lambda.invoke(event(updateEvent(created!.PhysicalResourceId, current, before, MODEL)));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created!.PhysicalResourceId });
    expect(emulator.models()).toHaveLength(1);
    expect(mlCalls(start).filter((c) => c.includes('_register'))).toEqual([]);
  });

  test('another model_config registers a new model; the old one is deleted by CloudFormation afterwards', async () => {
    const chain = synth();
    await create(chain, CONNECTOR, 'Titan');
    const model = await create(chain, MODEL, 'Model');
    const before = propertiesOf(chain, MODEL, 'Model');
    const after = { ...before, model: { ...before.model, model_config: { ...before.model.model_config, additional_config: { space_type: 'cosinesimil' } } } };
    const { response } = await lambda.invoke(event(updateEvent(model.id, after, before, MODEL)));
    expect(response?.Status).toBe('SUCCESS');
    expect(response?.PhysicalResourceId).not.toBe(model.id);
    expect(emulator.models()).toHaveLength(2);
  });

  /** A connector update around two deployed models: refused, both undeployed, PUT, both deployed again. */
  const AROUND_TWO_MODELS = [
    'PUT /_plugins/_ml/connectors/<id> 400',
    'POST /_plugins/_ml/models/<id>/_undeploy 200',
    'POST /_plugins/_ml/models/<id>/_undeploy 200',
    'PUT /_plugins/_ml/connectors/<id> 200',
    'POST /_plugins/_ml/models/<id>/_deploy 200',
    'POST /_plugins/_ml/models/<id>/_deploy 200',
  ];

  test('a connector change while the stack\'s models are deployed: undeploy, PUT, deploy again', async () => {
    const chain = synth({ A: {}, B: {} });
    const connector = await create(chain, CONNECTOR, 'Titan');
    await create(chain, MODEL, 'A');
    await create(chain, MODEL, 'B');
    const before = propertiesOf(chain, CONNECTOR, 'Titan');
    const after = { ...before, connector: { ...before.connector, description: 'changed' } };
    const start = emulator.requests.length;
    const { response } = await lambda.invoke(event(updateEvent(connector.id, after, before, CONNECTOR)));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: connector.id });
    expect(emulator.connectors()[0].source.description).toBe('changed');
    expect(emulator.models().map((m) => m.source.model_state)).toEqual(['DEPLOYED', 'DEPLOYED']);
    const calls = mlCalls(start).filter((c) => !c.startsWith('GET /_plugins/_ml/tasks'));
    expect(calls).toEqual(AROUND_TWO_MODELS);
    expect(aws.requests.map((r) => `${r.service} ${r.operation} ${r.status}`)).toContain('cloudformation ListStackResources 200');
  });

  /*
   * ml-commons finds a connector's models with a match query on the text field connector_id: IDs split at '-', and
   * a model of another connector whose ID shares a part is taken for one of this connector's (OpenSearch 2.19.6 and
   * 3.6.0; the emulator does the same, connectors.ts).
   */
  const TITAN_ID = 'AAAAAAA-1-AAAAAAAAAA';
  const OTHER_CONNECTOR_ID = 'BBBBBBB-1-BBBBBBBBBB';

  test('a connector change while a deployed model of another connector of the stack is taken for one of its own: both undeployed and deployed again', async () => {
    emulator.nextConnectorIds(TITAN_ID);
    const chain = synth({ A: {} });
    const connector = await create(chain, CONNECTOR, 'Titan');
    expect(connector.id).toBe(TITAN_ID);
    const a = await create(chain, MODEL, 'A');
    const other = emulator.putModel({ connectorId: OTHER_CONNECTOR_ID, name: 'other', state: 'DEPLOYED' });
    stackResources.push({ logicalId: 'OtherModel', physicalId: other, type: MODEL });
    aws.setStack('HandlerTest', stackResources);
    const before = propertiesOf(chain, CONNECTOR, 'Titan');
    const after = { ...before, connector: { ...before.connector, description: 'changed' } };
    const start = emulator.requests.length;
    const { response } = await lambda.invoke(event(updateEvent(connector.id, after, before, CONNECTOR)));
    expect({ status: response?.Status, reason: response?.Reason }).toEqual({ status: 'SUCCESS', reason: undefined });
    expect(emulator.connectors()[0].source.description).toBe('changed');
    expect(Object.fromEntries(emulator.models().map((m) => [m.id, m.source.model_state]))).toEqual({ [a.id]: 'DEPLOYED', [other]: 'DEPLOYED' });
    expect(mlCalls(start).filter((c) => /_undeploy|_deploy|PUT/.test(c))).toEqual(AROUND_TWO_MODELS);
  });

  test('a connector change refused for a deployed model of someone else that only seems to use it: fails, says so, touches nothing', async () => {
    emulator.nextConnectorIds(TITAN_ID);
    const chain = synth({ A: {} });
    const connector = await create(chain, CONNECTOR, 'Titan');
    await create(chain, MODEL, 'A');
    const other = emulator.putModel({ connectorId: OTHER_CONNECTOR_ID, name: 'theirs', state: 'DEPLOYED' });
    const before = propertiesOf(chain, CONNECTOR, 'Titan');
    const after = { ...before, connector: { ...before.connector, description: 'changed' } };
    const { response } = await lambda.invoke(event(updateEvent(connector.id, after, before, CONNECTOR)));
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toContain(`This stack does not manage the deployed models ${other}.`);
    expect(response?.Reason).toContain(`Of these, ${other} use other connectors (${OTHER_CONNECTOR_ID}): ml-commons matches connector IDs as text`);
    expect(emulator.models().map((m) => m.source.model_state)).toEqual(['DEPLOYED', 'DEPLOYED']);
    expect(emulator.connectors()[0].source.description).not.toBe('changed');
  });

  test('a connector delete refused for a model of another connector (a text match): deleted once that model is gone', async () => {
    emulator.nextConnectorIds(TITAN_ID);
    const chain = synth({});
    const connector = await create(chain, CONNECTOR, 'Titan');
    const other = emulator.putModel({ connectorId: OTHER_CONNECTOR_ID, name: 'other' });
    // The stack's delete removes the other model meanwhile.
    const removal = new Promise((resolve) => setTimeout(resolve, 1_500))
      .then(() => send(emulator, { method: 'DELETE', path: `/_plugins/_ml/models/${other}`, credentials: PROVIDER }));
    const start = emulator.requests.length;
    const { response } = await lambda.invoke(event(deleteEvent(connector.id, propertiesOf(chain, CONNECTOR, 'Titan'), CONNECTOR)));
    expect((await removal).status).toBe(200);
    expect({ status: response?.Status, reason: response?.Reason }).toEqual({ status: 'SUCCESS', reason: undefined });
    expect(emulator.connectors()).toEqual([]);
    const deletes = mlCalls(start).filter((c) => c.startsWith('DELETE /_plugins/_ml/connectors'));
    expect(deletes[0]).toBe('DELETE /_plugins/_ml/connectors/<id> 409');
    expect(deletes[deletes.length - 1]).toBe('DELETE /_plugins/_ml/connectors/<id> 200');
  });

  test('a connector delete refused for a model that really uses it still fails at once, naming it', async () => {
    const chain = synth({});
    const connector = await create(chain, CONNECTOR, 'Titan');
    const model = emulator.putModel({ connectorId: connector.id, name: 'theirs' });
    const { response } = await lambda.invoke(event(deleteEvent(connector.id, propertiesOf(chain, CONNECTOR, 'Titan'), CONNECTOR)));
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toContain(`models ${model} still use it`);
    expect(mlCalls().filter((c) => c.startsWith('DELETE /_plugins/_ml/connectors'))).toEqual(['DELETE /_plugins/_ml/connectors/<id> 409']);
  });

  test('a connector change in a stack of more resources than one ListStackResources page: models on later pages are the stack\'s own', async () => {
    const chain = synth({ One: {}, Two: {} });
    const connector = await create(chain, CONNECTOR, 'Titan');
    // CloudFormation lists the stack's other resources first, a page at a time.
    for (let i = 0; i < 5; i++) stackResources.push({ logicalId: `Role${i}`, physicalId: `role-${i}`, type: 'AWS::IAM::Role' });
    await create(chain, MODEL, 'One');
    await create(chain, MODEL, 'Two');
    aws.setStackPageSize(2);
    const logicalId = logicalIdOf(chain, CONNECTOR, 'Titan');
    const properties = propertiesOf(chain, CONNECTOR, 'Titan');
    const changed = { ...properties, connector: { ...properties.connector, description: 'changed' } };
    const { response } = await lambda.invoke(event(updateEvent(connector.id, changed, properties, CONNECTOR)));
    aws.setStackPageSize(100);
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: connector.id });
    expect(stackResources.map((r) => r.logicalId)).toContain(logicalId);
    expect(emulator.models().map((m) => m.source.model_state)).toEqual(['DEPLOYED', 'DEPLOYED']);
  });

  test('a deployed model of someone else on the connector: nothing is undeployed, and the error names it', async () => {
    const chain = synth({ A: {} });
    const connector = await create(chain, CONNECTOR, 'Titan');
    await create(chain, MODEL, 'A');
    const foreign = emulator.putModel({ connectorId: connector.id, state: 'DEPLOYED' });
    const before = propertiesOf(chain, CONNECTOR, 'Titan');
    const after = { ...before, connector: { ...before.connector, description: 'changed' } };
    const { response } = await lambda.invoke(event(updateEvent(connector.id, after, before, CONNECTOR)));
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toContain(`does not manage the deployed models ${foreign}`);
    expect(response?.Reason).toContain('OpenSearch answered 400');
    expect(emulator.requests.some((r) => r.path.endsWith('/_undeploy'))).toBe(false);
    expect(emulator.models().every((m) => m.source.model_state === 'DEPLOYED')).toBe(true);
  });
});
