import { IConstruct } from 'constructs';

/**
 * A synth-time error about a user's input. The message always names the construct,
 * the property and the value received, so it can be acted on without reading our code.
 */
export class MlValidationError extends Error {
  constructor(scope: IConstruct, message: string) {
    super(`${scope.node.path}: ${message}`);
    this.name = 'ValidationError';
  }
}

/** Quotes a user value for an error message, shortening very long ones. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const shown = text === undefined ? String(value) : text;
  return shown.length > 200 ? `'${shown.slice(0, 200)}…' (${shown.length} characters)` : `'${shown}'`;
}
