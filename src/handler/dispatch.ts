import {
  CONNECTOR_RESOURCE_TYPE, ConnectorResourceProperties, DomainTarget, MODEL_GROUP_RESOURCE_TYPE, MODEL_RESOURCE_TYPE, ROLE_MAPPING_RESOURCE_TYPE,
  RoleMappingResourceProperties,
} from '../contract';
import type { CloudFormationEvent, Outcome } from './cfn';
import { ConnectorContext, CreateTracker, MARKER_PREFIX, createConnector, deleteConnector, notCreatedId, unknownOutcomeId, updateConnector } from './connector';
import { Deadline } from './deadline';
import { DeployError } from './errors';
import {
  ModelContext, ModelTracker, createModel, createModelGroup, deleteModel, deleteModelGroup, removeUnanswered, updateModel, updateModelGroup,
} from './model';
import { BasicCredentials, OpenSearchClient } from './opensearch-client';
import { parseConnectorProperties, parseModelGroupProperties, parseModelProperties, parseRoleMappingProperties } from './properties';
import { MappingContext, ensureMapped, mappingActionOf, mappingPhysicalId, removeMapped } from './role-mapping';
import { readMasterUser } from './secrets';

export interface DispatchContext {
  readonly deadline: Deadline;
  readonly tracker: CreateTracker & ModelTracker;
  readonly providerRoleArn?: string;
  /** the master user, when a relay read it already (see ml-commons.lambda.ts) */
  masterUser?: BasicCredentials;
  /** the stack's models, when a relay listed them already */
  readonly stackModels?: string[];
  /** requests sent, for the log */
  requests: number;
}

/** Routes a request by resource type and request type. Throws DeployError on failure. */
export async function dispatch(event: CloudFormationEvent, ctx: DispatchContext): Promise<Outcome> {
  switch (event.ResourceType) {
    case CONNECTOR_RESOURCE_TYPE:
      return onConnector(event, ctx);
    case ROLE_MAPPING_RESOURCE_TYPE:
      return onRoleMapping(event, ctx);
    case MODEL_RESOURCE_TYPE:
      return onModel(event, ctx);
    case MODEL_GROUP_RESOURCE_TYPE:
      return onModelGroup(event, ctx);
    default:
      throw new DeployError(`This provider does not handle resources of type ${event.ResourceType}.`);
  }
}

async function onConnector(event: CloudFormationEvent, ctx: DispatchContext): Promise<Outcome> {
  if (event.RequestType === 'Delete') {
    // Properties that cannot be read must not block the delete of a resource that never existed.
    const physicalId = event.PhysicalResourceId ?? '';
    const props = tryParse(parseConnectorProperties, event.ResourceProperties);
    if (!props) {
      if (physicalId.startsWith(MARKER_PREFIX)) return { physicalResourceId: physicalId };
      throw new DeployError('The resource properties cannot be read, so the connector cannot be found to delete it.');
    }
    await counted(ctx, connectorContext(props, event, ctx), (c) => deleteConnector(physicalId, props, c));
    return { physicalResourceId: physicalId };
  }

  const props = parseConnectorProperties(event.ResourceProperties);
  const id = await counted(ctx, connectorContext(props, event, ctx), (c) => event.RequestType === 'Create'
    ? createConnector(props, c)
    : updateConnector(event.PhysicalResourceId ?? '', props, tryParse(parseConnectorProperties, event.OldResourceProperties), c));
  return { physicalResourceId: id, data: { ConnectorId: id } };
}

async function onRoleMapping(event: CloudFormationEvent, ctx: DispatchContext): Promise<Outcome> {
  const physicalId = event.PhysicalResourceId ?? '';
  if (event.RequestType === 'Delete') {
    const props = tryParse(parseRoleMappingProperties, event.ResourceProperties);
    if (!props || physicalId.startsWith(MARKER_PREFIX)) return { physicalResourceId: physicalId };
    await counted(ctx, await mappingContext(props, ctx), (c) => removeMapped(physicalId, props, c));
    return { physicalResourceId: physicalId };
  }
  const props = parseRoleMappingProperties(event.ResourceProperties);
  const old = tryParse(parseRoleMappingProperties, event.OldResourceProperties);
  const action = await counted(ctx, await mappingContext(props, ctx), (c) => ensureMapped(props, c));
  const sameMapping = event.RequestType === 'Update' && old !== undefined && !physicalId.startsWith(MARKER_PREFIX)
    && old.role === props.role && old.backendRole === props.backendRole && old.endpoint === props.endpoint;
  // The same mapping keeps its physical ID, which remembers what the create did (and so what a
  // delete may undo) — unless the backend role someone else had mapped is now ours to remove.
  // A different mapping gets a new ID, and CloudFormation's delete of the old one undoes the old.
  if (sameMapping && !(mappingActionOf(physicalId) === 'present' && action !== 'present')) {
    return { physicalResourceId: physicalId };
  }
  return { physicalResourceId: mappingPhysicalId(props, action) };
}

/** A create-unknown marker (see unknownOutcomeId): when the unanswered requests were first sent. */
const UNKNOWN_OUTCOME = /^cdk-opensearch-ml:create-unknown:(\d+):/;

async function onModel(event: CloudFormationEvent, ctx: DispatchContext): Promise<Outcome> {
  const physicalId = event.PhysicalResourceId ?? '';
  if (event.RequestType === 'Delete') {
    const props = tryParse(parseModelProperties, event.ResourceProperties);
    if (physicalId.startsWith(MARKER_PREFIX)) {
      const unknown = UNKNOWN_OUTCOME.exec(physicalId);
      if (unknown && props) await counted(ctx, modelContext(props, ctx), (c) => removeUnanswered(Number(unknown[1]), props, c));
      return { physicalResourceId: physicalId };
    }
    if (!props) throw new DeployError('The resource properties cannot be read, so the model cannot be found to delete it.');
    await counted(ctx, modelContext(props, ctx), (c) => deleteModel(physicalId, props, c));
    return { physicalResourceId: physicalId };
  }
  const props = parseModelProperties(event.ResourceProperties);
  // A failed create reports what it may have left (ctx.tracker), for the rollback's Delete; an update keeps its ID.
  const c = event.RequestType === 'Create' ? modelContext(props, ctx) : { ...modelContext(props, ctx), tracker: {} };
  const id = await counted(ctx, c, (m) => event.RequestType === 'Create'
    ? createModel(props, m)
    : updateModel(physicalId, props, tryParse(parseModelProperties, event.OldResourceProperties), m));
  return { physicalResourceId: id, data: { ModelId: id } };
}

async function onModelGroup(event: CloudFormationEvent, ctx: DispatchContext): Promise<Outcome> {
  const physicalId = event.PhysicalResourceId ?? '';
  if (event.RequestType === 'Delete') {
    const props = tryParse(parseModelGroupProperties, event.ResourceProperties);
    if (!props || physicalId.startsWith(MARKER_PREFIX)) return { physicalResourceId: physicalId };
    await counted(ctx, modelContext(props, ctx), (c) => deleteModelGroup(physicalId, c));
    return { physicalResourceId: physicalId };
  }
  const props = parseModelGroupProperties(event.ResourceProperties);
  const id = await counted(ctx, modelContext(props, ctx), (c) => event.RequestType === 'Create'
    ? createModelGroup(props, c)
    : updateModelGroup(physicalId, props, tryParse(parseModelGroupProperties, event.OldResourceProperties), c));
  return { physicalResourceId: id, data: { ModelGroupId: id } };
}

function modelContext(target: DomainTarget, ctx: DispatchContext): ModelContext {
  return { client: new OpenSearchClient(target, ctx.deadline), deadline: ctx.deadline, providerRoleArn: ctx.providerRoleArn, tracker: ctx.tracker };
}

function connectorContext(props: ConnectorResourceProperties, event: CloudFormationEvent, ctx: DispatchContext): ConnectorContext {
  return {
    client: new OpenSearchClient(props, ctx.deadline),
    deadline: ctx.deadline,
    providerRoleArn: ctx.providerRoleArn,
    tracker: ctx.tracker,
    requestId: event.RequestId,
    stackId: event.StackId,
    stackModels: ctx.stackModels,
  };
}

async function mappingContext(props: RoleMappingResourceProperties, ctx: DispatchContext): Promise<MappingContext> {
  if (props.auth === 'masterUserSecret') {
    if (!props.masterUserSecretArn) throw new DeployError('The role mapping has no master user secret ARN.');
    ctx.masterUser ??= await readMasterUser(props.masterUserSecretArn, ctx.deadline, ctx.providerRoleArn);
    return {
      client: new OpenSearchClient(props, ctx.deadline, ctx.masterUser),
      deadline: ctx.deadline,
      providerRoleArn: ctx.providerRoleArn,
      authDescription: `master user '${ctx.masterUser.username}' (from ${props.masterUserSecretArn})`,
    };
  }
  return {
    client: new OpenSearchClient(props, ctx.deadline),
    deadline: ctx.deadline,
    providerRoleArn: ctx.providerRoleArn,
    authDescription: `provider role ${ctx.providerRoleArn ?? ''} (SigV4)`,
  };
}

async function counted<C extends { client: OpenSearchClient }, T>(ctx: DispatchContext, c: C, work: (c: C) => Promise<T>): Promise<T> {
  try {
    return await work(c);
  } finally {
    ctx.requests += c.client.requestCount;
  }
}

function tryParse<T>(parse: (raw: Record<string, unknown> | undefined) => T, raw: Record<string, unknown> | undefined): T | undefined {
  try {
    return parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * The physical ID to report when a request fails: unchanged for updates and deletes;
 * for a create, a marker that tells the rollback's Delete whether anything may exist.
 */
export function failedPhysicalId(event: CloudFormationEvent, tracker: DispatchContext['tracker']): string {
  if (event.RequestType !== 'Create') return event.PhysicalResourceId ?? notCreatedId(event.RequestId);
  // Unanswered requests may have made more than the one known: the marker's Delete sweeps them all.
  if (tracker.unknownSince !== undefined) return unknownOutcomeId(tracker.unknownSince, event.RequestId);
  return tracker.leftBehind ?? notCreatedId(event.RequestId);
}
