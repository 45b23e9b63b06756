/*
 * Semantic, hybrid and RAG search on real OpenSearch (ml-commons, k-NN, neural-search) through the shipped handler
 * and the front door: the chain the constructs synthesize (Titan embedding connector → model → ingest pipeline →
 * vector index → hybrid search pipeline; Claude connector → model → RAG pipeline) created in CloudFormation's order,
 * an application's _bulk of three documents through the index's default pipeline (embedded by the loopback Bedrock
 * endpoint), a neural query, a hybrid query and a RAG answer; an in-place update of the index, a change the real node
 * cannot apply (a vector field's dimension) refused with our message, and a teardown that keeps the index.
 *
 * The vector fields use the Lucene engine: Maven Central's k-NN zip has no native libraries, and a write to a faiss
 * field stops the node (UnsatisfiedLinkError: no opensearchknn_faiss_* in java.library.path); see versions.ts.
 *
 * Before the teardown deletes the pipelines, the retained index stops naming them as index.default_pipeline and
 * index.search.default_pipeline: with the names of deleted pipelines the real node refuses every search that names
 * none ("Pipeline real-tier-hybrid is not defined") and every write ("pipeline with id [..] does not exist").
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Deployment, nodes, RealDomain, toLoopback } from './tier';
import { ConnectorBlueprint, IndexField, KnnEngine, KnnSpaceType, SemanticSearch } from '../../src';
import { buildChain, DataPlane, DOCUMENTS, hybrid, idsOf, ingest, neural, rag } from '../handler/search-scenario';

const NAMES = { ingest: 'real-tier-embed', search: 'real-tier-hybrid', rag: 'real-tier-rag', index: 'real-tier-docs' };
const INDEX = 'Custom::OpenSearchIndex';
/** status 200, or the status and the node's answer (in the failure message) */
const answered = (reply: { status: number; text: string }) =>
  ({ status: reply.status, body: reply.status === 200 ? undefined : reply.text.slice(0, 1500) });
const OK = { status: 200, body: undefined };

describe.each(nodes())('OpenSearch %s: semantic, hybrid and RAG search through the handler', (_version, node) => {
  let domain: RealDomain;
  let revoke: () => Promise<void> = async () => {};
  beforeAll(async () => {
    domain = await RealDomain.open(node, { trustLoopback: true });
    // The application ingests and searches; neural queries and the ingest pipeline call the model as the application.
    revoke = await domain.grantApplication({
      cluster: ['cluster_composite_ops', 'cluster:admin/opensearch/ml/predict'],
      index: [{ index_patterns: ['real-tier-*'], allowed_actions: ['crud', 'search', 'indices:admin/refresh*'] }],
    });
  });
  afterAll(async () => {
    for (const index of [NAMES.index, 'real-tier-articles']) await domain?.admin('DELETE', `/${index}`);
    await revoke();
    await domain?.close();
  });

  const data: DataPlane = {
    request: async (method, path, body) => {
      const answer = await domain.callAsApplication(method, path, body);
      return { status: answer.status, json: answer.json, text: answer.body };
    },
    refresh: async (index) => {
      const answer = await domain.callAsApplication('POST', `/${index}/_refresh`);
      if (answer.status !== 200) throw new Error(`refresh: ${answer.status} ${answer.body}`);
    },
  };
  /**
   * The documents of the index, counted by a search without a search pipeline: once the teardown has deleted the
   * index's default search pipeline, every search (and _count) that names none fails with "Pipeline <name> is not
   * defined" (see emulator-agreement.test.ts).
   */
  const count = async (index: string) => {
    const answer = await domain.admin('POST', `/${index}/_search?search_pipeline=_none`, { size: 0, track_total_hits: true });
    return answer.status === 200 ? answer.json.hits.total.value : `${answer.status} ${answer.body}`;
  };

  /** The chain of test/handler/search.test.ts (search-scenario.ts), on this domain, with a Lucene vector field. */
  const chain = (options: { dimensions?: number; replicas?: number; extraField?: IndexField } = {}) => domain.synth((stack, d) =>
    buildChain(stack, d, { ...options, names: NAMES, engine: KnnEngine.LUCENE, fineGrainedAccess: domain.fineGrainedAccess(stack) }));

  test('create in order → _bulk → neural → hybrid → RAG → in-place update → refused dimension change → teardown that keeps the index', async () => {
    const deployment = new Deployment(domain, chain(), toLoopback(domain.models.url));
    try {
      await deployment.createAll();
      const short = (id: string) => id.replace(/[0-9A-F]{8}$/, '');
      const order = deployment.created.map(short);
      for (const [before, after] of [['Embedding', 'Ingest'], ['Ingest', 'Index'], ['Hybrid', 'Index'], ['Index', 'Rag'], ['Chat', 'Rag']]) {
        expect(order.indexOf(before)).toBeLessThan(order.indexOf(after));
      }
      const indexId = deployment.logicalId(INDEX, 'Index');
      expect(deployment.physical.get(indexId)).toBe(NAMES.index);
      const modelId = deployment.physical.get(deployment.logicalId('Custom::OpenSearchMlModel', 'Embedding'))!;
      const chatId = deployment.physical.get(deployment.logicalId('Custom::OpenSearchMlModel', 'Chat'))!;

      // What the real node holds: the pipeline with the model's ID, the Lucene field of the model's dimension, the default pipelines.
      const pipeline = await domain.admin('GET', `/_ingest/pipeline/${NAMES.ingest}`);
      expect(pipeline.json[NAMES.ingest].processors).toEqual([{ text_embedding: { model_id: modelId, field_map: { text: 'embedding' } } }]);
      const mapping = (await domain.admin('GET', `/${NAMES.index}/_mapping`)).json[NAMES.index].mappings;
      expect(mapping.properties.embedding).toMatchObject({
        type: 'knn_vector', dimension: 256, method: { engine: 'lucene', space_type: 'innerproduct', name: 'hnsw' },
      });
      expect(mapping._meta.managed_by).toContain(deployment.logicalId(INDEX, 'Index'));
      const settings = (await domain.admin('GET', `/${NAMES.index}/_settings?flat_settings=true`)).json[NAMES.index].settings;
      expect(settings).toMatchObject({ 'index.knn': 'true', 'index.default_pipeline': NAMES.ingest, 'index.search.default_pipeline': NAMES.search });

      // The application: three documents embedded by the default pipeline (the loopback Bedrock endpoint), then searches.
      const calls = domain.models.calls.length;
      const ingested = await ingest(data, NAMES.index);
      expect({ ...answered(ingested), errors: ingested.json?.errors }).toEqual({ ...OK, errors: false });
      const embedded = domain.models.calls.slice(calls).filter((c) => c.path === '/model/amazon.titan-embed-text-v2:0/invoke' && c.status === 200);
      expect(embedded).toHaveLength(3);
      expect(await count(NAMES.index)).toBe(3);
      const nearest = await neural(data, NAMES.index, 'embedding', 'furry cats');
      expect(answered(nearest)).toEqual(OK);
      expect(idsOf(nearest)).toHaveLength(3);
      expect(idsOf(nearest)[0]).toBe('0');
      expect(idsOf(await neural(data, NAMES.index, 'embedding', 'stock market'))[0]).toBe('1');
      const combined = await hybrid(data, NAMES.index, 'embedding', 'rain over the mountains');
      expect(answered(combined)).toEqual(OK);
      expect(idsOf(combined)[0]).toBe('2');
      // Normalized (min_max) and combined (weights 0.3 and 0.7) by the search pipeline: the best document scores at most 1.
      expect(combined.json.hits.max_score).toBeLessThanOrEqual(1);
      expect(combined.json.hits.max_score).toBeGreaterThan(0);
      const before = domain.models.calls.length;
      const answer = await rag(data, NAMES.index, NAMES.rag, 'embedding', 'What do cats do?', 'response');
      expect(answered(answer)).toEqual(OK);
      // The loopback Claude endpoint echoes its prompt: ml-commons put the question and the nearest document in it.
      const chatCall = domain.models.calls.slice(before).find((c) => c.path.includes('anthropic.claude-3-haiku'));
      expect(chatCall).toMatchObject({ status: 200 });
      const rendered = answer.json.ext?.retrieval_augmented_generation?.answer;
      expect(rendered).toContain('echo: ');
      expect(rendered).toContain(DOCUMENTS[0].text);
      expect(rendered).toContain('What do cats do?');
      expect(chatId).toMatch(/^[A-Za-z0-9_-]{20}$/);

      // In place: a new field and the replicas; only the index is updated, and it is the same index with its documents.
      const uuid = settings['index.uuid'];
      const inPlace = chain({ replicas: 0, extraField: IndexField.keyword('source') });
      const updated = await deployment.updateAll(inPlace);
      expect(updated).toEqual({ updated: [indexId], failures: [] });
      const after = (await domain.admin('GET', `/${NAMES.index}/_settings?flat_settings=true`)).json[NAMES.index].settings;
      expect(after).toMatchObject({ 'index.uuid': uuid, 'index.number_of_replicas': '0' });
      const added = (await domain.admin('GET', `/${NAMES.index}/_mapping`)).json[NAMES.index].mappings.properties.source;
      expect(added).toEqual({ type: 'keyword' });
      expect(await count(NAMES.index)).toBe(3);

      // A change the node cannot apply (the vector field's dimension, from a model of 512 dimensions): the index's Update fails
      // with the field named and what to do; the index is as it was. (CloudFormation would then roll the stack back.)
      const refused = await deployment.update(indexId, chain({ dimensions: 512, replicas: 0, extraField: IndexField.keyword('source') }));
      expect(refused.Status).toBe('FAILED');
      expect(refused.Reason).toContain(`The field 'embedding' cannot change on the existing index '${NAMES.index}'`);
      expect(refused.Reason).toContain('Give the index a new name (indexName)');
      const still = (await domain.admin('GET', `/${NAMES.index}/_mapping`)).json[NAMES.index].mappings.properties.embedding;
      expect(still.dimension).toBe(256);
      expect(await count(NAMES.index)).toBe(3);

      // Teardown in reverse order: everything but the index (DeletionPolicy Retain: no Delete), which keeps its documents.
      expect(deployment.synthesized.resources[indexId].DeletionPolicy).toBe('Retain');
      const connectors = deployment.logicalIds('Custom::OpenSearchMlConnector').map((id) => deployment.physical.get(id)!);
      expect(await deployment.deleteAll()).toEqual([]);
      for (const path of [`/_ingest/pipeline/${NAMES.ingest}`, `/_search/pipeline/${NAMES.search}`, `/_search/pipeline/${NAMES.rag}`,
        `/_plugins/_ml/models/${modelId}`, `/_plugins/_ml/models/${chatId}`, ...connectors.map((c) => `/_plugins/_ml/connectors/${c}`)]) {
        expect({ path, status: (await domain.admin('GET', path)).status }).toEqual({ path, status: 404 });
      }
      expect(await count(NAMES.index)).toBe(3);
      // The retained index names no deleted pipeline: an application's search and write that name none work.
      const left = (await domain.admin('GET', `/${NAMES.index}/_settings?flat_settings=true`)).json[NAMES.index].settings;
      expect([left['index.default_pipeline'], left['index.search.default_pipeline']]).toEqual([undefined, undefined]);
      const counted = await domain.callAsApplication('POST', `/${NAMES.index}/_count`, {});
      expect({ status: counted.status, body: counted.status === 200 ? counted.json.count : counted.body }).toEqual({ status: 200, body: 3 });
      const written = await domain.callAsApplication('PUT', `/${NAMES.index}/_doc/after-teardown?refresh=true`, { text: 'kept after the stack' });
      expect({ status: written.status, body: written.status === 201 ? undefined : written.body }).toEqual({ status: 201, body: undefined });
      // A Delete of the index that does reach the handler (a template without the DeletionPolicy) leaves it too.
      const kept = await deployment.delete(indexId);
      expect({ status: kept.Status, reason: kept.Reason }).toEqual({ status: 'SUCCESS', reason: undefined });
      expect(await count(NAMES.index)).toBe(4);
      deployment.physical.delete(indexId);
    } finally {
      await deployment.deleteAll();
    }
  });

  test('SemanticSearch with hybrid and RemovalPolicy.DESTROY: the pattern end to end, and the stack\'s deletion deletes the index', async () => {
    const synthesized = domain.synth((stack, d) => {
      new SemanticSearch(stack, 'Search', {
        domain: d,
        fineGrainedAccess: domain.fineGrainedAccess(stack),
        indexName: 'real-tier-articles',
        embedding: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 256 }),
        hybrid: true,
        fields: [IndexField.knnVector('embedding', { dimension: 256, engine: KnnEngine.LUCENE, spaceType: KnnSpaceType.INNERPRODUCT })],
        removalPolicy: RemovalPolicy.DESTROY,
      });
    });
    const deployment = new Deployment(domain, synthesized, toLoopback(domain.models.url));
    try {
      await deployment.createAll();
      const ingested = await ingest(data, 'real-tier-articles');
      expect(ingested.json?.errors).toBe(false);
      const found = await hybrid(data, 'real-tier-articles', 'embedding', 'stock market');
      expect(answered(found)).toEqual(OK);
      expect(idsOf(found)[0]).toBe('1');
    } finally {
      expect(await deployment.deleteAll()).toEqual([]);
    }
    expect((await domain.admin('GET', '/real-tier-articles')).status).toBe(404);
  });
});
