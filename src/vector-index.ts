import { Duration, IResource, Names, RemovalPolicy, Resource, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { INDEX_RESOURCE_TYPE, IndexResourceProperties } from './contract';
import { createDocumentResource } from './custom-resource';
import { MlValidationError, quote } from './errors';
import { IIngestPipeline, IngestPipeline, PipelineField, targetOf } from './ingest-pipeline';
import { VECTOR_INDEX, isMarked, mark } from './markers';
import { IMlModel } from './model';
import { grantIndexAccess } from './search-access';
import { KnnEngine, KnnSpaceType, checkIndexName, checkKnnMethod, checkWhole } from './search-facts';
import { modelFacts } from './search-model';
import { ISearchPipeline, SearchPipeline } from './search-pipeline';
import { MlTargetOptions, TargetBinding } from './target';

/**
 * Options of `IndexField.knnVector()`.
 */
export interface KnnVectorFieldOptions {
  /**
   * The model whose vectors the field holds: its dimension and space type are the field's.
   *
   * @default - none: give `dimension`
   */
  readonly model?: IMlModel;

  /**
   * The vectors' length. With a model of this app, it must be the model's (leave it out).
   *
   * @default - the model's embedding dimension
   */
  readonly dimension?: number;

  /**
   * The k-NN engine.
   *
   * @default KnnEngine.FAISS
   */
  readonly engine?: KnnEngine;

  /**
   * How vectors are compared. With a model of this app, it must be the model's
   * (`additional_config.space_type`).
   *
   * @default - the model's: inner product for unit vectors (Titan Text Embeddings V2, Cohere Embed v3,
   * OpenAI), Euclidean distance (`l2`) otherwise
   */
  readonly spaceType?: KnnSpaceType;

  /**
   * HNSW links per node (`m`).
   *
   * @default - not sent: the engine's default (16)
   */
  readonly m?: number;

  /**
   * HNSW candidate list size at indexing (`ef_construction`).
   *
   * @default - not sent: the domain's default (512 before OpenSearch 2.12, 100 from 2.12)
   */
  readonly efConstruction?: number;

  /**
   * Whether the field holds one vector per chunk of a text (a `textChunking` processor before the
   * `textEmbedding` one): a `nested` field whose `knn` holds each vector.
   *
   * @default false
   */
  readonly chunked?: boolean;
}

/**
 * Options of `IndexField.text()`.
 */
export interface TextFieldOptions {
  /**
   * The analyzer (`analyzer`).
   *
   * @default - the index's default (standard)
   */
  readonly analyzer?: string;
}

interface BoundField {
  readonly mapping: Record<string, unknown>;
  readonly knn: boolean;
}

/**
 * A field of a `VectorIndex` mapping. Use the static factories; `custom()` takes any mapping.
 */
export class IndexField {
  /** A `knn_vector` field of a model's vectors (or of a given dimension). */
  public static knnVector(name: string, options: KnnVectorFieldOptions = {}): IndexField {
    return new IndexField(name, (scope, binding) => ({ mapping: knnMapping(scope, binding, name, options), knn: true }));
  }

  /** A full-text field (`text`): what lexical queries and hybrid search match. */
  public static text(name: string, options: TextFieldOptions = {}): IndexField {
    return IndexField.custom(name, { type: 'text', ...(options.analyzer !== undefined ? { analyzer: options.analyzer } : {}) });
  }

  /** An exact-value field (`keyword`): metadata to filter and aggregate on. */
  public static keyword(name: string): IndexField {
    return IndexField.custom(name, { type: 'keyword' });
  }

  /** Token weights of a sparse encoding model (`rank_features`), for `neural_sparse` queries. */
  public static rankFeatures(name: string): IndexField {
    return IndexField.custom(name, { type: 'rank_features' });
  }

  /** Any other field, as OpenSearch maps it: `custom('published', { type: 'date' })`. */
  public static custom(name: string, mapping: { [key: string]: any }): IndexField {
    return new IndexField(name, () => ({ mapping: { ...mapping }, knn: mapping.type === 'knn_vector' }));
  }

  private constructor(
    /** The field's name. */
    public readonly name: string,
    private readonly produce: (scope: Construct, binding: TargetBinding) => BoundField,
  ) {}

  /** @internal */
  public _bind(scope: Construct, binding: TargetBinding): BoundField {
    if (!Token.isUnresolved(this.name) && (this.name.trim() === '' || this.name.startsWith('.') || this.name.endsWith('.'))) {
      throw new MlValidationError(scope, `fields name must be a field name (not empty, not starting or ending with '.'); received ${quote(this.name)}.`);
    }
    return this.produce(scope, binding);
  }
}

/** The knn_vector mapping: dimension and space type from the model, engine FAISS and HNSW unless given. */
function knnMapping(scope: Construct, binding: TargetBinding, name: string, options: KnnVectorFieldOptions): Record<string, unknown> {
  const field = `field ${quote(name)}`;
  const facts = options.model ? modelFacts(scope, binding, `${field} model`, options.model, 'text embedding') : undefined;
  if (facts && facts.vectorDataType !== undefined && facts.vectorDataType !== 'float') {
    throw new MlValidationError(scope,
      `${field} model ${quote(facts.path)} returns ${quote(facts.vectorDataType)} embeddings; a VectorIndex knn_vector field stores float vectors. ` +
      'Use the blueprint\'s float embeddings, or map the field yourself with IndexField.custom().');
  }
  const dimension = options.dimension ?? facts?.dimension;
  if (dimension === undefined) {
    throw new MlValidationError(scope, `${field} dimension is required: ${options.model ? 'the model is imported, so its dimension is not known' : 'no model is given'}; received none.`);
  }
  if (facts && options.dimension !== undefined && !Token.isUnresolved(options.dimension) && options.dimension !== facts.dimension) {
    throw new MlValidationError(scope,
      `${field} dimension is ${options.dimension}, but the model ${quote(facts.path)} returns vectors of ${facts.dimension}; leave dimension out to use the model's.`);
  }
  if (facts?.spaceType !== undefined && options.spaceType !== undefined && options.spaceType !== facts.spaceType) {
    throw new MlValidationError(scope,
      `${field} spaceType is ${quote(options.spaceType)}, but the model ${quote(facts.path)} declares ${quote(facts.spaceType)} (modelConfig.additionalConfig.space_type); ` +
      'leave spaceType out to use the model\'s, or give the model the same space type.');
  }
  const spaceType = options.spaceType ?? facts?.spaceType ?? KnnSpaceType.L2;
  const engine = options.engine ?? KnnEngine.FAISS;
  checkKnnMethod(scope, binding, name, engine, spaceType, dimension);
  checkWhole(scope, `${field} m`, options.m, 2);
  checkWhole(scope, `${field} efConstruction`, options.efConstruction, 2);
  const parameters = {
    ...(options.m !== undefined ? { m: options.m } : {}),
    ...(options.efConstruction !== undefined ? { ef_construction: options.efConstruction } : {}),
  };
  const knn = {
    type: 'knn_vector',
    dimension,
    method: { name: 'hnsw', engine, space_type: spaceType, ...(Object.keys(parameters).length > 0 ? { parameters } : {}) },
  };
  return options.chunked ? { type: 'nested', properties: { knn } } : knn;
}

/**
 * A vector index.
 */
export interface IVectorIndex extends IResource {
  /**
   * The index's name.
   *
   * @attribute
   */
  readonly indexName: string;
}

/**
 * Properties of a `VectorIndex`.
 */
export interface VectorIndexProps extends MlTargetOptions {
  /**
   * The index's name, as OpenSearch names indexes (lower case; no `\ / * ? " < > | , # :` or spaces;
   * not starting with `_`, `-` or `+`). A new name creates a new index; the old one is retained unless
   * `removalPolicy` is `DESTROY`.
   *
   * @default - a name derived from the construct path, in lower case
   */
  readonly indexName?: string;

  /**
   * The fields of the mapping.
   *
   * @default - none besides the ingest pipeline's: a field that the pipeline's embedding processors
   * write and that is not listed here is added with the model's dimension and space type (`knn_vector`;
   * `rank_features` for sparse encoding)
   */
  readonly fields?: IndexField[];

  /**
   * The ingest pipeline every document goes through (`index.default_pipeline`).
   *
   * @default - none
   */
  readonly ingestPipeline?: IIngestPipeline;

  /**
   * The search pipeline of every search that names none (`index.search.default_pipeline`). Not a
   * pipeline with a RAG processor: every search would then need `ext.generative_qa_parameters`.
   *
   * @default - none
   */
  readonly defaultSearchPipeline?: ISearchPipeline;

  /**
   * Primary shards (`index.number_of_shards`). Fixed once the index exists.
   *
   * @default - not sent: the domain's default
   */
  readonly shards?: number;

  /**
   * Replicas of each shard (`index.number_of_replicas`). Changes in place.
   *
   * @default - not sent: the domain's default (1)
   */
  readonly replicas?: number;

  /**
   * How often new documents become searchable (`index.refresh_interval`). Changes in place.
   *
   * @default - not sent: OpenSearch's default (1 second; on a serverless collection, about 60 seconds)
   */
  readonly refreshInterval?: Duration;

  /**
   * Whether the index holds k-NN structures (`index.knn`), which approximate k-NN search needs.
   * Fixed once the index exists.
   *
   * @default - true when the index has a knn_vector field
   */
  readonly knn?: boolean;

  /**
   * What happens to the index and its documents when the construct is removed, the stack is deleted,
   * or the index is replaced (a new name): `RemovalPolicy.RETAIN` keeps it (CloudFormation's
   * `DeletionPolicy` and `UpdateReplacePolicy` `Retain`, and the handler leaves it too);
   * `RemovalPolicy.DESTROY` deletes it.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An index for vector, hybrid and lexical search on an OpenSearch domain or collection, created with
 * the stack after its ingest pipeline and default search pipeline: `knn_vector` fields whose
 * dimension and space type come from the model, text and metadata fields, shards, replicas, refresh
 * interval and default pipelines.
 *
 * No data loss: the index is retained when the construct or stack is deleted and when it is replaced,
 * unless `removalPolicy` is `RemovalPolicy.DESTROY`. An update changes what OpenSearch can change in
 * place (new fields, replicas, refresh interval, default pipelines); a change it cannot (a field's type,
 * dimension or engine, the number of shards) fails the update with the field named. An index of the
 * same name that the stack did not make is never changed or deleted.
 *
 * @resource Custom::OpenSearchIndex
 */
export class VectorIndex extends Resource implements IVectorIndex {
  /**
   * Whether `x` is a `VectorIndex` of this app (made by whichever copy of this library the app loaded).
   *
   * @param x any object
   */
  public static isVectorIndex(x: any): x is VectorIndex {
    return isMarked(x, VECTOR_INDEX);
  }

  /** Refers to an index that exists already, by its name. */
  public static fromIndexName(scope: Construct, id: string, indexName: string): IVectorIndex {
    return new ImportedVectorIndex(scope, id, indexName);
  }

  public readonly indexName: string;

  /** @internal The index's domain or collection. */
  public readonly _binding: TargetBinding;

  constructor(scope: Construct, id: string, props: VectorIndexProps) {
    super(scope, id);
    mark(this, VECTOR_INDEX);
    const name = props.indexName ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }).toLowerCase();
    checkIndexName(this, 'indexName', name);
    const pipeline = IngestPipeline.isIngestPipeline(props.ingestPipeline) ? props.ingestPipeline : undefined;
    const fields = props.fields ?? [];
    const pipelineFields = pipeline?._fields.filter((f) => f.kind !== 'chunks') ?? [];
    this._binding = pipeline && !props.domain && !props.collection
      ? pipeline._binding
      : targetOf(this, props, [...pipelineFields.flatMap((f) => (f.model ? [f.model] : []))], 'ingestPipeline');
    const search = SearchPipeline.isSearchPipeline(props.defaultSearchPipeline) ? props.defaultSearchPipeline : undefined;
    if (search?._needsGenerativeQa) {
      throw new MlValidationError(this,
        `defaultSearchPipeline ${quote(search.node.path)} has a retrieval_augmented_generation processor, so every search without ext.generative_qa_parameters would fail; ` +
        'use it with ?search_pipeline= instead, and give the index a pipeline without RAG as its default.');
    }

    const { properties, knn } = this.mappedFields(fields, pipelineFields);
    const wantsKnn = props.knn ?? knn;
    if (knn && props.knn === false) {
      throw new MlValidationError(this, 'knn false leaves the knn_vector fields without the k-NN structures their method names; received knn false with knn_vector fields. Leave knn out.');
    }
    const policy = checkIndexOptions(this, props);
    const destroy = policy === RemovalPolicy.DESTROY;
    const settings = indexSettings(props, wantsKnn);
    // The pipelines stop being the index's defaults before they are deleted (a retained index stays usable).
    pipeline?._defaultOf.push(name);
    search?._defaultOf.push(name);
    const resource = createDocumentResource<IndexResourceProperties>(this, INDEX_RESOURCE_TYPE, {
      ...this._binding, dependencies: grantIndexAccess(this, this._binding, name, destroy),
    }, name, 'index', { settings, mappings: { properties } }, { removalPolicy: destroy ? 'destroy' : 'retain' });
    // DeletionPolicy and UpdateReplacePolicy: CloudFormation itself leaves a retained index alone.
    resource.applyRemovalPolicy(policy);
    this.indexName = resource.ref;
  }

  /** The mapping of each field, declared or written by the ingest pipeline (checked against what it writes). */
  private mappedFields(fields: IndexField[], pipelineFields: PipelineField[]): { properties: Record<string, unknown>; knn: boolean } {
    const properties: Record<string, unknown> = {};
    let knn = false;
    for (const field of fields) {
      if (!Token.isUnresolved(field.name) && field.name in properties) {
        throw new MlValidationError(this, `fields name ${quote(field.name)} is listed twice; each field is mapped once.`);
      }
      const bound = field._bind(this, this._binding);
      properties[field.name] = bound.mapping;
      knn ||= bound.knn;
    }
    for (const written of pipelineFields) {
      const declared = properties[written.field] as Record<string, any> | undefined;
      if (declared === undefined) {
        const bound = fieldFor(written)._bind(this, this._binding);
        properties[written.field] = bound.mapping;
        knn ||= bound.knn;
      } else if (written.facts) {
        checkDeclared(this, written, declared);
      }
    }
    return { properties, knn };
  }
}

/** The field a pipeline's processor writes, as the index maps it. */
/** Checks shards, replicas, the refresh interval and the removal policy; returns the policy. */
function checkIndexOptions(scope: Construct, props: VectorIndexProps): RemovalPolicy {
  checkWhole(scope, 'shards', props.shards, 1, 1024);
  checkWhole(scope, 'replicas', props.replicas, 0);
  if (props.refreshInterval && !Token.isUnresolved(props.refreshInterval.toMilliseconds()) && props.refreshInterval.toMilliseconds() < 1) {
    throw new MlValidationError(scope, `refreshInterval must be at least 1 millisecond; received ${quote(props.refreshInterval.toString())}.`);
  }
  const policy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  if (policy === RemovalPolicy.SNAPSHOT) {
    throw new MlValidationError(scope, "removalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY: CloudFormation cannot snapshot an index; received 'snapshot'.");
  }
  return policy;
}

/** The index settings the props ask for (flat keys, as the index's settings read back). */
function indexSettings(props: VectorIndexProps, knn: boolean): Record<string, unknown> {
  return {
    ...(knn ? { 'index.knn': true } : {}),
    ...(props.shards !== undefined ? { 'index.number_of_shards': props.shards } : {}),
    ...(props.replicas !== undefined ? { 'index.number_of_replicas': props.replicas } : {}),
    ...(props.refreshInterval ? { 'index.refresh_interval': `${props.refreshInterval.toMilliseconds()}ms` } : {}),
    ...(props.ingestPipeline ? { 'index.default_pipeline': props.ingestPipeline.pipelineName } : {}),
    ...(props.defaultSearchPipeline ? { 'index.search.default_pipeline': props.defaultSearchPipeline.pipelineName } : {}),
  };
}

function fieldFor(written: PipelineField): IndexField {
  if (written.kind === 'rank_features') return IndexField.rankFeatures(written.field);
  return IndexField.knnVector(written.field, { model: written.model, chunked: written.chunked });
}

/** A listed field that the pipeline writes must be what the pipeline's model makes. */
function checkDeclared(scope: Construct, written: PipelineField, declared: Record<string, any>): void {
  const knn = declared.type === 'nested' ? declared.properties?.knn : declared;
  const type = written.kind === 'rank_features' ? 'rank_features' : 'knn_vector';
  const wrong = knn?.type !== type ? `a ${quote(declared.type ?? 'object')} field`
    : type === 'knn_vector' && !Token.isUnresolved(knn.dimension) && knn.dimension !== written.facts!.dimension ? `of dimension ${knn.dimension}` : undefined;
  if (wrong) {
    throw new MlValidationError(scope,
      `fields ${quote(written.field)} is ${wrong}, but the ingest pipeline writes the ${type === 'knn_vector' ? `${written.facts!.dimension}-dimension vectors` : 'token weights'} ` +
      `of the model ${quote(written.facts!.path)} into it; leave the field out to map it from the model.`);
  }
}

class ImportedVectorIndex extends Resource implements IVectorIndex {
  constructor(scope: Construct, id: string, public readonly indexName: string) {
    super(scope, id);
  }
}
