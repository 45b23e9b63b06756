/*
 * The bad inputs of ingest pipelines, vector indexes, search pipelines and the semantic search
 * pattern: rows of the catalog (test/bad-input.ts appends them to BAD_INPUTS).
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import {
  BedrockEmbeddingType, BedrockModel, ChunkingAlgorithm, ConnectorBlueprint, IndexField, IngestPipeline, IngestProcessor, KnnEngine, KnnSpaceType,
  MlConnector, MlModel, SearchPipeline, SearchProcessor, SemanticSearch, ServerlessCollection, VectorIndex,
} from '../src';
import type { BadInput } from './bad-input';
import { testDomain } from './util';

/** A Titan Text Embeddings V2 model (512 values, unit length) on an OpenSearch `version` domain. */
function titan(
  stack: Stack, version = opensearch.EngineVersion.OPENSEARCH_2_19, options: { embeddingType?: BedrockEmbeddingType } = {},
  domain: opensearch.IDomain = testDomain(stack, version),
): MlModel {
  const connector = new MlConnector(stack, 'C', { domain, blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 512, ...options }) });
  return new MlModel(stack, 'M', { connector });
}

/** A Claude (Messages API) model on `domain`. */
function chat(stack: Stack, domain: opensearch.IDomain): MlModel {
  const connector = new MlConnector(stack, 'Chat', {
    domain, blueprint: ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.foundationModel('anthropic.claude-3-haiku-20240307-v1:0') }),
  });
  return new MlModel(stack, 'ChatModel', { connector });
}

const collection = () => ServerlessCollection.fromCollectionAttributes({
  collectionName: 'vectors', collectionId: 'abc123', collectionEndpoint: 'https://abc123.us-east-1.aoss.amazonaws.com',
});

/** A VectorIndex on a 2.19 domain (or `version`) with `fields`. */
function index(fields: (stack: Stack, domain: opensearch.IDomain) => IndexField[], version = opensearch.EngineVersion.OPENSEARCH_2_19) {
  return (s: Stack) => {
    const domain = testDomain(s, version);
    return new VectorIndex(s, 'I', { domain, fields: fields(s, domain) });
  };
}

/** An IngestPipeline with one processor on a model on a `version` domain. */
function pipeline(processor: (model: MlModel) => IngestProcessor, version?: opensearch.EngineVersion) {
  return (s: Stack) => {
    const domain = testDomain(s, version);
    return new IngestPipeline(s, 'P', { domain, processors: [processor(titan(s, version, {}, domain))] });
  };
}

export const SEARCH_BAD_INPUTS: BadInput[] = [
  // VectorIndex
  { input: 'VectorIndex', property: 'indexName', value: "'Docs'", valid: 'must be lower case', build: (s) => new VectorIndex(s, 'I', { domain: testDomain(s), indexName: 'Docs' }) },
  { input: 'VectorIndex', property: 'indexName', value: "'_docs'", valid: "must not start with '_', '-' or '+'", build: (s) => new VectorIndex(s, 'I', { domain: testDomain(s), indexName: '_docs' }) },
  { input: 'VectorIndex', property: 'indexName', value: "'my docs'", valid: 'must not contain', build: (s) => new VectorIndex(s, 'I', { domain: testDomain(s), indexName: 'my docs' }) },
  { input: 'VectorIndex', property: 'shards', value: "'0'", valid: 'must be a whole number from 1 to 1024', build: (s) => new VectorIndex(s, 'I', { domain: testDomain(s), shards: 0 }) },
  {
    input: 'VectorIndex',
    property: 'removalPolicy',
    value: "'snapshot'",
    valid: 'must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY',
    build: (s) => new VectorIndex(s, 'I', { domain: testDomain(s), removalPolicy: RemovalPolicy.SNAPSHOT }),
  },
  {
    input: 'VectorIndex',
    property: 'knn',
    value: 'false',
    valid: 'Leave knn out',
    build: (s) => new VectorIndex(s, 'I', { domain: testDomain(s), knn: false, fields: [IndexField.knnVector('v', { dimension: 4 })] }),
  },
  { input: 'VectorIndex', property: 'fields name', value: "'t'", valid: 'is listed twice', build: index(() => [IndexField.text('t'), IndexField.keyword('t')]) },
  {
    input: 'VectorIndex',
    property: "fields 'embedding'",
    value: 'dimension 8',
    valid: 'leave the field out to map it from the model',
    build: (s) => new VectorIndex(s, 'I', {
      ingestPipeline: new IngestPipeline(s, 'P', { processors: [IngestProcessor.textEmbedding({ model: titan(s), fieldMap: { text: 'embedding' } })] }),
      fields: [IndexField.knnVector('embedding', { dimension: 8 })],
    }),
  },
  {
    input: 'VectorIndex',
    property: 'defaultSearchPipeline',
    value: "'TestStack/Rag'",
    valid: 'use it with ?search_pipeline= instead',
    build: (s) => {
      const domain = testDomain(s);
      const rag = new SearchPipeline(s, 'Rag', { processors: [SearchProcessor.retrievalAugmentedGeneration({ model: chat(s, domain), contextFields: ['t'], llmModel: 'bedrock/claude' })] });
      return new VectorIndex(s, 'I', { domain, defaultSearchPipeline: rag });
    },
  },
  // IndexField.knnVector
  { input: 'IndexField.knnVector', property: "field 'v' dimension", value: '8', valid: 'returns vectors of 512', build: index((s, d) => [IndexField.knnVector('v', { model: titan(s, undefined, {}, d), dimension: 8 })]) },
  {
    input: 'IndexField.knnVector',
    property: "field 'v' spaceType",
    value: "'l2'",
    valid: "declares 'innerproduct' (modelConfig.additionalConfig.space_type)",
    build: index((s, d) => [IndexField.knnVector('v', { model: titan(s, undefined, {}, d), spaceType: KnnSpaceType.L2 })]),
  },
  {
    input: 'IndexField.knnVector',
    property: "field 'v' dimension",
    value: 'none',
    valid: 'the model is imported, so its dimension is not known',
    build: index((s) => [IndexField.knnVector('v', { model: MlModel.fromModelId(s, 'Imported', 'abc') })]),
  },
  { input: 'IndexField.knnVector', property: "field 'v' dimension", value: "'20000'", valid: 'from 1 to 16000', build: index(() => [IndexField.knnVector('v', { dimension: 20_000 })]) },
  {
    input: 'IndexField.knnVector',
    property: "field 'v' spaceType",
    value: "'cosinesimil'",
    valid: "it supports 'l2', 'innerproduct'",
    build: index(() => [IndexField.knnVector('v', { dimension: 4, spaceType: KnnSpaceType.COSINESIMIL })], opensearch.EngineVersion.OPENSEARCH_2_17),
  },
  {
    input: 'IndexField.knnVector',
    property: "field 'v' engine",
    value: "'nmslib'",
    valid: 'refused for new indexes from OpenSearch 3.0',
    build: index(() => [IndexField.knnVector('v', { dimension: 4, engine: KnnEngine.NMSLIB })], opensearch.EngineVersion.openSearch('3.1')),
  },
  {
    input: 'IndexField.knnVector',
    property: "field 'v' engine",
    value: "'lucene'",
    valid: 'vector search collections do not support the Lucene engine',
    build: (s) => new VectorIndex(s, 'I', { collection: collection(), fields: [IndexField.knnVector('v', { dimension: 4, engine: KnnEngine.LUCENE })] }),
  },
  {
    input: 'IndexField.knnVector',
    property: "field 'v' model",
    value: "'binary'",
    valid: 'a VectorIndex knn_vector field stores float vectors',
    // (binary Titan embeddings need OpenSearch 3.0's post-process function)
    build: index((s, d) => [IndexField.knnVector('v', { model: titan(s, undefined, { embeddingType: BedrockEmbeddingType.BINARY }, d) })], opensearch.EngineVersion.openSearch('3.1')),
  },
  { input: 'IndexField.knnVector', property: "field 'v' m", value: "'1'", valid: 'must be a whole number from 2', build: index(() => [IndexField.knnVector('v', { dimension: 4, m: 1 })]) },
  // IngestPipeline and IngestProcessor
  { input: 'IngestPipeline', property: 'processors', value: '[]', valid: 'must list at least one processor', build: (s) => new IngestPipeline(s, 'P', { domain: testDomain(s), processors: [] }) },
  {
    input: 'IngestPipeline',
    property: 'pipelineName',
    value: "'my pipeline'",
    valid: "1 to 512 letters, digits, '.', '_' or '-'",
    build: (s) => new IngestPipeline(s, 'P', { domain: testDomain(s), pipelineName: 'my pipeline', processors: [IngestProcessor.custom('set', { field: 'a', value: 1 })] }),
  },
  {
    input: 'IngestProcessor.textEmbedding',
    property: 'processors[0] model',
    value: "'TestStack/ChatModel'",
    valid: 'needs a text embedding model',
    build: (s) => new IngestPipeline(s, 'P', { processors: [IngestProcessor.textEmbedding({ model: chat(s, testDomain(s)), fieldMap: { a: 'b' } })] }),
  },
  { input: 'IngestProcessor.textEmbedding', property: 'processors[0] fieldMap', value: "'{}'", valid: 'must map at least one field name', build: pipeline((model) => IngestProcessor.textEmbedding({ model, fieldMap: {} })) },
  {
    input: 'IngestProcessor.textEmbedding',
    property: 'processors[0] batchSize',
    value: '2.15',
    valid: 'needs OpenSearch 2.16 or later',
    build: pipeline((model) => IngestProcessor.textEmbedding({ model, fieldMap: { a: 'b' }, batchSize: 4 }), opensearch.EngineVersion.OPENSEARCH_2_15),
  },
  { input: 'IngestProcessor.textEmbedding', property: 'processors[0] batchSize', value: "'0'", valid: 'must be a whole number from 1', build: pipeline((model) => IngestProcessor.textEmbedding({ model, fieldMap: { a: 'b' }, batchSize: 0 })) },
  {
    input: 'IngestProcessor.sparseEncoding',
    property: 'processors[0] model',
    value: "'TestStack/M'",
    valid: "needs a sparse encoding model, but 'TestStack/M' is a text embedding model",
    build: pipeline((model) => IngestProcessor.sparseEncoding({ model, fieldMap: { a: 'b' } })),
  },
  {
    input: 'IngestProcessor.textImageEmbedding',
    property: 'processors[0] textImageEmbedding',
    value: 'neither',
    valid: 'needs textField, imageField or both',
    build: pipeline((model) => IngestProcessor.textImageEmbedding({ model, embeddingField: 'v' })),
  },
  {
    input: 'IngestProcessor.textChunking',
    property: 'processors[0] text_chunking',
    value: '2.11',
    valid: 'needs OpenSearch 2.13 or later',
    build: (s) => new IngestPipeline(s, 'P', { domain: testDomain(s, opensearch.EngineVersion.OPENSEARCH_2_11), processors: [IngestProcessor.textChunking({ fieldMap: { a: 'b' } })] }),
  },
  {
    input: 'ChunkingAlgorithm.fixedTokenLength',
    property: 'algorithm overlapRate',
    value: "'0.9'",
    valid: 'must be from 0 to 0.5',
    build: pipeline(() => IngestProcessor.textChunking({ fieldMap: { a: 'b' }, algorithm: ChunkingAlgorithm.fixedTokenLength({ overlapRate: 0.9 }) })),
  },
  {
    input: 'IngestProcessor.mlInference',
    property: 'processors[0] ml_inference',
    value: '2.13',
    valid: 'needs OpenSearch 2.14 or later',
    build: pipeline((model) => IngestProcessor.mlInference({ model }), opensearch.EngineVersion.OPENSEARCH_2_13),
  },
  {
    input: 'IngestProcessor.mlInference',
    property: 'processors[0] ml_inference',
    value: "'vectors'",
    valid: 'ML inference processors run only in NextGen collection groups',
    build: (s) => new IngestPipeline(s, 'P', { collection: collection(), processors: [IngestProcessor.mlInference({ model: MlModel.fromModelId(s, 'M', 'abc') })] }),
  },
  {
    input: 'IngestProcessor.custom',
    property: 'processors[0] processorType',
    value: "'Set!'",
    valid: "a processor type such as 'set'",
    build: (s) => new IngestPipeline(s, 'P', { domain: testDomain(s), processors: [IngestProcessor.custom('Set!', {})] }),
  },
  // SearchPipeline and SearchProcessor
  {
    input: 'SearchProcessor.neuralQueryEnricher',
    property: 'neuralQueryEnricher',
    value: 'neither',
    valid: 'needs defaultModel, fieldModels or both',
    build: (s) => new SearchPipeline(s, 'S', { domain: testDomain(s), processors: [SearchProcessor.neuralQueryEnricher({})] }),
  },
  {
    input: 'SearchProcessor.normalization',
    property: 'normalization weights',
    value: "'[0.5,0.6]'",
    valid: 'must each be from 0 to 1 and add up to 1',
    build: (s) => new SearchPipeline(s, 'S', { domain: testDomain(s), processors: [SearchProcessor.normalization({ weights: [0.5, 0.6] })] }),
  },
  {
    input: 'SearchProcessor.retrievalAugmentedGeneration',
    property: 'retrievalAugmentedGeneration',
    value: '2.11',
    valid: 'needs OpenSearch 2.12 or later',
    build: (s) => {
      const domain = testDomain(s, opensearch.EngineVersion.OPENSEARCH_2_11);
      return new SearchPipeline(s, 'S', { processors: [SearchProcessor.retrievalAugmentedGeneration({ model: chat(s, domain), contextFields: ['t'], llmModel: 'x' })] });
    },
  },
  {
    input: 'SearchProcessor.retrievalAugmentedGeneration',
    property: 'retrievalAugmentedGeneration llmModel',
    value: 'none',
    valid: 'for Claude: requestFormat: ClaudeRequestFormat.INPUTS',
    build: (s) => new SearchPipeline(s, 'S', { processors: [SearchProcessor.retrievalAugmentedGeneration({ model: chat(s, testDomain(s)), contextFields: ['t'] })] }),
  },
  {
    input: 'SearchProcessor.retrievalAugmentedGeneration',
    property: 'retrievalAugmentedGeneration model',
    value: "'TestStack/M'",
    valid: 'needs a chat model',
    build: (s) => new SearchPipeline(s, 'S', { processors: [SearchProcessor.retrievalAugmentedGeneration({ model: titan(s), contextFields: ['t'] })] }),
  },
  {
    input: 'SearchProcessor.retrievalAugmentedGeneration',
    property: 'retrievalAugmentedGeneration contextFields',
    value: "'[]'",
    valid: 'must name at least one field of the hits',
    build: (s) => new SearchPipeline(s, 'S', { processors: [SearchProcessor.retrievalAugmentedGeneration({ model: chat(s, testDomain(s)), contextFields: [], llmModel: 'x' })] }),
  },
  { input: 'SearchPipeline', property: 'processors', value: '[]', valid: 'must list at least one processor', build: (s) => new SearchPipeline(s, 'S', { domain: testDomain(s), processors: [] }) },
  // SemanticSearch
  {
    input: 'SemanticSearch',
    property: 'embedding',
    value: "'Amazon Bedrock: Anthropic Claude (Messages API)'",
    valid: 'must be an embedding blueprint whose vector length is known',
    build: (s) => new SemanticSearch(s, 'Search', {
      domain: testDomain(s), embedding: ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.foundationModel('anthropic.claude-3-haiku-20240307-v1:0') }),
    }),
  },
  {
    input: 'SemanticSearch',
    property: 'chat',
    value: "'Amazon Bedrock: Anthropic Claude (Messages API)'",
    valid: 'requestFormat: ClaudeRequestFormat.INPUTS',
    build: (s) => new SemanticSearch(s, 'Search', {
      domain: testDomain(s),
      embedding: ConnectorBlueprint.bedrockTitanTextEmbeddingV2(),
      chat: ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.foundationModel('anthropic.claude-3-haiku-20240307-v1:0') }),
    }),
  },
  // MlModel
  {
    input: 'MlModel',
    property: 'modelConfig.additionalConfig.space_type',
    value: "'cosine'",
    valid: "must be one of 'l2', 'cosinesimil', 'innerproduct'",
    build: (s) => new MlModel(s, 'M', {
      connector: new MlConnector(s, 'C', { domain: testDomain(s), blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() }),
      modelConfig: { additionalConfig: { space_type: 'cosine' } },
    }),
  },
];
