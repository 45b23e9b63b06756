import { Annotations, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import type { ConnectorAction } from './blueprints/types';
import { validateBuiltinFunctions } from './builtin-functions';
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

const DIRECTIONS = 'east|west|north|south|central|northeast|northwest|southeast|southwest';
/**
 * What an AWS region looks like: an area, an optional part that is not a direction (a partition
 * or a country: 'gov', 'iso', 'de'), a compass direction, a number ('us-gov-west-1', 'eusc-de-east-1').
 */
const REGION = new RegExp(`^[a-z]{2,4}(-(?!(${DIRECTIONS})-)[a-z]+)?-(${DIRECTIONS})-\\d{1,2}$`);
const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** The regions aws-cdk-lib's region facts know (every partition). */
const KNOWN_REGIONS: readonly string[] = RegionInfo.regions.map((r) => r.name);

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

/**
 * Rejects a region that is not an AWS region, naming the nearest known one. A region that
 * aws-cdk-lib's region facts do not know but that is shaped like one (an area, a compass
 * direction, a number) only draws a warning: AWS opens regions before the aws-cdk-lib a user
 * runs knows them (this library accepts aws-cdk-lib from 2.240), and refusing them would block
 * that user until an upgrade.
 */
export function validateRegion(scope: IConstruct, property: string, region: string): void {
  if (Token.isUnresolved(region) || KNOWN_REGIONS.includes(region)) return;
  if (!REGION.test(region)) {
    const nearest = nearestRegion(region);
    throw new MlValidationError(scope,
      `${property} must be an AWS region such as 'us-east-1'${nearest ? ` (did you mean '${nearest}'?)` : ''}; received ${quote(region)}.`);
  }
  Annotations.of(scope).addWarningV2('cdk-opensearch-ml:unknownRegion',
    `${property} ${quote(region)} is not among the AWS regions this app's aws-cdk-lib knows. If it is a new region, upgrade aws-cdk-lib; otherwise correct it.`);
}

/** The known region nearest to `region`, if one is at most two edits away. */
function nearestRegion(region: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of KNOWN_REGIONS) {
    const d = editDistance(region, known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** A Secrets Manager secret ARN, complete or partial (without the '-' and 6 random characters). */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/**
 * Rejects a secret whose ARN is not a Secrets Manager secret ARN (a secret imported with
 * `Secret.fromSecretCompleteArn()` or `fromSecretPartialArn()` from the ARN of something else):
 * OpenSearch, or the handler, would fail to read it at deploy time.
 */
export function validateSecretArn(scope: IConstruct, property: string, secretArn: string): void {
  if (Token.isUnresolved(secretArn) || SECRET_ARN.test(secretArn)) return;
  throw new MlValidationError(scope,
    `${property} must be an AWS Secrets Manager secret, whose ARN looks like 'arn:aws:secretsmanager:us-east-1:111122223333:secret:opensearch/master-AbCdEf'; received a secret with the ARN ${quote(secretArn)}.`);
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
  /** the domain's version, when known: built-in process functions it lacks are refused */
  readonly engineVersion?: EngineVersionNumber;
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
  validatePlaceholders(scope, `${at}.url`, action.url);
  validateUrl(scope, `${at}.url`, action.url, options);
  for (const [name, value] of Object.entries(action.headers ?? {})) {
    validatePlaceholders(scope, `${at}.headers['${name}']`, value);
    if (PROTECTED_HEADERS.includes(name.toLowerCase()) && !Token.isUnresolved(value) && value.includes('${parameters.')) {
      throw new MlValidationError(scope,
        `${at}.headers['${name}'] may not contain \${parameters.*} placeholders (ml-commons refuses them in ${PROTECTED_HEADERS.join(', ')}); received ${quote(value)}. Use \${credential.*} for secrets.`);
    }
  }
  validateBuiltinFunctions(scope, at, action, options.engineVersion);
  if (action.requestBody !== undefined) validatePlaceholders(scope, `${at}.requestBody`, action.requestBody);
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

/** What ml-commons fills in a connector's URL, headers and request body: `${parameters.<name>}` and `${credential.<name>}`. */
const PLACEHOLDER_ROOTS = ['parameters', 'credential'];
/** A near miss without the braces: `$parameters.x`, `$params.x`, `$credential.x`. */
const UNBRACED = /\$(param|params|parameter|parameters|credential|credentials)\.([A-Za-z0-9_.]*)/g;

/**
 * Rejects a placeholder that ml-commons never fills, such as `${params.x}`, `${parameter.x}` or
 * `$parameters.x`: it would reach the model as written.
 */
function validatePlaceholders(scope: IConstruct, property: string, template: string): void {
  if (Token.isUnresolved(template)) return;
  for (const [whole, expression] of template.matchAll(PLACEHOLDER)) {
    const [root, ...rest] = expression.split('.');
    if (PLACEHOLDER_ROOTS.includes(root) && rest.length > 0 && rest[0].length > 0) continue;
    const fixed = `\${${/^cred/.test(root) ? 'credential' : 'parameters'}.${rest.length > 0 ? rest.join('.') : expression}}`;
    throw new MlValidationError(scope,
      `${property} has the placeholder ${quote(whole)}, which ml-commons never fills (it fills \${parameters.<name>} and \${credential.<name>} only); write ${quote(fixed)}. Received ${quote(template)}.`);
  }
  for (const [whole, root, name] of template.matchAll(UNBRACED)) {
    const fixed = `\${${root.startsWith('cred') ? 'credential' : 'parameters'}.${name}}`;
    throw new MlValidationError(scope,
      `${property} has ${quote(whole)}, which ml-commons never fills (placeholders are written \${parameters.<name>} and \${credential.<name>}); write ${quote(fixed)}. Received ${quote(template)}.`);
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
