/*
 * The floor of a simulated deployment: how long it would take if every resource did exactly the
 * requests it must, each the service's latency, started the moment it may, with the domain's caps
 * applied (deploy and register tasks per node, requests in flight) and nothing lost to waiting,
 * polling or retrying. The longest dependency chain sets it, unless a cap makes work queue.
 *
 * An event-driven schedule: each resource is a list of steps (a request of some operation, or a
 * deploy task holding one of the node's slots), run one after another once the resources it
 * depends on are done; a request holds one of the domain's admission slots while it is processed.
 */
import type { Operation } from '../emulator';

export type Step =
  | { readonly kind: 'request'; readonly operation: Operation }
  /** a call to another AWS service (CloudFormation ListStackResources): its latency, no token of the domain's */
  | { readonly kind: 'call'; readonly ms: number }
  /** a deploy task: holds one of `maxDeployTasks` slots for the deploy duration */
  | { readonly kind: 'deploy' };

export interface FloorCapacity {
  /** the service's latency of each operation, in ms (fixed) */
  readonly latencyMs: Partial<Record<Operation | 'default', number>>;
  readonly deployMs: number;
  readonly maxDeployTasks: number;
  readonly maxRegisterTasks: number;
  /** requests the domain works on at once (admission control) */
  readonly maxRequestsInFlight: number;
}

export interface FloorResource {
  readonly id: string;
  readonly dependsOn: readonly string[];
  readonly steps: readonly Step[];
}

/** The makespan of the ideal schedule, in ms, and the chain of resources that ends last. */
export function criticalPathFloor(resources: readonly FloorResource[], capacity: FloorCapacity): { readonly ms: number; readonly requests: number } {
  const latency = (operation: Operation) => capacity.latencyMs[operation] ?? capacity.latencyMs.default ?? 0;
  const byId = new Map(resources.map((r) => [r.id, r]));
  const finished = new Map<string, number>();
  /** when each deploy slot and register slot is next free */
  const deploySlots: number[] = Array(capacity.maxDeployTasks).fill(0);
  const registerSlots: number[] = Array(capacity.maxRegisterTasks).fill(0);
  const requestSlots: number[] = Array(capacity.maxRequestsInFlight).fill(0);
  const takeSlot = (slots: number[], at: number, hold: number): number => {
    let best = 0;
    for (let i = 1; i < slots.length; i++) if (slots[i] < slots[best]) best = i;
    const start = Math.max(at, slots[best]);
    slots[best] = start + hold;
    return start;
  };

  // Each resource is a cursor through its steps; the earliest next step in time goes first.
  interface Cursor { readonly resource: FloorResource; step: number; at: number }
  const queue: Cursor[] = [];
  const ready = (r: FloorResource) => r.dependsOn.every((d) => finished.has(d) || !byId.has(d));
  const startAt = (r: FloorResource) => Math.max(0, ...r.dependsOn.filter((d) => byId.has(d)).map((d) => finished.get(d)!));
  const started = new Set<string>();
  const enqueueReady = () => {
    for (const r of resources) {
      if (!started.has(r.id) && ready(r)) {
        started.add(r.id);
        queue.push({ resource: r, step: 0, at: startAt(r) });
      }
    }
  };
  let requests = 0;
  enqueueReady();
  while (queue.length > 0) {
    queue.sort((a, b) => a.at - b.at);
    const cursor = queue.shift()!;
    const step = cursor.resource.steps[cursor.step];
    if (!step) {
      finished.set(cursor.resource.id, cursor.at);
      enqueueReady();
      continue;
    }
    if (step.kind === 'deploy') {
      cursor.at = takeSlot(deploySlots, cursor.at, capacity.deployMs) + capacity.deployMs;
    } else if (step.kind === 'call') {
      cursor.at += step.ms;
    } else {
      requests++;
      const took = latency(step.operation);
      const admitted = takeSlot(requestSlots, cursor.at, took);
      cursor.at = (step.operation === 'model.register' ? takeSlot(registerSlots, admitted, took) : admitted) + took;
    }
    cursor.step++;
    queue.push(cursor);
  }
  if (finished.size !== resources.length) throw new Error('the resources depend on each other in a cycle, or on a resource that is not listed');
  return { ms: Math.max(0, ...finished.values()), requests };
}
