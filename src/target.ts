import { Annotations, Arn, ArnFormat, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct, IDependable } from 'constructs';
import { FineGrainedAccess, detectFineGrainedAccess, domainAccessPolicy } from './access';
import type { EmbeddingModelInfo, GenerativeQaModelInfo } from './blueprints/types';
import { CollectionDataAccess, ServerlessCollection, collectionDataAccessFor, collectionEnvironment, validateCollection } from './collection';
import { DomainTarget } from './contract';
import { isLoopback, nameDerivedByAwsCdk, parseDomainEndpoint } from './endpoints';
import { EngineVersionNumber, atLeast, engineOf, formatVersion } from './engine-version';
import { MlValidationError, quote } from './errors';
import { networkPlacement } from './network';
import { MlCommonsProvider } from './provider';
import { roleMappingFor } from './role-mapping';
import { validateRegion } from './validation';

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
  /** the blueprint's smoke-test input for a model that is not an embedding model (a chat model) */
  readonly probe?: { [key: string]: any };
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
  return { domain, engineVersion: checkEngineVersion(scope, domain), ...domainLocation(scope, domain) };
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
  let accessPolicy: IDependable | undefined;
  let serviceToken: string;
  if (domain) {
    provider.grantMlApi(location.arn);
    endpoint = domain.domainEndpoint;
    serviceToken = provider.serviceToken(networkPlacement(scope, domain, options, provider));
    const fineGrainedAccess = options.fineGrainedAccess ?? detectFineGrainedAccess(scope, domain, () => provider.role.roleArn);
    access = roleMappingFor(scope, provider, fineGrainedAccess, { domain, domainArn: location.arn, endpoint, region: location.region, serviceToken });
    // An L2 domain's access policy is applied by a custom resource of its own: wait for it.
    accessPolicy = domainAccessPolicy(domain);
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
    dependencies: [provider.grants, ...(access ? [access] : []), ...(accessPolicy ? [accessPolicy] : [])],
  };
}

/**
 * The domain's ARN, account and region. An imported domain's endpoint says its name and region:
 * `Domain.fromDomainEndpoint()` puts the name it derives ('search-<name>') in an ARN of the
 * stack's region, which is replaced by the domain's own; an ARN given with the endpoint
 * (`fromDomainAttributes()`) must name the same domain in the same region. Otherwise: from the
 * ARN when it is known, from the domain's stack when not.
 */
function domainLocation(scope: Construct, domain: opensearch.IDomain): { arn: string; account: string; region: string } {
  const stack = Stack.of(domain);
  const endpoint = domain.domainEndpoint;
  const given = Token.isUnresolved(domain.domainArn) ? undefined : Arn.split(domain.domainArn, ArnFormat.SLASH_RESOURCE_NAME);
  const derived = isDerivedByAwsCdk(domain);
  const facts = parseDomainEndpoint(endpoint);
  if (facts) {
    validateRegion(scope, 'domain endpoint region', facts.region);
    if (derived) {
      const account = domain.env.account ?? stack.account;
      const arn = stack.formatArn({
        partition: facts.partition, service: 'es', region: facts.region, account, resource: 'domain', resourceName: facts.domainName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
      return { arn, account, region: facts.region };
    }
    if (given?.region && given.region !== facts.region) {
      throw new MlValidationError(scope,
        `domain ${quote(domain.node.path)} has the ARN ${quote(domain.domainArn)}, in ${given.region}, and the endpoint ${quote(endpoint)}, in ${facts.region}: ` +
        'they are not of one domain. Give Domain.fromDomainAttributes() the ARN and endpoint of the same domain.');
    }
    if (given?.resourceName && given.resourceName !== facts.domainName) {
      throw new MlValidationError(scope,
        `domain ${quote(domain.node.path)} has the ARN ${quote(domain.domainArn)}, of the domain '${given.resourceName}', and the endpoint ${quote(endpoint)}, ` +
        `of the domain '${facts.domainName}': they are not of one domain. Give Domain.fromDomainAttributes() the ARN and endpoint of the same domain.`);
    }
    return { arn: domain.domainArn, account: given?.account || (domain.env.account ?? stack.account), region: facts.region };
  }
  if (derived && !isLoopback(endpoint)) {
    Annotations.of(scope).addWarningV2('cdk-opensearch-ml:domainEndpointNotParsed',
      `domain endpoint ${quote(endpoint)} is not an Amazon OpenSearch Service endpoint (search-<name>-<id>.<region>.es.amazonaws.com, or vpc-...), so the domain's name ` +
      `and region are a guess: Domain.fromDomainEndpoint() took the name ${quote(nameDerivedByAwsCdk(endpoint))} and the stack's region. ` +
      'If that is not the domain, import it with Domain.fromDomainAttributes({ domainArn, domainEndpoint }).');
  }
  if (given?.account && given.region) {
    return { arn: domain.domainArn, account: given.account, region: given.region };
  }
  return { arn: domain.domainArn, account: domain.env.account ?? stack.account, region: domain.env.region ?? stack.region };
}

/** Whether the domain's ARN is the one `Domain.fromDomainEndpoint()` derives from its endpoint. */
function isDerivedByAwsCdk(domain: opensearch.IDomain): boolean {
  if (CfnResource.isCfnResource(domain.node.defaultChild)) return false;
  const name = nameDerivedByAwsCdk(domain.domainEndpoint);
  if (name === undefined) return false;
  const stack = Stack.of(domain);
  const derived = stack.formatArn({ service: 'es', resource: 'domain', resourceName: name });
  return JSON.stringify(stack.resolve(domain.domainArn)) === JSON.stringify(stack.resolve(derived));
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
