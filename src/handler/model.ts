/*
 * Remote models and model groups: register, deploy (and wait for the task), smoke-test,
 * update, undeploy and delete. Pure decisions over the client, like connector.ts.
 */
import type { ModelGroupResourceProperties, ModelResourceProperties } from '../contract';
import { Deadline, sleep, sleepBeforeRetry } from './deadline';
import { DeployError, answerError, describeAnswer, isDeterministicFailure, readErrorAnswer } from './errors';
import { log } from './log';
import { ATTEMPT_TIMEOUT_MS, HttpResponse, OpenSearchClient, TransportError, isUnsent } from './opensearch-client';

const ML = '/_plugins/_ml';

/** What a failed create must report, so that the rollback's Delete can remove what it made. */
export interface ModelTracker {
  /** when the first register was sent whose outcome no answer has told yet */
  unknownSince?: number;
  /** a model this invocation registered and has not removed: the failed answer names it */
  leftBehind?: string;
}

export interface ModelContext {
  readonly client: OpenSearchClient;
  readonly deadline: Deadline;
  readonly providerRoleArn?: string;
  readonly tracker: ModelTracker;
}

/** The one JSON field of an answer that matters, or an error that says what OpenSearch answered. */
async function call(ctx: ModelContext, method: string, path: string, what: string, body?: unknown): Promise<any> {
  const response = await ctx.client.request({ method, path, body, retry: 'idempotent' });
  if (response.status !== 200) throw answerError(response, { ...ctx, operation: 'model', what });
  return response.json ?? {};
}

// ---- model groups ----

export async function createModelGroup(props: ModelGroupResourceProperties, ctx: ModelContext): Promise<string> {
  const name = props.modelGroup.name;
  let unsure = false;
  for (;;) {
    let response: HttpResponse;
    try {
      response = await ctx.client.request({ method: 'POST', path: `${ML}/model_groups/_register`, body: props.modelGroup, retry: 'once' });
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      if (ctx.deadline.remaining() < 1_000) throw new DeployError(`Could not create the model group '${name}' in the time the handler has: ${e.message}.`);
      unsure ||= !isUnsent(e);
      continue;
    }
    const id = (response.json as { model_group_id?: unknown } | undefined)?.model_group_id;
    if (response.status === 200 && typeof id === 'string') return id;
    const taken = /already being used by a model group with ID: *([^\s.]+)/.exec(readErrorAnswer(response).reason);
    // Names are unique: after a request whose answer was lost, the group by that name is the one it made.
    if (taken && unsure) return taken[1];
    if (response.status >= 500 || response.status === 429) {
      // 429 and 503 say the request was not carried out; other server errors may come after it was.
      unsure ||= response.status !== 429 && response.status !== 503;
      await sleep(Math.min(1_000, ctx.deadline.remaining()));
      if (ctx.deadline.remaining() > 0) continue;
    }
    throw new DeployError(`Could not create the model group '${name}'. ${describeAnswer(readErrorAnswer(response))}. ` +
      (taken ? 'Model group names are unique on a domain: give the MlModelGroup another name, or refer to that group with MlModelGroup.fromModelGroupId().'
        : 'Fix the MlModelGroup property the answer names, then deploy again.'));
  }
}

export async function updateModelGroup(
  id: string, props: ModelGroupResourceProperties, old: ModelGroupResourceProperties | undefined, ctx: ModelContext,
): Promise<string> {
  if (old && old.endpoint !== props.endpoint) return createModelGroup(props, ctx);
  const response = await ctx.client.request({ method: 'PUT', path: `${ML}/model_groups/${encodeURIComponent(id)}`, body: props.modelGroup, retry: 'idempotent' });
  if (response.status === 404) return createModelGroup(props, ctx);
  if (response.status !== 200) throw answerError(response, { ...ctx, operation: 'update', what: `update the model group ${id}` });
  return id;
}

export async function deleteModelGroup(id: string, ctx: ModelContext): Promise<void> {
  const response = await ctx.client.request({ method: 'DELETE', path: `${ML}/model_groups/${encodeURIComponent(id)}`, retry: 'idempotent' });
  if (response.status === 200 || response.status === 404) return;
  throw new DeployError(`Could not delete the model group ${id}. ${describeAnswer(readErrorAnswer(response))}. ` +
    'Models that this stack does not manage may still be in the group: delete them, then delete the stack again.');
}

// ---- models ----

/**
 * Register (synchronous for remote models), deploy, smoke-test. A model registered here and
 * then failing is undeployed and deleted before the failure is reported; if even that fails,
 * the failed answer carries its ID, so that the rollback's Delete removes it.
 */
export async function createModel(props: ModelResourceProperties, ctx: ModelContext): Promise<string> {
  const id = await register(props, ctx);
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

/**
 * POST _register, once per attempt: a register whose answer was lost (or a gateway error) may
 * have registered the model, so the model is looked up (same name and connector, registered
 * since) before another try.
 */
async function register(props: ModelResourceProperties, ctx: ModelContext): Promise<string> {
  const body = props.model;
  const what = `register the model '${body.name}' on the connector ${body.connector_id}`;
  const since = Date.now();
  let last: HttpResponse | undefined;
  let lost = '';
  /** whether any attempt may have registered a model that no answer told us about */
  let everUnsure = false;
  /** A clear outcome: nothing unanswered can have registered a model (else the marker stays, for the rollback to sweep). */
  const settled = (): void => {
    if (!everUnsure) ctx.tracker.unknownSince = undefined;
  };
  /** The model to keep; models that unanswered attempts registered besides it are removed. */
  const registered = async (id: string): Promise<string> => {
    settled();
    if (everUnsure) {
      for (const other of (await registeredSince(props, since, ctx)).filter((found) => found !== id)) {
        await deleteModel(other, props, ctx).then(
          () => log('removed a second model registered by an unanswered request', { modelId: other }),
          (e: Error) => log('could not remove a second model registered by an unanswered request', { modelId: other, error: e.message }));
      }
    }
    return id;
  };
  ctx.tracker.unknownSince ??= since;
  for (let attempt = 0; ; attempt++) {
    let unsure = false;
    try {
      last = await ctx.client.once('POST', `${ML}/models/_register`, body, Math.min(ATTEMPT_TIMEOUT_MS, ctx.deadline.remaining() / 2));
      const id = (last.json as { model_id?: unknown } | undefined)?.model_id;
      if (last.status === 200 && typeof id === 'string') return await registered(id);
      const transient = last.status === 429 || last.status === 503 || ctx.client.mayBePropagating(last);
      unsure = last.status === 500 || last.status === 502 || last.status === 504;
      if (!transient && !(unsure && !isDeterministicFailure(last))) {
        settled();
        throw answerError(last, { ...ctx, operation: 'create', what });
      }
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      last = undefined;
      lost = e.message;
      unsure = !isUnsent(e);
    }
    everUnsure ||= unsure;
    if (unsure) {
      const [found] = await registeredSince(props, since, ctx);
      if (found) {
        log('adopted model registered by an unanswered request', { modelId: found });
        return registered(found);
      }
    }
    if (!(await sleepBeforeRetry(attempt, ctx.deadline, 1_000))) {
      settled();
      if (last) throw answerError(last, { ...ctx, operation: 'create', what: `${what} (${attempt + 1} attempts)` });
      throw new DeployError(`Could not ${what} in the time the handler has (${attempt + 1} attempts): ${lost}. Check the domain's health, then deploy again.`);
    }
  }
}

/** Models an unanswered register may have made: same name and connector, registered since `since`, newest first. */
async function registeredSince(props: ModelResourceProperties, since: number, ctx: ModelContext): Promise<string[]> {
  await sleep(Math.min(1_500, ctx.deadline.remaining()));
  try {
    const response = await ctx.client.request({
      method: 'POST',
      path: `${ML}/models/_search`,
      body: {
        query: { bool: { filter: [{ term: { 'name.keyword': props.model.name } }, { term: { connector_id: props.model.connector_id } }] } },
        sort: [{ created_time: { order: 'desc' } }],
        size: 10,
      },
      retry: 'idempotent',
    });
    const hits = ((response.json as any)?.hits?.hits ?? []) as Array<{ _id: string; _source?: { created_time?: unknown } }>;
    return hits.filter((hit) => Number(hit._source?.created_time ?? 0) >= since - CLOCK_SKEW_MS).map((hit) => hit._id);
  } catch (e) {
    if (e instanceof TransportError) return [];
    throw e;
  }
}

/**
 * The rollback of a create whose outcome was unknown: delete the models it may have
 * registered. Best effort: a failure here must not keep the stack from rolling back.
 */
export async function removeUnanswered(since: number, props: ModelResourceProperties, ctx: ModelContext): Promise<void> {
  for (const id of await registeredSince(props, since, ctx)) {
    try {
      await deleteModel(id, props, ctx);
      log('removed model left by an unanswered register', { modelId: id });
    } catch (e) {
      log('could not remove model left by an unanswered register', { modelId: id, error: (e as Error).message });
    }
  }
}

/** Deploys (if asked and `deploy` is due) and smoke-tests the model. */
async function settle(id: string, props: ModelResourceProperties, ctx: ModelContext, deploy: boolean): Promise<void> {
  if (props.deploy && deploy) await deployModel(id, ctx);
  if (props.deploy && props.verify) await verifyModel(id, props, ctx);
}

/** POST _deploy, then poll its task until it ends. */
export async function deployModel(id: string, ctx: ModelContext): Promise<void> {
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

export async function undeployModel(id: string, ctx: ModelContext): Promise<void> {
  const response = await ctx.client.request({ method: 'POST', path: `${ML}/models/${encodeURIComponent(id)}/_undeploy`, retry: 'idempotent' });
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
async function verifyModel(id: string, props: ModelResourceProperties, ctx: ModelContext): Promise<void> {
  const verify = props.verify!;
  const response = await ctx.client.request({
    method: 'POST', path: `${ML}/models/${encodeURIComponent(id)}/_predict`, body: { parameters: verify.parameters }, retry: 'idempotent',
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
export async function updateModel(
  id: string, props: ModelResourceProperties, old: ModelResourceProperties | undefined, ctx: ModelContext,
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
    const put = () => ctx.client.request({ method: 'PUT', path: `${ML}/models/${encodeURIComponent(id)}`, body: changed, retry: 'idempotent' });
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
export async function deleteModel(id: string, props: ModelResourceProperties | undefined, ctx: ModelContext): Promise<void> {
  let found: HttpResponse;
  try {
    found = await ctx.client.request({ method: 'GET', path: `${ML}/models/${encodeURIComponent(id)}`, retry: 'idempotent' });
  } catch (e) {
    // An imported domain deleted out of band takes its models with it.
    if (e instanceof TransportError && e.code === 'ENOTFOUND') return;
    throw e;
  }
  if (found.status === 404) return;
  const model = (found.json ?? {}) as { model_state?: string; model_group_id?: string };
  if (model.model_state !== 'REGISTERED' && model.model_state !== 'UNDEPLOYED') await undeployModel(id, ctx);
  const response = await ctx.client.request({ method: 'DELETE', path: `${ML}/models/${encodeURIComponent(id)}`, retry: 'idempotent' });
  if (response.status !== 200 && response.status !== 404) {
    throw answerError(response, { ...ctx, operation: 'delete', what: `delete the model ${id}` });
  }
  // The group OpenSearch created with the model goes with it; it refuses while other models are in it.
  if (props && props.model.model_group_id === undefined && model.model_group_id) {
    const group = await ctx.client.request({ method: 'DELETE', path: `${ML}/model_groups/${encodeURIComponent(model.model_group_id)}`, retry: 'idempotent' });
    log('deleted the model\'s own group', { modelGroupId: model.model_group_id, status: group.status });
  }
}

/** Best effort: remove a model this invocation registered before reporting its failure. */
async function discard(id: string, props: ModelResourceProperties, ctx: ModelContext): Promise<void> {
  try {
    await deleteModel(id, props, ctx);
    ctx.tracker.leftBehind = undefined;
    log('removed the model of the failed create', { modelId: id });
  } catch (e) {
    log('could not remove the model of the failed create', { modelId: id, error: (e as Error).message });
  }
}
