import { OpenSearchEmulator } from './index';
import { bedrockConnector, send, SendOptions } from './test-client';

const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };

function call(emulator: OpenSearchEmulator, options: Omit<SendOptions, 'credentials'>) {
  return send(emulator, { ...options, credentials: PROVIDER });
}

async function create(emulator: OpenSearchEmulator, body: Record<string, unknown> = bedrockConnector()): Promise<string> {
  const reply = await call(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body });
  expect(reply.status).toBe(200);
  return reply.json.connector_id as string;
}

describe('connector CRUD on 2.19', () => {
  let emulator: OpenSearchEmulator;

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
  });
  afterAll(async () => emulator.stop());
  beforeEach(() => emulator.reset());

  it('creates a connector with a 20-character URL-safe id and stores it with timestamps and credential', async () => {
    const before = Date.now();
    const id = await create(emulator);
    expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const [stored] = emulator.connectors();
    expect(stored.id).toBe(id);
    expect(Object.keys(stored.source)).toEqual(['name', 'version', 'description', 'protocol', 'parameters', 'credential', 'actions',
      'created_time', 'last_updated_time']);
    expect(stored.source).toMatchObject({
      version: '1',
      protocol: 'aws_sigv4',
      credential: { roleArn: 'arn:aws:iam::111122223333:role/connector' },
    });
    expect((stored.source.actions as Array<Record<string, unknown>>)[0].action_type).toBe('PREDICT');
    expect(stored.source.created_time).toBeGreaterThanOrEqual(before);
    expect(stored.source.last_updated_time).toBe(stored.source.created_time);
  });

  it('stores non-string parameter values as their JSON text and ignores unknown fields', async () => {
    await create(emulator, bedrockConnector({
      parameters: { region: 'us-east-1', service_name: 'bedrock', model: 'm', dimensions: 1024, normalize: true, extra: { a: [1] } },
      not_a_field: { ignored: true },
    }));
    const [stored] = emulator.connectors();
    expect(stored.source.parameters).toEqual({ region: 'us-east-1', service_name: 'bedrock', model: 'm', dimensions: '1024', normalize: 'true', extra: '{"a":[1]}' });
    expect(stored.source).not.toHaveProperty('not_a_field');
  });

  it('gets a connector without its credential', async () => {
    const id = await create(emulator);
    const reply = await call(emulator, { path: `/_plugins/_ml/connectors/${id}` });
    expect(reply.status).toBe(200);
    expect(reply.json.name).toBe('Bedrock Titan embeddings');
    expect(reply.json).not.toHaveProperty('credential');
    expect(reply.text).not.toContain('arn:aws:iam::111122223333:role/connector');
  });

  it('on 2.19, a delete before any connector was made answers 500, caused by the missing index (real 2.19.6)', async () => {
    const fresh = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion: '2.19.0' });
    try {
      const deleted = await call(fresh, { method: 'DELETE', path: '/_plugins/_ml/connectors/nope' });
      expect(deleted.status).toBe(500);
      expect(deleted.json.error).toMatchObject({
        root_cause: [{ type: 'index_not_found_exception', reason: 'no such index [.plugins-ml-connector]' }],
        type: 'status_exception',
        reason: 'Failed to delete data object from index .plugins-ml-connector',
        caused_by: { type: 'index_not_found_exception' },
      });
    } finally {
      await fresh.stop();
    }
  });

  it('answers 404 for a missing connector on get and update; delete answers the index\'s not_found (real 2.19.6 and 3.6.0)', async () => {
    await create(emulator); // the connector index exists
    const deleted = await call(emulator, { method: 'DELETE', path: '/_plugins/_ml/connectors/nope' });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ _index: '.plugins-ml-connector', _id: 'nope', result: 'not_found' });
    for (const method of ['GET', 'PUT']) {
      const reply = await call(emulator, { method, path: '/_plugins/_ml/connectors/nope', body: method === 'PUT' ? { description: 'x' } : undefined });
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual({
        error: {
          root_cause: [{ type: 'status_exception', reason: 'Failed to find connector with the provided connector id: nope' }],
          type: 'status_exception',
          reason: 'Failed to find connector with the provided connector id: nope',
        },
        status: 404,
      });
    }
  });

  it('updates: merges parameters, replaces credential and actions, sets listed fields', async () => {
    const id = await create(emulator);
    const [original] = emulator.connectors();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const reply = await call(emulator, {
      method: 'PUT',
      path: `/_plugins/_ml/connectors/${id}`,
      body: {
        description: 'updated',
        parameters: { model: 'amazon.titan-embed-text-v1', dimensions: 512 },
        credential: { roleArn: 'arn:aws:iam::111122223333:role/other' },
        actions: [{ action_type: 'PREDICT', method: 'POST', url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/x/invoke' }],
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      _index: '.plugins-ml-connector',
      _id: id,
      _version: 2,
      result: 'updated',
      _shards: { total: 2, successful: 2, failed: 0 },
      _seq_no: 1,
      _primary_term: 1,
    });
    const [stored] = emulator.connectors();
    expect(stored.source.description).toBe('updated');
    expect(stored.source.name).toBe('Bedrock Titan embeddings');
    expect(stored.source.parameters).toEqual({ region: 'us-east-1', service_name: 'bedrock', model: 'amazon.titan-embed-text-v1', dimensions: '512' });
    expect(stored.source.credential).toEqual({ roleArn: 'arn:aws:iam::111122223333:role/other' });
    expect(stored.source.actions).toEqual([{ action_type: 'PREDICT', method: 'POST', url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/x/invoke' }]);
    expect(stored.source.created_time).toBe(original.source.created_time);
    expect(stored.source.last_updated_time).toBeGreaterThan(original.source.last_updated_time as number);
  });

  it('keeps the credential when an update sends none', async () => {
    const id = await create(emulator);
    await call(emulator, { method: 'PUT', path: `/_plugins/_ml/connectors/${id}`, body: { name: 'renamed' } });
    expect(emulator.connectors()[0].source).toMatchObject({ name: 'renamed', credential: { roleArn: 'arn:aws:iam::111122223333:role/connector' } });
  });

  it('refuses an update while a model using the connector is deployed', async () => {
    const id = await create(emulator);
    const deployed = emulator.putModel({ connectorId: id, state: 'DEPLOYED' });
    emulator.putModel({ connectorId: id });
    const reply = await call(emulator, { method: 'PUT', path: `/_plugins/_ml/connectors/${id}`, body: { description: 'x' } });
    expect(reply.status).toBe(400);
    expect(reply.json.error).toMatchObject({
      type: 'status_exception',
      reason: `1 models are still using this connector, please undeploy the models first: [${deployed}]`,
    });
  });

  it('deletes a connector with the index-operation response', async () => {
    const id = await create(emulator);
    const reply = await call(emulator, { method: 'DELETE', path: `/_plugins/_ml/connectors/${id}` });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ _index: '.plugins-ml-connector', _id: id, _version: 2, result: 'deleted', _primary_term: 1 });
    expect(emulator.connectors()).toEqual([]);
  });

  it('refuses to delete a connector that models still reference (409 on 2.12+)', async () => {
    const id = await create(emulator);
    const a = emulator.putModel({ connectorId: id });
    const b = emulator.putModel({ connectorId: id, state: 'DEPLOYED' });
    const reply = await call(emulator, { method: 'DELETE', path: `/_plugins/_ml/connectors/${id}` });
    expect(reply.status).toBe(409);
    expect(reply.json.error.reason).toBe(`2 models are still using this connector, please delete or update the models first: [${a}, ${b}]`);
    expect(emulator.connectors()).toHaveLength(1);
  });

  it('takes models of another connector whose ID shares a part between hyphens for this one\'s, as ml-commons\' text match does (2.19.6, 3.6.0)', async () => {
    emulator.nextConnectorIds('7-1-NKIB9oBJxIEQ49_T', '3-1-NKIB9oBJxIEQ4d_q', 'Su1NKIB9oBJxIEQ9uAYx');
    const [mine, other, apart] = [await create(emulator), await create(emulator), await create(emulator)];
    expect([mine, other, apart]).toEqual(['7-1-NKIB9oBJxIEQ49_T', '3-1-NKIB9oBJxIEQ4d_q', 'Su1NKIB9oBJxIEQ9uAYx']);
    const theirs = emulator.putModel({ connectorId: other, state: 'DEPLOYED' });
    emulator.putModel({ connectorId: apart, state: 'DEPLOYED' });
    const update = await call(emulator, { method: 'PUT', path: `/_plugins/_ml/connectors/${mine}`, body: { description: 'x' } });
    expect([update.status, update.json.error.reason]).toEqual([400, `1 models are still using this connector, please undeploy the models first: [${theirs}]`]);
    const del = await call(emulator, { method: 'DELETE', path: `/_plugins/_ml/connectors/${mine}` });
    expect([del.status, del.json.error.reason]).toEqual([409, `1 models are still using this connector, please delete or update the models first: [${theirs}]`]);
  });

  it('answers 400 for a path nothing serves and 405 for a known path with another method', async () => {
    const unknown = await call(emulator, { path: '/_plugins/_ml/nothing' });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({ error: 'no handler found for uri [/_plugins/_ml/nothing] and method [GET]' });
    const wrongMethod = await call(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/abc' });
    expect(wrongMethod.status).toBe(405);
  });
});

describe('version-dependent connector behaviour', () => {
  it('2.11: update is disabled by default; delete of a referenced connector is a 500', async () => {
    const emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion: '2.11.0' });
    try {
      const id = await create(emulator);
      const update = await call(emulator, { method: 'PUT', path: `/_plugins/_ml/connectors/${id}`, body: { description: 'x' } });
      expect(update.status).toBe(500);
      expect(update.json.error.reason).toBe(
        'Update connector API is currently disabled. To enable it, update the setting "plugins.ml_commons.update_connector.enabled" to true.');
      emulator.putModel({ connectorId: id });
      const del = await call(emulator, { method: 'DELETE', path: `/_plugins/_ml/connectors/${id}` });
      expect(del.status).toBe(500);
      expect(del.json.error.reason).toBe('1 models are still using this connector, please delete or update the models first!');
    } finally {
      await emulator.stop();
    }
  });

  it('2.9: there is no update route at all', async () => {
    const emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], engineVersion: '2.9.0' });
    try {
      const id = await create(emulator);
      const update = await call(emulator, { method: 'PUT', path: `/_plugins/_ml/connectors/${id}`, body: { description: 'x' } });
      expect(update.status).toBe(405);
      expect(update.json.error).toBe(`Incorrect HTTP method for uri [/_plugins/_ml/connectors/${id}] and method [PUT], allowed: [GET, DELETE]`);
    } finally {
      await emulator.stop();
    }
  });
});

/*
 * Third-party model APIs on Amazon OpenSearch Service: protocol http, the API key in Secrets
 * Manager (credential.secretArn) read with an IAM role (credential.roleArn), headers reading
 * ${credential.secretArn.<key>}. No region or service_name is required.
 */
describe('http connectors with the API key in Secrets Manager', () => {
  let emulator: OpenSearchEmulator;
  const SECRET = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:opensearch/openai-AbCdEf';
  const ROLE = 'arn:aws:iam::111122223333:role/connector';
  const openAi = (credential: Record<string, string>) => ({
    name: 'OpenAI embeddings',
    version: '1',
    protocol: 'http',
    parameters: { model: 'text-embedding-3-small' },
    credential,
    actions: [{
      action_type: 'predict',
      method: 'POST',
      url: 'https://api.openai.com/v1/embeddings',
      headers: { Authorization: 'Bearer ${credential.secretArn.openAI_key}' },
      request_body: '{ "input": ${parameters.input}, "model": "${parameters.model}" }',
    }],
  });

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
  });
  afterAll(async () => emulator.stop());
  beforeEach(() => emulator.reset());

  it('creates it with { secretArn, roleArn } and never returns the credential', async () => {
    const id = await create(emulator, openAi({ secretArn: SECRET, roleArn: ROLE }));
    expect(emulator.connectors()[0].source).toMatchObject({ protocol: 'http', credential: { secretArn: SECRET, roleArn: ROLE } });
    const reply = await call(emulator, { method: 'GET', path: `/_plugins/_ml/connectors/${id}` });
    expect(reply.status).toBe(200);
    expect(reply.json).not.toHaveProperty('credential');
    expect(reply.text).not.toContain(SECRET);
  });

  it('checks iam:PassRole on its roleArn, as for aws_sigv4 connectors', async () => {
    emulator.setPrincipalPolicy(PROVIDER.roleArn, [{ Effect: 'Allow', Action: 'es:ESHttpPost', Resource: `${emulator.domainArn}/*` }]);
    const reply = await call(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body: openAi({ secretArn: SECRET, roleArn: ROLE }) });
    expect(reply.status).toBe(403);
    expect(reply.text).toContain(`iam:PassRole on resource: ${ROLE}`);
    expect(emulator.connectors()).toEqual([]);
  });

  it('still refuses an untrusted URL and an empty credential', async () => {
    const untrusted = { ...openAi({ secretArn: SECRET, roleArn: ROLE }), actions: [{ ...openAi({}).actions[0], url: 'https://api.example.com/v1/embeddings' }] };
    const refused = await call(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body: untrusted });
    expect(refused.status).toBe(400);
    expect(refused.json.error.reason).toBe('Connector URL is not matching the trusted connector endpoint regex, URL is: https://api.example.com/v1/embeddings');
    const empty = await call(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body: openAi({}) });
    expect(empty.status).toBe(400);
    expect(empty.json.error.reason).toBe('Connector credential is null or empty list');
  });
});
