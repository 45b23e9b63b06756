/*
 * A call to an AWS API (Lambda, Secrets Manager, CloudFormation) over the one transport:
 * a POST signed with the execution role's credentials, with the retry policy. The clients of
 * those services (lambda.ts, secrets-manager.ts, cloudformation.ts) say what to call.
 */
import { Deadline } from '../deadline';
import { withRetries } from '../retry';
import { HttpResponse, send, sign } from '../transport';

/**
 * Where a service answers: as in the AWS SDKs, AWS_ENDPOINT_URL_<SERVICE> overrides the regional
 * endpoint, and AWS_ENDPOINT_URL overrides it for every service that has no variable of its own.
 */
export interface AwsService {
  /** the SigV4 signing name, also the name of the log line */
  readonly signingName: string;
  /** the regional endpoint is https://<endpointPrefix>.<region>.amazonaws.com */
  readonly endpointPrefix: string;
  readonly endpointVariable: string;
}

export interface AwsCall {
  readonly region: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly deadline: Deadline;
  /** false when the call may have had its effect once it was sent (Lambda Invoke): only what certainly was not is retried */
  readonly idempotent: boolean;
}

export function callAwsApi(service: AwsService, call: AwsCall): Promise<HttpResponse> {
  const endpoint = process.env[service.endpointVariable] ?? process.env.AWS_ENDPOINT_URL ?? `https://${service.endpointPrefix}.${call.region}.amazonaws.com`;
  const url = new URL(call.path, endpoint);
  const attempt = async () => send({
    url,
    method: 'POST',
    headers: await sign({ url, method: 'POST', headers: call.headers, body: call.body }, { service: service.signingName, region: call.region }),
    body: call.body,
    timeoutMs: Math.max(1, call.deadline.remaining()),
    logAs: service.signingName,
  });
  return withRetries(attempt, { deadline: call.deadline, idempotent: call.idempotent });
}
