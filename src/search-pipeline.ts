import { IResource, Lazy, Names, Resource, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SEARCH_PIPELINE_RESOURCE_TYPE, SearchPipelineResourceProperties } from './contract';
import { createDocumentResource } from './custom-resource';
import { MlValidationError, quote } from './errors';
import { targetOf } from './ingest-pipeline';
import { SEARCH_PIPELINE, isMarked, mark } from './markers';
import { IMlModel } from './model';
import { grantPipelineAccess } from './search-access';
import { checkPipelineName, requireVersion } from './search-facts';
import { modelFacts } from './search-model';
import { MlTargetOptions, TargetBinding } from './target';

/** How the normalization processor scales the scores of each sub-query of a hybrid query. */
export enum NormalizationTechnique {
  /** scores scaled to [0, 1] by the lowest and highest of each sub-query (the processor's default) */
  MIN_MAX = 'min_max',
  /** scores divided by the L2 norm of each sub-query's scores */
  L2 = 'l2',
}

/** How the normalization processor combines the normalized scores of one document. */
export enum CombinationTechnique {
  /** weighted arithmetic mean (the processor's default) */
  ARITHMETIC_MEAN = 'arithmetic_mean',
  /** weighted geometric mean */
  GEOMETRIC_MEAN = 'geometric_mean',
  /** weighted harmonic mean */
  HARMONIC_MEAN = 'harmonic_mean',
}

/**
 * Options of `SearchProcessor.neuralQueryEnricher()`.
 */
export interface NeuralQueryEnricherOptions {
  /**
   * The model of every `neural` and `neural_sparse` query that names none (`default_model_id`).
   *
   * @default - none: give `fieldModels`
   */
  readonly defaultModel?: IMlModel;

  /**
   * The model of each vector field (`neural_field_default_id`), for example `{ embedding: model }`.
   *
   * @default - none: give `defaultModel`
   */
  readonly fieldModels?: { [field: string]: IMlModel };
}

/**
 * Options of `SearchProcessor.normalization()`.
 */
export interface NormalizationProcessorOptions {
  /**
   * How each sub-query's scores are scaled.
   *
   * @default NormalizationTechnique.MIN_MAX
   */
  readonly technique?: NormalizationTechnique;

  /**
   * How a document's scores are combined.
   *
   * @default CombinationTechnique.ARITHMETIC_MEAN
   */
  readonly combination?: CombinationTechnique;

  /**
   * The weight of each sub-query, in the order of the hybrid query's `queries`: each from 0 to 1,
   * together 1.
   *
   * @default - equal weights
   */
  readonly weights?: number[];
}

/**
 * Options of `SearchProcessor.retrievalAugmentedGeneration()`.
 */
export interface RetrievalAugmentedGenerationOptions {
  /**
   * The chat model: an `MlModel` on a chat blueprint (`ConnectorBlueprint.bedrockAnthropicClaude()` with
   * `requestFormat: ClaudeRequestFormat.INPUTS`, `openAiChatCompletions()`, ...), or one imported by ID.
   */
  readonly model: IMlModel;

  /** The fields of the hits whose text goes into the prompt (`context_field_list`), for example `['text']`. */
  readonly contextFields: string[];

  /**
   * The processor's `llm_model`, which decides how the prompt is sent and the answer read.
   *
   * @default - what the model's blueprint says (for example `bedrock/claude`); required for a model
   * imported by ID or whose blueprint does not say
   */
  readonly llmModel?: string;

  /**
   * The system prompt (`system_prompt`).
   *
   * @default - ml-commons' default prompt
   */
  readonly systemPrompt?: string;

  /**
   * Instructions for the model (`user_instructions`).
   *
   * @default - none
   */
  readonly userInstructions?: string;
}

interface BoundSearchProcessor {
  readonly list: 'request_processors' | 'phase_results_processors' | 'response_processors';
  readonly body: Record<string, unknown>;
  readonly llmResponseField?: string;
}

/**
 * Where a search processor runs.
 */
export enum SearchProcessorPhase {
  /** before the query runs: it may change the request (`request_processors`) */
  REQUEST = 'request_processors',
  /** between the query and fetch phases: it may change the scores (`phase_results_processors`) */
  PHASE_RESULTS = 'phase_results_processors',
  /** after the search: it may change the response (`response_processors`) */
  RESPONSE = 'response_processors',
}

/**
 * One processor of a search pipeline. Use the static factories; `custom()` takes any other processor as JSON.
 */
export class SearchProcessor {
  /**
   * `neural_query_enricher` (neural-search, OpenSearch 2.11+): the model of `neural` queries that name none,
   * so that applications need not know model IDs.
   */
  public static neuralQueryEnricher(options: NeuralQueryEnricherOptions): SearchProcessor {
    return new SearchProcessor((scope, binding) => {
      requireVersion(scope, binding, 'neural_query_enricher', 'neuralQueryEnricher');
      const fields = Object.entries(options.fieldModels ?? {});
      if (options.defaultModel === undefined && fields.length === 0) {
        throw new MlValidationError(scope, 'neuralQueryEnricher needs defaultModel, fieldModels or both; received neither.');
      }
      if (options.defaultModel) modelFacts(scope, binding, 'neuralQueryEnricher defaultModel', options.defaultModel, 'embedding or sparse encoding');
      fields.forEach(([field, model]) => modelFacts(scope, binding, `neuralQueryEnricher fieldModels.${field}`, model, 'embedding or sparse encoding'));
      return {
        list: 'request_processors',
        body: {
          neural_query_enricher: {
            ...(options.defaultModel ? { default_model_id: options.defaultModel.modelId } : {}),
            ...(fields.length > 0 ? { neural_field_default_id: Object.fromEntries(fields.map(([field, model]) => [field, model.modelId])) } : {}),
          },
        },
      };
    }, [options.defaultModel, ...Object.values(options.fieldModels ?? {})]);
  }

  /**
   * `normalization-processor` (neural-search, OpenSearch 2.10+): hybrid queries' scores normalized and
   * combined, so that lexical and neural results rank together.
   */
  public static normalization(options: NormalizationProcessorOptions = {}): SearchProcessor {
    return new SearchProcessor((scope, binding) => {
      requireVersion(scope, binding, 'normalization-processor', 'normalization');
      for (const [property, value, values] of [['technique', options.technique, NormalizationTechnique], ['combination', options.combination, CombinationTechnique]] as const) {
        if (value !== undefined && !Object.values<string>(values).includes(value)) {
          throw new MlValidationError(scope, `normalization ${property} must be one of ${Object.values(values).map(quote).join(', ')}; received ${quote(value)}.`);
        }
      }
      const weights = options.weights;
      // ScoreCombinationUtil: each weight in [0, 1], together 1 within 0.01.
      if (weights && !weights.some((w) => Token.isUnresolved(w))
        && (weights.length === 0 || weights.some((w) => !(w >= 0 && w <= 1)) || Math.abs(1 - weights.reduce((a, b) => a + b, 0)) > 0.01)) {
        throw new MlValidationError(scope, `normalization weights must each be from 0 to 1 and add up to 1; received ${quote(weights)}.`);
      }
      return {
        list: 'phase_results_processors',
        body: {
          'normalization-processor': {
            normalization: { technique: options.technique ?? NormalizationTechnique.MIN_MAX },
            combination: {
              technique: options.combination ?? CombinationTechnique.ARITHMETIC_MEAN,
              ...(weights ? { parameters: { weights } } : {}),
            },
          },
        },
      };
    }, []);
  }

  /**
   * `retrieval_augmented_generation` (ml-commons, OpenSearch 2.12+ on Amazon OpenSearch Service): the
   * chat model answers the question of `ext.generative_qa_parameters` from the hits' context fields.
   * A search through the pipeline must carry that `ext` (with `llm_response_field` when the pipeline's
   * `llmResponseField` says so): do not make it an index's default search pipeline.
   */
  public static retrievalAugmentedGeneration(options: RetrievalAugmentedGenerationOptions): SearchProcessor {
    return new SearchProcessor((scope, binding) => {
      requireVersion(scope, binding, 'retrieval_augmented_generation', 'retrievalAugmentedGeneration');
      const facts = modelFacts(scope, binding, 'retrievalAugmentedGeneration model', options.model, 'chat');
      const llmModel = options.llmModel ?? facts?.generativeQa?.llmModel;
      if (llmModel === undefined) {
        throw new MlValidationError(scope,
          `retrievalAugmentedGeneration llmModel is required: the model ${quote(facts?.path ?? options.model.node.path)} ` +
          `${facts?.blueprint ? `(blueprint ${quote(facts.blueprint)}) ` : ''}does not say how the RAG processor calls it; received none. ` +
          'Give llmModel (for example \'bedrock/claude\' for a connector that takes `inputs`), or use a blueprint that says (for Claude: requestFormat: ClaudeRequestFormat.INPUTS).');
      }
      // Where the answer is depends on the connector's response filter, whatever llm_model says.
      const responseField = facts?.generativeQa?.llmResponseField;
      if (responseField) requireVersion(scope, binding, 'llm_response_field', `retrievalAugmentedGeneration with ${quote(facts!.blueprint)}`);
      if (options.contextFields.length === 0 || options.contextFields.some((f) => !Token.isUnresolved(f) && f.trim() === '')) {
        throw new MlValidationError(scope, `retrievalAugmentedGeneration contextFields must name at least one field of the hits; received ${quote(options.contextFields)}.`);
      }
      return {
        list: 'response_processors',
        llmResponseField: responseField,
        body: {
          retrieval_augmented_generation: {
            model_id: options.model.modelId,
            llm_model: llmModel,
            context_field_list: options.contextFields,
            ...(options.systemPrompt !== undefined ? { system_prompt: options.systemPrompt } : {}),
            ...(options.userInstructions !== undefined ? { user_instructions: options.userInstructions } : {}),
          },
        },
      };
    }, [options.model]);
  }

  /** Any other processor, as OpenSearch takes it, in the list of `phase`. Not checked at synth time. */
  public static custom(phase: SearchProcessorPhase, processorType: string, config: { [key: string]: any }): SearchProcessor {
    return new SearchProcessor((scope) => {
      if (!Object.values(SearchProcessorPhase).includes(phase)) {
        throw new MlValidationError(scope, `custom phase must be one of ${Object.values(SearchProcessorPhase).map(quote).join(', ')}; received ${quote(phase)}.`);
      }
      return { list: phase, body: { [processorType]: { ...config } } };
    }, []);
  }

  private constructor(
    private readonly produce: (scope: Construct, binding: TargetBinding) => BoundSearchProcessor,
    /** @internal the models the processor names */
    public readonly _models: Array<IMlModel | undefined>,
  ) {}

  /** @internal */
  public _bind(scope: Construct, binding: TargetBinding): BoundSearchProcessor {
    return this.produce(scope, binding);
  }
}

/**
 * A search pipeline.
 */
export interface ISearchPipeline extends IResource {
  /**
   * The pipeline's name: what `?search_pipeline=` and an index's `index.search.default_pipeline` name.
   *
   * @attribute
   */
  readonly pipelineName: string;
}

/**
 * Properties of a `SearchPipeline`.
 */
export interface SearchPipelineProps extends MlTargetOptions {
  /** The processors: each goes to the list of its phase, in this order. */
  readonly processors: SearchProcessor[];

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
 * A search pipeline on an OpenSearch domain or collection (OpenSearch 2.9+), created, replaced in place
 * (PUT) and deleted with the stack: neural query enrichment, hybrid score normalization and
 * retrieval-augmented generation with a chat model of this library's blueprints, checked at synth time.
 * It never overwrites or deletes a pipeline of the same name that the stack did not make.
 *
 * @resource Custom::OpenSearchSearchPipeline
 */
export class SearchPipeline extends Resource implements ISearchPipeline {
  /**
   * Whether `x` is a `SearchPipeline` of this app (made by whichever copy of this library the app loaded).
   *
   * @param x any object
   */
  public static isSearchPipeline(x: any): x is SearchPipeline {
    return isMarked(x, SEARCH_PIPELINE);
  }

  /** Refers to a search pipeline that exists already, by its name. */
  public static fromPipelineName(scope: Construct, id: string, pipelineName: string): ISearchPipeline {
    return new ImportedSearchPipeline(scope, id, pipelineName);
  }

  public readonly pipelineName: string;

  /**
   * The field of the chat model's answer that each RAG search names as
   * `ext.generative_qa_parameters.llm_response_field`, when the model's blueprint needs one.
   */
  public readonly llmResponseField?: string;

  /** @internal Whether a search without `ext.generative_qa_parameters` fails (a RAG processor). */
  public readonly _needsGenerativeQa: boolean;

  /** @internal The pipeline's domain or collection. */
  public readonly _binding: TargetBinding;

  /** @internal The indexes of the app that name this pipeline as their default (released before it is deleted). */
  public readonly _defaultOf: string[] = [];

  constructor(scope: Construct, id: string, props: SearchPipelineProps) {
    super(scope, id);
    mark(this, SEARCH_PIPELINE);
    if (props.processors.length === 0) {
      throw new MlValidationError(this, 'processors must list at least one processor; received [].');
    }
    const name = props.pipelineName ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    checkPipelineName(this, 'pipelineName', name);
    this._binding = targetOf(this, props, props.processors.flatMap((p) => p._models.filter((m): m is IMlModel => m !== undefined)), 'processors');
    requireVersion(this, this._binding, 'search pipelines', 'A search pipeline');
    const bound = props.processors.map((processor) => processor._bind(this, this._binding));
    this.llmResponseField = bound.find((b) => b.llmResponseField)?.llmResponseField;
    this._needsGenerativeQa = bound.some((b) => b.list === 'response_processors' && 'retrieval_augmented_generation' in b.body);
    const pipeline: Record<string, unknown> = props.description !== undefined ? { description: props.description } : {};
    for (const list of Object.values(SearchProcessorPhase)) {
      const processors = bound.filter((b) => b.list === list).map((b) => b.body);
      if (processors.length > 0) pipeline[list] = processors;
    }
    const resource = createDocumentResource<SearchPipelineResourceProperties>(this, SEARCH_PIPELINE_RESOURCE_TYPE, {
      ...this._binding, dependencies: grantPipelineAccess(this, this._binding, 'search', name),
    }, name, 'pipeline', pipeline, { defaultOf: Lazy.list({ produce: () => this._defaultOf }, { omitEmpty: true }) });
    this.pipelineName = resource.ref;
  }
}

class ImportedSearchPipeline extends Resource implements ISearchPipeline {
  constructor(scope: Construct, id: string, public readonly pipelineName: string) {
    super(scope, id);
  }
}
