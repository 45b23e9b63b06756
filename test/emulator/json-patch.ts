/**
 * RFC 6902 JSON Patch (add, remove, replace, test) applied atomically to a copy of a document, with the
 * failure messages of zjsonpatch, the library the security plugin uses.
 */
import { clone } from './store';

export type JsonValue = unknown;

export interface PatchOperation {
  readonly op: string;
  readonly path: string;
  readonly value?: JsonValue;
}

export const SUPPORTED_PATCH_OPERATIONS = ['add', 'remove', 'replace', 'test'];

export class JsonPatchError extends Error {}

/** Returns the patched copy; the input is never modified, so a failing operation changes nothing. */
export function applyPatch(document: JsonValue, operations: readonly PatchOperation[]): JsonValue {
  let result = clone(document);
  for (const operation of operations) {
    result = applyOperation(result, operation);
  }
  return result;
}

function applyOperation(document: JsonValue, operation: PatchOperation): JsonValue {
  const label = `[${operation.op.toUpperCase()} Operation]`;
  const tokens = parsePointer(operation.path, label);
  if (operation.op !== 'remove' && !('value' in operation)) {
    throw new JsonPatchError("Invalid JSON Patch payload (missing 'value' field)");
  }
  if (tokens.length === 0) {
    return rootOperation(document, operation, label);
  }
  const parent = resolve(document, tokens.slice(0, -1), label, operation.path);
  const key = tokens[tokens.length - 1];
  switch (operation.op) {
    case 'add': add(parent, key, clone(operation.value), label, operation.path); break;
    case 'remove': remove(parent, key, label, operation.path); break;
    case 'replace': replace(parent, key, clone(operation.value), label, operation.path); break;
    default: test(read(parent, key, label, operation.path), operation.value, label);
  }
  return document;
}

function rootOperation(document: JsonValue, operation: PatchOperation, label: string): JsonValue {
  if (operation.op === 'test') {
    test(document, operation.value, label);
    return document;
  }
  if (operation.op === 'remove') throw new JsonPatchError(`${label} noSuchPath in source, path provided : `);
  return clone(operation.value);
}

/** RFC 6901: '/a/b~1c' -> ['a', 'b/c']. */
function parsePointer(path: string, label: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchError(`${label} invalid path : ${path}`);
  return path.slice(1).split('/').map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolve(document: JsonValue, tokens: readonly string[], label: string, path: string): JsonValue {
  let current = document;
  for (const token of tokens) {
    current = read(current, token, label, path);
  }
  return current;
}

function read(container: JsonValue, key: string, label: string, path: string): JsonValue {
  if (Array.isArray(container)) {
    const index = arrayIndex(key, container.length - 1, label);
    return container[index];
  }
  if (isObject(container) && Object.prototype.hasOwnProperty.call(container, key)) return container[key];
  throw new JsonPatchError(`${label} noSuchPath in source, path provided : ${path}`);
}

function add(container: JsonValue, key: string, value: JsonValue, label: string, path: string): void {
  if (Array.isArray(container)) {
    const index = key === '-' ? container.length : arrayIndex(key, container.length, label);
    container.splice(index, 0, value);
  } else if (isObject(container)) {
    container[key] = value;
  } else {
    throw new JsonPatchError(`${label} noSuchPath in source, path provided : ${path}`);
  }
}

function remove(container: JsonValue, key: string, label: string, path: string): void {
  read(container, key, label, path);
  if (Array.isArray(container)) {
    container.splice(arrayIndex(key, container.length - 1, label), 1);
  } else if (isObject(container)) {
    delete container[key];
  }
}

function replace(container: JsonValue, key: string, value: JsonValue, label: string, path: string): void {
  read(container, key, label, path);
  if (Array.isArray(container)) {
    container[arrayIndex(key, container.length - 1, label)] = value;
  } else if (isObject(container)) {
    container[key] = value;
  }
}

function test(actual: JsonValue, expected: JsonValue, label: string): void {
  if (JSON.stringify(canonical(actual)) !== JSON.stringify(canonical(expected))) {
    throw new JsonPatchError(`${label} value mismatch`);
  }
}

function arrayIndex(key: string, max: number, label: string): number {
  if (!/^(0|[1-9]\d*)$/.test(key)) throw new JsonPatchError(`${label} invalid path for array index : ${key}`);
  const index = Number(key);
  if (index > max) throw new JsonPatchError(`${label} index Out of bound, index is greater than ${max}`);
  return index;
}

/** Object key order does not matter for equality. */
function canonical(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(canonical);
  if (isObject(value)) {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key])]));
  }
  return value;
}

function isObject(value: JsonValue): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
