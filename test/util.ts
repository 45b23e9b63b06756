import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';

/** A stack with a concrete environment, so ARNs and regions are literals where CDK can make them so. */
export function testStack(env: { account?: string; region?: string } = { account: '111122223333', region: 'us-east-1' }): Stack {
  const app = new App();
  return new Stack(app, 'TestStack', { env });
}

export function testDomain(stack: Stack, version = opensearch.EngineVersion.OPENSEARCH_2_19, id = 'Domain'): opensearch.Domain {
  return new opensearch.Domain(stack, id, {
    version,
    capacity: { dataNodes: 1, dataNodeInstanceType: 'r6g.large.search', multiAzWithStandbyEnabled: false },
  });
}

/** The template with every 64-hex asset hash replaced, so snapshots change only with the template. */
export function templateJsonWithoutHashes(stack: Stack): unknown {
  const text = JSON.stringify(Template.fromStack(stack).toJSON());
  return JSON.parse(text.replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}

export function resourcesOfType(stack: Stack, type: string): Array<[string, any]> {
  const resources = (Template.fromStack(stack).toJSON().Resources ?? {}) as Record<string, any>;
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}
