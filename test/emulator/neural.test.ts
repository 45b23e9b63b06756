import { semanticEmbedding } from './fake-models';
import { OpenSearchEmulator } from './index';
import { bulk, Call, embeddingModel, emulatorPerSuite, hitIds, ndjson } from './search-fixtures';

const DOCS = [
  { text: 'Cats are small furry pets that purr' },
  { text: 'The stock market fell sharply on Monday' },
  { text: 'Rain is expected over the mountains tonight' },
];

function cosine(a: readonly number[], b: readonly number[]): number {
  const dot = a.reduce((sum, value, i) => sum + value * b[i], 0);
  const norm = (v: readonly number[]): number => Math.sqrt(v.reduce((sum, value) => sum + value * value, 0));
  return dot / (norm(a) * norm(b));
}

describe('the fake embedding model', () => {
  it('is deterministic, unit length, and puts texts sharing words nearer than unrelated ones', () => {
    const a = semanticEmbedding('furry cats purr', 64);
    expect(semanticEmbedding('furry cats purr', 64)).toEqual(a);
    expect(Math.sqrt(a.reduce((sum, value) => sum + value * value, 0))).toBeCloseTo(1, 5);
    const near = cosine(a, semanticEmbedding('Cats are small furry pets that purr', 64));
    const far = cosine(a, semanticEmbedding('The stock market fell sharply on Monday', 64));
    expect(near).toBeGreaterThan(0.5);
    expect(far).toBeLessThan(0.2);
    expect(semanticEmbedding('', 8).some((value) => value !== 0)).toBe(true);
  });
});

describe('neural and k-NN search', () => {
  let emulator: OpenSearchEmulator;
  let call: Call;
  let model: string;
  emulatorPerSuite((started, startedCall) => {
    emulator = started;
    call = startedCall;
  });
  beforeEach(() => {
    model = embeddingModel(emulator);
  });

  async function vectorIndex(spaceType: string, engine = 'faiss'): Promise<void> {
    await call('PUT', '/_ingest/pipeline/embed', { processors: [{ text_embedding: { model_id: model, field_map: { text: 'text_vector' } } }] });
    const created = await call('PUT', '/docs', {
      settings: { index: { knn: true, default_pipeline: 'embed' } },
      mappings: { properties: { text: { type: 'text' }, text_vector: { type: 'knn_vector', dimension: 64, method: { name: 'hnsw', engine, space_type: spaceType } } } },
    });
    expect(created.status).toBe(200);
    const ingested = await bulk(emulator, '/docs/_bulk?refresh=true', ndjson(DOCS));
    expect(ingested.json.errors).toBe(false);
  }

  it('ranks the nearest document first for a neural query (three documents)', async () => {
    await vectorIndex('cosinesimil');
    const reply = await call('POST', '/docs/_search', { _source: ['text'], query: { neural: { text_vector: { query_text: 'furry cats', model_id: model, k: 3 } } } });
    expect(reply.status).toBe(200);
    expect(hitIds(reply)[0]).toBe('0');
    expect(reply.json.hits.total).toEqual({ value: 3, relation: 'eq' });
    expect(reply.json.hits.hits[0]._source).toEqual({ text: DOCS[0].text });
    const scores = (reply.json.hits.hits as Array<{ _score: number }>).map((hit) => hit._score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(reply.json.hits.max_score).toBe(scores[0]);
    const k1 = await call('POST', '/docs/_search', { query: { neural: { text_vector: { query_text: 'stock market', model_id: model, k: 1 } } } });
    expect(hitIds(k1)).toEqual(['1']);
  });

  it.each([
    ['cosinesimil', 'faiss', (q: number[], d: number[]) => (1 + cosine(q, d)) / 2],
    ['innerproduct', 'faiss', (q: number[], d: number[]) => {
      const ip = q.reduce((sum, value, i) => sum + value * d[i], 0);
      return ip >= 0 ? ip + 1 : 1 / (1 - ip);
    }],
    ['l2', 'lucene', (q: number[], d: number[]) => 1 / (1 + q.reduce((sum, value, i) => sum + (value - d[i]) ** 2, 0))],
  ])('scores a knn query as k-NN does for %s (%s)', async (space, engine, expected) => {
    await vectorIndex(space, engine);
    const query = semanticEmbedding('small cats', 64);
    const reply = await call('POST', '/docs/_search', { query: { knn: { text_vector: { vector: query, k: 3 } } } });
    const stored = Object.fromEntries(emulator.userIndex('docs')!.documents.map((doc) => [doc.id, doc.source.text_vector as number[]]));
    for (const hit of reply.json.hits.hits as Array<{ _id: string; _score: number }>) {
      expect(hit._score).toBeCloseTo(expected(query, stored[hit._id]), 5);
    }
    expect(hitIds(reply)[0]).toBe('0');
  });

  it('applies k, a filter and a radial min_score', async () => {
    await vectorIndex('cosinesimil');
    const vector = semanticEmbedding('cats', 64);
    const filtered = await call('POST', '/docs/_search', { query: { knn: { text_vector: { vector, k: 3, filter: { match: { text: 'market rain' } } } } } });
    expect(hitIds(filtered).sort()).toEqual(['1', '2']);
    const radial = await call('POST', '/docs/_search', { query: { knn: { text_vector: { vector, min_score: 0.7 } } } });
    expect(hitIds(radial)).toEqual(['0']);
    const both = await call('POST', '/docs/_search', { query: { knn: { text_vector: { vector, k: 2, min_score: 0.5 } } } });
    expect(both.json.error.reason).toBe('[knn] requires exactly one of k, distance or score to be set');
  });

  it('answers shard-level errors as search_phase_execution_exception', async () => {
    await vectorIndex('l2');
    const dimension = await call('POST', '/docs/_search', { query: { knn: { text_vector: { vector: [1, 2, 3], k: 1 } } } });
    expect(dimension.status).toBe(400);
    expect(dimension.json.error).toMatchObject({
      type: 'search_phase_execution_exception',
      reason: 'all shards failed',
      phase: 'query',
      root_cause: [{ type: 'illegal_argument_exception', reason: 'Query vector has invalid dimension: 3. Dimension should be: 64' }],
      failed_shards: [{ shard: 0, index: 'docs', reason: { type: 'illegal_argument_exception' } }],
    });
    const notVector = await call('POST', '/docs/_search', { query: { neural: { text: { query_text: 'x', model_id: model } } } });
    expect(notVector.json.error.caused_by.reason).toBe("Field 'text' is not knn_vector type.");
  });

  it('refuses a neural query without text or with two of k/min_score/max_distance, and relays model errors', async () => {
    await vectorIndex('l2');
    const noText = await call('POST', '/docs/_search', { query: { neural: { text_vector: { model_id: model } } } });
    expect(noText.json.error).toMatchObject({ type: 'illegal_argument_exception', reason: 'Either query text or image text must be provided for neural query' });
    const two = await call('POST', '/docs/_search', { query: { neural: { text_vector: { query_text: 'x', model_id: model, k: 1, min_score: 0.1 } } } });
    expect(two.json.error.reason).toBe('Only one of k, max_distance, or min_score can be provided');
    const unknown = await call('POST', '/docs/_search', { query: { neural: { text_vector: { query_text: 'x', model_id: 'nope' } } } });
    expect([unknown.status, unknown.json.error.reason]).toEqual([404, 'Failed to find model']);
    const noModel = await call('POST', '/docs/_search', { query: { neural: { text_vector: { query_text: 'x' } } } });
    expect(noModel.json.error.reason).toBe('Model ID must be provided for neural query');
  });

  it('only shows documents after a refresh when refresh_interval is -1', async () => {
    await call('PUT', '/docs', { settings: { index: { refresh_interval: '-1' } } });
    await call('PUT', '/docs/_doc/1', { text: 'alpha' });
    expect((await call('POST', '/docs/_count')).json.count).toBe(0);
    expect((await call('GET', '/docs/_doc/1')).json).toMatchObject({ found: true, _source: { text: 'alpha' } });
    expect((await call('POST', '/docs/_refresh')).json).toEqual({ _shards: { total: 2, successful: 2, failed: 0 } });
    expect((await call('POST', '/docs/_count', { query: { match: { text: 'alpha' } } })).json).toEqual({ count: 1, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } });
  });

  it('scores match queries with BM25, rarer terms higher', async () => {
    await bulk(emulator, '/docs/_bulk?refresh=true', ndjson([{ text: 'apple banana' }, { text: 'apple cherry' }, { text: 'apple apple banana cherry date' }]));
    const reply = await call('POST', '/docs/_search', { query: { match: { text: 'cherry' } } });
    expect(hitIds(reply)).toEqual(['1', '2']);
    // idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)), tf = 1 / (1 + 1.2 * (0.25 + 0.75 * 2 / 3))
    const expected = Math.log(1 + 1.5 / 2.5) * (1 / (1 + 1.2 * (0.25 + 0.75 * 2 / 3)));
    expect(reply.json.hits.hits[0]._score).toBeCloseTo(expected, 5);
    const and = await call('POST', '/docs/_search', { query: { match: { text: { query: 'banana cherry', operator: 'and' } } } });
    expect(hitIds(and)).toEqual(['2']);
    const bool = await call('POST', '/docs/_search', { query: { bool: { must: [{ match: { text: 'apple' } }], must_not: [{ term: { text: 'date' } }] } } });
    expect(hitIds(bool).sort()).toEqual(['0', '1']);
    const mapping = (await call('GET', '/docs/_mapping')).json.docs.mappings.properties.text;
    expect(mapping).toEqual({ type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } });
    expect(hitIds(await call('POST', '/docs/_search', { query: { term: { 'text.keyword': 'apple cherry' } } }))).toEqual(['1']);
  });
});

describe('documents', () => {
  let emulator: OpenSearchEmulator;
  let call: Call;
  emulatorPerSuite((started, startedCall) => {
    emulator = started;
    call = startedCall;
  });

  it('indexes, replaces, gets and deletes a document with DocWriteResponse bodies', async () => {
    const created = await call('PUT', '/docs/_doc/1?refresh=true', { a: 1 });
    expect([created.status, created.json]).toEqual([201, {
      _index: 'docs', _id: '1', _version: 1, result: 'created', _shards: { total: 2, successful: 2, failed: 0 }, _seq_no: 0, _primary_term: 1, forced_refresh: true,
    }]);
    const updated = await call('PUT', '/docs/_doc/1', { a: 2 });
    expect([updated.status, updated.json.result, updated.json._version]).toEqual([200, 'updated', 2]);
    expect((await call('GET', '/docs/_doc/1')).json).toEqual({ _index: 'docs', _id: '1', _version: 2, _seq_no: 1, _primary_term: 1, found: true, _source: { a: 2 } });
    const conflict = await call('PUT', '/docs/_create/1', { a: 3 });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error).toMatchObject({ type: 'version_conflict_engine_exception', reason: '[1]: version conflict, document already exists (current version [2])', index: 'docs', shard: '0' });
    const generated = await call('POST', '/docs/_doc', { a: 4 });
    expect(generated.json._id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect((await call('DELETE', '/docs/_doc/1')).json.result).toBe('deleted');
    const gone = await call('GET', '/docs/_doc/1');
    expect([gone.status, gone.json]).toEqual([404, { _index: 'docs', _id: '1', found: false }]);
    expect((await call('DELETE', '/docs/_doc/1')).status).toBe(404);
    expect((await call('GET', '/other/_doc/1')).json.error).toMatchObject({ 'type': 'index_not_found_exception', 'resource.type': 'index_expression' });
  });

  it('checks documents against the mapping and honours dynamic: strict', async () => {
    await call('PUT', '/typed', { mappings: { dynamic: 'strict', properties: { price: { type: 'long' }, name: { type: 'keyword' } } } });
    const number = await call('PUT', '/typed/_doc/1', { price: 'cheap' });
    expect(number.json.error).toEqual({
      root_cause: [{ type: 'mapper_parsing_exception', reason: "failed to parse field [price] of type [long] in document with id '1'. Preview of field's value: 'cheap'" }],
      type: 'mapper_parsing_exception',
      reason: "failed to parse field [price] of type [long] in document with id '1'. Preview of field's value: 'cheap'",
      caused_by: { type: 'number_format_exception', reason: 'For input string: "cheap"' },
    });
    const strict = await call('PUT', '/typed/_doc/1', { colour: 'red' });
    expect(strict.json.error).toMatchObject({ type: 'strict_dynamic_mapping_exception', reason: 'mapping set to strict, dynamic introduction of [colour] within [_doc] is not allowed' });
    expect((await call('PUT', '/typed/_doc/1', { price: '12', name: 'x' })).status).toBe(201);
  });

  it('parses _bulk like OpenSearch and reports per-item results', async () => {
    const unterminated = await call('POST', '/_bulk', '{"index":{"_index":"a"}}\n{"x":1}');
    expect(unterminated.json.error).toMatchObject({ type: 'illegal_argument_exception', reason: 'The bulk request must be terminated by a newline [\\n]' });
    const badAction = await call('POST', '/_bulk', '{"upsert":{"_index":"a"}}\n{"x":1}\n');
    expect(badAction.json.error.reason).toBe('Malformed action/metadata line [1], expected field [create], [delete], [index] or [update] but found [upsert]');
    const noIndex = await call('POST', '/_bulk', '{"index":{}}\n{"x":1}\n');
    expect(noIndex.json.error).toMatchObject({ type: 'action_request_validation_exception', reason: 'Validation Failed: 1: index is missing;' });
    const mixed = await call('POST', '/_bulk?refresh=true', [
      '{"index":{"_index":"a","_id":"1"}}', '{"x":1}',
      '{"create":{"_index":"a","_id":"1"}}', '{"x":2}',
      '{"update":{"_index":"a","_id":"1"}}', '{"doc":{"y":3}}',
      '{"delete":{"_index":"a","_id":"2"}}', '',
    ].join('\n'));
    expect(mixed.json.errors).toBe(true);
    expect(mixed.json.items.map((item: Record<string, { status: number }>) => Object.entries(item).map(([action, body]) => [action, body.status])[0]))
      .toEqual([['index', 201], ['create', 409], ['update', 200], ['delete', 404]]);
    expect(emulator.userIndex('a')!.documents).toEqual([{ id: '1', source: { x: 1, y: 3 } }]);
  });
});
