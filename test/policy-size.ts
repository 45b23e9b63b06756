/*
 * How many characters the provider role's inline policies take once CloudFormation has resolved
 * them, as IAM counts them against its quota.
 *
 * IAM: "Role policy size cannot exceed 10,240 characters", the sum of all inline policies of one
 * role, white space not counted (IAM and AWS STS quotas,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). An
 * AWS::IAM::Policy attached to a role is one of its inline policies (PutRolePolicy).
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** IAM's quota on the inline policies of one role, after resolution. */
export const ROLE_INLINE_POLICY_QUOTA = 10_240;

const ACCOUNT = '111122223333';

/**
 * The name CloudFormation gives a resource without one: `<stack>-<logical ID>-<12 random
 * characters>`, shortened to the type's limit (64 for IAM roles). The random part is the longest
 * it can be, so that sizes are an upper bound.
 */
function generatedName(stackName: string, logicalId: string, max = 64): string {
  const suffix = '-ABCDEFGHIJKL';
  return `${stackName}-${logicalId}`.slice(0, max - suffix.length) + suffix;
}

/** Resolves a template value as CloudFormation would in us-east-1, with generated names as long as they can be. */
function resolver(stack: Stack, resources: Record<string, any>): (value: unknown) => unknown {
  const region = stack.resolve(stack.region);
  const pseudo: Record<string, string> = {
    'AWS::Region': typeof region === 'string' ? region : 'us-east-1',
    'AWS::AccountId': ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stack.stackName,
    'AWS::StackId': `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/${stack.stackName}/01234567-89ab-cdef-0123-456789abcdef`,
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    if ('Ref' in o) return pseudo[o.Ref as string] ?? generatedName(stack.stackName, o.Ref as string);
    if ('Fn::GetAtt' in o) {
      const [id, attribute] = o['Fn::GetAtt'] as [string, string];
      const resource = resources[id] ?? {};
      if (attribute !== 'Arn') return `${generatedName(stack.stackName, id)}.${attribute}`;
      switch (resource.Type) {
        case 'AWS::IAM::Role': {
          const path = resource.Properties?.Path ?? '/';
          return `arn:aws:iam::${ACCOUNT}:role${path}${resource.Properties?.RoleName ?? generatedName(stack.stackName, id)}`;
        }
        case 'AWS::Lambda::Function': return `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${generatedName(stack.stackName, id)}`;
        case 'AWS::Logs::LogGroup': return `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${generatedName(stack.stackName, id, 512)}:*`;
        default: return `arn:aws:${id}`;
      }
    }
    if ('Fn::Join' in o) {
      const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}

export interface InlinePolicySizes {
  /** characters of each inline policy of the provider role, by name ('Logs', 'Grants', ...) */
  readonly byPolicy: Record<string, number>;
  /** their sum: what IAM holds against ROLE_INLINE_POLICY_QUOTA */
  readonly total: number;
}

/** The resolved, white-space-free size of every inline policy of the stack's provider role. */
export function providerInlinePolicySizes(stack: Stack): InlinePolicySizes {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
  const resolve = resolver(stack, resources);
  const roleId = Object.keys(resources).find((id) => id.startsWith('OpenSearchMlProviderRole') && resources[id].Type === 'AWS::IAM::Role');
  if (!roleId) throw new Error(`${stack.stackName} has no provider role`);
  const size = (document: unknown) => JSON.stringify(resolve(document)).replace(/\s/g, '').length;
  const byPolicy: Record<string, number> = {};
  for (const policy of resources[roleId].Properties.Policies ?? []) byPolicy[policy.PolicyName] = size(policy.PolicyDocument);
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`)) {
      byPolicy[id.replace(/^OpenSearchMlProvider(Role)?/, '').replace(/[0-9A-F]{8}$/, '')] = size(r.Properties.PolicyDocument);
    }
  }
  return { byPolicy, total: Object.values(byPolicy).reduce((a, b) => a + b, 0) };
}
