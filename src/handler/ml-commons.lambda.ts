/*
 * The custom-resource provider of cdk-opensearch-ml. CloudFormation invokes it directly
 * (it is the ServiceToken); it always answers through the response URL, success or
 * failure, before its time runs out, so that no deployment waits for it in vain.
 */
import { CloudFormationEvent, LambdaContext, Outcome, responseDocument } from './cfn';
import { Deadline } from './deadline';
import { DispatchContext, dispatch, failedPhysicalId } from './dispatch';
import { DeployError } from './errors';
import { log } from './log';
import { putResponseDocument } from './opensearch-client';
import { registerEnvironmentSecrets } from './redact';

/** Time kept back from the work for sending the answer. */
function reserveFor(remainingMs: number): number {
  return Math.min(15_000, Math.max(1_000, remainingMs * 0.1));
}

export async function handler(event: CloudFormationEvent, context: LambdaContext): Promise<Record<string, unknown>> {
  registerEnvironmentSecrets();
  const remaining = context.getRemainingTimeInMillis();
  const reserve = reserveFor(remaining);
  const deadline = Deadline.in(remaining - reserve);
  const ctx: DispatchContext = { deadline, tracker: {}, providerRoleArn: process.env.PROVIDER_ROLE_ARN, requests: 0 };
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

  const pointer = context.logGroupName ? `${context.logGroupName} ${context.logStreamName ?? ''}`.trim() : undefined;
  const document = responseDocument(event, outcome, pointer);
  const parsed = JSON.parse(document) as Record<string, unknown>;
  log('response', {
    status: parsed.Status,
    physicalResourceId: parsed.PhysicalResourceId,
    reason: parsed.Reason,
    requests: ctx.requests,
  });
  if (event.ResponseURL) {
    try {
      await putResponseDocument(event.ResponseURL, document, Deadline.in(Math.max(2_000, context.getRemainingTimeInMillis() - 500)));
    } catch (e) {
      log('could not send the response to CloudFormation', { error: (e as Error).message });
    }
  }
  return parsed;
}

function failure(event: CloudFormationEvent, ctx: DispatchContext, e: unknown): Outcome {
  const message = e instanceof DeployError ? e.message : `Unexpected error in the handler: ${(e as Error)?.message ?? String(e)}`;
  if (!(e instanceof DeployError)) log('unexpected error', { error: (e as Error)?.stack ?? String(e) });
  return { physicalResourceId: failedPhysicalId(event, ctx.tracker), error: message };
}
