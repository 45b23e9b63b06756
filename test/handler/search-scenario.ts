/*
 * Semantic, hybrid and RAG search end to end, as an application sees it once the stack is deployed:
 * three documents through the index's default ingest pipeline, a neural query, a hybrid query and a RAG
 * answer. Written against a DataPlane (signed requests to the domain or collection), so that the same
 * steps run against the emulator and against a real node.
 */

import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import {
  BedrockModel, ClaudeRequestFormat, ConnectorBlueprint, FineGrainedAccess, IndexField, IngestPipeline, IngestProcessor, KnnEngine, MlConnector,
  MlModel, ModelVerification, SearchPipeline, SearchProcessor, VectorIndex,
} from '../../src';

/** Requests of an application to the domain or collection, signed as it signs them. */
export interface DataPlane {
  request(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }>;
  /** Makes the writes so far searchable (a collection refreshes on its own, every minute). */
  refresh(index: string): Promise<void>;
}

/** Three documents: the nearest to "furry cats" is the first, to "stock market" the second. */
export const DOCUMENTS = [
  { text: 'Cats are small furry pets that purr', category: 'pets' },
  { text: 'The stock market fell sharply on Monday', category: 'finance' },
  { text: 'Rain is expected over the mountains tonight', category: 'weather' },
];

/**
 * `_bulk` of the three documents (IDs "0", "1", "2", or, on a vector collection, which refuses
 * document IDs, the service's own); the index's default pipeline embeds them.
 */
export async function ingest(data: DataPlane, index: string, withIds = true): Promise<any> {
  const action = (i: number) => JSON.stringify({ index: { _index: index, ...(withIds ? { _id: String(i) } : {}) } });
  const body = DOCUMENTS.map((doc, i) => `${action(i)}\n${JSON.stringify(doc)}\n`).join('');
  const reply = await data.request('POST', '/_bulk', body);
  await data.refresh(index);
  return reply;
}

export const idsOf = (reply: { json: any }): string[] => (reply.json?.hits?.hits ?? []).map((hit: { _id: string }) => hit._id);

/** Which of the DOCUMENTS each hit is (by its text), for IDs the service chose. */
export const documentsOf = (reply: { json: any }): number[] =>
  (reply.json?.hits?.hits ?? []).map((hit: { _source?: { text?: string } }) => DOCUMENTS.findIndex((doc) => doc.text === hit._source?.text));

/** A neural query that names no model: the index's default search pipeline (the enricher) does. */
export function neural(data: DataPlane, index: string, vectorField: string, text: string) {
  return data.request('POST', `/${index}/_search`, { _source: ['text'], query: { neural: { [vectorField]: { query_text: text, k: 3 } } } });
}

/** A hybrid query: lexical match and neural, normalized and combined by the default search pipeline. */
export function hybrid(data: DataPlane, index: string, vectorField: string, text: string) {
  return data.request('POST', `/${index}/_search`, {
    _source: ['text'],
    query: { hybrid: { queries: [{ match: { text } }, { neural: { [vectorField]: { query_text: text, k: 3 } } }] } },
  });
}

/** A question answered by the chat model of the RAG pipeline from the nearest document. */
export function rag(data: DataPlane, index: string, pipeline: string, vectorField: string, question: string, llmResponseField?: string) {
  return data.request('POST', `/${index}/_search?search_pipeline=${encodeURIComponent(pipeline)}`, {
    _source: ['text'],
    query: { neural: { [vectorField]: { query_text: question, k: 1 } } },
    ext: {
      generative_qa_parameters: { llm_question: question, context_size: 1, ...(llmResponseField ? { llm_response_field: llmResponseField } : {}) },
    },
  });
}

export interface ChainOptions {
  /** the names of the pipelines and of the index (default: CHAIN_NAMES) */
  readonly names?: { readonly ingest: string; readonly search: string; readonly rag: string; readonly index: string };
  /** the providers' fine-grained access on the domain (default: none given) */
  readonly fineGrainedAccess?: FineGrainedAccess;
  /** Titan's vector length (default 256) */
  readonly dimensions?: number;
  /** the vector field's engine (default: the library's) */
  readonly engine?: KnnEngine;
  /** the category field (a keyword unless given) */
  readonly category?: IndexField;
  readonly replicas?: number;
  readonly shards?: number;
  readonly refreshInterval?: Duration;
  readonly indexName?: string;
  readonly removalPolicy?: RemovalPolicy;
  readonly pipelineDescription?: string;
  /** a field besides text, category and the vectors */
  readonly extraField?: IndexField;
}

export const CHAIN_NAMES = { ingest: 'embed-titan', search: 'hybrid', rag: 'rag-claude', index: 'docs' };

/**
 * The README's first example: Titan Text Embeddings V2 (256 dimensions, unit vectors) → model → ingest pipeline →
 * index → hybrid search pipeline (the index's default); Claude (INPUTS) → model → RAG pipeline.
 */
export function buildChain(stack: Stack, domain: opensearch.IDomain, options: ChainOptions = {}): void {
  const names = options.names ?? CHAIN_NAMES;
  const access = options.fineGrainedAccess ? { fineGrainedAccess: options.fineGrainedAccess } : {};
  const titan = new MlConnector(stack, 'Titan', {
    domain, ...access, blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: options.dimensions ?? 256 }),
  });
  const model = new MlModel(stack, 'Embedding', { connector: titan, name: 'titan', verify: ModelVerification.predict() });
  const ingestPipeline = new IngestPipeline(stack, 'Ingest', {
    pipelineName: names.ingest,
    description: options.pipelineDescription,
    processors: [IngestProcessor.textEmbedding({ model, fieldMap: { text: 'embedding' } })],
  });
  const search = new SearchPipeline(stack, 'Hybrid', {
    pipelineName: names.search,
    processors: [
      SearchProcessor.neuralQueryEnricher({ fieldModels: { embedding: model } }), SearchProcessor.normalization({ weights: [0.3, 0.7] }),
    ],
  });
  const index = new VectorIndex(stack, 'Index', {
    indexName: options.indexName ?? names.index,
    fields: [
      IndexField.text('text'), options.category ?? IndexField.keyword('category'),
      ...(options.engine ? [IndexField.knnVector('embedding', { model, engine: options.engine })] : []),
      ...(options.extraField ? [options.extraField] : []),
    ],
    ingestPipeline,
    defaultSearchPipeline: search,
    replicas: options.replicas,
    shards: options.shards,
    refreshInterval: options.refreshInterval,
    removalPolicy: options.removalPolicy,
  });
  const claude = new MlConnector(stack, 'Claude', {
    domain,
    ...access,
    blueprint: ConnectorBlueprint.bedrockAnthropicClaude({
      model: BedrockModel.foundationModel('anthropic.claude-3-haiku-20240307-v1:0'), requestFormat: ClaudeRequestFormat.INPUTS,
    }),
  });
  const chat = new MlModel(stack, 'Chat', { connector: claude, name: 'claude' });
  const ragPipeline = new SearchPipeline(stack, 'Rag', {
    pipelineName: names.rag,
    processors: [
      SearchProcessor.neuralQueryEnricher({ fieldModels: { embedding: model } }),
      SearchProcessor.retrievalAugmentedGeneration({ model: chat, contextFields: ['text'] }),
    ],
  });
  ragPipeline.node.addDependency(index);
}
