/*
 * What ml-commons 3.x refuses at request validation, as a real 3.6 node answered it in test/real (the emulator
 * accepted both before), and that 2.19 still accepts.
 */
import { OpenSearchEmulator } from './index';
import { bedrockConnector, Reply, send, SendOptions } from './test-client';

const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };
const ML = '/_plugins/_ml';
const RULE = "can only contain letters, numbers, spaces, and basic punctuation (.,!?():@-_'/\")";
const EMBEDDING = { model_type: 'TEXT_EMBEDDING', embedding_dimension: 8, framework_type: 'SENTENCE_TRANSFORMERS' };

describe.each([['3.6.0', true], ['2.19.0', false]] as const)('OpenSearch %s', (engineVersion, refuses) => {
  let emulator: OpenSearchEmulator;
  const call = (options: Omit<SendOptions, 'credentials'>): Promise<Reply> => send(emulator, { ...options, credentials: PROVIDER });
  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion, deployLatencyMs: 0 });
  });
  afterAll(async () => emulator.stop());
  beforeEach(() => emulator.reset());

  test(`a connector name or description with '<', '#' or '&' is ${refuses ? 'refused, description first' : 'accepted'}`, async () => {
    const reply = await call({ method: 'POST', path: `${ML}/connectors/_create`, body: { ...bedrockConnector(), name: '<YOUR CONNECTOR NAME>', description: 'a #1 & b' } });
    if (!refuses) {
      expect(reply.status).toBe(200);
      return;
    }
    expect(reply.status).toBe(400);
    expect(reply.json.error.type).toBe('action_request_validation_exception');
    expect(reply.json.error.reason).toBe(`Validation Failed: 1: Model connector description ${RULE};2: Model connector name ${RULE};`);
  });

  test('letters of any script, digits, whitespace and . , ! ? ( ) : @ - _ \' / " are accepted', async () => {
    const reply = await call({ method: 'POST', path: `${ML}/connectors/_create`, body: { ...bedrockConnector(), name: "Titan v2: résumé 日本 (a/b) 'x' \"y\" @z_1-2.3, ok?!", description: 'tab\tand\nnewline' } });
    expect(reply.status).toBe(200);
  });

  test(`a model group name with '>' is ${refuses ? 'refused' : 'accepted'}`, async () => {
    const reply = await call({ method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'a<b>', description: 'x' } });
    expect(reply.status).toBe(refuses ? 400 : 200);
    if (refuses) expect(reply.json.error.reason).toBe(`Validation Failed: 1: Model group name ${RULE};`);
  });

  test(`a remote TEXT_EMBEDDING model without additional_config.space_type is ${refuses ? 'refused' : 'accepted'}; with one it is registered`, async () => {
    const connectorId = (await call({ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector() })).json.connector_id;
    const without = await call({ method: 'POST', path: `${ML}/models/_register`, body: { name: 'm', function_name: 'remote', connector_id: connectorId, model_config: EMBEDDING } });
    expect(without.status).toBe(refuses ? 400 : 200);
    if (refuses) {
      expect(without.json.error).toMatchObject({ type: 'illegal_argument_exception', reason: 'Space type must be provided in additional_config for remote text embedding model' });
    }
    const withSpace = await call({
      method: 'POST',
      path: `${ML}/models/_register`,
      body: { name: 'm2', function_name: 'remote', connector_id: connectorId, model_config: { ...EMBEDDING, additional_config: { space_type: 'l2' } } },
    });
    expect(withSpace.status).toBe(200);
  });

  test(`a model name with '[' is ${refuses ? 'refused, description first' : 'accepted'}`, async () => {
    const connectorId = (await call({ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector() })).json.connector_id;
    const reply = await call({ method: 'POST', path: `${ML}/models/_register`, body: { name: 'titan [v2]', description: 'x+y', function_name: 'remote', connector_id: connectorId } });
    expect(reply.status).toBe(refuses ? 400 : 200);
    if (refuses) expect(reply.json.error.reason).toBe(`Validation Failed: 1: Model description ${RULE};2: Model name ${RULE};`);
  });
});
