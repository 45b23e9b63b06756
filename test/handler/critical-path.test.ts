import { criticalPathFloor, FloorCapacity, FloorResource } from './critical-path';

const CAPACITY: FloorCapacity = {
  latencyMs: { 'connector.create': 100, 'model.register': 200, 'model.deploy': 50, 'task.read': 10, 'default': 0 },
  deployMs: 1_000,
  maxDeployTasks: 10,
  maxRegisterTasks: 10,
  maxRequestsInFlight: 1_000,
};

const connector = (id: string): FloorResource => ({ id, dependsOn: [], steps: [{ kind: 'request', operation: 'connector.create' }] });
const model = (id: string, on: string): FloorResource => ({
  id,
  dependsOn: [on],
  steps: [
    { kind: 'request', operation: 'model.register' }, { kind: 'request', operation: 'model.deploy' },
    { kind: 'deploy' }, { kind: 'request', operation: 'task.read' },
  ],
});

test('the longest chain of latencies, when no cap binds', () => {
  expect(criticalPathFloor([connector('c'), model('m', 'c')], CAPACITY)).toEqual({ ms: 100 + 200 + 50 + 1_000 + 10, requests: 4 });
});

test('deploys beyond the cap queue for a slot: 25 at once take three rounds', () => {
  const resources = [connector('c'), ...Array.from({ length: 25 }, (_, i) => model(`m${i}`, 'c'))];
  expect(criticalPathFloor(resources, CAPACITY).ms).toBe(100 + 200 + 50 + 3 * 1_000 + 10);
});

test('requests beyond the domain\'s admission slots queue too', () => {
  const resources = Array.from({ length: 30 }, (_, i) => connector(`c${i}`));
  expect(criticalPathFloor(resources, { ...CAPACITY, maxRequestsInFlight: 10 }).ms).toBe(300);
});

test('a dependency on a resource not in the phase does not wait', () => {
  expect(criticalPathFloor([model('m', 'elsewhere')], CAPACITY).ms).toBe(1_260);
});
