/*
 * Remote models (Custom::OpenSearchMlModel): the properties; register, deploy (and wait for the
 * task), smoke-test, update, undeploy and delete. The physical ID is the model ID.
 */
import { MODEL_RESOURCE_TYPE, ModelResourceAttributes, ModelResourceProperties } from '../../contract';
import { createOnce, Lookup, removeCreated } from '../create-once';
import { Deadline, sleep } from '../deadline';
import { DeployError, NO_ROOM, answerError, attemptsNote, describeAnswer, isGone, readErrorAnswer } from '../errors';
import { log } from '../log';
import { checked, requireObject, requireString, RawProperties, targetOf } from '../properties';
import type { ResourceContext, ResourceType } from '../resource';
import { Backoff, sleepBeforeRetry } from '../retry';
import { HttpResponse, TransportError } from '../transport';

const ML = '/_plugins/_ml';

/** The path of a model, or of one of its actions (`/_deploy`, ...). */
export const modelPath = (id: string, action = ''): string => `${ML}/models/${encodeURIComponent(id)}${action}`;

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
  removeLeftover: removeLeftover,
  unreadableDelete: 'fail',
};

/** The one JSON field of an answer that matters, or an error that says what OpenSearch answered. */
async function call(ctx: ResourceContext, method: string, path: string, what: string, body?: unknown): Promise<any> {
  const response = await ctx.client.request({ method, path, body, deadline: ctx.deadline });
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
    // A 429 may come after the model is stored: ml-commons answers the register from its register thread pool
    // (MLModelManager.indexRemoteModel), and a full queue there rejects that answer, not the write. Look before trying again.
    verdict: (outcome, standard) => (!(outcome instanceof TransportError) && outcome.status === 429 ? 'unknown' : standard),
    refused: (response, what) => answerError(response, { ...ctx, operation: 'create', what }),
  }, ctx);
  // Until it is returned or removed, a failure (even the handler's last-resort timeout) must name it.
  ctx.tracker.leftBehind = id;
  try {
    // Deploying and the smoke test leave time to remove the model, should they fail.
    const reserve = Math.min(CLEANUP_RESERVE_MS, ctx.deadline.remaining() / 4);
    await settle(id, props, { ...ctx, deadline: Deadline.in(ctx.deadline.remaining() - reserve) }, true);
    return id;
  } catch (e) {
    await discard(id, props, ctx);
    throw e;
  }
}

/** Time a failing create keeps for removing the model it registered, and the model's own group. */
const CLEANUP_RESERVE_MS = 15_000;

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

/**
 * Waits between deploys that the ML nodes had no room for. Remote model deploy tasks hold a slot
 * for seconds, and a domain runs 10 at a time whatever its size (each takes a slot on every
 * node): short waits, so that a slot does not stay free for long while deploys wait for one
 * (50 deploys of 2.5 s, simulated: 1.15 times the time of an ideal queue, 5 attempts each).
 * The same short waits serve the other repeats around a model's state: a deploy undone under its
 * task, and a delete refused while the model still reads deployed.
 */
const DEPLOY_BACKOFF: Backoff = { baseMs: 1_000, capMs: 2_000 };

/**
 * POST _deploy, then poll its task until it ends. A task that every node refused for want of
 * room (more deploys at once than max_deploy_model_tasks_per_node) is deployed again after a
 * wait, for as long as the deadline allows: a big stack's models wait their turn.
 */
export async function deployModel(id: string, ctx: ResourceContext): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const task = await deployOnce(id, ctx);
    if (!task || task.state === 'COMPLETED') return;
    const noRoom = nodeErrorsAll(task.error, NO_ROOM);
    if ((noRoom || task.state === 'UNDONE') && await sleepBeforeRetry(attempt, ctx.deadline, 0, DEPLOY_BACKOFF)) {
      log(noRoom ? 'the ML nodes had no room for the deploy; deploying again' : 'the model was undeployed while its deploy task ran; deploying again',
        { modelId: id, taskId: task.taskId, attempt: attempt + 1 });
      continue;
    }
    if (task.state === 'UNDONE') {
      throw new DeployError(`The model ${id} was undeployed (${String(task.error)}) while its deploy task ${task.taskId} still ran, ` +
        `and deployed again until the handler's time ran out (${attempt + 1} attempts). Another deploy or undeploy of the model ran at the same time: ` +
        'deploy again once it has ended.');
    }
    throw new DeployError(`Deploying the model ${id} ended ${task.state} (task ${task.taskId}): ${String(task.error ?? 'no error given').slice(0, 600)}. ` +
      (noRoom
        ? `The ML nodes ran as many deploy tasks as they may (plugins.ml_commons.max_deploy_model_tasks_per_node) until the handler's time ran out (${attempt + 1} attempts): deploy again, or deploy fewer models at once.`
        : 'Check the connector (its role, the model\'s endpoint) and the ML nodes\' capacity, then deploy again.'));
  }
}

interface DeployTask {
  readonly taskId: string;
  /** UNDONE: the task still runs, but the model is no longer deploying nor deployed (`error` holds its state). */
  readonly state: 'COMPLETED' | 'FAILED' | 'COMPLETED_WITH_ERROR' | 'UNDONE';
  readonly error?: unknown;
}

/**
 * How long a deploy task may run before the handler also reads the model's state. A remote
 * model deploys in milliseconds to seconds, but a task can outlive what it stood for: an
 * undeploy sent while the model deployed (which ml-commons allows since it fixed models stuck
 * in DEPLOYING, ml-commons #2970) leaves the model UNDEPLOYED and its task RUNNING, and a
 * second deploy of the model ends the model's DEPLOYING state through another task.
 */
const TASK_CHECK_MS = 5_000;

/**
 * One POST _deploy and its task, polled until it ends; undefined when the answer names no task. The
 * answer's status is not enough: for a remote model ml-commons answers COMPLETED once the nodes have
 * answered, whatever they answered, and a node's refusal (max_deploy_model_tasks_per_node) shows in the task only.
 */
async function deployOnce(id: string, ctx: ResourceContext): Promise<DeployTask | undefined> {
  const json = await call(ctx, 'POST', modelPath(id, '/_deploy'), `deploy the model ${id}`);
  const taskId = json.task_id;
  if (typeof taskId !== 'string') return undefined;
  let modelReadAt = Date.now();
  // Remote model deploys take seconds: poll often enough that a finished task is seen soon after.
  for (let wait = 250; ; wait = Math.min(wait * 2, 1_000)) {
    const task = await call(ctx, 'GET', `${ML}/tasks/${encodeURIComponent(taskId)}`, `read the deploy task ${taskId} of the model ${id}`);
    const state = String(task.state ?? '');
    if (state === 'COMPLETED' || state === 'FAILED' || state === 'COMPLETED_WITH_ERROR') return { taskId, state, error: task.error };
    if (Date.now() - modelReadAt >= TASK_CHECK_MS) {
      modelReadAt = Date.now();
      const model = await call(ctx, 'GET', modelPath(id), `read the model ${id} while its deploy task ${taskId} runs`);
      const modelState = String(model.model_state ?? '');
      if (modelState === 'DEPLOYED') return { taskId, state: 'COMPLETED' };
      if (modelState !== 'DEPLOYING' && modelState !== 'PARTIALLY_DEPLOYED') return { taskId, state: 'UNDONE', error: modelState || 'state unknown' };
    }
    if (ctx.deadline.remaining() < wait) {
      throw new DeployError(`The model ${id} was still deploying (task ${taskId} ${state || 'state unknown'}) when the handler's time ran out. ` +
        'Check the task (GET _plugins/_ml/tasks/' + taskId + ') and the cluster\'s ML nodes, then deploy again.');
    }
    await sleep(wait);
  }
}

/** Whether a task's error ({"<node id>": "<message>", ...} as ml-commons stores it, or a message) names only failures like `pattern`. */
function nodeErrorsAll(error: unknown, pattern: RegExp): boolean {
  if (error === undefined || error === null) return false;
  let messages: string[] = [String(error)];
  try {
    const parsed: unknown = JSON.parse(String(error));
    if (parsed && typeof parsed === 'object') messages = Object.values(parsed).map(String);
  } catch {
    // a plain message
  }
  return messages.length > 0 && messages.every((message) => pattern.test(message));
}

export async function undeployModel(id: string, ctx: ResourceContext): Promise<void> {
  const response = await ctx.client.request({ method: 'POST', path: modelPath(id, '/_undeploy') });
  if (response.status !== 200 && response.status !== 404) {
    throw answerError(response, { ...ctx, operation: 'model', what: `undeploy the model ${id}` });
  }
}

/** Likely causes of a failed prediction, by what the model's service answered. */
const PREDICT_CAUSES: Array<[RegExp, string]> = [
  [/sts:AssumeRole|AssumeRole|security token/i, 'OpenSearch could not assume the connector role: check its trust policy (opensearchservice.amazonaws.com, aws:SourceAccount, aws:SourceArn).'],
  [/don't have access to the model|access to the model|model access/i, 'Enable access to this model in the Bedrock console (Model access), in the model\'s region.'],
  [/not authorized to perform|AccessDenied/i, 'The connector role may not invoke the model: check its Invoke policy names the model or endpoint ARN.'],
  [/Could not find endpoint|endpoint.*(not found|does not exist)/i, 'The SageMaker endpoint does not exist in that region, or its name is wrong: check the blueprint\'s endpointName.'],
  [/ValidationException|Malformed|invalid/i, 'The model rejected the request: check the connector\'s request body and the verify parameters.'],
];

/** One _predict call; its answer must be a success with the expected vector length or text. */
async function verifyModel(id: string, props: ModelResourceProperties, ctx: ResourceContext): Promise<void> {
  const verify = props.verify!;
  const response = await ctx.client.request({
    method: 'POST', path: modelPath(id, '/_predict'), body: { parameters: verify.parameters }, deadline: ctx.deadline,
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
 * Whether two model_configs ask for the same model. Since the search chain (issue 13) this library gives
 * every TEXT_EMBEDDING model `additional_config.space_type`, which ml-commons 3.x requires at register
 * and 2.x ignores; a model registered before that, whose config only gains it, keeps its ID (pipelines
 * and applications outside the stack name it) instead of being registered again. It then has no space
 * type stored, as before; a later change of its model_config registers a new model with one.
 */
export function sameModelConfig(old: Record<string, unknown> | undefined, next: Record<string, unknown> | undefined): boolean {
  if (JSON.stringify(old) === JSON.stringify(next)) return true;
  const oldAdditional = old?.additional_config as Record<string, unknown> | undefined;
  const nextAdditional = next?.additional_config as Record<string, unknown> | undefined;
  if (!old || !next || oldAdditional?.space_type !== undefined || nextAdditional?.space_type === undefined) return false;
  const { additional_config: _added, ...rest } = next;
  const { space_type: _space, ...others } = nextAdditional;
  const without = Object.keys(others).length > 0 || oldAdditional ? { ...rest, additional_config: others } : rest;
  return JSON.stringify(old) === JSON.stringify(without);
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
    || !sameModelConfig(old.model.model_config, props.model.model_config);
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
    const put = () => ctx.client.request({ method: 'PUT', path: modelPath(id), body: changed });
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
 * one. A model that is already gone is success. `seen.groupId` is that group, once read.
 */
async function deleteModel(id: string, props: ModelResourceProperties, ctx: ResourceContext, seen: { groupId?: string } = {}): Promise<void> {
  let found: HttpResponse;
  try {
    found = await ctx.client.request({ method: 'GET', path: modelPath(id) });
  } catch (e) {
    // An imported domain deleted out of band takes its models with it.
    if (e instanceof TransportError && e.code === 'ENOTFOUND') return;
    throw e;
  }
  if (found.status === 404) return;
  const model = (found.json ?? {}) as { model_state?: string; model_group_id?: string };
  if (props.model.model_group_id === undefined && model.model_group_id) seen.groupId = model.model_group_id;
  const response = await undeployAndDelete(id, model.model_state, ctx);
  if (response.status !== 200 && !isGone(response)) {
    throw answerError(response, { ...ctx, operation: 'delete', what: `delete the model ${id}` });
  }
  // The group OpenSearch created with the model goes with it; it refuses while other models are in it.
  if (seen.groupId) {
    const groupId = seen.groupId;
    await deleteOwnGroup(groupId, ctx).catch((e: Error) => {
      throw new DeployError(`Deleted the model ${id}, but not the model group ${groupId} that OpenSearch created with it: ${e.message}. ` +
        `Delete it (DELETE _plugins/_ml/model_groups/${groupId}) once no model is in it.`);
    });
  }
}

/** ml-commons' refusal to delete a model whose stored state still reads deployed. */
const STILL_DEPLOYED = /cannot be deleted in deploying or deployed state/i;

/**
 * Undeploy (unless the model reads as not deployed) and DELETE. ml-commons answered an undeploy before
 * it had written the model's state, so a delete sent at once was refused as deployed (ml-commons #2419),
 * and 2.19.6 answers an undeploy sent just after a deploy "not_found" and leaves the model deployed
 * (seen on the real tier): undeploy again and delete again, a few times within the deadline.
 */
async function undeployAndDelete(id: string, state: string | undefined, ctx: ResourceContext): Promise<HttpResponse> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0 || (state !== 'REGISTERED' && state !== 'UNDEPLOYED')) await undeployModel(id, ctx);
    const response = await ctx.client.request({ method: 'DELETE', path: modelPath(id) });
    if (response.status !== 400 || !STILL_DEPLOYED.test(readErrorAnswer(response).reason) || attempt >= 4 ||
      !(await sleepBeforeRetry(attempt, ctx.deadline, 0, DEPLOY_BACKOFF))) return response;
    log('the model read as deployed after its undeploy; undeploying and deleting again', { modelId: id, attempt: attempt + 1 });
  }
}

/**
 * Deletes the group OpenSearch made for a model registered without one; already gone is success.
 * A group that others' models have joined since (409) is theirs too, and stays.
 */
async function deleteOwnGroup(groupId: string, ctx: ResourceContext): Promise<void> {
  const group = await ctx.client.request({ method: 'DELETE', path: `${ML}/model_groups/${encodeURIComponent(groupId)}` });
  log('the model\'s own group', { modelGroupId: groupId, status: group.status });
  if (group.status !== 200 && !isGone(group) && group.status !== 409) {
    throw new Error(`${describeAnswer(readErrorAnswer(group))}${attemptsNote(group)}`);
  }
}

/**
 * Best effort: remove a model this invocation registered before reporting its failure. If that
 * fails once the model's own group is known, the model may be gone already (a delete whose answer
 * was lost) and the group is not: the failure names both (CreateTracker.leftover), so that the
 * rollback's Delete removes whichever is left.
 */
async function discard(id: string, props: ModelResourceProperties, ctx: ResourceContext): Promise<void> {
  const seen: { groupId?: string } = {};
  try {
    await deleteModel(id, props, ctx, seen);
    ctx.tracker.leftBehind = undefined;
    log('removed the model of the failed create', { modelId: id });
  } catch (e) {
    if (seen.groupId) {
      ctx.tracker.leftBehind = undefined;
      ctx.tracker.leftover = `${id}${LEFTOVER_SEPARATOR}${seen.groupId}`;
    }
    log('could not remove the model of the failed create', { modelId: id, error: (e as Error).message });
  }
}

/** Between the model and its group in a leftover (IDs that OpenSearch generates have no '.'). */
const LEFTOVER_SEPARATOR = '.';

/**
 * The rollback of a create that left a model and its own group (discard): the model if it is
 * still there, then the group. Unlike a sweep, this is something known to exist: if it cannot
 * go, the Delete fails and says what is left (CloudFormation tries again on the next delete).
 */
async function removeLeftover(leftover: string, props: ModelResourceProperties, ctx: ResourceContext): Promise<void> {
  const at = leftover.lastIndexOf(LEFTOVER_SEPARATOR);
  const [modelId, groupId] = [leftover.slice(0, at), leftover.slice(at + 1)];
  try {
    await deleteModel(modelId, props, ctx);
    await deleteOwnGroup(groupId, ctx);
  } catch (e) {
    throw new DeployError(`Could not delete what a failed create of the model left, the model ${modelId} and its model group ${groupId}: ` +
      `${(e as Error).message}. Delete them (DELETE _plugins/_ml/models/${modelId}, then DELETE _plugins/_ml/model_groups/${groupId}), ` +
      'or delete the stack again.');
  }
}

