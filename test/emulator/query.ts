/**
 * The query DSL over user indexes: match_all, match, term, terms, ids, exists, range and bool with BM25 scores
 * (Lucene BM25Similarity, k1 1.2, b 0.75: idf = ln(1 + (N - n + 0.5) / (n + 0.5)), tf = f / (f + k1 * (1 - b + b * dl / avgdl)),
 * norms off for keyword fields), the k-NN `knn` query (exact scores with k-NN's score translation per space type,
 * knn.ts), neural-search's `neural` and `neural_sparse` queries (the model is called first, as the rewrite phase does)
 * and the `hybrid` compound query (run by search-api.ts). Parsing errors come before any document is looked at.
 *
 * Sources: k-NN KNNQueryBuilder / KNNQueryBuilderParser 2.19 ("[knn] requires k > 0", "Field 'x' is not knn_vector
 * type.", "Field 'x' is not built for ANN search.", "Query vector has invalid dimension: a. Dimension should be: b");
 * neural-search NeuralQueryBuilder 2.19 ("Either query text or image text must be provided for neural query", "Only one
 * of k, max_distance, or min_score can be provided", default k 10) and HybridQueryBuilder (at most 5 sub-queries,
 * "hybrid query must be a top level query and cannot be wrapped into other queries").
 */
import { IndexedDoc, UserIndex } from './cluster-state';
import { RequestContext } from './context';
import { parsingException } from './errors';
import { standardTokens } from './fake-models';
import { embedTexts, sparseEncode } from './inference';
import { knnScore } from './knn';
import { FieldInfo } from './mappings';
import { fail, illegalArgumentError, OsError } from './os-exception';
import { EngineVersion } from './version';
import { JsonObject, tokenOf } from './xcontent';

export type Query =
  | { kind: 'match_all'; boost: number }
  | { kind: 'match_none' }
  | { kind: 'match'; field: string; text: string; operator: 'or' | 'and'; minimumShouldMatch?: string; boost: number }
  | { kind: 'term'; field: string; value: unknown; boost: number }
  | { kind: 'terms'; field: string; values: unknown[]; boost: number }
  | { kind: 'ids'; values: string[]; boost: number }
  | { kind: 'exists'; field: string; boost: number }
  | { kind: 'range'; field: string; bounds: Partial<Record<'gt' | 'gte' | 'lt' | 'lte', unknown>>; boost: number }
  | { kind: 'bool'; must: Query[]; should: Query[]; filter: Query[]; mustNot: Query[]; minimumShouldMatch?: string; boost: number }
  | { kind: 'knn'; field: string; vector: number[]; k?: number; filter?: Query; minScore?: number; maxDistance?: number; boost: number }
  | { kind: 'neural'; field: string; queryText?: string; queryImage?: string; modelId?: string; k?: number; filter?: Query; minScore?: number; maxDistance?: number; boost: number }
  | { kind: 'neural_sparse'; field: string; queryText?: string; queryTokens?: Record<string, number>; modelId?: string; boost: number }
  | { kind: 'hybrid'; queries: Query[]; paginationDepth?: number };

const K_MAX = 10000;

export function parseQuery(value: unknown, version: EngineVersion): Query {
  if (tokenOf(value) !== 'START_OBJECT') throw parsingException('[_na] query malformed, must start with start_object');
  const entries = Object.entries(value as JsonObject);
  if (entries.length === 0) throw parsingException('query malformed, empty clause found');
  if (entries.length > 1) throw parsingException(`[${entries[0][0]}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]`);
  const [type, body] = entries[0];
  const gate = (major: number, minor: number): void => {
    if (!version.atLeast(major, minor)) throw parsingException(`unknown query [${type}]`);
  };
  switch (type) {
    case 'match_all': return { kind: 'match_all', boost: boostOf(body) };
    case 'match_none': return { kind: 'match_none' };
    case 'match': return parseMatch(body);
    case 'term': return parseTerm(body);
    case 'terms': return parseTerms(body);
    case 'ids': return { kind: 'ids', values: ((object('ids', body).values ?? []) as unknown[]).map(String), boost: boostOf(body) };
    case 'exists': return { kind: 'exists', field: String(object('exists', body).field ?? fail(illegalArgumentError('field name is null or empty'))), boost: boostOf(body) };
    case 'range': return parseRange(body);
    case 'bool': return parseBool(body, version);
    case 'knn': return parseKnn(body, version);
    case 'neural': gate(2, 9); return parseNeural(body, version);
    case 'neural_sparse': gate(2, 11); return parseNeuralSparse(body);
    case 'hybrid': gate(2, 10); return parseHybrid(body, version);
    default: throw parsingException(`unknown query [${type}]`);
  }
}

function object(type: string, body: unknown): JsonObject {
  if (tokenOf(body) !== 'START_OBJECT') throw parsingException(`[${type}] query malformed, no start_object after query name`);
  return body as JsonObject;
}

function boostOf(body: unknown): number {
  const boost = (body as JsonObject | undefined)?.boost;
  return typeof boost === 'number' ? boost : 1;
}

function singleField(type: string, body: unknown): [string, unknown] {
  const entries = Object.entries(object(type, body)).filter(([key]) => key !== 'boost' && key !== '_name');
  if (entries.length !== 1) {
    throw parsingException(`[${type}] query doesn't support multiple fields, found [${entries.map(([field]) => field).join('] and [')}]`);
  }
  return entries[0];
}

function parseMatch(body: unknown): Query {
  const [field, spec] = singleField('match', body);
  if (tokenOf(spec) === 'START_OBJECT') {
    const options = spec as JsonObject;
    for (const key of Object.keys(options)) {
      if (!['query', 'operator', 'minimum_should_match', 'boost', 'analyzer', '_name', 'zero_terms_query', 'lenient', 'auto_generate_synonyms_phrase_query'].includes(key)) {
        throw parsingException(`[match] query does not support [${key}]`);
      }
    }
    if (options.query === undefined) throw parsingException('No text specified for text query');
    const operator = String(options.operator ?? 'or').toLowerCase();
    if (operator !== 'or' && operator !== 'and') fail(illegalArgumentError(`No operator found for [${String(options.operator)}]`));
    return { kind: 'match', field, text: String(options.query), operator, minimumShouldMatch: options.minimum_should_match === undefined ? undefined : String(options.minimum_should_match), boost: boostOf(options) };
  }
  return { kind: 'match', field, text: String(spec), operator: 'or', boost: 1 };
}

function parseTerm(body: unknown): Query {
  const [field, spec] = singleField('term', body);
  if (tokenOf(spec) === 'START_OBJECT') {
    const options = spec as JsonObject;
    return { kind: 'term', field, value: options.value, boost: boostOf(options) };
  }
  return { kind: 'term', field, value: spec, boost: 1 };
}

function parseTerms(body: unknown): Query {
  const [field, values] = singleField('terms', body);
  if (!Array.isArray(values)) throw parsingException(`[terms] query does not support [${field}]`);
  return { kind: 'terms', field, values, boost: boostOf(body) };
}

function parseRange(body: unknown): Query {
  const [field, spec] = singleField('range', body);
  const bounds: Partial<Record<'gt' | 'gte' | 'lt' | 'lte', unknown>> = {};
  for (const [key, value] of Object.entries(object('range', spec))) {
    if (key === 'gt' || key === 'gte' || key === 'lt' || key === 'lte') bounds[key] = value;
    else if (key === 'from') bounds.gte = value;
    else if (key === 'to') bounds.lte = value;
    else if (!['boost', 'format', 'time_zone', 'relation', 'include_lower', 'include_upper'].includes(key)) throw parsingException(`[range] query does not support [${key}]`);
  }
  return { kind: 'range', field, bounds, boost: boostOf(spec) };
}

function clauses(value: unknown, version: EngineVersion): Query[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((clause) => parseQuery(clause, version));
}

function parseBool(body: unknown, version: EngineVersion): Query {
  const options = object('bool', body);
  for (const key of Object.keys(options)) {
    if (!['must', 'should', 'filter', 'must_not', 'minimum_should_match', 'boost', '_name', 'adjust_pure_negative'].includes(key)) {
      throw parsingException(`[bool] query does not support [${key}]`);
    }
  }
  return {
    kind: 'bool',
    must: clauses(options.must, version),
    should: clauses(options.should, version),
    filter: clauses(options.filter, version),
    mustNot: clauses(options.must_not, version),
    minimumShouldMatch: options.minimum_should_match === undefined ? undefined : String(options.minimum_should_match),
    boost: boostOf(options),
  };
}

function parseKnn(body: unknown, version: EngineVersion): Query {
  const [field, spec] = singleField('knn', body);
  const options = object('knn', spec);
  for (const key of Object.keys(options)) {
    if (!['vector', 'k', 'filter', 'boost', '_name', 'min_score', 'max_distance', 'method_parameters', 'rescore', 'expand_nested_docs', 'ignore_unmapped'].includes(key)) {
      throw parsingException(`[knn] query does not support [${key}]`);
    }
  }
  if (!Array.isArray(options.vector) || options.vector.length === 0) fail(illegalArgumentError("[knn] field 'vector' requires to be non-null and non-empty"));
  if ((options.vector as unknown[]).some((item) => typeof item !== 'number')) throw parsingException('[knn] failed to parse field [vector]');
  const k = options.k === undefined ? undefined : Number(options.k);
  const radial = checkKnnType('knn', k, options.min_score, options.max_distance, version);
  if (!radial && k === undefined) fail(illegalArgumentError('[knn] requires exactly one of k, distance or score to be set'));
  return {
    kind: 'knn',
    field,
    vector: options.vector as number[],
    k,
    boost: boostOf(options),
    ...(options.filter === undefined ? {} : { filter: parseQuery(options.filter, version) }),
    ...(typeof options.min_score === 'number' ? { minScore: options.min_score } : {}),
    ...(typeof options.max_distance === 'number' ? { maxDistance: options.max_distance } : {}),
  };
}

/** Returns whether the search is radial (min_score / max_distance, 2.14+); checks k's range. */
function checkKnnType(type: string, k: number | undefined, minScore: unknown, maxDistance: unknown, version: EngineVersion): boolean {
  const given = [k, minScore, maxDistance].filter((item) => item !== undefined).length;
  if ((minScore !== undefined || maxDistance !== undefined) && !version.atLeast(2, 14)) {
    throw parsingException(`[${type}] query does not support [${minScore !== undefined ? 'min_score' : 'max_distance'}]`);
  }
  if (given > 1) {
    fail(illegalArgumentError(type === 'neural' ? 'Only one of k, max_distance, or min_score can be provided' : `[${type}] requires exactly one of k, distance or score to be set`));
  }
  if (k !== undefined) {
    if (!Number.isInteger(k) || k <= 0) fail(illegalArgumentError(`[${type}] requires k > 0`));
    if (k > K_MAX) fail(illegalArgumentError(`[${type}] requires k <= ${K_MAX}`));
  }
  if (typeof minScore === 'number' && minScore <= 0) fail(illegalArgumentError(`[${type}] requires minScore to be greater than 0`));
  return minScore !== undefined || maxDistance !== undefined;
}

function parseNeural(body: unknown, version: EngineVersion): Query {
  if (tokenOf(body) !== 'START_OBJECT') throw parsingException('Token must be START_OBJECT');
  const entries = Object.entries(body as JsonObject);
  if (entries.length > 1) throw parsingException(`[neural] query doesn't support multiple fields, found [${entries[0][0]}] and [${entries[1][0]}]`);
  const [field, spec] = entries[0] ?? ['', {}];
  const options = (spec ?? {}) as JsonObject;
  for (const [key, value] of Object.entries(options)) {
    const known = ['query_text', 'model_id', 'k', 'boost', '_name', 'filter', 'method_parameters', 'rescore', 'expand_nested_docs',
      ...(version.atLeast(2, 11) ? ['query_image'] : []), ...(version.atLeast(2, 14) ? ['min_score', 'max_distance'] : [])];
    if (!known.includes(key)) throw parsingException(`[neural] query does not support [${key}]`);
    if (key !== 'filter' && key !== 'method_parameters' && key !== 'rescore' && value !== null && typeof value === 'object') {
      throw parsingException(`[neural] unknown token [START_OBJECT] after [${key}]`);
    }
  }
  const queryText = typeof options.query_text === 'string' && options.query_text.trim() !== '' ? options.query_text : undefined;
  const queryImage = typeof options.query_image === 'string' && options.query_image.trim() !== '' ? options.query_image : undefined;
  if (!queryText && !queryImage) fail(illegalArgumentError('Either query text or image text must be provided for neural query'));
  if (!field) fail(illegalArgumentError('Field name must be provided for neural query'));
  const modelId = options.model_id === undefined ? undefined : String(options.model_id);
  // Before 2.11 (no default model from a search pipeline) the query needs its model.
  if (modelId === undefined && !version.atLeast(2, 11)) fail(illegalArgumentError('Model ID must be provided for neural query'));
  const k = options.k === undefined ? undefined : Number(options.k);
  const radial = checkKnnType('neural', k, options.min_score, options.max_distance, version);
  return {
    kind: 'neural',
    field,
    queryText,
    queryImage,
    modelId,
    k: radial ? undefined : k ?? 10,
    boost: boostOf(options),
    ...(options.filter === undefined ? {} : { filter: parseQuery(options.filter, version) }),
    ...(typeof options.min_score === 'number' ? { minScore: options.min_score } : {}),
    ...(typeof options.max_distance === 'number' ? { maxDistance: options.max_distance } : {}),
  };
}

function parseNeuralSparse(body: unknown): Query {
  const [field, spec] = singleField('neural_sparse', body);
  const options = object('neural_sparse', spec);
  for (const key of Object.keys(options)) {
    if (!['query_text', 'model_id', 'query_tokens', 'boost', '_name', 'max_token_score', 'analyzer'].includes(key)) throw parsingException(`[neural_sparse] query does not support [${key}]`);
  }
  const queryText = typeof options.query_text === 'string' ? options.query_text : undefined;
  const queryTokens = options.query_tokens as Record<string, number> | undefined;
  if (queryText === undefined && queryTokens === undefined) fail(illegalArgumentError('Either query text or query tokens must be provided.'));
  return { kind: 'neural_sparse', field, queryText, queryTokens, modelId: options.model_id === undefined ? undefined : String(options.model_id), boost: boostOf(options) };
}

function parseHybrid(body: unknown, version: EngineVersion): Query {
  const options = object('hybrid', body);
  const queries: Query[] = [];
  let paginationDepth: number | undefined;
  for (const [key, value] of Object.entries(options)) {
    if (key === 'queries') {
      if (!Array.isArray(value)) throw parsingException('Field is not supported by [hybrid] query');
      for (const item of value) {
        if (queries.length === 5) throw parsingException('Number of sub-queries exceeds maximum supported by [hybrid] query');
        queries.push(parseQuery(item, version));
      }
    } else if (key === 'pagination_depth' && version.atLeast(2, 19)) {
      paginationDepth = Number(value);
      if (!(paginationDepth > 0)) fail(illegalArgumentError('pagination_depth should be greater than 0'));
    } else if (key === 'boost') {
      throw parsingException('[hybrid] query does not support [boost]');
    } else {
      throw parsingException('Field is not supported by [hybrid] query');
    }
  }
  if (queries.length === 0) throw parsingException("[hybrid] requires 'queries' field with at least one clause");
  return { kind: 'hybrid', queries, paginationDepth };
}

/** Every query node, for visitors (the neural query enricher). */
export function visit(query: Query, fn: (node: Query) => void): void {
  fn(query);
  if (query.kind === 'bool') [...query.must, ...query.should, ...query.filter, ...query.mustNot].forEach((child) => visit(child, fn));
  if (query.kind === 'hybrid') query.queries.forEach((child) => visit(child, fn));
  if ((query.kind === 'knn' || query.kind === 'neural') && query.filter) visit(query.filter, fn);
}

// ---- execution ---------------------------------------------------------------------------------------------------

export interface ShardEnv {
  readonly ctx: RequestContext;
  readonly index: UserIndex;
  readonly docs: readonly IndexedDoc[];
  /** Query vectors of neural queries, computed before the shards run (the rewrite phase). */
  readonly vectors: Map<Query, number[]>;
  readonly sparseTokens: Map<Query, Record<string, number>>;
}

/** A failure while running the query on the shard: answered as search_phase_execution_exception by search-api.ts. */
export class ShardFailure extends Error {
  constructor(readonly osError: OsError) {
    super(osError.reason);
  }
}

function shardFail(reason: string): never {
  throw new ShardFailure(illegalArgumentError(reason));
}

/** Call the models neural and neural_sparse queries need (before the shards, like QueryRewriteContext's async actions). */
export function rewrite(ctx: RequestContext, query: Query, vectors: Map<Query, number[]>, sparse: Map<Query, Record<string, number>>): void {
  visit(query, (node) => {
    if (node.kind === 'neural') {
      if (node.modelId === undefined) fail(illegalArgumentError('Model ID must be provided for neural query'));
      const text = [node.queryText, node.queryImage].filter((item) => item !== undefined).join(' ');
      vectors.set(node, embedTexts(ctx, node.modelId, [text])[0]);
    }
    if (node.kind === 'neural_sparse' && node.queryTokens === undefined) {
      if (node.modelId === undefined) fail(illegalArgumentError('model id must be provided in neural_sparse query or a default model id must be set in search request processor'));
      sparse.set(node, sparseEncode(ctx, node.modelId, [node.queryText ?? ''])[0]);
    }
  });
}

type Scores = Map<string, number>;

export function evaluate(query: Query, env: ShardEnv): Scores {
  switch (query.kind) {
    case 'match_all': return constant(env.docs, () => true, query.boost);
    case 'match_none': return new Map();
    case 'ids': return constant(env.docs, (doc) => query.values.includes(doc.id), query.boost);
    case 'exists': return constant(env.docs, (doc) => valuesOf(doc, query.field).length > 0, query.boost);
    case 'range': return constant(env.docs, (doc) => valuesOf(doc, query.field).some((value) => inRange(value, query.bounds)), query.boost);
    case 'terms': return constant(env.docs, (doc) => query.values.some((value) => termsOf(env, doc, query.field).includes(termText(value))), query.boost);
    case 'term': return termQuery(env, query.field, termText(query.value), query.boost);
    case 'match': return matchQuery(env, query);
    case 'bool': return boolQuery(env, query);
    case 'knn': return knnQuery(env, query.field, query.vector, query);
    case 'neural': {
      const info = env.index.mapping.fields.get(query.field);
      if (!info || info.type !== 'knn_vector') shardFail(`Field '${query.field}' is not knn_vector type.`);
      return knnQuery(env, query.field, env.vectors.get(query)!, query);
    }
    case 'neural_sparse': return sparseQuery(env, query);
    case 'hybrid': return shardFail('hybrid query must be a top level query and cannot be wrapped into other queries');
  }
}

function constant(docs: readonly IndexedDoc[], test: (doc: IndexedDoc) => boolean, boost: number): Scores {
  const scores: Scores = new Map();
  for (const doc of docs) if (test(doc)) scores.set(doc.id, Math.fround(boost));
  return scores;
}

function termText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function getPath(source: JsonObject, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => {
    if (Array.isArray(value)) return value.flatMap((item) => (item !== null && typeof item === 'object' ? [(item as JsonObject)[key]] : []));
    return value !== null && typeof value === 'object' ? (value as JsonObject)[key] : undefined;
  }, source);
}

function valuesOf(doc: IndexedDoc, field: string): unknown[] {
  const value = getPath(doc.source, field);
  return (Array.isArray(value) ? value.flat() : [value]).filter((item) => item !== undefined && item !== null);
}

function fieldInfo(env: ShardEnv, field: string): FieldInfo | undefined {
  return env.index.mapping.fields.get(field);
}

/** Indexed terms of a field: analysed tokens for text, the whole value for keyword (a sub-field reads its parent). */
function termsOf(env: ShardEnv, doc: IndexedDoc, field: string): string[] {
  const info = fieldInfo(env, field);
  if (!info) return [];
  const source = info.parent ?? field;
  const values = valuesOf(doc, source).map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
  if (info.type === 'text' || info.type === 'match_only_text') return values.flatMap(standardTokens);
  return values;
}

const K1 = 1.2;
const B = 0.75;

function bm25(env: ShardEnv, field: string, terms: readonly string[], boost: number, required: number): Scores {
  const info = fieldInfo(env, field);
  const scores: Scores = new Map();
  if (!info) return scores;
  const analysed = info.type === 'text' || info.type === 'match_only_text';
  const perDoc = env.docs.map((doc) => ({ doc, tokens: termsOf(env, doc, field) })).filter((entry) => entry.tokens.length > 0);
  const docCount = perDoc.length;
  const avgdl = perDoc.reduce((sum, entry) => sum + entry.tokens.length, 0) / Math.max(docCount, 1);
  const unique = [...new Set(terms)];
  const df = new Map(unique.map((term) => [term, perDoc.filter((entry) => entry.tokens.includes(term)).length]));
  for (const { doc, tokens } of perDoc) {
    let score = 0;
    let matched = 0;
    for (const term of terms) {
      const freq = tokens.filter((token) => token === term).length;
      if (freq === 0) continue;
      matched += 1;
      const n = df.get(term)!;
      const idf = Math.log(1 + (docCount - n + 0.5) / (n + 0.5));
      const norm = analysed ? K1 * (1 - B + B * tokens.length / avgdl) : K1;
      score += idf * freq / (freq + norm);
    }
    if (matched >= required && matched > 0) scores.set(doc.id, Math.fround(boost * score));
  }
  return scores;
}

function termQuery(env: ShardEnv, field: string, value: string, boost: number): Scores {
  const info = fieldInfo(env, field);
  if (field === '_id') return constant(env.docs, (doc) => doc.id === value, boost);
  if (info && ['text', 'match_only_text', 'keyword', 'wildcard'].includes(info.type)) return bm25(env, field, [value], boost, 1);
  return constant(env.docs, (doc) => termsOf(env, doc, field).includes(value), boost);
}

function matchQuery(env: ShardEnv, query: Extract<Query, { kind: 'match' }>): Scores {
  const info = fieldInfo(env, query.field);
  if (!info) return new Map();
  if (info.type === 'knn_vector') shardFail(`Field [${query.field}] of type [knn_vector] does not support match queries`);
  const analysed = info.type === 'text' || info.type === 'match_only_text';
  const terms = analysed ? standardTokens(query.text) : [query.text];
  if (terms.length === 0) return new Map();
  const required = query.operator === 'and' ? terms.length : minimumShouldMatch(query.minimumShouldMatch, terms.length, 1);
  if (!['text', 'match_only_text', 'keyword', 'wildcard'].includes(info.type)) return constant(env.docs, (doc) => termsOf(env, doc, query.field).includes(query.text), query.boost);
  return bm25(env, query.field, terms, query.boost, required);
}

function minimumShouldMatch(spec: string | undefined, optional: number, fallback: number): number {
  if (spec === undefined) return fallback;
  const percent = /^(-?\d+)%$/.exec(spec);
  const value = percent ? Math.floor(optional * Number(percent[1]) / 100) : Number(spec);
  const count = value < 0 ? optional + value : value;
  return Math.max(0, Math.min(optional, count));
}

function boolQuery(env: ShardEnv, query: Extract<Query, { kind: 'bool' }>): Scores {
  const must = query.must.map((clause) => evaluate(clause, env));
  const should = query.should.map((clause) => evaluate(clause, env));
  const filter = query.filter.map((clause) => evaluate(clause, env));
  const mustNot = query.mustNot.map((clause) => evaluate(clause, env));
  const fallback = query.must.length === 0 && query.filter.length === 0 && query.should.length > 0 ? 1 : 0;
  const required = minimumShouldMatch(query.minimumShouldMatch, query.should.length, fallback);
  const scores: Scores = new Map();
  for (const doc of env.docs) {
    if (must.some((scored) => !scored.has(doc.id)) || filter.some((scored) => !scored.has(doc.id))) continue;
    if (mustNot.some((scored) => scored.has(doc.id))) continue;
    const matchedShould = should.filter((scored) => scored.has(doc.id));
    if (matchedShould.length < required) continue;
    const score = [...must, ...matchedShould].reduce((sum, scored) => sum + scored.get(doc.id)!, 0);
    scores.set(doc.id, Math.fround(query.boost * score));
  }
  return scores;
}

interface KnnOptions {
  readonly k?: number;
  readonly filter?: Query;
  readonly minScore?: number;
  readonly maxDistance?: number;
  readonly boost: number;
}

function knnQuery(env: ShardEnv, field: string, vector: readonly number[], options: KnnOptions): Scores {
  const info = fieldInfo(env, field);
  if (!info || info.type !== 'knn_vector' || !info.knn) shardFail(`Field '${field}' is not knn_vector type.`);
  const knn = info.knn;
  if (!knn.ann) shardFail(`Field '${field}' is not built for ANN search.`);
  if (vector.length !== knn.dimension) shardFail(`Query vector has invalid dimension: ${vector.length}. Dimension should be: ${knn.dimension}`);
  if ((options.minScore !== undefined || options.maxDistance !== undefined) && knn.engine === 'nmslib') {
    shardFail('Engine [NMSLIB] does not support radial search');
  }
  if (options.filter && knn.engine === 'nmslib') shardFail('Engine [NMSLIB] does not support filters');
  const allowed = options.filter ? evaluate(options.filter, env) : undefined;
  const scored: Array<[string, number]> = [];
  for (const doc of env.docs) {
    if (allowed && !allowed.has(doc.id)) continue;
    const value = getPath(doc.source, field);
    if (!Array.isArray(value) || value.length !== knn.dimension) continue;
    scored.push([doc.id, knnScore(knn.spaceType, vector, value as number[])]);
  }
  scored.sort((a, b) => b[1] - a[1]);
  let kept = scored;
  if (options.k !== undefined) kept = scored.slice(0, options.k);
  if (options.minScore !== undefined) kept = scored.filter(([, score]) => score >= options.minScore!);
  if (options.maxDistance !== undefined) {
    const threshold = knn.spaceType === 'innerproduct'
      ? (options.maxDistance >= 0 ? 1 / (1 + options.maxDistance) : 1 - options.maxDistance)
      : 1 / (1 + options.maxDistance);
    kept = scored.filter(([, score]) => score >= threshold);
  }
  return new Map(kept.map(([id, score]) => [id, Math.fround(score * options.boost)]));
}

function sparseQuery(env: ShardEnv, query: Extract<Query, { kind: 'neural_sparse' }>): Scores {
  const info = fieldInfo(env, query.field);
  if (!info || info.type !== 'rank_features') shardFail(`[neural_sparse] query only works on [rank_features] fields, field [${query.field}] is not rank_features type`);
  const tokens = query.queryTokens ?? env.sparseTokens.get(query) ?? {};
  const scores: Scores = new Map();
  for (const doc of env.docs) {
    const features = getPath(doc.source, query.field) as Record<string, number> | undefined;
    if (!features || typeof features !== 'object') continue;
    let score = 0;
    let matched = false;
    for (const [token, weight] of Object.entries(tokens)) {
      if (typeof features[token] === 'number') {
        score += weight * features[token];
        matched = true;
      }
    }
    if (matched) scores.set(doc.id, Math.fround(score * query.boost));
  }
  return scores;
}

function inRange(value: unknown, bounds: Partial<Record<'gt' | 'gte' | 'lt' | 'lte', unknown>>): boolean {
  const compare = (a: unknown, b: unknown): number => {
    const [x, y] = [Number(a), Number(b)];
    if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
    return String(a).localeCompare(String(b));
  };
  if (bounds.gt !== undefined && !(compare(value, bounds.gt) > 0)) return false;
  if (bounds.gte !== undefined && !(compare(value, bounds.gte) >= 0)) return false;
  if (bounds.lt !== undefined && !(compare(value, bounds.lt) < 0)) return false;
  if (bounds.lte !== undefined && !(compare(value, bounds.lte) <= 0)) return false;
  return true;
}
