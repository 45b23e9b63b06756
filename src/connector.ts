import { Arn, ArnFormat, CustomResource, IResource, Resource, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { FineGrainedAccess, detectFineGrainedAccess, roleMappingFor } from './access';
import { ConnectorBlueprint, ConnectorAction } from './blueprint';
import { ConnectorClientConfig } from './client-config';
import { clientConfigBody } from './client-config-body';
import { CONNECTOR_RESOURCE_TYPE, CONTRACT_VERSION, ConnectorActionBody, ConnectorBody, ConnectorResourceProperties } from './contract';
import { EngineVersionNumber, atLeast, engineOf, formatVersion } from './engine-version';
import { MlValidationError, quote } from './errors';
import { networkPlacement } from './network';
import { MlCommonsProvider, SERVICE_TIMEOUT, suppressNag } from './provider';
import { DEFAULT_TRUSTED_ENDPOINTS } from './trusted-endpoints';
import { typedValuePointers } from './typed-values';
import { validateActions, validateName, validateRegexes } from './validation';

/** Remote connectors need ML Commons 2.9 on Amazon OpenSearch Service. */
const MIN_ENGINE_VERSION: EngineVersionNumber = [2, 9];

/**
 * An ML Commons connector: how an OpenSearch domain reaches a model.
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
export interface MlConnectorProps {
  /** The OpenSearch Service domain that calls the model: an L2 `Domain` or an imported one. */
  readonly domain: opensearch.IDomain;

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

  /**
   * Fine-grained access control of the domain: whether and how the provider's role is
   * mapped to `ml_full_access` before connectors are created.
   *
   * @default - for an L2 `Domain`, read from its settings: none without fine-grained access
   * control; its generated master user secret; the provider role when it is the domain's
   * IAM master user; otherwise manual, with a warning. For an imported domain: disabled.
   */
  readonly fineGrainedAccess?: FineGrainedAccess;

  /**
   * The VPC from which the provider reaches a domain in a VPC. Needed for an imported
   * domain in a VPC; for an L2 `Domain` in a VPC, the domain's own subnets and security
   * groups are used unless this is given.
   *
   * @default - the domain's own VPC placement for an L2 domain; none (a public endpoint) for an imported one
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of `vpc` the provider runs in: they must reach the domain on port 443.
   *
   * @default - the private subnets of `vpc`
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the provider in `vpc`; the domain must accept them on port 443.
   *
   * @default - a security group is created (and, for an L2 domain, let into the domain on 443)
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * An ML Commons connector from an Amazon OpenSearch Service domain to a model on an AWS service,
 * created, updated and deleted with the stack.
 *
 * It creates the role OpenSearch assumes to call the model (trusted for this domain
 * only, allowed to invoke exactly the blueprint's resources) and, once per stack, the
 * provider that calls the ML Commons API during deployments.
 *
 * @resource Custom::OpenSearchMlConnector
 */
export class MlConnector extends Resource implements IMlConnector {
  /**
   * Refers to a connector that exists already, by its ID.
   */
  public static fromConnectorId(scope: Construct, id: string, connectorId: string): IMlConnector {
    class Import extends Resource implements IMlConnector {
      public readonly connectorId = connectorId;
    }
    return new Import(scope, id);
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

    const domain = props.domain;
    const engineVersion = checkEngineVersion(this, domain);
    const target = domainTarget(domain);

    const trustedEndpoints = props.trustedEndpoints ?? DEFAULT_TRUSTED_ENDPOINTS;
    if (trustedEndpoints.length === 0) {
      throw new MlValidationError(this, 'trustedEndpoints must list at least one pattern (leave it out for ml-commons\' defaults); received [].');
    }
    validateRegexes(this, 'trustedEndpoints', trustedEndpoints);

    const config = props.blueprint.bind(this, {
      domainRegion: target.region,
      engineVersion: engineVersion ? formatVersion(engineVersion) : undefined,
    });
    const parameters = { region: config.region, service_name: config.serviceName, ...config.parameters };
    validateActions(this, config.actions, { parameters, trustedEndpoints });

    this.connectorName = props.name ?? config.defaultName;
    validateName(this, 'name', this.connectorName);
    if (props.description !== undefined && !Token.isUnresolved(props.description) && props.description.trim().length === 0) {
      throw new MlValidationError(this, `description must not be empty (leave it out for the blueprint's description); received ${quote(props.description)}.`);
    }
    checkRoleAccount(this, props.role, target.account);

    this.role = props.role ?? new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('opensearchservice.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': target.account },
        ArnLike: { 'aws:SourceArn': domain.domainArn },
      }),
      description: `Assumed by Amazon OpenSearch Service to call the model of ML connector ${this.node.path}`,
      inlinePolicies: { Invoke: new iam.PolicyDocument({ statements: config.policyStatements }) },
    });
    if (props.role) {
      config.policyStatements.forEach((statement) => props.role!.addToPrincipalPolicy(statement));
    } else if (config.wildcardReason) {
      suppressNag(this.role, [{ id: 'AwsSolutions-IAM5', reason: config.wildcardReason }]);
    }

    const provider = MlCommonsProvider.of(this);
    provider.grantPassRole(this.role);
    provider.grantMlApi(domain.domainArn);
    const serviceToken = provider.serviceToken(networkPlacement(this, domain, props, provider));
    const access = props.fineGrainedAccess ?? detectFineGrainedAccess(this, domain, () => provider.role.roleArn);
    const mapping = roleMappingFor(this, provider, access, { domain, endpoint: domain.domainEndpoint, region: target.region, serviceToken });

    const body: ConnectorBody = {
      name: this.connectorName,
      description: props.description ?? config.defaultDescription,
      version: '1',
      protocol: 'aws_sigv4',
      parameters,
      credential: {
        roleArn: this.role.roleArn,
        ...(config.externalAccountRoleArn ? { externalAccountRoleArn: config.externalAccountRoleArn } : {}),
      },
      actions: config.actions.map(toActionBody),
      ...(props.clientConfig ? { client_config: clientConfigBody(this, props.clientConfig, engineVersion) } : {}),
    };
    const typedValues = typedValuePointers(body);
    const properties: ConnectorResourceProperties = {
      contractVersion: CONTRACT_VERSION,
      endpoint: domain.domainEndpoint,
      region: target.region,
      signingService: 'es',
      connector: body,
      ...(typedValues.length > 0 ? { typedValues } : {}),
      creationToken: this.node.addr,
    };

    const resource = new CustomResource(this, 'Resource', {
      serviceToken,
      resourceType: CONNECTOR_RESOURCE_TYPE,
      properties: { ...properties },
      serviceTimeout: SERVICE_TIMEOUT,
    });
    // The provider must be allowed to pass the role and call the domain before it creates the connector.
    resource.node.addDependency(provider.grants);
    if (mapping) resource.node.addDependency(mapping);
    this.connectorId = resource.ref;
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

interface DomainTarget {
  readonly account: string;
  readonly region: string;
}

/** The domain's account and region: from its ARN when that is known, otherwise from its stack. */
function domainTarget(domain: opensearch.IDomain): DomainTarget {
  if (!Token.isUnresolved(domain.domainArn)) {
    const arn = Arn.split(domain.domainArn, ArnFormat.SLASH_RESOURCE_NAME);
    if (arn.account && arn.region) {
      return { account: arn.account, region: arn.region };
    }
  }
  return { account: domain.env.account ?? Stack.of(domain).account, region: domain.env.region ?? Stack.of(domain).region };
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
      `role must be a role of the domain's account (${account}), which OpenSearch may be passed; received ${quote(role.roleArn)}. ` +
      'For a model in another account, give that account\'s role as the blueprint\'s externalAccountRoleArn.');
  }
}

/**
 * Rejects an L2 domain older than OpenSearch 2.9 (or an Elasticsearch one), and returns
 * its version. Imported domains carry no version: the handler reports it if ML Commons is missing.
 */
function checkEngineVersion(scope: Construct, domain: opensearch.IDomain): EngineVersionNumber | undefined {
  const engine = engineOf(domain);
  if (!engine) return undefined;
  if (engine.kind !== 'OpenSearch' || !atLeast(engine.version, MIN_ENGINE_VERSION)) {
    throw new MlValidationError(scope,
      `domain runs ${quote(engine.label)}, but ML Commons connectors need OpenSearch ${formatVersion(MIN_ENGINE_VERSION)} or later. Upgrade the domain (version: EngineVersion.OPENSEARCH_2_19, for example).`);
  }
  return engine.version;
}
