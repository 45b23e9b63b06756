import { createHash } from 'crypto';
import { mlPermission } from './aoss';
import { OpenSearchEmulator } from './index';
import { bedrockConnector, send, SendOptions } from './test-client';

const COLLECTION_ARN = 'arn:aws:aoss:us-east-1:111122223333:collection/1tg2xudton46knx2a95g';
const CONNECTOR_ROLE = 'arn:aws:iam::111122223333:role/connector';
const PROVIDER = {
  accessKeyId: 'AKIAPROVIDER',
  secretAccessKey: 'provider-secret',
  roleArn: 'arn:aws:iam::111122223333:role/provider',
  policy: [
    { Effect: 'Allow', Action: 'aoss:APIAccessAll', Resource: COLLECTION_ARN },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: CONNECTOR_ROLE },
  ],
};
const ML_PERMISSIONS = ['aoss:CreateMLResource', 'aoss:UpdateMLResource', 'aoss:DeleteMLResource', 'aoss:DescribeMLResource', 'aoss:ExecuteMLResource'];
const FULL_ML_ACCESS = [{
  Rules: [{ ResourceType: 'model', Resource: ['model/test-collection/*'], Permission: ML_PERMISSIONS }],
  Principal: [PROVIDER.roleArn],
}];
const CREATE = '/_plugins/_ml/connectors/_create';

/** A request as the handler sends it to a collection: signed for aoss, with the payload hash header. */
function call(emulator: OpenSearchEmulator, options: Omit<SendOptions, 'credentials'>) {
  const body = options.body === undefined ? '' : JSON.stringify(options.body);
  const hash = createHash('sha256').update(body).digest('hex');
  return send(emulator, { service: 'aoss', ...options, headers: { 'x-amz-content-sha256': hash, ...options.headers }, credentials: PROVIDER });
}

function expectForbidden(reply: { status: number; json: any }) {
  expect(reply.status).toBe(403);
  expect(reply.json).toEqual({ 'status': 403, 'request-id': expect.stringMatching(/^[0-9a-f-]{36}$/), 'error': { reason: '403 Forbidden', type: 'Forbidden' } });
}

describe('an emulated OpenSearch Serverless collection', () => {
  let emulator: OpenSearchEmulator;

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], serverless: { dataAccessPolicies: [FULL_ML_ACCESS] } });
  });
  afterAll(async () => emulator.stop());
  beforeEach(() => emulator.reset());

  it('has the collection ARN of its account, region and ID', () => {
    expect(emulator.collectionArn).toBe(COLLECTION_ARN);
  });

  it('creates, reads, updates and deletes connectors for a principal with APIAccessAll and the ML data access permissions', async () => {
    const created = await call(emulator, { method: 'POST', path: CREATE, body: bedrockConnector() });
    expect(created.status).toBe(200);
    const id = created.json.connector_id;
    expect((await call(emulator, { path: `/_plugins/_ml/connectors/${id}` })).status).toBe(200);
    expect((await call(emulator, { method: 'PUT', path: `/_plugins/_ml/connectors/${id}`, body: { description: 'new' } })).status).toBe(200);
    expect((await call(emulator, { method: 'DELETE', path: `/_plugins/_ml/connectors/${id}` })).status).toBe(200);
    expect(emulator.connectors()).toEqual([]);
  });

  it('wants requests signed for aoss, not es', async () => {
    const reply = await call(emulator, { method: 'POST', path: CREATE, body: bedrockConnector(), service: 'es' });
    expect(reply.status).toBe(403);
    expect(reply.json.message).toContain("Credential should be scoped to correct service: 'aoss'.");
    expect(emulator.connectors()).toEqual([]);
  });

  it('refuses a signed request without x-amz-content-sha256', async () => {
    const reply = await send(emulator, { method: 'POST', path: CREATE, body: bedrockConnector(), service: 'aoss', credentials: PROVIDER });
    expectForbidden(reply);
    expect(emulator.connectors()).toEqual([]);
  });

  it('refuses a principal without aoss:APIAccessAll on the collection, with the bare Forbidden envelope', async () => {
    emulator.setPrincipalPolicy(PROVIDER.roleArn, [
      { Effect: 'Allow', Action: 'aoss:APIAccessAll', Resource: 'arn:aws:aoss:us-east-1:111122223333:collection/other' },
      PROVIDER.policy[1],
    ]);
    expectForbidden(await call(emulator, { method: 'POST', path: CREATE, body: bedrockConnector() }));
  });

  it('refuses each ML API whose permission no data access policy grants the principal', async () => {
    emulator.setDataAccessPolicies([[{
      Rules: [{ ResourceType: 'model', Resource: ['model/test-collection/*'], Permission: ['aoss:DescribeMLResource'] }],
      Principal: [PROVIDER.roleArn],
    }]]);
    expectForbidden(await call(emulator, { method: 'POST', path: CREATE, body: bedrockConnector() }));
    expect(emulator.connectors()).toEqual([]);
    expect((await call(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_search', body: { query: { match_all: {} } } })).status).toBe(200);
    expectForbidden(await call(emulator, { method: 'DELETE', path: '/_plugins/_ml/connectors/abc' }));
  });

  it('evaluates principal, resource type and resource: another collection, role or resource type grants nothing', async () => {
    const grant = (entry: Record<string, unknown>) => [[{ ...FULL_ML_ACCESS[0], ...entry }]] as any;
    emulator.setDataAccessPolicies(grant({ Principal: ['arn:aws:iam::111122223333:role/someone-else'] }));
    expectForbidden(await call(emulator, { method: 'POST', path: CREATE, body: bedrockConnector() }));
    emulator.setDataAccessPolicies(grant({ Rules: [{ ResourceType: 'model', Resource: ['model/other-collection/*'], Permission: ML_PERMISSIONS }] }));
    expectForbidden(await call(emulator, { method: 'POST', path: CREATE, body: bedrockConnector() }));
    emulator.setDataAccessPolicies(grant({ Rules: [{ ResourceType: 'index', Resource: ['index/test-collection/*'], Permission: ['aoss:*'] }] }));
    expectForbidden(await call(emulator, { method: 'POST', path: CREATE, body: bedrockConnector() }));
    emulator.setDataAccessPolicies(grant({ Rules: [{ ResourceType: 'model', Resource: ['model/*/*'], Permission: ['aoss:*'] }] }));
    expect((await call(emulator, { method: 'POST', path: CREATE, body: bedrockConnector() })).status).toBe(200);
  });

  it('still checks iam:PassRole on the connector role', async () => {
    const reply = await call(emulator, { method: 'POST', path: CREATE, body: bedrockConnector({ credential: { roleArn: 'arn:aws:iam::111122223333:role/other' } }) });
    expect(reply.status).toBe(403);
    expect(reply.json.Message).toContain('is not authorized to perform: iam:PassRole');
  });

  it('maps ML transport actions to the data access permission named after them', () => {
    expect(mlPermission('cluster:admin/opensearch/ml/create_connector')).toBe('aoss:CreateMLResource');
    expect(mlPermission('cluster:admin/opensearch/ml/register_model')).toBe('aoss:CreateMLResource');
    expect(mlPermission('cluster:admin/opensearch/ml/connectors/search')).toBe('aoss:DescribeMLResource');
    expect(mlPermission('cluster:admin/opensearch/ml/connectors/update')).toBe('aoss:UpdateMLResource');
    expect(mlPermission('cluster:admin/opensearch/ml/models/delete')).toBe('aoss:DeleteMLResource');
    expect(mlPermission('cluster:admin/opensearch/ml/deploy_model')).toBe('aoss:ExecuteMLResource');
  });
});
