/**
 * A small subset of the OpenSearch search API over one DocIndex: match_all, term(s), match, ids and bool queries,
 * size/from, sort on a few fields and _source filtering. Unknown query types and keys fail with OpenSearch's
 * parsing_exception instead of being ignored, so a client relying on something unsupported notices.
 */
import { openSearchError, parsingException } from './errors';
import { EmulatorResponse, HttpError, json } from './http';
import { wildcardMatch } from './iam';
import { StoredDoc } from './store';
import { JsonObject, tokenOf } from './xcontent';

/** How each searchable field of the index is mapped. */
export interface IndexMapping {
  /** Analysed text fields (term/match see lower-cased tokens); `<field>.keyword` is their exact form. */
  readonly text: readonly string[];
  /** Exact-value fields. */
  readonly keyword: readonly string[];
  /** Fields that may be sorted on (besides _score and _id). */
  readonly sortable: readonly string[];
}

export interface SearchRequest {
  readonly query: JsonObject;
  readonly size: number;
  readonly from: number;
  readonly sort: ReadonlyArray<{ readonly field: string; readonly order: 'asc' | 'desc' }>;
  readonly source: SourceFilter;
}

interface SourceFilter {
  readonly enabled: boolean;
  readonly includes: readonly string[];
  readonly excludes: readonly string[];
}

interface Hit {
  readonly doc: StoredDoc;
  readonly score: number;
}

const QUERY_TYPES = new Set(['match_all', 'term', 'terms', 'match', 'ids', 'bool']);
const IGNORED_KEYS = new Set(['track_total_hits', 'timeout', 'version', 'seq_no_primary_term', 'explain']);

/** Parse and check a search body (undefined = match_all); URL parameters size/from override defaults. */
export function parseSearchRequest(body: unknown, params: URLSearchParams, mapping: IndexMapping): SearchRequest {
  const object = body === undefined ? {} : expectSearchObject(body);
  for (const [key, value] of Object.entries(object)) {
    if (!['query', 'size', 'from', 'sort', '_source'].includes(key) && !IGNORED_KEYS.has(key)) {
      throw parsingException(`Unknown key for a ${tokenOf(value)} in [${key}].`);
    }
  }
  const query = object.query === undefined ? { match_all: {} } : checkQuery(object.query);
  return {
    query,
    size: numberParam(params.get('size') ?? object.size, 10, 'size'),
    from: numberParam(params.get('from') ?? object.from, 0, 'from'),
    sort: parseSort(object.sort, mapping),
    source: parseSourceFilter(object._source),
  };
}

function expectSearchObject(body: unknown): JsonObject {
  if (tokenOf(body) !== 'START_OBJECT') throw parsingException(`Unknown key for a ${tokenOf(body)} in [null].`);
  return body as JsonObject;
}

function numberParam(value: unknown, fallback: number, name: string): number {
  if (value === undefined || value === null) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw parsingException(`[${name}] must be a non-negative integer, got [${String(value)}]`);
  return number;
}

/** Structural validation of a query clause, recursively, so errors surface before any document is looked at. */
function checkQuery(value: unknown): JsonObject {
  if (tokenOf(value) !== 'START_OBJECT') throw parsingException('[_na] query malformed, must start with start_object');
  const entries = Object.entries(value as JsonObject);
  if (entries.length === 0) throw parsingException('query malformed, empty clause found');
  if (entries.length > 1) throw parsingException(`[${entries[0][0]}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]`);
  const [type, body] = entries[0];
  if (!QUERY_TYPES.has(type)) throw parsingException(`unknown query [${type}]`);
  if (type === 'bool') checkBool(body);
  return value as JsonObject;
}

function checkBool(body: unknown): void {
  for (const [key, clauses] of Object.entries(expectClauseObject('bool', body))) {
    if (['must', 'filter', 'should', 'must_not'].includes(key)) {
      asClauses(clauses).forEach(checkQuery);
    } else if (!['minimum_should_match', 'boost'].includes(key)) {
      throw parsingException(`[bool] query does not support [${key}]`);
    }
  }
}

function expectClauseObject(type: string, body: unknown): JsonObject {
  if (tokenOf(body) !== 'START_OBJECT') throw parsingException(`[${type}] query malformed, no start_object after query name`);
  return body as JsonObject;
}

function asClauses(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function parseSort(value: unknown, mapping: IndexMapping): SearchRequest['sort'] {
  if (value === undefined) return [];
  return asClauses(value).map((item) => {
    const [field, spec] = typeof item === 'string' ? [item, undefined] : (Object.entries(item as JsonObject)[0] ?? ['', undefined]);
    if (field !== '_score' && field !== '_id' && !mapping.sortable.includes(field)) {
      throw new HttpError(sortError(field));
    }
    const order = typeof spec === 'string' ? spec : (spec as JsonObject | undefined)?.order;
    return { field, order: order === 'asc' || order === 'desc' ? order : field === '_score' ? 'desc' : 'asc' };
  });
}

/** A shard-level failure, reported the way a search with no mapping for the sort field is. */
function sortError(field: string): EmulatorResponse {
  const base = openSearchError(400, 'search_phase_execution_exception', 'all shards failed');
  const parsed = JSON.parse(base.body) as { error: Record<string, unknown> };
  parsed.error.root_cause = [{ type: 'query_shard_exception', reason: `No mapping found for [${field}] in order to sort on` }];
  parsed.error.phase = 'query';
  parsed.error.grouped = true;
  return json(400, parsed);
}

function parseSourceFilter(value: unknown): SourceFilter {
  if (value === undefined || value === true) return { enabled: true, includes: [], excludes: [] };
  if (value === false) return { enabled: false, includes: [], excludes: [] };
  if (typeof value === 'string') return { enabled: true, includes: [value], excludes: [] };
  if (Array.isArray(value)) return { enabled: true, includes: value.map(String), excludes: [] };
  const object = value as JsonObject;
  const list = (item: unknown): string[] => (item === undefined ? [] : asClauses(item).map(String));
  return { enabled: true, includes: list(object.includes ?? object.include), excludes: list(object.excludes ?? object.exclude) };
}

/** Run the search and build the standard response; `hide` lists fields never returned (e.g. credential). */
export function executeSearch(
  index: string,
  docs: readonly StoredDoc[],
  request: SearchRequest,
  mapping: IndexMapping,
  hide: readonly string[],
): EmulatorResponse {
  const hits = docs
    .map((doc) => ({ doc, score: evaluate(request.query, doc, mapping) }))
    .filter((hit): hit is Hit => hit.score !== undefined);
  const sorted = request.sort.length > 0 ? [...hits].sort((a, b) => compareHits(a, b, request.sort)) : [...hits].sort((a, b) => b.score - a.score);
  const page = sorted.slice(request.from, request.from + request.size);
  const sortedByField = request.sort.length > 0;
  return json(200, {
    took: 1,
    timed_out: false,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: {
      total: { value: hits.length, relation: 'eq' },
      max_score: sortedByField || hits.length === 0 ? null : Math.max(...hits.map((hit) => hit.score)),
      hits: page.map((hit) => renderHit(index, hit, request, hide)),
    },
  });
}

function renderHit(index: string, hit: Hit, request: SearchRequest, hide: readonly string[]): Record<string, unknown> {
  const rendered: Record<string, unknown> = { _index: index, _id: hit.doc.id, _score: request.sort.length > 0 ? null : hit.score };
  if (request.source.enabled) {
    rendered._source = filterSource(hit.doc.source, request.source.includes, [...request.source.excludes, ...hide]);
  }
  if (request.sort.length > 0) rendered.sort = request.sort.map((sort) => sortValue(hit, sort.field));
  return rendered;
}

function compareHits(a: Hit, b: Hit, sort: SearchRequest['sort']): number {
  for (const { field, order } of sort) {
    const left = sortValue(a, field);
    const right = sortValue(b, field);
    if (left === right) continue;
    const less = left === undefined || (right !== undefined && left < right);
    return (less ? -1 : 1) * (order === 'asc' ? 1 : -1);
  }
  return 0;
}

function sortValue(hit: Hit, field: string): string | number | undefined {
  if (field === '_score') return hit.score;
  if (field === '_id') return hit.doc.id;
  const value = getPath(hit.doc.source, field.replace(/\.keyword$/, ''));
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

/** Score of a document for a (checked) query clause, or undefined when it does not match. */
function evaluate(query: JsonObject, doc: StoredDoc, mapping: IndexMapping): number | undefined {
  const [type, body] = Object.entries(query)[0];
  switch (type) {
    case 'match_all': return 1;
    case 'ids': return idsQuery(body, doc);
    case 'term': return fieldQuery(type, body, (field, value) => termMatches(doc, field, value, mapping));
    case 'terms': return termsQuery(body, doc, mapping);
    case 'match': return fieldQuery(type, body, (field, value) => matchScore(doc, field, value, mapping));
    default: return boolQuery(body as JsonObject, doc, mapping);
  }
}

function idsQuery(body: unknown, doc: StoredDoc): number | undefined {
  const values = (body as JsonObject).values;
  return Array.isArray(values) && values.includes(doc.id) ? 1 : undefined;
}

/** term/match accept {field: value} or {field: {value|query: ...}}. */
function fieldQuery(type: string, body: unknown, test: (field: string, value: unknown) => boolean | number): number | undefined {
  const entries = Object.entries(expectClauseObject(type, body));
  if (entries.length !== 1) throw parsingException(`[${type}] query doesn't support multiple fields, found [${entries.map(([f]) => f).join('] and [')}]`);
  const [field, spec] = entries[0];
  const value = tokenOf(spec) === 'START_OBJECT' ? ((spec as JsonObject).value ?? (spec as JsonObject).query) : spec;
  const result = test(field, value);
  if (result === false || result === 0) return undefined;
  return result === true ? 1 : result;
}

function termsQuery(body: unknown, doc: StoredDoc, mapping: IndexMapping): number | undefined {
  const entries = Object.entries(expectClauseObject('terms', body)).filter(([key]) => key !== 'boost');
  if (entries.length !== 1) throw parsingException('[terms] query does not support multiple fields');
  const [field, values] = entries[0];
  if (!Array.isArray(values)) throw parsingException(`[terms] query does not support [${field}]`);
  return values.some((value) => termMatches(doc, field, value, mapping)) ? 1 : undefined;
}

function boolQuery(body: JsonObject, doc: StoredDoc, mapping: IndexMapping): number | undefined {
  const run = (key: string): Array<number | undefined> => asClauses(body[key] ?? []).map((clause) => evaluate(clause as JsonObject, doc, mapping));
  const must = run('must');
  const filter = run('filter');
  const should = run('should');
  const mustNot = run('must_not');
  if (must.some((score) => score === undefined) || filter.some((score) => score === undefined)) return undefined;
  if (mustNot.some((score) => score !== undefined)) return undefined;
  const matchedShould = should.filter((score): score is number => score !== undefined);
  const minimum = body.minimum_should_match !== undefined
    ? Number(body.minimum_should_match)
    : (should.length > 0 && must.length === 0 && filter.length === 0 ? 1 : 0);
  if (matchedShould.length < minimum) return undefined;
  const score = [...must, ...matchedShould].reduce<number>((sum, value) => sum + (value ?? 0), 0);
  return must.length + matchedShould.length === 0 ? 1 : score;
}

/** Exact term semantics: text fields see their lower-cased tokens, keyword fields their whole value. */
function termMatches(doc: StoredDoc, field: string, value: unknown, mapping: IndexMapping): boolean {
  const wanted = typeof value === 'string' ? value : JSON.stringify(value);
  if (field === '_id') return doc.id === wanted;
  return termsOf(doc, field, mapping).includes(wanted);
}

function termsOf(doc: StoredDoc, field: string, mapping: IndexMapping): string[] {
  const base = field.replace(/\.keyword$/, '');
  const values = asClauses(getPath(doc.source, base)).filter((item) => item !== undefined && item !== null).map(String);
  if (mapping.text.includes(base) && !field.endsWith('.keyword')) return values.flatMap(analyze);
  if (mapping.keyword.includes(field) || (mapping.text.includes(base) && field.endsWith('.keyword'))) return values;
  return []; // an unmapped field matches nothing, as in OpenSearch
}

/** match: analyse the query text like the field and count matching tokens (OR by default, AND on request). */
function matchScore(doc: StoredDoc, field: string, value: unknown, mapping: IndexMapping): number {
  const base = field.replace(/\.keyword$/, '');
  const analysed = mapping.text.includes(base) && !field.endsWith('.keyword');
  const queryTokens = analysed ? analyze(String(value)) : [String(value)];
  const docTokens = field === '_id' ? [doc.id] : termsOf(doc, field, mapping);
  const matched = queryTokens.filter((token) => docTokens.includes(token)).length;
  return matched;
}

/** The standard analyser, near enough: lower-case and split on anything that is not a letter or digit. */
function analyze(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((token) => token.length > 0);
}

function getPath(source: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as JsonObject)[key] : undefined), source);
}

/** _source includes/excludes with '*' wildcards over dotted paths. */
export function filterSource(source: Record<string, unknown>, includes: readonly string[], excludes: readonly string[]): Record<string, unknown> {
  return filterObject(source, '', includes, excludes);
}

function filterObject(
  object: Record<string, unknown>,
  prefix: string,
  includes: readonly string[],
  excludes: readonly string[],
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (matchesAny(excludes, path)) continue;
    const included = includes.length === 0 || matchesAny(includes, path);
    if (included) {
      result[key] = excludes.length > 0 && isPlainObject(value) ? filterObject(value, path, [], excludes) : value;
    } else if (isPlainObject(value) && includes.some((pattern) => pattern.startsWith(`${path}.`) || pattern.startsWith('*'))) {
      const nested = filterObject(value, path, includes, excludes);
      if (Object.keys(nested).length > 0) result[key] = nested;
    }
  }
  return result;
}

function matchesAny(patterns: readonly string[], path: string): boolean {
  return patterns.some((pattern) => wildcardMatch(pattern, path, false) || path.startsWith(`${pattern}.`));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
