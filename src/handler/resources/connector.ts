/*
 * Connectors (Custom::OpenSearchMlConnector): the properties, create, update and delete of
 * ml-commons connectors. The physical ID is the connector ID.
 */
import {
  CONNECTOR_RESOURCE_TYPE, ConnectorBody, ConnectorResourceAttributes, ConnectorResourceProperties,
} from '../../contract';
import { createOnce, Lookup, removeCreated } from '../create-once';
import { Deadline } from '../deadline';
import { DELETE_MODELS_FIRST, DeployError, UNDEPLOY_AROUND, answerError, describeAnswer, isGone, readErrorAnswer } from '../errors';
import { log } from '../log';
import { isMarker } from '../physical-id';
import { checked, optionalString, requireObject, RawProperties, targetOf } from '../properties';
import type { ResourceContext, ResourceType } from '../resource';
import { sleepBeforeRetry } from '../retry';
import { HttpResponse, TransportError } from '../transport';
import { deployModel, modelPath, undeployModel } from './model';

const CONNECTORS = '/_plugins/_ml/connectors';
const connectorPath = (id: string): string => `${CONNECTORS}/${encodeURIComponent(id)}`;

/** The connector parameter that carries the creation token. ml-commons stores it and ignores it otherwise. */
export const TOKEN_PARAMETER = 'cdk_creation_token';

export function parseConnectorProperties(raw: RawProperties): ConnectorResourceProperties {
  // typedValues point into `connector` (see ConnectorResourceProperties).
  const { contractVersion, props, typedValues } = checked(raw, '/connector');
  return {
    contractVersion,
    ...targetOf(props),
    connector: requireObject(props, 'connector') as unknown as ConnectorBody,
    typedValues,
    creationToken: optionalString(props, 'creationToken'),
  };
}

export const connectorResource: ResourceType<ConnectorResourceProperties, ConnectorResourceAttributes> = {
  type: CONNECTOR_RESOURCE_TYPE,
  noun: 'connector',
  parse: parseConnectorProperties,
  create: createConnector,
  update: updateConnector,
  delete: deleteConnector,
  attributes: (id) => ({ ConnectorId: id }),
  // The rollback of a create whose outcome was unknown: delete what that create made, if anything.
  sweep: (outcome, props, ctx) => removeCreated('connector', connectorsMadeBy(outcome.requestId, props, ctx), ctx.deadline),
  unreadableDelete: 'fail',
  // A connector that models use is updated around them, if they are the stack's own.
  needsStackModels: (requestType) => requestType === 'Update',
};

/** The token a create request writes into its connector: the construct's, then the RequestId. */
export function creationToken(props: ConnectorResourceProperties, requestId: string): string {
  return props.creationToken ? `${props.creationToken}-${requestId}` : requestId;
}

/**
 * POST _create with the creation token in the body: one request on the happy path. A
 * connector whose answer was lost is found by that token (see create-once.ts).
 */
function createConnector(props: ConnectorResourceProperties, ctx: ResourceContext): Promise<string> {
  const token = creationToken(props, ctx.requestId);
  return createOnce({
    noun: 'connector',
    what: `create the connector '${props.connector.name}'`,
    path: `${CONNECTORS}/_create`,
    body: { ...props.connector, parameters: { ...props.connector.parameters, [TOKEN_PARAMETER]: token } },
    idField: 'connector_id',
    lookup: connectorsMadeBy(ctx.requestId, props, ctx),
    refused: async (response, what) => /no handler found/i.test(readErrorAnswer(response).reason)
      ? missingMlCommons(response, ctx)
      : answerError(response, { ...ctx, operation: 'create', what }),
  }, ctx);
}

/** The connectors that the create of request `requestId` made: those named as it, carrying its token. */
function connectorsMadeBy(requestId: string, props: ConnectorResourceProperties, ctx: ResourceContext): Lookup {
  const token = creationToken(props, requestId);
  return {
    find: (deadline) => searchByToken(props.connector.name, token, ctx, deadline),
    remove: (id) => deleteConnector(id, props, ctx),
  };
}

/**
 * The domain has no connector API. Imported domains carry no version at synth time, so
 * it is read now (GET /) to say why.
 */
async function missingMlCommons(response: HttpResponse, ctx: ResourceContext): Promise<DeployError> {
  let version = 'a version without it';
  try {
    const info = await ctx.client.request({ method: 'GET', path: '/' });
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

/** IDs of the connectors named `name` that carry `token`, oldest first; undefined when the search failed. */
async function searchByToken(name: string, token: string, ctx: ResourceContext, deadline: Deadline): Promise<string[] | undefined> {
  const hits = await ctx.client.search(`${CONNECTORS}/_search`, {
    query: { bool: { filter: [{ term: { 'name.keyword': name } }] } },
    sort: [{ created_time: { order: 'asc' } }],
    size: 1000,
  }, deadline);
  return hits?.filter((hit) => hit._source?.parameters?.[TOKEN_PARAMETER] === token).map((hit) => hit._id);
}

/**
 * Update: PUT in place when ml-commons can express the change, otherwise a new
 * connector (CloudFormation then deletes the old one). A rollback arrives here too,
 * with old and new swapped, and is handled the same way.
 */
async function updateConnector(
  physicalId: string, props: ConnectorResourceProperties, old: ConnectorResourceProperties | undefined, ctx: ResourceContext,
): Promise<string> {
  const why = replacementReason(physicalId, props, old);
  if (why) {
    log('replacing connector', { connectorId: physicalId, why });
    return createConnector(props, ctx);
  }
  const response = await ctx.client.request({ method: 'PUT', path: connectorPath(physicalId), body: props.connector });
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
  if (/still using this connector/i.test(answer.reason) && models.length > 0) {
    return updateAroundModels(physicalId, props, models, describeAnswer(answer), ctx);
  }
  throw answerError(response, { ...ctx, operation: 'update', what: `update the connector ${physicalId}` });
}

/**
 * ml-commons refuses to update a connector while models that use it are deployed: undeploy
 * them, update, and deploy them again — if this stack manages them all. Models of others
 * are not touched: the error names them.
 *
 * ml-commons finds those models with a match query on `connector_id`, a text field of its model
 * index (OpenSearch 2.19.6 and 3.6.0, test/real/scale.test.ts): an ID is split at each '-', and
 * models of another connector whose ID shares a part (IDs made in the same second often share
 * "1") are named too. Those are undeployed and deployed again with the rest, as ml-commons takes
 * no update before; and as the other connector's own update may deploy them again meanwhile, a
 * refusal after the undeploy starts another round, with a backoff, while the deadline allows.
 */
async function updateAroundModels(
  id: string, props: ConnectorResourceProperties, models: string[], answered: string, ctx: ResourceContext,
): Promise<string> {
  let owned: Set<string>;
  try {
    owned = await ctx.stackModels();
  } catch (e) {
    throw new DeployError(`Could not update the connector ${id}. ${answered}. The provider could not list this stack's resources to check that ` +
      `those models are its own (${(e as Error).message}). ${UNDEPLOY_AROUND}`);
  }
  const undeployed = new Set<string>();
  try {
    for (let round = 0, named = models, refusal = answered; ; round++) {
      const foreign = named.filter((model) => !owned.has(model));
      if (foreign.length > 0) throw await foreignModels(id, refusal, foreign, ctx);
      log('undeploying the stack\'s models to update their connector', { connectorId: id, models: named, round: round + 1 });
      for (const model of named) {
        await undeployModel(model, ctx);
        undeployed.add(model);
      }
      const response = await ctx.client.request({ method: 'PUT', path: connectorPath(id), body: props.connector });
      if (response.status === 200) return id;
      const answer = readErrorAnswer(response);
      const again = /still using this connector/i.test(answer.reason) ? modelIdsInReason(answer.reason) : [];
      if (again.length === 0 || !(await sleepBeforeRetry(round, ctx.deadline, DEPLOY_RESERVE_MS * undeployed.size))) {
        throw answerError(response, { ...ctx, operation: 'update', what: `update the connector ${id}` });
      }
      named = again;
      refusal = describeAnswer(answer);
    }
  } finally {
    for (const model of undeployed) await deployModel(model, ctx);
  }
}

/** Time kept to deploy each undeployed model again after the last round. */
const DEPLOY_RESERVE_MS = 10_000;

/** The error for deployed models of others that ml-commons names: whether they use this connector, or only seem to. */
async function foreignModels(id: string, answered: string, foreign: string[], ctx: ResourceContext): Promise<DeployError> {
  const connectors = await connectorsOfModels(foreign, ctx);
  const others = foreign.filter((model) => typeof connectors.get(model) === 'string' && connectors.get(model) !== id);
  const mismatch = others.length > 0
    ? ` Of these, ${others.join(', ')} use other connectors (${others.map((m) => connectors.get(m)).join(', ')}): ml-commons matches connector IDs as text, ` +
      'split at each \'-\', so an ID that shares a part with this one is taken for it.'
    : '';
  return new DeployError(`Could not update the connector ${id}. ${answered}. This stack does not manage the deployed models ${foreign.join(', ')}.${mismatch} ${UNDEPLOY_AROUND}`);
}

/** The connector each model uses (GET, real-time), null for a model that is gone (404); a model that cannot be read is left out. */
async function connectorsOfModels(models: string[], ctx: ResourceContext): Promise<Map<string, string | null>> {
  const found = new Map<string, string | null>();
  for (const model of models) {
    const response = await ctx.client.request({ method: 'GET', path: modelPath(model) }).catch(() => undefined);
    if (response?.status === 404) found.set(model, null);
    const connectorId = (response?.status === 200 ? (response.json as { connector_id?: unknown } | undefined)?.connector_id : undefined);
    if (typeof connectorId === 'string') found.set(model, connectorId);
  }
  return found;
}

/** Why the change needs a new connector, or undefined when an in-place update can make it. */
function replacementReason(physicalId: string, props: ConnectorResourceProperties, old: ConnectorResourceProperties | undefined): string | undefined {
  if (isMarker(physicalId)) return 'the resource has no connector yet';
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
 * Delete: already gone is success. A connector that models still use is kept, and the
 * error names them.
 */
async function deleteConnector(
  physicalId: string, _props: ConnectorResourceProperties, ctx: ResourceContext, attempt = 0, waitUntil = Date.now() + FALSE_MATCH_WAIT_MS,
): Promise<void> {
  let response: HttpResponse;
  try {
    response = await ctx.client.request({ method: 'DELETE', path: connectorPath(physicalId) });
  } catch (e) {
    if (e instanceof TransportError && e.code === 'ENOTFOUND') {
      log('domain endpoint no longer resolves; nothing left to delete', { connectorId: physicalId });
      return;
    }
    throw e;
  }
  if (response.status === 200 || isGone(response)) return;
  const answer = readErrorAnswer(response);
  if (/still using this connector/i.test(answer.reason)) {
    const models = modelIdsInReason(answer.reason);
    // Models of other connectors that ml-commons takes for this one's (see updateAroundModels): a stack's
    // delete is removing them right now, so their refusal is waited out, for FALSE_MATCH_WAIT_MS at most.
    const connectors = await connectorsOfModels(models, ctx);
    // Gone since the refusal (null), or on another connector.
    const notUsers = models.filter((model) => connectors.has(model) && connectors.get(model) !== physicalId);
    const mismatched = notUsers.filter((model) => connectors.get(model) !== null);
    if (models.length > 0 && notUsers.length === models.length && Date.now() < waitUntil) {
      log('ml-commons names models of other connectors; deleting again after a wait', { connectorId: physicalId, models, attempt: attempt + 1 });
      if (await sleepBeforeRetry(attempt, ctx.deadline)) return deleteConnector(physicalId, _props, ctx, attempt + 1, waitUntil);
    }
    if (mismatched.length > 0) {
      throw new DeployError(`Could not delete the connector ${physicalId}: ${describeAnswer(answer)}. The models ${mismatched.join(', ')} use other connectors ` +
        `(${mismatched.map((m) => connectors.get(m)).join(', ')}): ml-commons matches connector IDs as text, split at each '-', so an ID that shares a part ` +
        'with this one is taken for it. Delete the connector again once those models are gone, or delete it with the API after deleting them.');
    }
    throw new DeployError(`Could not delete the connector ${physicalId}: ${models.length > 0 ? `models ${models.join(', ')} still use it` : 'models still use it'}. ` +
      `${describeAnswer(answer)}. ${DELETE_MODELS_FIRST}`);
  }
  throw answerError(response, { ...ctx, operation: 'delete', what: `delete the connector ${physicalId}` });
}

/** How long a delete waits for models that ml-commons takes for this connector's by mistake (updateAroundModels). */
const FALSE_MATCH_WAIT_MS = 120_000;

/** "models are still using this connector ...: [a, b]" → ['a', 'b'] */
function modelIdsInReason(reason: string): string[] {
  const list = /\[([^\]]*)\]\s*$/.exec(reason);
  return list ? list[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0) : [];
}
