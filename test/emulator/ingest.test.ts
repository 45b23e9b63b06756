import { OpenSearchEmulator } from './index';
import { bulk, Call, caller, chatModel, embeddingModel, emulatorPerSuite, ndjson, PROVIDER } from './search-fixtures';

describe('ingest pipelines', () => {
  let emulator: OpenSearchEmulator;
  let call: Call;
  emulatorPerSuite((started, startedCall) => {
    emulator = started;
    call = startedCall;
  });

  it('stores, returns and deletes a pipeline; GET of a missing one is 404 {}', async () => {
    const model = embeddingModel(emulator);
    const definition = { description: 'embed', processors: [{ text_embedding: { model_id: model, field_map: { text: 'text_vector' } } }] };
    expect((await call('PUT', '/_ingest/pipeline/embed', definition)).json).toEqual({ acknowledged: true });
    expect((await call('GET', '/_ingest/pipeline/embed')).json).toEqual({ embed: definition });
    expect((await call('GET', '/_ingest/pipeline')).json).toEqual({ embed: definition });
    const missing = await call('GET', '/_ingest/pipeline/other');
    expect([missing.status, missing.json]).toEqual([404, {}]);
    expect((await call('DELETE', '/_ingest/pipeline/embed')).json).toEqual({ acknowledged: true });
    const again = await call('DELETE', '/_ingest/pipeline/embed');
    expect(again.status).toBe(404);
    expect(again.json.error).toEqual({
      root_cause: [{ type: 'resource_not_found_exception', reason: 'pipeline [embed] is missing' }],
      type: 'resource_not_found_exception',
      reason: 'pipeline [embed] is missing',
    });
  });

  it('acknowledges a DELETE before any pipeline ever existed (no IngestMetadata yet)', async () => {
    expect((await call('DELETE', '/_ingest/pipeline/never')).json).toEqual({ acknowledged: true });
  });

  it('refuses unknown processor types with parse_exception and processor_type', async () => {
    const reply = await call('PUT', '/_ingest/pipeline/p', { processors: [{ set: { field: 'a', value: 1 } }, { attachment: { field: 'data' } }] });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      error: {
        root_cause: [{ type: 'parse_exception', reason: 'No processor type exists with name [attachment]', processor_type: 'attachment' }],
        type: 'parse_exception',
        reason: 'No processor type exists with name [attachment]',
        processor_type: 'attachment',
      },
      status: 400,
    });
    expect(emulator.pipelines('ingest')).toEqual({});
  });

  it('reports missing and wrongly typed properties with their names, and leftover parameters', async () => {
    const missing = await call('PUT', '/_ingest/pipeline/p', { processors: [{ text_embedding: { tag: 't1', field_map: { a: 'b' } } }] });
    expect(missing.json.error).toMatchObject({
      type: 'parse_exception', reason: '[model_id] required property is missing', processor_type: 'text_embedding', processor_tag: 't1', property_name: 'model_id',
    });
    const typed = await call('PUT', '/_ingest/pipeline/p', { processors: [{ text_embedding: { model_id: 'm', field_map: 'a' } }] });
    expect(typed.json.error.reason).toBe("[field_map] property isn't a map, but of type [java.lang.String]");
    const leftover = await call('PUT', '/_ingest/pipeline/p', { processors: [{ set: { field: 'a', value: 1, colour: 'red' } }] });
    expect(leftover.json.error).toMatchObject({ type: 'parse_exception', reason: 'processor [set] doesn\'t support one or more provided configuration parameters [colour]', processor_type: 'set' });
    const root = await call('PUT', '/_ingest/pipeline/p', { processors: [], _meta: {} });
    expect(root.json.error.reason).toBe('pipeline [p] doesn\'t support one or more provided configuration parameters [_meta]');
    const none = await call('PUT', '/_ingest/pipeline/p', { description: 'x' });
    expect(none.json.error.reason).toBe('[processors] required property is missing');
  });

  it('wraps the neural-search factory checks as OpenSearch does (exception with the IllegalArgumentException as cause)', async () => {
    const blank = await call('PUT', '/_ingest/pipeline/p', { processors: [{ text_embedding: { model_id: ' ', field_map: { a: 'b' } } }] });
    expect(blank.status).toBe(400);
    expect(blank.json.error).toEqual({
      root_cause: [{ type: 'exception', reason: 'java.lang.IllegalArgumentException: model_id is null or empty, cannot process it', processor_type: 'text_embedding' }],
      type: 'exception',
      reason: 'java.lang.IllegalArgumentException: model_id is null or empty, cannot process it',
      processor_type: 'text_embedding',
      caused_by: { type: 'illegal_argument_exception', reason: 'model_id is null or empty, cannot process it' },
    });
    const empty = await call('PUT', '/_ingest/pipeline/p', { processors: [{ sparse_encoding: { model_id: 'm', field_map: {} } }] });
    expect(empty.json.error.caused_by.reason).toBe('Unable to create the processor as field_map has invalid key or value');
    const batch = await call('PUT', '/_ingest/pipeline/p', { processors: [{ text_embedding: { model_id: 'm', field_map: { a: 'b' }, batch_size: 0 } }] });
    expect(batch.json.error).toMatchObject({ reason: '[batch_size] batch size must be a positive integer', property_name: 'batch_size' });
  });

  it('is authorized by IAM as es:ESHttpPut on the pipeline\'s path of the domain', async () => {
    const domain = 'arn:aws:es:us-east-1:111122223333:domain/test-domain';
    emulator.setPrincipalPolicy(PROVIDER.roleArn, [{ Effect: 'Allow', Action: 'es:ESHttp*', Resource: `${domain}/_plugins/_ml/*` }]);
    const denied = await call('PUT', '/_ingest/pipeline/p', { processors: [] });
    expect([denied.status, denied.json.Message]).toEqual([403,
      'User: arn:aws:sts::111122223333:assumed-role/provider/AKIAPROVIDER is not authorized to perform: es:ESHttpPut because no identity-based policy allows the es:ESHttpPut action']);
    emulator.setPrincipalPolicy(PROVIDER.roleArn, [{ Effect: 'Allow', Action: 'es:ESHttpPut', Resource: `${domain}/_ingest/pipeline/p` }]);
    expect((await call('PUT', '/_ingest/pipeline/p', { processors: [] })).json).toEqual({ acknowledged: true });
    expect((await call('PUT', '/docs', {})).status).toBe(403);
  });

  it('does not look at the model when the pipeline is stored', async () => {
    const reply = await call('PUT', '/_ingest/pipeline/p', { processors: [{ text_embedding: { model_id: 'no-such-model', field_map: { a: 'b' } } }] });
    expect(reply.json).toEqual({ acknowledged: true });
  });

  it('gates processors by version: text_chunking from 2.13, ml_inference from 2.14, sparse_encoding from 2.11', async () => {
    const old = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion: '2.13.0' });
    try {
      const oldCall = caller(old);
      const chunking = await oldCall('PUT', '/_ingest/pipeline/p', { processors: [{ text_chunking: { field_map: { a: 'b' } } }] });
      expect(chunking.json).toEqual({ acknowledged: true });
      const inference = await oldCall('PUT', '/_ingest/pipeline/p', { processors: [{ ml_inference: { model_id: 'm' } }] });
      expect(inference.json.error).toMatchObject({ type: 'parse_exception', reason: 'No processor type exists with name [ml_inference]' });
    } finally {
      await old.stop();
    }
    const older = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion: '2.10.0' });
    try {
      const reply = await caller(older)('PUT', '/_ingest/pipeline/p', { processors: [{ sparse_encoding: { model_id: 'm', field_map: { a: 'b' } } }] });
      expect(reply.json.error.reason).toBe('No processor type exists with name [sparse_encoding]');
    } finally {
      await older.stop();
    }
  });

  describe('at ingest time', () => {
    const index = async (pipeline: string, mappings: Record<string, unknown> = {}): Promise<void> => {
      const created = await call('PUT', '/docs', { settings: { index: { knn: true, default_pipeline: pipeline } }, mappings });
      expect(created.status).toBe(200);
    };

    it('runs the default pipeline through the model: text_embedding writes the model\'s vector', async () => {
      const model = embeddingModel(emulator, 8);
      await call('PUT', '/_ingest/pipeline/embed', { processors: [{ text_embedding: { model_id: model, field_map: { text: 'text_vector' } } }] });
      await index('embed', { properties: { text_vector: { type: 'knn_vector', dimension: 8 } } });
      const reply = await bulk(emulator, '/docs/_bulk', ndjson([{ text: 'hello world' }]));
      expect(reply.json).toMatchObject({ errors: false, items: [{ index: { _id: '0', result: 'created', status: 201 } }] });
      const predicted = await call('POST', `/_plugins/_ml/models/${model}/_predict`, { text_docs: ['hello world'] });
      const stored = emulator.userIndex('docs')!.documents[0].source;
      expect(stored.text_vector).toEqual(predicted.json.inference_results[0].output[0].data);
      expect(stored.text_vector as number[]).toHaveLength(8);
    });

    it('fails each document whose model is missing or not deployed, as predict answers', async () => {
      await call('PUT', '/_ingest/pipeline/embed', { processors: [{ text_embedding: { model_id: 'gone', field_map: { text: 'v' } } }] });
      await index('embed');
      const gone = await bulk(emulator, '/docs/_bulk', ndjson([{ text: 'a' }, { other: 'no text field: nothing to embed' }]));
      expect(gone.json.errors).toBe(true);
      expect(gone.json.items[0].index).toEqual({ _index: 'docs', _id: '0', status: 404, error: { type: 'status_exception', reason: 'Failed to find model' } });
      expect(gone.json.items[1].index.status).toBe(201);

      const registered = emulator.putModel({ connectorId: 'c', state: 'REGISTERED', modelConfig: { embedding_dimension: 8 } });
      emulator.setModelAutoDeploy(false);
      await call('PUT', '/_ingest/pipeline/embed', { processors: [{ text_embedding: { model_id: registered, field_map: { text: 'v' } } }] });
      const notReady = await call('PUT', '/docs/_doc/7', { text: 'a' });
      expect(notReady.status).toBe(400);
      expect(notReady.json.error).toEqual({
        root_cause: [{ type: 'illegal_argument_exception', reason: `Model not ready yet. Please run this first: POST /_plugins/_ml/models/${registered}/_deploy` }],
        type: 'illegal_argument_exception',
        reason: `Model not ready yet. Please run this first: POST /_plugins/_ml/models/${registered}/_deploy`,
      });
      emulator.setModelAutoDeploy(true);
      expect((await call('PUT', '/docs/_doc/7', { text: 'a' })).status).toBe(201);
      expect(emulator.models().find((m) => m.id === registered)!.source.model_state).toBe('DEPLOYED');
    });

    it('refuses a vector of the wrong dimension with the k-NN mapper\'s message', async () => {
      const model = embeddingModel(emulator, 16);
      await call('PUT', '/_ingest/pipeline/embed', { processors: [{ text_embedding: { model_id: model, field_map: { text: 'v' } } }] });
      await index('embed', { properties: { v: { type: 'knn_vector', dimension: 8 } } });
      const reply = await bulk(emulator, '/docs/_bulk', ndjson([{ text: 'a' }]));
      expect(reply.json.items[0].index.error).toEqual({
        type: 'mapper_parsing_exception',
        reason: "failed to parse field [v] of type [knn_vector] in document with id '0'. Preview of field's value: 'null'",
        caused_by: { type: 'illegal_argument_exception', reason: 'Vector dimension mismatch. Expected: 8, Given: 16' },
      });
    });

    it('runs ordinary processors (the escape hatch), the request pipeline over the default one, and _none', async () => {
      await call('PUT', '/_ingest/pipeline/tidy', {
        processors: [
          { set: { field: 'title', value: '{{name}} ({{year}})' } },
          { lowercase: { field: 'name' } },
          { rename: { field: 'year', target_field: 'published' } },
          { remove: { field: 'secret', ignore_missing: true } },
          { append: { field: 'tags', value: ['new'] } },
        ],
      });
      await call('PUT', '/_ingest/pipeline/other', { processors: [{ set: { field: 'via', value: 'other' } }] });
      await index('tidy');
      await bulk(emulator, '/docs/_bulk', '{"index":{"_id":"a"}}\n{"name":"Dune","year":1965,"secret":"x"}\n{"index":{"_id":"b","pipeline":"other"}}\n{"name":"B"}\n');
      await call('PUT', '/docs/_doc/c?pipeline=_none', { name: 'C' });
      const docs = Object.fromEntries(emulator.userIndex('docs')!.documents.map((doc) => [doc.id, doc.source]));
      expect(docs).toEqual({
        a: { name: 'dune', title: 'Dune (1965)', published: 1965, tags: ['new'] },
        b: { name: 'B', via: 'other' },
        c: { name: 'C' },
      });
    });

    it('fails a document on a processor error unless ignore_failure or on_failure handles it', async () => {
      await call('PUT', '/_ingest/pipeline/strict', { processors: [{ rename: { field: 'missing', target_field: 'x' } }] });
      await call('PUT', '/_ingest/pipeline/lenient', {
        processors: [
          { rename: { field: 'missing', target_field: 'x', on_failure: [{ set: { field: 'error', value: '{{_ingest.on_failure_message}}' } }] } },
          { uppercase: { field: 'nothing', ignore_failure: true } },
        ],
      });
      await index('strict');
      const strict = await call('POST', '/docs/_doc', { a: 1 });
      expect([strict.status, strict.json.error.type, strict.json.error.reason]).toEqual([400, 'illegal_argument_exception', 'field [missing] doesn\'t exist']);
      const lenient = await call('POST', '/docs/_doc?pipeline=lenient&refresh=true', { a: 1 });
      expect(lenient.status).toBe(201);
      expect(emulator.userIndex('docs')!.documents[0].source).toEqual({ a: 1, error: 'field [missing] doesn\'t exist' });
      const missingPipeline = await call('POST', '/docs/_doc?pipeline=nope', { a: 1 });
      expect(missingPipeline.json.error.reason).toBe('pipeline with id [nope] does not exist');
    });

    it('chunks text with text_chunking (delimiter and fixed_token_length)', async () => {
      await call('PUT', '/_ingest/pipeline/chunk', {
        processors: [
          { text_chunking: { algorithm: { delimiter: { delimiter: '.' } }, field_map: { body: 'sentences' } } },
          { text_chunking: { algorithm: { fixed_token_length: { token_limit: 2 } }, field_map: { body: 'pairs' } } },
        ],
      });
      await index('chunk');
      await call('PUT', '/docs/_doc/1', { body: 'one two three. four five' });
      expect(emulator.userIndex('docs')!.documents[0].source).toMatchObject({ sentences: ['one two three.', ' four five'], pairs: ['one two', 'three. four', 'five'] });
      const bad = await call('PUT', '/_ingest/pipeline/bad', { processors: [{ text_chunking: { algorithm: { semantic: {} }, field_map: { a: 'b' } } }] });
      expect(bad.json.error.caused_by.reason).toBe('Chunking algorithm [semantic] is not supported. Supported chunking algorithms are [fixed_token_length, delimiter]');
    });

    it('maps model inputs and outputs with ml_inference (a chat model here)', async () => {
      const chat = await chatModel(emulator, call, 'claudeMessages');
      await call('PUT', '/_ingest/pipeline/summarise', {
        processors: [{
          ml_inference: {
            model_id: chat, input_map: [{ inputs: 'body' }], output_map: [{ summary: 'response' }],
          },
        }],
      });
      await index('summarise');
      await call('PUT', '/docs/_doc/1', { body: 'SEARCH RESULT 1: the docs' });
      expect(emulator.userIndex('docs')!.documents[0].source.summary).toBe('the docs [1]');
      const unmatched = await call('PUT', '/_ingest/pipeline/bad', { processors: [{ ml_inference: { model_id: chat, input_map: [{ a: 'b' }], output_map: [] } }] });
      expect(unmatched.json.error.caused_by.reason).toBe('The length of output_map and the length of input_map do no match.');
    });

    it('writes token weights with sparse_encoding into a rank_features field', async () => {
      const sparse = emulator.putModel({ connectorId: 'c', state: 'DEPLOYED', modelConfig: { model_type: 'SPARSE_ENCODING' } });
      await call('PUT', '/_ingest/pipeline/sparse', { processors: [{ sparse_encoding: { model_id: sparse, field_map: { text: 'tokens' } } }] });
      await index('sparse', { properties: { tokens: { type: 'rank_features' } } });
      await call('PUT', '/docs/_doc/1', { text: 'Red apples and red cherries' });
      expect(emulator.userIndex('docs')!.documents[0].source.tokens).toEqual({ red: 2, apple: 1, cherrie: 1 });
    });
  });
});
