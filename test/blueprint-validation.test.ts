/*
 * Bad blueprint input fails at synth time, with a message naming the property, the value
 * received and what is allowed.
 */
import { CfnParameter } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import {
  BedrockEmbeddingType, BedrockModel, ClaudeRequestFormat, ComprehendApi, ConnectorBlueprint, MlConnector, NovaAudioFormat, NovaEmbeddingModality,
} from '../src';
import { testDomain, testStack } from './util';

function build(blueprint: () => ConnectorBlueprint, version?: opensearch.EngineVersion) {
  return () => {
    const stack = testStack();
    const domain = version
      ? testDomain(stack, version)
      : opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-x-abc.us-east-1.es.amazonaws.com');
    new MlConnector(stack, 'C', { domain, blueprint: blueprint() });
  };
}

const claude = (id: string) => () => ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId(id) });

describe('Bedrock model IDs are checked by shape', () => {
  test.each([
    ['spaces and capitals', 'Titan Embeddings', /blueprint model must be a Bedrock model ID of the form '<provider>\.<model>\[:<version>\]' .*received 'Titan Embeddings'/],
    ['no provider', 'titan-embed-text-v2', /blueprint model must be a Bedrock model ID .*'us\.', 'us-gov\.', 'eu\.', 'apac\.'.*received 'titan-embed-text-v2'/],
  ])('%s', (_, id, message) => {
    expect(build(() => ConnectorBlueprint.bedrockConverse({ model: BedrockModel.fromId(id) }))).toThrow(message);
  });

  test('a model of another family than the blueprint\'s, with the family\'s shape and an example', () => {
    expect(build(() => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ model: BedrockModel.fromId('cohere.embed-english-v3') })))
      .toThrow(/blueprint model must be an Amazon Titan Text Embeddings V2 model \(model IDs matching .*such as 'amazon\.titan-embed-text-v2:0'.*received 'cohere\.embed-english-v3'/);
    expect(build(claude('us.meta.llama3-3-70b-instruct-v1:0')))
      .toThrow(/must be an Anthropic Claude model .*received 'us\.meta\.llama3-3-70b-instruct-v1:0'/);
  });

  test('an inference profile ID given as a foundation model', () => {
    expect(build(() => ConnectorBlueprint.bedrockConverse({ model: BedrockModel.foundationModel('us.amazon.nova-pro-v1:0') })))
      .toThrow(/'us\.amazon\.nova-pro-v1:0' is a cross-Region inference profile ID, not a foundation model ID; use BedrockModel\.inferenceProfile\(\)/);
  });

  test('an inference profile prefix that does not match the region, with the prefixes that do', () => {
    expect(build(claude('eu.anthropic.claude-3-7-sonnet-20250219-v1:0')))
      .toThrow(/model 'eu\.anthropic\.claude-3-7-sonnet-20250219-v1:0' is an inference profile of the 'eu' geography, which is called from eu-\* Regions; the connector's region is 'us-east-1'\. Prefixes for us-east-1: 'us\.', 'global\.'/);
    expect(build(() => ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId('jp.anthropic.claude-sonnet-4-5-20250929-v1:0'), region: 'ap-southeast-1' })))
      .toThrow(/'jp' geography, which is called from ap-northeast-1 or ap-northeast-3 Regions; the connector's region is 'ap-southeast-1'\. Prefixes for ap-southeast-1: 'apac\.', 'global\.'/);
  });

  test('an application inference profile: its ARN shape, and its Region against the connector\'s', () => {
    expect(build(() => ConnectorBlueprint.bedrockConverse({ model: BedrockModel.applicationInferenceProfile('my-profile', { modelSource: 'amazon.nova-pro-v1:0' }) })))
      .toThrow(/blueprint model must be an application inference profile ARN such as .*received 'my-profile'/);
    const arn = 'arn:aws:bedrock:eu-west-1:111122223333:application-inference-profile/abc123';
    expect(build(() => ConnectorBlueprint.bedrockConverse({ model: BedrockModel.applicationInferenceProfile(arn, { modelSource: 'amazon.nova-pro-v1:0' }) })))
      .toThrow(/is an application inference profile in eu-west-1, but the connector's region is 'us-east-1'; set the blueprint region to 'eu-west-1'/);
  });

  test('an application inference profile ARN that is a token cannot be URL-encoded at synth time', () => {
    expect(() => {
      const stack = testStack();
      const arn = new CfnParameter(stack, 'ProfileArn').valueAsString;
      const domain = opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-x-abc.us-east-1.es.amazonaws.com');
      const model = BedrockModel.applicationInferenceProfile(arn, { modelSource: 'amazon.nova-pro-v1:0' });
      new MlConnector(stack, 'C', { domain, blueprint: ConnectorBlueprint.bedrockConverse({ model }) });
    }).toThrow(/the ARN of an application inference profile must be a literal.*received a token/);
  });

  test('destination Regions must be Regions', () => {
    const model = BedrockModel.inferenceProfile('us.anthropic.claude-3-7-sonnet-20250219-v1:0', { destinationRegions: ['us-east-1', 'Oregon'] });
    expect(build(() => ConnectorBlueprint.bedrockAnthropicClaude({ model }))).toThrow(/blueprint destinationRegions must be an AWS region such as 'us-east-1'; received 'Oregon'/);
  });
});

describe('dimensions a model does not support', () => {
  test.each([
    ['Titan Text Embeddings V2', () => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 1536 }), /blueprint dimensions must be one of 256, 512, 1024 for Titan Text Embeddings V2 .*; received '1536'/],
    ['Titan Multimodal Embeddings', () => ConnectorBlueprint.bedrockTitanMultimodalEmbedding({ dimensions: 512 }), /dimensions must be one of 256, 384, 1024 .*received '512'/],
    ['Nova Multimodal Embeddings', () => ConnectorBlueprint.bedrockNovaMultimodalEmbedding({ modality: NovaEmbeddingModality.TEXT, dimensions: 2048 }),
      /dimensions must be one of 256, 384, 1024, 3072 .*received '2048'/],
  ])('%s', (_, blueprint, message) => {
    expect(build(blueprint)).toThrow(message);
  });
});

describe('embedding types a model does not produce', () => {
  test('Titan Text Embeddings V2: float or binary', () => {
    expect(build(() => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ embeddingType: BedrockEmbeddingType.INT8 })))
      .toThrow(/blueprint embeddingType must be one of 'float', 'binary' for Titan Text Embeddings V2 \('amazon\.titan-embed-text-v2:0'\); received 'int8'/);
  });

  test('Cohere Embed: a value from another language binding that is no embedding type', () => {
    expect(build(() => ConnectorBlueprint.bedrockCohereEmbed({ embeddingType: 'bfloat16' as BedrockEmbeddingType })))
      .toThrow(/embeddingType must be one of 'float', 'int8', 'uint8', 'binary', 'ubinary' for Cohere Embed .*received 'bfloat16'/);
  });
});

describe('other options', () => {
  test('Claude: options of another request format, a thinking budget over maxTokens, a temperature over 1', () => {
    const model = BedrockModel.fromId('anthropic.claude-3-haiku-20240307-v1:0');
    expect(build(() => ConnectorBlueprint.bedrockAnthropicClaude({ model, requestFormat: ClaudeRequestFormat.INPUTS, temperature: 0.2 })))
      .toThrow(/blueprint temperature applies to requestFormat MESSAGES only; received '0\.2' with requestFormat INPUTS/);
    expect(build(() => ConnectorBlueprint.bedrockAnthropicClaude({ model, maxTokens: 1000, thinkingBudgetTokens: 1000 })))
      .toThrow(/thinkingBudgetTokens must be less than maxTokens \(1000\); received '1000'/);
    expect(build(() => ConnectorBlueprint.bedrockAnthropicClaude({ model, temperature: 1.5 }))).toThrow(/temperature must be from 0 to 1; received '1\.5'/);
  });

  test('Nova: an option of another modality; the unified connector on a domain older than 3.5', () => {
    expect(build(() => ConnectorBlueprint.bedrockNovaMultimodalEmbedding({ modality: NovaEmbeddingModality.TEXT, audioFormat: NovaAudioFormat.MP3 })))
      .toThrow(/blueprint audioFormat applies to the modalities ALL and AUDIO; received audioFormat 'mp3' with modality TEXT/);
    const all = () => ConnectorBlueprint.bedrockNovaMultimodalEmbedding({ modality: NovaEmbeddingModality.ALL });
    expect(build(all, opensearch.EngineVersion.OPENSEARCH_2_19))
      .toThrow(/NovaEmbeddingModality\.ALL .* needs OpenSearch 3\.5 or later; the domain runs 2\.19/);
  });

  test('omitProcessFunctions with a process function', () => {
    expect(build(() => ConnectorBlueprint.bedrockTitanTextEmbeddingV1({ omitProcessFunctions: true, postProcessFunction: 'connector.post_process.bedrock.embedding' })))
      .toThrow(/blueprint postProcessFunction cannot be combined with omitProcessFunctions: true; received 'connector\.post_process\.bedrock\.embedding'/);
  });

  test('externalAccountRoleArn: not a role ARN; a domain older than 2.15', () => {
    expect(build(() => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', externalAccountRoleArn: 'arn:aws:iam::444455556666:user/bob' })))
      .toThrow(/blueprint externalAccountRoleArn must be an IAM role ARN such as .*received 'arn:aws:iam::444455556666:user\/bob'/);
    expect(build(() => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', externalAccountRoleArn: 'arn:aws:iam::444455556666:role/r' }),
      opensearch.EngineVersion.OPENSEARCH_2_13))
      .toThrow(/externalAccountRoleArn \('arn:aws:iam::444455556666:role\/r'\) needs OpenSearch 2\.15 or later; the domain runs 2\.13/);
  });

  test('SageMaker batch transform: a domain older than 2.17, S3 URIs, instance type and count, job name', () => {
    const batch = (extra: object = {}) => () => ConnectorBlueprint.sageMakerBatchTransform({
      endpointName: 'e', modelName: 'm', transformJobName: 'job', inputS3Uri: 's3://b/in/', outputS3Uri: 's3://b/out/', instanceType: 'ml.m5.xlarge', ...extra,
    });
    expect(build(batch(), opensearch.EngineVersion.OPENSEARCH_2_15)).toThrow(/sageMakerBatchTransform \(the batch_predict action\) needs OpenSearch 2\.17 or later; the domain runs 2\.15/);
    expect(build(batch({ outputS3Uri: 'https://b.s3.amazonaws.com/out/' }))).toThrow(/blueprint outputS3Uri must be an S3 URI .*received 'https:\/\/b\.s3\.amazonaws\.com\/out\/'/);
    expect(build(batch({ instanceType: 'm5.xlarge' }))).toThrow(/blueprint instanceType must be an ML instance type such as 'ml\.c5\.xlarge'; received 'm5\.xlarge'/);
    expect(build(batch({ instanceCount: 0 }))).toThrow(/blueprint instanceCount must be a whole number of at least 1; received '0'/);
    expect(build(batch({ transformJobName: 'my_job' }))).toThrow(/blueprint transformJobName must be 1 to 63 letters, digits and hyphens.*received 'my_job'/);
  });

  test('SageMaker asynchronous endpoint: the input location is an S3 URI', () => {
    expect(build(() => ConnectorBlueprint.sageMakerAsyncEndpoint({ endpointName: 'e', inputLocation: '/tmp/in.json' })))
      .toThrow(/blueprint inputLocation must be an S3 URI .*received '\/tmp\/in\.json'/);
  });

  test('Comprehend: a language code for an API that reads none; an API name that is no API name', () => {
    expect(build(() => ConnectorBlueprint.comprehend({ api: ComprehendApi.DETECT_DOMINANT_LANGUAGE, languageCode: 'en' })))
      .toThrow(/blueprint languageCode is not used by DetectDominantLanguage.*received 'en'/);
    expect(build(() => ConnectorBlueprint.comprehend({ api: ComprehendApi.of('comprehend:DetectSentiment', '{}') })))
      .toThrow(/blueprint api must name a Comprehend API such as 'DetectDominantLanguage'; received 'comprehend:DetectSentiment'/);
  });
});
