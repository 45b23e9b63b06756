import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { MlValidationError, quote, requireType } from '../errors';

/*
 * The checks blueprints share: each names the blueprint property and the value received, and
 * skips values that hold tokens (only CloudFormation knows them).
 */

/** Rejects a value that is not a member of a string enum (callers from other jsii languages can pass anything). */
export function checkEnum(scope: IConstruct, property: string, value: string | undefined, enumeration: Record<string, string>): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const allowed = Object.values(enumeration);
  if (!allowed.includes(value)) {
    throw new MlValidationError(scope, `blueprint ${property} must be one of ${allowed.map((a) => quote(a)).join(', ')}; received ${quote(value)}.`);
  }
}

/** Rejects a value that is not one of `allowed`, naming the model the rule comes from. */
export function checkOneOf<T>(scope: IConstruct, property: string, value: T | undefined, allowed: readonly T[], why: string): void {
  if (typeof allowed[0] === 'number') requireType(scope, `blueprint ${property}`, value, 'number');
  if (value === undefined || (typeof value !== 'object' && Token.isUnresolved(value))) return;
  if (!allowed.includes(value)) {
    throw new MlValidationError(scope,
      `blueprint ${property} must be one of ${allowed.map((a) => (typeof a === 'number' ? `${a}` : quote(a))).join(', ')} ${why}; received ${quote(value)}.`);
  }
}

/** Rejects a number that is not a whole number in [min, max]. */
export function checkInteger(scope: IConstruct, property: string, value: number | undefined, min: number, max?: number): void {
  requireType(scope, `blueprint ${property}`, value, 'number');
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    throw new MlValidationError(scope,
      `blueprint ${property} must be a whole number from ${min}${max !== undefined ? ` to ${max}` : ' up'}; received ${quote(value)}.`);
  }
}

/** Rejects a number outside [min, max]. */
export function checkRange(scope: IConstruct, property: string, value: number | undefined, min: number, max: number): void {
  requireType(scope, `blueprint ${property}`, value, 'number');
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!(value >= min && value <= max)) {
    throw new MlValidationError(scope, `blueprint ${property} must be from ${min} to ${max}; received ${quote(value)}.`);
  }
}

const HOST = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?\/?$/;

/** Rejects an endpoint that is not a host name (with an optional port), as the `endpoint` parameter of ml-commons' blueprints is. */
export function checkHost(scope: IConstruct, property: string, value: string, example: string): void {
  if (Token.isUnresolved(value)) return;
  if (!HOST.test(value)) {
    throw new MlValidationError(scope, `blueprint ${property} must be a host name without scheme or path, such as '${example}'; received ${quote(value)}.`);
  }
}

/** Rejects an empty value, or one that would break out of a URL path segment or a JSON string. */
export function checkName(scope: IConstruct, property: string, value: string, example: string): void {
  if (Token.isUnresolved(value)) return;
  if (value.length === 0 || /[\s"\\/?#{}]/.test(value)) {
    throw new MlValidationError(scope,
      `blueprint ${property} must be a non-empty name without spaces, quotes, '/', '?', '#' or braces, such as '${example}'; received ${quote(value)}.`);
  }
}

/** Rejects a boolean option given as another type (`'false'` would count as true). */
export function checkBoolean(scope: IConstruct, property: string, value: boolean | undefined): void {
  requireType(scope, `blueprint ${property}`, value, 'boolean');
}

/** Rejects an option that the chosen format does not use. */
export function rejectUnused(scope: IConstruct, property: string, value: unknown, why: string): void {
  if (value !== undefined) {
    throw new MlValidationError(scope, `blueprint ${property} is not used ${why}; received ${quote(value)}.`);
  }
}
