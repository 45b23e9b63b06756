import { OpenSearchEmulator } from './index';
import { bulk, Call, caller, chatModel, embeddingModel, emulatorPerSuite, hitIds, ndjson, PROVIDER } from './search-fixtures';

const DOCS = [
  { text: 'Cats are small furry pets that purr' },
  { text: 'The stock market fell sharply on Monday' },
  { text: 'Dogs and cats can live together as pets' },
];

describe('search pipelines', () => {
  let emulator: OpenSearchEmulator;
  let call: Call;
  let model: string;
  emulatorPerSuite((started, startedCall) => {
    emulator = started;
    call = startedCall;
  });
  beforeEach(async () => {
    model = embeddingModel(emulator);
    await call('PUT', '/_ingest/pipeline/embed', { processors: [{ text_embedding: { model_id: model, field_map: { text: 'text_vector' } } }] });
    await call('PUT', '/docs', {
      settings: { index: { knn: true, default_pipeline: 'embed' } },
      mappings: { properties: { text: { type: 'text' }, text_vector: { type: 'knn_vector', dimension: 64, space_type: 'cosinesimil' } } },
    });
    expect((await bulk(emulator, '/docs/_bulk?refresh=true', ndjson(DOCS))).json.errors).toBe(false);
  });

  const hybridQuery = (neural: Record<string, unknown> = { model_id: model }): Record<string, unknown> => ({
    _source: ['text'],
    query: { hybrid: { queries: [{ match: { text: 'market' } }, { neural: { text_vector: { query_text: 'furry cats', k: 3, ...neural } } }] } },
  });

  /** The sub-queries' own scores, to check the normalization and combination against. */
  async function subScores(): Promise<Array<Record<string, number>>> {
    const match = await call('POST', '/docs/_search', { query: { match: { text: 'market' } } });
    const neural = await call('POST', '/docs/_search', { query: { neural: { text_vector: { query_text: 'furry cats', k: 3, model_id: model } } } });
    const scores = (reply: typeof match): Record<string, number> =>
      Object.fromEntries((reply.json.hits.hits as Array<{ _id: string; _score: number }>).map((hit) => [hit._id, hit._score]));
    return [scores(match), scores(neural)];
  }

  it('stores, returns and deletes a search pipeline; a missing one is 404 {} and "Pipeline x is not defined" at search', async () => {
    const definition = { request_processors: [{ neural_query_enricher: { default_model_id: model } }] };
    expect((await call('PUT', '/_search/pipeline/sp', definition)).json).toEqual({ acknowledged: true });
    expect((await call('GET', '/_search/pipeline/sp')).json).toEqual({ sp: definition });
    expect((await call('GET', '/_search/pipeline/nope')).status).toBe(404);
    expect((await call('DELETE', '/_search/pipeline/sp')).json).toEqual({ acknowledged: true });
    const deleted = await call('DELETE', '/_search/pipeline/sp');
    expect([deleted.status, deleted.json.error.reason]).toEqual([404, 'pipeline [sp] is missing']);
    const missing = await call('POST', '/docs/_search?search_pipeline=sp', {});
    expect([missing.status, missing.json.error.type, missing.json.error.reason]).toEqual([400, 'illegal_argument_exception', 'Pipeline sp is not defined']);
  });

  it('validates processors as their factories do', async () => {
    const misplaced = await call('PUT', '/_search/pipeline/p', { request_processors: [{ 'normalization-processor': {} }] });
    expect(misplaced.json.error).toMatchObject({ type: 'illegal_argument_exception', reason: 'Invalid processor type normalization-processor' });
    const enricher = await call('PUT', '/_search/pipeline/p', { request_processors: [{ neural_query_enricher: {} }] });
    expect(enricher.json.error.reason).toBe('model Id or neural info map either of them should be provided');
    const technique = await call('PUT', '/_search/pipeline/p', { phase_results_processors: [{ 'normalization-processor': { normalization: { technique: 'z_score' } } }] });
    expect(technique.json.error.reason).toBe('provided normalization technique is not supported');
    const sum = await call('PUT', '/_search/pipeline/p', { phase_results_processors: [{ 'normalization-processor': { combination: { technique: 'arithmetic_mean', parameters: { weights: [0.5, 0.6] } } } }] });
    expect(sum.json.error.reason).toBe('sum of weights for combination must be equal to 1.0, submitted weights: [0.5, 0.6]');
    const leftover = await call('PUT', '/_search/pipeline/p', { response_processors: [{ rename_field: { field: 'a', target_field: 'b', colour: 1 } }] });
    expect(leftover.json.error.reason).toBe("processor [rename_field] doesn't support one or more provided configuration parameters: [colour]");
    const rag = await call('PUT', '/_search/pipeline/p', { response_processors: [{ retrieval_augmented_generation: { model_id: 'x', context_field_list: [] } }] });
    expect(rag.json.error).toMatchObject({ type: 'parse_exception', reason: "[context_field_list] required property can't be empty.", property_name: 'context_field_list' });
  });

  it('fills a neural query\'s model from neural_query_enricher (field default first) and uses index.search.default_pipeline', async () => {
    await call('PUT', '/_search/pipeline/enrich', { request_processors: [{ neural_query_enricher: { default_model_id: 'wrong', neural_field_default_id: { text_vector: model } } }] });
    await call('PUT', '/docs/_settings', { index: { 'search.default_pipeline': 'enrich' } });
    const reply = await call('POST', '/docs/_search', { query: { neural: { text_vector: { query_text: 'furry cats' } } } });
    expect(reply.status).toBe(200);
    expect(hitIds(reply)[0]).toBe('0');
    const bypass = await call('POST', '/docs/_search?search_pipeline=_none', { query: { neural: { text_vector: { query_text: 'furry cats' } } } });
    expect(bypass.json.error.reason).toBe('Model ID must be provided for neural query');
  });

  it('normalizes and combines a hybrid query: min_max, arithmetic_mean with weights', async () => {
    await call('PUT', '/_search/pipeline/hybrid', {
      phase_results_processors: [{
        'normalization-processor': {
          normalization: { technique: 'min_max' }, combination: { technique: 'arithmetic_mean', parameters: { weights: [0.3, 0.7] } },
        },
      }],
    });
    const [match, neural] = await subScores();
    const reply = await call('POST', '/docs/_search?search_pipeline=hybrid', hybridQuery());
    expect(reply.status).toBe(200);
    const min = Math.min(...Object.values(neural));
    const max = Math.max(...Object.values(neural));
    const normalized = (id: string): number => (neural[id] - min) / (max - min) || 0.001;
    // Only doc 1 matches "market": its match score normalizes to 1 (a single result).
    expect(Object.keys(match)).toEqual(['1']);
    const expected: Record<string, number> = {
      0: normalized('0'),
      1: (0.3 * 1 + 0.7 * normalized('1')) / 1.0,
      2: normalized('2'),
    };
    const scores = Object.fromEntries((reply.json.hits.hits as Array<{ _id: string; _score: number }>).map((hit) => [hit._id, hit._score]));
    for (const id of ['0', '1', '2']) expect(scores[id]).toBeCloseTo(expected[id], 5);
    expect(hitIds(reply)[0]).toBe('0');
    expect(reply.json.hits.total).toEqual({ value: 3, relation: 'eq' });
  });

  it('supports l2 normalization with harmonic_mean, and rank fusion with score-ranker-processor', async () => {
    await call('PUT', '/_search/pipeline/l2', { phase_results_processors: [{ 'normalization-processor': { normalization: { technique: 'l2' }, combination: { technique: 'harmonic_mean' } } }] });
    const [match, neural] = await subScores();
    const reply = await call('POST', '/docs/_search?search_pipeline=l2', hybridQuery());
    const norm = Math.sqrt(Object.values(neural).reduce((sum, score) => sum + score * score, 0));
    const l2 = (id: string): number => neural[id] / norm;
    const scores = Object.fromEntries((reply.json.hits.hits as Array<{ _id: string; _score: number }>).map((hit) => [hit._id, hit._score]));
    expect(scores['0']).toBeCloseTo(l2('0'), 5);
    expect(scores['1']).toBeCloseTo(2 / (1 / (match['1'] / match['1']) + 1 / l2('1')), 5);
    await call('PUT', '/_search/pipeline/rrf', { phase_results_processors: [{ 'score-ranker-processor': { combination: { technique: 'rrf', parameters: { rank_constant: 10 } } } }] });
    const fused = await call('POST', '/docs/_search?search_pipeline=rrf', hybridQuery());
    const fusedScores = Object.fromEntries((fused.json.hits.hits as Array<{ _id: string; _score: number }>).map((hit) => [hit._id, hit._score]));
    // Object keys like '0' iterate numerically: rank by score instead.
    const rank = Object.entries(neural).sort((a, b) => b[1] - a[1]).findIndex(([id]) => id === '1') + 1;
    expect(fusedScores['1']).toBeCloseTo(1 / 11 + 1 / (10 + rank), 5);
  });

  it('answers a hybrid query without a normalization processor in its raw framed form', async () => {
    const reply = await call('POST', '/docs/_search', hybridQuery());
    const scores = (reply.json.hits.hits as Array<{ _score: number }>).map((hit) => hit._score);
    expect(scores[0]).toBe(-9549512000);
    expect(scores[1]).toBe(-4422440400);
    expect(scores.filter((score) => score === -4422440400)).toHaveLength(2);
    expect(scores[scores.length - 1]).toBe(-9549512000);
  });

  it('refuses a hybrid query inside bool, and weights that do not match the sub-queries', async () => {
    const nested = await call('POST', '/docs/_search', { query: { bool: { must: [{ hybrid: { queries: [{ match_all: {} }] } }] } } });
    expect(nested.json.error.caused_by.reason).toBe('hybrid query must be a top level query and cannot be wrapped into other queries');
    await call('PUT', '/_search/pipeline/three', { phase_results_processors: [{ 'normalization-processor': { combination: { parameters: { weights: [0.2, 0.3, 0.5] } } } }] });
    const weights = await call('POST', '/docs/_search?search_pipeline=three', hybridQuery());
    expect(weights.json.error.reason).toBe('number of weights [3] must match number of sub-queries [2] in hybrid query');
    const six = await call('POST', '/docs/_search', { query: { hybrid: { queries: new Array(6).fill({ match_all: {} }) } } });
    expect(six.json.error).toMatchObject({ type: 'parsing_exception', reason: 'Number of sub-queries exceeds maximum supported by [hybrid] query' });
  });

  describe('retrieval augmented generation', () => {
    const rag = (llmModel: string | undefined, chat: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      response_processors: [{ retrieval_augmented_generation: { model_id: chat, context_field_list: ['text'], ...(llmModel ? { llm_model: llmModel } : {}), ...extra } }],
    });
    const question = (parameters: Record<string, unknown>): Record<string, unknown> => ({
      query: { neural: { text_vector: { query_text: 'furry cats', model_id: model, k: 2 } } },
      ext: { generative_qa_parameters: { llm_question: 'Which animals purr?', ...parameters } },
    });

    it('answers from the first retrieved document through a Claude Messages connector (response_filter, llm_response_field)', async () => {
      const chat = await chatModel(emulator, call, 'claudeMessages');
      await call('PUT', '/_search/pipeline/rag', rag('bedrock/claude', chat));
      const reply = await call('POST', '/docs/_search?search_pipeline=rag', question({ llm_response_field: 'response' }));
      expect(reply.status).toBe(200);
      expect(hitIds(reply)[0]).toBe('0');
      expect(reply.json.ext).toEqual({ retrieval_augmented_generation: { answer: `To "Which animals purr?": ${DOCS[0].text} [1]` } });
      // Without llm_response_field, bedrock/ reads "completion", which a Messages API answer does not have.
      const unreadable = await call('POST', '/docs/_search?search_pipeline=rag', question({}));
      expect(unreadable.json.ext).toEqual({ retrieval_augmented_generation: { error: 'Unknown error or response.' } });
    });

    it('reads each provider\'s answer: Claude text completions, OpenAI chat completions, Bedrock Converse', async () => {
      for (const [kind, llmModel] of [['claudeCompletions', 'bedrock/claude'], ['openai', 'gpt-4o'], ['converse', 'bedrock-converse/anthropic.claude-3']] as const) {
        const chat = await chatModel(emulator, call, kind);
        await call('PUT', `/_search/pipeline/${kind}`, rag(llmModel, chat));
        const reply = await call('POST', `/docs/_search?search_pipeline=${kind}`, question({}));
        expect(reply.json.ext.retrieval_augmented_generation.answer).toContain(DOCS[0].text);
      }
    });

    it('refuses a request without generative_qa_parameters or llm_model, and a context field the hits lack', async () => {
      const chat = await chatModel(emulator, call, 'openai');
      await call('PUT', '/_search/pipeline/rag', rag(undefined, chat));
      const noExt = await call('POST', '/docs/_search?search_pipeline=rag', { query: { match_all: {} } });
      expect(noExt.json.error.reason).toMatch(/^generative_qa_parameters not found\. Please provide ext\.generative_qa_parameters to proceed\./);
      const noModel = await call('POST', '/docs/_search?search_pipeline=rag', question({}));
      expect(noModel.json.error.reason).toBe('llm_model cannot be null.');
      await call('PUT', '/_search/pipeline/rag', rag('gpt-4o', chat, { context_field_list: ['body'] }));
      const noField = await call('POST', '/docs/_search?search_pipeline=rag', question({}));
      expect([noField.status, noField.json.error.type]).toEqual([500, 'runtime_exception']);
      expect(noField.json.error.reason).toMatch(/^Context body not found in search hit/);
    });

    it('keeps the conversation in a memory and returns the message_id', async () => {
      const chat = await chatModel(emulator, call, 'openai');
      await call('PUT', '/_search/pipeline/rag', rag('gpt-4o', chat, { system_prompt: 'You are terse.' }));
      const memory = await call('POST', '/_plugins/_ml/memory', { name: 'pets' });
      const memoryId = memory.json.memory_id as string;
      expect(memoryId).toMatch(/^[A-Za-z0-9_-]{20}$/);
      const reply = await call('POST', '/docs/_search?search_pipeline=rag', question({ memory_id: memoryId }));
      const messageId = reply.json.ext.retrieval_augmented_generation.message_id;
      expect(messageId).toEqual(expect.any(String));
      const messages = await call('GET', `/_plugins/_ml/memory/${memoryId}/messages`);
      expect(messages.json.messages).toEqual([expect.objectContaining({
        memory_id: memoryId,
        message_id: messageId,
        input: 'Which animals purr?',
        origin: 'retrieval_augmented_generation',
        response: reply.json.ext.retrieval_augmented_generation.answer,
        prompt_template: JSON.stringify([{ role: 'system', content: 'You are terse.' }]),
      })]);
      expect((await call('GET', `/_plugins/_ml/memory/${memoryId}`)).json).toMatchObject({ memory_id: memoryId, name: 'pets' });
      const unknown = await call('POST', '/docs/_search?search_pipeline=rag', question({ memory_id: 'nope' }));
      expect([unknown.status, unknown.json.error.reason]).toEqual([404, 'Memory [nope] not found']);
      expect((await call('DELETE', `/_plugins/_ml/memory/${memoryId}`)).json).toEqual({ success: true });
    });

    it('is off before 2.12 (rag_pipeline_feature_enabled defaults to false) and the memory API only exists from 2.12', async () => {
      const old = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion: '2.11.0' });
      try {
        const oldCall = caller(old);
        const reply = await oldCall('PUT', '/_search/pipeline/rag', rag('gpt-4o', 'm'));
        expect([reply.status, reply.json.error.type, reply.json.error.reason]).toEqual([500, 'm_l_exception', 'plugins.ml_commons.rag_pipeline_feature_enabled is not enabled.']);
        const memory = await oldCall('POST', '/_plugins/_ml/memory', { name: 'x' });
        expect(memory.json).toEqual({ error: 'no handler found for uri [/_plugins/_ml/memory] and method [POST]' });
      } finally {
        await old.stop();
      }
    });
  });
});
