import { OpenSearchEmulator } from './index';
import { bedrockConnector, Reply, send, SendOptions } from './test-client';

const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };
const ML = '/_plugins/_ml';

describe('remote models', () => {
  let emulator: OpenSearchEmulator;
  let connectorId: string;
  const call = (options: Omit<SendOptions, 'credentials'>): Promise<Reply> => send(emulator, { ...options, credentials: PROVIDER });
  const register = async (body: Record<string, unknown> = {}, query = ''): Promise<string> => {
    const reply = await call({ method: 'POST', path: `${ML}/models/_register${query}`, body: { name: 'm', function_name: 'remote', connector_id: connectorId, ...body } });
    expect(reply.status).toBe(200);
    return reply.json.model_id as string;
  };
  const model = async (id: string): Promise<any> => (await call({ path: `${ML}/models/${id}` })).json;

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], deployLatencyMs: 0 });
  });
  afterAll(async () => emulator.stop());
  beforeEach(async () => {
    emulator.reset();
    connectorId = (await call({ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector() })).json.connector_id;
  });

  it('registers a model group once per name', async () => {
    const first = await call({ method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'embeddings', description: 'd' } });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ model_group_id: expect.stringMatching(/^[A-Za-z0-9_-]{20}$/), status: 'CREATED' });
    const again = await call({ method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'embeddings' } });
    expect(again.status).toBe(400);
    expect(again.json.error.reason).toBe(`The name you provided is already being used by a model group with ID: ${first.json.model_group_id}.`);
  });

  it('registers, deploys, undeploys and deletes a remote model', async () => {
    const group = (await call({ method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'g' } })).json.model_group_id;
    const registered = await call({
      method: 'POST',
      path: `${ML}/models/_register`,
      body: { name: 'titan', function_name: 'remote', model_group_id: group, connector_id: connectorId, model_config: { embedding_dimension: 1024 } },
    });
    expect(registered.json).toEqual({ task_id: expect.any(String), status: 'CREATED', model_id: expect.any(String) });
    const modelId = registered.json.model_id as string;
    expect(await model(modelId)).toMatchObject({
      name: 'titan', model_group_id: group, algorithm: 'REMOTE', model_state: 'REGISTERED', connector_id: connectorId, model_version: '1',
    });

    const deployed = await call({ method: 'POST', path: `${ML}/models/${modelId}/_deploy` });
    expect(deployed.json).toEqual({ task_id: expect.any(String), task_type: 'DEPLOY_MODEL', status: 'COMPLETED' });
    const task = await call({ path: `${ML}/tasks/${deployed.json.task_id}` });
    expect(task.json).toEqual({
      model_id: modelId,
      task_type: 'DEPLOY_MODEL',
      function_name: 'REMOTE',
      state: 'COMPLETED',
      worker_node: [emulator.mlNodeIds[0]],
      create_time: expect.any(Number),
      last_update_time: expect.any(Number),
      is_async: true,
    });
    expect(await model(modelId)).toMatchObject({ model_state: 'DEPLOYED', current_worker_node_count: 1, planning_worker_nodes: [emulator.mlNodeIds[0]] });

    const refused = await call({ method: 'DELETE', path: `${ML}/models/${modelId}` });
    expect(refused.status).toBe(400);
    expect(refused.json.error.reason).toBe('Model cannot be deleted in deploying or deployed state. Try undeploy model first then delete');

    const undeployed = await call({ method: 'POST', path: `${ML}/models/${modelId}/_undeploy` });
    expect(undeployed.json).toEqual({ [emulator.mlNodeIds[0]]: { stats: { [modelId]: 'undeployed' } } });
    expect(await model(modelId)).toMatchObject({ model_state: 'UNDEPLOYED', planning_worker_nodes: [], current_worker_node_count: 0 });
    const deleted = await call({ method: 'DELETE', path: `${ML}/models/${modelId}` });
    expect(deleted.json).toMatchObject({ _index: '.plugins-ml-model', _id: modelId, result: 'deleted' });
    expect((await call({ path: `${ML}/models/${modelId}` })).status).toBe(404);
    expect((await call({ method: 'DELETE', path: `${ML}/connectors/${connectorId}` })).status).toBe(200);
  });

  it('moves a deploy task CREATED -> RUNNING -> COMPLETED over the configured latency', async () => {
    const modelId = await register();
    emulator.setDeployLatency(400);
    const deployed = await call({ method: 'POST', path: `${ML}/models/${modelId}/_deploy` });
    const taskPath = `${ML}/tasks/${deployed.json.task_id}`;
    const seen: string[] = [(await call({ path: taskPath })).json.state];
    expect(seen[0]).toBe('CREATED');
    expect((await model(modelId)).model_state).toBe('DEPLOYING');
    const deadline = Date.now() + 3000;
    while (seen[seen.length - 1] !== 'COMPLETED' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const state = (await call({ path: taskPath })).json.state as string;
      if (state !== seen[seen.length - 1]) seen.push(state);
    }
    expect(seen).toEqual(['CREATED', 'RUNNING', 'COMPLETED']);
    expect((await model(modelId)).model_state).toBe('DEPLOYED');
  });

  it('refuses to delete a model while its deploy is running, and settleDeploys waits for it', async () => {
    const modelId = await register();
    emulator.setDeployLatency(150);
    await call({ method: 'POST', path: `${ML}/models/${modelId}/_deploy` });
    const refused = await call({ method: 'DELETE', path: `${ML}/models/${modelId}` });
    expect(refused.status).toBe(400);
    await emulator.settleDeploys();
    expect(emulator.models()[0].source.model_state).toBe('DEPLOYED');
  });

  it('fails the next deploy with the per-node error ml-commons stores', async () => {
    const modelId = await register();
    emulator.failDeploys({ target: modelId, message: 'Connection refused' });
    const task = (await call({ method: 'POST', path: `${ML}/models/${modelId}/_deploy` })).json.task_id;
    const failed = (await call({ path: `${ML}/tasks/${task}` })).json;
    expect(failed).toMatchObject({ state: 'FAILED', error: JSON.stringify({ [emulator.mlNodeIds[0]]: 'Connection refused' }) });
    expect(JSON.parse(failed.error)).toEqual({ [emulator.mlNodeIds[0]]: 'Connection refused' });
    expect((await model(modelId)).model_state).toBe('DEPLOY_FAILED');
    // used up: the next deploy succeeds, and a failed model can be deleted
    const retry = (await call({ method: 'POST', path: `${ML}/models/${modelId}/_deploy` })).json.task_id;
    expect((await call({ path: `${ML}/tasks/${retry}` })).json.state).toBe('COMPLETED');
  });

  it('completes a deploy with an error on one of two nodes (PARTIALLY_DEPLOYED)', async () => {
    const modelId = await register();
    emulator.failDeploys({ target: connectorId, state: 'COMPLETED_WITH_ERROR', message: 'boom' });
    const task = (await call({ method: 'POST', path: `${ML}/models/${modelId}/_deploy` })).json.task_id;
    const [node, peer] = emulator.mlNodeIds;
    expect((await call({ path: `${ML}/tasks/${task}` })).json).toMatchObject({ state: 'COMPLETED_WITH_ERROR', worker_node: [node, peer], error: JSON.stringify({ [peer]: 'boom' }) });
    expect(await model(modelId)).toMatchObject({ model_state: 'PARTIALLY_DEPLOYED', planning_worker_node_count: 2, current_worker_node_count: 1 });
    expect((await call({ method: 'DELETE', path: `${ML}/models/${modelId}` })).status).toBe(400);
  });

  it('fails the next N deploys of any model', async () => {
    emulator.failDeploys({ times: 2 });
    const states: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await register({ name: `m${i}` }, '?deploy=true');
      states.push((await model(id)).model_state);
    }
    expect(states).toEqual(['DEPLOY_FAILED', 'DEPLOY_FAILED', 'DEPLOYED']);
    expect(emulator.tasks().filter((task) => task.source.task_type === 'DEPLOY_MODEL').map((task) => task.source.state)).toEqual(['FAILED', 'FAILED', 'COMPLETED']);
  });

  it('deploys on register with ?deploy=true and creates a model group when none is given', async () => {
    emulator.setDeployLatency(100);
    const modelId = await register({}, '?deploy=true');
    expect((await model(modelId)).model_state).toBe('DEPLOYING');
    await emulator.settleDeploys();
    const deployed = await model(modelId);
    expect(deployed.model_state).toBe('DEPLOYED');
    expect(deployed.model_group_id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(emulator.tasks().map((task) => task.source.task_type)).toEqual(['REGISTER_MODEL', 'DEPLOY_MODEL']);
  });

  it('answers not_found when undeploying a model no node has', async () => {
    const modelId = await register();
    const reply = await call({ method: 'POST', path: `${ML}/models/${modelId}/_undeploy` });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ [emulator.mlNodeIds[0]]: { stats: { [modelId]: 'not_found' } } });
    expect((await model(modelId)).model_state).toBe('REGISTERED');
  });

  it('answers 404 for a missing model or task', async () => {
    // GET names the ID (real 2.19.6 and 3.6.0, with the model index present)
    const get = await call({ path: `${ML}/models/nope` });
    expect([get.status, get.json.error.type, get.json.error.reason]).toEqual([404, 'status_exception', 'Failed to find model with the provided model id: nope']);
    for (const request of [
      { method: 'DELETE', path: `${ML}/models/nope` },
      { method: 'POST', path: `${ML}/models/nope/_deploy` },
      { method: 'POST', path: `${ML}/models/nope/_undeploy` },
    ]) {
      const reply = await call(request);
      expect([reply.status, reply.json.error.type, reply.json.error.reason]).toEqual([404, 'status_exception', 'Failed to find model']);
    }
    expect((await call({ path: `${ML}/tasks/nope` })).json.error.reason).toBe('Failed to find task');
  });

  it('needs an existing connector', async () => {
    const reply = await call({ method: 'POST', path: `${ML}/models/_register`, body: { name: 'm', function_name: 'remote', connector_id: 'missing' } });
    expect(reply.status).toBe(404);
    expect(reply.json.error.reason).toBe('Failed to find connector with the provided connector id: missing');
  });

  it('putModel links a model to a connector without HTTP', async () => {
    const modelId = emulator.putModel({ connectorId, name: 'direct', state: 'DEPLOYED' });
    expect(await model(modelId)).toMatchObject({ name: 'direct', model_state: 'DEPLOYED', connector_id: connectorId });
    expect(emulator.requests.map((request) => request.path)).toEqual([`${ML}/connectors/_create`, `${ML}/models/${modelId}`]);
  });

  it('refuses to update or delete a connector a deploying model uses', async () => {
    const modelId = await register();
    emulator.setDeployLatency(200);
    await call({ method: 'POST', path: `${ML}/models/${modelId}/_deploy` });
    const update = await call({ method: 'PUT', path: `${ML}/connectors/${connectorId}`, body: { description: 'x' } });
    expect(update.status).toBe(400);
    expect(update.json.error.reason).toBe(`1 models are still using this connector, please undeploy the models first: [${modelId}]`);
    const del = await call({ method: 'DELETE', path: `${ML}/connectors/${connectorId}` });
    expect(del.status).toBe(409);
    expect(del.json.error.reason).toBe(`1 models are still using this connector, please delete or update the models first: [${modelId}]`);
  });

  describe('update', () => {
    it('updates name, description, model_config (merged) and connector_id like an index update', async () => {
      const modelId = await register({ model_config: { model_type: 'TEXT_EMBEDDING', embedding_dimension: 1024, framework_type: 'SENTENCE_TRANSFORMERS' } });
      const other = (await call({ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector({ name: 'other' }) })).json.connector_id;
      const reply = await call({
        method: 'PUT',
        path: `${ML}/models/${modelId}`,
        body: { name: 'renamed', description: 'new', connector_id: other, model_config: { embedding_dimension: 512 }, unknown_field: 1 },
      });
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({
        _index: '.plugins-ml-model',
        _id: modelId,
        _version: expect.any(Number),
        result: 'updated',
        _shards: { total: 2, successful: 2, failed: 0 },
        _seq_no: expect.any(Number),
        _primary_term: 1,
      });
      expect(await model(modelId)).toMatchObject({
        name: 'renamed',
        description: 'new',
        connector_id: other,
        model_config: { model_type: 'TEXT_EMBEDDING', embedding_dimension: 512, framework_type: 'SENTENCE_TRANSFORMERS' },
      });
      expect((await model(modelId)).unknown_field).toBeUndefined();
    });

    it('moves a model to another group as that group\'s next version', async () => {
      const modelId = await register();
      const group = (await call({ method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'target' } })).json.model_group_id;
      await register({ name: 'first', model_group_id: group });
      expect((await call({ method: 'PUT', path: `${ML}/models/${modelId}`, body: { model_group_id: group } })).status).toBe(200);
      expect(await model(modelId)).toMatchObject({ model_group_id: group, model_version: '2' });
      const missing = await call({ method: 'PUT', path: `${ML}/models/${modelId}`, body: { model_group_id: 'nope' } });
      expect([missing.status, missing.json.error.reason]).toEqual([404, 'Failed to find the model group with the provided model group id in the update model input, MODEL_GROUP_ID: nope']);
    });

    it('answers the real refusals', async () => {
      const modelId = await register();
      const cases: Array<[Record<string, unknown> | undefined, string, number, string]> = [
        [undefined, modelId, 400, 'Update model request has empty body'],
        [{ name: 'x' }, 'nope', 404, 'Failed to find model to update with the provided model id: nope'],
        [{ connector_id: 'nope' }, modelId, 404, 'Failed to find connector with the provided connector id: nope'],
        [{ connector_id: connectorId, connector: { name: 'c' } }, modelId, 400,
          'Model cannot have both stand-alone connector and internal connector. Please check your update input body.'],
        [{ connector: { description: 'c' } }, modelId, 400,
          'Cannot update connector settings for this model. The model was created with a connector_id and does not have an inline connector.'],
      ];
      for (const [body, id, status, reason] of cases) {
        const reply = await call({ method: 'PUT', path: `${ML}/models/${id}`, body });
        expect([reply.status, reply.json.error.reason]).toEqual([status, reason]);
      }
    });

    it('refuses a deploying model (409) but updates a deployed one on 2.13+', async () => {
      const modelId = await register();
      emulator.setDeployLatency(200);
      await call({ method: 'POST', path: `${ML}/models/${modelId}/_deploy` });
      const busy = await call({ method: 'PUT', path: `${ML}/models/${modelId}`, body: { description: 'x' } });
      expect([busy.status, busy.json.error.reason]).toEqual([409, `Model is deploying. Please wait for the model to complete deployment. model ID ${modelId}`]);
      await emulator.settleDeploys();
      expect((await call({ method: 'PUT', path: `${ML}/models/${modelId}`, body: { description: 'x' } })).status).toBe(200);
    });
  });

  describe('search', () => {
    it('filters by connector_id / model_group_id / name and sorts', async () => {
      const other = (await call({ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector({ name: 'other' }) })).json.connector_id;
      const a = await register({ name: 'Titan embeddings' });
      const b = await register({ name: 'Cohere embeddings', connector_id: other });
      const c = await register({ name: 'Titan text' });
      const ids = async (body: unknown, method = 'POST'): Promise<string[]> => {
        const reply = await call({ method, path: `${ML}/models/_search`, body });
        expect(reply.status).toBe(200);
        return reply.json.hits.hits.map((hit: any) => hit._id);
      };
      expect(await ids({ query: { term: { connector_id: connectorId } }, sort: [{ created_time: 'asc' }] })).toEqual([a, c]);
      expect(await ids({ query: { bool: { filter: [{ terms: { connector_id: [other] } }] } } })).toEqual([b]);
      expect(await ids({ query: { match: { name: 'titan' } }, sort: [{ 'name.keyword': 'desc' }], size: 1 })).toEqual([c]);
      const groupOfB = (await model(b)).model_group_id;
      expect(await ids({ query: { term: { model_group_id: groupOfB } } }, 'GET')).toEqual([b]);
      const hit = (await call({ method: 'POST', path: `${ML}/models/_search`, body: { query: { ids: { values: [a] } } } })).json.hits.hits[0];
      expect(hit).toMatchObject({ _index: '.plugins-ml-model', _id: a, _source: { name: 'Titan embeddings', connector_id: connectorId } });
    });
  });

  describe('model groups', () => {
    it('gets, updates and deletes a group, refusing while models belong to it', async () => {
      const group = (await call({ method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'g', description: 'd' } })).json.model_group_id;
      expect((await call({ path: `${ML}/model_groups/${group}` })).json).toMatchObject({ name: 'g', description: 'd', latest_version: 0 });
      const updated = await call({ method: 'PUT', path: `${ML}/model_groups/${group}`, body: { name: 'g2', description: 'd2' } });
      expect(updated.json).toEqual({ status: 'Updated' });
      expect((await call({ path: `${ML}/model_groups/${group}` })).json).toMatchObject({ name: 'g2', description: 'd2' });

      const modelId = await register({ model_group_id: group });
      const refused = await call({ method: 'DELETE', path: `${ML}/model_groups/${group}` });
      expect([refused.status, refused.json.error.type, refused.json.error.reason]).toEqual([409, 'status_exception', 'Cannot delete the model group when it has associated model versions']);
      await call({ method: 'DELETE', path: `${ML}/models/${modelId}` });
      const deleted = await call({ method: 'DELETE', path: `${ML}/model_groups/${group}` });
      expect(deleted.json).toMatchObject({ _index: '.plugins-ml-model-group', _id: group, result: 'deleted' });
      const again = await call({ method: 'DELETE', path: `${ML}/model_groups/${group}` });
      expect([again.status, again.json.result]).toEqual([404, 'not_found']);
      const get = await call({ path: `${ML}/model_groups/${group}` });
      expect([get.status, get.json.error.reason]).toEqual([404, `Failed to find model group with the provided model group id: ${group}`]);
    });

    it('refuses a name another group uses', async () => {
      const first = (await call({ method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'a' } })).json.model_group_id;
      const second = (await call({ method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'b' } })).json.model_group_id;
      const reply = await call({ method: 'PUT', path: `${ML}/model_groups/${second}`, body: { name: 'a' } });
      expect([reply.status, reply.json.error.reason]).toEqual([400, `The name you provided is already being used by another model with ID: ${first}. Please provide a different name`]);
    });
  });
});

describe('remote models on older engines', () => {
  let emulator: OpenSearchEmulator;
  const call = (options: Omit<SendOptions, 'credentials'>): Promise<Reply> => send(emulator, { ...options, credentials: PROVIDER });
  afterEach(async () => emulator.stop());

  it('has no model update API before 2.12', async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion: '2.11.0' });
    const reply = await call({ method: 'PUT', path: `${ML}/models/abc`, body: { name: 'x' } });
    expect(reply.status).toBe(405);
    expect(reply.json.error).toBe('Incorrect HTTP method for uri [/_plugins/_ml/models/abc] and method [PUT], allowed: [GET, DELETE]');
  });

  it('deletes a model group with its last version before 2.11 only', async () => {
    for (const [engineVersion, groupsLeft] of [['2.10.0', 0], ['2.11.0', 1]] as const) {
      emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion });
      const connectorId = (await call({ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector() })).json.connector_id;
      const modelId = emulator.putModel({ connectorId });
      expect((await call({ method: 'DELETE', path: `${ML}/models/${modelId}` })).status).toBe(200);
      expect([engineVersion, emulator.modelGroups().length]).toEqual([engineVersion, groupsLeft]);
      if (engineVersion === '2.10.0') await emulator.stop();
    }
  });

  it('refuses to update a deployed model on 2.12', async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion: '2.12.0', deployLatencyMs: 0 });
    const connectorId = (await call({ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector() })).json.connector_id;
    const modelId = emulator.putModel({ connectorId, state: 'DEPLOYED' });
    const reply = await call({ method: 'PUT', path: `${ML}/models/${modelId}`, body: { description: 'x' } });
    expect([reply.status, reply.json.error.type, reply.json.error.reason])
      .toEqual([500, 'm_l_validation_exception', `ML Model ${modelId} is in deploying or deployed state, please undeploy the models first!`]);
  });
});
