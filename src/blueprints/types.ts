import * as iam from 'aws-cdk-lib/aws-iam';

/*
 * The public types of blueprints: what a connector action is, what a blueprint learns when it is
 * bound and what it decides. Every blueprint module and the connector import them from here.
 */

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

  /**
   * Whether the model returns unit-length vectors. A vector index then compares them by inner
   * product, which ranks exactly as cosine similarity does on unit vectors, is supported by every
   * k-NN engine, and needs no normalization at search time.
   *
   * @default false - not known to be normalized: compared by Euclidean distance (l2)
   */
  readonly normalized?: boolean;

  /**
   * The number format of the vectors: `float`, or the model's name of another format
   * (`int8`, `uint8`, `binary`, `ubinary`), which a `VectorIndex` does not store.
   *
   * @default 'float'
   */
  readonly vectorDataType?: string;

  /**
   * Whether the model embeds text and images together (the `text_image_embedding` processor).
   *
   * @default false
   */
  readonly multimodal?: boolean;
}

/**
 * How the `retrieval_augmented_generation` search processor (RAG) calls a chat model: what
 * `SearchProcessor.retrievalAugmentedGeneration()` takes from the model's blueprint.
 */
export interface GenerativeQaModelInfo {
  /**
   * The processor's `llm_model`: its prefix decides how the prompt is sent and the answer read
   * (`bedrock/` sends `inputs` and reads `completion`; no prefix sends OpenAI-style `messages`
   * and the value as `model`, and reads `choices`).
   */
  readonly llmModel: string;

  /**
   * The field of the model's answer that holds the text, when the connector's response filter puts
   * it there: each search request names it as `ext.generative_qa_parameters.llm_response_field`
   * (OpenSearch 2.13+).
   *
   * @default - none: the processor reads the answer by `llmModel`
   */
  readonly llmResponseField?: string;
}

/**
 * Everything a blueprint decides about a connector: its body and the permissions
 * OpenSearch needs to call the model.
 */
export interface ConnectorBlueprintConfig {
  /**
   * The SigV4 signing name of the model's service, for example `sagemaker`. Not sent for an
   * `http` connector (third-party blueprints give the provider's name, for example `openai`).
   */
  readonly serviceName: string;

  /** The region of the model. Not sent for an `http` connector (third-party blueprints give the domain's region). */
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

  /**
   * How the RAG search processor calls the model, for a chat model that it can call.
   *
   * @default - not a chat model that the RAG processor can call as it is
   */
  readonly generativeQa?: GenerativeQaModelInfo;

  /**
   * The parameters of a `_predict` call that asks the model something short, for a model that is
   * not an embedding model (a chat model): what `ModelVerification.predict()` sends when it is
   * given no parameters.
   *
   * @default - the embedding's probe; none for other models
   */
  readonly probeParameters?: { [key: string]: any };

  /**
   * How OpenSearch calls the model: `aws_sigv4` (an AWS service, signed with the connector
   * role; `region` and `serviceName` are sent as parameters) or `http` (a third-party API whose
   * key is read from AWS Secrets Manager: `secretArn` is required, and `region` and
   * `serviceName` are not sent).
   *
   * @default 'aws_sigv4'
   */
  readonly protocol?: string;

  /**
   * For an `http` connector: the ARN of the AWS Secrets Manager secret whose JSON holds the
   * API key (`credential.secretArn`). Headers read a field of it as
   * `${credential.secretArn.<field>}`, and `policyStatements` must allow the connector role
   * `secretsmanager:GetSecretValue` on it.
   *
   * @default - no secret (an `aws_sigv4` connector)
   */
  readonly secretArn?: string;
}
