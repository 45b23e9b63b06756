import { OpenSearchEmulator } from './index';
import { bedrockConnector, Reply, send } from './test-client';

const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };
const ACTION = {
  action_type: 'predict',
  method: 'POST',
  url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/m/invoke',
};

function without(field: string): Record<string, unknown> {
  const body = bedrockConnector();
  delete body[field];
  return body;
}

function withAction(action: Record<string, unknown>): Record<string, unknown> {
  return bedrockConnector({ actions: [action] });
}

function expectIllegalArgument(reply: Reply, reason: string): void {
  expect(reply.status).toBe(400);
  expect(reply.json).toEqual({
    error: { root_cause: [{ type: 'illegal_argument_exception', reason }], type: 'illegal_argument_exception', reason },
    status: 400,
  });
}

describe('connector validation (2.19)', () => {
  let emulator: OpenSearchEmulator;
  const create = (body: unknown): Promise<Reply> => send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body, credentials: PROVIDER });

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
  });
  afterAll(async () => emulator.stop());
  afterEach(() => {
    expect(emulator.connectors()).toEqual([]);
    emulator.reset();
  });

  it.each([
    ['name', 'Connector name is null'],
    ['version', 'Connector version is null'],
    ['protocol', 'Connector protocol is null'],
    ['credential', 'Connector credential is null or empty list'],
    ['actions', 'No actions configured for this connector'],
  ])('requires %s', async (field, reason) => {
    expectIllegalArgument(await create(without(field)), reason);
  });

  it('requires a non-empty credential and at least one action', async () => {
    expectIllegalArgument(await create(bedrockConnector({ credential: {} })), 'Connector credential is null or empty list');
    expectIllegalArgument(await create(bedrockConnector({ actions: [] })), 'No actions configured for this connector');
  });

  it('requires credential.roleArn, service_name and region for aws_sigv4', async () => {
    expectIllegalArgument(await create(bedrockConnector({ credential: { access_key: 'a', secret_key: 'b' } })), 'Invalid Arguments empty Role ARN');
    const roleArn = { roleArn: 'arn:aws:iam::111122223333:role/connector' };
    expectIllegalArgument(await create(bedrockConnector({ credential: roleArn, parameters: { region: 'us-east-1' } })), 'Missing service name');
    expectIllegalArgument(await create(bedrockConnector({ credential: roleArn, parameters: { service_name: 'bedrock' }, actions: [ACTION] })), 'Missing region');
  });

  it('rejects an unknown protocol', async () => {
    expectIllegalArgument(await create(bedrockConnector({ protocol: 'grpc' })), "Can't find class for type grpc");
  });

  it.each([
    [{ method: 'POST', url: ACTION.url }, "action type can't be null"],
    [{ action_type: 'predict', method: 'POST' }, "url can't be null"],
    [{ action_type: 'predict', url: ACTION.url }, "method can't be null"],
    [{ ...ACTION, action_type: 'train' }, 'No enum constant org.opensearch.ml.common.connector.ConnectorAction.ActionType.TRAIN'],
  ])('validates action %#', async (action, reason) => {
    expectIllegalArgument(await create(withAction(action)), reason);
  });

  it('accepts action_type in any case and stores it upper-case', async () => {
    expect((await create(withAction({ ...ACTION, action_type: 'Execute' }))).status).toBe(200);
    expect((emulator.connectors()[0].source.actions as Array<Record<string, unknown>>)[0].action_type).toBe('EXECUTE');
    emulator.reset();
  });

  it('checks every substituted action URL against the trusted endpoints', async () => {
    // 2.19 names the substituted URL (real 2.19.6); 3.x does not (test/emulator/ml-input-3x.test.ts).
    const untrusted = (url: string) => `Connector URL is not matching the trusted connector endpoint regex, URL is: ${url}`;
    expectIllegalArgument(await create(withAction({ ...ACTION, url: 'https://example.com/model' })), untrusted('https://example.com/model'));
    expectIllegalArgument(await create(bedrockConnector({ parameters: { region: 'us-east-1.evil.com/x?', service_name: 'bedrock', model: 'm' } })),
      untrusted('https://bedrock-runtime.us-east-1.evil.com/x?.amazonaws.com/model/m/invoke'));
    expectIllegalArgument(await create(bedrockConnector({ actions: [ACTION, { ...ACTION, url: 'http://bedrock-runtime.us-east-1.amazonaws.com/x' }] })),
      untrusted('http://bedrock-runtime.us-east-1.amazonaws.com/x'));
    const withDefault = withAction({ ...ACTION, url: 'https://bedrock-runtime.${parameters.where:-us-west-2}.amazonaws.com/model/m/invoke' });
    expect((await create(withDefault)).status).toBe(200);
    emulator.reset();
  });

  it('refuses ${parameters.*} in credential-bearing headers, case-insensitively', async () => {
    for (const header of ['Authorization', 'x-api-key', 'HOST', 'Cookie']) {
      const reply = await create(withAction({ ...ACTION, headers: { [header]: 'Bearer ${parameters.token}' } }));
      expectIllegalArgument(reply, `Header '${header}' cannot use \${parameters.*} placeholders for security reasons. Use \${credential.*} instead.`);
    }
    expect((await create(withAction({ ...ACTION, headers: { 'x-request-id': '${parameters.id}', 'Authorization': '${credential.key}' } }))).status).toBe(200);
    emulator.reset();
  });

  it.each(['access_mode', 'backend_roles', 'add_all_backend_roles'])('refuses %s while connector access control is off', async (field) => {
    const value = field === 'access_mode' ? 'public' : field === 'backend_roles' ? ['admin'] : true;
    expectIllegalArgument(await create(bedrockConnector({ [field]: value })),
      'You cannot specify connector access control parameters because the Security plugin or connector access control is disabled on your cluster.');
  });

  it('validates client_config by field', async () => {
    expectIllegalArgument(await create(bedrockConnector({ client_config: { retry_backoff_policy: 'linear' } })), 'Unsupported retry backoff policy');
    const notANumber = await create(bedrockConnector({ client_config: { max_connection: 'many' } }));
    expect(notANumber.status).toBe(400);
    expect(notANumber.json.error).toMatchObject({ type: 'number_format_exception', reason: 'For input string: "many"' });
    const ok = await create(bedrockConnector({ client_config: { max_connection: 20, read_timeout: '30', retry_backoff_policy: 'EXPONENTIAL_FULL_JITTER', max_retry_times: 3 } }));
    expect(ok.status).toBe(200);
    expect(emulator.connectors()[0].source.client_config).toEqual({ max_connection: 20, read_timeout: 30, retry_backoff_policy: 'exponential_full_jitter', max_retry_times: 3 });
    emulator.reset();
  });

  it('answers wrongly typed fields and bodies like the XContent parser', async () => {
    const objectName = await create(bedrockConnector({ name: { first: 'x' } }));
    expect(objectName.status).toBe(500);
    expect(objectName.json.error.type).toBe('illegal_state_exception');
    const notArray = await create(bedrockConnector({ actions: ACTION }));
    expect(notArray.json.error).toMatchObject({ type: 'parsing_exception', reason: 'Failed to parse object: expecting token of type [START_ARRAY] but found [START_OBJECT]' });
    const notJson = await create('{"name": ');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.type).toBe('json_parse_exception');
    const empty = await create(undefined);
    expect(empty.json.error).toMatchObject({ type: 'parse_exception', reason: 'Create Connector request has empty body' });
  });

  it('validates updates too: trusted URL, headers and access-control fields', async () => {
    const id = (await create(bedrockConnector())).json.connector_id as string;
    const update = (body: unknown): Promise<Reply> => send(emulator, { method: 'PUT', path: `/_plugins/_ml/connectors/${id}`, body, credentials: PROVIDER });
    expectIllegalArgument(await update({ parameters: { region: 'evil.com/' } }),
      'Connector URL is not matching the trusted connector endpoint regex, URL is: https://bedrock-runtime.evil.com/.amazonaws.com/model/amazon.titan-embed-text-v2:0/invoke');
    expectIllegalArgument(await update({ actions: [{ ...ACTION, headers: { 'X-Api-Key': '${parameters.k}' } }] }),
      "Header 'X-Api-Key' cannot use ${parameters.*} placeholders for security reasons. Use ${credential.*} instead.");
    expectIllegalArgument(await update({ access_mode: 'private' }),
      'You cannot specify connector access control parameters because the Security plugin or connector access control is disabled on your cluster.');
    const empty = await update(undefined);
    expect(empty.json.error).toMatchObject({ type: 'parse_exception', reason: 'Failed to update connector: Request body is empty' });
    expect(emulator.connectors()[0].source.parameters).toEqual({ region: 'us-east-1', service_name: 'bedrock', model: 'amazon.titan-embed-text-v2:0' });
    emulator.reset();
  });
});

describe('connector validation that depends on the engine version', () => {
  it('2.13/2.14 know only the connection fields of client_config; 2.12 ignores client_config', async () => {
    for (const [engineVersion, expected] of [['2.14.0', { max_connection: 5 }], ['2.12.0', undefined]] as const) {
      const emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion });
      try {
        const body = bedrockConnector({ client_config: { max_connection: 5, retry_backoff_policy: 'nonsense' } });
        expect((await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body, credentials: PROVIDER })).status).toBe(200);
        expect(emulator.connectors()[0].source.client_config).toEqual(expected);
      } finally {
        await emulator.stop();
      }
    }
  });

  it('execute needs 2.15 and the batch action types 2.17', async () => {
    const emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion: '2.15.0' });
    try {
      const create = (actionType: string): Promise<Reply> => send(emulator, {
        method: 'POST', path: '/_plugins/_ml/connectors/_create', credentials: PROVIDER, body: withAction({ ...ACTION, action_type: actionType }),
      });
      expect((await create('execute')).status).toBe(200);
      expectIllegalArgument(await create('batch_predict'), 'No enum constant org.opensearch.ml.common.connector.ConnectorAction.ActionType.BATCH_PREDICT');
    } finally {
      await emulator.stop();
    }
  });

  it('honours a configured trusted endpoint list', async () => {
    const emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], trustedEndpointsRegex: ['^https://models\\.internal/.*$'] });
    try {
      const reply = await send(emulator, {
        method: 'POST',
        path: '/_plugins/_ml/connectors/_create',
        credentials: PROVIDER,
        body: bedrockConnector({ protocol: 'http', credential: { key: 'k' }, actions: [{ ...ACTION, url: 'https://models.internal/embed' }] }),
      });
      expect(reply.status).toBe(200);
      expectIllegalArgument(await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', credentials: PROVIDER, body: bedrockConnector() }),
        'Connector URL is not matching the trusted connector endpoint regex, URL is: https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2:0/invoke');
    } finally {
      await emulator.stop();
    }
  });
});
