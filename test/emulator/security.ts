/**
 * The security plugin as fine-grained access control on Amazon OpenSearch Service runs it: who the caller is
 * (IAM role ARN as user name and backend role, or an internal user over basic auth), which roles that maps to,
 * and whether those roles allow an ML transport action or the security REST API.
 */
import { javaList, securityException, unauthorizedChallenge } from './errors';
import { Caller, EmulatorResponse } from './http';
import { wildcardMatch } from './iam';
import { RoleStore } from './roles';
import { clone } from './store';
import { EmulatorOptions, EmulatorRoleMapping } from './types';

export interface StoredMapping {
  hosts: string[];
  users: string[];
  reserved: boolean;
  hidden: boolean;
  backend_roles: string[];
  and_backend_roles: string[];
  description?: string;
}

export interface SecurityUser {
  readonly name: string;
  readonly backendRoles: readonly string[];
  readonly isMaster: boolean;
}

/** Predefined roles on an Amazon OpenSearch Service domain; a mapping may only name an existing role. */
export const KNOWN_ROLES = new Set([
  'all_access', 'alerting_ack_alerts', 'alerting_full_access', 'alerting_read_access', 'anomaly_full_access',
  'anomaly_read_access', 'asynchronous_search_full_access', 'asynchronous_search_read_access',
  'cross_cluster_replication_follower_full_access', 'cross_cluster_replication_leader_full_access',
  'flow_framework_full_access', 'flow_framework_read_access', 'index_management_full_access', 'kibana_read_only',
  'kibana_user', 'knn_full_access', 'knn_read_only', 'manage_snapshots', 'ml_full_access', 'ml_read_access',
  'notifications_full_access', 'notifications_read_access', 'observability_full_access', 'observability_read_access',
  'opensearch_dashboards_read_only', 'opensearch_dashboards_user', 'point_in_time_full_access', 'ppl_full_access',
  'readall', 'readall_and_monitor', 'reports_full_access', 'reports_instances_read_access', 'reports_read_access',
  'security_analytics_full_access', 'security_analytics_read_access', 'security_manager',
  'snapshot_management_full_access', 'snapshot_management_read_access',
]);

type FgacOptions = NonNullable<EmulatorOptions['fgac']>;

export type BasicAuthResult = { readonly caller: Caller } | { readonly response: EmulatorResponse } | undefined;

export class SecurityPlugin {
  readonly enabled: boolean;
  private readonly options: FgacOptions;
  private mappings = new Map<string, StoredMapping>();
  /** Predefined and custom security roles (roles API) with their cluster and index permissions. */
  readonly roles = new RoleStore(KNOWN_ROLES);

  constructor(options: FgacOptions | undefined) {
    this.enabled = options !== undefined;
    this.options = options ?? {};
    this.reset();
  }

  /** Back to the mappings a new domain has: master in all_access and security_manager, then the configured ones. */
  reset(): void {
    this.mappings = new Map();
    this.roles.reset();
    if (!this.enabled) return;
    const master: EmulatorRoleMapping = {
      backend_roles: this.options.masterUserArn ? [this.options.masterUserArn] : [],
      users: this.options.masterUser ? [this.options.masterUser.username] : [],
    };
    this.mappings.set('all_access', normalizeMapping(master));
    this.mappings.set('security_manager', normalizeMapping(master));
    for (const [role, mapping] of Object.entries(this.options.rolesMapping ?? {})) {
      this.mappings.set(role, normalizeMapping(mapping));
    }
  }

  /**
   * HTTP basic auth is only possible against the internal user database, i.e. the master user here.
   * Returns undefined when basic auth does not apply (no FGAC master user, or another scheme).
   */
  authenticateBasic(authorization: string | undefined): BasicAuthResult {
    const master = this.options.masterUser;
    if (!this.enabled || !master || !authorization || !/^basic /i.test(authorization)) return undefined;
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    if (username === master.username && password === master.password) {
      return { caller: { kind: 'basic', username } };
    }
    return { response: unauthorizedChallenge() };
  }

  userFor(caller: Caller): SecurityUser {
    if (caller.kind === 'basic') {
      return { name: caller.username, backendRoles: [], isMaster: caller.username === this.options.masterUser?.username };
    }
    return { name: caller.roleArn, backendRoles: [caller.roleArn], isMaster: caller.roleArn === this.options.masterUserArn };
  }

  /** Security roles the user is mapped to (users, backend_roles, and_backend_roles; hosts are not evaluated). */
  rolesOf(user: SecurityUser): string[] {
    const roles: string[] = [];
    for (const [role, mapping] of this.mappings) {
      if (mappingApplies(mapping, user)) roles.push(role);
    }
    return roles;
  }

  /** The privilege check the security plugin makes before a transport action runs (index actions: on each index). */
  checkAction(caller: Caller, action: string, indices?: readonly string[]): EmulatorResponse | undefined {
    if (!this.enabled) return undefined;
    const user = this.userFor(caller);
    if (user.isMaster) return undefined;
    const roles = this.rolesOf(user);
    if (roles.some((role) => roleAllows(role, action)) || this.roles.allows(roles, action, indices)) return undefined;
    return securityException(`no permissions for [${action}] and User [name=${user.name}, backend_roles=${javaList(user.backendRoles)}, requestedTenant=null]`);
  }

  /** The REST admin check of the security API; undefined when allowed, else the reason used in the 403. */
  restApiDenial(caller: Caller): string | undefined {
    const user = this.userFor(caller);
    const roles = this.rolesOf(user);
    if (user.isMaster || roles.includes('security_manager')) return undefined;
    return `User ${user.name} with Security roles ${javaList(roles)} does not have any role privileged for admin access`;
  }

  /** A mapping may only name a role that exists: predefined or created with the roles API. */
  roleExists(role: string): boolean {
    return this.roles.exists(role);
  }

  getMapping(role: string): StoredMapping | undefined {
    return this.mappings.get(role);
  }

  allMappings(): Array<[string, StoredMapping]> {
    return [...this.mappings.entries()];
  }

  setMapping(role: string, mapping: StoredMapping): void {
    this.mappings.set(role, clone(mapping));
  }

  deleteMapping(role: string): void {
    this.mappings.delete(role);
  }
}

/** The stored (and GET) shape of a roles mapping, in the order the security plugin renders it. */
export function normalizeMapping(mapping: EmulatorRoleMapping): StoredMapping {
  return {
    hosts: [...(mapping.hosts ?? [])],
    users: [...(mapping.users ?? [])],
    reserved: mapping.reserved ?? false,
    hidden: mapping.hidden ?? false,
    backend_roles: [...(mapping.backend_roles ?? [])],
    and_backend_roles: [...(mapping.and_backend_roles ?? [])],
    ...(mapping.description === undefined ? {} : { description: mapping.description }),
  };
}

function mappingApplies(mapping: StoredMapping, user: SecurityUser): boolean {
  const matches = (patterns: readonly string[], value: string): boolean => patterns.some((pattern) => wildcardMatch(pattern, value, false));
  if (matches(mapping.users, user.name)) return true;
  if (user.backendRoles.some((role) => matches(mapping.backend_roles, role))) return true;
  return mapping.and_backend_roles.length > 0
    && mapping.and_backend_roles.every((pattern) => user.backendRoles.some((role) => wildcardMatch(pattern, role, false)));
}

/** all_access and ml_full_access grant every ML action; ml_read_access only the read ones. */
function roleAllows(role: string, action: string): boolean {
  if (role === 'all_access' || role === 'ml_full_access') return action.startsWith('cluster:admin/opensearch/ml/');
  if (role === 'ml_read_access') return /^cluster:admin\/opensearch\/ml\/.*\/(get|search)$/.test(action);
  return false;
}
