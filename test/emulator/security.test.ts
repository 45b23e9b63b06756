import { OpenSearchEmulator } from './index';
import { bedrockConnector, Reply, send, SendOptions } from './test-client';

const MASTER_ARN = 'arn:aws:iam::111122223333:role/master';
const MASTER = { accessKeyId: 'AKIAMASTER', secretAccessKey: 'master-secret', roleArn: MASTER_ARN };
const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };
const READER = { accessKeyId: 'AKIAREADER', secretAccessKey: 'reader-secret', roleArn: 'arn:aws:iam::111122223333:role/reader' };
const ADMIN_USER = { username: 'admin', password: 'Admin-Passw0rd!' };
const MAPPING_PATH = '/_plugins/_security/api/rolesmapping';

const OTHERS = {
  backend_roles: ['arn:aws:iam::111122223333:role/keep-me'],
  users: ['alice', 'bob'],
  hosts: ['10.0.0.*'],
};

describe('fine-grained access control', () => {
  let emulator: OpenSearchEmulator;
  const asMaster = (options: Omit<SendOptions, 'credentials'>): Promise<Reply> => send(emulator, { ...options, credentials: MASTER });

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({
      principals: [MASTER, PROVIDER, READER],
      fgac: {
        masterUserArn: MASTER_ARN,
        masterUser: ADMIN_USER,
        rolesMapping: {
          ml_full_access: OTHERS,
          ml_read_access: { backend_roles: [READER.roleArn] },
          manage_snapshots: { backend_roles: ['x'], reserved: true },
          hidden_role: { users: ['y'], hidden: true },
        },
      },
    });
  });
  afterAll(async () => emulator.stop());
  beforeEach(() => emulator.reset());

  it('refuses an ML call from an unmapped IAM role with the security plugin message', async () => {
    const reply = await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body: bedrockConnector(), credentials: PROVIDER });
    expect(reply.status).toBe(403);
    const reason = `no permissions for [cluster:admin/opensearch/ml/create_connector] and User [name=${PROVIDER.roleArn}, backend_roles=[${PROVIDER.roleArn}], requestedTenant=null]`;
    expect(reply.json).toEqual({ error: { root_cause: [{ type: 'security_exception', reason }], type: 'security_exception', reason }, status: 403 });
    expect(emulator.connectors()).toEqual([]);
  });

  it('parses the request before checking privileges, like the REST layer does', async () => {
    const reply = await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body: { version: 1 }, credentials: PROVIDER });
    expect(reply.status).toBe(400);
    expect(reply.json.error.reason).toBe('Connector name is null');
  });

  it('lets the IAM master, the internal master and mapped roles call ML APIs', async () => {
    expect((await asMaster({ method: 'POST', path: '/_plugins/_ml/connectors/_create', body: bedrockConnector() })).status).toBe(200);
    const basic = await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_search', body: {}, basic: ADMIN_USER });
    expect(basic.status).toBe(200);
    expect(emulator.requests[1].principal).toBe('basic:admin');
    expect((await send(emulator, { path: '/_plugins/_ml/connectors/_search', credentials: READER })).status).toBe(200);
    const readerCreate = await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body: bedrockConnector(), credentials: READER });
    expect(readerCreate.status).toBe(403);
    expect(readerCreate.json.error.reason).toContain('no permissions for [cluster:admin/opensearch/ml/create_connector]');
  });

  it('answers a wrong basic-auth password with the security plugin challenge', async () => {
    const reply = await send(emulator, { path: '/', basic: { username: 'admin', password: 'wrong' } });
    expect(reply.status).toBe(401);
    expect(reply.text).toBe('Unauthorized');
    expect(reply.headers['www-authenticate']).toBe('Basic realm="OpenSearch Security"');
  });

  it('refuses iam:PassRole to a basic-auth caller, who is anonymous to IAM', async () => {
    const reply = await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body: bedrockConnector(), basic: ADMIN_USER });
    expect(reply.status).toBe(403);
    expect(reply.json.Message).toBe('User: anonymous is not authorized to perform: iam:PassRole on resource: arn:aws:iam::111122223333:role/connector');
  });

  it('maps the master into all_access and security_manager on a new domain', async () => {
    const reply = await asMaster({ path: `${MAPPING_PATH}/all_access` });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      all_access: { hosts: [], users: ['admin'], reserved: false, hidden: false, backend_roles: [MASTER_ARN], and_backend_roles: [] },
    });
    expect(reply.text).toBe(`{"all_access":{"hosts":[],"users":["admin"],"reserved":false,"hidden":false,"backend_roles":["${MASTER_ARN}"],"and_backend_roles":[]}}`);
  });

  it('PUT replaces a mapping (200) or creates one (201); GET and DELETE follow', async () => {
    const created = await asMaster({ method: 'PUT', path: `${MAPPING_PATH}/ml_read_access`, body: { users: ['carol'] } });
    expect(created.status).toBe(200);
    expect(created.json).toEqual({ status: 'OK', message: "'ml_read_access' updated." });
    expect(emulator.rolesMapping('ml_read_access')).toEqual({ hosts: [], users: ['carol'], reserved: false, hidden: false, backend_roles: [], and_backend_roles: [] });

    await asMaster({ method: 'DELETE', path: `${MAPPING_PATH}/ml_read_access` });
    const fresh = await asMaster({ method: 'PUT', path: `${MAPPING_PATH}/ml_read_access`, body: { backend_roles: [READER.roleArn] } });
    expect(fresh.status).toBe(201);
    expect(fresh.json).toEqual({ status: 'CREATED', message: "'ml_read_access' created." });

    const deleted = await asMaster({ method: 'DELETE', path: `${MAPPING_PATH}/ml_read_access` });
    expect(deleted.json).toEqual({ status: 'OK', message: "'ml_read_access' deleted." });
    const missing = await asMaster({ path: `${MAPPING_PATH}/ml_read_access` });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ status: 'NOT_FOUND', message: "rolesmapping 'ml_read_access' not found." });
  });

  it('validates PUT bodies like the security plugin', async () => {
    const unknownKey = await asMaster({ method: 'PUT', path: `${MAPPING_PATH}/ml_full_access`, body: { backend_roles: [], colour: 'red' } });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.json).toEqual({ status: 'error', reason: 'Invalid configuration', invalid_keys: { keys: 'colour' } });
    const wrongType = await asMaster({ method: 'PUT', path: `${MAPPING_PATH}/ml_full_access`, body: { users: 'alice' } });
    expect(wrongType.json).toEqual({ status: 'error', reason: 'Wrong datatype', users: 'Array expected' });
    const noRole = await asMaster({ method: 'PUT', path: `${MAPPING_PATH}/no_such_role`, body: { users: ['x'] } });
    expect(noRole.status).toBe(404);
    expect(noRole.json).toEqual({ status: 'NOT_FOUND', message: "role 'no_such_role' not found." });
  });

  it('PATCH add then remove leaves a mapping with other members byte-identical', async () => {
    const before = JSON.stringify(emulator.rolesMapping('ml_full_access'));
    const added = await asMaster({
      method: 'PATCH',
      path: `${MAPPING_PATH}/ml_full_access`,
      body: [{ op: 'add', path: '/backend_roles/-', value: PROVIDER.roleArn }],
    });
    expect(added.status).toBe(200);
    expect(added.json).toEqual({ status: 'OK', message: "'ml_full_access' updated." });
    expect(emulator.rolesMapping('ml_full_access')).toMatchObject({ backend_roles: [...OTHERS.backend_roles, PROVIDER.roleArn], users: OTHERS.users, hosts: OTHERS.hosts });
    expect((await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_search', body: {}, credentials: PROVIDER })).status).toBe(200);

    const current = emulator.rolesMapping('ml_full_access') as { backend_roles: string[] };
    const index = current.backend_roles.indexOf(PROVIDER.roleArn);
    const removed = await asMaster({
      method: 'PATCH',
      path: `${MAPPING_PATH}/ml_full_access`,
      body: [{ op: 'test', path: `/backend_roles/${index}`, value: PROVIDER.roleArn }, { op: 'remove', path: `/backend_roles/${index}` }],
    });
    expect(removed.status).toBe(200);
    expect(JSON.stringify(emulator.rolesMapping('ml_full_access'))).toBe(before);
  });

  it('PATCH on the collection addresses mappings by name', async () => {
    const reply = await asMaster({ method: 'PATCH', path: MAPPING_PATH, body: [{ op: 'add', path: '/ml_full_access/users/-', value: 'dave' }] });
    expect(reply.json).toEqual({ status: 'OK', message: 'Resource updated.' });
    expect(emulator.rolesMapping('ml_full_access')).toMatchObject({ users: ['alice', 'bob', 'dave'] });
  });

  it('PATCH fails atomically with 400 on a failing test or a bad path', async () => {
    const before = JSON.stringify(emulator.rolesMapping('ml_full_access'));
    const failingTest = await asMaster({
      method: 'PATCH',
      path: `${MAPPING_PATH}/ml_full_access`,
      body: [{ op: 'add', path: '/users/-', value: 'eve' }, { op: 'test', path: '/users/0', value: 'mallory' }],
    });
    expect(failingTest.status).toBe(400);
    expect(failingTest.json).toEqual({ status: 'BAD_REQUEST', message: '[TEST Operation] value mismatch' });
    const badPath = await asMaster({ method: 'PATCH', path: `${MAPPING_PATH}/ml_full_access`, body: [{ op: 'remove', path: '/backend_roles/7' }] });
    expect(badPath.status).toBe(400);
    const unknownField = await asMaster({ method: 'PATCH', path: `${MAPPING_PATH}/ml_full_access`, body: [{ op: 'replace', path: '/nope', value: [] }] });
    expect(unknownField.status).toBe(400);
    const badOp = await asMaster({ method: 'PATCH', path: `${MAPPING_PATH}/ml_full_access`, body: [{ op: 'move', from: '/users', path: '/hosts' }] });
    expect(badOp.json.message).toMatch(/^Unsupported patch operation: move\./);
    expect(JSON.stringify(emulator.rolesMapping('ml_full_access'))).toBe(before);
    const missing = await asMaster({ method: 'PATCH', path: `${MAPPING_PATH}/ml_read_access_nope`, body: [{ op: 'add', path: '/users/-', value: 'x' }] });
    expect(missing.status).toBe(404);
  });

  it('protects reserved and hidden mappings', async () => {
    const reserved = await asMaster({ method: 'PUT', path: `${MAPPING_PATH}/manage_snapshots`, body: { users: ['x'] } });
    expect(reserved.status).toBe(403);
    expect(reserved.json).toEqual({ status: 'FORBIDDEN', message: "Resource 'manage_snapshots' is reserved." });
    expect((await asMaster({ method: 'DELETE', path: `${MAPPING_PATH}/manage_snapshots` })).status).toBe(403);
    const hidden = await asMaster({ path: `${MAPPING_PATH}/hidden_role` });
    expect(hidden.status).toBe(404);
    expect(hidden.json).toEqual({ status: 'NOT_FOUND', message: "Resource 'hidden_role' is not available." });
    const all = await asMaster({ path: MAPPING_PATH });
    expect(Object.keys(all.json)).not.toContain('hidden_role');
  });

  it('lets only the master or a security_manager call the security API', async () => {
    const denied = await send(emulator, { path: `${MAPPING_PATH}/ml_full_access`, credentials: READER });
    expect(denied.status).toBe(403);
    expect(denied.json).toEqual({
      status: 'FORBIDDEN',
      message: `No permission to access REST API: User ${READER.roleArn} with Security roles [ml_read_access] does not have any role privileged for admin access`,
    });
    await asMaster({ method: 'PATCH', path: `${MAPPING_PATH}/security_manager`, body: [{ op: 'add', path: '/backend_roles/-', value: READER.roleArn }] });
    expect((await send(emulator, { path: `${MAPPING_PATH}/ml_full_access`, credentials: READER })).status).toBe(200);
  });
});

describe('without fine-grained access control', () => {
  it('has no security API and needs only IAM for ML APIs', async () => {
    const emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
    try {
      const reply = await send(emulator, { path: `${MAPPING_PATH}/ml_full_access`, credentials: PROVIDER });
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual({ error: `no handler found for uri [${MAPPING_PATH}/ml_full_access] and method [GET]` });
      expect(emulator.rolesMapping('ml_full_access')).toBeUndefined();
      expect((await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body: bedrockConnector(), credentials: PROVIDER })).status).toBe(200);
      const basic = await send(emulator, { path: '/', basic: ADMIN_USER });
      expect(basic.status).toBe(403);
    } finally {
      await emulator.stop();
    }
  });
});
