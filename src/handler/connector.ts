/*
 * Create, update and delete of ml-commons connectors: pure decisions over the client.
 */
import type { ConnectorBody, ConnectorResourceProperties } from '../contract';
import { Deadline, sleep, sleepBeforeRetry } from './deadline';
import { DeployError, answerError, describeAnswer, isDeterministicFailure, modelIdsInReason, readErrorAnswer } from './errors';
import { log } from './log';
import { deployModel, undeployModel } from './model';
import { ATTEMPT_TIMEOUT_MS, HttpResponse, OpenSearchClient, TransportError, isUnsent } from './opensearch-client';
import { modelsOfStack } from './stack';

const CONNECTORS = '/_plugins/_ml/connectors';

/** Physical IDs that are not connector IDs start with this. */
export const MARKER_PREFIX = 'cdk-opensearch-ml:';

/** A create that certainly created nothing. */
export function notCreatedId(requestId: string): string {
  return `${MARKER_PREFIX}not-created:${requestId}`;
}

/** A create whose request may have created a connector that no answer told us about. */
export function unknownOutcomeId(since: number, requestId: string): string {
  return `${MARKER_PREFIX}create-unknown:${since}:${requestId}`;
}

/** What the handler tells a create it might have to report about. */
export interface CreateTracker {
  /**
   * When the first create request was sent that may have made a connector no answer told
   * us about (lost answer, gateway error, or still in flight when the handler gave up).
   */
  unknownSince?: number;
}

export interface ConnectorContext {
  readonly client: OpenSearchClient;
  readonly deadline: Deadline;
  readonly providerRoleArn?: string;
  readonly tracker: CreateTracker;
  /** the stack being deployed, to tell its models from others */
  readonly stackId?: string;
  /** the stack's models, when a relay outside the VPC listed them */
  readonly stackModels?: string[];
  /** the CloudFormation RequestId: with the construct's token, it marks the connectors this request creates */
  readonly requestId: string;
}

/** The connector parameter that carries the creation token. ml-commons stores it and ignores it otherwise. */
export const TOKEN_PARAMETER = 'cdk_creation_token';

/** The token a create request writes into its connector: the construct's, then the RequestId. */
export function creationToken(props: ConnectorResourceProperties, requestId: string): string {
  return props.creationToken ? `${props.creationToken}-${requestId}` : requestId;
}

/** New documents become searchable after the index refreshes (every second by default). */
const REFRESH_WAIT_MS = 1_500;
/** Time a failing create keeps for deleting what its lost requests made. */
const CLEANUP_RESERVE_MS = 15_000;

/**
 * POST _create. Happy path: one request. When the answer is lost (timeout, dropped
 * connection, gateway error) the connector may exist: look for it by its creation token
 * before trying again, so that a create is never blindly repeated. A create that fails
 * deletes what its lost requests made before it reports the failure.
 */
export async function createConnector(props: ConnectorResourceProperties, ctx: ConnectorContext): Promise<string> {
  const token = creationToken(props, ctx.requestId);
  const body: ConnectorBody = { ...props.connector, parameters: { ...props.connector.parameters, [TOKEN_PARAMETER]: token } };
  const state = { lost: false };
  // Keep time to delete what lost requests made, should the create fail.
  const work = { ...ctx, deadline: Deadline.in(ctx.deadline.remaining() - Math.min(CLEANUP_RESERVE_MS, ctx.deadline.remaining() / 4)) };
  try {
    const id = await createOnce(body, token, work, state);
    // A lost request may have made another connector that the lookups missed: keep exactly one.
    if (state.lost) await removeCreated(body.name, token, ctx, id);
    return id;
  } catch (e) {
    if (state.lost) await removeCreated(body.name, token, ctx);
    throw e;
  }
}

async function createOnce(body: ConnectorBody, token: string, ctx: ConnectorContext, state: { lost: boolean }): Promise<string> {
  /** the last attempt's error answer; undefined when it got no answer (then lostMessage says why) */
  let lastAnswer: HttpResponse | undefined;
  let lostMessage = '';
  /** a request may have created the connector and no search has yet said whether it did */
  let mustLook = false;
  let attempts = 0;
  for (let attempt = 0; ; attempt++) {
    if (mustLook) {
      const found = await findCreated(body.name, token, ctx);
      if (found) return adopted(found, state);
      mustLook = found === undefined;
    }
    if (!mustLook) {
      const sentAt = Date.now();
      // Until an answer says otherwise, this request may create a connector.
      const before = ctx.tracker.unknownSince;
      ctx.tracker.unknownSince ??= sentAt;
      let response: HttpResponse | undefined;
      attempts++;
      try {
        // Wait for an answer at most half the time left: the other half may be needed to find out what happened.
        response = await ctx.client.once('POST', `${CONNECTORS}/_create`, body, Math.min(ATTEMPT_TIMEOUT_MS, ctx.deadline.remaining() / 2));
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        lastAnswer = undefined;
        lostMessage = e.message;
        if (isUnsent(e)) ctx.tracker.unknownSince = before;
        else mustLook = state.lost = true;
      }
      if (response) {
        const id = (response.json as { connector_id?: unknown } | undefined)?.connector_id;
        if (response.status === 200 && typeof id === 'string' && id.length > 0) return id;
        const ambiguous = (response.status === 500 || response.status === 502 || response.status === 504) && !isDeterministicFailure(response);
        const transient = response.status === 429 || response.status === 503 || ctx.client.mayBePropagating(response);
        // The request reached the domain and may have been carried out before the error.
        if (ambiguous) mustLook = state.lost = true;
        else ctx.tracker.unknownSince = before;
        if (!ambiguous && !transient) {
          if (/no handler found/i.test(readErrorAnswer(response).reason)) throw await missingMlCommons(response, ctx);
          throw answerError(response, { ...ctx, operation: 'create', what: `create the connector '${body.name}'${tries(attempts)}` });
        }
        lastAnswer = response;
      }
      if (mustLook) {
        const found = await findCreated(body.name, token, ctx);
        if (found) return adopted(found, state);
        mustLook = found === undefined;
      }
    }
    if (!(await sleepBeforeRetry(attempt, ctx.deadline, 1_000))) {
      const what = `create the connector '${body.name}' (${attempts} attempt${attempts === 1 ? '' : 's'}, retried until the handler's time ran out)`;
      if (lastAnswer) throw answerError(lastAnswer, { ...ctx, operation: 'create', what });
      throw new DeployError(`Could not ${what}. The last attempt got no answer: ${lostMessage}. ` +
        'The domain was unreachable or busy; check its health and deploy again.');
    }
  }
}

/** A connector found by its token: findCreated removed any other already. */
function adopted(id: string, state: { lost: boolean }): string {
  state.lost = false;
  return id;
}

/** " (3 attempts)" */
function tries(attempts: number): string {
  return attempts > 1 ? ` (${attempts} attempts)` : '';
}

/**
 * The domain has no connector API. Imported domains carry no version at synth time, so
 * it is read now (GET /) to say why.
 */
async function missingMlCommons(response: HttpResponse, ctx: ConnectorContext): Promise<DeployError> {
  let version = 'a version without it';
  try {
    const info = await ctx.client.request({ method: 'GET', path: '/', retry: 'idempotent' });
    const number = (info.json as { version?: { number?: unknown; distribution?: unknown } } | undefined)?.version;
    if (info.status === 200 && typeof number?.number === 'string') {
      version = `${number.distribution === 'opensearch' ? 'OpenSearch' : 'Elasticsearch'} ${number.number}`;
    }
  } catch {
    // keep the generic wording
  }
  const answer = readErrorAnswer(response);
  return new DeployError(`The domain ${ctx.client.endpoint} has no ML Commons connector API: it runs ${version}, and connectors need OpenSearch 2.9 or later. ` +
    `OpenSearch answered ${answer.status}: ${answer.reason}. Upgrade the domain, then deploy again.`);
}

/**
 * Finds the connectors a create with an unknown outcome made: those that carry its
 * token. Returns the first (deleting any other), none, or undefined when the search failed.
 */
async function findCreated(name: string, token: string, ctx: ConnectorContext): Promise<string | undefined | false> {
  await sleep(Math.min(REFRESH_WAIT_MS, ctx.deadline.remaining() / 4));
  const ids = await searchByToken(name, token, ctx);
  if (ids === undefined) return undefined;
  if (ids.length === 0) return false;
  log('adopted connector created by an unanswered request', { connectorId: ids[0] });
  await removeCreated(name, token, ctx, ids[0], ids.slice(1));
  return ids[0];
}

/** IDs of the connectors named `name` that carry `token`, oldest first; undefined when the search failed. */
async function searchByToken(name: string, token: string, ctx: ConnectorContext): Promise<string[] | undefined> {
  let response: HttpResponse;
  try {
    response = await ctx.client.request({
      method: 'POST',
      path: `${CONNECTORS}/_search`,
      deadline: ctx.deadline,
      body: {
        query: { bool: { filter: [{ term: { 'name.keyword': name } }] } },
        sort: [{ created_time: { order: 'asc' } }],
        size: 1000,
      },
      retry: 'idempotent',
    });
  } catch (e) {
    if (e instanceof TransportError) return undefined;
    throw e;
  }
  if (response.status !== 200) {
    log('connector search failed', { status: response.status });
    return undefined;
  }
  const hits = ((response.json as any)?.hits?.hits ?? []) as Array<{ _id: string; _source?: { parameters?: Record<string, unknown> } }>;
  return hits.filter((hit) => hit._source?.parameters?.[TOKEN_PARAMETER] === token).map((hit) => hit._id);
}

/**
 * Deletes the connectors that carry `token`, except `keep`: what lost create requests
 * made. Best effort: its failures are logged, not thrown. `known` skips the search.
 */
async function removeCreated(name: string, token: string, ctx: ConnectorContext, keep?: string, known?: string[]): Promise<void> {
  const ids = known ?? await searchByToken(name, token, ctx);
  if (ids === undefined) {
    log('could not look for connectors left by unanswered creates', { token });
    return;
  }
  for (const id of ids.filter((i) => i !== keep)) {
    try {
      const response = await ctx.client.request({ method: 'DELETE', path: `${CONNECTORS}/${encodeURIComponent(id)}`, retry: 'idempotent', deadline: ctx.deadline });
      log('removed connector left by an unanswered create', { connectorId: id, status: response.status });
    } catch (e) {
      log('could not remove connector left by an unanswered create', { connectorId: id, error: (e as Error).message });
    }
  }
}

/**
 * Update: PUT in place when ml-commons can express the change, otherwise a new
 * connector (CloudFormation then deletes the old one). A rollback arrives here too,
 * with old and new swapped, and is handled the same way.
 */
export async function updateConnector(
  physicalId: string, props: ConnectorResourceProperties, old: ConnectorResourceProperties | undefined, ctx: ConnectorContext,
): Promise<string> {
  const why = replacementReason(physicalId, props, old);
  if (why) {
    log('replacing connector', { connectorId: physicalId, why });
    return createConnector(props, ctx);
  }
  const response = await ctx.client.request({
    method: 'PUT', path: `${CONNECTORS}/${encodeURIComponent(physicalId)}`, body: props.connector, retry: 'idempotent',
  });
  if (response.status === 200) return physicalId;
  const answer = readErrorAnswer(response);
  if (response.status === 404) {
    log('connector to update is gone; creating it again', { connectorId: physicalId });
    return createConnector(props, ctx);
  }
  if (response.status === 405 || /currently disabled|not enabled|no handler found/i.test(answer.reason)) {
    log('domain cannot update connectors in place; replacing', { connectorId: physicalId, status: response.status });
    return createConnector(props, ctx);
  }
  const models = modelIdsInReason(answer.reason);
  if (/still using this connector/i.test(answer.reason) && models.length > 0 && ctx.stackId) {
    return updateAroundModels(physicalId, props, models, describeAnswer(answer), ctx);
  }
  throw answerError(response, { ...ctx, operation: 'update', what: `update the connector ${physicalId}` });
}

/**
 * ml-commons refuses to update a connector while models that use it are deployed: undeploy
 * them, update, and deploy them again — if this stack manages them all. Models of others
 * are not touched: the error names them.
 */
async function updateAroundModels(
  id: string, props: ConnectorResourceProperties, models: string[], answered: string, ctx: ConnectorContext,
): Promise<string> {
  let owned: Set<string>;
  try {
    owned = ctx.stackModels ? new Set(ctx.stackModels) : await modelsOfStack(ctx.stackId!, ctx.deadline);
  } catch (e) {
    throw new DeployError(`Could not update the connector ${id}. ${answered}. The provider could not list this stack's resources to check that ` +
      `those models are its own (${(e as Error).message}). Undeploy the models, deploy the stack again, then deploy them again.`);
  }
  const foreign = models.filter((model) => !owned.has(model));
  if (foreign.length > 0) {
    throw new DeployError(`Could not update the connector ${id}. ${answered}. This stack does not manage the deployed models ${foreign.join(', ')}: ` +
      'undeploy the models (POST _plugins/_ml/models/<id>/_undeploy), deploy the stack again, then deploy them again.');
  }
  log('undeploying the stack\'s models to update their connector', { connectorId: id, models });
  for (const model of models) await undeployModel(model, ctx);
  try {
    const response = await ctx.client.request({ method: 'PUT', path: `${CONNECTORS}/${encodeURIComponent(id)}`, body: props.connector, retry: 'idempotent' });
    if (response.status !== 200) throw answerError(response, { ...ctx, operation: 'update', what: `update the connector ${id}` });
  } finally {
    for (const model of models) await deployModel(model, ctx);
  }
  return id;
}

/** Why the change needs a new connector, or undefined when an in-place update can make it. */
function replacementReason(physicalId: string, props: ConnectorResourceProperties, old: ConnectorResourceProperties | undefined): string | undefined {
  if (physicalId.startsWith(MARKER_PREFIX)) return 'the resource has no connector yet';
  if (!old) return undefined;
  if (old.endpoint !== props.endpoint || old.region !== props.region || old.signingService !== props.signingService) {
    return 'the connector moves to another domain';
  }
  // ml-commons merges parameters on update: a key can be added or changed, never removed.
  const kept = new Set(Object.keys(props.connector.parameters ?? {}));
  const removed = Object.keys(old.connector.parameters ?? {}).filter((key) => !kept.has(key));
  if (removed.length > 0) return `parameters removed (${removed.join(', ')}), which an update cannot do`;
  return undefined;
}

/**
 * Delete: already gone is success, and so is a resource whose create never made a
 * connector. A connector that models still use is kept, and the error names them.
 */
export async function deleteConnector(physicalId: string, props: ConnectorResourceProperties | undefined, ctx: ConnectorContext): Promise<void> {
  if (physicalId.startsWith(MARKER_PREFIX)) {
    // The rollback of a create whose outcome was unknown: delete what that create made, if anything.
    const unknown = /^cdk-opensearch-ml:create-unknown:\d+:(.+)$/.exec(physicalId);
    if (unknown && props) await removeCreated(props.connector.name, creationToken(props, unknown[1]), ctx);
    return;
  }
  let response: HttpResponse;
  try {
    response = await ctx.client.request({ method: 'DELETE', path: `${CONNECTORS}/${encodeURIComponent(physicalId)}`, retry: 'idempotent' });
  } catch (e) {
    if (e instanceof TransportError && e.code === 'ENOTFOUND') {
      log('domain endpoint no longer resolves; nothing left to delete', { connectorId: physicalId });
      return;
    }
    throw e;
  }
  if (response.status === 200 || response.status === 404) return;
  const answer = readErrorAnswer(response);
  if (/still using this connector/i.test(answer.reason)) {
    const models = modelIdsInReason(answer.reason);
    throw new DeployError(`Could not delete the connector ${physicalId}: ${models.length > 0 ? `models ${models.join(', ')} still use it` : 'models still use it'}. ` +
      `OpenSearch answered ${answer.status}${answer.type ? ` ${answer.type}` : ''}: ${answer.reason}. Delete those models (or point them at another connector), then delete the connector again.`);
  }
  throw answerError(response, { ...ctx, operation: 'delete', what: `delete the connector ${physicalId}` });
}
