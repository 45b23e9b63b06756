import { Annotations, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { IConstruct } from 'constructs';
import { MlValidationError, quote } from './errors';
import { MlCommonsProvider, NetworkPlacement } from './provider';

/** Where a connector's domain is, network-wise, as the user described it. */
export interface NetworkOptions {
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

const HTTPS = ec2.Port.tcp(443);

/**
 * Where the provider must run to reach `domain` (undefined: a collection): undefined for a public endpoint; for a
 * domain in a VPC, its subnets and a security group the domain accepts on port 443.
 *  - an L2 domain in a VPC: the domain's own subnets and security groups, which are told
 *    (through domain.connections) to accept their own members on 443;
 *  - `vpc` given (required for imported domains in a VPC): those subnets, and the given
 *    security groups or one the provider creates, let in through domain.connections when
 *    the domain is an L2 one.
 */
export function networkPlacement(
  scope: IConstruct, domain: opensearch.IDomain | undefined, options: NetworkOptions, provider: MlCommonsProvider,
): NetworkPlacement | undefined {
  const domainVpc = domain ? vpcOptionsOf(domain) : undefined;
  if (options.vpc) {
    let subnetIds: string[] = [];
    let why = 'none matched';
    try {
      subnetIds = options.vpc.selectSubnets(options.vpcSubnets).subnetIds;
    } catch (e) {
      why = (e as Error).message;
    }
    if (subnetIds.length === 0) {
      throw new MlValidationError(scope, `${options.vpcSubnets ? `vpcSubnets ${quote(options.vpcSubnets)}` : `vpc ${quote(options.vpc.vpcId)}`} selects no subnet ` +
        `for the provider (${why}); pass a vpc with subnets that reach the domain on port 443, and vpcSubnets that select them.`);
    }
    const groups = options.securityGroups ?? [provider.securityGroupFor(options.vpc)];
    if (domainVpc) {
      groups.forEach((group) => domainVpc.connections.allowFrom(group, HTTPS, 'cdk-opensearch-ml provider'));
    } else if (!options.securityGroups) {
      Annotations.of(scope).addWarningV2('cdk-opensearch-ml:providerSecurityGroup', domain
        ? `The provider runs in ${groups[0].node.path} for this imported domain: allow that security group into the domain on port 443.`
        : `The provider runs in ${groups[0].node.path} for this collection: allow that security group into the collection's VPC endpoint on port 443.`);
    }
    return { subnetIds, securityGroupIds: groups.map((g) => g.securityGroupId) };
  }
  if (options.vpcSubnets || options.securityGroups) {
    const [property, value] = options.vpcSubnets
      ? ['vpcSubnets', quote(options.vpcSubnets)]
      : ['securityGroups', quote(options.securityGroups!.map((g) => g.securityGroupId))];
    throw new MlValidationError(scope, `${property} places the provider in a VPC and needs the vpc property too; received ${property} ${value} without vpc.`);
  }
  if (!domainVpc) return undefined;
  domainVpc.connections.allowInternally(HTTPS, 'cdk-opensearch-ml provider');
  return {
    subnetIds: domainVpc.subnetIds,
    securityGroupIds: domainVpc.connections.securityGroups.map((g) => g.securityGroupId),
  };
}

/** The subnets and connections of an L2 domain defined in this app, if it is in a VPC. */
function vpcOptionsOf(domain: opensearch.IDomain): { subnetIds: string[]; connections: ec2.Connections } | undefined {
  const cfn = domain.node.defaultChild;
  if (!cfn || !CfnResource.isCfnResource(cfn) || cfn.cfnResourceType !== 'AWS::OpenSearchService::Domain') return undefined;
  const vpcOptions = (cfn as opensearch.CfnDomain).vpcOptions as opensearch.CfnDomain.VPCOptionsProperty | undefined;
  if (!vpcOptions || Stack.of(domain).resolve(vpcOptions) === undefined) return undefined;
  return { subnetIds: (vpcOptions.subnetIds ?? []) as string[], connections: (domain as opensearch.Domain).connections };
}
