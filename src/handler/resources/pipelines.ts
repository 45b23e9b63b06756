/*
 * Ingest pipelines (Custom::OpenSearchIngestPipeline) and search pipelines
 * (Custom::OpenSearchSearchPipeline): documents of the generic REST path, replaced in place by PUT.
 */
import { describedBy, restDocument } from './rest-document';
import { indexPath } from './search-index';
import {
  INGEST_PIPELINE_RESOURCE_TYPE, IngestPipelineResourceProperties, PipelineResourceProperties, SEARCH_PIPELINE_RESOURCE_TYPE,
  SearchPipelineResourceProperties,
} from '../../contract';
import type { OpenSearchClient } from '../clients/opensearch';
import { answerError } from '../errors';
import { log } from '../log';
import type { ResourceContext } from '../resource';

const defaultOf = (props: Record<string, unknown>) => ({ defaultOf: Array.isArray(props.defaultOf) ? props.defaultOf.map(String) : [] });

/**
 * Before a pipeline goes, the indexes of this library that still name it as their default (`setting`)
 * stop naming it. An index kept after its stack (DeletionPolicy Retain: CloudFormation sends it no
 * Delete) would otherwise refuse every write ("pipeline with id [x] does not exist") or every search
 * ("Pipeline x is not defined") until the setting was cleared by hand (real 2.19.6 and 3.6.0).
 * Indexes that are gone, name another pipeline or were not made by this library are left alone.
 */
function releaseIndexes(setting: string) {
  return async (props: PipelineResourceProperties, ctx: ResourceContext, client: OpenSearchClient): Promise<void> => {
    for (const index of props.defaultOf ?? []) {
      const path = indexPath(index);
      const response = await client.request({ method: 'GET', path: `${path}?flat_settings=true` });
      const found = response.status === 200 ? (response.json as any)?.[index] : undefined;
      if (found?.settings?.[setting] !== props.name || !String(found.mappings?._meta?.managed_by).startsWith('cdk-opensearch-ml: ')) continue;
      const cleared = await client.request({ method: 'PUT', path: `${path}/_settings`, body: { [setting]: null } });
      if (cleared.status !== 200) {
        throw answerError(cleared, { ...ctx, operation: 'delete', what: `clear ${setting} of the index '${index}' before deleting the pipeline '${props.name}'` });
      }
      log('the index no longer names the pipeline', { index, setting, pipeline: props.name });
    }
  };
}

export const ingestPipelineResource = restDocument<IngestPipelineResourceProperties>({
  type: INGEST_PIPELINE_RESOURCE_TYPE,
  noun: 'ingest pipeline',
  key: 'pipeline',
  path: (name) => `/_ingest/pipeline/${encodeURIComponent(name)}`,
  marked: describedBy,
  more: defaultOf,
  beforeDelete: releaseIndexes('index.default_pipeline'),
});

export const searchPipelineResource = restDocument<SearchPipelineResourceProperties>({
  type: SEARCH_PIPELINE_RESOURCE_TYPE,
  noun: 'search pipeline',
  key: 'pipeline',
  path: (name) => `/_search/pipeline/${encodeURIComponent(name)}`,
  marked: describedBy,
  more: defaultOf,
  beforeDelete: releaseIndexes('index.search.default_pipeline'),
});
