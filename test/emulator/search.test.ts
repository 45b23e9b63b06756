import { OpenSearchEmulator } from './index';
import { bedrockConnector, Reply, send } from './test-client';

const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };
const SECOND_ACTION = [{ action_type: 'predict', method: 'POST', url: 'https://api.openai.com/v1/embeddings' }];

describe('connector search', () => {
  let emulator: OpenSearchEmulator;
  const ids: Record<string, string> = {};
  const search = (body?: unknown, path = '/_plugins/_ml/connectors/_search'): Promise<Reply> =>
    send(emulator, { method: body === undefined ? 'GET' : 'POST', path, body, credentials: PROVIDER });
  const hitIds = (reply: Reply): string[] => (reply.json.hits.hits as Array<{ _id: string }>).map((hit) => hit._id);

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
    const bodies: Record<string, Record<string, unknown>> = {
      titan: bedrockConnector({ name: 'Bedrock Titan embeddings' }),
      cohere: bedrockConnector({ name: 'Bedrock Cohere embeddings', description: 'multilingual' }),
      openai: bedrockConnector({ name: 'OpenAI embeddings', protocol: 'http', credential: { openAI_key: 'sk-secret' }, actions: SECOND_ACTION }),
    };
    for (const [key, body] of Object.entries(bodies)) {
      ids[key] = (await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body, credentials: PROVIDER })).json.connector_id;
      await new Promise((resolve) => setTimeout(resolve, 3)); // distinct created_time values
    }
  });
  afterAll(async () => emulator.stop());

  it('returns every connector for GET without a body, never with credentials', async () => {
    const reply = await search();
    expect(reply.status).toBe(200);
    expect(reply.json.hits.total).toEqual({ value: 3, relation: 'eq' });
    expect(hitIds(reply)).toEqual([ids.titan, ids.cohere, ids.openai]);
    expect(reply.json.hits.hits[0]).toMatchObject({ _index: '.plugins-ml-connector', _score: 1 });
    expect(reply.text).not.toContain('credential');
    expect(reply.text).not.toContain('sk-secret');
  });

  it('supports term on name.keyword, _id and protocol, and terms', async () => {
    expect(hitIds(await search({ query: { term: { 'name.keyword': 'OpenAI embeddings' } } }))).toEqual([ids.openai]);
    expect(hitIds(await search({ query: { term: { 'name.keyword': { value: 'openai embeddings' } } } }))).toEqual([]);
    expect(hitIds(await search({ query: { term: { _id: ids.cohere } } }))).toEqual([ids.cohere]);
    expect(hitIds(await search({ query: { term: { protocol: 'http' } } }))).toEqual([ids.openai]);
    expect(hitIds(await search({ query: { terms: { _id: [ids.titan, ids.openai] } } }))).toEqual([ids.titan, ids.openai]);
  });

  it('analyses the text field name: term sees lower-case tokens, match finds words', async () => {
    expect(hitIds(await search({ query: { term: { name: 'Bedrock Titan embeddings' } } }))).toEqual([]);
    expect(hitIds(await search({ query: { term: { name: 'titan' } } }))).toEqual([ids.titan]);
    const match = await search({ query: { match: { name: 'cohere EMBEDDINGS' } } });
    expect(hitIds(match)).toEqual([ids.cohere, ids.titan, ids.openai]);
    expect(hitIds(await search({ query: { match: { name: { query: 'bedrock embeddings', operator: 'and' } } } })).length).toBeGreaterThan(0);
  });

  it('combines clauses with bool', async () => {
    const reply = await search({
      query: { bool: { must: [{ match: { name: 'embeddings' } }], filter: { term: { protocol: 'aws_sigv4' } }, must_not: [{ term: { _id: ids.titan } }] } },
    });
    expect(hitIds(reply)).toEqual([ids.cohere]);
    const should = await search({ query: { bool: { should: [{ term: { _id: ids.openai } }, { term: { _id: ids.titan } }] } } });
    expect(hitIds(should).sort()).toEqual([ids.openai, ids.titan].sort());
  });

  it('pages with size and from and sorts on created_time', async () => {
    const reply = await search({ size: 2, from: 0, sort: [{ created_time: { order: 'desc' } }] });
    expect(hitIds(reply)).toEqual([ids.openai, ids.cohere]);
    expect(reply.json.hits.total.value).toBe(3);
    expect(reply.json.hits.max_score).toBeNull();
    expect(reply.json.hits.hits[0].sort).toEqual([expect.any(Number)]);
    expect(hitIds(await search({ size: 2, from: 2, sort: ['last_updated_time'] }))).toEqual([ids.openai]);
    expect(hitIds(await search(undefined, '/_plugins/_ml/connectors/_search?size=1'))).toEqual([ids.titan]);
  });

  it('filters _source and still never returns the credential', async () => {
    const includes = await search({ query: { term: { _id: ids.titan } }, _source: ['name', 'parameters.*', 'credential'] });
    expect(includes.json.hits.hits[0]._source).toEqual({ name: 'Bedrock Titan embeddings', parameters: { region: 'us-east-1', service_name: 'bedrock', model: 'amazon.titan-embed-text-v2:0' } });
    const excludes = await search({ query: { term: { _id: ids.titan } }, _source: { excludes: ['actions', 'parameters'] } });
    expect(Object.keys(excludes.json.hits.hits[0]._source)).toEqual(['name', 'version', 'description', 'protocol', 'created_time', 'last_updated_time']);
    const none = await search({ _source: false, size: 1 });
    expect(none.json.hits.hits[0]).not.toHaveProperty('_source');
  });

  it('answers unsupported queries and keys with parsing_exception', async () => {
    const unknown = await search({ query: { fuzzy: { name: 'titn' } } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ type: 'parsing_exception', reason: 'unknown query [fuzzy]' });
    const key = await search({ aggs: { a: {} } });
    expect(key.json.error.reason).toBe('Unknown key for a START_OBJECT in [aggs].');
    const bool = await search({ query: { bool: { maybe: [] } } });
    expect(bool.json.error.reason).toBe('[bool] query does not support [maybe]');
    const sort = await search({ sort: [{ nope: 'asc' }] });
    expect(sort.status).toBe(400);
    expect(sort.json.error.root_cause[0].reason).toBe('No mapping found for [nope] in order to sort on');
  });
});
