/*
 * Role mappings (Custom::OpenSearchMlRoleMapping): the provider's role as a backend role of an
 * OpenSearch security role (ml_full_access), added and removed without touching anything else
 * of the mapping: other users, backend roles and hosts stay exactly as they were. Only what
 * this resource added is removed, and the physical ID remembers what that was.
 */
import { ROLE_MAPPING_RESOURCE_TYPE, RoleMappingResourceProperties } from '../../contract';
import { DeployError, attemptsNote, describeAnswer, isAnonymousDenial, readErrorAnswer } from '../errors';
import { log } from '../log';
import { isMarker } from '../physical-id';
import { checked, requireString, RawProperties, targetOf } from '../properties';
import type { ResourceContext, ResourceType } from '../resource';
import type { HttpResponse } from '../transport';

export function parseRoleMappingProperties(raw: RawProperties): RoleMappingResourceProperties {
  const { contractVersion, props } = checked(raw);
  const auth = requireString(props, 'auth');
  if (auth !== 'sigv4' && auth !== 'masterUserSecret') {
    throw new DeployError(`The role mapping's auth must be sigv4 or masterUserSecret; received '${auth}'.`);
  }
  return {
    contractVersion,
    ...targetOf(props),
    role: requireString(props, 'role'),
    backendRole: requireString(props, 'backendRole'),
    auth,
    masterUserSecretArn: auth === 'masterUserSecret' ? requireString(props, 'masterUserSecretArn') : undefined,
  };
}

export const roleMappingResource: ResourceType<RoleMappingResourceProperties> = {
  type: ROLE_MAPPING_RESOURCE_TYPE,
  noun: 'role mapping',
  parse: parseRoleMappingProperties,
  create: async (props, ctx) => mappingPhysicalId(props, await ensureMapped(props, ctx)),
  update: updateMapping,
  delete: removeMapped,
  unreadableDelete: 'succeed',
  masterUserSecretArn: (props) => props.masterUserSecretArn,
};

/** What the create found and did, kept in the physical ID so that the delete undoes exactly that. */
type MappingAction =
  /** the mapping did not exist: this resource created it */
  | 'created'
  /** the mapping existed: this resource added the backend role to it */
  | 'added'
  /** the backend role was in the mapping already: someone else's, never removed */
  | 'present';

function mappingPhysicalId(props: RoleMappingResourceProperties, action: MappingAction): string {
  return `rolesmapping/${props.role}/${action}/${props.backendRole}`;
}

function mappingActionOf(physicalId: string): MappingAction | undefined {
  const action = physicalId.split('/')[2];
  return action === 'created' || action === 'added' || action === 'present' ? action : undefined;
}

/**
 * The same mapping keeps its physical ID, which remembers what the create did (and so what a
 * delete may undo) — unless the backend role someone else had mapped is now ours to remove.
 * A different mapping gets a new ID, and CloudFormation's delete of the old one undoes the old.
 */
async function updateMapping(
  physicalId: string, props: RoleMappingResourceProperties, old: RoleMappingResourceProperties | undefined, ctx: ResourceContext,
): Promise<string> {
  const action = await ensureMapped(props, ctx);
  const sameMapping = old !== undefined && !isMarker(physicalId)
    && old.role === props.role && old.backendRole === props.backendRole && old.endpoint === props.endpoint;
  if (sameMapping && !(mappingActionOf(physicalId) === 'present' && action !== 'present')) return physicalId;
  return mappingPhysicalId(props, action);
}

/** How the client signs in, for messages. */
function authDescription(props: RoleMappingResourceProperties, ctx: ResourceContext): string {
  return ctx.client.username !== undefined
    ? `master user '${ctx.client.username}' (from ${props.masterUserSecretArn})`
    : `provider role ${ctx.providerRoleArn ?? ''} (SigV4)`;
}

interface Mapping {
  readonly backend_roles?: string[];
  readonly users?: string[];
  readonly hosts?: string[];
  readonly and_backend_roles?: string[];
}

const path = (role: string) => `/_plugins/_security/api/rolesmapping/${encodeURIComponent(role)}`;

async function getMapping(props: RoleMappingResourceProperties, ctx: ResourceContext): Promise<Mapping | undefined> {
  const response = await ctx.client.request({ method: 'GET', path: path(props.role) });
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw mappingError(response, props, ctx, 'read');
  const body = response.json as Record<string, Mapping> | undefined;
  return body?.[props.role] ?? {};
}

/** Adds the backend role unless it is there; returns what it did. */
async function ensureMapped(props: RoleMappingResourceProperties, ctx: ResourceContext): Promise<MappingAction> {
  const mapping = await getMapping(props, ctx);
  if (mapping === undefined) {
    const response = await ctx.client.request({ method: 'PUT', path: path(props.role), body: { backend_roles: [props.backendRole] } });
    if (response.status !== 200 && response.status !== 201) throw mappingError(response, props, ctx, 'create');
    log('role mapping created', { role: props.role, backendRole: props.backendRole });
    return 'created';
  }
  if (mapping.backend_roles?.includes(props.backendRole)) {
    log('backend role already mapped', { role: props.role, backendRole: props.backendRole });
    return 'present';
  }
  // JSON Patch 'add' at the end of the list: a merge that leaves everything else as it was.
  const patch = mapping.backend_roles
    ? [{ op: 'add', path: '/backend_roles/-', value: props.backendRole }]
    : [{ op: 'add', path: '/backend_roles', value: [props.backendRole] }];
  const response = await ctx.client.request({ method: 'PATCH', path: path(props.role), body: patch });
  if (response.status !== 200) throw mappingError(response, props, ctx, 'update');
  log('backend role added to mapping', { role: props.role, backendRole: props.backendRole });
  return 'added';
}

/** Removes the backend role if this resource added it; deletes a mapping it created and that holds nothing else. */
async function removeMapped(physicalId: string, props: RoleMappingResourceProperties, ctx: ResourceContext): Promise<void> {
  const action = mappingActionOf(physicalId);
  if (action === undefined || action === 'present') return;
  const mapping = await getMapping(props, ctx);
  const index = mapping?.backend_roles?.indexOf(props.backendRole) ?? -1;
  if (!mapping || index < 0) return;
  const onlyOurs = mapping.backend_roles!.length === 1 && !mapping.users?.length && !mapping.hosts?.length && !mapping.and_backend_roles?.length;
  const response = action === 'created' && onlyOurs
    ? await ctx.client.request({ method: 'DELETE', path: path(props.role) })
    : await ctx.client.request({ method: 'PATCH', path: path(props.role), body: [{ op: 'remove', path: `/backend_roles/${index}` }] });
  if (response.status !== 200 && response.status !== 404) throw mappingError(response, props, ctx, 'update');
  log('backend role removed from mapping', { role: props.role, backendRole: props.backendRole });
}

function mappingError(response: HttpResponse, props: RoleMappingResourceProperties, ctx: ResourceContext, verb: string): DeployError {
  const answer = readErrorAnswer(response);
  const fix = isAnonymousDenial(response)
    ? 'The domain\'s access policy refuses unsigned requests (retried while this deployment\'s policy may be taking effect), so basic auth cannot pass: ' +
      'allow them (useUnsignedBasicAuth: true on an L2 Domain; fine-grained access control then decides), or make the provider role the IAM master user (FineGrainedAccess.providerIsMasterUser()).'
    : response.status === 401 || response.status === 403
      ? `The ${authDescription(props, ctx)} may not change role mappings: use the domain's master user (fineGrainedAccess: FineGrainedAccess.masterUserSecret(secret)), make the provider role the IAM master user, or map ${props.backendRole} to ${props.role} by hand (FineGrainedAccess.manual()).`
      : response.status === 400 && /no handler found/i.test(answer.reason)
        ? 'The domain has no fine-grained access control, so no mapping is needed (fineGrainedAccess: FineGrainedAccess.disabled()).'
        : 'Check the answer above; the mapping was left as it was.';
  const attempts = attemptsNote(response);
  return new DeployError(`Could not ${verb} the ${props.role} role mapping for ${props.backendRole}${attempts}. ${describeAnswer(answer)}. ${fix}`);
}
