import { createHash } from 'node:crypto';
import { Annotations, Arn, ArnFormat, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import { IConstruct, IDependable } from 'constructs';
import { isLoopback, parseCollectionEndpoint } from './endpoints';
import { MlValidationError, quote } from './errors';
import { MlCommonsProvider } from './provider';
import { validateRegion } from './validation';

/**
 * The data access policy permissions ML Commons needs on a collection, on `model/<collection>/*`
 * ("Configure Machine Learning on Amazon OpenSearch Serverless").
 */
export const ML_RESOURCE_PERMISSIONS: readonly string[] = [
  'aoss:CreateMLResource', 'aoss:UpdateMLResource', 'aoss:DeleteMLResource', 'aoss:DescribeMLResource', 'aoss:ExecuteMLResource',
];

/** Collection and access policy names: 3 to 32 characters, a lower-case letter, then lower-case letters, digits and hyphens. */
const SERVERLESS_NAME = /^[a-z][a-z0-9-]{2,31}$/;

/**
 * Attributes of an Amazon OpenSearch Serverless collection defined elsewhere.
 */
export interface ServerlessCollectionAttributes {
  /** The collection's name, as in its data access policies (`model/<name>/*`). */
  readonly collectionName: string;

  /** The collection's ID, for example `1tg2xudton46knx2a95g`. */
  readonly collectionId: string;

  /** The collection's endpoint, for example `https://1tg2xudton46knx2a95g.us-east-1.aoss.amazonaws.com`. */
  readonly collectionEndpoint: string;

  /**
   * The collection's ARN.
   *
   * @default - `arn:<partition>:aoss:<region>:<account>:collection/<collectionId>` in the connector's stack
   */
  readonly collectionArn?: string;
}

/**
 * An Amazon OpenSearch Serverless collection that ML connectors can target instead of a domain.
 */
export class ServerlessCollection {
  /** A collection defined in this app with the L1 `CfnCollection`: connectors wait for it. */
  public static fromCfnCollection(collection: aoss.CfnCollection): ServerlessCollection {
    return new ServerlessCollection(collection.name, collection.attrId, collection.attrCollectionEndpoint, collection.attrArn, collection);
  }

  /** A collection defined elsewhere, by its name, ID and endpoint. */
  public static fromCollectionAttributes(attrs: ServerlessCollectionAttributes): ServerlessCollection {
    return new ServerlessCollection(attrs.collectionName, attrs.collectionId, attrs.collectionEndpoint, attrs.collectionArn);
  }

  private constructor(
    /** The collection's name. */
    public readonly collectionName: string,
    /** The collection's ID. */
    public readonly collectionId: string,
    /** The collection's endpoint (with or without `https://`). */
    public readonly collectionEndpoint: string,
    /** The collection's ARN, when it was given; otherwise derived from the ID in the connector's stack. */
    public readonly collectionArn?: string,
    /** @internal the L1 resource, when the collection is defined in this app */
    public readonly _resource?: aoss.CfnCollection,
  ) {}

  /** @internal The collection's ARN: the given one, or built from its ID, in its endpoint's region, in the account of the stack of `scope`. */
  public _arnIn(scope: IConstruct): string {
    if (this.collectionArn !== undefined) return this.collectionArn;
    const facts = parseCollectionEndpoint(this.collectionEndpoint);
    return Stack.of(scope).formatArn({
      ...(facts ? { region: facts.region, partition: facts.partition } : {}),
      service: 'aoss',
      resource: 'collection',
      resourceName: this.collectionId,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }
}

/** The account and region of a collection: from its ARN when that is known, otherwise from the stack. */
export function collectionEnvironment(scope: IConstruct, arn: string): { account: string; region: string } {
  if (!Token.isUnresolved(arn)) {
    const parts = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
    if (parts.account && parts.region) return { account: parts.account, region: parts.region };
  }
  const stack = Stack.of(scope);
  return { account: stack.account, region: stack.region };
}

/** Rejects a collection whose name or ARN OpenSearch Serverless would not accept. */
export function validateCollection(scope: IConstruct, collection: ServerlessCollection): void {
  const name = collection.collectionName;
  if (!Token.isUnresolved(name) && !SERVERLESS_NAME.test(name)) {
    throw new MlValidationError(scope,
      `collection.collectionName must be 3 to 32 characters, a lower-case letter followed by lower-case letters, digits or hyphens (as OpenSearch Serverless names collections); received ${quote(name)}.`);
  }
  const arn = collection.collectionArn;
  if (arn !== undefined && !Token.isUnresolved(arn) && !/^arn:[a-z-]+:aoss:[a-z0-9-]+:\d{12}:collection\/[a-z0-9]+$/.test(arn)) {
    throw new MlValidationError(scope,
      `collection.collectionArn must be an OpenSearch Serverless collection ARN such as 'arn:aws:aoss:us-east-1:111122223333:collection/1tg2xudton46knx2a95g'; received ${quote(arn)}.`);
  }
  validateCollectionEndpoint(scope, collection);
}

/**
 * The endpoint of a collection is `<collection ID>.<region>.aoss.amazonaws.com` (or another
 * partition's suffix): one of another collection, or of another region than the ARN's, would
 * send every request to the wrong place and sign it for the wrong region. A loopback endpoint
 * (a local stand-in of the service, as in this library's tests) is taken as it is.
 */
function validateCollectionEndpoint(scope: IConstruct, collection: ServerlessCollection): void {
  const endpoint = collection.collectionEndpoint;
  if (Token.isUnresolved(endpoint) || isLoopback(endpoint)) return;
  const facts = parseCollectionEndpoint(endpoint);
  const id = collection.collectionId;
  const example = `'https://${Token.isUnresolved(id) ? '<collection ID>' : id}.<region>.aoss.amazonaws.com'`;
  if (!facts) {
    throw new MlValidationError(scope,
      `collection.collectionEndpoint must be the collection's endpoint, ${example}; received ${quote(endpoint)}.`);
  }
  if (!Token.isUnresolved(id) && facts.collectionId !== id) {
    throw new MlValidationError(scope,
      `collection.collectionEndpoint ${quote(endpoint)} is the endpoint of the collection '${facts.collectionId}', not of collectionId '${id}': give the ID and endpoint of one collection (${example}).`);
  }
  validateRegion(scope, 'collection.collectionEndpoint region', facts.region);
  const arn = collection.collectionArn;
  const arnRegion = arn !== undefined && !Token.isUnresolved(arn) ? Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).region : undefined;
  if (arnRegion && arnRegion !== facts.region) {
    throw new MlValidationError(scope,
      `collection.collectionArn ${quote(arn)} is in ${arnRegion}, but collection.collectionEndpoint ${quote(endpoint)} is in ${facts.region}: give the ARN and endpoint of one collection.`);
  }
}

/** How the provider role gets the ML permissions of a collection's data access policy. */
export enum CollectionDataAccessMode {
  /** the stack creates a data access policy for the provider role (one per collection) */
  CREATE_POLICY = 'createPolicy',
  /** someone adds the provider role to a data access policy by hand; the synth prints what to add */
  MANUAL = 'manual',
}

/**
 * The data access policy of a collection, as far as connectors are concerned: ML Commons on
 * OpenSearch Serverless authorizes the caller with `aoss:CreateMLResource`, `aoss:UpdateMLResource`,
 * `aoss:DeleteMLResource`, `aoss:DescribeMLResource` and `aoss:ExecuteMLResource` on
 * `model/<collection>/*`. No backend-role mapping is involved.
 */
export class CollectionDataAccess {
  /**
   * The stack creates an `AWS::OpenSearchServerless::AccessPolicy` (type `data`) that grants the
   * provider role exactly those permissions, one per collection however many connectors.
   *
   * @param policyName the policy's name: 3 to 32 characters, lower-case letters, digits and hyphens, starting with a letter.
   * A data access policy name is unique per account and region. Default: `ml-` and a hash of the stack name and collection name.
   */
  public static createPolicy(policyName?: string): CollectionDataAccess {
    return new CollectionDataAccess(CollectionDataAccessMode.CREATE_POLICY, policyName);
  }

  /**
   * A data access policy you own grants the provider role the ML permissions: the synth prints
   * the role's ARN (the role gets a stable name), the permissions and the resource to add.
   */
  public static manual(): CollectionDataAccess {
    return new CollectionDataAccess(CollectionDataAccessMode.MANUAL);
  }

  private constructor(
    /** how the provider role gets its permissions */
    public readonly mode: CollectionDataAccessMode,
    /** the name of the created policy, when given */
    public readonly policyName?: string,
  ) {}
}

/**
 * Makes sure the provider role may manage ML resources on the collection before connectors are
 * created: an `AWS::OpenSearchServerless::AccessPolicy` (shared by the collection's connectors in the
 * stack) or, when the user owns the policy, a stable role name and a warning saying what to add.
 * Returns what connectors must wait for.
 */
export function collectionDataAccessFor(
  scope: IConstruct, provider: MlCommonsProvider, access: CollectionDataAccess, collection: ServerlessCollection,
): IDependable | undefined {
  const collectionKey = JSON.stringify(Stack.of(provider).resolve(collection.collectionName));
  const known = provider.perTargetState<DataAccessState>(`dataAccess ${collectionKey}`, () => {
    const rules: DataAccessRule[] = [];
    return { access, rules, policy: createDataAccess(scope, provider, access, collection, collectionKey, rules) };
  });
  if (known.access.mode !== access.mode || known.access.policyName !== access.policyName) {
    throw new MlValidationError(scope,
      `collectionDataAccess is ${describe(access)} here but ${describe(known.access)} for another connector of the same collection in this stack; connectors of one collection share one data access policy.`);
  }
  return known.policy;
}

/** One rule of a data access policy. */
export interface DataAccessRule {
  readonly ResourceType: string;
  readonly Resource: string[];
  readonly Permission: string[];
}

interface DataAccessState {
  readonly access: CollectionDataAccess;
  /** the index rules that pipelines and indexes added, after the ML rule */
  readonly rules: DataAccessRule[];
  readonly policy?: aoss.CfnAccessPolicy;
}

/**
 * Adds a rule for the stack's pipelines and indexes to the collection's data access policy (the one the
 * stack creates), or, when the user owns the policy, warns with the rule to add. Call after the
 * collection is bound (`bindTarget`).
 */
export function addDataAccessRule(scope: IConstruct, provider: MlCommonsProvider, collection: ServerlessCollection, rule: DataAccessRule): void {
  const collectionKey = JSON.stringify(Stack.of(provider).resolve(collection.collectionName));
  const known = provider.perTargetState<DataAccessState>(`dataAccess ${collectionKey}`, () => {
    throw new Error(`internal: ${scope.node.path} adds a data access rule to a collection it is not bound to`);
  });
  if (known.access.mode === CollectionDataAccessMode.MANUAL) {
    Annotations.of(scope).addWarningV2('cdk-opensearch-ml:collectionIndexAccessByHand',
      `Add to a data access policy of the collection '${collection.collectionName}', for the IAM role ${provider.useStableRoleName()}, the rule ${JSON.stringify(rule)}: this stack will not change the collection's data access policies.`);
    return;
  }
  const same = known.rules.find((r) => JSON.stringify(r.Resource) === JSON.stringify(rule.Resource));
  if (same) rule.Permission.filter((p) => !same.Permission.includes(p)).forEach((p) => same.Permission.push(p));
  else known.rules.push({ ...rule, Permission: [...rule.Permission] });
}

/** What the first resource on a collection sets up: the data access policy, or a stable role name and a warning. */
function createDataAccess(
  scope: IConstruct, provider: MlCommonsProvider, access: CollectionDataAccess, collection: ServerlessCollection, collectionKey: string,
  rules: DataAccessRule[],
): aoss.CfnAccessPolicy | undefined {
  const stack = Stack.of(provider);
  const resource = `model/${collection.collectionName}/*`;
  if (access.mode === CollectionDataAccessMode.MANUAL) {
    const arn = provider.useStableRoleName();
    Annotations.of(scope).addWarningV2('cdk-opensearch-ml:collectionDataAccessByHand',
      `Add the IAM role ${arn} as a principal of a data access policy of the collection '${collection.collectionName}' with the rule ` +
      `{"ResourceType":"model","Resource":["${resource}"],"Permission":${JSON.stringify(ML_RESOURCE_PERMISSIONS)}} ` +
      'before the connectors are created: this stack will not change the collection\'s data access policies.');
    return undefined;
  }
  const name = access.policyName ?? defaultPolicyName(stack, collectionKey);
  if (!Token.isUnresolved(name) && !SERVERLESS_NAME.test(name)) {
    throw new MlValidationError(scope,
      `collectionDataAccess policyName must be 3 to 32 characters, a lower-case letter followed by lower-case letters, digits or hyphens; received ${quote(name)}.`);
  }
  const policy = new aoss.CfnAccessPolicy(provider, `MlDataAccess${hash(collectionKey).slice(0, 8).toUpperCase()}`, {
    name,
    type: 'data',
    description: `cdk-opensearch-ml: lets the provider of stack ${stack.stackName} manage ML Commons resources of the collection`,
    // The index rules of the stack's pipelines and indexes are added as they are built.
    policy: Lazy.string({
      produce: () => stack.toJsonString([{
        Rules: [{ ResourceType: 'model', Resource: [resource], Permission: [...ML_RESOURCE_PERMISSIONS] }, ...rules],
        Principal: [provider.role.roleArn],
      }]),
    }),
  });
  if (collection._resource) policy.addDependency(collection._resource);
  return policy;
}

function describe(access: CollectionDataAccess): string {
  return access.policyName ? `'${access.mode}' (policy ${quote(access.policyName)})` : `'${access.mode}'`;
}

/** 'ml-' and 15 hex digits of the stack and collection names: the same across synths, distinct per stack. */
function defaultPolicyName(stack: Stack, collectionKey: string): string {
  return `ml-${hash(`${stack.stackName}\n${collectionKey}`).slice(0, 15)}`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
