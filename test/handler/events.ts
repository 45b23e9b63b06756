import { randomUUID } from 'node:crypto';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { ConnectorBlueprint, MlConnector, MlConnectorProps } from '../../src';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

/**
 * Resolves the intrinsic functions a synthesized connector uses the way CloudFormation
 * would in account ACCOUNT, region REGION: role ARNs from logical IDs, pseudo parameters.
 */
export function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('Ref' in o) {
      const pseudo: Record<string, string> = { 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
      return pseudo[o.Ref as string] ?? `${o.Ref}`;
    }
    if ('Fn::GetAtt' in o) {
      const [logicalId, attribute] = o['Fn::GetAtt'] as [string, string];
      if (attribute === 'Arn') return `arn:aws:iam::${ACCOUNT}:role/${logicalId}`;
      return `${logicalId}.${attribute}`;
    }
    if ('Fn::Join' in o) {
      const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
  }
  return value;
}

/** CloudFormation sends custom resources every scalar as a string. */
export function stringifyScalars(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringifyScalars);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, stringifyScalars(v)]));
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value;
}

export interface SynthesizedConnector {
  /** ResourceProperties as CloudFormation would send them */
  readonly properties: Record<string, unknown>;
  /** the provider role's grant statements, resolved */
  readonly providerStatements: Array<Record<string, unknown>>;
  /** the connector role ARN, resolved */
  readonly roleArn: string;
}

export interface DomainUnderTest {
  readonly endpoint: string;
  readonly domainArn: string;
}

/**
 * Synthesizes a real MlConnector against the emulated domain and returns what
 * CloudFormation would hand the handler.
 */
export function synthesizeConnector(domainUnderTest: DomainUnderTest, props: Partial<MlConnectorProps> = {}): SynthesizedConnector {
  const app = new App();
  const stack = new Stack(app, 'HandlerTest', { env: { account: ACCOUNT, region: REGION } });
  const domain = opensearch.Domain.fromDomainAttributes(stack, 'Domain', {
    domainArn: domainUnderTest.domainArn,
    domainEndpoint: `https://${domainUnderTest.endpoint}`,
  });
  new MlConnector(stack, 'QA', {
    domain,
    name: 'sagemaker: embedding',
    blueprint: ConnectorBlueprint.sageMakerEndpoint({
      endpointName: 'my-endpoint',
      requestBody: '{ "inputs": { "question": "${parameters.question}", "context": "${parameters.context}" } }',
    }),
    ...props,
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
  const [connectorId, connector] = Object.entries(resources).find(([, r]) => r.Type === 'Custom::OpenSearchMlConnector')!;
  const grants = Object.values(resources).find((r) => r.Type === 'AWS::IAM::Policy' && String(r.Properties.PolicyName).startsWith('OpenSearchMlProviderGrants'));
  const { ServiceToken, ...rest } = connector.Properties;
  void connectorId;
  return {
    properties: stringifyScalars(resolve({ ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:provider', ...rest })) as Record<string, unknown>,
    providerStatements: resolve(grants.Properties.PolicyDocument.Statement) as Array<Record<string, unknown>>,
    roleArn: resolve(connector.Properties.connector.credential.roleArn) as string,
  };
}

function base(requestType: string, properties: Record<string, unknown>) {
  return {
    RequestType: requestType,
    ServiceToken: properties.ServiceToken,
    StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/HandlerTest/${randomUUID()}`,
    RequestId: randomUUID(),
    LogicalResourceId: 'QA60CAB761',
    ResourceType: 'Custom::OpenSearchMlConnector',
    ResourceProperties: properties,
  };
}

export function createEvent(properties: Record<string, unknown>) {
  return base('Create', properties);
}

export function updateEvent(physicalResourceId: string, properties: Record<string, unknown>, oldProperties: Record<string, unknown>) {
  return { ...base('Update', properties), PhysicalResourceId: physicalResourceId, OldResourceProperties: oldProperties };
}

export function deleteEvent(physicalResourceId: string, properties: Record<string, unknown>) {
  return { ...base('Delete', properties), PhysicalResourceId: physicalResourceId };
}
