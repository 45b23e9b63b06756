import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
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
import { comprehendConfig, ComprehendOptions } from './blueprints/comprehend';
import { customConfig, CustomConnectorOptions } from './blueprints/custom';
import {
  sageMakerAsyncEndpointConfig, SageMakerAsyncEndpointOptions, sageMakerBatchTransformConfig, SageMakerBatchTransformOptions,
  sageMakerEndpointConfig, SageMakerEndpointOptions, sageMakerSemanticHighlighterConfig, SageMakerSemanticHighlighterOptions,
} from './blueprints/sagemaker';
import { textractDetectDocumentTextConfig, TextractDetectDocumentTextOptions } from './blueprints/textract';

/**
 * One action of a connector: how OpenSearch calls the model for one kind of request.
 * The fields are those of an ml-commons connector action, in camelCase.
 */
export interface ConnectorAction {
  /**
   * The action type: `predict`; `execute` (OpenSearch 2.15+); `batch_predict`,
   * `cancel_batch_predict` or `batch_predict_status` (2.17+). Case-insensitive.
   */
  readonly actionType: string;

  /**
   * The HTTP method OpenSearch uses to call the model.
   *
   * @default 'POST'
   */
  readonly method?: string;

  /**
   * The URL OpenSearch calls. It may contain `${parameters.<name>}` placeholders, and
   * once they are filled it must match one of the domain's trusted connector endpoints.
   */
  readonly url: string;

  /**
   * HTTP headers OpenSearch sends to the model.
   *
   * @default - no headers
   */
  readonly headers?: { [name: string]: string };

  /**
   * The request body template, usually JSON with `${parameters.<name>}` placeholders.
   *
   * @default - no body
   */
  readonly requestBody?: string;

  /**
   * A built-in pre-process function (for example `connector.pre_process.default.embedding`)
   * or a Painless script.
   *
   * @default - none
   */
  readonly preProcessFunction?: string;

  /**
   * A built-in post-process function (for example `connector.post_process.default.embedding`)
   * or a Painless script.
   *
   * @default - none
   */
  readonly postProcessFunction?: string;

  /**
   * Marks an action whose model can answer in a JSON schema the caller gives
   * (`supports_structured_output`, read by recent ml-commons versions, as in the Converse blueprint).
   *
   * @default - not sent
   */
  readonly supportsStructuredOutput?: boolean;
}

/**
 * What a blueprint learns about the connector it is bound to.
 */
export interface ConnectorBlueprintBindOptions {
  /** The region of the OpenSearch domain (may be a token). */
  readonly domainRegion: string;

  /**
   * The domain's OpenSearch version as 'major.minor', when the domain is defined in this app.
   *
   * @default - unknown (an imported domain)
   */
  readonly engineVersion?: string;
}

/**
 * What a blueprint knows about a model that returns embeddings: `MlModel` uses it for the
 * model's `model_config` and for its deploy-time smoke test.
 */
export interface EmbeddingModelInfo {
  /** The length of the vectors the model returns. */
  readonly dimension: number;

  /**
   * Parameters of a `_predict` call that embeds a short text, for example
   * `{ inputText: 'hello world' }`.
   */
  readonly probeParameters: { [key: string]: any };
}

/**
 * Everything a blueprint decides about a connector: its body and the permissions
 * OpenSearch needs to call the model.
 */
export interface ConnectorBlueprintConfig {
  /** The SigV4 signing name of the model's service, for example `sagemaker`. */
  readonly serviceName: string;

  /** The region of the model. */
  readonly region: string;

  /** Connector name used when the connector's props give none. */
  readonly defaultName: string;

  /** Connector description used when the connector's props give none. */
  readonly defaultDescription: string;

  /**
   * The connector's parameters other than `region` and `service_name`, which are
   * added from `region` and `serviceName`.
   */
  readonly parameters: { [key: string]: any };

  /** The connector's actions. */
  readonly actions: ConnectorAction[];

  /** What the connector role may do: exactly the invoke actions on exactly the model's resources. */
  readonly policyStatements: iam.PolicyStatement[];

  /**
   * A role in the model's account that the connector role assumes to call the model
   * (`credential.externalAccountRoleArn`, OpenSearch 2.15+).
   *
   * @default - the model is called with the connector role itself
   */
  readonly externalAccountRoleArn?: string;

  /**
   * Why a policy statement needs a wildcard (for example the foundation model in every
   * region a cross-region inference profile may route to). Recorded on the connector role
   * as the reason of a cdk-nag AwsSolutions-IAM5 suppression.
   *
   * @default - the statements hold no wildcard
   */
  readonly wildcardReason?: string;

  /**
   * The embedding dimension and a probe input, for a model that returns embeddings.
   *
   * @default - not an embedding model, or its dimension is not known
   */
  readonly embedding?: EmbeddingModelInfo;
}

/**
 * A kind of model that a connector can call, with the connector body and the IAM
 * permissions that go with it.
 *
 * Use the static factory methods; `custom()` covers any AWS service that has no
 * typed factory yet.
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
   * Anthropic Claude on Amazon Bedrock through the legacy Text Completions API (`anthropic.claude-v2`).
   *
   * The connector role may call `bedrock:InvokeModel` on exactly this model.
   */
  public static bedrockAnthropicClaudeTextCompletion(options: BedrockAnthropicClaudeTextCompletionOptions = {}): ConnectorBlueprint {
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
   * AI21 Labs Jurassic-2 (`ai21.j2-mid-v1`, `ai21.j2-ultra-v1`) on Amazon Bedrock.
   *
   * The connector role may call `bedrock:InvokeModel` on exactly this model.
   */
  public static bedrockAi21Jurassic(options: BedrockAi21JurassicOptions = {}): ConnectorBlueprint {
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
   * Decides the connector body and permissions for a connector in `scope`.
   */
  public abstract bind(scope: Construct, options: ConnectorBlueprintBindOptions): ConnectorBlueprintConfig;
}

/** A blueprint whose configuration is computed by a function of one service's module. */
class FactoryBlueprint extends ConnectorBlueprint {
  constructor(
    private readonly produce: (scope: Construct, options: ConnectorBlueprintBindOptions) => ConnectorBlueprintConfig,
  ) {
    super();
  }

  public bind(scope: Construct, options: ConnectorBlueprintBindOptions): ConnectorBlueprintConfig {
    return this.produce(scope, options);
  }
}
