/*
 * cdk-nag AwsSolutions over a stack with a connector of every typed blueprint: no errors and
 * no warnings; the wildcards some blueprints need carry their reason as a suppression.
 */
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  BedrockModel, ComprehendApi, ConnectorBlueprint, ConverseRequestFormat, MlConnector, NovaEmbeddingModality,
} from '../src';

const BLUEPRINTS: Record<string, ConnectorBlueprint> = {
  SageMakerEndpoint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'embed' }),
  SageMakerAsync: ConnectorBlueprint.sageMakerAsyncEndpoint({ endpointName: 'async' }),
  SageMakerBatch: ConnectorBlueprint.sageMakerBatchTransform({
    endpointName: 'embed', modelName: 'm', transformJobName: 'nightly', inputS3Uri: 's3://b/in/', outputS3Uri: 's3://b/out/', instanceType: 'ml.m5.xlarge',
  }),
  SageMakerHighlighter: ConnectorBlueprint.sageMakerSemanticHighlighter({ endpointName: 'highlighter' }),
  TitanV1: ConnectorBlueprint.bedrockTitanTextEmbeddingV1(),
  TitanV2: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 512 }),
  TitanMultimodal: ConnectorBlueprint.bedrockTitanMultimodalEmbedding(),
  Cohere: ConnectorBlueprint.bedrockCohereEmbed(),
  Nova: ConnectorBlueprint.bedrockNovaMultimodalEmbedding({ modality: NovaEmbeddingModality.IMAGE }),
  Claude: ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId('us.anthropic.claude-sonnet-4-20250514-v1:0') }),
  ClaudeTextCompletion: ConnectorBlueprint.bedrockAnthropicClaudeTextCompletion({ model: BedrockModel.fromId('anthropic.claude-v2:1') }),
  Converse: ConnectorBlueprint.bedrockConverse({
    model: BedrockModel.applicationInferenceProfile('arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123', { modelSource: 'amazon.nova-pro-v1:0' }),
    requestFormat: ConverseRequestFormat.LLM_JUDGMENT,
  }),
  Jurassic: ConnectorBlueprint.bedrockAi21Jurassic({ model: BedrockModel.fromId('ai21.j2-ultra-v1') }),
  OpenAi: ConnectorBlueprint.bedrockOpenAiChatCompletions(),
  Comprehend: ConnectorBlueprint.comprehend({ api: ComprehendApi.DETECT_ENTITIES }),
  Textract: ConnectorBlueprint.textractDetectDocumentText(),
  CrossAccount: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ externalAccountRoleArn: 'arn:aws:iam::444455556666:role/model-access' }),
};

test('cdk-nag AwsSolutions: a connector of every blueprint, no errors and no warnings', () => {
  const app = new App();
  const stack = new Stack(app, 'Blueprints', { env: { account: '111122223333', region: 'us-east-1' } });
  const domain = opensearch.Domain.fromDomainEndpoint(stack, 'Domain', 'https://search-nag-abc123.us-east-1.es.amazonaws.com');
  for (const [id, blueprint] of Object.entries(BLUEPRINTS)) {
    new MlConnector(stack, id, { domain, blueprint });
  }
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  app.synth();
  const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  expect(warnings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
});
