/*
 * The bundled handler, as it ships in the package, against the OpenSearch stand-in,
 * with the CloudFormation events a real deployment sends.
 */
import { ConnectorBlueprint } from '../../src';
import { OpenSearchEmulator } from '../emulator';
import { createEvent, deleteEvent, synthesizeConnector, updateEvent } from './events';
import { LambdaHarness } from './harness';
import { AwsApisEmulator } from '../emulator/aws-apis';

const PROVIDER = {
  accessKeyId: 'AKIAPROVIDER00000001',
  secretAccessKey: 'provider-secret-key-do-not-log-0000000001',
  sessionToken: 'provider-session-token-do-not-log-0000000001',
  roleArn: 'arn:aws:iam::111122223333:role/provider',
};

let emulator: OpenSearchEmulator;
/** CloudFormation, for the stack's own models (ListStackResources) when a connector changes under deployed models */
let aws: AwsApisEmulator;
let lambda: LambdaHarness;

beforeAll(async () => {
  emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
  aws = await AwsApisEmulator.start({ principals: [PROVIDER], stacks: { HandlerTest: [] } });
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
  aws.requests.length = 0;
  lambda.failResponsePuts = 0;
});

function synth(props: Parameters<typeof synthesizeConnector>[1] = {}) {
  const synthesized = synthesizeConnector(emulator, props);
  // The provider may do exactly what its synthesized grants allow, nothing more.
  emulator.setPrincipalPolicy(PROVIDER.roleArn, synthesized.providerStatements);
  return synthesized;
}

function mlRequests() {
  return emulator.requests.filter((r) => r.path.startsWith('/_plugins/_ml'));
}

async function create(props: Record<string, unknown>) {
  const result = await lambda.invoke(createEvent(props));
  expect(result.response?.Status).toBe('SUCCESS');
  return result.response!.PhysicalResourceId as string;
}

describe('create', () => {
  test('one signed POST; the physical ID and Data.ConnectorId are the connector ID', async () => {
    const { properties, roleArn } = synth();
    const { response, responseBody, returned } = await lambda.invoke(createEvent(properties));

    expect(mlRequests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /_plugins/_ml/connectors/_create 200']);
    const [stored] = emulator.connectors();
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: stored.id, Data: { ConnectorId: stored.id }, NoEcho: false });
    expect(returned).toEqual(response);
    expect(Buffer.byteLength(responseBody!)).toBeLessThan(4096);
    expect(stored.source).toMatchObject({
      name: 'sagemaker: embedding',
      protocol: 'aws_sigv4',
      credential: { roleArn },
      parameters: { region: 'us-east-1', service_name: 'sagemaker' },
    });
    expect(emulator.requests[0].principal).toBe(PROVIDER.roleArn);
  });

  test('numbers and booleans reach OpenSearch as the blueprint wrote them, not as CloudFormation strings', async () => {
    const { properties } = synth({
      blueprint: ConnectorBlueprint.custom({
        serviceName: 'bedrock',
        parameters: { model: 'amazon.titan-embed-text-v2:0', dimensions: 1024, normalize: true },
        actions: [{ actionType: 'predict', url: 'https://bedrock-runtime.${parameters.region}.amazonaws.com/model/${parameters.model}/invoke', requestBody: '{ "inputText": "${parameters.inputText}", "dimensions": ${parameters.dimensions}, "normalize": ${parameters.normalize} }' }],
        invokeActions: ['bedrock:InvokeModel'],
        invokeResources: ['arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0'],
      }),
    });
    expect((properties.connector as any).parameters.dimensions).toBe('1024');
    await create(properties);
    const sent = JSON.parse(mlRequests()[0].body);
    expect(sent.parameters).toEqual({
      region: 'us-east-1', service_name: 'bedrock', model: 'amazon.titan-embed-text-v2:0', dimensions: 1024, normalize: true, cdk_creation_token: expect.any(String),
    });
    expect(sent.version).toBe('1');
  });

  test('throttling (429) and unavailability (503) are retried with backoff', async () => {
    const { properties } = synth();
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_create', status: 429 });
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_create', status: 503 });
    await create(properties);
    expect(mlRequests().map((r) => r.status)).toEqual([429, 503, 200]);
    expect(emulator.connectors()).toHaveLength(1);
  });

  test('a fresh domain without its ML encryption master key yet: the create is tried again, not failed, and made once', async () => {
    const { properties } = synth();
    // ml-commons EncryptorImpl: ResourceNotFoundException, which OpenSearch answers as 404
    const reason = 'The ML encryption master key has not been initialized yet. Please retry after waiting for 10 seconds.';
    const error = { root_cause: [{ type: 'resource_not_found_exception', reason }], type: 'resource_not_found_exception', reason };
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_create', status: 404, body: { error, status: 404 }, times: 2 });
    await create(properties);
    expect(mlRequests().map((r) => r.status)).toEqual([404, 404, 200]);
    expect(emulator.connectors()).toHaveLength(1);
  });

  test('a connection dropped after OpenSearch created the connector: found by search, not created twice', async () => {
    const { properties } = synth();
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_create', drop: true, phase: 'after' });
    const id = await create(properties);
    expect(emulator.connectors().map((c) => c.id)).toEqual([id]);
    expect(mlRequests().map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /_plugins/_ml/connectors/_create',
      'POST /_plugins/_ml/connectors/_search',
    ]);
  });

  test('an answer that never comes (timeout) after the create was carried out: adopted, not repeated', async () => {
    const { properties } = synth();
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_create', delayMs: 8_000, phase: 'after' });
    const { response } = await lambda.invoke(createEvent(properties), { remainingMs: 6_000 });
    expect(response?.Status).toBe('SUCCESS');
    expect(emulator.connectors().map((c) => c.id)).toEqual([response?.PhysicalResourceId]);
  });

  test('a dropped connection before OpenSearch acted: nothing found, created once on retry', async () => {
    const { properties } = synth();
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_create', drop: true });
    await create(properties);
    expect(emulator.connectors()).toHaveLength(1);
  });

  test('the connector carries the construct\'s creation token and the RequestId, and nothing else is added', async () => {
    const { properties } = synth();
    expect(properties.creationToken).toMatch(/^c8[0-9a-f]{40}$/);
    const event = createEvent(properties);
    await lambda.invoke(event);
    const [stored] = emulator.connectors();
    expect(stored.source.parameters).toEqual({ region: 'us-east-1', service_name: 'sagemaker', cdk_creation_token: `${properties.creationToken}-${event.RequestId}` });
  });

  test('a lost answer never adopts a connector someone else made with the same name and body', async () => {
    const { properties } = synth();
    // Someone creates the same connector by hand, just before our create.
    const other = await lambda.invoke(createEvent({ ...properties, creationToken: 'someone-else' }));
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_create', drop: true });
    const ours = await lambda.invoke(createEvent(properties));
    expect(ours.response?.Status).toBe('SUCCESS');
    expect(ours.response?.PhysicalResourceId).not.toBe(other.response?.PhysicalResourceId);
    expect(emulator.connectors().map((c) => c.id).sort()).toEqual([other.response?.PhysicalResourceId, ours.response?.PhysicalResourceId].sort());
  });

  test('properties without a creation token (an older construct): the RequestId alone marks the connector', async () => {
    const { properties } = synth();
    const { creationToken, ...older } = properties;
    const event = createEvent(older);
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_create', drop: true, phase: 'after' });
    const { response } = await lambda.invoke(event);
    expect(response?.Status).toBe('SUCCESS');
    expect(emulator.connectors().map((c) => [c.id, (c.source.parameters as any).cdk_creation_token]))
      .toEqual([[response?.PhysicalResourceId, event.RequestId]]);
  });

  test('retries that run out of time: the error says how many attempts were made and what the last answer was', async () => {
    const { properties } = synth();
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_create', status: 429, times: 1000 });
    const { response } = await lambda.invoke(createEvent(properties), { remainingMs: 4_000 });
    expect(response?.Status).toBe('FAILED');
    const attempts = Number(/\((\d+) attempts, retried until the handler's time ran out\)/.exec(response?.Reason)?.[1]);
    expect(attempts).toBeGreaterThan(1);
    expect(mlRequests().filter((r) => r.path.endsWith('/_create')).length).toBeGreaterThanOrEqual(attempts);
    expect(response?.Reason).toMatch(/OpenSearch answered 429 es_rejected_execution_exception: rejected execution/);
    expect(response?.PhysicalResourceId).toMatch(/^cdk-opensearch-ml:not-created:/);
  });

  test('a rejected body fails with what OpenSearch answered and a fix; the physical ID marks that nothing was created', async () => {
    const { properties } = synth({
      blueprint: ConnectorBlueprint.custom({
        serviceName: 'sagemaker',
        actions: [{ actionType: 'predict', url: 'https://models.example.com/invoke', requestBody: '{}' }],
        invokeActions: ['sagemaker:InvokeEndpoint'],
        invokeResources: ['arn:aws:sagemaker:us-east-1:111122223333:endpoint/x'],
      }),
      // The construct is told the domain trusts this URL; the domain disagrees.
      trustedEndpoints: ['^https://models\\.example\\.com/.*$'],
    });
    const { response } = await lambda.invoke(createEvent(properties));
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toMatch(/OpenSearch answered 400 illegal_argument_exception: .*trusted connector endpoint/);
    expect(response?.Reason).toMatch(/plugins\.ml_commons\.trusted_connector_endpoints_regex/);
    expect(response?.PhysicalResourceId).toMatch(/^cdk-opensearch-ml:not-created:/);
    expect(emulator.connectors()).toHaveLength(0);

    // The rollback's Delete of that resource succeeds without calling OpenSearch.
    const before = emulator.requests.length;
    const deleted = await lambda.invoke(deleteEvent(response!.PhysicalResourceId, properties));
    expect(deleted.response?.Status).toBe('SUCCESS');
    expect(emulator.requests.length).toBe(before);
  });

  test('a create whose outcome stays unknown is cleaned up by the rollback\'s Delete', async () => {
    const { properties } = synth();
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_create', drop: true, phase: 'after', times: 1 });
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_search', status: 503, times: 1000 });
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_create', status: 503, times: 1000 });
    const { response } = await lambda.invoke(createEvent(properties), { remainingMs: 4_000 });
    expect(response?.Status).toBe('FAILED');
    expect(response?.PhysicalResourceId).toMatch(/^cdk-opensearch-ml:create-unknown:\d+:/);
    expect(emulator.connectors()).toHaveLength(1); // made by the dropped request

    emulator.clearFaults();
    const deleted = await lambda.invoke(deleteEvent(response!.PhysicalResourceId, properties));
    expect(deleted.response?.Status).toBe('SUCCESS');
    expect(emulator.connectors()).toHaveLength(0);
  });
});

describe('update', () => {
  /** A SageMaker connector whose parameters the test chooses (a removed one forces a replacement). */
  const withParameters = (parameters: Record<string, unknown>) => ConnectorBlueprint.custom({
    serviceName: 'sagemaker',
    parameters,
    actions: [{ actionType: 'predict', url: 'https://runtime.sagemaker.${parameters.region}.amazonaws.com/endpoints/e/invocations', requestBody: '{"x": "${parameters.x:-a}"}' }],
    invokeActions: ['sagemaker:InvokeEndpoint'],
    invokeResources: ['arn:aws:sagemaker:us-east-1:111122223333:endpoint/e'],
  });

  test('only mutable fields changed: PUT in place, same physical ID', async () => {
    const before = synth();
    const id = await create(before.properties);
    const after = synth({ description: 'answers questions' });

    const { response } = await lambda.invoke(updateEvent(id, after.properties, before.properties));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id, Data: { ConnectorId: id } });
    expect(mlRequests().slice(-1).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`PUT /_plugins/_ml/connectors/${id} 200`]);
    expect(emulator.connectors()).toHaveLength(1);
    expect(emulator.connectors()[0].source.description).toBe('answers questions');
  });

  test('a removed parameter (ml-commons merges parameters on update): a new connector replaces it', async () => {
    const before = synth({ blueprint: withParameters({ x: 'b' }) });
    const oldId = await create(before.properties);
    const after = synth({ blueprint: withParameters({}) });

    const { response } = await lambda.invoke(updateEvent(oldId, after.properties, before.properties));
    expect(response?.Status).toBe('SUCCESS');
    const newId = response!.PhysicalResourceId;
    expect(newId).not.toBe(oldId);
    expect(emulator.connectors().find((c) => c.id === newId)?.source.parameters).toEqual({
      region: 'us-east-1', service_name: 'sagemaker', cdk_creation_token: expect.stringMatching(/^c8[0-9a-f]{40}-/),
    });

    // CloudFormation then deletes the old one.
    expect((await lambda.invoke(deleteEvent(oldId, before.properties))).response?.Status).toBe('SUCCESS');
    expect(emulator.connectors().map((c) => c.id)).toEqual([newId]);
  });

  test('a rollback (old and new swapped) puts the connector back in place', async () => {
    const original = synth();
    const id = await create(original.properties);
    const changed = synth({ description: 'changed' });
    await lambda.invoke(updateEvent(id, changed.properties, original.properties));

    const rollback = await lambda.invoke(updateEvent(id, original.properties, changed.properties));
    expect(rollback.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(emulator.connectors()).toHaveLength(1);
    expect(emulator.connectors()[0].source.description).toBe('Amazon SageMaker endpoint my-endpoint');
  });

  test('the rollback of a replacement leaves exactly one connector, with the original body', async () => {
    const original = synth({ blueprint: withParameters({ x: '1' }) });
    const first = await create(original.properties);
    const changed = synth({ blueprint: withParameters({}) });
    const forward = await lambda.invoke(updateEvent(first, changed.properties, original.properties));
    const second = forward.response!.PhysicalResourceId;

    // The stack fails later; CloudFormation rolls the resource back to the original properties...
    const rollback = await lambda.invoke(updateEvent(second, original.properties, changed.properties));
    expect(rollback.response?.Status).toBe('SUCCESS');
    // ...and deletes whichever connector the stack no longer points at.
    const kept = rollback.response!.PhysicalResourceId;
    for (const id of [first, second].filter((i) => i !== kept)) {
      expect((await lambda.invoke(deleteEvent(id, original.properties))).response?.Status).toBe('SUCCESS');
    }
    expect(emulator.connectors().map((c) => c.id)).toEqual([kept]);
    expect(emulator.connectors()[0].source.parameters).toMatchObject({ x: '1' });
  });

  test('a connector deleted behind the stack\'s back is created again', async () => {
    const before = synth();
    const id = await create(before.properties);
    await lambda.invoke(deleteEvent(id, before.properties));
    const after = synth({ description: 'again' });
    const { response } = await lambda.invoke(updateEvent(id, after.properties, before.properties));
    expect(response?.Status).toBe('SUCCESS');
    expect(response?.PhysicalResourceId).not.toBe(id);
    expect(emulator.connectors()).toHaveLength(1);
  });

  /** An update event of the stack CloudFormation knows as HandlerTest, whose resources are `resources`. */
  function updateOfStack(id: string, after: Record<string, unknown>, before: Record<string, unknown>, resources: Parameters<AwsApisEmulator['setStack']>[1]) {
    aws.setStack('HandlerTest', resources);
    return { ...updateEvent(id, after, before), StackId: aws.stackId('HandlerTest')! };
  }

  test('400 while a deployed model of someone else uses the connector: fails, names the model and says to undeploy; the model is left alone', async () => {
    const before = synth();
    const id = await create(before.properties);
    const modelId = emulator.putModel({ connectorId: id, state: 'DEPLOYED' });
    const after = synth({ description: 'changed' });
    // The stack may list its resources (as a stack with models of its own may), and the model is not among them.
    aws.setPrincipalPolicy(PROVIDER.roleArn, [{ Effect: 'Allow', Action: 'cloudformation:ListStackResources', Resource: aws.stackId('HandlerTest')! }]);
    const { response } = await lambda.invoke(updateOfStack(id, after.properties, before.properties, [{ logicalId: 'Other', physicalId: 'not-this-model', type: 'Custom::OpenSearchMlModel' }]));
    expect(response?.Status).toBe('FAILED');
    expect(response?.PhysicalResourceId).toBe(id);
    expect(response?.Reason).toContain('OpenSearch answered 400');
    expect(response?.Reason).toContain(`This stack does not manage the deployed models ${modelId}`);
    expect(response?.Reason).toMatch(/undeploy the models/);
    expect(aws.requests.map((r) => `${r.service} ${r.operation} ${r.status}`)).toEqual(['cloudformation ListStackResources 200']);
    expect(emulator.connectors()).toHaveLength(1);
    expect(emulator.connectors()[0].source.description).not.toBe('changed');
    expect(emulator.requests.filter((r) => r.path.includes('_undeploy'))).toEqual([]);
  });

  test('400 while a deployed model uses the connector and the stack\'s resources cannot be listed: fails at once, names the model, touches nothing', async () => {
    const before = synth();
    const id = await create(before.properties);
    const modelId = emulator.putModel({ connectorId: id, state: 'DEPLOYED' });
    const after = synth({ description: 'changed' });
    // A stack without models of its own has no cloudformation:ListStackResources grant.
    aws.setPrincipalPolicy(PROVIDER.roleArn, []);
    const started = Date.now();
    const { response } = await lambda.invoke(updateOfStack(id, after.properties, before.properties, []));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toContain(modelId);
    expect(response?.Reason).toMatch(/could not list this stack's resources .*CloudFormation answered 403: .*not authorized to perform: cloudformation:ListStackResources.*Undeploy the models/);
    expect(aws.requests.map((r) => `${r.service} ${r.operation} ${r.status}`)).toEqual(['cloudformation ListStackResources 403']);
    expect(emulator.requests.filter((r) => r.path.includes('_undeploy'))).toEqual([]);
  });
});

describe('delete', () => {
  test('DELETE, and a connector that is already gone (200 not_found on 2.19+, as the real node answers) is success', async () => {
    const { properties } = synth();
    const id = await create(properties);
    expect((await lambda.invoke(deleteEvent(id, properties))).response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(emulator.connectors()).toHaveLength(0);
    expect((await lambda.invoke(deleteEvent(id, properties))).response?.Status).toBe('SUCCESS');
    expect(mlRequests().slice(-1)[0].status).toBe(200);
    expect(JSON.parse(mlRequests().slice(-1)[0].responseBody).result).toBe('not_found');
  });

  test('on a 2.19 domain that never held a connector, the delete\'s 500 for the missing index is success at once, not retried', async () => {
    const { properties } = synth();
    // a connector ID from another domain or a lost create: the node has no connector index (emulator reset)
    const { response } = await lambda.invoke(deleteEvent('Zz0aBcDeFgHiJkLmNoPq', properties));
    expect(response?.Status).toBe('SUCCESS');
    expect(mlRequests().map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 500']);
    expect(mlRequests()[0].responseBody).toContain('Failed to delete data object from index .plugins-ml-connector');
  });

  test('409 while a model uses the connector: fails and names the models; the connector stays', async () => {
    const { properties } = synth();
    const id = await create(properties);
    const modelId = emulator.putModel({ connectorId: id, state: 'REGISTERED' });
    const { response } = await lambda.invoke(deleteEvent(id, properties));
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toContain(`models ${modelId} still use it`);
    expect(response?.Reason).toContain('OpenSearch answered 409');
    expect(emulator.connectors()).toHaveLength(1);
  });
});

describe('errors CloudFormation shows', () => {
  test('403 on a domain with fine-grained access control: the exact role ARN to map to ml_full_access', async () => {
    await emulator.stop();
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], fgac: { masterUser: { username: 'admin', password: 'Admin-Passw0rd!' } } });
    try {
      const { properties } = synth();
      const { response } = await lambda.invoke(createEvent(properties));
      expect(response?.Status).toBe('FAILED');
      expect(response?.Reason).toMatch(/OpenSearch answered 403 security_exception: no permissions for \[cluster:admin\/opensearch\/ml\/(create_connector|connectors\/create)\]/);
      expect(response?.Reason).toContain(`map the IAM role ${PROVIDER.roleArn} as a backend role of ml_full_access`);
    } finally {
      await emulator.stop();
      emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
    }
  });

  test('an IAM denial is retried while grants may still be propagating, then succeeds', async () => {
    const { properties, providerStatements } = synth();
    emulator.setPrincipalPolicy(PROVIDER.roleArn, []);
    setTimeout(() => emulator.setPrincipalPolicy(PROVIDER.roleArn, providerStatements), 1_000);
    await create(properties);
    expect(mlRequests()[0].status).toBe(403);
    expect(mlRequests().slice(-1)[0].status).toBe(200);
  });

  test('an IAM denial that lasts: fails with the grant to add', async () => {
    const { properties } = synth();
    emulator.setPrincipalPolicy(PROVIDER.roleArn, [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }]);
    const { response } = await lambda.invoke(createEvent(properties), { remainingMs: 3_000 });
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toMatch(/OpenSearch answered 403.*is not authorized to perform: es:ESHttpPost/);
    expect(response?.Reason).toContain(`Allow ${PROVIDER.roleArn} to call es:ESHttp*`);
  });

  test('a huge error answer still makes a response under 4096 bytes that says what OpenSearch answered', async () => {
    const { properties } = synth();
    const reason = `bad request ${'x'.repeat(20_000)} end`;
    emulator.injectFault({
      method: 'POST',
      path: '/_plugins/_ml/connectors/_create',
      status: 400,
      body: { error: { root_cause: [{ type: 'illegal_argument_exception', reason }], type: 'illegal_argument_exception', reason }, status: 400 },
    });
    const { response, responseBody } = await lambda.invoke(createEvent(properties));
    expect(response?.Status).toBe('FAILED');
    expect(Buffer.byteLength(responseBody!)).toBeLessThanOrEqual(4096);
    expect(response?.Reason).toMatch(/^Could not create the connector 'sagemaker: embedding'\. OpenSearch answered 400 illegal_argument_exception: bad request x+/);
    expect(response?.Reason).toContain('/aws/lambda/test-provider');
  });

  test('properties from a newer library version are refused clearly', async () => {
    const { properties } = synth();
    const { response } = await lambda.invoke(createEvent({ ...properties, contractVersion: '99' }));
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toMatch(/written by a newer cdk-opensearch-ml \(contract 99\)/);
    expect(mlRequests()).toHaveLength(0);
  });

  test('the response reaches CloudFormation even when the first PUTs to the response URL fail', async () => {
    const { properties } = synth();
    lambda.failResponsePuts = 2;
    const { response } = await lambda.invoke(createEvent(properties));
    expect(response?.Status).toBe('SUCCESS');
  });

  test('no credential appears in a log line or a response', async () => {
    const { properties } = synth();
    const id = await create(properties);
    await lambda.invoke(updateEvent(id, synth({ description: 'd' }).properties, properties));
    emulator.injectFault({ method: 'DELETE', status: 403, body: { Message: `User: ${PROVIDER.roleArn} is not authorized; token ${PROVIDER.sessionToken} signature Signature=${'a'.repeat(64)}` } });
    const { responseBody } = await lambda.invoke(deleteEvent(id, properties), { remainingMs: 2_000 });
    for (const text of [lambda.allLogs, responseBody!]) {
      expect(text).not.toContain(PROVIDER.secretAccessKey);
      expect(text).not.toContain(PROVIDER.sessionToken);
      expect(text).not.toContain(PROVIDER.accessKeyId);
      expect(text).not.toMatch(/Signature=[0-9a-f]{64}/);
    }
    expect(responseBody).toContain('[redacted]');
  });
});

describe('older OpenSearch versions', () => {
  async function withVersion(engineVersion: string, body: () => Promise<void>) {
    await emulator.stop();
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion });
    try {
      await body();
    } finally {
      await emulator.stop();
      emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
    }
  }

  test('2.11 with the update API disabled: replaced, not retried', async () => {
    await withVersion('2.11.0', async () => {
      const before = synth();
      const id = await create(before.properties);
      const { response } = await lambda.invoke(updateEvent(id, synth({ description: 'new' }).properties, before.properties));
      expect(response?.Status).toBe('SUCCESS');
      expect(response?.PhysicalResourceId).not.toBe(id);
      expect(mlRequests().filter((r) => r.method === 'PUT')).toHaveLength(1);
    });
  });

  test('2.10 without the update API (405): replaced', async () => {
    await withVersion('2.10.0', async () => {
      const before = synth();
      const id = await create(before.properties);
      const { response } = await lambda.invoke(updateEvent(id, synth({ description: 'new' }).properties, before.properties));
      expect(response?.Status).toBe('SUCCESS');
      expect(response?.PhysicalResourceId).not.toBe(id);
    });
  });

  test('2.10 answers 500 while models use the connector: fails at once, not after retries', async () => {
    await withVersion('2.10.0', async () => {
      const { properties } = synth();
      const id = await create(properties);
      emulator.putModel({ connectorId: id });
      const { response } = await lambda.invoke(deleteEvent(id, properties));
      expect(response?.Status).toBe('FAILED');
      expect(response?.Reason).toMatch(/OpenSearch answered 500 m_l_validation_exception: 1 models are still using this connector/);
      expect(mlRequests().filter((r) => r.method === 'DELETE')).toHaveLength(1);
    });
  });
});

test('an imported domain older than 2.9: the version is read at deploy time and named in the error', async () => {
  await emulator.stop();
  emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion: '2.7.0' });
  try {
    const { properties } = synth();
    const { response } = await lambda.invoke(createEvent(properties));
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toMatch(/has no ML Commons connector API: it runs OpenSearch 2\.7\.0, and connectors need OpenSearch 2\.9 or later\. OpenSearch answered 400: no handler found/);
    expect(mlRequests().map((r) => r.status)).toEqual([400]);
    expect(emulator.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toContain('GET / 200');
  } finally {
    await emulator.stop();
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
  }
});
