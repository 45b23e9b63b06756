import { createHash } from 'node:crypto';
import { Annotations, CfnResource, CustomResource, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { IConstruct, IDependable } from 'constructs';
import { FineGrainedAccess, FineGrainedAccessMode, actionsRefusedToAnonymous, domainAccessPolicy, securityOptionsOf } from './access';
import { ROLE_MAPPING_RESOURCE_TYPE, RoleMappingResourceProperties, SECURITY_ROLE_RESOURCE_TYPE, SecurityRoleResourceProperties } from './contract';
import { createMlResource } from './custom-resource';
import { MlValidationError } from './errors';
import { MlCommonsProvider } from './provider';
import { validateSecretArn } from './validation';

/*
 * The `Custom::OpenSearchMlRoleMapping` resource: the provider role as a backend role of
 * ml_full_access on a domain with fine-grained access control, one per domain in the stack,
 * shared by every resource on that domain.
 */

/** The security role connectors need. */
export const ML_FULL_ACCESS = 'ml_full_access';

export interface RoleMappingOptions {
  readonly domain: opensearch.IDomain;
  /** the domain's ARN (an imported domain's, as its endpoint says) */
  readonly domainArn: string;
  readonly endpoint: string;
  readonly region: string;
  readonly serviceToken: string;
}

/** What the stack decided for one domain: how the provider is mapped, and the mapping resource if there is one. */
interface DomainMapping {
  readonly mode: FineGrainedAccessMode;
  readonly resource?: CustomResource;
  readonly access: FineGrainedAccess;
  readonly options: RoleMappingOptions;
}

const mappingKey = (provider: MlCommonsProvider, domainArn: string) => `roleMapping ${JSON.stringify(Stack.of(provider).resolve(domainArn))}`;

/**
 * Makes sure the provider role is mapped to ml_full_access on the domain before connectors
 * are created: a `Custom::OpenSearchMlRoleMapping` (one per domain in the stack, shared by
 * its connectors), nothing for a domain without fine-grained access control, and for a
 * manual mapping, a stable role name and a warning that names it. Returns what connectors
 * must wait for.
 */
export function roleMappingFor(
  scope: IConstruct, provider: MlCommonsProvider, access: FineGrainedAccess, options: RoleMappingOptions,
): IDependable | undefined {
  const mapping = provider.perTargetState<DomainMapping>(mappingKey(provider, options.domainArn), () => ({
    mode: access.mode,
    resource: createMapping(scope, provider, access, options),
    access,
    options,
  }));
  if (mapping.mode !== access.mode) {
    throw new MlValidationError(scope,
      `fineGrainedAccess is '${access.mode}' here but '${mapping.mode}' for another connector of the same domain in this stack; connectors of one domain share one mapping: use '${mapping.mode}' for every connector of the domain.`);
  }
  return mapping.resource;
}

/** What the first resource on a domain sets up for `access`: the mapping resource, a stable role name, or nothing. */
function createMapping(
  scope: IConstruct, provider: MlCommonsProvider, access: FineGrainedAccess, options: RoleMappingOptions,
): CustomResource | undefined {
  const imported = !CfnResource.isCfnResource(options.domain.node.defaultChild);
  switch (access.mode) {
    case FineGrainedAccessMode.DISABLED:
      return undefined;
    case FineGrainedAccessMode.MANUAL: {
      const arn = provider.useStableRoleName();
      Annotations.of(scope).addWarningV2('cdk-opensearch-ml:mapProviderRoleByHand',
        `Map the IAM role ${arn} as a backend role of the ${ML_FULL_ACCESS} role on the domain (Dashboards > Security > Roles > ${ML_FULL_ACCESS} > Mapped users) ` +
        'before the connectors are created: this stack will not map it.');
      return undefined;
    }
    case FineGrainedAccessMode.PROVIDER_IS_MASTER_USER: {
      const settings = imported ? undefined : securityOptionsOf(options.domain);
      if (settings && !settings.enabled) {
        throw new MlValidationError(scope,
          'fineGrainedAccess \'providerIsMasterUser\' needs a domain with fine-grained access control whose IAM master user is the provider role ' +
          `(fineGrainedAccessControl: { masterUserArn: MlConnector.providerRole(this).roleArn }); the domain ${options.domain.node.path} has no fine-grained access control, ` +
          'so there is no master user and no mapping to make. Leave fineGrainedAccess out.');
      }
      if (imported) {
        const arn = provider.useStableRoleName();
        Annotations.of(scope).addInfoV2('cdk-opensearch-ml:providerMasterUser', `The imported domain's IAM master user must be ${arn}, the provider role.`);
      }
      provider.grantSecurityApi(options.domainArn, ML_FULL_ACCESS);
      return mappingResource(provider, options, { auth: 'sigv4' });
    }
    case FineGrainedAccessMode.MASTER_USER_SECRET: {
      const settings = imported ? undefined : securityOptionsOf(options.domain);
      if (settings && !(settings.enabled && settings.internalUserDatabaseEnabled)) {
        throw new MlValidationError(scope,
          'fineGrainedAccess \'masterUserSecret\' needs the domain to use the internal user database (fineGrainedAccessControl: { masterUserName }); ' +
          `the domain has ${settings.enabled ? 'an IAM master user' : 'no fine-grained access control'}. Leave fineGrainedAccess out to use what the domain's settings say.`);
      }
      const secret = access.secret!;
      validateSecretArn(scope, 'fineGrainedAccess masterUserSecret', secret.secretArn);
      if (settings) requireAnonymousAccess(scope, options.domain);
      const resource = mappingResource(provider, options, { auth: 'masterUserSecret', masterUserSecretArn: secret.secretArn });
      secret.grantRead(provider.role).applyBefore(resource);
      return resource;
    }
  }
  return undefined;
}

/**
 * The master user's requests carry basic auth and no signature: Amazon OpenSearch Service takes them
 * for anonymous and refuses them unless the domain's access policy allows the principal '*'. Checked
 * when the app is synthesized, once every access policy statement of the domain is known.
 */
function requireAnonymousAccess(scope: IConstruct, domain: opensearch.IDomain): void {
  scope.node.addValidation({
    validate: () => {
      const refused = actionsRefusedToAnonymous(domain);
      if (refused === undefined || refused.length === 0) return [];
      return [
        'fineGrainedAccess \'masterUserSecret\' maps the provider with the master user\'s basic auth, whose requests are unsigned, but the access policy of the domain ' +
        `${domain.node.path} lets no anonymous caller do ${refused.join(', ')}, so the mapping would be refused at deploy time (403 'User: anonymous is not authorized'). ` +
        'Either let unsigned requests in, as fine-grained access control expects (useUnsignedBasicAuth: true on the Domain, or an access policy statement allowing ' +
        'principal \'*\' es:ESHttp* on the domain), or make the provider role the IAM master user (fineGrainedAccessControl: { masterUserArn: MlConnector.providerRole(this).roleArn }), ' +
        'or map the provider role by hand (fineGrainedAccess: FineGrainedAccess.manual()).',
      ];
    },
  });
}

function mappingResource(
  provider: MlCommonsProvider, options: RoleMappingOptions, auth: Pick<RoleMappingResourceProperties, 'auth' | 'masterUserSecretArn'>,
  role = ML_FULL_ACCESS, idPrefix = 'MlFullAccess',
): CustomResource {
  const id = `${idPrefix}${options.domain.node.path.replace(/[^A-Za-z0-9]/g, '')}`;
  return createMlResource<RoleMappingResourceProperties>(provider, id, ROLE_MAPPING_RESOURCE_TYPE, siteOf(provider, options), {
    role,
    backendRole: provider.role.roleArn,
    ...auth,
  });
}

function siteOf(provider: MlCommonsProvider, options: RoleMappingOptions) {
  return {
    serviceToken: options.serviceToken,
    target: { endpoint: options.endpoint, region: options.region, signingService: 'es' },
    // The master user's basic auth passes only once the domain's access policy lets unsigned requests in.
    dependencies: [provider.grants, domainAccessPolicy(options.domain)],
  };
}
/** What the stack's pipelines and indexes on a domain need of the security plugin (its own security role). */
export interface SearchPermissions {
  /** cluster permissions, for example `cluster:admin/ingest/pipeline/put` */
  readonly cluster?: string[];
  /** an index name and the index permissions on it */
  readonly index?: string;
  readonly indexActions?: string[];
}

interface SearchRole {
  readonly cluster: Set<string>;
  readonly indices: Map<string, Set<string>>;
  /** the mapping of the provider role to the search role (which waits for the role) */
  readonly mapping: CustomResource;
}

/**
 * Gives the provider role what pipelines and indexes need on a domain with fine-grained access control,
 * which ml_full_access does not allow (it has cluster:admin/opensearch/ml/* and indices_monitor only): a
 * security role of the stack's own (`cdk-opensearch-ml-<stack>-<hash>`, one per domain, with exactly the
 * permissions the stack's pipelines and indexes ask for) and its mapping to the provider role, both made
 * and removed by the stack without touching any other role or mapping. Nothing for a domain without
 * fine-grained access control, or whose IAM master user is the provider role (mapped to all_access by the
 * service); a warning that says what to grant, for a manual mapping. Returns what the resource waits for.
 */
export function searchRoleFor(
  scope: IConstruct, provider: MlCommonsProvider, domainArn: string, needs: SearchPermissions,
): IDependable | undefined {
  const mapping = provider.perTargetState<DomainMapping>(mappingKey(provider, domainArn), () => {
    throw new Error(`internal: ${scope.node.path} asks for search permissions on a domain it is not bound to`);
  });
  switch (mapping.mode) {
    case FineGrainedAccessMode.MASTER_USER_SECRET: {
      const role = provider.perTargetState<SearchRole>(`searchRole ${mappingKey(provider, domainArn)}`, () => createSearchRole(provider, mapping));
      needs.cluster?.forEach((permission) => role.cluster.add(permission));
      if (needs.index !== undefined) {
        const actions = role.indices.get(needs.index) ?? new Set<string>();
        needs.indexActions?.forEach((action) => actions.add(action));
        role.indices.set(needs.index, actions);
      }
      return role.mapping;
    }
    case FineGrainedAccessMode.MANUAL:
      Annotations.of(scope).addWarningV2('cdk-opensearch-ml:searchRoleByHand',
        `Give the IAM role ${provider.useStableRoleName()} (as a backend role) a security role with ${[
          ...(needs.cluster?.length ? [`the cluster permissions ${needs.cluster.join(', ')}`] : []),
          ...(needs.index !== undefined ? [`the index permissions ${needs.indexActions?.join(', ')} on the index '${needs.index}'`] : []),
        ].join(' and ')}, which ml_full_access does not include: this stack will not change the domain's roles.`);
      return undefined;
    default:
      return undefined;
  }
}

function createSearchRole(provider: MlCommonsProvider, mapping: DomainMapping): SearchRole {
  const stack = Stack.of(provider);
  const domainKey = JSON.stringify(stack.resolve(mapping.options.domainArn));
  const base = Token.isUnresolved(stack.stackName) ? 'stack' : stack.stackName.toLowerCase().slice(0, 64);
  const name = `cdk-opensearch-ml-${base}-${createHash('sha256').update(`${stack.node.path}\n${domainKey}`).digest('hex').slice(0, 8)}`;
  const state: Omit<SearchRole, 'mapping'> = { cluster: new Set(), indices: new Map() };
  const secretArn = mapping.access.secret!.secretArn;
  const resource = createMlResource<SecurityRoleResourceProperties>(provider, `SearchRole${mapping.options.domain.node.path.replace(/[^A-Za-z0-9]/g, '')}`,
    SECURITY_ROLE_RESOURCE_TYPE, siteOf(provider, mapping.options), {
      name,
      role: {
        cluster_permissions: Lazy.list({ produce: () => [...state.cluster].sort() }),
        index_permissions: Lazy.any({
          produce: () => [...state.indices].sort(([a], [b]) => a.localeCompare(b))
            .map(([index, actions]) => ({ index_patterns: [index], allowed_actions: [...actions].sort() })),
        }) as any,
      },
      auth: 'masterUserSecret',
      masterUserSecretArn: secretArn,
    });
  // After the ml_full_access mapping, which waits for the provider's read of the secret.
  if (mapping.resource) resource.node.addDependency(mapping.resource);
  const roleMapping = mappingResource(provider, mapping.options, { auth: 'masterUserSecret', masterUserSecretArn: secretArn }, name, 'SearchRoleMapping');
  roleMapping.node.addDependency(resource);
  return { ...state, mapping: roleMapping };
}

