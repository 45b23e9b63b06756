/**
 * The behaviour of the ML Commons "runtime" that tests can steer: how long deploy tasks take, which deploys fail,
 * whether predict deploys a remote model on first use, and what predict answers (embeddings, a wrong dimension,
 * or an error relayed from the remote service). Also owns the timers of deploy tasks in flight.
 */

/** Task states of ml-commons (MLTaskState). */
export type TaskState = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'COMPLETED_WITH_ERROR' | 'CANCELLED';

/** A deploy failure to inject. */
export interface DeployFailureSpec {
  /** Model id, connector id, or '*' for any model. Default '*'. */
  readonly target?: string;
  /** How many deploys it applies to; Infinity for every one. Default 1. */
  readonly times?: number;
  /**
   * FAILED (every node failed: model DEPLOY_FAILED) or COMPLETED_WITH_ERROR (one of two nodes failed: model
   * PARTIALLY_DEPLOYED). Default FAILED.
   */
  readonly state?: 'FAILED' | 'COMPLETED_WITH_ERROR';
  /** The per-node error message stored in the task's `error`. */
  readonly message?: string;
}

/** Named remote-service failures with the status and body the remote service answers with. */
export type RemoteErrorPreset =
  | 'bedrock-access-denied'
  | 'bedrock-invoke-denied'
  | 'bedrock-invalid-model'
  | 'bedrock-throttled'
  | 'sagemaker-endpoint-not-found'
  | 'assume-role-denied';

/** What the remote service answered: ml-commons relays it as status + "Error from remote service: <body>". */
export interface RemoteError {
  readonly status: number;
  /** Raw response body of the remote service (objects are JSON-encoded). */
  readonly body: string | Record<string, unknown>;
}

/** What `POST /_plugins/_ml/models/{id}/_predict` answers for a model. */
export interface PredictBehaviour {
  /** Answer embeddings of this length, whatever model_config.embedding_dimension declares. */
  readonly dimension?: number;
  /** Relay this remote-service failure instead of answering. */
  readonly remoteError?: RemoteError | RemoteErrorPreset;
  /** Answer exactly this (status and JSON body), bypassing everything else. */
  readonly response?: { readonly status: number; readonly body: unknown };
  /** How many predict calls it applies to; default: all of them. */
  readonly times?: number;
}

interface FailureRule {
  readonly spec: DeployFailureSpec;
  remaining: number;
}

interface PredictRule {
  readonly behaviour: PredictBehaviour;
  remaining: number;
}

export interface MlRuntimeOptions {
  /** Deploy task duration in ms, fixed or [min, max]. Default [0, 50]. */
  readonly deployLatencyMs?: number | readonly [number, number];
  /** plugins.ml_commons.model_auto_deploy.enable. Default: true on 2.13+, where it exists and is on by default. */
  readonly modelAutoDeploy?: boolean;
  /** plugins.ml_commons.max_deploy_model_tasks_per_node: deploy tasks running at once (see capacity.ts). Default: no limit. */
  readonly maxDeployTasks?: number;
}

export class MlRuntime {
  private latency: readonly [number, number];
  private autoDeploy: boolean | undefined;
  private failures: FailureRule[] = [];
  private predictRules = new Map<string, PredictRule>();
  private readonly timers = new Map<string, Set<NodeJS.Timeout>>();
  private readonly idleWaiters: Array<() => void> = [];
  /** deploy tasks running now: task id → model id */
  private readonly deploying = new Map<string, string>();
  /** deploys the task cap turned away */
  refusedDeploys = 0;
  private undeployLag = 0;

  constructor(private readonly options: MlRuntimeOptions = {}) {
    this.latency = latencyRange(options.deployLatencyMs);
    this.autoDeploy = options.modelAutoDeploy;
  }

  setDeployLatency(ms: number | readonly [number, number]): void {
    this.latency = latencyRange(ms);
  }

  /**
   * How long after an undeploy's answer the model's stored state still reads as before: ml-commons answered
   * undeploys before it wrote the state, so a delete sent at once was refused as deployed (ml-commons #2419).
   */
  get undeployLagMs(): number {
    return this.undeployLag;
  }

  setUndeployLag(ms: number): void {
    this.undeployLag = ms;
  }

  /** A duration drawn from the configured range. */
  deployDuration(): number {
    const [min, max] = this.latency;
    return min + Math.floor(Math.random() * (max - min + 1));
  }

  /**
   * A slot for deploy task `taskId` until endDeploy, or false when as many run as the node may
   * (MLTaskManager.checkLimitAndAddRunningTask), counted.
   */
  startDeploy(taskId: string, modelId: string): boolean {
    if (this.deploying.size >= (this.options.maxDeployTasks ?? Infinity)) {
      this.refusedDeploys++;
      return false;
    }
    this.deploying.set(taskId, modelId);
    return true;
  }

  endDeploy(taskId: string): void {
    this.deploying.delete(taskId);
  }

  setAutoDeploy(enabled: boolean | undefined): void {
    this.autoDeploy = enabled;
  }

  autoDeployEnabled(versionDefault: boolean): boolean {
    return this.autoDeploy ?? versionDefault;
  }

  failDeploys(spec: DeployFailureSpec): void {
    this.failures.push({ spec, remaining: spec.times ?? 1 });
  }

  /** The first matching failure rule for a deploy of modelId (using connectorId), consumed once. */
  takeDeployFailure(modelId: string, connectorId: string | undefined): DeployFailureSpec | undefined {
    const index = this.failures.findIndex((rule) => matchesTarget(rule.spec.target ?? '*', modelId, connectorId));
    if (index < 0) return undefined;
    const rule = this.failures[index];
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.failures.splice(index, 1);
    return rule.spec;
  }

  setPredictBehaviour(target: string, behaviour: PredictBehaviour | undefined): void {
    if (behaviour === undefined) {
      this.predictRules.delete(target);
    } else {
      this.predictRules.set(target, { behaviour, remaining: behaviour.times ?? Infinity });
    }
  }

  /** The behaviour for a predict on modelId: model id first, then connector id, then '*'; consumed once. */
  takePredictBehaviour(modelId: string, connectorId: string | undefined): PredictBehaviour | undefined {
    for (const key of [modelId, connectorId, '*']) {
      if (key === undefined) continue;
      const rule = this.predictRules.get(key);
      if (!rule) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.predictRules.delete(key);
      return rule.behaviour;
    }
    return undefined;
  }

  /** Run fn after ms (synchronously when ms is 0), remembered under the model so undeploy/delete can cancel it. */
  schedule(modelId: string, ms: number, fn: () => void): void {
    if (ms <= 0) {
      fn();
      return;
    }
    const set = this.timers.get(modelId) ?? new Set<NodeJS.Timeout>();
    this.timers.set(modelId, set);
    const timer = setTimeout(() => {
      set.delete(timer);
      if (set.size === 0) this.timers.delete(modelId);
      try {
        fn();
      } finally {
        this.notifyIfIdle();
      }
    }, ms);
    timer.unref();
    set.add(timer);
  }

  /** Whether something is scheduled under `key`. */
  pending(key: string): boolean {
    return this.timers.has(key);
  }

  cancel(modelId: string): void {
    for (const timer of this.timers.get(modelId) ?? []) clearTimeout(timer);
    this.timers.delete(modelId);
    // An undeploy or delete ends the model's deploy work: its slot is free again. Its task document stays
    // RUNNING, as tasks of interrupted deploys can on ml-commons (models stuck in DEPLOYING: ml-commons
    // #2808, #2970); a client that polls only the task waits forever. A single real node (2.19.6, 3.6.0)
    // answers a remote model's deploy COMPLETED at once, so there only the emulator's slow deploys meet this.
    for (const [taskId, model] of this.deploying) if (model === modelId) this.deploying.delete(taskId);
    this.notifyIfIdle();
  }

  /** Resolves once no deploy task is in flight. */
  settled(): Promise<void> {
    if (this.timers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  reset(): void {
    for (const modelId of [...this.timers.keys()]) this.cancel(modelId);
    this.failures = [];
    this.predictRules = new Map();
    this.deploying.clear();
    this.refusedDeploys = 0;
    this.undeployLag = 0;
    this.latency = latencyRange(this.options.deployLatencyMs);
    this.autoDeploy = this.options.modelAutoDeploy;
  }

  private notifyIfIdle(): void {
    if (this.timers.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

function matchesTarget(target: string, modelId: string, connectorId: string | undefined): boolean {
  return target === '*' || target === modelId || (connectorId !== undefined && target === connectorId);
}

function latencyRange(value: number | readonly [number, number] | undefined): readonly [number, number] {
  if (value === undefined) return [0, 50];
  const [min, max] = typeof value === 'number' ? [value, value] : value;
  if (!(min >= 0 && max >= min)) throw new Error(`deployLatencyMs must be >= 0 and min <= max, got ${JSON.stringify(value)}`);
  return [min, max];
}
