import * as cdk from 'aws-cdk-lib';
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly appliesTo?: Array<string | { regex: string }>;
}

/**
 * Where cdk-nag 3 reads acknowledgments: construct metadata of this type on the resource or an
 * ancestor (aws-cdk-lib's `Validations.ACKNOWLEDGED_RULES_METADATA_KEY`, 2.257 and later). Read at
 * run time: the library supports aws-cdk-lib releases that have no `Validations`.
 */
const ACKNOWLEDGED_RULES: string | undefined =
  (cdk as unknown as { Validations?: { ACKNOWLEDGED_RULES_METADATA_KEY?: string } }).Validations?.ACKNOWLEDGED_RULES_METADATA_KEY;

/** The rule whose findings cdk-nag 3 acknowledges one by one: wildcard permissions. */
const IAM5 = 'AwsSolutions-IAM5';

/**
 * Records a cdk-nag suppression on the resource, for both majors of cdk-nag, without making
 * cdk-nag a dependency of this library:
 * - cdk-nag 2 reads `cdk_nag` template metadata, where `appliesTo` narrows a rule to some findings;
 * - cdk-nag 3 reads acknowledgments of exact findings (`AwsSolutions-IAM5[Resource::<ARN>]`) from
 *   construct metadata. They are computed when cdk-nag reads them, from the resource's final
 *   policy (grants are added after the suppression is recorded, and references between stacks are
 *   resolved only at synth), as those findings of the policy that the suppression covers.
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
  if (ACKNOWLEDGED_RULES !== undefined) {
    resource.node.addMetadata(ACKNOWLEDGED_RULES, computedWhenRead(() => acknowledgments(resource, suppressions)));
  }
}

/** The cdk-nag 3 finding IDs that `suppressions` cover on `resource` now, each with its reason. */
function acknowledgments(resource: CfnResource, suppressions: NagSuppression[]): Record<string, string> {
  const acknowledged: Record<string, string> = {};
  for (const suppression of suppressions) {
    if (suppression.id !== IAM5) {
      acknowledged[suppression.id] = suppression.reason;
      continue;
    }
    for (const finding of wildcardFindings(resource)) {
      if (covers(suppression, finding)) acknowledged[`${IAM5}[${finding}]`] = suppression.reason;
    }
  }
  return acknowledged;
}

/** Whether a suppression applies to a finding: all of its rule's findings without `appliesTo`. */
function covers(suppression: NagSuppression, finding: string): boolean {
  if (suppression.appliesTo === undefined) return true;
  return suppression.appliesTo.some((pattern) => {
    if (typeof pattern === 'string') return pattern === finding;
    // cdk-nag 2 writes regular expressions as '/<source>/<flags>'.
    const literal = /^\/(.*)\/([a-z]*)$/s.exec(pattern.regex);
    return literal ? new RegExp(literal[1], literal[2].replace('g', '')).test(finding) : new RegExp(pattern.regex).test(finding);
  });
}

/**
 * The wildcard findings of AwsSolutions-IAM5 on an IAM role or policy: `Action::<action>` for each
 * allowed action with a '*', `Resource::<resource>` for each allowed resource with a '*', the
 * resource written as cdk-nag writes references in finding IDs (see `referenceText`).
 */
function wildcardFindings(resource: CfnResource): string[] {
  const stack = Stack.of(resource);
  const documents: unknown[] = [];
  // By type, not instanceof: the resource may come from another copy of aws-cdk-lib.
  if (resource.cfnResourceType === iam.CfnRole.CFN_RESOURCE_TYPE_NAME) {
    const policies = stack.resolve((resource as iam.CfnRole).policies) as Array<{ policyDocument?: unknown }> | undefined;
    documents.push(...(policies ?? []).map((p) => stack.resolve(p.policyDocument)));
  } else if ([iam.CfnPolicy.CFN_RESOURCE_TYPE_NAME, iam.CfnManagedPolicy.CFN_RESOURCE_TYPE_NAME].includes(resource.cfnResourceType)) {
    documents.push(stack.resolve((resource as iam.CfnPolicy).policyDocument));
  }
  const findings = new Set<string>();
  for (const document of documents) {
    for (const statement of [(document as { Statement?: unknown } | undefined)?.Statement ?? []].flat() as Array<Record<string, unknown>>) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of [statement.Action ?? []].flat()) {
        if (typeof action === 'string' && action.includes('*')) findings.add(`Action::${action}`);
      }
      for (const target of [statement.Resource ?? []].flat()) {
        const text = referenceText(target);
        if (text.includes('*')) findings.add(`Resource::${text}`);
      }
    }
  }
  return [...findings];
}

/**
 * A resolved CloudFormation value as one string, the way cdk-nag spells resources in finding IDs:
 * strings as they are with `${` and `}` of Fn::Sub turned into `<` and `>`; Fn::Join joined;
 * Fn::Sub and Fn::ImportValue by their argument; `<Logical.Attribute>` for Fn::GetAtt; `<Name>` for
 * Ref; anything else as JSON.
 */
function referenceText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const o = value as Record<string, any>;
  if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(referenceText).join(o['Fn::Join'][0]);
  if (o['Fn::Sub']) return referenceText(o['Fn::Sub']);
  if (o['Fn::GetAtt']) return `<${referenceText(o['Fn::GetAtt'][0])}.${referenceText(o['Fn::GetAtt'][1])}>`;
  if (o['Fn::ImportValue']) return referenceText(o['Fn::ImportValue']);
  if (o.Ref) return `<${referenceText(o.Ref)}>`;
  return JSON.stringify(value);
}

/**
 * An object whose keys and values are those of `compute()` at the moment they are read, so that
 * metadata recorded while the app is built says what holds when the app is checked.
 */
function computedWhenRead(compute: () => Record<string, string>): Record<string, string> {
  return new Proxy({} as Record<string, string>, {
    ownKeys: () => Reflect.ownKeys(compute()),
    getOwnPropertyDescriptor: (_, key) => {
      const value = (compute() as Record<string | symbol, string | undefined>)[key];
      return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
    },
    get: (_, key) => (compute() as Record<string | symbol, string | undefined>)[key],
    has: (_, key) => key in compute(),
  });
}
