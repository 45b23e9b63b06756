import { IConstruct } from 'constructs';
import { EngineVersionNumber } from '../engine-version';
import { MlValidationError, quote } from '../errors';
import { AwsModelOptions, ProcessFunctionOptions, processFunctions } from './aws-model';
import { bedrockConfig, bedrockHeaders, bedrockModelUrl, ModelFamily } from './bedrock';
import {
  NovaAudioFormat, NovaEmbeddingModality, NovaImageDetailLevel, NovaImageFormat, NovaTruncationMode, NovaVideoEmbeddingMode, NovaVideoFormat,
} from './bedrock-enums';
import { BedrockModel } from './bedrock-model';
import { checkEnum, checkOneOf } from './checks';
import { BlueprintContext, requireEngine } from './context';
import { PROBE_TEXT } from './embedding';
import type { ConnectorBlueprintConfig } from './types';

/*
 * Amazon Nova Multimodal Embeddings: one connector for every modality, or one per modality,
 * with the request bodies and functions of ml-commons' Nova blueprint.
 */

/**
 * Options for `ConnectorBlueprint.bedrockNovaMultimodalEmbedding()`.
 */
export interface BedrockNovaMultimodalEmbeddingOptions extends AwsModelOptions, ProcessFunctionOptions {
  /** Which input the connector takes: every modality (OpenSearch 3.5+) or one. */
  readonly modality: NovaEmbeddingModality;

  /**
   * The model, or an inference profile or application inference profile of it.
   *
   * @default BedrockModel.foundationModel('amazon.nova-2-multimodal-embeddings-v1:0')
   */
  readonly model?: BedrockModel;

  /**
   * Dimensions of the embeddings (`embeddingDimension`): 256, 384, 1024 or 3072.
   *
   * @default 1024
   */
  readonly dimensions?: number;

  /**
   * What the model does with a text longer than its maximum (modalities `ALL` and `TEXT`).
   *
   * @default NovaTruncationMode.END
   */
  readonly truncationMode?: NovaTruncationMode;

  /**
   * The format of the images (modalities `ALL` and `IMAGE`).
   *
   * @default - given with each prediction (`imageFormat` parameter)
   */
  readonly imageFormat?: NovaImageFormat;

  /**
   * How images are read (modalities `ALL` and `IMAGE`).
   *
   * @default NovaImageDetailLevel.STANDARD_IMAGE
   */
  readonly detailLevel?: NovaImageDetailLevel;

  /**
   * The format of the videos (modalities `ALL` and `VIDEO`).
   *
   * @default - given with each prediction (`videoFormat` parameter)
   */
  readonly videoFormat?: NovaVideoFormat;

  /**
   * Whether a video's picture and sound get one embedding (modalities `ALL` and `VIDEO`).
   *
   * @default NovaVideoEmbeddingMode.AUDIO_VIDEO_COMBINED
   */
  readonly embeddingMode?: NovaVideoEmbeddingMode;

  /**
   * The format of the audio (modalities `ALL` and `AUDIO`).
   *
   * @default - given with each prediction (`audioFormat` parameter)
   */
  readonly audioFormat?: NovaAudioFormat;
}

export const NOVA_EMBEDDINGS: ModelFamily = {
  description: 'an Amazon Nova Multimodal Embeddings model',
  pattern: /^amazon\.nova-.*multimodal-embeddings/,
  example: 'amazon.nova-2-multimodal-embeddings-v1:0',
};

/** `embeddingDimension` values of Nova Multimodal Embeddings (Amazon Nova user guide, embeddings request schema). */
export const NOVA_DIMENSIONS: readonly number[] = [256, 384, 1024, 3072];

/** The unified connector's pre-process function needs OpenSearch 3.5 (ml-commons' Nova blueprint, option A). */
export const NOVA_ALL_MODALITIES_SINCE: EngineVersionNumber = [3, 5];

const M = NovaEmbeddingModality;

/** Which modalities each option applies to. */
const OPTION_MODALITIES: Record<string, readonly NovaEmbeddingModality[]> = {
  truncationMode: [M.ALL, M.TEXT],
  imageFormat: [M.ALL, M.IMAGE],
  detailLevel: [M.ALL, M.IMAGE],
  videoFormat: [M.ALL, M.VIDEO],
  embeddingMode: [M.ALL, M.VIDEO],
  audioFormat: [M.ALL, M.AUDIO],
};

const BODIES: Record<NovaEmbeddingModality, string> = {
  [M.ALL]: '{\n  "taskType": "SINGLE_EMBEDDING",\n  "singleEmbeddingParams": {\n    "embeddingPurpose": "GENERIC_INDEX",\n    "embeddingDimension": ${parameters.dimensions},\n    "text": {\n      "truncationMode": "${parameters.truncationMode:-null}",\n      "value": "${parameters.text:-null}"\n    },\n    "image": {\n      "detailLevel": "${parameters.detailLevel:-null}",\n      "format": "${parameters.imageFormat:-null}",\n      "source": {\n        "bytes": "${parameters.image:-null}"\n      }\n    },\n    "video": {\n      "format": "${parameters.videoFormat:-null}",\n      "source": {\n        "bytes": "${parameters.video:-null}"\n      },\n      "embeddingMode": "${parameters.embeddingMode:-null}"\n    },\n    "audio": {\n      "format": "${parameters.audioFormat:-null}",\n      "source": {\n        "bytes": "${parameters.audio:-null}"\n      }\n    }\n  }\n}',
  [M.TEXT]: '{\n  "taskType": "SINGLE_EMBEDDING",\n  "singleEmbeddingParams": {\n  "embeddingPurpose": "GENERIC_INDEX",\n   "embeddingDimension": ${parameters.dimensions},\n    "text": {\n      "truncationMode": "${parameters.truncationMode}",\n      "value": "${parameters.inputText}"\n    }\n  }\n}',
  [M.IMAGE]: '{\n  "taskType": "SINGLE_EMBEDDING",\n  "singleEmbeddingParams": {\n  "embeddingPurpose": "IMAGE_RETRIEVAL",\n "embeddingDimension": ${parameters.dimensions},\n    "image": {\n      "format": "${parameters.imageFormat}",\n      "detailLevel": "${parameters.detailLevel}",\n      "source": {\n        "bytes": "${parameters.inputImage}"\n      }\n    }\n  }\n}',
  [M.VIDEO]: '{\n  "taskType": "SINGLE_EMBEDDING",\n  "singleEmbeddingParams": {\n "embeddingPurpose": "VIDEO_RETRIEVAL",       "embeddingDimension": ${parameters.dimensions},\n        "video": {\n            "format": "${parameters.videoFormat}",\n            "embeddingMode": "${parameters.embeddingMode}",\n            "source": {\n                "bytes": "${parameters.inputVideo}"\n            }\n        }\n    }\n}',
  [M.AUDIO]: '{\n  "taskType": "SINGLE_EMBEDDING",\n  "singleEmbeddingParams": {\n  "embeddingPurpose": "AUDIO_RETRIEVAL",      "embeddingDimension": ${parameters.dimensions},\n        "audio": {\n            "format": "${parameters.audioFormat}",\n"source": {\n                "bytes": "${parameters.inputAudio}"\n            }\n        }\n    }\n}',
};

const PRE_PROCESS: Record<NovaEmbeddingModality, string> = {
  [M.ALL]: 'connector.pre_process.bedrock.nova.embedding',
  [M.TEXT]: 'connector.pre_process.bedrock.nova.text_embedding',
  [M.IMAGE]: 'connector.pre_process.bedrock.nova.image_embedding',
  [M.VIDEO]: 'connector.pre_process.bedrock.nova.video_embedding',
  [M.AUDIO]: 'connector.pre_process.bedrock.nova.audio_embedding',
};

export function novaMultimodalEmbeddingConfig(
  scope: IConstruct, options: BedrockNovaMultimodalEmbeddingOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  const model = options.model ?? BedrockModel.foundationModel('amazon.nova-2-multimodal-embeddings-v1:0');
  const modality = options.modality;
  checkEnum(scope, 'modality', modality, NovaEmbeddingModality);
  if (modality === M.ALL) {
    requireEngine(scope, context, NOVA_ALL_MODALITIES_SINCE, 'blueprint modality NovaEmbeddingModality.ALL (connector.pre_process.bedrock.nova.embedding)');
  }
  const dimensions = options.dimensions ?? 1024;
  checkOneOf(scope, 'dimensions', dimensions, NOVA_DIMENSIONS, `for Nova Multimodal Embeddings (${quote(model.id)})`);
  for (const [option, modalities] of Object.entries(OPTION_MODALITIES)) {
    const value = (options as unknown as Record<string, string | undefined>)[option];
    if (value !== undefined && !modalities.includes(modality)) {
      throw new MlValidationError(scope,
        `blueprint ${option} applies to the modalities ${modalities.join(' and ')}; received ${option} ${quote(value)} with modality ${modality}.`);
    }
  }
  checkEnum(scope, 'truncationMode', options.truncationMode, NovaTruncationMode);
  checkEnum(scope, 'imageFormat', options.imageFormat, NovaImageFormat);
  checkEnum(scope, 'detailLevel', options.detailLevel, NovaImageDetailLevel);
  checkEnum(scope, 'videoFormat', options.videoFormat, NovaVideoFormat);
  checkEnum(scope, 'embeddingMode', options.embeddingMode, NovaVideoEmbeddingMode);
  checkEnum(scope, 'audioFormat', options.audioFormat, NovaAudioFormat);

  const uses = (option: string) => OPTION_MODALITIES[option].includes(modality);
  const parameters: Record<string, unknown> = {
    input_docs_processed_step_size: 1,
    dimensions,
    // ml-commons' blueprint sends these too; the request bodies do not read them.
    normalize: true,
    embeddingTypes: ['float'],
    ...(uses('truncationMode') ? { truncationMode: options.truncationMode ?? NovaTruncationMode.END } : {}),
    ...(uses('imageFormat') && options.imageFormat !== undefined ? { imageFormat: options.imageFormat } : {}),
    ...(uses('detailLevel') ? { detailLevel: options.detailLevel ?? NovaImageDetailLevel.STANDARD_IMAGE } : {}),
    ...(uses('videoFormat') && options.videoFormat !== undefined ? { videoFormat: options.videoFormat } : {}),
    ...(uses('embeddingMode') ? { embeddingMode: options.embeddingMode ?? NovaVideoEmbeddingMode.AUDIO_VIDEO_COMBINED } : {}),
    ...(uses('audioFormat') && options.audioFormat !== undefined ? { audioFormat: options.audioFormat } : {}),
  };

  const probe = modality === M.TEXT ? { inputText: PROBE_TEXT } : modality === M.ALL ? { text: PROBE_TEXT } : undefined;
  return bedrockConfig(scope, context, options, {
    model,
    family: NOVA_EMBEDDINGS,
    ...(probe ? { embedding: { dimension: dimensions, probeParameters: probe } } : {}),
    defaultDescription: `Amazon Bedrock: Amazon Nova Multimodal Embeddings (${modality.toLowerCase()})`,
    parameters,
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: bedrockModelUrl(region, 'invoke'),
      headers: bedrockHeaders(true),
      requestBody: BODIES[modality],
      ...processFunctions(scope, context, options, { pre: PRE_PROCESS[modality], post: 'connector.post_process.bedrock.nova.embedding' }),
    }],
  });
}
