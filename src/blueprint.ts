import { Construct } from 'constructs';
import { alephAlphaEmbeddingConfig, AlephAlphaEmbeddingOptions } from './blueprints/aleph-alpha';
import {
  BedrockCohereEmbedOptions, BedrockTitanMultimodalEmbeddingOptions, BedrockTitanTextEmbeddingV1Options, BedrockTitanTextEmbeddingV2Options,
  cohereEmbedConfig, titanMultimodalEmbeddingConfig, titanTextEmbeddingV1Config, titanTextEmbeddingV2Config,
} from './blueprints/bedrock-embedding';
import { BedrockNovaMultimodalEmbeddingOptions, novaMultimodalEmbeddingConfig } from './blueprints/bedrock-nova';
import {
  ai21JurassicConfig, anthropicClaudeConfig, anthropicClaudeTextCompletionConfig, BedrockAi21JurassicOptions, BedrockAnthropicClaudeOptions,
  BedrockAnthropicClaudeTextCompletionOptions, BedrockConverseOptions, BedrockOpenAiChatCompletionsOptions, converseConfig,
  openAiChatCompletionsConfig,
} from './blueprints/bedrock-text';
import { cohereChatConfig, CohereChatOptions, cohereEmbedConfig as cohereApiEmbedConfig, CohereEmbedOptions } from './blueprints/cohere';
import { comprehendConfig, ComprehendOptions } from './blueprints/comprehend';
import type { BlueprintContext } from './blueprints/context';
import { customConfig, CustomConnectorOptions } from './blueprints/custom';
import { customHttpConfig, CustomHttpConnectorOptions } from './blueprints/custom-http';
import { deepSeekChatConfig, DeepSeekChatOptions } from './blueprints/deepseek';
import {
  GoogleGeminiChatOptions, googleGeminiChatConfig, googleVertexAiEmbeddingConfig, GoogleVertexAiEmbeddingOptions,
} from './blueprints/google';
import {
  azureOpenAiChatCompletionsConfig, AzureOpenAiChatCompletionsOptions, azureOpenAiEmbeddingConfig, AzureOpenAiEmbeddingOptions,
  openAiChatCompletionsConfig as openAiApiChatCompletionsConfig, OpenAiChatCompletionsOptions, openAiCompletionsConfig, OpenAiCompletionsOptions,
  openAiEmbeddingConfig, OpenAiEmbeddingOptions,
} from './blueprints/openai';
import {
  sageMakerAsyncEndpointConfig, SageMakerAsyncEndpointOptions, sageMakerBatchTransformConfig, SageMakerBatchTransformOptions,
  sageMakerEndpointConfig, SageMakerEndpointOptions, sageMakerSemanticHighlighterConfig, SageMakerSemanticHighlighterOptions,
} from './blueprints/sagemaker';
import { textractDetectDocumentTextConfig, TextractDetectDocumentTextOptions } from './blueprints/textract';
import type { ConnectorBlueprintBindOptions, ConnectorBlueprintConfig } from './blueprints/types';
import { yandexCloudEmbeddingConfig, YandexCloudEmbeddingOptions } from './blueprints/yandex-cloud';
import { formatVersion, parseVersion } from './engine-version';

/**
 * A kind of model that a connector can call, with the connector body and the IAM
 * permissions that go with it.
 *
 * Use the static factory methods; `custom()` covers any AWS service that has no
 * typed factory yet, and `customHttp()` any third-party HTTPS API whose key is in
 * AWS Secrets Manager.
 */
export abstract class ConnectorBlueprint {
  /**
   * An Amazon SageMaker real-time inference endpoint.
   *
   * The connector role may call `sagemaker:InvokeEndpoint` and `sagemaker:InvokeEndpointAsync`
   * on exactly this endpoint.
   */
  public static sageMakerEndpoint(options: SageMakerEndpointOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => sageMakerEndpointConfig(scope, options, bind));
  }

  /**
   * An Amazon SageMaker asynchronous inference endpoint (`InvokeEndpointAsync`). The payload is
   * read from S3 (`input_location`); the prediction returns the `InferenceId`, and SageMaker
   * writes the result to the endpoint's S3 output path.
   *
   * The connector role may call `sagemaker:InvokeEndpointAsync` on exactly this endpoint.
   */
  public static sageMakerAsyncEndpoint(options: SageMakerAsyncEndpointOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => sageMakerAsyncEndpointConfig(scope, options, bind));
  }

  /**
   * Amazon SageMaker batch transform (OpenSearch 2.17+): `batch_predict` creates a transform job,
   * `batch_predict_status` and `cancel_batch_predict` follow and stop it, and `predict` calls a
   * real-time endpoint of the same model.
   *
   * The connector role may call `sagemaker:InvokeEndpoint` on the endpoint and
   * `sagemaker:CreateTransformJob`, `DescribeTransformJob` and `StopTransformJob` on the
   * transform jobs named by `transformJobNamePattern`.
   */
  public static sageMakerBatchTransform(options: SageMakerBatchTransformOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => sageMakerBatchTransformConfig(scope, options, bind));
  }

  /**
   * A semantic highlighting model on an Amazon SageMaker endpoint, as ml-commons' standard
   * semantic highlighter blueprint calls it (single and batch inputs).
   *
   * The connector role may call `sagemaker:InvokeEndpoint` on exactly this endpoint.
   */
  public static sageMakerSemanticHighlighter(options: SageMakerSemanticHighlighterOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => sageMakerSemanticHighlighterConfig(scope, options, bind));
  }

  /**
   * Amazon Titan Text Embeddings G1 (`amazon.titan-embed-text-v1`) on Amazon Bedrock: 1536 dimensions.
   *
   * The connector role may call `bedrock:InvokeModel` on exactly this model (or inference profile).
   */
  public static bedrockTitanTextEmbeddingV1(options: BedrockTitanTextEmbeddingV1Options = {}): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => titanTextEmbeddingV1Config(scope, options, bind));
  }

  /**
   * Amazon Titan Text Embeddings V2 (`amazon.titan-embed-text-v2:0`) on Amazon Bedrock:
   * 256, 512 or 1024 dimensions, normalized or not, float or binary.
   *
   * The connector role may call `bedrock:InvokeModel` on exactly this model (or inference profile).
   */
  public static bedrockTitanTextEmbeddingV2(options: BedrockTitanTextEmbeddingV2Options = {}): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => titanTextEmbeddingV2Config(scope, options, bind));
  }

  /**
   * Amazon Titan Multimodal Embeddings G1 (`amazon.titan-embed-image-v1`) on Amazon Bedrock:
   * text, image, or both in one embedding.
   *
   * The connector role may call `bedrock:InvokeModel` on exactly this model (or inference profile).
   */
  public static bedrockTitanMultimodalEmbedding(options: BedrockTitanMultimodalEmbeddingOptions = {}): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => titanMultimodalEmbeddingConfig(scope, options, bind));
  }

  /**
   * Cohere Embed (English v3, Multilingual v3 and later) on Amazon Bedrock, with its input
   * type, truncation and embedding type.
   *
   * The connector role may call `bedrock:InvokeModel` on exactly this model (or inference profile).
   */
  public static bedrockCohereEmbed(options: BedrockCohereEmbedOptions = {}): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => cohereEmbedConfig(scope, options, bind));
  }

  /**
   * Amazon Nova Multimodal Embeddings (`amazon.nova-2-multimodal-embeddings-v1:0`) on Amazon
   * Bedrock: text, image, video and audio through one connector (OpenSearch 3.5+) or one per modality.
   *
   * The connector role may call `bedrock:InvokeModel` on exactly this model (or inference profile).
   */
  public static bedrockNovaMultimodalEmbedding(options: BedrockNovaMultimodalEmbeddingOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => novaMultimodalEmbeddingConfig(scope, options, bind));
  }

  /**
   * Anthropic Claude on Amazon Bedrock through the Messages API (Claude 3, 3.7, 4 and later),
   * called by model ID or inference profile.
   *
   * The connector role may call `bedrock:InvokeModel` on exactly this model, or on the
   * inference profile and, only through it, the foundation model in its destination Regions.
   */
  public static bedrockAnthropicClaude(options: BedrockAnthropicClaudeOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => anthropicClaudeConfig(scope, options, bind));
  }

  /**
   * Anthropic Claude on Amazon Bedrock through the legacy Text Completions API (Claude 2.x and
   * Claude Instant, which Amazon Bedrock lists as legacy or end of life: the model has no default).
   * For current Claude models use `bedrockAnthropicClaude()`.
   *
   * The connector role may call `bedrock:InvokeModel` on exactly this model.
   */
  public static bedrockAnthropicClaudeTextCompletion(options: BedrockAnthropicClaudeTextCompletionOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => anthropicClaudeTextCompletionConfig(scope, options, bind));
  }

  /**
   * Any Amazon Bedrock model that supports the Converse API, by model ID or inference profile.
   *
   * The connector role may call `bedrock:InvokeModel` (which authorizes Converse) on exactly
   * this model, or on the inference profile and, only through it, the foundation model.
   */
  public static bedrockConverse(options: BedrockConverseOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => converseConfig(scope, options, bind));
  }

  /**
   * AI21 Labs Jurassic-2 (`ai21.j2-mid-v1`, `ai21.j2-ultra-v1`) on Amazon Bedrock, which Amazon
   * Bedrock lists as legacy or end of life: the model has no default. For AI21's current models
   * (Jamba) use `bedrockConverse()`.
   *
   * The connector role may call `bedrock:InvokeModel` on exactly this model.
   */
  public static bedrockAi21Jurassic(options: BedrockAi21JurassicOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => ai21JurassicConfig(scope, options, bind));
  }

  /**
   * OpenAI models on Amazon Bedrock (gpt-oss) through Bedrock's OpenAI-compatible Chat
   * Completions API (`/openai/v1/chat/completions`).
   *
   * The connector role may call `bedrock:InvokeModel` on exactly this model.
   */
  public static bedrockOpenAiChatCompletions(options: BedrockOpenAiChatCompletionsOptions = {}): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => openAiChatCompletionsConfig(scope, options, bind));
  }

  /**
   * An Amazon Comprehend real-time API, for example `ComprehendApi.DETECT_DOMINANT_LANGUAGE`.
   *
   * The connector role may call exactly that one Comprehend action (on `*`: these actions
   * have no resource type in IAM).
   */
  public static comprehend(options: ComprehendOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => comprehendConfig(scope, options, bind));
  }

  /**
   * Amazon Textract DetectDocumentText: the text of a document image (`bytes`, base64).
   *
   * The connector role may call `textract:DetectDocumentText` (on `*`: the action has no
   * resource type in IAM).
   */
  public static textractDetectDocumentText(options: TextractDetectDocumentTextOptions = {}): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => textractDetectDocumentTextConfig(scope, options, bind));
  }

  /**
   * A connector to any AWS service, described action by action, with the IAM actions
   * and resources the connector role needs to call it.
   */
  public static custom(options: CustomConnectorOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => customConfig(scope, options, bind));
  }

  /**
   * OpenAI's Chat Completions API (`https://api.openai.com/v1/chat/completions`), with the API
   * key read from AWS Secrets Manager.
   *
   * The connector role may read exactly the secret (`secretsmanager:GetSecretValue`, and
   * `kms:Decrypt` through Secrets Manager when the secret has a customer managed key).
   */
  public static openAiChatCompletions(options: OpenAiChatCompletionsOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => openAiApiChatCompletionsConfig(scope, options, bind));
  }

  /**
   * OpenAI's legacy Completions API (`/v1/completions`, for example `gpt-3.5-turbo-instruct`),
   * with the API key read from AWS Secrets Manager.
   *
   * The connector role may read exactly the secret.
   */
  public static openAiCompletions(options: OpenAiCompletionsOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => openAiCompletionsConfig(scope, options, bind));
  }

  /**
   * OpenAI embeddings (`/v1/embeddings`), optionally with OpenAI batches for `batch_predict`,
   * with the API key read from AWS Secrets Manager.
   *
   * The connector role may read exactly the secret.
   */
  public static openAiEmbedding(options: OpenAiEmbeddingOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => openAiEmbeddingConfig(scope, options, bind));
  }

  /**
   * A chat model deployed in Azure OpenAI (`<resource>.openai.azure.com`, which the domain must
   * trust: see `trustedEndpoints`), with the API key read from AWS Secrets Manager.
   *
   * The connector role may read exactly the secret.
   */
  public static azureOpenAiChatCompletions(options: AzureOpenAiChatCompletionsOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => azureOpenAiChatCompletionsConfig(scope, options, bind));
  }

  /**
   * An embedding model deployed in Azure OpenAI (`<resource>.openai.azure.com`, which the domain
   * must trust), with the API key read from AWS Secrets Manager.
   *
   * The connector role may read exactly the secret.
   */
  public static azureOpenAiEmbedding(options: AzureOpenAiEmbeddingOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => azureOpenAiEmbeddingConfig(scope, options, bind));
  }

  /**
   * Cohere Embed through Cohere's own API (`https://api.cohere.ai/v1/embed`): texts or images,
   * with the API key read from AWS Secrets Manager.
   *
   * The connector role may read exactly the secret.
   */
  public static cohereEmbed(options: CohereEmbedOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => cohereApiEmbedConfig(scope, options, bind));
  }

  /**
   * Cohere's Chat API (v2 on api.cohere.com, which the domain must trust; or v1 on
   * api.cohere.ai), with the API key read from AWS Secrets Manager.
   *
   * The connector role may read exactly the secret.
   */
  public static cohereChat(options: CohereChatOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => cohereChatConfig(scope, options, bind));
  }

  /**
   * DeepSeek's Chat Completions API (`https://api.deepseek.com/v1/chat/completions`), with the
   * API key read from AWS Secrets Manager.
   *
   * The connector role may read exactly the secret.
   */
  public static deepSeekChat(options: DeepSeekChatOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => deepSeekChatConfig(scope, options, bind));
  }

  /**
   * Google Gemini's generateContent API (generativelanguage.googleapis.com, which the domain
   * must trust), with the API key read from AWS Secrets Manager.
   *
   * The connector role may read exactly the secret.
   */
  public static googleGeminiChat(options: GoogleGeminiChatOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => googleGeminiChatConfig(scope, options, bind));
  }

  /**
   * Google Vertex AI text embeddings (`<location>-aiplatform.googleapis.com`, which the domain
   * must trust), with the access token read from AWS Secrets Manager. Vertex AI access tokens
   * expire: something must keep the secret current.
   *
   * The connector role may read exactly the secret.
   */
  public static googleVertexAiEmbedding(options: GoogleVertexAiEmbeddingOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => googleVertexAiEmbeddingConfig(scope, options, bind));
  }

  /**
   * Aleph Alpha semantic embeddings (`https://api.aleph-alpha.com/semantic_embed`, which the
   * domain must trust), with the API token read from AWS Secrets Manager.
   *
   * The connector role may read exactly the secret.
   */
  public static alephAlphaEmbedding(options: AlephAlphaEmbeddingOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => alephAlphaEmbeddingConfig(scope, options, bind));
  }

  /**
   * Yandex Cloud AI Studio text embeddings (llm.api.cloud.yandex.net, which the domain must
   * trust), with the API key read from AWS Secrets Manager.
   *
   * The connector role may read exactly the secret.
   */
  public static yandexCloudEmbedding(options: YandexCloudEmbeddingOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => yandexCloudEmbeddingConfig(scope, options, bind));
  }

  /**
   * A connector to any third-party model API over HTTPS (protocol `http`), described action by
   * action, with the API key read from AWS Secrets Manager: headers read it as
   * `${credential.secretArn.<field>}`.
   *
   * The connector role may read exactly the secret.
   */
  public static customHttp(options: CustomHttpConnectorOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => customHttpConfig(scope, options, bind));
  }

  /**
   * Decides the connector body and permissions for a connector in `scope`.
   */
  public abstract bind(scope: Construct, options: ConnectorBlueprintBindOptions): ConnectorBlueprintConfig;

  /**
   * @internal What `MlConnector` calls: `bind()` with the domain's version spelled 'major.minor',
   * as the public options carry it. The factories' blueprints take the version as numbers.
   */
  public _bindTo(scope: Construct, context: BlueprintContext): ConnectorBlueprintConfig {
    return this.bind(scope, {
      domainRegion: context.domainRegion,
      engineVersion: context.engineVersion ? formatVersion(context.engineVersion) : undefined,
    });
  }
}

/** A blueprint whose configuration is computed by a function of one service's module. */
class FactoryBlueprint extends ConnectorBlueprint {
  constructor(
    private readonly produce: (scope: Construct, context: BlueprintContext) => ConnectorBlueprintConfig,
  ) {
    super();
  }

  public bind(scope: Construct, options: ConnectorBlueprintBindOptions): ConnectorBlueprintConfig {
    return this.produce(scope, { domainRegion: options.domainRegion, engineVersion: parseVersion(options.engineVersion) });
  }

  /** @internal */
  public _bindTo(scope: Construct, context: BlueprintContext): ConnectorBlueprintConfig {
    return this.produce(scope, context);
  }
}
