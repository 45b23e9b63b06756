import { readFileSync } from 'fs';
import * as path from 'path';
import { OpenSearchEmulator } from './index';
import { SIGNATURE_MISMATCH, verifySigV4 } from './sigv4';
import { send } from './test-client';

interface SuiteCase {
  readonly name: string;
  readonly method: string;
  readonly uri: string;
  readonly headers: Array<[string, string]>;
  readonly body: string;
  readonly authz: string;
}

const suite = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'sigv4', 'aws-sig-v4-test-suite.json'), 'utf8')) as {
  region: string;
  service: string;
  signingDate: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stsToken: string;
  cases: SuiteCase[];
};

const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };
const SESSION = {
  accessKeyId: 'ASIASESSION',
  secretAccessKey: 'session-secret',
  sessionToken: 'session-token-1',
  roleArn: 'arn:aws:iam::111122223333:role/session',
};

describe('verifySigV4 against the AWS SigV4 test suite', () => {
  it.each(suite.cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of testCase.headers) {
      const key = name.toLowerCase();
      headers[key] = headers[key] === undefined ? value : `${headers[key]},${value}`;
    }
    headers.authorization = testCase.authz;
    const token = headers['x-amz-security-token'] ? suite.stsToken : undefined;
    const result = verifySigV4(
      { method: testCase.method, url: testCase.uri, headers, body: Buffer.from(testCase.body) },
      {
        region: suite.region,
        service: suite.service,
        now: new Date(suite.signingDate),
        lookup: (id) => (id === suite.credentials.accessKeyId ? { ...suite.credentials, sessionToken: token } : undefined),
      },
    );
    expect(result).toEqual({ ok: true, accessKeyId: 'AKIDEXAMPLE' });
  });

  it('rejects a suite request whose signature was altered by one character', () => {
    const testCase = suite.cases[0];
    const headers: Record<string, string> = { 'host': 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' };
    headers.authorization = testCase.authz.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    const result = verifySigV4(
      { method: 'GET', url: '/', headers, body: Buffer.alloc(0) },
      { region: 'us-east-1', service: 'service', now: new Date(suite.signingDate), lookup: () => suite.credentials },
    );
    expect(result).toEqual({ ok: false, anonymous: false, message: SIGNATURE_MISMATCH });
  });
});

describe('SigV4 at the emulator front end', () => {
  let emulator: OpenSearchEmulator;

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER, SESSION], engineVersion: '2.17.0' });
  });
  afterAll(async () => emulator.stop());
  beforeEach(() => emulator.reset());

  it('accepts a correctly signed request and reports the engine version', async () => {
    const reply = await send(emulator, { path: '/', credentials: PROVIDER });
    expect(reply.status).toBe(200);
    expect(reply.json.version).toMatchObject({ number: '2.17.0', distribution: 'opensearch' });
    expect(reply.json.cluster_name).toBe('111122223333:test-domain');
    expect(emulator.requests[0]).toMatchObject({ method: 'GET', path: '/', status: 200, principal: PROVIDER.roleArn });
    // Recorded as received: the signature is there, the secret never is.
    expect(emulator.requests[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAPROVIDER\/\d{8}\/us-east-1\/es\/aws4_request, /);
    expect(JSON.stringify(emulator.requests)).not.toContain(PROVIDER.secretAccessKey);
  });

  it('accepts a signed body, a query string and a session token', async () => {
    const reply = await send(emulator, {
      method: 'POST',
      path: '/_plugins/_ml/connectors/_search?size=5&from=0',
      body: { query: { match_all: {} } },
      credentials: SESSION,
    });
    expect(reply.status).toBe(200);
    expect(emulator.requests[0].headers['x-amz-security-token']).toBe('session-token-1');
  });

  it('accepts UNSIGNED-PAYLOAD and a matching x-amz-content-sha256', async () => {
    const unsigned = await send(emulator, {
      method: 'POST',
      path: '/_plugins/_ml/connectors/_search',
      body: {},
      credentials: PROVIDER,
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    expect(unsigned.status).toBe(200);
    const hashed = await send(emulator, {
      method: 'POST',
      path: '/_plugins/_ml/connectors/_search',
      body: '{}',
      credentials: PROVIDER,
      headers: { 'x-amz-content-sha256': '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a' },
    });
    expect(hashed.status).toBe(200);
  });

  it('answers an unsigned request like the service does for anonymous access', async () => {
    const reply = await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_search' });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({
      Message: 'User: anonymous is not authorized to perform: es:ESHttpPost because no resource-based policy allows the es:ESHttpPost action',
    });
  });

  it('rejects a tampered body', async () => {
    const reply = await send(emulator, {
      method: 'POST',
      path: '/_plugins/_ml/connectors/_search',
      body: { size: 1 },
      credentials: PROVIDER,
      tamper: (request) => { request.body = '{"size":2}'; },
    });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({ message: SIGNATURE_MISMATCH });
  });

  it('rejects a body that does not match x-amz-content-sha256', async () => {
    const reply = await send(emulator, {
      method: 'POST',
      path: '/_plugins/_ml/connectors/_search',
      body: '{}',
      credentials: PROVIDER,
      headers: { 'x-amz-content-sha256': '0'.repeat(64) },
    });
    expect(reply.json).toEqual({ message: SIGNATURE_MISMATCH });
  });

  it('rejects a tampered path and query', async () => {
    const reply = await send(emulator, {
      path: '/_plugins/_ml/connectors/_search?size=1',
      credentials: PROVIDER,
      tamper: (request) => { request.path = '/_plugins/_ml/connectors/_search?size=2'; },
    });
    expect(reply.json).toEqual({ message: SIGNATURE_MISMATCH });
  });

  it('rejects a wrong secret', async () => {
    const reply = await send(emulator, { path: '/', credentials: { ...PROVIDER, secretAccessKey: 'wrong' } });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({ message: SIGNATURE_MISMATCH });
  });

  it('rejects an unknown access key', async () => {
    const reply = await send(emulator, { path: '/', credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' } });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({ message: 'The security token included in the request is invalid.' });
  });

  it('rejects a missing, wrong or unexpected session token', async () => {
    const missing = await send(emulator, { path: '/', credentials: { accessKeyId: SESSION.accessKeyId, secretAccessKey: SESSION.secretAccessKey } });
    const wrong = await send(emulator, { path: '/', credentials: { ...SESSION, sessionToken: 'other' } });
    const unexpected = await send(emulator, { path: '/', credentials: { ...PROVIDER, sessionToken: 'token' } });
    for (const reply of [missing, wrong, unexpected]) {
      expect(reply.status).toBe(403);
      expect(reply.json).toEqual({ message: 'The security token included in the request is invalid.' });
    }
  });

  it('rejects a credential scoped to another region or service', async () => {
    const region = await send(emulator, { path: '/', credentials: PROVIDER, region: 'eu-west-1' });
    expect(region.status).toBe(403);
    expect(region.json).toEqual({ message: "Credential should be scoped to a valid region, not 'eu-west-1'." });
    const service = await send(emulator, { path: '/', credentials: PROVIDER, service: 'aoss' });
    expect(service.json).toEqual({ message: "Credential should be scoped to correct service: 'es'." });
  });

  it('rejects a request signed more than 5 minutes ago or ahead', async () => {
    const old = new Date(Date.now() - 6 * 60 * 1000);
    const expired = await send(emulator, { path: '/', credentials: PROVIDER, date: old });
    expect(expired.status).toBe(403);
    expect(expired.json.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
    const future = await send(emulator, { path: '/', credentials: PROVIDER, date: new Date(Date.now() + 6 * 60 * 1000) });
    expect(future.json.message).toMatch(/^Signature not yet current: /);
    const recent = await send(emulator, { path: '/', credentials: PROVIDER, date: new Date(Date.now() - 4 * 60 * 1000) });
    expect(recent.status).toBe(200);
  });

  it('requires host to be signed', async () => {
    const reply = await send(emulator, { path: '/', credentials: PROVIDER, unsigned: ['host'] });
    expect(reply.json).toEqual({ message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." });
  });

  it('explains a malformed Authorization header', async () => {
    const reply = await send(emulator, { path: '/', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIAPROVIDER/x' } });
    expect(reply.status).toBe(403);
    expect(reply.json.message).toBe("Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
      + "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=AKIAPROVIDER/x");
  });
});
