/*
 * Embedding models are called as neural search calls them, `_predict/text_embedding/<model>` with `text_docs`
 * (the input the pre-process functions read); chat models with `parameters`.
 *
 * Predict through real ml-commons, with its pre- and post-process functions (Painless scripts and built-in
 * functions), to the loopback model endpoints, for a blueprint of each family: Bedrock embedding, Bedrock chat,
 * SageMaker, and an OpenAI-compatible http connector whose API key is in Secrets Manager. Each model is deployed
 * by the shipped handler (with its smoke test where the blueprint knows what to send), then called.
 */
import { Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { BedrockModel, ClaudeRequestFormat, ConnectorBlueprint, MlConnector, MlModel, ModelVerification } from '../../src';
import { official } from '../conformance-cases';
import { API_KEY, API_KEY_SECRET_ARN, Deployment, MODEL, nodes, RealDomain, toLoopback } from './tier';
import { SynthesizedStack } from '../handler/events';

const TITAN_PAINLESS = official('bedrock_connector_titan_embedding_blueprint__4.json').actions[0];

describe.each(nodes())('OpenSearch %s: predict through real pre- and post-process functions', (_version, node) => {
  let domain: RealDomain;
  let count = 0;
  beforeAll(async () => {
    domain = await RealDomain.open(node, { trustLoopback: true });
  });
  afterAll(async () => domain?.close());

  /** Deploys a connector and a model through the handler, runs `check` with the model ID, and removes both. */
  async function withModel(
    blueprint: (stack: Stack) => ConnectorBlueprint, model: { verify?: ModelVerification }, check: (modelId: string) => Promise<void>,
  ): Promise<void> {
    count++;
    const synthesized: SynthesizedStack = domain.synth((stack, d) => {
      const connector = new MlConnector(stack, 'Connector', { domain: d, fineGrainedAccess: domain.fineGrainedAccess(stack), blueprint: blueprint(stack) });
      new MlModel(stack, 'Model', { connector, name: `predict ${count}`, ...model });
    });
    const deployment = new Deployment(domain, synthesized, toLoopback(domain.models.url));
    try {
      await deployment.createAll();
      await check(deployment.physical.get(deployment.logicalId(MODEL, 'Model'))!);
    } finally {
      expect(await deployment.deleteAll()).toEqual([]);
    }
  }

  const lastCall = () => domain.models.calls[domain.models.calls.length - 1];

  test('Bedrock embedding (Titan v2, built-in bedrock.embedding pre- and post-process): text_docs in, a vector of the declared length out', async () => {
    const titan = () => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 512 });
    await withModel(titan, { verify: ModelVerification.predict() }, async (modelId) => {
      const answer = await domain.call('POST', `/_plugins/_ml/_predict/text_embedding/${modelId}`, { text_docs: ['hello real tier'] });
      expect({ status: answer.status, body: answer.status === 200 ? undefined : answer.body.slice(0, 2000) })
        .toEqual({ status: 200, body: undefined });
      // The pre-process made inputText of the text_docs ...
      expect(JSON.parse(lastCall().requestBody)).toMatchObject({ inputText: 'hello real tier', dimensions: 512 });
      expect(lastCall()).toMatchObject({ service: 'bedrock', status: 200, path: '/model/amazon.titan-embed-text-v2:0/invoke' });
      // ... and the post-process the tensor of the answer's embedding.
      const [tensor] = answer.json.inference_results[0].output;
      expect(tensor).toMatchObject({ name: 'sentence_embedding', data_type: 'FLOAT32', shape: [512] });
      expect(tensor.data[0]).toBeCloseTo(JSON.parse(lastCall().responseBody).embedding[0], 5);
    });
  });

  test('the catalog\'s Titan v1 Painless functions: the Painless pre-process runs, then ml-commons checks the output against its own interface for the model and refuses the tensor', async () => {
    await withModel(() => ConnectorBlueprint.bedrockTitanTextEmbeddingV1({
      preProcessFunction: TITAN_PAINLESS.pre_process_function, postProcessFunction: TITAN_PAINLESS.post_process_function,
    }), {}, async (modelId) => {
      const answer = await domain.call('POST', `/_plugins/_ml/_predict/text_embedding/${modelId}`, { text_docs: ['hello real tier'] });
      // The Painless pre-process built {"inputText": "hello real tier"} from text_docs, and Bedrock answered ...
      expect(JSON.parse(lastCall().requestBody)).toEqual({ inputText: 'hello real tier' });
      expect(lastCall()).toMatchObject({ service: 'bedrock', status: 200, path: '/model/amazon.titan-embed-text-v1/invoke' });
      // ... but the Painless post-process's tensor has no dataAsMap, which the interface ml-commons attaches to
      // amazon.titan-embed-text-v1 models requires.
      expect(answer.status).toBe(400);
      expect(answer.json.error.reason).toContain('Error validating output schema');
      expect(answer.json.error.reason).toContain("required property 'dataAsMap' not found");
    });
  });

  test('Bedrock chat (Claude, LLM judgment: a Painless post-process): the answer text comes back as dataAsMap.response', async () => {
    await withModel(() => ConnectorBlueprint.bedrockAnthropicClaude({
      model: BedrockModel.foundationModel('anthropic.claude-3-5-sonnet-20240620-v1:0'), requestFormat: ClaudeRequestFormat.LLM_JUDGMENT,
    }), {}, async (modelId) => {
      const answer = await domain.call('POST', `/_plugins/_ml/models/${modelId}/_predict`, {
        parameters: { system_prompt: 'You judge relevance.', user_prompt: 'Is "real" relevant to "tier"?' },
      });
      expect({ status: answer.status, body: answer.status === 200 ? undefined : answer.body }).toEqual({ status: 200, body: undefined });
      const sent = JSON.parse(lastCall().requestBody);
      expect(sent).toMatchObject({ anthropic_version: 'bedrock-2023-05-31', system: 'You judge relevance.' });
      expect(sent.messages[0].content[0].text).toBe('Is "real" relevant to "tier"?');
      expect(answer.json.inference_results[0].output[0].dataAsMap).toEqual({ response: 'echo: Is "real" relevant to "tier"?' });
    });
  });

  test('SageMaker endpoint (built-in default.embedding pre- and post-process), smoke-tested by the handler', async () => {
    await withModel(() => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'real-tier-embed' }), {
      verify: ModelVerification.predict({ parameters: { input: ['smoke'] }, expectEmbeddingDimension: 384 }),
    }, async (modelId) => {
      const answer = await domain.call('POST', `/_plugins/_ml/_predict/text_embedding/${modelId}`, { text_docs: ['one', 'two'] });
      expect({ status: answer.status, body: answer.status === 200 ? undefined : answer.body }).toEqual({ status: 200, body: undefined });
      expect(lastCall()).toMatchObject({ service: 'sagemaker', path: '/endpoints/real-tier-embed/invocations', status: 200 });
      expect(JSON.parse(lastCall().requestBody)).toEqual(['one', 'two']);
      const outputs = answer.json.inference_results.flatMap((r: any) => r.output);
      expect(outputs.map((o: any) => o.data.length)).toEqual([384, 384]);
    });
  });

  test('OpenAI-compatible http connector, API key from Secrets Manager (built-in openai.embedding functions)', async () => {
    await withModel((stack) => ConnectorBlueprint.openAiEmbedding({
      apiKeySecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'ApiKey', API_KEY_SECRET_ARN), model: 'text-embedding-ada-002',
    }), { verify: ModelVerification.predict() }, async (modelId) => {
      const answer = await domain.call('POST', `/_plugins/_ml/_predict/text_embedding/${modelId}`, { text_docs: ['hello'] });
      expect({ status: answer.status, body: answer.status === 200 ? undefined : answer.body }).toEqual({ status: 200, body: undefined });
      expect(lastCall()).toMatchObject({ service: 'openai', path: '/v1/embeddings', status: 200 });
      expect(answer.json.inference_results[0].output[0].data).toHaveLength(1536);
      // The key reached the model API, read from the secret with the connector role; the node's answers never show it.
      expect(domain.frontDoor.requests.some((r) => r.responseBody.includes(API_KEY))).toBe(false);
    });
  });
});
