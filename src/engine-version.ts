import { CfnResource, Token } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';

/** [major, minor] of an OpenSearch engine. */
export type EngineVersionNumber = readonly [number, number];

/**
 * The engine of an L2 domain defined in this app, read from its CloudFormation
 * resource: 'OpenSearch_2.19' → { kind: 'OpenSearch', version: [2, 19] }. Undefined for
 * imported domains and unresolved versions.
 */
export function engineOf(domain: opensearch.IDomain): { kind: string; version: EngineVersionNumber; label: string } | undefined {
  const cfn = domain.node.defaultChild;
  if (!cfn || !CfnResource.isCfnResource(cfn) || cfn.cfnResourceType !== 'AWS::OpenSearchService::Domain') return undefined;
  const label = (cfn as opensearch.CfnDomain).engineVersion;
  if (label === undefined || Token.isUnresolved(label)) return undefined;
  const match = /^(OpenSearch|Elasticsearch)_(\d+)\.(\d+)/.exec(label);
  if (!match) return undefined;
  return { kind: match[1], version: [Number(match[2]), Number(match[3])], label };
}

export function atLeast(version: EngineVersionNumber, minimum: EngineVersionNumber): boolean {
  return version[0] > minimum[0] || (version[0] === minimum[0] && version[1] >= minimum[1]);
}

export function formatVersion(version: EngineVersionNumber): string {
  return `${version[0]}.${version[1]}`;
}

/** 'major.minor' (as `ConnectorBlueprintBindOptions.engineVersion` spells it) → [major, minor]; undefined for anything else. */
export function parseVersion(text: string | undefined): EngineVersionNumber | undefined {
  const match = text === undefined ? null : /^(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}
