import { Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/*
 * What the hostname of an Amazon OpenSearch Service domain or an OpenSearch Serverless collection
 * says about it. Imported domains and collections are known by their endpoint, and the endpoint is
 * the one thing the user copied from the console: their region and name come from it.
 */

/** The DNS suffixes of AWS partitions ('amazonaws.com', 'amazonaws.com.cn', ...), from aws-cdk-lib's region facts. */
const SUFFIXES: readonly string[] = [...new Set(RegionInfo.regions.map((r) => r.domainSuffix).filter((s): s is string => s !== undefined))];

/** A domain endpoint: `search-<name>-<id>.<region>.es.<suffix>` (public) or `vpc-<name>-<id>.<region>.es.<suffix>`. */
const DOMAIN_HOST = /^(search|vpc)-([a-z][a-z0-9-]*)-([a-z0-9]+)\.([a-z0-9-]+)\.es\.([a-z0-9.-]+)$/;

/** A collection endpoint: `<collection ID>.<region>.aoss.<suffix>`. */
const COLLECTION_HOST = /^([a-z0-9]+)\.([a-z0-9-]+)\.aoss\.([a-z0-9.-]+)$/;

export interface DomainEndpointFacts {
  /** the domain's name */
  readonly domainName: string;
  readonly region: string;
  /** the partition of the region, when aws-cdk-lib knows it */
  readonly partition?: string;
}

export interface CollectionEndpointFacts {
  readonly collectionId: string;
  readonly region: string;
  readonly partition?: string;
}

/** The host of an endpoint given with or without scheme, path or port; undefined for a token. */
export function hostOf(endpoint: string): string | undefined {
  if (Token.isUnresolved(endpoint)) return undefined;
  return endpoint.trim().replace(/^https?:\/\//i, '').replace(/[/?#].*$/, '').replace(/:\d+$/, '').toLowerCase();
}

/** Whether the endpoint is on this machine (a local stand-in of the service), where no real domain or collection is. */
export function isLoopback(endpoint: string): boolean {
  const host = hostOf(endpoint);
  return host === 'localhost' || host === '::1' || /^127\./.test(host ?? '');
}

/** The name, region and partition of an Amazon OpenSearch Service domain endpoint; undefined for any other host. */
export function parseDomainEndpoint(endpoint: string): DomainEndpointFacts | undefined {
  const match = DOMAIN_HOST.exec(hostOf(endpoint) ?? '');
  if (!match || !isSuffixOf(match[4], match[5])) return undefined;
  return { domainName: match[2], region: match[4], partition: partitionOfRegion(match[4]) };
}

/** The ID, region and partition of an OpenSearch Serverless collection endpoint; undefined for any other host. */
export function parseCollectionEndpoint(endpoint: string): CollectionEndpointFacts | undefined {
  const match = COLLECTION_HOST.exec(hostOf(endpoint) ?? '');
  if (!match || !isSuffixOf(match[2], match[3])) return undefined;
  return { collectionId: match[1], region: match[2], partition: partitionOfRegion(match[2]) };
}

/**
 * The domain name `Domain.fromDomainEndpoint()` of aws-cdk-lib derives from an endpoint: the first
 * label of the host without its last '-' part ('search-prod-abc123...' gives 'search-prod'), which
 * it puts in an ARN of the stack's region. Recognising it tells that ARN from one the user gave.
 */
export function nameDerivedByAwsCdk(endpoint: string): string | undefined {
  const host = hostOf(endpoint);
  if (host === undefined) return undefined;
  const label = host.split('.')[0];
  const suffix = `-${label.split('-').slice(-1)[0]}`;
  return label.split(suffix)[0];
}

/** Whether `suffix` is the DNS suffix of `region` (any AWS suffix for a region aws-cdk-lib does not know). */
function isSuffixOf(region: string, suffix: string): boolean {
  const known = RegionInfo.regions.find((r) => r.name === region);
  return known?.domainSuffix !== undefined ? known.domainSuffix === suffix : SUFFIXES.includes(suffix);
}

function partitionOfRegion(region: string): string | undefined {
  return RegionInfo.regions.find((r) => r.name === region)?.partition;
}
