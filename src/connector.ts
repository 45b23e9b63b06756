import { Annotations, Arn, ArnFormat, IResource, Resource, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { ConnectorBlueprint } from './blueprint';
import { credentialOf } from './blueprints/api-key';
import type { ConnectorAction, ConnectorBlueprintConfig, EmbeddingModelInfo, GenerativeQaModelInfo } from './blueprints/types';
import { ConnectorClientConfig } from './client-config';
import { clientConfigBody } from './client-config-body';
import { CONNECTOR_RESOURCE_TYPE, ConnectorActionBody, ConnectorBody, ConnectorResourceProperties } from './contract';
import { createMlResource } from './custom-resource';
import { MlValidationError, quote } from './errors';
import { CONNECTOR, IMPORTED_CONNECTOR, isMarked, mark } from './markers';
import { suppressNag } from './nag';
import { MlCommonsProvider } from './provider';
import { ConnectorRegistration, MlTargetOptions, TargetBinding, TargetLocation, bindTarget, locateTarget } from './target';
import { DEFAULT_TRUSTED_ENDPOINTS } from './trusted-endpoints';
import { typedValuePointers } from './typed-values';
import { validateActions, validateMlText, validateName, validateRegexes } from './validation';

/**
 * An ML Commons connector: how an OpenSearch domain or serverless collection reaches a model.
 */
export interface IMlConnector extends IResource {
  /**
   * The connector ID that OpenSearch generated, for model registration.
   *
   * @attribute
   */
  readonly connectorId: string;
}

/**
 * Properties of an `MlConnector`.
 */
export interface MlConnectorProps extends MlTargetOptions {
  /** The model the connector calls: decides the connector body and the connector role's permissions. */
  readonly blueprint: ConnectorBlueprint;

  /**
   * The connector's name in OpenSearch.
   *
   * @default - the blueprint's name, for example 'sagemaker: my-endpoint'
   */
  readonly name?: string;

  /**
   * The connector's description in OpenSearch.
   *
   * @default - the blueprint's description
   */
  readonly description?: string;

  /**
   * The role OpenSearch assumes to call the model. A given role gets the blueprint's
   * invoke permissions added when it is mutable; it must trust the OpenSearch service.
   *
   * @default - a role is created, trusted by opensearchservice.amazonaws.com for this domain only
   * (ml.opensearchservice.amazonaws.com for this collection only)
   */
  readonly role?: iam.IRole;

  /**
   * The domain's trusted connector endpoint patterns (`plugins.ml_commons.trusted_connector_endpoints_regex`),
   * used to reject, at synth time, action URLs the domain would refuse.
   *
   * @default - ml-commons' default patterns
   */
  readonly trustedEndpoints?: string[];

  /**
   * Settings of the HTTP client OpenSearch uses to call the model: connections, timeouts
   * and retries (`client_config`; OpenSearch 2.13+, retries 2.15+).
   *
   * @default - ml-commons' defaults
   */
  readonly clientConfig?: ConnectorClientConfig;
}

/**
 * Attributes of a connector that exists already, for `MlConnector.fromConnectorAttributes()`.
 */
export interface MlConnectorAttributes extends MlTargetOptions {
  /** The connector's ID. */
  readonly connectorId: string;
}

/**
 * An ML Commons connector from an Amazon OpenSearch Service domain (or an Amazon OpenSearch
 * Serverless collection) to a model on an AWS service, created, updated and deleted with the stack.
 *
 * It creates the role OpenSearch assumes to call the model (trusted for this domain or
 * collection only, allowed to invoke exactly the blueprint's resources) and, once per stack, the
 * provider that calls the ML Commons API during deployments.
 *
 * @resource Custom::OpenSearchMlConnector
 */
export class MlConnector extends Resource implements IMlConnector {
  /**
   * Whether `x` is an `MlConnector` of this app (made by whichever copy of this library the app loaded).
   *
   * @param x any object
   */
  public static isMlConnector(x: any): x is MlConnector {
    return isMarked(x, CONNECTOR);
  }

  /**
   * Refers to a connector that exists already, on a domain or collection this stack can reach,
   * so that models (`MlModel`) can be registered on it. Creates nothing: a model on it gets the
   * provider the same grants, placement and role mapping as a model on a connector the stack creates.
   */
  public static fromConnectorAttributes(scope: Construct, id: string, attrs: MlConnectorAttributes): IMlConnector {
    return new ImportedConnector(scope, id, attrs);
  }

  /**
   * The role the stack's provider runs with: the identity OpenSearch sees when connectors
   * are created. Make it the domain's IAM master user (`fineGrainedAccessControl: { masterUserArn:
   * MlConnector.providerRole(this).roleArn }`) to let the provider map itself to ml_full_access.
   */
  public static providerRole(scope: Construct): iam.IRole {
    return MlCommonsProvider.of(scope).role;
  }

  /**
   * @internal What a resource in `scope` on `connector` needs: where the connector is and how the
   * provider reaches it (bound in `scope` for an imported connector), and the blueprint's
   * embedding facts. Undefined for a connector that is not one of this library's.
   */
  public static _registrationOf(connector: IConstruct, scope: IConstruct): ConnectorRegistration | undefined {
    if (MlConnector.isMlConnector(connector)) {
      return {
        binding: connector._binding,
        embedding: connector._embedding,
        probe: connector._probe,
        generativeQa: connector._generativeQa,
        blueprint: connector._blueprint,
      };
    }
    if (isMarked(connector, IMPORTED_CONNECTOR)) return { binding: bindTarget(scope, (connector as ImportedConnector).attributes) };
    return undefined;
  }

  public readonly connectorId: string;

  /** The role OpenSearch assumes to call the model. */
  public readonly role: iam.IRole;

  /** The connector's name in OpenSearch. */
  public readonly connectorName: string;

  /** @internal The connector's domain or collection, and how the provider reaches it: what its models use. */
  public readonly _binding: TargetBinding;

  /** @internal The blueprint's embedding dimension and probe, when it has them. */
  public readonly _embedding?: EmbeddingModelInfo;

  /** @internal How the RAG search processor calls the model, when the blueprint says. */
  public readonly _generativeQa?: GenerativeQaModelInfo;

  /** @internal What the blueprint is, for messages: its default description. */
  public readonly _blueprint: string;

  /** @internal The blueprint's smoke-test input for a model that is not an embedding model (a chat model). */
  public readonly _probe?: { [key: string]: any };

  constructor(scope: Construct, id: string, props: MlConnectorProps) {
    super(scope, id);
    mark(this, CONNECTOR);
    const location = locateTarget(this, props);
    const config = bindBlueprint(this, props, location);
    this.connectorName = props.name ?? config.defaultName;
    validateName(this, 'name', this.connectorName);
    if (props.description !== undefined && !Token.isUnresolved(props.description) && props.description.trim().length === 0) {
      throw new MlValidationError(this, `description must not be empty (leave it out for the blueprint's description); received ${quote(props.description)}.`);
    }
    validateMlText(this, 'description', props.description ?? config.defaultDescription);
    checkRoleAccount(this, props.role, location.account);
    const provider = MlCommonsProvider.of(this);
    this.role = connectorRole(this, props.role, config, location, provider.connectorRolePath);
    // A role of the user's is named; the stack's own are all passed by one statement, whatever their number.
    if (props.role) provider.grantPassRole(this.role);
    else provider.grantPassConnectorRoles();
    this._binding = bindTarget(this, props, location);
    this._embedding = config.embedding;
    this._generativeQa = config.generativeQa;
    this._blueprint = config.defaultDescription;
    this._probe = config.probeParameters;

    const body: ConnectorBody = {
      name: this.connectorName,
      description: props.description ?? config.defaultDescription,
      version: '1',
      ...credentialOf(this, config, this.role.roleArn),
      actions: config.actions.map(toActionBody),
      ...(props.clientConfig ? { client_config: clientConfigBody(this, props.clientConfig, location.engineVersion) } : {}),
    };
    const typedValues = typedValuePointers(body);
    const resource = createMlResource<ConnectorResourceProperties>(this, 'Resource', CONNECTOR_RESOURCE_TYPE, this._binding, {
      connector: body,
      ...(typedValues.length > 0 ? { typedValues } : {}),
      creationToken: this.node.addr,
    });
    this.connectorId = resource.ref;
  }
}

/**
 * Checks the trusted endpoints, binds the blueprint to the target and checks the body it
 * decides, all before anything is created.
 */
function bindBlueprint(scope: Construct, props: MlConnectorProps, location: TargetLocation): ConnectorBlueprintConfig {
  const trustedEndpoints = props.trustedEndpoints ?? DEFAULT_TRUSTED_ENDPOINTS;
  if (trustedEndpoints.length === 0) {
    throw new MlValidationError(scope, 'trustedEndpoints must list at least one pattern (leave it out for ml-commons\' defaults); received [].');
  }
  validateRegexes(scope, 'trustedEndpoints', trustedEndpoints);
  const config = props.blueprint._bindTo(scope, { domainRegion: location.region, engineVersion: location.engineVersion });
  // Everything but the role is known now: check the body before creating anything.
  const { parameters } = credentialOf(scope, config, '');
  validateActions(scope, config.actions, { parameters, trustedEndpoints, engineVersion: location.engineVersion });
  if (location.collection) warnUnsupportedOnServerless(scope, config.actions);
  return config;
}

/**
 * The role OpenSearch assumes to call the model: the given one, with the blueprint's statements
 * added when it is mutable, or one trusted by the domain's (or collection's) service principal
 * for that domain only.
 */
function connectorRole(
  scope: Construct, given: iam.IRole | undefined, config: ConnectorBlueprintConfig, location: TargetLocation, path: string,
): iam.IRole {
  if (given) {
    config.policyStatements.forEach((statement) => given.addToPrincipalPolicy(statement));
    return given;
  }
  // OpenSearch Serverless assumes connector roles as ml.opensearchservice.amazonaws.com.
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal(location.domain ? 'opensearchservice.amazonaws.com' : 'ml.opensearchservice.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': location.account },
      ArnLike: { 'aws:SourceArn': location.arn },
    }),
    description: `Assumed by Amazon OpenSearch ${location.domain ? 'Service' : 'Serverless'} to call the model of ML connector ${scope.node.path}`,
    // The provider may pass the roles under this path (MlCommonsProvider.grantPassConnectorRoles).
    path,
    inlinePolicies: { Invoke: new iam.PolicyDocument({ statements: config.policyStatements }) },
  });
  if (config.wildcardReason) {
    suppressNag(role, [{ id: 'AwsSolutions-IAM5', reason: config.wildcardReason }]);
  }
  return role;
}

function toActionBody(action: ConnectorAction): ConnectorActionBody {
  return {
    action_type: action.actionType,
    method: (action.method ?? 'POST').toUpperCase(),
    ...(action.supportsStructuredOutput !== undefined ? { supports_structured_output: action.supportsStructuredOutput } : {}),
    url: action.url,
    ...(action.headers ? { headers: action.headers } : {}),
    ...(action.requestBody !== undefined ? { request_body: action.requestBody } : {}),
    ...(action.preProcessFunction !== undefined ? { pre_process_function: action.preProcessFunction } : {}),
    ...(action.postProcessFunction !== undefined ? { post_process_function: action.postProcessFunction } : {}),
  };
}

/** Action types whose APIs OpenSearch Serverless does not offer ("Unsupported Machine Learning APIs and features"). */
const UNSUPPORTED_ON_SERVERLESS = ['batch_predict', 'cancel_batch_predict', 'batch_predict_status'];

function warnUnsupportedOnServerless(scope: Construct, actions: readonly ConnectorAction[]): void {
  const unsupported = actions.map((a) => a.actionType).filter((t) => !Token.isUnresolved(t) && UNSUPPORTED_ON_SERVERLESS.includes(t.toLowerCase()));
  if (unsupported.length > 0) {
    Annotations.of(scope).addWarningV2('cdk-opensearch-ml:batchPredictOnServerless',
      `The connector has ${unsupported.join(', ')} actions, but OpenSearch Serverless does not support the Batch Predict API: those actions cannot be used on a collection.`);
  }
}

/** A connector made elsewhere: its ID, and where it is, for the models that sit on it. */
class ImportedConnector extends Resource implements IMlConnector {
  public readonly connectorId: string;

  constructor(scope: Construct, id: string, public readonly attributes: MlConnectorAttributes) {
    super(scope, id);
    mark(this, IMPORTED_CONNECTOR);
    this.connectorId = attributes.connectorId;
  }
}

/**
 * A given role must be in the domain's account: iam:PassRole cannot pass a role of another
 * account, so OpenSearch could never use it (a model in another account is reached with
 * the blueprint's externalAccountRoleArn instead).
 */
function checkRoleAccount(scope: Construct, role: iam.IRole | undefined, account: string): void {
  if (!role || Token.isUnresolved(role.roleArn) || Token.isUnresolved(account)) return;
  const roleAccount = Arn.split(role.roleArn, ArnFormat.SLASH_RESOURCE_NAME).account;
  if (roleAccount && roleAccount !== account) {
    throw new MlValidationError(scope,
      `role must be a role of the domain's or collection's account (${account}), which OpenSearch may be passed; received ${quote(role.roleArn)}. ` +
      'For a model in another account, give that account\'s role as the blueprint\'s externalAccountRoleArn.');
  }
}
