import { IDependable } from 'constructs';

/**
 * Where a connector lives, in a form other resources on the same domain or collection
 * (models) can reuse: how the handler reaches it, and what must exist before it is called.
 * Internal: reached through `MlConnector._target`, never part of the jsii API.
 */
export interface ConnectorTarget {
  /** 'domain' (Amazon OpenSearch Service) or 'collection' (Amazon OpenSearch Serverless) */
  readonly kind: 'domain' | 'collection';
  /** SigV4 signing name: 'es' for domains, 'aoss' for collections */
  readonly signingService: 'es' | 'aoss';
  /** the endpoint, as the contract's `endpoint` property takes it */
  readonly endpoint: string;
  /** the region for SigV4 */
  readonly region: string;
  /** the domain's or collection's ARN */
  readonly arn: string;
  /** the provider's ServiceToken for this target's network placement */
  readonly serviceToken: string;
  /** what a resource on this target waits for: the provider's grants, and the role mapping or data access policy */
  readonly dependencies: readonly IDependable[];
}
