/*
 * Fine-grained access control end to end: the bundled handler maps the provider role to
 * ml_full_access (through the master user secret or as the IAM master user), connectors
 * are then created, and everything is undone exactly, against the emulated domain, a
 * Secrets Manager stand-in and, for VPC domains, a Lambda relay and worker.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ConnectorBlueprint, FineGrainedAccess, MlConnector, MlModel } from '../../src';
import { OpenSearchEmulator } from '../emulator';
import { ACCOUNT, createEvent, deleteEvent, SynthesizedStack, synthesizeStack, updateEvent } from './events';
import { LambdaHarness } from './harness';
import { AwsApisEmulator } from '../emulator/aws-apis';

const PROVIDER = {
  accessKeyId: 'AKIAPROVIDER00000002',
  secretAccessKey: 'provider-secret-key-do-not-log-0000000002',
  sessionToken: 'provider-session-token-do-not-log-0000000002',
  roleArn: `arn:aws:iam::${ACCOUNT}:role/OpenSearchMlProviderRole2E8E49A4`,
};
const MASTER = { username: 'admin', password: 'Master-Passw0rd-Never-Logged!' };
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:domain-master-AbCdEf`;
const OTHERS = {
  backend_roles: ['arn:aws:iam::111122223333:role/data-scientists', 'arn:aws:iam::111122223333:role/etl'],
  users: ['alice', 'bob'],
  hosts: ['10.0.0.7'],
};
const MAPPING_TYPE = 'Custom::OpenSearchMlRoleMapping';
const CONNECTOR_TYPE = 'Custom::OpenSearchMlConnector';

let emulator: OpenSearchEmulator;
let apis: AwsApisEmulator;
let lambda: LambdaHarness;
const responses: string[] = [];

async function startDomain(fgac: NonNullable<Parameters<typeof OpenSearchEmulator.start>[0]['fgac']>) {
  await emulator?.stop();
  emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], fgac });
}

beforeAll(async () => {
  apis = await AwsApisEmulator.start({ principals: [PROVIDER], secrets: { [SECRET_ARN]: JSON.stringify(MASTER) } });
  lambda = await LambdaHarness.start({
    credentials: PROVIDER,
    env: { PROVIDER_ROLE_ARN: PROVIDER.roleArn, AWS_ENDPOINT_URL_SECRETS_MANAGER: apis.url },
  });
});

afterAll(async () => {
  await lambda?.stop();
  await apis?.stop();
  await emulator?.stop();
});

beforeEach(() => {
  responses.length = 0;
  apis.requests.length = 0;
});

function connectors(count: number, access: () => FineGrainedAccess | undefined): SynthesizedStack {
  const synthesized = synthesizeStack(emulator, (stack, domain) => {
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Master', SECRET_ARN);
    for (let i = 0; i < count; i++) {
      new MlConnector(stack, `Connector${i}`, {
        domain,
        fineGrainedAccess: access() ?? FineGrainedAccess.masterUserSecret(secret),
        blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: `endpoint-${i}` }),
      });
    }
  });
  // The provider may do exactly what its synthesized grants allow, on the domain and on Secrets Manager.
  emulator.setPrincipalPolicy(PROVIDER.roleArn, synthesized.providerStatements);
  apis.setPrincipalPolicy(PROVIDER.roleArn, synthesized.providerStatements);
  return synthesized;
}

async function send(event: Record<string, unknown>) {
  const { response, responseBody } = await lambda.invoke(event);
  responses.push(responseBody ?? '');
  return response!;
}

/** Deploys the stack's mapping and connectors in CloudFormation's order, then deletes them in reverse. */
async function deployAndDestroy(synthesized: SynthesizedStack, between?: () => void) {
  const [mappingProps] = synthesized.propertiesOf(MAPPING_TYPE);
  const mapping = await send(createEvent(mappingProps, MAPPING_TYPE));
  expect(mapping).toMatchObject({ Status: 'SUCCESS' });
  const created = [];
  for (const props of synthesized.propertiesOf(CONNECTOR_TYPE)) {
    const response = await send(createEvent(props));
    expect(response.Reason).toBeUndefined();
    created.push([response.PhysicalResourceId, props] as const);
  }
  between?.();
  for (const [id, props] of created) expect(await send(deleteEvent(id, props))).toMatchObject({ Status: 'SUCCESS' });
  expect(await send(deleteEvent(mapping.PhysicalResourceId, mappingProps, MAPPING_TYPE))).toMatchObject({ Status: 'SUCCESS' });
  return mapping;
}

const mappingRequests = () => emulator.requests.filter((r) => r.path.startsWith('/_plugins/_security'));

describe('master user secret', () => {
  beforeEach(async () => startDomain({ masterUser: MASTER, rolesMapping: { ml_full_access: OTHERS } }));

  test('others in the mapping are byte-identical after our create and delete; connectors work in between', async () => {
    const before = JSON.stringify(emulator.rolesMapping('ml_full_access'));
    const mapping = await deployAndDestroy(connectors(1, () => undefined), () => {
      expect(emulator.rolesMapping('ml_full_access')).toMatchObject({ backend_roles: [...OTHERS.backend_roles, PROVIDER.roleArn], users: OTHERS.users, hosts: OTHERS.hosts });
    });
    expect(mapping.PhysicalResourceId).toBe(`rolesmapping/ml_full_access/added/${PROVIDER.roleArn}`);
    expect(JSON.stringify(emulator.rolesMapping('ml_full_access'))).toBe(before);
    // Basic auth with the master user for the security API only; SigV4 for ML Commons.
    expect(mappingRequests().every((r) => r.principal === 'basic:admin')).toBe(true);
    expect(emulator.requests.filter((r) => r.path.startsWith('/_plugins/_ml')).every((r) => r.principal === PROVIDER.roleArn)).toBe(true);
    expect(mappingRequests().map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'PATCH 200', 'GET 200', 'PATCH 200']);
    expect(JSON.parse(mappingRequests()[1].body)).toEqual([{ op: 'add', path: '/backend_roles/-', value: PROVIDER.roleArn }]);
  });

  test('three connectors in one stack: one mapping resource, one mapping change', async () => {
    const synthesized = connectors(3, () => undefined);
    expect(synthesized.propertiesOf(MAPPING_TYPE)).toHaveLength(1);
    await deployAndDestroy(synthesized);
    expect(mappingRequests().filter((r) => r.method === 'PATCH')).toHaveLength(2); // one add, one remove
    expect(emulator.requests.filter((r) => r.path === '/_plugins/_ml/connectors/_create' && r.status === 200)).toHaveLength(3);
  });

  test('canary: the master password and the provider\'s credentials are in no template, resource property, log line or response', async () => {
    const synthesized = connectors(2, () => undefined);
    await deployAndDestroy(synthesized);
    expect(apis.requests.filter((r) => r.operation === 'GetSecretValue' && r.status === 200).length).toBeGreaterThan(0);
    const basic = Buffer.from(`${MASTER.username}:${MASTER.password}`).toString('base64');
    // A domain whose error answer echoes what it received: the handler's answer must not repeat it.
    const [mappingProps] = synthesized.propertiesOf(MAPPING_TYPE);
    emulator.injectFault({
      path: '/_plugins/_security',
      status: 400,
      body: { error: { type: 'illegal_argument_exception', reason: `bad request from ${MASTER.username}:${MASTER.password} (Authorization: Basic ${basic}, key ${PROVIDER.secretAccessKey}, token ${PROVIDER.sessionToken})` } },
    });
    const failed = await send(createEvent(mappingProps, MAPPING_TYPE));
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toContain('[redacted]');
    const canaries = [MASTER.password, basic, PROVIDER.secretAccessKey, PROVIDER.sessionToken];
    for (const [where, text] of [
      ['template', synthesized.templateText],
      ['resource properties', JSON.stringify([...synthesized.propertiesOf(MAPPING_TYPE), ...synthesized.propertiesOf(CONNECTOR_TYPE)])],
      ['log lines', lambda.allLogs],
      ['responses', responses.join('\n')],
    ]) {
      expect({ where, leaked: canaries.filter((canary) => text.includes(canary)) }).toEqual({ where, leaked: [] });
    }
    expect(synthesized.templateText).toContain(SECRET_ARN); // only the ARN
  });

  test('a backend role someone else had mapped is left in place on delete', async () => {
    await startDomain({ masterUser: MASTER, rolesMapping: { ml_full_access: { ...OTHERS, backend_roles: [PROVIDER.roleArn] } } });
    const before = JSON.stringify(emulator.rolesMapping('ml_full_access'));
    const mapping = await deployAndDestroy(connectors(1, () => undefined));
    expect(mapping.PhysicalResourceId).toBe(`rolesmapping/ml_full_access/present/${PROVIDER.roleArn}`);
    expect(JSON.stringify(emulator.rolesMapping('ml_full_access'))).toBe(before);
    expect(mappingRequests().filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  test('a mapping that did not exist is created, and deleted again when it holds only ours', async () => {
    await startDomain({ masterUser: MASTER });
    expect(emulator.rolesMapping('ml_full_access')).toBeUndefined();
    const mapping = await deployAndDestroy(connectors(1, () => undefined));
    expect(mapping.PhysicalResourceId).toBe(`rolesmapping/ml_full_access/created/${PROVIDER.roleArn}`);
    expect(emulator.rolesMapping('ml_full_access')).toBeUndefined();
  });

  test('an update that changes nothing of the mapping keeps its physical ID and changes nothing', async () => {
    const synthesized = connectors(1, () => undefined);
    const [props] = synthesized.propertiesOf(MAPPING_TYPE);
    const created = await send(createEvent(props, MAPPING_TYPE));
    const mapped = JSON.stringify(emulator.rolesMapping('ml_full_access'));
    const updated = await send(updateEvent(created.PhysicalResourceId, { ...props, contractVersion: '1' }, props, MAPPING_TYPE));
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(JSON.stringify(emulator.rolesMapping('ml_full_access'))).toBe(mapped);
    await send(deleteEvent(created.PhysicalResourceId, props, MAPPING_TYPE));
  });

  const anonymousDenial = {
    method: 'GET',
    path: '/_plugins/_security/api/rolesmapping/ml_full_access',
    status: 403,
    body: { Message: 'User: anonymous is not authorized to perform: es:ESHttpGet because no resource-based policy allows the es:ESHttpGet action' },
  };

  test('an unsigned request refused just after the access policy was applied (still taking effect): retried, then mapped', async () => {
    const synthesized = connectors(1, () => undefined);
    emulator.injectFault({ ...anonymousDenial, times: 2 });
    const [props] = synthesized.propertiesOf(MAPPING_TYPE);
    const response = await send(createEvent(props, MAPPING_TYPE));
    expect(response.Status).toBe('SUCCESS');
    expect(mappingRequests().map((r) => `${r.method} ${r.status}`).slice(0, 3)).toEqual(['GET 403', 'GET 403', 'GET 200']);
    expect((emulator.rolesMapping('ml_full_access') as { backend_roles?: string[] } | undefined)?.backend_roles).toContain(PROVIDER.roleArn);
    await send(deleteEvent(response.PhysicalResourceId, props, MAPPING_TYPE));
  });

  test('an access policy that refuses unsigned requests for good: retried while it may be taking effect, then the error says basic auth cannot pass it, and what to do', async () => {
    const synthesized = connectors(1, () => undefined);
    const before = JSON.stringify(emulator.rolesMapping('ml_full_access'));
    emulator.injectFault({ ...anonymousDenial, times: 1000 });
    const [props] = synthesized.propertiesOf(MAPPING_TYPE);
    const { response } = await lambda.invoke(createEvent(props, MAPPING_TYPE), { remainingMs: 4_000 });
    expect(response!.Status).toBe('FAILED');
    expect(response!.Reason).toMatch(/\(\d+ attempts\)\. OpenSearch answered 403: User: anonymous is not authorized.*refuses unsigned requests.*useUnsignedBasicAuth: true.*providerIsMasterUser/);
    expect(mappingRequests().length).toBeGreaterThan(1);
    expect(JSON.stringify(emulator.rolesMapping('ml_full_access'))).toBe(before);
  });

  test('a secret the provider may not read: a clear error, no value shown', async () => {
    const synthesized = connectors(1, () => undefined);
    apis.setPrincipalPolicy(PROVIDER.roleArn, []);
    const [props] = synthesized.propertiesOf(MAPPING_TYPE);
    const response = await send(createEvent(props, MAPPING_TYPE));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/Could not read the master user secret .*Secrets Manager answered 400 AccessDeniedException.*secretsmanager:GetSecretValue/);
    expect(response.PhysicalResourceId).toMatch(/^cdk-opensearch-ml:not-created:/);
    expect((await send(deleteEvent(response.PhysicalResourceId, props, MAPPING_TYPE))).Status).toBe('SUCCESS');
  });
});

describe('provider role as the IAM master user', () => {
  test('maps itself with SigV4, within its synthesized grants', async () => {
    await startDomain({ masterUserArn: PROVIDER.roleArn, rolesMapping: { ml_full_access: OTHERS } });
    const before = JSON.stringify(emulator.rolesMapping('ml_full_access'));
    const synthesized = connectors(1, () => FineGrainedAccess.providerIsMasterUser());
    expect(synthesized.providerStatements).toContainEqual(expect.objectContaining({
      Action: ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPatch', 'es:ESHttpDelete'],
      Resource: `${emulator.domainArn}/_plugins/_security/api/rolesmapping/ml_full_access`,
    }));
    await deployAndDestroy(synthesized);
    expect(mappingRequests().every((r) => r.principal === PROVIDER.roleArn)).toBe(true);
    expect(JSON.stringify(emulator.rolesMapping('ml_full_access'))).toBe(before);
    expect(apis.requests.filter((r) => r.operation === 'GetSecretValue')).toHaveLength(0);
  });
});

describe('manual mapping', () => {
  test('no mapping resource; until someone maps the role, the 403 names the exact role to map', async () => {
    await startDomain({ masterUser: MASTER });
    const synthesized = connectors(1, () => FineGrainedAccess.manual());
    expect(synthesized.propertiesOf(MAPPING_TYPE)).toHaveLength(0);
    const [props] = synthesized.propertiesOf(CONNECTOR_TYPE);
    const response = await send(createEvent(props));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`map the IAM role ${PROVIDER.roleArn} as a backend role of ml_full_access`);
  });
});

describe('a domain in a VPC: relay outside, worker inside', () => {
  let relay: LambdaHarness;
  let worker: LambdaHarness;

  afterEach(async () => {
    await relay?.stop();
    await worker?.stop();
  });

  test('the relay reads the secret and answers CloudFormation; the worker calls the domain', async () => {
    await startDomain({ masterUser: MASTER, rolesMapping: { ml_full_access: OTHERS } });
    const synthesized = synthesizeStack(emulator, (stack, domain) => {
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
      const connector = new MlConnector(stack, 'QA', {
        domain,
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        fineGrainedAccess: FineGrainedAccess.masterUserSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Master', SECRET_ARN)),
        blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e' }),
      });
      new MlModel(stack, 'Model', { connector, modelConfig: { embeddingDimension: 384 } });
    });
    emulator.setPrincipalPolicy(PROVIDER.roleArn, synthesized.providerStatements);
    apis.setPrincipalPolicy(PROVIDER.roleArn, synthesized.providerStatements);

    const relayEnv = synthesized.functionEnvironment('OpenSearchMlProviderRelay');
    const workerName = relayEnv.ML_PROVIDER_WORKER;
    expect(workerName).toMatch(/^OpenSearchMlProviderWorker/);
    worker = await LambdaHarness.start({ credentials: PROVIDER, env: { PROVIDER_ROLE_ARN: PROVIDER.roleArn } });
    const offline = await AwsApisEmulator.start({
      principals: [PROVIDER],
      secrets: { [SECRET_ARN]: JSON.stringify(MASTER) },
      functions: { [workerName]: (payload) => worker.invokeRaw(payload as Record<string, unknown>) },
      stacks: { HandlerTest: [] },
    });
    const stackId = offline.stackId('HandlerTest')!;
    offline.setPrincipalPolicy(PROVIDER.roleArn,
      JSON.parse(JSON.stringify(synthesized.providerStatements).replace(/"AWS::StackId"/g, JSON.stringify(stackId))));
    relay = await LambdaHarness.start({
      credentials: PROVIDER,
      env: {
        ...relayEnv,
        PROVIDER_ROLE_ARN: PROVIDER.roleArn,
        AWS_ENDPOINT_URL_LAMBDA: offline.url,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: offline.url,
        AWS_ENDPOINT_URL_CLOUDFORMATION: offline.url,
      },
    });
    try {
      const [mappingProps] = synthesized.propertiesOf(MAPPING_TYPE);
      const [connectorProps] = synthesized.propertiesOf(CONNECTOR_TYPE);
      const mapping = (await relay.invoke(createEvent(mappingProps, MAPPING_TYPE))).response!;
      expect(mapping.Status).toBe('SUCCESS');
      const connector = (await relay.invoke(createEvent(connectorProps))).response!;
      expect(connector).toMatchObject({ Status: 'SUCCESS', Data: { ConnectorId: emulator.connectors()[0].id } });
      expect(offline.requests.map((r) => `${r.service} ${r.operation} ${r.status}`)).toEqual([
        'secretsmanager GetSecretValue 200', 'lambda Invoke 200', 'lambda Invoke 200',
      ]);
      // The secret crossed from the relay to the worker in the invoke payload only, never into a log.
      expect(relay.allLogs + worker.allLogs).not.toContain(MASTER.password);

      // A connector change while the stack's model is deployed: the worker has no route to
      // CloudFormation (no endpoint override), so the relay lists the stack's models for it.
      const connectorId = connector.PhysicalResourceId as string;
      const modelId = emulator.putModel({ connectorId, name: 'model', state: 'DEPLOYED' });
      offline.setStack('HandlerTest', [{ logicalId: 'Model0A1B2C3D', physicalId: modelId, type: 'Custom::OpenSearchMlModel' }]);
      const changed = { ...connectorProps, connector: { ...(connectorProps.connector as object), description: 'changed' } };
      const update = await relay.invoke({ ...updateEvent(connectorId, changed, connectorProps), StackId: stackId });
      expect(update.response?.Reason).toBeUndefined();
      expect(update.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: connectorId });
      expect(emulator.connectors()[0].source.description).toBe('changed');
      expect(emulator.models()[0].source.model_state).toBe('DEPLOYED');
      expect(offline.requests.filter((r) => r.service === 'cloudformation').map((r) => r.status)).toEqual([200]);
    } finally {
      await offline.stop();
    }
  });
});
