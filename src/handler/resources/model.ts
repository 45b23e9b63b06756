/*
 * Remote models (Custom::OpenSearchMlModel): the properties; register, deploy (and wait for the
 * task), smoke-test, update, undeploy and delete. The physical ID is the model ID.
 */
import { MODEL_RESOURCE_TYPE, ModelResourceAttributes, ModelResourceProperties } from '../../contract';
import { createOnce, Lookup, removeCreated } from '../create-once';
import { sleep } from '../deadline';
import { DeployError, answerError, describeAnswer, readErrorAnswer } from '../errors';
import { log } from '../log';
import { checked, requireObject, requireString, RawProperties, targetOf } from '../properties';
import type { ResourceContext, ResourceType } from '../resource';
import { HttpResponse, TransportError } from '../transport';

const ML = '/_plugins/_ml';

export function parseModelProperties(raw: RawProperties): ModelResourceProperties {
  // typedValues point from the root of the properties (see ModelResourceProperties).
  const { contractVersion, props, typedValues } = checked(raw);
  const model = requireObject(props, 'model');
  requireString(model, 'name');
  requireString(model, 'connector_id');
  return {
    contractVersion,
    ...targetOf(props),
    model: model as unknown as ModelResourceProperties['model'],
    deploy: props.deploy !== false && props.deploy !== 'false',
    ...(props.verify && typeof props.verify === 'object' ? { verify: props.verify as ModelResourceProperties['verify'] } : {}),
    typedValues,
  };
}

export const modelResource: ResourceType<ModelResourceProperties, ModelResourceAttributes> = {
  type: MODEL_RESOURCE_TYPE,
  noun: 'model',
  parse: parseModelProperties,
  create: createModel,
  update: updateModel,
  delete: deleteModel,
  attributes: (id) => ({ ModelId: id }),
  // Best effort: a failure here must not keep the stack from rolling back.
  sweep: (outcome, props, ctx) => removeCreated('model', modelsRegisteredSince(outcome.since, props, ctx), ctx.deadline),
  unreadableDelete: 'fail',
};

/** The one JSON field of an answer that matters, or an error that says what OpenSearch answered. */
async function call(ctx: ResourceContext, method: string, path: string, what: string, body?: unknown): Promise<any> {
  const response = await ctx.client.request({ method, path, body });
  if (response.status !== 200) throw answerError(response, { ...ctx, operation: 'model', what });
  return response.json ?? {};
}

/**
 * Register (synchronous for remote models), deploy, smoke-test. A model registered here and
 * then failing is undeployed and deleted before the failure is reported; if even that fails,
 * the failed answer carries its ID, so that the rollback's Delete removes it.
 */
async function createModel(props: ModelResourceProperties, ctx: ResourceContext): Promise<string> {
  // ml-commons models have no field for a creation token: a register whose answer was lost is
  // looked up by name, connector and registration time (see create-once.ts).
  const id = await createOnce({
    noun: 'model',
    what: `register the model '${props.model.name}' on the connector ${props.model.connector_id}`,
    path: `${ML}/models/_register`,
    body: props.model,
    idField: 'model_id',
    lookup: modelsRegisteredSince(Date.now(), props, ctx),
    refused: (response, what) => answerError(response, { ...ctx, operation: 'create', what }),
  }, ctx);
  // Until it is returned or removed, a failure (even the handler's last-resort timeout) must name it.
  ctx.tracker.leftBehind = id;
  try {
    await settle(id, props, ctx, true);
    return id;
  } catch (e) {
    await discard(id, props, ctx);
    throw e;
  }
}

/** A model this much older than our request is not ours (OpenSearch's clock and ours may differ). */
const CLOCK_SKEW_MS = 60_000;

/** Models an unanswered register may have made: same name and connector, registered since `since`, newest first. */
function modelsRegisteredSince(since: number, props: ModelResourceProperties, ctx: ResourceContext): Lookup {
  return {
    find: async (deadline) => {
      const hits = await ctx.client.search(`${ML}/models/_search`, {
        query: { bool: { filter: [{ term: { 'name.keyword': props.model.name } }, { term: { connector_id: props.model.connector_id } }] } },
        sort: [{ created_time: { order: 'desc' } }],
        size: 10,
      }, deadline);
      return hits?.filter((hit) => Number(hit._source?.created_time ?? 0) >= since - CLOCK_SKEW_MS).map((hit) => hit._id);
    },
    remove: (id) => deleteModel(id, props, ctx),
  };
}

/** Deploys (if asked and `deploy` is due) and smoke-tests the model. */
async function settle(id: string, props: ModelResourceProperties, ctx: ResourceContext, deploy: boolean): Promise<void> {
  if (props.deploy && deploy) await deployModel(id, ctx);
  if (props.deploy && props.verify) await verifyModel(id, props, ctx);
}

/** POST _deploy, then poll its task until it ends. */
export async function deployModel(id: string, ctx: ResourceContext): Promise<void> {
  const json = await call(ctx, 'POST', `${ML}/models/${encodeURIComponent(id)}/_deploy`, `deploy the model ${id}`);
  const taskId = json.task_id;
  if (typeof taskId !== 'string') return;
  for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
    const task = await call(ctx, 'GET', `${ML}/tasks/${encodeURIComponent(taskId)}`, `read the deploy task ${taskId} of the model ${id}`);
    const state = String(task.state ?? '');
    if (state === 'COMPLETED') return;
    if (state === 'FAILED' || state === 'COMPLETED_WITH_ERROR') {
      throw new DeployError(`Deploying the model ${id} ended ${state} (task ${taskId}): ${String(task.error ?? 'no error given').slice(0, 600)}. ` +
        'Check the connector (its role, the model\'s endpoint) and the ML nodes\' capacity, then deploy again.');
    }
    if (ctx.deadline.remaining() < wait) {
      throw new DeployError(`The model ${id} was still deploying (task ${taskId} ${state || 'state unknown'}) when the handler's time ran out. ` +
        'Check the task (GET _plugins/_ml/tasks/' + taskId + ') and the cluster\'s ML nodes, then deploy again.');
    }
    await sleep(wait);
  }
}

export async function undeployModel(id: string, ctx: ResourceContext): Promise<void> {
  const response = await ctx.client.request({ method: 'POST', path: `${ML}/models/${encodeURIComponent(id)}/_undeploy` });
  if (response.status !== 200 && response.status !== 404) {
    throw answerError(response, { ...ctx, operation: 'model', what: `undeploy the model ${id}` });
  }
}

/** Likely causes of a failed prediction, by what the model's service answered. */
const PREDICT_CAUSES: Array<[RegExp, string]> = [
  [/sts:AssumeRole|AssumeRole|security token/i, 'OpenSearch could not assume the connector role: check its trust policy (opensearchservice.amazonaws.com, with aws:SourceAccount and aws:SourceArn of this domain).'],
  [/don't have access to the model|access to the model|model access/i, 'Model access is not enabled for this model in Amazon Bedrock: enable it in the Bedrock console (Model access) in the model\'s region.'],
  [/not authorized to perform|AccessDenied/i, 'The connector role may not invoke the model: check its Invoke policy names the model or endpoint ARN.'],
  [/Could not find endpoint|endpoint.*(not found|does not exist)/i, 'The SageMaker endpoint does not exist in that region, or its name is wrong: check the blueprint\'s endpointName.'],
  [/ValidationException|Malformed|invalid/i, 'The model rejected the request: check the connector\'s request body and the verify parameters.'],
];

/** One _predict call; its answer must be a success with the expected vector length or text. */
async function verifyModel(id: string, props: ModelResourceProperties, ctx: ResourceContext): Promise<void> {
  const verify = props.verify!;
  const response = await ctx.client.request({
    method: 'POST', path: `${ML}/models/${encodeURIComponent(id)}/_predict`, body: { parameters: verify.parameters },
  });
  if (response.status !== 200) {
    const answer = readErrorAnswer(response);
    const cause = PREDICT_CAUSES.find(([pattern]) => pattern.test(answer.reason))?.[1] ?? 'Check the connector and the model\'s service.';
    throw new DeployError(`The smoke test of the model ${id} failed: ${describeAnswer(answer)}. ${cause}`);
  }
  if (verify.embeddingDimension !== undefined) {
    const vector = longestVector(response.json);
    if (!vector) {
      throw new DeployError(`The smoke test of the model ${id} found no vector in the answer: ${response.text.slice(0, 300)}. ` +
        'Check the connector\'s post-process function.');
    }
    if (vector.length !== Number(verify.embeddingDimension)) {
      throw new DeployError(`The smoke test of the model ${id} got a vector of ${vector.length} values, but the model declares ${verify.embeddingDimension}. ` +
        'Set modelConfig.embeddingDimension (and the k-NN field\'s dimension) to what the model returns, or change the model\'s dimensions.');
    }
  }
  if (verify.outputContains !== undefined && !response.text.includes(verify.outputContains)) {
    throw new DeployError(`The smoke test of the model ${id} did not find '${verify.outputContains}' in the answer: ${response.text.slice(0, 300)}.`);
  }
}

/** The longest array of numbers in the answer: the vector (`data`), not its `shape`. */
function longestVector(json: unknown): number[] | undefined {
  let best: number[] | undefined;
  const visit = (value: unknown): void => {
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number')) {
      if (!best || value.length > best.length) best = value as number[];
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(visit);
    }
  };
  visit(json);
  return best;
}

/**
 * Update in place what the API can change (name, description, connector: undeploying first
 * while the connector changes), deploy or undeploy as asked, and smoke-test again. Another
 * domain, model group or model_config registers a new model; CloudFormation deletes the old.
 */
async function updateModel(
  id: string, props: ModelResourceProperties, old: ModelResourceProperties | undefined, ctx: ResourceContext,
): Promise<string> {
  const replace = !old || old.endpoint !== props.endpoint || old.model.model_group_id !== props.model.model_group_id
    || JSON.stringify(old.model.model_config) !== JSON.stringify(props.model.model_config);
  if (replace) {
    log('replacing model', { modelId: id });
    return createModel(props, ctx);
  }
  const changed: Record<string, unknown> = {};
  for (const key of ['name', 'description', 'connector_id'] as const) {
    if (old.model[key] !== props.model[key]) changed[key] = props.model[key] ?? '';
  }
  const moving = 'connector_id' in changed;
  let undeployed = moving && old.deploy;
  if (undeployed) await undeployModel(id, ctx);
  if (Object.keys(changed).length > 0) {
    const put = () => ctx.client.request({ method: 'PUT', path: `${ML}/models/${encodeURIComponent(id)}`, body: changed });
    let response = await put();
    // 2.12 refuses any update of a deployed model: undeploy, update, deploy again.
    if (response.status !== 200 && old.deploy && !undeployed && /undeploy the model/i.test(readErrorAnswer(response).reason)) {
      await undeployModel(id, ctx);
      undeployed = true;
      response = await put();
    }
    if (response.status === 404) return createModel(props, ctx);
    if (response.status === 405 || /no handler found/i.test(readErrorAnswer(response).reason)) {
      log('domain cannot update models in place; replacing', { modelId: id });
      if (undeployed) await deployModel(id, ctx);
      return createModel(props, ctx);
    }
    if (response.status !== 200) {
      if (undeployed) await deployModel(id, ctx);
      throw answerError(response, { ...ctx, operation: 'update', what: `update the model ${id}` });
    }
  }
  if (!props.deploy && old.deploy && !undeployed) await undeployModel(id, ctx);
  await settle(id, props, ctx, props.deploy && (undeployed || !old.deploy));
  return id;
}

/**
 * Undeploy, delete, and delete the group OpenSearch made for a model registered without
 * one. A model that is already gone is success.
 */
async function deleteModel(id: string, props: ModelResourceProperties, ctx: ResourceContext): Promise<void> {
  let found: HttpResponse;
  try {
    found = await ctx.client.request({ method: 'GET', path: `${ML}/models/${encodeURIComponent(id)}` });
  } catch (e) {
    // An imported domain deleted out of band takes its models with it.
    if (e instanceof TransportError && e.code === 'ENOTFOUND') return;
    throw e;
  }
  if (found.status === 404) return;
  const model = (found.json ?? {}) as { model_state?: string; model_group_id?: string };
  if (model.model_state !== 'REGISTERED' && model.model_state !== 'UNDEPLOYED') await undeployModel(id, ctx);
  const response = await ctx.client.request({ method: 'DELETE', path: `${ML}/models/${encodeURIComponent(id)}` });
  if (response.status !== 200 && response.status !== 404) {
    throw answerError(response, { ...ctx, operation: 'delete', what: `delete the model ${id}` });
  }
  // The group OpenSearch created with the model goes with it; it refuses while other models are in it.
  if (props.model.model_group_id === undefined && model.model_group_id) {
    const group = await ctx.client.request({ method: 'DELETE', path: `${ML}/model_groups/${encodeURIComponent(model.model_group_id)}` });
    log('deleted the model\'s own group', { modelGroupId: model.model_group_id, status: group.status });
  }
}

/** Best effort: remove a model this invocation registered before reporting its failure. */
async function discard(id: string, props: ModelResourceProperties, ctx: ResourceContext): Promise<void> {
  try {
    await deleteModel(id, props, ctx);
    ctx.tracker.leftBehind = undefined;
    log('removed the model of the failed create', { modelId: id });
  } catch (e) {
    log('could not remove the model of the failed create', { modelId: id, error: (e as Error).message });
  }
}

