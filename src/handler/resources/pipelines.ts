/*
 * Ingest pipelines (Custom::OpenSearchIngestPipeline) and search pipelines
 * (Custom::OpenSearchSearchPipeline): documents of the generic REST path, replaced in place by PUT.
 */
import { describedBy, restDocument } from './rest-document';
import {
  INGEST_PIPELINE_RESOURCE_TYPE, IngestPipelineResourceProperties, SEARCH_PIPELINE_RESOURCE_TYPE, SearchPipelineResourceProperties,
} from '../../contract';

export const ingestPipelineResource = restDocument<IngestPipelineResourceProperties>({
  type: INGEST_PIPELINE_RESOURCE_TYPE,
  noun: 'ingest pipeline',
  key: 'pipeline',
  path: (name) => `/_ingest/pipeline/${encodeURIComponent(name)}`,
  marked: describedBy,
});

export const searchPipelineResource = restDocument<SearchPipelineResourceProperties>({
  type: SEARCH_PIPELINE_RESOURCE_TYPE,
  noun: 'search pipeline',
  key: 'pipeline',
  path: (name) => `/_search/pipeline/${encodeURIComponent(name)}`,
  marked: describedBy,
});
