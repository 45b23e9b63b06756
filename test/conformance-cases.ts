/*
 * The catalog cases of the conformance tests: for every body of the official ml-commons blueprint
 * catalog (test/fixtures/ml-commons-blueprints), the typed blueprint that builds it. Shared by
 * test/conformance.test.ts (the bodies equal the catalog's) and the real tier (test/real: real
 * ml-commons accepts them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BedrockModel, ClaudeRequestFormat, CohereInputType, CohereTruncate, ComprehendApi, ConnectorBlueprint, ConnectorClientConfig,
  ConverseRequestFormat, NovaAudioFormat, NovaEmbeddingModality, NovaImageDetailLevel, NovaImageFormat, NovaTruncationMode,
  NovaVideoEmbeddingMode, NovaVideoFormat, RetryBackoffPolicy, BedrockEmbeddingType,
  ChatRequestFormat, CohereChatApi, CohereEmbedInput, YandexCloudEmbeddingApi,
} from '../src';

export const DIR = path.join(__dirname, 'fixtures', 'ml-commons-blueprints');

/**
 * What differs between an official body and the body the construct sends. The first four
 * apply to every body; the others only to the files that list them.
 */
export const DIFFERENCES = {
  credential: 'credential is { "roleArn": <the connector role> } (Amazon OpenSearch Service), not access keys or a placeholder',
  placeholders: '<PLACEHOLDER> values are real values (the table PLACEHOLDERS and each case\'s own)',
  version: 'version is the string "1", whatever the catalog writes (1, "1", "1.0", a placeholder)',
  url: 'action URLs are compared after ${parameters.*} substitution: the construct writes ${parameters.region} where some bodies write the region',
  regionAdded: 'parameters.region is present: ml-commons requires it for aws_sigv4, and the body omits it',
} as const;
export type Difference = keyof typeof DIFFERENCES;

/** Real values for the catalog's placeholders, shared by every body. */
export const PLACEHOLDERS: Record<string, string> = {
  // ml-commons 3.x refuses '<' and '>' in names and descriptions (and so does synth)
  '<YOUR CONNECTOR NAME>': 'my connector',
  '<YOUR CONNECTOR DESCRIPTION>': 'My connector to a model',
  '<PLEASE ADD YOUR AWS REGION HERE>': 'us-east-1',
  '<PLEASE ADD YOUR AWS REGION like us-west-2>': 'us-east-1',
  '<PLEASE ADD YOUR AWS REGION TOKEN HERE>': 'us-east-1',
  '<YOUR_AWS_REGION>': 'us-east-1',
  '<NONE|START|END>': 'END',
  '<START|END|NONE>': 'END',
  '<search_document|search_query|classification|clustering>': 'search_document',
  '<png|jpeg|gif|webp>': 'png',
  '<STANDARD_IMAGE|DOCUMENT_IMAGE>': 'STANDARD_IMAGE',
  '<mp4|mov|mkv|webm|flv|mpeg|mpg|wmv|3gp>': 'mp4',
  '<AUDIO_VIDEO_COMBINED|AUDIO_VIDEO_SEPARATE>': 'AUDIO_VIDEO_COMBINED',
  '<mp3|wav|ogg>': 'mp3',
};

export interface Case {
  /** the factory, for the coverage table */
  readonly factory: string;
  readonly blueprint: () => ConnectorBlueprint;
  /** placeholders of this body only */
  readonly placeholders?: Record<string, string>;
  readonly clientConfig?: ConnectorClientConfig;
  /** differences beyond credential, placeholders, version and url */
  readonly differences?: Difference[];
}

export function official(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
}

export const CLAUDE_37 = BedrockModel.fromId('us.anthropic.claude-3-7-sonnet-20250219-v1:0');
export const CLAUDE_4 = BedrockModel.fromId('us.anthropic.claude-sonnet-4-20250514-v1:0');
export const JUDGE = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
export const JUDGE_RETRIES: ConnectorClientConfig = { maxRetries: 3, retryBackoffPolicy: RetryBackoffPolicy.EXPONENTIAL_FULL_JITTER };
export const TITAN_PAINLESS = official('bedrock_connector_titan_embedding_blueprint__4.json').actions[0];

export const comprehend = (api: ComprehendApi): Case => ({ factory: 'comprehend', blueprint: () => ConnectorBlueprint.comprehend({ api }) });
export const textract: Case = { factory: 'textractDetectDocumentText', blueprint: () => ConnectorBlueprint.textractDetectDocumentText() };
export // The catalog's Jurassic-2 and Claude v2 bodies name models Bedrock lists as legacy: the blueprints have no default model.
const jurassic: Case = { factory: 'bedrockAi21Jurassic', blueprint: () => ConnectorBlueprint.bedrockAi21Jurassic({ model: BedrockModel.foundationModel('ai21.j2-mid-v1') }) };
export const claudeMessages = (model: BedrockModel, thinking: boolean): Case => ({
  factory: 'bedrockAnthropicClaude',
  blueprint: () => ConnectorBlueprint.bedrockAnthropicClaude({
    model, maxTokens: 8000, temperature: 1, ...(thinking ? { thinkingBudgetTokens: 1024 } : {}),
  }),
});
export const claude3: Case = {
  factory: 'bedrockAnthropicClaude',
  blueprint: () => ConnectorBlueprint.bedrockAnthropicClaude({
    model: BedrockModel.foundationModel('anthropic.claude-3-sonnet-20240229-v1:0'), requestFormat: ClaudeRequestFormat.INPUTS, maxTokens: 8000,
  }),
};
export const claudeV2: Case = {
  factory: 'bedrockAnthropicClaudeTextCompletion',
  // The catalog's stop sequence is the text backslash-n backslash-n Human: (escaped twice).
  blueprint: () => ConnectorBlueprint.bedrockAnthropicClaudeTextCompletion({ model: BedrockModel.foundationModel('anthropic.claude-v2'), stopSequences: ['\\n\\nHuman:'] }),
};
export const cohere = (model: string, omitProcessFunctions = false): Case => ({
  factory: 'bedrockCohereEmbed',
  blueprint: () => ConnectorBlueprint.bedrockCohereEmbed({
    model: BedrockModel.foundationModel(model), inputType: CohereInputType.SEARCH_DOCUMENT, truncate: CohereTruncate.END, omitProcessFunctions,
  }),
});
export const converse: Case = {
  factory: 'bedrockConverse',
  blueprint: () => ConnectorBlueprint.bedrockConverse({ model: BedrockModel.foundationModel('anthropic.claude-sonnet-4-5-20251101-v1:0') }),
};
export const nova = (modality: NovaEmbeddingModality, preProcessFunction?: string): Case => {
  const uses = (...m: NovaEmbeddingModality[]) => m.includes(modality) || modality === NovaEmbeddingModality.ALL;
  return {
    factory: 'bedrockNovaMultimodalEmbedding',
    blueprint: () => ConnectorBlueprint.bedrockNovaMultimodalEmbedding({
      modality,
      dimensions: 1024,
      ...(uses(NovaEmbeddingModality.TEXT) ? { truncationMode: NovaTruncationMode.END } : {}),
      ...(uses(NovaEmbeddingModality.IMAGE) ? { imageFormat: NovaImageFormat.PNG, detailLevel: NovaImageDetailLevel.STANDARD_IMAGE } : {}),
      ...(uses(NovaEmbeddingModality.VIDEO) ? { videoFormat: NovaVideoFormat.MP4, embeddingMode: NovaVideoEmbeddingMode.AUDIO_VIDEO_COMBINED } : {}),
      ...(uses(NovaEmbeddingModality.AUDIO) ? { audioFormat: NovaAudioFormat.MP3 } : {}),
      ...(preProcessFunction ? { preProcessFunction } : {}),
    }),
  };
};
export const titanV1 = (options = {}): Case => ({ factory: 'bedrockTitanTextEmbeddingV1', blueprint: () => ConnectorBlueprint.bedrockTitanTextEmbeddingV1(options) });
export const titanMultimodal = (omitProcessFunctions = false): Case => ({
  factory: 'bedrockTitanMultimodalEmbedding', blueprint: () => ConnectorBlueprint.bedrockTitanMultimodalEmbedding({ omitProcessFunctions }),
});
export const copali: Case = {
  factory: 'sageMakerEndpoint',
  blueprint: () => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'copali-endpoint', requestBody: '${parameters.inputs}' }),
  placeholders: { '{{endpoint_name}}': 'copali-endpoint' },
};
export const judgeClaude: Case = {
  factory: 'bedrockAnthropicClaude',
  blueprint: () => ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId(JUDGE), requestFormat: ClaudeRequestFormat.LLM_JUDGMENT }),
  placeholders: { '<INFERENCE_PROFILE_ID>': JUDGE },
  clientConfig: JUDGE_RETRIES,
};
export const judgeConverse: Case = {
  factory: 'bedrockConverse',
  blueprint: () => ConnectorBlueprint.bedrockConverse({ model: BedrockModel.fromId(JUDGE), requestFormat: ConverseRequestFormat.LLM_JUDGMENT }),
  placeholders: { '<INFERENCE_PROFILE_ID>': JUDGE },
  clientConfig: JUDGE_RETRIES,
};

/** Every aws_sigv4 body of the catalog, and the typed blueprint that reproduces it. */
export const CASES: Record<string, Case> = {
  'amazon_comprehend_connector_blueprint__1.json': comprehend(ComprehendApi.DETECT_DOMINANT_LANGUAGE),
  'amazon_comprehend_connector_blueprint__2.json': comprehend(ComprehendApi.DETECT_DOMINANT_LANGUAGE),
  'amazon_comprehend_connector_blueprint__3.json': comprehend(ComprehendApi.DETECT_ENTITIES),
  'amazon_comprehend_connector_blueprint__4.json': comprehend(ComprehendApi.DETECT_ENTITIES),
  'amazon_textract_connector_blueprint__1.json': textract,
  'amazon_textract_connector_blueprint__2.json': textract,
  'batch_inference_sagemaker_connector_blueprint__1.json': {
    factory: 'sageMakerBatchTransform',
    blueprint: () => ConnectorBlueprint.sageMakerBatchTransform({
      endpointName: 'OpenSearch-sagemaker-060124023703',
      modelName: 'DJL-Text-Embedding-Model-imageforjsonlines',
      transformJobName: 'SM-offline-batch-transform-07-12-13-30',
      inputS3Uri: 's3://offlinebatch/sagemaker_djl_batch_input.json',
      outputS3Uri: 's3://offlinebatch/output',
      instanceType: 'ml.c5.xlarge',
      instanceCount: 1,
      dataProcessing: { inputFilter: '$.content', joinSource: 'Input', outputFilter: '$' },
      statusAndCancelActions: false,
    }),
  },
  'bedrock_connector_ai21labs_jurassic_blueprint__1.json': jurassic,
  'bedrock_connector_ai21labs_jurassic_blueprint__2.json': jurassic,
  'bedrock_connector_anthropic_claude3.7_blueprint__1.json': claudeMessages(CLAUDE_37, false),
  'bedrock_connector_anthropic_claude3.7_blueprint__2.json': claudeMessages(CLAUDE_37, false),
  'bedrock_connector_anthropic_claude3.7_blueprint__3.json': claudeMessages(CLAUDE_37, true),
  'bedrock_connector_anthropic_claude3.7_blueprint__4.json': claudeMessages(CLAUDE_37, true),
  'bedrock_connector_anthropic_claude3_blueprint__1.json': claude3,
  'bedrock_connector_anthropic_claude3_blueprint__2.json': claude3,
  'bedrock_connector_anthropic_claude4_blueprint__1.json': claudeMessages(CLAUDE_4, false),
  'bedrock_connector_anthropic_claude4_blueprint__2.json': claudeMessages(CLAUDE_4, false),
  'bedrock_connector_anthropic_claude4_blueprint__3.json': claudeMessages(CLAUDE_4, true),
  'bedrock_connector_anthropic_claude4_blueprint__4.json': claudeMessages(CLAUDE_4, true),
  'bedrock_connector_anthropic_claude_blueprint__1.json': claudeV2,
  'bedrock_connector_anthropic_claude_blueprint__2.json': claudeV2,
  'bedrock_connector_cohere_cohere.embed-english-v3_blueprint__1.json': cohere('cohere.embed-english-v3'),
  'bedrock_connector_cohere_cohere.embed-english-v3_blueprint__2.json': cohere('cohere.embed-english-v3'),
  'bedrock_connector_cohere_cohere.embed-multilingual-v3_blueprint__1.json': cohere('cohere.embed-multilingual-v3'),
  'bedrock_connector_cohere_cohere.embed-multilingual-v3_blueprint__2.json': cohere('cohere.embed-multilingual-v3'),
  'bedrock_connector_converse_blueprint__1.json': converse,
  'bedrock_connector_converse_blueprint__2.json': converse,
  'bedrock_connector_nova_multimodal_model_blueprint__1.json': nova(NovaEmbeddingModality.ALL),
  'bedrock_connector_nova_multimodal_model_blueprint__2.json': nova(NovaEmbeddingModality.ALL),
  'bedrock_connector_nova_multimodal_model_blueprint__3.json': nova(NovaEmbeddingModality.TEXT),
  'bedrock_connector_nova_multimodal_model_blueprint__4.json': nova(NovaEmbeddingModality.TEXT),
  'bedrock_connector_nova_multimodal_model_blueprint__5.json': nova(NovaEmbeddingModality.IMAGE),
  'bedrock_connector_nova_multimodal_model_blueprint__6.json': nova(NovaEmbeddingModality.IMAGE),
  'bedrock_connector_nova_multimodal_model_blueprint__7.json': nova(NovaEmbeddingModality.VIDEO),
  'bedrock_connector_nova_multimodal_model_blueprint__8.json': nova(NovaEmbeddingModality.VIDEO),
  'bedrock_connector_nova_multimodal_model_blueprint__9.json': nova(NovaEmbeddingModality.AUDIO),
  // This body of the catalog pairs the audio request with the video pre-process function.
  'bedrock_connector_nova_multimodal_model_blueprint__10.json': nova(NovaEmbeddingModality.AUDIO, 'connector.pre_process.bedrock.nova.video_embedding'),
  'bedrock_connector_nova_multimodal_model_blueprint__11.json': nova(NovaEmbeddingModality.AUDIO),
  'bedrock_connector_openai_gpt-oss_blueprint__1.json': {
    factory: 'bedrockOpenAiChatCompletions',
    blueprint: () => ConnectorBlueprint.bedrockOpenAiChatCompletions({ region: 'us-west-2', model: BedrockModel.foundationModel('openai.gpt-oss-120b-1:0') }),
    placeholders: { '<PLEASE ADD YOUR BEDROCK MODEL ID HERE>': 'openai.gpt-oss-120b-1:0' },
    differences: ['regionAdded'],
  },
  'bedrock_connector_titan_embedding_blueprint__1.json': titanV1(),
  'bedrock_connector_titan_embedding_blueprint__3.json': titanV1(),
  'bedrock_connector_titan_embedding_blueprint__4.json': titanV1({
    preProcessFunction: TITAN_PAINLESS.pre_process_function, postProcessFunction: TITAN_PAINLESS.post_process_function,
  }),
  'bedrock_connector_titan_embedding_blueprint__5.json': {
    factory: 'bedrockTitanTextEmbeddingV2',
    blueprint: () => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 1024, normalize: true, embeddingType: BedrockEmbeddingType.FLOAT }),
  },
  'bedrock_connector_titan_multimodal_embedding_blueprint__1.json': titanMultimodal(),
  'bedrock_connector_titan_multimodal_embedding_blueprint__3.json': titanMultimodal(),
  'sagemaker_connector_blueprint__1.json': {
    factory: 'sageMakerEndpoint',
    blueprint: () => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'my-embedding-endpoint' }),
    placeholders: {
      '<YOUR CONNECTOR NAME>': 'sagemaker: my-embedding-endpoint',
      '<YOUR CONNECTOR DESCRIPTION>': 'Embedding model on a SageMaker endpoint',
      '<PLEASE ADD YOUR Sagemaker MODEL INFERENCE ENDPOINT URL>': 'https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/my-embedding-endpoint/invocations',
    },
  },
  'sagemaker_connector_copali_blueprint__1.json': copali,
  'sagemaker_connector_copali_blueprint__2.json': copali,
  'llm_judgment__anthropic_claude_bedrock_blueprint__1.json': judgeClaude,
  'llm_judgment__anthropic_claude_bedrock_blueprint__2.json': judgeClaude,
  'llm_judgment__bedrock_converse_blueprint__1.json': judgeConverse,
  'llm_judgment__bedrock_converse_blueprint__2.json': judgeConverse,
  'standard_blueprints__bedrock_connector_cohere_cohere.embed-english-v3_standard_blueprint__1.json': cohere('cohere.embed-english-v3', true),
  'standard_blueprints__bedrock_connector_cohere_cohere.embed-english-v3_standard_blueprint__2.json': cohere('cohere.embed-english-v3', true),
  'standard_blueprints__bedrock_connector_cohere_cohere.embed-multilingual-v3_standard_blueprint__1.json': cohere('cohere.embed-multilingual-v3', true),
  'standard_blueprints__bedrock_connector_cohere_cohere.embed-multilingual-v3_standard_blueprint__2.json': cohere('cohere.embed-multilingual-v3', true),
  'standard_blueprints__bedrock_connector_titan_embedding_standard_blueprint__1.json': titanV1(),
  'standard_blueprints__bedrock_connector_titan_embedding_standard_blueprint__2.json': titanV1({ omitProcessFunctions: true }),
  'standard_blueprints__bedrock_connector_titan_multimodal_embedding_standard_blueprint__1.json': titanMultimodal(true),
  'standard_blueprints__sagemaker_semantic_highlighter_standard_blueprint__1.json': {
    factory: 'sageMakerSemanticHighlighter',
    blueprint: () => ConnectorBlueprint.sageMakerSemanticHighlighter({ endpointName: 'semantic-highlighter' }),
    placeholders: { '{your-endpoint-name}': 'semantic-highlighter', '{region}': 'us-east-1' },
  },
};

/** Bodies that no typed factory reproduces and that need ConnectorBlueprint.custom(): none so far. */
export const CUSTOM_ONLY: string[] = [];

export const AWS_FILES = fs.readFileSync(path.join(DIR, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1)
  .map((line) => line.split('\t'))
  .filter((columns) => columns[4] === 'aws_sigv4')
  .map((columns) => columns[0]);

/*
 * The `http` bodies of the catalog: third-party model APIs. On Amazon OpenSearch Service the
 * API key lives in AWS Secrets Manager: the body names the secret and the role that reads it,
 * and headers read the key as ${credential.secretArn.<field>}.
 */
export const HTTP_DIFFERENCES = {
  secretCredential: 'credential is { "secretArn": <the secret>, "roleArn": <the connector role> } (Amazon OpenSearch Service), not the API key or a placeholder',
  secretHeaders: 'headers read the key from the secret: ${credential.<name>} is ${credential.secretArn.<name>}',
  placeholders: DIFFERENCES.placeholders,
  version: DIFFERENCES.version,
  url: DIFFERENCES.url,
  azureEndpointSlash: 'the catalog\'s endpoint placeholder ends with "/", which doubles the slash in the URL; the blueprint\'s endpoint has none',
} as const;
export type HttpDifference = keyof typeof HTTP_DIFFERENCES;

export interface HttpCase {
  readonly factory: string;
  readonly blueprint: (secret: secretsmanager.ISecret) => ConnectorBlueprint;
  readonly placeholders?: Record<string, string>;
  /** patterns the domain must trust besides ml-commons' defaults */
  readonly trust?: string[];
  readonly clientConfig?: ConnectorClientConfig;
  readonly differences?: HttpDifference[];
}

export const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:opensearch/model-api-key-AbCdEf';
export const AZURE: Record<string, string> = {
  '<YOUR RESOURCE NAME>': 'my-openai',
  '<YOUR DEPLOYMENT NAME>': 'my-deployment',
  '<YOUR API VERSION>': '2024-10-21',
};
export const TRUST_AZURE = ['^https://my-openai\\.openai\\.azure\\.com/.*$'];
export const TRUST_GEMINI = ['^https://generativelanguage\\.googleapis\\.com/.*$'];
export const TRUST_YANDEX = ['^https://llm\\.api\\.cloud\\.yandex\\.net/.*$'];
export const YANDEX_FOLDER = { '<folder_ID>': 'b1gexample0123' };
export const ada = (omitProcessFunctions: boolean): HttpCase => ({
  factory: 'openAiEmbedding',
  blueprint: (apiKeySecret) => ConnectorBlueprint.openAiEmbedding({ apiKeySecret, model: 'text-embedding-ada-002', omitProcessFunctions }),
  placeholders: { '<YOUR OPENAI SECRET KEY IN SECRET MANAGER>': 'openAI_key' },
});
export const azureEmbedding = (omitProcessFunctions: boolean): HttpCase => ({
  factory: 'azureOpenAiEmbedding',
  blueprint: (apiKeySecret) => ConnectorBlueprint.azureOpenAiEmbedding({
    apiKeySecret, resourceName: 'my-openai', deploymentName: 'my-deployment', apiVersion: '2024-10-21', omitProcessFunctions,
  }),
  placeholders: AZURE,
  trust: TRUST_AZURE,
  differences: ['azureEndpointSlash'],
});
export const cohereApiEmbed = (input: CohereEmbedInput, omitProcessFunctions: boolean): HttpCase => ({
  factory: 'cohereEmbed',
  blueprint: (apiKeySecret) => ConnectorBlueprint.cohereEmbed({ apiKeySecret, model: 'embed-english-v3.0', input, omitProcessFunctions }),
  placeholders: { '<ENTER_MODEL_NAME_HERE>': 'embed-english-v3.0' },
});

/** Every http body of the catalog, and the typed blueprint that reproduces it. */
export const HTTP_CASES: Record<string, HttpCase> = {
  'aleph_alpha_connector_luminous_base_embedding_blueprint__1.json': {
    factory: 'alephAlphaEmbedding',
    blueprint: (apiKeySecret) => ConnectorBlueprint.alephAlphaEmbedding({ apiKeySecret }),
    trust: ['^https://api\\.aleph-alpha\\.com/.*$'],
  },
  'azure_openai_connector_chat_blueprint__1.json': {
    factory: 'azureOpenAiChatCompletions',
    blueprint: (apiKeySecret) => ConnectorBlueprint.azureOpenAiChatCompletions({
      apiKeySecret, resourceName: 'my-openai', deploymentName: 'my-deployment', apiVersion: '2024-10-21',
    }),
    placeholders: AZURE,
    trust: TRUST_AZURE,
    differences: ['azureEndpointSlash'],
  },
  'azure_openai_connector_embedding_blueprint__1.json': azureEmbedding(false),
  'batch_inference_openAI_connector_blueprint__1.json': {
    factory: 'openAiEmbedding',
    blueprint: (apiKeySecret) => ConnectorBlueprint.openAiEmbedding({
      apiKeySecret, model: 'text-embedding-ada-002', batchPredict: true, batchInputFileId: 'file-YbowBByiyVJN89oSZo2Enu9W',
    }),
  },
  'cohere_connector_chat_blueprint__1.json': {
    factory: 'cohereChat',
    blueprint: (apiKeySecret) => ConnectorBlueprint.cohereChat({ apiKeySecret, model: 'command', api: CohereChatApi.V1 }),
  },
  'cohere_connector_chat_v2_blueprint__1.json': {
    factory: 'cohereChat',
    blueprint: (apiKeySecret) => ConnectorBlueprint.cohereChat({ apiKeySecret, model: 'command-r-plus' }),
    trust: ['^https://api\\.cohere\\.com/.*$'],
  },
  'cohere_connector_embedding_blueprint__1.json': cohereApiEmbed(CohereEmbedInput.TEXTS, false),
  'cohere_connector_image_embedding_blueprint__1.json': cohereApiEmbed(CohereEmbedInput.IMAGES, false),
  'deepseek_connector_chat_blueprint__1.json': {
    factory: 'deepSeekChat',
    blueprint: (apiKeySecret) => ConnectorBlueprint.deepSeekChat({ apiKeySecret }),
  },
  'gcp_vertexai_connector_embedding_blueprint__1.json': {
    factory: 'googleVertexAiEmbedding',
    blueprint: (apiKeySecret) => ConnectorBlueprint.googleVertexAiEmbedding({ apiKeySecret, project: 'my-project-123', modelId: 'text-embedding-005' }),
    placeholders: { '<YOUR PROJECT_ID>': 'my-project-123', '<YOUR MODEL_ID>': 'text-embedding-005' },
    trust: ['^https://us-central1-aiplatform\\.googleapis\\.com/.*$'],
  },
  'google_gemini_connector_chat_blueprint__1.json': {
    factory: 'googleGeminiChat',
    blueprint: (apiKeySecret) => ConnectorBlueprint.googleGeminiChat({ apiKeySecret, model: 'gemini-2.0-flash' }),
    trust: TRUST_GEMINI,
  },
  'open_ai_connector_chat_blueprint__1.json': {
    factory: 'openAiChatCompletions',
    blueprint: (apiKeySecret) => ConnectorBlueprint.openAiChatCompletions({ apiKeySecret, model: 'gpt-3.5-turbo' }),
  },
  'open_ai_connector_completion_blueprint__1.json': {
    factory: 'openAiCompletions',
    blueprint: (apiKeySecret) => ConnectorBlueprint.openAiCompletions({ apiKeySecret, model: 'gpt-3.5-turbo-instruct', maxTokens: 7, temperature: 0 }),
  },
  'openai_connector_embedding_blueprint__1.json': ada(false),
  'openai_connector_embedding_blueprint__2.json': ada(false),
  'yandexcloud_connector_embedding_legacy_blueprint__1.json': {
    factory: 'yandexCloudEmbedding',
    blueprint: (apiKeySecret) => ConnectorBlueprint.yandexCloudEmbedding({ apiKeySecret, folderId: 'b1gexample0123', api: YandexCloudEmbeddingApi.FOUNDATION_MODELS }),
    placeholders: YANDEX_FOLDER,
    trust: TRUST_YANDEX,
  },
  'llm_judgment__azure_openai_chat_blueprint__1.json': {
    factory: 'azureOpenAiChatCompletions',
    blueprint: (apiKeySecret) => ConnectorBlueprint.azureOpenAiChatCompletions({
      apiKeySecret, resourceName: 'my-openai', deploymentName: 'my-deployment', apiVersion: '2024-08-01-preview', requestFormat: ChatRequestFormat.LLM_JUDGMENT,
    }),
    placeholders: AZURE,
    trust: TRUST_AZURE,
    clientConfig: JUDGE_RETRIES,
  },
  'llm_judgment__deepseek_chat_blueprint__1.json': {
    factory: 'deepSeekChat',
    blueprint: (apiKeySecret) => ConnectorBlueprint.deepSeekChat({ apiKeySecret, requestFormat: ChatRequestFormat.LLM_JUDGMENT }),
    placeholders: { '<MODEL_ID>': 'deepseek-chat' },
    clientConfig: JUDGE_RETRIES,
  },
  'llm_judgment__google_gemini_chat_blueprint__1.json': {
    factory: 'googleGeminiChat',
    blueprint: (apiKeySecret) => ConnectorBlueprint.googleGeminiChat({ apiKeySecret, model: 'gemini-2.0-flash', requestFormat: ChatRequestFormat.LLM_JUDGMENT }),
    placeholders: { '<MODEL_ID>': 'gemini-2.0-flash' },
    trust: TRUST_GEMINI,
    clientConfig: JUDGE_RETRIES,
  },
  'llm_judgment__openai_chat_blueprint__1.json': {
    factory: 'openAiChatCompletions',
    blueprint: (apiKeySecret) => ConnectorBlueprint.openAiChatCompletions({ apiKeySecret, model: 'gpt-4o', requestFormat: ChatRequestFormat.LLM_JUDGMENT }),
    placeholders: { '<MODEL_ID>': 'gpt-4o' },
    clientConfig: JUDGE_RETRIES,
  },
  'standard_blueprints__azure_openai_connector_embedding_standard_blueprint__1.json': azureEmbedding(true),
  'standard_blueprints__cohere_connector_image_embedding_standard_blueprint__1.json': cohereApiEmbed(CohereEmbedInput.IMAGES, true),
  'standard_blueprints__cohere_connector_text_embedding_standard_blueprint__1.json': cohereApiEmbed(CohereEmbedInput.TEXTS, true),
  'standard_blueprints__openai_connector_embedding_standard_blueprint__1.json': ada(true),
  'standard_blueprints__openai_connector_embedding_standard_blueprint__2.json': ada(true),
  'standard_blueprints__yandexcloud_connector_embedding_standard_blueprint__1.json': {
    factory: 'yandexCloudEmbedding',
    blueprint: (apiKeySecret) => ConnectorBlueprint.yandexCloudEmbedding({ apiKeySecret, folderId: 'b1gexample0123' }),
    placeholders: YANDEX_FOLDER,
    trust: TRUST_YANDEX,
  },
};

/**
 * http bodies no blueprint builds, with the reason. Both call a model on the domain's own
 * loopback address over plain http: Amazon OpenSearch Service cannot reach it, and the
 * library accepts https:// action URLs only.
 */
export const HTTP_UNSUPPORTED: Record<string, string> = {
  'ollama_connector_chat_blueprint__1.json': 'http://127.0.0.1:11434 (a model on the OpenSearch node itself)',
  'llm_judgment__ollama_chat_blueprint__1.json': 'http://127.0.0.1:11434 (a model on the OpenSearch node itself)',
};

export const HTTP_FILES = fs.readFileSync(path.join(DIR, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1)
  .map((line) => line.split('\t'))
  .filter((columns) => columns[4] === 'http')
  .map((columns) => columns[0]);
