import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { MlValidationError, quote } from '../errors';
import { apiKey, ApiKeyOptions, httpConfig } from './api-key';
import { JSON_CONTENT, JUDGMENT_POST_PROCESS, withChatProbe } from './chat';
import { checkEnum, checkName } from './checks';
import type { BlueprintContext } from './context';
import { ChatRequestFormat } from './third-party-enums';
import type { ConnectorBlueprintConfig } from './types';

/*
 * Google: the Gemini API (generativelanguage.googleapis.com) and Vertex AI text embeddings
 * (<location>-aiplatform.googleapis.com), as ml-commons' blueprints call them. Neither host is
 * among ml-commons' default trusted endpoints.
 */

/**
 * Options for `ConnectorBlueprint.googleGeminiChat()`.
 */
export interface GoogleGeminiChatOptions extends ApiKeyOptions {
  /** The model, for example `gemini-2.0-flash`. */
  readonly model: string;

  /**
   * The request the connector takes: `MESSAGES` sends `${parameters.contents}` as it is.
   *
   * @default ChatRequestFormat.MESSAGES
   */
  readonly requestFormat?: ChatRequestFormat;
}

/**
 * Options for `ConnectorBlueprint.googleVertexAiEmbedding()`.
 */
export interface GoogleVertexAiEmbeddingOptions extends ApiKeyOptions {
  /**
   * The Google Cloud project ID.
   */
  readonly project: string;

  /** The embedding model, for example `text-embedding-005`. */
  readonly modelId: string;

  /**
   * The Vertex AI location.
   *
   * @default 'us-central1'
   */
  readonly location?: string;
}

const GEMINI_JUDGMENT_BODY =
  '{"systemInstruction":{"parts":[{"text":"${parameters.system_prompt}"}]},"contents":[{"role":"user","parts":[{"text":"${parameters.user_prompt}"}]}]}';

export function googleGeminiChatConfig(
  scope: IConstruct, options: GoogleGeminiChatOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const key = apiKey(scope, options, 'gemini_key');
  checkName(scope, 'model', options.model, 'gemini-2.0-flash');
  const format = options.requestFormat ?? ChatRequestFormat.MESSAGES;
  checkEnum(scope, 'requestFormat', format, ChatRequestFormat);
  const judgment = format === ChatRequestFormat.LLM_JUDGMENT;
  return withChatProbe(httpConfig(context.domainRegion, key, {
    provider: 'google',
    defaultName: `Google Gemini: ${options.model}`,
    defaultDescription: 'Google Gemini generateContent API',
    parameters: { model: options.model },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: 'https://generativelanguage.googleapis.com/v1beta/models/${parameters.model}:generateContent',
      ...(judgment ? {} : { supportsStructuredOutput: true }),
      headers: { ...JSON_CONTENT, 'x-goog-api-key': key.placeholder },
      requestBody: judgment ? GEMINI_JUDGMENT_BODY : '{ "contents": ${parameters.contents} }',
      ...(judgment ? { postProcessFunction: JUDGMENT_POST_PROCESS('params.candidates[0].content.parts[0].text') } : {}),
    }],
  }));
}

const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const LOCATION = /^[a-z]+-[a-z]+\d+$/;

export function googleVertexAiEmbeddingConfig(
  scope: IConstruct, options: GoogleVertexAiEmbeddingOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const key = apiKey(scope, options, 'vertexAI_token');
  if (!Token.isUnresolved(options.project) && !PROJECT.test(options.project)) {
    throw new MlValidationError(scope,
      `blueprint project must be a Google Cloud project ID (6 to 30 lower-case letters, digits and hyphens, starting with a letter), such as 'my-project-123'; received ${quote(options.project)}.`);
  }
  checkName(scope, 'modelId', options.modelId, 'text-embedding-005');
  const location = options.location ?? 'us-central1';
  if (!Token.isUnresolved(location) && !LOCATION.test(location)) {
    throw new MlValidationError(scope, `blueprint location must be a Vertex AI location such as 'us-central1' or 'europe-west4'; received ${quote(location)}.`);
  }
  return httpConfig(context.domainRegion, key, {
    provider: 'google',
    defaultName: `Vertex AI: ${options.modelId}`,
    defaultDescription: 'Google Vertex AI text embeddings',
    parameters: { project: options.project, model_id: options.modelId },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: `https://${location}-aiplatform.googleapis.com/v1/projects/\${parameters.project}/locations/${location}/publishers/google/models/\${parameters.model_id}:predict`,
      headers: { Authorization: `Bearer ${key.placeholder}` },
      requestBody: '{"instances": [{ "content": "${parameters.prompt}"}]}',
    }],
  });
}
