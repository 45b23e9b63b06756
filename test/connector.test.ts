import { App, CfnOutput, CfnResource, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { ConnectorBlueprint, MlConnector } from '../src';
import { resourcesOfType, testDomain, testStack } from './util';
import { MlCommonsProvider } from '../src/provider';

const QA_BODY = '{ "inputs": { "question": "${parameters.question}", "context": "${parameters.context}" } }';

function sageMaker(endpointName = 'my-endpoint') {
  return ConnectorBlueprint.sageMakerEndpoint({ endpointName, requestBody: QA_BODY });
}

/** A domain imported with its ARN and the endpoint of that domain (its name and region). */
function importedDomain(stack: Stack, id = 'Imported', arn = 'arn:aws:es:us-east-1:111122223333:domain/search') {
  const [, , , region, , , name] = arn.split(/[:/]/);
  return opensearch.Domain.fromDomainAttributes(stack, id, {
    domainArn: arn,
    domainEndpoint: `https://search-${name}-abc123.${region}.es.amazonaws.com`,
  });
}

describe('connector role', () => {
  test('trusts OpenSearch Service for this domain only: SourceAccount and SourceArn conditions', () => {
    const stack = testStack();
    const connector = new MlConnector(stack, 'QA', { domain: importedDomain(stack), blueprint: sageMaker() });
    const roleId = stack.getLogicalId(connector.role.node.defaultChild as any);
    const role = Template.fromStack(stack).toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'opensearchservice.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111122223333' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:es:us-east-1:111122223333:domain/search' },
      },
    }]);
  });

  test('an L2 domain in the same stack is referenced by its ARN attribute and the stack account', () => {
    const stack = testStack();
    const domain = testDomain(stack);
    new MlConnector(stack, 'QA', { domain, blueprint: sageMaker() });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Principal: { Service: 'opensearchservice.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111122223333' },
            ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [stack.getLogicalId(domain.node.defaultChild as any), 'Arn'] } },
          },
        }],
      },
    });
  });

  test('may invoke exactly the endpoint: both invoke actions, the endpoint ARN, never "*"', () => {
    const stack = testStack();
    new MlConnector(stack, 'QA', { domain: importedDomain(stack), blueprint: sageMaker('My-Endpoint') });
    const roles = resourcesOfType(stack, 'AWS::IAM::Role').filter(([id]) => id.startsWith('QARole'));
    expect(roles).toHaveLength(1);
    const statements = roles[0][1].Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    expect(statements).toEqual([{
      Effect: 'Allow',
      Action: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync'],
      // SageMaker endpoint ARNs hold the name in lower case.
      Resource: 'arn:aws:sagemaker:us-east-1:111122223333:endpoint/my-endpoint',
    }]);
    expect(JSON.stringify(statements)).not.toContain('"*"');
  });

  test('the endpoint region option decides the ARN region and the connector region', () => {
    const stack = testStack();
    new MlConnector(stack, 'QA', {
      domain: importedDomain(stack),
      blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', region: 'eu-west-1' }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [{ PolicyDocument: { Statement: [{ Resource: 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/e' }] } }],
    });
    template.hasResourceProperties('Custom::OpenSearchMlConnector', {
      region: 'us-east-1', // the domain's region signs the requests to OpenSearch
      connector: { parameters: { region: 'eu-west-1', service_name: 'sagemaker' } },
    });
  });

  test('a role of the user is used instead of a new one, gets the invoke grant and is the one passed', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('opensearchservice.amazonaws.com') });
    const connector = new MlConnector(stack, 'QA', { domain: importedDomain(stack), blueprint: sageMaker(), role });
    expect(connector.role).toBe(role);
    const template = Template.fromStack(stack);
    expect(resourcesOfType(stack, 'AWS::IAM::Role').map(([id]) => id).filter((id) => id.startsWith('QA'))).toEqual([]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as any) }],
      PolicyDocument: { Statement: [{ Action: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync'] }] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: 'iam:PassRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as any), 'Arn'] },
        }]),
      },
    });
  });
});

describe('connector resource', () => {
  test('a creation token per resource: the same across synths, different for each connector', () => {
    const tokens = () => {
      const stack = testStack();
      const domain = importedDomain(stack);
      new MlConnector(stack, 'A', { domain, blueprint: sageMaker() });
      new MlConnector(stack, 'B', { domain, blueprint: sageMaker() });
      return resourcesOfType(stack, 'Custom::OpenSearchMlConnector').map(([, r]) => r.Properties.creationToken);
    };
    const first = tokens();
    expect(first).toEqual(tokens());
    expect(new Set(first).size).toBe(2);
    first.forEach((token) => expect(token).toMatch(/^c8[0-9a-f]{40}$/));
  });

  test('carries the connector body as ml-commons spells it, with the role as credential', () => {
    const stack = testStack();
    const connector = new MlConnector(stack, 'QA', { domain: importedDomain(stack), name: 'sagemaker: embedding', blueprint: sageMaker() });
    const roleId = stack.getLogicalId(connector.role.node.defaultChild as any);
    const [[, resource]] = resourcesOfType(stack, 'Custom::OpenSearchMlConnector');
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^OpenSearchMlProviderHandler/), 'Arn'] },
      ServiceTimeout: '360',
      contractVersion: '1',
      creationToken: connector.node.addr,
      endpoint: 'search-search-abc123.us-east-1.es.amazonaws.com',
      region: 'us-east-1',
      signingService: 'es',
      connector: {
        name: 'sagemaker: embedding',
        description: 'Amazon SageMaker endpoint my-endpoint',
        version: '1',
        protocol: 'aws_sigv4',
        parameters: { region: 'us-east-1', service_name: 'sagemaker' },
        credential: { roleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } },
        actions: [{
          action_type: 'predict',
          method: 'POST',
          url: 'https://runtime.sagemaker.${parameters.region}.amazonaws.com/endpoints/my-endpoint/invocations',
          headers: { 'content-type': 'application/json' },
          request_body: QA_BODY,
        }],
      },
    });
  });

  test('without a request body the SageMaker blueprint is ml-commons\' default embedding blueprint', () => {
    const stack = testStack();
    new MlConnector(stack, 'Embedding', { domain: importedDomain(stack), blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'embed' }) });
    Template.fromStack(stack).hasResourceProperties('Custom::OpenSearchMlConnector', {
      connector: {
        name: 'sagemaker: embed',
        actions: [{
          request_body: '${parameters.input}',
          pre_process_function: 'connector.pre_process.default.embedding',
          post_process_function: 'connector.post_process.default.embedding',
        }],
      },
    });
  });

  test('connectorId is the resource\'s physical ID (Ref) and the provider is a dependency', () => {
    const stack = testStack();
    const connector = new MlConnector(stack, 'QA', { domain: importedDomain(stack), blueprint: sageMaker() });
    new CfnOutput(stack, 'Id', { value: connector.connectorId });
    const template = Template.fromStack(stack).toJSON();
    const [[id, resource]] = resourcesOfType(stack, 'Custom::OpenSearchMlConnector');
    expect(template.Outputs.Id.Value).toEqual({ Ref: id });
    expect(resource.DependsOn).toEqual([expect.stringMatching(/^OpenSearchMlProviderGrants/)]);
  });

  test('numbers and booleans in parameters are listed as typed values for the handler', () => {
    const stack = testStack();
    new MlConnector(stack, 'Custom', {
      domain: importedDomain(stack),
      blueprint: ConnectorBlueprint.custom({
        serviceName: 'bedrock',
        parameters: { 'model': 'amazon.titan-embed-text-v2:0', 'dimensions': 1024, 'normalize': true, 'a/b~c': 1 },
        actions: [{ actionType: 'predict', url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/${parameters.model}/invoke', requestBody: '{"inputText": "${parameters.inputText}", "dimensions": ${parameters.dimensions}}' }],
        invokeActions: ['bedrock:InvokeModel'],
        invokeResources: ['arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0'],
      }),
    });
    Template.fromStack(stack).hasResourceProperties('Custom::OpenSearchMlConnector', {
      connector: { parameters: { dimensions: 1024, normalize: true } },
      typedValues: ['/parameters/dimensions', '/parameters/normalize', '/parameters/a~1b~0c'],
    });
  });

  test('fromConnectorAttributes refers to an existing connector and creates nothing', () => {
    const stack = testStack();
    const domain = opensearch.Domain.fromDomainEndpoint(stack, 'Imported', 'https://search-imported-abc123.us-east-1.es.amazonaws.com');
    const imported = MlConnector.fromConnectorAttributes(stack, 'Existing', { connectorId: 'aBcD1234efGH5678ijKL', domain });
    expect(imported.connectorId).toBe('aBcD1234efGH5678ijKL');
    expect(MlConnector.isMlConnector(imported)).toBe(false);
    expect(Template.fromStack(stack).toJSON().Resources ?? {}).toEqual({});
  });

  test('an imported domain in another region: its region signs the requests and is the model region by default', () => {
    const stack = testStack();
    const domain = importedDomain(stack, 'Far', 'arn:aws:es:eu-central-1:444455556666:domain/far');
    new MlConnector(stack, 'QA', { domain, blueprint: sageMaker() });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::OpenSearchMlConnector', { region: 'eu-central-1', connector: { parameters: { region: 'eu-central-1' } } });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Condition: { StringEquals: { 'aws:SourceAccount': '444455556666' } } }] },
    });
  });

  test('an environment-agnostic stack synthesizes with tokens for region and account', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    new MlConnector(stack, 'QA', { domain: testDomain(stack), blueprint: sageMaker() });
    Template.fromStack(stack).hasResourceProperties('Custom::OpenSearchMlConnector', {
      region: { Ref: 'AWS::Region' },
      connector: { parameters: { region: { Ref: 'AWS::Region' } } },
    });
  });
});

describe('provider', () => {
  test('one provider serves three connectors on two domains; grants are scoped to each role and each domain', () => {
    const stack = testStack();
    const a = importedDomain(stack, 'A', 'arn:aws:es:us-east-1:111122223333:domain/a');
    const b = importedDomain(stack, 'B', 'arn:aws:es:us-east-1:111122223333:domain/b');
    const connectors = [
      new MlConnector(stack, 'One', { domain: a, blueprint: sageMaker('one') }),
      new MlConnector(stack, 'Two', { domain: a, blueprint: sageMaker('two') }),
      new MlConnector(stack, 'Three', { domain: b, blueprint: sageMaker('three') }),
    ];
    expect(resourcesOfType(stack, 'AWS::Lambda::Function')).toHaveLength(1);
    expect(resourcesOfType(stack, 'Custom::OpenSearchMlConnector')).toHaveLength(3);
    const policies = resourcesOfType(stack, 'AWS::IAM::Policy');
    expect(policies).toHaveLength(1);
    const statements = policies[0][1].Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: connectors.map((c) => ({ 'Fn::GetAtt': [stack.getLogicalId(c.role.node.defaultChild as any), 'Arn'] })),
      },
      {
        Action: ['es:ESHttpGet', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete'],
        Effect: 'Allow',
        Resource: ['arn:aws:es:us-east-1:111122223333:domain/a/_plugins/_ml/*', 'arn:aws:es:us-east-1:111122223333:domain/b/_plugins/_ml/*'],
      },
      {
        // GET / only: the version, to explain a domain without ML Commons.
        Action: 'es:ESHttpGet',
        Effect: 'Allow',
        Resource: ['arn:aws:es:us-east-1:111122223333:domain/a/', 'arn:aws:es:us-east-1:111122223333:domain/b/'],
      },
    ]);
  });

  test('runs on the latest Node.js runtime from the bundled asset, with no managed policy and a bounded log retention', () => {
    const stack = testStack();
    new MlConnector(stack, 'QA', { domain: importedDomain(stack), blueprint: sageMaker() });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      Timeout: 300,
      Environment: { Variables: { PROVIDER_ROLE_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OpenSearchMlProviderRole'), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    for (const [, role] of resourcesOfType(stack, 'AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('the provider lives at a stable path in the stack, whatever construct creates the first connector', () => {
    const stack = testStack();
    const nested = new Construct(stack, 'Deep');
    new MlConnector(nested, 'QA', { domain: importedDomain(stack), blueprint: sageMaker() });
    expect(stack.node.tryFindChild('OpenSearchMlProvider')).toBeDefined();
    expect(resourcesOfType(stack, 'AWS::Lambda::Function')[0][0]).toMatch(/^OpenSearchMlProviderHandler[0-9A-F]{8}$/);
  });

  test('a construct of another kind at the provider\'s path is reported', () => {
    const stack = testStack();
    new Construct(stack, 'OpenSearchMlProvider');
    expect(() => new MlConnector(stack, 'QA', { domain: importedDomain(stack), blueprint: sageMaker() }))
      .toThrow(/OpenSearchMlProvider is not an ML Commons provider/);
  });

  test('its grants are iam.Grants on the shared Grants policy: what depends on one waits for that policy', () => {
    const stack = testStack();
    const provider = MlCommonsProvider.of(stack);
    const role = new iam.Role(stack, 'ConnectorRole', { assumedBy: new iam.ServicePrincipal('opensearchservice.amazonaws.com') });
    const grants = [provider.grantPassRole(role), provider.grantMlApi('arn:aws:es:us-east-1:111122223333:domain/a'), provider.grantListOwnStack()];
    expect(grants.map((g) => g.success)).toEqual([true, true, true]);
    const waiting = new CfnResource(stack, 'Waiting', { type: 'Test::Waiting' });
    grants[0].applyBefore(waiting);
    const template = Template.fromStack(stack).toJSON();
    const [policyId] = Object.keys(template.Resources).filter((id) => template.Resources[id].Type === 'AWS::IAM::Policy');
    expect(template.Resources.Waiting.DependsOn).toEqual([policyId]);
    // One statement per list of actions, however many grants: the two es:ESHttpGet grants of grantMlApi are two lists.
    expect(template.Resources[policyId].Properties.PolicyDocument.Statement.map((st: any) => st.Action)).toEqual([
      'iam:PassRole',
      ['es:ESHttpGet', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete'],
      'es:ESHttpGet',
      'cloudformation:ListStackResources',
    ]);
  });
});

describe('custom blueprint', () => {
  test('any AWS service: actions, parameters and the invoke grant as given', () => {
    const stack = testStack();
    new MlConnector(stack, 'Lang', {
      domain: importedDomain(stack),
      blueprint: ConnectorBlueprint.custom({
        serviceName: 'comprehend',
        parameters: { api_version: '20171127', api_name: 'DetectDominantLanguage' },
        actions: [{
          actionType: 'predict',
          method: 'POST',
          url: 'https://${parameters.service_name}.${parameters.region}.amazonaws.com',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Comprehend_${parameters.api_version}.${parameters.api_name}' },
          requestBody: '{"Text": "${parameters.Text}"}',
        }],
        invokeActions: ['comprehend:DetectDominantLanguage'],
        invokeResources: ['*'],
      }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::OpenSearchMlConnector', {
      connector: {
        name: 'comprehend connector',
        parameters: { region: 'us-east-1', service_name: 'comprehend', api_version: '20171127', api_name: 'DetectDominantLanguage' },
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [{ PolicyDocument: { Statement: [{ Action: 'comprehend:DetectDominantLanguage', Resource: '*' }] } }],
    });
    // '*' is the user's explicit choice: allowed, with a warning.
    Annotations.fromStack(stack).hasWarning('/TestStack/Lang', Match.stringLikeRegexp('invokeResources contains \'\\*\''));
  });

  test('tokens are accepted unvalidated', () => {
    const stack = testStack();
    const endpoint = Token.asString({ Ref: 'EndpointName' });
    const region = Token.asString({ Ref: 'Region' });
    expect(() => new MlConnector(stack, 'QA', {
      domain: importedDomain(stack),
      name: Token.asString({ Ref: 'Name' }),
      blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: endpoint, region }),
    })).not.toThrow();
  });
});
