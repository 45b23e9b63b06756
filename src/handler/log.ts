import { redact } from './redact';

/**
 * One JSON line per event, redacted. The handler logs what it did (request types,
 * paths, statuses, IDs), never request headers or bodies that could carry credentials.
 */
export function log(message: string, fields: Record<string, unknown> = {}): void {
  console.log(redact(JSON.stringify({ message, ...fields })));
}
