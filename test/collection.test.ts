/*
 * Connectors on Amazon OpenSearch Serverless collections: the typed target, the connector
 * role's trust, the provider's grants and the collection's data access policy.
 */
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  CollectionDataAccess, ConnectorBlueprint, FineGrainedAccess, MlConnector, MlConnectorProps, ServerlessCollection,
} from '../src';
import { resourcesOfType, testDomain, testStack } from './util';

const ML_PERMISSIONS = ['aoss:CreateMLResource', 'aoss:UpdateMLResource', 'aoss:DeleteMLResource', 'aoss:DescribeMLResource', 'aoss:ExecuteMLResource'];
const IMPORTED_ARN = 'arn:aws:aoss:us-east-1:111122223333:collection/1tg2xudton46knx2a95g';

function sageMaker(endpointName = 'my-endpoint') {
  return ConnectorBlueprint.sageMakerEndpoint({ endpointName });
}

function cfnCollection(stack: Stack, name = 'vectors', id = 'Collection'): aoss.CfnCollection {
  return new aoss.CfnCollection(stack, id, { name, type: 'VECTORSEARCH' });
}

function imported(overrides: Partial<{ collectionName: string; collectionId: string; collectionEndpoint: string; collectionArn: string }> = {}) {
  return ServerlessCollection.fromCollectionAttributes({
    collectionName: 'vectors',
    collectionId: '1tg2xudton46knx2a95g',
    collectionEndpoint: 'https://1tg2xudton46knx2a95g.us-east-1.aoss.amazonaws.com',
    collectionArn: IMPORTED_ARN,
    ...overrides,
  });
}

function connector(stack: Stack, id: string, props: Partial<MlConnectorProps>): MlConnector {
  return new MlConnector(stack, id, { blueprint: sageMaker(), ...props } as MlConnectorProps);
}

function resourceOf(stack: Stack, c: MlConnector): any {
  return Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(c.node.findChild('Resource').node.defaultChild as any)];
}

function providerStatements(stack: Stack): any[] {
  return resourcesOfType(stack, 'AWS::IAM::Policy')
    .filter(([id]) => id.startsWith('OpenSearchMlProviderGrants'))
    .flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
}

describe('connector role', () => {
  test('trusts ml.opensearchservice.amazonaws.com for this collection only: SourceAccount and SourceArn conditions', () => {
    const stack = testStack();
    const c = connector(stack, 'QA', { collection: imported() });
    const role = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(c.role.node.defaultChild as any)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'ml.opensearchservice.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111122223333' },
        ArnLike: { 'aws:SourceArn': IMPORTED_ARN },
      },
    }]);
    expect(role.Properties.Description).toBe('Assumed by Amazon OpenSearch Serverless to call the model of ML connector TestStack/QA');
  });

  test('an L1 collection in the same stack is referenced by its Arn attribute', () => {
    const stack = testStack();
    const collection = cfnCollection(stack);
    const c = connector(stack, 'QA', { collection: ServerlessCollection.fromCfnCollection(collection) });
    const role = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(c.role.node.defaultChild as any)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '111122223333' },
      ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [stack.getLogicalId(collection), 'Arn'] } },
    });
  });

  test('without an ARN, the ARN is built from the collection ID in the endpoint\'s region and the stack\'s account; with one, its region and account win', () => {
    const stack = testStack();
    const derived = connector(stack, 'Derived', { collection: imported({ collectionArn: undefined }) });
    expect(stack.resolve(derived._binding.arn)).toBe('arn:aws:aoss:us-east-1:111122223333:collection/1tg2xudton46knx2a95g');
    const far = connector(stack, 'Far', {
      collection: imported({ collectionName: 'far', collectionId: 'far123', collectionEndpoint: 'https://far123.eu-central-1.aoss.amazonaws.com', collectionArn: undefined }),
    });
    expect(stack.resolve(far._binding.arn)).toBe('arn:aws:aoss:eu-central-1:111122223333:collection/far123');
    const other = connector(stack, 'Other', {
      collection: imported({
        collectionName: 'other',
        collectionId: 'abc123',
        collectionEndpoint: 'https://abc123.eu-west-1.aoss.amazonaws.com',
        collectionArn: 'arn:aws:aoss:eu-west-1:444455556666:collection/abc123',
      }),
    });
    expect(resourceOf(stack, far).Properties.region).toBe('eu-central-1');
    expect(resourceOf(stack, other).Properties.region).toBe('eu-west-1');
    const role = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(other.role.node.defaultChild as any)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals).toEqual({ 'aws:SourceAccount': '444455556666' });
  });
});

describe('the connector resource', () => {
  test('is signed for aoss and sent to the collection endpoint', () => {
    const stack = testStack();
    const collection = cfnCollection(stack);
    const c = connector(stack, 'QA', { collection: ServerlessCollection.fromCfnCollection(collection) });
    const properties = resourceOf(stack, c).Properties;
    expect(properties).toMatchObject({
      contractVersion: '1',
      signingService: 'aoss',
      region: 'us-east-1',
      endpoint: { 'Fn::GetAtt': [stack.getLogicalId(collection), 'CollectionEndpoint'] },
    });
    expect(properties.connector.credential).toEqual({ roleArn: { 'Fn::GetAtt': [stack.getLogicalId(c.role.node.defaultChild as any), 'Arn'] } });
  });

  test('waits for the provider grants and the data access policy, which waits for the collection', () => {
    const stack = testStack();
    const collection = cfnCollection(stack);
    const c = connector(stack, 'QA', { collection: ServerlessCollection.fromCfnCollection(collection) });
    const [[policyId, policy]] = resourcesOfType(stack, 'AWS::OpenSearchServerless::AccessPolicy');
    expect(policy.DependsOn).toEqual([stack.getLogicalId(collection)]);
    const dependsOn: string[] = resourceOf(stack, c).DependsOn;
    expect(dependsOn).toContain(policyId);
    expect(dependsOn.some((id) => id.startsWith('OpenSearchMlProviderGrants'))).toBe(true);
  });

  test('exposes its target for models on the same collection', () => {
    const stack = testStack();
    const c = connector(stack, 'QA', { collection: imported() });
    const binding = c._binding;
    expect(binding.target).toEqual({
      signingService: 'aoss',
      endpoint: 'https://1tg2xudton46knx2a95g.us-east-1.aoss.amazonaws.com',
      region: 'us-east-1',
    });
    expect(binding.arn).toBe(IMPORTED_ARN);
    expect(binding.collection).toBeDefined();
    expect(binding.dependencies).toHaveLength(2);
    const onDomain = connector(stack, 'OnDomain', { domain: testDomain(stack) });
    expect(onDomain._binding.target.signingService).toBe('es');
  });
});

describe('provider grants', () => {
  test('aoss:APIAccessAll on the collection and iam:PassRole on the connector role; nothing of es:', () => {
    const stack = testStack();
    const c = connector(stack, 'QA', { collection: imported() });
    expect(stack.resolve(providerStatements(stack))).toEqual([
      { Action: 'iam:PassRole', Effect: 'Allow', Resource: stack.resolve(c.role.roleArn) },
      { Action: 'aoss:APIAccessAll', Effect: 'Allow', Resource: IMPORTED_ARN },
    ]);
  });
});

describe('data access policy', () => {
  test('grants the provider role the five ML permissions on model/<collection>/*, and nothing else', () => {
    const stack = testStack();
    connector(stack, 'QA', { collection: imported() });
    const policies = resourcesOfType(stack, 'AWS::OpenSearchServerless::AccessPolicy');
    expect(policies).toHaveLength(1);
    const [, policy] = policies[0];
    expect(policy.Properties.Type).toBe('data');
    expect(policy.Properties.Name).toMatch(/^ml-[0-9a-f]{15}$/);
    const providerRoleId = resourcesOfType(stack, 'AWS::IAM::Role').map(([id]) => id).find((id) => id.startsWith('OpenSearchMlProviderRole'))!;
    // The document is a string with the role ARN joined in; put a marker in its place to read it as JSON.
    const [separator, parts] = policy.Properties.Policy['Fn::Join'];
    expect(parts.filter((part: unknown) => typeof part !== 'string')).toEqual([{ 'Fn::GetAtt': [providerRoleId, 'Arn'] }]);
    const text = parts.map((part: unknown) => (typeof part === 'string' ? part : '<provider-role-arn>')).join(separator);
    expect(JSON.parse(text)).toEqual([{
      Rules: [{ ResourceType: 'model', Resource: ['model/vectors/*'], Permission: ML_PERMISSIONS }],
      Principal: ['<provider-role-arn>'],
    }]);
    expect(text).not.toMatch(/\s/);
  });

  test('one policy per collection, shared by its connectors; another collection gets its own', () => {
    const stack = testStack();
    const a = connector(stack, 'A', { collection: imported() });
    const b = connector(stack, 'B', { collection: imported(), blueprint: sageMaker('other') });
    connector(stack, 'C', {
      collection: imported({
        collectionName: 'logs', collectionId: 'abc', collectionEndpoint: 'https://abc.us-east-1.aoss.amazonaws.com', collectionArn: 'arn:aws:aoss:us-east-1:111122223333:collection/abc',
      }),
    });
    const policies = resourcesOfType(stack, 'AWS::OpenSearchServerless::AccessPolicy');
    expect(policies).toHaveLength(2);
    expect(new Set(policies.map(([, p]) => p.Properties.Name)).size).toBe(2);
    expect(resourceOf(stack, a).DependsOn).toContain(policies[0][0]);
    expect(resourceOf(stack, b).DependsOn).toContain(policies[0][0]);
  });

  test('the default name is the same across synths and differs between stacks', () => {
    const name = (stackName: string) => {
      const stack = new Stack(new App(), stackName, { env: { account: '111122223333', region: 'us-east-1' } });
      connector(stack, 'QA', { collection: imported() });
      return resourcesOfType(stack, 'AWS::OpenSearchServerless::AccessPolicy')[0][1].Properties.Name;
    };
    expect(name('One')).toBe(name('One'));
    expect(name('One')).not.toBe(name('Two'));
  });

  test('two synths of a stack with collections are identical', () => {
    const template = () => {
      const stack = new Stack(new App(), 'Twice', { env: { account: '111122223333', region: 'us-east-1' } });
      const collection = ServerlessCollection.fromCfnCollection(cfnCollection(stack));
      connector(stack, 'A', { collection });
      connector(stack, 'B', { collection: imported({ collectionName: 'logs' }), blueprint: sageMaker('b') });
      return JSON.stringify(Template.fromStack(stack).toJSON());
    };
    expect(template()).toBe(template());
  });

  test('takes a valid policy name, and rejects an invalid one naming the rule', () => {
    const stack = testStack();
    connector(stack, 'QA', { collection: imported(), collectionDataAccess: CollectionDataAccess.createPolicy('vectors-ml') });
    expect(resourcesOfType(stack, 'AWS::OpenSearchServerless::AccessPolicy')[0][1].Properties.Name).toBe('vectors-ml');
    for (const bad of ['ML-Access', 'ab', 'a'.repeat(33), '1abc']) {
      const s = testStack();
      expect(() => connector(s, 'QA', { collection: imported(), collectionDataAccess: CollectionDataAccess.createPolicy(bad) }))
        .toThrow(`TestStack/QA: collectionDataAccess policyName must be 3 to 32 characters, a lower-case letter followed by lower-case letters, digits or hyphens; received '${bad}'.`);
    }
  });

  test('manual: no policy, a stable provider role name, and a warning with the principal, permissions and resource to add', () => {
    const stack = testStack();
    connector(stack, 'QA', { collection: imported(), collectionDataAccess: CollectionDataAccess.manual() });
    expect(resourcesOfType(stack, 'AWS::OpenSearchServerless::AccessPolicy')).toEqual([]);
    const [, role] = resourcesOfType(stack, 'AWS::IAM::Role').find(([id]) => id.startsWith('OpenSearchMlProviderRole'))!;
    const roleName = role.Properties.RoleName as string;
    expect(roleName).toMatch(/-us-east-1$/);
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/QA', Match.stringLikeRegexp('data access policy')).map((w) => String(w.entry.data));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`arn:aws:iam::111122223333:role/${roleName}`);
    expect(warnings[0]).toContain(`{"ResourceType":"model","Resource":["model/vectors/*"],"Permission":${JSON.stringify(ML_PERMISSIONS)}}`);
  });

  test('connectors of one collection must agree on how its data access is granted', () => {
    const stack = testStack();
    connector(stack, 'A', { collection: imported() });
    expect(() => connector(stack, 'B', { collection: imported(), collectionDataAccess: CollectionDataAccess.manual() }))
      .toThrow("TestStack/B: collectionDataAccess is 'manual' here but 'createPolicy' for another connector of the same collection in this stack");
  });
});

describe('bad input', () => {
  test('exactly one of domain and collection', () => {
    const stack = testStack();
    const domain = testDomain(stack);
    expect(() => connector(stack, 'Both', { domain, collection: imported() }))
      .toThrow("TestStack/Both: give either domain or collection, not both; received domain 'TestStack/Domain' and collection 'vectors'.");
    expect(() => connector(stack, 'Neither', {}))
      .toThrow('TestStack/Neither: give the domain (an OpenSearch Service domain) or the collection (ServerlessCollection.fromCfnCollection(...) or .fromCollectionAttributes(...)) it belongs to; received neither.');
  });

  test('options of the other kind of target are refused', () => {
    const stack = testStack();
    expect(() => connector(stack, 'A', { collection: imported(), fineGrainedAccess: FineGrainedAccess.manual() }))
      .toThrow("TestStack/A: fineGrainedAccess applies to domains; a collection authorizes ML Commons through its data access policy (collectionDataAccess). Received fineGrainedAccess 'manual' with collection 'vectors'.");
    expect(() => connector(stack, 'B', { domain: testDomain(stack), collectionDataAccess: CollectionDataAccess.manual() }))
      .toThrow("TestStack/B: collectionDataAccess applies to collections; a domain uses fineGrainedAccess. Received collectionDataAccess 'manual' with domain 'TestStack/Domain'.");
  });

  test('a collection name or ARN OpenSearch Serverless would not accept', () => {
    expect(() => connector(testStack(), 'QA', { collection: imported({ collectionName: 'Vectors' }) }))
      .toThrow("TestStack/QA: collection.collectionName must be 3 to 32 characters, a lower-case letter followed by lower-case letters, digits or hyphens (as OpenSearch Serverless names collections); received 'Vectors'.");
    expect(() => connector(testStack(), 'QA', { collection: imported({ collectionArn: 'arn:aws:es:us-east-1:111122223333:domain/vectors' }) }))
      .toThrow("TestStack/QA: collection.collectionArn must be an OpenSearch Serverless collection ARN such as 'arn:aws:aoss:us-east-1:111122223333:collection/1tg2xudton46knx2a95g'; received 'arn:aws:es:us-east-1:111122223333:domain/vectors'.");
  });

  test('batch predict actions draw a warning: OpenSearch Serverless has no Batch Predict API', () => {
    const stack = testStack();
    connector(stack, 'QA', {
      collection: imported(),
      blueprint: ConnectorBlueprint.sageMakerBatchTransform({
        endpointName: 'e', modelName: 'm', transformJobName: 'job', inputS3Uri: 's3://in/', outputS3Uri: 's3://out/', instanceType: 'ml.m5.large',
      }),
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/QA', Match.stringLikeRegexp('OpenSearch Serverless does not support the Batch Predict API'));
  });
});

describe('network', () => {
  test('a collection reached through a VPC endpoint: the provider runs in the given VPC, with a warning to let it in', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    connector(stack, 'QA', { collection: imported(), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const workers = resourcesOfType(stack, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('OpenSearchMlProviderWorker'));
    expect(workers).toHaveLength(1);
    Annotations.fromStack(stack).hasWarning('/TestStack/QA', Match.stringLikeRegexp("allow that security group into the collection's VPC endpoint on port 443"));
  });
});

test('cdk-nag AwsSolutions: no errors and no warnings with a created and a manual data access policy', () => {
  const app = new App();
  const stack = new Stack(app, 'Nag', { env: { account: '111122223333', region: 'us-east-1' } });
  const collection = ServerlessCollection.fromCfnCollection(cfnCollection(stack));
  connector(stack, 'QA', { collection });
  connector(stack, 'Other', { collection, blueprint: sageMaker('f') });
  connector(stack, 'Manual', { collection: imported({ collectionName: 'logs' }), collectionDataAccess: CollectionDataAccess.manual() });
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  app.synth();
  const findings = [
    ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ];
  expect(findings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
});
