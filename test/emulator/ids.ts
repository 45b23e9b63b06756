import { randomBytes } from 'crypto';

/**
 * A 20-character URL-safe id like OpenSearch's auto-generated document ids (e.g. 7cXMoJwBx1UzTzWJUDT9).
 * 15 random bytes encode to exactly 20 base64url characters.
 */
export function randomId(): string {
  return randomBytes(15).toString('base64url');
}
