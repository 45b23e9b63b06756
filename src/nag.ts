import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

export interface NagSuppression {
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
