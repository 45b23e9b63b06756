import { Annotations, Arn, ArnFormat, CustomResource, IResource, Resource, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ConnectorBlueprint, ConnectorAction } from './blueprint';
import { credentialOf } from './blueprints/api-key';
import { ConnectorClientConfig } from './client-config';
import { clientConfigBody } from './client-config-body';
import { CONNECTOR_RESOURCE_TYPE, CONTRACT_VERSION, ConnectorActionBody, ConnectorBody, ConnectorResourceProperties } from './contract';
import { formatVersion } from './engine-version';
import { MlValidationError, quote } from './errors';
import { MlCommonsProvider, SERVICE_TIMEOUT, suppressNag } from './provider';
import { registerConnector } from './registry';
import { MlTargetOptions, bindTarget, locateTarget } from './target';
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
   * Refers to a connector that exists already, by its ID.
   */
  public static fromConnectorId(scope: Construct, id: string, connectorId: string): IMlConnector {
    return new ImportedConnector(scope, id, connectorId);
  }

  /**
   * Refers to a connector that exists already, on a domain this stack can reach: models
   * (`MlModel`) can then be registered on it. The provider gets the same grants, placement
   * and role mapping as for a connector the stack creates.
   */
  public static fromConnectorAttributes(scope: Construct, id: string, attrs: MlConnectorAttributes): IMlConnector {
    const connector = new ImportedConnector(scope, id, attrs.connectorId);
    registerConnector(connector, { binding: bindTarget(connector, attrs) });
    return connector;
  }

  /**
   * The role the stack's provider runs with: the identity OpenSearch sees when connectors
   * are created. Make it the domain's IAM master user (`fineGrainedAccessControl: { masterUserArn:
   * MlConnector.providerRole(this).roleArn }`) to let the provider map itself to ml_full_access.
   */
  public static providerRole(scope: Construct): iam.IRole {
    return MlCommonsProvider.of(scope).role;
  }

  public readonly connectorId: string;

  /** The role OpenSearch assumes to call the model. */
  public readonly role: iam.IRole;

  /** The connector's name in OpenSearch. */
  public readonly connectorName: string;

  constructor(scope: Construct, id: string, props: MlConnectorProps) {
    super(scope, id);

    const location = locateTarget(this, props);
    const engineVersion = location.engineVersion;

    const trustedEndpoints = props.trustedEndpoints ?? DEFAULT_TRUSTED_ENDPOINTS;
    if (trustedEndpoints.length === 0) {
      throw new MlValidationError(this, 'trustedEndpoints must list at least one pattern (leave it out for ml-commons\' defaults); received [].');
    }
    validateRegexes(this, 'trustedEndpoints', trustedEndpoints);

    const config = props.blueprint.bind(this, {
      domainRegion: location.region,
      engineVersion: engineVersion ? formatVersion(engineVersion) : undefined,
    });
    // Everything but the role is known now: check the body before creating anything.
    const { parameters } = credentialOf(this, config, '');
    validateActions(this, config.actions, { parameters, trustedEndpoints });
    if (location.collection) warnUnsupportedOnServerless(this, config.actions);

    this.connectorName = props.name ?? config.defaultName;
    validateName(this, 'name', this.connectorName);
    if (props.description !== undefined && !Token.isUnresolved(props.description) && props.description.trim().length === 0) {
      throw new MlValidationError(this, `description must not be empty (leave it out for the blueprint's description); received ${quote(props.description)}.`);
    }
    validateMlText(this, 'description', props.description ?? config.defaultDescription);
    checkRoleAccount(this, props.role, location.account);

    // OpenSearch Serverless assumes connector roles as ml.opensearchservice.amazonaws.com.
    this.role = props.role ?? new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal(location.domain ? 'opensearchservice.amazonaws.com' : 'ml.opensearchservice.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': location.account },
        ArnLike: { 'aws:SourceArn': location.arn },
      }),
      description: `Assumed by Amazon OpenSearch ${location.domain ? 'Service' : 'Serverless'} to call the model of ML connector ${this.node.path}`,
      inlinePolicies: { Invoke: new iam.PolicyDocument({ statements: config.policyStatements }) },
    });
    if (props.role) {
      config.policyStatements.forEach((statement) => props.role!.addToPrincipalPolicy(statement));
    } else if (config.wildcardReason) {
      suppressNag(this.role, [{ id: 'AwsSolutions-IAM5', reason: config.wildcardReason }]);
    }

    MlCommonsProvider.of(this).grantPassRole(this.role);
    const binding = bindTarget(this, props, location);

    const body: ConnectorBody = {
      name: this.connectorName,
      description: props.description ?? config.defaultDescription,
      version: '1',
      ...credentialOf(this, config, this.role.roleArn),
      actions: config.actions.map(toActionBody),
      ...(props.clientConfig ? { client_config: clientConfigBody(this, props.clientConfig, engineVersion) } : {}),
    };
    const typedValues = typedValuePointers(body);
    const properties: ConnectorResourceProperties = {
      contractVersion: CONTRACT_VERSION,
      ...binding.target,
      connector: body,
      ...(typedValues.length > 0 ? { typedValues } : {}),
      creationToken: this.node.addr,
    };

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: binding.serviceToken,
      resourceType: CONNECTOR_RESOURCE_TYPE,
      properties: { ...properties },
      serviceTimeout: SERVICE_TIMEOUT,
    });
    // The provider must be allowed to pass the role and call the domain before it creates the connector.
    resource.node.addDependency(...binding.dependencies);
    this.connectorId = resource.ref;
    registerConnector(this, { binding, embedding: config.embedding });
  }
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

class ImportedConnector extends Resource implements IMlConnector {
  constructor(scope: Construct, id: string, public readonly connectorId: string) {
    super(scope, id);
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
