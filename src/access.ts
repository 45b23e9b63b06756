import { Annotations, CfnResource, Stack } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';

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
