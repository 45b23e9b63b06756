/*
 * The emulator (test/emulator) against the real node, request for request: the same ML Commons requests are sent
 * to an emulator pretending to run the node's version and, through the front door, to the real node, and the
 * answers must agree (status, error type and reason). Where they disagreed, the emulator was fixed (the real node
 * wins); this file keeps them in step.
 */
import { OpenSearchEmulator } from '../emulator';
import { nodes, PROVIDER_ROLE_ARN, RealDomain } from './tier';
import { bedrockConnector, send } from '../emulator/test-client';

const CONNECTOR_ROLE = 'arn:aws:iam::111122223333:role/connector';
const ML = '/_plugins/_ml';

interface Step {
  readonly method: string;
  readonly path: string | ((ids: Record<string, string>) => string);
  readonly body?: unknown;
  /** remember a field of the answer under this name, for later paths */
  readonly keep?: [string, string];
  /** sent to the real node as its admin (indexes and pipelines, which ml_full_access does not allow), not as the provider */
  readonly admin?: boolean;
  /** sent again (for up to 20 s) until the answer satisfies this: a state the node reaches in its own time */
  readonly until?: (json: any) => boolean;
}

const KNN_FIELD = (dimension: number) => ({ type: 'knn_vector', dimension, method: { name: 'hnsw', engine: 'lucene', space_type: 'l2' } });

const CASES: Record<string, Step[]> = {
  'a connector without a name': [{ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector({ name: undefined }) }],
  'a connector name and description with < > # &': [{ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector({ name: '<YOUR CONNECTOR NAME>', description: 'a #1 & b' }) }],
  'an action URL no trusted endpoint matches': [{
    method: 'POST',
    path: `${ML}/connectors/_create`,
    body: bedrockConnector({ actions: [{ action_type: 'predict', method: 'POST', url: 'https://models.example.invalid/invoke', request_body: '{}' }] }),
  }],
  'access control fields while connector access control is off': [{ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector({ access_mode: 'public' }) }],
  'a missing connector: get and delete': [
    { method: 'GET', path: `${ML}/connectors/AAAAAAAAAAAAAAAAAAAA` },
    { method: 'DELETE', path: `${ML}/connectors/AAAAAAAAAAAAAAAAAAAA` },
  ],
  'a model group name with < >': [{ method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'a<b>', description: 'x' } }],
  'a model group name used twice': [
    { method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'agreement twice' }, keep: ['group', 'model_group_id'] },
    { method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'agreement twice' } },
    { method: 'DELETE', path: (ids) => `${ML}/model_groups/${ids.group}` },
  ],
  'a remote TEXT_EMBEDDING model without a space type, then with one; the connector in use cannot be deleted': [
    { method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector({ name: 'agreement' }), keep: ['connector', 'connector_id'] },
    {
      method: 'POST',
      path: `${ML}/models/_register`,
      body: (ids: Record<string, string>) => ({ name: 'agreement', function_name: 'remote', connector_id: ids.connector, model_config: { model_type: 'TEXT_EMBEDDING', embedding_dimension: 8, framework_type: 'SENTENCE_TRANSFORMERS' } }),
    },
    {
      method: 'POST',
      path: `${ML}/models/_register`,
      keep: ['model', 'model_id'],
      body: (ids: Record<string, string>) => ({ name: 'agreement 2', function_name: 'remote', connector_id: ids.connector, model_config: { model_type: 'TEXT_EMBEDDING', embedding_dimension: 8, framework_type: 'SENTENCE_TRANSFORMERS', additional_config: { space_type: 'l2' } } }),
    },
    { method: 'DELETE', path: (ids) => `${ML}/connectors/${ids.connector}` },
    { method: 'DELETE', path: (ids) => `${ML}/models/${ids.model}` },
    { method: 'DELETE', path: (ids) => `${ML}/connectors/${ids.connector}` },
  ],
  'a missing model': [{ method: 'GET', path: `${ML}/models/AAAAAAAAAAAAAAAAAAAA` }],
  'a remote model deployed and undeployed: the deploy answers COMPLETED at once': [
    { method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector({ name: 'agreement deploy' }), keep: ['connector', 'connector_id'] },
    {
      method: 'POST',
      path: `${ML}/models/_register`,
      keep: ['model', 'model_id'],
      body: (ids: Record<string, string>) => ({ name: 'agreement deploy', function_name: 'remote', connector_id: ids.connector }),
    },
    { method: 'POST', path: (ids) => `${ML}/models/${ids.model}/_deploy` },
    // 2.19.6 answers an undeploy sent right after the deploy "not_found" and the model stays DEPLOYED.
    { method: 'GET', path: (ids) => `${ML}/models/${ids.model}`, until: (json) => json?.model_state === 'DEPLOYED' },
    { method: 'POST', path: (ids) => `${ML}/models/${ids.model}/_undeploy` },
    { method: 'GET', path: (ids) => `${ML}/models/${ids.model}`, until: (json) => json?.model_state === 'UNDEPLOYED' },
    { method: 'DELETE', path: (ids) => `${ML}/models/${ids.model}` },
    { method: 'DELETE', path: (ids) => `${ML}/connectors/${ids.connector}` },
  ],
  // The search chain (k-NN and neural-search installed on the real node).
  'an ingest pipeline with an unknown processor type; a missing ingest pipeline': [
    { admin: true, method: 'PUT', path: '/_ingest/pipeline/agreement-unknown', body: { processors: [{ no_such_processor: { field: 'x' } }] } },
    { admin: true, method: 'GET', path: '/_ingest/pipeline/agreement-missing' },
  ],
  'a text_embedding processor of a model that does not exist': [
    { admin: true, method: 'PUT', path: '/_ingest/pipeline/agreement-te', body: { processors: [{ text_embedding: { model_id: 'AAAAAAAAAAAAAAAAAAAA', field_map: { text: 'v' } } }] } },
    { admin: true, method: 'DELETE', path: '/_ingest/pipeline/agreement-te' },
  ],
  'a search pipeline with an unknown processor type; a missing search pipeline': [
    { admin: true, method: 'PUT', path: '/_search/pipeline/agreement-unknown', body: { request_processors: [{ no_such_processor: {} }] } },
    { admin: true, method: 'GET', path: '/_search/pipeline/agreement-missing' },
  ],
  'a knn_vector field whose dimension changes (Lucene engine)': [
    { admin: true, method: 'PUT', path: '/agreement-knn', body: { settings: { 'index.knn': true, 'index.number_of_replicas': 0 }, mappings: { properties: { v: KNN_FIELD(3) } } } },
    { admin: true, method: 'PUT', path: '/agreement-knn/_mapping', body: { properties: { v: KNN_FIELD(4) } } },
    { admin: true, method: 'PUT', path: '/agreement-knn/_mapping', body: { properties: { w: KNN_FIELD(4) } } },
    { admin: true, method: 'DELETE', path: '/agreement-knn' },
  ],
  // What a retained index is left with after its stack's teardown deleted its default search pipeline.
  'a count and a search on an index whose default search pipeline is gone': [
    { admin: true, method: 'PUT', path: '/_search/pipeline/agreement-sp', body: { request_processors: [{ neural_query_enricher: { default_model_id: 'AAAAAAAAAAAAAAAAAAAA' } }] } },
    { admin: true, method: 'PUT', path: '/agreement-gone', body: { settings: { 'index.search.default_pipeline': 'agreement-sp', 'index.number_of_replicas': 0 } } },
    { admin: true, method: 'DELETE', path: '/_search/pipeline/agreement-sp' },
    { admin: true, method: 'GET', path: '/agreement-gone/_count' },
    { admin: true, method: 'POST', path: '/agreement-gone/_search', body: { query: { match_all: {} } } },
    { admin: true, method: 'POST', path: '/agreement-gone/_search?search_pipeline=_none', body: { size: 0 } },
    { admin: true, method: 'DELETE', path: '/agreement-gone' },
  ],
  'a write to an index whose default ingest pipeline is gone': [
    { admin: true, method: 'PUT', path: '/_ingest/pipeline/agreement-ip', body: { processors: [{ text_embedding: { model_id: 'AAAAAAAAAAAAAAAAAAAA', field_map: { text: 'v' } } }] } },
    { admin: true, method: 'PUT', path: '/agreement-orphan', body: { settings: { 'index.default_pipeline': 'agreement-ip', 'index.number_of_replicas': 0 } } },
    { admin: true, method: 'DELETE', path: '/_ingest/pipeline/agreement-ip' },
    { admin: true, method: 'PUT', path: '/agreement-orphan/_doc/1', body: { text: 'kept' } },
    { admin: true, method: 'PUT', path: '/agreement-orphan/_doc/1?pipeline=_none', body: { text: 'kept' } },
    { admin: true, method: 'DELETE', path: '/agreement-orphan' },
  ],
};

/** The step's answer; with `until`, the first that satisfies it (or the last after 20 s). */
async function repeated<T extends { json?: any }>(step: Step, ask: () => Promise<T>): Promise<T> {
  const ends = Date.now() + 20_000;
  for (;;) {
    const answer = await ask();
    if (!step.until || step.until(answer.json) || Date.now() > ends) return answer;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What must agree: status, and for errors the type and the reason (IDs masked). */
function essence(status: number, json: any): unknown {
  const mask = (text: unknown) => (typeof text === 'string' ? text.replace(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])/g, '<id>') : text);
  // `status` of a success: what a deploy answers of its task (CREATED, COMPLETED).
  if (status < 300) return { status, ...(json?.result ? { result: json.result } : {}), ...(typeof json?.status === 'string' ? { answered: json.status } : {}) };
  const error = json?.error;
  return { status, type: typeof error === 'object' ? error.type : undefined, reason: mask(typeof error === 'object' ? error.reason : error) };
}

describe.each(nodes())('OpenSearch %s: the emulator answers as the real node does', (_version, node) => {
  let domain: RealDomain;
  let emulator: OpenSearchEmulator;
  const provider = { accessKeyId: 'AKIAAGREEMENT0000001', secretAccessKey: 'agreement-secret', roleArn: PROVIDER_ROLE_ARN };

  beforeAll(async () => {
    domain = await RealDomain.open(node);
    domain.frontDoor.defineRole(CONNECTOR_ROLE, {
      trust: [{ Effect: 'Allow', Principal: { Service: 'opensearchservice.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      policy: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' }],
    });
    // The provider needs ML permissions on a node with the security plugin: map it for this file only.
    if (node.security) {
      const mapped = await domain.admin('PUT', '/_plugins/_security/api/rolesmapping/ml_full_access', { backend_roles: [PROVIDER_ROLE_ARN] });
      expect(mapped.status).toBeLessThan(300);
    }
    emulator = await OpenSearchEmulator.start({ principals: [provider], engineVersion: node.coreVersion, deployLatencyMs: 0 });
    // ml-commons answers differently before its indices exist (a fresh domain); compare a domain in use.
    const created = await domain.call('POST', `${ML}/connectors/_create`, bedrockConnector({ name: 'agreement setup' }));
    const group = await domain.call('POST', `${ML}/model_groups/_register`, { name: 'agreement setup' });
    const model = await domain.call('POST', `${ML}/models/_register`, { name: 'agreement setup', function_name: 'remote', connector_id: created.json.connector_id, model_group_id: group.json.model_group_id });
    expect([created.status, group.status, model.status]).toEqual([200, 200, 200]);
    await domain.call('DELETE', `${ML}/models/${model.json.model_id}`);
    await domain.call('DELETE', `${ML}/model_groups/${group.json.model_group_id}`);
    await domain.call('DELETE', `${ML}/connectors/${created.json.connector_id}`);
  });
  afterAll(async () => {
    if (node.security) await domain?.admin('DELETE', '/_plugins/_security/api/rolesmapping/ml_full_access');
    await emulator?.stop();
    await domain?.close();
  });

  test.each(Object.keys(CASES))('%s', async (name) => {
    const real: Record<string, string> = {};
    const emulated: Record<string, string> = {};
    const fromNodes: unknown[] = [];
    const fromEmulators: unknown[] = [];
    for (const step of CASES[name]) {
      const realPath = typeof step.path === 'function' ? step.path(real) : step.path;
      const emulatedPath = typeof step.path === 'function' ? step.path(emulated) : step.path;
      const body = (ids: Record<string, string>) => (typeof step.body === 'function' ? (step.body as any)(ids) : step.body);
      const fromNode = await repeated(step, () => (step.admin
        ? domain.admin(step.method, realPath, body(real))
        : domain.call(step.method, realPath, body(real))));
      const fromEmulator = await repeated(step, () => send(emulator, {
        method: step.method, path: emulatedPath, body: body(emulated), credentials: provider,
      }));
      if (step.keep) {
        real[step.keep[0]] = fromNode.json?.[step.keep[1]];
        emulated[step.keep[0]] = fromEmulator.json?.[step.keep[1]];
      }
      fromEmulators.push({ step: `${step.method} ${emulatedPath}`, answer: essence(fromEmulator.status, fromEmulator.json) });
      fromNodes.push({ step: `${step.method} ${emulatedPath}`, answer: essence(fromNode.status, fromNode.json) });
    }
    expect(fromEmulators).toEqual(fromNodes);
  });
});
