import { Annotations, CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Dependable, IConstruct, IDependable } from 'constructs';

/**
 * How the provider gets the permissions of the `ml_full_access` role on a domain with
 * fine-grained access control: the identity that creates connectors must be mapped to it.
 */
export enum FineGrainedAccessMode {
  /** the domain has no fine-grained access control: nothing to map */
  DISABLED = 'disabled',
  /** map with the domain's master user, whose credentials are read from Secrets Manager at deploy time */
  MASTER_USER_SECRET = 'masterUserSecret',
  /** the provider role is the domain's IAM master user: map with SigV4 */
  PROVIDER_IS_MASTER_USER = 'providerIsMasterUser',
  /** someone maps the provider role by hand; nothing is called */
  MANUAL = 'manual',
}

/**
 * Fine-grained access control of the domain, as far as connectors are concerned: whether
 * the provider's role must be mapped to `ml_full_access`, and how.
 *
 * The mapping is non-destructive: the provider role is added to the mapping with a JSON
 * Patch `add` and, on delete, only that entry is removed, and only if it was added by
 * this stack. Other users, backend roles and hosts of the mapping are never touched.
 */
export class FineGrainedAccess {
  /** The domain has no fine-grained access control. */
  public static disabled(): FineGrainedAccess {
    return new FineGrainedAccess(FineGrainedAccessMode.DISABLED);
  }

  /**
   * Map the provider role with the domain's master user of the internal user database.
   * The secret must hold JSON `{"username": ..., "password": ...}`; it is read at deploy
   * time by ARN and never appears in the template.
   */
  public static masterUserSecret(secret: secretsmanager.ISecret): FineGrainedAccess {
    return new FineGrainedAccess(FineGrainedAccessMode.MASTER_USER_SECRET, secret);
  }

  /**
   * The provider role is the domain's IAM master user (see `MlConnector.providerRole()`):
   * it maps itself, with SigV4. For an imported domain the role gets a stable name, so that
   * the domain can name it as its master user.
   */
  public static providerIsMasterUser(): FineGrainedAccess {
    return new FineGrainedAccess(FineGrainedAccessMode.PROVIDER_IS_MASTER_USER);
  }

  /**
   * Map the provider role by hand (a backend role of `ml_full_access`). The synth prints the
   * role's ARN, and the role gets a stable name so that the ARN stays valid.
   */
  public static manual(): FineGrainedAccess {
    return new FineGrainedAccess(FineGrainedAccessMode.MANUAL);
  }

  private constructor(
    /** how the provider is mapped */
    public readonly mode: FineGrainedAccessMode,
    /** the master user secret, for MASTER_USER_SECRET */
    public readonly secret?: secretsmanager.ISecret,
  ) {}
}

interface AdvancedSecurityOptions {
  readonly enabled?: boolean;
  readonly internalUserDatabaseEnabled?: boolean;
  readonly masterUserOptions?: { readonly masterUserArn?: string; readonly masterUserName?: string };
}

/**
 * What an L2 domain's own settings say: no fine-grained access control; its generated
 * master user secret; the provider role as its IAM master user; or, when nothing usable is
 * known, manual (with a warning saying why). Imported domains: disabled unless told.
 */
export function detectFineGrainedAccess(scope: IConstruct, domain: opensearch.IDomain, providerRoleArn: () => string): FineGrainedAccess {
  const options = securityOptionsOf(domain);
  if (!options?.enabled) return FineGrainedAccess.disabled();

  // The L2 Domain generates the master password into this secret when none is given.
  const generated = domain.node.tryFindChild('MasterUser');
  if (options.internalUserDatabaseEnabled && secretsmanager.Secret.isSecret(generated)) {
    return FineGrainedAccess.masterUserSecret(generated);
  }
  const masterUserArn = options.masterUserOptions?.masterUserArn;
  if (masterUserArn !== undefined && JSON.stringify(masterUserArn) === JSON.stringify(Stack.of(scope).resolve(providerRoleArn()))) {
    return FineGrainedAccess.providerIsMasterUser();
  }
  Annotations.of(scope).addWarningV2('cdk-opensearch-ml:fineGrainedAccessUnknownMaster',
    'The domain has fine-grained access control, but its master user is neither a generated secret nor the provider role, so the provider ' +
    'cannot map itself to ml_full_access. Pass fineGrainedAccess: FineGrainedAccess.masterUserSecret(secret) with the master user\'s secret, ' +
    'or map the provider role by hand (FineGrainedAccess.manual()).');
  return FineGrainedAccess.manual();
}

/** The fine-grained access control settings of an L2 domain; undefined for an imported one. */
export function securityOptionsOf(domain: opensearch.IDomain): AdvancedSecurityOptions | undefined {
  const cfn = domain.node.defaultChild;
  if (!cfn || !CfnResource.isCfnResource(cfn) || cfn.cfnResourceType !== 'AWS::OpenSearchService::Domain') return undefined;
  return (Stack.of(domain).resolve((cfn as opensearch.CfnDomain).advancedSecurityOptions) ?? {}) as AdvancedSecurityOptions;
}

/** The CloudFormation type of the custom resource with which an L2 `Domain` applies its access policy. */
const ACCESS_POLICY_RESOURCE_TYPE = 'Custom::OpenSearchAccessPolicy';

/** The resources of an L2 domain that apply its access policy, as the tree holds them now. */
function accessPolicyResources(domain: opensearch.IDomain): CfnResource[] {
  if (!CfnResource.isCfnResource(domain.node.defaultChild)) return [];
  return domain.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === ACCESS_POLICY_RESOURCE_TYPE);
}

/**
 * What a resource that sends requests to `domain` waits for besides the provider's grants: the
 * custom resource that applies an L2 domain's access policy (`accessPolicies`,
 * `addAccessPolicies()`, `useUnsignedBasicAuth`), which CloudFormation could otherwise run after
 * our resources. Read when the app is synthesized, so that a policy added after the connector counts.
 */
export function domainAccessPolicy(domain: opensearch.IDomain): IDependable {
  const dependable: IDependable = {};
  Dependable.implement(dependable, { get dependencyRoots() { return accessPolicyResources(domain); } });
  return dependable;
}

/** The security API calls of the role mapping, as the domain's access policy names them. */
const MAPPING_ACTIONS = ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPatch', 'es:ESHttpDelete'];

/**
 * The security API actions that an L2 domain's final access policy does not let anonymous callers
 * do: requests with the master user's basic auth are unsigned, so Amazon OpenSearch Service lets
 * them in only if a statement allows the principal '*' (fine-grained access control then checks the
 * password). Undefined when the policy cannot be read (an aws-cdk-lib that keeps it elsewhere).
 */
export function actionsRefusedToAnonymous(domain: opensearch.IDomain): string[] | undefined {
  const resources = accessPolicyResources(domain);
  const statements: unknown[] = [];
  // A policy set on the L1 resource (an escape hatch) counts too.
  const cfn = domain.node.defaultChild as opensearch.CfnDomain;
  const onResource = Stack.of(domain).resolve(cfn.accessPolicies) as { Statement?: unknown } | undefined;
  const direct = onResource?.Statement === undefined ? [] : [onResource.Statement].flat() as StatementJson[];
  for (const resource of resources) {
    // The OpenSearchAccessPolicy of aws-cdk-lib (resource → CustomResource → the policy construct).
    const held = (resource.node.scope?.node.scope as { accessPolicyStatements?: unknown } | undefined)?.accessPolicyStatements;
    if (!Array.isArray(held)) return undefined;
    statements.push(...held);
  }
  const json = statements.map((s) => (s instanceof iam.PolicyStatement ? Stack.of(domain).resolve(s.toStatementJson()) as StatementJson : undefined));
  if (json.some((s) => s === undefined)) return undefined;
  return MAPPING_ACTIONS.filter((action) => !allowsAnonymous([...direct, ...json as StatementJson[]], action));
}

interface StatementJson {
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Condition?: unknown;
}

/** Whether the statements allow `action` to anyone ('*') and no unconditional statement denies it. */
function allowsAnonymous(statements: StatementJson[], action: string): boolean {
  const toEveryone = (s: StatementJson) => s.Principal === '*' || [(s.Principal as { AWS?: unknown } | undefined)?.AWS].flat().includes('*');
  const covers = (s: StatementJson) => (s.Action !== undefined
    ? [s.Action].flat().some((pattern) => matchesAction(pattern, action))
    : s.NotAction !== undefined && ![s.NotAction].flat().some((pattern) => matchesAction(pattern, action)));
  const denied = statements.some((s) => s.Effect === 'Deny' && toEveryone(s) && covers(s) && s.Condition === undefined);
  return !denied && statements.some((s) => s.Effect === 'Allow' && toEveryone(s) && covers(s));
}

/** IAM action matching: case-insensitive, '*' for any characters, '?' for one. */
function matchesAction(pattern: string, action: string): boolean {
  if (typeof pattern !== 'string') return false;
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}
