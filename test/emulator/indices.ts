/**
 * Index APIs: PUT/GET/HEAD/DELETE /{index}, GET/PUT /{index}/_mapping, GET/PUT /{index}/_settings, _refresh.
 * Sources: OpenSearch MetadataCreateIndexService (index name rules, "index [x/uuid] already exists"),
 * CreateIndexRequest ("unknown key [x] for create index"), MetadataUpdateSettingsService, IndexNameExpressionResolver
 * ("no such index [x]"); security action names from the transport actions (indices:admin/create, indices:admin/get,
 * indices:admin/delete, indices:admin/mappings/get, indices:admin/mapping/put, indices:monitor/settings/get,
 * indices:admin/settings/update, indices:admin/refresh).
 */
import { authorize, authorizeCollection, refuseOnServerless } from './authz';
import { UserIndex } from './cluster-state';
import { RequestContext, TransportPhase } from './context';
import { json, text } from './http';
import { flattenSettings, INTERNAL_SETTINGS, isDynamicSetting, renderSettings, validateSettings, versionId } from './index-settings';
import { MappingContext, mergeMapping, parseCreateMapping, renderMapping } from './mappings';
import { fail, illegalArgumentError, javaHashMapOrder, OsError, osException } from './os-exception';
import { JsonObject, parseJsonBody, tokenOf } from './xcontent';

export function indexNotFound(name: string, resourceType = 'index_or_alias'): OsError {
  return osException('index_not_found_exception', `no such index [${name}]`, 404,
    { 'index': name, 'resource.id': name, 'resource.type': resourceType, 'index_uuid': '_na_' });
}

/** An existing index, or index_not_found_exception. */
export function requireIndex(ctx: RequestContext, name: string, resourceType?: string): UserIndex {
  const index = ctx.emulator.cluster.indices.get(name);
  if (!index) fail(indexNotFound(name, resourceType));
  return index;
}

/** Names, comma lists, * wildcards and _all; a concrete missing name is index_not_found_exception. */
export function resolveIndices(ctx: RequestContext, expression: string): UserIndex[] {
  const { indices } = ctx.emulator.cluster;
  const result: UserIndex[] = [];
  for (const part of expression.split(',')) {
    if (part === '_all' || part.includes('*')) {
      const pattern = new RegExp(`^${(part === '_all' ? '*' : part).split('*').map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      for (const index of indices.values()) if (pattern.test(index.name) && !result.includes(index)) result.push(index);
    } else {
      const index = requireIndex(ctx, part);
      if (!result.includes(index)) result.push(index);
    }
  }
  return result;
}

/** MetadataCreateIndexService.validateIndexOrAliasName and the lower-case rule. */
export function validateIndexName(name: string): void {
  const invalid = (reason: string): never => fail(osException('invalid_index_name_exception', `Invalid index name [${name}], ${reason}`, 400, { index: name, index_uuid: '_na_' }));
  if (/[\\/*?"<>| ,]/.test(name)) invalid('must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]');
  if (name.includes('#')) invalid("must not contain '#'");
  if (name.includes(':')) invalid("must not contain ':'");
  if (/^[_\-+]/.test(name)) invalid("must not start with '_', '-', or '+'");
  if (name !== name.toLowerCase()) invalid('must be lowercase');
  if (name === '.' || name === '..') invalid("must not be '.' or '..'");
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 255) invalid(`index name is too long, (${bytes} > 255)`);
}

export function mappingContext(ctx: RequestContext, settings: ReadonlyMap<string, string>): MappingContext {
  return { version: ctx.emulator.version, settings, vectorCollection: ctx.emulator.serverless?.collectionType === 'VECTORSEARCH' };
}

/** Create an index from a create-index body (also used by auto-creation, with an empty body). */
export function createIndex(ctx: RequestContext, name: string, body: JsonObject): UserIndex {
  const { cluster, version } = ctx.emulator;
  validateIndexName(name);
  const existing = cluster.indices.get(name);
  if (existing) {
    fail(osException('resource_already_exists_exception', `index [${name}/${existing.uuid}] already exists`, 400, { index: name, index_uuid: existing.uuid }));
  }
  for (const key of Object.keys(body)) {
    if (!['settings', 'mappings', 'aliases'].includes(key)) fail(osException('parse_exception', `unknown key [${key}] for create index`, 400));
  }
  const requested = flattenSettings(body.settings ?? {});
  for (const key of requested.keys()) {
    if (INTERNAL_SETTINGS.includes(key)) fail(illegalArgumentError(`private index setting [${key}] can not be set explicitly`));
  }
  validateSettings(requested, version);
  const settings = new Map<string, string>([['index.number_of_shards', '1'], ['index.number_of_replicas', '1']]);
  for (const [key, value] of requested) if (value !== null) settings.set(key, value);
  const index = new UserIndex(name, settings);
  settings.set('index.creation_date', String(index.creationDate));
  settings.set('index.uuid', index.uuid);
  settings.set('index.version.created', versionId(version));
  settings.set('index.provided_name', name);
  index.mapping = parseCreateMapping(body.mappings, mappingContext(ctx, settings));
  cluster.indices.set(name, index);
  return index;
}

export function putIndex(ctx: RequestContext): TransportPhase {
  const name = ctx.params[0];
  authorizeCollection(ctx, 'aoss:CreateIndex', name);
  const body = parseJsonBody(ctx.request);
  if (body !== undefined && tokenOf(body) !== 'START_OBJECT') fail(osException('parse_exception', 'request body is required', 400));
  return () => {
    authorize(ctx, 'indices:admin/create', [name]);
    createIndex(ctx, name, (body ?? {}) as JsonObject);
    return json(200, { acknowledged: true, shards_acknowledged: true, index: name });
  };
}

function flat(ctx: RequestContext): boolean {
  return ctx.request.params.get('flat_settings') === 'true';
}

export function getIndex(ctx: RequestContext): TransportPhase {
  return () => {
    authorizeCollection(ctx, 'aoss:DescribeIndex', ctx.params[0]);
    authorize(ctx, 'indices:admin/get', [ctx.params[0]]);
    const indices = resolveIndices(ctx, ctx.params[0]);
    return json(200, Object.fromEntries(indices.map((index) => [index.name, {
      aliases: {},
      mappings: renderMapping(index.mapping),
      settings: renderSettings(index.settings, flat(ctx)),
    }])));
  };
}

/** HEAD /{index}: 200 or 404, no body (RestGetIndicesAction serves HEAD with indices:admin/get). */
export function headIndex(ctx: RequestContext): TransportPhase {
  return () => {
    authorizeCollection(ctx, 'aoss:DescribeIndex', ctx.params[0]);
    authorize(ctx, 'indices:admin/get', [ctx.params[0]]);
    const found = ctx.emulator.cluster.indices.has(ctx.params[0]);
    return text(found ? 200 : 404, '');
  };
}

export function deleteIndex(ctx: RequestContext): TransportPhase {
  return () => {
    authorizeCollection(ctx, 'aoss:DeleteIndex', ctx.params[0]);
    authorize(ctx, 'indices:admin/delete', [ctx.params[0]]);
    for (const index of resolveIndices(ctx, ctx.params[0])) ctx.emulator.cluster.indices.delete(index.name);
    return json(200, { acknowledged: true });
  };
}

export function getMapping(ctx: RequestContext): TransportPhase {
  return () => {
    authorizeCollection(ctx, 'aoss:DescribeIndex', ctx.params[0]);
    authorize(ctx, 'indices:admin/mappings/get', [ctx.params[0]]);
    return json(200, Object.fromEntries(resolveIndices(ctx, ctx.params[0]).map((index) => [index.name, { mappings: renderMapping(index.mapping) }])));
  };
}

export function putMapping(ctx: RequestContext): TransportPhase {
  authorizeCollection(ctx, 'aoss:UpdateIndex', ctx.params[0]);
  const body = parseJsonBody(ctx.request);
  if (body === undefined) fail(osException('parse_exception', 'request body is required', 400));
  return () => {
    authorize(ctx, 'indices:admin/mapping/put', [ctx.params[0]]);
    const indices = resolveIndices(ctx, ctx.params[0]);
    // Every index is checked before any changes, so a refused update leaves all of them as they were.
    const merged = indices.map((index) => mergeMapping(index.mapping, body, mappingContext(ctx, index.settings)));
    indices.forEach((index, i) => { index.mapping = merged[i]; });
    return json(200, { acknowledged: true });
  };
}

export function getSettings(ctx: RequestContext): TransportPhase {
  return () => {
    authorizeCollection(ctx, 'aoss:DescribeIndex', ctx.params[0]);
    authorize(ctx, 'indices:monitor/settings/get', [ctx.params[0]]);
    const filter = ctx.params[1];
    return json(200, Object.fromEntries(resolveIndices(ctx, ctx.params[0]).map((index) => {
      const settings = new Map([...index.settings].filter(([key]) => filter === undefined || filter.split(',').some((name) => matchesSetting(key, name))));
      return [index.name, { settings: renderSettings(settings, flat(ctx)) }];
    })));
  };
}

function matchesSetting(key: string, name: string): boolean {
  const full = name.startsWith('index.') ? name : `index.${name}`;
  return new RegExp(`^${full.split('*').map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(key);
}

export function putSettings(ctx: RequestContext): TransportPhase {
  authorizeCollection(ctx, 'aoss:UpdateIndex', ctx.params[0]);
  const body = parseJsonBody(ctx.request);
  if (body === undefined) fail(osException('parse_exception', 'request body is required', 400));
  if (tokenOf(body) !== 'START_OBJECT') fail(osException('parse_exception', 'request body is required', 400));
  return () => {
    authorize(ctx, 'indices:admin/settings/update', [ctx.params[0]]);
    const indices = resolveIndices(ctx, ctx.params[0]);
    const requested = flattenSettings((body as JsonObject).settings ?? body);
    validateSettings(requested, ctx.emulator.version);
    const skipped = [...requested.keys()].filter((key) => !isDynamicSetting(key));
    if (skipped.length > 0 && indices.length > 0) {
      const keys = javaHashMapOrder(skipped);
      const open = indices.map((index) => `[${index.name}/${index.uuid}]`);
      fail(illegalArgumentError(`Can't update non dynamic settings [[${keys.join(', ')}]] for open indices [${open.join(', ')}]`));
    }
    for (const index of indices) {
      for (const [key, value] of requested) {
        if (value === null) {
          if (key === 'index.number_of_replicas') index.settings.set(key, '1');
          else index.settings.delete(key);
        } else {
          index.settings.set(key, value);
        }
      }
    }
    return json(200, { acknowledged: true });
  };
}

export function refreshIndex(ctx: RequestContext): TransportPhase {
  return () => {
    refuseOnServerless(ctx, 'The refresh API');
    const expression = ctx.params[0] ?? '_all';
    authorize(ctx, 'indices:admin/refresh', [expression]);
    const indices = resolveIndices(ctx, expression);
    let shards = 0;
    for (const index of indices) {
      index.refresh();
      shards += Number(index.settings.get('index.number_of_shards') ?? 1) * (1 + Number(index.settings.get('index.number_of_replicas') ?? 1));
    }
    return json(200, { _shards: { total: shards, successful: shards, failed: 0 } });
  };
}
