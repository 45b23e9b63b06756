/**
 * Enough of the ML Commons model APIs for connector rules and a remote-model feature: model groups, remote model
 * registration, deploy/undeploy (synchronous for remote models, with a COMPLETED task), get and delete.
 */
import { findConnector } from './connectors';
import { EmulatorContext, RequestContext, TransportPhase } from './context';
import { illegalArgument, openSearchError, statusException } from './errors';
import { HttpError, json } from './http';
import { clone, StoredDoc } from './store';
import { expectObject, parseJsonBody, readText } from './xcontent';

export type ModelState = 'REGISTERED' | 'DEPLOYED' | 'UNDEPLOYED';

export function registerModelGroup(ctx: RequestContext): TransportPhase {
  const body = expectObject(requireBody(ctx));
  if (body.name === undefined) throw illegalArgument('model group name is null');
  const name = readText(body.name);
  return () => {
    if (body.access_mode !== undefined || body.backend_roles !== undefined || body.add_all_backend_roles !== undefined) {
      throw illegalArgument('You cannot specify model access control parameters because the Security plugin or model access control is disabled on your cluster.');
    }
    const existing = ctx.emulator.modelGroups.all().find((group) => group.source.name === name);
    if (existing) throw illegalArgument(`The name you provided is already being used by a model group with ID: ${existing.id}.`);
    const group = createModelGroup(ctx.emulator, name, body.description === undefined ? undefined : readText(body.description));
    return json(200, { model_group_id: group.id, status: 'CREATED' });
  };
}

function createModelGroup(emulator: EmulatorContext, name: string, description?: string): StoredDoc {
  const now = Date.now();
  const described = description === undefined ? {} : { description };
  return emulator.modelGroups.create({ name, latest_version: 0, ...described, created_time: now, last_updated_time: now });
}

export function registerModel(ctx: RequestContext): TransportPhase {
  const body = expectObject(requireBody(ctx));
  if (body.name === undefined) throw illegalArgument('model name is null');
  if (String(body.function_name ?? '').toLowerCase() !== 'remote') {
    throw illegalArgument('The emulator only supports remote models: set "function_name": "remote"');
  }
  if (body.connector_id === undefined) throw illegalArgument('The emulator needs connector_id to register a remote model');
  const deploy = ctx.request.params.get('deploy') === 'true';
  return () => {
    const connector = findConnector(ctx, readText(body.connector_id));
    const group = resolveGroup(ctx, body.model_group_id === undefined ? undefined : readText(body.model_group_id), readText(body.name));
    const modelId = storeModel(ctx.emulator, {
      name: readText(body.name),
      groupId: group.id,
      connectorId: connector.id,
      description: body.description === undefined ? undefined : readText(body.description),
      modelConfig: body.model_config,
      state: deploy ? 'DEPLOYED' : 'REGISTERED',
    });
    const task = createTask(ctx.emulator, modelId, 'REGISTER_MODEL', false);
    return json(200, { task_id: task.id, status: 'CREATED', model_id: modelId });
  };
}

/** An explicit group must exist; without one, ml-commons creates a group named after the model. */
function resolveGroup(ctx: RequestContext, groupId: string | undefined, modelName: string): StoredDoc {
  if (groupId === undefined) return createModelGroup(ctx.emulator, modelName);
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
    ...(model.state === 'DEPLOYED' ? { last_deployed_time: now } : {}),
    connector_id: model.connectorId,
    ...(model.modelConfig === undefined ? {} : { model_config: clone(model.modelConfig) }),
  };
  return emulator.models.create(source).id;
}

export function deployModel(ctx: RequestContext): TransportPhase {
  return () => {
    const model = findModel(ctx);
    setState(ctx.emulator, model, 'DEPLOYED');
    const task = createTask(ctx.emulator, model.id, 'DEPLOY_MODEL', true);
    return json(200, { task_id: task.id, task_type: 'DEPLOY_MODEL', status: 'CREATED' });
  };
}

export function undeployModel(ctx: RequestContext): TransportPhase {
  return () => {
    const model = findModel(ctx);
    setState(ctx.emulator, model, 'UNDEPLOYED');
    return json(200, { [ctx.emulator.nodeId]: { stats: { [model.id]: 'undeployed' } } });
  };
}

export function getModel(ctx: RequestContext): TransportPhase {
  return () => json(200, clone(findModel(ctx).source));
}

export function deleteModel(ctx: RequestContext): TransportPhase {
  return () => {
    const model = findModel(ctx);
    if (model.source.model_state === 'DEPLOYED') {
      throw statusException(400, 'Model cannot be deleted in deploying or deployed state. Try undeploy model first then delete');
    }
    const deleted = ctx.emulator.models.delete(model);
    return json(200, ctx.emulator.models.writeResponse(deleted, 'deleted', true));
  };
}

export function getTask(ctx: RequestContext): TransportPhase {
  return () => {
    const task = ctx.emulator.tasks.get(ctx.params[0]);
    if (!task) throw statusException(404, 'Failed to find task');
    return json(200, clone(task.source));
  };
}

function findModel(ctx: RequestContext): StoredDoc {
  const model = ctx.emulator.models.get(ctx.params[0]);
  if (!model) throw statusException(404, 'Failed to find model');
  return model;
}

function setState(emulator: EmulatorContext, model: StoredDoc, state: ModelState): void {
  const now = Date.now();
  const extra = state === 'DEPLOYED' ? { last_deployed_time: now } : state === 'UNDEPLOYED' ? { last_undeployed_time: now } : {};
  emulator.models.replace(model, { ...model.source, model_state: state, last_updated_time: now, ...extra });
}

/** Remote-model tasks finish immediately, so they are stored COMPLETED. */
function createTask(emulator: EmulatorContext, modelId: string, taskType: string, isAsync: boolean): StoredDoc {
  const now = Date.now();
  return emulator.tasks.create({
    model_id: modelId,
    task_type: taskType,
    function_name: 'REMOTE',
    state: 'COMPLETED',
    worker_node: [emulator.nodeId],
    create_time: now,
    last_update_time: now,
    is_async: isAsync,
  });
}

function requireBody(ctx: RequestContext): unknown {
  const body = parseJsonBody(ctx.request);
  if (body === undefined) throw new HttpError(openSearchError(400, 'parse_exception', 'Request body is empty'));
  return body;
}
