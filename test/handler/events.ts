import { randomUUID } from 'node:crypto';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { ConnectorBlueprint, MlConnector, MlConnectorProps } from '../../src';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

/**
 * Resolves the intrinsic functions of a synthesized template the way CloudFormation would
 * in account ACCOUNT, region REGION: ARNs and names from logical IDs, pseudo parameters.
 */
export function resolver(resources: Record<string, { Type: string }>): (value: unknown) => unknown {
  const arnOf = (logicalId: string, type: string | undefined): string => {
    switch (type) {
      case 'AWS::IAM::Role': return `arn:aws:iam::${ACCOUNT}:role${(resources[logicalId] as any)?.Properties?.Path ?? '/'}${logicalId}`;
      case 'AWS::Lambda::Function': return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
      case 'AWS::Logs::LogGroup': return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logicalId}:*`;
      case 'AWS::SecretsManager::Secret': return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${logicalId}-AbCdEf`;
      default: return `arn:aws:iam::${ACCOUNT}:role/${logicalId}`;
    }
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if ('Ref' in o) {
        const pseudo: Record<string, string> = { 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
        const ref = o.Ref as string;
        if (pseudo[ref]) return pseudo[ref];
        return resources[ref]?.Type === 'AWS::SecretsManager::Secret' ? arnOf(ref, 'AWS::SecretsManager::Secret') : ref;
      }
      if ('Fn::GetAtt' in o) {
        const [logicalId, attribute] = o['Fn::GetAtt'] as [string, string];
        return attribute === 'Arn' ? arnOf(logicalId, resources[logicalId]?.Type) : `${logicalId}.${attribute}`;
      }
      if ('Fn::Join' in o) {
        const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
        return parts.map(resolve).join(separator);
      }
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
    }
    return value;
  };
  return resolve;
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

export interface DomainUnderTest {
  readonly endpoint: string;
  readonly domainArn: string;
}

/** A synthesized stack, read the way CloudFormation would hand it to the provider. */
export class SynthesizedStack {
  public readonly resources: Record<string, any>;
  public readonly resolve: (value: unknown) => unknown;

  constructor(public readonly stack: Stack) {
    this.resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
    this.resolve = resolver(this.resources);
  }

  /** the whole template, as JSON text */
  public get templateText(): string {
    return JSON.stringify(Template.fromStack(this.stack).toJSON());
  }

  /** ResourceProperties of every resource of `type`, in template order, as CloudFormation would send them */
  public propertiesOf(type: string): Array<Record<string, unknown>> {
    return Object.values(this.resources).filter((r) => r.Type === type).map((r) => {
      const { ServiceToken, ...rest } = r.Properties;
      return stringifyScalars({ ServiceToken: this.resolve(ServiceToken), ...(this.resolve(rest) as object) }) as Record<string, unknown>;
    });
  }

  /** every statement of every policy attached to the provider role, resolved */
  public get providerStatements(): Array<Record<string, unknown>> {
    const roleId = Object.keys(this.resources).find((id) => id.startsWith('OpenSearchMlProviderRole'))!;
    const role = this.resources[roleId];
    const inline = (role.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement);
    const attached = Object.values(this.resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleId))
      .flatMap((r) => r.Properties.PolicyDocument.Statement);
    return this.resolve([...inline, ...attached]) as Array<Record<string, unknown>>;
  }

  /** the environment variables of the function whose logical ID starts with `prefix`, resolved */
  public functionEnvironment(prefix: string): Record<string, string> {
    const [, fn] = Object.entries(this.resources).find(([id, r]) => id.startsWith(prefix) && r.Type === 'AWS::Lambda::Function')!;
    return this.resolve(fn.Properties.Environment?.Variables ?? {}) as Record<string, string>;
  }

  public logicalIdOf(prefix: string): string {
    return Object.keys(this.resources).find((id) => id.startsWith(prefix))!;
  }
}

/** Synthesizes whatever `build` adds to a stack with the emulated domain imported as `domain`. */
export function synthesizeStack(domainUnderTest: DomainUnderTest, build: (stack: Stack, domain: opensearch.IDomain) => void): SynthesizedStack {
  const app = new App();
  const stack = new Stack(app, 'HandlerTest', { env: { account: ACCOUNT, region: REGION } });
  const domain = opensearch.Domain.fromDomainAttributes(stack, 'Domain', {
    domainArn: domainUnderTest.domainArn,
    domainEndpoint: `https://${domainUnderTest.endpoint}`,
  });
  build(stack, domain);
  return new SynthesizedStack(stack);
}

export interface SynthesizedConnector {
  /** ResourceProperties as CloudFormation would send them */
  readonly properties: Record<string, unknown>;
  /** the provider role's grant statements, resolved */
  readonly providerStatements: Array<Record<string, unknown>>;
  /** the connector role ARN, resolved */
  readonly roleArn: string;
}

/**
 * Synthesizes a real MlConnector against the emulated domain and returns what
 * CloudFormation would hand the handler.
 */
export function synthesizeConnector(domainUnderTest: DomainUnderTest, props: Partial<MlConnectorProps> = {}): SynthesizedConnector {
  const synthesized = synthesizeStack(domainUnderTest, (stack, domain) => {
    new MlConnector(stack, 'QA', {
      domain,
      name: 'sagemaker: embedding',
      blueprint: ConnectorBlueprint.sageMakerEndpoint({
        endpointName: 'my-endpoint',
        requestBody: '{ "inputs": { "question": "${parameters.question}", "context": "${parameters.context}" } }',
      }),
      ...props,
    });
  });
  const [properties] = synthesized.propertiesOf('Custom::OpenSearchMlConnector');
  return {
    properties,
    providerStatements: synthesized.providerStatements,
    roleArn: (properties.connector as any).credential.roleArn,
  };
}

const CONNECTOR = 'Custom::OpenSearchMlConnector';

function base(requestType: string, properties: Record<string, unknown>, resourceType: string) {
  return {
    RequestType: requestType,
    ServiceToken: properties.ServiceToken,
    StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/HandlerTest/${randomUUID()}`,
    RequestId: randomUUID(),
    LogicalResourceId: resourceType === CONNECTOR ? 'QA60CAB761' : 'OpenSearchMlProviderMlFullAccess0A1B2C3D',
    ResourceType: resourceType,
    ResourceProperties: properties,
  };
}

export function createEvent(properties: Record<string, unknown>, resourceType = CONNECTOR) {
  return base('Create', properties, resourceType);
}

export function updateEvent(
  physicalResourceId: string, properties: Record<string, unknown>, oldProperties: Record<string, unknown>, resourceType = CONNECTOR,
) {
  return { ...base('Update', properties, resourceType), PhysicalResourceId: physicalResourceId, OldResourceProperties: oldProperties };
}

export function deleteEvent(physicalResourceId: string, properties: Record<string, unknown>, resourceType = CONNECTOR) {
  return { ...base('Delete', properties, resourceType), PhysicalResourceId: physicalResourceId };
}
