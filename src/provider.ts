import { CfnResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { MlCommonsFunction } from './handler/ml-commons-function';

/**
 * The construct ID of the provider in its stack. Part of the public contract: the
 * function's logical ID derives from it, and CloudFormation refuses to change the
 * ServiceToken of an existing custom resource.
 */
export const PROVIDER_ID = 'OpenSearchMlProvider';

/** How long the handler may run. Retries and waits are bounded by what is left of it. */
export const HANDLER_TIMEOUT = Duration.minutes(5);

/**
 * How long CloudFormation waits for an answer. Longer than the handler's timeout, so
 * the handler's own answer (success or a clear failure) always arrives first; far
 * below the default hour, so that nothing a handler could not answer blocks a stack for long.
 */
export const SERVICE_TIMEOUT = Duration.minutes(6);

/**
 * The deploy-time side of every ML resource in a stack: one Lambda function that
 * signs and sends the ml-commons API calls, its role and its log group. Shared by all
 * connectors of the stack, so its cost does not grow with their number.
 */
export class MlCommonsProvider extends Construct {
  /** The stack's provider, created on first use. */
  public static of(scope: IConstruct): MlCommonsProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing === undefined) {
      return new MlCommonsProvider(stack, PROVIDER_ID);
    }
    if (!(existing instanceof MlCommonsProvider)) {
      throw new Error(`${stack.node.path}/${PROVIDER_ID} is not an ML Commons provider: that construct ID is reserved by cdk-opensearch-ml.`);
    }
    return existing;
  }

  /** The function ARN custom resources use as ServiceToken. */
  public readonly serviceToken: string;

  /** The role the handler runs with: the identity OpenSearch sees. */
  public readonly role: iam.Role;

  /** The handler function. */
  public readonly handler: lambda.Function;

  /** The grants that connectors add: PassRole on their roles, HTTP access to their domains. */
  public readonly grants: iam.Policy;

  private passRoleStatement?: iam.PolicyStatement;
  private domainStatement?: iam.PolicyStatement;
  private readonly passedRoles = new Set<string>();
  private readonly domains = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
    });

    // No managed policy (AWSLambdaBasicExecutionRole would grant logs on every log group):
    // the role may write to its own log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the cdk-opensearch-ml provider, which calls the ML Commons API of OpenSearch domains during deployments',
      inlinePolicies: {
        Logs: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [logGroup.logGroupArn],
          })],
        }),
      },
    });

    this.grants = new iam.Policy(this, 'Grants', { roles: [this.role] });
    suppressNag(this.grants, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The ML Commons API addresses connectors by IDs that OpenSearch generates at create time, so the grant covers the _plugins/_ml/ paths of each domain, and nothing else of it.',
      appliesTo: [{ regex: '/^Resource::.*\\/_plugins\\/_ml\\/\\*$/g' }],
    }]);

    this.handler = new MlCommonsFunction(this, 'Handler', {
      description: 'cdk-opensearch-ml: creates, updates and deletes ML Commons resources of OpenSearch domains for CloudFormation',
      role: this.role,
      logGroup,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: HANDLER_TIMEOUT,
      environment: {
        // Named in error messages: the identity to map to ml_full_access on a domain with fine-grained access control.
        PROVIDER_ROLE_ARN: this.role.roleArn,
      },
    });
    // CloudFormation invokes the function asynchronously. A retry of a create that crashed
    // could create a second connector, and an event that waited in the queue longer than
    // CloudFormation waits for it would create one nobody owns: neither may happen.
    this.handler.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: SERVICE_TIMEOUT.minus(HANDLER_TIMEOUT),
    });
    this.serviceToken = this.handler.functionArn;
  }

  /** Lets the handler pass `role` to OpenSearch (the connector's credential). */
  public grantPassRole(role: iam.IRole): void {
    const arn = role.roleArn;
    if (this.passedRoles.has(arn)) return;
    this.passedRoles.add(arn);
    if (this.passRoleStatement) {
      this.passRoleStatement.addResources(arn);
    } else {
      this.passRoleStatement = new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [arn] });
      this.grants.addStatements(this.passRoleStatement);
    }
  }

  /** Lets the handler call the ML Commons API of the domain `domainArn`, and nothing else of it. */
  public grantMlApi(domainArn: string): void {
    if (this.domains.has(domainArn)) return;
    this.domains.add(domainArn);
    const resource = `${domainArn}/_plugins/_ml/*`;
    if (this.domainStatement) {
      this.domainStatement.addResources(resource);
    } else {
      this.domainStatement = new iam.PolicyStatement({
        actions: ['es:ESHttpGet', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete'],
        resources: [resource],
      });
      this.grants.addStatements(this.domainStatement);
    }
  }
}

interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly appliesTo?: Array<string | { regex: string }>;
}

/**
 * Records a cdk-nag suppression in the resource's template metadata, where cdk-nag looks
 * for it, without making cdk-nag a dependency of this library.
 */
export function suppressNag(construct: IConstruct, suppressions: NagSuppression[]): void {
  const resource = construct.node.defaultChild as CfnResource | undefined;
  if (!resource || !CfnResource.isCfnResource(resource)) return;
  const existing = resource.getMetadata('cdk_nag') as { rules_to_suppress?: NagSuppression[] } | undefined;
  resource.addMetadata('cdk_nag', {
    rules_to_suppress: [...(existing?.rules_to_suppress ?? []), ...suppressions.map((s) => ({
      id: s.id,
      reason: s.reason,
      applies_to: s.appliesTo,
    }))],
  });
}

/** True if `value` is a literal (not a token). */
export function isLiteral(value: string): boolean {
  return !Token.isUnresolved(value);
}
