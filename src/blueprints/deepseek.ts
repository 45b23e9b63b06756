import { IConstruct } from 'constructs';
import { apiKey, ApiKeyOptions, httpConfig } from './api-key';
import { MESSAGES_BODY, openAiCompatibleChat, withChatProbe } from './chat';
import { checkEnum, checkHost, checkName } from './checks';
import type { BlueprintContext } from './context';
import { ChatRequestFormat } from './third-party-enums';
import type { ConnectorBlueprintConfig } from './types';

/*
 * DeepSeek's OpenAI-compatible Chat Completions API (api.deepseek.com, trusted by ml-commons
 * by default), as ml-commons' blueprints call it.
 */

/**
 * Options for `ConnectorBlueprint.deepSeekChat()`.
 */
export interface DeepSeekChatOptions extends ApiKeyOptions {
  /**
   * The model.
   *
   * @default 'deepseek-chat'
   */
  readonly model?: string;

  /**
   * The request the connector takes. DeepSeek's LLM judgment takes `${parameters.messages}` too.
   *
   * @default ChatRequestFormat.MESSAGES
   */
  readonly requestFormat?: ChatRequestFormat;

  /**
   * The host of the API.
   *
   * @default 'api.deepseek.com'
   */
  readonly endpoint?: string;
}

export function deepSeekChatConfig(scope: IConstruct, options: DeepSeekChatOptions, context: BlueprintContext): ConnectorBlueprintConfig {
  const key = apiKey(scope, options, 'deepSeek_key');
  const endpoint = options.endpoint ?? 'api.deepseek.com';
  checkHost(scope, 'endpoint', endpoint, 'api.deepseek.com');
  const model = options.model ?? 'deepseek-chat';
  checkName(scope, 'model', model, 'deepseek-chat');
  const format = options.requestFormat ?? ChatRequestFormat.MESSAGES;
  checkEnum(scope, 'requestFormat', format, ChatRequestFormat);
  return withChatProbe(httpConfig(context.domainRegion, key, {
    provider: 'deepseek',
    defaultName: `DeepSeek: ${model}`,
    defaultDescription: 'DeepSeek Chat Completions API',
    parameters: { endpoint, model },
    actions: [openAiCompatibleChat(key.placeholder, format, { contentTypeAlways: true, judgmentBody: MESSAGES_BODY })],
    ...(format === ChatRequestFormat.MESSAGES ? { generativeQa: { llmModel: model } } : {}),
  }));
}
