import { IResource, Lazy, Names, Resource, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { INGEST_PIPELINE_RESOURCE_TYPE, IngestPipelineResourceProperties } from './contract';
import { createDocumentResource } from './custom-resource';
import { MlValidationError, quote } from './errors';
import { INGEST_PIPELINE, isMarked, mark } from './markers';
import { IMlModel, MlModel } from './model';
import { grantPipelineAccess } from './search-access';
import { ModelFacts, checkFieldMap, checkPipelineName, checkWhole, refuseOnCollection, requireVersion } from './search-facts';
import { ModelNeed, modelFacts } from './search-model';
import { MlTargetOptions, TargetBinding, bindTarget, sameTarget } from './target';

/**
 * Options every ingest processor has.
 */
export interface IngestProcessorOptions {
  /**
   * The processor's description.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * The processor's tag, which names it in errors and statistics.
   *
   * @default - none
   */
  readonly tag?: string;

  /**
   * Whether a failure of this processor lets the document through unchanged.
   *
   * @default false - the document fails
   */
  readonly ignoreFailure?: boolean;
}

/**
 * Options of `IngestProcessor.textEmbedding()` and `IngestProcessor.sparseEncoding()`.
 */
export interface FieldInferenceProcessorOptions extends IngestProcessorOptions {
  /**
   * The model that embeds (or encodes) the text: an `MlModel` on a text embedding blueprint
   * (for `sparseEncoding`, a model with `modelConfig: { modelType: 'SPARSE_ENCODING' }`), or a
   * model imported with `MlModel.fromModelId()`.
   */
  readonly model: IMlModel;

  /**
   * The text fields to read and the fields their vectors go to (`field_map`), for example
   * `{ text: 'embedding' }`.
   */
  readonly fieldMap: { [sourceField: string]: string };

  /**
   * How many documents of a bulk request go to the model in one call (`batch_size`, OpenSearch 2.16+).
   *
   * @default - not sent: one document per call
   */
  readonly batchSize?: number;
}

/**
 * Options of `IngestProcessor.textImageEmbedding()`.
 */
export interface TextImageEmbeddingProcessorOptions extends IngestProcessorOptions {
  /** A multimodal embedding model (Amazon Titan Multimodal Embeddings), or one imported by ID. */
  readonly model: IMlModel;

  /** The field the one vector of text and image goes to (`embedding`). */
  readonly embeddingField: string;

  /**
   * The text field to read (`field_map.text`).
   *
   * @default - no text: give `imageField`
   */
  readonly textField?: string;

  /**
   * The field of the base64-encoded image (`field_map.image`).
   *
   * @default - no image: give `textField`
   */
  readonly imageField?: string;

  /**
   * How many documents of a bulk request go to the model in one call (`batch_size`, OpenSearch 2.16+).
   *
   * @default - not sent
   */
  readonly batchSize?: number;
}

/**
 * Options of `IngestProcessor.mlInference()`.
 */
export interface MlInferenceProcessorOptions extends IngestProcessorOptions {
  /** The model to call: any remote model. */
  readonly model: IMlModel;

  /**
   * For each prediction, the model inputs and the document fields they are read from (`input_map`),
   * for example `[{ inputText: 'text' }]`.
   *
   * @default - the model's inputs are the document's fields of the same names
   */
  readonly inputMap?: Array<{ [modelInput: string]: string }>;

  /**
   * For each prediction, the document fields to write and the model output (a JSON path) each is read
   * from (`output_map`), for example `[{ text_embedding: 'embedding' }]`.
   *
   * @default - the whole answer in `inference_results`
   */
  readonly outputMap?: Array<{ [documentField: string]: string }>;

  /**
   * Settings sent to the model with each prediction (`model_config`).
   *
   * @default - none
   */
  readonly modelConfig?: { [key: string]: any };

  /**
   * Whether a document that lacks an input field passes unchanged (`ignore_missing`).
   *
   * @default false
   */
  readonly ignoreMissing?: boolean;
}

/**
 * Options of `ChunkingAlgorithm.fixedTokenLength()`.
 */
export interface FixedTokenLengthOptions {
  /**
   * Tokens per chunk (`token_limit`).
   *
   * @default 384
   */
  readonly tokenLimit?: number;

  /**
   * The share of a chunk that the next one repeats, from 0 to 0.5 (`overlap_rate`).
   *
   * @default 0
   */
  readonly overlapRate?: number;
}

/**
 * How `IngestProcessor.textChunking()` splits a text.
 */
export class ChunkingAlgorithm {
  /** Chunks of at most so many tokens (`fixed_token_length`, the processor's default). */
  public static fixedTokenLength(options: FixedTokenLengthOptions = {}): ChunkingAlgorithm {
    return new ChunkingAlgorithm('fixed_token_length', {
      ...(options.tokenLimit !== undefined ? { token_limit: options.tokenLimit } : {}),
      ...(options.overlapRate !== undefined ? { overlap_rate: options.overlapRate } : {}),
    }, (scope) => {
      checkWhole(scope, 'algorithm tokenLimit', options.tokenLimit, 1);
      const rate = options.overlapRate;
      if (rate !== undefined && !Token.isUnresolved(rate) && !(rate >= 0 && rate <= 0.5)) {
        throw new MlValidationError(scope, `algorithm overlapRate must be from 0 to 0.5; received ${quote(rate)}.`);
      }
    });
  }

  /** Chunks that end at each `delimiter` (`delimiter`, by default a blank line). */
  public static delimiter(delimiter?: string): ChunkingAlgorithm {
    return new ChunkingAlgorithm('delimiter', delimiter !== undefined ? { delimiter } : {}, (scope) => {
      if (delimiter === '') throw new MlValidationError(scope, "algorithm delimiter must not be empty (leave it out for a blank line, '\\n\\n'); received ''.");
    });
  }

  private constructor(
    /** @internal */ public readonly _name: string,
    /** @internal */ public readonly _parameters: Record<string, unknown>,
    /** @internal */ public readonly _check: (scope: Construct) => void,
  ) {}
}

/**
 * Options of `IngestProcessor.textChunking()`.
 */
export interface TextChunkingProcessorOptions extends IngestProcessorOptions {
  /** The text fields to split and the fields their lists of chunks go to (`field_map`), for example `{ text: 'chunks' }`. */
  readonly fieldMap: { [sourceField: string]: string };

  /**
   * How the text is split.
   *
   * @default ChunkingAlgorithm.fixedTokenLength()
   */
  readonly algorithm?: ChunkingAlgorithm;
}

/** What one processor of a pipeline writes, for the index whose default pipeline it is. */
export interface PipelineField {
  readonly field: string;
  readonly kind: 'knn_vector' | 'rank_features' | 'chunks';
  /** the model whose vectors the field holds */
  readonly model?: IMlModel;
  readonly facts?: ModelFacts;
  /** the field it reads */
  readonly source?: string;
  /** one vector per chunk (the source is a list of chunks): a nested field */
  readonly chunked?: boolean;
}

interface BoundProcessor {
  readonly body: Record<string, unknown>;
  readonly fields: PipelineField[];
}

/**
 * One processor of an ingest pipeline. Use the static factories; `custom()` takes any other
 * processor as JSON.
 */
export class IngestProcessor {
  /**
   * `text_embedding` (neural-search, OpenSearch 2.9+): the vector of each mapped text field, from a
   * text embedding model.
   */
  public static textEmbedding(options: FieldInferenceProcessorOptions): IngestProcessor {
    return IngestProcessor.fieldInference('text_embedding', 'text embedding', 'knn_vector', options);
  }

  /**
   * `sparse_encoding` (neural-search, OpenSearch 2.11+): the token weights of each mapped text field,
   * from a sparse encoding model, for `neural_sparse` queries.
   */
  public static sparseEncoding(options: FieldInferenceProcessorOptions): IngestProcessor {
    return IngestProcessor.fieldInference('sparse_encoding', 'sparse encoding', 'rank_features', options);
  }

  /**
   * `text_image_embedding` (neural-search, OpenSearch 2.11+): one vector of a text and an image, from a
   * multimodal embedding model.
   */
  public static textImageEmbedding(options: TextImageEmbeddingProcessorOptions): IngestProcessor {
    return new IngestProcessor('text_image_embedding', options, (scope, binding, context) => {
      requireVersion(scope, binding, 'text_image_embedding', `${context} text_image_embedding`);
      if (options.textField === undefined && options.imageField === undefined) {
        throw new MlValidationError(scope, `${context} textImageEmbedding needs textField, imageField or both; received neither.`);
      }
      checkBatchSize(scope, binding, context, options.batchSize);
      const facts = modelFacts(scope, binding, `${context} model`, options.model, 'text and image embedding');
      return {
        body: {
          model_id: options.model.modelId,
          embedding: options.embeddingField,
          field_map: {
            ...(options.textField !== undefined ? { text: options.textField } : {}),
            ...(options.imageField !== undefined ? { image: options.imageField } : {}),
          },
          ...(options.batchSize !== undefined ? { batch_size: options.batchSize } : {}),
        },
        fields: [{ field: options.embeddingField, kind: 'knn_vector', model: options.model, facts }],
      };
    });
  }

  /**
   * `ml_inference` (ml-commons, OpenSearch 2.14+): calls any remote model with fields of the document
   * and writes parts of its answer into others. Not on OpenSearch Serverless collections outside
   * NextGen collection groups (use `custom('ml_inference', ...)` there).
   */
  public static mlInference(options: MlInferenceProcessorOptions): IngestProcessor {
    return new IngestProcessor('ml_inference', options, (scope, binding, context) => {
      requireVersion(scope, binding, 'ml_inference', `${context} ml_inference`);
      refuseOnCollection(scope, binding, `${context} ml_inference`,
        'ML inference processors run only in NextGen collection groups; in one, use IngestProcessor.custom(\'ml_inference\', {...}).');
      modelFacts(scope, binding, `${context} model`, options.model, 'any');
      options.inputMap?.forEach((map, i) => checkFieldMap(scope, `${context} inputMap[${i}]`, map));
      options.outputMap?.forEach((map, i) => checkFieldMap(scope, `${context} outputMap[${i}]`, map));
      return {
        body: {
          model_id: options.model.modelId,
          ...(options.inputMap ? { input_map: options.inputMap } : {}),
          ...(options.outputMap ? { output_map: options.outputMap } : {}),
          ...(options.modelConfig ? { model_config: options.modelConfig } : {}),
          ...(options.ignoreMissing !== undefined ? { ignore_missing: options.ignoreMissing } : {}),
        },
        fields: [],
      };
    });
  }

  /**
   * `text_chunking` (neural-search, OpenSearch 2.13+): splits each mapped text into a list of chunks,
   * which a `textEmbedding` processor after it embeds one by one (its index field then holds one
   * vector per chunk).
   */
  public static textChunking(options: TextChunkingProcessorOptions): IngestProcessor {
    return new IngestProcessor('text_chunking', options, (scope, binding, context) => {
      requireVersion(scope, binding, 'text_chunking', `${context} text_chunking`);
      checkFieldMap(scope, `${context} fieldMap`, options.fieldMap);
      const algorithm = options.algorithm ?? ChunkingAlgorithm.fixedTokenLength();
      algorithm._check(scope);
      return {
        body: { field_map: options.fieldMap, algorithm: { [algorithm._name]: algorithm._parameters } },
        fields: Object.values(options.fieldMap).map((field) => ({ field, kind: 'chunks' })),
      };
    });
  }

  /**
   * Any other processor, as OpenSearch takes it: `custom('set', { field: 'source', value: 'web' })`.
   * Not checked at synth time: OpenSearch checks it when the pipeline is created.
   */
  public static custom(processorType: string, config: { [key: string]: any }): IngestProcessor {
    return new IngestProcessor(processorType, {}, (scope, _binding, context) => {
      if (!Token.isUnresolved(processorType) && !/^[a-z][a-z0-9_]*$/.test(processorType)) {
        throw new MlValidationError(scope, `${context} processorType must be a processor type such as 'set' (lower-case letters, digits and '_'); received ${quote(processorType)}.`);
      }
      return { body: { ...config }, fields: [] };
    });
  }

  private static fieldInference(type: string, need: ModelNeed, kind: PipelineField['kind'], options: FieldInferenceProcessorOptions): IngestProcessor {
    return new IngestProcessor(type, options, (scope, binding, context) => {
      requireVersion(scope, binding, type, `${context} ${type}`);
      checkFieldMap(scope, `${context} fieldMap`, options.fieldMap);
      checkBatchSize(scope, binding, context, options.batchSize);
      const facts = modelFacts(scope, binding, `${context} model`, options.model, need);
      return {
        body: {
          model_id: options.model.modelId,
          field_map: options.fieldMap,
          ...(options.batchSize !== undefined ? { batch_size: options.batchSize } : {}),
        },
        fields: Object.entries(options.fieldMap).map(([source, field]) => ({ field, source, kind, model: options.model, facts })),
      };
    });
  }

  private constructor(
    /** @internal the processor type, as OpenSearch names it */
    public readonly _type: string,
    private readonly common: IngestProcessorOptions,
    private readonly produce: (scope: Construct, binding: TargetBinding, context: string) => BoundProcessor,
  ) {}

  /** @internal The processor's JSON and what it writes, checked for the pipeline's target. */
  public _bind(scope: Construct, binding: TargetBinding, index: number): { body: Record<string, unknown>; fields: PipelineField[] } {
    const bound = this.produce(scope, binding, `processors[${index}]`);
    return {
      body: {
        [this._type]: {
          ...bound.body,
          ...(this.common.description !== undefined ? { description: this.common.description } : {}),
          ...(this.common.tag !== undefined ? { tag: this.common.tag } : {}),
          ...(this.common.ignoreFailure !== undefined ? { ignore_failure: this.common.ignoreFailure } : {}),
        },
      },
      fields: bound.fields,
    };
  }

  /** @internal The models the processor calls. */
  public get _models(): IMlModel[] {
    const model = (this.common as { model?: IMlModel }).model;
    return model ? [model] : [];
  }
}

function checkBatchSize(scope: Construct, binding: TargetBinding, context: string, batchSize: number | undefined): void {
  if (batchSize === undefined) return;
  requireVersion(scope, binding, 'batch_size', `${context} batchSize`);
  checkWhole(scope, `${context} batchSize`, batchSize, 1);
}

/**
 * An ingest pipeline.
 */
export interface IIngestPipeline extends IResource {
  /**
   * The pipeline's name (its ID in OpenSearch): what an index's `default_pipeline` names.
   *
   * @attribute
   */
  readonly pipelineName: string;
}

/**
 * Properties of an `IngestPipeline`.
 */
export interface IngestPipelineProps extends MlTargetOptions {
  /** The processors, in the order they run. */
  readonly processors: IngestProcessor[];

  /**
   * The pipeline's name: 1 to 512 letters, digits, '.', '_' or '-'.
   *
   * @default - a name derived from the construct path
   */
  readonly pipelineName?: string;

  /**
   * The pipeline's description. The handler adds which stack and resource manage it.
   *
   * @default - none
   */
  readonly description?: string;
}

/**
 * An ingest pipeline on an OpenSearch domain or collection, created, replaced in place (PUT) and
 * deleted with the stack: text embedding, sparse encoding, text and image embedding, ML inference and
 * chunking processors, checked at synth time against their models and the domain's version. It is
 * created after the models it names are deployed, and never overwrites or deletes a pipeline of the
 * same name that the stack did not make.
 *
 * @resource Custom::OpenSearchIngestPipeline
 */
export class IngestPipeline extends Resource implements IIngestPipeline {
  /**
   * Whether `x` is an `IngestPipeline` of this app (made by whichever copy of this library the app loaded).
   *
   * @param x any object
   */
  public static isIngestPipeline(x: any): x is IngestPipeline {
    return isMarked(x, INGEST_PIPELINE);
  }

  /** Refers to an ingest pipeline that exists already, by its name. */
  public static fromPipelineName(scope: Construct, id: string, pipelineName: string): IIngestPipeline {
    return new ImportedIngestPipeline(scope, id, pipelineName);
  }

  public readonly pipelineName: string;

  /** @internal The pipeline's domain or collection. */
  public readonly _binding: TargetBinding;

  /** @internal What the processors write: the fields an index with this default pipeline needs. */
  public readonly _fields: PipelineField[];

  /** @internal The indexes of the app that name this pipeline as their default (released before it is deleted). */
  public readonly _defaultOf: string[] = [];

  constructor(scope: Construct, id: string, props: IngestPipelineProps) {
    super(scope, id);
    mark(this, INGEST_PIPELINE);
    if (props.processors.length === 0) {
      throw new MlValidationError(this, 'processors must list at least one processor; received [].');
    }
    const name = props.pipelineName ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    checkPipelineName(this, 'pipelineName', name);
    this._binding = targetOf(this, props, props.processors.flatMap((p) => p._models), 'processors');
    const bound = props.processors.map((processor, i) => processor._bind(this, this._binding, i));
    // A vector of a field that an earlier text_chunking wrote is one vector per chunk.
    const chunks = new Set<string>();
    this._fields = bound.flatMap((b) => b.fields).map((field) => {
      if (field.kind === 'chunks') chunks.add(field.field);
      return field.source !== undefined && chunks.has(field.source) ? { ...field, chunked: true } : field;
    });
    const pipeline = {
      ...(props.description !== undefined ? { description: props.description } : {}),
      processors: bound.map((b) => b.body),
    };
    const resource = createDocumentResource<IngestPipelineResourceProperties>(this, INGEST_PIPELINE_RESOURCE_TYPE, {
      ...this._binding, dependencies: grantPipelineAccess(this, this._binding, 'ingest', name),
    }, name, 'pipeline', pipeline, { defaultOf: Lazy.list({ produce: () => this._defaultOf }, { omitEmpty: true }) });
    this.pipelineName = resource.ref;
  }
}

class ImportedIngestPipeline extends Resource implements IIngestPipeline {
  constructor(scope: Construct, id: string, public readonly pipelineName: string) {
    super(scope, id);
  }
}

/**
 * The domain or collection of a pipeline or index: its own (`domain` or `collection` given), or that of
 * the models of this app it names, which must all be on one.
 */
export function targetOf(scope: Construct, props: MlTargetOptions, models: IMlModel[], property: string): TargetBinding {
  const own = models.filter((m): m is MlModel => MlModel.isMlModel(m));
  const binding = props.domain || props.collection ? bindTarget(scope, props) : own[0]?._binding;
  if (!binding) {
    throw new MlValidationError(scope, `give the domain or collection: none of the ${property} names a model of this app (MlModel) that would say which it is; received neither.`);
  }
  const other = own.find((m) => !sameTarget(m._binding, binding));
  if (other) {
    throw new MlValidationError(scope, `${property} names the model ${quote(other.node.path)}, which is on another domain or collection; a pipeline and its models must be on one.`);
  }
  return binding;
}
