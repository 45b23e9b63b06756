/*
 * Indexes (Custom::OpenSearchIndex): a document of the generic REST path with a lifecycle of its own.
 * No data loss: a delete leaves the index as it is unless its removalPolicy is 'destroy'. An update
 * changes what OpenSearch can change on an existing index (new fields, replicas, refresh interval,
 * default pipelines), compared with the index as it is (so a rollback works too), sending only the
 * new and changed fields; what it cannot (a field's type, dimension or method, the number of shards,
 * index.knn) fails before anything changes.
 */
import { INDEX_RESOURCE_TYPE, IndexResourceProperties } from '../../contract';
import { DeployError, answerError, describeAnswer, readErrorAnswer } from '../errors';
import type { ResourceContext } from '../resource';
import { restDocument } from './rest-document';

/** Settings fixed at creation, with OpenSearch's defaults (shown when the index has the default). */
const STATIC: Record<string, string> = { 'index.number_of_shards': '1', 'index.knn': 'false' };
/** Settings the construct may set that change in place. */
const DYNAMIC = ['index.number_of_replicas', 'index.refresh_interval', 'index.default_pipeline', 'index.search.default_pipeline'];

/** The path of an index. */
export const indexPath = (name: string): string => `/${encodeURIComponent(name)}`;

function cannotChange(what: string, name: string, detail: string): DeployError {
  return new DeployError(`${what} cannot change on the existing index '${name}' (${detail}); nothing was changed. ` +
    'Give the index a new name (indexName) to create a new one and reindex into it, or undo the change.');
}

/** Whether `wanted` says nothing that `live` does not (numbers and strings alike: CloudFormation's strings). */
function within(wanted: unknown, live: any): boolean {
  return wanted !== null && typeof wanted === 'object'
    ? live !== null && typeof live === 'object' && Object.entries(wanted).every(([key, value]) => within(value, live[key]))
    : String(wanted) === String(live);
}

async function apply(found: any, props: IndexResourceProperties, old: IndexResourceProperties | undefined, ctx: ResourceContext): Promise<void> {
  const current: Record<string, string> = found.settings ?? {};
  const settings = props.index.settings;
  for (const [key, fallback] of Object.entries(STATIC)) {
    const was = current[key] ?? fallback;
    if (settings[key] !== undefined && was !== String(settings[key])) throw cannotChange(key, props.name, `${was} now, ${String(settings[key])} asked`);
  }
  // The fields that are new or differ from the index's (OpenSearch shows defaults the mapping left out):
  // OpenSearch adds new ones and refuses a change to an existing one, all or nothing.
  const live = found.mappings?.properties ?? {};
  const fields = Object.entries(props.index.mappings.properties ?? {}).filter(([name, wanted]) => !within(wanted, live[name]));
  if (fields.length > 0) {
    const mapping = await ctx.client.request({ method: 'PUT', path: `${indexPath(props.name)}/_mapping`, body: { properties: Object.fromEntries(fields) } });
    if (mapping.status !== 200) {
      const answer = readErrorAnswer(mapping);
      const field = /apper (?:for )?\[([^\]]+)\]/.exec(answer.reason)?.[1];
      throw field ? cannotChange(`The field '${field}'`, props.name, describeAnswer(answer))
        : answerError(mapping, { ...ctx, operation: 'update', what: `update the mapping of the index '${props.name}'` });
    }
  }
  // A setting asked for and different, or asked for before and no longer (back to OpenSearch's default).
  const changes = DYNAMIC.filter((key) => (settings[key] !== undefined
    ? String(settings[key]) !== current[key]
    : old?.index.settings[key] !== undefined && current[key] !== undefined));
  if (changes.length === 0) return;
  const response = await ctx.client.request({
    method: 'PUT', path: `${indexPath(props.name)}/_settings`, body: Object.fromEntries(changes.map((key) => [key, settings[key] ?? null])),
  });
  if (response.status !== 200) throw answerError(response, { ...ctx, operation: 'update', what: `update the settings of the index '${props.name}'` });
}

export const indexResource = restDocument<IndexResourceProperties>({
  type: INDEX_RESOURCE_TYPE,
  noun: 'index',
  key: 'index',
  path: indexPath,
  readQuery: '?flat_settings=true',
  marked: (index, owner) => ({ ...index, mappings: { ...index.mappings, _meta: { managed_by: `cdk-opensearch-ml: ${owner}` } } }),
  more: (props) => ({ removalPolicy: String(props.removalPolicy ?? 'retain') }),
  apply,
  retained: (props) => props.removalPolicy !== 'destroy',
});
