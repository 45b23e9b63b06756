/**
 * CloudFormation hands custom resources every scalar as a string. These helpers list,
 * at synth time, where a body holds numbers, booleans or null (as RFC 6901 JSON Pointers),
 * so that the handler can give them their types back.
 */

export function typedValuePointers(value: unknown, pointer = ''): string[] {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') {
    return [pointer];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => typedValuePointers(item, `${pointer}/${index}`));
  }
  if (typeof value === 'object' && value !== undefined) {
    return Object.entries(value as Record<string, unknown>)
      .flatMap(([key, item]) => typedValuePointers(item, `${pointer}/${escapePointerToken(key)}`));
  }
  return [];
}

function escapePointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
