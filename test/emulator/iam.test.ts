import { evaluatePolicy, wildcardMatch } from './iam';
import { OpenSearchEmulator } from './index';
import { bedrockConnector, send } from './test-client';

const DOMAIN_ARN = 'arn:aws:es:us-east-1:111122223333:domain/test-domain';
const CONNECTOR_ROLE = 'arn:aws:iam::111122223333:role/connector';
const PROVIDER = {
  accessKeyId: 'AKIAPROVIDER',
  secretAccessKey: 'provider-secret',
  roleArn: 'arn:aws:iam::111122223333:role/service-role/provider',
  policy: [
    { Effect: 'Allow', Action: ['es:ESHttpPost', 'es:ESHttpGet', 'es:ESHttpPut'], Resource: `${DOMAIN_ARN}/*` },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: CONNECTOR_ROLE },
  ],
};
const STS_ARN = 'arn:aws:sts::111122223333:assumed-role/provider/AKIAPROVIDER';

describe('IAM policy evaluation', () => {
  it('matches * and ? wildcards, actions case-insensitively, resources case-sensitively', () => {
    expect(wildcardMatch('es:ESHttp*', 'es:eshttpget', true)).toBe(true);
    expect(wildcardMatch('es:ESHttpP?t', 'es:ESHttpPut', true)).toBe(true);
    expect(wildcardMatch('es:ESHttpP?t', 'es:ESHttpPost', true)).toBe(false);
    expect(wildcardMatch('arn:aws:es:*:*:domain/Test/*', 'arn:aws:es:us-east-1:1:domain/test/x', false)).toBe(false);
  });

  it('lets an explicit Deny win over an Allow and denies what nothing allows', () => {
    const policy = [
      { Effect: 'Allow', Action: 'es:*', Resource: '*' },
      { Effect: 'Deny', Action: 'es:ESHttpDelete', Resource: `${DOMAIN_ARN}/_plugins/*` },
    ];
    expect(evaluatePolicy(policy, 'es:ESHttpGet', `${DOMAIN_ARN}/`)).toBe('allow');
    expect(evaluatePolicy(policy, 'es:ESHttpDelete', `${DOMAIN_ARN}/_plugins/_ml/connectors/x`)).toBe('explicit-deny');
    expect(evaluatePolicy([], 'es:ESHttpGet', DOMAIN_ARN)).toBe('implicit-deny');
    expect(evaluatePolicy(undefined, 'es:ESHttpGet', DOMAIN_ARN)).toBe('allow');
  });
});

describe('IAM at the domain front end', () => {
  let emulator: OpenSearchEmulator;

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
  });
  afterAll(async () => emulator.stop());
  beforeEach(() => emulator.reset());

  it('allows what the policy allows, including / (resource path "")', async () => {
    expect((await send(emulator, { path: '/', credentials: PROVIDER })).status).toBe(200);
    expect((await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', body: bedrockConnector(), credentials: PROVIDER })).status).toBe(200);
  });

  it('denies an action the policy does not allow, naming the assumed-role session', async () => {
    const reply = await send(emulator, { method: 'DELETE', path: '/_plugins/_ml/connectors/abc', credentials: PROVIDER });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({
      Message: `User: ${STS_ARN} is not authorized to perform: es:ESHttpDelete because no identity-based policy allows the es:ESHttpDelete action`,
    });
    expect(emulator.requests[0].principal).toBe(PROVIDER.roleArn);
  });

  it('reports an explicit deny and follows setPrincipalPolicy until reset', async () => {
    emulator.setPrincipalPolicy(PROVIDER.roleArn, [
      ...PROVIDER.policy,
      { Effect: 'Deny', Action: 'es:ESHttpGet', Resource: `${DOMAIN_ARN}/_plugins/*` },
    ]);
    const denied = await send(emulator, { path: '/_plugins/_ml/connectors/_search', credentials: PROVIDER });
    expect(denied.json.Message).toBe(`User: ${STS_ARN} is not authorized to perform: es:ESHttpGet with an explicit deny in an identity-based policy`);
    expect((await send(emulator, { path: '/', credentials: PROVIDER })).status).toBe(200);
    emulator.reset();
    expect((await send(emulator, { path: '/_plugins/_ml/connectors/_search', credentials: PROVIDER })).status).toBe(200);
  });

  it('treats a policy scoped to the domain ARN without /* as not covering its paths', async () => {
    emulator.setPrincipalPolicy(PROVIDER.roleArn, [{ Effect: 'Allow', Action: 'es:*', Resource: DOMAIN_ARN }]);
    expect((await send(emulator, { path: '/', credentials: PROVIDER })).status).toBe(403);
  });

  it('checks iam:PassRole on credential.roleArn when creating and updating connectors', async () => {
    const other = 'arn:aws:iam::111122223333:role/other';
    const create = await send(emulator, {
      method: 'POST',
      path: '/_plugins/_ml/connectors/_create',
      credentials: PROVIDER,
      body: bedrockConnector({ credential: { roleArn: other } }),
    });
    expect(create.status).toBe(403);
    expect(create.json).toEqual({
      Message: `User: ${STS_ARN} is not authorized to perform: iam:PassRole on resource: ${other} because no identity-based policy allows the iam:PassRole action`,
    });
    expect(emulator.connectors()).toEqual([]);

    const id = (await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_create', credentials: PROVIDER, body: bedrockConnector() })).json.connector_id;
    const update = await send(emulator, { method: 'PUT', path: `/_plugins/_ml/connectors/${id}`, credentials: PROVIDER, body: { credential: { roleArn: other } } });
    expect(update.status).toBe(403);
    expect(emulator.connectors()[0].source.credential).toEqual({ roleArn: CONNECTOR_ROLE });
    const unrelated = await send(emulator, { method: 'PUT', path: `/_plugins/_ml/connectors/${id}`, credentials: PROVIDER, body: { description: 'no role here' } });
    expect(unrelated.status).toBe(200);
  });
});
