import { createHash } from 'node:crypto';
import { ArnFormat, Aws, Duration, Fn, Names, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { MlCommonsFunction } from './handler/ml-commons-function';
import { PROVIDER, isMarked, mark } from './markers';
import { suppressNag } from './nag';

/**
 * The construct ID of the provider in its stack. Part of the public contract: the
 * function's logical ID derives from it, and CloudFormation refuses to change the
 * ServiceToken of an existing custom resource.
 */
export const PROVIDER_ID = 'OpenSearchMlProvider';

/** How long the handler may run. Retries and waits are bounded by what is left of it. */
export const HANDLER_TIMEOUT = Duration.minutes(5);

/** A worker in a VPC finishes before the relay that waits for it. */
const WORKER_TIMEOUT = HANDLER_TIMEOUT.minus(Duration.seconds(30));

/**
 * How long CloudFormation waits for an answer. Longer than the handler's timeout, so
 * the handler's own answer (success or a clear failure) always arrives first; far
 * below the default hour, so that nothing a handler could not answer blocks a stack for long.
 */
export const SERVICE_TIMEOUT = Duration.minutes(6);

/**
 * The names Amazon OpenSearch Service and OpenSearch Serverless go by as services that a role is
 * passed to (the `iam:PassedToService` condition key): `opensearchservice.amazonaws.com` and its
 * older name `es.amazonaws.com` for domains, `ml.opensearchservice.amazonaws.com` (the principal
 * that assumes connector roles of collections) and `aoss.amazonaws.com` for collections. The
 * OpenSearch documentation does not say which of them the connector API presents; all of them are
 * OpenSearch's own, so the grant stays with OpenSearch whichever it is.
 */
export const OPENSEARCH_SERVICE_PRINCIPALS = [
  'opensearchservice.amazonaws.com', 'es.amazonaws.com', 'ml.opensearchservice.amazonaws.com', 'aoss.amazonaws.com',
];

/** Where the provider's function runs to reach a domain in a VPC. */
export interface NetworkPlacement {
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
}

/**
 * The deploy-time side of every ML resource in a stack: one role, one log group, and one
 * handler function per network placement (public endpoints; each distinct set of VPC
 * subnets and security groups). Shared by all connectors of the stack, so its cost does not
 * grow with their number.
 */
export class MlCommonsProvider extends Construct {
  /** Whether `x` is a provider (made by whichever copy of this library the app loaded). */
  public static isMlCommonsProvider(x: unknown): x is MlCommonsProvider {
    return isMarked(x, PROVIDER);
  }

  /** The stack's provider, found by its construct ID, created on first use. */
  public static of(scope: IConstruct): MlCommonsProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing === undefined) {
      return new MlCommonsProvider(stack, PROVIDER_ID);
    }
    if (!MlCommonsProvider.isMlCommonsProvider(existing)) {
      throw new Error(`${stack.node.path}/${PROVIDER_ID} is not an ML Commons provider: that construct ID is reserved by cdk-opensearch-ml.`);
    }
    return existing;
  }

  /** The role every handler function of the stack runs with: the identity OpenSearch sees. */
  public readonly role: iam.Role;

  /** The grants that connectors add: PassRole on their roles, HTTP access to their domains. */
  public readonly grants: iam.Policy;

  private readonly logGroup: logs.LogGroup;
  private readonly serviceTokens = new Map<string, string>();
  private readonly securityGroups = new Map<string, ec2.ISecurityGroup>();
  private vpcAccess?: iam.Policy;
  /** one statement per list of actions (and conditions), whose resources grow as targets are added */
  private readonly statements = new Map<string, iam.PolicyStatement>();
  /** what the stack's resources share per domain or collection (its role mapping, its data access policy) */
  private readonly perTarget = new Map<string, unknown>();
  /** the role, as the grantee of statements that go to the `grants` policy */
  private readonly grantee: iam.IPrincipal;
  private stableRoleName?: string;

  /**
   * The IAM path of the connector roles that this stack's connectors create:
   * `/cdk-opensearch-ml/<provider's unique ID>/`. The provider may pass every role under it
   * with one statement, so that its Grants policy stays the same size however many connectors
   * the stack has (IAM allows 10,240 characters of inline policy per role).
   */
  public readonly connectorRolePath: string;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    mark(this, PROVIDER);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
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
            resources: [this.logGroup.logGroupArn],
          })],
        }),
      },
    });

    this.connectorRolePath = `/cdk-opensearch-ml/${Names.uniqueResourceName(this, { maxLength: 64 })}/`;
    this.grants = new iam.Policy(this, 'Grants', { roles: [this.role] });
    this.grantee = new GrantsPolicyPrincipal(this.role, this.grants, (statement) => this.allow(statement));
    suppressNag(this.grants, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The ML Commons API addresses connectors by IDs that OpenSearch generates at create time, so the grant covers the _plugins/_ml/ paths of each domain, and nothing else of it.',
      appliesTo: [{ regex: '/^Resource::.*\\/_plugins\\/_ml\\/\\*$/g' }],
    }, {
      id: 'AwsSolutions-IAM5',
      reason: 'iam:PassRole covers the connector roles this stack creates, all under one IAM path of their own, and only to OpenSearch (iam:PassedToService): one statement whatever the number of connectors, as IAM limits a role\'s inline policies to 10,240 characters.',
      appliesTo: [{ regex: '/^Resource::.*:role\\/cdk-opensearch-ml\\/.*\\/\\*$/g' }],
    }]);
  }

  /**
   * The ServiceToken for resources whose domain is reached from `placement` (undefined:
   * a public endpoint). The first request for a placement creates its function(s).
   */
  public serviceToken(placement?: NetworkPlacement): string {
    const key = placement ? JSON.stringify(Stack.of(this).resolve(placement)) : 'public';
    let token = this.serviceTokens.get(key);
    if (token === undefined) {
      token = placement ? this.vpcFunctions(placement, key) : configureAsync(this.handlerFunction('Handler')).functionArn;
      this.serviceTokens.set(key, token);
    }
    return token;
  }

  private handlerFunction(id: string, options: { timeout?: Duration; environment?: Record<string, string> } = {}): lambda.Function {
    const fn = new MlCommonsFunction(this, id, {
      description: 'cdk-opensearch-ml: creates, updates and deletes ML Commons resources of OpenSearch domains for CloudFormation',
      role: this.role,
      logGroup: this.logGroup,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: options.timeout ?? HANDLER_TIMEOUT,
      environment: {
        // Named in error messages: the identity to map to ml_full_access on a domain with fine-grained access control.
        PROVIDER_ROLE_ARN: this.role.roleArn,
        ...options.environment,
      },
    });
    return fn;
  }

  /**
   * A domain in a VPC: a worker function in the VPC does the work; a relay outside it is
   * the ServiceToken, so that answering CloudFormation (a PUT to Amazon S3) and reading
   * secrets need no route out of the VPC.
   */
  private vpcFunctions(placement: NetworkPlacement, key: string): string {
    const suffix = createHash('sha256').update(key).digest('hex').slice(0, 8).toUpperCase();
    const worker = this.handlerFunction(`Worker${suffix}`, { timeout: WORKER_TIMEOUT });
    (worker.node.defaultChild as lambda.CfnFunction).vpcConfig = {
      subnetIds: placement.subnetIds,
      securityGroupIds: placement.securityGroupIds,
    };
    // Lambda checks the role may manage network interfaces when it creates the function.
    worker.node.addDependency(this.vpcAccessPolicy());
    const relay = this.handlerFunction(`Relay${suffix}`, { environment: { ML_PROVIDER_WORKER: worker.functionName } });
    configureAsync(relay);
    this.grant(['lambda:InvokeFunction'], worker.functionArn);
    return relay.functionArn;
  }

  private vpcAccessPolicy(): iam.Policy {
    this.vpcAccess ??= new iam.Policy(this, 'VpcAccess', {
      roles: [this.role],
      statements: [new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: ['*'],
      })],
    });
    suppressNag(this.vpcAccess, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Lambda manages the network interfaces of a function in a VPC; these EC2 actions take no resource ARN (as in AWSLambdaVPCAccessExecutionRole).',
      appliesTo: ['Resource::*'],
    }]);
    return this.vpcAccess;
  }

  /** A security group for the provider's functions in `vpc`, one per VPC. */
  public securityGroupFor(vpc: ec2.IVpc): ec2.ISecurityGroup {
    const key = JSON.stringify(Stack.of(this).resolve(vpc.vpcId));
    let group = this.securityGroups.get(key);
    if (!group) {
      const id = `SecurityGroup${createHash('sha256').update(key).digest('hex').slice(0, 8).toUpperCase()}`;
      group = new ec2.SecurityGroup(this, id, { vpc, description: 'cdk-opensearch-ml provider: calls OpenSearch domains on port 443', allowAllOutbound: true });
      this.securityGroups.set(key, group);
    }
    return group;
  }

  /** Lets the handler pass `role`, a role given by the user, to OpenSearch (the connector's credential): a statement that names it. */
  public grantPassRole(role: iam.IRole): iam.Grant {
    return this.grant(['iam:PassRole'], role.roleArn);
  }

  /**
   * Lets the handler pass the connector roles this stack creates (those under
   * `connectorRolePath`) to OpenSearch, and to no other service: one statement for all of them.
   */
  public grantPassConnectorRoles(): iam.Grant {
    const stack = Stack.of(this);
    const roles = stack.formatArn({
      service: 'iam', region: '', resource: 'role', resourceName: `${this.connectorRolePath.slice(1)}*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    return this.grant(['iam:PassRole'], roles, { StringEquals: { 'iam:PassedToService': OPENSEARCH_SERVICE_PRINCIPALS } });
  }

  /**
   * Lets the handler call the ML Commons API of the domain `domainArn`, and read the
   * domain's version (GET /) to explain a missing ML Commons plugin; nothing else of it.
   */
  public grantMlApi(domainArn: string): iam.Grant {
    return this.grant(['es:ESHttpGet', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete'], `${domainArn}/_plugins/_ml/*`)
      .combine(this.grant(['es:ESHttpGet'], `${domainArn}/`));
  }

  /**
   * Lets the handler call the collection `collectionArn`. OpenSearch Serverless has one IAM action for
   * its whole data plane; what the caller may do is decided by the collection's data access policies.
   */
  public grantCollectionApi(collectionArn: string): iam.Grant {
    return this.grant(['aoss:APIAccessAll'], collectionArn);
  }

  /**
   * Lets the handler send exactly `methods` (GET, PUT, DELETE) to exactly these paths of the domain
   * `domainArn` (`_ingest/pipeline/<name>`, `<index>/_mapping`): what pipelines and indexes need.
   */
  public grantDomainPaths(domainArn: string, methods: string[], paths: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee: this.grantee, actions: methods.map((m) => `es:ESHttp${m}`), resourceArns: paths.map((p) => `${domainArn}/${p}`) });
  }

  /** Lets the handler (as the domain's IAM master user) change one role mapping, and nothing else of the security API. */
  public grantSecurityApi(domainArn: string, role: string): iam.Grant {
    return this.grant(['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPatch', 'es:ESHttpDelete'], `${domainArn}/_plugins/_security/api/rolesmapping/${role}`);
  }

  /**
   * Lets the handler list the resources of its own stack: when a connector changes while
   * models use it, the stack's own models are undeployed and deployed again, and no others.
   */
  public grantListOwnStack(): iam.Grant {
    return this.grant(['cloudformation:ListStackResources'], Aws.STACK_ID);
  }

  /**
   * What the stack's resources share for one domain or collection (`key`): made by `create` for
   * the first of them, returned as it is to the others. Kept here, on the provider that every copy
   * of the library finds by its construct ID, rather than in module state.
   */
  public perTargetState<T>(key: string, create: () => T): T {
    if (!this.perTarget.has(key)) this.perTarget.set(key, create());
    return this.perTarget.get(key) as T;
  }

  /** Allows `actions` on `resource` (under `conditions`) in the `grants` policy, as an `iam.Grant` that resources can depend on. */
  private grant(actions: string[], resource: string, conditions?: Record<string, Record<string, unknown>>): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee: this.grantee, actions, resourceArns: [resource], conditions });
  }

  /** Adds the statement's resources to the one that allows exactly its actions under its conditions, creating that on first use. */
  private allow(added: iam.PolicyStatement): void {
    const conditions = added.conditions as Record<string, unknown>;
    const key = `${added.actions.join(' ')} ${JSON.stringify(Stack.of(this).resolve(conditions))}`;
    const statement = this.statements.get(key);
    if (!statement) {
      const created = new iam.PolicyStatement({ actions: added.actions, resources: added.resources, conditions });
      this.statements.set(key, created);
      this.grants.addStatements(created);
      return;
    }
    const missing = added.resources.filter((r) => !statement.resources.includes(r));
    if (missing.length > 0) statement.addResources(...missing);
  }

  /**
   * Gives the role a name that stays the same across deployments (and stack re-creations),
   * for when it is named outside the stack: as a backend role mapped by hand, or as an
   * imported domain's master user. Returns the ARN as it will be, for messages.
   */
  public useStableRoleName(): string {
    if (this.stableRoleName === undefined) {
      const stack = Stack.of(this);
      const base = Names.uniqueResourceName(this.role, { maxLength: 48 });
      // IAM is global: the region keeps two deployments of the stack apart.
      const name = Token.isUnresolved(stack.region) ? Fn.join('-', [base, Aws.REGION]) : `${base}-${stack.region}`;
      (this.role.node.defaultChild as iam.CfnRole).roleName = name;
      this.stableRoleName = `arn:${Token.isUnresolved(stack.partition) ? 'aws' : stack.partition}:iam::` +
        `${Token.isUnresolved(stack.account) ? '<account>' : stack.account}:role/${base}-${Token.isUnresolved(stack.region) ? '<region>' : stack.region}`;
    }
    return this.stableRoleName;
  }
}

/**
 * The provider role as the principal of grants whose statements go to the provider's `Grants`
 * policy, one statement per list of actions (so that the policy does not grow with every
 * resource), and whose `iam.Grant` depends on that policy.
 */
class GrantsPolicyPrincipal implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;

  constructor(
    private readonly role: iam.Role,
    private readonly policy: iam.Policy,
    private readonly add: (statement: iam.PolicyStatement) => void,
  ) {}

  public get assumeRoleAction(): string {
    return this.role.assumeRoleAction;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  public get principalAccount(): string | undefined {
    return this.role.principalAccount;
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.add(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}

/** CloudFormation invokes ServiceToken functions asynchronously. */
function configureAsync(fn: lambda.Function): lambda.Function {
  // A retry of a create that crashed could create a second connector, and an event that
  // waited in the queue longer than CloudFormation waits for it would create one nobody
  // owns: neither may happen.
  fn.configureAsyncInvoke({
    retryAttempts: 0,
    maxEventAge: SERVICE_TIMEOUT.minus(HANDLER_TIMEOUT),
  });
  return fn;
}
