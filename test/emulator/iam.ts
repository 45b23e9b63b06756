/**
 * A small evaluator for identity-based IAM policies and the AccessDenied messages AWS words from it.
 * Only Effect / Action / Resource are evaluated; Condition and NotAction/NotResource are ignored.
 */

export type PolicyStatement = Record<string, unknown>;
export type Decision = 'allow' | 'implicit-deny' | 'explicit-deny';

/** Explicit Deny wins, then any Allow; no policy at all means the principal may do anything. */
export function evaluatePolicy(policy: ReadonlyArray<PolicyStatement> | undefined, action: string, resource: string): Decision {
  if (policy === undefined) return 'allow';
  const matching = policy.filter((statement) => statementMatches(statement, action, resource));
  if (matching.some((statement) => statement.Effect === 'Deny')) return 'explicit-deny';
  return matching.some((statement) => statement.Effect === 'Allow') ? 'allow' : 'implicit-deny';
}

function statementMatches(statement: PolicyStatement, action: string, resource: string): boolean {
  const actions = asList(statement.Action);
  const resources = asList(statement.Resource);
  return actions.some((pattern) => wildcardMatch(pattern, action, true))
    && resources.some((pattern) => wildcardMatch(pattern, resource, false));
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** IAM wildcards: '*' any run of characters (including none), '?' exactly one. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.split('').map((ch) => {
    if (ch === '*') return '.*';
    if (ch === '?') return '.';
    return ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** arn:aws:iam::123:role/path/name -> arn:aws:sts::123:assumed-role/name/<session>, the identity AWS names in errors. */
export function assumedRoleArn(roleArn: string, sessionName: string): string {
  const match = /^arn:([^:]+):iam::(\d*):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!match) return roleArn;
  return `arn:${match[1]}:sts::${match[2]}:assumed-role/${match[3]}/${sessionName}`;
}

/**
 * The wording AWS uses today: the action is named, the resource is not (for es:ESHttp*), and the reason says
 * whether nothing allowed the call or something denied it.
 */
export function accessDeniedMessage(userArn: string, action: string, decision: Decision, resource?: string): string {
  const onResource = resource ? ` on resource: ${resource}` : '';
  const reason = decision === 'explicit-deny'
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${action} action`;
  return `User: ${userArn} is not authorized to perform: ${action}${onResource} ${reason}`;
}

/** es:ESHttpGet, es:ESHttpPost, ... for an HTTP method. */
export function esHttpAction(method: string): string {
  const lower = method.toLowerCase();
  return `es:ESHttp${lower.charAt(0).toUpperCase()}${lower.slice(1)}`;
}
