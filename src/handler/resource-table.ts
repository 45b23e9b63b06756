/*
 * Every resource type the provider serves, by its CloudFormation type: the one table that
 * dispatch.ts reads. A new resource type is one module in resources/ and one line here.
 */
import type { ResourceType } from './resource';
import { connectorResource } from './resources/connector';
import { modelResource } from './resources/model';
import { modelGroupResource } from './resources/model-group';
import { ingestPipelineResource, searchPipelineResource } from './resources/pipelines';
import { roleMappingResource } from './resources/role-mapping';
import { indexResource } from './resources/search-index';
import { securityRoleResource } from './resources/security-role';

const TABLE: ReadonlyMap<string, ResourceType<any, any>> = new Map([
  connectorResource,
  roleMappingResource,
  modelGroupResource,
  modelResource,
  ingestPipelineResource,
  indexResource,
  searchPipelineResource,
  securityRoleResource,
].map((resource): [string, ResourceType<any, any>] => [resource.type, resource]));

/** The resource type of that name, or undefined when this provider does not serve it. */
export function resourceTypeOf(type: string): ResourceType<any, any> | undefined {
  return TABLE.get(type);
}
