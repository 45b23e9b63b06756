import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { MlValidationError, quote } from '../errors';
import { apiKey, ApiKeyOptions, httpConfig } from './api-key';
import { ProcessFunctionOptions, processFunctions } from './aws-model';
import { checkEnum, checkName } from './checks';
import type { BlueprintContext } from './context';
import { YandexCloudEmbeddingApi } from './third-party-enums';
import type { ConnectorBlueprintConfig } from './types';

/*
 * Yandex Cloud AI Studio text embeddings (llm.api.cloud.yandex.net, not among ml-commons'
 * default trusted endpoints), as ml-commons' blueprints call them: the API key goes in an
 * `Api-Key` authorization header.
 */

/**
 * Options for `ConnectorBlueprint.yandexCloudEmbedding()`.
 */
export interface YandexCloudEmbeddingOptions extends ApiKeyOptions, ProcessFunctionOptions {
  /** The Yandex Cloud folder that holds the model. */
  readonly folderId: string;

  /**
   * The embedding model: `text-search-doc` for documents, `text-search-query` for queries.
   *
   * @default 'text-search-doc'
   */
  readonly model?: string;

  /**
   * The API. The process functions default to ml-commons' blueprints: none for the
   * OpenAI-compatible API (an ML inference processor maps input and output), the Bedrock
   * embedding functions (one `inputText`, one `embedding`) for `FOUNDATION_MODELS`.
   *
   * @default YandexCloudEmbeddingApi.OPENAI_COMPATIBLE
   */
  readonly api?: YandexCloudEmbeddingApi;
}

const FOLDER = /^[a-z0-9]{1,50}$/;

export function yandexCloudEmbeddingConfig(
  scope: IConstruct, options: YandexCloudEmbeddingOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const key = apiKey(scope, options, 'api_key');
  if (!Token.isUnresolved(options.folderId) && !FOLDER.test(options.folderId)) {
    throw new MlValidationError(scope, `blueprint folderId must be a Yandex Cloud folder ID (lower-case letters and digits) such as 'b1g0123456789abcdefg'; received ${quote(options.folderId)}.`);
  }
  const model = options.model ?? 'text-search-doc';
  checkName(scope, 'model', model, 'text-search-doc');
  const api = options.api ?? YandexCloudEmbeddingApi.OPENAI_COMPATIBLE;
  checkEnum(scope, 'api', api, YandexCloudEmbeddingApi);
  const modelUri = `emb://${options.folderId}/${model}/latest`;
  const authorization = `Api-Key ${key.placeholder}`;
  const common = { provider: 'yandex-cloud', defaultName: `Yandex Cloud: ${model}`, defaultDescription: 'Yandex Cloud AI Studio embeddings' };
  if (api === YandexCloudEmbeddingApi.FOUNDATION_MODELS) {
    return httpConfig(context.domainRegion, key, {
      ...common,
      parameters: { modelUri, folder_id: options.folderId },
      actions: [{
        actionType: 'predict',
        method: 'POST',
        url: 'https://llm.api.cloud.yandex.net/foundationModels/v1/textEmbedding',
        headers: { 'Authorization': authorization, 'x-folder-id': '${parameters.folder_id}' },
        requestBody: '{ "text": "${parameters.inputText}", "modelUri": "${parameters.modelUri}" }',
        ...processFunctions(scope, context, options, { pre: 'connector.pre_process.bedrock.embedding', post: 'connector.post_process.bedrock.embedding' }),
      }],
    });
  }
  return httpConfig(context.domainRegion, key, {
    ...common,
    parameters: { model: modelUri },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: 'https://llm.api.cloud.yandex.net/v1/embeddings',
      headers: { Authorization: authorization },
      requestBody: '{ "input": ${parameters.input}, "model": "${parameters.model}" }',
      ...processFunctions(scope, context, options, {}),
    }],
  });
}
