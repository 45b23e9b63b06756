/**
 * GET and DELETE of stored ingest and search pipelines, which behave alike (IngestService and SearchPipelineService
 * innerGetPipelines / innerDelete): ids are comma lists with simple wildcards; GET of nothing is 404 {}; DELETE of
 * nothing is ResourceNotFoundException "pipeline [id] is missing", except a match-all id, and except before any
 * pipeline metadata exists, when nothing is checked.
 */
import { authorize, authorizeCollection } from './authz';
import { StoredPipeline } from './cluster-state';
import { RequestContext, TransportPhase } from './context';
import { json } from './http';
import { fail, osException } from './os-exception';
import { clone } from './store';
import { JsonObject } from './xcontent';

export type PipelineKind = 'ingest' | 'search';

function storeOf(ctx: RequestContext, kind: PipelineKind): Map<string, StoredPipeline> {
  return kind === 'ingest' ? ctx.emulator.cluster.ingestPipelines : ctx.emulator.cluster.searchPipelines;
}

function hasMetadata(ctx: RequestContext, kind: PipelineKind): boolean {
  return kind === 'ingest' ? ctx.emulator.cluster.ingestMetadata : ctx.emulator.cluster.searchPipelineMetadata;
}

/** Store a validated definition exactly as sent (GET returns it unchanged). */
export function storePipeline(ctx: RequestContext, kind: PipelineKind, id: string, body: unknown): void {
  storeOf(ctx, kind).set(id, { config: clone(body as JsonObject) });
  if (kind === 'ingest') ctx.emulator.cluster.ingestMetadata = true;
  else ctx.emulator.cluster.searchPipelineMetadata = true;
}

export function getPipelines(kind: PipelineKind): (ctx: RequestContext) => TransportPhase {
  return (ctx) => () => {
    authorizeCollection(ctx, 'aoss:DescribeIndex');
    authorize(ctx, `cluster:admin/${kind}/pipeline/get`);
    const result = matching(storeOf(ctx, kind), ctx.params[0]);
    return json(Object.keys(result).length === 0 && ctx.params[0] !== undefined ? 404 : 200, result);
  };
}

export function deletePipeline(kind: PipelineKind): (ctx: RequestContext) => TransportPhase {
  return (ctx) => () => {
    authorizeCollection(ctx, 'aoss:DeleteIndex');
    authorize(ctx, `cluster:admin/${kind}/pipeline/delete`);
    const id = ctx.params[0];
    if (!hasMetadata(ctx, kind)) return json(200, { acknowledged: true });
    const store = storeOf(ctx, kind);
    const ids = Object.keys(matching(store, id));
    if (ids.length === 0 && id !== '*' && id !== '_all') fail(osException('resource_not_found_exception', `pipeline [${id}] is missing`, 404));
    for (const name of ids) store.delete(name);
    return json(200, { acknowledged: true });
  };
}

/** Ids with simple wildcards, comma-separated. */
function matching(store: ReadonlyMap<string, StoredPipeline>, ids: string | undefined): Record<string, unknown> {
  const patterns = ids === undefined || ids === '_all' ? ['*'] : ids.split(',');
  const result: Record<string, unknown> = {};
  for (const [id, pipeline] of store) {
    if (patterns.some((pattern) => new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`).test(id))) result[id] = clone(pipeline.config);
  }
  return result;
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
