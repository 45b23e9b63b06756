/*
 * Each typed blueprint: the connector role's statements (exact actions on exact ARNs) and the
 * parts of the body that options decide. test/conformance.test.ts checks whole bodies
 * against the official catalog.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import {
  BedrockEmbeddingType, BedrockModel, ComprehendApi, ConnectorBlueprint, ConnectorBlueprintBindOptions, ConnectorBlueprintConfig, MlConnector,
  MlConnectorProps, NovaEmbeddingModality, NovaTruncationMode,
} from '../src';
import { resourcesOfType, testDomain, testStack } from './util';

const PROFILE = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const PROFILE_ARN = `arn:aws:bedrock:us-east-1:111122223333:inference-profile/${PROFILE}`;
const CLAUDE_37 = 'anthropic.claude-3-7-sonnet-20250219-v1:0';
const APP_PROFILE_ARN = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6';

interface Synthesized {
  readonly statements: any[];
  readonly connector: any;
  readonly nagSuppressions: any[];
  readonly stack: Stack;
}

function synth(blueprint: ConnectorBlueprint, stack = testStack(), props: Partial<MlConnectorProps> = {}): Synthesized {
  const domain = opensearch.Domain.fromDomainAttributes(stack, 'Domain', {
    domainArn: `arn:aws:es:${stack.region}:111122223333:domain/search`,
    domainEndpoint: `https://search-search-abc123.${stack.region}.es.amazonaws.com`,
  });
  new MlConnector(stack, 'C', { domain, blueprint, ...props });
  const [[, role]] = resourcesOfType(stack, 'AWS::IAM::Role').filter(([id]) => id.startsWith('CRole'));
  const [[, resource]] = resourcesOfType(stack, 'Custom::OpenSearchMlConnector');
  return {
    statements: role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement),
    connector: resource.Properties.connector,
    nagSuppressions: role.Metadata?.cdk_nag?.rules_to_suppress ?? [],
    stack,
  };
}

function invoke(resource: string | string[], condition?: unknown) {
  return { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: resource, ...(condition ? { Condition: condition } : {}) };
}

describe('Amazon Bedrock: IAM from the model', () => {
  test('a foundation model: InvokeModel on its ARN, whose account field is empty; no wildcard', () => {
    const { statements, nagSuppressions, connector } = synth(ConnectorBlueprint.bedrockTitanTextEmbeddingV2());
    expect(statements).toEqual([invoke('arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0')]);
    expect(nagSuppressions).toEqual([]);
    expect(connector.parameters.model).toBe('amazon.titan-embed-text-v2:0');
  });

  test('a cross-Region inference profile: the profile, and the foundation model in any Region only through it', () => {
    const { statements, nagSuppressions, connector } = synth(ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId(PROFILE) }));
    expect(statements).toEqual([
      invoke(PROFILE_ARN),
      invoke(`arn:aws:bedrock:*::foundation-model/${CLAUDE_37}`, { StringEquals: { 'bedrock:InferenceProfileArn': PROFILE_ARN } }),
    ]);
    expect(nagSuppressions).toEqual([expect.objectContaining({
      id: 'AwsSolutions-IAM5',
      reason: expect.stringMatching(/destination Regions.*only through the inference profile \(condition bedrock:InferenceProfileArn\)/),
    })]);
    expect(connector.parameters.model).toBe(PROFILE);
  });

  test('an inference profile with its destination Regions: exact foundation model ARNs, still only through the profile', () => {
    const model = BedrockModel.inferenceProfile(PROFILE, { destinationRegions: ['us-east-1', 'us-east-2', 'us-west-2'] });
    const { statements, nagSuppressions } = synth(ConnectorBlueprint.bedrockConverse({ model }));
    expect(statements).toEqual([
      invoke(PROFILE_ARN),
      invoke(['us-east-1', 'us-east-2', 'us-west-2'].map((r) => `arn:aws:bedrock:${r}::foundation-model/${CLAUDE_37}`),
        { StringEquals: { 'bedrock:InferenceProfileArn': PROFILE_ARN } }),
    ]);
    expect(JSON.stringify(statements)).not.toContain('*');
    expect(nagSuppressions).toEqual([]);
  });

  test('a global inference profile is accepted from any commercial Region', () => {
    const { statements } = synth(ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId('global.anthropic.claude-sonnet-4-20250514-v1:0') }),
      testStack({ account: '111122223333', region: 'eu-west-1' }));
    expect(statements[0].Resource).toBe('arn:aws:bedrock:eu-west-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0');
  });

  test('an application inference profile copying a cross-Region profile: both profiles, the model only through them', () => {
    const model = BedrockModel.applicationInferenceProfile(APP_PROFILE_ARN, { modelSource: PROFILE });
    const { statements, connector } = synth(ConnectorBlueprint.bedrockAnthropicClaude({ model }));
    expect(statements).toEqual([
      invoke([APP_PROFILE_ARN, PROFILE_ARN]),
      invoke(`arn:aws:bedrock:*::foundation-model/${CLAUDE_37}`, { StringEquals: { 'bedrock:InferenceProfileArn': [APP_PROFILE_ARN, PROFILE_ARN] } }),
    ]);
    // The ARN sits in the URL path, so the model parameter holds it URL-encoded.
    expect(connector.parameters.model).toBe(encodeURIComponent(APP_PROFILE_ARN));
    expect(connector.parameters.model).not.toContain('/');
  });

  test('an application inference profile copying a foundation model: the profile and the model in its Region', () => {
    const model = BedrockModel.applicationInferenceProfile(APP_PROFILE_ARN, { modelSource: 'amazon.titan-embed-text-v2:0' });
    const { statements, nagSuppressions } = synth(ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ model }));
    expect(statements).toEqual([
      invoke(APP_PROFILE_ARN),
      invoke('arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0', { StringEquals: { 'bedrock:InferenceProfileArn': APP_PROFILE_ARN } }),
    ]);
    expect(nagSuppressions).toEqual([]);
  });

  test('an inference profile of a geography this library does not know: accepted, its foundation model derived', () => {
    const { statements } = synth(ConnectorBlueprint.bedrockConverse({ model: BedrockModel.inferenceProfile('mars.amazon.nova-pro-v1:0') }));
    expect(statements[1].Resource).toBe('arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0');
  });

  test('models of a later generation work by shape: a new Claude, a new Titan V2 version', () => {
    expect(() => synth(ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId('us.anthropic.claude-opus-9-20300101-v1:0') }))).not.toThrow();
    expect(() => synth(ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ model: BedrockModel.fromId('amazon.titan-embed-text-v2:1') }))).not.toThrow();
    expect(() => synth(ConnectorBlueprint.bedrockConverse({ model: BedrockModel.fromId('mistral.pixtral-large-2502-v1:0') }))).not.toThrow();
  });

  test('the region option decides the region parameter and the ARNs; China uses its partition and suffix', () => {
    // ml-commons' default trusted endpoints name amazonaws.com only.
    const { statements, connector } = synth(ConnectorBlueprint.bedrockTitanTextEmbeddingV1({ region: 'cn-north-1' }), testStack(),
      { trustedEndpoints: ['^https://bedrock-runtime\\..*\\.amazonaws\\.com\\.cn/.*$'] });
    expect(statements).toEqual([invoke('arn:aws-cn:bedrock:cn-north-1::foundation-model/amazon.titan-embed-text-v1')]);
    expect(connector.parameters.region).toBe('cn-north-1');
    expect(connector.actions[0].url).toBe('https://bedrock-runtime.${parameters.region}.amazonaws.com.cn/model/${parameters.model}/invoke');
  });

  test('an environment-agnostic stack: region and account stay tokens, nothing is checked that cannot be', () => {
    const stack = new Stack();
    const { statements } = synth(ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId(PROFILE) }), stack);
    expect(JSON.stringify(stack.resolve(statements[0].Resource))).toContain('AWS::AccountId');
  });
});

describe('Amazon Bedrock: bodies decided by options', () => {
  test('Titan V2: dimensions, normalize and binary embeddings read by the bedrock_v2 binary post-process function', () => {
    const { connector } = synth(ConnectorBlueprint.bedrockTitanTextEmbeddingV2({
      dimensions: 256, normalize: false, embeddingType: BedrockEmbeddingType.BINARY,
    }));
    expect(connector.parameters).toMatchObject({ dimensions: 256, normalize: false, embeddingTypes: ['binary'] });
    expect(connector.actions[0].post_process_function).toBe('connector.post_process.bedrock_v2.embedding.binary');
    expect(connector.actions[0].pre_process_function).toBe('connector.pre_process.bedrock.embedding');
  });

  test('Titan Multimodal: dimensions go to embeddingConfig.outputEmbeddingLength', () => {
    const { connector } = synth(ConnectorBlueprint.bedrockTitanMultimodalEmbedding({ dimensions: 384 }));
    expect(connector.parameters.dimensions).toBe(384);
    expect(JSON.parse(connector.actions[0].request_body.replace(/\$\{parameters\.dimensions\}/, '384').replace(/\$\{[^}]*\}/g, 'x')))
      .toEqual({ inputText: 'x', inputImage: 'x', embeddingConfig: { outputEmbeddingLength: 384 } });
  });

  test('Cohere Embed: embedding type, read by the cohere_v2 post-process function of that type', () => {
    const { connector, statements } = synth(ConnectorBlueprint.bedrockCohereEmbed({
      model: BedrockModel.fromId('cohere.embed-multilingual-v3'), embeddingType: BedrockEmbeddingType.INT8,
    }));
    expect(connector.parameters).toMatchObject({ embedding_types: ['int8'], truncate: 'END', input_type: 'search_document', model: 'cohere.embed-multilingual-v3' });
    expect(connector.actions[0].request_body).toContain('"embedding_types": ${parameters.embedding_types}');
    expect(connector.actions[0].post_process_function).toBe('connector.post_process.cohere_v2.embedding.int8');
    expect(statements).toEqual([invoke('arn:aws:bedrock:us-east-1::foundation-model/cohere.embed-multilingual-v3')]);
  });

  test('omitProcessFunctions: the standard blueprints, for ML inference processors', () => {
    const { connector } = synth(ConnectorBlueprint.bedrockCohereEmbed({ omitProcessFunctions: true }));
    expect(connector.actions[0]).not.toHaveProperty('pre_process_function');
    expect(connector.actions[0]).not.toHaveProperty('post_process_function');
  });

  test('Nova: 3072 dimensions, the text modality with its pre-process function and truncation', () => {
    const { connector, statements } = synth(ConnectorBlueprint.bedrockNovaMultimodalEmbedding({
      modality: NovaEmbeddingModality.TEXT, dimensions: 3072, truncationMode: NovaTruncationMode.START,
    }));
    expect(connector.parameters).toMatchObject({ dimensions: 3072, truncationMode: 'START' });
    expect(connector.parameters).not.toHaveProperty('imageFormat');
    expect(connector.actions[0].pre_process_function).toBe('connector.pre_process.bedrock.nova.text_embedding');
    expect(statements).toEqual([invoke('arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-2-multimodal-embeddings-v1:0')]);
  });

  test('Claude Messages: maxTokens and extended thinking', () => {
    const { connector } = synth(ConnectorBlueprint.bedrockAnthropicClaude({
      model: BedrockModel.fromId(PROFILE), maxTokens: 4096, thinkingBudgetTokens: 2048,
    }));
    expect(connector.parameters).toMatchObject({ max_tokens: 4096, budget_tokens: 2048, anthropic_version: 'bedrock-2023-05-31' });
    expect(connector.parameters).not.toHaveProperty('temperature');
    expect(connector.actions[0].request_body).toBe(
      '{ "anthropic_version": "${parameters.anthropic_version}", "max_tokens": ${parameters.max_tokens}, "messages": ${parameters.messages}, '
      + '"thinking": {"type": "enabled", "budget_tokens": ${parameters.budget_tokens} } }');
  });

  test('Converse: the converse operation; maxTokens adds inferenceConfig', () => {
    const { connector } = synth(ConnectorBlueprint.bedrockConverse({ model: BedrockModel.fromId('amazon.nova-pro-v1:0'), maxTokens: 512 }));
    expect(connector.actions[0].url).toBe('https://bedrock-runtime.${parameters.region}.amazonaws.com/model/${parameters.model}/converse');
    expect(connector.actions[0].request_body).toContain(',"inferenceConfig":{"maxTokens":${parameters.max_tokens}}}');
    expect(connector.parameters.max_tokens).toBe(512);
  });

  test('OpenAI Chat Completions: the model goes in the body, the role may invoke exactly it', () => {
    const { connector, statements } = synth(ConnectorBlueprint.bedrockOpenAiChatCompletions({ model: BedrockModel.fromId('openai.gpt-oss-20b-1:0'), region: 'us-west-2' }));
    expect(connector.parameters).toMatchObject({ region: 'us-west-2', bedrock_model_id: 'openai.gpt-oss-20b-1:0' });
    expect(statements).toEqual([invoke('arn:aws:bedrock:us-west-2::foundation-model/openai.gpt-oss-20b-1:0')]);
  });

  test('Jurassic and Claude Text Completions: the options are the request\'s numbers', () => {
    const jurassic = synth(ConnectorBlueprint.bedrockAi21Jurassic({ model: BedrockModel.fromId('ai21.j2-ultra-v1'), maxTokens: 50, temperature: 0, topP: 0.9 })).connector;
    expect(JSON.parse(jurassic.actions[0].request_body)).toMatchObject({ maxTokens: 50, temperature: 0, topP: 0.9 });
    const claude = synth(ConnectorBlueprint.bedrockAnthropicClaudeTextCompletion({ model: BedrockModel.fromId('anthropic.claude-v2:1'), maxTokensToSample: 100 })).connector;
    expect(JSON.parse(claude.actions[0].request_body)).toMatchObject({ max_tokens_to_sample: 100, stop_sequences: ['\n\nHuman:'] });
  });
});

describe('Amazon SageMaker', () => {
  test('asynchronous endpoint: InvokeEndpointAsync on the endpoint only; the input location header', () => {
    const { statements, connector } = synth(ConnectorBlueprint.sageMakerAsyncEndpoint({ endpointName: 'Async-1', inputLocation: 's3://bucket/in.json' }));
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'sagemaker:InvokeEndpointAsync', Resource: 'arn:aws:sagemaker:us-east-1:111122223333:endpoint/async-1' }]);
    expect(connector.actions[0]).toMatchObject({
      url: 'https://runtime.sagemaker.${parameters.region}.amazonaws.com/endpoints/Async-1/async-invocations',
      headers: { 'X-Amzn-SageMaker-InputLocation': '${parameters.input_location}', 'X-Amzn-SageMaker-Content-Type': 'application/json' },
    });
    expect(connector.parameters.input_location).toBe('s3://bucket/in.json');
  });

  test('batch transform: the endpoint, and create/describe/stop on the transform jobs named like the job', () => {
    const { statements, connector, nagSuppressions } = synth(ConnectorBlueprint.sageMakerBatchTransform({
      endpointName: 'embed', modelName: 'm', transformJobName: 'Nightly-Embed', inputS3Uri: 's3://b/in/', outputS3Uri: 's3://b/out/', instanceType: 'ml.m5.xlarge',
    }));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'sagemaker:InvokeEndpoint', Resource: 'arn:aws:sagemaker:us-east-1:111122223333:endpoint/embed' },
      {
        Effect: 'Allow',
        Action: ['sagemaker:CreateTransformJob', 'sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob'],
        Resource: ['arn:aws:sagemaker:us-east-1:111122223333:transform-job/Nightly-Embed*', 'arn:aws:sagemaker:us-east-1:111122223333:transform-job/nightly-embed*'],
      },
    ]);
    expect(nagSuppressions).toEqual([expect.objectContaining({ id: 'AwsSolutions-IAM5', reason: expect.stringContaining('Nightly-Embed*') })]);
    expect(connector.actions.map((a: any) => `${a.action_type} ${a.method} ${a.url}`)).toEqual([
      'predict POST https://runtime.sagemaker.${parameters.region}.amazonaws.com/endpoints/embed/invocations',
      'batch_predict POST https://api.sagemaker.${parameters.region}.amazonaws.com/CreateTransformJob',
      'batch_predict_status GET https://api.sagemaker.${parameters.region}.amazonaws.com/DescribeTransformJob',
      'cancel_batch_predict POST https://api.sagemaker.${parameters.region}.amazonaws.com/StopTransformJob',
    ]);
    expect(connector.parameters).toMatchObject({
      TransformResources: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge' },
      TransformInput: { ContentType: 'application/json', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/in/' } }, SplitType: 'Line' },
      BatchStrategy: 'SingleRecord',
    });
  });

  test('batch transform with an exact job name pattern needs no wildcard', () => {
    const { statements, nagSuppressions } = synth(ConnectorBlueprint.sageMakerBatchTransform({
      endpointName: 'embed',
      modelName: 'm',
      transformJobName: 'job',
      transformJobNamePattern: 'job',
      inputS3Uri: 's3://b/in/',
      outputS3Uri: 's3://b/out/',
      instanceType: 'ml.m5.xlarge',
      statusAndCancelActions: false,
    }));
    expect(statements[1]).toEqual({ Effect: 'Allow', Action: 'sagemaker:CreateTransformJob', Resource: 'arn:aws:sagemaker:us-east-1:111122223333:transform-job/job' });
    expect(nagSuppressions).toEqual([]);
  });

  test('semantic highlighter: InvokeEndpoint on the endpoint, the endpoint name as the model parameter', () => {
    const { statements, connector } = synth(ConnectorBlueprint.sageMakerSemanticHighlighter({ endpointName: 'highlighter', region: 'eu-west-1' }));
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'sagemaker:InvokeEndpoint', Resource: 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/highlighter' }]);
    expect(connector.parameters).toMatchObject({ region: 'eu-west-1', model: 'highlighter', endpoint: 'runtime.sagemaker.eu-west-1.amazonaws.com' });
  });
});

describe('Amazon Comprehend and Amazon Textract', () => {
  test('Comprehend: exactly the one API action, on "*" with the reason recorded for cdk-nag', () => {
    const { statements, connector, nagSuppressions } = synth(ConnectorBlueprint.comprehend({ api: ComprehendApi.DETECT_SENTIMENT, languageCode: 'en' }));
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'comprehend:DetectSentiment', Resource: '*' }]);
    expect(nagSuppressions).toEqual([expect.objectContaining({ id: 'AwsSolutions-IAM5', reason: expect.stringContaining('no resource type in IAM') })]);
    expect(connector.parameters).toMatchObject({ api_name: 'DetectSentiment', LanguageCode: 'en', service_name: 'comprehend' });
  });

  test('Comprehend: any other API by name', () => {
    const api = ComprehendApi.of('ContainsPiiEntities', '{ "Text": "${parameters.Text}", "LanguageCode": "${parameters.LanguageCode}"}');
    const { statements } = synth(ConnectorBlueprint.comprehend({ api }));
    expect(statements[0].Action).toBe('comprehend:ContainsPiiEntities');
  });

  test('Textract: DetectDocumentText on "*" with the reason recorded', () => {
    const { statements, nagSuppressions, connector } = synth(ConnectorBlueprint.textractDetectDocumentText({ region: 'eu-central-1' }));
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'textract:DetectDocumentText', Resource: '*' }]);
    expect(nagSuppressions).toHaveLength(1);
    expect(connector.parameters.region).toBe('eu-central-1');
  });
});

describe('a model in another account (externalAccountRoleArn)', () => {
  const external = 'arn:aws:iam::444455556666:role/opensearch-model-access';

  test.each([
    ['Bedrock', ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId(PROFILE), externalAccountRoleArn: external })],
    ['SageMaker', ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', externalAccountRoleArn: external })],
    ['Comprehend', ConnectorBlueprint.comprehend({ api: ComprehendApi.DETECT_DOMINANT_LANGUAGE, externalAccountRoleArn: external })],
  ])('%s: the connector role may only assume the other account\'s role, which the credential names', (_, blueprint) => {
    const { statements, connector, nagSuppressions } = synth(blueprint);
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: external }]);
    expect(connector.credential).toEqual({ roleArn: expect.anything(), externalAccountRoleArn: external });
    expect(nagSuppressions).toEqual([]);
  });

  test('an L2 domain of OpenSearch 2.15 or later accepts it', () => {
    const stack = testStack();
    const domain = new opensearch.Domain(stack, 'D', {
      version: opensearch.EngineVersion.OPENSEARCH_2_15,
      capacity: { dataNodes: 1, dataNodeInstanceType: 'r6g.large.search', multiAzWithStandbyEnabled: false },
    });
    new MlConnector(stack, 'C', { domain, blueprint: ConnectorBlueprint.textractDetectDocumentText({ externalAccountRoleArn: external }) });
    Template.fromStack(stack).hasResourceProperties('Custom::OpenSearchMlConnector', { connector: { credential: { externalAccountRoleArn: external } } });
  });
});

describe('the domain\'s version, as blueprints receive it', () => {
  const batch = () => ConnectorBlueprint.sageMakerBatchTransform({
    endpointName: 'embed', modelName: 'm', transformJobName: 'job', inputS3Uri: 's3://b/in/', outputS3Uri: 's3://b/out/', instanceType: 'ml.m5.xlarge',
  });

  test('a blueprint of its own gets \'major.minor\' from an L2 domain, and nothing from an imported one', () => {
    const received: ConnectorBlueprintBindOptions[] = [];
    class Own extends ConnectorBlueprint {
      public bind(scope: Construct, options: ConnectorBlueprintBindOptions): ConnectorBlueprintConfig {
        received.push(options);
        return ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e' }).bind(scope, options);
      }
    }
    const stack = testStack();
    new MlConnector(stack, 'OnL2', { domain: testDomain(stack, opensearch.EngineVersion.OPENSEARCH_2_15, 'L2'), blueprint: new Own() });
    synth(new Own(), stack);
    expect(received).toEqual([{ domainRegion: 'us-east-1', engineVersion: '2.15' }, { domainRegion: 'us-east-1', engineVersion: undefined }]);
  });

  test('a typed blueprint bound by hand reads the \'major.minor\' it is given', () => {
    const stack = testStack();
    expect(() => batch().bind(stack, { domainRegion: 'us-east-1', engineVersion: '2.11' }))
      .toThrow(/blueprint sageMakerBatchTransform \(the batch_predict action\) needs OpenSearch 2\.17 or later; the domain runs 2\.11/);
    expect(batch().bind(stack, { domainRegion: 'us-east-1', engineVersion: '2.17' }).actions.map((a) => a.actionType))
      .toEqual(['predict', 'batch_predict', 'batch_predict_status', 'cancel_batch_predict']);
    expect(batch().bind(stack, { domainRegion: 'us-east-1' }).actions).toHaveLength(4);
  });

  test('through a connector on an L2 domain, the same check names the domain\'s version', () => {
    const stack = testStack();
    expect(() => new MlConnector(stack, 'C', { domain: testDomain(stack, opensearch.EngineVersion.OPENSEARCH_2_13), blueprint: batch() }))
      .toThrow(/needs OpenSearch 2\.17 or later; the domain runs 2\.13/);
  });
});
