/*
 * The custom-resource provider of cdk-opensearch-ml. The same bundle runs in three modes:
 *  - direct (a domain with a public endpoint): CloudFormation invokes it; it does the work
 *    and answers through the response URL;
 *  - relay (ML_PROVIDER_WORKER is set; a domain in a VPC): CloudFormation invokes it outside
 *    the VPC; it reads the master user secret if one is needed, runs the work in the worker
 *    function inside the VPC, and answers through the response URL — so the VPC needs no
 *    route to Amazon S3 or Secrets Manager;
 *  - worker (invoked by the relay with { relayed: true }): does the work inside the VPC and
 *    returns the response document to the relay.
 * Every mode answers before its time runs out, so that no deployment waits for it in vain.
 */
import { CloudFormationEvent, LambdaContext, Outcome, responseDocument } from './cfn';
import { putResponseDocument } from './clients/cfn-response';
import { modelsOfStack } from './clients/cloudformation';
import { invokeFunction } from './clients/lambda';
import type { BasicCredentials } from './clients/opensearch';
import { readMasterUser } from './clients/secrets-manager';
import { Deadline } from './deadline';
import { DispatchContext, dispatch, failedPhysicalId, tryParse } from './dispatch';
import { DeployError } from './errors';
import { log } from './log';
import { registerEnvironmentSecrets, registerSecret } from './redact';
import { resourceTypeOf } from './resource-table';
import { TransportError } from './transport';

/** What the relay sends the worker. */
interface RelayedEvent {
  readonly relayed: true;
  readonly event: CloudFormationEvent;
  readonly masterUser?: BasicCredentials;
  /** the stack's models, for a connector update: the worker in the VPC usually has no route to CloudFormation */
  readonly stackModels?: string[];
}

export async function handler(event: CloudFormationEvent | RelayedEvent, context: LambdaContext): Promise<Record<string, unknown>> {
  registerEnvironmentSecrets();
  if ('relayed' in event && event.relayed) {
    registerSecret(event.masterUser?.password);
    return { document: await work(event.event, context, event.masterUser, event.stackModels) };
  }
  const cfnEvent = event as CloudFormationEvent;
  const document = process.env.ML_PROVIDER_WORKER
    ? await relay(cfnEvent, context, process.env.ML_PROVIDER_WORKER)
    : await work(cfnEvent, context);
  if (cfnEvent.ResponseURL) {
    try {
      await putResponseDocument(cfnEvent.ResponseURL, document, Deadline.in(Math.max(2_000, context.getRemainingTimeInMillis() - 500)));
    } catch (e) {
      log('could not send the response to CloudFormation', { error: (e as Error).message });
    }
  }
  return JSON.parse(document) as Record<string, unknown>;
}

/** Time kept back from the work for sending the answer. */
function reserveFor(remainingMs: number): number {
  return Math.min(15_000, Math.max(1_000, remainingMs * 0.1));
}

/** Does what the event asks and returns the response document for CloudFormation. */
async function work(event: CloudFormationEvent, context: LambdaContext, masterUser?: BasicCredentials, stackModels?: string[]): Promise<string> {
  const remaining = context.getRemainingTimeInMillis();
  const reserve = reserveFor(remaining);
  const deadline = Deadline.in(remaining - reserve);
  const ctx: DispatchContext = { deadline, tracker: {}, providerRoleArn: process.env.PROVIDER_ROLE_ARN, masterUser, stackModels, requests: 0 };
  log('request', {
    requestType: event.RequestType,
    resourceType: event.ResourceType,
    logicalResourceId: event.LogicalResourceId,
    physicalResourceId: event.PhysicalResourceId,
  });

  // A safety net: every request is bounded by the deadline, so the timer fires only if something hangs.
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve(failure(event, ctx,
      new DeployError('The handler ran out of time waiting for OpenSearch; check that the domain is reachable and healthy, then deploy again.'))),
    deadline.remaining() + reserve * 0.3);
  });
  const outcome = await Promise.race([dispatch(event, ctx).catch((e: unknown) => failure(event, ctx, e)), outOfTime]);
  clearTimeout(timer);

  const document = responseDocument(event, outcome, logPointer(context));
  const parsed = JSON.parse(document) as Record<string, unknown>;
  log('response', { status: parsed.Status, physicalResourceId: parsed.PhysicalResourceId, reason: parsed.Reason, requests: ctx.requests });
  return document;
}

/** Runs the event in the worker function (in the domain's VPC) and returns its response document. */
async function relay(event: CloudFormationEvent, context: LambdaContext, worker: string): Promise<string> {
  const started = Date.now();
  const deadline = Deadline.in(context.getRemainingTimeInMillis() - reserveFor(context.getRemainingTimeInMillis()));
  log('relay', { requestType: event.RequestType, resourceType: event.ResourceType, logicalResourceId: event.LogicalResourceId, worker });
  try {
    // What the worker needs from outside the VPC, read from the properties by their parser.
    const resource = resourceTypeOf(event.ResourceType);
    const props = resource && tryParse(resource, event.ResourceProperties);
    const secretArn = props && resource.masterUserSecretArn?.(props);
    const masterUser = secretArn ? await readMasterUser(secretArn, deadline, process.env.PROVIDER_ROLE_ARN) : undefined;
    const stackModels = resource?.needsStackModels?.(event.RequestType)
      ? await modelsOfStack(event.StackId, deadline).then((ids) => [...ids], () => undefined)
      : undefined;
    const payload: RelayedEvent = { relayed: true, event, masterUser, stackModels };
    const response = await invokeFunction(worker, payload, deadline);
    const document = (response.json as { document?: unknown } | undefined)?.document;
    if (response.status === 200 && !response.headers['x-amz-function-error'] && typeof document === 'string') return document;
    throw new DeployError(`The provider's worker function ${worker} (in the domain's VPC) did not finish: Lambda answered ${response.status}` +
      `${response.headers['x-amz-function-error'] ? ` (${String(response.headers['x-amz-function-error'])})` : ''}: ${response.text.slice(0, 500)}. ` +
      'Check that its subnets and security group reach the domain on port 443.');
  } catch (e) {
    const error = e instanceof DeployError ? e : new DeployError(`The relay could not run the worker function ${worker}: ${(e as Error).message}`);
    // The worker may have created something before failing: let the rollback's Delete look for it.
    const physicalResourceId = failedPhysicalId(event, { unknownSince: started });
    return responseDocument(event, { physicalResourceId, error: error.message }, logPointer(context));
  }
}

function failure(event: CloudFormationEvent, ctx: DispatchContext, e: unknown): Outcome {
  const message = e instanceof DeployError ? e.message
    : e instanceof TransportError ? `OpenSearch did not answer: ${e.message}. Check that the domain is reachable and healthy, then deploy again.`
      : `Unexpected error in the handler: ${(e as Error)?.message ?? String(e)}`;
  if (!(e instanceof DeployError || e instanceof TransportError)) log('unexpected error', { error: (e as Error)?.stack ?? String(e) });
  return { physicalResourceId: failedPhysicalId(event, ctx.tracker), error: message };
}

function logPointer(context: LambdaContext): string | undefined {
  return context.logGroupName ? `${context.logGroupName} ${context.logStreamName ?? ''}`.trim() : undefined;
}
