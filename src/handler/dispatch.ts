import { CONNECTOR_RESOURCE_TYPE } from '../contract';
import type { CloudFormationEvent, Outcome } from './cfn';
import { ConnectorContext, CreateTracker, createConnector, deleteConnector, notCreatedId, unknownOutcomeId, updateConnector } from './connector';
import { Deadline } from './deadline';
import { DeployError } from './errors';
import { OpenSearchClient } from './opensearch-client';
import { parseConnectorProperties } from './properties';

export interface DispatchContext {
  readonly deadline: Deadline;
  readonly tracker: CreateTracker;
  readonly providerRoleArn?: string;
  /** requests sent, for the log */
  requests: number;
}

/** Routes a request by resource type and request type. Throws DeployError on failure. */
export async function dispatch(event: CloudFormationEvent, ctx: DispatchContext): Promise<Outcome> {
  switch (event.ResourceType) {
    case CONNECTOR_RESOURCE_TYPE:
      return onConnector(event, ctx);
    default:
      throw new DeployError(`This provider does not handle resources of type ${event.ResourceType}.`);
  }
}

async function onConnector(event: CloudFormationEvent, ctx: DispatchContext): Promise<Outcome> {
  if (event.RequestType === 'Delete') {
    // Properties that cannot be read must not block a delete of a resource that never existed.
    const physicalId = event.PhysicalResourceId ?? '';
    const props = tryParse(event.ResourceProperties);
    if (!props) {
      if (physicalId.startsWith('cdk-opensearch-ml:')) return { physicalResourceId: physicalId };
      throw new DeployError('The resource properties cannot be read, so the connector cannot be found to delete it.');
    }
    const connectorCtx = context(props, ctx);
    try {
      await deleteConnector(physicalId, props, connectorCtx);
    } finally {
      ctx.requests += connectorCtx.client.requestCount;
    }
    return { physicalResourceId: physicalId };
  }

  const props = parseConnectorProperties(event.ResourceProperties);
  const connectorCtx = context(props, ctx);
  try {
    const id = event.RequestType === 'Create'
      ? await createConnector(props, connectorCtx)
      : await updateConnector(event.PhysicalResourceId ?? '', props, tryParse(event.OldResourceProperties), connectorCtx);
    return { physicalResourceId: id, data: { ConnectorId: id } };
  } finally {
    ctx.requests += connectorCtx.client.requestCount;
  }
}

function context(props: ReturnType<typeof parseConnectorProperties>, ctx: DispatchContext): ConnectorContext {
  return {
    client: new OpenSearchClient(props, ctx.deadline),
    deadline: ctx.deadline,
    providerRoleArn: ctx.providerRoleArn,
    tracker: ctx.tracker,
  };
}

function tryParse(raw: Record<string, unknown> | undefined) {
  try {
    return parseConnectorProperties(raw);
  } catch {
    return undefined;
  }
}

/**
 * The physical ID to report when a request fails: unchanged for updates and deletes;
 * for a create, a marker that tells the rollback's Delete whether anything may exist.
 */
export function failedPhysicalId(event: CloudFormationEvent, tracker: CreateTracker): string {
  if (event.RequestType !== 'Create') return event.PhysicalResourceId ?? notCreatedId(event.RequestId);
  return tracker.unknownSince === undefined ? notCreatedId(event.RequestId) : unknownOutcomeId(tracker.unknownSince, event.RequestId);
}
