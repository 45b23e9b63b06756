import { CustomResource } from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import { CONTRACT_VERSION, DocumentResourceProperties, DomainTarget } from './contract';
import { SERVICE_TIMEOUT } from './provider';
import { typedValuePointers } from './typed-values';

/** What the handler needs to serve a resource of this library, and what the resource waits for. */
export interface ResourceSite {
  /** the function of the stack's provider that reaches the target (its placement's handler or relay) */
  readonly serviceToken: string;
  /** where the handler sends the requests and how it signs them */
  readonly target: DomainTarget;
  /** the provider's grants, and the role mapping or data access policy of the target */
  readonly dependencies: readonly IDependable[];
}

/** The properties of one resource type besides the contract version and the target, which every type carries. */
export type OwnProperties<P> = Omit<P, 'contractVersion' | keyof DomainTarget>;

/**
 * Creates a custom resource of this library: the provider's service token, the resource type,
 * the properties of `src/contract.ts` (contract version, target, then the type's own), the
 * service timeout, and the dependencies on the provider's grants and the target's access.
 * Every resource type's construct creates its resource here.
 */
export function createMlResource<P extends DomainTarget & { readonly contractVersion: string }>(
  scope: Construct, id: string, resourceType: string, site: ResourceSite, properties: OwnProperties<P>,
): CustomResource {
  const all = { contractVersion: CONTRACT_VERSION, ...site.target, ...properties } as P;
  const resource = new CustomResource(scope, id, {
    serviceToken: site.serviceToken,
    resourceType,
    properties: { ...all },
    serviceTimeout: SERVICE_TIMEOUT,
  });
  // The provider must hold its grants, and be mapped (or in the data access policy), before it acts.
  resource.node.addDependency(...site.dependencies);
  return resource;
}

/**
 * A plain REST document resource (an ingest pipeline, a search pipeline, an index): its name, its
 * document under `key` with pointers to the values that are not strings, and what the type adds.
 */
export function createDocumentResource<P extends DocumentResourceProperties>(
  scope: Construct, resourceType: string, site: ResourceSite, name: string, key: string, document: object, more: object = {},
): CustomResource {
  const typedValues = typedValuePointers(document);
  return createMlResource<P>(scope, 'Resource', resourceType, site, {
    name, [key]: document, ...more, ...(typedValues.length > 0 ? { typedValues } : {}),
  } as unknown as OwnProperties<P>);
}
