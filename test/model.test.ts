import { CfnOutput, Resource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BedrockModel, ConnectorBlueprint, IMlConnector, MlConnector, MlModel, MlModelGroup, ModelFrameworkType, ModelGroupAccessMode, ModelVerification,
  ServerlessCollection,
} from '../src';
import { resourcesOfType, testDomain, testStack } from './util';

function importedDomain(stack: Stack, id = 'Imported', name = 'search') {
  return opensearch.Domain.fromDomainAttributes(stack, id, {
    domainArn: `arn:aws:es:us-east-1:111122223333:domain/${name}`,
    domainEndpoint: `https://search-${name}-abc123.us-east-1.es.amazonaws.com`,
  });
}

function titan(stack: Stack, dimensions = 512) {
  return new MlConnector(stack, 'Titan', {
    domain: importedDomain(stack),
    blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions }),
  });
}

function modelProperties(stack: Stack): Record<string, any> {
  const models = resourcesOfType(stack, 'Custom::OpenSearchMlModel');
  expect(models).toHaveLength(1);
  return models[0][1].Properties;
}

describe('MlModel', () => {
  test('registers a remote model on the connector, with the embedding blueprint\'s dimension, deployed by default', () => {
    const stack = testStack();
    const connector = titan(stack);
    const model = new MlModel(stack, 'Embedding', { connector, name: 'titan-v2', description: 'Titan V2, 512' });
    new CfnOutput(stack, 'ModelId', { value: model.modelId });
    const [[connectorId]] = resourcesOfType(stack, 'Custom::OpenSearchMlConnector');
    const [[modelLogicalId]] = resourcesOfType(stack, 'Custom::OpenSearchMlModel');
    expect(modelProperties(stack)).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^OpenSearchMlProviderHandler/), 'Arn'] },
      ServiceTimeout: '360',
      contractVersion: '1',
      endpoint: 'search-search-abc123.us-east-1.es.amazonaws.com',
      region: 'us-east-1',
      signingService: 'es',
      model: {
        name: 'titan-v2',
        function_name: 'remote',
        connector_id: { Ref: connectorId },
        description: 'Titan V2, 512',
        // Titan Text Embeddings V2 returns unit vectors: compared by inner product.
        model_config: { model_type: 'TEXT_EMBEDDING', embedding_dimension: 512, framework_type: 'SENTENCE_TRANSFORMERS', additional_config: { space_type: 'innerproduct' } },
      },
      deploy: true,
      typedValues: ['/model/model_config/embedding_dimension', '/deploy'],
    });
    expect(Template.fromStack(stack).toJSON().Outputs.ModelId.Value).toEqual({ Ref: modelLogicalId });
  });

  test('teardown order: the model refers to its connector, so CloudFormation deletes the model first', () => {
    const stack = testStack();
    const connector = titan(stack);
    new MlModel(stack, 'Embedding', { connector });
    const [[connectorId]] = resourcesOfType(stack, 'Custom::OpenSearchMlConnector');
    const [[, model]] = resourcesOfType(stack, 'Custom::OpenSearchMlModel');
    // A Ref is a dependency: CloudFormation creates the connector first and deletes it last.
    expect(model.Properties.model.connector_id).toEqual({ Ref: connectorId });
    // and the model waits for the provider's grants, like the connector
    expect(model.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^OpenSearchMlProviderGrants/)]));
  });

  test('one provider serves connectors, models and groups', () => {
    const stack = testStack();
    const connector = titan(stack);
    const group = new MlModelGroup(stack, 'Group', { domain: importedDomain(stack, 'Same'), name: 'embeddings' });
    new MlModel(stack, 'A', { connector, modelGroup: group });
    new MlModel(stack, 'B', { connector, modelGroup: group });
    expect(resourcesOfType(stack, 'AWS::Lambda::Function')).toHaveLength(1);
    const tokens = new Set([
      ...resourcesOfType(stack, 'Custom::OpenSearchMlModel'),
      ...resourcesOfType(stack, 'Custom::OpenSearchMlModelGroup'),
      ...resourcesOfType(stack, 'Custom::OpenSearchMlConnector'),
    ].map(([, r]) => JSON.stringify(r.Properties.ServiceToken)));
    expect(tokens.size).toBe(1);
  });

  test('a model group is registered with its name, description and access mode, and models name its ID', () => {
    const stack = testStack();
    const connector = titan(stack);
    const group = new MlModelGroup(stack, 'Group', {
      domain: importedDomain(stack, 'Same'), name: 'embeddings', description: 'all embedding models', accessMode: ModelGroupAccessMode.PRIVATE,
    });
    new MlModel(stack, 'Embedding', { connector, modelGroup: group });
    const [[groupId, groupResource]] = resourcesOfType(stack, 'Custom::OpenSearchMlModelGroup');
    expect(groupResource.Properties.modelGroup).toEqual({ name: 'embeddings', description: 'all embedding models', access_mode: 'private' });
    expect(modelProperties(stack).model.model_group_id).toEqual({ Ref: groupId });
  });

  test('a group on another domain than the connector is refused', () => {
    const stack = testStack();
    const connector = titan(stack);
    const group = new MlModelGroup(stack, 'Group', { domain: importedDomain(stack, 'Other', 'other') });
    expect(() => new MlModel(stack, 'Embedding', { connector, modelGroup: group })).toThrow(/modelGroup .*Group is on another domain or collection than connector .*Titan/);
  });

  test('verify: the embedding blueprint\'s probe and dimension', () => {
    const stack = testStack();
    new MlModel(stack, 'Embedding', { connector: titan(stack, 256), verify: ModelVerification.predict() });
    expect(modelProperties(stack).verify).toEqual({ parameters: { inputText: 'cdk-opensearch-ml smoke test' }, embeddingDimension: 256 });
  });

  test('verify with own parameters and expectations', () => {
    const stack = testStack();
    new MlModel(stack, 'Embedding', {
      connector: titan(stack),
      verify: ModelVerification.predict({ parameters: { inputText: 'hi' }, expectOutputContaining: 'sentence_embedding' }),
    });
    expect(modelProperties(stack).verify).toEqual({ parameters: { inputText: 'hi' }, embeddingDimension: 512, outputContains: 'sentence_embedding' });
  });

  test('a blueprint without a known dimension needs modelConfig.embeddingDimension for TEXT_EMBEDDING, and verify needs parameters', () => {
    const stack = testStack();
    const connector = new MlConnector(stack, 'SM', { domain: importedDomain(stack), blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e' }) });
    expect(() => new MlModel(stack, 'A', { connector, modelConfig: {} }))
      .toThrow(/modelConfig.embeddingDimension is required .*received none/);
    expect(() => new MlModel(stack, 'B', { connector, verify: ModelVerification.predict() }))
      .toThrow(/verify needs parameters .*received none/);
    new MlModel(stack, 'C', { connector, modelConfig: { embeddingDimension: 768, frameworkType: ModelFrameworkType.HUGGINGFACE_TRANSFORMERS } });
    expect(modelProperties(stack).model.model_config).toEqual({
      model_type: 'TEXT_EMBEDDING', embedding_dimension: 768, framework_type: 'HUGGINGFACE_TRANSFORMERS', additional_config: { space_type: 'l2' },
    });
  });

  test('a text model (no embedding) gets no model_config unless given', () => {
    const stack = testStack();
    const connector = new MlConnector(stack, 'Claude', {
      domain: importedDomain(stack), blueprint: ConnectorBlueprint.bedrockConverse({ model: BedrockModel.fromId('us.amazon.nova-pro-v1:0') }),
    });
    new MlModel(stack, 'Llm', { connector, deploy: false });
    const props = modelProperties(stack);
    expect(props.model.model_config).toBeUndefined();
    expect(props.deploy).toBe(false);
  });

  test.each([
    [{ modelConfig: { embeddingDimension: 1024 } }, /modelConfig.embeddingDimension is 1024, but the connector's blueprint returns vectors of 512/],
    [{ modelConfig: { embeddingDimension: 0 } }, /modelConfig.embeddingDimension must be a whole number from 1 to 16000; received '0'/],
    [{ modelConfig: { modelType: 'text embedding' } }, /modelConfig.modelType must be .*'TEXT_EMBEDDING'; received 'text embedding'/],
    [{ modelConfig: { frameworkType: 'PYTORCH' as ModelFrameworkType } }, /modelConfig.frameworkType must be one of .*received 'PYTORCH'/],
    [{ name: '' }, /name must not be empty; received ''/],
    [{ verify: ModelVerification.predict(), deploy: false }, /verify needs a deployed model; received deploy false/],
    [{ verify: ModelVerification.predict({ expectEmbeddingDimension: 1.5 }) }, /verify expectEmbeddingDimension must be a whole number .*received '1.5'/],
  ])('bad input %#: %p', (props, message) => {
    const stack = testStack();
    expect(() => new MlModel(stack, 'M', { connector: titan(stack), ...props })).toThrow(message);
  });

  test('a connector that is not this library\'s cannot carry a model; one imported by attributes can, and the model creates what it needs', () => {
    const stack = testStack();
    class Foreign extends Resource implements IMlConnector {
      public readonly connectorId = 'abc';
    }
    expect(() => new MlModel(stack, 'A', { connector: new Foreign(stack, 'ById') })).toThrow(/fromConnectorAttributes/);
    const byAttributes = MlConnector.fromConnectorAttributes(stack, 'ByAttributes', { connectorId: 'abc', domain: importedDomain(stack) });
    expect(stack.node.tryFindChild('OpenSearchMlProvider')).toBeUndefined();
    new MlModel(stack, 'B', { connector: byAttributes, modelConfig: { embeddingDimension: 384 } });
    const props = modelProperties(stack);
    expect(props.model.connector_id).toBe('abc');
    expect(props.endpoint).toBe('search-search-abc123.us-east-1.es.amazonaws.com');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['es:ESHttpGet', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete'] })]) },
    });
  });

  test('an L2 domain with the generated master user: the model waits for the role mapping', () => {
    const stack = testStack();
    const domain = new opensearch.Domain(stack, 'Domain', {
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      capacity: { dataNodes: 1, dataNodeInstanceType: 'r6g.large.search', multiAzWithStandbyEnabled: false },
      fineGrainedAccessControl: { masterUserName: 'admin' },
      useUnsignedBasicAuth: true,
      nodeToNodeEncryption: true,
      encryptionAtRest: { enabled: true },
      enforceHttps: true,
    });
    const connector = new MlConnector(stack, 'Titan', { domain, blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV1() });
    new MlModel(stack, 'Embedding', { connector });
    const [[mappingId]] = resourcesOfType(stack, 'Custom::OpenSearchMlRoleMapping');
    const [[, model]] = resourcesOfType(stack, 'Custom::OpenSearchMlModel');
    expect(model.DependsOn).toContain(mappingId);
    expect(model.Properties.model.model_config.embedding_dimension).toBe(1536);
  });

  test('the provider may list its own stack\'s resources only when the stack has models', () => {
    const listing = (stack: Stack) => resourcesOfType(stack, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s.Action).includes('cloudformation'));
    const without = testStack();
    titan(without);
    expect(listing(without)).toEqual([]);
    const withModel = testStack();
    new MlModel(withModel, 'Embedding', { connector: titan(withModel) });
    expect(listing(withModel)).toEqual([{ Action: 'cloudformation:ListStackResources', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } }]);
  });

  test('default names are unique per construct and deterministic', () => {
    const names = () => {
      const stack = testStack();
      const connector = titan(stack);
      new MlModel(stack, 'A', { connector });
      new MlModel(stack, 'B', { connector });
      return resourcesOfType(stack, 'Custom::OpenSearchMlModel').map(([, r]) => r.Properties.model.name);
    };
    const first = names();
    expect(new Set(first).size).toBe(2);
    expect(names()).toEqual(first);
  });

  test('a model and a model group on an OpenSearch Serverless collection are signed for aoss and wait for the data access policy', () => {
    const stack = testStack();
    const collection = ServerlessCollection.fromCollectionAttributes({
      collectionName: 'vectors', collectionId: 'abc123def456', collectionEndpoint: 'https://abc123def456.us-east-1.aoss.amazonaws.com',
    });
    const connector = new MlConnector(stack, 'Titan', { collection, blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() });
    const group = new MlModelGroup(stack, 'Group', { collection, name: 'embeddings' });
    new MlModel(stack, 'Embedding', { connector, modelGroup: group });
    const [[policyId]] = resourcesOfType(stack, 'AWS::OpenSearchServerless::AccessPolicy');
    for (const type of ['Custom::OpenSearchMlModel', 'Custom::OpenSearchMlModelGroup']) {
      const [[, resource]] = resourcesOfType(stack, type);
      expect(resource.Properties).toMatchObject({ signingService: 'aoss', endpoint: 'https://abc123def456.us-east-1.aoss.amazonaws.com' });
      expect(resource.DependsOn).toContain(policyId);
    }
  });

  test('an L2 domain in the same stack', () => {
    const stack = testStack();
    const domain = testDomain(stack);
    const connector = new MlConnector(stack, 'Titan', { domain, blueprint: ConnectorBlueprint.bedrockCohereEmbed() });
    new MlModel(stack, 'Embedding', { connector, verify: ModelVerification.predict() });
    expect(modelProperties(stack).verify).toEqual({ parameters: { texts: ['cdk-opensearch-ml smoke test'] }, embeddingDimension: 1024 });
  });
});

describe('embedding facts of blueprints', () => {
  const dimensionOf = (build: (stack: Stack) => MlConnector) => {
    const stack = testStack();
    new MlModel(stack, 'M', { connector: build(stack), verify: ModelVerification.predict() });
    const props = resourcesOfType(stack, 'Custom::OpenSearchMlModel')[0][1].Properties;
    return [props.model.model_config.embedding_dimension, props.verify.parameters];
  };
  const domain = (stack: Stack) => importedDomain(stack);
  const key = (stack: Stack) => secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:api-key-AbCdEf');

  test.each([
    ['Titan Text v1', (s: Stack) => new MlConnector(s, 'C', { domain: domain(s), blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV1() }), 1536, { inputText: 'cdk-opensearch-ml smoke test' }],
    ['Titan Multimodal', (s: Stack) => new MlConnector(s, 'C', { domain: domain(s), blueprint: ConnectorBlueprint.bedrockTitanMultimodalEmbedding({ dimensions: 384 }) }), 384, { inputText: 'cdk-opensearch-ml smoke test' }],
    ['Cohere v4 through a US profile', (s: Stack) => new MlConnector(s, 'C', {
      domain: domain(s), blueprint: ConnectorBlueprint.bedrockCohereEmbed({ model: BedrockModel.inferenceProfile('us.cohere.embed-v4:0') }),
    }), 1536, { texts: ['cdk-opensearch-ml smoke test'] }],
    ['OpenAI text-embedding-3-large', (s: Stack) => new MlConnector(s, 'C', {
      domain: domain(s), blueprint: ConnectorBlueprint.openAiEmbedding({ apiKeySecret: key(s), model: 'text-embedding-3-large' }),
    }), 3072, { input: ['cdk-opensearch-ml smoke test'] }],
    ['Cohere light v3 (http)', (s: Stack) => new MlConnector(s, 'C', {
      domain: domain(s), blueprint: ConnectorBlueprint.cohereEmbed({ apiKeySecret: key(s), model: 'embed-english-light-v3.0' }),
    }), 384, { texts: ['cdk-opensearch-ml smoke test'] }],
  ])('%s', (_name, build, dimension, probe) => {
    expect(dimensionOf(build)).toEqual([dimension, probe]);
  });

  test('an embedding model whose length the library does not know needs it said', () => {
    const stack = testStack();
    const connector = new MlConnector(stack, 'C', { domain: domain(stack), blueprint: ConnectorBlueprint.openAiEmbedding({ apiKeySecret: key(stack), model: 'my-finetune' }) });
    expect(() => new MlModel(stack, 'M', { connector, modelConfig: {} })).toThrow(/modelConfig.embeddingDimension is required/);
  });
});
