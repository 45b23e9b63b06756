/**
 * The REST routes the emulator serves, with the transport action name the security plugin checks for each.
 */
import { createConnector, deleteConnector, getConnector, searchConnectors, updateConnector } from './connectors';
import { EmulatorContext, RequestContext, Route, TransportPhase } from './context';
import { json } from './http';
import { deleteModelGroup, getModelGroup, registerModelGroup, updateModelGroup } from './model-groups';
import { deployModel, deleteModel, getModel, getTask, registerModel, searchModels, undeployModel, updateModel } from './models';
import { predict } from './predict';
import { deleteMapping, getMappings, patchMapping, putMapping, rolesMappingApi } from './rolesmapping';
import { SEARCH_ROUTES } from './search-routes';

const ML = '/_plugins/_ml';
const ID = '([^/]+)';
const ACTION = 'cluster:admin/opensearch/ml';
const ROLES_MAPPING = '/_plugins/_security/api/rolesmapping';
/** Connectors (remote models) arrived in ML Commons 2.9: before, their routes do not exist. */
const REMOTE_MODELS: [number, number] = [2, 9];

export const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/?$/, handle: clusterInfo },
  { method: 'POST', pattern: path(`${ML}/connectors/_create`), action: `${ACTION}/create_connector`, since: REMOTE_MODELS, passRole: true, handle: createConnector },
  { method: 'GET', pattern: path(`${ML}/connectors/_search`), action: `${ACTION}/connectors/search`, since: REMOTE_MODELS, handle: searchConnectors },
  { method: 'POST', pattern: path(`${ML}/connectors/_search`), action: `${ACTION}/connectors/search`, since: REMOTE_MODELS, handle: searchConnectors },
  { method: 'GET', pattern: path(`${ML}/connectors/${ID}`), action: `${ACTION}/connectors/get`, since: REMOTE_MODELS, handle: getConnector },
  { method: 'PUT', pattern: path(`${ML}/connectors/${ID}`), action: `${ACTION}/connectors/update`, since: [2, 11], passRole: true, handle: updateConnector },
  { method: 'DELETE', pattern: path(`${ML}/connectors/${ID}`), action: `${ACTION}/connectors/delete`, since: REMOTE_MODELS, handle: deleteConnector },
  { method: 'POST', pattern: path(`${ML}/model_groups/_register`), action: `${ACTION}/register_model_group`, handle: registerModelGroup },
  { method: 'GET', pattern: path(`${ML}/model_groups/${ID}`), action: `${ACTION}/model_groups/get`, handle: getModelGroup },
  { method: 'PUT', pattern: path(`${ML}/model_groups/${ID}`), action: `${ACTION}/model_groups/update`, handle: updateModelGroup },
  { method: 'DELETE', pattern: path(`${ML}/model_groups/${ID}`), action: `${ACTION}/model_groups/delete`, handle: deleteModelGroup },
  { method: 'POST', pattern: path(`${ML}/models/_register`), action: `${ACTION}/register_model`, handle: registerModel },
  { method: 'GET', pattern: path(`${ML}/models/_search`), action: `${ACTION}/models/search`, handle: searchModels },
  { method: 'POST', pattern: path(`${ML}/models/_search`), action: `${ACTION}/models/search`, handle: searchModels },
  { method: 'POST', pattern: path(`${ML}/models/${ID}/_deploy`), action: `${ACTION}/deploy_model`, handle: deployModel },
  { method: 'POST', pattern: path(`${ML}/models/${ID}/_undeploy`), action: `${ACTION}/undeploy_model`, handle: undeployModel },
  { method: 'POST', pattern: path(`${ML}/models/${ID}/_predict`), action: `${ACTION}/predict`, handle: predict },
  { method: 'GET', pattern: path(`${ML}/models/${ID}`), action: `${ACTION}/models/get`, handle: getModel },
  { method: 'PUT', pattern: path(`${ML}/models/${ID}`), action: `${ACTION}/models/update`, since: [2, 12], handle: updateModel },
  { method: 'DELETE', pattern: path(`${ML}/models/${ID}`), action: `${ACTION}/models/delete`, handle: deleteModel },
  { method: 'GET', pattern: path(`${ML}/tasks/${ID}`), action: `${ACTION}/tasks/get`, handle: getTask },
  { method: 'GET', pattern: optionalName(ROLES_MAPPING), handle: rolesMappingApi(getMappings) },
  { method: 'PATCH', pattern: optionalName(ROLES_MAPPING), handle: rolesMappingApi(patchMapping) },
  { method: 'PUT', pattern: path(`${ROLES_MAPPING}/${ID}`), handle: rolesMappingApi(putMapping) },
  { method: 'DELETE', pattern: path(`${ROLES_MAPPING}/${ID}`), handle: rolesMappingApi(deleteMapping) },
  // Pipelines, indexes, documents, search, memory, security roles (search-routes.ts).
  ...SEARCH_ROUTES,
];

export interface RouteMatch {
  readonly route: Route;
  readonly params: string[];
}

/** The route for method+path, or the methods the path would accept (for RestController's 405). */
export function findRoute(emulator: EmulatorContext, method: string, rawPath: string): RouteMatch | { readonly allowed: string[] } {
  const allowed: string[] = [];
  for (const route of ROUTES) {
    if (route.since && !emulator.version.atLeast(route.since[0], route.since[1])) continue;
    const match = route.pattern.exec(rawPath);
    if (!match) continue;
    if (route.method === method) {
      return { route, params: match.slice(1).filter((param) => param !== undefined).map(safeDecode) };
    }
    allowed.push(route.method);
  }
  return { allowed };
}

function path(template: string): RegExp {
  return new RegExp(`^${template}/?$`);
}

function optionalName(prefix: string): RegExp {
  return new RegExp(`^${prefix}(?:/${ID})?/?$`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** GET / as a managed domain answers it. */
function clusterInfo(ctx: RequestContext): TransportPhase {
  const { emulator } = ctx;
  return () => json(200, {
    name: emulator.nodeId,
    cluster_name: `${emulator.account}:${emulator.domainName}`,
    cluster_uuid: emulator.clusterUuid,
    version: {
      distribution: 'opensearch',
      number: emulator.version.text,
      build_type: 'tar',
      build_hash: 'unknown',
      build_date: '2025-01-01T00:00:00.000000000Z',
      build_snapshot: false,
      lucene_version: '9.12.1',
      minimum_wire_compatibility_version: '7.10.0',
      minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'The OpenSearch Project: https://opensearch.org/',
  });
}
