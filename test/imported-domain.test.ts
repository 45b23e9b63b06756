/*
 * Imported domains and collections are known by their endpoint: their name and region come from it,
 * not from the stack (Domain.fromDomainEndpoint() puts the stack's region and 'search-<name>' in
 * the ARN it derives).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { ConnectorBlueprint, FineGrainedAccess, MlConnector } from '../src';
import { resourcesOfType, testStack } from './util';

const blueprint = () => ConnectorBlueprint.bedrockTitanTextEmbeddingV2();

/** What one connector on `domain` synthesizes to: the trust condition, the signing region, the model region and the ML grant. */
function synthesized(stack: Stack, domain: opensearch.IDomain, props: { fineGrainedAccess?: FineGrainedAccess; trustedEndpoints?: string[] } = {}) {
  new MlConnector(stack, 'C', { domain, blueprint: blueprint(), ...props });
  const template = Template.fromStack(stack).toJSON();
  const [[, role]] = resourcesOfType(stack, 'AWS::IAM::Role').filter(([id]) => id.startsWith('CRole'));
  const [[, connector]] = resourcesOfType(stack, 'Custom::OpenSearchMlConnector');
  const grants = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::IAM::Policy');
  return {
    sourceArn: role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnLike['aws:SourceArn'],
    signingRegion: connector.Properties.region,
    modelRegion: connector.Properties.connector.parameters.region,
    grantResources: grants.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Resource].flat()),
  };
}

test('Domain.fromDomainEndpoint in another region than the stack: the ARN, the signing region and the model region are the domain\'s', () => {
  const stack = testStack();
  const domain = opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-prod-abc123def456.eu-west-1.es.amazonaws.com');
  // what aws-cdk-lib derives
  expect(stack.resolve(domain.domainArn)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':es:us-east-1:111122223333:domain/search-prod']] });
  const result = synthesized(stack, domain);
  expect(result.sourceArn).toBe('arn:aws:es:eu-west-1:111122223333:domain/prod');
  expect(result.signingRegion).toBe('eu-west-1');
  expect(result.modelRegion).toBe('eu-west-1');
  expect(result.grantResources).toContain('arn:aws:es:eu-west-1:111122223333:domain/prod/_plugins/_ml/*');
  expect(JSON.stringify(result.grantResources)).not.toContain('search-prod');
});

test('a domain in a VPC (vpc-<name>-<id>), with hyphens in its name', () => {
  const stack = testStack();
  const domain = opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://vpc-my-vectors-2-abc123def456.ap-southeast-2.es.amazonaws.com');
  expect(synthesized(stack, domain)).toMatchObject({ sourceArn: 'arn:aws:es:ap-southeast-2:111122223333:domain/my-vectors-2', signingRegion: 'ap-southeast-2' });
});

test('another partition: the suffix and the region say it (China: amazonaws.com.cn, arn:aws-cn)', () => {
  const stack = testStack({ account: '111122223333', region: 'cn-north-1' });
  const domain = opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-prod-abc123.cn-northwest-1.es.amazonaws.com.cn');
  // (the China endpoints are not among ml-commons' default trusted endpoints)
  expect(synthesized(stack, domain, { trustedEndpoints: ['^https://bedrock-runtime\\..*\\.amazonaws\\.com\\.cn/.*$'] }))
    .toMatchObject({ sourceArn: 'arn:aws-cn:es:cn-northwest-1:111122223333:domain/prod', signingRegion: 'cn-northwest-1' });
});

test('an environment-agnostic stack: region and name from the endpoint, the account from the stack', () => {
  const stack = new Stack(new App(), 'Agnostic');
  const domain = opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-prod-abc123.eu-west-1.es.amazonaws.com');
  const result = synthesized(stack, domain);
  expect(result.sourceArn).toEqual({ 'Fn::Join': ['', ['arn:aws:es:eu-west-1:', { Ref: 'AWS::AccountId' }, ':domain/prod']] });
  expect(result.signingRegion).toBe('eu-west-1');
});

test('Domain.fromDomainAttributes with the ARN and endpoint of one domain: the ARN as given (another account is honoured)', () => {
  const stack = testStack();
  const domain = opensearch.Domain.fromDomainAttributes(stack, 'D', {
    domainArn: 'arn:aws:es:eu-west-1:444455556666:domain/prod',
    domainEndpoint: 'https://search-prod-abc123.eu-west-1.es.amazonaws.com',
  });
  expect(synthesized(stack, domain)).toMatchObject({ sourceArn: 'arn:aws:es:eu-west-1:444455556666:domain/prod', signingRegion: 'eu-west-1' });
});

test('the provider as an imported domain\'s IAM master user: its security API grant is on the domain\'s own ARN', () => {
  const stack = testStack();
  const domain = opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-prod-abc123.eu-west-1.es.amazonaws.com');
  const result = synthesized(stack, domain, { fineGrainedAccess: FineGrainedAccess.providerIsMasterUser() });
  expect(result.grantResources).toContain('arn:aws:es:eu-west-1:111122223333:domain/prod/_plugins/_security/api/rolesmapping/ml_full_access');
  const [[, mapping]] = resourcesOfType(stack, 'Custom::OpenSearchMlRoleMapping');
  expect(mapping.Properties.region).toBe('eu-west-1');
});
