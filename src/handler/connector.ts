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
  /** when the first create request that got no clear answer was sent */
  unknownSince?: number;
}

export interface ConnectorContext {
  readonly client: OpenSearchClient;
  readonly deadline: Deadline;
  readonly providerRoleArn?: string;
  readonly tracker: CreateTracker;
  /** the stack being deployed, to tell its models from others */
  readonly stackId?: string;
}

/** OpenSearch's clock and ours may differ; a connector this much older than our request is not ours. */
const CLOCK_SKEW_MS = 60_000;
/** New documents become searchable after the index refreshes (every second by default). */
const REFRESH_WAIT_MS = 1_500;

/**
 * POST _create. Happy path: one request. When the answer is lost (timeout, dropped
 * connection, gateway error) the connector may exist: look for it before trying again,
 * so that a create is never blindly repeated.
 */
export async function createConnector(props: ConnectorResourceProperties, ctx: ConnectorContext): Promise<string> {
  const body = props.connector;
  /** the last attempt's error answer; undefined when it got no answer (then lostMessage says why) */
  let lastAnswer: HttpResponse | undefined;
  let lostMessage = '';
  for (let attempt = 0; ; attempt++) {
    const sentAt = Date.now();
    let response: HttpResponse | undefined;
    try {
      // Wait for an answer at most half the time left: the other half may be needed to find out what happened.
      response = await ctx.client.once('POST', `${CONNECTORS}/_create`, body, Math.min(ATTEMPT_TIMEOUT_MS, ctx.deadline.remaining() / 2));
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      lastAnswer = undefined;
      lostMessage = e.message;
      if (!isUnsent(e)) {
        ctx.tracker.unknownSince ??= sentAt;
        const found = await findCreated(body, ctx.tracker.unknownSince, ctx);
        if (found) return found;
      }
    }
    if (response) {
      const id = (response.json as { connector_id?: unknown } | undefined)?.connector_id;
      if (response.status === 200 && typeof id === 'string' && id.length > 0) return id;
      const ambiguous = (response.status === 500 || response.status === 502 || response.status === 504) && !isDeterministicFailure(response);
      const transient = response.status === 429 || response.status === 503 || ctx.client.mayBePropagating(response);
      if (ambiguous) {
        // The request reached the domain and may have been carried out before the error.
        ctx.tracker.unknownSince ??= sentAt;
        const found = await findCreated(body, ctx.tracker.unknownSince, ctx);
        if (found) return found;
      } else if (!transient) {
        if (/no handler found/i.test(readErrorAnswer(response).reason)) throw await missingMlCommons(response, ctx);
        throw answerError(response, { ...ctx, operation: 'create', what: `create the connector '${body.name}'` });
      }
      lastAnswer = response;
    }
    if (!(await sleepBeforeRetry(attempt, ctx.deadline, 1_000))) {
      if (lastAnswer) {
        throw answerError(lastAnswer, { ...ctx, operation: 'create', what: `create the connector '${body.name}' (retried until the handler's time ran out)` });
      }
      throw new DeployError(`Could not create the connector '${body.name}' on ${ctx.client.endpoint} in the time the handler has: ${lostMessage}. ` +
        'The domain was unreachable or busy; check its health and deploy again.');
    }
  }
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
 * Finds the connector a create with an unknown outcome made: same name and body,
 * created since shortly before the request. Returns its ID, or undefined.
 */
async function findCreated(body: ConnectorBody, since: number, ctx: ConnectorContext): Promise<string | undefined> {
  await sleep(Math.min(REFRESH_WAIT_MS, ctx.deadline.remaining()));
  const matches = await searchMatching(body, since, ctx);
  if (matches.length > 0) {
    log('adopted connector created by an unanswered request', { connectorId: matches[0] });
  }
  return matches[0];
}

/** IDs of connectors with exactly `body`, created after `since`, newest first. */
async function searchMatching(body: ConnectorBody, since: number, ctx: ConnectorContext): Promise<string[]> {
  let response: HttpResponse;
  try {
    response = await ctx.client.request({
      method: 'POST',
      path: `${CONNECTORS}/_search`,
      body: {
        query: { bool: { filter: [{ term: { 'name.keyword': body.name } }] } },
        sort: [{ created_time: { order: 'desc' } }],
        size: 100,
      },
      retry: 'idempotent',
    });
  } catch (e) {
    if (e instanceof TransportError) return [];
    throw e;
  }
  if (response.status !== 200) {
    log('connector search failed', { status: response.status });
    return [];
  }
  const hits = ((response.json as any)?.hits?.hits ?? []) as Array<{ _id: string; _source?: Record<string, unknown> }>;
  const wanted = fingerprint(body);
  return hits
    .filter((hit) => Number(hit._source?.created_time ?? 0) >= since - CLOCK_SKEW_MS)
    .filter((hit) => hit._source !== undefined && fingerprint(hit._source) === wanted)
    .map((hit) => hit._id);
}

/**
 * The fields a connector is made of, normalized the way ml-commons stores them
 * (parameter values as strings, action types in one case), as canonical JSON.
 */
function fingerprint(connector: Record<string, unknown> | ConnectorBody): string {
  const c = connector as Record<string, any>;
  const parameters: Record<string, string> = {};
  for (const [key, value] of Object.entries((c.parameters ?? {}) as Record<string, unknown>)) {
    parameters[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const actions = ((c.actions ?? []) as Array<Record<string, any>>).map((a) => ({
    action_type: String(a.action_type ?? '').toLowerCase(),
    method: String(a.method ?? '').toUpperCase(),
    url: a.url ?? null,
    headers: a.headers ?? {},
    request_body: a.request_body ?? null,
    pre_process_function: a.pre_process_function ?? null,
    post_process_function: a.post_process_function ?? null,
  }));
  return canonicalJson({
    name: c.name ?? null,
    description: c.description ?? null,
    version: String(c.version ?? ''),
    protocol: c.protocol ?? null,
    parameters,
    actions,
  });
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
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
    owned = await modelsOfStack(ctx.stackId!, ctx.deadline);
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
    const unknown = /^cdk-opensearch-ml:create-unknown:(\d+):/.exec(physicalId);
    if (unknown && props) await removeUnanswered(Number(unknown[1]), props, ctx);
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

/**
 * The rollback of a create whose outcome was unknown: delete what that create made, if
 * anything. Best effort: a failure here must not leave the stack unable to roll back.
 */
async function removeUnanswered(since: number, props: ConnectorResourceProperties, ctx: ConnectorContext): Promise<void> {
  const ids = await searchMatching(props.connector, since, ctx);
  for (const id of ids) {
    try {
      const response = await ctx.client.request({ method: 'DELETE', path: `${CONNECTORS}/${encodeURIComponent(id)}`, retry: 'idempotent' });
      log('removed connector left by an unanswered create', { connectorId: id, status: response.status });
    } catch (e) {
      log('could not remove connector left by an unanswered create', { connectorId: id, error: (e as Error).message });
    }
  }
}
