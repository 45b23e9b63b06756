import { IConstruct } from 'constructs';
import { quote } from '../errors';
import { AwsModelOptions, ProcessFunctionOptions, processFunctions } from './aws-model';
import { bedrockConfig, bedrockHeaders, bedrockModelUrl, ModelFamily } from './bedrock';
import { BedrockEmbeddingType, CohereInputType, CohereTruncate } from './bedrock-enums';
import { BedrockModel } from './bedrock-model';
import { checkBoolean, checkEnum, checkOneOf } from './checks';
import type { BlueprintContext } from './context';
import { embeddingOf, PROBE_TEXT } from './embedding';
import type { ConnectorAction, ConnectorBlueprintConfig } from './types';

/*
 * Amazon Bedrock embedding models: Amazon Titan Text Embeddings (G1 and V2), Amazon Titan
 * Multimodal Embeddings G1 and Cohere Embed v3. Bodies and functions are ml-commons' blueprints'.
 */

const BEDROCK_EMBEDDING_PRE = 'connector.pre_process.bedrock.embedding';
const BEDROCK_EMBEDDING_POST = 'connector.post_process.bedrock.embedding';

/** Options shared by the embedding blueprints. */
export interface BedrockEmbeddingOptions extends AwsModelOptions, ProcessFunctionOptions {
  /**
   * The model, or an inference profile or application inference profile of it.
   *
   * @default - the blueprint's model, for example `amazon.titan-embed-text-v2:0`
   */
  readonly model?: BedrockModel;
}

/**
 * Options for `ConnectorBlueprint.bedrockTitanTextEmbeddingV1()`.
 */
export interface BedrockTitanTextEmbeddingV1Options extends BedrockEmbeddingOptions {}

/**
 * Options for `ConnectorBlueprint.bedrockTitanTextEmbeddingV2()`.
 */
export interface BedrockTitanTextEmbeddingV2Options extends BedrockEmbeddingOptions {
  /**
   * Dimensions of the embeddings: 256, 512 or 1024.
   *
   * @default 1024
   */
  readonly dimensions?: number;

  /**
   * Whether the model normalizes the embeddings (for cosine similarity).
   *
   * @default true
   */
  readonly normalize?: boolean;

  /**
   * The number format of the embeddings: `FLOAT` or `BINARY`. Binary embeddings are read
   * with `connector.post_process.bedrock_v2.embedding.binary`.
   *
   * @default BedrockEmbeddingType.FLOAT
   */
  readonly embeddingType?: BedrockEmbeddingType;
}

/**
 * Options for `ConnectorBlueprint.bedrockTitanMultimodalEmbedding()`.
 */
export interface BedrockTitanMultimodalEmbeddingOptions extends BedrockEmbeddingOptions {
  /**
   * Dimensions of the embeddings (`embeddingConfig.outputEmbeddingLength`): 256, 384 or 1024.
   *
   * @default - not sent: the model's default, 1024
   */
  readonly dimensions?: number;
}

/**
 * Options for `ConnectorBlueprint.bedrockCohereEmbed()`.
 */
export interface BedrockCohereEmbedOptions extends BedrockEmbeddingOptions {
  /**
   * What is embedded (`input_type`); a prediction may pass another one.
   *
   * @default CohereInputType.SEARCH_DOCUMENT
   */
  readonly inputType?: CohereInputType;

  /**
   * What the model does with texts longer than its maximum (`truncate`).
   *
   * @default CohereTruncate.END
   */
  readonly truncate?: CohereTruncate;

  /**
   * The number format of the embeddings (`embedding_types`), read with
   * `connector.post_process.cohere_v2.embedding.<type>`.
   *
   * @default - not sent: float embeddings, read with `connector.post_process.cohere.embedding`
   */
  readonly embeddingType?: BedrockEmbeddingType;
}

export const TITAN_TEXT_V1: ModelFamily = {
  description: 'an Amazon Titan Text Embeddings G1 model',
  pattern: /^amazon\.titan-embed-text-v1(:|$)/,
  example: 'amazon.titan-embed-text-v1',
};
export const TITAN_TEXT_V2: ModelFamily = {
  description: 'an Amazon Titan Text Embeddings V2 model',
  pattern: /^amazon\.titan-embed-text-v2(:|$)/,
  example: 'amazon.titan-embed-text-v2:0',
};
export const TITAN_MULTIMODAL: ModelFamily = {
  description: 'an Amazon Titan Multimodal Embeddings model',
  pattern: /^amazon\.titan-embed-image-v\d+(:|$)/,
  example: 'amazon.titan-embed-image-v1',
};
export const COHERE_EMBED: ModelFamily = {
  description: 'a Cohere Embed model',
  pattern: /^cohere\.embed-/,
  example: 'cohere.embed-english-v3',
};

/** Titan Text Embeddings V2 output lengths (Bedrock user guide, "Amazon Titan Embeddings Text"). */
export const TITAN_TEXT_V2_DIMENSIONS: readonly number[] = [256, 512, 1024];
/** Titan Multimodal Embeddings G1 output lengths (`embeddingConfig.outputEmbeddingLength`). */
export const TITAN_MULTIMODAL_DIMENSIONS: readonly number[] = [256, 384, 1024];
/** What Titan Text Embeddings V2 returns in `embeddingsByType`. */
export const TITAN_TEXT_V2_EMBEDDING_TYPES: readonly BedrockEmbeddingType[] = [BedrockEmbeddingType.FLOAT, BedrockEmbeddingType.BINARY];
/** What Cohere Embed v3 returns (`embedding_types`). */
export const COHERE_EMBEDDING_TYPES: readonly BedrockEmbeddingType[] = [
  BedrockEmbeddingType.FLOAT, BedrockEmbeddingType.INT8, BedrockEmbeddingType.UINT8, BedrockEmbeddingType.BINARY, BedrockEmbeddingType.UBINARY,
];

type Functions = { preProcessFunction?: string; postProcessFunction?: string };

function invokeAction(region: string, requestBody: string, functions: Functions, sha256 = true): ConnectorAction {
  return {
    actionType: 'predict',
    method: 'POST',
    url: bedrockModelUrl(region, 'invoke'),
    headers: bedrockHeaders(sha256),
    requestBody,
    ...functions,
  };
}

const TEXT_PROBE = { inputText: PROBE_TEXT };

/** Cohere Embed v3 models on Bedrock return 1024 values, Embed v4 1536 by default; other versions are not assumed. */
const BEDROCK_COHERE_DIMENSIONS: Record<string, number> = {
  'cohere.embed-english-v3': 1024,
  'cohere.embed-multilingual-v3': 1024,
  'cohere.embed-v4:0': 1536,
};

export function titanTextEmbeddingV1Config(
  scope: IConstruct, options: BedrockTitanTextEmbeddingV1Options, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  const model = options.model ?? BedrockModel.foundationModel('amazon.titan-embed-text-v1');
  return bedrockConfig(scope, context, options, {
    model,
    family: TITAN_TEXT_V1,
    defaultDescription: 'Amazon Bedrock: Amazon Titan Text Embeddings G1',
    embedding: { dimension: 1536, probeParameters: TEXT_PROBE },
    parameters: {},
    actions: [invokeAction(region, '{ "inputText": "${parameters.inputText}" }',
      processFunctions(scope, context, options, { pre: BEDROCK_EMBEDDING_PRE, post: BEDROCK_EMBEDDING_POST }))],
  });
}

export function titanTextEmbeddingV2Config(
  scope: IConstruct, options: BedrockTitanTextEmbeddingV2Options, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  const model = options.model ?? BedrockModel.foundationModel('amazon.titan-embed-text-v2:0');
  const dimensions = options.dimensions ?? 1024;
  const embeddingType = options.embeddingType ?? BedrockEmbeddingType.FLOAT;
  checkOneOf(scope, 'dimensions', dimensions, TITAN_TEXT_V2_DIMENSIONS, `for Titan Text Embeddings V2 (${quote(model.id)})`);
  checkOneOf(scope, 'embeddingType', embeddingType, TITAN_TEXT_V2_EMBEDDING_TYPES, `for Titan Text Embeddings V2 (${quote(model.id)})`);
  checkBoolean(scope, 'normalize', options.normalize);
  const post = embeddingType === BedrockEmbeddingType.BINARY ? 'connector.post_process.bedrock_v2.embedding.binary' : BEDROCK_EMBEDDING_POST;
  return bedrockConfig(scope, context, options, {
    model,
    family: TITAN_TEXT_V2,
    defaultDescription: 'Amazon Bedrock: Amazon Titan Text Embeddings V2',
    // Titan V2 returns unit vectors unless normalize is false (Bedrock user guide: normalize defaults to true).
    embedding: {
      dimension: dimensions,
      probeParameters: TEXT_PROBE,
      normalized: (options.normalize ?? true) && embeddingType === BedrockEmbeddingType.FLOAT,
      vectorDataType: embeddingType.toLowerCase(),
    },
    parameters: { dimensions, normalize: options.normalize ?? true, embeddingTypes: [embeddingType] },
    actions: [invokeAction(region,
      '{ "inputText": "${parameters.inputText}", "dimensions": ${parameters.dimensions}, "normalize": ${parameters.normalize}, "embeddingTypes": ${parameters.embeddingTypes} }',
      processFunctions(scope, context, options, { pre: BEDROCK_EMBEDDING_PRE, post }))],
  });
}

export function titanMultimodalEmbeddingConfig(
  scope: IConstruct, options: BedrockTitanMultimodalEmbeddingOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  const model = options.model ?? BedrockModel.foundationModel('amazon.titan-embed-image-v1');
  checkOneOf(scope, 'dimensions', options.dimensions, TITAN_MULTIMODAL_DIMENSIONS, `for Titan Multimodal Embeddings (${quote(model.id)})`);
  const withDimensions = options.dimensions !== undefined;
  const body = withDimensions
    ? '{"inputText": "${parameters.inputText:-null}", "inputImage": "${parameters.inputImage:-null}", "embeddingConfig": {"outputEmbeddingLength": ${parameters.dimensions}}}'
    : '{"inputText": "${parameters.inputText:-null}", "inputImage": "${parameters.inputImage:-null}"}';
  return bedrockConfig(scope, context, options, {
    model,
    family: TITAN_MULTIMODAL,
    defaultDescription: 'Amazon Bedrock: Amazon Titan Multimodal Embeddings G1',
    embedding: { dimension: options.dimensions ?? 1024, probeParameters: TEXT_PROBE, multimodal: true },
    // Text and image of one document are two inputs of one request.
    parameters: { input_docs_processed_step_size: 2, ...(withDimensions ? { dimensions: options.dimensions } : {}) },
    actions: [invokeAction(region, body,
      processFunctions(scope, context, options, { pre: 'connector.pre_process.bedrock.multimodal_embedding', post: BEDROCK_EMBEDDING_POST }))],
  });
}

export function cohereEmbedConfig(
  scope: IConstruct, options: BedrockCohereEmbedOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  const model = options.model ?? BedrockModel.foundationModel('cohere.embed-english-v3');
  checkOneOf(scope, 'embeddingType', options.embeddingType, COHERE_EMBEDDING_TYPES, `for Cohere Embed (${quote(model.id)})`);
  checkEnum(scope, 'inputType', options.inputType, CohereInputType);
  checkEnum(scope, 'truncate', options.truncate, CohereTruncate);
  const type = options.embeddingType;
  const body = type === undefined
    ? '{ "texts": ${parameters.texts}, "truncate": "${parameters.truncate}", "input_type": "${parameters.input_type}" }'
    : '{ "texts": ${parameters.texts}, "truncate": "${parameters.truncate}", "input_type": "${parameters.input_type}", "embedding_types": ${parameters.embedding_types} }';
  return bedrockConfig(scope, context, options, {
    model,
    family: COHERE_EMBED,
    defaultDescription: 'Amazon Bedrock: Cohere Embed',
    // A cross-region profile (us.cohere...) calls the same model.
    // Cohere Embed v3 float vectors are unit length (Cohere documentation, "Embed models": cosine and dot product agree).
    ...embeddingOf(BEDROCK_COHERE_DIMENSIONS, model.id.replace(/^[a-z-]+\.(?=cohere\.)/, ''), { texts: [PROBE_TEXT] }, {
      normalized: type === undefined || type === BedrockEmbeddingType.FLOAT,
      vectorDataType: (type ?? BedrockEmbeddingType.FLOAT).toLowerCase(),
    }),
    parameters: {
      truncate: options.truncate ?? CohereTruncate.END,
      input_type: options.inputType ?? CohereInputType.SEARCH_DOCUMENT,
      ...(type !== undefined ? { embedding_types: [type] } : {}),
    },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: bedrockModelUrl(region, 'invoke'),
      headers: { 'x-amz-content-sha256': 'required', 'content-type': 'application/json' },
      requestBody: body,
      ...processFunctions(scope, context, options, {
        pre: 'connector.pre_process.cohere.embedding',
        post: type === undefined ? 'connector.post_process.cohere.embedding' : `connector.post_process.cohere_v2.embedding.${type}`,
      }),
    }],
  });
}
