/*
 * Conformance with the official ml-commons connector blueprints: for every aws_sigv4 body of
 * the catalog (test/fixtures/ml-commons-blueprints, see its NOTICE), a typed blueprint builds
 * the connector and the body the handler would send to OpenSearch must equal the official
 * one, except for the differences listed below, which are applied explicitly, file by file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BedrockModel, ClaudeRequestFormat, CohereInputType, CohereTruncate, ComprehendApi, ConnectorBlueprint, ConnectorClientConfig,
  ConverseRequestFormat, NovaAudioFormat, NovaEmbeddingModality, NovaImageDetailLevel, NovaImageFormat, NovaTruncationMode,
  NovaVideoEmbeddingMode, NovaVideoFormat, RetryBackoffPolicy, BedrockEmbeddingType,
  ChatRequestFormat, CohereChatApi, CohereEmbedInput, MlConnector, YandexCloudEmbeddingApi,
} from '../src';
import { parseConnectorProperties } from '../src/handler/resources/connector';
import { DEFAULT_TRUSTED_ENDPOINTS } from '../src/trusted-endpoints';
import { fillParameters } from '../src/validation';
import { synthesizeConnector, synthesizeStack } from './handler/events';

const DIR = path.join(__dirname, 'fixtures', 'ml-commons-blueprints');
const DOMAIN = { endpoint: 'search-conformance-abc123.us-east-1.es.amazonaws.com', domainArn: 'arn:aws:es:us-east-1:111122223333:domain/conformance' };

/**
 * What differs between an official body and the body the construct sends. The first four
 * apply to every body; the others only to the files that list them.
 */
const DIFFERENCES = {
  credential: 'credential is { "roleArn": <the connector role> } (Amazon OpenSearch Service), not access keys or a placeholder',
  placeholders: '<PLACEHOLDER> values are real values (the table PLACEHOLDERS and each case\'s own)',
  version: 'version is the string "1", whatever the catalog writes (1, "1", "1.0", a placeholder)',
  url: 'action URLs are compared after ${parameters.*} substitution: the construct writes ${parameters.region} where some bodies write the region',
  regionAdded: 'parameters.region is present: ml-commons requires it for aws_sigv4, and the body omits it',
} as const;
type Difference = keyof typeof DIFFERENCES;

/** Real values for the catalog's placeholders, shared by every body. */
const PLACEHOLDERS: Record<string, string> = {
  '<PLEASE ADD YOUR AWS REGION HERE>': 'us-east-1',
  '<PLEASE ADD YOUR AWS REGION like us-west-2>': 'us-east-1',
  '<PLEASE ADD YOUR AWS REGION TOKEN HERE>': 'us-east-1',
  '<YOUR_AWS_REGION>': 'us-east-1',
  '<NONE|START|END>': 'END',
  '<START|END|NONE>': 'END',
  '<search_document|search_query|classification|clustering>': 'search_document',
  '<png|jpeg|gif|webp>': 'png',
  '<STANDARD_IMAGE|DOCUMENT_IMAGE>': 'STANDARD_IMAGE',
  '<mp4|mov|mkv|webm|flv|mpeg|mpg|wmv|3gp>': 'mp4',
  '<AUDIO_VIDEO_COMBINED|AUDIO_VIDEO_SEPARATE>': 'AUDIO_VIDEO_COMBINED',
  '<mp3|wav|ogg>': 'mp3',
};

interface Case {
  /** the factory, for the coverage table */
  readonly factory: string;
  readonly blueprint: () => ConnectorBlueprint;
  /** placeholders of this body only */
  readonly placeholders?: Record<string, string>;
  readonly clientConfig?: ConnectorClientConfig;
  /** differences beyond credential, placeholders, version and url */
  readonly differences?: Difference[];
}

function official(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
}

const CLAUDE_37 = BedrockModel.fromId('us.anthropic.claude-3-7-sonnet-20250219-v1:0');
const CLAUDE_4 = BedrockModel.fromId('us.anthropic.claude-sonnet-4-20250514-v1:0');
const JUDGE = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
const JUDGE_RETRIES: ConnectorClientConfig = { maxRetries: 3, retryBackoffPolicy: RetryBackoffPolicy.EXPONENTIAL_FULL_JITTER };
const TITAN_PAINLESS = official('bedrock_connector_titan_embedding_blueprint__4.json').actions[0];

const comprehend = (api: ComprehendApi): Case => ({ factory: 'comprehend', blueprint: () => ConnectorBlueprint.comprehend({ api }) });
const textract: Case = { factory: 'textractDetectDocumentText', blueprint: () => ConnectorBlueprint.textractDetectDocumentText() };
// The catalog's Jurassic-2 and Claude v2 bodies name models Bedrock lists as legacy: the blueprints have no default model.
const jurassic: Case = { factory: 'bedrockAi21Jurassic', blueprint: () => ConnectorBlueprint.bedrockAi21Jurassic({ model: BedrockModel.foundationModel('ai21.j2-mid-v1') }) };
const claudeMessages = (model: BedrockModel, thinking: boolean): Case => ({
  factory: 'bedrockAnthropicClaude',
  blueprint: () => ConnectorBlueprint.bedrockAnthropicClaude({
    model, maxTokens: 8000, temperature: 1, ...(thinking ? { thinkingBudgetTokens: 1024 } : {}),
  }),
});
const claude3: Case = {
  factory: 'bedrockAnthropicClaude',
  blueprint: () => ConnectorBlueprint.bedrockAnthropicClaude({
    model: BedrockModel.foundationModel('anthropic.claude-3-sonnet-20240229-v1:0'), requestFormat: ClaudeRequestFormat.INPUTS, maxTokens: 8000,
  }),
};
const claudeV2: Case = {
  factory: 'bedrockAnthropicClaudeTextCompletion',
  // The catalog's stop sequence is the text backslash-n backslash-n Human: (escaped twice).
  blueprint: () => ConnectorBlueprint.bedrockAnthropicClaudeTextCompletion({ model: BedrockModel.foundationModel('anthropic.claude-v2'), stopSequences: ['\\n\\nHuman:'] }),
};
const cohere = (model: string, omitProcessFunctions = false): Case => ({
  factory: 'bedrockCohereEmbed',
  blueprint: () => ConnectorBlueprint.bedrockCohereEmbed({
    model: BedrockModel.foundationModel(model), inputType: CohereInputType.SEARCH_DOCUMENT, truncate: CohereTruncate.END, omitProcessFunctions,
  }),
});
const converse: Case = {
  factory: 'bedrockConverse',
  blueprint: () => ConnectorBlueprint.bedrockConverse({ model: BedrockModel.foundationModel('anthropic.claude-sonnet-4-5-20251101-v1:0') }),
};
const nova = (modality: NovaEmbeddingModality, preProcessFunction?: string): Case => {
  const uses = (...m: NovaEmbeddingModality[]) => m.includes(modality) || modality === NovaEmbeddingModality.ALL;
  return {
    factory: 'bedrockNovaMultimodalEmbedding',
    blueprint: () => ConnectorBlueprint.bedrockNovaMultimodalEmbedding({
      modality,
      dimensions: 1024,
      ...(uses(NovaEmbeddingModality.TEXT) ? { truncationMode: NovaTruncationMode.END } : {}),
      ...(uses(NovaEmbeddingModality.IMAGE) ? { imageFormat: NovaImageFormat.PNG, detailLevel: NovaImageDetailLevel.STANDARD_IMAGE } : {}),
      ...(uses(NovaEmbeddingModality.VIDEO) ? { videoFormat: NovaVideoFormat.MP4, embeddingMode: NovaVideoEmbeddingMode.AUDIO_VIDEO_COMBINED } : {}),
      ...(uses(NovaEmbeddingModality.AUDIO) ? { audioFormat: NovaAudioFormat.MP3 } : {}),
      ...(preProcessFunction ? { preProcessFunction } : {}),
    }),
  };
};
const titanV1 = (options = {}): Case => ({ factory: 'bedrockTitanTextEmbeddingV1', blueprint: () => ConnectorBlueprint.bedrockTitanTextEmbeddingV1(options) });
const titanMultimodal = (omitProcessFunctions = false): Case => ({
  factory: 'bedrockTitanMultimodalEmbedding', blueprint: () => ConnectorBlueprint.bedrockTitanMultimodalEmbedding({ omitProcessFunctions }),
});
const copali: Case = {
  factory: 'sageMakerEndpoint',
  blueprint: () => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'copali-endpoint', requestBody: '${parameters.inputs}' }),
  placeholders: { '{{endpoint_name}}': 'copali-endpoint' },
};
const judgeClaude: Case = {
  factory: 'bedrockAnthropicClaude',
  blueprint: () => ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId(JUDGE), requestFormat: ClaudeRequestFormat.LLM_JUDGMENT }),
  placeholders: { '<INFERENCE_PROFILE_ID>': JUDGE },
  clientConfig: JUDGE_RETRIES,
};
const judgeConverse: Case = {
  factory: 'bedrockConverse',
  blueprint: () => ConnectorBlueprint.bedrockConverse({ model: BedrockModel.fromId(JUDGE), requestFormat: ConverseRequestFormat.LLM_JUDGMENT }),
  placeholders: { '<INFERENCE_PROFILE_ID>': JUDGE },
  clientConfig: JUDGE_RETRIES,
};

/** Every aws_sigv4 body of the catalog, and the typed blueprint that reproduces it. */
const CASES: Record<string, Case> = {
  'amazon_comprehend_connector_blueprint__1.json': comprehend(ComprehendApi.DETECT_DOMINANT_LANGUAGE),
  'amazon_comprehend_connector_blueprint__2.json': comprehend(ComprehendApi.DETECT_DOMINANT_LANGUAGE),
  'amazon_comprehend_connector_blueprint__3.json': comprehend(ComprehendApi.DETECT_ENTITIES),
  'amazon_comprehend_connector_blueprint__4.json': comprehend(ComprehendApi.DETECT_ENTITIES),
  'amazon_textract_connector_blueprint__1.json': textract,
  'amazon_textract_connector_blueprint__2.json': textract,
  'batch_inference_sagemaker_connector_blueprint__1.json': {
    factory: 'sageMakerBatchTransform',
    blueprint: () => ConnectorBlueprint.sageMakerBatchTransform({
      endpointName: 'OpenSearch-sagemaker-060124023703',
      modelName: 'DJL-Text-Embedding-Model-imageforjsonlines',
      transformJobName: 'SM-offline-batch-transform-07-12-13-30',
      inputS3Uri: 's3://offlinebatch/sagemaker_djl_batch_input.json',
      outputS3Uri: 's3://offlinebatch/output',
      instanceType: 'ml.c5.xlarge',
      instanceCount: 1,
      dataProcessing: { inputFilter: '$.content', joinSource: 'Input', outputFilter: '$' },
      statusAndCancelActions: false,
    }),
  },
  'bedrock_connector_ai21labs_jurassic_blueprint__1.json': jurassic,
  'bedrock_connector_ai21labs_jurassic_blueprint__2.json': jurassic,
  'bedrock_connector_anthropic_claude3.7_blueprint__1.json': claudeMessages(CLAUDE_37, false),
  'bedrock_connector_anthropic_claude3.7_blueprint__2.json': claudeMessages(CLAUDE_37, false),
  'bedrock_connector_anthropic_claude3.7_blueprint__3.json': claudeMessages(CLAUDE_37, true),
  'bedrock_connector_anthropic_claude3.7_blueprint__4.json': claudeMessages(CLAUDE_37, true),
  'bedrock_connector_anthropic_claude3_blueprint__1.json': claude3,
  'bedrock_connector_anthropic_claude3_blueprint__2.json': claude3,
  'bedrock_connector_anthropic_claude4_blueprint__1.json': claudeMessages(CLAUDE_4, false),
  'bedrock_connector_anthropic_claude4_blueprint__2.json': claudeMessages(CLAUDE_4, false),
  'bedrock_connector_anthropic_claude4_blueprint__3.json': claudeMessages(CLAUDE_4, true),
  'bedrock_connector_anthropic_claude4_blueprint__4.json': claudeMessages(CLAUDE_4, true),
  'bedrock_connector_anthropic_claude_blueprint__1.json': claudeV2,
  'bedrock_connector_anthropic_claude_blueprint__2.json': claudeV2,
  'bedrock_connector_cohere_cohere.embed-english-v3_blueprint__1.json': cohere('cohere.embed-english-v3'),
  'bedrock_connector_cohere_cohere.embed-english-v3_blueprint__2.json': cohere('cohere.embed-english-v3'),
  'bedrock_connector_cohere_cohere.embed-multilingual-v3_blueprint__1.json': cohere('cohere.embed-multilingual-v3'),
  'bedrock_connector_cohere_cohere.embed-multilingual-v3_blueprint__2.json': cohere('cohere.embed-multilingual-v3'),
  'bedrock_connector_converse_blueprint__1.json': converse,
  'bedrock_connector_converse_blueprint__2.json': converse,
  'bedrock_connector_nova_multimodal_model_blueprint__1.json': nova(NovaEmbeddingModality.ALL),
  'bedrock_connector_nova_multimodal_model_blueprint__2.json': nova(NovaEmbeddingModality.ALL),
  'bedrock_connector_nova_multimodal_model_blueprint__3.json': nova(NovaEmbeddingModality.TEXT),
  'bedrock_connector_nova_multimodal_model_blueprint__4.json': nova(NovaEmbeddingModality.TEXT),
  'bedrock_connector_nova_multimodal_model_blueprint__5.json': nova(NovaEmbeddingModality.IMAGE),
  'bedrock_connector_nova_multimodal_model_blueprint__6.json': nova(NovaEmbeddingModality.IMAGE),
  'bedrock_connector_nova_multimodal_model_blueprint__7.json': nova(NovaEmbeddingModality.VIDEO),
  'bedrock_connector_nova_multimodal_model_blueprint__8.json': nova(NovaEmbeddingModality.VIDEO),
  'bedrock_connector_nova_multimodal_model_blueprint__9.json': nova(NovaEmbeddingModality.AUDIO),
  // This body of the catalog pairs the audio request with the video pre-process function.
  'bedrock_connector_nova_multimodal_model_blueprint__10.json': nova(NovaEmbeddingModality.AUDIO, 'connector.pre_process.bedrock.nova.video_embedding'),
  'bedrock_connector_nova_multimodal_model_blueprint__11.json': nova(NovaEmbeddingModality.AUDIO),
  'bedrock_connector_openai_gpt-oss_blueprint__1.json': {
    factory: 'bedrockOpenAiChatCompletions',
    blueprint: () => ConnectorBlueprint.bedrockOpenAiChatCompletions({ region: 'us-west-2', model: BedrockModel.foundationModel('openai.gpt-oss-120b-1:0') }),
    placeholders: { '<PLEASE ADD YOUR BEDROCK MODEL ID HERE>': 'openai.gpt-oss-120b-1:0' },
    differences: ['regionAdded'],
  },
  'bedrock_connector_titan_embedding_blueprint__1.json': titanV1(),
  'bedrock_connector_titan_embedding_blueprint__3.json': titanV1(),
  'bedrock_connector_titan_embedding_blueprint__4.json': titanV1({
    preProcessFunction: TITAN_PAINLESS.pre_process_function, postProcessFunction: TITAN_PAINLESS.post_process_function,
  }),
  'bedrock_connector_titan_embedding_blueprint__5.json': {
    factory: 'bedrockTitanTextEmbeddingV2',
    blueprint: () => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 1024, normalize: true, embeddingType: BedrockEmbeddingType.FLOAT }),
  },
  'bedrock_connector_titan_multimodal_embedding_blueprint__1.json': titanMultimodal(),
  'bedrock_connector_titan_multimodal_embedding_blueprint__3.json': titanMultimodal(),
  'sagemaker_connector_blueprint__1.json': {
    factory: 'sageMakerEndpoint',
    blueprint: () => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'my-embedding-endpoint' }),
    placeholders: {
      '<YOUR CONNECTOR NAME>': 'sagemaker: my-embedding-endpoint',
      '<YOUR CONNECTOR DESCRIPTION>': 'Embedding model on a SageMaker endpoint',
      '<PLEASE ADD YOUR Sagemaker MODEL INFERENCE ENDPOINT URL>': 'https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/my-embedding-endpoint/invocations',
    },
  },
  'sagemaker_connector_copali_blueprint__1.json': copali,
  'sagemaker_connector_copali_blueprint__2.json': copali,
  'llm_judgment__anthropic_claude_bedrock_blueprint__1.json': judgeClaude,
  'llm_judgment__anthropic_claude_bedrock_blueprint__2.json': judgeClaude,
  'llm_judgment__bedrock_converse_blueprint__1.json': judgeConverse,
  'llm_judgment__bedrock_converse_blueprint__2.json': judgeConverse,
  'standard_blueprints__bedrock_connector_cohere_cohere.embed-english-v3_standard_blueprint__1.json': cohere('cohere.embed-english-v3', true),
  'standard_blueprints__bedrock_connector_cohere_cohere.embed-english-v3_standard_blueprint__2.json': cohere('cohere.embed-english-v3', true),
  'standard_blueprints__bedrock_connector_cohere_cohere.embed-multilingual-v3_standard_blueprint__1.json': cohere('cohere.embed-multilingual-v3', true),
  'standard_blueprints__bedrock_connector_cohere_cohere.embed-multilingual-v3_standard_blueprint__2.json': cohere('cohere.embed-multilingual-v3', true),
  'standard_blueprints__bedrock_connector_titan_embedding_standard_blueprint__1.json': titanV1(),
  'standard_blueprints__bedrock_connector_titan_embedding_standard_blueprint__2.json': titanV1({ omitProcessFunctions: true }),
  'standard_blueprints__bedrock_connector_titan_multimodal_embedding_standard_blueprint__1.json': titanMultimodal(true),
  'standard_blueprints__sagemaker_semantic_highlighter_standard_blueprint__1.json': {
    factory: 'sageMakerSemanticHighlighter',
    blueprint: () => ConnectorBlueprint.sageMakerSemanticHighlighter({ endpointName: 'semantic-highlighter' }),
    placeholders: { '{your-endpoint-name}': 'semantic-highlighter', '{region}': 'us-east-1' },
  },
};

/** Bodies that no typed factory reproduces and that need ConnectorBlueprint.custom(): none so far. */
const CUSTOM_ONLY: string[] = [];

const AWS_FILES = fs.readFileSync(path.join(DIR, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1)
  .map((line) => line.split('\t'))
  .filter((columns) => columns[4] === 'aws_sigv4')
  .map((columns) => columns[0]);

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

function replaceStrings(value: unknown, replacements: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return Object.entries(replacements).reduce((text, [from, to]) => text.split(from).join(to), value);
  }
  if (Array.isArray(value)) return value.map((v) => replaceStrings(v, replacements));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceStrings(v, replacements)]));
  }
  return value;
}

/** The `url` difference, applied to both sides. */
function withFilledUrls(body: any): any {
  const copy = clone(body);
  for (const action of copy.actions) action.url = fillParameters(action.url, copy.parameters ?? {});
  return copy;
}

/** The official body with the differences of `file` applied. */
function expectedBody(file: string, roleArn: string): any {
  const testCase = CASES[file];
  const differences = new Set<Difference>(['credential', 'placeholders', 'version', 'url', ...(testCase.differences ?? [])]);
  const body = replaceStrings(official(file), { ...PLACEHOLDERS, ...testCase.placeholders }) as any;
  body.credential = { roleArn };
  body.version = '1';
  if (differences.has('regionAdded')) {
    expect(body.parameters.region).toBeUndefined();
    body.parameters = { region: 'us-west-2', ...body.parameters };
  }
  return withFilledUrls(body);
}

/** What the handler sends to OpenSearch for `file`'s case, and the connector role. */
function sentBody(file: string): { body: any; roleArn: string } {
  const testCase = CASES[file];
  const source = official(file);
  const replaced = replaceStrings(source, { ...PLACEHOLDERS, ...testCase.placeholders }) as any;
  const synthesized = synthesizeConnector(DOMAIN, {
    name: replaced.name,
    description: replaced.description,
    blueprint: testCase.blueprint(),
    ...(testCase.clientConfig ? { clientConfig: testCase.clientConfig } : {}),
  });
  return { body: parseConnectorProperties(synthesized.properties).connector, roleArn: synthesized.roleArn };
}

describe('conformance with the official ml-commons blueprints', () => {
  test('the catalog has 60 aws_sigv4 bodies, each with a typed case or listed as custom-only', () => {
    expect(AWS_FILES).toHaveLength(60);
    for (const file of AWS_FILES) {
      expect(fs.existsSync(path.join(DIR, file))).toBe(true);
      expect([file, file in CASES || CUSTOM_ONLY.includes(file)]).toEqual([file, true]);
    }
    expect(Object.keys(CASES).filter((file) => !AWS_FILES.includes(file))).toEqual([]);
  });

  test('typed factories reproduce at least 95% of the AWS bodies', () => {
    const typed = AWS_FILES.filter((file) => file in CASES);
    const exact = typed.filter((file) => (CASES[file].differences ?? []).length === 0);
    const rows = AWS_FILES.map((file) => {
      const testCase = CASES[file];
      const how = !testCase ? 'ConnectorBlueprint.custom()' : `${testCase.factory}()`;
      const extra = (testCase?.differences ?? []).join(', ');
      return `| ${file} | ${how} | ${extra || '-'} |`;
    });
    // The coverage table of the README, regenerated by every run.
    console.log([
      `typed: ${typed.length} of ${AWS_FILES.length} (${(100 * typed.length / AWS_FILES.length).toFixed(1)}%); with only the common differences: ${exact.length}`,
      '| catalog file | blueprint | differences beyond credential, placeholders, version, url |',
      '| --- | --- | --- |',
      ...rows,
    ].join('\n'));
    expect(typed.length / AWS_FILES.length).toBeGreaterThanOrEqual(0.95);
  });

  test.each(AWS_FILES.filter((file) => file in CASES))('%s', (file) => {
    const { body, roleArn } = sentBody(file);
    expect(roleArn).toMatch(/^arn:aws:iam::111122223333:role\/QARole/);
    expect(withFilledUrls(body)).toEqual(expectedBody(file, roleArn));
  });
});

describe('every AWS body of the catalog is also expressible with ConnectorBlueprint.custom()', () => {
  const camel: Record<string, string> = {
    action_type: 'actionType',
    method: 'method',
    url: 'url',
    headers: 'headers',
    request_body: 'requestBody',
    pre_process_function: 'preProcessFunction',
    post_process_function: 'postProcessFunction',
    supports_structured_output: 'supportsStructuredOutput',
  };
  test.each(AWS_FILES)('%s', (file) => {
    const source = replaceStrings(official(file), { ...PLACEHOLDERS, ...CASES[file]?.placeholders }) as any;
    const { region, service_name: serviceName, ...parameters } = source.parameters;
    const actions = source.actions.map((action: any) => Object.fromEntries(Object.entries(action).map(([k, v]) => {
      if (!(k in camel)) throw new Error(`${file}: ${k} has no ConnectorAction field`);
      return [camel[k], v];
    })));
    const synthesized = synthesizeConnector(DOMAIN, {
      name: source.name,
      description: source.description,
      blueprint: ConnectorBlueprint.custom({
        serviceName,
        region: region ?? 'us-west-2',
        parameters,
        actions,
        invokeActions: [`${serviceName}:Invoke`],
        invokeResources: [`arn:aws:${serviceName}:us-east-1:111122223333:model/any`],
      }),
      ...(CASES[file]?.clientConfig ? { clientConfig: CASES[file].clientConfig } : {}),
    });
    const body = parseConnectorProperties(synthesized.properties).connector as any;
    const expected = { ...source, credential: { roleArn: synthesized.roleArn }, version: '1', parameters: { region: region ?? 'us-west-2', ...source.parameters } };
    expect(body).toEqual(expected);
  });
});

/*
 * The `http` bodies of the catalog: third-party model APIs. On Amazon OpenSearch Service the
 * API key lives in AWS Secrets Manager: the body names the secret and the role that reads it,
 * and headers read the key as ${credential.secretArn.<field>}.
 */
const HTTP_DIFFERENCES = {
  secretCredential: 'credential is { "secretArn": <the secret>, "roleArn": <the connector role> } (Amazon OpenSearch Service), not the API key or a placeholder',
  secretHeaders: 'headers read the key from the secret: ${credential.<name>} is ${credential.secretArn.<name>}',
  placeholders: DIFFERENCES.placeholders,
  version: DIFFERENCES.version,
  url: DIFFERENCES.url,
  azureEndpointSlash: 'the catalog\'s endpoint placeholder ends with "/", which doubles the slash in the URL; the blueprint\'s endpoint has none',
} as const;
type HttpDifference = keyof typeof HTTP_DIFFERENCES;

interface HttpCase {
  readonly factory: string;
  readonly blueprint: (secret: secretsmanager.ISecret) => ConnectorBlueprint;
  readonly placeholders?: Record<string, string>;
  /** patterns the domain must trust besides ml-commons' defaults */
  readonly trust?: string[];
  readonly clientConfig?: ConnectorClientConfig;
  readonly differences?: HttpDifference[];
}

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:opensearch/model-api-key-AbCdEf';
const AZURE: Record<string, string> = {
  '<YOUR RESOURCE NAME>': 'my-openai',
  '<YOUR DEPLOYMENT NAME>': 'my-deployment',
  '<YOUR API VERSION>': '2024-10-21',
};
const TRUST_AZURE = ['^https://my-openai\\.openai\\.azure\\.com/.*$'];
const TRUST_GEMINI = ['^https://generativelanguage\\.googleapis\\.com/.*$'];
const TRUST_YANDEX = ['^https://llm\\.api\\.cloud\\.yandex\\.net/.*$'];
const YANDEX_FOLDER = { '<folder_ID>': 'b1gexample0123' };
const ada = (omitProcessFunctions: boolean): HttpCase => ({
  factory: 'openAiEmbedding',
  blueprint: (apiKeySecret) => ConnectorBlueprint.openAiEmbedding({ apiKeySecret, model: 'text-embedding-ada-002', omitProcessFunctions }),
  placeholders: { '<YOUR OPENAI SECRET KEY IN SECRET MANAGER>': 'openAI_key' },
});
const azureEmbedding = (omitProcessFunctions: boolean): HttpCase => ({
  factory: 'azureOpenAiEmbedding',
  blueprint: (apiKeySecret) => ConnectorBlueprint.azureOpenAiEmbedding({
    apiKeySecret, resourceName: 'my-openai', deploymentName: 'my-deployment', apiVersion: '2024-10-21', omitProcessFunctions,
  }),
  placeholders: AZURE,
  trust: TRUST_AZURE,
  differences: ['azureEndpointSlash'],
});
const cohereApiEmbed = (input: CohereEmbedInput, omitProcessFunctions: boolean): HttpCase => ({
  factory: 'cohereEmbed',
  blueprint: (apiKeySecret) => ConnectorBlueprint.cohereEmbed({ apiKeySecret, model: 'embed-english-v3.0', input, omitProcessFunctions }),
  placeholders: { '<ENTER_MODEL_NAME_HERE>': 'embed-english-v3.0' },
});

/** Every http body of the catalog, and the typed blueprint that reproduces it. */
const HTTP_CASES: Record<string, HttpCase> = {
  'aleph_alpha_connector_luminous_base_embedding_blueprint__1.json': {
    factory: 'alephAlphaEmbedding',
    blueprint: (apiKeySecret) => ConnectorBlueprint.alephAlphaEmbedding({ apiKeySecret }),
    trust: ['^https://api\\.aleph-alpha\\.com/.*$'],
  },
  'azure_openai_connector_chat_blueprint__1.json': {
    factory: 'azureOpenAiChatCompletions',
    blueprint: (apiKeySecret) => ConnectorBlueprint.azureOpenAiChatCompletions({
      apiKeySecret, resourceName: 'my-openai', deploymentName: 'my-deployment', apiVersion: '2024-10-21',
    }),
    placeholders: AZURE,
    trust: TRUST_AZURE,
    differences: ['azureEndpointSlash'],
  },
  'azure_openai_connector_embedding_blueprint__1.json': azureEmbedding(false),
  'batch_inference_openAI_connector_blueprint__1.json': {
    factory: 'openAiEmbedding',
    blueprint: (apiKeySecret) => ConnectorBlueprint.openAiEmbedding({
      apiKeySecret, model: 'text-embedding-ada-002', batchPredict: true, batchInputFileId: 'file-YbowBByiyVJN89oSZo2Enu9W',
    }),
  },
  'cohere_connector_chat_blueprint__1.json': {
    factory: 'cohereChat',
    blueprint: (apiKeySecret) => ConnectorBlueprint.cohereChat({ apiKeySecret, model: 'command', api: CohereChatApi.V1 }),
  },
  'cohere_connector_chat_v2_blueprint__1.json': {
    factory: 'cohereChat',
    blueprint: (apiKeySecret) => ConnectorBlueprint.cohereChat({ apiKeySecret, model: 'command-r-plus' }),
    trust: ['^https://api\\.cohere\\.com/.*$'],
  },
  'cohere_connector_embedding_blueprint__1.json': cohereApiEmbed(CohereEmbedInput.TEXTS, false),
  'cohere_connector_image_embedding_blueprint__1.json': cohereApiEmbed(CohereEmbedInput.IMAGES, false),
  'deepseek_connector_chat_blueprint__1.json': {
    factory: 'deepSeekChat',
    blueprint: (apiKeySecret) => ConnectorBlueprint.deepSeekChat({ apiKeySecret }),
  },
  'gcp_vertexai_connector_embedding_blueprint__1.json': {
    factory: 'googleVertexAiEmbedding',
    blueprint: (apiKeySecret) => ConnectorBlueprint.googleVertexAiEmbedding({ apiKeySecret, project: 'my-project-123', modelId: 'text-embedding-005' }),
    placeholders: { '<YOUR PROJECT_ID>': 'my-project-123', '<YOUR MODEL_ID>': 'text-embedding-005' },
    trust: ['^https://us-central1-aiplatform\\.googleapis\\.com/.*$'],
  },
  'google_gemini_connector_chat_blueprint__1.json': {
    factory: 'googleGeminiChat',
    blueprint: (apiKeySecret) => ConnectorBlueprint.googleGeminiChat({ apiKeySecret, model: 'gemini-2.0-flash' }),
    trust: TRUST_GEMINI,
  },
  'open_ai_connector_chat_blueprint__1.json': {
    factory: 'openAiChatCompletions',
    blueprint: (apiKeySecret) => ConnectorBlueprint.openAiChatCompletions({ apiKeySecret, model: 'gpt-3.5-turbo' }),
  },
  'open_ai_connector_completion_blueprint__1.json': {
    factory: 'openAiCompletions',
    blueprint: (apiKeySecret) => ConnectorBlueprint.openAiCompletions({ apiKeySecret, model: 'gpt-3.5-turbo-instruct', maxTokens: 7, temperature: 0 }),
  },
  'openai_connector_embedding_blueprint__1.json': ada(false),
  'openai_connector_embedding_blueprint__2.json': ada(false),
  'yandexcloud_connector_embedding_legacy_blueprint__1.json': {
    factory: 'yandexCloudEmbedding',
    blueprint: (apiKeySecret) => ConnectorBlueprint.yandexCloudEmbedding({ apiKeySecret, folderId: 'b1gexample0123', api: YandexCloudEmbeddingApi.FOUNDATION_MODELS }),
    placeholders: YANDEX_FOLDER,
    trust: TRUST_YANDEX,
  },
  'llm_judgment__azure_openai_chat_blueprint__1.json': {
    factory: 'azureOpenAiChatCompletions',
    blueprint: (apiKeySecret) => ConnectorBlueprint.azureOpenAiChatCompletions({
      apiKeySecret, resourceName: 'my-openai', deploymentName: 'my-deployment', apiVersion: '2024-08-01-preview', requestFormat: ChatRequestFormat.LLM_JUDGMENT,
    }),
    placeholders: AZURE,
    trust: TRUST_AZURE,
    clientConfig: JUDGE_RETRIES,
  },
  'llm_judgment__deepseek_chat_blueprint__1.json': {
    factory: 'deepSeekChat',
    blueprint: (apiKeySecret) => ConnectorBlueprint.deepSeekChat({ apiKeySecret, requestFormat: ChatRequestFormat.LLM_JUDGMENT }),
    placeholders: { '<MODEL_ID>': 'deepseek-chat' },
    clientConfig: JUDGE_RETRIES,
  },
  'llm_judgment__google_gemini_chat_blueprint__1.json': {
    factory: 'googleGeminiChat',
    blueprint: (apiKeySecret) => ConnectorBlueprint.googleGeminiChat({ apiKeySecret, model: 'gemini-2.0-flash', requestFormat: ChatRequestFormat.LLM_JUDGMENT }),
    placeholders: { '<MODEL_ID>': 'gemini-2.0-flash' },
    trust: TRUST_GEMINI,
    clientConfig: JUDGE_RETRIES,
  },
  'llm_judgment__openai_chat_blueprint__1.json': {
    factory: 'openAiChatCompletions',
    blueprint: (apiKeySecret) => ConnectorBlueprint.openAiChatCompletions({ apiKeySecret, model: 'gpt-4o', requestFormat: ChatRequestFormat.LLM_JUDGMENT }),
    placeholders: { '<MODEL_ID>': 'gpt-4o' },
    clientConfig: JUDGE_RETRIES,
  },
  'standard_blueprints__azure_openai_connector_embedding_standard_blueprint__1.json': azureEmbedding(true),
  'standard_blueprints__cohere_connector_image_embedding_standard_blueprint__1.json': cohereApiEmbed(CohereEmbedInput.IMAGES, true),
  'standard_blueprints__cohere_connector_text_embedding_standard_blueprint__1.json': cohereApiEmbed(CohereEmbedInput.TEXTS, true),
  'standard_blueprints__openai_connector_embedding_standard_blueprint__1.json': ada(true),
  'standard_blueprints__openai_connector_embedding_standard_blueprint__2.json': ada(true),
  'standard_blueprints__yandexcloud_connector_embedding_standard_blueprint__1.json': {
    factory: 'yandexCloudEmbedding',
    blueprint: (apiKeySecret) => ConnectorBlueprint.yandexCloudEmbedding({ apiKeySecret, folderId: 'b1gexample0123' }),
    placeholders: YANDEX_FOLDER,
    trust: TRUST_YANDEX,
  },
};

/**
 * http bodies no blueprint builds, with the reason. Both call a model on the domain's own
 * loopback address over plain http: Amazon OpenSearch Service cannot reach it, and the
 * library accepts https:// action URLs only.
 */
const HTTP_UNSUPPORTED: Record<string, string> = {
  'ollama_connector_chat_blueprint__1.json': 'http://127.0.0.1:11434 (a model on the OpenSearch node itself)',
  'llm_judgment__ollama_chat_blueprint__1.json': 'http://127.0.0.1:11434 (a model on the OpenSearch node itself)',
};

const HTTP_FILES = fs.readFileSync(path.join(DIR, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1)
  .map((line) => line.split('\t'))
  .filter((columns) => columns[4] === 'http')
  .map((columns) => columns[0]);

/** `${credential.<name>}` read from the secret: `${credential.secretArn.<name>}`. */
function withSecretHeaders(body: any): any {
  const copy = clone(body);
  for (const action of copy.actions) {
    for (const [name, value] of Object.entries<string>(action.headers ?? {})) {
      action.headers[name] = value.replace(/\$\{credential\.(?!secretArn\.)([^}]+)\}/g, '${credential.secretArn.$1}');
    }
  }
  return copy;
}

/** What the handler sends to OpenSearch for an http body, built by `blueprint`. */
function sentHttpBody(
  file: string, placeholders: Record<string, string>, blueprint: (secret: secretsmanager.ISecret) => ConnectorBlueprint,
  trust: string[] = [], clientConfig?: ConnectorClientConfig,
): any {
  const source = replaceStrings(official(file), placeholders) as any;
  const synthesized = synthesizeStack(DOMAIN, (stack, domain) => {
    new MlConnector(stack, 'QA', {
      domain,
      name: source.name,
      description: source.description,
      blueprint: blueprint(secretsmanager.Secret.fromSecretCompleteArn(stack, 'ApiKey', SECRET_ARN)),
      trustedEndpoints: [...DEFAULT_TRUSTED_ENDPOINTS, ...trust],
      ...(clientConfig ? { clientConfig } : {}),
    });
  });
  const [properties] = synthesized.propertiesOf('Custom::OpenSearchMlConnector');
  return parseConnectorProperties(properties).connector;
}

describe('conformance with the official ml-commons http blueprints (third-party model APIs)', () => {
  test('the catalog has 28 http bodies, each with a typed case or a reason it cannot be built', () => {
    expect(HTTP_FILES).toHaveLength(28);
    for (const file of HTTP_FILES) {
      expect(fs.existsSync(path.join(DIR, file))).toBe(true);
      expect([file, file in HTTP_CASES || file in HTTP_UNSUPPORTED]).toEqual([file, true]);
    }
    expect([...Object.keys(HTTP_CASES), ...Object.keys(HTTP_UNSUPPORTED)].filter((file) => !HTTP_FILES.includes(file))).toEqual([]);
    expect(Object.keys(HTTP_CASES).filter((file) => file in HTTP_UNSUPPORTED)).toEqual([]);
  });

  test('typed factories reproduce every http body an Amazon OpenSearch Service domain can call', () => {
    const typed = HTTP_FILES.filter((file) => file in HTTP_CASES);
    const exact = typed.filter((file) => (HTTP_CASES[file].differences ?? []).length === 0);
    const rows = HTTP_FILES.map((file) => {
      const testCase = HTTP_CASES[file];
      const how = testCase ? `${testCase.factory}()` : `none: ${HTTP_UNSUPPORTED[file]}`;
      return `| ${file} | ${how} | ${(testCase?.differences ?? []).join(', ') || '-'} |`;
    });
    console.log([
      `http typed: ${typed.length} of ${HTTP_FILES.length} (${(100 * typed.length / HTTP_FILES.length).toFixed(1)}%); with only the common differences: ${exact.length}`,
      '| catalog file | blueprint | differences beyond credential, secret headers, placeholders, version, url |',
      '| --- | --- | --- |',
      ...rows,
    ].join('\n'));
    expect(typed.length + Object.keys(HTTP_UNSUPPORTED).length).toBe(HTTP_FILES.length);
    expect(typed.length).toBe(26);
  });

  test.each(HTTP_FILES.filter((file) => file in HTTP_CASES))('%s', (file) => {
    const testCase = HTTP_CASES[file];
    const placeholders = { ...PLACEHOLDERS, ...testCase.placeholders };
    const body = sentHttpBody(file, placeholders, testCase.blueprint, testCase.trust, testCase.clientConfig);
    expect(body.protocol).toBe('http');
    expect(body.credential.secretArn).toBe(SECRET_ARN);
    expect(body.credential.roleArn).toMatch(/^arn:aws:iam::111122223333:role\/QARole/);
    expect(Object.keys(body.credential).sort()).toEqual(['roleArn', 'secretArn']);

    const expected = withSecretHeaders(replaceStrings(official(file), placeholders)) as any;
    expected.credential = { secretArn: SECRET_ARN, roleArn: body.credential.roleArn };
    expected.version = '1';
    if (testCase.differences?.includes('azureEndpointSlash')) {
      expect(expected.parameters.endpoint).toMatch(/\/$/);
      expected.parameters.endpoint = expected.parameters.endpoint.replace(/\/$/, '');
    }
    expect(withFilledUrls(body)).toEqual(withFilledUrls(expected));
  });
});

describe('every supported http body of the catalog is also expressible with ConnectorBlueprint.customHttp()', () => {
  test.each(HTTP_FILES.filter((file) => file in HTTP_CASES))('%s', (file) => {
    const placeholders = { ...PLACEHOLDERS, ...HTTP_CASES[file].placeholders };
    const source = withSecretHeaders(replaceStrings(official(file), placeholders)) as any;
    if (HTTP_CASES[file].differences?.includes('azureEndpointSlash')) source.parameters.endpoint = source.parameters.endpoint.replace(/\/$/, '');
    const actions = source.actions.map((action: any) => ({
      actionType: action.action_type,
      method: action.method,
      url: action.url,
      headers: action.headers,
      requestBody: action.request_body,
      preProcessFunction: action.pre_process_function,
      postProcessFunction: action.post_process_function,
      supportsStructuredOutput: action.supports_structured_output,
    }));
    const body = sentHttpBody(file, placeholders, (apiKeySecret) => ConnectorBlueprint.customHttp({
      apiKeySecret, parameters: source.parameters, actions,
    }), HTTP_CASES[file].trust, HTTP_CASES[file].clientConfig);
    expect(body).toEqual({ ...source, credential: { secretArn: SECRET_ARN, roleArn: body.credential.roleArn }, version: '1' });
  });
});
