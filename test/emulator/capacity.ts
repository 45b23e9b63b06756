/**
 * What a domain can take: how long each ML Commons operation takes, how many requests it accepts
 * before it sheds load with 429, and how many register and deploy tasks an ML node runs at once.
 * Off unless the options ask for it (every operation instant, no limit), as before this existed.
 *
 * The caps are ml-commons' own (opensearch-project/ml-commons, MLCommonsSettings and
 * MLModelManager, 2.9 to 3.x): `plugins.ml_commons.max_register_model_tasks_per_node` and
 * `max_deploy_model_tasks_per_node`, 10 each by default. A register or deploy beyond them is
 * refused by MLTaskManager.checkLimitAndAddRunningTask with MLLimitExceededException "exceed
 * max running task limit": for a register, the REST answer (a RuntimeException that is no
 * OpenSearchException: 500, type m_l_limit_exceeded_exception); for a deploy, which runs on
 * the nodes after the REST answer, the task (FAILED, `error` {"<node>": "exceed max running
 * task limit"}) and the model (DEPLOY_FAILED). A remote model is deployed to every eligible
 * node, so each deploy takes a slot on every node: the cap holds for the domain whatever its
 * size. `max_model_on_node` does not count remote models (MLModelCacheHelper.getLocalDeployedModels
 * leaves them out), and `max_ml_task_per_node` only applies to the least_load dispatch policy
 * (MLTaskDispatcher; round_robin is the default): neither is modelled.
 *
 * Load shedding: Amazon OpenSearch Service's admission control hands each request a token while
 * it is processed and answers 429 "too many requests" when none is left ("Enhance resiliency with
 * admission control in Amazon OpenSearch Service", AWS Big Data Blog); how many there are depends
 * on the instances, and is not documented. `maxRequestsInFlight` stands for it; `requestRate`, a
 * token bucket, for a plain rate limit.
 */
import { openSearchError } from './errors';
import { EmulatorResponse, HttpError } from './http';

/** The operations whose duration can be set, by REST route. */
export type Operation =
  | 'connector.create' | 'connector.update' | 'connector.delete' | 'connector.read'
  | 'modelGroup.register' | 'modelGroup.delete' | 'modelGroup.read'
  | 'model.register' | 'model.deploy' | 'model.undeploy' | 'model.predict' | 'model.update' | 'model.delete' | 'model.read'
  | 'task.read' | 'other';

export interface CapacityOptions {
  /** Milliseconds each operation takes before it is answered, fixed or [min, max]; `default` for the rest. Default 0. */
  readonly latencyMs?: Partial<Record<Operation | 'default', number | readonly [number, number]>>;
  /** Requests a second the domain accepts (a bucket of `burst`, refilled at `perSecond` by Date.now); more are answered 429. Default: no limit. */
  readonly requestRate?: { readonly perSecond: number; readonly burst: number };
  /** Requests the domain works on at once (admission control); more are answered 429. Default: no limit. */
  readonly maxRequestsInFlight?: number;
  /** plugins.ml_commons.max_register_model_tasks_per_node: registers in flight at once. Default: no limit. */
  readonly maxRegisterTasksPerNode?: number;
  /** plugins.ml_commons.max_deploy_model_tasks_per_node: deploy tasks running at once. Default: no limit. */
  readonly maxDeployTasksPerNode?: number;
  /**
   * How long ml-commons' `.plugins-ml-model-group` index takes to become searchable once the domain's first
   * model group creates it (ms, the emulator's clock). A register in that window that looks its group's name up
   * (a model registered without model_group_id, a model group) is answered 500 status_exception "Failed to
   * search indices [.plugins-ml-model-group]", as OpenSearch 2.19.6 answered one of 14 models registered at once on a
   * fresh node (test/real/scale.test.ts). Default 0: the index is always ready.
   */
  readonly modelGroupIndexCreationMs?: number;
}

const ML = '/_plugins/_ml';

/** The operation a request is. */
export function operationOf(method: string, path: string): Operation {
  const p = path.replace(/\/$/, '');
  if (p.startsWith(`${ML}/connectors`)) {
    if (method === 'POST' && p.endsWith('/_create')) return 'connector.create';
    if (method === 'PUT') return 'connector.update';
    if (method === 'DELETE') return 'connector.delete';
    return 'connector.read';
  }
  if (p.startsWith(`${ML}/model_groups`)) {
    if (method === 'POST' && p.endsWith('/_register')) return 'modelGroup.register';
    return method === 'DELETE' ? 'modelGroup.delete' : 'modelGroup.read';
  }
  if (p.startsWith(`${ML}/models`)) {
    if (method === 'POST' && p.endsWith('/_register')) return 'model.register';
    if (p.endsWith('/_deploy')) return 'model.deploy';
    if (p.endsWith('/_undeploy')) return 'model.undeploy';
    if (p.endsWith('/_predict')) return 'model.predict';
    if (method === 'PUT') return 'model.update';
    if (method === 'DELETE') return 'model.delete';
    return 'model.read';
  }
  if (p.startsWith(`${ML}/tasks`)) return 'task.read';
  return 'other';
}

/** The message ml-commons' task manager refuses a task with when a node runs as many as it may. */
export const TASK_LIMIT_MESSAGE = 'exceed max running task limit';

/** A node's refusal of one register too many (MLLimitExceededException as the REST layer answers it). */
export function registerLimitExceeded(): HttpError {
  return new HttpError(openSearchError(500, 'm_l_limit_exceeded_exception', TASK_LIMIT_MESSAGE));
}

/** A register's search of the model group index while the index is being created (modelGroupIndexCreationMs). */
export function modelGroupSearchFailed(): HttpError {
  return new HttpError(openSearchError(500, 'status_exception', 'Failed to search indices [.plugins-ml-model-group]'));
}

/** The 429 OpenSearch answers when it sheds load. */
export function throttled(): EmulatorResponse {
  return openSearchError(429, 'es_rejected_execution_exception',
    'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, '
    + 'coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0]');
}

export class Capacity {
  private tokens: number;
  private refilledAt = Date.now();
  private registers = 0;
  private inFlight = 0;
  /** registers that arrived at the cap: their transport action answers the refusal (models.ts) */
  private readonly refusedRegisters = new WeakSet<object>();
  /** when the model group index is searchable; undefined until the first model group is registered */
  private groupIndexReadyAt: number | undefined;
  /** what each limit turned away, for the tests to report (deploys: MlRuntime) */
  readonly refused = { throttled: 0, registers: 0, groupSearches: 0 };

  constructor(private readonly options: CapacityOptions = {}, private readonly now: () => number = realNow) {
    this.tokens = options.requestRate?.burst ?? 0;
  }

  /** How long `operation` takes, drawn from its range. */
  latencyOf(operation: Operation): number {
    const value = this.options.latencyMs?.[operation] ?? this.options.latencyMs?.default ?? 0;
    const [min, max] = typeof value === 'number' ? [value, value] : value;
    return min + Math.random() * (max - min);
  }

  /**
   * Whether the domain takes one more request now (fewer than maxRequestsInFlight in flight, a
   * token in the rate's bucket); counts a refusal otherwise. A request taken is in flight until done().
   */
  admit(): boolean {
    if (this.inFlight >= (this.options.maxRequestsInFlight ?? Infinity)) {
      this.refused.throttled++;
      return false;
    }
    const rate = this.options.requestRate;
    if (rate) {
      const now = this.now();
      this.tokens = Math.min(rate.burst, this.tokens + ((now - this.refilledAt) / 1000) * rate.perSecond);
      this.refilledAt = now;
      if (this.tokens < 1) {
        this.refused.throttled++;
        return false;
      }
      this.tokens -= 1;
    }
    this.inFlight++;
    return true;
  }

  /** A request taken by admit() is answered. */
  done(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /**
   * A register arrives: it takes a slot until it is answered (endRegister), or, at the cap, is
   * marked refused (counted), which its transport action answers (isRefusedRegister).
   */
  startRegister(request: object): void {
    if (this.registers >= (this.options.maxRegisterTasksPerNode ?? Infinity)) {
      this.refused.registers++;
      this.refusedRegisters.add(request);
      return;
    }
    this.registers++;
  }

  endRegister(request: object): void {
    if (!this.refusedRegisters.has(request)) this.registers = Math.max(0, this.registers - 1);
  }

  isRefusedRegister(request: object): boolean {
    return this.refusedRegisters.has(request);
  }

  /**
   * A register searches the model group index for a group's name: whether it can (counts a refusal
   * otherwise). The first one finds no index and creates it (modelGroupIndexCreationMs).
   */
  searchModelGroups(): boolean {
    const now = this.now();
    if (this.groupIndexReadyAt === undefined) {
      this.groupIndexReadyAt = now + (this.options.modelGroupIndexCreationMs ?? 0);
      return true;
    }
    if (now >= this.groupIndexReadyAt) return true;
    this.refused.groupSearches++;
    return false;
  }

  reset(): void {
    this.tokens = this.options.requestRate?.burst ?? 0;
    this.refilledAt = this.now();
    this.registers = 0;
    this.inFlight = 0;
    this.refused.throttled = 0;
    this.refused.registers = 0;
    this.refused.groupSearches = 0;
    this.groupIndexReadyAt = undefined;
  }
}

function realNow(): number {
  return Date.now();
}
