import { redact } from './redact';

/** A CloudFormation custom-resource request. */
export interface CloudFormationEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ServiceToken?: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
  readonly PhysicalResourceId?: string;
}

/** The parts of the Lambda context the handler uses. */
export interface LambdaContext {
  readonly logGroupName?: string;
  readonly logStreamName?: string;
  getRemainingTimeInMillis(): number;
}

export interface CloudFormationResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho: boolean;
  readonly Data?: Record<string, string>;
}

/** The outcome of a request, before it becomes a response document. */
export interface Outcome {
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
  /** set when the request failed */
  readonly error?: string;
}

/** CloudFormation refuses response documents over 4096 bytes; stay clear of the limit. */
export const MAX_RESPONSE_BYTES = 4000;

/**
 * The response document for `outcome`: redacted, and with the reason shortened in the
 * middle when the whole would exceed MAX_RESPONSE_BYTES.
 */
export function responseDocument(event: CloudFormationEvent, outcome: Outcome, logPointer?: string): string {
  const base = {
    Status: outcome.error === undefined ? 'SUCCESS' : 'FAILED',
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    ...(outcome.data ? { Data: outcome.data } : {}),
  } as const;
  if (outcome.error === undefined) return JSON.stringify(base);

  const suffix = logPointer ? ` Log: ${logPointer}` : '';
  const text = redact(outcome.error);
  const fits = (reason: string) => Buffer.byteLength(JSON.stringify({ ...base, Reason: reason })) <= MAX_RESPONSE_BYTES;
  if (fits(text + suffix)) return JSON.stringify({ ...base, Reason: text + suffix });
  // Too long: keep the head (what failed, what OpenSearch answered) and the tail (the fix), cut the middle.
  let keep = MAX_RESPONSE_BYTES;
  let reason: string;
  do {
    keep = Math.floor(keep * 0.9);
    reason = `${text.slice(0, Math.ceil(keep * 0.6))} […] ${text.slice(text.length - Math.floor(keep * 0.4))}${suffix}`;
  } while (!fits(reason) && keep > 0);
  const document = JSON.stringify({ ...base, Reason: fits(reason) ? reason : text.slice(0, 200) });
  return document;
}
