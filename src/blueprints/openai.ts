import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { MlValidationError, quote } from '../errors';
import { ACTION_TYPES } from '../validation';
import { apiKey, ApiKeyOptions, httpConfig } from './api-key';
import { ProcessFunctionOptions, processFunctions } from './aws-model';
import {
  CHAT_COMPLETION_TEXT, JSON_CONTENT, JUDGMENT_MESSAGES, JUDGMENT_POST_PROCESS, openAiCompatibleChat, OpenAiCompatibleFlavor, withChatProbe,
} from './chat';
import { checkBoolean, checkEnum, checkHost, checkInteger, checkName, checkRange, rejectUnused } from './checks';
import { BlueprintContext, requireEngine } from './context';
import { embeddingOf, PROBE_TEXT } from './embedding';
import { ChatRequestFormat } from './third-party-enums';
import type { ConnectorAction, ConnectorBlueprintConfig } from './types';

/*
 * OpenAI (api.openai.com, trusted by ml-commons by default) and Azure OpenAI
 * (<resource>.openai.azure.com, which the domain must be told to trust), as ml-commons'
 * blueprints call them, with the API key read from AWS Secrets Manager.
 */

/** ml-commons' blueprints name the OpenAI and Azure OpenAI key `openAI_key`. */
const OPENAI_KEY = 'openAI_key';
const OPENAI_HOST = 'api.openai.com';
const OPENAI_EMBEDDING_PROCESS = { pre: 'connector.pre_process.openai.embedding', post: 'connector.post_process.openai.embedding' };

/**
 * Options for `ConnectorBlueprint.openAiChatCompletions()`.
 */
export interface OpenAiChatCompletionsOptions extends ApiKeyOptions {
  /** The model, for example `gpt-4o`. */
  readonly model: string;

  /**
   * The request the connector takes.
   *
   * @default ChatRequestFormat.MESSAGES
   */
  readonly requestFormat?: ChatRequestFormat;

  /**
   * The host of the API (an OpenAI-compatible API elsewhere must also be among the domain's trusted endpoints).
   *
   * @default 'api.openai.com'
   */
  readonly endpoint?: string;
}

/**
 * Options for `ConnectorBlueprint.openAiCompletions()`.
 */
export interface OpenAiCompletionsOptions extends ApiKeyOptions {
  /** The model, for example `gpt-3.5-turbo-instruct`. */
  readonly model: string;

  /**
   * The most tokens to generate (`max_tokens`), unless a prediction gives another.
   *
   * @default 16 (the API's default)
   */
  readonly maxTokens?: number;

  /**
   * Sampling temperature, 0 to 2, unless a prediction gives another.
   *
   * @default 1 (the API's default)
   */
  readonly temperature?: number;

  /**
   * The host of the API.
   *
   * @default 'api.openai.com'
   */
  readonly endpoint?: string;
}

/**
 * Options for `ConnectorBlueprint.openAiEmbedding()`.
 */
export interface OpenAiEmbeddingOptions extends ApiKeyOptions, ProcessFunctionOptions {
  /** The embedding model, for example `text-embedding-3-small`. */
  readonly model: string;

  /**
   * Add a `batch_predict` action (OpenSearch 2.17+) that starts an OpenAI batch of embeddings
   * (`POST /v1/batches`) from a file uploaded to OpenAI.
   *
   * @default false
   */
  readonly batchPredict?: boolean;

  /**
   * With `batchPredict`: the ID of the uploaded input file (`input_file_id`), unless
   * `_batch_predict` gives one.
   *
   * @default - each `_batch_predict` call gives `input_file_id`
   */
  readonly batchInputFileId?: string;
}

/**
 * Options for `ConnectorBlueprint.azureOpenAiChatCompletions()`.
 */
export interface AzureOpenAiChatCompletionsOptions extends ApiKeyOptions, AzureOpenAiDeploymentOptions {
  /**
   * The request the connector takes.
   *
   * @default ChatRequestFormat.MESSAGES
   */
  readonly requestFormat?: ChatRequestFormat;

  /**
   * Sampling temperature, 0 to 2 (`MESSAGES` only).
   *
   * @default 0.7 (ml-commons' blueprint)
   */
  readonly temperature?: number;
}

/**
 * Options for `ConnectorBlueprint.azureOpenAiEmbedding()`.
 */
export interface AzureOpenAiEmbeddingOptions extends ApiKeyOptions, AzureOpenAiDeploymentOptions, ProcessFunctionOptions {}

/**
 * Which Azure OpenAI deployment a connector calls.
 */
export interface AzureOpenAiDeploymentOptions {
  /**
   * The Azure OpenAI resource: the endpoint is `<resourceName>.openai.azure.com`.
   *
   * @default - `endpoint` must be given
   */
  readonly resourceName?: string;

  /**
   * The host of the resource, for a resource whose endpoint is not `<resourceName>.openai.azure.com`.
   *
   * @default - `<resourceName>.openai.azure.com`
   */
  readonly endpoint?: string;

  /** The deployment of the model in the resource (`deploy-name`). */
  readonly deploymentName: string;

  /** The Azure OpenAI API version (`api-version`), for example `2024-10-21`. */
  readonly apiVersion: string;

  /**
   * The model the deployment serves (`model` parameter, informative: Azure picks the model by deployment).
   *
   * @default - not sent (`LLM_JUDGMENT`), or as ml-commons' blueprints: `gpt-4` for chat, `text-embedding-ada-002` for embeddings
   */
  readonly model?: string;
}

export function openAiChatCompletionsConfig(
  scope: IConstruct, options: OpenAiChatCompletionsOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const key = apiKey(scope, options, OPENAI_KEY);
  const endpoint = options.endpoint ?? OPENAI_HOST;
  checkHost(scope, 'endpoint', endpoint, OPENAI_HOST);
  checkName(scope, 'model', options.model, 'gpt-4o');
  const format = options.requestFormat ?? ChatRequestFormat.MESSAGES;
  checkEnum(scope, 'requestFormat', format, ChatRequestFormat);
  return withChatProbe(httpConfig(context.domainRegion, key, {
    provider: 'openai',
    defaultName: `OpenAI: ${options.model}`,
    defaultDescription: 'OpenAI Chat Completions API',
    parameters: { endpoint, model: options.model },
    actions: [openAiCompatibleChat(key.placeholder, format, OPENAI_FLAVOR)],
    // The RAG processor sends OpenAI messages, and its llm_model as `model`.
    ...(format === ChatRequestFormat.MESSAGES ? { generativeQa: { llmModel: options.model } } : {}),
  }));
}

/** OpenAI's blueprints: the judgment sends the two prompts as messages. */
const OPENAI_FLAVOR: OpenAiCompatibleFlavor = {
  contentTypeAlways: false,
  judgmentBody: `{"model":"\${parameters.model}","messages":${JUDGMENT_MESSAGES}}`,
};

export function openAiCompletionsConfig(
  scope: IConstruct, options: OpenAiCompletionsOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const key = apiKey(scope, options, OPENAI_KEY);
  const endpoint = options.endpoint ?? OPENAI_HOST;
  checkHost(scope, 'endpoint', endpoint, OPENAI_HOST);
  checkName(scope, 'model', options.model, 'gpt-3.5-turbo-instruct');
  checkInteger(scope, 'maxTokens', options.maxTokens, 1);
  checkRange(scope, 'temperature', options.temperature, 0, 2);
  return withChatProbe(httpConfig(context.domainRegion, key, {
    provider: 'openai',
    defaultName: `OpenAI: ${options.model}`,
    defaultDescription: 'OpenAI Completions API',
    parameters: { endpoint, max_tokens: options.maxTokens ?? 16, temperature: options.temperature ?? 1, model: options.model },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: 'https://${parameters.endpoint}/v1/completions',
      headers: { Authorization: `Bearer ${key.placeholder}` },
      requestBody: '{ "model": "${parameters.model}", "prompt": "${parameters.prompt}", "max_tokens": ${parameters.max_tokens}, "temperature": ${parameters.temperature} }',
    }],
  }));
}

export function openAiEmbeddingConfig(
  scope: IConstruct, options: OpenAiEmbeddingOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const key = apiKey(scope, options, OPENAI_KEY);
  checkName(scope, 'model', options.model, 'text-embedding-3-small');
  checkBoolean(scope, 'batchPredict', options.batchPredict);
  if (!options.batchPredict) {
    rejectUnused(scope, 'batchInputFileId', options.batchInputFileId, 'without batchPredict: true');
  } else {
    requireEngine(scope, context, ACTION_TYPES.batch_predict, 'blueprint batchPredict (the batch_predict action)');
    if (options.batchInputFileId !== undefined) checkName(scope, 'batchInputFileId', options.batchInputFileId, 'file-abc123');
  }
  const authorization = { Authorization: `Bearer ${key.placeholder}` };
  const actions: ConnectorAction[] = [{
    actionType: 'predict',
    method: 'POST',
    url: 'https://api.openai.com/v1/embeddings',
    headers: authorization,
    requestBody: '{ "input": ${parameters.input}, "model": "${parameters.model}" }',
    ...processFunctions(scope, context, options, OPENAI_EMBEDDING_PROCESS),
  }];
  if (options.batchPredict) {
    actions.push({
      actionType: 'batch_predict',
      method: 'POST',
      url: 'https://api.openai.com/v1/batches',
      headers: authorization,
      requestBody: '{ "input_file_id": "${parameters.input_file_id}", "endpoint": "${parameters.endpoint}", "completion_window": "24h" }',
    });
  }
  return httpConfig(context.domainRegion, key, {
    provider: 'openai',
    defaultName: `OpenAI: ${options.model}`,
    defaultDescription: 'OpenAI Embeddings API',
    // "OpenAI embeddings are normalized to length 1" (OpenAI documentation, Embeddings FAQ).
    ...embeddingOf(OPENAI_EMBEDDING_DIMENSIONS, options.model, { input: [PROBE_TEXT] }, { normalized: true }),
    parameters: {
      model: options.model,
      ...(options.batchPredict && options.batchInputFileId !== undefined ? { input_file_id: options.batchInputFileId } : {}),
      ...(options.batchPredict ? { endpoint: '/v1/embeddings' } : {}),
    },
    actions,
  });
}

const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/** The `endpoint`, `deploy-name` and `api-version` parameters of an Azure OpenAI deployment. */
function azureDeployment(scope: IConstruct, options: AzureOpenAiDeploymentOptions): Record<string, string> {
  if ((options.resourceName === undefined) === (options.endpoint === undefined)) {
    throw new MlValidationError(scope,
      `blueprint needs exactly one of resourceName (for <resourceName>.openai.azure.com) and endpoint; received ${options.resourceName === undefined ? 'neither' : `both (${quote(options.resourceName)} and ${quote(options.endpoint)})`}.`);
  }
  if (options.resourceName !== undefined) checkName(scope, 'resourceName', options.resourceName, 'my-openai-resource');
  const endpoint = options.endpoint ?? `${options.resourceName}.openai.azure.com`;
  checkHost(scope, options.endpoint !== undefined ? 'endpoint' : 'resourceName', endpoint, 'my-openai-resource.openai.azure.com');
  checkName(scope, 'deploymentName', options.deploymentName, 'gpt-4o');
  if (!Token.isUnresolved(options.apiVersion) && !API_VERSION.test(options.apiVersion)) {
    throw new MlValidationError(scope, `blueprint apiVersion must be an Azure OpenAI API version such as '2024-10-21' or '2024-08-01-preview'; received ${quote(options.apiVersion)}.`);
  }
  return { 'endpoint': endpoint, 'deploy-name': options.deploymentName };
}

const AZURE_URL = (operation: string) =>
  `https://\${parameters.endpoint}/openai/deployments/\${parameters.deploy-name}/${operation}?api-version=\${parameters.api-version}`;

export function azureOpenAiChatCompletionsConfig(
  scope: IConstruct, options: AzureOpenAiChatCompletionsOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const key = apiKey(scope, options, OPENAI_KEY);
  const deployment = azureDeployment(scope, options);
  const format = options.requestFormat ?? ChatRequestFormat.MESSAGES;
  checkEnum(scope, 'requestFormat', format, ChatRequestFormat);
  checkRange(scope, 'temperature', options.temperature, 0, 2);
  const header = { 'api-key': key.placeholder };
  const common = {
    provider: 'azure-openai',
    defaultName: `Azure OpenAI: ${options.deploymentName}`,
    defaultDescription: 'Azure OpenAI Chat Completions API',
  };
  if (format === ChatRequestFormat.LLM_JUDGMENT) {
    rejectUnused(scope, 'temperature', options.temperature, 'with requestFormat LLM_JUDGMENT');
    if (options.model !== undefined) checkName(scope, 'model', options.model, 'gpt-4o');
    return withChatProbe(httpConfig(context.domainRegion, key, {
      ...common,
      parameters: { ...deployment, ...(options.model !== undefined ? { model: options.model } : {}), 'api-version': options.apiVersion },
      actions: [{
        actionType: 'predict',
        method: 'POST',
        url: AZURE_URL('chat/completions'),
        headers: { ...JSON_CONTENT, ...header },
        requestBody: `{"messages":${JUDGMENT_MESSAGES}}`,
        postProcessFunction: JUDGMENT_POST_PROCESS(CHAT_COMPLETION_TEXT),
      }],
    }));
  }
  const model = options.model ?? 'gpt-4';
  checkName(scope, 'model', model, 'gpt-4o');
  return withChatProbe(httpConfig(context.domainRegion, key, {
    ...common,
    parameters: { ...deployment, model, 'api-version': options.apiVersion, 'temperature': options.temperature ?? 0.7 },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: AZURE_URL('chat/completions'),
      supportsStructuredOutput: true,
      headers: header,
      requestBody: '{ "messages": ${parameters.messages}, "temperature": ${parameters.temperature} }',
    }],
    generativeQa: { llmModel: model },
  }));
}

export function azureOpenAiEmbeddingConfig(
  scope: IConstruct, options: AzureOpenAiEmbeddingOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const key = apiKey(scope, options, OPENAI_KEY);
  const deployment = azureDeployment(scope, options);
  const model = options.model ?? 'text-embedding-ada-002';
  checkName(scope, 'model', model, 'text-embedding-3-small');
  const functions = processFunctions(scope, context, options, OPENAI_EMBEDDING_PROCESS);
  return httpConfig(context.domainRegion, key, {
    provider: 'azure-openai',
    defaultName: `Azure OpenAI: ${options.deploymentName}`,
    defaultDescription: 'Azure OpenAI Embeddings API',
    parameters: { ...deployment, model, 'api-version': options.apiVersion },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: AZURE_URL('embeddings'),
      headers: { 'api-key': key.placeholder },
      // Without process functions, as ml-commons' standard blueprint: an ML inference processor passes an array.
      requestBody: options.omitProcessFunctions ? '{ "input": ${parameters.input}, "input_type":  "array"}' : '{ "input": ${parameters.input}}',
      ...functions,
    }],
  });
}

/** Vector lengths of OpenAI's embedding models at their default size (OpenAI API reference, "Embeddings"). */
const OPENAI_EMBEDDING_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};
