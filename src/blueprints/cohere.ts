import { IConstruct } from 'constructs';
import { apiKey, ApiKeyOptions, httpConfig } from './api-key';
import { ProcessFunctionOptions, processFunctions } from './aws-model';
import { CohereInputType, CohereTruncate } from './bedrock-enums';
import { withChatProbe } from './chat';
import { checkEnum, checkName, rejectUnused } from './checks';
import type { BlueprintContext } from './context';
import { embeddingOf, PROBE_TEXT } from './embedding';
import { CohereChatApi, CohereEmbedInput } from './third-party-enums';
import type { ConnectorBlueprintConfig } from './types';

/*
 * Cohere's own API (api.cohere.ai, trusted by ml-commons by default; the v2 Chat API's
 * api.cohere.com is not), as ml-commons' blueprints call it.
 */

const COHERE_KEY = 'cohere_key';
/** ml-commons' blueprints identify the caller to Cohere. */
const REQUEST_SOURCE = 'unspecified:opensearch';

/**
 * Options for `ConnectorBlueprint.cohereEmbed()`.
 */
export interface CohereEmbedOptions extends ApiKeyOptions, ProcessFunctionOptions {
  /** The embedding model, for example `embed-english-v3.0`. */
  readonly model: string;

  /**
   * What the connector embeds.
   *
   * @default CohereEmbedInput.TEXTS
   */
  readonly input?: CohereEmbedInput;

  /**
   * What the texts are for (`TEXTS` only; images are `image`).
   *
   * @default CohereInputType.SEARCH_DOCUMENT
   */
  readonly inputType?: CohereInputType;

  /**
   * What to do with a text longer than the model's maximum.
   *
   * @default CohereTruncate.END
   */
  readonly truncate?: CohereTruncate;
}

/**
 * Options for `ConnectorBlueprint.cohereChat()`.
 */
export interface CohereChatOptions extends ApiKeyOptions {
  /** The model, for example `command-r-plus`. */
  readonly model: string;

  /**
   * The version of the Chat API. `V2` is on api.cohere.com, which the domain must be told to trust.
   *
   * @default CohereChatApi.V2
   */
  readonly api?: CohereChatApi;
}

export function cohereEmbedConfig(scope: IConstruct, options: CohereEmbedOptions, context: BlueprintContext): ConnectorBlueprintConfig {
  const key = apiKey(scope, options, COHERE_KEY);
  checkName(scope, 'model', options.model, 'embed-english-v3.0');
  const input = options.input ?? CohereEmbedInput.TEXTS;
  checkEnum(scope, 'input', input, CohereEmbedInput);
  checkEnum(scope, 'inputType', options.inputType, CohereInputType);
  const truncate = options.truncate ?? CohereTruncate.END;
  checkEnum(scope, 'truncate', truncate, CohereTruncate);
  const images = input === CohereEmbedInput.IMAGES;
  if (images) rejectUnused(scope, 'inputType', options.inputType, "with input IMAGES (its input_type is 'image')");
  const field = images ? 'images' : 'texts';
  return httpConfig(context.domainRegion, key, {
    provider: 'cohere',
    defaultName: `Cohere: ${options.model}`,
    defaultDescription: images ? 'Cohere Embed API: images' : 'Cohere Embed API',
    // Cohere Embed v3 float vectors are unit length (Cohere documentation, "Embed models").
    ...(images ? {} : embeddingOf(COHERE_EMBEDDING_DIMENSIONS, options.model, { texts: [PROBE_TEXT] }, { normalized: true })),
    parameters: { model: options.model, input_type: images ? 'image' : options.inputType ?? CohereInputType.SEARCH_DOCUMENT, truncate },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: 'https://api.cohere.ai/v1/embed',
      headers: { 'Authorization': `Bearer ${key.placeholder}`, 'Request-Source': REQUEST_SOURCE },
      requestBody: `{ "${field}": \${parameters.${field}}, "truncate": "\${parameters.truncate}", "model": "\${parameters.model}", "input_type": "\${parameters.input_type}" }`,
      ...processFunctions(scope, context, options, {
        pre: images ? 'connector.pre_process.cohere.multimodal_embedding' : 'connector.pre_process.cohere.embedding',
        post: 'connector.post_process.cohere.embedding',
      }),
    }],
  });
}

export function cohereChatConfig(scope: IConstruct, options: CohereChatOptions, context: BlueprintContext): ConnectorBlueprintConfig {
  const key = apiKey(scope, options, COHERE_KEY);
  checkName(scope, 'model', options.model, 'command-r-plus');
  const api = options.api ?? CohereChatApi.V2;
  checkEnum(scope, 'api', api, CohereChatApi);
  const headers = { 'Authorization': `Bearer ${key.placeholder}`, 'Request-Source': REQUEST_SOURCE };
  return withChatProbe(httpConfig(context.domainRegion, key, {
    provider: 'cohere',
    defaultName: `Cohere: ${options.model}`,
    defaultDescription: `Cohere Chat API ${api.toLowerCase()}`,
    parameters: { model: options.model },
    actions: [api === CohereChatApi.V1 ? {
      actionType: 'predict',
      method: 'POST',
      url: 'https://api.cohere.ai/v1/chat',
      headers,
      requestBody: '{ "message": "${parameters.message}", "model": "${parameters.model}" }',
    } : {
      actionType: 'predict',
      method: 'POST',
      url: 'https://api.cohere.com/v2/chat',
      supportsStructuredOutput: true,
      headers,
      requestBody: '{ "model": "${parameters.model}", "stream": false, "messages": ${parameters.messages} }',
    }],
  }));
}

/** Vector lengths of Cohere's v3 embedding models (Cohere documentation, "Embed models"). */
const COHERE_EMBEDDING_DIMENSIONS: Record<string, number> = {
  'embed-english-v3.0': 1024,
  'embed-multilingual-v3.0': 1024,
  'embed-english-light-v3.0': 384,
  'embed-multilingual-light-v3.0': 384,
};
