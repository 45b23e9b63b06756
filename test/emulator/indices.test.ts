import { OpenSearchEmulator } from './index';
import { Call, caller, emulatorPerSuite, PROVIDER } from './search-fixtures';
import { send } from './test-client';

const VECTOR_INDEX = {
  settings: { index: { knn: true, number_of_shards: 2, number_of_replicas: 1, refresh_interval: '5s' } },
  mappings: {
    properties: {
      embedding: { type: 'knn_vector', dimension: 4, method: { name: 'hnsw', engine: 'faiss', space_type: 'innerproduct', parameters: { m: 16, ef_construction: 128 } } },
      title: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      category: { type: 'keyword' },
    },
  },
};

async function withVersion(version: string, test: (call: Call) => Promise<void>): Promise<void> {
  const emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion: version });
  try {
    await test(caller(emulator));
  } finally {
    await emulator.stop();
  }
}

const knnIndex = (field: Record<string, unknown>, knn = true): Record<string, unknown> => ({
  settings: { index: { knn } }, mappings: { properties: { v: { type: 'knn_vector', ...field } } },
});

describe('indexes', () => {
  let emulator: OpenSearchEmulator;
  let call: Call;
  emulatorPerSuite((started, startedCall) => {
    emulator = started;
    call = startedCall;
  });

  it('creates an index and answers GET, HEAD, _mapping and _settings like OpenSearch', async () => {
    const created = await call('PUT', '/vectors', VECTOR_INDEX);
    expect(created.json).toEqual({ acknowledged: true, shards_acknowledged: true, index: 'vectors' });
    const index = await call('GET', '/vectors');
    expect(index.json.vectors.aliases).toEqual({});
    expect(index.json.vectors.mappings.properties.embedding).toEqual({
      type: 'knn_vector', dimension: 4, method: { engine: 'faiss', space_type: 'innerproduct', name: 'hnsw', parameters: { m: 16, ef_construction: 128 } },
    });
    expect(index.json.vectors.settings.index).toMatchObject({
      knn: 'true',
      number_of_shards: '2',
      number_of_replicas: '1',
      refresh_interval: '5s',
      provided_name: 'vectors',
      uuid: expect.any(String),
      creation_date: expect.any(String),
      version: { created: '136407827' },
    });
    expect((await send(emulator, { method: 'HEAD', path: '/vectors', credentials: PROVIDER })).status).toBe(200);
    expect((await send(emulator, { method: 'HEAD', path: '/absent', credentials: PROVIDER })).status).toBe(404);
    expect((await call('GET', '/vectors/_mapping')).json).toEqual({ vectors: { mappings: index.json.vectors.mappings } });
    const flat = await call('GET', '/vectors/_settings?flat_settings=true');
    expect(flat.json.vectors.settings).toMatchObject({ 'index.knn': 'true', 'index.number_of_shards': '2' });
    expect((await call('GET', '/vectors/_settings/index.knn')).json).toEqual({ vectors: { settings: { index: { knn: 'true' } } } });
  });

  it('answers a second create with resource_already_exists_exception and a missing index with index_not_found_exception', async () => {
    await call('PUT', '/vectors', {});
    const uuid = emulator.userIndex('vectors')!.settings['index.uuid'];
    const again = await call('PUT', '/vectors', {});
    expect(again.status).toBe(400);
    expect(again.text).toBe(JSON.stringify({
      error: {
        root_cause: [{ type: 'resource_already_exists_exception', reason: `index [vectors/${uuid}] already exists`, index: 'vectors', index_uuid: uuid }],
        type: 'resource_already_exists_exception',
        reason: `index [vectors/${uuid}] already exists`,
        index: 'vectors',
        index_uuid: uuid,
      },
      status: 400,
    }));
    const missing = await call('GET', '/absent');
    expect(missing.status).toBe(404);
    // Metadata in the HashMap order the service shows (index, resource.id, resource.type, index_uuid).
    expect(missing.text).toContain('"reason":"no such index [absent]","index":"absent","resource.id":"absent","resource.type":"index_or_alias","index_uuid":"_na_"');
    expect((await call('DELETE', '/vectors')).json).toEqual({ acknowledged: true });
    expect((await call('DELETE', '/vectors')).json.error.type).toBe('index_not_found_exception');
  });

  it('refuses bad names, unknown body keys and unknown or invalid settings', async () => {
    const upper = await call('PUT', '/Vectors', {});
    expect(upper.json.error).toMatchObject({ type: 'invalid_index_name_exception', reason: 'Invalid index name [Vectors], must be lowercase', index: 'Vectors', index_uuid: '_na_' });
    expect((await call('PUT', '/a*b', {})).json.error.reason).toBe('Invalid index name [a*b], must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]');
    expect((await call('PUT', '/v', { setting: {} })).json.error).toMatchObject({ type: 'parse_exception', reason: 'unknown key [setting] for create index' });
    expect((await call('PUT', '/v', { settings: { 'index.kn': true } })).json.error.reason).toBe('unknown setting [index.kn] did you mean [index.knn]?');
    expect((await call('PUT', '/v', { settings: { colour: 'red' } })).json.error.reason).toBe(
      'unknown setting [index.colour] please check that any required plugins are installed, or check the breaking changes documentation for removed settings');
    expect((await call('PUT', '/v', { settings: { number_of_shards: 0 } })).json.error.reason).toBe('Failed to parse value [0] for setting [index.number_of_shards] must be >= 1');
    expect((await call('PUT', '/v', { settings: { knn: 'yes' } })).json.error.reason).toBe('Failed to parse value [yes] as only [true] or [false] are allowed.');
  });

  describe('knn_vector validation (k-NN 2.19 unless said otherwise)', () => {
    const refusal = async (body: Record<string, unknown>, emulatorCall = call): Promise<Record<string, unknown>> => {
      const reply = await emulatorCall('PUT', '/v', body);
      expect(reply.status).toBe(400);
      return reply.json.error;
    };

    it('wraps mapper errors in "Failed to parse mapping [_doc]"', async () => {
      const missing = await refusal(knnIndex({}));
      expect(missing).toEqual({
        root_cause: [{ type: 'mapper_parsing_exception', reason: 'Failed to parse mapping [_doc]: Dimension value missing for vector: v' }],
        type: 'mapper_parsing_exception',
        reason: 'Failed to parse mapping [_doc]: Dimension value missing for vector: v',
        caused_by: { type: 'illegal_argument_exception', reason: 'Dimension value missing for vector: v' },
      });
      const engine = await refusal(knnIndex({ dimension: 3, method: { name: 'hnsw', engine: 'annoy' } }));
      // An inner mapper_parsing_exception is its own root cause.
      expect((engine.root_cause as unknown[])[0]).toEqual({ type: 'mapper_parsing_exception', reason: 'Invalid engine: annoy' });
      expect((await refusal(knnIndex({ dimension: 3, method: { engine: 'faiss' } }))).caused_by).toEqual({ type: 'mapper_parsing_exception', reason: 'name needs to be set' });
      expect((await refusal(knnIndex({ dimension: 0 }))).reason).toBe('Failed to parse mapping [_doc]: Dimension value must be greater than 0 for vector: v');
      expect((await refusal({ mappings: { properties: { t: { type: 'txt' } } } })).caused_by).toEqual({ type: 'mapper_parsing_exception', reason: 'No handler for type [txt] declared on field [t]' });
      expect((await refusal({ mappings: { properties: { t: { type: 'text', dims: 3 } } } })).caused_by).toEqual({ type: 'mapper_parsing_exception', reason: 'unknown parameter [dims] on mapper [t] of type [text]' });
    });

    it('checks space types per engine and version (faiss cosinesimil from 2.19, lucene innerproduct from 2.13)', async () => {
      const cosineFaiss = knnIndex({ dimension: 3, method: { name: 'hnsw', engine: 'faiss', space_type: 'cosinesimil' } });
      expect((await call('PUT', '/ok', cosineFaiss)).status).toBe(200);
      await withVersion('2.18.0', async (old) => {
        expect((await refusal(cosineFaiss, old)).caused_by).toEqual({
          type: 'validation_exception', reason: 'Validation Failed: 1: "hnsw" with "faiss" configuration does not support space type: "cosinesimil".;',
        });
      });
      await withVersion('2.12.0', async (old) => {
        const lucene = knnIndex({ dimension: 3, method: { name: 'hnsw', engine: 'lucene', space_type: 'innerproduct' } });
        expect((await refusal(lucene, old)).caused_by).toEqual({ type: 'validation_exception', reason: 'Validation Failed: 1: "hnsw" configuration does not support space type: "innerproduct".;' });
      });
      const l1 = await refusal(knnIndex({ dimension: 3, method: { name: 'hnsw', engine: 'lucene', space_type: 'l1' } }));
      expect(l1.caused_by).toEqual({ type: 'validation_exception', reason: 'Validation Failed: 1: "hnsw" with "lucene" configuration does not support space type: "l1".;' });
    });

    it('limits dimensions per engine: 16000, lucene 1024 before 2.12; the 2.16 wording names the field', async () => {
      expect((await refusal(knnIndex({ dimension: 16001, method: { name: 'hnsw', engine: 'faiss' } }))).caused_by).toEqual({
        type: 'validation_exception', reason: 'Validation Failed: 1: Dimension value cannot be greater than 16000 for vector with engine: faiss;',
      });
      await withVersion('2.11.0', async (old) => {
        expect((await refusal(knnIndex({ dimension: 1025, method: { name: 'hnsw', engine: 'lucene' } }), old)).caused_by).toEqual({
          type: 'illegal_argument_exception', reason: 'Dimension value cannot be greater than 1024 for vector: v',
        });
      });
      expect((await call('PUT', '/v', knnIndex({ dimension: 1025, method: { name: 'hnsw', engine: 'lucene' } }))).status).toBe(200);
    });

    it('resolves the default engine by version: faiss from 2.18, nmslib before; nmslib refused from 3.0', async () => {
      await call('PUT', '/v', knnIndex({ dimension: 3, method: { name: 'hnsw' } }));
      expect((await call('GET', '/v/_mapping')).json.v.mappings.properties.v.method).toEqual({ engine: 'faiss', space_type: 'l2', name: 'hnsw', parameters: {} });
      await withVersion('2.17.0', async (old) => {
        await old('PUT', '/v', knnIndex({ dimension: 3, method: { name: 'hnsw' } }));
        expect((await old('GET', '/v/_mapping')).json.v.mappings.properties.v.method.engine).toBe('nmslib');
      });
      await withVersion('3.0.0', async (next) => {
        expect((await refusal(knnIndex({ dimension: 3, method: { name: 'hnsw', engine: 'nmslib' } }), next)).caused_by).toEqual({
          type: 'illegal_argument_exception', reason: 'nmslib engine is deprecated in OpenSearch  and cannot be used for new index creation in OpenSearch from  3.0.0.',
        });
      });
    });

    it('refuses a method without index.knn from 2.17, and training methods and unknown parameters', async () => {
      expect((await refusal(knnIndex({ dimension: 3, method: { name: 'hnsw' } }, false))).caused_by).toEqual({
        type: 'illegal_argument_exception', reason: 'Cannot set modelId or method parameters when index.knn setting is false',
      });
      expect((await call('PUT', '/flat', knnIndex({ dimension: 3 }, false))).status).toBe(200);
      expect((await refusal(knnIndex({ dimension: 3, method: { name: 'ivf', engine: 'faiss' } }))).caused_by).toEqual({ type: 'validation_exception', reason: 'Validation Failed: 1: "method" requires training.;' });
      expect((await refusal(knnIndex({ dimension: 3, method: { name: 'hnsw', engine: 'faiss', parameters: { m: 0, efc: 1 } } }))).caused_by).toEqual({
        type: 'validation_exception', reason: "Validation Failed: 1: parameter validation failed for Integer parameter [m].;2: Unknown parameter 'efc' found;",
      });
      expect((await refusal(knnIndex({ dimension: 3, method: { name: 'hnsw', engine: 'faiss', space_type: 'cosinesimil' }, space_type: 'l2' }))).caused_by).toEqual({
        type: 'mapper_parsing_exception', reason: 'Space type in "method" and top level space type should be same or one of them should be defined',
      });
    });
  });

  it('adds fields with PUT _mapping and refuses type or dimension changes with OpenSearch\'s messages', async () => {
    await call('PUT', '/vectors', VECTOR_INDEX);
    expect((await call('PUT', '/vectors/_mapping', { properties: { summary: { type: 'text' }, title: { type: 'text', fields: { raw: { type: 'keyword' } } } } })).json).toEqual({ acknowledged: true });
    const mapping = (await call('GET', '/vectors/_mapping')).json.vectors.mappings.properties;
    expect(mapping.summary).toEqual({ type: 'text' });
    expect(mapping.title.fields).toEqual({ keyword: { type: 'keyword', ignore_above: 256 }, raw: { type: 'keyword' } });
    const type = await call('PUT', '/vectors/_mapping', { properties: { category: { type: 'text' } } });
    expect([type.status, type.json.error.type, type.json.error.reason]).toEqual([400, 'illegal_argument_exception', 'mapper [category] cannot be changed from type [keyword] to [text]']);
    const dimension = await call('PUT', '/vectors/_mapping', { properties: { embedding: { ...VECTOR_INDEX.mappings.properties.embedding, dimension: 8 } } });
    expect(dimension.json.error.reason).toBe('Mapper for [embedding] conflicts with existing mapper:\n\tCannot update parameter [dimension] from [4] to [8]');
    const engine = await call('PUT', '/vectors/_mapping', { properties: { embedding: { type: 'knn_vector', dimension: 4, method: { name: 'hnsw', engine: 'lucene' } } } });
    expect(engine.json.error.reason).toBe('mapper [embedding] cannot be changed from type [knn_vector] to [knn_vector]');
    const same = await call('PUT', '/vectors/_mapping', { properties: { embedding: VECTOR_INDEX.mappings.properties.embedding } });
    expect(same.json).toEqual({ acknowledged: true });
    expect(emulator.userIndex('vectors')!.mappings).toMatchObject({ properties: { embedding: { dimension: 4 } } });
  });

  it('updates dynamic settings in place and refuses static ones on an open index', async () => {
    await call('PUT', '/vectors', VECTOR_INDEX);
    const uuid = emulator.userIndex('vectors')!.settings['index.uuid'];
    const dynamic = await call('PUT', '/vectors/_settings', { index: { 'number_of_replicas': 2, 'refresh_interval': '30s', 'default_pipeline': 'p', 'search.default_pipeline': 'sp' } });
    expect(dynamic.json).toEqual({ acknowledged: true });
    expect(emulator.userIndex('vectors')!.settings).toMatchObject({
      'index.number_of_replicas': '2', 'index.refresh_interval': '30s', 'index.default_pipeline': 'p', 'index.search.default_pipeline': 'sp',
    });
    const shards = await call('PUT', '/vectors/_settings', { index: { number_of_shards: 3 } });
    expect(shards.json.error).toEqual({
      root_cause: [{ type: 'illegal_argument_exception', reason: `Can't update non dynamic settings [[index.number_of_shards]] for open indices [[vectors/${uuid}]]` }],
      type: 'illegal_argument_exception',
      reason: `Can't update non dynamic settings [[index.number_of_shards]] for open indices [[vectors/${uuid}]]`,
    });
    expect((await call('PUT', '/vectors/_settings', { 'index.knn': false })).json.error.reason).toContain("Can't update non dynamic settings [[index.knn]]");
    expect((await call('PUT', '/vectors/_settings', { index: { refresh_interval: null } })).json).toEqual({ acknowledged: true });
    expect(emulator.userIndex('vectors')!.settings['index.refresh_interval']).toBeUndefined();
    expect(emulator.userIndex('vectors')!.settings['index.number_of_shards']).toBe('2');
  });
});
