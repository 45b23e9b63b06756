import { IConstruct, IDependable } from 'constructs';
import { addDataAccessRule } from './collection';
import { searchRoleFor } from './role-mapping';
import { TargetBinding } from './target';

/*
 * What the provider is allowed for the stack's pipelines and indexes, and nothing more: on a domain, IAM
 * es:ESHttp* on exactly each document's paths and, with fine-grained access control, the permissions of
 * the stack's own security role (role-mapping.ts); on a collection, index rules in the stack's data
 * access policy (collection.ts). Security action names from the transport actions (test/emulator/README.md).
 */

/** OpenSearch Serverless data access permissions on indexes ("Supported operations and plugins in Amazon OpenSearch Serverless"). */
const INDEX = 'aoss:CreateIndex aoss:DescribeIndex aoss:UpdateIndex';

/**
 * Lets the provider put, read and delete one ingest or search pipeline. Returns what the pipeline
 * resource waits for.
 */
export function grantPipelineAccess(scope: IConstruct, binding: TargetBinding, kind: 'ingest' | 'search', name: string): IDependable[] {
  return grant(scope, binding, {
    paths: [`_${kind}/pipeline/${name}`],
    methods: ['Get', 'Put', 'Delete'],
    cluster: ['put', 'get', 'delete'].map((verb) => `cluster:admin/${kind}/pipeline/${verb}`),
    // The documentation does not say which data access permission the pipeline APIs need; the tests'
    // emulator assumes the index permissions on index/<collection>/* (test/emulator/README.md).
    collectionResource: '*',
    collectionPermissions: 'aoss:CreateIndex aoss:DescribeIndex aoss:DeleteIndex',
  });
}

/**
 * Lets the provider create, read and change one index (GET and PUT of `<index>`, its `_mapping` and
 * `_settings`), and delete it only when `destroy` (removalPolicy DESTROY). Returns what the index waits for.
 */
export function grantIndexAccess(scope: IConstruct, binding: TargetBinding, name: string, destroy: boolean): IDependable[] {
  const deletion = destroy ? ['Delete'] : [];
  if (binding.domain) binding.provider.grantDomainPaths(binding.arn, ['Get', 'Put', ...deletion], [name]);
  return grant(scope, binding, {
    paths: [`${name}/_mapping`, `${name}/_settings`],
    methods: ['Get', 'Put'],
    index: name,
    indexActions: ['indices:admin/create', 'indices:admin/get', 'indices:admin/mapping/put', 'indices:admin/settings/update',
      ...(destroy ? ['indices:admin/delete'] : [])],
    collectionResource: name,
    collectionPermissions: INDEX + (destroy ? ' aoss:DeleteIndex' : ''),
  });
}

interface Needs {
  readonly paths: string[];
  readonly methods: string[];
  readonly cluster?: string[];
  readonly index?: string;
  readonly indexActions?: string[];
  readonly collectionResource: string;
  readonly collectionPermissions: string;
}

function grant(scope: IConstruct, binding: TargetBinding, needs: Needs): IDependable[] {
  const { provider, collection } = binding;
  if (collection) {
    addDataAccessRule(scope, provider, collection, {
      ResourceType: 'index',
      Resource: [`index/${collection.collectionName}/${needs.collectionResource}`],
      Permission: needs.collectionPermissions.split(' '),
    });
    return binding.dependencies;
  }
  provider.grantDomainPaths(binding.arn, needs.methods, needs.paths);
  const role = searchRoleFor(scope, provider, binding.arn, needs);
  return role ? [...binding.dependencies, role] : binding.dependencies;
}
