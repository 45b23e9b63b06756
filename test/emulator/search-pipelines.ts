/**
 * Search pipelines: PUT/GET/DELETE /_search/pipeline/{id} and the processors semantic, hybrid and RAG search use.
 * PUT validates like SearchPipelineService.validatePipeline -> PipelineWithMetrics.create: request_processors,
 * response_processors, phase_results_processors; an unknown type (or one in the wrong list) is
 * IllegalArgumentException "Invalid processor type x"; leftovers "processor [t] doesn't support one or more provided
 * configuration parameters: [x]". Factories' own checks:
 * - neural_query_enricher (neural-search 2.11+): default_model_id or neural_field_default_id ("model Id or neural info
 *   map either of them should be provided");
 * - normalization-processor (2.10+): normalization.technique min_max (default) | l2, combination.technique
 *   arithmetic_mean (default) | geometric_mean | harmonic_mean, combination.parameters.weights (each in [0, 1],
 *   summing to 1.0 within 0.01); score-ranker-processor (2.19+): rrf with rank_constant (default 60, 1..10000);
 * - retrieval_augmented_generation (ml-commons 2.10+; plugins.ml_commons.rag_pipeline_feature_enabled defaults to
 *   false until 2.11, true from 2.12): model_id, llm_model, context_field_list (required, non-empty),
 *   system_prompt and user_instructions (2.11+);
 * - filter_query, rename_field (2.8+), truncate_hits (2.12+).
 * The model of a RAG processor or an enricher is not looked at when the pipeline is stored.
 */
import { authorize, authorizeCollection, refuseOnServerless } from './authz';
import { RequestContext, TransportPhase } from './context';
import { json } from './http';
import { Config, configurationError } from './ingest';
import { fail, illegalArgumentError, javaFloat, javaList, osException, OsFailure } from './os-exception';
import { parseQuery, Query } from './query';
import { clone } from './store';
import { storePipeline } from './stored-pipelines';
import { EngineVersion } from './version';
import { JsonObject, parseJsonBody, tokenOf } from './xcontent';

export type RequestProcessor =
  | { readonly type: 'neural_query_enricher'; readonly defaultModelId?: string; readonly fieldModels: Record<string, string> }
  | { readonly type: 'filter_query'; readonly query: Query }
  | { readonly type: 'not_run'; readonly name: string };

export type PhaseProcessor =
  | { readonly type: 'normalization'; readonly technique: 'min_max' | 'l2'; readonly combination: 'arithmetic_mean' | 'geometric_mean' | 'harmonic_mean'; readonly weights: number[] }
  | { readonly type: 'rrf'; readonly rankConstant: number };

export type ResponseProcessor =
  | { readonly type: 'rag'; readonly modelId?: string; readonly llmModel?: string; readonly contextFields: string[]; readonly systemPrompt?: string; readonly userInstructions?: string; readonly tag?: string }
  | { readonly type: 'rename_field'; readonly field: string; readonly target: string; readonly ignoreMissing: boolean }
  | { readonly type: 'truncate_hits'; readonly targetSize?: number }
  | { readonly type: 'not_run'; readonly name: string };

export interface SearchPipeline {
  readonly id: string;
  readonly request: RequestProcessor[];
  readonly phase: PhaseProcessor[];
  readonly response: ResponseProcessor[];
}

type Kind = 'request' | 'response' | 'phase';
type Factory = { readonly since: readonly [number, number]; readonly create?: (config: Config, version: EngineVersion) => unknown };

const REQUEST: Readonly<Record<string, Factory>> = {
  filter_query: { since: [2, 8], create: (config, version) => ({ type: 'filter_query', query: parseQuery(config.object('query', true), version) }) },
  neural_query_enricher: { since: [2, 11], create: enricher },
  script: { since: [2, 8] },
  oversample: { since: [2, 12] },
  neural_sparse_two_phase_processor: { since: [2, 15] },
  ml_inference: { since: [2, 16] },
};
const RESPONSE: Readonly<Record<string, Factory>> = {
  rename_field: { since: [2, 8], create: (config) => ({ type: 'rename_field', field: config.string('field'), target: config.string('target_field'), ignoreMissing: config.boolean('ignore_missing', false) }) },
  truncate_hits: { since: [2, 12], create: (config) => ({ type: 'truncate_hits', targetSize: config.values.target_size === undefined ? undefined : config.int('target_size', 0) }) },
  retrieval_augmented_generation: { since: [2, 10], create: ragFactory },
  collapse: { since: [2, 12] },
  rerank: { since: [2, 12] },
  personalize_search_ranking: { since: [2, 9] },
  sort: { since: [2, 16] },
  split: { since: [2, 16] },
  ml_inference: { since: [2, 16] },
};
const PHASE: Readonly<Record<string, Factory>> = {
  'normalization-processor': { since: [2, 10], create: normalizationFactory },
  'score-ranker-processor': { since: [2, 19], create: rrfFactory },
};

const LISTS: Record<Kind, readonly [string, Readonly<Record<string, Factory>>]> = {
  request: ['request_processors', REQUEST],
  response: ['response_processors', RESPONSE],
  phase: ['phase_results_processors', PHASE],
};

export function compileSearchPipeline(id: string, body: unknown, version: EngineVersion): SearchPipeline {
  const config = clone(body as JsonObject);
  const root = new Config(undefined, undefined, config);
  const rootError = (property: string, reason: string): OsFailure => root.error(property, reason);
  if (config.description !== undefined && config.description !== null && typeof config.description !== 'string') throw rootError('description', "property isn't a string");
  delete config.description;
  if (config.version !== undefined && config.version !== null && !/^-?\d+$/.test(String(config.version))) throw rootError('version', `property cannot be converted to an int [${String(config.version)}]`);
  delete config.version;
  const compiled: Record<Kind, unknown[]> = { request: [], response: [], phase: [] };
  for (const kind of ['request', 'response', 'phase'] as const) {
    const [key, factories] = LISTS[kind];
    const list = config[key];
    delete config[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw rootError(key, `property isn't a list, but of type [${list === null ? 'null' : typeof list === 'string' ? 'java.lang.String' : 'java.util.HashMap'}]`);
    for (const entry of list) {
      for (const [type, value] of Object.entries((entry ?? {}) as JsonObject)) {
        const factory = factories[type];
        if (!factory || !version.atLeast(factory.since[0], factory.since[1])) fail(illegalArgumentError(`Invalid processor type ${type}`));
        const values = clone((value ?? {}) as JsonObject);
        const tag = new Config(undefined, undefined, values).string('tag', null);
        const processorConfig = new Config(type, tag, values);
        processorConfig.boolean('ignore_failure', false);
        processorConfig.string('description', null);
        const processor = factory.create
          ? factory.create(processorConfig, version)
          : (() => {
            for (const name of Object.keys(values)) delete values[name];
            return { type: 'not_run', name: type };
          })();
        const leftover = Object.keys(values);
        if (leftover.length > 0) {
          fail(osException('parse_exception', `processor [${type}${tag === undefined ? '' : `:${tag}`}] doesn't support one or more provided configuration parameters: ${javaList(leftover)}`, 400));
        }
        compiled[kind].push(processor);
      }
    }
  }
  const leftover = Object.keys(config);
  if (leftover.length > 0) fail(osException('parse_exception', `pipeline [${id}] doesn't support one or more provided configuration parameters ${javaList(leftover)}`, 400));
  return {
    id,
    request: compiled.request as RequestProcessor[],
    response: compiled.response as ResponseProcessor[],
    phase: compiled.phase as PhaseProcessor[],
  };
}

function enricher(config: Config): RequestProcessor {
  const defaultModelId = config.string('default_model_id', null);
  const fieldModels = config.map('neural_field_default_id', false);
  if (defaultModelId === undefined && fieldModels === undefined) fail(illegalArgumentError('model Id or neural info map either of them should be provided'));
  return { type: 'neural_query_enricher', defaultModelId, fieldModels: Object.fromEntries(Object.entries(fieldModels ?? {}).map(([key, value]) => [key, String(value)])) };
}

function normalizationFactory(config: Config): PhaseProcessor {
  const normalization = config.map('normalization', false);
  let technique = 'min_max';
  if (normalization) {
    technique = new Config('normalization-processor', config.tag, normalization).string('technique', 'min_max')!;
    if (!['min_max', 'l2'].includes(technique)) fail(illegalArgumentError('provided normalization technique is not supported'));
  }
  const combination = config.map('combination', false);
  let combinationTechnique = 'arithmetic_mean';
  let weights: number[] = [];
  if (combination) {
    const combinationConfig = new Config('normalization-processor', config.tag, combination);
    combinationTechnique = combinationConfig.string('technique', 'arithmetic_mean')!;
    const parameters = combinationConfig.map('parameters', false);
    if (!['arithmetic_mean', 'geometric_mean', 'harmonic_mean'].includes(combinationTechnique)) fail(illegalArgumentError('provided combination technique is not supported'));
    weights = weightsOf(parameters);
  }
  return { type: 'normalization', technique: technique as 'min_max' | 'l2', combination: combinationTechnique as 'arithmetic_mean', weights };
}

/** ScoreCombinationUtil.validateParams / getWeights / validateWeights. */
function weightsOf(parameters: JsonObject | undefined): number[] {
  if (!parameters || Object.keys(parameters).length === 0) return [];
  if (Object.keys(parameters).some((key) => key !== 'weights')) {
    fail(illegalArgumentError('provided parameter for combination technique is not supported. supported parameters are [weights]'));
  }
  if (!Array.isArray(parameters.weights)) fail(illegalArgumentError('parameter [weights] must be a collection of numbers'));
  const weights = (parameters.weights as unknown[]).map((weight) => Math.fround(Number(weight)));
  const shown = javaList(weights.map(javaFloat));
  if (weights.some((weight) => !(weight >= 0 && weight <= 1))) fail(illegalArgumentError(`all weights must be in range [0.0 ... 1.0], submitted weights: ${shown}`));
  const sum = weights.reduce((total, weight) => Math.fround(total + weight), 0);
  if (Math.abs(1 - sum) > 0.01) fail(illegalArgumentError(`sum of weights for combination must be equal to 1.0, submitted weights: ${shown}`));
  return weights;
}

function rrfFactory(config: Config): PhaseProcessor {
  const combination = config.map('combination', false);
  let rankConstant = 60;
  if (combination) {
    const combinationConfig = new Config('score-ranker-processor', config.tag, combination);
    const technique = combinationConfig.string('technique', 'rrf');
    if (technique !== 'rrf') fail(illegalArgumentError('provided combination technique is not supported'));
    const parameters = combinationConfig.map('parameters', false);
    if (parameters?.rank_constant !== undefined) {
      rankConstant = Number(parameters.rank_constant);
      if (!Number.isInteger(rankConstant) || rankConstant < 1 || rankConstant > 10000) {
        fail(illegalArgumentError(`rank_constant must be in the interval between 1 and 10000, submitted rank_constant: ${String(parameters.rank_constant)}`));
      }
    }
  }
  return { type: 'rrf', rankConstant };
}

/** GenerativeQAResponseProcessor.Factory. */
function ragFactory(config: Config, version: EngineVersion): ResponseProcessor {
  if (!version.atLeast(2, 12)) {
    fail(osException('m_l_exception', 'plugins.ml_commons.rag_pipeline_feature_enabled is not enabled.', 500));
  }
  const type = 'retrieval_augmented_generation';
  const modelId = config.string('model_id', null);
  const llmModel = config.string('llm_model', null);
  const contextFields = config.list('context_field_list', true)!;
  if (contextFields.length === 0) fail(configurationError(type, config.tag, 'context_field_list', "[context_field_list] required property can't be empty."));
  const systemPrompt = version.atLeast(2, 11) ? config.string('system_prompt', null) : undefined;
  const userInstructions = version.atLeast(2, 11) ? config.string('user_instructions', null) : undefined;
  return { type: 'rag', modelId, llmModel, contextFields: contextFields.map(String), systemPrompt, userInstructions, tag: config.tag };
}

// ---- REST API ----------------------------------------------------------------------------------------------------

export function putSearchPipeline(ctx: RequestContext): TransportPhase {
  authorizeCollection(ctx, 'aoss:CreateIndex');
  const body = parseJsonBody(ctx.request);
  if (body === undefined || tokenOf(body) !== 'START_OBJECT') fail(osException('parse_exception', 'request body is required', 400));
  return () => {
    authorize(ctx, 'cluster:admin/search/pipeline/put');
    const id = ctx.params[0];
    const pipeline = compileSearchPipeline(id, body, ctx.emulator.version);
    if (ctx.emulator.serverless) {
      if ([...pipeline.request, ...pipeline.response].some((processor) => processor.type === 'not_run' && processor.name === 'ml_inference') && !ctx.emulator.serverless.nextGen) {
        refuseOnServerless(ctx, 'The ml_inference search processor outside a NextGen collection group');
      }
    }
    storePipeline(ctx, 'search', id, body);
    return json(200, { acknowledged: true });
  };
}

/** SearchPipelineService.resolvePipeline: ?search_pipeline, else the single index's index.search.default_pipeline. */
export function resolveSearchPipeline(ctx: RequestContext, indexSettings: ReadonlyMap<string, string> | undefined): SearchPipeline | undefined {
  const requested = ctx.request.params.get('search_pipeline');
  const id = requested ?? indexSettings?.get('index.search.default_pipeline');
  if (id === undefined || id === '_none') return undefined;
  const stored = ctx.emulator.cluster.searchPipelines.get(id);
  if (!stored) fail(illegalArgumentError(`Pipeline ${id} is not defined`));
  return compileSearchPipeline(id, stored.config, ctx.emulator.version);
}
