import { OpenSearchEmulator } from './index';
import { bedrockConnector, send } from './test-client';

const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };
const CREATE = { method: 'POST', path: '/_plugins/_ml/connectors/_create', credentials: PROVIDER };

describe('injected faults', () => {
  let emulator: OpenSearchEmulator;

  beforeAll(async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
  });
  afterAll(async () => emulator.stop());
  beforeEach(() => emulator.reset());

  it('answers with the real 429 envelope by default and changes nothing', async () => {
    emulator.injectFault({ method: 'POST', path: '/_plugins/_ml/connectors/_create', status: 429 });
    const reply = await send(emulator, { ...CREATE, body: bedrockConnector() });
    expect(reply.status).toBe(429);
    expect(reply.json.error.type).toBe('es_rejected_execution_exception');
    expect(reply.json.status).toBe(429);
    expect(emulator.connectors()).toEqual([]);
    expect(emulator.requests[0].fault).toBe('phase=before status=429');
    const next = await send(emulator, { ...CREATE, body: bedrockConnector() });
    expect(next.status).toBe(200);
    expect(emulator.requests[1].fault).toBeUndefined();
  });

  it('uses real bodies for 503 and 504, or the one given', async () => {
    emulator.injectFault({ status: 503 });
    emulator.injectFault({ status: 504 });
    emulator.injectFault({ status: 500, body: { custom: true } });
    emulator.injectFault({ status: 502, body: 'plain' });
    expect((await send(emulator, { path: '/', credentials: PROVIDER })).json.error.type).toBe('cluster_block_exception');
    const timeout = await send(emulator, { path: '/', credentials: PROVIDER });
    expect(timeout.status).toBe(504);
    expect(timeout.text).toContain('504 Gateway Time-out');
    expect((await send(emulator, { path: '/', credentials: PROVIDER })).json).toEqual({ custom: true });
    expect((await send(emulator, { path: '/', credentials: PROVIDER })).text).toBe('plain');
  });

  it('applies faults in FIFO order to matching requests only, `times` times', async () => {
    emulator.injectFault({ path: /connectors\/_search$/, status: 503, times: 2 });
    emulator.injectFault({ method: 'GET', status: 500 });
    const root = await send(emulator, { path: '/', credentials: PROVIDER });
    expect(root.status).toBe(500);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await send(emulator, { method: 'POST', path: '/_plugins/_ml/connectors/_search', body: {}, credentials: PROVIDER })).status);
    }
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('delays before processing', async () => {
    emulator.injectFault({ path: '/', delayMs: 150 });
    const started = Date.now();
    const reply = await send(emulator, { path: '/', credentials: PROVIDER });
    expect(reply.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(emulator.requests[0].fault).toBe('phase=before delay=150ms');
  });

  it('drops the connection before processing: nothing is created', async () => {
    emulator.injectFault({ path: '/_plugins/_ml/connectors/_create', drop: true });
    await expect(send(emulator, { ...CREATE, body: bedrockConnector() })).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(emulator.connectors()).toEqual([]);
    expect(emulator.requests[0]).toMatchObject({ status: 0, responseBody: '', fault: 'phase=before drop' });
  });

  it('drops the connection after processing: the connector IS created', async () => {
    emulator.injectFault({ path: '/_plugins/_ml/connectors/_create', drop: true, phase: 'after' });
    await expect(send(emulator, { ...CREATE, body: bedrockConnector() })).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(emulator.connectors()).toHaveLength(1);
    expect(emulator.requests[0]).toMatchObject({ status: 0, principal: PROVIDER.roleArn, fault: 'phase=after drop' });
  });

  it('a request delayed across a reset is dropped: the next test neither gets its change nor sees it in the log', async () => {
    emulator.injectFault({ path: '/_plugins/_ml/connectors/_create', delayMs: 300 });
    const pending = send(emulator, { ...CREATE, body: bedrockConnector() });
    await new Promise((resolve) => setTimeout(resolve, 100));
    emulator.reset();
    await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(emulator.connectors()).toEqual([]);
    expect(emulator.requests).toEqual([]);
    // The same for an answer delayed after processing: what it did belongs to the world before the reset.
    emulator.injectFault({ path: '/_plugins/_ml/connectors/_create', delayMs: 300, phase: 'after' });
    const late = send(emulator, { ...CREATE, body: bedrockConnector() });
    await new Promise((resolve) => setTimeout(resolve, 100));
    emulator.reset();
    await expect(late).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(emulator.requests).toEqual([]);
  });

  it('answers with an error status after processing (an ambiguous 504)', async () => {
    emulator.injectFault({ path: '/_plugins/_ml/connectors/_create', status: 504, delayMs: 20, phase: 'after' });
    const reply = await send(emulator, { ...CREATE, body: bedrockConnector() });
    expect(reply.status).toBe(504);
    expect(emulator.connectors()).toHaveLength(1);
  });

  it('bodyIncludes: only requests whose body contains the text take the fault', async () => {
    emulator.injectFault({ path: '/_plugins/_ml/connectors/_create', bodyIncludes: '"lane-2"', status: 503 });
    const other = await send(emulator, { ...CREATE, body: { ...bedrockConnector(), name: 'lane-1' } });
    expect(other.status).toBe(200);
    const ours = await send(emulator, { ...CREATE, body: { ...bedrockConnector(), name: 'lane-2' } });
    expect(ours.status).toBe(503);
  });

  it('clearFaults(tag) removes only that tag\'s faults', async () => {
    emulator.injectFault({ path: '/', status: 500, times: 5, tag: 'a' });
    emulator.injectFault({ path: '/', status: 502, tag: 'b' });
    emulator.clearFaults('a');
    expect((await send(emulator, { path: '/', credentials: PROVIDER })).status).toBe(502);
    expect((await send(emulator, { path: '/', credentials: PROVIDER })).status).toBe(200);
  });

  it('clearFaults removes pending faults', async () => {
    emulator.injectFault({ status: 500, times: 5 });
    emulator.clearFaults();
    expect((await send(emulator, { path: '/', credentials: PROVIDER })).status).toBe(200);
  });
});
