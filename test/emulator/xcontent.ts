/**
 * Reading request bodies the way OpenSearch's XContentParser does, with its error messages, so that wrongly typed
 * fields fail like they would on a real domain rather than being coerced silently.
 */
import { cantGetText, illegalArgument, openSearchError, parsingException } from './errors';
import { HttpError, ParsedRequest } from './http';

export type JsonObject = Record<string, unknown>;

/** Jackson/XContent token name of a parsed JSON value. */
export function tokenOf(value: unknown): string {
  if (value === null) return 'VALUE_NULL';
  if (Array.isArray(value)) return 'START_ARRAY';
  switch (typeof value) {
    case 'object': return 'START_OBJECT';
    case 'string': return 'VALUE_STRING';
    case 'number': return 'VALUE_NUMBER';
    case 'boolean': return 'VALUE_BOOLEAN';
    default: return 'VALUE_EMBEDDED_OBJECT';
  }
}

/** Parse the body as JSON; an empty body yields undefined. */
export function parseJsonBody(request: ParsedRequest): unknown {
  if (request.bodyText.trim() === '') return undefined;
  try {
    return JSON.parse(request.bodyText) as unknown;
  } catch (error) {
    throw new HttpError(openSearchError(400, 'json_parse_exception', (error as Error).message));
  }
}

/** ensureExpectedToken(START_OBJECT, ...) */
export function expectObject(value: unknown): JsonObject {
  if (tokenOf(value) !== 'START_OBJECT') {
    throw parsingException(`Failed to parse object: expecting token of type [START_OBJECT] but found [${tokenOf(value)}]`);
  }
  return value as JsonObject;
}

/** ensureExpectedToken(START_ARRAY, ...) */
export function expectArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) {
    throw parsingException(`Failed to parse object: expecting token of type [START_ARRAY] but found [${tokenOf(value)}]`);
  }
  return value;
}

/** parser.text(): scalars render as text, anything else is an IllegalStateException. */
export function readText(value: unknown): string {
  switch (typeof value) {
    case 'string': return value;
    case 'number':
    case 'boolean': return String(value);
    default: throw cantGetText(tokenOf(value));
  }
}

/** parser.mapStrings(): an object whose values are read as text. */
export function readStringMap(value: unknown): Record<string, string> {
  const object = expectObject(value);
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(object)) {
    result[key] = readText(item);
  }
  return result;
}

/** parser.booleanValue(): true/false, or their string forms. */
export function readBoolean(value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw illegalArgument(`Failed to parse value [${typeof value === 'string' ? value : JSON.stringify(value)}] as only [true] or [false] are allowed.`);
}

/** parser.intValue(): numbers are truncated, numeric strings coerced, anything else is a NumberFormatException (400). */
export function readInt(value: unknown): number {
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Math.trunc(Number(value));
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  throw new HttpError(openSearchError(400, 'number_format_exception', `For input string: "${shown}"`));
}
