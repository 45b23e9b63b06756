/*
 * The CloudFormation response: a PUT of the response document (cfn.ts) to the presigned S3
 * URL of the event, over the one transport. Unsigned: the URL carries its own signature.
 */
import { Deadline } from '../deadline';
import { withRetries } from '../retry';
import { send } from '../transport';

/**
 * Sends CloudFormation the outcome, with an empty content type (the signature covers it).
 * Any failure is tried again, up to five attempts: the PUT of the same document is harmless to repeat.
 */
export async function putResponseDocument(responseUrl: string, document: string, deadline: Deadline): Promise<void> {
  const url = new URL(responseUrl);
  const attempt = () => send({
    url,
    method: 'PUT',
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(document)) },
    body: document,
    timeoutMs: Math.max(1_000, Math.min(10_000, deadline.remaining())),
  });
  const accepted = (status: number) => status >= 200 && status < 300;
  const response = await withRetries(attempt, {
    deadline, idempotent: true, maxAttempts: 5, verdict: (outcome) => 'status' in outcome && accepted(outcome.status) ? 'final' : 'unknown',
  });
  if (!accepted(response.status)) throw new Error(`the response URL answered ${response.status}`);
}
