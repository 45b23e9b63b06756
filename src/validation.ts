import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { ConnectorAction } from './blueprints/types';
import type { EngineVersionNumber } from './engine-version';
import { MlValidationError, quote } from './errors';

/*
 * Synth-time checks of what ml-commons would reject at deploy time. Every check skips
 * values that contain tokens: they are only known when CloudFormation resolves them.
 */

/** Action types ml-commons knows, with the OpenSearch version that introduced each. */
export const ACTION_TYPES: Readonly<Record<string, EngineVersionNumber>> = {
  predict: [2, 9],
  execute: [2, 15],
  batch_predict: [2, 17],
  cancel_batch_predict: [2, 17],
  batch_predict_status: [2, 17],
};

/** HTTP methods the AWS SDK request builder of ml-commons accepts. */
export const HTTP_METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'];

/** Headers ml-commons refuses to fill from `${parameters.*}` (a caller could otherwise inject credentials). */
export const PROTECTED_HEADERS: readonly string[] = ['authorization', 'x-api-key', 'host', 'cookie'];

/** The `name.keyword` field of the connector index ignores longer names (ignore_above 256). */
export const MAX_NAME_LENGTH = 256;

/**
 * What ml-commons 3.x accepts in the names and descriptions of connectors, models and model groups
 * (400 "... can only contain letters, numbers, spaces, and basic punctuation (.,!?():@-_'/\")"), measured
 * against a real 3.6 node (test/real): any letter or digit, whitespace, and these marks. 2.x accepts more; a
 * domain upgraded to 3.x would refuse the next update, so synth refuses it everywhere.
 */
const ML_TEXT = /^[\p{L}\p{N}\s.,!?():@\-_'/"]*$/u;

const REGION = /^[a-z]{2,4}(-[a-z]+){1,2}-\d{1,2}$/;
const PLACEHOLDER = /\$\{([^}]*)\}/g;

export function validateName(scope: IConstruct, property: string, name: string): void {
  if (Token.isUnresolved(name)) return;
  if (name.trim().length === 0) {
    throw new MlValidationError(scope, `${property} must not be empty; received ${quote(name)}.`);
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new MlValidationError(scope,
      `${property} must be at most ${MAX_NAME_LENGTH} characters (OpenSearch cannot search longer connector names); received ${name.length} characters: ${quote(name)}.`);
  }
  validateMlText(scope, property, name);
}

/** A name or description of an ML Commons resource: only what ml-commons 3.x accepts (see ML_TEXT). */
export function validateMlText(scope: IConstruct, property: string, text: string | undefined): void {
  if (text === undefined || Token.isUnresolved(text) || ML_TEXT.test(text)) return;
  const refused = [...new Set([...text].filter((ch) => !ML_TEXT.test(ch)))];
  throw new MlValidationError(scope,
    `${property} may contain only letters, digits, spaces and the marks . , ! ? ( ) : @ - _ ' / " (OpenSearch 3.x refuses anything else); `
    + `received ${quote(text)}, which contains ${refused.map(quote).join(', ')}.`);
}

export function validateRegion(scope: IConstruct, property: string, region: string): void {
  if (Token.isUnresolved(region)) return;
  if (!REGION.test(region)) {
    throw new MlValidationError(scope, `${property} must be an AWS region such as 'us-east-1'; received ${quote(region)}.`);
  }
}

/**
 * Fills `${parameters.x}` and `${parameters.x:-default}` with the connector's parameters,
 * as ml-commons does; placeholders it cannot fill are left as they are.
 */
export function fillParameters(template: string, parameters: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (whole, expression: string) => {
    if (!expression.startsWith('parameters.')) return whole;
    const [key, fallback] = splitDefault(expression.slice('parameters.'.length));
    const value = parameters[key];
    if (value === undefined) return fallback ?? whole;
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

function splitDefault(expression: string): [string, string | undefined] {
  const at = expression.indexOf(':-');
  return at < 0 ? [expression, undefined] : [expression.slice(0, at), expression.slice(at + 2)];
}

/**
 * Replaces every `${...}` placeholder with a stand-in that keeps the template's JSON
 * shape: `x` inside a JSON string, `0` where a value is expected. A template that is
 * valid JSON for every value of its parameters is valid JSON after this.
 */
export function fillPlaceholdersForJson(template: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '$' && template[i + 1] === '{') {
      const end = template.indexOf('}', i + 2);
      if (end > 0) {
        out += inString ? 'x' : '0';
        i = end;
        escaped = false;
        continue;
      }
    }
    out += c;
    if (escaped) {
      escaped = false;
    } else if (c === '\\' && inString) {
      escaped = true;
    } else if (c === '"') {
      inString = !inString;
    }
  }
  return out;
}

export interface ActionValidationOptions {
  /** the connector's complete parameters (region and service_name included) */
  readonly parameters: Record<string, unknown>;
  /** trusted endpoint regexes of the domain */
  readonly trustedEndpoints: readonly string[];
}

export function validateActions(scope: IConstruct, actions: readonly ConnectorAction[], options: ActionValidationOptions): void {
  if (actions.length === 0) {
    throw new MlValidationError(scope, `actions must list at least one action (${Object.keys(ACTION_TYPES).join(', ')}); received none.`);
  }
  actions.forEach((action, index) => validateAction(scope, `actions[${index}]`, action, options));
}

function validateAction(scope: IConstruct, at: string, action: ConnectorAction, options: ActionValidationOptions): void {
  const type = action.actionType;
  if (!Token.isUnresolved(type) && !(type.toLowerCase() in ACTION_TYPES)) {
    throw new MlValidationError(scope,
      `${at}.actionType must be one of ${Object.keys(ACTION_TYPES).join(', ')}; received ${quote(type)}.`);
  }
  const method = action.method ?? 'POST';
  if (!Token.isUnresolved(method) && !HTTP_METHODS.includes(method.toUpperCase())) {
    throw new MlValidationError(scope, `${at}.method must be one of ${HTTP_METHODS.join(', ')}; received ${quote(method)}.`);
  }
  validateUrl(scope, `${at}.url`, action.url, options);
  for (const [name, value] of Object.entries(action.headers ?? {})) {
    if (PROTECTED_HEADERS.includes(name.toLowerCase()) && !Token.isUnresolved(value) && value.includes('${parameters.')) {
      throw new MlValidationError(scope,
        `${at}.headers['${name}'] may not contain \${parameters.*} placeholders (ml-commons refuses them in ${PROTECTED_HEADERS.join(', ')}); received ${quote(value)}. Use \${credential.*} for secrets.`);
    }
  }
  if (action.requestBody !== undefined && expectsJson(action.headers)) {
    validateJsonTemplate(scope, `${at}.requestBody`, action.requestBody);
  }
}

function validateUrl(scope: IConstruct, property: string, url: string, options: ActionValidationOptions): void {
  if (Token.isUnresolved(url)) return;
  const filled = fillParameters(url, options.parameters);
  if (Token.isUnresolved(filled)) return;
  if (!filled.startsWith('https://')) {
    throw new MlValidationError(scope, `${property} must be an https:// URL; received ${quote(url)}.`);
  }
  if (!options.trustedEndpoints.some((pattern) => fullMatch(pattern, filled))) {
    throw new MlValidationError(scope,
      `${property} ${quote(filled)} matches none of the domain's trusted connector endpoints (${options.trustedEndpoints.join(' ')}), so OpenSearch would reject it. ` +
      'If the domain trusts more endpoints (plugins.ml_commons.trusted_connector_endpoints_regex), list them in the trustedEndpoints property.');
  }
}

/** ml-commons tests URLs with Java's Matcher.matches(): the whole URL must match. */
function fullMatch(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(value);
}

function expectsJson(headers: { [name: string]: string } | undefined): boolean {
  const contentType = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  return contentType === undefined || Token.isUnresolved(contentType) || contentType.toLowerCase().includes('json');
}

export function validateJsonTemplate(scope: IConstruct, property: string, template: string): void {
  if (Token.isUnresolved(template)) return;
  const filled = fillPlaceholdersForJson(template);
  try {
    JSON.parse(filled);
  } catch (e) {
    throw new MlValidationError(scope,
      `${property} must be JSON once its \${parameters.*} placeholders are filled (${(e as Error).message}); received ${quote(template)}.`);
  }
}

/** Checks a regular expression given by a user compiles, so the message points at it. */
export function validateRegexes(scope: IConstruct, property: string, patterns: readonly string[]): void {
  patterns.forEach((pattern, index) => {
    try {
      new RegExp(pattern);
    } catch (e) {
      throw new MlValidationError(scope, `${property}[${index}] is not a regular expression (${(e as Error).message}); received ${quote(pattern)}.`);
    }
  });
}
