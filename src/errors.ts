import { App, Errors, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A synth-time error about a user's input. The message always names the construct,
 * the property and the value received, so it can be acted on without reading our code.
 *
 * aws-cdk-lib's `Errors.isValidationError()` is true for it, as for aws-cdk-lib's own
 * validation errors: it carries the same markers (see `validationErrorMarkers`).
 */
export class MlValidationError extends Error {
  constructor(scope: IConstruct, message: string) {
    super(`${scope.node.path}: ${message}`);
    this.name = 'ValidationError';
    for (const marker of validationErrorMarkers()) {
      Object.defineProperty(this, marker, { value: true });
    }
  }
}

let markers: symbol[] | undefined;

/**
 * The markers by which `Errors.isValidationError()` recognises a validation error, learned
 * from a validation error that aws-cdk-lib itself throws through its public API (a stack name
 * it refuses), so that nothing here depends on how aws-cdk-lib spells them. The probe runs
 * once, in an app of its own that never synthesizes.
 */
function validationErrorMarkers(): symbol[] {
  if (markers === undefined) {
    try {
      new Stack(new App({ autoSynth: false }), 'Probe', { stackName: '!' });
      markers = [];
    } catch (e) {
      markers = Errors.isValidationError(e) ? Object.getOwnPropertySymbols(e) : [];
    }
  }
  return markers;
}

/**
 * Rejects a value of another JavaScript type than the property's: callers from JavaScript, or
 * from a language whose bindings do not check types, can pass `'1024'` for a number or
 * `'false'` for a boolean (which would count as true). Values that are tokens pass: a number
 * token is a number.
 */
export function requireType(scope: IConstruct, property: string, value: unknown, type: 'number' | 'boolean'): void {
  if (value === undefined || typeof value === type) return;
  if (typeof value === 'string' && Token.isUnresolved(value)) return;
  throw new MlValidationError(scope, `${property} must be a ${type}; received ${describeValue(value)}.`);
}

/** "the string '1024'", "the boolean true": a value with its type, for messages about types. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `the array ${quote(value)}`;
  return `the ${typeof value} ${quote(value)}`;
}

/** Quotes a user value for an error message, shortening very long ones. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const shown = text === undefined ? String(value) : text;
  return shown.length > 200 ? `'${shown.slice(0, 200)}…' (${shown.length} characters)` : `'${shown}'`;
}
