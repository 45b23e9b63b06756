/**
 * ML Commons connector APIs: create, get, search, update and delete on the .plugins-ml-connector index.
 */
import {
  checkRequiredFields, ConnectorInput, parseConnectorInput, rejectAccessControlFields, validateActionHeaders,
  validateActionUrls, validateProtocol,
} from './connector-input';
import { RequestContext, TransportPhase } from './context';
import { javaList, openSearchError, statusException } from './errors';
import { EmulatorResponse, HttpError, json } from './http';
import { checkMlText } from './ml-input-3x';
import { fail, osException } from './os-exception';
import { executeSearch, IndexMapping, parseSearchRequest } from './search';
import { clone, StoredDoc } from './store';
import { parseJsonBody } from './xcontent';

export const CONNECTOR_INDEX = '.plugins-ml-connector';

/** The .plugins-ml-connector mapping as far as search needs it. */
export const CONNECTOR_MAPPING: IndexMapping = {
  text: ['name', 'description'],
  keyword: ['version', 'protocol', 'backend_roles', 'access'],
  sortable: ['created_time', 'last_updated_time', 'name.keyword', 'version', 'protocol'],
};

/** HttpConnector.toXContent field order, which is how the document is stored. */
const SOURCE_ORDER = ['name', 'version', 'description', 'protocol', 'parameters', 'credential', 'actions', 'backend_roles',
  'owner', 'access', 'created_time', 'last_updated_time', 'client_config'];

export function createConnector(ctx: RequestContext): TransportPhase {
  const body = parseJsonBody(ctx.request);
  if (body === undefined) throw new HttpError(openSearchError(400, 'parse_exception', 'Create Connector request has empty body'));
  const input = parseConnectorInput(body, ctx.emulator.version);
  checkRequiredFields(input);
  checkMlText(ctx.emulator.version, 'Model connector', input);
  return () => {
    const { version, trustedEndpoints, connectors } = ctx.emulator;
    validateProtocol(input.protocol!, input.credential, input.parameters, version);
    validateActionUrls(input.actions, input.parameters, trustedEndpoints, version);
    validateActionHeaders(input.actions);
    rejectAccessControlFields(input);
    const now = Date.now();
    const doc = connectors.create(ordered({
      name: input.name,
      version: input.version,
      description: input.description,
      protocol: input.protocol,
      parameters: input.parameters,
      credential: input.credential,
      actions: input.actions,
      created_time: now,
      last_updated_time: now,
      client_config: input.clientConfig,
    }));
    return json(200, { connector_id: doc.id });
  };
}

export function getConnector(ctx: RequestContext): TransportPhase {
  return () => json(200, withoutCredential(findConnector(ctx, ctx.params[0]).source));
}

export function searchConnectors(ctx: RequestContext): TransportPhase {
  const request = parseSearchRequest(parseJsonBody(ctx.request), ctx.request.params, CONNECTOR_MAPPING);
  return () => executeSearch(CONNECTOR_INDEX, ctx.emulator.connectors.all(), request, CONNECTOR_MAPPING, ['credential']);
}

export function updateConnector(ctx: RequestContext): TransportPhase {
  const { version } = ctx.emulator;
  if (!version.atLeast(2, 12)) {
    // 2.11 shipped the API behind plugins.ml_commons.update_connector.enabled (off by default); the REST handler
    // throws IllegalStateException, which OpenSearch answers with 500.
    throw new HttpError(openSearchError(500, 'illegal_state_exception',
      'Update connector API is currently disabled. To enable it, update the setting "plugins.ml_commons.update_connector.enabled" to true.'));
  }
  const body = parseJsonBody(ctx.request);
  if (body === undefined) throw new HttpError(openSearchError(400, 'parse_exception', 'Failed to update connector: Request body is empty'));
  const input = parseConnectorInput(body, version);
  return () => applyUpdate(ctx, findConnector(ctx, ctx.params[0]), input);
}

function applyUpdate(ctx: RequestContext, doc: StoredDoc, input: ConnectorInput): EmulatorResponse {
  rejectAccessControlFields(input);
  const current = doc.source;
  const merged: Record<string, unknown> = {
    ...current,
    ...defined({ name: input.name, description: input.description, version: input.version, protocol: input.protocol }),
    // parameters merge (keys cannot be removed); credential and actions are replaced whole.
    parameters: { ...(current.parameters as Record<string, string> | undefined), ...input.parameters },
    ...(Object.keys(input.credential).length > 0 ? { credential: input.credential } : {}),
    ...defined({ actions: input.actions, client_config: input.clientConfig }),
    last_updated_time: Date.now(),
  };
  if (input.actions !== undefined) validateActionHeaders(input.actions);
  validateActionUrls(merged.actions as ConnectorInput['actions'], merged.parameters as Record<string, string>, ctx.emulator.trustedEndpoints, ctx.emulator.version);
  const deployed = modelsUsing(ctx, doc.id, (state) => state === 'DEPLOYING' || state === 'DEPLOYED' || state === 'PARTIALLY_DEPLOYED');
  if (deployed.length > 0) {
    throw statusException(400, `${deployed.length} models are still using this connector, please undeploy the models first: ${javaList(deployed)}`);
  }
  const updated = ctx.emulator.connectors.replace(doc, ordered(merged));
  return json(200, ctx.emulator.connectors.writeResponse(updated, 'updated', false));
}

export function deleteConnector(ctx: RequestContext): TransportPhase {
  return () => {
    // 2.19 and 3.x answer a connector that is not there with the index's own "not_found" (measured on real
    // 2.19.6 and 3.6.0 in test/real, with the connector index present), not with 404.
    const { connectors, version } = ctx.emulator;
    if (version.atLeast(2, 19) && !version.atLeast(3, 0) && !connectors.exists) {
      // Real 2.19.6 without the connector index (no connector ever created on the node): its SdkClient wraps the
      // IndexNotFoundException in an OpenSearchStatusException (500); 3.x on a fresh node is not measured.
      fail(osException('status_exception', `Failed to delete data object from index ${CONNECTOR_INDEX}`, 500, undefined,
        osException('index_not_found_exception', `no such index [${CONNECTOR_INDEX}]`, 404,
          { 'index': CONNECTOR_INDEX, 'resource.id': CONNECTOR_INDEX, 'resource.type': 'index_expression', 'index_uuid': '_na_' })));
    }
    if (version.atLeast(2, 19) && !connectors.get(ctx.params[0])) {
      return json(200, {
        _index: '.plugins-ml-connector',
        _id: ctx.params[0],
        _version: 1,
        result: 'not_found',
        forced_refresh: true,
        _shards: { total: 2, successful: 2, failed: 0 },
        _seq_no: 0,
        _primary_term: 1,
      });
    }
    const doc = findConnector(ctx, ctx.params[0]);
    const users = modelsUsing(ctx, doc.id, () => true);
    if (users.length > 0) throw modelsStillUsing(ctx, users);
    const deleted = ctx.emulator.connectors.delete(doc);
    return json(200, ctx.emulator.connectors.writeResponse(deleted, 'deleted', true));
  };
}

/** 2.12+ answers 409 listing the models; 2.9–2.11 threw MLValidationException (500) without the ids. */
function modelsStillUsing(ctx: RequestContext, modelIds: string[]): HttpError {
  if (ctx.emulator.version.atLeast(2, 12)) {
    return statusException(409, `${modelIds.length} models are still using this connector, please delete or update the models first: ${javaList(modelIds)}`);
  }
  return new HttpError(openSearchError(500, 'm_l_validation_exception',
    `${modelIds.length} models are still using this connector, please delete or update the models first!`));
}

/**
 * The models ml-commons takes for a connector's: a match query on `connector_id`, which its model index maps as
 * text, so the standard analyzer splits both IDs at each '-' (lower-cased), and any part in common matches. Seen on
 * OpenSearch 2.19.6 and 3.6.0 (test/real/scale.test.ts): a connector without models refused a delete naming two
 * models of connectors whose IDs, made in the same second, shared the part "1" with its own.
 */
function modelsUsing(ctx: RequestContext, connectorId: string, stateFilter: (state: unknown) => boolean): string[] {
  const parts = idParts(connectorId);
  return ctx.emulator.models.all()
    .filter((model) => idParts(String(model.source.connector_id ?? '')).some((part) => parts.includes(part)) && stateFilter(model.source.model_state))
    .map((model) => model.id);
}

function idParts(id: string): string[] {
  return id.toLowerCase().split('-').filter((part) => part.length > 0);
}

export function findConnector(ctx: RequestContext, id: string): StoredDoc {
  const doc = ctx.emulator.connectors.get(id);
  if (!doc) throw statusException(404, `Failed to find connector with the provided connector id: ${id}`);
  return doc;
}

function withoutCredential(source: Record<string, unknown>): Record<string, unknown> {
  const copy = clone(source);
  delete copy.credential;
  return copy;
}

function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function ordered(fields: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of SOURCE_ORDER) {
    if (fields[key] !== undefined) result[key] = fields[key];
  }
  return clone(result);
}
