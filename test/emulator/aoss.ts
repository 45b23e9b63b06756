/**
 * The Amazon OpenSearch Serverless front end of a collection: requests signed for service `aoss` with an
 * `x-amz-content-sha256` header, the IAM action `aoss:APIAccessAll` on the collection, and the collection's data
 * access policies, which ML Commons checks as `aoss:*MLResource` permissions on `model/<collection>/*`.
 *
 * Sources: "Configure Machine Learning on Amazon OpenSearch Serverless" (the ML permissions and their resource),
 * "Data access control for Amazon OpenSearch Serverless" (the policy grammar), the Service Authorization Reference
 * (aoss:APIAccessAll on arn:<partition>:aoss:<region>:<account>:collection/<id>). The denial envelope is the one
 * clients report from the service; it does not say which of IAM or the data access policy refused.
 */
import { randomUUID } from 'crypto';
import { EmulatorResponse, json } from './http';
import { wildcardMatch } from './iam';
import { clone } from './store';

/** One rule of a data access policy. */
export interface DataAccessRule {
  readonly ResourceType: string;
  readonly Resource: readonly string[];
  readonly Permission: readonly string[];
}

/** One entry of a data access policy document (the document is a JSON array of these). */
export interface DataAccessPolicyEntry {
  readonly Rules: readonly DataAccessRule[];
  readonly Principal: readonly string[];
  readonly Description?: string;
}

export interface ServerlessOptions {
  readonly collectionName?: string;
  readonly collectionId?: string;
  /** Data access policies of the collection (each the parsed `Policy` of an AccessPolicy of type data). Default: none. */
  readonly dataAccessPolicies?: ReadonlyArray<readonly DataAccessPolicyEntry[]>;
  /** The collection type; the index and document APIs follow it (see README). Default VECTORSEARCH. */
  readonly collectionType?: 'VECTORSEARCH' | 'SEARCH' | 'TIMESERIES';
  /** A collection in a NextGen collection group (the ml_inference processor is supported only there). Default false. */
  readonly nextGen?: boolean;
  /** How long after a write documents become searchable. Default: 60 s for vector search collections, 10 s otherwise. */
  readonly refreshIntervalMs?: number;
}

export class ServerlessCollectionState {
  readonly collectionName: string;
  readonly collectionId: string;
  readonly collectionArn: string;
  private policies: Array<readonly DataAccessPolicyEntry[]> = [];

  constructor(private readonly options: ServerlessOptions, region: string, account: string) {
    this.collectionName = options.collectionName ?? 'test-collection';
    this.collectionId = options.collectionId ?? '1tg2xudton46knx2a95g';
    this.collectionArn = `arn:aws:aoss:${region}:${account}:collection/${this.collectionId}`;
    this.reset();
  }

  setPolicies(policies: ReadonlyArray<readonly DataAccessPolicyEntry[]>): void {
    this.policies = clone(policies as Array<readonly DataAccessPolicyEntry[]>);
  }

  reset(): void {
    this.setPolicies(this.options.dataAccessPolicies ?? []);
  }

  /** Whether some data access policy grants `principal` the permission on the collection's ML resources. */
  allowsMl(principal: string, permission: string): boolean {
    return this.allows(principal, 'model', `model/${this.collectionName}/*`, permission);
  }

  /** Whether some data access policy grants `principal` the permission on a resource (e.g. index/<collection>/<index>). */
  allows(principal: string, resourceType: string, resource: string, permission: string): boolean {
    return this.policies.some((policy) => policy.some((entry) =>
      entry.Principal.includes(principal) && entry.Rules.some((rule) =>
        rule.ResourceType === resourceType
        && rule.Resource.some((pattern) => wildcardMatch(pattern, resource, false))
        && rule.Permission.some((granted) => wildcardMatch(granted, permission, true)))));
  }

  get collectionType(): 'VECTORSEARCH' | 'SEARCH' | 'TIMESERIES' {
    return this.options.collectionType ?? 'VECTORSEARCH';
  }

  get nextGen(): boolean {
    return this.options.nextGen ?? false;
  }

  get refreshIntervalMs(): number {
    return this.options.refreshIntervalMs ?? (this.collectionType === 'VECTORSEARCH' ? 60000 : 10000);
  }
}

/**
 * The data access permission an ML Commons transport action needs. The documentation names the five permissions
 * but not which API needs which; this follows their names (register = create, get/search = describe,
 * deploy/undeploy/predict = execute).
 */
export function mlPermission(action: string): string {
  const verb = action.slice(action.lastIndexOf('/') + 1);
  if (/create|register/.test(verb)) return 'aoss:CreateMLResource';
  if (/update/.test(verb)) return 'aoss:UpdateMLResource';
  if (/delete/.test(verb)) return 'aoss:DeleteMLResource';
  if (/get|search/.test(verb)) return 'aoss:DescribeMLResource';
  return 'aoss:ExecuteMLResource';
}

/** What the service answers a request its IAM or data access policies refuse: the same for both. */
export function serverlessForbidden(): EmulatorResponse {
  return json(403, { 'status': 403, 'request-id': randomUUID(), 'error': { reason: '403 Forbidden', type: 'Forbidden' } });
}
