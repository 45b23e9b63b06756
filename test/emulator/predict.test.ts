import { OpenSearchEmulator } from './index';
import { bedrockConnector, Reply, send, SendOptions } from './test-client';

const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };
const ML = '/_plugins/_ml';
const EMBEDDING_CONFIG = { model_type: 'TEXT_EMBEDDING', embedding_dimension: 8, framework_type: 'SENTENCE_TRANSFORMERS' };

describe('predict', () => {
  let emulator: OpenSearchEmulator;
  let connectorId: string;
  const call = (options: Omit<SendOptions, 'credentials'>): Promise<Reply> => send(emulator, { ...options, credentials: PROVIDER });
  const predict = (modelId: string, parameters: Record<string, unknown> = { inputText: 'hello' }): Promise<Reply> =>
    call({ method: 'POST', path: `${ML}/models/${modelId}/_predict`, body: { parameters } });

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], deployLatencyMs: 0 });
  });
  afterAll(async () => emulator.stop());
  beforeEach(async () => {
    emulator.reset();
    connectorId = (await call({ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector() })).json.connector_id;
  });

  it('answers sentence embeddings of the declared dimension, the same for the same input', async () => {
    const modelId = emulator.putModel({ connectorId, state: 'DEPLOYED', modelConfig: EMBEDDING_CONFIG });
    const reply = await predict(modelId);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      inference_results: [{ output: [{ name: 'sentence_embedding', data_type: 'FLOAT32', shape: [8], data: expect.any(Array) }], status_code: 200 }],
    });
    const data = reply.json.inference_results[0].output[0].data as number[];
    expect(data).toHaveLength(8);
    expect(data.every((value) => typeof value === 'number' && Math.abs(value) <= 1)).toBe(true);
    expect((await predict(modelId)).json).toEqual(reply.json);
    expect((await predict(modelId, { inputText: 'other' })).json.inference_results[0].output[0].data).not.toEqual(data);
  });

  it('embeds each text of a batch', async () => {
    const modelId = emulator.putModel({ connectorId, state: 'DEPLOYED', modelConfig: EMBEDDING_CONFIG });
    const reply = await predict(modelId, { texts: ['a', 'b', 'c'] });
    expect(reply.json.inference_results[0].output.map((output: any) => output.shape)).toEqual([[8], [8], [8]]);
  });

  it('answers a wrong dimension when told to', async () => {
    const modelId = emulator.putModel({ connectorId, state: 'DEPLOYED', modelConfig: EMBEDDING_CONFIG });
    emulator.setPredictBehaviour(modelId, { dimension: 3 });
    const output = (await predict(modelId)).json.inference_results[0].output[0];
    expect([output.shape, output.data.length]).toEqual([[3], 3]);
  });

  it('auto-deploys a registered model on first predict (2.13+ default)', async () => {
    const modelId = emulator.putModel({ connectorId, modelConfig: EMBEDDING_CONFIG });
    expect((await predict(modelId)).status).toBe(200);
    expect(emulator.models()[0].source.model_state).toBe('DEPLOYED');
  });

  it('refuses a model that is not deployed when auto-deploy is off', async () => {
    const modelId = emulator.putModel({ connectorId, modelConfig: EMBEDDING_CONFIG });
    emulator.setModelAutoDeploy(false);
    const reply = await predict(modelId);
    expect([reply.status, reply.json.error.type, reply.json.error.reason])
      .toEqual([400, 'illegal_argument_exception', `Model not ready yet. Please run this first: POST /_plugins/_ml/models/${modelId}/_deploy`]);
    expect(emulator.models()[0].source.model_state).toBe('REGISTERED');
  });

  it('relays remote-service failures as ml-commons does', async () => {
    const modelId = emulator.putModel({ connectorId, state: 'DEPLOYED', modelConfig: EMBEDDING_CONFIG });
    emulator.setPredictBehaviour(connectorId, { remoteError: 'bedrock-access-denied', times: 1 });
    const denied = await predict(modelId);
    expect(denied.status).toBe(403);
    expect(denied.json).toEqual({
      error: {
        root_cause: [{ type: 'status_exception', reason: 'Error from remote service: {"message":"You don\'t have access to the model with the specified model ID."}' }],
        type: 'status_exception',
        reason: 'Error from remote service: {"message":"You don\'t have access to the model with the specified model ID."}',
      },
      status: 403,
    });
    expect((await predict(modelId)).status).toBe(200); // times: 1 used up

    emulator.setPredictBehaviour(modelId, { remoteError: 'bedrock-invoke-denied', times: 1 });
    const invoke = await predict(modelId);
    expect([invoke.status, invoke.json.error.reason]).toEqual([403, 'Error from remote service: {"message":"User: '
      + 'arn:aws:sts::111122223333:assumed-role/connector/opensearch-ml is not authorized to perform: bedrock:InvokeModel on resource: '
      + 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0 because no identity-based policy allows the bedrock:InvokeModel action"}']);

    emulator.setPredictBehaviour('*', { remoteError: { status: 400, body: '{"message":"Malformed input request"}' } });
    const custom = await predict(modelId);
    expect([custom.status, custom.json.error.reason]).toEqual([400, 'Error from remote service: {"message":"Malformed input request"}']);
    emulator.setPredictBehaviour('*', undefined);
    expect((await predict(modelId)).status).toBe(200);
  });

  it('words the SageMaker and STS presets with the connector\'s endpoint and role', async () => {
    const sagemaker = (await call({
      method: 'POST',
      path: `${ML}/connectors/_create`,
      body: bedrockConnector({
        parameters: { region: 'us-east-1', service_name: 'sagemaker' },
        actions: [{ action_type: 'predict', method: 'POST', url: 'https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/my-endpoint/invocations', request_body: '${parameters.input}' }],
      }),
    })).json.connector_id;
    const modelId = emulator.putModel({ connectorId: sagemaker, state: 'DEPLOYED' });
    emulator.setPredictBehaviour(modelId, { remoteError: 'sagemaker-endpoint-not-found' });
    const missing = await predict(modelId);
    expect([missing.status, missing.json.error.reason]).toEqual([400, 'Error from remote service: {"message":"Endpoint my-endpoint of account 111122223333 not found."}']);
    emulator.setPredictBehaviour(modelId, { remoteError: 'assume-role-denied' });
    const sts = await predict(modelId);
    expect(sts.status).toBe(403);
    expect(sts.json.error.reason).toContain('is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/connector');
  });

  it('answers a scripted response verbatim, and a generic output without an embedding dimension', async () => {
    const modelId = emulator.putModel({ connectorId, state: 'DEPLOYED' });
    expect((await predict(modelId)).json).toEqual({ inference_results: [{ output: [{ name: 'response', dataAsMap: { response: 'ok' } }], status_code: 200 }] });
    emulator.setPredictBehaviour(modelId, { response: { status: 429, body: { message: 'slow down' } } });
    const reply = await predict(modelId);
    expect([reply.status, reply.json]).toEqual([429, { message: 'slow down' }]);
  });

  it('refuses a model disabled with the update API (is_enabled: false)', async () => {
    const modelId = emulator.putModel({ connectorId, state: 'DEPLOYED', modelConfig: EMBEDDING_CONFIG });
    expect((await call({ method: 'PUT', path: `${ML}/models/${modelId}`, body: { is_enabled: false } })).status).toBe(200);
    const reply = await predict(modelId);
    expect([reply.status, reply.json.error.type, reply.json.error.reason]).toEqual([403, 'status_exception', 'Model is disabled.']);
  });

  it('answers 404 for a missing model and is IAM-evaluated and recorded', async () => {
    const reply = await predict('nope');
    expect([reply.status, reply.json.error.reason]).toEqual([404, 'Failed to find model']);
    emulator.setPrincipalPolicy(PROVIDER.roleArn, [{ Effect: 'Allow', Action: 'es:ESHttpGet', Resource: '*' }]);
    const denied = await predict('nope');
    expect(denied.status).toBe(403);
    expect(denied.json.Message).toContain('es:ESHttpPost');
    expect(emulator.requests.slice(-2).map((request) => [request.path, request.status])).toEqual([
      [`${ML}/models/nope/_predict`, 404], [`${ML}/models/nope/_predict`, 403],
    ]);
  });
});

describe('predict before auto-deploy (2.12)', () => {
  it('refuses a registered model: model_auto_deploy arrived in 2.13', async () => {
    const emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion: '2.12.0' });
    try {
      const call = (options: Omit<SendOptions, 'credentials'>): Promise<Reply> => send(emulator, { ...options, credentials: PROVIDER });
      const connectorId = (await call({ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector() })).json.connector_id;
      const modelId = emulator.putModel({ connectorId, modelConfig: EMBEDDING_CONFIG });
      const reply = await call({ method: 'POST', path: `${ML}/models/${modelId}/_predict`, body: { parameters: { inputText: 'x' } } });
      expect([reply.status, reply.json.error.reason]).toEqual([400, `Model not ready yet. Please run this first: POST /_plugins/_ml/models/${modelId}/_deploy`]);
      emulator.setModelAutoDeploy(true);
      expect((await call({ method: 'POST', path: `${ML}/models/${modelId}/_predict`, body: { parameters: { inputText: 'x' } } })).status).toBe(200);
    } finally {
      await emulator.stop();
    }
  });
});
