/*
 * Routes a request to its resource type (resource-table.ts) and does what every type shares:
 * which operation the request asks for, a Delete of a marker or with properties that cannot
 * be read, the Data of the answer, the client and context of each request, and the physical
 * ID of a failed request.
 */
import type { DomainTarget } from '../contract';
import type { CloudFormationEvent, Outcome } from './cfn';
import { modelsOfStack } from './clients/cloudformation';
import { BasicCredentials, OpenSearchClient } from './clients/opensearch';
import { readMasterUser } from './clients/secrets-manager';
import { Deadline } from './deadline';
import { DeployError } from './errors';
import { CreateTracker, failedCreateId, isMarker, leftoverOf, notCreatedId, unknownOutcomeOf } from './physical-id';
import type { RawProperties } from './properties';
import type { ResourceContext, ResourceType } from './resource';
import { resourceTypeOf } from './resource-table';

/** What one invocation shares across its request. */
export interface DispatchContext {
  readonly deadline: Deadline;
  readonly tracker: CreateTracker;
  readonly providerRoleArn?: string;
  /** the master user, when a relay read it already (see ml-commons.lambda.ts) */
  masterUser?: BasicCredentials;
  /** the stack's models, when a relay listed them already */
  readonly stackModels?: string[];
  /** requests sent, for the log */
  requests: number;
}

/** Does what the request asks. Throws DeployError on failure. */
export async function dispatch(event: CloudFormationEvent, ctx: DispatchContext): Promise<Outcome> {
  const resource = resourceTypeOf(event.ResourceType);
  if (!resource) throw new DeployError(`This provider does not handle resources of type ${event.ResourceType}.`);
  const physicalId = event.PhysicalResourceId ?? '';

  if (event.RequestType === 'Delete') {
    // Properties that cannot be read must not block the delete of a resource that never existed.
    const props = tryParse(resource, event.ResourceProperties);
    if (isMarker(physicalId)) {
      const unknown = unknownOutcomeOf(physicalId);
      if (unknown && props && resource.sweep) await withContext(resource, props, event, ctx, (c) => resource.sweep!(unknown, props, c));
      const leftover = leftoverOf(physicalId);
      if (leftover && props && resource.removeLeftover) {
        await withContext(resource, props, event, ctx, (c) => resource.removeLeftover!(leftover, props, c));
      }
    } else if (props) {
      await withContext(resource, props, event, ctx, (c) => resource.delete(physicalId, props, c));
    } else if (resource.unreadableDelete === 'fail') {
      throw new DeployError(`The resource properties cannot be read, so the ${resource.noun} cannot be found to delete it.`);
    }
    return { physicalResourceId: physicalId };
  }

  const props = resource.parse(event.ResourceProperties);
  const id = await withContext(resource, props, event, ctx, (c) => event.RequestType === 'Create'
    ? resource.create(props, c)
    : resource.update(physicalId, props, tryParse(resource, event.OldResourceProperties), c));
  return { physicalResourceId: id, ...(resource.attributes ? { data: resource.attributes(id) } : {}) };
}

/** Runs `work` with a context for these properties, and counts the requests it sent. */
async function withContext<P extends DomainTarget, T>(
  resource: ResourceType<P, unknown>, props: P, event: CloudFormationEvent, ctx: DispatchContext, work: (c: ResourceContext) => Promise<T>,
): Promise<T> {
  const secretArn = resource.masterUserSecretArn?.(props);
  if (secretArn) ctx.masterUser ??= await readMasterUser(secretArn, ctx.deadline, ctx.providerRoleArn);
  const client = new OpenSearchClient(props, ctx.deadline, secretArn ? ctx.masterUser : undefined);
  try {
    return await work({
      client,
      deadline: ctx.deadline,
      providerRoleArn: ctx.providerRoleArn,
      requestId: event.RequestId,
      tracker: ctx.tracker,
      stackModels: async () => ctx.stackModels ? new Set(ctx.stackModels) : modelsOfStack(event.StackId, ctx.deadline),
    });
  } finally {
    ctx.requests += client.requestCount;
  }
}

/** The properties, or undefined when they cannot be read. */
export function tryParse<P extends DomainTarget>(resource: ResourceType<P, unknown>, raw: RawProperties): P | undefined {
  try {
    return resource.parse(raw);
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
  return failedCreateId(event.RequestId, tracker, resourceTypeOf(event.ResourceType)?.sweep !== undefined);
}
