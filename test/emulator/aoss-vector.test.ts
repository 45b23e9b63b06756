import { createHash } from 'crypto';
import { DataAccessPolicyEntry, OpenSearchEmulator } from './index';
import { EMBEDDING_CONFIG, ndjson } from './search-fixtures';
import { Reply, send } from './test-client';

const COLLECTION_ARN = 'arn:aws:aoss:us-east-1:111122223333:collection/1tg2xudton46knx2a95g';
const PROVIDER = {
  accessKeyId: 'AKIAPROVIDER',
  secretAccessKey: 'provider-secret',
  roleArn: 'arn:aws:iam::111122223333:role/provider',
  policy: [{ Effect: 'Allow', Action: 'aoss:APIAccessAll', Resource: COLLECTION_ARN }],
};
const INDEX_PERMISSIONS = ['aoss:CreateIndex', 'aoss:DescribeIndex', 'aoss:UpdateIndex', 'aoss:DeleteIndex', 'aoss:ReadDocument', 'aoss:WriteDocument'];
const policy = (indexPermissions: string[], indexes = ['index/test-collection/*']): DataAccessPolicyEntry[] => [{
  Rules: [
    { ResourceType: 'index', Resource: indexes, Permission: indexPermissions },
    { ResourceType: 'model', Resource: ['model/test-collection/*'], Permission: ['aoss:DescribeMLResource', 'aoss:ExecuteMLResource'] },
  ],
  Principal: [PROVIDER.roleArn],
}];

const VECTOR_INDEX = {
  settings: { index: { knn: true, default_pipeline: 'embed' } },
  mappings: { properties: { text: { type: 'text' }, v: { type: 'knn_vector', dimension: 64, method: { name: 'hnsw', engine: 'faiss', space_type: 'l2' } } } },
};

describe('a vector search collection (OpenSearch Serverless)', () => {
  let emulator: OpenSearchEmulator;
  const call = (method: string, path: string, body?: unknown): Promise<Reply> => {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const hash = createHash('sha256').update(text).digest('hex');
    return send(emulator, { method, path, body: text || undefined, service: 'aoss', headers: { 'x-amz-content-sha256': hash }, credentials: PROVIDER });
  };
  const expectForbidden = (reply: Reply): void => {
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({ 'status': 403, 'request-id': expect.any(String), 'error': { reason: '403 Forbidden', type: 'Forbidden' } });
  };
  let model: string;

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], serverless: { dataAccessPolicies: [policy(INDEX_PERMISSIONS)] } });
  });
  afterAll(async () => emulator.stop());
  beforeEach(() => {
    emulator.reset();
    model = emulator.putModel({ connectorId: 'c', state: 'DEPLOYED', modelConfig: EMBEDDING_CONFIG });
  });

  it('needs aoss:CreateIndex for PUT <index>, aoss:DescribeIndex to read it, aoss:DeleteIndex to delete it', async () => {
    emulator.setDataAccessPolicies([policy(['aoss:DescribeIndex'])]);
    expectForbidden(await call('PUT', '/docs', { settings: { index: { knn: true } } }));
    emulator.setDataAccessPolicies([policy(['aoss:CreateIndex'])]);
    expect((await call('PUT', '/docs', { settings: { index: { knn: true } } })).status).toBe(200);
    expectForbidden(await call('GET', '/docs/_mapping'));
    expectForbidden(await call('DELETE', '/docs'));
    emulator.setDataAccessPolicies([policy(['aoss:DescribeIndex', 'aoss:DeleteIndex'])]);
    expect((await call('GET', '/docs/_mapping')).status).toBe(200);
    expect((await call('DELETE', '/docs')).json).toEqual({ acknowledged: true });
  });

  it('scopes index permissions to the index names of the policy', async () => {
    emulator.setDataAccessPolicies([policy(INDEX_PERMISSIONS, ['index/test-collection/vectors-*'])]);
    expect((await call('PUT', '/vectors-1', {})).status).toBe(200);
    expectForbidden(await call('PUT', '/other', {}));
  });

  it('runs ingest and neural search; documents become searchable at the next refresh (60 s on vector collections)', async () => {
    expect((await call('PUT', '/_ingest/pipeline/embed', { processors: [{ text_embedding: { model_id: model, field_map: { text: 'v' } } }] })).status).toBe(200);
    expect((await call('PUT', '/docs', VECTOR_INDEX)).status).toBe(200);
    const ingested = await call('POST', '/docs/_bulk', ndjson([{ text: 'furry cats purr' }, { text: 'stock market news' }], ['', '']));
    expect(ingested.json.errors).toBe(false);
    const query = { query: { neural: { v: { query_text: 'cats', model_id: model, k: 2 } } } };
    expect((await call('POST', '/docs/_search', query)).json.hits.hits).toEqual([]);
    emulator.refreshIndices();
    const reply = await call('POST', '/docs/_search', query);
    expect(reply.json.hits.hits.map((hit: { _source: { text: string } }) => hit._source.text)).toEqual(['furry cats purr', 'stock market news']);
    emulator.setDataAccessPolicies([policy(INDEX_PERMISSIONS.filter((permission) => permission !== 'aoss:ReadDocument'))]);
    expectForbidden(await call('POST', '/docs/_search', query));
  });

  it('refuses what a vector search collection does not support', async () => {
    const lucene = await call('PUT', '/docs', { settings: { index: { knn: true } }, mappings: { properties: { v: { type: 'knn_vector', dimension: 3, method: { name: 'hnsw', engine: 'lucene' } } } } });
    expect(lucene.status).toBe(400);
    expect(lucene.json.error.caused_by.reason).toBe("Vector search collections don't support the Lucene engine (field [v])");
    await call('PUT', '/docs', {});
    const customId = await call('PUT', '/docs/_doc/1', { a: 1 });
    expect([customId.status, customId.json.error.reason]).toEqual([400, 'Document ID is not supported in create/index operation request']);
    const bulkId = await call('POST', '/docs/_bulk', ndjson([{ a: 1 }]));
    expect(bulkId.json.items[0].index.error.reason).toBe('Document ID is not supported in create/index operation request');
    expect((await call('POST', '/docs/_doc', { a: 1 })).status).toBe(201);
    const refresh = await call('POST', '/docs/_refresh');
    expect(refresh.status).toBe(404);
    expect(refresh.json.error).toEqual({ reason: 'The refresh API is not supported by Amazon OpenSearch Serverless', type: 'NotFound' });
    expect((await call('POST', '/_plugins/_ml/memory', { name: 'x' })).json.error.reason).toBe('The Memory API is not supported by Amazon OpenSearch Serverless');
    const inference = await call('PUT', '/_ingest/pipeline/p', { processors: [{ ml_inference: { model_id: model } }] });
    expect(inference.json.error.reason).toBe('The ml_inference ingest processor outside a NextGen collection group is not supported by Amazon OpenSearch Serverless');
  });
});
