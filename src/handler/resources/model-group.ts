/*
 * Model groups (Custom::OpenSearchMlModelGroup): the properties, register, update and delete.
 * The physical ID is the model group ID.
 */
import { MODEL_GROUP_RESOURCE_TYPE, ModelGroupResourceAttributes, ModelGroupResourceProperties } from '../../contract';
import { createOnce } from '../create-once';
import { DeployError, answerError, describeAnswer, isGone, readErrorAnswer } from '../errors';
import { checked, requireObject, requireString, RawProperties, targetOf } from '../properties';
import type { ResourceContext, ResourceType } from '../resource';

const MODEL_GROUPS = '/_plugins/_ml/model_groups';

export function parseModelGroupProperties(raw: RawProperties): ModelGroupResourceProperties {
  const { contractVersion, props } = checked(raw);
  const group = requireObject(props, 'modelGroup');
  requireString(group, 'name');
  return { contractVersion, ...targetOf(props), modelGroup: group as unknown as ModelGroupResourceProperties['modelGroup'] };
}

export const modelGroupResource: ResourceType<ModelGroupResourceProperties, ModelGroupResourceAttributes> = {
  type: MODEL_GROUP_RESOURCE_TYPE,
  noun: 'model group',
  parse: parseModelGroupProperties,
  create: createModelGroup,
  update: updateModelGroup,
  delete: deleteModelGroup,
  attributes: (id) => ({ ModelGroupId: id }),
  unreadableDelete: 'succeed',
};

/** The ID in "... is already being used by a model group with ID: <id>." */
function holderOfName(reason: string): string | undefined {
  return /already being used by a model group with ID: *([^\s.]+)/.exec(reason)?.[1];
}

/**
 * POST _register. Names are unique on a domain: after a request whose answer was lost, the
 * next one's refusal names the group it made (see create-once.ts).
 */
function createModelGroup(props: ModelGroupResourceProperties, ctx: ResourceContext): Promise<string> {
  return createOnce({
    noun: 'model group',
    what: `create the model group '${props.modelGroup.name}'`,
    path: `${MODEL_GROUPS}/_register`,
    body: props.modelGroup,
    idField: 'model_group_id',
    taken: (response) => holderOfName(readErrorAnswer(response).reason),
    refused: (response, what) => {
      const answer = readErrorAnswer(response);
      return new DeployError(`Could not ${what}. ${describeAnswer(answer)}. ` + (holderOfName(answer.reason)
        ? 'Model group names are unique on a domain: give the MlModelGroup another name, or refer to that group with MlModelGroup.fromModelGroupId().'
        : 'Fix the MlModelGroup property the answer names, then deploy again.'));
    },
  }, ctx);
}

async function updateModelGroup(
  id: string, props: ModelGroupResourceProperties, old: ModelGroupResourceProperties | undefined, ctx: ResourceContext,
): Promise<string> {
  if (old && old.endpoint !== props.endpoint) return createModelGroup(props, ctx);
  const response = await ctx.client.request({ method: 'PUT', path: `${MODEL_GROUPS}/${encodeURIComponent(id)}`, body: props.modelGroup });
  if (response.status === 404) return createModelGroup(props, ctx);
  if (response.status !== 200) throw answerError(response, { ...ctx, operation: 'update', what: `update the model group ${id}` });
  return id;
}

async function deleteModelGroup(id: string, _props: ModelGroupResourceProperties, ctx: ResourceContext): Promise<void> {
  const response = await ctx.client.request({ method: 'DELETE', path: `${MODEL_GROUPS}/${encodeURIComponent(id)}` });
  if (response.status === 200 || isGone(response)) return;
  throw new DeployError(`Could not delete the model group ${id}. ${describeAnswer(readErrorAnswer(response))}. ` +
    'Models that this stack does not manage may still be in the group: delete them, then delete the stack again.');
}
