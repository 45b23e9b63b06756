/*
 * The bundled handler against the stand-in acting as an OpenSearch Serverless collection:
 * requests signed for aoss, the provider role's synthesized IAM grants and the synthesized
 * data access policy are all the permissions it gets.
 */
import { App, Stack } from 'aws-cdk-lib';
import { ConnectorBlueprint, MlConnector, MlConnectorProps, MlModel, ModelVerification, ServerlessCollection } from '../../src';
import { OpenSearchEmulator } from '../emulator';
import { ACCOUNT, REGION, SynthesizedStack, createEvent, deleteEvent, updateEvent } from './events';
import { LambdaHarness } from './harness';

const ML_PERMISSIONS = ['aoss:CreateMLResource', 'aoss:UpdateMLResource', 'aoss:DeleteMLResource', 'aoss:DescribeMLResource', 'aoss:ExecuteMLResource'];

let emulator: OpenSearchEmulator;
let lambda: LambdaHarness;
/** The provider role as the test resolver names it: the principal the handler runs as. */
let providerRoleArn: string;
const CREDENTIALS = {
  accessKeyId: 'AKIAPROVIDER00000002',
  secretAccessKey: 'provider-secret-key-do-not-log-0000000002',
  sessionToken: 'provider-session-token-do-not-log-0000000002',
};

interface Synthesized {
  readonly properties: Record<string, unknown>;
  readonly providerStatements: Array<Record<string, unknown>>;
  readonly dataAccessPolicies: any[];
}

function synthesize(endpoint: string, props: Partial<MlConnectorProps> = {}): Synthesized {
  const stack = new Stack(new App(), 'HandlerTest', { env: { account: ACCOUNT, region: REGION } });
  new MlConnector(stack, 'QA', {
    collection: ServerlessCollection.fromCollectionAttributes({
      collectionName: 'test-collection',
      collectionId: '1tg2xudton46knx2a95g',
      collectionEndpoint: `https://${endpoint}`,
    }),
    name: 'sagemaker: embedding',
    blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'my-endpoint' }),
    ...props,
  });
  const synthesized = new SynthesizedStack(stack);
  const policies = Object.values(synthesized.resources).filter((r: any) => r.Type === 'AWS::OpenSearchServerless::AccessPolicy');
  return {
    properties: synthesized.propertiesOf('Custom::OpenSearchMlConnector')[0],
    providerStatements: synthesized.providerStatements,
    dataAccessPolicies: policies.map((p: any) => JSON.parse(synthesized.resolve(p.Properties.Policy) as string)),
  };
}

beforeAll(async () => {
  const stack = new Stack(new App(), 'HandlerTest', { env: { account: ACCOUNT, region: REGION } });
  new MlConnector(stack, 'QA', {
    collection: ServerlessCollection.fromCollectionAttributes({ collectionName: 'test-collection', collectionId: 'x', collectionEndpoint: 'https://x.us-east-1.aoss.amazonaws.com' }),
    blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'my-endpoint' }),
  });
  const synthesized = new SynthesizedStack(stack);
  providerRoleArn = synthesized.resolve({ 'Fn::GetAtt': [synthesized.logicalIdOf('OpenSearchMlProviderRole'), 'Arn'] }) as string;
  emulator = await OpenSearchEmulator.start({ principals: [{ ...CREDENTIALS, roleArn: providerRoleArn }], serverless: {} });
  lambda = await LambdaHarness.start({ credentials: CREDENTIALS, env: { PROVIDER_ROLE_ARN: providerRoleArn } });
});

afterAll(async () => {
  await lambda?.stop();
  await emulator?.stop();
});

/** The stack's own grants and data access policy are all the provider may use. */
function synth(props: Partial<MlConnectorProps> = {}): Synthesized {
  const synthesized = synthesize(emulator.endpoint, props);
  emulator.reset();
  emulator.setPrincipalPolicy(providerRoleArn, synthesized.providerStatements);
  emulator.setDataAccessPolicies(synthesized.dataAccessPolicies);
  return synthesized;
}

function mlRequests() {
  return emulator.requests.filter((r) => r.path.startsWith('/_plugins/_ml'));
}

test('the synthesized grants and data access policy are exactly what the collection asks for', () => {
  const { providerStatements, dataAccessPolicies } = synth();
  expect(providerStatements).toContainEqual({ Action: 'aoss:APIAccessAll', Effect: 'Allow', Resource: emulator.collectionArn });
  expect(dataAccessPolicies).toEqual([[{
    Rules: [{ ResourceType: 'model', Resource: ['model/test-collection/*'], Permission: ML_PERMISSIONS }],
    Principal: [providerRoleArn],
  }]]);
});

test('create, update in place and delete a connector, every request signed for aoss with its payload hash', async () => {
  const { properties } = synth();
  const created = await lambda.invoke(createEvent(properties));
  expect(created.response?.Status).toBe('SUCCESS');
  const id = created.response!.PhysicalResourceId as string;
  expect(emulator.connectors().map((c) => c.id)).toEqual([id]);

  const changed = { ...properties, connector: { ...(properties.connector as object), description: 'changed' } };
  const updated = await lambda.invoke(updateEvent(id, changed, properties));
  expect(updated.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
  expect(emulator.connectors()[0].source.description).toBe('changed');

  const deleted = await lambda.invoke(deleteEvent(id, changed));
  expect(deleted.response?.Status).toBe('SUCCESS');
  expect(emulator.connectors()).toEqual([]);

  expect(mlRequests().map((r) => `${r.method} ${r.status}`)).toEqual(['POST 200', 'PUT 200', 'DELETE 200']);
  for (const request of mlRequests()) {
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAPROVIDER00000002\/\d{8}\/us-east-1\/aoss\/aws4_request, /);
    expect(request.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(request.principal).toBe(providerRoleArn);
  }
});

test('a data access policy without the ML permissions: fails with what to add, after retrying for propagation', async () => {
  const { properties } = synth();
  emulator.setDataAccessPolicies([]);
  const { response } = await lambda.invoke(createEvent(properties), { remainingMs: 3_000 });
  expect(response?.Status).toBe('FAILED');
  expect(response?.Reason).toContain('OpenSearch answered 403 Forbidden: 403 Forbidden');
  expect(response?.Reason).toContain(`The collection refused ${providerRoleArn}: it needs aoss:APIAccessAll on the collection (IAM) and, in a data access policy, ` +
    'aoss:CreateMLResource, UpdateMLResource, DeleteMLResource, DescribeMLResource and ExecuteMLResource on model/<collection>/*.');
  expect(mlRequests().length).toBeGreaterThan(1);
  expect(emulator.connectors()).toEqual([]);
});

test('a data access policy that applies a moment after the create starts: the create succeeds', async () => {
  const { properties, dataAccessPolicies } = synth();
  emulator.setDataAccessPolicies([]);
  setTimeout(() => emulator.setDataAccessPolicies(dataAccessPolicies), 1_000);
  const { response } = await lambda.invoke(createEvent(properties));
  expect(response?.Status).toBe('SUCCESS');
  expect(mlRequests()[0].status).toBe(403);
  expect(mlRequests().slice(-1)[0].status).toBe(200);
});

test('without aoss:APIAccessAll the collection refuses too, and nothing is created', async () => {
  const { properties, providerStatements } = synth();
  emulator.setPrincipalPolicy(providerRoleArn, providerStatements.filter((s) => s.Action !== 'aoss:APIAccessAll'));
  const { response } = await lambda.invoke(createEvent(properties), { remainingMs: 2_000 });
  expect(response?.Status).toBe('FAILED');
  expect(response?.Reason).toContain('aoss:APIAccessAll on the collection (IAM)');
  expect(emulator.connectors()).toEqual([]);
});

describe('a model on the collection', () => {
  test('registered, deployed and smoke-tested with aoss signing and only the data access policy; then deleted', async () => {
    const stack = new Stack(new App(), 'HandlerTest', { env: { account: ACCOUNT, region: REGION } });
    const connector = new MlConnector(stack, 'QA', {
      collection: ServerlessCollection.fromCollectionAttributes({
        collectionName: 'test-collection', collectionId: '1tg2xudton46knx2a95g', collectionEndpoint: `https://${emulator.endpoint}`,
      }),
      blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 256 }),
    });
    new MlModel(stack, 'Model', { connector, verify: ModelVerification.predict() });
    const synthesized = new SynthesizedStack(stack);
    emulator.reset();
    emulator.setPrincipalPolicy(providerRoleArn, synthesized.providerStatements);
    emulator.setDataAccessPolicies(Object.values(synthesized.resources)
      .filter((r: any) => r.Type === 'AWS::OpenSearchServerless::AccessPolicy')
      .map((p: any) => JSON.parse(synthesized.resolve(p.Properties.Policy) as string)));

    const created = await lambda.invoke(createEvent(synthesized.propertiesOf('Custom::OpenSearchMlConnector')[0]));
    const connectorId = created.response!.PhysicalResourceId as string;
    const connectorLogicalId = Object.entries(synthesized.resources).find(([, r]: [string, any]) => r.Type === 'Custom::OpenSearchMlConnector')![0];
    const modelProperties = JSON.parse(JSON.stringify(synthesized.propertiesOf('Custom::OpenSearchMlModel')[0]).split(`"${connectorLogicalId}"`).join(JSON.stringify(connectorId)));
    expect(modelProperties).toMatchObject({ signingService: 'aoss', model: { connector_id: connectorId } });

    const model = await lambda.invoke(createEvent(modelProperties, 'Custom::OpenSearchMlModel'));
    expect(model.response).toMatchObject({ Status: 'SUCCESS' });
    const modelId = model.response!.PhysicalResourceId as string;
    expect(emulator.models()).toEqual([expect.objectContaining({ id: modelId, source: expect.objectContaining({ model_state: 'DEPLOYED' }) })]);
    expect(mlRequests().every((r) => r.principal === providerRoleArn && r.status === 200)).toBe(true);

    expect((await lambda.invoke(deleteEvent(modelId, modelProperties, 'Custom::OpenSearchMlModel'))).response?.Status).toBe('SUCCESS');
    expect((await lambda.invoke(deleteEvent(connectorId, synthesized.propertiesOf('Custom::OpenSearchMlConnector')[0]))).response?.Status).toBe('SUCCESS');
    expect(emulator.models()).toEqual([]);
    expect(emulator.connectors()).toEqual([]);
  });
});
