/*
 * The contract between the construct (synth time) and the handler (deploy time):
 * the custom-resource properties of each resource type. Types only — both sides
 * import this file, and nothing in it may pull code into the handler bundle or
 * aws-cdk-lib into the handler.
 *
 * CloudFormation delivers every scalar in custom-resource properties as a string
 * (1024 becomes "1024", true becomes "true"). Property names are camelCase; the
 * connector body keeps ml-commons' own snake_case field names so that it reads
 * exactly like the request a user would send by hand.
 */

/** The resource type of connectors in templates. */
export const CONNECTOR_RESOURCE_TYPE = 'Custom::OpenSearchMlConnector';

/**
 * Version of the property layout. A handler accepts every version up to its own;
 * bump only when the meaning of a property changes, since the value is part of
 * every resource's properties and changing it updates every connector.
 */
export const CONTRACT_VERSION = '1';

/** Where the handler sends its requests and how it signs them. */
export interface DomainTarget {
  /** host name of the domain endpoint (optionally with :port), without scheme */
  readonly endpoint: string;
  /** region for SigV4 */
  readonly region: string;
  /** SigV4 signing name: 'es' for domains ('aoss' for serverless collections) */
  readonly signingService: string;
}

/** One ml-commons connector action, as ml-commons spells it. */
export interface ConnectorActionBody {
  readonly action_type: string;
  readonly method: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly request_body?: string;
  readonly pre_process_function?: string;
  readonly post_process_function?: string;
  readonly supports_structured_output?: boolean;
}

/** The body of `POST /_plugins/_ml/connectors/_create`, as ml-commons spells it. */
export interface ConnectorBody {
  readonly name: string;
  readonly description?: string;
  readonly version: string | number;
  readonly protocol: string;
  readonly parameters?: Record<string, unknown>;
  readonly credential: Record<string, string>;
  readonly actions: ConnectorActionBody[];
  readonly client_config?: Record<string, unknown>;
  readonly backend_roles?: string[];
  readonly add_all_backend_roles?: boolean;
  readonly access_mode?: string;
}

/** Properties of a `Custom::OpenSearchMlConnector` resource (besides ServiceToken). */
export interface ConnectorResourceProperties extends DomainTarget {
  readonly contractVersion: string;
  readonly connector: ConnectorBody;
  /**
   * JSON Pointers (RFC 6901) into `connector` of values that were numbers, booleans
   * or null before CloudFormation turned them into strings; the handler restores them
   * so that OpenSearch receives exactly the body the blueprint describes.
   */
  readonly typedValues?: string[];
  /**
   * A value unique to the resource in its app (the construct's address). The handler puts
   * it, with the CloudFormation RequestId, into the connector it creates
   * (`parameters.cdk_creation_token`), so that it finds that connector, and only that one,
   * when a create's answer is lost. Absent in properties written before it existed: the
   * RequestId alone is used then.
   */
  readonly creationToken?: string;
}

/** The resource type of role mappings in templates. */
export const ROLE_MAPPING_RESOURCE_TYPE = 'Custom::OpenSearchMlRoleMapping';

/** How the handler authenticates to the security plugin's REST API. */
export type SecurityApiAuth =
  /** SigV4 with the provider's own role: it is the domain's IAM master user */
  | 'sigv4'
  /** HTTP basic auth with the master user of the internal user database, read from Secrets Manager at run time */
  | 'masterUserSecret';

/**
 * Properties of a `Custom::OpenSearchMlRoleMapping` resource: the provider's role as a
 * backend role of an OpenSearch security role (ml_full_access), added without touching
 * anything else in the mapping.
 */
export interface RoleMappingResourceProperties extends DomainTarget {
  readonly contractVersion: string;
  /** the OpenSearch security role, e.g. ml_full_access */
  readonly role: string;
  /** the backend role to add: the provider role's ARN */
  readonly backendRole: string;
  readonly auth: SecurityApiAuth;
  /** ARN of the secret holding {"username": ..., "password": ...}; only the ARN is ever in the template */
  readonly masterUserSecretArn?: string;
}

/** Attributes a connector resource returns (`Fn::GetAtt`). */
export interface ConnectorResourceAttributes {
  readonly ConnectorId: string;
}

/** The resource type of model groups in templates. */
export const MODEL_GROUP_RESOURCE_TYPE = 'Custom::OpenSearchMlModelGroup';

/** The body of `POST /_plugins/_ml/model_groups/_register`, as ml-commons spells it. */
export interface ModelGroupBody {
  readonly name: string;
  readonly description?: string;
  readonly access_mode?: string;
}

/** Properties of a `Custom::OpenSearchMlModelGroup` resource. */
export interface ModelGroupResourceProperties extends DomainTarget {
  readonly contractVersion: string;
  readonly modelGroup: ModelGroupBody;
}

/** Attributes a model group resource returns (`Fn::GetAtt`). */
export interface ModelGroupResourceAttributes {
  readonly ModelGroupId: string;
}

/** The resource type of remote models in templates. */
export const MODEL_RESOURCE_TYPE = 'Custom::OpenSearchMlModel';

/** The body of `POST /_plugins/_ml/models/_register` for a remote model, as ml-commons spells it. */
export interface ModelBody {
  readonly name: string;
  readonly function_name: string;
  readonly connector_id: string;
  readonly description?: string;
  readonly model_group_id?: string;
  readonly model_config?: Record<string, unknown>;
}

/** The deploy-time smoke test of a model: one `_predict` call. */
export interface ModelVerificationSpec {
  /** the `parameters` of the `_predict` request */
  readonly parameters: Record<string, unknown>;
  /** the length the returned vector must have */
  readonly embeddingDimension?: number;
  /** a text the answer must contain */
  readonly outputContains?: string;
}

/** Properties of a `Custom::OpenSearchMlModel` resource. */
export interface ModelResourceProperties extends DomainTarget {
  readonly contractVersion: string;
  readonly model: ModelBody;
  /** whether the model is deployed (the string 'true' or 'false' in templates) */
  readonly deploy: boolean;
  readonly verify?: ModelVerificationSpec;
  /** JSON Pointers, from the root of these properties, of values that were not strings (see ConnectorResourceProperties) */
  readonly typedValues?: string[];
}

/** Attributes a model resource returns (`Fn::GetAtt`). */
export interface ModelResourceAttributes {
  readonly ModelId: string;
}

/*
 * Plain REST resources: a JSON document of a name, PUT, read and deleted at a path
 * (src/handler/resources/rest-document.ts). The physical ID is the name; the handler adds the
 * owner's mark (the stack and the resource's logical ID) to the document it writes, so that it
 * never overwrites, adopts or deletes a document of that name that this resource did not make.
 */

/** What the properties of every plain REST resource hold besides its own document. */
export interface DocumentResourceProperties extends DomainTarget {
  readonly contractVersion: string;
  /** the document's name in OpenSearch: the physical ID */
  readonly name: string;
  /** JSON Pointers into the document (the type's own property) of values that were not strings */
  readonly typedValues?: string[];
}

/** The resource type of ingest pipelines in templates. */
export const INGEST_PIPELINE_RESOURCE_TYPE = 'Custom::OpenSearchIngestPipeline';

/** Properties of a `Custom::OpenSearchIngestPipeline`: the body of `PUT _ingest/pipeline/<name>`. */
/** What the two pipeline types share. */
export interface PipelineResourceProperties extends DocumentResourceProperties {
  /**
   * The indexes of this library that name the pipeline as their default (`index.default_pipeline`,
   * `index.search.default_pipeline`): before the pipeline is deleted they stop naming it, so that an
   * index kept after its stack still takes documents and searches.
   */
  readonly defaultOf?: string[];
}

export interface IngestPipelineResourceProperties extends PipelineResourceProperties {
  readonly pipeline: { readonly description?: string; readonly processors: Record<string, unknown>[] };
}

/** The resource type of search pipelines in templates. */
export const SEARCH_PIPELINE_RESOURCE_TYPE = 'Custom::OpenSearchSearchPipeline';

/** Properties of a `Custom::OpenSearchSearchPipeline`: the body of `PUT _search/pipeline/<name>`. */
export interface SearchPipelineResourceProperties extends PipelineResourceProperties {
  readonly pipeline: {
    readonly description?: string;
    readonly request_processors?: Record<string, unknown>[];
    readonly phase_results_processors?: Record<string, unknown>[];
    readonly response_processors?: Record<string, unknown>[];
  };
}

/** The resource type of indexes in templates. */
export const INDEX_RESOURCE_TYPE = 'Custom::OpenSearchIndex';

/** Properties of a `Custom::OpenSearchIndex`: the body of `PUT <name>`, and whether a delete removes the index. */
export interface IndexResourceProperties extends DocumentResourceProperties {
  /** settings with flat keys ('index.number_of_shards'), and mappings */
  readonly index: { readonly settings: Record<string, unknown>; readonly mappings: Record<string, unknown> };
  /**
   * 'destroy': a delete (of the resource, or of the old index after a replacement) removes the
   * index and its documents. Anything else ('retain', the default): the index is left as it is.
   */
  readonly removalPolicy: string;
}

/** The resource type of the security role the provider gets on a domain with fine-grained access control. */
export const SECURITY_ROLE_RESOURCE_TYPE = 'Custom::OpenSearchMlSecurityRole';

/** Properties of a `Custom::OpenSearchMlSecurityRole`: the body of `PUT _plugins/_security/api/roles/<name>`. */
export interface SecurityRoleResourceProperties extends DocumentResourceProperties {
  readonly role: {
    readonly cluster_permissions: string[];
    readonly index_permissions: Array<{ readonly index_patterns: string[]; readonly allowed_actions: string[] }>;
  };
  readonly auth: SecurityApiAuth;
  readonly masterUserSecretArn?: string;
}
