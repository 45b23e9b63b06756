/**
 * Document APIs: PUT/POST /{index}/_doc[/{id}], PUT/POST /{index}/_create/{id}, GET and DELETE /{index}/_doc/{id},
 * and _bulk (NDJSON), with the index's default and final pipelines (IngestService.resolvePipelines: the request's
 * `pipeline` wins over index.default_pipeline; "_none" disables it), auto-creation of a missing index, mapping checks
 * and dynamic mapping, and OpenSearch's answers (DocWriteResponse, BulkResponse items, "version conflict, document
 * already exists", "The bulk request must be terminated by a newline [\n]", "Malformed action/metadata line [n] ...").
 * Security: indices:data/write/bulk (cluster level, PrivilegesEvaluator) then indices:data/write/bulk[s] per index;
 * indices:data/write/index for a single document; indices:data/read/get; indices:data/write/delete.
 */
import { authorizationFailure, authorize, authorizeCollection } from './authz';
import { IndexedDoc, UserIndex } from './cluster-state';
import { RequestContext, TransportPhase } from './context';
import { EmulatorResponse, HttpError, json } from './http';
import { randomId } from './ids';
import { createIndex, indexNotFound, requireIndex } from './indices';
import { executePipeline, IngestDocument } from './ingest';
import { DocumentParseError, parseDocument } from './mappings';
import { errorOf, fail, illegalArgumentError, OsError, osException, renderEnvelope, renderException } from './os-exception';
import { filterSource } from './search';
import { clone } from './store';
import { JsonObject, parseJsonBody, tokenOf } from './xcontent';

type Action = 'index' | 'create' | 'delete' | 'update';

interface WriteOp {
  readonly action: Action;
  readonly index: string;
  readonly id?: string;
  readonly source?: JsonObject;
  readonly pipeline?: string;
  readonly docAsUpsert?: boolean;
}

interface ItemResult {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly index?: UserIndex;
  readonly ingested: boolean;
  readonly error?: OsError;
}

function shards(index: UserIndex | undefined): Record<string, number> {
  const total = 1 + Number(index?.settings.get('index.number_of_replicas') ?? 1);
  return { total, successful: total, failed: 0 };
}

function writeResponse(index: UserIndex, doc: { id: string; version: number; seqNo: number }, result: string): Record<string, unknown> {
  return { _index: index.name, _id: doc.id, _version: doc.version, result, _shards: shards(index), _seq_no: doc.seqNo, _primary_term: 1 };
}

function failure(index: string, id: string | undefined, error: OsError): ItemResult {
  const body = { _index: index, ...(id === undefined ? {} : { _id: id }), status: error.status, error: renderException(error) };
  return { status: error.status, error, body, ingested: false };
}

/** The target index, auto-created (action.auto_create_index defaults to true) when missing. */
function targetIndex(ctx: RequestContext, name: string): UserIndex {
  const existing = ctx.emulator.cluster.indices.get(name);
  if (existing) return existing;
  authorizeCollection(ctx, 'aoss:CreateIndex', name);
  authorize(ctx, 'indices:admin/create', [name]);
  return createIndex(ctx, name, {});
}

function resolvePipelines(index: UserIndex, requested: string | undefined): string[] {
  const pipelines: string[] = [];
  const main = requested ?? index.settings.get('index.default_pipeline');
  if (main !== undefined && main !== '_none') pipelines.push(main);
  const final = index.settings.get('index.final_pipeline');
  if (final !== undefined && final !== '_none') pipelines.push(final);
  return pipelines;
}

/** One index/create/update/delete operation, as a bulk item result (errors included). */
function applyOp(ctx: RequestContext, op: WriteOp): ItemResult {
  try {
    if (op.action === 'delete') return deleteOp(ctx, op);
    if (op.action === 'update') return updateOp(ctx, op);
    return indexOp(ctx, op);
  } catch (error) {
    if (error instanceof DocumentParseError) return failure(op.index, op.id, error.osError);
    if (error instanceof HttpError) return failure(op.index, op.id, errorOf(error));
    throw error;
  }
}

function indexOp(ctx: RequestContext, op: WriteOp): ItemResult {
  if (op.id !== undefined && ctx.emulator.serverless?.collectionType === 'VECTORSEARCH') {
    // "PUT <index>/_doc/<id> (for search collection types only)": no custom document IDs in vector search collections.
    fail(illegalArgumentError('Document ID is not supported in create/index operation request'));
  }
  let index = targetIndex(ctx, op.index);
  const doc: IngestDocument = { source: clone(op.source ?? {}), index: index.name, id: op.id, timestamp: new Date().toISOString() };
  const pipelines = resolvePipelines(index, op.pipeline);
  for (const pipeline of pipelines) {
    const before = doc.index;
    const kept = executePipeline(pipeline, doc, { ctx, pipelineStack: [] });
    if (!kept) {
      return {
        status: 200,
        ingested: true,
        body: {
          _index: index.name,
          _id: doc.id ?? randomId(),
          _version: -3,
          result: 'noop',
          _shards: { total: 0, successful: 0, failed: 0 },
          status: 200,
        },
      };
    }
    if (doc.index !== before) index = targetIndex(ctx, doc.index);
  }
  const id = doc.id ?? randomId();
  const grown = parseDocument(index.mapping, doc.source, id);
  const existing = index.docs.get(id);
  if (op.action === 'create' && existing) {
    fail(osException('version_conflict_engine_exception', `[${id}]: version conflict, document already exists (current version [${existing.version}])`, 409,
      { index_uuid: index.uuid, shard: '0', index: index.name }));
  }
  if (grown) index.mapping = grown;
  const stored: IndexedDoc = { id, source: doc.source, version: (existing?.version ?? 0) + 1, seqNo: index.nextSeqNo() };
  index.docs.set(id, stored);
  const created = !existing;
  return {
    status: created ? 201 : 200,
    index,
    ingested: pipelines.length > 0,
    body: { ...writeResponse(index, stored, created ? 'created' : 'updated'), status: created ? 201 : 200 },
  };
}

function deleteOp(ctx: RequestContext, op: WriteOp): ItemResult {
  const index = ctx.emulator.cluster.indices.get(op.index);
  if (!index) fail(indexNotFound(op.index, 'index_expression'));
  const existing = index.docs.get(op.id!);
  if (!existing) {
    const seqNo = index.nextSeqNo();
    return { status: 404, index, ingested: false, body: { ...writeResponse(index, { id: op.id!, version: 1, seqNo }, 'not_found'), status: 404 } };
  }
  index.docs.delete(existing.id);
  const deleted = { id: existing.id, version: existing.version + 1, seqNo: index.nextSeqNo() };
  return { status: 200, index, ingested: false, body: { ...writeResponse(index, deleted, 'deleted'), status: 200 } };
}

function updateOp(ctx: RequestContext, op: WriteOp): ItemResult {
  const index = ctx.emulator.cluster.indices.get(op.index);
  const existing = index?.docs.get(op.id!);
  if (!index || !existing) {
    if (op.docAsUpsert) return indexOp(ctx, { ...op, action: 'index' });
    if (!index) fail(indexNotFound(op.index, 'index_expression'));
    fail(osException('document_missing_exception', `[${op.id!}]: document missing`, 404, { index_uuid: index.uuid, shard: '0', index: index.name }));
  }
  const merged = deepMerge(existing.source, op.source ?? {});
  if (JSON.stringify(merged) === JSON.stringify(existing.source)) {
    return { status: 200, index, ingested: false, body: { ...writeResponse(index, existing, 'noop'), status: 200 } };
  }
  const grown = parseDocument(index.mapping, merged, existing.id);
  if (grown) index.mapping = grown;
  const stored: IndexedDoc = { id: existing.id, source: merged, version: existing.version + 1, seqNo: index.nextSeqNo() };
  index.docs.set(stored.id, stored);
  return { status: 200, index, ingested: false, body: { ...writeResponse(index, stored, 'updated'), status: 200 } };
}

function deepMerge(target: JsonObject, patch: JsonObject): JsonObject {
  const result = clone(target);
  for (const [key, value] of Object.entries(patch)) {
    const current = result[key];
    result[key] = value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object' && !Array.isArray(current)
      ? deepMerge(current as JsonObject, value as JsonObject)
      : clone(value);
  }
  return result;
}

/** ?refresh=true|wait_for|false after a write. */
function applyRefresh(ctx: RequestContext, indices: Iterable<UserIndex | undefined>): boolean {
  const refresh = ctx.request.params.get('refresh');
  // A collection refreshes on its own schedule (the refresh API is not among its supported operations).
  if (refresh === null || refresh === 'false' || ctx.emulator.serverless) return false;
  for (const index of indices) index?.refresh();
  return refresh === '' || refresh === 'true';
}

function requireSource(ctx: RequestContext): JsonObject {
  const body = parseJsonBody(ctx.request);
  if (body === undefined) fail(osException('action_request_validation_exception', 'Validation Failed: 1: source is missing;2: content type is missing;', 400));
  if (tokenOf(body) !== 'START_OBJECT') fail(osException('mapper_parsing_exception', 'failed to parse', 400));
  return body as JsonObject;
}

/** PUT/POST /{index}/_doc[/{id}] and /{index}/_create/{id}. */
export function indexDocument(create: boolean): (ctx: RequestContext) => TransportPhase {
  return (ctx) => {
    const [indexName, id] = ctx.params;
    authorizeCollection(ctx, 'aoss:WriteDocument', indexName);
    const source = requireSource(ctx);
    const opType = create || ctx.request.params.get('op_type') === 'create' ? 'create' : 'index';
    return () => {
      authorize(ctx, 'indices:data/write/index', [indexName]);
      const pipeline = ctx.request.params.get('pipeline') ?? undefined;
      const result = applyOp(ctx, { action: opType, index: indexName, id, source, pipeline });
      return singleResponse(ctx, result);
    };
  };
}

/** A single-document API answers an item's error with the ordinary envelope, else the item without its status. */
function singleResponse(ctx: RequestContext, result: ItemResult): EmulatorResponse {
  if (result.error) return json(result.status, renderEnvelope(result.error));
  const forced = applyRefresh(ctx, [result.index]);
  const { status, ...body } = result.body;
  void status;
  return json(result.status, { ...body, ...(forced ? { forced_refresh: true } : {}) });
}

export function getDocument(ctx: RequestContext): TransportPhase {
  return () => {
    const [indexName, id] = ctx.params;
    authorizeCollection(ctx, 'aoss:ReadDocument', indexName);
    authorize(ctx, 'indices:data/read/get', [indexName]);
    const index = requireIndex(ctx, indexName, 'index_expression');
    const doc = index.docs.get(id);
    if (!doc) return json(404, { _index: index.name, _id: id, found: false });
    const params = ctx.request.params;
    const sourceParam = params.get('_source');
    const includes = (params.get('_source_includes') ?? (sourceParam && sourceParam !== 'true' && sourceParam !== 'false' ? sourceParam : ''))
      .split(',').filter(Boolean);
    const excludes = (params.get('_source_excludes') ?? '').split(',').filter(Boolean);
    return json(200, {
      _index: index.name,
      _id: doc.id,
      _version: doc.version,
      _seq_no: doc.seqNo,
      _primary_term: 1,
      found: true,
      ...(sourceParam === 'false' ? {} : { _source: filterSource(doc.source, includes, excludes) }),
    });
  };
}

export function deleteDocument(ctx: RequestContext): TransportPhase {
  return () => {
    const [indexName, id] = ctx.params;
    authorizeCollection(ctx, 'aoss:WriteDocument', indexName);
    authorize(ctx, 'indices:data/write/delete', [indexName]);
    return singleResponse(ctx, applyOp(ctx, { action: 'delete', index: indexName, id }));
  };
}

const BULK_PARAMETERS = ['_index', '_id', 'routing', 'pipeline', 'require_alias', 'version', 'version_type', 'if_seq_no', 'if_primary_term',
  'retry_on_conflict', '_source', 'op_type', 'dynamic_templates'];

/** POST /_bulk and /{index}/_bulk. */
export function bulk(ctx: RequestContext): TransportPhase {
  const text = ctx.request.bodyText;
  if (text.length === 0) fail(osException('parse_exception', 'request body is required', 400));
  if (!text.endsWith('\n')) fail(illegalArgumentError('The bulk request must be terminated by a newline [\\n]'));
  const defaultIndex = ctx.params[0];
  const defaultPipeline = ctx.request.params.get('pipeline') ?? undefined;
  const lines = text.split('\n');
  const ops: WriteOp[] = [];
  const missingIndex: number[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (lines[i].trim() === '') continue;
    const lineNumber = i + 1;
    let action: unknown;
    try {
      action = JSON.parse(lines[i]);
    } catch (error) {
      fail(osException('json_parse_exception', (error as Error).message, 400));
    }
    if (tokenOf(action) !== 'START_OBJECT') fail(illegalArgumentError(`Malformed action/metadata line [${lineNumber}], expected START_OBJECT or END_OBJECT but found [${tokenOf(action)}]`));
    const entries = Object.entries(action as JsonObject);
    if (entries.length !== 1) fail(illegalArgumentError(`Malformed action/metadata line [${lineNumber}], expected START_OBJECT but found [END_OBJECT]`));
    const [type, meta] = entries[0];
    if (!['index', 'create', 'update', 'delete'].includes(type)) {
      fail(illegalArgumentError(`Malformed action/metadata line [${lineNumber}], expected field [create], [delete], [index] or [update] but found [${type}]`));
    }
    if (tokenOf(meta) !== 'START_OBJECT') fail(illegalArgumentError(`Malformed action/metadata line [${lineNumber}], expected START_OBJECT but found [${tokenOf(meta)}]`));
    for (const key of Object.keys(meta as JsonObject)) {
      if (!BULK_PARAMETERS.includes(key)) fail(illegalArgumentError(`Action/metadata line [${lineNumber}] contains an unknown parameter [${key}]`));
    }
    const metadata = meta as JsonObject;
    const index = typeof metadata._index === 'string' ? metadata._index : defaultIndex;
    const id = metadata._id === undefined || metadata._id === null ? undefined : String(metadata._id);
    if (index === undefined) missingIndex.push(ops.length + 1);
    let source: JsonObject | undefined;
    let docAsUpsert = false;
    if (type !== 'delete') {
      i += 1;
      const sourceLine = lines[i];
      if (sourceLine === undefined || sourceLine.trim() === '') fail(illegalArgumentError('The bulk request must be terminated by a newline [\\n]'));
      try {
        source = JSON.parse(sourceLine) as JsonObject;
      } catch (error) {
        fail(osException('json_parse_exception', (error as Error).message, 400));
      }
      if (type === 'update') {
        docAsUpsert = (source as JsonObject).doc_as_upsert === true;
        source = ((source as JsonObject).doc ?? {}) as JsonObject;
      }
    }
    if ((type === 'update' || type === 'delete') && id === undefined) missingIndex.push(-(ops.length + 1));
    ops.push({ action: type as Action, index: index ?? '', id, source, pipeline: typeof metadata.pipeline === 'string' ? metadata.pipeline : defaultPipeline, docAsUpsert });
  }
  const validation = missingIndex.map((n, i) => `${i + 1}: ${n > 0 ? 'index is missing' : 'id is missing'};`).join('');
  if (validation) fail(osException('action_request_validation_exception', `Validation Failed: ${validation}`, 400));
  // A collection's data access policy must allow writing to every index the request names (see README).
  for (const index of new Set(ops.map((op) => op.index))) authorizeCollection(ctx, 'aoss:WriteDocument', index);
  return () => {
    const start = Date.now();
    authorize(ctx, 'indices:data/write/bulk');
    const denied = new Map<string, HttpError | undefined>();
    const items: Array<Record<string, unknown>> = [];
    const touched = new Set<UserIndex | undefined>();
    let errors = false;
    let ingested = false;
    for (const op of ops) {
      if (!denied.has(op.index)) denied.set(op.index, authorizationFailure(ctx, 'indices:data/write/bulk[s]', [op.index]));
      const refusal = denied.get(op.index);
      const result = refusal ? failure(op.index, op.id, errorOf(refusal)) : applyOp(ctx, op);
      if (result.error) errors = true;
      ingested = ingested || result.ingested;
      touched.add(result.index);
      items.push({ [op.action]: result.body });
    }
    applyRefresh(ctx, touched);
    return json(200, { took: Date.now() - start, ...(ingested ? { ingest_took: 0 } : {}), errors, items });
  };
}
