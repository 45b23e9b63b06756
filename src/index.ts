export * from './connector';
export * from './model';
export * from './model-group';
export type { MlTargetOptions } from './target';
export { FineGrainedAccess, FineGrainedAccessMode } from './access';
export { ServerlessCollection, CollectionDataAccess, CollectionDataAccessMode } from './collection';
export type { ServerlessCollectionAttributes } from './collection';
export * from './blueprint';
export * from './blueprints/types';
export * from './client-config';
export type { SageMakerEndpointOptions } from './blueprints/sagemaker';
export type { CustomConnectorOptions } from './blueprints/custom';
export type { AwsModelOptions, ProcessFunctionOptions } from './blueprints/aws-model';
export type { SageMakerAsyncEndpointOptions, SageMakerBatchTransformOptions, SageMakerSemanticHighlighterOptions } from './blueprints/sagemaker';
export * from './blueprints/sagemaker-enums';
export { BedrockModel } from './blueprints/bedrock-model';
export type { InferenceProfileOptions, ApplicationInferenceProfileOptions } from './blueprints/bedrock-model';
export * from './blueprints/bedrock-enums';
export type {
  BedrockEmbeddingOptions, BedrockTitanTextEmbeddingV1Options, BedrockTitanTextEmbeddingV2Options, BedrockTitanMultimodalEmbeddingOptions,
  BedrockCohereEmbedOptions,
} from './blueprints/bedrock-embedding';
export type { BedrockNovaMultimodalEmbeddingOptions } from './blueprints/bedrock-nova';
export type {
  BedrockAnthropicClaudeOptions, BedrockAnthropicClaudeTextCompletionOptions, BedrockConverseOptions, BedrockAi21JurassicOptions,
  BedrockOpenAiChatCompletionsOptions,
} from './blueprints/bedrock-text';
export { ComprehendApi } from './blueprints/comprehend';
export type { ComprehendOptions } from './blueprints/comprehend';
export type { TextractDetectDocumentTextOptions } from './blueprints/textract';
export type { ApiKeyOptions } from './blueprints/api-key';
export * from './blueprints/third-party-enums';
export type {
  OpenAiChatCompletionsOptions, OpenAiCompletionsOptions, OpenAiEmbeddingOptions, AzureOpenAiChatCompletionsOptions, AzureOpenAiEmbeddingOptions,
  AzureOpenAiDeploymentOptions,
} from './blueprints/openai';
export type { CohereEmbedOptions, CohereChatOptions } from './blueprints/cohere';
export type { DeepSeekChatOptions } from './blueprints/deepseek';
export type { GoogleGeminiChatOptions, GoogleVertexAiEmbeddingOptions } from './blueprints/google';
export type { AlephAlphaEmbeddingOptions } from './blueprints/aleph-alpha';
export type { YandexCloudEmbeddingOptions } from './blueprints/yandex-cloud';
export type { CustomHttpConnectorOptions } from './blueprints/custom-http';
export {
  IngestPipeline, IngestProcessor, ChunkingAlgorithm,
} from './ingest-pipeline';
export type {
  IIngestPipeline, IngestPipelineProps, IngestProcessorOptions, FieldInferenceProcessorOptions, TextImageEmbeddingProcessorOptions,
  MlInferenceProcessorOptions, TextChunkingProcessorOptions, FixedTokenLengthOptions,
} from './ingest-pipeline';
export { VectorIndex, IndexField } from './vector-index';
export type { IVectorIndex, VectorIndexProps, KnnVectorFieldOptions, TextFieldOptions } from './vector-index';
export { KnnEngine, KnnSpaceType } from './search-facts';
export { SearchPipeline, SearchProcessor, SearchProcessorPhase, NormalizationTechnique, CombinationTechnique } from './search-pipeline';
export type {
  ISearchPipeline, SearchPipelineProps, NeuralQueryEnricherOptions, NormalizationProcessorOptions, RetrievalAugmentedGenerationOptions,
} from './search-pipeline';
export { SemanticSearch } from './semantic-search';
export type { SemanticSearchProps } from './semantic-search';
