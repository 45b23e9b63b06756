/**
 * The ML Commons model APIs for remote models: register (optionally deploying), deploy as an asynchronous task
 * (CREATED → RUNNING → COMPLETED / FAILED / COMPLETED_WITH_ERROR over a configurable latency), undeploy, get,
 * update, search, delete, and GET of tasks.
 */
import { modelGroupSearchFailed, registerLimitExceeded, TASK_LIMIT_MESSAGE } from './capacity';
import { findConnector } from './connectors';
import { EmulatorContext, RequestContext, TransportPhase } from './context';
import { illegalArgument, openSearchError, statusException } from './errors';
import { HttpError, json } from './http';
import { checkMlText, checkSpaceType } from './ml-input-3x';
import { DeployFailureSpec, TaskState } from './ml-runtime';
import { createModelGroup } from './model-groups';
import { executeSearch, IndexMapping, parseSearchRequest } from './search';
import { clone, StoredDoc } from './store';
import { expectObject, JsonObject, parseJsonBody, readText } from './xcontent';

/** MLModelState values a remote model goes through. */
export type ModelState = 'REGISTERED' | 'DEPLOYING' | 'DEPLOYED' | 'PARTIALLY_DEPLOYED' | 'UNDEPLOYED' | 'DEPLOY_FAILED';

export const MODEL_INDEX = '.plugins-ml-model';

/** The .plugins-ml-model mapping as far as search needs it. */
export const MODEL_MAPPING: IndexMapping = {
  text: ['name', 'description'],
  keyword: ['model_group_id', 'connector_id', 'model_state', 'algorithm', 'model_version'],
  sortable: ['created_time', 'last_updated_time', 'last_registered_time', 'last_deployed_time', 'name.keyword', 'model_version', 'model_state'],
};

/** States in which ml-commons refuses delete (isModelNotDeployed is false). */
const BUSY_STATES: ReadonlySet<unknown> = new Set(['DEPLOYING', 'DEPLOYED', 'PARTIALLY_DEPLOYED']);

export function isDeployedState(state: unknown): boolean {
  return state === 'DEPLOYED' || state === 'PARTIALLY_DEPLOYED';
}

export function registerModel(ctx: RequestContext): TransportPhase {
  const body = expectObject(requireBody(ctx, 'Request body is empty'));
  if (body.name === undefined) throw illegalArgument('model name is null');
  if (String(body.function_name ?? '').toLowerCase() !== 'remote') {
    throw illegalArgument('The emulator only supports remote models: set "function_name": "remote"');
  }
  if (body.connector_id === undefined) throw illegalArgument('The emulator needs connector_id to register a remote model');
  checkSpaceType(ctx.emulator.version, body.model_config);
  checkMlText(ctx.emulator.version, 'Model', body);
  const deploy = ctx.request.params.get('deploy') === 'true';
  return () => {
    const connector = findConnector(ctx, readText(body.connector_id));
    // Without a group, ml-commons looks the model's name up among the groups first (capacity.ts: modelGroupIndexCreationMs).
    if (body.model_group_id === undefined && !ctx.emulator.capacity.searchModelGroups()) throw modelGroupSearchFailed();
    const group = resolveGroup(ctx, body.model_group_id === undefined ? undefined : readText(body.model_group_id), readText(body.name));
    // The group comes first: a register the node has no room for leaves it, as ml-commons does (capacity.ts).
    if (ctx.emulator.capacity.isRefusedRegister(ctx.request)) throw registerLimitExceeded();
    const modelId = storeModel(ctx.emulator, {
      name: readText(body.name),
      groupId: group.id,
      connectorId: connector.id,
      description: body.description === undefined ? undefined : readText(body.description),
      modelConfig: body.model_config,
      state: 'REGISTERED',
    });
    const task = ctx.emulator.tasks.create(taskSource(modelId, 'REGISTER_MODEL', 'COMPLETED', false, [ctx.emulator.nodeId]));
    if (deploy) startDeploy(ctx.emulator, ctx.emulator.models.get(modelId)!);
    return json(200, { task_id: task.id, status: 'CREATED', model_id: modelId });
  };
}

/**
 * An explicit group must exist; without one, ml-commons registers the model in the group named
 * after it, which it creates if there is none (TransportRegisterModelAction: validateUniqueModelGroupName).
 */
function resolveGroup(ctx: RequestContext, groupId: string | undefined, modelName: string): StoredDoc {
  if (groupId === undefined) {
    return ctx.emulator.modelGroups.all().find((group) => group.source.name === modelName) ?? createModelGroup(ctx.emulator, modelName);
  }
  const group = ctx.emulator.modelGroups.get(groupId);
  if (!group) throw statusException(404, `Failed to find model group with the provided model group id: ${groupId}`);
  return group;
}

export interface NewModel {
  readonly name: string;
  readonly groupId?: string;
  readonly connectorId: string;
  readonly description?: string;
  readonly modelConfig?: unknown;
  readonly state: ModelState;
}

/** Used by the HTTP API and by OpenSearchEmulator.putModel. */
export function storeModel(emulator: EmulatorContext, model: NewModel): string {
  const now = Date.now();
  const groupId = model.groupId ?? createModelGroup(emulator, model.name).id;
  const group = emulator.modelGroups.get(groupId);
  const modelVersion = group ? Number(group.source.latest_version ?? 0) + 1 : 1;
  if (group) emulator.modelGroups.replace(group, { ...group.source, latest_version: modelVersion, last_updated_time: now });
  const source: Record<string, unknown> = {
    name: model.name,
    model_group_id: groupId,
    algorithm: 'REMOTE',
    model_version: String(modelVersion),
    ...(model.description === undefined ? {} : { description: model.description }),
    model_state: model.state,
    created_time: now,
    last_updated_time: now,
    last_registered_time: now,
    ...(isDeployedState(model.state) ? { last_deployed_time: now, ...workerFields([emulator.nodeId], 1) } : {}),
    connector_id: model.connectorId,
    ...(model.modelConfig === undefined ? {} : { model_config: clone(model.modelConfig) }),
  };
  return emulator.models.create(source).id;
}

export function deployModel(ctx: RequestContext): TransportPhase {
  return () => {
    const task = startDeploy(ctx.emulator, findModel(ctx));
    // A deploy that ended before the answer (no latency, as a remote model on one real node: 2.19.6 and 3.6.0
    // answer COMPLETED) says so; one that runs on, or that the node refuses after the answer, says CREATED.
    const done = ctx.emulator.tasks.get(task.id)?.source.state === 'COMPLETED';
    return json(200, { task_id: task.id, task_type: 'DEPLOY_MODEL', status: done ? 'COMPLETED' : 'CREATED' });
  };
}

/**
 * Create the DEPLOY_MODEL task (CREATED) and set the model DEPLOYING; halfway through the latency the task is
 * RUNNING, at the end COMPLETED (model DEPLOYED), or FAILED (DEPLOY_FAILED) / COMPLETED_WITH_ERROR
 * (PARTIALLY_DEPLOYED) with `error` = JSON string of {node id: message}, as ml-commons stores it.
 */
function startDeploy(emulator: EmulatorContext, model: StoredDoc): StoredDoc {
  const connectorId = typeof model.source.connector_id === 'string' ? model.source.connector_id : undefined;
  const nodes = [emulator.nodeId];
  const task = emulator.tasks.create(taskSource(model.id, 'DEPLOY_MODEL', 'CREATED', true, nodes));
  // The node takes the task only below max_deploy_model_tasks_per_node; it refuses at once, after the REST answer.
  if (!emulator.ml.startDeploy(task.id, model.id)) {
    setState(emulator, model, 'DEPLOY_FAILED', { ...workerFields(nodes, 0) });
    updateTask(emulator, task.id, { state: 'FAILED', error: JSON.stringify({ [nodes[0]]: TASK_LIMIT_MESSAGE }) });
    return task;
  }
  const failure = emulator.ml.takeDeployFailure(model.id, connectorId);
  if (failure?.state === 'COMPLETED_WITH_ERROR') {
    nodes.push(emulator.peerNodeId);
    emulator.tasks.replace(task, { ...task.source, worker_node: nodes });
  }
  setState(emulator, model, 'DEPLOYING', { planning_worker_node_count: nodes.length, planning_worker_nodes: nodes });
  const total = emulator.ml.deployDuration();
  emulator.ml.schedule(model.id, Math.floor(total / 2), () => updateTask(emulator, task.id, { state: 'RUNNING' }));
  emulator.ml.schedule(model.id, total, () => finishDeploy(emulator, model.id, task.id, nodes, failure));
  return task;
}

function finishDeploy(emulator: EmulatorContext, modelId: string, taskId: string, nodes: string[], failure: DeployFailureSpec | undefined): void {
  emulator.ml.endDeploy(taskId);
  const model = emulator.models.get(modelId);
  if (!model || model.source.model_state !== 'DEPLOYING') return;
  if (!failure) {
    markDeployed(emulator, model);
    updateTask(emulator, taskId, { state: 'COMPLETED' });
    return;
  }
  const message = failure.message ?? `Failed to deploy model ${modelId}`;
  if (failure.state === 'COMPLETED_WITH_ERROR') {
    setState(emulator, model, 'PARTIALLY_DEPLOYED', { last_deployed_time: Date.now(), ...workerFields(nodes, 1) });
    updateTask(emulator, taskId, { state: 'COMPLETED_WITH_ERROR', error: JSON.stringify({ [nodes[1]]: message }) });
  } else {
    setState(emulator, model, 'DEPLOY_FAILED', { ...workerFields(nodes, 0) });
    updateTask(emulator, taskId, { state: 'FAILED', error: JSON.stringify({ [nodes[0]]: message }) });
  }
}

/** DEPLOYED on this node (used by deploy tasks and by predict's auto-deploy). */
export function markDeployed(emulator: EmulatorContext, model: StoredDoc): void {
  setState(emulator, model, 'DEPLOYED', { last_deployed_time: Date.now(), ...workerFields([emulator.nodeId], 1) });
}

function workerFields(nodes: string[], current: number): Record<string, unknown> {
  return {
    planning_worker_node_count: nodes.length,
    current_worker_node_count: current,
    planning_worker_nodes: nodes,
    deploy_to_all_nodes: true,
  };
}

/** Undeploying a model no node has answers its stats as "not_found" (CommonValue.NOT_FOUND). */
export function undeployModel(ctx: RequestContext): TransportPhase {
  return () => {
    const { emulator } = ctx;
    const model = findModel(ctx);
    const deployed = BUSY_STATES.has(model.source.model_state);
    emulator.ml.cancel(model.id);
    if (deployed) {
      const now = Date.now();
      const undeployed = (current: StoredDoc) => emulator.models.replace(current, {
        ...current.source,
        model_state: 'UNDEPLOYED',
        planning_worker_nodes: [],
        planning_worker_node_count: 0,
        current_worker_node_count: 0,
        last_updated_time: now,
        last_undeployed_time: now,
      });
      if (emulator.ml.undeployLagMs > 0) {
        // Its own timer, which a second undeploy neither restarts nor cancels.
        const key = `${model.id}#undeploy`;
        if (!emulator.ml.pending(key)) {
          emulator.ml.schedule(key, emulator.ml.undeployLagMs, () => {
            const current = emulator.models.get(model.id);
            if (current) undeployed(current);
          });
        }
      } else {
        undeployed(model);
      }
    }
    return json(200, { [emulator.nodeId]: { stats: { [model.id]: deployed ? 'undeployed' : 'not_found' } } });
  };
}

export function getModel(ctx: RequestContext): TransportPhase {
  return () => {
    // 2.19 and 3.x name the ID when the model index exists (measured on real 2.19.6 and 3.6.0 in test/real).
    if (ctx.emulator.version.atLeast(2, 19) && !ctx.emulator.models.get(ctx.params[0])) {
      throw statusException(404, `Failed to find model with the provided model id: ${ctx.params[0]}`);
    }
    return json(200, clone(findModel(ctx).source));
  };
}

export function searchModels(ctx: RequestContext): TransportPhase {
  const request = parseSearchRequest(parseJsonBody(ctx.request), ctx.request.params, MODEL_MAPPING);
  return () => executeSearch(MODEL_INDEX, ctx.emulator.models.all(), request, MODEL_MAPPING, ['connector.credential']);
}

export function deleteModel(ctx: RequestContext): TransportPhase {
  return () => {
    const model = findModel(ctx);
    if (BUSY_STATES.has(model.source.model_state)) {
      throw statusException(400, 'Model cannot be deleted in deploying or deployed state. Try undeploy model first then delete');
    }
    const { emulator } = ctx;
    emulator.ml.cancel(model.id);
    const deleted = emulator.models.delete(model);
    // 2.9-2.10 deleted a model group with its last version (ml-commons #1156); #1444 (2.11) stopped it. The docs
    // still describe the old behaviour (ml-commons #4536).
    const groupId = model.source.model_group_id;
    if (!emulator.version.atLeast(2, 11) && !emulator.models.all().some((other) => other.source.model_group_id === groupId)) {
      const group = typeof groupId === 'string' ? emulator.modelGroups.get(groupId) : undefined;
      if (group) emulator.modelGroups.delete(group);
    }
    return json(200, emulator.models.writeResponse(deleted, 'deleted', true));
  };
}

/**
 * PUT /_plugins/_ml/models/{id} (2.12+): name, description, model_group_id, connector_id, model_config, is_enabled,
 * rate_limiter, guardrails, interface. Until 2.13 a deployed model is refused; from then on only a deploying one.
 */
export function updateModel(ctx: RequestContext): TransportPhase {
  const body = expectObject(requireBody(ctx, 'Update model request has empty body'));
  if (body.connector_id !== undefined && body.connector !== undefined) {
    throw statusException(400, 'Model cannot have both stand-alone connector and internal connector. Please check your update input body.');
  }
  const text = (key: string): string | undefined => (body[key] === undefined || body[key] === null ? undefined : readText(body[key]));
  const input = {
    name: text('name'),
    description: text('description'),
    modelGroupId: text('model_group_id'),
    connectorId: text('connector_id'),
  };
  const objects: JsonObject = {};
  for (const key of ['model_config', 'rate_limiter', 'guardrails', 'interface']) {
    if (body[key] !== undefined) objects[key] = expectObject(body[key]);
  }
  if (body.is_enabled !== undefined) objects.is_enabled = body.is_enabled === true || body.is_enabled === 'true';
  return () => {
    const { emulator } = ctx;
    const id = ctx.params[0];
    const model = emulator.models.get(id);
    if (!model) throw statusException(404, `Failed to find model to update with the provided model id: ${id}`);
    const state = model.source.model_state;
    if (!emulator.version.atLeast(2, 13) && BUSY_STATES.has(state)) {
      throw new HttpError(openSearchError(500, 'm_l_validation_exception', `ML Model ${id} is in deploying or deployed state, please undeploy the models first!`));
    }
    if (state === 'DEPLOYING') {
      throw statusException(409, `Model is deploying. Please wait for the model to complete deployment. model ID ${id}`);
    }
    const changes: JsonObject = {};
    if (body.connector !== undefined && model.source.connector_id !== undefined) {
      throw statusException(400, 'Cannot update connector settings for this model. The model was created with a connector_id and does not have an inline connector.');
    }
    if (input.connectorId) {
      if (model.source.connector_id === undefined) {
        throw statusException(400, 'This remote does not have a connector_id field, maybe it uses an internal connector.');
      }
      changes.connector_id = findConnector(ctx, input.connectorId).id;
    }
    if (input.modelGroupId && input.modelGroupId !== model.source.model_group_id) {
      const group = emulator.modelGroups.get(input.modelGroupId);
      if (!group) {
        throw statusException(404, `Failed to find the model group with the provided model group id in the update model input, MODEL_GROUP_ID: ${input.modelGroupId}`);
      }
      const version = Number(group.source.latest_version ?? 0) + 1;
      emulator.modelGroups.replace(group, { ...group.source, latest_version: version, last_updated_time: Date.now() });
      changes.model_group_id = group.id;
      changes.model_version = String(version);
    }
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    for (const [key, value] of Object.entries(objects)) {
      // An update request's partial document merges objects into the stored ones.
      const current = model.source[key];
      changes[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : clone(value);
    }
    const updated = emulator.models.replace(model, { ...model.source, ...changes, last_updated_time: Date.now() });
    return json(200, emulator.models.writeResponse(updated, 'updated', false));
  };
}

export function getTask(ctx: RequestContext): TransportPhase {
  return () => {
    const task = ctx.emulator.tasks.get(ctx.params[0]);
    if (!task) throw statusException(404, 'Failed to find task');
    return json(200, clone(task.source));
  };
}

export function findModel(ctx: RequestContext): StoredDoc {
  const model = ctx.emulator.models.get(ctx.params[0]);
  if (!model) throw statusException(404, 'Failed to find model');
  return model;
}

function setState(emulator: EmulatorContext, model: StoredDoc, state: ModelState, extra: JsonObject = {}): void {
  emulator.models.replace(model, { ...model.source, model_state: state, last_updated_time: Date.now(), ...extra });
}

function taskSource(modelId: string, taskType: string, state: TaskState, isAsync: boolean, nodes: string[]): JsonObject {
  const now = Date.now();
  return {
    model_id: modelId,
    task_type: taskType,
    function_name: 'REMOTE',
    state,
    worker_node: nodes,
    create_time: now,
    last_update_time: now,
    is_async: isAsync,
  };
}

function updateTask(emulator: EmulatorContext, taskId: string, changes: JsonObject): void {
  const task = emulator.tasks.get(taskId);
  if (task) emulator.tasks.replace(task, { ...task.source, ...changes, last_update_time: Date.now() });
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepMerge(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = clone(target);
  for (const [key, value] of Object.entries(patch)) {
    result[key] = isObject(result[key]) && isObject(value) ? deepMerge(result[key] as JsonObject, value) : clone(value);
  }
  return result;
}

function requireBody(ctx: RequestContext, message: string): unknown {
  const body = parseJsonBody(ctx.request);
  if (body === undefined) throw new HttpError(openSearchError(400, 'parse_exception', message));
  return body;
}
