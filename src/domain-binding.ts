import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct, IDependable } from 'constructs';
import { FineGrainedAccess, detectFineGrainedAccess, roleMappingFor } from './access';
import { DomainTarget } from './contract';
import { EngineVersionNumber, atLeast, engineOf, formatVersion } from './engine-version';
import { MlValidationError, quote } from './errors';
import { networkPlacement } from './network';
import { MlCommonsProvider } from './provider';

/** Remote connectors and models need ML Commons 2.9 on Amazon OpenSearch Service. */
const MIN_ENGINE_VERSION: EngineVersionNumber = [2, 9];

/**
 * How the stack's provider reaches a domain and gets the ML Commons permissions on it.
 * Shared by connectors, imported connectors and model groups.
 */
export interface DomainAccessOptions {
  /**
   * Fine-grained access control of the domain: whether and how the provider's role is
   * mapped to `ml_full_access` before connectors are created.
   *
   * @default - for an L2 `Domain`, read from its settings: none without fine-grained access
   * control; its generated master user secret; the provider role when it is the domain's
   * IAM master user; otherwise manual, with a warning. For an imported domain: disabled.
   */
  readonly fineGrainedAccess?: FineGrainedAccess;

  /**
   * The VPC from which the provider reaches a domain in a VPC. Needed for an imported
   * domain in a VPC; for an L2 `Domain` in a VPC, the domain's own subnets and security
   * groups are used unless this is given.
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

/** Everything a custom resource of this library needs to act on one domain. */
export interface DomainBinding {
  readonly domain: opensearch.IDomain;
  /** where the handler sends requests and how it signs them */
  readonly target: DomainTarget;
  /** the domain's account (for trust conditions) */
  readonly account: string;
  /** the domain's version when it is defined in this app */
  readonly engineVersion?: EngineVersionNumber;
  readonly provider: MlCommonsProvider;
  readonly serviceToken: string;
  /** what a resource must wait for: the provider's grants and the role mapping, if any */
  readonly dependencies: IDependable[];
}

/**
 * Grants the stack's provider the ML Commons API of `domain`, places it where it reaches
 * the domain, and maps it to ml_full_access when the domain needs it.
 */
export function bindDomain(scope: Construct, domain: opensearch.IDomain, options: DomainAccessOptions): DomainBinding {
  const engineVersion = checkEngineVersion(scope, domain);
  const { account, region } = domainLocation(domain);
  const target: DomainTarget = { endpoint: domain.domainEndpoint, region, signingService: 'es' };
  const provider = MlCommonsProvider.of(scope);
  provider.grantMlApi(domain.domainArn);
  const serviceToken = provider.serviceToken(networkPlacement(scope, domain, options, provider));
  const access = options.fineGrainedAccess ?? detectFineGrainedAccess(scope, domain, () => provider.role.roleArn);
  const mapping = roleMappingFor(scope, provider, access, { domain, endpoint: domain.domainEndpoint, region, serviceToken });
  return {
    domain,
    target,
    account,
    engineVersion,
    provider,
    serviceToken,
    dependencies: mapping ? [provider.grants, mapping] : [provider.grants],
  };
}

/** The domain's account and region: from its ARN when that is known, otherwise from its stack. */
export function domainLocation(domain: opensearch.IDomain): { account: string; region: string } {
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
export function checkEngineVersion(scope: Construct, domain: opensearch.IDomain): EngineVersionNumber | undefined {
  const engine = engineOf(domain);
  if (!engine) return undefined;
  if (engine.kind !== 'OpenSearch' || !atLeast(engine.version, MIN_ENGINE_VERSION)) {
    throw new MlValidationError(scope,
      `domain runs ${quote(engine.label)}, but ML Commons connectors need OpenSearch ${formatVersion(MIN_ENGINE_VERSION)} or later. Upgrade the domain (version: EngineVersion.OPENSEARCH_2_19, for example).`);
  }
  return engine.version;
}

/** Whether two bindings are of the same domain (the same construct, or the same endpoint). */
export function sameDomain(a: DomainBinding, b: DomainBinding): boolean {
  if (a.domain === b.domain) return true;
  const resolve = (value: string) => JSON.stringify(Stack.of(a.provider).resolve(value));
  return resolve(a.target.endpoint) === resolve(b.target.endpoint);
}
