/*
 * Every connector body our typed blueprints produce, accepted by real ml-commons `_create` on every node of the
 * matrix: every catalog case of test/conformance.test.ts (aws_sigv4 and http) and every factory besides, each
 * synthesized by MlConnector and created (then deleted) by the shipped handler through the front door. The
 * node judges the trusted endpoints with ml-commons' own default list, plus what a case declares with
 * `trustedEndpoints` (as the user of the construct would set it on the domain).
 */
import { Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BedrockModel, ComprehendApi, ConnectorBlueprint, ConverseRequestFormat, MlConnector, NovaEmbeddingModality,
} from '../../src';
import { DEFAULT_TRUSTED_ENDPOINTS } from '../../src/trusted-endpoints';
import { CASES, HTTP_CASES, official, PLACEHOLDERS } from '../conformance-cases';
import { API_KEY_SECRET_ARN, CONNECTOR, MAPPING, nodes, RealDomain } from './tier';

interface BodyCase {
  readonly blueprint: (stack: Stack) => ConnectorBlueprint;
  readonly name?: string;
  readonly description?: string;
  readonly trust?: readonly string[];
  readonly clientConfig?: any;
}

const apiKey = (stack: Stack) => secretsmanager.Secret.fromSecretCompleteArn(stack, 'ApiKey', API_KEY_SECRET_ARN);

function replacePlaceholders(text: string, placeholders: Record<string, string>): string {
  return Object.entries(placeholders).reduce((t, [from, to]) => t.split(from).join(to), text);
}

const BODIES: Record<string, BodyCase> = {};
for (const [file, testCase] of Object.entries(CASES)) {
  const source = official(file);
  const placeholders = { ...PLACEHOLDERS, ...testCase.placeholders };
  BODIES[`catalog ${file}`] = {
    blueprint: () => testCase.blueprint(),
    name: replacePlaceholders(source.name, placeholders),
    description: source.description === undefined ? undefined : replacePlaceholders(source.description, placeholders),
    clientConfig: testCase.clientConfig,
  };
}
for (const [file, testCase] of Object.entries(HTTP_CASES)) {
  const source = official(file);
  const placeholders = { ...PLACEHOLDERS, ...testCase.placeholders };
  BODIES[`catalog ${file}`] = {
    blueprint: (stack) => testCase.blueprint(apiKey(stack)),
    name: replacePlaceholders(source.name, placeholders),
    description: source.description === undefined ? undefined : replacePlaceholders(source.description, placeholders),
    trust: testCase.trust,
    clientConfig: testCase.clientConfig,
  };
}
/** Factories and options the catalog has no body for. */
const FACTORIES: Record<string, BodyCase> = {
  'sageMakerAsyncEndpoint': { blueprint: () => ConnectorBlueprint.sageMakerAsyncEndpoint({ endpointName: 'async' }) },
  'sageMakerBatchTransform with status and cancel actions': {
    blueprint: () => ConnectorBlueprint.sageMakerBatchTransform({
      endpointName: 'embed', modelName: 'm', transformJobName: 'nightly', inputS3Uri: 's3://b/in/', outputS3Uri: 's3://b/out/', instanceType: 'ml.m5.xlarge',
    }),
  },
  'bedrockTitanTextEmbeddingV2 defaults': { blueprint: () => ConnectorBlueprint.bedrockTitanTextEmbeddingV2() },
  'bedrockTitanTextEmbeddingV2 cross-account': {
    blueprint: () => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ externalAccountRoleArn: 'arn:aws:iam::444455556666:role/model-access' }),
  },
  'bedrockNovaMultimodalEmbedding image': { blueprint: () => ConnectorBlueprint.bedrockNovaMultimodalEmbedding({ modality: NovaEmbeddingModality.IMAGE }) },
  'bedrockConverse application inference profile, LLM judgment': {
    blueprint: () => ConnectorBlueprint.bedrockConverse({
      model: BedrockModel.applicationInferenceProfile('arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123', { modelSource: 'amazon.nova-pro-v1:0' }),
      requestFormat: ConverseRequestFormat.LLM_JUDGMENT,
    }),
  },
  'bedrockAnthropicClaude inference profile': { blueprint: () => ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId('us.anthropic.claude-sonnet-4-20250514-v1:0') }) },
  'bedrockOpenAiChatCompletions defaults': { blueprint: () => ConnectorBlueprint.bedrockOpenAiChatCompletions() },
  'comprehend DetectEntities': { blueprint: () => ConnectorBlueprint.comprehend({ api: ComprehendApi.DETECT_ENTITIES }) },
  'custom': {
    blueprint: () => ConnectorBlueprint.custom({
      serviceName: 'bedrock',
      parameters: { model: 'amazon.titan-embed-text-v2:0', dimensions: 256 },
      actions: [{
        actionType: 'predict',
        url: 'https://bedrock-runtime.${parameters.region}.amazonaws.com/model/${parameters.model}/invoke',
        requestBody: '{ "inputText": "${parameters.inputText}", "dimensions": ${parameters.dimensions} }',
        preProcessFunction: 'connector.pre_process.bedrock.embedding',
        postProcessFunction: 'connector.post_process.bedrock.embedding',
      }],
      invokeActions: ['bedrock:InvokeModel'],
      invokeResources: ['arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0'],
    }),
  },
  'customHttp': {
    blueprint: (stack) => ConnectorBlueprint.customHttp({
      apiKeySecret: apiKey(stack),
      parameters: { model: 'text-embedding-3-small' },
      actions: [{
        actionType: 'predict',
        method: 'POST',
        url: 'https://api.openai.com/v1/embeddings',
        headers: { 'Authorization': 'Bearer ${credential.secretArn.openAI_key}', 'Content-Type': 'application/json' },
        requestBody: '{ "input": ${parameters.input}, "model": "${parameters.model}" }',
        preProcessFunction: 'connector.pre_process.openai.embedding',
        postProcessFunction: 'connector.post_process.openai.embedding',
      }],
    }),
  },
};
for (const [name, c] of Object.entries(FACTORIES)) BODIES[`factory ${name}`] = c;

describe.each(nodes())('OpenSearch %s: real _create accepts every typed blueprint body', (_version, node) => {
  let domain: RealDomain;
  let defaults: string[];
  let trusted: string | undefined;
  let mapping: { id: string; properties: Record<string, unknown> } | undefined;

  beforeAll(async () => {
    domain = await RealDomain.open(node);
    defaults = await domain.defaultTrustedEndpoints();
    mapping = await domain.createMapping(domain.synth((stack, d) => new MlConnector(stack, 'Mapping', {
      domain: d, fineGrainedAccess: domain.fineGrainedAccess(stack), blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2(),
    })));
  });
  afterAll(async () => {
    if (mapping) await domain.delete(mapping.id, mapping.properties, MAPPING);
    await domain?.close();
  });

  test.each(Object.keys(BODIES))('%s', async (name) => {
    const testCase = BODIES[name];
    const key = JSON.stringify(testCase.trust ?? []);
    if (key !== trusted) {
      await domain.trustEndpoints(testCase.trust ? [...defaults, ...testCase.trust] : undefined);
      trusted = key;
    }
    const synthesized = domain.synth((stack, d) => new MlConnector(stack, 'QA', {
      domain: d,
      fineGrainedAccess: domain.fineGrainedAccess(stack),
      blueprint: testCase.blueprint(stack),
      ...(testCase.name ? { name: testCase.name } : {}),
      ...(testCase.description ? { description: testCase.description } : {}),
      ...(testCase.trust ? { trustedEndpoints: [...DEFAULT_TRUSTED_ENDPOINTS, ...testCase.trust] } : {}),
      ...(testCase.clientConfig ? { clientConfig: testCase.clientConfig } : {}),
    }));
    const [properties] = synthesized.propertiesOf(CONNECTOR);
    const created = await domain.create(properties, CONNECTOR);
    // On failure: the body's name and the node's answer, verbatim.
    expect({ body: name, status: created.Status, reason: created.Reason }).toEqual({ body: name, status: 'SUCCESS', reason: undefined });
    const stored = await domain.admin('GET', `/_plugins/_ml/connectors/${created.PhysicalResourceId}`);
    expect(stored.status).toBe(200);
    expect(stored.json.name).toBe((properties.connector as any).name);
    expect((await domain.delete(created.PhysicalResourceId, properties, CONNECTOR)).Status).toBe('SUCCESS');
  });
});
