import { applyPatch, JsonPatchError } from './json-patch';

describe('JSON Patch (RFC 6902 subset)', () => {
  const doc = { users: ['a', 'b'], nested: { 'x/y': 1, 'm~n': 2 } };

  it('adds at an index and at the end, replaces and removes', () => {
    expect(applyPatch(doc, [
      { op: 'add', path: '/users/1', value: 'z' },
      { op: 'add', path: '/users/-', value: 'end' },
      { op: 'replace', path: '/users/0', value: 'A' },
      { op: 'remove', path: '/nested/x~1y' },
      { op: 'add', path: '/nested/new', value: { deep: true } },
    ])).toEqual({ users: ['A', 'z', 'b', 'end'], nested: { 'm~n': 2, 'new': { deep: true } } });
    expect(doc).toEqual({ users: ['a', 'b'], nested: { 'x/y': 1, 'm~n': 2 } });
  });

  it('tests values regardless of key order and unescapes ~0', () => {
    expect(applyPatch(doc, [{ op: 'test', path: '/nested', value: { 'm~n': 2, 'x/y': 1 } }, { op: 'test', path: '/nested/m~0n', value: 2 }])).toEqual(doc);
    expect(() => applyPatch(doc, [{ op: 'test', path: '/users', value: ['b', 'a'] }])).toThrow('[TEST Operation] value mismatch');
  });

  it('replaces or tests the whole document at the root', () => {
    expect(applyPatch(doc, [{ op: 'test', path: '', value: doc }, { op: 'replace', path: '', value: { users: [] } }])).toEqual({ users: [] });
  });

  it.each([
    [{ op: 'remove', path: '/users/2' }, '[REMOVE Operation] index Out of bound, index is greater than 1'],
    [{ op: 'add', path: '/users/5', value: 'x' }, '[ADD Operation] index Out of bound, index is greater than 2'],
    [{ op: 'replace', path: '/missing', value: 1 }, '[REPLACE Operation] noSuchPath in source, path provided : /missing'],
    [{ op: 'add', path: '/missing/child', value: 1 }, '[ADD Operation] noSuchPath in source, path provided : /missing/child'],
    [{ op: 'remove', path: '/users/x' }, '[REMOVE Operation] invalid path for array index : x'],
    [{ op: 'add', path: '/users' }, "Invalid JSON Patch payload (missing 'value' field)"],
    [{ op: 'remove', path: 'users' }, '[REMOVE Operation] invalid path : users'],
  ])('fails %#', (operation, message) => {
    expect(() => applyPatch(doc, [operation])).toThrow(JsonPatchError);
    expect(() => applyPatch(doc, [operation])).toThrow(message);
  });
});
