/*
 * Semantic, hybrid and RAG search through the bundled handler against the OpenSearch stand-in: the
 * chain a deployment creates (connectors → models → ingest pipeline → search pipeline → index → RAG
 * pipeline) in CloudFormation's order with the provider's synthesized grants as its only permissions,
 * then an application's _bulk, neural, hybrid and RAG requests, in-place and refused updates, and a
 * teardown that keeps the index.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BedrockModel, ClaudeRequestFormat, ConnectorBlueprint, IndexField, SemanticSearch } from '../../src';
import { OpenSearchEmulator } from '../emulator';
import { Deployment } from './deployment';
import { SynthesizedStack, synthesizeStack } from './events';
import { LambdaHarness } from './harness';
import { buildChain, CHAIN_NAMES, ChainOptions, DataPlane, DOCUMENTS, hybrid, idsOf, ingest, neural, rag } from './search-scenario';
import { send } from '../emulator/test-client';

const PROVIDER = {
  accessKeyId: 'AKIAPROVIDER00000013',
  secretAccessKey: 'provider-secret-key-do-not-log-0000000013',
  roleArn: 'arn:aws:iam::111122223333:role/provider',
};
/** An application with every es: permission (it has no policy): what searches the index. */
const APP = { accessKeyId: 'AKIAAPPLICATION00013', secretAccessKey: 'application-secret-key-0000000013', roleArn: 'arn:aws:iam::111122223333:role/app' };

let emulator: OpenSearchEmulator;
let lambda: LambdaHarness;

beforeAll(async () => {
  emulator = await OpenSearchEmulator.start({ principals: [PROVIDER, APP] });
  lambda = await LambdaHarness.start({ credentials: PROVIDER, env: { PROVIDER_ROLE_ARN: PROVIDER.roleArn } });
});

afterAll(async () => {
  await lambda?.stop();
  await emulator?.stop();
});

beforeEach(() => emulator.reset());

/** The application's requests, signed with its own credentials. */
const data: DataPlane = {
  request: async (method, path, body) => {
    const reply = await send(emulator, {
      method, path, body, credentials: APP, ...(typeof body === 'string' ? { headers: { 'content-type': 'application/x-ndjson' } } : {}),
    });
    return { status: reply.status, json: reply.json, text: reply.text };
  },
  refresh: async (index) => {
    await send(emulator, { method: 'POST', path: `/${index}/_refresh`, credentials: APP });
  },
};

const NAMES = CHAIN_NAMES;

/** The README's first example against the stand-in (search-scenario.ts). */
function chain(options: ChainOptions = {}): SynthesizedStack {
  const synthesized = synthesizeStack(emulator, (stack, domain) => buildChain(stack, domain, options));
  emulator.setPrincipalPolicy(PROVIDER.roleArn, synthesized.providerStatements);
  return synthesized;
}

const get = (path: string) => data.request('GET', path);
const mappingOf = async (index: string) => (await get(`/${index}/_mapping`)).json[index].mappings;
const settingsOf = async (index: string) => (await get(`/${index}/_settings?flat_settings=true`)).json[index].settings;
/** The index's documents, counted without a search pipeline (its default one may be gone after a teardown). */
const countOf = async (index: string) =>
  (await data.request('POST', `/${index}/_search?search_pipeline=_none`, { size: 0, track_total_hits: true })).json.hits.total.value;

describe('the whole chain on a domain', () => {
  test('create → _bulk → neural → hybrid → RAG → in-place update → refused update → teardown that keeps the index', async () => {
    const deployment = new Deployment(lambda);
    const created = await deployment.deploy(chain());
    expect(created.reason).toBeUndefined();
    // CloudFormation's order: connectors and models, then the ingest pipeline, the search pipeline, the index, the RAG pipeline.
    const order = created.sent.map((s) => s.logicalId.replace(/[0-9A-F]{8}$/, ''));
    for (const [before, after] of [['Embedding', 'Ingest'], ['Ingest', 'Index'], ['Hybrid', 'Index'], ['Index', 'Rag'], ['Chat', 'Rag']]) {
      expect(order.indexOf(before)).toBeLessThan(order.indexOf(after));
    }
    expect(deployment.physicalIdOf('Index')).toBe(NAMES.index);
    expect(deployment.physicalIdOf('Ingest')).toBe(NAMES.ingest);

    // What the handler wrote, with the mark of its owner (stack and logical ID).
    const owner = `${deployment.stackId}/${[...deployment.deployed.keys()].find((id) => id.startsWith('Ingest'))}`;
    expect((await get(`/_ingest/pipeline/${NAMES.ingest}`)).json[NAMES.ingest]).toEqual({
      description: `(managed by cdk-opensearch-ml: ${owner})`,
      processors: [{ text_embedding: { model_id: deployment.physicalIdOf('Embedding'), field_map: { text: 'embedding' } } }],
    });
    const mapping = await mappingOf(NAMES.index);
    expect(mapping.properties.embedding).toEqual({
      type: 'knn_vector', dimension: 256, method: { engine: 'faiss', space_type: 'innerproduct', name: 'hnsw', parameters: {} },
    });
    expect(mapping._meta.managed_by).toMatch(/^cdk-opensearch-ml: arn:aws:cloudformation:/);
    expect(await settingsOf(NAMES.index)).toMatchObject({
      'index.knn': 'true', 'index.default_pipeline': NAMES.ingest, 'index.search.default_pipeline': NAMES.search,
    });

    // An application: three documents through the default pipeline, then neural, hybrid and RAG searches.
    const ingested = await ingest(data, NAMES.index);
    expect(ingested.json.errors).toBe(false);
    expect((await get(`/${NAMES.index}/_doc/0`)).json._source.embedding).toHaveLength(256);
    const nearest = await neural(data, NAMES.index, 'embedding', 'furry cats');
    expect(nearest.status).toBe(200);
    expect(idsOf(nearest)[0]).toBe('0');
    expect(idsOf(await neural(data, NAMES.index, 'embedding', 'stock market'))[0]).toBe('1');
    const combined = await hybrid(data, NAMES.index, 'embedding', 'rain over the mountains');
    expect(combined.status).toBe(200);
    expect(idsOf(combined)[0]).toBe('2');
    // Normalized and combined: the best document scores at most 1 (min_max, weights 0.3/0.7).
    expect(combined.json.hits.max_score).toBeLessThanOrEqual(1);
    const answer = await rag(data, NAMES.index, NAMES.rag, 'embedding', 'What do cats do?', 'response');
    expect(answer.status).toBe(200);
    expect(answer.json.ext.retrieval_augmented_generation.answer).toContain(DOCUMENTS[0].text);

    // In place: a new field, replicas, the refresh interval, the pipeline's description.
    const uuid = (await settingsOf(NAMES.index))['index.uuid'];
    const inPlace = { replicas: 2, refreshInterval: Duration.seconds(5), pipelineDescription: 'Titan V2', extraField: IndexField.keyword('source') };
    const sentBefore = emulator.requests.length;
    const updated = await deployment.deploy(chain(inPlace));
    expect(updated.reason).toBeUndefined();
    expect(updated.sent.map((s) => `${s.requestType} ${s.logicalId.replace(/[0-9A-F]{8}$/, '')}`).sort()).toEqual(['Update Index', 'Update Ingest']);
    const after = await settingsOf(NAMES.index);
    expect(after).toMatchObject({ 'index.uuid': uuid, 'index.number_of_replicas': '2', 'index.refresh_interval': '5000ms' });
    expect((await get(`/_ingest/pipeline/${NAMES.ingest}`)).json[NAMES.ingest].description).toBe(`Titan V2 (managed by cdk-opensearch-ml: ${owner})`);
    expect(await countOf(NAMES.index)).toBe(3);
    // One PUT _mapping of the new field only (the others are as the index has them), one PUT _settings of what changed.
    const indexWrites = emulator.requests.slice(sentBefore).filter((r) => r.method === 'PUT' && r.path.startsWith(`/${NAMES.index}/`));
    expect(indexWrites.map((r) => [r.path, JSON.parse(r.body)])).toEqual([
      [`/${NAMES.index}/_mapping`, { properties: { source: { type: 'keyword' } } }],
      [`/${NAMES.index}/_settings`, { 'index.number_of_replicas': 2, 'index.refresh_interval': '5000ms' }],
    ]);
    expect((await mappingOf(NAMES.index)).properties.source).toEqual({ type: 'keyword' });

    // What OpenSearch cannot change on an existing index fails with the field named, and the rollback leaves it all as it was.
    const refused = await deployment.deploy(chain({ ...inPlace, category: IndexField.text('category') }));
    expect(refused.ok).toBe(false);
    expect(refused.reason).toContain("The field 'category' cannot change on the existing index 'docs'");
    expect(refused.reason).toContain('mapper [category] cannot be changed from type [keyword] to [text]');
    expect(refused.reason).toContain('Give the index a new name (indexName)');
    expect(refused.sent.every((s) => s === refused.sent.find((f) => f.response.Status === 'FAILED') || s.response.Status === 'SUCCESS')).toBe(true);
    expect((await mappingOf(NAMES.index)).properties.category).toEqual({ type: 'keyword' });
    const shards = await deployment.deploy(chain({ ...inPlace, shards: 3 }));
    expect(shards.reason).toContain("index.number_of_shards cannot change on the existing index 'docs' (1 now, 3 asked)");
    expect(await countOf(NAMES.index)).toBe(3);

    // Teardown: everything but the index, which keeps its documents (DeletionPolicy Retain).
    const destroyed = await deployment.destroy();
    expect(destroyed.ok).toBe(true);
    expect(destroyed.sent.map((s) => s.logicalId.replace(/[0-9A-F]{8}$/, ''))).not.toContain('Index');
    expect((await get(`/_ingest/pipeline/${NAMES.ingest}`)).status).toBe(404);
    expect((await get(`/_search/pipeline/${NAMES.search}`)).status).toBe(404);
    expect((await get(`/_search/pipeline/${NAMES.rag}`)).status).toBe(404);
    expect(emulator.models()).toEqual([]);
    expect(await countOf(NAMES.index)).toBe(3);
    // Before the pipelines went, the retained index stopped naming them as its defaults: it still takes searches
    // and documents that name no pipeline (with the names of deleted pipelines, both fail, as on the real node:
    // test/real/emulator-agreement.test.ts).
    const settings = await settingsOf(NAMES.index);
    expect(settings['index.default_pipeline']).toBeUndefined();
    expect(settings['index.search.default_pipeline']).toBeUndefined();
    const counted = await data.request('POST', `/${NAMES.index}/_count`, {});
    expect([counted.status, counted.json.count]).toEqual([200, 3]);
    const written = await data.request('PUT', `/${NAMES.index}/_doc/after-teardown?refresh=true`, { text: 'kept', category: 'pets' });
    expect(written.status).toBe(201);
  });

  test('the handler keeps a retained index even when it is asked to delete it; DESTROY deletes it', async () => {
    const retained = new Deployment(lambda);
    expect((await retained.deploy(chain())).reason).toBeUndefined();
    await ingest(data, NAMES.index);
    expect((await retained.deleteIgnoringPolicy('Index')).Status).toBe('SUCCESS');
    expect(await countOf(NAMES.index)).toBe(3);
    await retained.destroy();

    emulator.reset();
    const destroyed = new Deployment(lambda);
    const synthesized = chain({ removalPolicy: RemovalPolicy.DESTROY, indexName: 'scratch' });
    expect(synthesized.resources[synthesized.logicalIdOf('Index')]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect((await destroyed.deploy(synthesized)).reason).toBeUndefined();
    expect((await destroyed.destroy()).ok).toBe(true);
    expect((await get('/scratch')).status).toBe(404);
  });

  test('a new index name creates a new index and keeps the old one with its documents', async () => {
    const deployment = new Deployment(lambda);
    await deployment.deploy(chain());
    await ingest(data, NAMES.index);
    const renamed = await deployment.deploy(chain({ indexName: 'docs-v2' }));
    expect(renamed.reason).toBeUndefined();
    expect(deployment.physicalIdOf('Index')).toBe('docs-v2');
    expect(renamed.sent.filter((s) => s.requestType === 'Delete')).toEqual([]);
    expect(await countOf(NAMES.index)).toBe(3);
    expect(await countOf('docs-v2')).toBe(0);
    await deployment.destroy();
  });
});

describe('what is not the stack\'s is never touched', () => {
  test('a pipeline of the same name that someone else made: the create is refused and the pipeline left as it was', async () => {
    const theirs = { description: 'the search team\'s', processors: [{ set: { field: 'source', value: 'web' } }] };
    expect((await data.request('PUT', `/_ingest/pipeline/${NAMES.ingest}`, theirs)).status).toBe(200);
    const deployment = new Deployment(lambda);
    const outcome = await deployment.deploy(chain());
    expect(outcome.ok).toBe(false);
    expect(outcome.reason).toContain(`the ingest pipeline '${NAMES.ingest}' exists on ${emulator.endpoint}, and this stack did not make it`);
    expect(outcome.reason).toContain('Give the construct another name');
    // The rollback deletes what the stack made, and nothing of theirs.
    expect(outcome.sent.filter((s) => s.response.Status !== 'SUCCESS')).toHaveLength(1);
    expect((await get(`/_ingest/pipeline/${NAMES.ingest}`)).json[NAMES.ingest]).toEqual(theirs);
    expect(emulator.models()).toEqual([]);
  });

  test('an index of the same name that someone else made is refused, and its documents stay', async () => {
    expect((await data.request('PUT', `/${NAMES.index}`, { mappings: { properties: { title: { type: 'text' } } } })).status).toBe(200);
    await data.request('PUT', `/${NAMES.index}/_doc/x?refresh=true`, { title: 'theirs' });
    const outcome = await new Deployment(lambda).deploy(chain());
    expect(outcome.reason).toContain(`the index '${NAMES.index}' exists on ${emulator.endpoint}, and this stack did not make it`);
    expect(await mappingOf(NAMES.index)).toEqual({ properties: { title: { type: 'text' } } });
    expect(await countOf(NAMES.index)).toBe(1);
  });

  test('a second stack with the same names is refused; the first stack\'s resources stay', async () => {
    const first = new Deployment(lambda);
    await first.deploy(chain());
    const second = await new Deployment(lambda).deploy(chain());
    expect(second.ok).toBe(false);
    expect(second.reason).toContain('this stack did not make it');
    expect((await get(`/_ingest/pipeline/${NAMES.ingest}`)).json[NAMES.ingest].description).toContain(first.stackId);
    expect((await first.destroy()).ok).toBe(true);
  });

  test('a delete leaves a document of that name that someone else put in the place of the stack\'s', async () => {
    const deployment = new Deployment(lambda);
    await deployment.deploy(chain());
    const theirs = { processors: [{ set: { field: 'source', value: 'theirs' } }] };
    await data.request('PUT', `/_search/pipeline/${NAMES.rag}`, { response_processors: [{ truncate_hits: { target_size: 1 } }] });
    await data.request('PUT', `/_ingest/pipeline/${NAMES.ingest}`, theirs);
    const destroyed = await deployment.destroy();
    expect(destroyed.ok).toBe(true);
    expect((await get(`/_ingest/pipeline/${NAMES.ingest}`)).json[NAMES.ingest]).toEqual(theirs);
    expect((await get(`/_search/pipeline/${NAMES.rag}`)).status).toBe(200);
    expect((await get(`/_search/pipeline/${NAMES.search}`)).status).toBe(404);
  });

  test('an index create whose answer was lost is found by its mark and taken up, not refused', async () => {
    emulator.injectFault({ method: 'PUT', path: `/${NAMES.index}`, drop: true, phase: 'after', times: 1 });
    const deployment = new Deployment(lambda);
    const outcome = await deployment.deploy(chain());
    expect(outcome.reason).toBeUndefined();
    expect(emulator.requests.filter((r) => r.method === 'PUT' && r.path === `/${NAMES.index}`).map((r) => r.status)).toEqual([0, 400]);
    expect((await mappingOf(NAMES.index)).properties.embedding.dimension).toBe(256);
    await deployment.destroy();
  });
});

describe('the pattern construct', () => {
  test('SemanticSearch: connector, model, ingest pipeline, index, hybrid and RAG pipelines in about ten lines, end to end', async () => {
    const synthesized = synthesizeStack(emulator, (stack, domain) => {
      new SemanticSearch(stack, 'Search', {
        domain,
        indexName: 'articles',
        embedding: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 256 }),
        chat: ConnectorBlueprint.bedrockAnthropicClaude({
          model: BedrockModel.foundationModel('anthropic.claude-3-haiku-20240307-v1:0'), requestFormat: ClaudeRequestFormat.INPUTS,
        }),
        hybrid: true,
      });
    });
    emulator.setPrincipalPolicy(PROVIDER.roleArn, synthesized.providerStatements);
    const deployment = new Deployment(lambda);
    expect((await deployment.deploy(synthesized)).reason).toBeUndefined();
    await ingest(data, 'articles');
    expect(idsOf(await hybrid(data, 'articles', 'embedding', 'stock market'))[0]).toBe('1');
    const answer = await rag(data, 'articles', deployment.physicalIdOf('SearchRagPipeline'), 'embedding', 'Which pets purr?', 'response');
    expect(answer.json.ext.retrieval_augmented_generation.answer).toContain(DOCUMENTS[0].text);
    expect((await deployment.destroy()).ok).toBe(true);
    expect(await countOf('articles')).toBe(3);
  });
});
