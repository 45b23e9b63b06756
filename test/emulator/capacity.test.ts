import { OpenSearchEmulator } from './index';
import { bedrockConnector, Reply, send, SendOptions } from './test-client';

const PROVIDER = { accessKeyId: 'AKIAPROVIDER', secretAccessKey: 'provider-secret', roleArn: 'arn:aws:iam::111122223333:role/provider' };
const ML = '/_plugins/_ml';

describe('capacity', () => {
  let emulator: OpenSearchEmulator;
  const call = (options: Omit<SendOptions, 'credentials'>): Promise<Reply> => send(emulator, { ...options, credentials: PROVIDER });
  const connector = async () => (await call({ method: 'POST', path: `${ML}/connectors/_create`, body: bedrockConnector() })).json.connector_id as string;
  const register = (connectorId: string, name = 'm') =>
    call({ method: 'POST', path: `${ML}/models/_register`, body: { name, function_name: 'remote', connector_id: connectorId } });

  afterEach(async () => emulator?.stop());

  it('without options, it takes anything at once, as before', async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], deployLatencyMs: 0 });
    const id = await connector();
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => register(id, `m${i}`)));
    expect(replies.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(emulator.refused).toEqual({ throttled: 0, registers: 0, groupSearches: 0, deploys: 0 });
  });

  it('answers 429 es_rejected_execution_exception above its request rate, and takes requests again as the bucket refills', async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], capacity: { requestRate: { perSecond: 1, burst: 5 } } });
    const replies = await Promise.all(Array.from({ length: 8 }, () => call({ path: '/' })));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(5);
    const throttled = replies.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(3);
    expect(throttled[0].json.error.type).toBe('es_rejected_execution_exception');
    expect(emulator.refused.throttled).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await call({ path: '/' })).status).toBe(200);
  });

  it('answers 429 beyond maxRequestsInFlight (admission control), and takes requests again once those in flight are answered', async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], capacity: { maxRequestsInFlight: 3, latencyMs: { default: 1_500 } } });
    const replies = await Promise.all(Array.from({ length: 5 }, () => call({ path: '/' })));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429]);
    expect(emulator.refused.throttled).toBe(2);
    expect((await Promise.all(Array.from({ length: 3 }, () => call({ path: '/' })))).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('takes the latency of each operation before it answers', async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], capacity: { latencyMs: { 'connector.create': 1_000, 'default': 0 } } });
    const started = Date.now();
    await connector();
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    // without a latency of its own: answered at once (well under the create's, even on a busy machine)
    const read = Date.now();
    await call({ path: '/' });
    expect(Date.now() - read).toBeLessThan(500);
  });

  it('answers 500 "Failed to search indices [.plugins-ml-model-group]" to registers that look a group up while the first group\'s index is created, as OpenSearch 2.19.6 does', async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], capacity: { modelGroupIndexCreationMs: 1_500 } });
    const id = await connector();
    // The first register creates the index; the others search it before it is ready, a group of their own or not.
    const [first, ...others] = await Promise.all([
      register(id, 'a'), register(id, 'b'), call({ method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'g' } }),
    ]);
    expect(first.status).toBe(200);
    expect(others.map((r) => [r.status, r.json.error])).toEqual(Array(2).fill([500, {
      root_cause: [{ type: 'status_exception', reason: 'Failed to search indices [.plugins-ml-model-group]' }],
      type: 'status_exception',
      reason: 'Failed to search indices [.plugins-ml-model-group]',
    }]));
    expect(emulator.refused.groupSearches).toBe(2);
    // Nothing was made by them; once the index is ready they go through.
    expect(emulator.modelGroups().map((g) => g.source.name)).toEqual(['a']);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect((await register(id, 'b')).status).toBe(200);
    // A register into a group that exists searches nothing.
    emulator.reset();
    const again = await connector();
    const group = (await call({ method: 'POST', path: `${ML}/model_groups/_register`, body: { name: 'h' } })).json.model_group_id;
    const inGroup = await call({ method: 'POST', path: `${ML}/models/_register`, body: { name: 'x', function_name: 'remote', connector_id: again, model_group_id: group } });
    expect(inGroup.status).toBe(200);
  });

  it('refuses registers beyond max_register_model_tasks_per_node with ml-commons\' 500, after making the model\'s group; the next register uses it', async () => {
    emulator = await OpenSearchEmulator.start({
      principals: [PROVIDER], capacity: { maxRegisterTasksPerNode: 2, latencyMs: { 'model.register': 1_000 } },
    });
    const id = await connector();
    const replies = await Promise.all(['a', 'b', 'c'].map((name) => register(id, name)));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 500]);
    const refused = replies.find((r) => r.status === 500)!;
    expect(refused.json.error).toMatchObject({ type: 'm_l_limit_exceeded_exception', reason: 'exceed max running task limit' });
    expect(emulator.refused.registers).toBe(1);
    expect(emulator.models()).toHaveLength(2);
    expect(emulator.modelGroups()).toHaveLength(3);
    const name = ['a', 'b', 'c'][replies.indexOf(refused)];
    const again = await register(id, name);
    expect(again.status).toBe(200);
    expect(emulator.modelGroups()).toHaveLength(3);
    expect(emulator.models().find((m) => m.id === again.json.model_id)!.source.model_group_id)
      .toBe(emulator.modelGroups().find((g) => g.source.name === name)!.id);
  });

  it('fails deploy tasks beyond max_deploy_model_tasks_per_node ("exceed max running task limit"), and frees a slot when a task ends', async () => {
    // Tasks long enough that the three deploys overlap even on a busy machine (200 ms did not, once in CI).
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], deployLatencyMs: 2_000, capacity: { maxDeployTasksPerNode: 2 } });
    const id = await connector();
    const models = await Promise.all(['a', 'b', 'c'].map(async (name) => (await register(id, name)).json.model_id as string));
    const tasks = await Promise.all(models.map(async (model) => (await call({ method: 'POST', path: `${ML}/models/${model}/_deploy` })).json.task_id as string));
    // whichever deploy came third (the three race) found no slot
    const states = await Promise.all(tasks.map(async (task) => (await call({ path: `${ML}/tasks/${task}` })).json));
    const failed = states.filter((t) => t.state === 'FAILED');
    expect(failed).toEqual([expect.objectContaining({ error: JSON.stringify({ [emulator.mlNodeIds[0]]: 'exceed max running task limit' }) })]);
    const third = models[states.indexOf(failed[0])];
    expect((await call({ path: `${ML}/models/${third}` })).json.model_state).toBe('DEPLOY_FAILED');
    expect(emulator.refused.deploys).toBe(1);
    await emulator.settleDeploys();
    const retried = (await call({ method: 'POST', path: `${ML}/models/${third}/_deploy` })).json.task_id;
    await emulator.settleDeploys();
    expect((await call({ path: `${ML}/tasks/${retried}` })).json.state).toBe('COMPLETED');
  });

  it('an undeploy ends a running deploy task: its slot is free again', async () => {
    emulator = await OpenSearchEmulator.start({ principals: [PROVIDER], deployLatencyMs: 60_000, capacity: { maxDeployTasksPerNode: 1 } });
    const id = await connector();
    const [a, b] = await Promise.all(['a', 'b'].map(async (name) => (await register(id, name)).json.model_id as string));
    await call({ method: 'POST', path: `${ML}/models/${a}/_deploy` });
    await call({ method: 'POST', path: `${ML}/models/${a}/_undeploy` });
    const task = (await call({ method: 'POST', path: `${ML}/models/${b}/_deploy` })).json.task_id;
    expect((await call({ path: `${ML}/tasks/${task}` })).json.state).not.toBe('FAILED');
    expect(emulator.refused.deploys).toBe(0);
  });
});
