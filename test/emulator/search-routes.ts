/**
 * The REST routes of the data plane: ingest and search pipelines, indexes, documents, search, conversation memory and
 * the security roles API. Their handlers make their own privilege checks (the index actions need the index names),
 * so the routes carry no `action`. Index names in paths never start with '_' (OpenSearch refuses such names), which
 * keeps these patterns off the _plugins and other underscore paths.
 */
import { Route } from './context';
import { bulk, deleteDocument, getDocument, indexDocument } from './documents';
import { deleteIndex, getIndex, getMapping, getSettings, headIndex, putIndex, putMapping, putSettings, refreshIndex } from './indices';
import { putIngestPipeline } from './ingest';
import { createMemory, createMessage, deleteMemory, getMemory, listMemories, listMessages } from './memory';
import { deleteRole, getRoles, putRole } from './roles';
import { rolesMappingApi as securityApi } from './rolesmapping';
import { countHandler, searchHandler } from './search-api';
import { putSearchPipeline } from './search-pipelines';
import { deletePipeline, getPipelines } from './stored-pipelines';

const ID = '([^/]+)';
const INDEX = '([^/_][^/]*)';
const MEMORY = '/_plugins/_ml/memory';
const ROLES = '/_plugins/_security/api/roles';
/** Search pipelines are GA from OpenSearch 2.9 (experimental behind a feature flag in 2.8); the memory API moved to /_plugins/_ml/memory in ml-commons 2.12. */
const SEARCH_PIPELINES: [number, number] = [2, 9];
const MEMORY_API: [number, number] = [2, 12];

const path = (template: string): RegExp => new RegExp(`^${template}/?$`);

export const SEARCH_ROUTES: readonly Route[] = [
  { method: 'PUT', pattern: path(`/_ingest/pipeline/${ID}`), handle: putIngestPipeline },
  { method: 'GET', pattern: new RegExp(`^/_ingest/pipeline(?:/${ID})?/?$`), handle: getPipelines('ingest') },
  { method: 'DELETE', pattern: path(`/_ingest/pipeline/${ID}`), handle: deletePipeline('ingest') },
  { method: 'PUT', pattern: path(`/_search/pipeline/${ID}`), since: SEARCH_PIPELINES, handle: putSearchPipeline },
  { method: 'GET', pattern: new RegExp(`^/_search/pipeline(?:/${ID})?/?$`), since: SEARCH_PIPELINES, handle: getPipelines('search') },
  { method: 'DELETE', pattern: path(`/_search/pipeline/${ID}`), since: SEARCH_PIPELINES, handle: deletePipeline('search') },
  { method: 'POST', pattern: path('/_bulk'), handle: bulk },
  { method: 'PUT', pattern: path('/_bulk'), handle: bulk },
  { method: 'POST', pattern: path(`/${INDEX}/_bulk`), handle: bulk },
  { method: 'PUT', pattern: path(`/${INDEX}/_bulk`), handle: bulk },
  { method: 'POST', pattern: path('/_refresh'), handle: refreshIndex },
  { method: 'GET', pattern: path('/_refresh'), handle: refreshIndex },
  { method: 'POST', pattern: path(`/${INDEX}/_refresh`), handle: refreshIndex },
  { method: 'GET', pattern: path(`/${INDEX}/_refresh`), handle: refreshIndex },
  { method: 'GET', pattern: path('/_search'), handle: searchHandler },
  { method: 'POST', pattern: path('/_search'), handle: searchHandler },
  { method: 'GET', pattern: path(`/${INDEX}/_search`), handle: searchHandler },
  { method: 'POST', pattern: path(`/${INDEX}/_search`), handle: searchHandler },
  { method: 'GET', pattern: path(`/${INDEX}/_count`), handle: countHandler },
  { method: 'POST', pattern: path(`/${INDEX}/_count`), handle: countHandler },
  { method: 'GET', pattern: path(`/${INDEX}/_mappings?`), handle: getMapping },
  { method: 'PUT', pattern: path(`/${INDEX}/_mappings?`), handle: putMapping },
  { method: 'POST', pattern: path(`/${INDEX}/_mappings?`), handle: putMapping },
  { method: 'GET', pattern: new RegExp(`^/${INDEX}/_settings(?:/${ID})?/?$`), handle: getSettings },
  { method: 'PUT', pattern: path(`/${INDEX}/_settings`), handle: putSettings },
  { method: 'PUT', pattern: path(`/${INDEX}/_doc/${ID}`), handle: indexDocument(false) },
  { method: 'POST', pattern: path(`/${INDEX}/_doc/${ID}`), handle: indexDocument(false) },
  { method: 'POST', pattern: path(`/${INDEX}/_doc`), handle: indexDocument(false) },
  { method: 'GET', pattern: path(`/${INDEX}/_doc/${ID}`), handle: getDocument },
  { method: 'DELETE', pattern: path(`/${INDEX}/_doc/${ID}`), handle: deleteDocument },
  { method: 'PUT', pattern: path(`/${INDEX}/_create/${ID}`), handle: indexDocument(true) },
  { method: 'POST', pattern: path(`/${INDEX}/_create/${ID}`), handle: indexDocument(true) },
  { method: 'PUT', pattern: path(`/${INDEX}`), handle: putIndex },
  { method: 'GET', pattern: path(`/${INDEX}`), handle: getIndex },
  { method: 'HEAD', pattern: path(`/${INDEX}`), handle: headIndex },
  { method: 'DELETE', pattern: path(`/${INDEX}`), handle: deleteIndex },
  { method: 'POST', pattern: path(MEMORY), since: MEMORY_API, handle: createMemory },
  { method: 'GET', pattern: path(MEMORY), since: MEMORY_API, handle: listMemories },
  { method: 'GET', pattern: path(`${MEMORY}/${ID}/messages`), since: MEMORY_API, handle: listMessages },
  { method: 'POST', pattern: path(`${MEMORY}/${ID}/messages`), since: MEMORY_API, handle: createMessage },
  { method: 'GET', pattern: path(`${MEMORY}/${ID}`), since: MEMORY_API, handle: getMemory },
  { method: 'DELETE', pattern: path(`${MEMORY}/${ID}`), since: MEMORY_API, handle: deleteMemory },
  { method: 'GET', pattern: new RegExp(`^${ROLES}(?:/${ID})?/?$`), handle: securityApi(getRoles) },
  { method: 'PUT', pattern: path(`${ROLES}/${ID}`), handle: securityApi(putRole) },
  { method: 'DELETE', pattern: path(`${ROLES}/${ID}`), handle: securityApi(deleteRole) },
];
