import { Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * `https://<host prefix>.${parameters.region}.<suffix>`: the region stays a connector
 * parameter, as in ml-commons' own blueprints, so the URL is readable in templates.
 * Regions of the China partition use the amazonaws.com.cn suffix.
 */
export function runtimeUrl(hostPrefix: string, region: string): string {
  const suffix = !Token.isUnresolved(region) && region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://${hostPrefix}.\${parameters.region}.${suffix}`;
}

/**
 * The partition of a literal region (so that ARNs read 'arn:aws:...' in templates), or
 * undefined to let CDK use the stack's partition.
 */
export function partitionOf(region: string): string | undefined {
  if (Token.isUnresolved(region)) return undefined;
  return RegionInfo.get(region).partition;
}
