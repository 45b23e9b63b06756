/*
 * ModelVerification.predict() on a chat blueprint needs no hand-written JSON: each chat blueprint
 * supplies a short question in exactly the parameters its request body reads.
 */
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BedrockModel, ChatRequestFormat, ClaudeRequestFormat, CohereChatApi, ConnectorBlueprint, ConverseRequestFormat,
  MlConnector, MlModel, ModelVerification,
} from '../src';
import { resourcesOfType, testStack } from './util';
import { fillParameters } from '../src/validation';

const CLAUDE = BedrockModel.fromId('us.anthropic.claude-sonnet-4-20250514-v1:0');
const key = (s: any) => secretsmanager.Secret.fromSecretCompleteArn(s, 'Key', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:api-key-AbCdEf');

const CHAT_BLUEPRINTS: Record<string, (s: any) => ConnectorBlueprint> = {
  'bedrockAnthropicClaude (MESSAGES)': () => ConnectorBlueprint.bedrockAnthropicClaude({ model: CLAUDE }),
  'bedrockAnthropicClaude (INPUTS)': () => ConnectorBlueprint.bedrockAnthropicClaude({ model: CLAUDE, requestFormat: ClaudeRequestFormat.INPUTS }),
  'bedrockAnthropicClaude (LLM_JUDGMENT)': () => ConnectorBlueprint.bedrockAnthropicClaude({ model: CLAUDE, requestFormat: ClaudeRequestFormat.LLM_JUDGMENT }),
  'bedrockAnthropicClaudeTextCompletion': () => ConnectorBlueprint.bedrockAnthropicClaudeTextCompletion({ model: BedrockModel.fromId('anthropic.claude-v2:1') }),
  'bedrockConverse': () => ConnectorBlueprint.bedrockConverse({ model: BedrockModel.fromId('us.amazon.nova-pro-v1:0') }),
  'bedrockConverse (LLM_JUDGMENT)': () => ConnectorBlueprint.bedrockConverse({ model: BedrockModel.fromId('us.amazon.nova-pro-v1:0'), requestFormat: ConverseRequestFormat.LLM_JUDGMENT }),
  'bedrockAi21Jurassic': () => ConnectorBlueprint.bedrockAi21Jurassic({ model: BedrockModel.fromId('ai21.j2-ultra-v1') }),
  'bedrockOpenAiChatCompletions': () => ConnectorBlueprint.bedrockOpenAiChatCompletions(),
  'openAiChatCompletions': (s) => ConnectorBlueprint.openAiChatCompletions({ apiKeySecret: key(s), model: 'gpt-4o' }),
  'openAiChatCompletions (LLM_JUDGMENT)': (s) => ConnectorBlueprint.openAiChatCompletions({ apiKeySecret: key(s), model: 'gpt-4o', requestFormat: ChatRequestFormat.LLM_JUDGMENT }),
  'openAiCompletions': (s) => ConnectorBlueprint.openAiCompletions({ apiKeySecret: key(s), model: 'gpt-3.5-turbo-instruct' }),
  'azureOpenAiChatCompletions': (s) => ConnectorBlueprint.azureOpenAiChatCompletions({ apiKeySecret: key(s), resourceName: 'r', deploymentName: 'd', apiVersion: '2024-10-21' }),
  'cohereChat (V1)': (s) => ConnectorBlueprint.cohereChat({ apiKeySecret: key(s), model: 'command-r-plus', api: CohereChatApi.V1 }),
  'cohereChat (V2)': (s) => ConnectorBlueprint.cohereChat({ apiKeySecret: key(s), model: 'command-r-plus' }),
  'deepSeekChat': (s) => ConnectorBlueprint.deepSeekChat({ apiKeySecret: key(s) }),
  'googleGeminiChat': (s) => ConnectorBlueprint.googleGeminiChat({ apiKeySecret: key(s), model: 'gemini-2.0-flash' }),
};

describe.each(Object.entries(CHAT_BLUEPRINTS))('%s', (_, blueprint) => {
  test('ModelVerification.predict() sends a question that fills every placeholder of the request body', () => {
    const stack = testStack();
    const connector = new MlConnector(stack, 'Chat', {
      domain: opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-rag-abc123.us-east-1.es.amazonaws.com'),
      blueprint: blueprint(stack),
      trustedEndpoints: ['^https://.*$'],
    });
    new MlModel(stack, 'Model', { connector, verify: ModelVerification.predict() });
    const [[, model]] = resourcesOfType(stack, 'Custom::OpenSearchMlModel');
    const [[, resource]] = resourcesOfType(stack, 'Custom::OpenSearchMlConnector');
    const parameters = model.Properties.verify.parameters as Record<string, unknown>;
    expect(Object.keys(parameters).length).toBeGreaterThan(0);
    const body = resource.Properties.connector.actions[0].request_body as string;
    const filled = fillParameters(body, { ...resource.Properties.connector.parameters, ...parameters });
    expect(filled).not.toMatch(/\$\{parameters\./);
    expect(() => JSON.parse(filled)).not.toThrow();
    expect(model.Properties.verify.embeddingDimension).toBeUndefined();
  });
});

test('a blueprint that is neither an embedding nor a chat model still needs parameters', () => {
  const stack = testStack();
  const connector = new MlConnector(stack, 'C', {
    domain: opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-rag-abc123.us-east-1.es.amazonaws.com'),
    blueprint: ConnectorBlueprint.textractDetectDocumentText(),
  });
  expect(() => new MlModel(stack, 'M', { connector, modelConfig: { modelType: 'REMOTE' }, verify: ModelVerification.predict() }))
    .toThrow(/verify needs parameters for the _predict call/);
});
