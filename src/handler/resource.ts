/*
 * The shape of one resource type on the handler side. Each type is one module in resources/
 * that exports one of these, and one line of resource-table.ts registers it; dispatch.ts does
 * the rest (which request, properties that cannot be read, markers, Data, counting requests).
 */
import type { DomainTarget } from '../contract';
import type { CloudFormationEvent } from './cfn';
import type { OpenSearchClient } from './clients/opensearch';
import type { Deadline } from './deadline';
import type { CreateTracker, UnknownOutcome } from './physical-id';
import type { RawProperties } from './properties';

export type RequestType = CloudFormationEvent['RequestType'];

/** What a resource type's operations get from the handler for one request. */
export interface ResourceContext {
  /** the domain or collection of the properties, signed as they say (or with the master user: masterUserSecretArn) */
  readonly client: OpenSearchClient;
  readonly deadline: Deadline;
  readonly providerRoleArn?: string;
  /** the CloudFormation RequestId */
  readonly requestId: string;
  /** who makes what this request writes: the stack ID and the resource's logical ID (resources/rest-document.ts marks documents with it) */
  readonly owner: string;
  /** what a create tells the handler as it goes (create-once.ts writes it) */
  readonly tracker: CreateTracker;
  /** the physical IDs of the models of the stack being deployed (listed outside the VPC by a relay) */
  stackModels(): Promise<Set<string>>;
}

/**
 * A resource type: its properties (`P`, the contract's XxxResourceProperties), what it does on
 * each request, and the attributes it returns (`A`, the contract's XxxResourceAttributes).
 * Create and update return the physical ID. Every property is read by `parse`, and only there.
 */
export interface ResourceType<P extends DomainTarget, A = undefined> {
  /** the CloudFormation resource type, from the contract */
  readonly type: string;
  /** what it is, for messages: 'connector' */
  readonly noun: string;
  /**
   * A Delete whose properties cannot be read (and whose physical ID is not a marker): 'fail'
   * when what it made cannot be found without them, 'succeed' to let the stack go on.
   */
  readonly unreadableDelete: 'fail' | 'succeed';
  /** reads the properties; throws a DeployError that names the property */
  parse(raw: RawProperties): P;
  create(props: P, ctx: ResourceContext): Promise<string>;
  /** also a rollback: old and new swapped. A new physical ID is a replacement, and CloudFormation deletes the old one */
  update(physicalId: string, props: P, old: P | undefined, ctx: ResourceContext): Promise<string>;
  /** never called with a marker (physical-id.ts); already gone is success */
  delete(physicalId: string, props: P, ctx: ResourceContext): Promise<void>;
  /** the Data of the answer to a create or update, for Fn::GetAtt */
  attributes?(physicalId: string): A;
  /**
   * The rollback of a create whose outcome stayed unknown: removes what its requests may have
   * made. A type without it reports a failed create as 'not created', never 'unknown'.
   */
  sweep?(outcome: UnknownOutcome, props: P, ctx: ResourceContext): Promise<void>;
  /** The rollback of a create that failed and named what it could not remove (CreateTracker.leftover). */
  removeLeftover?(leftover: string, props: P, ctx: ResourceContext): Promise<void>;
  /** the ARN of the secret of the master user to sign in with (HTTP basic auth), when the properties name one */
  masterUserSecretArn?(props: P): string | undefined;
  /** whether the request needs the stack's models (ResourceContext.stackModels), which a relay lists for its worker */
  needsStackModels?(requestType: RequestType): boolean;
}
