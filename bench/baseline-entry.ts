/*
 * The baseline the benchmark compares the handler with: the same handler, plus the AWS
 * SDK's OpenSearch client created at module scope, as a handler built on the SDK would.
 */
import { OpenSearchClient } from '@aws-sdk/client-opensearch';
export { handler } from '../src/handler/ml-commons.lambda';

export const sdkClient = new OpenSearchClient({ region: process.env.AWS_REGION ?? 'us-east-1' });
