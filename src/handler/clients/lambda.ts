/*
 * AWS Lambda: the relay's synchronous Invoke of the worker function in the domain's VPC.
 */
import { Deadline } from '../deadline';
import { HttpResponse } from '../transport';
import { AwsService, callAwsApi } from './aws-api';

const LAMBDA: AwsService = { signingName: 'lambda', endpointPrefix: 'lambda', endpointVariable: 'AWS_ENDPOINT_URL_LAMBDA' };

/** Invoke (RequestResponse). Not repeated once it may have run: the worker may have acted. */
export function invokeFunction(functionName: string, payload: unknown, deadline: Deadline): Promise<HttpResponse> {
  return callAwsApi(LAMBDA, {
    region: process.env.AWS_REGION ?? '',
    path: `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
    headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
    body: JSON.stringify(payload),
    deadline,
    idempotent: false,
  });
}
