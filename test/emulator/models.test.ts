import { OpenSearchEmulator } from './index';
import { bedrockConnector, Reply, send, SendOptions } from './test-client';

const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };

describe('remote models', () => {
  let emulator: OpenSearchEmulator;
  let connectorId: string;
  const call = (options: Omit<SendOptions, 'credentials'>): Promise<Reply> => send(emulator, { ...options, credentials: PROVIDER });

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
  });
  afterAll(async () => emulator.stop());
  beforeEach(async () => {
    emulator.reset();
    connectorId = (await call({ method: 'POST', path: '/_plugins/_ml/connectors/_create', body: bedrockConnector() })).json.connector_id;
  });

  it('registers a model group once per name', async () => {
    const first = await call({ method: 'POST', path: '/_plugins/_ml/model_groups/_register', body: { name: 'embeddings', description: 'd' } });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ model_group_id: expect.stringMatching(/^[A-Za-z0-9_-]{20}$/), status: 'CREATED' });
    const again = await call({ method: 'POST', path: '/_plugins/_ml/model_groups/_register', body: { name: 'embeddings' } });
    expect(again.status).toBe(400);
    expect(again.json.error.reason).toBe(`The name you provided is already being used by a model group with ID: ${first.json.model_group_id}.`);
  });

  it('registers, deploys, undeploys and deletes a remote model', async () => {
    const group = (await call({ method: 'POST', path: '/_plugins/_ml/model_groups/_register', body: { name: 'g' } })).json.model_group_id;
    const registered = await call({
      method: 'POST',
      path: '/_plugins/_ml/models/_register',
      body: { name: 'titan', function_name: 'remote', model_group_id: group, connector_id: connectorId, model_config: { embedding_dimension: 1024 } },
    });
    expect(registered.json).toEqual({ task_id: expect.any(String), status: 'CREATED', model_id: expect.any(String) });
    const modelId = registered.json.model_id as string;
    expect((await call({ path: `/_plugins/_ml/models/${modelId}` })).json).toMatchObject({
      name: 'titan', model_group_id: group, algorithm: 'REMOTE', model_state: 'REGISTERED', connector_id: connectorId, model_version: '1',
    });

    const deployed = await call({ method: 'POST', path: `/_plugins/_ml/models/${modelId}/_deploy` });
    expect(deployed.json).toEqual({ task_id: expect.any(String), task_type: 'DEPLOY_MODEL', status: 'CREATED' });
    const task = await call({ path: `/_plugins/_ml/tasks/${deployed.json.task_id}` });
    expect(task.json).toMatchObject({ model_id: modelId, task_type: 'DEPLOY_MODEL', state: 'COMPLETED' });
    expect((await call({ path: `/_plugins/_ml/models/${modelId}` })).json.model_state).toBe('DEPLOYED');

    const refused = await call({ method: 'DELETE', path: `/_plugins/_ml/models/${modelId}` });
    expect(refused.status).toBe(400);
    expect(refused.json.error.reason).toBe('Model cannot be deleted in deploying or deployed state. Try undeploy model first then delete');

    const undeployed = await call({ method: 'POST', path: `/_plugins/_ml/models/${modelId}/_undeploy` });
    expect(Object.values(undeployed.json)).toEqual([{ stats: { [modelId]: 'undeployed' } }]);
    const deleted = await call({ method: 'DELETE', path: `/_plugins/_ml/models/${modelId}` });
    expect(deleted.json).toMatchObject({ _index: '.plugins-ml-model', _id: modelId, result: 'deleted' });
    expect((await call({ path: `/_plugins/_ml/models/${modelId}` })).status).toBe(404);
    expect((await call({ method: 'DELETE', path: `/_plugins/_ml/connectors/${connectorId}` })).status).toBe(200);
  });

  it('deploys on register with ?deploy=true and creates a model group when none is given', async () => {
    const reply = await call({ method: 'POST', path: '/_plugins/_ml/models/_register?deploy=true', body: { name: 'm', function_name: 'remote', connector_id: connectorId } });
    const model = await call({ path: `/_plugins/_ml/models/${reply.json.model_id}` });
    expect(model.json.model_state).toBe('DEPLOYED');
    expect(model.json.model_group_id).toMatch(/^[A-Za-z0-9_-]{20}$/);
  });

  it('needs an existing connector', async () => {
    const reply = await call({ method: 'POST', path: '/_plugins/_ml/models/_register', body: { name: 'm', function_name: 'remote', connector_id: 'missing' } });
    expect(reply.status).toBe(404);
    expect(reply.json.error.reason).toBe('Failed to find connector with the provided connector id: missing');
  });

  it('putModel links a model to a connector without HTTP', async () => {
    const modelId = emulator.putModel({ connectorId, name: 'direct', state: 'DEPLOYED' });
    expect((await call({ path: `/_plugins/_ml/models/${modelId}` })).json).toMatchObject({ name: 'direct', model_state: 'DEPLOYED', connector_id: connectorId });
    expect(emulator.requests.map((request) => request.path)).toEqual(['/_plugins/_ml/connectors/_create', `/_plugins/_ml/models/${modelId}`]);
  });
});
