import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BedrockModel, ChunkingAlgorithm, ClaudeRequestFormat, CombinationTechnique, ConnectorBlueprint, FineGrainedAccess, IndexField, IngestPipeline,
  IngestProcessor, KnnEngine, KnnSpaceType, MlConnector, MlModel, NormalizationTechnique, SearchPipeline, SearchProcessor, SearchProcessorPhase,
  SemanticSearch, ServerlessCollection, VectorIndex,
} from '../src';
import { resourcesOfType, testDomain, testStack } from './util';

const INGEST = 'Custom::OpenSearchIngestPipeline';
const SEARCH = 'Custom::OpenSearchSearchPipeline';
const INDEX = 'Custom::OpenSearchIndex';
const CLAUDE_MODEL = BedrockModel.foundationModel('anthropic.claude-3-haiku-20240307-v1:0');

function propertiesOf(stack: Stack, type: string, index = 0): any {
  return resourcesOfType(stack, type)[index][1].Properties;
}

/** A Titan Text Embeddings V2 model (unit vectors) on `domain`. */
function titan(stack: Stack, domain: opensearch.IDomain, options: { dimensions?: number; normalize?: boolean; id?: string } = {}): MlModel {
  const connector = new MlConnector(stack, `${options.id ?? 'Titan'}Connector`, {
    domain, blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: options.dimensions ?? 512, normalize: options.normalize }),
  });
  return new MlModel(stack, options.id ?? 'Titan', { connector });
}

/** An OpenAI embedding model (1536 dimensions, unit vectors): its blueprint works from OpenSearch 2.9. */
function openAi(stack: Stack, domain: opensearch.IDomain): MlModel {
  const apiKeySecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'OpenAiKey', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:openai-AbCdEf');
  return new MlModel(stack, 'OpenAi', {
    connector: new MlConnector(stack, 'OpenAiConnector', { domain, blueprint: ConnectorBlueprint.openAiEmbedding({ apiKeySecret, model: 'text-embedding-3-small' }) }),
  });
}

function claude(stack: Stack, domain: opensearch.IDomain, requestFormat = ClaudeRequestFormat.INPUTS): MlModel {
  const connector = new MlConnector(stack, 'ClaudeConnector', { domain, blueprint: ConnectorBlueprint.bedrockAnthropicClaude({ model: CLAUDE_MODEL, requestFormat }) });
  return new MlModel(stack, 'Claude', { connector });
}

function withDomain(version = opensearch.EngineVersion.OPENSEARCH_2_19) {
  const stack = testStack();
  return { stack, domain: testDomain(stack, version) };
}

describe('MlModel space type', () => {
  test.each([
    ['Titan Text Embeddings V2 (normalized)', () => ConnectorBlueprint.bedrockTitanTextEmbeddingV2(), 'innerproduct'],
    ['Titan Text Embeddings V2 with normalize false', () => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ normalize: false }), 'l2'],
    ['Titan Text Embeddings G1', () => ConnectorBlueprint.bedrockTitanTextEmbeddingV1(), 'l2'],
    ['Cohere Embed v3 on Bedrock', () => ConnectorBlueprint.bedrockCohereEmbed(), 'innerproduct'],
  ])('%s: additional_config.space_type %s', (_, blueprint, space) => {
    const { stack, domain } = withDomain();
    new MlModel(stack, 'Model', { connector: new MlConnector(stack, 'C', { domain, blueprint: blueprint() }) });
    expect(propertiesOf(stack, 'Custom::OpenSearchMlModel').model.model_config.additional_config).toEqual({ space_type: space });
  });

  test('the user\'s space type wins; a chat model has no model_config', () => {
    const { stack, domain } = withDomain();
    const connector = new MlConnector(stack, 'C', { domain, blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() });
    new MlModel(stack, 'Model', { connector, modelConfig: { additionalConfig: { space_type: 'cosinesimil', extra: 1 } } });
    claude(stack, domain);
    expect(propertiesOf(stack, 'Custom::OpenSearchMlModel', 0).model.model_config.additional_config).toEqual({ space_type: 'cosinesimil', extra: 1 });
    expect(propertiesOf(stack, 'Custom::OpenSearchMlModel', 1).model.model_config).toBeUndefined();
  });
});

describe('IngestPipeline', () => {
  test('a text_embedding pipeline: the model\'s ID, its domain and grants, a derived name, after the model', () => {
    const { stack, domain } = withDomain();
    const model = titan(stack, domain);
    const pipeline = new IngestPipeline(stack, 'Embed', { processors: [IngestProcessor.textEmbedding({ model, fieldMap: { text: 'embedding' } })] });
    const props = propertiesOf(stack, INGEST);
    expect(props.name).toBe('TestStack-Embed-0F40317D');
    expect(props.pipeline).toEqual({ processors: [{ text_embedding: { model_id: { Ref: expect.stringMatching(/^Titan/) }, field_map: { text: 'embedding' } } }] });
    expect(props.endpoint).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Domain/), 'DomainEndpoint'] });
    expect(props.typedValues).toBeUndefined();
    expect(stack.resolve(pipeline.pipelineName)).toEqual({ Ref: expect.stringMatching(/^Embed/) });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpDelete'],
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Domain66AC69E0', 'Arn'] }, '/_ingest/pipeline/TestStack-Embed-0F40317D']] },
        }]),
      },
    });
    expect(IngestPipeline.isIngestPipeline(pipeline)).toBe(true);
    expect(IngestPipeline.isIngestPipeline(IngestPipeline.fromPipelineName(stack, 'Other', 'x'))).toBe(false);
  });

  test('every processor\'s options land in its JSON, with numbers typed', () => {
    const { stack, domain } = withDomain();
    const model = titan(stack, domain);
    const multimodal = new MlModel(stack, 'Multimodal', {
      connector: new MlConnector(stack, 'MM', { domain, blueprint: ConnectorBlueprint.bedrockTitanMultimodalEmbedding() }),
    });
    const sparse = new MlModel(stack, 'Sparse', {
      connector: new MlConnector(stack, 'SM', { domain, blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'sparse' }) }),
      modelConfig: { modelType: 'SPARSE_ENCODING' },
    });
    new IngestPipeline(stack, 'All', {
      pipelineName: 'all-of-them',
      description: 'every kind',
      processors: [
        IngestProcessor.textChunking({ fieldMap: { body: 'chunks' }, algorithm: ChunkingAlgorithm.fixedTokenLength({ tokenLimit: 100, overlapRate: 0.2 }) }),
        IngestProcessor.textEmbedding({ model, fieldMap: { chunks: 'chunk_vectors' }, batchSize: 8, tag: 'embed', description: 'chunks', ignoreFailure: true }),
        IngestProcessor.sparseEncoding({ model: sparse, fieldMap: { body: 'body_tokens' } }),
        IngestProcessor.textImageEmbedding({ model: multimodal, embeddingField: 'vector', textField: 'caption', imageField: 'image' }),
        IngestProcessor.mlInference({ model, inputMap: [{ inputText: 'title' }], outputMap: [{ title_vector: 'embedding' }], modelConfig: { a: 1 }, ignoreMissing: true }),
        IngestProcessor.textChunking({ fieldMap: { body: 'paragraphs' }, algorithm: ChunkingAlgorithm.delimiter('\n') }),
        IngestProcessor.custom('set', { field: 'source', value: 'web' }),
      ],
    });
    const props = propertiesOf(stack, INGEST);
    expect(props.name).toBe('all-of-them');
    expect(props.pipeline.description).toBe('every kind');
    expect(props.pipeline.processors).toEqual([
      { text_chunking: { field_map: { body: 'chunks' }, algorithm: { fixed_token_length: { token_limit: 100, overlap_rate: 0.2 } } } },
      { text_embedding: { model_id: expect.anything(), field_map: { chunks: 'chunk_vectors' }, batch_size: 8, description: 'chunks', tag: 'embed', ignore_failure: true } },
      { sparse_encoding: { model_id: expect.anything(), field_map: { body: 'body_tokens' } } },
      { text_image_embedding: { model_id: expect.anything(), embedding: 'vector', field_map: { text: 'caption', image: 'image' } } },
      { ml_inference: { model_id: expect.anything(), input_map: [{ inputText: 'title' }], output_map: [{ title_vector: 'embedding' }], model_config: { a: 1 }, ignore_missing: true } },
      { text_chunking: { field_map: { body: 'paragraphs' }, algorithm: { delimiter: { delimiter: '\n' } } } },
      { set: { field: 'source', value: 'web' } },
    ]);
    expect(props.typedValues).toEqual(expect.arrayContaining(['/processors/0/text_chunking/algorithm/fixed_token_length/token_limit', '/processors/1/text_embedding/batch_size']));
  });

  test('the index of such a pipeline maps what it writes: nested vectors of chunks, rank_features of sparse tokens, the multimodal vector', () => {
    const { stack, domain } = withDomain();
    const model = titan(stack, domain);
    const multimodal = new MlModel(stack, 'Multimodal', {
      connector: new MlConnector(stack, 'MM', { domain, blueprint: ConnectorBlueprint.bedrockTitanMultimodalEmbedding({ dimensions: 384 }) }),
    });
    const sparse = new MlModel(stack, 'Sparse', {
      connector: new MlConnector(stack, 'SM', { domain, blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'sparse' }) }),
      modelConfig: { modelType: 'SPARSE_ENCODING' },
    });
    const ingestPipeline = new IngestPipeline(stack, 'P', {
      processors: [
        IngestProcessor.textChunking({ fieldMap: { body: 'chunks' } }),
        IngestProcessor.textEmbedding({ model, fieldMap: { chunks: 'chunk_vectors', title: 'title_vector' } }),
        IngestProcessor.sparseEncoding({ model: sparse, fieldMap: { body: 'body_tokens' } }),
        IngestProcessor.textImageEmbedding({ model: multimodal, embeddingField: 'vector', imageField: 'image' }),
      ],
    });
    new VectorIndex(stack, 'Index', { ingestPipeline });
    const knn = (dimension: number, space: string) => ({ type: 'knn_vector', dimension, method: { name: 'hnsw', engine: 'faiss', space_type: space } });
    expect(propertiesOf(stack, INDEX).index.mappings.properties).toEqual({
      chunk_vectors: { type: 'nested', properties: { knn: knn(512, 'innerproduct') } },
      title_vector: knn(512, 'innerproduct'),
      body_tokens: { type: 'rank_features' },
      vector: knn(384, 'l2'),
    });
  });

  test('the domain comes from the models, or is given; models of two domains are refused', () => {
    const stack = testStack();
    const a = testDomain(stack, undefined, 'A');
    const b = testDomain(stack, undefined, 'B');
    const onA = titan(stack, a, { id: 'OnA' });
    const onB = titan(stack, b, { id: 'OnB' });
    expect(() => new IngestPipeline(stack, 'Mixed', {
      processors: [IngestProcessor.textEmbedding({ model: onA, fieldMap: { a: 'va' } }), IngestProcessor.textEmbedding({ model: onB, fieldMap: { b: 'vb' } })],
    })).toThrow(/processors names the model 'TestStack\/OnB', which is on another domain or collection/);
    const imported = MlModel.fromModelId(stack, 'Imported', 'abc');
    expect(() => new IngestPipeline(stack, 'NoDomain', { processors: [IngestProcessor.textEmbedding({ model: imported, fieldMap: { a: 'b' } })] }))
      .toThrow(/give the domain or collection: none of the processors names a model of this app/);
    new IngestPipeline(stack, 'Given', { domain: b, processors: [IngestProcessor.textEmbedding({ model: imported, fieldMap: { a: 'b' } })] });
    expect(propertiesOf(stack, INGEST).endpoint).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^B/), 'DomainEndpoint'] });
  });
});

describe('VectorIndex', () => {
  test('defaults: fields from the pipeline with the model\'s dimension and space type, faiss HNSW, index.knn, retained', () => {
    const { stack, domain } = withDomain();
    const model = titan(stack, domain, { dimensions: 256 });
    const ingestPipeline = new IngestPipeline(stack, 'P', { processors: [IngestProcessor.textEmbedding({ model, fieldMap: { text: 'embedding' } })] });
    const index = new VectorIndex(stack, 'Docs', { ingestPipeline, fields: [IndexField.text('text')] });
    const [[, resource]] = resourcesOfType(stack, INDEX);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    expect(resource.Properties).toMatchObject({
      name: 'teststack-docs-0b9d5315',
      removalPolicy: 'retain',
      index: {
        settings: { 'index.knn': true, 'index.default_pipeline': { Ref: expect.stringMatching(/^P/) } },
        mappings: {
          properties: {
            text: { type: 'text' },
            embedding: { type: 'knn_vector', dimension: 256, method: { name: 'hnsw', engine: 'faiss', space_type: 'innerproduct' } },
          },
        },
      },
      typedValues: ['/settings/index.knn', '/mappings/properties/embedding/dimension'],
    });
    expect(stack.resolve(index.indexName)).toEqual({ Ref: expect.stringMatching(/^Docs/) });
    // IAM: GET and PUT of the index, its mapping and settings; no DELETE of a retained index.
    const statements = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const text = JSON.stringify(statements);
    expect(text).toContain('"/teststack-docs-0b9d5315/_mapping"');
    expect(text).toContain('"/teststack-docs-0b9d5315/_settings"');
    const indexStatement = Object.values<any>(statements).flatMap((p) => p.Properties.PolicyDocument.Statement)
      .find((s) => JSON.stringify(s.Resource).includes('"/teststack-docs-0b9d5315"'));
    expect(indexStatement.Action).toEqual(['es:ESHttpGet', 'es:ESHttpPut']);
  });

  test('every setting: shards, replicas, refresh interval, default search pipeline, DESTROY (which adds the delete grant)', () => {
    const { stack, domain } = withDomain();
    const model = titan(stack, domain);
    const search = new SearchPipeline(stack, 'Search', { domain, pipelineName: 'hybrid', processors: [SearchProcessor.normalization()] });
    new VectorIndex(stack, 'Index', {
      indexName: 'docs',
      domain,
      fields: [IndexField.knnVector('v', { model, engine: KnnEngine.LUCENE, m: 24, efConstruction: 128 }), IndexField.keyword('k'),
        IndexField.text('t', { analyzer: 'english' }), IndexField.custom('when', { type: 'date' }), IndexField.rankFeatures('tokens')],
      shards: 2,
      replicas: 0,
      refreshInterval: Duration.seconds(30),
      defaultSearchPipeline: search,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const [[, resource]] = resourcesOfType(stack, INDEX);
    expect(resource.DeletionPolicy).toBe('Delete');
    expect(resource.Properties.removalPolicy).toBe('destroy');
    expect(resource.Properties.index).toEqual({
      settings: {
        'index.knn': true,
        'index.number_of_shards': 2,
        'index.number_of_replicas': 0,
        'index.refresh_interval': '30000ms',
        'index.search.default_pipeline': { Ref: expect.stringMatching(/^Search/) },
      },
      mappings: {
        properties: {
          v: { type: 'knn_vector', dimension: 512, method: { name: 'hnsw', engine: 'lucene', space_type: 'innerproduct', parameters: { m: 24, ef_construction: 128 } } },
          k: { type: 'keyword' },
          t: { type: 'text', analyzer: 'english' },
          when: { type: 'date' },
          tokens: { type: 'rank_features' },
        },
      },
    });
    const deletes = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement).find((s) => JSON.stringify(s.Resource).includes('"/docs"'));
    expect(deletes.Action).toEqual(['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpDelete']);
  });

  test('a pipeline names the indexes that take it as their default, which it releases before it is deleted; others name none', () => {
    const { stack, domain } = withDomain();
    const model = titan(stack, domain);
    const ingest = new IngestPipeline(stack, 'Embed', { pipelineName: 'embed', processors: [IngestProcessor.textEmbedding({ model, fieldMap: { text: 'v' } })] });
    const search = new SearchPipeline(stack, 'Search', { domain, pipelineName: 'hybrid', processors: [SearchProcessor.normalization()] });
    new SearchPipeline(stack, 'Unused', { domain, pipelineName: 'unused', processors: [SearchProcessor.normalization()] });
    new VectorIndex(stack, 'Docs', { indexName: 'docs', ingestPipeline: ingest, defaultSearchPipeline: search });
    new VectorIndex(stack, 'More', { indexName: 'more', ingestPipeline: ingest });
    expect(propertiesOf(stack, INGEST).defaultOf).toEqual(['docs', 'more']);
    expect(propertiesOf(stack, SEARCH, 0).defaultOf).toEqual(['docs']);
    expect(propertiesOf(stack, SEARCH, 1)).not.toHaveProperty('defaultOf');
  });

  test('an index without vectors has no index.knn; knn true adds it', () => {
    const { stack, domain } = withDomain();
    new VectorIndex(stack, 'Plain', { domain, indexName: 'plain', fields: [IndexField.text('t')] });
    new VectorIndex(stack, 'Knn', { domain, indexName: 'knn', fields: [IndexField.text('t')], knn: true });
    expect(propertiesOf(stack, INDEX, 0).index.settings).toEqual({});
    expect(propertiesOf(stack, INDEX, 1).index.settings).toEqual({ 'index.knn': true });
  });

  test('a vector field of an imported model or of no model takes its dimension; faiss cosinesimil on 2.19', () => {
    const { stack, domain } = withDomain();
    const model = MlModel.fromModelId(stack, 'Imported', 'abc');
    new VectorIndex(stack, 'Index', {
      domain,
      indexName: 'docs',
      fields: [IndexField.knnVector('a', { model, dimension: 8 }), IndexField.knnVector('b', { dimension: 4, spaceType: KnnSpaceType.COSINESIMIL })],
    });
    expect(propertiesOf(stack, INDEX).index.mappings.properties).toEqual({
      a: { type: 'knn_vector', dimension: 8, method: { name: 'hnsw', engine: 'faiss', space_type: 'l2' } },
      b: { type: 'knn_vector', dimension: 4, method: { name: 'hnsw', engine: 'faiss', space_type: 'cosinesimil' } },
    });
  });

  test.each([
    ['lucene innerproduct on 2.11', opensearch.EngineVersion.OPENSEARCH_2_11, { engine: KnnEngine.LUCENE, spaceType: KnnSpaceType.INNERPRODUCT },
      /spaceType 'innerproduct' is not supported by the lucene engine on OpenSearch 2.11; it supports 'l2', 'cosinesimil'/],
    ['faiss cosinesimil on 2.17', opensearch.EngineVersion.OPENSEARCH_2_17, { spaceType: KnnSpaceType.COSINESIMIL },
      /spaceType 'cosinesimil' is not supported by the faiss engine on OpenSearch 2.17/],
    ['faiss l1', opensearch.EngineVersion.OPENSEARCH_2_19, { spaceType: KnnSpaceType.L1 }, /spaceType 'l1' is not supported by the faiss engine/],
    ['nmslib on 3.1', opensearch.EngineVersion.openSearch('3.1'), { engine: KnnEngine.NMSLIB }, /engine 'nmslib' is refused for new indexes from OpenSearch 3.0/],
    ['lucene beyond 1024 on 2.11', opensearch.EngineVersion.OPENSEARCH_2_11, { engine: KnnEngine.LUCENE, dimension: 2048 },
      /dimension must be a whole number from 1 to 1024 for the lucene engine; received '2048'/],
  ])('k-NN refuses %s', (_, version, options, message) => {
    const { stack, domain } = withDomain(version);
    expect(() => new VectorIndex(stack, 'I', { domain, fields: [IndexField.knnVector('v', { dimension: 8, ...options })] })).toThrow(message);
  });

  test('a field that the pipeline writes must be the model\'s, and a RAG pipeline cannot be the default', () => {
    const { stack, domain } = withDomain();
    const model = titan(stack, domain);
    const ingestPipeline = new IngestPipeline(stack, 'P', { processors: [IngestProcessor.textEmbedding({ model, fieldMap: { text: 'embedding' } })] });
    expect(() => new VectorIndex(stack, 'A', { ingestPipeline, fields: [IndexField.knnVector('embedding', { dimension: 8 })] }))
      .toThrow(/fields 'embedding' is of dimension 8, but the ingest pipeline writes the 512-dimension vectors of the model 'TestStack\/Titan'/);
    expect(() => new VectorIndex(stack, 'B', { ingestPipeline, fields: [IndexField.text('embedding')] })).toThrow(/fields 'embedding' is a 'text' field/);
    const rag = new SearchPipeline(stack, 'Rag', { processors: [SearchProcessor.retrievalAugmentedGeneration({ model: claude(stack, domain), contextFields: ['text'] })] });
    expect(() => new VectorIndex(stack, 'C', { ingestPipeline, defaultSearchPipeline: rag }))
      .toThrow(/defaultSearchPipeline 'TestStack\/Rag' has a retrieval_augmented_generation processor/);
  });
});

describe('SearchPipeline', () => {
  test('hybrid: the enricher and the normalization processor in their lists, with the defaults', () => {
    const { stack, domain } = withDomain();
    const model = titan(stack, domain);
    const pipeline = new SearchPipeline(stack, 'Hybrid', {
      description: 'hybrid',
      processors: [SearchProcessor.normalization(), SearchProcessor.neuralQueryEnricher({ defaultModel: model, fieldModels: { embedding: model } })],
    });
    expect(propertiesOf(stack, SEARCH)).toMatchObject({
      name: 'TestStack-Hybrid-9BDF8401',
      pipeline: {
        description: 'hybrid',
        request_processors: [{
          neural_query_enricher: {
            default_model_id: { Ref: expect.any(String) }, neural_field_default_id: { embedding: { Ref: expect.any(String) } },
          },
        }],
        phase_results_processors: [{ 'normalization-processor': { normalization: { technique: 'min_max' }, combination: { technique: 'arithmetic_mean' } } }],
      },
    });
    expect(pipeline.llmResponseField).toBeUndefined();
    expect(SearchPipeline.isSearchPipeline(pipeline)).toBe(true);
  });

  test('normalization options, RAG from the Claude blueprint (llm_model and the response field), custom processors', () => {
    const { stack, domain } = withDomain();
    const pipeline = new SearchPipeline(stack, 'Rag', {
      pipelineName: 'rag',
      processors: [
        SearchProcessor.normalization({ technique: NormalizationTechnique.L2, combination: CombinationTechnique.HARMONIC_MEAN, weights: [0.4, 0.6] }),
        SearchProcessor.retrievalAugmentedGeneration({ model: claude(stack, domain), contextFields: ['text', 'title'], systemPrompt: 'Be brief.', userInstructions: 'Cite.' }),
        SearchProcessor.custom(SearchProcessorPhase.RESPONSE, 'truncate_hits', { target_size: 3 }),
      ],
    });
    expect(propertiesOf(stack, SEARCH).pipeline).toEqual({
      phase_results_processors: [{ 'normalization-processor': { normalization: { technique: 'l2' }, combination: { technique: 'harmonic_mean', parameters: { weights: [0.4, 0.6] } } } }],
      response_processors: [
        { retrieval_augmented_generation: { model_id: { Ref: expect.any(String) }, llm_model: 'bedrock/claude', context_field_list: ['text', 'title'], system_prompt: 'Be brief.', user_instructions: 'Cite.' } },
        { truncate_hits: { target_size: 3 } },
      ],
    });
    expect(pipeline.llmResponseField).toBe('response');
  });

  test.each([
    ['Claude text completions', () => ConnectorBlueprint.bedrockAnthropicClaudeTextCompletion({ model: BedrockModel.foundationModel('anthropic.claude-v2:1') }), 'bedrock/claude', undefined],
    ['OpenAI on Bedrock', () => ConnectorBlueprint.bedrockOpenAiChatCompletions(), 'openai.gpt-oss-120b-1:0', undefined],
  ])('RAG on %s: llm_model %s', (_, blueprint, llmModel, field) => {
    const { stack, domain } = withDomain();
    const model = new MlModel(stack, 'Chat', { connector: new MlConnector(stack, 'C', { domain, blueprint: blueprint() }) });
    const pipeline = new SearchPipeline(stack, 'Rag', { processors: [SearchProcessor.retrievalAugmentedGeneration({ model, contextFields: ['text'] })] });
    expect(propertiesOf(stack, SEARCH).pipeline.response_processors[0].retrieval_augmented_generation.llm_model).toBe(llmModel);
    expect(pipeline.llmResponseField).toBe(field);
  });

  test('a RAG processor on a model imported by ID takes the llmModel given', () => {
    const { stack, domain } = withDomain();
    new SearchPipeline(stack, 'Rag', {
      domain, processors: [SearchProcessor.retrievalAugmentedGeneration({ model: MlModel.fromModelId(stack, 'M', 'abc'), contextFields: ['text'], llmModel: 'gpt-4o' })],
    });
    expect(propertiesOf(stack, SEARCH).pipeline.response_processors[0].retrieval_augmented_generation).toEqual({ model_id: 'abc', llm_model: 'gpt-4o', context_field_list: ['text'] });
  });
});

describe('versions', () => {
  test.each([
    ['sparse_encoding on 2.10', opensearch.EngineVersion.OPENSEARCH_2_10, (_: Stack, m: MlModel) => IngestProcessor.sparseEncoding({ model: m, fieldMap: { a: 'b' } }),
      /sparse_encoding needs OpenSearch 2.11 or later/],
    ['text_chunking on 2.11', opensearch.EngineVersion.OPENSEARCH_2_11, () => IngestProcessor.textChunking({ fieldMap: { a: 'b' } }), /text_chunking needs OpenSearch 2.13 or later/],
    ['ml_inference on 2.13', opensearch.EngineVersion.OPENSEARCH_2_13, (_: Stack, m: MlModel) => IngestProcessor.mlInference({ model: m }), /ml_inference needs OpenSearch 2.14 or later/],
    ['batch_size on 2.15', opensearch.EngineVersion.OPENSEARCH_2_15, (_: Stack, m: MlModel) => IngestProcessor.textEmbedding({ model: m, fieldMap: { a: 'b' }, batchSize: 4 }),
      /batchSize needs OpenSearch 2.16 or later \(batch_size\); the domain runs 2.15/],
  ])('%s is refused', (_, version, processor, message) => {
    const { stack, domain } = withDomain(version);
    const model = openAi(stack, domain);
    expect(() => new IngestPipeline(stack, 'P', { domain, processors: [processor(stack, model)] })).toThrow(message);
  });

  test.each([
    ['the enricher on 2.10', opensearch.EngineVersion.OPENSEARCH_2_10, (m: MlModel) => SearchProcessor.neuralQueryEnricher({ defaultModel: m }), /neuralQueryEnricher needs OpenSearch 2.11/],
    ['normalization on 2.9', opensearch.EngineVersion.OPENSEARCH_2_9, () => SearchProcessor.normalization(), /normalization needs OpenSearch 2.10/],
  ])('%s is refused', (_, version, processor, message) => {
    const { stack, domain } = withDomain(version);
    expect(() => new SearchPipeline(stack, 'S', { domain, processors: [processor(openAi(stack, domain))] })).toThrow(message);
  });

  test('RAG needs 2.12, and a connector whose answer is in llm_response_field needs 2.13', () => {
    const old = withDomain(opensearch.EngineVersion.OPENSEARCH_2_11);
    expect(() => new SearchPipeline(old.stack, 'S', { processors: [SearchProcessor.retrievalAugmentedGeneration({ model: claude(old.stack, old.domain), contextFields: ['t'] })] }))
      .toThrow(/retrievalAugmentedGeneration needs OpenSearch 2.12 or later/);
    const v212 = withDomain(opensearch.EngineVersion.openSearch('2.12'));
    expect(() => new SearchPipeline(v212.stack, 'S', { processors: [SearchProcessor.retrievalAugmentedGeneration({ model: claude(v212.stack, v212.domain), contextFields: ['t'] })] }))
      .toThrow(/needs OpenSearch 2.13 or later \(llm_response_field\)/);
  });
});

describe('what a processor needs of its model', () => {
  test('an embedding processor on a chat model, RAG on an embedding model, Claude messages, a multimodal processor on a text model', () => {
    const { stack, domain } = withDomain();
    const chat = claude(stack, domain);
    const model = titan(stack, domain);
    expect(() => new IngestPipeline(stack, 'A', { processors: [IngestProcessor.textEmbedding({ model: chat, fieldMap: { a: 'b' } })] }))
      .toThrow(/processors\[0\] model needs a text embedding model, but 'TestStack\/Claude' is not an embedding model \(model_config.model_type 'none'\); its connector's blueprint is 'Amazon Bedrock: Anthropic Claude \(Messages API\)'/);
    expect(() => new SearchPipeline(stack, 'B', { processors: [SearchProcessor.retrievalAugmentedGeneration({ model, contextFields: ['t'] })] }))
      .toThrow(/retrievalAugmentedGeneration model needs a chat model, but 'TestStack\/Titan' is a text embedding model \(512 dimensions\)/);
    expect(() => new IngestPipeline(stack, 'C', { processors: [IngestProcessor.textImageEmbedding({ model, embeddingField: 'v', textField: 't' })] }))
      .toThrow(/needs a text and image embedding model/);
    expect(() => new IngestPipeline(stack, 'D', { processors: [IngestProcessor.sparseEncoding({ model, fieldMap: { a: 'b' } })] }))
      .toThrow(/needs a sparse encoding model, but 'TestStack\/Titan' is a text embedding model/);
    const messages = new MlModel(stack, 'Messages', {
      connector: new MlConnector(stack, 'MC', { domain, blueprint: ConnectorBlueprint.bedrockAnthropicClaude({ model: CLAUDE_MODEL }) }),
    });
    expect(() => new SearchPipeline(stack, 'E', { processors: [SearchProcessor.retrievalAugmentedGeneration({ model: messages, contextFields: ['t'] })] }))
      .toThrow(/llmModel is required: the model 'TestStack\/Messages' \(blueprint 'Amazon Bedrock: Anthropic Claude \(Messages API\)'\) does not say how the RAG processor calls it.*requestFormat: ClaudeRequestFormat.INPUTS/);
  });
});

describe('OpenSearch Serverless', () => {
  const collection = ServerlessCollection.fromCollectionAttributes({ collectionName: 'vectors', collectionId: 'abc123', collectionEndpoint: 'https://abc123.us-east-1.aoss.amazonaws.com' });

  test('index rules in the stack\'s data access policy; lucene and ml_inference are refused with the reason', () => {
    const stack = testStack();
    const connector = new MlConnector(stack, 'C', { collection, blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() });
    const model = new MlModel(stack, 'M', { connector });
    const ingestPipeline = new IngestPipeline(stack, 'P', { pipelineName: 'embed', processors: [IngestProcessor.textEmbedding({ model, fieldMap: { t: 'v' } })] });
    new VectorIndex(stack, 'I', { indexName: 'docs', ingestPipeline, removalPolicy: RemovalPolicy.DESTROY });
    const [[, policy]] = resourcesOfType(stack, 'AWS::OpenSearchServerless::AccessPolicy');
    const document = JSON.parse(stack.resolve(policy.Properties.Policy)['Fn::Join'][1].join(''));
    expect(document[0].Rules.slice(1)).toEqual([
      { ResourceType: 'index', Resource: ['index/vectors/*'], Permission: ['aoss:CreateIndex', 'aoss:DescribeIndex', 'aoss:DeleteIndex'] },
      { ResourceType: 'index', Resource: ['index/vectors/docs'], Permission: ['aoss:CreateIndex', 'aoss:DescribeIndex', 'aoss:UpdateIndex', 'aoss:DeleteIndex'] },
    ]);
    expect(propertiesOf(stack, INDEX).signingService).toBe('aoss');
    expect(() => new VectorIndex(stack, 'L', { collection, fields: [IndexField.knnVector('v', { dimension: 4, engine: KnnEngine.LUCENE })] }))
      .toThrow(/field 'v' engine 'lucene' is not supported on an OpenSearch Serverless collection \('vectors'\): vector search collections do not support the Lucene engine/);
    expect(() => new IngestPipeline(stack, 'X', { processors: [IngestProcessor.mlInference({ model })] }))
      .toThrow(/ml_inference is not supported on an OpenSearch Serverless collection \('vectors'\): ML inference processors run only in NextGen collection groups/);
  });
});

describe('fine-grained access control', () => {
  function fgacDomain(stack: Stack): opensearch.Domain {
    return new opensearch.Domain(stack, 'Domain', {
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      capacity: { dataNodes: 1, dataNodeInstanceType: 'r6g.large.search', multiAzWithStandbyEnabled: false },
      fineGrainedAccessControl: { masterUserName: 'admin' },
      useUnsignedBasicAuth: true,
      nodeToNodeEncryption: true,
      encryptionAtRest: { enabled: true },
      enforceHttps: true,
    });
  }

  test('one security role per domain with exactly the permissions of the stack\'s pipelines and indexes, mapped to the provider role', () => {
    const stack = testStack();
    const domain = fgacDomain(stack);
    const model = titan(stack, domain);
    const ingestPipeline = new IngestPipeline(stack, 'P', { pipelineName: 'embed', processors: [IngestProcessor.textEmbedding({ model, fieldMap: { t: 'v' } })] });
    new VectorIndex(stack, 'A', { indexName: 'a', ingestPipeline });
    new VectorIndex(stack, 'B', { indexName: 'b', ingestPipeline, removalPolicy: RemovalPolicy.DESTROY });
    const roles = resourcesOfType(stack, 'Custom::OpenSearchMlSecurityRole');
    expect(roles).toHaveLength(1);
    const role = roles[0][1].Properties;
    expect(role.name).toBe('cdk-opensearch-ml-teststack-e2b26ed8');
    expect(role.role).toEqual({
      cluster_permissions: ['cluster:admin/ingest/pipeline/delete', 'cluster:admin/ingest/pipeline/get', 'cluster:admin/ingest/pipeline/put'],
      index_permissions: [
        { index_patterns: ['a'], allowed_actions: ['indices:admin/create', 'indices:admin/get', 'indices:admin/mapping/put', 'indices:admin/settings/update'] },
        { index_patterns: ['b'], allowed_actions: ['indices:admin/create', 'indices:admin/delete', 'indices:admin/get', 'indices:admin/mapping/put', 'indices:admin/settings/update'] },
      ],
    });
    expect(role.masterUserSecretArn).toEqual({ Ref: expect.stringMatching(/^DomainMasterUser/) });
    const mappings = resourcesOfType(stack, 'Custom::OpenSearchMlRoleMapping').map(([id, r]) => [id, r.Properties.role, r.DependsOn]);
    expect(mappings).toEqual([
      [expect.stringMatching(/^OpenSearchMlProviderMlFullAccess/), 'ml_full_access', expect.anything()],
      [expect.stringMatching(/^OpenSearchMlProviderSearchRoleMapping/), role.name, expect.arrayContaining([expect.stringMatching(/^OpenSearchMlProviderSearchRole/)])],
    ]);
    // The pipeline and the indexes wait for the mapping.
    for (const [, resource] of [...resourcesOfType(stack, INGEST), ...resourcesOfType(stack, INDEX)]) {
      expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^OpenSearchMlProviderSearchRoleMapping/)]));
    }
  });

  test('no role when the provider role is the IAM master user (all_access); a warning that says what to grant when mapped by hand', () => {
    const stack = testStack();
    const domain = fgacDomain(stack);
    const connector = new MlConnector(stack, 'C', { domain, fineGrainedAccess: FineGrainedAccess.manual(), blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() });
    new IngestPipeline(stack, 'P', { pipelineName: 'embed', processors: [IngestProcessor.textEmbedding({ model: new MlModel(stack, 'M', { connector }), fieldMap: { t: 'v' } })] });
    expect(resourcesOfType(stack, 'Custom::OpenSearchMlSecurityRole')).toEqual([]);
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/P', Match.stringLikeRegexp('cluster permissions cluster:admin/ingest/pipeline/put'));
    expect(warnings).toHaveLength(1);

    const other = testStack();
    const master = fgacDomain(other);
    const c2 = new MlConnector(other, 'C', { domain: master, fineGrainedAccess: FineGrainedAccess.providerIsMasterUser(), blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() });
    new VectorIndex(other, 'I', { indexName: 'i', ingestPipeline: new IngestPipeline(other, 'P', { processors: [IngestProcessor.textEmbedding({ model: new MlModel(other, 'M', { connector: c2 }), fieldMap: { t: 'v' } })] }) });
    expect(resourcesOfType(other, 'Custom::OpenSearchMlSecurityRole')).toEqual([]);
  });
});

describe('SemanticSearch', () => {
  test('about ten lines: connector, model, ingest pipeline, index, default search pipeline (enricher, normalization), RAG pipeline after the index', () => {
    const { stack, domain } = withDomain();
    const search = new SemanticSearch(stack, 'Search', {
      domain,
      embedding: ConnectorBlueprint.bedrockTitanTextEmbeddingV2(),
      chat: ConnectorBlueprint.bedrockAnthropicClaude({ model: CLAUDE_MODEL, requestFormat: ClaudeRequestFormat.INPUTS }),
      hybrid: true,
      fields: [IndexField.keyword('category')],
    });
    expect(resourcesOfType(stack, 'Custom::OpenSearchMlConnector')).toHaveLength(2);
    expect(resourcesOfType(stack, 'Custom::OpenSearchMlModel')).toHaveLength(2);
    expect(resourcesOfType(stack, SEARCH)).toHaveLength(2);
    const index = propertiesOf(stack, INDEX).index;
    expect(Object.keys(index.mappings.properties)).toEqual(['text', 'category', 'embedding']);
    expect(index.settings).toEqual({
      'index.knn': true, 'index.default_pipeline': { Ref: expect.stringMatching(/^SearchIngestPipeline/) }, 'index.search.default_pipeline': { Ref: expect.stringMatching(/^SearchSearchPipeline/) },
    });
    const [defaultPipeline, ragPipeline] = resourcesOfType(stack, SEARCH);
    expect(Object.keys(defaultPipeline[1].Properties.pipeline)).toEqual(['request_processors', 'phase_results_processors']);
    expect(Object.keys(ragPipeline[1].Properties.pipeline)).toEqual(['request_processors', 'phase_results_processors', 'response_processors']);
    expect(ragPipeline[1].DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^SearchIndex/)]));
    expect(stack.resolve(search.indexName)).toEqual({ Ref: expect.stringMatching(/^SearchIndex/) });
    expect(stack.resolve(search.modelId)).toEqual({ Ref: expect.stringMatching(/^SearchEmbeddingModel/) });
    expect(search.ragPipelineName).toBeDefined();
    expect(search.llmResponseField).toBe('response');
    expect(propertiesOf(stack, 'Custom::OpenSearchMlModel', 0).verify).toBeDefined();
  });

  test('on 2.10 without hybrid there is no search pipeline (no enricher before 2.11); verifyModels false', () => {
    const { stack, domain } = withDomain(opensearch.EngineVersion.OPENSEARCH_2_10);
    const apiKeySecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:openai-AbCdEf');
    const search = new SemanticSearch(stack, 'Search', {
      domain, embedding: ConnectorBlueprint.openAiEmbedding({ apiKeySecret, model: 'text-embedding-3-small' }), verifyModels: false, textField: 'body', vectorField: 'body_vector',
    });
    expect(resourcesOfType(stack, SEARCH)).toEqual([]);
    expect(search.searchPipelineName).toBeUndefined();
    expect(propertiesOf(stack, INGEST).pipeline.processors[0].text_embedding.field_map).toEqual({ body: 'body_vector' });
    expect(propertiesOf(stack, 'Custom::OpenSearchMlModel').verify).toBeUndefined();
  });
});

test('a text and image processor takes a model whose blueprint does not know its embeddings (a SageMaker model declared TEXT_EMBEDDING)', () => {
  const { stack, domain } = withDomain();
  const model = new MlModel(stack, 'Clip', {
    connector: new MlConnector(stack, 'C', { domain, blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'clip' }) }),
    modelConfig: { embeddingDimension: 512 },
  });
  new IngestPipeline(stack, 'P', { processors: [IngestProcessor.textImageEmbedding({ model, embeddingField: 'v', imageField: 'image' })] });
  expect(propertiesOf(stack, INGEST).pipeline.processors[0].text_image_embedding.field_map).toEqual({ image: 'image' });
});
