import { OpenSearchEmulator } from './index';
import { bulk, Call, caller, embeddingModel, ndjson, PROVIDER } from './search-fixtures';

const MASTER_ARN = 'arn:aws:iam::111122223333:role/master';
const MASTER = { accessKeyId: 'AKIAMASTER', secretAccessKey: 'master-secret', roleArn: MASTER_ARN };
const ROLES = '/_plugins/_security/api/roles';
const MAPPINGS = '/_plugins/_security/api/rolesmapping';

const denial = (action: string): string =>
  `no permissions for [${action}] and User [name=${PROVIDER.roleArn}, backend_roles=[${PROVIDER.roleArn}], requestedTenant=null]`;

/** The role a provider needs for pipelines and its own indexes (ml_full_access covers neither). */
const PROVIDER_ROLE = {
  description: 'pipelines and vector indexes',
  cluster_permissions: ['cluster:admin/ingest/pipeline/*', 'cluster:admin/search/pipeline/*', 'indices:data/write/bulk'],
  index_permissions: [{ index_patterns: ['vectors-*'], allowed_actions: ['create_index', 'manage', 'crud'] }],
};

describe('security roles (fine-grained access control)', () => {
  let emulator: OpenSearchEmulator;
  let asMaster: Call;
  let asProvider: Call;
  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({
      principals: [MASTER, PROVIDER],
      fgac: { masterUserArn: MASTER_ARN, rolesMapping: { ml_full_access: { backend_roles: [PROVIDER.roleArn] } } },
    });
    asMaster = caller(emulator, MASTER);
    asProvider = caller(emulator, PROVIDER);
  });
  afterAll(async () => emulator.stop());
  beforeEach(() => emulator.reset());

  it('ml_full_access does not allow pipelines or index creation', async () => {
    const pipeline = await asProvider('PUT', '/_ingest/pipeline/p', { processors: [] });
    expect(pipeline.status).toBe(403);
    expect(pipeline.json.error).toEqual({
      root_cause: [{ type: 'security_exception', reason: denial('cluster:admin/ingest/pipeline/put') }],
      type: 'security_exception',
      reason: denial('cluster:admin/ingest/pipeline/put'),
    });
    expect((await asProvider('PUT', '/_search/pipeline/p', {})).json.error.reason).toBe(denial('cluster:admin/search/pipeline/put'));
    expect((await asProvider('PUT', '/vectors-1', {})).json.error.reason).toBe(denial('indices:admin/create'));
    expect((await asMaster('PUT', '/vectors-1', {})).status).toBe(200);
    expect((await asProvider('GET', '/vectors-1/_mapping')).json.error.reason).toBe(denial('indices:admin/mappings/get'));
  });

  it('creates, returns and deletes a custom role; a mapping to it grants exactly its permissions', async () => {
    const created = await asMaster('PUT', `${ROLES}/vector_provider`, PROVIDER_ROLE);
    expect([created.status, created.json]).toEqual([201, { status: 'CREATED', message: "'vector_provider' created." }]);
    expect((await asMaster('PUT', `${ROLES}/vector_provider`, PROVIDER_ROLE)).json).toEqual({ status: 'OK', message: "'vector_provider' updated." });
    expect((await asMaster('GET', `${ROLES}/vector_provider`)).json).toEqual({
      vector_provider: {
        reserved: false,
        hidden: false,
        description: 'pipelines and vector indexes',
        cluster_permissions: PROVIDER_ROLE.cluster_permissions,
        index_permissions: [{ index_patterns: ['vectors-*'], fls: [], masked_fields: [], allowed_actions: ['create_index', 'manage', 'crud'] }],
        tenant_permissions: [],
        static: false,
      },
    });
    expect((await asMaster('PUT', `${MAPPINGS}/vector_provider`, { backend_roles: [PROVIDER.roleArn] })).status).toBe(201);

    expect((await asProvider('PUT', '/_ingest/pipeline/p', { processors: [] })).json).toEqual({ acknowledged: true });
    expect((await asProvider('PUT', '/vectors-1', { settings: { index: { knn: true } } })).status).toBe(200);
    expect((await asProvider('PUT', '/vectors-1/_settings', { index: { number_of_replicas: 2 } })).status).toBe(200);
    expect((await asProvider('PUT', '/other', {})).json.error.reason).toBe(denial('indices:admin/create'));

    expect((await asMaster('DELETE', `${ROLES}/vector_provider`)).json).toEqual({ status: 'OK', message: "'vector_provider' deleted." });
    expect((await asMaster('GET', `${ROLES}/vector_provider`)).json).toEqual({ status: 'NOT_FOUND', message: "role 'vector_provider' not found." });
    expect((await asProvider('PUT', '/_ingest/pipeline/p', { processors: [] })).status).toBe(403);
  });

  it('checks bulk at cluster level, then each index; ingest calls predict with the caller\'s rights', async () => {
    await asMaster('PUT', `${ROLES}/vector_provider`, PROVIDER_ROLE);
    await asMaster('PUT', `${MAPPINGS}/vector_provider`, { backend_roles: [PROVIDER.roleArn] });
    const model = embeddingModel(emulator, 8);
    await asProvider('PUT', '/_ingest/pipeline/embed', { processors: [{ text_embedding: { model_id: model, field_map: { text: 'v' } } }] });
    await asProvider('PUT', '/vectors-1', { settings: { index: { default_pipeline: 'embed' } } });
    const mixed = await bulk(emulator, '/_bulk', '{"index":{"_index":"vectors-1"}}\n{"text":"a"}\n{"index":{"_index":"other"}}\n{"text":"b"}\n');
    expect(mixed.json.items[0].index.status).toBe(201);
    expect(mixed.json.items[1].index).toMatchObject({ _index: 'other', status: 403, error: { type: 'security_exception', reason: denial('indices:data/write/bulk[s]') } });

    // Without ml_full_access the embedding processor's predict call is refused, per document.
    await asMaster('DELETE', `${MAPPINGS}/ml_full_access`);
    const refused = await bulk(emulator, '/vectors-1/_bulk', ndjson([{ text: 'c' }]));
    expect(refused.json.items[0].index).toMatchObject({ status: 403, error: { type: 'security_exception', reason: denial('cluster:admin/opensearch/ml/predict') } });

    await asMaster('PUT', `${ROLES}/vector_provider`, { ...PROVIDER_ROLE, cluster_permissions: ['cluster:admin/ingest/pipeline/*'] });
    const noBulk = await bulk(emulator, '/vectors-1/_bulk', ndjson([{ text: 'd' }]));
    expect([noBulk.status, noBulk.json.error.reason]).toEqual([403, denial('indices:data/write/bulk')]);
  });

  it('protects static, reserved and unknown roles, validates bodies, and admits only REST admins', async () => {
    expect((await asMaster('PUT', `${ROLES}/all_access`, { cluster_permissions: [] })).json).toEqual({ status: 'FORBIDDEN', message: "Resource 'all_access' is static." });
    expect((await asMaster('DELETE', `${ROLES}/ml_full_access`)).json).toEqual({ status: 'FORBIDDEN', message: "Resource 'ml_full_access' is reserved." });
    expect((await asMaster('DELETE', `${ROLES}/nope`)).json).toEqual({ status: 'NOT_FOUND', message: "role 'nope' not found." });
    expect((await asMaster('PUT', `${ROLES}/r`, { cluster_permissions: [], colour: 1 })).json).toEqual({ status: 'error', reason: 'Invalid configuration', invalid_keys: { keys: 'colour' } });
    expect((await asMaster('PUT', `${ROLES}/r`, { cluster_permissions: 'x' })).json).toEqual({ status: 'error', reason: 'Wrong datatype', cluster_permissions: 'Array expected' });
    expect((await asMaster('GET', `${ROLES}/ml_full_access`)).json.ml_full_access).toMatchObject({
      reserved: true, cluster_permissions: ['cluster_monitor', 'cluster:admin/opensearch/ml/*'],
    });
    const notAdmin = await asProvider('PUT', `${ROLES}/r`, { cluster_permissions: [] });
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.json.message).toMatch(/^No permission to access REST API: User .* does not have any role privileged for admin access$/);
    expect(emulator.securityRole('r')).toBeUndefined();
  });
});

describe('the roles API without fine-grained access control', () => {
  it('does not exist', async () => {
    const emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
    try {
      const reply = await caller(emulator)('GET', ROLES);
      expect(reply.json).toEqual({ error: `no handler found for uri [${ROLES}] and method [GET]` });
    } finally {
      await emulator.stop();
    }
  });
});
