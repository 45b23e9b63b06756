/**
 * Security roles: the predefined ones (permissions from opensearch-project/security config/roles.yml and
 * static_roles.yml, 2.19.0.0), custom roles created with the roles REST API (/_plugins/_security/api/roles[/{name}],
 * behind the same REST admin gate as the roles-mapping API), and the privilege evaluation of cluster and index actions
 * with the static action groups (static_action_groups.yml). Messages: EndpointValidator ("role 'x' not found.", "Resource 'x' is static.",
 * "Resource 'x' is reserved.", "Resource 'x' is not available."), RequestHandler ("'x' created." / updated / deleted),
 * RolesApiAction's allowed keys (cluster_permissions, index_permissions, tenant_permissions: arrays; description).
 */
import { RequestContext } from './context';
import { securityApiMessage } from './errors';
import { EmulatorResponse, HttpError, json } from './http';
import { wildcardMatch } from './iam';
import type { SecurityPlugin } from './security';
import { clone } from './store';

export interface IndexPermission {
  index_patterns: string[];
  dls?: string;
  fls: string[];
  masked_fields: string[];
  allowed_actions: string[];
}

export interface RoleDefinition {
  reserved: boolean;
  hidden: boolean;
  description?: string;
  cluster_permissions: string[];
  index_permissions: IndexPermission[];
  tenant_permissions: Array<{ tenant_patterns: string[]; allowed_actions: string[] }>;
  static: boolean;
}

/** static_action_groups.yml (2.19.0.0), the groups a role can name. */
const ACTION_GROUPS: Readonly<Record<string, readonly string[]>> = {
  unlimited: ['*'],
  cluster_all: ['cluster:*'],
  cluster_monitor: ['cluster:monitor/*'],
  cluster_composite_ops_ro: ['indices:data/read/mget', 'indices:data/read/msearch', 'indices:data/read/mtv', 'indices:admin/aliases/exists*',
    'indices:admin/aliases/get*', 'indices:data/read/scroll', 'indices:admin/resolve/index'],
  cluster_composite_ops: ['indices:data/write/bulk', 'indices:admin/aliases*', 'indices:data/write/reindex', 'cluster_composite_ops_ro'],
  cluster_manage_pipelines: ['cluster:admin/ingest/pipeline/*'],
  cluster_manage_index_templates: ['indices:admin/template/*', 'indices:admin/index_template/*', 'cluster:admin/component_template/*'],
  manage_snapshots: ['cluster:admin/snapshot/*', 'cluster:admin/repository/*'],
  indices_all: ['indices:*'],
  indices_monitor: ['indices:monitor/*'],
  manage: ['indices:monitor/*', 'indices:admin/*'],
  create_index: ['indices:admin/create', 'indices:admin/mapping/put'],
  manage_aliases: ['indices:admin/aliases*'],
  data_access: ['indices:data/*', 'crud'],
  crud: ['read', 'write'],
  read: ['indices:data/read*', 'indices:admin/mappings/fields/get*', 'indices:admin/resolve/index'],
  write: ['indices:data/write*', 'indices:admin/mapping/put'],
  index: ['indices:data/write/index*', 'indices:data/write/update*', 'indices:admin/mapping/put', 'indices:data/write/bulk*'],
  delete: ['indices:data/write/delete*'],
  get: ['indices:data/read/get*', 'indices:data/read/mget*'],
  search: ['indices:data/read/search*', 'indices:data/read/msearch*', 'indices:admin/resolve/index', 'suggest'],
  suggest: ['indices:data/read/suggest*'],
  manage_data_streams: ['indices:admin/data_stream/*', 'indices:monitor/data_stream/stats'],
};

/** Actions the security plugin evaluates as cluster privileges although they name indices (PrivilegesEvaluator.isClusterPerm). */
const CLUSTER_LEVEL = ['indices:data/write/bulk', 'indices:data/read/mget', 'indices:data/read/msearch', 'indices:data/read/mtv', 'indices:data/read/scroll'];

export function isClusterAction(action: string): boolean {
  return action.startsWith('cluster:') || action.startsWith('indices:admin/template/') || action.startsWith('indices:admin/index_template/')
    || CLUSTER_LEVEL.includes(action);
}

const index = (patterns: string[], actions: string[]): IndexPermission => ({
  index_patterns: patterns, fls: [], masked_fields: [], allowed_actions: actions,
});
const role = (cluster: string[], indexPermissions: IndexPermission[], options: Partial<RoleDefinition> = {}): RoleDefinition => ({
  reserved: true, hidden: false, cluster_permissions: cluster, index_permissions: indexPermissions, tenant_permissions: [], static: false, ...options,
});

/** The predefined roles whose permissions matter here; the other predefined names exist without permissions. */
const PREDEFINED: Readonly<Record<string, RoleDefinition>> = {
  all_access: role(['*'], [index(['*'], ['*'])], {
    static: true,
    description: 'Allow full access to all indices and all cluster APIs',
    tenant_permissions: [{ tenant_patterns: ['*'], allowed_actions: ['kibana_all_write'] }],
  }),
  readall: role(['cluster_composite_ops_ro'], [index(['*'], ['read'])], { static: true, description: 'Provide the minimum permissions for to readall indices' }),
  readall_and_monitor: role(['cluster_monitor', 'cluster_composite_ops_ro'], [index(['*'], ['read'])], {
    static: true,
    description: 'Provide the minimum permissions for to readall indices and monitor the cluster',
  }),
  kibana_user: role(['cluster_composite_ops'], [index(['.kibana', '.kibana-6', '.kibana_*', '.opensearch_dashboards', '.opensearch_dashboards-6', '.opensearch_dashboards_*'],
    ['delete', 'index', 'manage', 'read'])], { static: true, description: 'Provide the minimum permissions for a kibana user' }),
  manage_snapshots: role(['manage_snapshots'], [index(['*'], ['indices:data/write/index', 'indices:admin/create'])], { static: true }),
  ml_full_access: role(['cluster_monitor', 'cluster:admin/opensearch/ml/*'], [index(['*'], ['indices_monitor'])]),
  ml_read_access: role([
    'cluster:admin/opensearch/ml/config/get', 'cluster:admin/opensearch/ml/connectors/get', 'cluster:admin/opensearch/ml/connectors/search',
    'cluster:admin/opensearch/ml/controllers/get', 'cluster:admin/opensearch/ml/memory/conversation/get',
    'cluster:admin/opensearch/ml/memory/conversation/interaction/search', 'cluster:admin/opensearch/ml/memory/conversation/list',
    'cluster:admin/opensearch/ml/memory/conversation/search', 'cluster:admin/opensearch/ml/memory/interaction/get',
    'cluster:admin/opensearch/ml/memory/interaction/list', 'cluster:admin/opensearch/ml/memory/trace/get',
    'cluster:admin/opensearch/ml/model_groups/get', 'cluster:admin/opensearch/ml/model_groups/search', 'cluster:admin/opensearch/ml/models/get',
    'cluster:admin/opensearch/ml/models/search', 'cluster:admin/opensearch/ml/profile/nodes', 'cluster:admin/opensearch/ml/stats/nodes',
    'cluster:admin/opensearch/ml/tasks/get', 'cluster:admin/opensearch/ml/tasks/search', 'cluster:admin/opensearch/ml/tools/get',
    'cluster:admin/opensearch/ml/tools/list',
  ], []),
  knn_full_access: role(['cluster:admin/knn_training_model_action', 'cluster:admin/knn_training_job_router_action',
    'cluster:admin/knn_training_job_route_decision_info_action', 'cluster:admin/knn_warmup_action', 'cluster:admin/knn_delete_model_action',
    'cluster:admin/knn_remove_model_from_cache_action', 'cluster:admin/knn_update_model_graveyard_action', 'cluster:admin/knn_search_model_action',
    'cluster:admin/knn_get_model_action', 'cluster:admin/knn_stats_action'], []),
  security_manager: role(['cluster_monitor', 'restapi:admin/*'], []),
};

export class RoleStore {
  private custom = new Map<string, RoleDefinition>();

  constructor(private readonly predefinedNames: ReadonlySet<string>) {}

  reset(): void {
    this.custom = new Map();
  }

  get(name: string): RoleDefinition | undefined {
    if (this.custom.has(name)) return this.custom.get(name);
    if (PREDEFINED[name]) return PREDEFINED[name];
    return this.predefinedNames.has(name) ? role([], []) : undefined;
  }

  exists(name: string): boolean {
    return this.get(name) !== undefined;
  }

  all(): Array<[string, RoleDefinition]> {
    const names = new Set([...this.predefinedNames, ...Object.keys(PREDEFINED), ...this.custom.keys()]);
    return [...names].map((name) => [name, this.get(name)!] as [string, RoleDefinition]);
  }

  isCustom(name: string): boolean {
    return this.custom.has(name);
  }

  put(name: string, definition: RoleDefinition): void {
    this.custom.set(name, clone(definition));
  }

  delete(name: string): void {
    this.custom.delete(name);
  }

  /** Whether any of the roles grants the action (on every one of the indices, for an index action). */
  allows(roles: readonly string[], action: string, indices: readonly string[] = []): boolean {
    const definitions = roles.map((name) => this.get(name)).filter((definition): definition is RoleDefinition => definition !== undefined);
    if (isClusterAction(action) || indices.length === 0) {
      return definitions.some((definition) => matchesAny(expand(definition.cluster_permissions), action));
    }
    return indices.every((name) => definitions.some((definition) => definition.index_permissions.some((permission) =>
      permission.index_patterns.some((pattern) => wildcardMatch(pattern, name, false)) && matchesAny(expand(permission.allowed_actions), action))));
  }
}

function matchesAny(patterns: readonly string[], action: string): boolean {
  return patterns.some((pattern) => wildcardMatch(pattern, action, false));
}

/** Resolve action group names (recursively) to action patterns. */
function expand(permissions: readonly string[], seen = new Set<string>()): string[] {
  const result: string[] = [];
  for (const permission of permissions) {
    const group = ACTION_GROUPS[permission];
    if (group && !seen.has(permission)) {
      seen.add(permission);
      result.push(...expand(group, seen));
    } else if (!group) {
      result.push(permission);
    }
  }
  return result;
}

export function getRoles(ctx: RequestContext, security: SecurityPlugin): EmulatorResponse {
  const name = ctx.params[0];
  if (name === undefined) {
    const visible = security.roles.all().filter(([, definition]) => !definition.hidden);
    return json(200, Object.fromEntries(visible.map(([key, definition]) => [key, render(definition)])));
  }
  const definition = security.roles.get(name);
  if (definition?.hidden) return securityApiMessage(404, `Resource '${name}' is not available.`);
  if (!definition) return securityApiMessage(404, `role '${name}' not found.`);
  return json(200, { [name]: render(definition) });
}

export function putRole(ctx: RequestContext, security: SecurityPlugin): EmulatorResponse {
  const name = ctx.params[0];
  const content = validateRole(ctx.request.bodyText);
  const existing = security.roles.get(name);
  const immutable = immutableError(name, existing);
  if (immutable) return immutable;
  security.roles.put(name, content);
  return existing ? securityApiMessage(200, `'${name}' updated.`) : securityApiMessage(201, `'${name}' created.`);
}

export function deleteRole(ctx: RequestContext, security: SecurityPlugin): EmulatorResponse {
  const name = ctx.params[0];
  const existing = security.roles.get(name);
  const immutable = immutableError(name, existing);
  if (immutable) return immutable;
  if (!existing) return securityApiMessage(404, `role '${name}' not found.`);
  security.roles.delete(name);
  return securityApiMessage(200, `'${name}' deleted.`);
}

function immutableError(name: string, definition: RoleDefinition | undefined): EmulatorResponse | undefined {
  if (definition?.hidden) return securityApiMessage(404, `Resource '${name}' is not available.`);
  if (definition?.static) return securityApiMessage(403, `Resource '${name}' is static.`);
  if (definition?.reserved) return securityApiMessage(403, `Resource '${name}' is reserved.`);
  return undefined;
}

/** GET renders a role with the fields of RoleV7 (dls only when set). */
function render(definition: RoleDefinition): Record<string, unknown> {
  return {
    reserved: definition.reserved,
    hidden: definition.hidden,
    ...(definition.description === undefined ? {} : { description: definition.description }),
    cluster_permissions: [...definition.cluster_permissions],
    index_permissions: definition.index_permissions.map((permission) => ({
      index_patterns: [...permission.index_patterns],
      ...(permission.dls === undefined ? {} : { dls: permission.dls }),
      fls: [...permission.fls],
      masked_fields: [...permission.masked_fields],
      allowed_actions: [...permission.allowed_actions],
    })),
    tenant_permissions: clone(definition.tenant_permissions),
    static: definition.static,
  };
}

const ALLOWED_KEYS = ['cluster_permissions', 'tenant_permissions', 'index_permissions', 'description'];
const INDEX_KEYS = ['index_patterns', 'dls', 'fls', 'masked_fields', 'allowed_actions'];

/** RequestContentValidator with the roles endpoint's allowed keys, then the conversion to RoleV7. */
function validateRole(bodyText: string): RoleDefinition {
  let content: unknown;
  try {
    content = JSON.parse(bodyText);
  } catch {
    throw new HttpError(json(400, { status: 'error', reason: 'Could not parse content of request.' }));
  }
  if (content === null || typeof content !== 'object' || Array.isArray(content) || Object.keys(content).length === 0) {
    throw new HttpError(json(400, { status: 'error', reason: 'Request body required for this action.' }));
  }
  const object = content as Record<string, unknown>;
  const invalid = Object.keys(object).filter((key) => !ALLOWED_KEYS.includes(key));
  if (invalid.length > 0) throw new HttpError(json(400, { status: 'error', reason: 'Invalid configuration', invalid_keys: { keys: invalid.join(',') } }));
  const wrong: Record<string, string> = {};
  for (const key of ['cluster_permissions', 'tenant_permissions', 'index_permissions']) {
    if (key in object && !Array.isArray(object[key])) wrong[key] = 'Array expected';
  }
  if ('description' in object && typeof object.description !== 'string') wrong.description = 'String expected';
  if (Object.keys(wrong).length > 0) throw new HttpError(json(400, { status: 'error', reason: 'Wrong datatype', ...wrong }));
  const strings = (value: unknown): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new HttpError(json(400, { status: 'error', reason: 'Could not parse content of request.' }));
    return value as string[];
  };
  const indexPermissions = ((object.index_permissions ?? []) as unknown[]).map((entry) => {
    if (entry === null || typeof entry !== 'object' || Object.keys(entry).some((key) => !INDEX_KEYS.includes(key))) {
      throw new HttpError(json(400, { status: 'error', reason: 'Could not parse content of request.' }));
    }
    const permission = entry as Record<string, unknown>;
    return {
      index_patterns: strings(permission.index_patterns),
      ...(typeof permission.dls === 'string' ? { dls: permission.dls } : {}),
      fls: strings(permission.fls),
      masked_fields: strings(permission.masked_fields),
      allowed_actions: strings(permission.allowed_actions),
    };
  });
  return {
    reserved: false,
    hidden: false,
    ...(typeof object.description === 'string' ? { description: object.description } : {}),
    cluster_permissions: strings(object.cluster_permissions),
    index_permissions: indexPermissions,
    tenant_permissions: ((object.tenant_permissions ?? []) as Array<Record<string, unknown>>).map((entry) => ({
      tenant_patterns: strings(entry?.tenant_patterns), allowed_actions: strings(entry?.allowed_actions),
    })),
    static: false,
  };
}
