import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { MlValidationError, quote } from '../errors';
import { AwsModelOptions } from './aws-model';
import { bedrockConfig, bedrockHeaders, bedrockModelUrl, ModelFamily } from './bedrock';
import { ClaudeRequestFormat, ConverseRequestFormat } from './bedrock-enums';
import { BedrockModel } from './bedrock-model';
import { JUDGMENT_POST_PROCESS, withChatProbe } from './chat';
import { checkEnum, checkInteger, checkRange } from './checks';
import type { BlueprintContext } from './context';
import type { ConnectorAction, ConnectorBlueprintConfig } from './types';
import { runtimeUrl } from './urls';

/*
 * Amazon Bedrock text generation: Anthropic Claude (Messages API and the legacy Text
 * Completions API), the Converse API for any model, AI21 Labs Jurassic-2 and the
 * OpenAI-compatible Chat Completions API (gpt-oss). Bodies are ml-commons' blueprints'.
 */

/** The `anthropic_version` of Claude on Bedrock's Messages API. */
export const ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/**
 * Options for `ConnectorBlueprint.bedrockAnthropicClaude()`.
 */
export interface BedrockAnthropicClaudeOptions extends AwsModelOptions {
  /**
   * The Claude model: a model ID, or, for models that Bedrock serves only that way, an
   * inference profile (`BedrockModel.fromId('us.anthropic.claude-sonnet-4-20250514-v1:0')`).
   */
  readonly model: BedrockModel;

  /**
   * How the connector takes its input and returns the answer.
   *
   * @default ClaudeRequestFormat.MESSAGES
   */
  readonly requestFormat?: ClaudeRequestFormat;

  /**
   * The most tokens the model may generate (`max_tokens`).
   *
   * @default 8000
   */
  readonly maxTokens?: number;

  /**
   * Sampling temperature from 0 to 1 (format `MESSAGES` only).
   *
   * @default - not sent: the model's default
   */
  readonly temperature?: number;

  /**
   * Turns on extended thinking with this many tokens of budget (format `MESSAGES` only;
   * Claude 3.7 and later). Must be less than `maxTokens`.
   *
   * @default - no extended thinking
   */
  readonly thinkingBudgetTokens?: number;

  /**
   * The `anthropic_version` of the request.
   *
   * @default 'bedrock-2023-05-31'
   */
  readonly anthropicVersion?: string;
}

/**
 * Options for `ConnectorBlueprint.bedrockAnthropicClaudeTextCompletion()`.
 */
export interface BedrockAnthropicClaudeTextCompletionOptions extends AwsModelOptions {
  /**
   * A Claude model of the Text Completions API (Claude 2.x or Claude Instant), for example
   * `BedrockModel.foundationModel('anthropic.claude-v2:1')`. Amazon Bedrock's model lifecycle
   * page lists every model of this API as legacy or end of life, so there is no default: for a
   * current Claude model use `bedrockAnthropicClaude()` (Messages API) or `bedrockConverse()`.
   */
  readonly model: BedrockModel;

  /**
   * The most tokens the model may generate (`max_tokens_to_sample`).
   *
   * @default 300
   */
  readonly maxTokensToSample?: number;

  /**
   * Sampling temperature from 0 to 1.
   *
   * @default 0.5
   */
  readonly temperature?: number;

  /**
   * Top-k sampling (`top_k`).
   *
   * @default 250
   */
  readonly topK?: number;

  /**
   * Nucleus sampling (`top_p`), from 0 to 1.
   *
   * @default 1
   */
  readonly topP?: number;

  /**
   * Texts that end the generation (`stop_sequences`).
   *
   * @default ['\n\nHuman:']
   */
  readonly stopSequences?: string[];
}

/**
 * Options for `ConnectorBlueprint.bedrockConverse()`.
 */
export interface BedrockConverseOptions extends AwsModelOptions {
  /** Any model that supports the Converse API, or an inference profile of it. */
  readonly model: BedrockModel;

  /**
   * How the connector takes its input and returns the answer.
   *
   * @default ConverseRequestFormat.SYSTEM_AND_USER_PROMPT
   */
  readonly requestFormat?: ConverseRequestFormat;

  /**
   * The most tokens the model may generate (`inferenceConfig.maxTokens`).
   *
   * @default - 8000 for `LLM_JUDGMENT`; otherwise not sent (the model's default)
   */
  readonly maxTokens?: number;
}

/**
 * Options for `ConnectorBlueprint.bedrockAi21Jurassic()`.
 */
export interface BedrockAi21JurassicOptions extends AwsModelOptions {
  /**
   * An AI21 Labs Jurassic-2 model, for example `BedrockModel.foundationModel('ai21.j2-ultra-v1')`.
   * Amazon Bedrock's model lifecycle page lists the Jurassic-2 models as legacy or end of life, so
   * there is no default: for AI21's current models (Jamba) use `bedrockConverse()`.
   */
  readonly model: BedrockModel;

  /**
   * The most tokens the model may generate (`maxTokens`).
   *
   * @default 200
   */
  readonly maxTokens?: number;

  /**
   * Sampling temperature from 0 to 1.
   *
   * @default 0.7
   */
  readonly temperature?: number;

  /**
   * Nucleus sampling (`topP`), from 0 to 1.
   *
   * @default 1
   */
  readonly topP?: number;
}

/**
 * Options for `ConnectorBlueprint.bedrockOpenAiChatCompletions()`.
 */
export interface BedrockOpenAiChatCompletionsOptions extends AwsModelOptions {
  /**
   * An OpenAI model on Bedrock.
   *
   * @default BedrockModel.foundationModel('openai.gpt-oss-120b-1:0')
   */
  readonly model?: BedrockModel;
}

export const CLAUDE: ModelFamily = {
  description: 'an Anthropic Claude model',
  pattern: /^anthropic\.claude-/,
  example: 'anthropic.claude-3-7-sonnet-20250219-v1:0',
};
export const CLAUDE_TEXT_COMPLETION: ModelFamily = {
  description: 'an Anthropic Claude model of the Text Completions API (Claude 2.x or Claude Instant)',
  pattern: /^anthropic\.claude-(v2|instant-v1)(:|$)/,
  example: 'anthropic.claude-v2',
};
export const JURASSIC: ModelFamily = {
  description: 'an AI21 Labs Jurassic-2 model',
  pattern: /^ai21\.j2-/,
  example: 'ai21.j2-mid-v1',
};
export const OPENAI: ModelFamily = {
  description: 'an OpenAI model',
  pattern: /^openai\./,
  example: 'openai.gpt-oss-120b-1:0',
};

/**
 * The model of a blueprint whose API Bedrock serves only with legacy or end-of-life models, which
 * therefore has no default (callers from JavaScript can leave it out).
 */
function requireModel(scope: IConstruct, model: BedrockModel | undefined, family: ModelFamily, current: string): BedrockModel {
  if (model === undefined) {
    throw new MlValidationError(scope,
      `blueprint model is required: Amazon Bedrock lists every model of this API (${family.description}) as legacy or end of life, so there is no default. ` +
      `Name one, such as BedrockModel.foundationModel('${family.example}'), or use ${current} for a current model; received none.`);
  }
  return model;
}

function predict(url: string, requestBody: string, extra: Partial<ConnectorAction> = {}): ConnectorAction {
  return { actionType: 'predict', method: 'POST', headers: bedrockHeaders(), url, requestBody, ...extra };
}

export function anthropicClaudeConfig(
  scope: IConstruct, options: BedrockAnthropicClaudeOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  const format = options.requestFormat ?? ClaudeRequestFormat.MESSAGES;
  const maxTokens = options.maxTokens ?? 8000;
  checkClaude(scope, options, format, maxTokens);
  const version = options.anthropicVersion ?? ANTHROPIC_VERSION;
  const budget = options.thinkingBudgetTokens;

  const url = bedrockModelUrl(region, 'invoke');
  let parameters: Record<string, unknown>;
  let action: ConnectorAction;
  switch (format) {
    case ClaudeRequestFormat.INPUTS:
      parameters = { auth: 'Sig_V4', response_filter: '$.content[0].text', max_tokens_to_sample: String(maxTokens), anthropic_version: version };
      action = predict(url, '{"messages":[{"role":"user","content":[{"type":"text","text":"${parameters.inputs}"}]}],"anthropic_version":"${parameters.anthropic_version}","max_tokens":${parameters.max_tokens_to_sample}}');
      break;
    case ClaudeRequestFormat.LLM_JUDGMENT:
      parameters = { anthropic_version: version, max_tokens: maxTokens };
      action = predict(url,
        '{"anthropic_version":"${parameters.anthropic_version}","max_tokens":${parameters.max_tokens},"system":"${parameters.system_prompt}","messages":[{"role":"user","content":[{"type":"text","text":"${parameters.user_prompt}"}]}]}',
        { postProcessFunction: JUDGMENT_POST_PROCESS('params.content[0].text') });
      break;
    default: {
      const temperature = options.temperature !== undefined;
      parameters = {
        max_tokens: maxTokens,
        ...(temperature ? { temperature: options.temperature } : {}),
        anthropic_version: version,
        ...(budget !== undefined ? { budget_tokens: budget } : {}),
      };
      const fields = [
        '"anthropic_version": "${parameters.anthropic_version}"',
        '"max_tokens": ${parameters.max_tokens}',
        ...(temperature ? ['"temperature": ${parameters.temperature}'] : []),
        '"messages": ${parameters.messages}',
        ...(budget !== undefined ? ['"thinking": {"type": "enabled", "budget_tokens": ${parameters.budget_tokens} }'] : []),
      ];
      action = predict(url, `{ ${fields.join(', ')} }`);
    }
  }
  return withChatProbe(bedrockConfig(scope, context, options, {
    model: options.model,
    family: CLAUDE,
    defaultDescription: 'Amazon Bedrock: Anthropic Claude (Messages API)',
    parameters,
    actions: [action],
    // The RAG processor sends one text as `inputs`; the response filter puts the answer in `response`.
    ...(format === ClaudeRequestFormat.INPUTS ? { generativeQa: { llmModel: 'bedrock/claude', llmResponseField: 'response' } } : {}),
  }));
}

/** Rejects Claude options the request format does not use, or that Bedrock would refuse. */
function checkClaude(scope: IConstruct, options: BedrockAnthropicClaudeOptions, format: ClaudeRequestFormat, maxTokens: number): void {
  checkEnum(scope, 'requestFormat', format, ClaudeRequestFormat);
  checkInteger(scope, 'maxTokens', maxTokens, 1);
  checkRange(scope, 'temperature', options.temperature, 0, 1);
  if (format !== ClaudeRequestFormat.MESSAGES) {
    for (const option of ['temperature', 'thinkingBudgetTokens'] as const) {
      if (options[option] !== undefined) {
        throw new MlValidationError(scope,
          `blueprint ${option} applies to requestFormat ${ClaudeRequestFormat.MESSAGES} only; received ${quote(options[option])} with requestFormat ${format}.`);
      }
    }
  }
  const budget = options.thinkingBudgetTokens;
  checkInteger(scope, 'thinkingBudgetTokens', budget, 1);
  if (budget !== undefined && !Token.isUnresolved(budget) && !Token.isUnresolved(maxTokens) && budget >= maxTokens) {
    throw new MlValidationError(scope, `blueprint thinkingBudgetTokens must be less than maxTokens (${maxTokens}); received ${quote(budget)}.`);
  }
}

export function anthropicClaudeTextCompletionConfig(
  scope: IConstruct, options: BedrockAnthropicClaudeTextCompletionOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  checkInteger(scope, 'maxTokensToSample', options.maxTokensToSample, 1);
  checkRange(scope, 'temperature', options.temperature, 0, 1);
  checkInteger(scope, 'topK', options.topK, 0);
  checkRange(scope, 'topP', options.topP, 0, 1);
  const body = JSON.stringify({
    prompt: '\n\nHuman: ${parameters.inputs}\n\nAssistant:',
    max_tokens_to_sample: options.maxTokensToSample ?? 300,
    temperature: options.temperature ?? 0.5,
    top_k: options.topK ?? 250,
    top_p: options.topP ?? 1,
    stop_sequences: options.stopSequences ?? ['\n\nHuman:'],
  });
  return withChatProbe(bedrockConfig(scope, context, options, {
    model: requireModel(scope, options.model, CLAUDE_TEXT_COMPLETION, 'bedrockAnthropicClaude() (Messages API) or bedrockConverse()'),
    family: CLAUDE_TEXT_COMPLETION,
    defaultDescription: 'Amazon Bedrock: Anthropic Claude (Text Completions API)',
    parameters: {},
    actions: [predict(bedrockModelUrl(region, 'invoke'), body)],
    // bedrock/ sends the prompt as `inputs` and reads `completion`, as this API answers.
    generativeQa: { llmModel: 'bedrock/claude' },
  }));
}

export function converseConfig(
  scope: IConstruct, options: BedrockConverseOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  const format = options.requestFormat ?? ConverseRequestFormat.SYSTEM_AND_USER_PROMPT;
  checkEnum(scope, 'requestFormat', format, ConverseRequestFormat);
  checkInteger(scope, 'maxTokens', options.maxTokens, 1);
  const url = bedrockModelUrl(region, 'converse');
  let parameters: Record<string, unknown>;
  let action: ConnectorAction;
  if (format === ConverseRequestFormat.LLM_JUDGMENT) {
    parameters = { max_tokens: options.maxTokens ?? 8000 };
    action = predict(url,
      '{"system":[{"text":"${parameters.system_prompt}"}],"messages":[{"role":"user","content":[{"text":"${parameters.user_prompt}"}]}],"inferenceConfig":{"maxTokens":${parameters.max_tokens}}}',
      { postProcessFunction: JUDGMENT_POST_PROCESS('params.output.message.content[0].text') });
  } else {
    const withMax = options.maxTokens !== undefined;
    parameters = { response_filter: '$.output.message.content[0].text', ...(withMax ? { max_tokens: options.maxTokens } : {}) };
    action = {
      ...predict(url,
        '{"system":[{"text":"${parameters.system_prompt}"}],"messages":[{"role":"user","content":[{"type":"text","text":"${parameters.user_prompt}"}]}]'
        + (withMax ? ',"inferenceConfig":{"maxTokens":${parameters.max_tokens}}' : '') + '}'),
      supportsStructuredOutput: true,
    };
  }
  return withChatProbe(bedrockConfig(scope, context, options, {
    model: options.model,
    defaultDescription: 'Amazon Bedrock: Converse API',
    parameters,
    actions: [action],
  }));
}

export function ai21JurassicConfig(
  scope: IConstruct, options: BedrockAi21JurassicOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  checkInteger(scope, 'maxTokens', options.maxTokens, 1);
  checkRange(scope, 'temperature', options.temperature, 0, 1);
  checkRange(scope, 'topP', options.topP, 0, 1);
  const body = JSON.stringify({
    prompt: '${parameters.inputs}',
    maxTokens: options.maxTokens ?? 200,
    temperature: options.temperature ?? 0.7,
    topP: options.topP ?? 1,
    stopSequences: [],
    countPenalty: { scale: 0 },
    presencePenalty: { scale: 0 },
    frequencyPenalty: { scale: 0 },
  });
  return withChatProbe(bedrockConfig(scope, context, options, {
    model: requireModel(scope, options.model, JURASSIC, 'bedrockConverse() with an AI21 Jamba model'),
    family: JURASSIC,
    defaultDescription: 'Amazon Bedrock: AI21 Labs Jurassic-2',
    parameters: {},
    actions: [predict(bedrockModelUrl(region, 'invoke'), body, { postProcessFunction: "\n  return params['completions'][0].data.text; \n" })],
  }));
}

export function openAiChatCompletionsConfig(
  scope: IConstruct, options: BedrockOpenAiChatCompletionsOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  return withChatProbe(bedrockConfig(scope, context, options, {
    model: options.model ?? BedrockModel.foundationModel('openai.gpt-oss-120b-1:0'),
    family: OPENAI,
    defaultDescription: 'Amazon Bedrock: OpenAI Chat Completions API',
    parameters: {},
    modelParameterName: 'bedrock_model_id',
    // No prefix: OpenAI-style `messages`, and `choices` read from the answer.
    generativeQa: { llmModel: (options.model ?? BedrockModel.foundationModel('openai.gpt-oss-120b-1:0')).id },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: `${runtimeUrl('bedrock-runtime', region)}/openai/v1/chat/completions`,
      headers: bedrockHeaders(true),
      requestBody: '{ "model": "${parameters.bedrock_model_id}", "messages": ${parameters.messages}, "stream": false }',
    }],
  }));
}
