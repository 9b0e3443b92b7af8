import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, JsonPatchError, strategicMerge } from './json-patch.js';

describe('RFC 6902 JSON Patch', () => {
  const doc = {
    metadata: { labels: { app: 'web', 'a/b': 'x', 'm~n': 'y' } },
    spec: { ports: [{ port: 80 }, { port: 443 }] },
  };

  it('add, remove, replace, copy, move, test; the input is untouched', () => {
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/metadata/labels/tier', value: 'frontend' },
      { op: 'add', path: '/spec/ports/1', value: { port: 8080 } },
      { op: 'add', path: '/spec/ports/-', value: { port: 9090 } },
      { op: 'remove', path: '/metadata/labels/a~1b' },
      { op: 'replace', path: '/metadata/labels/m~0n', value: 'z' },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/name' },
      { op: 'move', from: '/metadata/labels/tier', path: '/metadata/labels/role' },
      { op: 'test', path: '/spec/ports/0', value: { port: 80 } },
    ]);
    expect(out).toEqual({
      metadata: { labels: { app: 'web', 'm~n': 'z', name: 'web', role: 'frontend' } },
      spec: { ports: [{ port: 80 }, { port: 8080 }, { port: 443 }, { port: 9090 }] },
    });
    expect(doc.metadata.labels).toEqual({ app: 'web', 'a/b': 'x', 'm~n': 'y' });
  });

  it('errors name the operation; a failed test is told apart', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/missing', value: 1 }])).toThrow(
      'operation 0 (replace): /spec/missing: path does not exist',
    );
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/no/such/parent', value: 1 }])).toThrow(
      /path does not exist/,
    );
    expect(() => applyJsonPatch(doc, [{ op: 'remove', path: '/spec/ports/5' }])).toThrow(/out of range/);
    expect(() => applyJsonPatch(doc, [{ op: 'move', from: '/spec', path: '/spec/inner' }])).toThrow(/its own child/);
    try {
      applyJsonPatch(doc, [
        { op: 'add', path: '/x', value: 1 },
        { op: 'test', path: '/metadata/labels/app', value: 'db' },
      ]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonPatchError);
      expect((e as JsonPatchError).testFailed).toBe(true);
      expect((e as JsonPatchError).index).toBe(1);
    }
  });

  it('the empty path replaces the whole document', () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }])).toEqual({ b: 2 });
  });
});

describe('RFC 7386 JSON Merge Patch', () => {
  it('merges maps, null deletes, lists and scalars replace (RFC 7386 appendix examples)', () => {
    expect(applyMergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } })).toEqual({
      a: 'z',
      c: { d: 'e' },
    });
    expect(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(applyMergePatch(['a', 'b'], ['c', 'd'])).toEqual(['c', 'd']);
    expect(applyMergePatch({ a: 'foo' }, 'bar')).toBe('bar');
    expect(applyMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(applyMergePatch([1, 2], { a: 'b', c: null })).toEqual({ a: 'b' });
  });
});

describe('strategic merge patch', () => {
  const deploy = {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1.24', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
            { name: 'sidecar', image: 'envoy' },
          ],
          tolerations: [{ key: 'a' }],
        },
      },
    },
    metadata: { finalizers: ['x'] },
  };

  it('merges containers by name and env by name; replaces lists without a merge key', () => {
    const out = strategicMerge(deploy, {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'nginx:1.25', env: [{ name: 'B', value: '2' }] },
              { name: 'sidecar', $patch: 'delete' },
            ],
            tolerations: [{ key: 'b' }],
          },
        },
      },
      metadata: { finalizers: ['y'] },
    });
    expect(out).toEqual({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.25',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', value: '2' },
                ],
                ports: [{ containerPort: 80 }],
              },
            ],
            tolerations: [{ key: 'b' }],
          },
        },
      },
      metadata: { finalizers: ['x', 'y'] },
    });
  });

  it('$patch: replace and $deleteFromPrimitiveList', () => {
    expect(strategicMerge({ a: { x: 1, y: 2 } }, { a: { $patch: 'replace', z: 3 } })).toEqual({ a: { z: 3 } });
    expect(
      strategicMerge(
        { metadata: { finalizers: ['x', 'y'] } },
        { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } },
      ),
    ).toEqual({
      metadata: { finalizers: ['y'] },
    });
  });

  it('Service ports merge by port', () => {
    expect(
      strategicMerge(
        { spec: { ports: [{ port: 80, nodePort: 30080 }] } },
        { spec: { ports: [{ port: 80, nodePort: 30081 }, { port: 443 }] } },
      ),
    ).toEqual({
      spec: { ports: [{ port: 80, nodePort: 30081 }, { port: 443 }] },
    });
  });
});
