/**
 * GET/POST /{index}/_search and /{index}/_count over user indexes, with search pipelines: request processors
 * (neural_query_enricher fills model_id of neural queries lacking one: a field's default first, then the pipeline's
 * default; filter_query), the models neural queries need (called before the shards), the query, the phase results
 * processors of a hybrid query (neural-search NormalizationProcessor: min_max / l2 normalization per sub-query,
 * arithmetic / geometric / harmonic mean combination with optional weights, documents missing from a sub-query scored
 * -1 and skipped by the combination; score-ranker-processor: rank fusion 1 / (rank_constant + rank)), and the
 * response processors (retrieval_augmented_generation, rename_field, truncate_hits).
 *
 * Searches see documents as of the last refresh (refresh_interval, _refresh or ?refresh on the write). A hybrid query
 * without a normalization or score-ranker processor answers its raw per-sub-query lists framed by the delimiter
 * scores neural-search uses (-9.549512E9 start/stop, -4.4224404E9 between sub-queries), as OpenSearch does
 * (neural-search #1011). Errors while running the query on the shard are search_phase_execution_exception
 * "all shards failed" with the shard's cause.
 */
import { authorize, authorizeCollection } from './authz';
import { IndexedDoc, UserIndex } from './cluster-state';
import { RequestContext, TransportPhase } from './context';
import { parsingException } from './errors';
import { EmulatorResponse, json } from './http';
import { resolveIndices } from './indices';
import { fail, illegalArgumentError, renderException } from './os-exception';
import { evaluate, parseQuery, Query, rewrite, ShardEnv, ShardFailure, visit } from './query';
import { runRag } from './rag';
import { filterSource } from './search';
import { PhaseProcessor, resolveSearchPipeline, SearchPipeline } from './search-pipelines';
import { JsonObject, parseJsonBody, tokenOf } from './xcontent';

const BODY_KEYS = ['query', 'size', 'from', '_source', 'sort', 'track_total_hits', 'timeout', 'ext', 'min_score', 'version',
  'seq_no_primary_term', 'explain', 'track_scores'];

const START_STOP = -9549512000;
const DELIMITER = -4422440400;

interface SearchRequest {
  query: Query;
  readonly size: number;
  readonly from: number;
  readonly source: { enabled: boolean; includes: string[]; excludes: string[] };
  readonly sort: Array<{ field: string; order: 'asc' | 'desc' }>;
  readonly ext?: JsonObject;
  readonly minScore?: number;
  readonly trackTotalHits: boolean | number;
}

interface ScoredHit {
  readonly index: UserIndex;
  readonly doc: IndexedDoc;
  readonly score: number;
}

function parseBody(ctx: RequestContext, forCount: boolean): SearchRequest {
  const raw = parseJsonBody(ctx.request);
  if (raw !== undefined && tokenOf(raw) !== 'START_OBJECT') throw parsingException(`Unknown key for a ${tokenOf(raw)} in [null].`);
  const body = (raw ?? {}) as JsonObject;
  for (const [key, value] of Object.entries(body)) {
    if (forCount ? key !== 'query' : !BODY_KEYS.includes(key)) throw parsingException(`Unknown key for a ${tokenOf(value)} in [${key}].`);
  }
  const version = ctx.emulator.version;
  const query = body.query === undefined ? { kind: 'match_all' as const, boost: 1 } : parseQuery(body.query, version);
  const number = (value: unknown, fallback: number, name: string): number => {
    if (value === undefined || value === null) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) fail(illegalArgumentError(`[${name}] parameter cannot be negative, found [${String(value)}]`));
    return parsed;
  };
  return {
    query,
    size: number(ctx.request.params.get('size') ?? body.size, 10, 'size'),
    from: number(ctx.request.params.get('from') ?? body.from, 0, 'from'),
    source: sourceFilter(body._source),
    sort: sortOf(body.sort),
    ext: body.ext as JsonObject | undefined,
    minScore: typeof body.min_score === 'number' ? body.min_score : undefined,
    trackTotalHits: trackTotalHits(body.track_total_hits),
  };
}

function trackTotalHits(value: unknown): boolean | number {
  if (value === undefined) return 10000;
  return typeof value === 'boolean' ? value : Number(value);
}

function sourceFilter(value: unknown): SearchRequest['source'] {
  if (value === undefined || value === true) return { enabled: true, includes: [], excludes: [] };
  if (value === false) return { enabled: false, includes: [], excludes: [] };
  if (typeof value === 'string') return { enabled: true, includes: [value], excludes: [] };
  if (Array.isArray(value)) return { enabled: true, includes: value.map(String), excludes: [] };
  const object = value as JsonObject;
  const list = (item: unknown): string[] => (item === undefined ? [] : (Array.isArray(item) ? item : [item]).map(String));
  return { enabled: true, includes: list(object.includes ?? object.include), excludes: list(object.excludes ?? object.exclude) };
}

function sortOf(value: unknown): SearchRequest['sort'] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => {
    if (typeof item === 'string') return { field: item, order: item === '_score' ? 'desc' as const : 'asc' as const };
    const [field, spec] = Object.entries(item as JsonObject)[0];
    const order = typeof spec === 'string' ? spec : (spec as JsonObject).order;
    return { field, order: order === 'asc' || order === 'desc' ? order : field === '_score' ? 'desc' as const : 'asc' as const };
  });
}

/** neural_query_enricher (NeuralSearchQueryVisitor): a field default first, then the default model id. */
function applyRequestProcessors(pipeline: SearchPipeline | undefined, request: SearchRequest): void {
  for (const processor of pipeline?.request ?? []) {
    if (processor.type === 'neural_query_enricher') {
      visit(request.query, (node) => {
        if ((node.kind === 'neural' || node.kind === 'neural_sparse') && node.modelId === undefined) {
          const modelId = processor.fieldModels[node.field] ?? processor.defaultModelId;
          if (modelId === undefined) fail(illegalArgumentError('model id must be provided in neural query or a default model id must be set in search request processor'));
          (node as { modelId?: string }).modelId = modelId;
        }
      });
    } else if (processor.type === 'filter_query') {
      request.query = { kind: 'bool', must: [request.query], should: [], filter: [processor.query], mustNot: [], boost: 1 };
    } else {
      fail(illegalArgumentError(`The emulator does not run the [${processor.name}] search request processor`));
    }
  }
}

function shardEnv(ctx: RequestContext, index: UserIndex, vectors: Map<Query, number[]>, sparse: Map<Query, Record<string, number>>): ShardEnv {
  index.refreshIfDue(ctx.emulator.cluster.defaultRefreshMs);
  return { ctx, index, docs: [...index.searchable.values()], vectors, sparseTokens: sparse };
}

/** SearchPhaseExecutionException "all shards failed" with the failure of each (here: the one) shard. */
function shardFailureResponse(ctx: RequestContext, index: UserIndex, failure: ShardFailure): EmulatorResponse {
  const cause = renderException(failure.osError);
  const { caused_by: _, ...root } = cause;
  void _;
  return json(failure.osError.status, {
    error: {
      root_cause: [root],
      type: 'search_phase_execution_exception',
      reason: 'all shards failed',
      phase: 'query',
      grouped: true,
      failed_shards: [{ shard: 0, index: index.name, node: ctx.emulator.nodeId, reason: cause }],
      caused_by: cause,
    },
    status: failure.osError.status,
  });
}

function sortHits(hits: ScoredHit[], sort: SearchRequest['sort']): ScoredHit[] {
  if (sort.length === 0) return [...hits].sort((a, b) => b.score - a.score);
  const value = (hit: ScoredHit, field: string): string | number | undefined => {
    if (field === '_score') return hit.score;
    if (field === '_id') return hit.doc.id;
    const raw = field.replace(/\.keyword$/, '').split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as JsonObject)[key] : undefined), hit.doc.source);
    return typeof raw === 'number' || typeof raw === 'string' ? raw : undefined;
  };
  return [...hits].sort((a, b) => {
    for (const { field, order } of sort) {
      const [x, y] = [value(a, field), value(b, field)];
      if (x === y) continue;
      const less = x === undefined || (y !== undefined && x < y);
      return (less ? -1 : 1) * (order === 'asc' ? 1 : -1);
    }
    return 0;
  });
}

function hitsOf(env: ShardEnv, query: Query): ScoredHit[] {
  return [...evaluate(query, env)].map(([id, score]) => ({ index: env.index, doc: env.index.searchable.get(id)!, score }));
}

/** The hits of a hybrid query after the phase results processor, or its raw framed lists without one. */
function hybrid(envs: ShardEnv[], query: Extract<Query, { kind: 'hybrid' }>, processor: PhaseProcessor | undefined, request: SearchRequest): { hits: ScoredHit[]; total: number } {
  const depth = query.paginationDepth ?? request.from + request.size;
  const lists: ScoredHit[][] = query.queries.map((sub) => {
    const scored = envs.flatMap((env) => hitsOf(env, sub));
    return scored.sort((a, b) => b.score - a.score).slice(0, depth);
  });
  const key = (hit: ScoredHit): string => `${hit.index.name}\u0000${hit.doc.id}`;
  const union = new Map<string, ScoredHit>();
  for (const list of lists) for (const hit of list) if (!union.has(key(hit))) union.set(key(hit), hit);
  if (!processor) {
    if (union.size === 0) return { hits: [], total: 0 };
    const first = lists.find((list) => list.length > 0)![0];
    const framed: ScoredHit[] = [{ ...first, score: START_STOP }];
    for (const list of lists) framed.push({ ...first, score: DELIMITER }, ...list);
    framed.push({ ...first, score: START_STOP });
    return { hits: framed, total: union.size };
  }
  const combined = new Map<string, number>();
  if (processor.type === 'rrf') {
    lists.forEach((list) => list.forEach((hit, rank) => {
      combined.set(key(hit), Math.fround((combined.get(key(hit)) ?? 0) + Math.fround(1 / (processor.rankConstant + rank + 1))));
    }));
  } else {
    if (processor.weights.length > 0 && processor.weights.length !== lists.length) {
      fail(illegalArgumentError(`number of weights [${processor.weights.length}] must match number of sub-queries [${lists.length}] in hybrid query`));
    }
    const normalized = lists.map((list) => normalize(list.map((hit) => hit.score), processor.technique));
    for (const hitKey of union.keys()) {
      const scores = lists.map((list, i) => {
        const at = list.findIndex((hit) => key(hit) === hitKey);
        return at < 0 ? -1 : normalized[i][at];
      });
      combined.set(hitKey, combine(scores, processor.combination, processor.weights));
    }
  }
  const hits = [...union.entries()].map(([hitKey, hit]) => ({ ...hit, score: combined.get(hitKey)! }));
  return { hits: hits.sort((a, b) => b.score - a.score), total: union.size };
}

function normalize(scores: readonly number[], technique: 'min_max' | 'l2'): number[] {
  if (technique === 'l2') {
    const norm = Math.fround(Math.sqrt(scores.reduce((sum, score) => Math.fround(sum + score * score), 0)));
    return scores.map((score) => (norm === 0 ? 0 : Math.fround(score / norm)));
  }
  const min = Math.min(...scores);
  const max = Math.max(...scores);
  return scores.map((score) => {
    if (max === min && max === score) return 1;
    const value = Math.fround((score - min) / (max - min));
    return value === 0 ? Math.fround(0.001) : value;
  });
}

function combine(scores: readonly number[], technique: string, weights: readonly number[]): number {
  const weight = (i: number): number => (i < weights.length ? weights[i] : 1);
  let sumWeights = 0;
  if (technique === 'arithmetic_mean') {
    let total = 0;
    scores.forEach((score, i) => {
      if (score >= 0) {
        total = Math.fround(total + Math.fround(score * weight(i)));
        sumWeights = Math.fround(sumWeights + weight(i));
      }
    });
    return sumWeights === 0 ? 0 : Math.fround(total / sumWeights);
  }
  if (technique === 'geometric_mean') {
    let lnSum = 0;
    scores.forEach((score, i) => {
      if (score > 0) {
        sumWeights = Math.fround(sumWeights + weight(i));
        lnSum = Math.fround(lnSum + weight(i) * Math.log(score));
      }
    });
    return sumWeights === 0 ? 0 : Math.fround(Math.exp(lnSum / sumWeights));
  }
  let harmonics = 0;
  scores.forEach((score, i) => {
    if (score > 0) {
      sumWeights = Math.fround(sumWeights + weight(i));
      harmonics = Math.fround(harmonics + weight(i) / score);
    }
  });
  return harmonics > 0 ? Math.fround(sumWeights / harmonics) : 0;
}

function renderHit(hit: ScoredHit, request: SearchRequest, sorted: boolean): Record<string, unknown> {
  return {
    _index: hit.index.name,
    _id: hit.doc.id,
    _score: sorted ? null : hit.score,
    ...(request.source.enabled ? { _source: filterSource(hit.doc.source, request.source.includes, request.source.excludes) } : {}),
    ...(sorted ? { sort: request.sort.map(({ field }) => (field === '_score' ? hit.score : field === '_id' ? hit.doc.id : hit.doc.source[field] ?? null)) } : {}),
  };
}

function totalOf(total: number, track: boolean | number): Record<string, unknown> | undefined {
  if (track === false) return undefined;
  if (track === true || total <= track) return { value: total, relation: 'eq' };
  return { value: track, relation: 'gte' };
}

/** The indexes of the path (all without one), after the search privilege check (_count is a search too). */
function searchedIndices(ctx: RequestContext): UserIndex[] {
  const expression = ctx.params[0] ?? '_all';
  authorize(ctx, 'indices:data/read/search', [expression]);
  return resolveIndices(ctx, expression);
}

export function searchHandler(ctx: RequestContext): TransportPhase {
  authorizeCollection(ctx, 'aoss:ReadDocument', ctx.params[0] ?? '*');
  const request = parseBody(ctx, false);
  return () => {
    const indices = searchedIndices(ctx);
    const pipeline = resolveSearchPipeline(ctx, indices.length === 1 ? indices[0].settings : undefined);
    applyRequestProcessors(pipeline, request);
    const vectors = new Map<Query, number[]>();
    const sparse = new Map<Query, Record<string, number>>();
    rewrite(ctx, request.query, vectors, sparse);
    const envs = indices.map((index) => shardEnv(ctx, index, vectors, sparse));
    const start = Date.now();
    let hits: ScoredHit[];
    let total: number;
    const failed = (error: unknown): EmulatorResponse => {
      const index = indices[0];
      if (error instanceof ShardFailure && index) return shardFailureResponse(ctx, index, error);
      throw error;
    };
    try {
      if (request.query.kind === 'hybrid') {
        const phase = pipeline?.phase[0];
        ({ hits, total } = hybrid(envs, request.query, phase, request));
        hits = hits.slice(request.from, request.from + request.size);
      } else {
        const all = envs.flatMap((env) => hitsOf(env, request.query));
        const kept = request.minScore === undefined ? all : all.filter((hit) => hit.score >= request.minScore!);
        total = kept.length;
        hits = sortHits(kept, request.sort).slice(request.from, request.from + request.size);
      }
    } catch (error) {
      return failed(error);
    }
    const sorted = request.sort.length > 0 && request.query.kind !== 'hybrid';
    let rendered = hits.map((hit) => renderHit(hit, request, sorted));
    const ext: JsonObject = {};
    for (const processor of pipeline?.response ?? []) {
      if (processor.type === 'rag') {
        ext.retrieval_augmented_generation = runRag(ctx, processor, request.ext, rendered as Array<{ _id: string; _source?: JsonObject }>);
      } else if (processor.type === 'rename_field') {
        rendered = rendered.map((hit) => renameField(hit, processor.field, processor.target, processor.ignoreMissing));
      } else if (processor.type === 'truncate_hits') {
        rendered = rendered.slice(0, processor.targetSize ?? request.size);
      } else {
        fail(illegalArgumentError(`The emulator does not run the [${processor.name}] search response processor`));
      }
    }
    const maxScore = sorted || hits.length === 0 ? null : Math.max(...hits.map((hit) => hit.score));
    const totalHits = totalOf(total, request.trackTotalHits);
    return json(200, {
      took: Date.now() - start,
      timed_out: false,
      _shards: { total: indices.length, successful: indices.length, skipped: 0, failed: 0 },
      hits: { ...(totalHits ? { total: totalHits } : {}), max_score: maxScore, hits: rendered },
      ...(Object.keys(ext).length > 0 ? { ext } : {}),
    });
  };
}

function renameField(hit: Record<string, unknown>, field: string, target: string, ignoreMissing: boolean): Record<string, unknown> {
  const source = hit._source as JsonObject | undefined;
  if (!source || !(field in source)) {
    if (ignoreMissing) return hit;
    fail(illegalArgumentError(`Document with id ${String(hit._id)} is missing field ${field}`));
  }
  const { [field]: value, ...rest } = source;
  return { ...hit, _source: { ...rest, [target]: value } };
}

export function countHandler(ctx: RequestContext): TransportPhase {
  authorizeCollection(ctx, 'aoss:ReadDocument', ctx.params[0] ?? '*');
  const request = parseBody(ctx, true);
  return () => {
    const indices = searchedIndices(ctx);
    // A count resolves the search pipeline as a search does: a default search pipeline that is gone fails it with
    // "Pipeline <id> is not defined" (the real 2.19.6 and 3.6.0 nodes; test/real/emulator-agreement.test.ts). Its
    // request processors are applied as a search's are (not checked against a real node).
    applyRequestProcessors(resolveSearchPipeline(ctx, indices.length === 1 ? indices[0].settings : undefined), request);
    const vectors = new Map<Query, number[]>();
    const sparse = new Map<Query, Record<string, number>>();
    rewrite(ctx, request.query, vectors, sparse);
    let count = 0;
    for (const index of indices) {
      try {
        count += evaluate(request.query, shardEnv(ctx, index, vectors, sparse)).size;
      } catch (error) {
        if (error instanceof ShardFailure) return shardFailureResponse(ctx, index, error);
        throw error;
      }
    }
    return json(200, { count, _shards: { total: indices.length, successful: indices.length, skipped: 0, failed: 0 } });
  };
}
