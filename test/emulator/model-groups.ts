/**
 * ML Commons model group APIs: register, get, update and delete on the .plugins-ml-model-group index
 * (model access control disabled, as on a domain without it).
 */
import { modelGroupSearchFailed } from './capacity';
import { EmulatorContext, RequestContext, TransportPhase } from './context';
import { illegalArgument, openSearchError, statusException } from './errors';
import { HttpError, json } from './http';
import { checkMlText } from './ml-input-3x';
import { clone, StoredDoc } from './store';
import { expectObject, JsonObject, parseJsonBody, readText } from './xcontent';

const ACCESS_CONTROL_DISABLED = 'You cannot specify model access control parameters because the Security plugin or model access control is disabled on your cluster.';

export function registerModelGroup(ctx: RequestContext): TransportPhase {
  const body = expectObject(requireBody(ctx, 'Request body is empty'));
  if (body.name === undefined) throw illegalArgument('model group name is null');
  const name = readText(body.name);
  checkMlText(ctx.emulator.version, 'Model group', body);
  return () => {
    rejectAccessFields(body);
    if (!ctx.emulator.capacity.searchModelGroups()) throw modelGroupSearchFailed();
    const existing = ctx.emulator.modelGroups.all().find((group) => group.source.name === name);
    if (existing) throw illegalArgument(`The name you provided is already being used by a model group with ID: ${existing.id}.`);
    const group = createModelGroup(ctx.emulator, name, body.description === undefined ? undefined : readText(body.description));
    return json(200, { model_group_id: group.id, status: 'CREATED' });
  };
}

export function createModelGroup(emulator: EmulatorContext, name: string, description?: string): StoredDoc {
  const now = Date.now();
  const described = description === undefined ? {} : { description };
  return emulator.modelGroups.create({ name, latest_version: 0, ...described, created_time: now, last_updated_time: now });
}

export function getModelGroup(ctx: RequestContext): TransportPhase {
  return () => json(200, clone(findModelGroup(ctx, ctx.params[0]).source));
}

/** Name and description change; the answer is {"status":"Updated"}. */
export function updateModelGroup(ctx: RequestContext): TransportPhase {
  const body = expectObject(requireBody(ctx, 'Update model group request has empty body'));
  const name = body.name === undefined ? undefined : readText(body.name);
  const description = body.description === undefined ? undefined : readText(body.description);
  return () => {
    rejectAccessFields(body);
    const group = findModelGroup(ctx, ctx.params[0]);
    if (name !== undefined) {
      const other = ctx.emulator.modelGroups.all().find((doc) => doc.id !== group.id && doc.source.name === name);
      if (other) throw illegalArgument(`The name you provided is already being used by another model with ID: ${other.id}. Please provide a different name`);
    }
    ctx.emulator.modelGroups.replace(group, {
      ...group.source,
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
      last_updated_time: Date.now(),
    });
    return json(200, { status: 'Updated' });
  };
}

/**
 * 409 while any model belongs to the group. A missing group is not an error of its own: the delete goes through
 * and answers the index's not_found result with 404.
 */
export function deleteModelGroup(ctx: RequestContext): TransportPhase {
  return () => {
    const { modelGroups, models } = ctx.emulator;
    const id = ctx.params[0];
    if (models.all().some((model) => model.source.model_group_id === id)) {
      throw statusException(409, 'Cannot delete the model group when it has associated model versions');
    }
    const group = modelGroups.get(id);
    if (!group) {
      return json(404, { ...modelGroups.writeResponse({ id, source: {}, version: 1, seqNo: modelGroups.nextSeqNo() }, 'not_found', true) });
    }
    return json(200, modelGroups.writeResponse(modelGroups.delete(group), 'deleted', true));
  };
}

export function findModelGroup(ctx: RequestContext, id: string): StoredDoc {
  const group = ctx.emulator.modelGroups.get(id);
  if (!group) throw statusException(404, `Failed to find model group with the provided model group id: ${id}`);
  return group;
}

function rejectAccessFields(body: JsonObject): void {
  if (body.access_mode !== undefined || body.backend_roles !== undefined || body.add_all_backend_roles !== undefined) {
    throw illegalArgument(ACCESS_CONTROL_DISABLED);
  }
}

function requireBody(ctx: RequestContext, message: string): unknown {
  const body = parseJsonBody(ctx.request);
  if (body === undefined) throw new HttpError(openSearchError(400, 'parse_exception', message));
  return body;
}
