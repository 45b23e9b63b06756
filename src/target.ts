import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct, IDependable } from 'constructs';
import { FineGrainedAccess, detectFineGrainedAccess } from './access';
import type { EmbeddingModelInfo, GenerativeQaModelInfo } from './blueprints/types';
import { CollectionDataAccess, ServerlessCollection, collectionDataAccessFor, collectionEnvironment, validateCollection } from './collection';
import { DomainTarget } from './contract';
import { EngineVersionNumber, atLeast, engineOf, formatVersion } from './engine-version';
import { MlValidationError, quote } from './errors';
import { networkPlacement } from './network';
import { MlCommonsProvider } from './provider';
import { roleMappingFor } from './role-mapping';

/** Remote connectors and models need ML Commons 2.9 on Amazon OpenSearch Service. */
const MIN_ENGINE_VERSION: EngineVersionNumber = [2, 9];

/**
 * Where ML resources live (an OpenSearch Service domain or an OpenSearch Serverless
 * collection), and how the stack's provider reaches it and gets the ML Commons
 * permissions on it. Shared by connectors, imported connectors and model groups.
 */
export interface MlTargetOptions {
  /**
   * The OpenSearch Service domain: an L2 `Domain` or an imported one.
   * Give exactly one of `domain` and `collection`.
   *
   * @default - none: `collection` must be given
   */
  readonly domain?: opensearch.IDomain;

  /**
   * The Amazon OpenSearch Serverless collection, instead of a domain:
   * `ServerlessCollection.fromCfnCollection(collection)` or `ServerlessCollection.fromCollectionAttributes({...})`.
   * Give exactly one of `domain` and `collection`.
   *
   * @default - none: `domain` must be given
   */
  readonly collection?: ServerlessCollection;

  /**
   * For a `collection`: how the provider role gets the ML permissions of the collection's data
   * access policy (`aoss:*MLResource` on `model/<collection>/*`).
   *
   * @default - a data access policy is created for the provider role (`CollectionDataAccess.createPolicy()`)
   */
  readonly collectionDataAccess?: CollectionDataAccess;

  /**
   * Fine-grained access control of the domain: whether and how the provider's role is
   * mapped to `ml_full_access` before connectors are created. Not for collections, which
   * use `collectionDataAccess`.
   *
   * @default - for an L2 `Domain`, read from its settings: none without fine-grained access
   * control; its generated master user secret; the provider role when it is the domain's
   * IAM master user; otherwise manual, with a warning. For an imported domain: disabled.
   */
  readonly fineGrainedAccess?: FineGrainedAccess;

  /**
   * The VPC from which the provider reaches a domain in a VPC. Needed for an imported
   * domain in a VPC (or a collection reached through a VPC endpoint); for an L2 `Domain`
   * in a VPC, the domain's own subnets and security groups are used unless this is given.
   *
   * @default - the domain's own VPC placement for an L2 domain; none (a public endpoint) for an imported one
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of `vpc` the provider runs in: they must reach the domain on port 443.
   *
   * @default - the private subnets of `vpc`
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the provider in `vpc`; the domain must accept them on port 443.
   *
   * @default - a security group is created (and, for an L2 domain, let into the domain on 443)
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** Everything a custom resource of this library needs to act on one domain or collection. */
export interface TargetBinding {
  readonly domain?: opensearch.IDomain;
  readonly collection?: ServerlessCollection;
  /** where the handler sends requests and how it signs them */
  readonly target: DomainTarget;
  /** the domain's or collection's ARN (for trust conditions) */
  readonly arn: string;
  /** its account (for trust conditions) */
  readonly account: string;
  /** the domain's version when it is defined in this app */
  readonly engineVersion?: EngineVersionNumber;
  readonly provider: MlCommonsProvider;
  readonly serviceToken: string;
  /** what a resource must wait for: the provider's grants, and the role mapping or data access policy */
  readonly dependencies: IDependable[];
}

/** What a model learns from its connector: where it is, and what the blueprint knows. */
export interface ConnectorRegistration {
  readonly binding: TargetBinding;
  readonly embedding?: EmbeddingModelInfo;
  readonly generativeQa?: GenerativeQaModelInfo;
  /** the blueprint, for messages (an imported connector: unknown) */
  readonly blueprint?: string;
}

/** Where the target is, before the provider is involved: what a blueprint and a connector role need. */
export interface TargetLocation {
  readonly domain?: opensearch.IDomain;
  readonly collection?: ServerlessCollection;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly engineVersion?: EngineVersionNumber;
}

/** Checks that exactly one of domain and collection is given, with only the options that apply to it, and locates it. */
export function locateTarget(scope: Construct, options: MlTargetOptions): TargetLocation {
  const { domain, collection } = options;
  if (domain && collection) {
    throw new MlValidationError(scope,
      `give either domain or collection, not both; received domain ${quote(domain.node.path)} and collection ${quote(collection.collectionName)}.`);
  }
  if (collection) {
    if (options.fineGrainedAccess) {
      throw new MlValidationError(scope,
        `fineGrainedAccess applies to domains; a collection authorizes ML Commons through its data access policy (collectionDataAccess). Received fineGrainedAccess ${quote(options.fineGrainedAccess.mode)} with collection ${quote(collection.collectionName)}.`);
    }
    validateCollection(scope, collection);
    const arn = collection._arnIn(scope);
    return { collection, arn, ...collectionEnvironment(scope, arn) };
  }
  if (!domain) {
    throw new MlValidationError(scope,
      'give the domain (an OpenSearch Service domain) or the collection (ServerlessCollection.fromCfnCollection(...) or .fromCollectionAttributes(...)) it belongs to; received neither.');
  }
  if (options.collectionDataAccess) {
    throw new MlValidationError(scope,
      `collectionDataAccess applies to collections; a domain uses fineGrainedAccess. Received collectionDataAccess ${quote(options.collectionDataAccess.mode)} with domain ${quote(domain.node.path)}.`);
  }
  return { domain, arn: domain.domainArn, engineVersion: checkEngineVersion(scope, domain), ...domainLocation(domain) };
}

/**
 * Grants the stack's provider the ML Commons API of the target, places it where it reaches
 * the target, and maps it to ml_full_access (domain) or adds it to a data access policy
 * (collection) when needed.
 */
export function bindTarget(scope: Construct, options: MlTargetOptions, location = locateTarget(scope, options)): TargetBinding {
  const provider = MlCommonsProvider.of(scope);
  const { domain, collection } = location;
  let endpoint: string;
  let access: IDependable | undefined;
  let serviceToken: string;
  if (domain) {
    provider.grantMlApi(domain.domainArn);
    endpoint = domain.domainEndpoint;
    serviceToken = provider.serviceToken(networkPlacement(scope, domain, options, provider));
    const fineGrainedAccess = options.fineGrainedAccess ?? detectFineGrainedAccess(scope, domain, () => provider.role.roleArn);
    access = roleMappingFor(scope, provider, fineGrainedAccess, { domain, endpoint, region: location.region, serviceToken });
  } else {
    provider.grantCollectionApi(location.arn);
    endpoint = collection!.collectionEndpoint;
    serviceToken = provider.serviceToken(networkPlacement(scope, undefined, options, provider));
    access = collectionDataAccessFor(scope, provider, options.collectionDataAccess ?? CollectionDataAccess.createPolicy(), collection!);
  }
  return {
    ...location,
    target: { endpoint, region: location.region, signingService: domain ? 'es' : 'aoss' },
    provider,
    serviceToken,
    dependencies: access ? [provider.grants, access] : [provider.grants],
  };
}

/** The domain's account and region: from its ARN when that is known, otherwise from its stack. */
function domainLocation(domain: opensearch.IDomain): { account: string; region: string } {
  if (!Token.isUnresolved(domain.domainArn)) {
    const arn = Arn.split(domain.domainArn, ArnFormat.SLASH_RESOURCE_NAME);
    if (arn.account && arn.region) {
      return { account: arn.account, region: arn.region };
    }
  }
  return { account: domain.env.account ?? Stack.of(domain).account, region: domain.env.region ?? Stack.of(domain).region };
}

/**
 * Rejects an L2 domain older than OpenSearch 2.9 (or an Elasticsearch one), and returns
 * its version. Imported domains carry no version: the handler reports it if ML Commons is missing.
 */
function checkEngineVersion(scope: Construct, domain: opensearch.IDomain): EngineVersionNumber | undefined {
  const engine = engineOf(domain);
  if (!engine) return undefined;
  if (engine.kind !== 'OpenSearch' || !atLeast(engine.version, MIN_ENGINE_VERSION)) {
    throw new MlValidationError(scope,
      `domain runs ${quote(engine.label)}, but ML Commons connectors need OpenSearch ${formatVersion(MIN_ENGINE_VERSION)} or later. Upgrade the domain (version: EngineVersion.OPENSEARCH_2_19, for example).`);
  }
  return engine.version;
}

/** Whether two bindings are of the same domain or collection (the same construct, or the same endpoint). */
export function sameTarget(a: TargetBinding, b: TargetBinding): boolean {
  if ((a.domain ?? a.collection) === (b.domain ?? b.collection)) return true;
  const resolve = (value: string) => JSON.stringify(Stack.of(a.provider).resolve(value));
  return resolve(a.target.endpoint) === resolve(b.target.endpoint);
}
