/**
 * CloudFormation ListStackResources (query protocol, API version 2010-05-15) for the AWS APIs stand-in:
 * form-encoded POST / in, XML out, paginated with NextToken, IAM-evaluated on the stack ARN.
 */
import { randomUUID } from 'crypto';
import { accessDeniedMessage, evaluatePolicy, PolicyStatement } from './iam';

export const CLOUDFORMATION_XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/** One resource of a stack, as a test declares it. */
export interface StackResource {
  readonly logicalId: string;
  readonly physicalId: string;
  /** e.g. Custom::MlConnector, AWS::IAM::Role */
  readonly type: string;
  /** Default CREATE_COMPLETE. */
  readonly status?: string;
}

interface Stack {
  readonly name: string;
  readonly id: string;
  readonly resources: readonly StackResource[];
  readonly updated: string;
}

export interface XmlAnswer {
  readonly status: number;
  readonly body: string;
}

export class CloudFormationStacks {
  private readonly stacks = new Map<string, Stack>();
  pageSize: number;

  constructor(
    private readonly region: string,
    private readonly account: string,
    stacks: Record<string, readonly StackResource[]> = {},
    pageSize = 100,
  ) {
    this.pageSize = pageSize;
    for (const [name, resources] of Object.entries(stacks)) this.set(name, resources);
  }

  /** Declare (or replace, keeping its id) a stack's resources; undefined removes the stack. */
  set(name: string, resources: readonly StackResource[] | undefined): void {
    if (resources === undefined) {
      this.stacks.delete(name);
      return;
    }
    const id = this.stacks.get(name)?.id ?? `arn:aws:cloudformation:${this.region}:${this.account}:stack/${name}/${randomUUID()}`;
    this.stacks.set(name, { name, id, resources: resources.map((resource) => ({ ...resource })), updated: new Date().toISOString() });
  }

  /** The stack id (ARN) of a declared stack. */
  stackId(name: string): string | undefined {
    return this.stacks.get(name)?.id;
  }

  /** Answer one query-protocol request; `caller` is the assumed-role ARN AWS names in errors. */
  handle(form: URLSearchParams, policy: ReadonlyArray<PolicyStatement> | undefined, caller: string): XmlAnswer {
    const action = form.get('Action') ?? '';
    if (action !== 'ListStackResources') {
      return errorXml(400, 'Sender', 'InvalidAction', `Could not find operation ${action} for version ${form.get('Version') ?? 'NO_VERSION_SPECIFIED'}`);
    }
    const stackName = form.get('StackName');
    if (!stackName) {
      return errorXml(400, 'Sender', 'ValidationError',
        "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null");
    }
    const stack = this.find(stackName);
    const resource = stack?.id ?? `arn:aws:cloudformation:${this.region}:${this.account}:stack/${stackName}/*`;
    const decision = evaluatePolicy(policy, 'cloudformation:ListStackResources', resource);
    if (decision !== 'allow') {
      return errorXml(403, 'Sender', 'AccessDenied', accessDeniedMessage(caller, 'cloudformation:ListStackResources', decision, resource));
    }
    if (!stack) return errorXml(400, 'Sender', 'ValidationError', `Stack with id ${stackName} does not exist`);
    const offset = this.offsetOf(form.get('NextToken'), stack);
    if (offset === undefined) return errorXml(400, 'Sender', 'ValidationError', 'Invalid NextToken');
    const page = stack.resources.slice(offset, offset + this.pageSize);
    const next = offset + this.pageSize < stack.resources.length
      ? Buffer.from(JSON.stringify({ stack: stack.id, offset: offset + this.pageSize })).toString('base64')
      : undefined;
    const members = page.map((item) => [
      '      <member>',
      `        <LogicalResourceId>${escape(item.logicalId)}</LogicalResourceId>`,
      `        <PhysicalResourceId>${escape(item.physicalId)}</PhysicalResourceId>`,
      `        <ResourceType>${escape(item.type)}</ResourceType>`,
      `        <LastUpdatedTimestamp>${stack.updated}</LastUpdatedTimestamp>`,
      `        <ResourceStatus>${escape(item.status ?? 'CREATE_COMPLETE')}</ResourceStatus>`,
      '        <DriftInformation>',
      '          <StackResourceDriftStatus>NOT_CHECKED</StackResourceDriftStatus>',
      '        </DriftInformation>',
      '      </member>',
    ].join('\n'));
    const body = [
      `<ListStackResourcesResponse xmlns="${CLOUDFORMATION_XMLNS}">`,
      '  <ListStackResourcesResult>',
      ...(next === undefined ? [] : [`    <NextToken>${escape(next)}</NextToken>`]),
      page.length === 0 ? '    <StackResourceSummaries/>' : '    <StackResourceSummaries>',
      ...members,
      ...(page.length === 0 ? [] : ['    </StackResourceSummaries>']),
      '  </ListStackResourcesResult>',
      '  <ResponseMetadata>',
      `    <RequestId>${randomUUID()}</RequestId>`,
      '  </ResponseMetadata>',
      '</ListStackResourcesResponse>',
      '',
    ].join('\n');
    return { status: 200, body };
  }

  private find(nameOrId: string): Stack | undefined {
    return this.stacks.get(nameOrId) ?? [...this.stacks.values()].find((stack) => stack.id === nameOrId);
  }

  private offsetOf(token: string | null, stack: Stack): number | undefined {
    if (token === null) return 0;
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { stack?: unknown; offset?: unknown };
      return parsed.stack === stack.id && typeof parsed.offset === 'number' ? parsed.offset : undefined;
    } catch {
      return undefined;
    }
  }
}

/** The query protocol's ErrorResponse document. */
export function errorXml(status: number, type: 'Sender' | 'Receiver', code: string, message: string): XmlAnswer {
  const body = [
    `<ErrorResponse xmlns="${CLOUDFORMATION_XMLNS}">`,
    '  <Error>',
    `    <Type>${type}</Type>`,
    `    <Code>${escape(code)}</Code>`,
    `    <Message>${escape(message)}</Message>`,
    '  </Error>',
    `  <RequestId>${randomUUID()}</RequestId>`,
    '</ErrorResponse>',
    '',
  ].join('\n');
  return { status, body };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
