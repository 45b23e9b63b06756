/*
 * Facts of neural-search, ml-commons and k-NN that the search constructs check at synth time: from
 * which OpenSearch version Amazon OpenSearch Service domains have a processor or a k-NN engine
 * feature, what k-NN accepts, and what OpenSearch Serverless vector collections refuse. Sources, by
 * tag of each plugin (the same facts the tests' emulator applies, test/emulator/README.md):
 * - neural-search NeuralSearch.getProcessors/getQueries: text_embedding and neural 2.9; hybrid and
 *   normalization-processor 2.10; sparse_encoding, text_image_embedding, neural_sparse and
 *   neural_query_enricher 2.11; text_chunking 2.13; batch_size 2.16; score-ranker-processor 2.19.
 * - ml-commons: ml_inference ingest processor 2.14 (MLInferenceIngestProcessor);
 *   retrieval_augmented_generation 2.10, with plugins.ml_commons.rag_pipeline_feature_enabled false
 *   until 2.11 and true from 2.12 (GenerativeQAProcessorConstants); llm_response_field 2.13.
 * - OpenSearch: search pipelines and index.search.default_pipeline 2.9 on the managed service.
 * - k-NN (KNNEngine, MethodComponent, KNNVectorFieldMapper): faiss hnsw l2 and innerproduct, cosinesimil
 *   from 2.19; lucene hnsw l2 and cosinesimil, innerproduct from 2.13; nmslib l2, l1, linf, cosinesimil,
 *   innerproduct, refused for new indexes from 3.0; dimension at most 16,000, lucene 1,024 until 2.11;
 *   default engine nmslib until 2.17, faiss from 2.18.
 * - "Working with vector search collections" (Amazon OpenSearch Serverless): no lucene engine, no faiss
 *   IVF; "Unsupported Machine Learning APIs and features": no Memory APIs, ml_inference processors only in
 *   NextGen collection groups.
 */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { GenerativeQaModelInfo } from './blueprints/types';
import { EngineVersionNumber, atLeast, formatVersion } from './engine-version';
import { MlValidationError, quote } from './errors';
import { TargetBinding } from './target';

/** From which version a domain has each processor (and the features named here). */
export const SINCE: Readonly<Record<string, EngineVersionNumber>> = {
  'text_embedding': [2, 9],
  'neural query': [2, 9],
  'search pipelines': [2, 9],
  'normalization-processor': [2, 10],
  'sparse_encoding': [2, 11],
  'text_image_embedding': [2, 11],
  'neural_query_enricher': [2, 11],
  'retrieval_augmented_generation': [2, 12],
  'llm_response_field': [2, 13],
  'text_chunking': [2, 13],
  'ml_inference': [2, 14],
  'batch_size': [2, 16],
  'score-ranker-processor': [2, 19],
};

/** Refuses `feature` on a domain older than it needs; an imported domain or a collection is not checked. */
export function requireVersion(scope: IConstruct, binding: TargetBinding, feature: string, what: string): void {
  const since = SINCE[feature];
  const version = binding.engineVersion;
  if (version && !atLeast(version, since)) {
    throw new MlValidationError(scope,
      `${what} needs OpenSearch ${formatVersion(since)} or later (${feature}); the domain runs ${formatVersion(version)}. ` +
      'Upgrade the domain (version: EngineVersion.OPENSEARCH_2_19, for example), or leave it out.');
  }
}

/** Refuses what an OpenSearch Serverless collection does not offer, with the reason. */
export function refuseOnCollection(scope: IConstruct, binding: TargetBinding, what: string, reason: string): void {
  if (binding.collection) {
    throw new MlValidationError(scope, `${what} is not supported on an OpenSearch Serverless collection (${quote(binding.collection.collectionName)}): ${reason}`);
  }
}

/** The k-NN engine of a vector field. */
export enum KnnEngine {
  /** Meta's Faiss: the default of Amazon OpenSearch Service from 2.18, and of this library on every version */
  FAISS = 'faiss',
  /** Apache Lucene's own HNSW (not on OpenSearch Serverless) */
  LUCENE = 'lucene',
  /** Non-Metric Space Library: deprecated in 2.19, refused for new indexes from OpenSearch 3.0 */
  NMSLIB = 'nmslib',
}

/** How a vector field compares vectors (`space_type`). */
export enum KnnSpaceType {
  /** Euclidean distance: every engine */
  L2 = 'l2',
  /** cosine similarity: lucene and nmslib; faiss from OpenSearch 2.19 */
  COSINESIMIL = 'cosinesimil',
  /** inner product (for unit vectors, the same ranking as cosine similarity): faiss and nmslib; lucene from 2.13 */
  INNERPRODUCT = 'innerproduct',
  /** Manhattan distance: nmslib only */
  L1 = 'l1',
  /** Chebyshev distance: nmslib only */
  LINF = 'linf',
}

/** The space types each engine's HNSW supports at `version` (an unknown version: every version's). */
function supportedSpaces(engine: KnnEngine, version: EngineVersionNumber | undefined): string[] {
  const since = (v: EngineVersionNumber) => !version || atLeast(version, v);
  switch (engine) {
    case KnnEngine.FAISS: return ['l2', 'innerproduct', ...(since([2, 19]) ? ['cosinesimil'] : [])];
    case KnnEngine.LUCENE: return ['l2', 'cosinesimil', ...(since([2, 13]) ? ['innerproduct'] : [])];
    default: return ['l2', 'l1', 'linf', 'cosinesimil', 'innerproduct'];
  }
}

/** The most dimensions a knn_vector field of `engine` holds. */
export function maxDimension(engine: KnnEngine, version: EngineVersionNumber | undefined): number {
  return engine === KnnEngine.LUCENE && version && !atLeast(version, [2, 12]) ? 1024 : 16_000;
}

/** Refuses a k-NN engine, space type and dimension that k-NN (or the collection) refuses. */
export function checkKnnMethod(scope: IConstruct, binding: TargetBinding, field: string, engine: KnnEngine, space: string, dimension: number): void {
  if (!Object.values(KnnEngine).includes(engine)) {
    throw new MlValidationError(scope, `field ${quote(field)} engine must be one of ${Object.values(KnnEngine).map(quote).join(', ')}; received ${quote(engine)}.`);
  }
  const version = binding.engineVersion;
  if (engine === KnnEngine.LUCENE) {
    refuseOnCollection(scope, binding, `field ${quote(field)} engine 'lucene'`, 'vector search collections do not support the Lucene engine; use KnnEngine.FAISS.');
  }
  if (engine === KnnEngine.NMSLIB && version && atLeast(version, [3, 0])) {
    throw new MlValidationError(scope, `field ${quote(field)} engine 'nmslib' is refused for new indexes from OpenSearch 3.0; the domain runs ${formatVersion(version)}. Use KnnEngine.FAISS.`);
  }
  const spaces = supportedSpaces(engine, version);
  if (!Token.isUnresolved(space) && !spaces.includes(space)) {
    throw new MlValidationError(scope,
      `field ${quote(field)} spaceType ${quote(space)} is not supported by the ${engine} engine${version ? ` on OpenSearch ${formatVersion(version)}` : ''}; ` +
      `it supports ${spaces.map(quote).join(', ')}. Choose another spaceType or engine.`);
  }
  const max = maxDimension(engine, version);
  if (!Token.isUnresolved(dimension) && (!Number.isInteger(dimension) || dimension < 1 || dimension > max)) {
    throw new MlValidationError(scope, `field ${quote(field)} dimension must be a whole number from 1 to ${max} for the ${engine} engine; received ${quote(dimension)}.`);
  }
}

/**
 * The space type of a model's vectors: inner product for unit vectors (the same ranking as cosine
 * similarity, supported by every engine, no normalization at search time), Euclidean distance (the
 * k-NN default) for any other.
 */
export function spaceTypeOf(normalized: boolean | undefined): KnnSpaceType {
  return normalized ? KnnSpaceType.INNERPRODUCT : KnnSpaceType.L2;
}

/** What pipelines and indexes know of a model of this app (an imported model: nothing). */
export interface ModelFacts {
  /** the model's construct path, for messages */
  readonly path: string;
  /** model_config.model_type, when the model has one */
  readonly modelType?: string;
  readonly dimension?: number;
  /** model_config.additional_config.space_type */
  readonly spaceType?: string;
  readonly vectorDataType?: string;
  /** false when the blueprint's embedding facts say the model is not multimodal; undefined when they are not known */
  readonly multimodal?: boolean;
  readonly generativeQa?: GenerativeQaModelInfo;
  /** the blueprint, for messages */
  readonly blueprint?: string;
}

/**
 * Index names OpenSearch refuses (MetadataCreateIndexService.validateIndexOrAliasName): upper case,
 * `\ / * ? " < > | , # :` and spaces, a leading `_ - +`, `.` and `..`, more than 255 bytes.
 */
export function checkIndexName(scope: IConstruct, property: string, name: string): void {
  if (Token.isUnresolved(name)) return;
  const reason = name.length === 0 ? 'must not be empty'
    : name !== name.toLowerCase() ? 'must be lower case'
      : /[\\/*?"<>| ,#:]/.test(name) ? 'must not contain \\ / * ? " < > | , # : or spaces'
        : /^[_\-+]/.test(name) ? "must not start with '_', '-' or '+'"
          : name === '.' || name === '..' ? "must not be '.' or '..'"
            : Buffer.byteLength(name) > 255 ? 'must be at most 255 bytes' : undefined;
  if (reason) throw new MlValidationError(scope, `${property} ${reason}, as OpenSearch names indexes; received ${quote(name)}.`);
}

/**
 * Pipeline names: letters, digits, '.', '_' and '-' (at most 512), so that the IAM paths the provider
 * is granted name exactly this pipeline.
 */
export function checkPipelineName(scope: IConstruct, property: string, name: string): void {
  if (!Token.isUnresolved(name) && !/^[A-Za-z0-9._-]{1,512}$/.test(name)) {
    throw new MlValidationError(scope, `${property} must be 1 to 512 letters, digits, '.', '_' or '-' (the IAM grant names the pipeline's path); received ${quote(name)}.`);
  }
}

/** Rejects a number that is not a whole number from `min` (to `max`). */
export function checkWhole(scope: IConstruct, property: string, value: number | undefined, min: number, max?: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    throw new MlValidationError(scope, `${property} must be a whole number from ${min}${max !== undefined ? ` to ${max}` : ' up'}; received ${quote(value)}.`);
  }
}

/** Rejects an empty field map, or one with an empty field name. */
export function checkFieldMap(scope: IConstruct, property: string, map: { [key: string]: string } | undefined): void {
  if (map === undefined || Token.isUnresolved(map)) return;
  const entries = Object.entries(map);
  const empty = entries.find(([from, to]) => from.trim() === '' || typeof to !== 'string' || to.trim() === '');
  if (entries.length === 0 || empty) {
    throw new MlValidationError(scope, `${property} must map at least one field name to another; received ${quote(map)}.`);
  }
}
